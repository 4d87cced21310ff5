"""tokencalc from Python: count tokens and price text with the same core as the CLI.

Everything here is re-exported by ``import tokencalc`` (lazily: importing the package
costs nothing until a function is called). Functions never print or exit; problems raise
:class:`~tokencalc.errors.TokencalcError` subclasses. Money is :class:`~decimal.Decimal`
US dollars, unrounded.

Counting reuses one counter per process and tokenizer, so calling :func:`count_tokens`
once per row of a large table is cheap: the tokenizer is built once, and small texts
are counted without starting worker threads. The default price sheet (packaged + your
own) is loaded once and reloaded only when your sheet changes on disk.

>>> import tokencalc
>>> tokencalc.count_tokens("hello world")
2
>>> tokencalc.count_tokens("hello world", encoding="cl100k_base")
2
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, Union

from tokencalc.bounds import BOUNDS
from tokencalc.errors import InputError, UsageError

if TYPE_CHECKING:  # pragma: no cover
    from tokencalc.counting.counter import Counts, TokenCounter
    from tokencalc.counting.encodings import TokenizerRef
    from tokencalc.sheet.model import ModelEntry
    from tokencalc.sheet.price_sheet import PriceSheet
    from tokencalc.tokenizers.model_counts import CountNeeds

__all__ = [
    "CostEstimate",
    "TokenCount",
    "compare_models",
    "count_file",
    "count_tokens",
    "count_tokens_batch",
    "estimate_cost",
    "estimate_tokens",
    "load_prices",
]

_F = TypeVar("_F", bound=Callable[..., Any])

#: A price sheet, or a sheet file overlaid on the default one (like ``--prices FILE``).
Prices = Union["PriceSheet", str, Path, None]


@dataclass(frozen=True)
class TokenCount:
    """A token count and how it was made.

    ``estimated`` is true for models whose vendor publishes no tokenizer. ``method`` says how
    ``tokens`` was made — ``exact`` (the model's own encoding), ``reconstructed`` (Claude) or
    ``estimated`` (a per-class table fitted against a reference, or ``ceil(count on base ×
    ratio)``; ``base`` is an exact encoding, or ``"characters"``) — and ``how_counted`` says it
    in full, as ``estimate``'s JSON ``how_counted`` does (``exact (o200k_base)``,
    ``estimated (per-class, Gemma 3 tokenizer.json …, fitted 2026-11-30)``, …).
    """

    tokens: int
    estimated: bool
    tokenizer: str  # the exact encoding, or the estimate family's id
    base: str
    ratio: Decimal = Decimal(1)
    method: str = "exact"
    how_counted: str = ""


@dataclass(frozen=True)
class CostEstimate:
    """What requests to one model cost, in US dollars (unrounded ``Decimal``).

    ``input_cost`` is the uncached input; ``cached_input_cost`` the input billed at the
    cache-read price. ``long_context`` says the long-context prices applied (the prompt
    exceeded the model's threshold); ``fits_context`` that input + output fit the context
    window and output fits the model's max output. ``cheapest`` is set by
    :func:`compare_models` on the cheapest model that fits.
    """

    model: str
    name: str
    provider: str
    input_tokens: int
    output_tokens: int
    cached_input_tokens: int
    estimated: bool
    tier: str
    on: date
    input_cost: Decimal
    cached_input_cost: Decimal
    output_cost: Decimal
    total: Decimal
    long_context: bool
    fits_context: bool
    cheapest: bool = False
    #: how ``input_tokens`` was made (:attr:`TokenCount.how_counted`), or ``given`` when passed in
    how_counted: str = "given"


# --- shared state: one counter per tokenizer set, one default sheet -----------------------------

_lock = threading.Lock()
_counters: dict[tuple[int, tuple[str, ...]], tuple[TokenCounter, threading.Lock]] = {}
_sheet_cache: dict[str, tuple[tuple[int, ...], PriceSheet]] = {}
#: model name → tokenizer, for the cached default sheet only (cleared when it is reloaded)
_refs: dict[tuple[str, str], TokenizerRef] = {}


#: (model, encoding) → canonical exact encoding, for calls already resolved without the sheet:
#: :func:`count_tokens` and :func:`count_tokens_batch` count those texts directly.
_exact_calls: dict[tuple[str | None, str | None], str] = {}
#: Texts up to this many characters are counted on the caller's thread (``counting.PART_CHARS``).
_INLINE_CHARS = 1 << 18


def _count_exact(base: str, text: str) -> int:
    from tokencalc.counting.counter import count_exact

    globals()["_count_exact"] = count_exact  # later calls skip the import
    return count_exact(base, text)


def _resolved_exact(model: object, encoding: object) -> str | None:
    """The exact encoding of an earlier, identical call resolved without the sheet, or None."""
    if (model is None or type(model) is str) and (encoding is None or type(encoding) is str):
        return _exact_calls.get((model, encoding))
    return None


def _local_decimal(function: _F) -> _F:
    """Run ``function`` in tokencalc's own decimal context: the caller's (``prec = 3``, traps)
    never changes a count estimate or a cost."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from tokencalc.pricing.costs import money_context

        with money_context():
            return function(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _counter(names: Sequence[str]) -> tuple[TokenCounter, threading.Lock]:
    # Keyed by process id: a worker forked by a distributed engine builds its own.
    from tokencalc.counting.counter import TokenCounter

    key = (os.getpid(), tuple(names))
    with _lock:
        found = _counters.get(key)
        if found is None:
            found = _counters[key] = (TokenCounter(list(names), tokens_only=True), threading.Lock())
        return found


def _count(text: str, names: Sequence[str]) -> Counts:
    if not isinstance(text, str):
        raise UsageError(f"text must be a str, got {type(text).__name__}")
    counter, lock = _counter(names)
    with lock:
        return counter.count_text(text)


def load_prices(path: str | Path | None = None, *, user: bool = True) -> PriceSheet:
    """The price sheet: the packaged default, overlaid by your own sheet (unless
    ``user=False``) and then by ``path`` (a sheet file, like ``--prices FILE``).

    Raises :class:`~tokencalc.errors.PriceSheetError` listing every problem.

    >>> sheet = tokencalc.load_prices()
    >>> sheet.resolve("gpt-5").input  # US dollars per million input tokens
    Decimal('1.25')
    """
    from tokencalc.sheet.load import load_price_sheet

    return load_price_sheet(_path_argument("path", path, optional=True), user_sheet=user)


def _default_sheet() -> PriceSheet:
    from tokencalc.paths import user_sheet_path
    from tokencalc.sheet.load import load_price_sheet

    path = user_sheet_path()
    try:
        info = path.stat()
        state: tuple[int, ...] = (info.st_mtime_ns, info.st_size)
    except OSError:
        state = ()
    with _lock:
        cached = _sheet_cache.get(str(path))
        if cached is not None and cached[0] == state:
            return cached[1]
    sheet = load_price_sheet()
    with _lock:
        _sheet_cache[str(path)] = (state, sheet)
        for key in [k for k in _refs if k[0] == str(path)]:
            del _refs[key]
    return sheet


def _sheet(prices: Prices) -> PriceSheet:
    if prices is None:
        return _default_sheet()
    if isinstance(prices, (str, os.PathLike)):
        return load_prices(prices)
    from tokencalc.sheet.price_sheet import PriceSheet

    if not isinstance(prices, PriceSheet):
        raise UsageError(
            f"prices must be a PriceSheet, a sheet file's path or None, got {prices!r}"
        )
    return prices


@functools.lru_cache(maxsize=1024)
def _exact_encoding(model: str) -> str | None:
    """The exact encoding tiktoken's table gives an OpenAI model name, or None."""
    from tokencalc.counting import encodings
    from tokencalc.errors import UnknownModelError

    try:
        return encodings.encoding_for_model(model)
    except UnknownModelError:
        return None


def _tokenizer(model: str | None, encoding: str | None, prices: Prices) -> TokenizerRef:
    """How to count: as ``tokencalc count --model/--encoding`` decides."""
    from tokencalc.counting import encodings
    from tokencalc.counting.encodings import TokenizerRef

    _name_argument("model", model)
    _name_argument("encoding", encoding)
    if prices is not None and not isinstance(prices, (str, os.PathLike)):
        _sheet(prices)  # raises for anything that is not a sheet
    if model is not None and encoding is not None:
        raise UsageError("give model or encoding, not both")
    if model is None:
        name = encoding or encodings.DEFAULT_ENCODING
        _exact_calls[(None, encoding)] = encodings.canonical_encoding(name)  # unknown names raise
        return TokenizerRef(family=name, base=name)
    exact = _exact_encoding(model)
    if exact is None:
        sheet = _sheet(prices)
        if prices is not None:
            return sheet.tokenizer_for(sheet.resolve(model))
        # Looking a model up scans the sheet: remember the answer for the next row.
        from tokencalc.paths import user_sheet_path

        key = (str(user_sheet_path()), model)
        ref = _refs.get(key)
        if ref is None:
            ref = _refs[key] = sheet.tokenizer_for(sheet.resolve(model))
        return ref
    _exact_calls[(model, None)] = encodings.canonical_encoding(exact)
    return TokenizerRef(family=exact, base=exact)


def _bases(ref: TokenizerRef) -> list[str]:
    """The exact encodings to count for ``ref`` (none when characters suffice), as the CLI names them."""
    from tokencalc.counting.encodings import canonical_encoding

    return [canonical_encoding(ref.counted_with)] if ref.counted_with else []


def _token_count(ref: TokenizerRef, counts: Counts) -> TokenCount:
    from tokencalc.tokenizers.model_counts import model_count

    counted = model_count(ref, counts)
    return TokenCount(
        counted.tokens,
        ref.estimated,
        ref.family,
        ref.base,
        ref.ratio,
        counted.method,
        counted.label,
    )


@_local_decimal
def estimate_tokens(
    text: str,
    *,
    model: str | None = None,
    encoding: str | None = None,
    prices: Prices = None,
) -> TokenCount:
    """Tokens of ``text`` with the tokenizer of ``model`` (or ``encoding``; default
    ``o200k_base``), and whether the count is exact or an estimate.

    OpenAI models (tiktoken's table, and ``gpt-6*``) and the vendors whose tokenizer ships
    (Mistral, Qwen, DeepSeek) count exactly; Claude is reconstructed or estimated, Gemini and the
    rest of the sheet estimated (per-class tables, or a ratio): ``method`` and ``how_counted``
    say which, as ``estimate`` does row by row.

    >>> tokencalc.estimate_tokens("hello world", model="gpt-4o")
    TokenCount(tokens=2, estimated=False, tokenizer='o200k_base', base='o200k_base', ratio=Decimal('1'), method='exact', how_counted='exact (o200k_base)')
    """
    ref = _tokenizer(model, encoding, prices)
    return _token_count(ref, _counts_for(text, ref))


def _family_needs(ref: TokenizerRef) -> CountNeeds | None:
    """What a per-class or reconstructed family needs counted (None: the plain base count)."""
    from tokencalc.tokenizers.model_counts import needs

    if ref.counting is not None and (ref.counting.per_class or ref.counting.reconstruct):
        return needs([ref])
    return None


def _counts_for(text: str, ref: TokenizerRef) -> Counts:
    need = _family_needs(ref)
    if need is None:
        return _count(text, _bases(ref))
    if not isinstance(text, str):
        raise UsageError(f"text must be a str, got {type(text).__name__}")
    return _count_with(text, need)


def _count_with(text: str, need: CountNeeds) -> Counts:
    from tokencalc.counting.counter import TokenCounter

    with TokenCounter(
        need.encodings, classes=need.classes, keep_text=need.keep_text, count_words=False
    ) as counter:
        return counter.count_text(text)


def count_tokens(
    text: str,
    *,
    model: str | None = None,
    encoding: str | None = None,
    prices: Prices = None,
) -> int:
    """Tokens of ``text``: exact for OpenAI encodings (default ``o200k_base``); for a model
    without a public tokenizer, the sheet's estimate (see :func:`estimate_tokens` for the
    flag that says which).

    >>> tokencalc.count_tokens("The quick brown fox")
    4
    >>> tokencalc.count_tokens("", model="gpt-4")
    0

    A short text is counted on the calling thread with a fast exact backend when the
    ``tokencalc[fast]`` extra is installed (tiktoken otherwise): a few microseconds per call
    after the first, which loads the tokenizer. For many texts, :func:`count_tokens_batch`.
    """
    if prices is None and type(text) is str and len(text) <= _INLINE_CHARS:
        base = _resolved_exact(model, encoding)
        if base is not None:
            return _count_exact(base, text)
    return estimate_tokens(text, model=model, encoding=encoding, prices=prices).tokens


def count_tokens_batch(
    texts: Iterable[str],
    *,
    model: str | None = None,
    encoding: str | None = None,
    prices: Prices = None,
) -> list[int]:
    """Tokens of each text, in order: :func:`count_tokens` over an iterable (a list, a
    generator, a pandas column), with the tokenizer resolved once.

    Raises :class:`~tokencalc.errors.UsageError` naming the position of the first item that
    is not a ``str`` (for a pandas column with gaps, ``.fillna("")`` first).

    >>> tokencalc.count_tokens_batch(["hello world", "The quick brown fox", ""])
    [2, 4, 0]
    """
    if isinstance(texts, (str, bytes)):
        raise UsageError("texts must be an iterable of str, not a single str or bytes")
    _tokenizer(model, encoding, prices)  # bad arguments fail here, before any text is read
    # Exact encodings count each short text directly; anything else as count_tokens does,
    # with the sheet loaded once.
    base = _resolved_exact(model, encoding)
    sheet_or_none = None if base is not None or prices is None else _sheet(prices)
    try:
        iterator = iter(texts)
    except TypeError:
        raise UsageError(f"texts must be an iterable of str, got {type(texts).__name__}") from None
    counts: list[int] = []
    append = counts.append
    for index, text in enumerate(iterator):
        if not isinstance(text, str):
            raise UsageError(f"texts[{index}] must be a str, got {type(text).__name__}")
        if base is not None and len(text) <= _INLINE_CHARS:
            append(_count_exact(base, text))
        else:
            append(
                estimate_tokens(text, model=model, encoding=encoding, prices=sheet_or_none).tokens
            )
    return counts


@_local_decimal
def count_file(
    path: str | Path,
    *,
    model: str | None = None,
    encoding: str | None = None,
    prices: Prices = None,
) -> int:
    """Tokens of a text file (read as UTF-8 in blocks, in bounded memory), as :func:`count_tokens`.

    Raises :class:`~tokencalc.errors.InputError` for a file that cannot be read or is binary.
    """
    from tokencalc.counting.counter import count_inputs
    from tokencalc.counting.inputs import InputSource

    file = _path_argument("path", path)
    ref = _tokenizer(model, encoding, prices)
    source = InputSource(str(file), file)
    need = _family_needs(ref)
    if need is not None:
        from tokencalc.counting.counter import TokenCounter

        with TokenCounter(
            need.encodings, classes=need.classes, keep_text=need.keep_text, count_words=False
        ) as counter:
            (result,) = count_inputs(counter, [source])
    else:
        counter, lock = _counter(_bases(ref))
        with lock:
            (result,) = count_inputs(counter, [source])
    if result.problem is not None:
        raise InputError(f"{result.problem.label}: {result.problem.message}")
    assert result.counts is not None  # a result without a problem has its counts
    return _token_count(ref, result.counts).tokens


def _day(on: date | str | None) -> date:
    """``on`` as a day: a ``date`` (a ``datetime``'s date), an ISO string, or None for today."""
    if on is None:
        return date.today()
    if isinstance(on, datetime):
        return on.date()
    if isinstance(on, date):
        return on
    if isinstance(on, str):
        try:
            return date.fromisoformat(on.strip())
        except ValueError:
            pass
    raise UsageError(f"on must be a datetime.date or a date string like '2026-11-22', got {on!r}")


def _number(name: str, value: float | Decimal | str, *, bound: str | None = None) -> Decimal:
    """A number argument within its bound (``tokencalc.bounds``, under ``bound`` or ``name``),
    exactly as given (floats through ``str``)."""
    limits = BOUNDS[bound or name]
    number: Decimal | None = None
    if isinstance(value, (int, float, Decimal, str)) and not isinstance(value, bool):
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            number = None
    if number is None or not number.is_finite() or not limits.holds(number):
        if limits.low_open:
            wanted = f"above {limits.low}" + (
                f" and at most {limits.high:,f}" if limits.high is not None else ""
            )
        else:
            wanted = f"from {limits.low} to {limits.high}"
        raise UsageError(f"{name} must be a number {wanted}, got {value!r}")
    return number


def _token_argument(name: str, value: int | None, *, bound: str | None = None) -> None:
    limits = BOUNDS[bound or name]
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, int) or not limits.holds(value)
    ):
        raise UsageError(f"{name} must be a non-negative int, got {value!r}")


