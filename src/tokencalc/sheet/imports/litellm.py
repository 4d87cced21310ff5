"""Importing prices from a LiteLLM-style model price JSON into the user's price sheet.

LiteLLM's ``model_prices_and_context_window.json`` maps model names to per-token US-dollar
prices. This module reads such a file (or URL), converts every chat / completion /
responses model to the sheet's units (US dollars per million tokens, exact ``Decimal``:
``2.5e-06`` becomes ``2.5``), and works out what merging a selection of them into the user
sheet would change. Nothing here prints; :mod:`tokencalc.sheet.edit` validates and writes.

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

import copy
import fnmatch
import json
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Context, Decimal, InvalidOperation, localcontext
from pathlib import Path
from typing import Any

from tokencalc.errors import PriceSheetError, TokencalcError
from tokencalc.sheet.edit import (
    FieldChange,
    SheetEdit,
    UserSheet,
    diff_entries,
    find_model_id,
    flatten,
    plan_edit,
    require_shape,
    same_value,
    set_dotted,
    user_key,
)
from tokencalc.sheet.load import read_sheet_layer
from tokencalc.sheet.model import MODEL_NAME, PRICE_FIELDS, TIERS, SheetLayer

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


# --- reading -----------------------------------------------------------------------------------


def read_source(location: str, *, timeout: float = DEFAULT_TIMEOUT) -> bytes:
    """The bytes of a file, or of an ``http(s)://`` URL fetched with a timeout."""
    if re.match(r"^https?://", location, re.IGNORECASE):
        return _fetch(location, timeout)
    from tokencalc.limits import IMPORT_SIZE, FileLimitError, read_limited
    from tokencalc.sheet.load import os_reason

    path = Path(location)
    try:
        data = read_limited(path, IMPORT_SIZE, "price JSON file")
    except FileLimitError as exc:
        raise TokencalcError(exc.message) from None
    except FileNotFoundError:
        raise TokencalcError(f"{location}: no such file or directory") from None
    except IsADirectoryError:
        raise TokencalcError(f"{location}: is a directory, not a price JSON file") from None
    except OSError as exc:
        raise TokencalcError(f"{location}: cannot read: {os_reason(exc)}") from None
    _check_size(location, data)
    return data


