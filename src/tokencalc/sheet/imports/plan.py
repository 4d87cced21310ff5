"""Planning an import: what merging a selection of converted models into the user sheet changes,
validated but not written (:mod:`tokencalc.sheet.edit` writes it), and the skipped entries summed up.
"""

from __future__ import annotations

import copy
import fnmatch
import json
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from tokencalc.counting.encodings import EXACT_ENCODINGS
from tokencalc.errors import PriceSheetError, TokencalcError
from tokencalc.sheet.diff import FieldChange, diff_entries, flatten, same_value
from tokencalc.sheet.edit import find_model_id, set_dotted, user_key
from tokencalc.sheet.imports.litellm import (
    PROVIDER_IDS,
    Catalog,
    ImportedModel,
    SkipKind,
    Skipped,
    read_back,
)
from tokencalc.sheet.imports.tokenizer_guess import guess_tokenizer
from tokencalc.sheet.load import read_sheet_layer
from tokencalc.sheet.merge import merge_layers
from tokencalc.sheet.model import TIERS, SheetLayer
from tokencalc.sheet.user_sheet import SheetEdit, UserSheet, plan_edit, require_shape

#: Cache prices the sheet takes as the input price when a model does not state them.
_DEFAULTS_TO_INPUT = ("cached_input", "cache_write_5m", "cache_write_1h")


@dataclass(frozen=True)
class ModelUpdate:
    """What importing does to one model of the sheet."""

    model_id: str
    key: str  # the LiteLLM key it came from
    kind: str  # "added", "changed" or "unchanged"
    changes: tuple[FieldChange, ...] = ()
    tokenizer: str | None = None  # chosen for an added model
    provider: str | None = None  # of an added model
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportPlan:
    """The merge of a selection of a catalog into the user sheet, validated, not yet written."""

    catalog: Catalog
    selected: int
    updates: tuple[ModelUpdate, ...]
    skipped: tuple[Skipped, ...]  # the catalog's, plus selected models that could not be merged
    new_providers: tuple[str, ...]
    edit: SheetEdit

    def of_kind(self, kind: str) -> list[ModelUpdate]:
        return [u for u in self.updates if u.kind == kind]


def select_models(
    catalog: Catalog, providers: Sequence[str] = (), patterns: Sequence[str] = ()
) -> list[ImportedModel]:
    """The catalog's models of any of ``providers`` (LiteLLM's name or the sheet's id) that
    match any of the glob ``patterns`` (over the LiteLLM key and the sheet id); all when empty."""
    wanted = {p.strip().lower() for p in providers}
    chosen = []
    for model in catalog.models:
        if (
            wanted
            and model.litellm_provider.lower() not in wanted
            and model.provider.lower() not in wanted
        ):
            continue
        names = (model.key.lower(), model.model_id.lower())
        if patterns and not any(
            fnmatch.fnmatchcase(n, p.strip().lower()) for p in patterns for n in names
        ):
            continue
        chosen.append(model)
    return chosen


def plan_import(
    user: UserSheet,
    catalog: Catalog,
    selected: Sequence[ImportedModel],
    *,
    tokenizer: str | None = None,
    update_limits: bool = False,
    today: date,
    base: SheetLayer | None = None,
) -> ImportPlan:
    """Work out the new user sheet after merging ``selected`` into it, and validate it.

    Models the sheet has (by id or alias) get the prices that differ from the effective
    sheet; their context window and max output only with ``update_limits`` (LiteLLM's
    ``max_input_tokens`` is an input limit, which is not always the context window). New
    models get every field, a provider entry when the sheet lacks the provider, and a
    tokenizer: ``tokenizer``, else :func:`guess_tokenizer`. Only fields that change are
    written, so re-importing the same file changes nothing. Changed and added models get
    ``source`` (the file or URL) and ``as_of = today``.

    A tier the sheet states as explicit prices keeps that form (only the prices the entry
    states are written); a long-context threshold one below LiteLLM's (the sheet's
    convention for vendors whose boundary is inclusive) is kept. A model whose merge the
    validator would still reject is skipped with the validator's words, not the import.
    """
    require_shape(user)
    excluded: dict[str, str] = {}  # LiteLLM key → the sheet's problems with its merge
    while True:
        plan = _plan_once(user, catalog, selected, tokenizer, update_limits, today, base, excluded)
        if isinstance(plan, ImportPlan):
            return plan
        excluded.update(plan)  # plan again without them; each round removes at least one


