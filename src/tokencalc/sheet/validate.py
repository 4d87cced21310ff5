"""Validating the merged sheet: every section, entry and field, every problem collected, and the
:class:`~tokencalc.sheet.price_sheet.PriceSheet` built from what is sound. Models are checked in
:mod:`tokencalc.sheet.validate_models`, plans in :mod:`tokencalc.sheet.validate_plans`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from types import MappingProxyType
from typing import Any

from tokencalc.bounds import BOUNDS
from tokencalc.counting.encodings import CHARACTERS, EXACT_ENCODINGS
from tokencalc.sheet.checks import Validator, location, sheet_error, show
from tokencalc.sheet.merge import Origins, merge_into
from tokencalc.sheet.model import (
    ENTRY_TABLES,
    MODEL_NAME,
    MODEL_NAME_RULE,
    PACKAGED_LABEL,
    SCHEMA_VERSION,
    ModelEntry,
    Provider,
    SheetLayer,
    TokenizerFamily,
)
from tokencalc.sheet.price_sheet import PriceSheet
from tokencalc.sheet.provider_rules import parse_fees, parse_residency
from tokencalc.sheet.validate_models import check_model
from tokencalc.sheet.validate_plans import check_plan, report_unknown_model
from tokencalc.tokenizers.tokenizer_families import (
    TOKENIZER_COUNT_KEYS,
    check_family_counting,
)

_TOP_KEYS = (
    "schema_version",
    "as_of",
    "default_models",
    "providers",
    "tokenizers",
    "models",
    "plans",
    "currencies",
    "rate_limits",
)
_PROVIDER_REQUIRED = ("name", "source", "as_of")
_PROVIDER_OPTIONAL = ("notes", "fees", "residency")
_TOKENIZER_REQUIRED = ("base", "ratio", "source")
_TOKENIZER_OPTIONAL = ("notes", *TOKENIZER_COUNT_KEYS)
_TIER_BASES = (*EXACT_ENCODINGS, CHARACTERS)
_CURRENCY_CODE = re.compile(r"^[A-Z]{3}$")


def build_price_sheet(layers: Sequence[SheetLayer]) -> PriceSheet:
    """Merge parsed sheet files (default first) and validate the result."""
    origins = Origins(layers[0].label if layers else PACKAGED_LABEL)
    merged: dict[str, Any] = {}
    problems: list[str] = []
    for layer in layers:
        version = layer.data.get("schema_version")
        if version is not None and (isinstance(version, bool) or version != SCHEMA_VERSION):
            problems.append(
                f"{layer.label}: schema_version: must be {SCHEMA_VERSION}, got {show(version)}"
            )
        origins.add_layer(layer.label)
        merge_into(merged, layer.data, layer.label, origins)
    check = Validator(origins)
    check.problems.extend(problems)
    sheet = _validate(merged, check, [layer.label for layer in layers])
    if check.problems:
        raise sheet_error(check.problems)
    assert sheet is not None
    return replace(sheet, layers=tuple(layers))


def _entries(
    check: Validator, merged: Mapping[str, Any], name: str
) -> tuple[dict[str, dict[str, Any]], list[str] | None]:
    """The section's entries that are tables, and all its ids (None: the section is not a table)."""
    table = merged.get(name, {})
    if not isinstance(table, dict):
        check.problem((name,), f"must be a table, got {show(table)}")
        return {}, None
    entries = {}
    for entry_id, body in table.items():
        if check.table((name, entry_id), body) is not None:
            entries[entry_id] = body
    return entries, list(table)


