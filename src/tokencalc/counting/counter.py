"""Counting tokens, characters, words and lines: exactly, offline, in bounded memory.

A :class:`TokenCounter` counts any number of texts or byte streams for one or more exact
encodings. Small inputs go through the pure-Python BPE (``tokencalc.counting.bpe``) so that a one-line
count never pays for building tiktoken's tokenizer; large inputs are cut at provably safe
places (``tokencalc.counting.chunking``) and the parts are counted on worker threads, one per core
(tiktoken releases the GIL while it encodes), with a bounded number of parts in flight.

The sum over the parts equals tiktoken's count of the whole text; tests/test_counting.py checks
this with property tests. Text is counted as ordinary text: ``<|endoftext|>`` in a file is
counted as the characters it is.
"""

from __future__ import annotations

import codecs
import functools
import re
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from tokencalc.counting import encodings, fast_backend, long_pieces, unicode_guard
from tokencalc.counting.chunking import first_safe_cut, last_safe_cut
from tokencalc.counting.inputs import (
    BinaryInput,
    InputProblem,
    InputReadError,
    InputSource,
    open_source,
    read_blocks,
)
from tokencalc.tokenizers import token_classes

#: Characters a process counts in pure Python before building tiktoken's tokenizer pays off.
SMALL_TEXT_BUDGET = 48_000
#: Target size of one part handed to a worker thread, in characters.
PART_CHARS = 1 << 18
#: How far back from the end of the buffer a cut is looked for first (``_last_cut``).
CUT_WINDOW = 1 << 12

#: A small text with a run this long (a piece the pure-Python BPE would take quadratic time
#: on) is counted by tiktoken and tokencalc.counting.long_pieces instead.
SMALL_PIECE_CHARS = 256
#: A text shorter than this is always safe to hand to tiktoken whole: its longest possible
#: piece costs tiktoken a few MB and milliseconds (and stays far from its regex stack limit).
LONG_RUN = 1 << 16


@dataclass(frozen=True)
class Counts:
    """What was counted in one input (or a total): tokens per encoding and wc-style figures."""

    tokens: dict[str, int] = field(default_factory=dict)
    chars: int = 0
    words: int = 0
    lines: int = 0
    bytes: int = 0
    #: invalid UTF-8 sequences that were counted as U+FFFD replacement characters
    replaced: int = 0
    #: o200k_base tokens per token class (tokencalc.tokenizers.token_classes), when asked for
    classes: tuple[int, ...] = ()
    #: the decoded text itself, when asked for and no longer than the counter's keep_text
    text: str | None = None

    def __add__(self, other: Counts) -> Counts:
        tokens = dict(self.tokens)
        for name, value in other.tokens.items():
            tokens[name] = tokens.get(name, 0) + value
        return Counts(
            tokens=tokens,
            chars=self.chars + other.chars,
            words=self.words + other.words,
            lines=self.lines + other.lines,
            bytes=self.bytes + other.bytes,
            replaced=self.replaced + other.replaced,
            classes=token_classes.add_histograms(self.classes, other.classes),
        )


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


_PartResult = tuple[dict[str, int], int, int, tuple[int, ...]]


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


def _count_part(
    bases: Sequence[str],
    part: str,
    count_words_too: bool,
    classes: bool = False,
    count_lines: bool = True,
    cancelled: Callable[[], bool] = long_pieces.never,
    screened: bool = False,
) -> _PartResult:
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


_replacements = threading.local()


def _replace_and_count(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):  # registered for decoding only
        raise error
    _replacements.count = getattr(_replacements, "count", 0) + 1
    return "\ufffd", error.end


codecs.register_error("tokencalc.replace", _replace_and_count)


class Utf8Decoder:
    """Incremental UTF-8 decoding that replaces invalid bytes with U+FFFD and counts them.

    Each maximal invalid sequence becomes one U+FFFD, as Python's ``errors="replace"`` does.
    """

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")("tokencalc.replace")
        self.replaced = 0

    def decode(self, data: bytes, final: bool = False) -> str:
        before = getattr(_replacements, "count", 0)
        text = self._decoder.decode(data, final)
        self.replaced += getattr(_replacements, "count", 0) - before
        return text


