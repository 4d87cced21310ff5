"""Long pieces counted on every core: fixed overlapping windows encoded at once, joined after.

:mod:`tokencalc.counting.long_pieces` counts a long piece window after window, each window starting
where the last accepted seam is, so the windows cannot be encoded before the previous one is
done. Here the windows are fixed in advance (``WINDOW_CHARS`` characters apart, each reaching
``OVERLAP_CHARS`` further) and encoded by a thread pool (tiktoken's ``encode_ordinary``
releases the GIL); they are joined afterwards, in order, on this thread:

* Any contiguous run of tokens of a valid BPE encoding is the valid encoding of its bytes
  (every adjacent pair in it is compatible; see :mod:`tokencalc.counting.long_pieces`).
* So a run of window *i*'s tokens ending at a byte offset ``p`` inside the overlap, followed
  by window *i+1*'s tokens from ``p`` on, is a valid encoding when ``p`` is a token boundary
  in both windows and the two tokens either side of ``p`` are compatible.

The join takes, for each overlap, the common boundary nearest the overlap's middle whose two
tokens are compatible. If an overlap has none (never seen at the sizes below), the piece is
counted by :func:`long_pieces.count_piece_chunks` instead, so the result is exact either way;
:data:`stats` records which path counted (for the tests).

A window is handed to ``encode_ordinary`` only when the encoding's split pattern matches it
whole as one piece and tiktoken's tables and the ``regex`` module's surely agree on its
characters (then ``encode_ordinary`` is the BPE of its bytes); otherwise, or for a
window not valid on its own, it is encoded with ``_encode_single_piece`` (holding the GIL).
Windows are encoded in batches of about ``BATCH_CHARS``; ``cancelled`` is polled between
batches (a fraction of a second apart), and memory is one batch of windows and their tokens.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tokencalc.counting import encodings, long_pieces

#: Characters from one window's start to the next one's.
WINDOW_CHARS = 1 << 13
#: Characters each window reaches into the next (where the two are joined).
OVERLAP_CHARS = 1 << 8
#: Characters encoded between two polls of ``cancelled``.
BATCH_CHARS = 1 << 20

#: How many pieces each path counted (``parallel``, ``fallback``): read by the tests.
stats: dict[str, int] = {"parallel": 0, "fallback": 0}

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(
                encodings.worker_count(), thread_name_prefix="tokencalc-long-piece"
            )
        return _pool


_lengths_by_encoding: dict[int, list[int]] = {}


def _token_lengths(encoding: Any) -> list[int]:
    """Bytes of every ordinary token of ``encoding``, by id (0 for ids that are not tokens)."""
    lengths = _lengths_by_encoding.get(id(encoding))
    if lengths is None:
        lengths = [0] * encoding.n_vocab
        for token_bytes, rank in encoding._mergeable_ranks.items():
            lengths[rank] = len(token_bytes)
        _lengths_by_encoding[id(encoding)] = lengths
    return lengths


class _NoSeam(Exception):
    """Two windows have no common compatible boundary in their overlap."""


def _utf8_length(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def _encode_window(
    encoding: Any, pattern: Any, text: str, start: int, head_end: int, end: int
) -> tuple[list[int], int, int]:
    """Tokens of ``text[start:end]`` as one piece, and the UTF-8 lengths of ``text[start:head_end]``
    and of the whole window."""
    window = text[start:end]
    match = pattern.match(window, concurrent=True)
    if match is not None and match.end() == len(window) and encodings.tables_agree_on(window):
        tokens: list[int] = encoding.encode_ordinary(window)
    else:
        tokens = encoding._encode_single_piece(window.encode("utf-8", "surrogatepass"))
    return tokens, _utf8_length(window[: head_end - start]), _utf8_length(window)


def count_piece_parallel(
    encoding: Any,
    pattern: Any,
    text: str,
    start: int,
    end: int,
    cancelled: Callable[[], bool] = long_pieces.never,
) -> int:
    """Tokens of ``text[start:end]``, one piece of ``pattern`` (exact; see the module doc).

    Only the count is produced (no token ids): a join that fails restarts the whole piece
    in :func:`long_pieces.count_piece_chunks`, which is exact only because nothing was
    handed out before.
    """
    try:
        if cancelled():
            raise long_pieces.Cancelled()
        total = _count(encoding, pattern, text, start, end, cancelled)
        stats["parallel"] += 1
        return total
    except _NoSeam:
        stats["fallback"] += 1
        return long_pieces.count_piece_chunks(
            encoding, long_pieces.text_chunks(text, start, end), cancelled
        )


def _count(
    encoding: Any,
    pattern: Any,
    text: str,
    start: int,
    end: int,
    cancelled: Callable[[], bool],
) -> int:
    pairs = long_pieces._pairs(encoding)
    lengths = _token_lengths(encoding)
    pool = _executor()
    step, overlap = WINDOW_CHARS, OVERLAP_CHARS
    starts = range(start, end, step)
    per_batch = max(1, BATCH_CHARS // step)
    total = 0
    # The window before the current one: its tokens, where it ends (bytes from the piece's
    # start), and the index of its first token not counted yet.
    previous: list[int] = []
    previous_end = 0  # byte offset of its end
    first = 0
    at = 0  # byte offset of the next window from the piece's start
    for batch_start in range(0, len(starts), per_batch):
        if cancelled():
            raise long_pieces.Cancelled()
        batch = starts[batch_start : batch_start + per_batch]
        results = list(
            pool.map(
                lambda s: _encode_window(
                    encoding, pattern, text, s, min(s + step, end), min(s + step + overlap, end)
                ),
                batch,
            )
        )
        for tokens, head_bytes, window_bytes in results:
            if previous:
                cut, next_first = _seam(previous, previous_end, first, tokens, at, lengths, pairs)
                total += cut - first
                first = next_first
            else:
                first = 0
            previous, previous_end = tokens, at + window_bytes
            at += head_bytes
    return total + len(previous) - first


def _seam(
    left: list[int],
    left_end: int,
    left_first: int,
    right: list[int],
    right_at: int,
    lengths: list[int],
    pairs: Any,
) -> tuple[int, int]:
    """Where to join ``left`` and ``right``: (tokens of ``left`` kept, first token of ``right`` kept).

    ``left`` ends ``left_end`` bytes into the piece, ``right`` starts ``right_at`` bytes in;
    only the tokens in the overlap between them are looked at.
    """
    # Token boundaries of ``left`` in the overlap (byte offset -> index of the token after).
    left_bounds: dict[int, int] = {}
    offset = left_end
    for index in range(len(left) - 1, left_first, -1):
        offset -= lengths[left[index]]
        if offset < right_at:
            break
        left_bounds[offset] = index
    common: list[tuple[int, int, int]] = []  # (offset, index in left, index in right)
    offset = right_at
    for index, token in enumerate(right):
        if offset >= left_end:
            break
        found = left_bounds.get(offset)
        if found is not None:
            common.append((offset, found, index))
        offset += lengths[token]
    middle = (right_at + left_end) // 2
    common.sort(key=lambda c: abs(c[0] - middle))
    for _, left_index, right_index in common:
        if pairs.compatible(left[left_index - 1], right[right_index]):
            return left_index, right_index
    raise _NoSeam()
