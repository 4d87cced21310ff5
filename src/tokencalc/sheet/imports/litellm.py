"""Importing prices from a LiteLLM-style model price JSON into the user's price sheet.

LiteLLM's ``model_prices_and_context_window.json`` maps model names to per-token US-dollar
prices. This module converts every chat / completion / responses model of such a file to the
sheet's units (US dollars per million tokens, exact ``Decimal``: ``2.5e-06`` becomes ``2.5``).
:mod:`~tokencalc.sheet.imports.fetch` reads the file (or URL),
:mod:`~tokencalc.sheet.imports.plan` works out what merging a selection of the models into the
user sheet would change, and :mod:`tokencalc.sheet.edit` validates and writes. Nothing here
prints.

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

Prices are rounded to 12 significant digits, which removes the float noise of the JSON
(``1.6000000000000001e-06`` → ``1.6``) and makes every value read back from the written
TOML exactly as it was compared, so a re-import is a no-op. A cache-write price of 0 is
taken as "not stated" (LiteLLM writes 0 where a vendor has no cache writes). An entry that
cannot be imported is skipped with its reason; it never stops the others.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Context, Decimal, InvalidOperation, localcontext
from enum import Enum
from typing import Any

from tokencalc.errors import TokencalcError
from tokencalc.sheet.model import MODEL_NAME, PRICE_FIELDS

#: LiteLLM modes that are priced per token of text in and out.
IMPORTED_MODES = ("chat", "completion", "responses")
_PRICE_KEYS = {  # in the sheet's order
    "input_cost_per_token": "input",
    "cache_read_input_token_cost": "cached_input",
    "cache_creation_input_token_cost": "cache_write_5m",
    "cache_creation_input_token_cost_above_1hr": "cache_write_1h",
    "output_cost_per_token": "output",
}
_TIER_SUFFIXES = {"batch": "_batches", "flex": "_flex", "priority": "_priority"}
_CACHE_WRITES = ("cache_write_5m", "cache_write_1h")
_LONG_CONTEXT = re.compile(r"^(?P<key>.+)_above_(?P<k>\d+)k_tokens$")
#: Significant digits a converted price keeps: far beyond any real price, and few enough
#: that the value survives the TOML float it is written as.
PRICE_DIGITS = 12
_PRICE_CONTEXT = Context(prec=PRICE_DIGITS)

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


# --- converting --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportedModel:
    """One LiteLLM entry converted to the sheet's fields (``values``: dotted path → value)."""

    key: str  # the LiteLLM key, e.g. "gemini/gemini-2.5-pro"
    model_id: str  # the id in the sheet: the key without its "<provider>/" prefix
    litellm_provider: str
    values: dict[str, Any]
    notes: tuple[str, ...] = ()
    #: each tier's prices exactly as the entry states them (``values`` may hold a multiplier)
    tier_prices: Mapping[str, Mapping[str, Decimal]] = field(default_factory=dict)

    @property
    def provider(self) -> str:
        """The sheet provider id: a known one, else the LiteLLM provider name itself."""
        return PROVIDER_IDS.get(self.litellm_provider, self.litellm_provider)


class SkipKind(str, Enum):
    """Why an entry is not imported: data, worded at the edge (``cli/phrasing.py``)."""

    NOT_AN_OBJECT = "not_an_object"
    NOT_A_TEXT_MODEL = "not_a_text_model"  # detail: its mode as written ("" when it has none)
    NO_PROVIDER = "no_provider"  # no litellm_provider
    BAD_PRICE = "bad_price"  # detail: the price as written; tier: its service tier, or ""
    NO_PRICES = "no_prices"  # no input and output price per token
    BAD_MODEL_ID = "bad_model_id"  # a model id a sheet cannot hold
    ZERO_LONG_CONTEXT = "zero_long_context"  # long-context prices above 0 tokens
    SAME_MODEL = "same_model"  # detail: the entry the model was taken from
    REJECTED = "rejected"  # detail: the sheet validator's problems with the merge
    NO_CONTEXT_WINDOW = "no_context_window"  # a new model without one
    NO_TOKENIZER = "no_tokenizer"  # a new model whose tokenizer is neither given nor known