class _Tally:
    """Running totals of one input. Its parts are counted on the counter's pool.

    Words and lines are counted with the tokens, on the workers; a word cut in two by a part
    boundary is counted once.
    """

    def __init__(self, counter: TokenCounter) -> None:
        self._counter = counter
        self.totals = dict.fromkeys(counter._bases, 0)
        self.chars = self.words = self.lines = 0
        self.size = 0
        self.replaced = 0
        self.pending = 0  # parts submitted whose results have not been added yet
        self._ends_in_word = False
        self.parallel = False
        self.classes: tuple[int, ...] = ()
        # The text itself while it is no longer than the counter's keep_text (None after).
        self.kept: list[str] | None = [] if counter._keep_text else None

    def _join(self, text: str) -> None:
        self.chars += len(text)
        if self.kept is not None:
            if self.chars <= self._counter._keep_text:
                self.kept.append(text)
            else:
                self.kept = None
        if self._ends_in_word and not text[0].isspace():
            self.words -= 1  # the first word continues the previous part's last word
        self._ends_in_word = not text[-1].isspace()

    def submit(self, part: str, screened: bool = False) -> None:
        if not part:
            return
        if not self.totals and not self._counter._classes:
            self.count_here(part)  # characters, words and lines only: no tokenizer, no threads
            return
        self.parallel = True
        self._join(part)
        self._counter._submit(self, part, screened)

    def count_here(self, text: str) -> None:
        """Count a small text on this thread with the pure-Python tokenizer."""
        if not text:
            return
        self._join(text)
        if self._counter._count_words:
            self.words += len(text.split())
        if self._counter._count_lines:
            self.lines += text.count("\n")
        if self._counter._classes:
            count, histogram = classes_with_tiktoken(text)
            self.classes = token_classes.add_histograms(self.classes, histogram)
            if token_classes.CLASS_BASE in self.totals:
                self.totals[token_classes.CLASS_BASE] += count
            others = [base for base in self.totals if base != token_classes.CLASS_BASE]
            for base in others:
                self.totals[base] += count_exact(base, text)
        elif self.totals:
            for base, value in self._counter._count_small(text).items():
                self.totals[base] += value

    def add(self, result: _PartResult) -> None:
        tokens, words, lines, histogram = result
        for base, value in tokens.items():
            if base in self.totals:
                self.totals[base] += value
        self.classes = token_classes.add_histograms(self.classes, histogram)
        self.words += words
        self.lines += lines
        self.pending -= 1


class PendingCounts:
    """An input whose bytes have all been read and whose parts may still be counting."""

    def __init__(self, counter: TokenCounter, tally: _Tally) -> None:
        self._counter = counter
        self._tally = tally

    def result(self) -> Counts:
        """Wait for the input's last parts and return its counts."""
        tally = self._tally
        while tally.pending:
            self._counter._drain_one()
        return Counts(
            tokens=self._counter._by_name(tally.totals),
            chars=tally.chars,
            words=tally.words,
            lines=tally.lines,
            bytes=tally.size,
            replaced=tally.replaced,
            classes=tally.classes,
            text="".join(tally.kept) if tally.kept is not None else None,
        )