def _plan_once(
    user: UserSheet,
    catalog: Catalog,
    selected: Sequence[ImportedModel],
    tokenizer: str | None,
    update_limits: bool,
    today: date,
    base: SheetLayer | None,
    excluded: Mapping[str, str],
) -> ImportPlan | dict[str, str]:
    """The plan, or the models whose merge makes the sheet invalid (LiteLLM key → why)."""

    base = base if base is not None else read_sheet_layer()
    layers = [base] + ([SheetLayer(user.label, user.data)] if user.data else [])
    merged = merge_layers(layers)
    known_tokenizers = {*EXACT_ENCODINGS, *(merged.get("tokenizers") or {})}
    if tokenizer is not None and tokenizer not in known_tokenizers:
        raise TokencalcError(
            f"unknown tokenizer {tokenizer!r}; use one of {', '.join(sorted(known_tokenizers))}"
        )
    data = copy.deepcopy(user.data)
    updates: list[ModelUpdate] = []
    skipped: list[Skipped] = list(catalog.skipped)
    new_providers: list[str] = []
    claimed: dict[str, str] = {}  # model id → the LiteLLM key it was taken from

    def priority(model: ImportedModel) -> tuple[int, int]:
        # The vendor's own API beats resellers (azure/gpt-4o), and an id beats an alias.
        exact = model.model_id in (merged.get("models") or {})
        return (0 if model.litellm_provider in PROVIDER_IDS else 1, 0 if exact else 1)

    for model in sorted(selected, key=priority):
        model_id = find_model_id(merged, model.model_id)
        target = model_id or model.model_id
        if target.lower() in claimed:
            skipped.append(Skipped(model.key, SkipKind.SAME_MODEL, claimed[target.lower()]))
            continue
        if model.key in excluded:
            skipped.append(Skipped(model.key, SkipKind.REJECTED, excluded[model.key]))
            continue
        if model_id is None:
            update = _add_model(
                model,
                data,
                merged,
                known_tokenizers,
                tokenizer,
                catalog.source,
                today,
                new_providers,
            )
        else:
            update = _update_model(
                model, model_id, data, merged, update_limits, catalog.source, today
            )
        if isinstance(update, Skipped):
            skipped.append(update)
            continue
        claimed[target.lower()] = model.key
        updates.append(update)
    try:
        edit = plan_edit(user, data, base=base)
    except PriceSheetError as exc:
        blamed = _blamed_models(
            exc.problems, {u.model_id: u.key for u in updates if u.kind != "unchanged"}
        )
        if blamed is None:
            raise
        return {key: "; ".join(problems) for key, problems in blamed.items()}
    return ImportPlan(
        catalog, len(selected), tuple(updates), tuple(skipped), tuple(new_providers), edit
    )


_MODEL_IN_PROBLEM = re.compile(r'^models\.("(?:[^"\\]|\\.)*")')


def _blamed_models(
    problems: Sequence[str], touched: Mapping[str, str]
) -> dict[str, list[str]] | None:
    """The LiteLLM keys of the imported models the problems are about, with their problems;
    None when any problem is about something else (then the sheet itself is at fault).

    A problem reads ``FILE: models."ID".field: message``; the file may be the packaged one
    (a max_output it set, against the context window the import changes).
    """
    by_id = {model_id.lower(): key for model_id, key in touched.items()}
    blamed: dict[str, list[str]] = {}
    for problem in problems:
        found_at = problem.find(": models.")
        if found_at < 0:
            return None
        where = problem[found_at + 2 :]
        found = _MODEL_IN_PROBLEM.match(where)
        key = by_id.get(json.loads(found.group(1)).lower()) if found else None
        if key is None:
            return None
        blamed.setdefault(key, []).append(where)
    return blamed or None


def _add_model(
    model: ImportedModel,
    data: dict[str, Any],
    merged: Mapping[str, Any],
    known_tokenizers: Collection[str],
    tokenizer: str | None,
    source: str,
    today: date,
    new_providers: list[str],
) -> ModelUpdate | Skipped:
    if "context_window" not in model.values:
        return Skipped(model.key, SkipKind.NO_CONTEXT_WINDOW)
    chosen = tokenizer or guess_tokenizer(model.model_id, model.litellm_provider, known_tokenizers)
    if chosen is None:
        return Skipped(model.key, SkipKind.NO_TOKENIZER)
    provider = model.provider
    if provider not in (merged.get("providers") or {}) and provider not in new_providers:
        data.setdefault("providers", {})[provider] = {
            "name": model.litellm_provider,
            "source": source,
            "as_of": today,
        }
        new_providers.append(provider)
    entry: dict[str, Any] = {"provider": provider, "name": model.model_id, "tokenizer": chosen}
    for path, value in model.values.items():
        set_dotted(entry, path, value)
    entry["source"] = source
    entry["as_of"] = today
    data.setdefault("models", {})[model.model_id] = entry
    changes = diff_entries("models", model.model_id, None, entry)
    return ModelUpdate(
        model.model_id, model.key, "added", tuple(changes), chosen, provider, model.notes
    )


