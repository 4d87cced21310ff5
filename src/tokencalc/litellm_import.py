"""Importing prices from a LiteLLM-style model price JSON into the user's price sheet.

LiteLLM's ``model_prices_and_context_window.json`` maps model names to per-token US-dollar
prices. This module reads such a file (or URL), converts every chat / completion /
responses model to the sheet's units (US dollars per million tokens, exact ``Decimal``:
``2.5e-06`` becomes ``2.5``), and works out what merging a selection of them into the user
sheet would change. Nothing here prints; :mod:`tokencalc.sheet_edit` validates and writes.

Field mapping (per token → per million):

=============================================== ===========================================
LiteLLM                                          sheet
=============================================== ===========================================
``input_cost_per_token``                         ``input``
``output_cost_per_token``                        ``output``
``cache_read_input_token_cost``                  ``cached_input``
``cache_creation_input_token_cost``              ``cache_write_5m``
``cache_creation_input_token_cost_above_1hr``    ``cache_write_1h``
``<price>_above_<N>k_tokens``                    ``long_context`` with ``threshold = N × 1000``
``<price>_batches`` / ``_flex`` / ``_priority``  ``batch`` / ``flex`` / ``priority`` (a multiplier
                                                 when every price scales alike)
``max_input_tokens`` (else ``max_tokens``)       ``context_window``
``max_output_tokens``                            ``max_output``
``litellm_provider``                             ``provider`` (new models only)
=============================================== ===========================================
"""

from __future__ import annotations

import copy
import fnmatch
import json
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from tokencalc.errors import TokencalcError
from tokencalc.sheet import PRICE_FIELDS, TIERS, SheetLayer, read_sheet_layer
from tokencalc.sheet_edit import (
    FieldChange,
    SheetEdit,
    UserSheet,
    diff_entries,
    find_model_id,
    flatten,
    plan_edit,
    same_value,
    set_dotted,
)

#: LiteLLM modes that are priced per token of text in and out.
IMPORTED_MODES = ("chat", "completion", "responses")
DEFAULT_TIMEOUT = 20.0
#: A price JSON larger than this is refused (LiteLLM's is about 1.5 MB).
MAX_BYTES = 64 << 20

_PRICE_KEYS = {  # in the sheet's order
    "input_cost_per_token": "input",
    "cache_read_input_token_cost": "cached_input",
    "cache_creation_input_token_cost": "cache_write_5m",
    "cache_creation_input_token_cost_above_1hr": "cache_write_1h",
    "output_cost_per_token": "output",
}
_TIER_SUFFIXES = {"batch": "_batches", "flex": "_flex", "priority": "_priority"}
_DEFAULTS_TO_INPUT = ("cached_input", "cache_write_5m", "cache_write_1h")
_LONG_CONTEXT = re.compile(r"^(?P<key>.+)_above_(?P<k>\d+)k_tokens$")

#: LiteLLM provider names that are the sheet's own providers.
PROVIDER_IDS = {
    "openai": "openai",
    "text-completion-openai": "openai",
    "anthropic": "anthropic",
    "gemini": "google",
    "xai": "xai",
    "mistral": "mistral",
    "deepseek": "deepseek",
    "groq": "groq",
    "perplexity": "perplexity",
}


# --- reading -----------------------------------------------------------------------------------


def read_source(location: str, *, timeout: float = DEFAULT_TIMEOUT) -> bytes:
    """The bytes of a file, or of an ``http(s)://`` URL fetched with a timeout."""
    if re.match(r"^https?://", location, re.IGNORECASE):
        return _fetch(location, timeout)
    path = Path(location)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise TokencalcError(f"{location}: no such file or directory") from None
    except IsADirectoryError:
        raise TokencalcError(f"{location}: is a directory, not a price JSON file") from None
    except OSError as exc:
        raise TokencalcError(f"{location}: cannot read: {(exc.strerror or str(exc)).lower()}") from None
    _check_size(location, data)
    return data