class TokenCounter:
    """Counts texts and streams for a fixed set of exact encodings (none: characters only).

    Reuse one counter for many inputs: tokenizers and worker threads are created once, on
    first need. Use it as a context manager (or call :meth:`close`) to stop the workers.
    """

    def __init__(
        self,
        encoding_names: Sequence[str] = (encodings.DEFAULT_ENCODING,),
        *,
        workers: int | None = None,
        small_budget: int = SMALL_TEXT_BUDGET,
        count_words: bool = True,
        classes: bool = False,
        keep_text: int = 0,
        tokens_only: bool = False,
    ) -> None:
        """``classes``: also count o200k_base tokens per token class (``Counts.classes``);
        ``keep_text``: keep each input's text in ``Counts.text`` when it has at most this many
        characters (for counts made from the text itself: reconstructions, online counts);
        ``tokens_only``: skip words and lines (``count -q``, the Python API)."""
        self._classes = classes
        self._keep_text = keep_text
        # Splitting into words holds the GIL for a fifth of the counting time: skip it when
        # nobody will read the figure (``count -q``).
        self._count_words = count_words and not tokens_only
        self._count_lines = not tokens_only
        self._names = list(dict.fromkeys(encoding_names))
        # Names that count alike (o200k_harmony, o200k_base) share the work.
        self._bases = list(dict.fromkeys(encodings.canonical_encoding(n) for n in self._names))
        # A cut must keep the count of every encoding counted.
        self._cut_excludes = encodings.letter_cut_excludes(self._bases)
        self._workers = workers or encodings.worker_count()
        self._small_budget = small_budget
        self._pool: ThreadPoolExecutor | None = None
        # Set by close(): workers counting a long piece stop within milliseconds (Ctrl-C).
        self._cancel = threading.Event()
        # Every part in flight, oldest first, across all inputs: at most 2 per worker, so
        # memory stays bounded while the next file is read and cut.
        self._queue: deque[tuple[_Tally, Future[_PartResult]]] = deque()

    def __enter__(self) -> TokenCounter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the worker threads (queued work is cancelled, a long piece stops at once)."""
        self._cancel.set()
        for _, future in self._queue:
            future.cancel()
        self._queue.clear()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def count_text(self, text: str) -> Counts:
        """Count one string held in memory.

        A text of up to PART_CHARS characters is counted on this thread (a thread pool costs
        more than it saves on one part); a longer one is cut into parts for the workers.
        """
        tally = _Tally(self)
        tally.size = len(text.encode("utf-8", "surrogatepass"))
        if len(text) <= PART_CHARS:
            tally.count_here(text)
        else:
            start = 0
            while start < len(text):
                end = _part_end(text, start, self._cut_excludes)
                tally.submit(text[start:end])
                start = end
        return PendingCounts(self, tally).result()

    def count_stream(
        self,
        blocks: Iterable[bytes],
        progress: Callable[[int], None] | None = None,
    ) -> Counts:
        """Count a byte stream as UTF-8 text, block by block, in bounded memory.

        Invalid UTF-8 is counted as U+FFFD (``Counts.replaced`` says how many). ``progress`` is
        called with the size of every block read.

        Each block's bytes are screened for characters a fast backend may classify differently
        from tiktoken (``unicode_guard.Utf8Screen``, ~0.1 ms per MB) as they are read: a part
        cut from screened text is counted without the per-part check (~3 ms per MB on a
        worker, under the GIL).
        """
        return self.start_stream(blocks, progress).result()

    def start_stream(
        self,
        blocks: Iterable[bytes],
        progress: Callable[[int], None] | None = None,
    ) -> PendingCounts:
        """Read and cut a whole byte stream, leaving its last parts counting on the workers.

        The next input can be read while they finish; :meth:`PendingCounts.result` waits.
        """
        decoder = Utf8Decoder()
        screen = unicode_guard.Utf8Screen()
        tally = _Tally(self)
        buffer = ""
        searched = 0  # no cut exists in buffer[:searched]
        unscreened = 0  # buffer[:unscreened] may hold a character the screen found
        # An exception here (an unreadable or binary input) leaves other inputs' parts counting;
        # parts of this input already submitted just go unread.
        for block in blocks:
            tally.size += len(block)
            if progress is not None:
                progress(len(block))
            buffer += decoder.decode(block)
            if screen.holds_newer(block):
                unscreened = len(buffer)  # its last bytes may wait in the decoder: see below
            while len(buffer) >= PART_CHARS:
                cut = _last_cut(buffer, max(0, searched - 1), self._cut_excludes)
                if cut <= 0:
                    searched = len(buffer)
                    break
                tally.submit(buffer[:cut], screened=unscreened == 0)
                buffer, searched = buffer[cut:], 0
                unscreened = max(0, unscreened - cut)
        # A character held back by the decoder at a block's end is completed by the next block,
        # whose screening looks at the seam; the last block has none after it.
        buffer += decoder.decode(b"", final=True)
        if not tally.parallel and len(buffer) <= self._small_budget:
            tally.count_here(buffer)
        else:
            tally.submit(buffer, screened=unscreened == 0)
        tally.replaced = decoder.replaced
        return PendingCounts(self, tally)

    def _submit(self, tally: _Tally, part: str, screened: bool = False) -> None:
        pool = self._ensure_pool()
        tally.pending += 1
        self._queue.append(
            (
                tally,
                pool.submit(
                    _count_part,
                    self._bases,
                    part,
                    self._count_words,
                    self._classes,
                    self._count_lines,
                    self._cancel.is_set,
                    screened,
                ),
            )
        )
        while len(self._queue) > 2 * self._workers:
            self._drain_one()

    def _drain_one(self) -> None:
        tally, future = self._queue.popleft()
        tally.add(future.result())

    def _by_name(self, base_totals: dict[str, int]) -> dict[str, int]:
        return {n: base_totals[encodings.canonical_encoding(n)] for n in self._names}

    def _count_small(self, text: str) -> dict[str, int]:
        if (
            len(text) > self._small_budget
            or not encodings.tables_agree_on(text)
            or long_pieces.may_hold_long_piece(text, SMALL_PIECE_CHARS)
        ):
            # Past the budget the tokenizer is built anyway: count with it, on this thread.
            return {base: count_exact(base, text) for base in self._bases}
        self._small_budget -= len(text)
        return {base: _count_small_one(base, text) for base in self._bases}

    def _ensure_pool(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._cancel = threading.Event()  # a counter used again after close()
            # Build the tokenizers once, here, before any worker needs them (tiktoken's only
            # when no fast backend counts the encoding; it is built later if text needs it).
            for base in self._bases:
                if fast_backend.counter_for(base) is None:
                    encodings.get_encoding(base)
            if self._classes:
                if fast_backend.ids_for(token_classes.CLASS_BASE) is None:
                    encodings.get_encoding(token_classes.CLASS_BASE)
                token_classes.piece_table()
            self._pool = ThreadPoolExecutor(
                max_workers=self._workers, thread_name_prefix="tokencalc-count"
            )
        return self._pool


def _count_small_one(base: str, text: str) -> int:
    """Tokens of a small text for one encoding with the pure-Python BPE."""
    from tokencalc.counting import bpe

    normalize = encodings.normalizer(base)
    if normalize is not None:
        text = normalize(text)
        if not encodings.tables_agree_on(text):
            return count_with_tiktoken(base, text)
    return bpe.count_text(text, encodings.rank_table(base), encodings.split_pattern(base))


def _last_cut(buffer: str, lo: int, excludes: str) -> int:
    """A safe cut of ``buffer`` above ``lo``, found at once in almost all text, or -1.

    The last characters are searched first (a search from ``lo`` costs the ``regex`` module
    time in proportion to the whole buffer, under the GIL, once per part): the last newline
    there that a letter, digit or ASCII character other than whitespace and ``/`` follows (a
    newline cut, found with ``str.rfind`` and no pattern, so that counting a file of lines
    never imports ``regex``), else the largest safe cut there. Only when they hold no cut is
    the rest looked at, and the cut found there is the largest safe cut above ``lo``.

    A cut follows a newline or a letter, and a letter cut needs a character after it that is
    not a letter, so none lies in a run of one character (a NUL hole, ``=====``), in a run of
    letters only (a DNA sequence on one line), or in a stretch with neither
    a newline nor a letter (punctuation). These checks run in C at ~1 ms per MiB where the
    cut pattern takes ~130 ms; if ``str.isalpha`` (Python's Unicode tables) ever called a
    letter what ``regex`` does not, a cut is merely missed, which costs memory, not exactness.
    """
    window = len(buffer) - CUT_WINDOW
    if window > lo:
        cut = _last_newline_cut(buffer, window)
        if cut > 0:
            return cut
        cut = last_safe_cut(buffer, window, excludes=excludes)
        if cut > 0:
            return cut
    if buffer[lo] == buffer[-1] and buffer.count(buffer[-1], lo) == len(buffer) - lo:
        return -1
    if buffer[lo:].isalpha() or _letter_or_newline().search(buffer, lo) is None:
        return -1
    return last_safe_cut(buffer, lo, excludes=excludes)


def _last_newline_cut(buffer: str, start: int) -> int:
    """The last newline cut ``q`` with ``start < q < len(buffer)`` whose next character is a
    letter or digit to Python, or ASCII other than whitespace and ``/``; -1 if none.

    Every such cut is one of ``chunking``'s newline cuts (a newline followed by neither
    whitespace nor ``/``): no character of a letter or number category is whitespace in any
    Unicode version.
    """
    end = len(buffer) - 1
    while True:
        newline = buffer.rfind("\n", start, end)
        if newline < 0:
            return -1
        following = buffer[newline + 1]
        if following.isalnum() or ("!" <= following <= "~" and following != "/"):
            return newline + 1
        end = newline


@functools.lru_cache(maxsize=1)
def _letter_or_newline() -> Any:
    import regex  # as tokencalc.counting.chunking does: not needed to start up

    return regex.compile(r"[\n\p{L}]")


def _part_end(text: str, start: int, excludes: str = "") -> int:
    """Where the part of an in-memory text that begins at ``start`` should end."""
    if len(text) - start <= PART_CHARS:
        return len(text)
    cut = last_safe_cut(text, start, start + PART_CHARS, excludes)
    if cut < 0:
        cut = first_safe_cut(text, start + PART_CHARS - 1, excludes)
    return len(text) if cut < 0 else cut


def count_text(text: str, encoding: str = encodings.DEFAULT_ENCODING) -> int:
    """Exact tokens of ``text`` for one encoding (a convenience over :class:`TokenCounter`)."""
    with TokenCounter([encoding]) as counter:
        return counter.count_text(text).tokens[encoding]


@dataclass(frozen=True)
class InputResult:
    """The outcome for one input: its counts, or the problem that stopped it."""

    label: str
    counts: Counts | None = None
    problem: InputProblem | None = None


#: Inputs read ahead while earlier ones finish counting (many small files count in parallel).
READ_AHEAD = 8


def count_inputs(
    counter: TokenCounter,
    sources: Iterable[InputSource],
    progress: Callable[[int], None] | None = None,
    stdin: BinaryIO | None = None,
) -> Iterator[InputResult]:
    """Count each input, yielding results in input order; a bad input is a problem, not an error.

    ``stdin`` is the byte stream a ``-`` input reads (the CLI passes its environment's).

    A file found by walking a directory that turns out to be binary (a NUL byte in the first
    8 KiB) is ``skipped``; one named on the command line is an ``error``. Up to READ_AHEAD
    inputs are read while earlier ones finish counting on the workers.
    """
    window: deque[tuple[InputSource, PendingCounts | InputProblem]] = deque()

    def finished(source: InputSource, outcome: PendingCounts | InputProblem) -> InputResult:
        if isinstance(outcome, InputProblem):
            return InputResult(source.label, problem=outcome)
        return InputResult(source.label, counts=outcome.result())

    for source in sources:
        try:
            with open_source(source, stdin) as handle:
                outcome: PendingCounts | InputProblem = counter.start_stream(
                    read_blocks(handle), progress
                )
        except BinaryInput:
            kind = "skipped" if source.discovered else "error"
            outcome = InputProblem(source.label, "binary file, not counted", kind)
        except InputReadError as exc:
            outcome = InputProblem(source.label, str(exc))
        window.append((source, outcome))
        if len(window) > READ_AHEAD:
            yield finished(*window.popleft())
    while window:
        yield finished(*window.popleft())