def _validate(merged: Mapping[str, Any], check: Validator, labels: list[str]) -> PriceSheet | None:
    # A section that is not a table is one problem, not one per entry that refers to it:
    # the ids it would hold are then None and references to them go unchecked.
    check.keys((), merged, ("schema_version", "as_of"), _TOP_KEYS[2:])
    as_of = check.day(("as_of",), merged["as_of"]) if "as_of" in merged else None

    providers = {}
    entries, provider_ids = _entries(check, merged, "providers")
    for provider_id, body in entries.items():
        provider = _provider(check, provider_id, body)
        if provider:
            providers[provider_id] = provider

    tokenizers = {}
    entries, family_ids = _entries(check, merged, "tokenizers")
    for family_id, body in entries.items():
        if family_id in EXACT_ENCODINGS or family_id == CHARACTERS:
            check.problem(
                ("tokenizers", family_id), "is a built-in tokenizer name; choose another id"
            )
            continue
        family = _tokenizer(check, family_id, body)
        if family:
            tokenizers[family_id] = family
    tokenizer_ids = (
        None if family_ids is None else list(dict.fromkeys([*family_ids, *EXACT_ENCODINGS]))
    )

    models: dict[str, ModelEntry] = {}
    entries, model_ids = _entries(check, merged, "models")
    for model_id, body in entries.items():
        model = check_model(check, model_id, body, providers, provider_ids, tokenizer_ids)
        if model:
            models[model_id] = model
    aliases = _check_names(check, (merged.get("models") or {}) if model_ids is not None else {})

    plans = {}
    entries, _plan_ids = _entries(check, merged, "plans")
    for plan_id, body in entries.items():
        plan = check_plan(check, plan_id, body, provider_ids, model_ids, aliases)
        if plan:
            plans[plan_id] = plan

    default_models: tuple[str, ...] = ()
    if "default_models" in merged:
        listed = check.strings(("default_models",), merged["default_models"])
        for index, model_id in enumerate(listed or ()):
            if model_ids is not None and model_id not in model_ids:
                report_unknown_model(check, ("default_models", index), model_id, model_ids, aliases)
        default_models = tuple(dict.fromkeys(listed or ()))
    elif model_ids:
        check.problem((), "missing required key 'default_models'")

    currencies = {}
    raw_currencies = merged.get("currencies", {})
    if check.table(("currencies",), raw_currencies) is not None:
        for code, value in raw_currencies.items():
            if not _CURRENCY_CODE.match(code):
                check.problem(
                    ("currencies", code),
                    "must be a three-letter upper-case currency code, e.g. EUR",
                )
                continue
            rate = check.number(("currencies", code), value, bound=BOUNDS["rate"])
            if rate is not None:
                currencies[code] = rate

    # Rate limits per usage tier (dataset durations): checked by their own module.
    if "rate_limits" in merged:
        from tokencalc.sheet.ratelimits import problems as rate_limit_problems

        for where, message in rate_limit_problems(
            merged["rate_limits"], set(providers) if provider_ids is not None else None
        ):
            check.problem(("rate_limits", *where), message)

    if check.problems or as_of is None:
        return None
    return PriceSheet(
        models=MappingProxyType(models),
        aliases=MappingProxyType(aliases),
        providers=MappingProxyType(providers),
        tokenizers=MappingProxyType(tokenizers),
        plans=MappingProxyType(plans),
        default_models=default_models,
        currencies=MappingProxyType(currencies),
        as_of=as_of,
        files=tuple(labels),
    )


def _check_names(check: Validator, models: Mapping[str, Any]) -> dict[str, str]:
    """Ids and aliases must be usable names that do not collide (case-insensitively); alias → id."""
    owners: dict[str, tuple[str, str]] = {}  # lowercase name → (what, model id)
    for model_id in models:  # in the sheet's order, so the same entry is blamed every run
        if not MODEL_NAME.match(model_id):
            check.problem(
                ("models", model_id), f"not a usable model id: an id must {MODEL_NAME_RULE}"
            )
        key = model_id.lower()
        if key in owners:
            check.problem(
                ("models", model_id), f"id differs only in case from model {owners[key][1]!r}"
            )
            continue
        owners[key] = ("id", model_id)
    aliases: dict[str, str] = {}
    for model_id, body in models.items():
        listed = body.get("aliases") if isinstance(body, dict) else None
        if not isinstance(listed, list):
            continue
        for index, alias in enumerate(listed):
            if not isinstance(alias, str) or not alias.strip():
                continue  # reported as not a string
            if not MODEL_NAME.match(alias):
                check.problem(
                    ("models", model_id, "aliases", index),
                    f"alias {alias!r} is not a usable name: an alias must {MODEL_NAME_RULE}",
                )
                continue
            key = alias.lower()
            clash = owners.get(key)
            if clash is not None:
                what, other = clash
                if what == "id":
                    message = (
                        f"alias {alias!r} is the id of model {other!r}"
                        if other != model_id
                        else f"alias {alias!r} repeats the model's own id"
                    )
                else:
                    message = f"alias {alias!r} is also an alias of model {other!r}"
                check.problem(("models", model_id, "aliases", index), message)
                continue
            owners[key] = ("alias", model_id)
            aliases[alias] = model_id
    return aliases