def _name_argument(name: str, value: object, *, optional: bool = True) -> None:
    """A model, encoding or tier name: a non-empty str (or None where allowed)."""
    if value is None and optional:
        return
    if not isinstance(value, str) or not value.strip():
        raise UsageError(f"{name} must be a non-empty str, got {value!r}")


def _names_argument(name: str, value: object) -> list[str]:
    """One name or a sequence of names (a bare str is one name)."""
    if value is None:
        return []
    if isinstance(value, str):
        items: list[object] = [value]
    elif isinstance(value, (list, tuple, set, frozenset)):
        items = list(value)
    else:
        raise UsageError(f"{name} must be a str or a list of str, got {value!r}")
    for item in items:
        _name_argument(name, item, optional=False)
    return [str(item) for item in items]


def _path_argument(name: str, value: object, *, optional: bool = False) -> Path | None:
    if value is None and optional:
        return None
    if (
        not isinstance(value, (str, os.PathLike))
        or isinstance(value, bytes)
        or not str(os.fspath(value)).strip()
    ):
        raise UsageError(f"{name} must be a non-empty path (str or os.PathLike), got {value!r}")
    return Path(os.fspath(value))


def _tier(tier: str | None) -> str | None:
    from tokencalc.sheet.model import TIERS

    if tier in (None, "standard"):
        return None
    if tier not in TIERS:
        raise UsageError(f"unknown tier {tier!r} (tiers: standard, {', '.join(TIERS)})")
    return tier


