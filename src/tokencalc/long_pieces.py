"""Exact token counts of arbitrarily long pieces, in bounded memory and interruptibly.

tiktoken byte-pair encodes each piece of its split pattern whole. One unbroken run of letters,
punctuation or NUL bytes (a sparse file, a minified bundle, a base64 blob, a DNA sequence) is a
single piece, and encoding a piece of n bytes takes ~55·n bytes of memory and time that grows
faster than n; nothing can interrupt it. Here a long piece is encoded in windows of a few KiB
whose results provably compose:

* A sequence of tokens is the BPE encoding of its bytes exactly when every two adjacent tokens
  are: ``encode(bytes(a) + bytes(b)) == [a, b]`` ("compatible"). This characterisation of BPE
  with a rank-ordered merge (tiktoken's ``_byte_pair_merge``) is the basis of GitHub's
  ``bpe`` crate (rust-gems, "appendable/backtracking encoder"); tests/test_long_pieces.py
  checks every consequence used here against tiktoken's own encoding of whole pieces.
* So any prefix of an encoding is the encoding of its bytes, and two encodings glued
  together form the encoding of the joined bytes when the token before the seam is
  compatible with the token after it.

The piece is cut into segments: each is a prefix of tiktoken's encoding of a window (the last
few KiB of the window, distorted by the window's artificial end, are left for the next one),
and a seam is accepted only when its two tokens are compatible; otherwise the cut moves one
token back. The sum of the segments' token counts is then exactly tiktoken's count of the
whole piece. Memory is one window at a time; a ``cancelled`` callback is polled between
windows, so Ctrl-C is honoured within milliseconds.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

#: Pieces up to this many bytes are encoded whole (tiktoken is fastest on pieces this size).
WINDOW_BYTES = 1 << 14
#: The widest a window grows when a seam is hard to place (never seen beyond a few KiB).
MAX_WINDOW_BYTES = 1 << 20
#: Bytes at a window's end whose tokens are not kept (the next window starts before them).
MARGIN_BYTES = 1 << 11
#: How far back (in tokens) a seam may move (it has never needed more than a few).
MAX_SEAM_RETRIES = 256


class Cancelled(Exception):
    """The counting was cancelled (the counter is closing: Ctrl-C, or an error elsewhere)."""


def _never() -> bool:
    return False


class _Pairs:
    """Which token pairs are compatible, for one encoding (memoised: long runs repeat a few)."""

    def __init__(self, encoding: Any) -> None:
        self._encoding = encoding
        self._known: dict[tuple[int, int], bool] = {}

    def compatible(self, left: int, right: int) -> bool:
        key = (left, right)
        known = self._known.get(key)
        if known is None:
            decode = self._encoding.decode_single_token_bytes
            known = self._encoding._encode_single_piece(decode(left) + decode(right)) == [left, right]
            if len(self._known) > 1 << 16:
                self._known.clear()
            self._known[key] = known
        return known


_pairs_by_encoding: dict[int, _Pairs] = {}


def _pairs(encoding: Any) -> _Pairs:
    pairs = _pairs_by_encoding.get(id(encoding))
    if pairs is None:
        pairs = _pairs_by_encoding[id(encoding)] = _Pairs(encoding)
    return pairs


def count_piece_chunks(
    encoding: Any,
    chunks: Iterable[bytes],
    cancelled: Callable[[], bool] = _never,
) -> int:
    """Tokens of the piece made of ``chunks`` (its UTF-8 bytes, in order, cut anywhere).

    ``encoding`` is a ``tiktoken.Encoding``; the piece must be a single piece of its split
    pattern (this function does not split). Raises :class:`Cancelled` when ``cancelled()``.
    """
    pairs = _pairs(encoding)
    token_bytes = encoding.decode_single_token_bytes
    encode = encoding._encode_single_piece
    source: Iterator[bytes] = iter(chunks)
    pending = b""  # bytes not yet counted
    exhausted = False
    total = 0
    # The last tokens counted (a suffix of the committed encoding), so that a seam can move
    # back: popping tokens off a valid encoding leaves a valid encoding of the shorter prefix.
    recent: deque[int] = deque(maxlen=MAX_SEAM_RETRIES)
    committed = 0  # bytes counted so far
    failed_at = -1  # the furthest seam found incompatible
    retries = 0
    window_size = WINDOW_BYTES

    def fill(size: int) -> None:
        nonlocal pending, exhausted
        parts = [pending]
        have = len(pending)
        while have < size and not exhausted:
            chunk = next(source, None)
            if chunk is None:
                exhausted = True
                break
            parts.append(chunk)
            have += len(chunk)
        pending = b"".join(parts)

    while True:
        if cancelled():
            raise Cancelled()
        fill(window_size + MARGIN_BYTES)
        final = exhausted and len(pending) <= window_size + MARGIN_BYTES
        window = pending if final else pending[: window_size + MARGIN_BYTES]
        if not window:
            return total
        tokens = encode(window)
        if recent and not pairs.compatible(recent[-1], tokens[0]):
            # Move the seam one token back (its bytes return to pending) and widen the window,
            # so that the next cut falls elsewhere.
            retries += 1
            if retries > MAX_SEAM_RETRIES:
                raise RuntimeError("no compatible seam found in a long piece")  # never seen
            failed_at = max(failed_at, committed)
            token = token_bytes(recent.pop())
            total -= 1
            committed -= len(token)
            pending = token + pending
            if not recent and total:
                raise RuntimeError("no compatible seam found in a long piece")  # never seen
            window_size = min(window_size * 2, MAX_WINDOW_BYTES)
            continue
        if final:
            return total + len(tokens)
        # Keep the tokens that end at least MARGIN_BYTES before the window's end.
        dropped = 0
        keep = len(tokens)
        while keep > 0 and dropped < MARGIN_BYTES:
            keep -= 1
            dropped += len(token_bytes(tokens[keep]))
        if keep == 0:  # one token spans the window: look further
            window_size = min(window_size * 2, MAX_WINDOW_BYTES)
            if window_size == MAX_WINDOW_BYTES and len(window) >= MAX_WINDOW_BYTES:
                raise RuntimeError("a single token longer than the largest window")  # never seen
            continue
        recent.extend(tokens[max(0, keep - MAX_SEAM_RETRIES) : keep])
        total += keep
        cut = len(window) - dropped
        committed += cut
        pending = pending[cut:]
        if committed > failed_at:
            retries = 0
            window_size = WINDOW_BYTES


def text_chunks(text: str, start: int, end: int, size: int = WINDOW_BYTES) -> Iterator[bytes]:
    """``text[start:end]`` as UTF-8, ``size`` characters at a time (no copy of the whole)."""
    for position in range(start, end, size):
        yield text[position : min(position + size, end)].encode("utf-8")