def shape_problems(layer: SheetLayer, *, ignore: Iterable[tuple[str, str]] = ()) -> list[str]:
    """Where a sheet file has something other than a table that must be one.

    Only the sections and their entries are looked at (``models = 3``, ``[[models]]``,
    ``models."gpt-5" = 3``): what an edit needs before it can change the file. Entries in
    ``ignore`` (section, id) are not reported. Each problem reads like the validator's.
    """
    skipped = set(ignore)
    problems = []
    for section in (*ENTRY_TABLES, "currencies"):
        table = layer.data.get(section)
        if table is None:
            continue
        if not isinstance(table, dict):
            problems.append(
                f"{layer.label}: {location((section,))}: must be a table, got {show(table)}"
            )
            continue
        if section == "currencies":
            continue
        for entry_id, body in table.items():
            if not isinstance(body, dict) and (section, entry_id) not in skipped:
                problems.append(
                    f"{layer.label}: {location((section, entry_id))}: must be a table, got {show(body)}"
                )
    return problems


def _provider(check: Validator, provider_id: str, body: Mapping[str, Any]) -> Provider | None:
    path = ("providers", provider_id)
    sound = check.keys(path, body, _PROVIDER_REQUIRED, _PROVIDER_OPTIONAL)
    name = check.text((*path, "name"), body["name"]) if "name" in body else None
    source = check.text((*path, "source"), body["source"]) if "source" in body else None
    as_of = check.day((*path, "as_of"), body["as_of"]) if "as_of" in body else None
    notes = check.text((*path, "notes"), body["notes"]) if "notes" in body else None
    fees = parse_fees(check, (*path, "fees"), body["fees"]) if "fees" in body else ()
    residency = (
        parse_residency(check, (*path, "residency"), body["residency"])
        if "residency" in body
        else ()
    )
    if (
        not sound
        or name is None
        or source is None
        or as_of is None
        or ("notes" in body and notes is None)
    ):
        return None
    if fees is None or residency is None:
        return None
    return Provider(provider_id, name, source, as_of, notes, fees, residency)


def _tokenizer(check: Validator, family_id: str, body: Mapping[str, Any]) -> TokenizerFamily | None:
    path = ("tokenizers", family_id)
    sound = check.keys(path, body, _TOKENIZER_REQUIRED, _TOKENIZER_OPTIONAL)
    base = body.get("base")
    if "base" in body and base not in _TIER_BASES:
        check.problem((*path, "base"), f"must be one of {', '.join(_TIER_BASES)}, got {show(base)}")
        sound = False
    ratio = (
        check.number((*path, "ratio"), body["ratio"], positive=True) if "ratio" in body else None
    )
    source = check.text((*path, "source"), body["source"]) if "source" in body else None
    notes = check.text((*path, "notes"), body["notes"]) if "notes" in body else None
    counting = check_family_counting(
        body, lambda key, message: check.problem((*path, key), message)
    )
    if counting is not None and counting.classes and base != "o200k_base":
        check.problem(
            (*path, "base"), 'a family with a classes table must have base = "o200k_base"'
        )
        counting = None
    if (
        not sound
        or not isinstance(base, str)
        or ratio is None
        or source is None
        or ("notes" in body and notes is None)
        or counting is None
    ):
        return None
    return TokenizerFamily(family_id, base, ratio, source, notes, counting)