def _priced(
    sheet: PriceSheet,
    model: ModelEntry,
    *,
    input_tokens: int,
    output_tokens: int,
    cached_input_tokens: int,
    estimated: bool,
    tier: str | None,
    on: date,
    how_counted: str = "given",
) -> CostEstimate:
    from tokencalc.pricing.costs import RequestTokens, request_cost
    from tokencalc.pricing.request_rules import fit

    tokens = RequestTokens(input=input_tokens, output=output_tokens, cache_read=cached_input_tokens)
    cost = request_cost(sheet, model, tokens, on=on, tier=tier)
    fits = fit(model, input_tokens, output_tokens).fits
    return CostEstimate(
        model=model.id,
        name=model.name,
        provider=model.provider,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cached_input_tokens=cached_input_tokens,
        estimated=estimated,
        tier=tier or "standard",
        on=on,
        input_cost=cost.input,
        cached_input_cost=cost.cache_read,
        output_cost=cost.output,
        total=cost.total,
        long_context=cost.long_context,
        fits_context=fits,
        how_counted=how_counted,
    )


@_local_decimal
def estimate_cost(
    model: str,
    *,
    input_tokens: int | None = None,
    text: str | None = None,
    output_tokens: int = 0,
    cached_input_tokens: int = 0,
    tier: str | None = None,
    on: date | None = None,
    prices: Prices = None,
) -> CostEstimate:
    """What one request to ``model`` costs: give ``input_tokens``, or ``text`` to count
    with the model's tokenizer (estimated for models without a public one).

    ``cached_input_tokens`` of the input are billed at the cache-read price; ``tier`` is
    ``"standard"`` (None), ``"batch"``, ``"flex"`` or ``"priority"``; ``on`` (a
    ``datetime.date`` or an ISO string like ``"2026-11-22"``) picks the prices in force that
    day (default today). Multiply by a number of calls yourself. Arguments of the wrong
    type or range raise :class:`~tokencalc.errors.UsageError`.

    >>> cost = tokencalc.estimate_cost("gpt-5", input_tokens=10_000, output_tokens=2_000, on=date(2026, 11, 22))
    >>> cost.total  # 10,000 × $1.25/M + 2,000 × $10/M
    Decimal('0.0325')
    """
    _name_argument("model", model, optional=False)
    if (input_tokens is None) == (text is None):
        raise UsageError("give input_tokens or text, not both and not neither")
    _token_argument("input_tokens", input_tokens)
    _token_argument("output_tokens", output_tokens)
    _token_argument("cached_input_tokens", cached_input_tokens, bound="cached_tokens")
    day = _day(on)
    chosen_tier = _tier(tier)
    sheet = _sheet(prices)
    entry = sheet.resolve(model)
    estimated = False
    how = "given"
    if text is not None:
        ref = sheet.tokenizer_for(entry)
        counted = _token_count(ref, _counts_for(text, ref))
        input_tokens, estimated, how = counted.tokens, counted.estimated, counted.how_counted
    assert input_tokens is not None
    return _priced(
        sheet,
        entry,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cached_input_tokens=cached_input_tokens,
        estimated=estimated,
        tier=chosen_tier,
        on=day,
        how_counted=how,
    )


