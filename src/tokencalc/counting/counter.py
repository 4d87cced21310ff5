"""Counting tokens, characters, words and lines: exactly, offline, in bounded memory.

A :class:`TokenCounter` counts any number of texts or byte streams for one or more exact
encodings. Small inputs go through the pure-Python BPE (``tokencalc.counting.bpe``) so that a one-line
count never pays for building tiktoken's tokenizer; large inputs are cut at provably safe
places (``tokencalc.counting.chunking``) and the parts are counted on worker threads, one per core
(tiktoken releases the GIL while it encodes), with a bounded number of parts in flight.

The sum over the parts equals tiktoken's count of the whole text; tests/test_counting.py checks
this with property tests. Text is counted as ordinary text: ``<|endoftext|>`` in a file is
counted as the characters it is. One part's counts are :mod:`tokencalc.counting.part_counts`;
counting many inputs in order is :mod:`tokencalc.counting.input_counts`.

A counter asked to (``sample=``) counts the encodings only tiktoken counts on a sample of an
input longer than ``sampling.EXACT_UP_TO`` characters (:mod:`tokencalc.counting.sampling`):
the parts of an input are held for those encodings until the input is known to be longer, then
dropped, and the windows taken from the whole input are counted instead; o200k_base is always
counted in full. ``text_windows=`` keeps windows of an input too long to keep whole for counts
made from the text (Claude's reconstruction).

Longer than 400 lines on purpose: the pool, the per-input tallies (with the parts they hold
for sampled encodings) and the cutting of streams into parts share the part size and each
other's state, and stay together; the sampling itself is :mod:`tokencalc.counting.sampling`.
"""

from __future__ import annotations

import functools
import threading
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tokencalc.counting import encodings, fast_backend, long_pieces, sampling, unicode_guard
from tokencalc.counting.chunking import first_safe_cut, last_safe_cut
from tokencalc.counting.part_counts import (
    PartResult,
    classes_with_tiktoken,
    count_exact,
    count_part,
    count_with_tiktoken,
)

# The limits (sampling.EXACT_UP_TO and the window plans) are read where they apply, not bound
# here: tests lower them to run the sampling on small inputs.
from tokencalc.counting.sampling import (
    REFERENCE,
    SampledCount,
    TextSample,
    WindowSampler,
    samplable,
    sampled_counts,
    text_sample,
)
from tokencalc.counting.utf8 import Utf8Decoder
from tokencalc.tokenizers import token_classes

if TYPE_CHECKING:  # start-up: the pool is made only for an input that needs one (not ``echo hi``)
    from concurrent.futures import Future, ThreadPoolExecutor

#: Characters a process counts in pure Python before building tiktoken's tokenizer pays off.
SMALL_TEXT_BUDGET = 48_000
#: Target size of one part handed to a worker thread, in characters.
PART_CHARS = 1 << 18
#: How far back from the end of the buffer a cut is looked for first (``_last_cut``).
CUT_WINDOW = 1 << 12