def _fetch(url: str, timeout: float) -> bytes:
    import http.client
    import socket
    import urllib.error
    import urllib.request

    from tokencalc import __version__

    if timeout <= 0:
        raise TokencalcError(f"--timeout must be positive, got {timeout}")
    try:
        request = urllib.request.Request(url, headers={"User-Agent": f"tokencalc/{__version__}"})
    except ValueError as exc:
        raise TokencalcError(f"cannot fetch {url}: not a valid URL ({str(exc).lower()})") from None
    try:
        data = _download(request, timeout)
    except urllib.error.HTTPError as exc:
        raise TokencalcError(f"cannot fetch {url}: HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, (socket.timeout, TimeoutError)):
            raise TokencalcError(
                f"cannot fetch {url}: no answer within {timeout:g} s (--timeout)"
            ) from None
        text = getattr(reason, "strerror", None) or str(reason)
        raise TokencalcError(
            f"cannot fetch {url}: {str(text).lower()} (are you offline? a local file works too)"
        ) from None
    except (socket.timeout, TimeoutError):
        raise TokencalcError(
            f"cannot fetch {url}: no answer within {timeout:g} s (--timeout)"
        ) from None
    except http.client.HTTPException as exc:
        # A server that does not speak HTTP properly (bad status line, cut-off body).
        text = " ".join(str(exc).split())[:60]
        detail = f"{type(exc).__name__}: {text!r}" if text else type(exc).__name__
        raise TokencalcError(f"cannot fetch {url}: not a valid HTTP answer ({detail})") from None
    except (OSError, ValueError) as exc:
        raise TokencalcError(f"cannot fetch {url}: {exc}") from None
    _check_size(url, data)
    return data


def _download(request: Any, timeout: float) -> bytes:
    """The body of ``request``, all of it within ``timeout`` seconds or ``socket.timeout``.

    ``urlopen``'s timeout applies to each socket operation, so a server sending a byte a second
    would never time out; here the whole exchange (connect, headers, body) runs on a helper
    thread that the caller stops waiting for at the deadline, and the helper itself stops
    reading once the deadline has passed.
    """
    import socket
    import threading
    import time
    import urllib.request

    deadline = time.monotonic() + timeout
    outcome: dict[str, Any] = {}

    def fetch() -> None:
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                chunks: list[bytes] = []
                total = 0
                while total <= MAX_BYTES:
                    if time.monotonic() > deadline:
                        raise socket.timeout("the download took longer than the timeout")
                    chunk = response.read1(1 << 16)
                    if not chunk:
                        break
                    chunks.append(chunk)
                    total += len(chunk)
                outcome["data"] = b"".join(chunks)
        except BaseException as exc:  # handed to the waiting thread
            outcome["error"] = exc

    worker = threading.Thread(target=fetch, name="tokencalc-download", daemon=True)
    worker.start()
    worker.join(max(0.0, deadline - time.monotonic()))
    if worker.is_alive():
        raise socket.timeout("the download took longer than the timeout")
    if "error" in outcome:
        raise outcome["error"]
    return bytes(outcome["data"])


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
    #: each tier's prices exactly as the entry states them (``values`` may hold a multiplier)
    tier_prices: Mapping[str, Mapping[str, Decimal]] = field(default_factory=dict)

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
            skipped.append(Skipped(key, "not a JSON object"))
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
        return Skipped(key, f"mode {mode!r}, not chat/completion/responses" if mode else "no mode")
    provider = entry.get("litellm_provider")
    if not isinstance(provider, str) or not provider.strip():
        return Skipped(key, "no litellm_provider")
    try:
        prices = _stated(entry, "")
    except ValueError as exc:
        return Skipped(key, f"price {exc.args[0]!r} is not a non-negative number")
    if "input" not in prices or "output" not in prices:
        return Skipped(key, "no input and output price per token")
    model_id = key.split("/", 1)[1] if key.lower().startswith(provider.lower() + "/") else key
    if not MODEL_NAME.match(model_id):
        return Skipped(
            key, "not a usable model id (spaces or other characters a sheet id cannot have)"
        )
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
    try:
        long_context, long_notes = _long_context(entry)
    except ValueError as exc:
        return Skipped(key, str(exc))
    notes.extend(long_notes)
    for name, value in long_context.items():
        values[f"long_context.{name}"] = value
    tier_prices = {}
    for tier, suffix in _TIER_SUFFIXES.items():
        try:
            stated = _stated(entry, suffix)
        except ValueError as exc:
            return Skipped(key, f"{tier} price {exc.args[0]!r} is not a non-negative number")
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

    Raises ``ValueError`` (with the reason to skip the entry) for a threshold of 0 tokens.
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
    if usable[0] == 0:
        raise ValueError(
            "long-context prices above 0 tokens (…_above_0k_tokens): not a usable threshold"
        )
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


# --- choosing a tokenizer for new models -----------------------------------------------------

_CLAUDE_VERSION = re.compile(
    r"claude-(?:(?P<family>[a-z]+)-)?(?P<major>\d+)(?:[-.](?P<minor>\d{1,2})(?!\d))?"
)
_MISTRAL_NAMES = (
    "mistral",
    "mixtral",
    "codestral",
    "magistral",
    "devstral",
    "ministral",
    "pixtral",
    "voxtral",
)


def claude_family(name: str) -> str:
    """``claude-legacy`` for Claude 1–3 and 4.0–4.6, else ``claude-5`` (Opus 4.7 on)."""
    found = _CLAUDE_VERSION.search(name.lower())
    if found is None:
        return "claude-5"
    major, minor = int(found.group("major")), int(found.group("minor") or 0)
    return "claude-legacy" if major < 4 or (major == 4 and minor <= 6) else "claude-5"


def _openai_encoding(name: str) -> str | None:
    from tokencalc.counting.encodings import encoding_for_model
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
    elif re.match(r"^(gpt-|chatgpt|o[1-9]\b|o[1-9]-|codex)", name) or provider in (
        "openai",
        "text-completion-openai",
        "azure",
    ):
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
    excluded: dict[str, str] = {}  # LiteLLM key → why the sheet rejects its merge
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
    from tokencalc.counting.encodings import EXACT_ENCODINGS
    from tokencalc.sheet.merge import merge_layers

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
            skipped.append(Skipped(model.key, f"same model as {claimed[target.lower()]}"))
            continue
        if model.key in excluded:
            skipped.append(Skipped(model.key, excluded[model.key]))
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
        return {
            key: "the sheet would not accept it: " + "; ".join(problems)
            for key, problems in blamed.items()
        }
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
        return Skipped(
            model.key, "no context window (max_input_tokens or max_tokens) for a new model"
        )
    chosen = tokenizer or guess_tokenizer(model.model_id, model.litellm_provider, known_tokenizers)
    if chosen is None:
        return Skipped(model.key, "new model with no known tokenizer (give --tokenizer)")
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


_NOT_A_TEXT_MODEL = "not a chat, completion or responses model"
_SAME_MODEL = "the same model as another entry"


@dataclass(frozen=True)
class SkipSummary:
    reason: str
    keys: tuple[str, ...] = field(default_factory=tuple)

    @property
    def named(self) -> bool:
        """Whether the report should name the entries (not for the expected, routine skips)."""
        return self.reason not in (_NOT_A_TEXT_MODEL, _SAME_MODEL)


def summarize_skipped(skipped: Sequence[Skipped]) -> list[SkipSummary]:
    """Skipped entries grouped by reason (modes grouped together), largest group first."""
    groups: dict[str, list[str]] = {}
    for item in skipped:
        reason = _NOT_A_TEXT_MODEL if item.reason.startswith(("mode ", "no mode")) else item.reason
        if reason.startswith("same model as"):
            reason = _SAME_MODEL
        groups.setdefault(reason, []).append(item.key)
    return [SkipSummary(r, tuple(k)) for r, k in sorted(groups.items(), key=lambda kv: -len(kv[1]))]