@_local_decimal
def compare_models(
    text_or_tokens: str | int,
    models: str | Sequence[str] | None = None,
    *,
    providers: Sequence[str] = (),
    output_tokens: int | None = None,
    output_ratio: float | Decimal | str | None = None,
    cached_fraction: float | Decimal | str = 0,
    tier: str | None = None,
    on: date | None = None,
    prices: Prices = None,
) -> list[CostEstimate]:
    """One request priced on many models, cheapest first.

    ``text_or_tokens`` is text (counted once per tokenizer, estimated where the vendor's
    tokenizer is not public) or a token count used for every model as it is. ``models``
    are ids, aliases or globs (``"claude-*"``); ``providers`` adds every current model of a
    provider; with neither, the sheet's default set. Output is ``output_tokens``, or
    ``output_ratio`` (0 to 100) × each model's input tokens, else 0. ``cached_fraction``
    (0 to 1) of the input is billed at the cache-read price. Models without the asked
    ``tier`` are left out. ``on`` is as in :func:`estimate_cost`. The cheapest model that
    fits its context window has ``cheapest=True``.

    >>> rows = tokencalc.compare_models(50_000, ["gpt-5", "gpt-5-mini"], output_tokens=1_000, on=date(2026, 11, 22))
    >>> [(row.model, row.total, row.cheapest) for row in rows]
    [('gpt-5-mini', Decimal('0.0145'), True), ('gpt-5', Decimal('0.0725'), False)]
    """
    from dataclasses import replace

    from tokencalc.pricing.estimate import (
        Assumptions,
        count_needs,
        tier_not_offered,
    )
    from tokencalc.pricing.request_rules import cheapest, tier_offered

    _token_argument("output_tokens", output_tokens)
    if output_tokens is not None and output_ratio is not None:
        raise UsageError("give output_tokens or output_ratio, not both")
    ratio = _number("output_ratio", output_ratio) if output_ratio is not None else None
    fraction = _number("cached_fraction", cached_fraction)
    day = _day(on)
    chosen_tier = _tier(tier)
    sheet = _sheet(prices)
    selected = sheet.select(
        _names_argument("models", models), _names_argument("providers", providers)
    )
    if output_tokens is None and ratio is None:
        output_tokens = 0
    assumptions = Assumptions(
        on=day,
        output_tokens=output_tokens,
        output_ratio=ratio,
        cached_fraction=fraction,
        tier=chosen_tier,
    )
    counts = None
    if isinstance(text_or_tokens, str):
        need = count_needs(sheet, selected)
        if need.classes or need.keep_text:
            counts = _count_with(text_or_tokens, need)
        else:
            counts = _count(text_or_tokens, need.encodings)
    elif (
        isinstance(text_or_tokens, bool)
        or not isinstance(text_or_tokens, int)
        or text_or_tokens < 0
    ):
        raise UsageError(
            f"text_or_tokens must be text or a non-negative int, got {text_or_tokens!r}"
        )
    rows = []
    for model in selected:
        if not tier_offered(sheet, model, chosen_tier, [day]):
            continue  # left out: unpriced rows would have no total
        if counts is not None:
            counted = _token_count(sheet.tokenizer_for(model), counts)
            tokens_in, estimated, how = counted.tokens, counted.estimated, counted.how_counted
        else:
            assert isinstance(text_or_tokens, int)  # no counts: tokens were given
            tokens_in, estimated, how = text_or_tokens, False, "given"
        rows.append(
            _priced(
                sheet,
                model,
                input_tokens=tokens_in,
                output_tokens=assumptions.output_for(tokens_in),
                cached_input_tokens=assumptions.cached_for(tokens_in),
                estimated=estimated,
                tier=chosen_tier,
                on=assumptions.on,
                how_counted=how,
            )
        )
    if not rows and chosen_tier is not None:
        raise tier_not_offered(sheet, chosen_tier, day)
    rows.sort(key=lambda row: (row.total, row.model))
    best = cheapest(
        rows,
        total=lambda row: row.total,
        fits=lambda row: row.fits_context,
        model_id=lambda row: row.model,
    )
    return [replace(row, cheapest=True) if row is best else row for row in rows]