@dataclass(frozen=True)
class Skipped:
    """An entry left out: its key, why (``kind``) and the figures the reason quotes."""

    key: str
    kind: SkipKind
    detail: str = ""
    tier: str = ""


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
        raise TokencalcError(
            f"{source}: not UTF-8 text (invalid byte at offset {exc.start})"
        ) from None
    except json.JSONDecodeError as exc:
        raise TokencalcError(
            f"{source}: not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    except RecursionError:
        raise TokencalcError(
            f"{source}: not a price file: arrays or objects nested too deeply"
        ) from None
    except ValueError as exc:  # an integer of more than 4,300 digits
        raise TokencalcError(
            f"{source}: not a price file: a value cannot be read ({str(exc).split(';')[0]})"
        ) from None
    if not isinstance(document, dict):
        raise TokencalcError(
            f"{source}: expected a JSON object of models by name (LiteLLM's model_prices_and_context_window.json)"
        )
    models, skipped = [], []
    for key, entry in document.items():
        if key == "sample_spec":
            continue
        if not isinstance(entry, dict):
            skipped.append(Skipped(key, SkipKind.NOT_AN_OBJECT))
            continue
        converted = convert_entry(key, entry)
        if isinstance(converted, Skipped):
            skipped.append(converted)
        else:
            models.append(converted)
    return Catalog(
        source, sum(1 for k in document if k != "sample_spec"), tuple(models), tuple(skipped)
    )


def per_million(value: Any) -> Decimal:
    """A per-token price as US dollars per million tokens (``2.5e-06`` → ``2.5``).

    The JSON's numbers are floats written out: the shortest text of the float is taken, and
    the result rounded to :data:`PRICE_DIGITS` significant digits, so float noise goes
    (``1.6000000000000001e-06`` → ``1.6``, ``1.1e-06`` → ``1.1``). Anything that is not a
    finite non-negative number raises ``ValueError``.
    """
    if isinstance(value, bool) or not isinstance(value, (int, Decimal, float, str)):
        raise ValueError(value)
    try:
        number = Decimal(repr(float(value)))
    except (ValueError, OverflowError, InvalidOperation):
        raise ValueError(value) from None
    if not number.is_finite() or number < 0:
        raise ValueError(value)
    return _plain(_PRICE_CONTEXT.plus(number.scaleb(6)))


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
        return Skipped(key, SkipKind.NOT_A_TEXT_MODEL, repr(mode) if mode else "")
    provider = entry.get("litellm_provider")
    if not isinstance(provider, str) or not provider.strip():
        return Skipped(key, SkipKind.NO_PROVIDER)
    try:
        prices = _stated(entry, "")
    except ValueError as exc:
        return Skipped(key, SkipKind.BAD_PRICE, repr(exc.args[0]))
    if "input" not in prices or "output" not in prices:
        return Skipped(key, SkipKind.NO_PRICES)
    model_id = key.split("/", 1)[1] if key.lower().startswith(provider.lower() + "/") else key
    if not MODEL_NAME.match(model_id):
        return Skipped(key, SkipKind.BAD_MODEL_ID)
    values: dict[str, Any] = dict(prices)
    notes: list[str] = []
    window = _tokens(entry.get("max_input_tokens")) or _tokens(entry.get("max_tokens"))
    if window is not None:
        values["context_window"] = window
    max_output = _tokens(entry.get("max_output_tokens"))
    if max_output is not None:
        if window is not None and max_output > window:
            notes.append(
                f"max_output_tokens {max_output:,} exceeds the context window {window:,}; left out"
            )
        else:
            values["max_output"] = max_output
    long_context, long_notes = _long_context(entry)
    if long_context.get("threshold") == 0:
        return Skipped(key, SkipKind.ZERO_LONG_CONTEXT)
    notes.extend(long_notes)
    for name, value in long_context.items():
        values[f"long_context.{name}"] = value
    tier_prices = {}
    for tier, suffix in _TIER_SUFFIXES.items():
        try:
            stated = _stated(entry, suffix)
        except ValueError as exc:
            return Skipped(key, SkipKind.BAD_PRICE, repr(exc.args[0]), tier)
        if "input" not in stated or "output" not in stated:
            continue  # a tier needs both; a lone tier price is not enough to go on
        tier_prices[tier] = stated
        for name, value in _tier_form(stated, prices).items():
            values[f"{tier}.{name}"] = value
    return ImportedModel(key, model_id, provider, values, tuple(notes), tier_prices)


def _stated(entry: Mapping[str, Any], suffix: str) -> dict[str, Decimal]:
    """The prices an entry states with this key suffix, per million, in the sheet's order.

    A cache-write price of 0 is left out: LiteLLM writes 0 where the vendor has no cache
    writes (DeepSeek), and in the sheet 0 would mean "free".
    """
    prices = {}
    for key, name in _PRICE_KEYS.items():
        value = entry.get(key + suffix)
        if value is None:
            continue
        price = per_million(value)
        if name in _CACHE_WRITES and price == 0:
            continue
        prices[name] = price
    return prices


def _long_context(entry: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The lowest ``_above_Nk_tokens`` threshold that has both an input and an output price.

    A threshold of 0 tokens is returned as it is: the entry is skipped for it.
    """
    by_threshold: dict[int, dict[str, Decimal]] = {}
    for key, value in entry.items():
        found = _LONG_CONTEXT.match(key)
        if not found or found.group("key") not in _PRICE_KEYS or value is None:
            continue
        try:
            price = per_million(value)
        except ValueError:
            continue
        name = _PRICE_KEYS[found.group("key")]
        if name in _CACHE_WRITES and price == 0:
            continue
        by_threshold.setdefault(int(found.group("k")) * 1000, {})[name] = price
    usable = sorted(t for t, p in by_threshold.items() if "input" in p and "output" in p)
    if not usable:
        return {}, []
    notes = [
        f"long-context prices above {t:,} tokens not imported (one threshold per model)"
        for t in usable[1:]
    ]
    prices = by_threshold[usable[0]]
    return {"threshold": usable[0], **{n: prices[n] for n in PRICE_FIELDS if n in prices}}, notes


def _tier_form(
    stated: Mapping[str, Decimal], standard: Mapping[str, Decimal]
) -> dict[str, Decimal]:
    """A tier as the sheet should say it: ``{"multiplier": r}`` when ``r`` × standard gives every
    stated price exactly, else the stated prices themselves.

    A cache price the tier does not state scales like input in the sheet, just as a
    multiplier scales it, so a multiplier says no more than the entry does.
    """
    ratio = _exact_ratio(stated["input"], standard["input"])
    if ratio is not None and all(
        standard.get(n) is not None and _times(standard[n], ratio) == stated[n] for n in stated
    ):
        return {"multiplier": ratio}
    return dict(stated)


def _exact_ratio(part: Decimal, whole: Decimal) -> Decimal | None:
    """``part / whole`` when it is a short exact decimal (``0.5``, ``1.75``), else None."""
    if whole == 0:
        return None
    with localcontext() as context:
        context.prec = PRICE_DIGITS
        context.clear_flags()
        ratio = part / whole
        if context.flags[InvalidOperation] or _times(whole, ratio) != part:
            return None
    return _plain(ratio)


def _times(a: Decimal, b: Decimal) -> Decimal:
    with localcontext() as context:
        context.prec = 3 * PRICE_DIGITS  # exact for two 12-digit factors
        return a * b


def _plain(value: Decimal) -> Decimal:
    return Decimal(f"{value.normalize():f}")


def read_back(value: Any) -> Any:
    """A value as the sheet will read it back from the TOML it is written as (a float)."""
    if isinstance(value, Decimal):
        return Decimal(repr(float(value)))
    return value


#: The routine skips: grouped whatever their detail (every mode, every twin), and not named.
_ROUTINE = (SkipKind.NOT_A_TEXT_MODEL, SkipKind.SAME_MODEL)


@dataclass(frozen=True)
class SkipSummary:
    """Entries skipped for one reason: the kind and, but for the routine kinds, its figures."""

    kind: SkipKind
    detail: str = ""
    tier: str = ""
    keys: tuple[str, ...] = field(default_factory=tuple)

    @property
    def named(self) -> bool:
        """Whether the report should name the entries (not for the expected, routine skips)."""
        return self.kind not in _ROUTINE


def summarize_skipped(skipped: Sequence[Skipped]) -> list[SkipSummary]:
    """Skipped entries grouped by reason (every mode together), largest group first."""
    groups: dict[tuple[SkipKind, str, str], list[str]] = {}
    for item in skipped:
        reason = (
            (item.kind, "", "") if item.kind in _ROUTINE else (item.kind, item.detail, item.tier)
        )
        groups.setdefault(reason, []).append(item.key)
    ordered = sorted(groups.items(), key=lambda kv: -len(kv[1]))
    return [SkipSummary(kind, detail, tier, tuple(keys)) for (kind, detail, tier), keys in ordered]