def _update_model(
    model: ImportedModel,
    model_id: str,
    data: dict[str, Any],
    merged: Mapping[str, Any],
    update_limits: bool,
    source: str,
    today: date,
) -> ModelUpdate:
    current = merged["models"][model_id]
    wanted = {
        path: value
        for path, value in _in_current_tier_form(model, current).items()
        if update_limits or path not in ("context_window", "max_output")
    }
    existing = flatten(current)
    notes = list(model.notes)
    threshold = wanted.get("long_context.threshold")
    if threshold is not None and existing.get("long_context.threshold") == threshold - 1:
        # "≥ 200k" written as threshold 199999 (docs/pricing-sources.md); LiteLLM says "above_200k".
        del wanted["long_context.threshold"]
    after = {**existing, **wanted}
    differing = {}
    for path, value in wanted.items():
        if path in existing:
            if same_value(existing[path], read_back(value)):
                continue
        elif same_value(_implied(path, after), read_back(value)):
            continue  # an absent cache price already means this (scaled like input)
        differing[path] = value
    for tier in TIERS:
        # A tier is written whole or not at all: one explicit price alone would switch its form.
        if any(path.startswith(f"{tier}.") for path in differing):
            differing.update(
                {path: value for path, value in wanted.items() if path.startswith(f"{tier}.")}
            )
    limits = {**existing, **differing}
    if "max_output" in differing and _number(limits.get("max_output")) > _number(
        limits.get("context_window")
    ):
        notes.append(
            f"max_output_tokens {differing.pop('max_output'):,} exceeds the context window {limits.get('context_window'):,}; left out"
        )
    if not differing:
        return ModelUpdate(model_id, model.key, "unchanged", notes=tuple(notes))
    models = data.setdefault("models", {})
    entry = models.setdefault(user_key(models, model_id), {})
    before = copy.deepcopy(current)
    after_merge = copy.deepcopy(current)
    for path, value in differing.items():
        set_dotted(entry, path, value)
        set_dotted(
            after_merge, path, value
        )  # as the overlay merges it (a tier's form switches whole)
    entry["source"] = source
    entry["as_of"] = today
    changes = diff_entries("models", model_id, before, after_merge)
    return ModelUpdate(model_id, model.key, "changed", tuple(changes), notes=tuple(notes))


def _number(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return Decimal(0)


def _implied(path: str, values: Mapping[str, Any]) -> Decimal | None:
    """What the sheet makes of a cache price it does not state (None: nothing to compare).

    A standard one is the input price; a long-context or explicit tier one is the standard
    one scaled like input.
    """
    part, _, name = path.rpartition(".")
    if name not in _DEFAULTS_TO_INPUT or part not in ("", "long_context", *TIERS):
        return None
    standard_input = values.get("input")
    if standard_input is None:
        return None
    if not part:
        return _number(standard_input)
    part_input = values.get(f"{part}.input")
    if part_input is None or _number(standard_input) == 0:
        return None
    standard = _number(values.get(name, standard_input))
    return _number(part_input) * standard / _number(standard_input)


def _in_current_tier_form(model: ImportedModel, current: Mapping[str, Any]) -> dict[str, Any]:
    """The imported values, with a tier the sheet states as explicit prices kept in that form.

    Only the prices the entry itself states are written (never a cache price derived from
    the multiplier: the sheet's own, e.g. a batch rate that keeps the standard cache price,
    stays).
    """
    result = dict(model.values)
    for tier in TIERS:
        existing = current.get(tier)
        if (
            f"{tier}.multiplier" not in result
            or not isinstance(existing, dict)
            or "multiplier" in existing
        ):
            continue
        del result[f"{tier}.multiplier"]
        for name, value in model.tier_prices.get(tier, {}).items():
            result[f"{tier}.{name}"] = value
    return result
