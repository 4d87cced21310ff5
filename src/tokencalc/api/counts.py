"""Counting from Python: :func:`count_tokens`, its batch form, files, and counts that say how
they were made. One counter per process and tokenizer is reused across calls."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tokencalc.api.arguments import flag_argument, local_decimal, path_argument
from tokencalc.api.results import TokenCount
from tokencalc.api.sheets import Prices, resolved_exact, sheet_for, tokenizer_ref
from tokencalc.errors import InputError, UsageError

if TYPE_CHECKING:  # pragma: no cover
    from tokencalc.counting.counter import Counts, TokenCounter
    from tokencalc.counting.encodings import TokenizerRef
    from tokencalc.tokenizers.model_counts import CountNeeds

_lock = threading.Lock()
_counters: dict[tuple[int, tuple[str, ...]], tuple[TokenCounter, threading.Lock]] = {}
#: Texts up to this many characters are counted on the caller's thread (``counting.PART_CHARS``).
_INLINE_CHARS = 1 << 18


def _count_exact(base: str, text: str) -> int:
    from tokencalc.counting.part_counts import count_exact

    globals()["_count_exact"] = count_exact  # later calls skip the import
    return count_exact(base, text)


def counter_for(names: Sequence[str]) -> tuple[TokenCounter, threading.Lock]:
    # Keyed by process id: a worker forked by a distributed engine builds its own.
    from tokencalc.counting.counter import TokenCounter

    key = (os.getpid(), tuple(names))
    with _lock:
        found = _counters.get(key)
        if found is None:
            found = _counters[key] = (TokenCounter(list(names), tokens_only=True), threading.Lock())
        return found


def count_with_bases(text: str, names: Sequence[str]) -> Counts:
    if not isinstance(text, str):
        raise UsageError(f"text must be a str, got {type(text).__name__}")
    counter, lock = counter_for(names)
    with lock:
        return counter.count_text(text)


def bases_of(ref: TokenizerRef) -> list[str]:
    """The exact encodings to count for ``ref`` (none when characters suffice), as the CLI names them."""
    from tokencalc.counting.encodings import canonical_encoding

    return [canonical_encoding(ref.counted_with)] if ref.counted_with else []


def token_count_of(ref: TokenizerRef, counts: Counts, *, exact: bool = False) -> TokenCount:
    from tokencalc.tokenizers.model_counts import SAMPLED, model_count

    counted = model_count(ref, counts, exact=exact)
    return TokenCount(
        counted.tokens,
        ref.estimated or counted.method == SAMPLED,
        ref.family,
        ref.base,
        ref.ratio,
        counted.method,
        counted.label,
    )


@local_decimal
def estimate_tokens(
    text: str,
    *,
    model: str | None = None,
    encoding: str | None = None,
    prices: Prices = None,
    exact: bool = False,
) -> TokenCount:
    """Tokens of ``text`` with the tokenizer of ``model`` (or ``encoding``; default
    ``o200k_base``), and whether the count is exact or an estimate.

    OpenAI models (tiktoken's table, and ``gpt-6*``) and the vendors whose tokenizer ships
    (Mistral, Qwen, DeepSeek) count exactly; Claude is reconstructed or estimated, Gemini and the
    rest of the sheet estimated (per-class tables, or a ratio): ``method`` and ``how_counted``
    say which, as ``estimate`` does row by row. On a text over 1,000,000 characters, the
    encodings only tiktoken counts (Mistral, DeepSeek, Qwen) are counted on a sample
    (``method="sampled"``, ``estimated=True``) as ``tokencalc estimate`` does; ``exact=True``
    counts them in full (and reconstructs a long Claude text whole).

    >>> tokencalc.estimate_tokens("hello world", model="gpt-4o")
    TokenCount(tokens=2, estimated=False, tokenizer='o200k_base', base='o200k_base', ratio=Decimal('1'), method='exact', how_counted='exact (o200k_base)')
    """
    ref = tokenizer_ref(model, encoding, prices)
    exact = flag_argument("exact", exact)
    return token_count_of(ref, counts_for(text, ref, exact=exact, sample=not exact), exact=exact)


def family_needs(
    ref: TokenizerRef, *, exact: bool = False, sample: bool = False
) -> CountNeeds | None:
    """What a per-class or reconstructed family needs counted, or an encoding that may be
    sampled when ``sample`` (None: the plain base count). ``exact``: as ``estimate --exact``."""
    from dataclasses import replace

    from tokencalc.tokenizers.model_counts import needs

    need = needs([ref], exact=exact)
    if not sample:
        need = replace(need, sample=())
    if ref.counting is not None and (ref.counting.per_class or ref.counting.reconstruct):
        return need
    return need if need.sample else None


def counts_for(
    text: str, ref: TokenizerRef, *, exact: bool = False, sample: bool = False
) -> Counts:
    """``sample``: the encodings only tiktoken counts may be counted on a sample of a text over
    ``sampling.EXACT_UP_TO`` characters (the ``estimate_*`` functions); ``exact``: a long Claude
    text is reconstructed whole (``exact=True`` of those functions)."""
    from tokencalc.counting.sampling import EXACT_UP_TO

    need = family_needs(ref, exact=exact, sample=sample)
    # An encoding that may be sampled: only a text over the limit needs the sampling counter.
    plain = need is not None and need.sample and not need.classes and not need.keep_text
    if plain and (not isinstance(text, str) or len(text) <= EXACT_UP_TO):
        need = None
    if need is None:
        return count_with_bases(text, bases_of(ref))
    if not isinstance(text, str):
        raise UsageError(f"text must be a str, got {type(text).__name__}")
    return count_with(text, need)


def count_with(text: str, need: CountNeeds) -> Counts:
    from tokencalc.tokenizers.text_counts import counter_for_needs

    with counter_for_needs(need) as counter:
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
        base = resolved_exact(model, encoding)
        if base is not None:
            return _count_exact(base, text)
    return _counted(text, model, encoding, prices)


@local_decimal
def _counted(text: str, model: str | None, encoding: str | None, prices: Prices) -> int:
    """A count for the ``count_*`` functions: every encoding in full, never sampled (Claude
    as ``estimate`` counts it)."""
    ref = tokenizer_ref(model, encoding, prices)
    return token_count_of(ref, counts_for(text, ref)).tokens


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
    tokenizer_ref(model, encoding, prices)  # bad arguments fail here, before any text is read
    # Exact encodings count each short text directly; anything else as count_tokens does,
    # with the sheet loaded once.
    base = resolved_exact(model, encoding)
    sheet_or_none = None if base is not None or prices is None else sheet_for(prices)
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
            append(_counted(text, model, encoding, sheet_or_none))
    return counts


@local_decimal
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
    from tokencalc.counting.input_counts import count_inputs
    from tokencalc.counting.inputs import InputSource

    file = path_argument("path", path)
    ref = tokenizer_ref(model, encoding, prices)
    source = InputSource(str(file), file)
    need = family_needs(ref)
    if need is not None:
        from tokencalc.tokenizers.text_counts import counter_for_needs

        with counter_for_needs(need) as counter:
            (result,) = count_inputs(counter, [source])
    else:
        counter, lock = counter_for(bases_of(ref))
        with lock:
            (result,) = count_inputs(counter, [source])
    if result.problem is not None:
        raise InputError(f"{result.problem.label}: {result.problem.message}")
    assert result.counts is not None  # a result without a problem has its counts
    return token_count_of(ref, result.counts).tokens