#: A small text with a run this long (a piece the pure-Python BPE would take quadratic time
#: on) is counted by tiktoken and tokencalc.counting.long_pieces instead.
SMALL_PIECE_CHARS = 256


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
    #: encodings whose ``tokens`` were estimated on a sample of the input (tokencalc.counting.sampling)
    sampled: dict[str, SampledCount] = field(default_factory=dict)
    #: windows of an input too long for ``text``, when asked for (``text_windows``)
    text_sample: TextSample | None = None

    def __add__(self, other: Counts) -> Counts:
        tokens = dict(self.tokens)
        for name, value in other.tokens.items():
            tokens[name] = tokens.get(name, 0) + value
        sampled = {
            name: self._sampled_or_full(name) + other._sampled_or_full(name)
            for name in dict.fromkeys([*self.sampled, *other.sampled])
        }
        return Counts(
            sampled=sampled,
            tokens=tokens,
            chars=self.chars + other.chars,
            words=self.words + other.words,
            lines=self.lines + other.lines,
            bytes=self.bytes + other.bytes,
            replaced=self.replaced + other.replaced,
            classes=token_classes.add_histograms(self.classes, other.classes),
        )

    def _sampled_or_full(self, name: str) -> SampledCount:
        found = self.sampled.get(name)
        return found or SampledCount.counted_in_full(self.tokens.get(name, 0), self.chars)


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
        # Sampling: parts waiting for the sampled encodings while the input may still be short
        # (None once it is known to be long: then ``sampling``), and the windows taken.
        self.held: list[tuple[str, bool]] | None = [] if counter._sampled else None
        self.sampling = False
        self.windows = WindowSampler(sampling.TIKTOKEN_WINDOWS) if counter._sampled else None
        self.text_windows = (
            WindowSampler(sampling.CLAUDE_WINDOWS) if counter._text_windows else None
        )

    def _join(self, text: str) -> None:
        self.chars += len(text)
        if self.kept is not None:
            if self.chars <= self._counter._keep_text:
                self.kept.append(text)
            else:
                self.kept = None
        if self.windows is not None:
            self.windows.feed(text)
        if self.text_windows is not None:
            self.text_windows.feed(text)
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
        if self.held is None and not self.sampling:
            self._counter._submit(self, part, screened)
            return
        if self.chars > sampling.EXACT_UP_TO:
            self.held, self.sampling = None, True
        elif self.held is not None:
            self.held.append((part, screened))
        self._counter._submit(self, part, screened, self._counter._full_bases)

    def finish(self) -> None:
        """The whole input has been read: count held parts with the sampled encodings."""
        if self.held:
            self._counter._await_sampled()
        for part, screened in self.held or ():
            self._counter._submit(self, part, screened, self._counter._sampled, extras=False)
        self.held = None

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

    def add(self, result: PartResult) -> None:
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
        counter = self._counter
        sampled = counter._sampled_counts(tally) if tally.sampling else {}
        text_sample = None
        if tally.text_windows is not None and tally.kept is None and tally.chars:
            text_sample = counter._text_sample(tally, tally.text_windows)
        return Counts(
            sampled=sampled,
            text_sample=text_sample,
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
        sample: Sequence[str] = (),
        text_windows: bool = False,
    ) -> None:
        """``classes``: also count o200k_base tokens per token class (``Counts.classes``);
        ``keep_text``: keep each input's text in ``Counts.text`` when it has at most this many
        characters (for counts made from the text itself: reconstructions, online counts);
        ``tokens_only``: skip words and lines (``count -q``, the Python API); ``sample``:
        encodings among ``encoding_names`` that may be counted on a sample of an input longer
        than ``sampling.EXACT_UP_TO`` characters (only those :func:`sampling.samplable`);
        ``text_windows``: keep windows of an input longer than ``keep_text``
        (``Counts.text_sample``)."""
        self._classes = classes
        self._keep_text = keep_text
        # Splitting into words holds the GIL for a fifth of the counting time: skip it when
        # nobody will read the figure (``count -q``).
        self._count_words = count_words and not tokens_only
        self._count_lines = not tokens_only
        self._names = list(dict.fromkeys(encoding_names))
        # Names that count alike (o200k_harmony, o200k_base) share the work.
        self._bases = list(dict.fromkeys(encodings.canonical_encoding(n) for n in self._names))
        wanted = {encodings.canonical_encoding(n) for n in sample}
        self._sampled = [b for b in self._bases if b in wanted and samplable(b)]
        self._text_windows = text_windows
        if (self._sampled or text_windows) and REFERENCE not in self._bases:
            self._bases.append(REFERENCE)  # what sampled counts are a ratio to: in full
        self._full_bases = [b for b in self._bases if b not in self._sampled]
        # A cut must keep the count of every encoding counted.
        self._cut_excludes = encodings.letter_cut_excludes(self._bases)
        self._workers = workers or encodings.worker_count()
        self._small_budget = small_budget
        self._pool: ThreadPoolExecutor | None = None
        # Set by close(): workers counting a long piece stop within milliseconds (Ctrl-C).
        self._cancel = threading.Event()
        self._building: list[Future[Any]] = []  # the sampled encodings' tokenizers being built
        # Every part in flight, oldest first, across all inputs: at most 2 per worker, so
        # memory stays bounded while the next file is read and cut.
        self._queue: deque[tuple[_Tally, Future[PartResult]]] = deque()

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
            tally.finish()
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
        tally.finish()
        tally.replaced = decoder.replaced
        return PendingCounts(self, tally)

    def _submit(
        self,
        tally: _Tally,
        part: str,
        screened: bool = False,
        bases: Sequence[str] | None = None,
        extras: bool = True,
    ) -> None:
        """Count a part on the pool, for ``bases`` (default all); ``extras=False``: tokens only."""
        pool = self._ensure_pool()
        tally.pending += 1
        self._queue.append(
            (
                tally,
                pool.submit(
                    count_part,
                    self._bases if bases is None else bases,
                    part,
                    self._count_words and extras,
                    self._classes and extras,
                    self._count_lines and extras,
                    self._cancel.is_set,
                    screened,
                ),
            )
        )
        while len(self._queue) > 2 * self._workers:
            self._drain_one()

    def _sampled_counts(self, tally: _Tally) -> dict[str, SampledCount]:
        """The ratio estimates of a long input's sampled encodings (they replace its totals)."""
        assert tally.windows is not None  # a sampling tally takes windows
        pool = self._ensure_pool()
        self._await_sampled()
        found = sampled_counts(
            pool,
            self._cancel.is_set,
            tally.windows.finish(),
            self._sampled,
            tally.totals,
            tally.chars,
        )
        tally.totals.update((base, estimate.tokens) for base, estimate in found.items())
        return found

    def _text_sample(self, tally: _Tally, sampler: WindowSampler) -> TextSample:
        pool = self._ensure_pool()
        windows = sampler.finish()
        return text_sample(
            pool, self._cancel.is_set, windows, self._classes, tally.totals, tally.chars
        )

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
            # The sampled encodings are built on a worker while the input streams (their parts
            # wait for the end of the input): see _await_sampled.
            for base in self._full_bases:
                if fast_backend.counter_for(base) is None:
                    encodings.get_encoding(base)
            if self._classes:
                if fast_backend.ids_for(token_classes.CLASS_BASE) is None:
                    encodings.get_encoding(token_classes.CLASS_BASE)
                token_classes.piece_table()
            from concurrent.futures import ThreadPoolExecutor

            self._pool = ThreadPoolExecutor(
                max_workers=self._workers, thread_name_prefix="tokencalc-count"
            )
            self._building = [
                self._pool.submit(encodings.get_encoding, base)
                for base in self._sampled
                if fast_backend.counter_for(base) is None
            ]
        return self._pool

    def _await_sampled(self) -> None:
        """Wait for the sampled encodings' tokenizers (built once: no worker builds another)."""
        building, self._building = self._building, []
        for future in building:
            future.exception()  # a damaged vocabulary raises again where it is used


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
