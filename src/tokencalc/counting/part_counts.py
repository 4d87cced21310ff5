"""One part's counts, on the thread that counts it: exact tokens per encoding (tiktoken, or a
verified fast backend; in bounded memory whatever the text's pieces), o200k_base's token
classes and piece codes, words and lines. :mod:`tokencalc.counting.counter` cuts inputs into
parts and hands them to a pool of threads running :func:`count_part`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from tokencalc.counting import encodings, fast_backend, long_pieces, unicode_guard
from tokencalc.tokenizers import token_classes

#: A text shorter than this is always safe to hand to tiktoken whole: its longest possible
#: piece costs tiktoken a few MB and milliseconds (and stays far from its regex stack limit).
LONG_RUN = 1 << 16


def has_long_whitespace_run(text: str) -> bool:
    """True if ``text`` holds LONG_RUN whitespace characters in a row (or, rarely, half that).

    Such a text is split before tiktoken sees it (tiktoken's regex overflows its stack on a
    million spaces); :func:`long_pieces.may_hold_long_piece` is the wider test the counting
    uses, which also catches long runs of anything else.
    """
    step = LONG_RUN // 2
    sample = text[::step]
    for i in range(len(sample) - 1):
        if (
            sample[i].isspace()
            and sample[i + 1].isspace()
            and text[i * step : (i + 1) * step + 1].isspace()
        ):
            return True
    return False


def count_with_tiktoken(
    encoding_name: str, text: str, cancelled: Callable[[], bool] = long_pieces.never
) -> int:
    """Exact count of ``text`` with tiktoken, in bounded memory whatever its pieces.

    A text that may hold a piece of ``long_pieces.LONG_PIECE_CHARS`` characters or more (one
    run of letters, punctuation, NUL bytes or whitespace) is split here and its long pieces
    counted in windows (:mod:`tokencalc.counting.long_pieces`): tiktoken would need ~55 bytes per byte
    of such a piece, time that grows faster than its length, and overflows its regex stack on
    a million spaces. ``cancelled`` is polled while a long piece is counted.
    """
    encoding = encodings.get_encoding(encoding_name)
    normalize = encodings.normalizer(encoding_name)
    if normalize is not None:
        text = normalize(text)
    if not long_pieces.may_hold_long_piece(text):
        return len(encoding.encode_ordinary(text))
    return long_pieces.count_by_pieces(
        encoding, encodings.split_pattern(encoding_name), text, cancelled
    )


PartResult = tuple[dict[str, int], int, int, tuple[int, ...]]


def classes_with_tiktoken(
    text: str, cancelled: Callable[[], bool] = long_pieces.never
) -> tuple[int, tuple[int, ...]]:
    """o200k_base's exact count of ``text`` and its tokens per token class and per piece code
    (tokencalc.tokenizers.token_classes.piece_histogram)."""
    table = token_classes.piece_table()
    long_piece = long_pieces.may_hold_long_piece(text)
    fast = None if long_piece else fast_backend.ids_for(token_classes.CLASS_BASE)
    if fast is not None and encodings.tables_agree_on(text):
        try:
            buffer = fast(text)
        except Exception:  # noqa: BLE001 - a backend that cannot take this text: tiktoken can
            pass
        else:
            return len(buffer) // 4, token_classes.piece_histogram_of_buffer(buffer, table)
    encoding = encodings.get_encoding(token_classes.CLASS_BASE)
    if not long_piece:
        ids = encoding.encode_ordinary(text)
        return len(ids), token_classes.piece_histogram(ids, table)
    histogram: list[tuple[int, ...]] = [()]

    def add(ids: list[int]) -> None:
        histogram[0] = token_classes.add_histograms(
            histogram[0], token_classes.piece_histogram(ids, table)
        )

    count = long_pieces.count_by_pieces(
        encoding, encodings.split_pattern(token_classes.CLASS_BASE), text, cancelled, add
    )
    return count, histogram[0]


def count_words(text: str) -> int:
    """Whitespace-separated words, as ``len(text.split())``, without copying a huge text."""
    if len(text) <= 1 << 20:
        return len(text.split())
    return sum(1 for _ in _WORD.finditer(text))


_WORD = re.compile(r"\S+")


def count_exact(
    encoding_name: str,
    text: str,
    cancelled: Callable[[], bool] = long_pieces.never,
    screened: bool = False,
) -> int:
    """Exact count of ``text`` for a canonical encoding, on this thread.

    A verified fast backend (``tokencalc.counting.fast_backend``) counts it when one is
    installed for the encoding and no character of the text is one its tables and tiktoken's
    may classify differently (``unicode_guard.backend_agrees_on``; ``screened``: the caller
    has checked that already, on the bytes the text was decoded from); otherwise, or if the
    backend raises, tiktoken does. A text that may hold a long piece always goes to
    :func:`count_with_tiktoken` (bounded memory, cancellable).
    """
    fast = fast_backend.counter_for(encoding_name)
    if (
        fast is not None
        and (screened or unicode_guard.backend_agrees_on(text))
        and not long_pieces.may_hold_long_piece(text)
    ):
        try:
            return fast(text)
        except Exception:  # noqa: BLE001 - a backend that cannot take this text: tiktoken can
            pass
    return count_with_tiktoken(encoding_name, text, cancelled)


def count_part(
    bases: Sequence[str],
    part: str,
    count_words_too: bool,
    classes: bool = False,
    count_lines: bool = True,
    cancelled: Callable[[], bool] = long_pieces.never,
    screened: bool = False,
) -> PartResult:
    """Tokens per encoding, words, lines and token classes of one part (on a worker thread).

    ``screened``: the part's bytes hold no character a fast backend may classify differently
    from tiktoken (``unicode_guard.Utf8Screen``)."""
    tokens: dict[str, int] = {}
    histogram: tuple[int, ...] = ()
    if classes:
        tokens[token_classes.CLASS_BASE], histogram = classes_with_tiktoken(part, cancelled)
    for base in bases:
        if base not in tokens:
            tokens[base] = count_exact(base, part, cancelled, screened)
    lines = part.count("\n") if count_lines else 0
    return tokens, count_words(part) if count_words_too else 0, lines, histogram


def count_window(
    bases: Sequence[str], window: str, cancelled: Callable[[], bool] = long_pieces.never
) -> dict[str, int]:
    """Exact counts of one sampled window for each of ``bases`` (on a worker thread)."""
    return {base: count_exact(base, window, cancelled) for base in bases}
