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


def never() -> bool:
    """A ``cancelled`` callback for work nobody cancels."""
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
            known = self._encoding._encode_single_piece(decode(left) + decode(right)) == [
                left,
                right,
            ]
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
    cancelled: Callable[[], bool] = never,
    emit: Callable[[list[int]], None] | None = None,
    run: tuple[int, int, int] | None = None,
) -> int:
    """Tokens of the piece made of ``chunks`` (its UTF-8 bytes, in order, cut anywhere).

    ``encoding`` is a ``tiktoken.Encoding``; the piece must be a single piece of its split
    pattern (this function does not split). ``emit``, when given, receives the token ids, in
    order, in batches. ``run`` = (start, end, unit): the bytes from ``start`` to ``end`` repeat
    one character of ``unit`` bytes (a NUL hole, ``=====``); once two windows inside it start
    in the same state (the same token before the seam, the same offset within the character),
    every later window in the run repeats that stretch, which is then counted by
    multiplication instead of encoded again. Raises :class:`Cancelled` when ``cancelled()``.
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
    recent: list[int] = []
    committed = 0  # bytes counted so far
    failed_at = -1  # the furthest seam found incompatible
    retries = 0
    window_size = WINDOW_BYTES
    seen: dict[tuple[int, int], tuple[int, int]] = {}  # state in the run → (committed, total)

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

    def discard(size: int) -> None:
        nonlocal pending
        while len(pending) < size and not exhausted:
            fill(min(size, len(pending) + (1 << 22)))
            if len(pending) < size:
                size -= len(pending)
                pending = b""
        pending = pending[size:]

    while True:
        if cancelled():
            raise Cancelled()
        fill(window_size + MARGIN_BYTES)
        final = exhausted and len(pending) <= window_size + MARGIN_BYTES
        window = pending if final else pending[: window_size + MARGIN_BYTES]
        if not window:
            if emit is not None:
                emit(recent)
            return total
        tokens = encode(window)
        if recent and not pairs.compatible(recent[-1], tokens[0]):
            # Move the seam one token back (its bytes return to pending) and widen the window,
            # so that the next cut falls elsewhere.
            retries += 1
            if retries > MAX_SEAM_RETRIES or (len(recent) == 1 and total > 1):
                raise RuntimeError("no compatible seam found in a long piece")  # never seen
            failed_at = max(failed_at, committed)
            token = token_bytes(recent.pop())
            total -= 1
            committed -= len(token)
            pending = token + pending
            window_size = min(window_size * 2, MAX_WINDOW_BYTES)
            seen.clear()
            continue
        if final:
            if emit is not None:
                emit([*recent, *tokens])
            return total + len(tokens)
        # Keep the tokens that end at least MARGIN_BYTES before the window's end.
        dropped = 0
        keep = len(tokens)
        while keep > 0 and dropped < MARGIN_BYTES:
            keep -= 1
            dropped += len(token_bytes(tokens[keep]))
        if keep == 0:  # one token spans the window: look further
            seen.clear()
            if window_size >= MAX_WINDOW_BYTES:
                raise RuntimeError("a single token longer than the largest window")  # never seen
            window_size *= 2
            continue
        recent.extend(tokens[:keep])
        if len(recent) > 2 * MAX_SEAM_RETRIES:  # tokens this far back are final
            if emit is not None:
                emit(recent[:-MAX_SEAM_RETRIES])
            del recent[:-MAX_SEAM_RETRIES]
        total += keep
        cut = len(window) - dropped
        committed += cut
        pending = pending[cut:]
        if committed <= failed_at:
            continue
        retries = 0
        window_size = WINDOW_BYTES
        if run is None or emit is not None:
            continue
        run_start, run_end, unit = run
        # Every step recorded in ``seen`` was a plain one (no seam moved, no window widened),
        # and its window lay inside the run: the steps repeat while their windows stay inside.
        horizon = run_end - (WINDOW_BYTES + MARGIN_BYTES)
        if not run_start <= committed <= horizon:
            continue
        state = ((committed - run_start) % unit, recent[-1])
        if state not in seen:
            seen[state] = (committed, total)
            continue
        then, total_then = seen[state]
        period, tokens_per_period = committed - then, total - total_then
        repeats = (horizon - committed) // period - 1
        if repeats > 0:
            total += repeats * tokens_per_period
            committed += repeats * period
            discard(repeats * period)
            # Only the last period's tokens are known to be the ones before the seam now.
            del recent[: max(0, len(recent) - tokens_per_period)]
        seen.clear()


def text_chunks(text: str, start: int, end: int, size: int = WINDOW_BYTES) -> Iterator[bytes]:
    """``text[start:end]`` as UTF-8, ``size`` characters at a time (no copy of the whole)."""
    for position in range(start, end, size):
        yield text[position : min(position + size, end)].encode("utf-8")


#: A piece of at least this many characters is counted in windows.
LONG_PIECE_CHARS = 1 << 13
#: A piece of at least this many characters with no period is counted on every core.
LONG_PIECE_PARALLEL_CHARS = 1 << 18
#: Short pieces are handed to tiktoken in spans of about this many characters.
SPAN_CHARS = 1 << 18

_SPACE = None


def may_hold_long_piece(text: str, length: int = LONG_PIECE_CHARS) -> bool:
    """True if ``text`` has ``length`` characters in a row that are all whitespace or all not.

    A piece of the split patterns never mixes whitespace with other characters beyond one
    leading space, so a piece of ``length + 1`` characters needs such a run. A run of
    ``length`` covers two consecutive characters of the sample ``text[::length // 2]`` and
    everything between them, so only those stretches are checked (in C).
    """
    global _SPACE
    if len(text) < length:
        return False
    if _SPACE is None:
        import re

        _SPACE = re.compile(r"\s")
    step = max(1, length // 2)
    sample = text[::step]
    for i in range(len(sample) - 1):
        a, b = sample[i].isspace(), sample[i + 1].isspace()
        if a != b:
            continue
        stretch = text[i * step : (i + 1) * step + 1]
        if stretch.isspace() if a else _SPACE.search(stretch) is None:
            return True
    return False


def count_by_pieces(
    encoding: Any,
    pattern: Any,
    text: str,
    cancelled: Callable[[], bool] = never,
    emit: Callable[[list[int]], None] | None = None,
) -> int:
    """Exact tokens of ``text`` (ordinary text), however long its pieces.

    The text is split with the encoding's pattern (the ``regex`` module, as tiktoken splits);
    pieces of LONG_PIECE_CHARS or more are counted by :func:`count_piece_chunks` (long ones
    with no period to skip by, when no ``emit``, on every core: :mod:`tokencalc.counting.long_pieces_parallel`), the stretches
    of short pieces between them by tiktoken itself, cut only where one piece ends and the next
    begins. ``emit`` receives every token id in order (for per-class histograms).
    """
    if not text.isascii():
        import re

        if re.search("[\ud800-\udfff]", text):
            # Lone surrogates become U+FFFD first, as tiktoken's own encode does.
            text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    total = 0
    start = 0  # the first character not counted yet

    def span(end: int) -> int:
        ids = encoding.encode_ordinary(text[start:end])
        if emit is not None:
            emit(ids)
        return len(ids)

    seen = 0
    for match in pattern.finditer(text, concurrent=True):
        piece_start, piece_end = match.span()
        seen += 1
        if seen % 4096 == 0 and cancelled():
            raise Cancelled()
        if piece_end - piece_start < LONG_PIECE_CHARS:
            # Cut only after a piece that ends in a non-space: a run of spaces is split by a
            # look-ahead (``\s+(?!\S)`` leaves its last space to the next piece), so a cut
            # inside such a run would make the part before it one piece short.
            if piece_start - start >= SPAN_CHARS and not text[piece_start - 1].isspace():
                total += span(piece_start)
                start = piece_start
            continue
        if piece_start > start:
            total += span(piece_start)
        run = _uniform_run(text, piece_start, piece_end)
        if run is None and emit is None and piece_end - piece_start >= LONG_PIECE_PARALLEL_CHARS:
            # No period to skip by: encode the windows on every core (that module builds on
            # this one, hence the import here).
            from tokencalc.counting import long_pieces_parallel

            total += long_pieces_parallel.count_piece_parallel(
                encoding, pattern, text, piece_start, piece_end, cancelled
            )
        else:
            total += count_piece_chunks(
                encoding, text_chunks(text, piece_start, piece_end), cancelled, emit, run
            )
        start = piece_end
    if start < len(text):
        total += span(len(text))
    return total


def _uniform_run(text: str, start: int, end: int) -> tuple[int, int, int] | None:
    """The run of one repeated character around the middle of ``text[start:end]``, in bytes
    from ``start`` (start, end, bytes per character), when it is long enough to matter."""
    import re

    middle = (start + end) // 2
    char = text[middle]
    other = re.compile("[^" + re.escape(char) + "]")
    found = other.search(text, middle, end)
    run_end = found.start() if found else end
    # The run's start: the last other character before the middle (searched backwards in steps).
    run_start = middle
    step = 1 << 12
    while run_start > start:
        lo = max(start, run_start - step)
        if text.count(char, lo, run_start) != run_start - lo:
            tail = deque(other.finditer(text, lo, run_start), maxlen=1)  # the last match only
            run_start = tail[0].end() if tail else lo
            break
        run_start = lo
        step *= 2
    if run_end - run_start < 8 * WINDOW_BYTES or run_start - start > 1 << 22:
        return None
    unit = len(char.encode("utf-8", "surrogatepass"))
    head = len(text[start:run_start].encode("utf-8", "surrogatepass"))
    return head, head + (run_end - run_start) * unit, unit