def _fetch(url: str, timeout: float) -> bytes:
    import socket
    import urllib.error
    import urllib.request

    from tokencalc import __version__

    if timeout <= 0:
        raise TokencalcError(f"--timeout must be positive, got {timeout}")
    request = urllib.request.Request(url, headers={"User-Agent": f"tokencalc/{__version__}"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data = response.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise TokencalcError(f"cannot fetch {url}: HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, (socket.timeout, TimeoutError)):
            raise TokencalcError(f"cannot fetch {url}: no answer within {timeout:g} s (--timeout)") from None
        text = getattr(reason, "strerror", None) or str(reason)
        raise TokencalcError(f"cannot fetch {url}: {str(text).lower()} (are you offline? a local file works too)") from None
    except (socket.timeout, TimeoutError):
        raise TokencalcError(f"cannot fetch {url}: no answer within {timeout:g} s (--timeout)") from None
    except (OSError, ValueError) as exc:
        raise TokencalcError(f"cannot fetch {url}: {exc}") from None
    _check_size(url, data)
    return data


def _check_size(label: str, data: bytes) -> None:
    if len(data) > MAX_BYTES:
        raise TokencalcError(f"{label}: larger than {MAX_BYTES >> 20} MB; not a model price file")


# --- converting --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportedModel:
    """One LiteLLM entry converted to the sheet's fields (``values``: dotted path → value)."""

    key: str  # the LiteLLM key, e.g. "gemini/gemini-2.5-pro"
    model_id: str  # the id in the sheet: the key without its "<provider>/" prefix
    litellm_provider: str
    values: dict[str, Any]
    notes: tuple[str, ...] = ()

    @property
    def provider(self) -> str:
        """The sheet provider id: a known one, else the LiteLLM provider name itself."""
        return PROVIDER_IDS.get(self.litellm_provider, self.litellm_provider)


@dataclass(frozen=True)
class Skipped:
    key: str
    reason: str


@dataclass(frozen=True)
class Catalog:
    """The importable models of one price file, and the entries left out (with why)."""

    source: str
    entries: int
    models: tuple[ImportedModel, ...]
    skipped: tuple[Skipped, ...]


def parse_catalog(data: bytes | str, source: str) -> Catalog:
    """Convert a LiteLLM price JSON; entries that are not per-token text models are skipped."""
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
        document = json.loads(text, parse_float=Decimal)
    except UnicodeDecodeError as exc:
        raise TokencalcError(f"{source}: not UTF-8 text (invalid byte at offset {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise TokencalcError(f"{source}: not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    if not isinstance(document, dict):
        raise TokencalcError(
            f"{source}: expected a JSON object of models by name (LiteLLM's model_prices_and_context_window.json)"
        )
    models, skipped = [], []
    for key, entry in document.items():
        if key == "sample_spec":
            continue
        if not isinstance(entry, dict):
            skipped.append(Skipped(key, "not a JSON object"))
            continue
        converted = convert_entry(key, entry)
        if isinstance(converted, Skipped):
            skipped.append(converted)
        else:
            models.append(converted)
    return Catalog(source, sum(1 for k in document if k != "sample_spec"), tuple(models), tuple(skipped))


def per_million(value: Any) -> Decimal:
    """A per-token price as US dollars per million tokens, exactly (``2.5e-06`` → ``2.5``)."""
    if isinstance(value, bool) or not isinstance(value, (int, Decimal, float, str)):
        raise ValueError(value)
    number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    if not number.is_finite() or number < 0:
        raise ValueError(value)
    scaled = number.scaleb(6).normalize()
    return Decimal(f"{scaled:f}")


def _tokens(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    if not number.is_finite() or number <= 0 or number != number.to_integral_value():
        return None
    return int(number)


def convert_entry(key: str, entry: Mapping[str, Any]) -> ImportedModel | Skipped:
    """One LiteLLM entry in the sheet's fields, or why it cannot be imported."""
    mode = entry.get("mode")
    if mode not in IMPORTED_MODES:
        return Skipped(key, f"mode {mode!r}, not chat/completion/responses" if mode else "no mode")
    provider = entry.get("litellm_provider")
    if not isinstance(provider, str) or not provider.strip():
        return Skipped(key, "no litellm_provider")
    try:
        prices = {name: per_million(entry[k]) for k, name in _PRICE_KEYS.items() if entry.get(k) is not None}
    except ValueError as exc:
        return Skipped(key, f"price {exc.args[0]!r} is not a non-negative number")
    if "input" not in prices or "output" not in prices:
        return Skipped(key, "no input and output price per token")
    values: dict[str, Any] = dict(prices)
    notes: list[str] = []
    window = _tokens(entry.get("max_input_tokens")) or _tokens(entry.get("max_tokens"))
    if window is not None:
        values["context_window"] = window
    max_output = _tokens(entry.get("max_output_tokens"))
    if max_output is not None:
        if window is not None and max_output > window:
            notes.append(f"max_output_tokens {max_output:,} exceeds the context window {window:,}; left out")
        else:
            values["max_output"] = max_output
    long_context, long_notes = _long_context(entry)
    notes.extend(long_notes)
    for name, value in long_context.items():
        values[f"long_context.{name}"] = value
    for tier, suffix in _TIER_SUFFIXES.items():
        for name, value in _tier(entry, prices, suffix).items():
            values[f"{tier}.{name}"] = value
    model_id = key.split("/", 1)[1] if key.lower().startswith(provider.lower() + "/") else key
    return ImportedModel(key, model_id, provider, values, tuple(notes))


def _long_context(entry: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The lowest ``_above_Nk_tokens`` threshold that has both an input and an output price."""
    by_threshold: dict[int, dict[str, Decimal]] = {}
    for key, value in entry.items():
        found = _LONG_CONTEXT.match(key)
        if not found or found.group("key") not in _PRICE_KEYS or value is None:
            continue
        try:
            price = per_million(value)
        except ValueError:
            continue
        by_threshold.setdefault(int(found.group("k")) * 1000, {})[_PRICE_KEYS[found.group("key")]] = price
    usable = sorted(t for t, p in by_threshold.items() if "input" in p and "output" in p)
    if not usable:
        return {}, []
    notes = [f"long-context prices above {t:,} tokens not imported (one threshold per model)" for t in usable[1:]]
    prices = by_threshold[usable[0]]
    return {"threshold": usable[0], **{n: prices[n] for n in PRICE_FIELDS if n in prices}}, notes


def _tier(entry: Mapping[str, Any], standard: Mapping[str, Decimal], suffix: str) -> dict[str, Decimal]:
    """A tier's prices: ``{"multiplier": r}`` when every given price is ``r`` × standard, else explicit."""
    explicit: dict[str, Decimal] = {}
    for key, name in _PRICE_KEYS.items():
        value = entry.get(key + suffix)
        if value is None:
            continue
        try:
            explicit[name] = per_million(value)
        except ValueError:
            return {}
    if "input" not in explicit or "output" not in explicit:
        return {}
    ratios = {explicit[n] / standard[n] if standard.get(n) else None for n in explicit}
    if len(ratios) == 1 and None not in ratios:
        # A cache price the tier does not state scales like input, just as a multiplier does.
        return {"multiplier": _plain(ratios.pop())}
    return explicit


def _plain(value: Decimal) -> Decimal:
    return Decimal(f"{value.normalize():f}")


# --- choosing a tokenizer for new models -----------------------------------------------------

_CLAUDE_VERSION = re.compile(r"claude-(?:(?P<family>[a-z]+)-)?(?P<major>\d+)(?:[-.](?P<minor>\d{1,2})(?!\d))?")
_MISTRAL_NAMES = ("mistral", "mixtral", "codestral", "magistral", "devstral", "ministral", "pixtral", "voxtral")


def claude_family(name: str) -> str:
    """``claude-legacy`` for Claude 1–3 and 4.0–4.6, else ``claude-5`` (Opus 4.7 on)."""
    found = _CLAUDE_VERSION.search(name.lower())
    if found is None:
        return "claude-5"
    major, minor = int(found.group("major")), int(found.group("minor") or 0)
    return "claude-legacy" if major < 4 or (major == 4 and minor <= 6) else "claude-5"


def _openai_encoding(name: str) -> str | None:
    from tokencalc.encodings import encoding_for_model
    from tokencalc.errors import UnknownModelError

    try:
        return encoding_for_model(name)
    except UnknownModelError:
        return "o200k_base"


def guess_tokenizer(model_id: str, litellm_provider: str, known: Collection[str]) -> str | None:
    """The tokenizer a new model most likely uses, by its name, then by its provider.

    Only tokenizers in ``known`` (exact encodings and the sheet's estimate families) are
    returned; None when there is no good guess (then ``--tokenizer`` must say).
    """
    name = model_id.rsplit("/", 1)[-1].lower()
    provider = litellm_provider.lower()
    guess: str | None = None
    if "gpt-oss" in name:
        guess = "o200k_harmony"
    elif "claude" in name:
        guess = claude_family(name)
    elif "gemini" in name or "gemma" in name:
        guess = "gemini"
    elif "grok" in name:
        guess = "grok"
    elif any(word in name for word in _MISTRAL_NAMES):
        guess = "mistral"
    elif "deepseek" in name:
        guess = "deepseek"
    elif "llama" in name:
        guess = "llama3"
    elif "qwen" in name or "qwq" in name:
        guess = "qwen"
    elif re.match(r"^(gpt-|chatgpt|o[1-9]\b|o[1-9]-|codex)", name) or provider in ("openai", "text-completion-openai", "azure"):
        guess = _openai_encoding(name)
    elif provider == "anthropic":
        guess = claude_family(name)
    elif provider == "gemini" or provider.startswith("vertex_ai"):
        guess = "gemini"
    elif provider == "xai":
        guess = "grok"
    elif provider in ("mistral", "deepseek"):
        guess = provider
    return guess if guess in known else None


# --- planning the merge -------------------------------------------------------------------


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


def select_models(catalog: Catalog, providers: Sequence[str] = (), patterns: Sequence[str] = ()) -> list[ImportedModel]:
    """The catalog's models of any of ``providers`` (LiteLLM's name or the sheet's id) that
    match any of the glob ``patterns`` (over the LiteLLM key and the sheet id); all when empty."""
    wanted = {p.strip().lower() for p in providers}
    chosen = []
    for model in catalog.models:
        if wanted and model.litellm_provider.lower() not in wanted and model.provider.lower() not in wanted:
            continue
        names = (model.key.lower(), model.model_id.lower())
        if patterns and not any(fnmatch.fnmatchcase(n, p.strip().lower()) for p in patterns for n in names):
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
    """
    from tokencalc.encodings import EXACT_ENCODINGS
    from tokencalc.sheet import merge_layers

    base = base if base is not None else read_sheet_layer()
    layers = [base] + ([SheetLayer(user.label, user.data)] if user.data else [])
    merged = merge_layers(layers)
    known_tokenizers = {*EXACT_ENCODINGS, *(merged.get("tokenizers") or {})}
    if tokenizer is not None and tokenizer not in known_tokenizers:
        raise TokencalcError(f"unknown tokenizer {tokenizer!r}; use one of {', '.join(sorted(known_tokenizers))}")
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
            skipped.append(Skipped(model.key, f"same model as {claimed[target.lower()]}"))
            continue
        if model_id is None:
            update = _add_model(model, data, merged, known_tokenizers, tokenizer, catalog.source, today, new_providers)
        else:
            update = _update_model(model, model_id, data, merged, update_limits, catalog.source, today)
        if isinstance(update, Skipped):
            skipped.append(update)
            continue
        claimed[target.lower()] = model.key
        updates.append(update)
    edit = plan_edit(user, data, base=base)
    return ImportPlan(catalog, len(selected), tuple(updates), tuple(skipped), tuple(new_providers), edit)


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
        return Skipped(model.key, "no context window (max_input_tokens or max_tokens) for a new model")
    chosen = tokenizer or guess_tokenizer(model.model_id, model.litellm_provider, known_tokenizers)
    if chosen is None:
        return Skipped(model.key, "new model with no known tokenizer (give --tokenizer)")
    provider = model.provider
    if provider not in (merged.get("providers") or {}) and provider not in new_providers:
        data.setdefault("providers", {})[provider] = {"name": model.litellm_provider, "source": source, "as_of": today}
        new_providers.append(provider)
    entry: dict[str, Any] = {"provider": provider, "name": model.model_id, "tokenizer": chosen}
    for path, value in model.values.items():
        set_dotted(entry, path, value)
    entry["source"] = source
    entry["as_of"] = today
    data.setdefault("models", {})[model.model_id] = entry
    changes = diff_entries("models", model.model_id, None, entry)
    return ModelUpdate(model.model_id, model.key, "added", tuple(changes), chosen, provider, model.notes)


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
        for path, value in _in_current_tier_form(model.values, current).items()
        if update_limits or path not in ("context_window", "max_output")
    }
    existing = flatten(current)
    new_input = wanted.get("input", existing.get("input"))
    differing = {}
    for path, value in wanted.items():
        if path in existing:
            if same_value(existing[path], value):
                continue
        elif path in _DEFAULTS_TO_INPUT and new_input is not None and same_value(new_input, value):
            continue  # an absent cache price already means "the input price"
        differing[path] = value
    if not differing:
        return ModelUpdate(model_id, model.key, "unchanged", notes=model.notes)
    entry = data.setdefault("models", {}).setdefault(model_id, {})
    before = copy.deepcopy(current)
    after = copy.deepcopy(current)
    for path, value in differing.items():
        set_dotted(entry, path, value)
        set_dotted(after, path, value)  # as the overlay merges it (a tier's form switches whole)
    entry["source"] = source
    entry["as_of"] = today
    changes = diff_entries("models", model_id, before, after)
    return ModelUpdate(model_id, model.key, "changed", tuple(changes), notes=model.notes)


def _in_current_tier_form(values: Mapping[str, Any], current: Mapping[str, Any]) -> dict[str, Any]:
    """Express an imported multiplier as explicit prices where the sheet states the tier that way."""
    result = dict(values)
    for tier in TIERS:
        multiplier = values.get(f"{tier}.multiplier")
        existing = current.get(tier)
        if multiplier is None or not isinstance(existing, dict) or "multiplier" in existing:
            continue
        del result[f"{tier}.multiplier"]
        for name in PRICE_FIELDS:
            if name in ("input", "output") or name in existing:
                standard = values.get(name)
                if standard is not None:
                    result[f"{tier}.{name}"] = _plain(standard * multiplier)
    return result


@dataclass(frozen=True)
class SkipSummary:
    reason: str
    keys: tuple[str, ...] = field(default_factory=tuple)


def summarize_skipped(skipped: Sequence[Skipped]) -> list[SkipSummary]:
    """Skipped entries grouped by reason (modes grouped together), largest group first."""
    groups: dict[str, list[str]] = {}
    for item in skipped:
        reason = "not a chat, completion or responses model" if item.reason.startswith(("mode ", "no mode")) else item.reason
        if reason.startswith("same model as"):
            reason = "the same model as another entry"
        groups.setdefault(reason, []).append(item.key)
    return [SkipSummary(r, tuple(k)) for r, k in sorted(groups.items(), key=lambda kv: -len(kv[1]))]
