"""Sampled counts for big inputs: the slow tokenizers counted on a spread sample of windows.

Two counts cannot keep up with the rest of ``tokencalc estimate`` on big inputs: the exact
encodings that only tiktoken counts (Mistral's ``tekken``, DeepSeek's ``deepseek-v3``, Qwen's;
about 10 MB/s per core, where o200k_base's fast backend counts several times that), and
Claude's reconstruction (pure Python, about 0.5 MB/s). Beyond a size, such a count is a
**ratio estimate**: windows of text spread systematically over the whole input are counted
with the slow tokenizer and with o200k_base, and

    X = O_total × ΣX_w / ΣO_w

where ``O_total`` is o200k_base's exact count of the whole input (always counted in full, by
the fast backend) and ``X_w``, ``O_w`` the two counts of window ``w``. The standard error is
the ratio estimator's (Cochran, *Sampling Techniques*, 3rd ed., §6.4), with the finite
population correction for the share of the text the windows hold; the sample is systematic,
for which the simple-random formula is conservative on text whose make-up drifts.

:class:`WindowSampler` takes the windows while the input streams past: one window of
``WindowPlan.chars`` characters in every ``stride`` characters, at a position inside its stride
fixed by the window's index (so a run gives the same answer every time), each window moved to
start and end at a newline (else whitespace) near its ends. When more than ``most`` windows
are held, every other one is dropped and the stride doubles, so memory stays bounded whatever
the input's size (a 1 GB pipe holds ``most`` windows, as a 2 MB file does).

The limits live here, in one place: inputs up to :data:`EXACT_UP_TO` characters are counted in
full; Claude's reconstruction keeps its own limits (tokencalc.tokenizers.claude_reconstruction).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tokencalc.counting.part_counts import classes_with_tiktoken, count_window

if TYPE_CHECKING:  # pragma: no cover
    from concurrent.futures import Executor  # start-up: not imported by count -q

#: Inputs up to this many characters are counted in full with every encoding; longer ones
#: have their slow encodings (:func:`samplable`) sampled, unless an exact count is asked for.
EXACT_UP_TO = 1_000_000
#: The encoding every sampled count is a ratio to: counted in full, fast, on every input.
REFERENCE = "o200k_base"
#: Encodings a verified fast backend counts (tokencalc.counting.fast_backend): never sampled.
FAST_ENCODINGS = frozenset({"o200k_base", "cl100k_base"})


def samplable(base: str) -> bool:
    """Whether a canonical exact encoding is counted on a sample of a big input (only tiktoken
    counts it). A fixed list, not what happens to be installed: the same input gets the same
    kind of count on every machine."""
    return base not in FAST_ENCODINGS


@dataclass(frozen=True)
class WindowPlan:
    """How windows are taken: ``chars`` each, one per ``stride`` characters, ``most`` kept."""

    chars: int
    stride: int
    most: int

    def __post_init__(self) -> None:
        if self.stride < self.chars or self.most < 2 or self.most % 2:
            raise ValueError("a window plan needs stride >= chars and an even most >= 2")


#: Windows for the tiktoken-only encodings: 2 Ki characters from every 8 Ki (a quarter of an
#: input just over the limit), at most 512: the sampled text never exceeds 1 Mi characters per
#: encoding (a sixteenth of an 8 Mi-character input, 6% of a 20 MB file), ~0.1 s of tiktoken.
#: Many small windows beat few large ones on mixed text at the same share (a file of many
#: languages: ±1% where 16 Ki windows gave ±2%).
TIKTOKEN_WINDOWS = WindowPlan(chars=1 << 11, stride=1 << 13, most=512)
#: Windows for Claude's reconstruction: 512 characters from every 2 Ki, at most 256, so that one
#: input never costs the reconstruction more than 128 Ki characters (~0.25 s). Smaller windows
#: are more of them for the same cost: on a 20 MB file of many languages, 2 Ki windows were off
#: by 3.8%, 512-character ones by 1.6%; cut at 256 characters, each window's edges cost 0.5%.
CLAUDE_WINDOWS = WindowPlan(chars=1 << 9, stride=1 << 11, most=256)

_GOLDEN = 0x9E3779B97F4A7C15
_MASK = (1 << 64) - 1


def _offset(index: int, stride: int, room: int) -> int:
    """Where, inside its stride, window ``index`` starts: a fixed spread in ``[0, room]``."""
    if room <= 0:
        return 0
    mixed = ((index + 1) * _GOLDEN ^ stride) & _MASK
    mixed = (mixed * _GOLDEN) & _MASK
    return (mixed >> 11) % (room + 1)


class WindowSampler:
    """Takes a systematic sample of windows from text fed to it in order, in bounded memory."""

    def __init__(self, plan: WindowPlan) -> None:
        self.plan = plan
        self.stride = plan.stride
        self.windows: list[str] = []
        self.seen = 0  # characters fed so far
        self._index = 0  # the stride interval of the next window
        self._next = self._start(0)
        self._open: list[str] | None = None  # a window being collected across feeds
        self._need = 0

    def _start(self, index: int) -> int:
        return index * self.stride + _offset(index, self.stride, self.stride - self.plan.chars)

    def feed(self, text: str) -> None:
        """Take the windows that fall in ``text``, the next characters of the input."""
        pos, n = 0, len(text)
        while True:
            if self._open is not None:
                taken = text[pos : pos + self._need]
                self._open.append(taken)
                self._need -= len(taken)
                pos += len(taken)
                if self._need > 0:
                    break
                self._close()
                continue
            start = self._next - self.seen
            if start >= n:
                break
            pos = max(start, pos)
            self._open, self._need = [], self.plan.chars
        self.seen += n

    def finish(self) -> list[str]:
        """The windows kept, once the whole input has been fed (a window cut short by the end
        of the input is kept as it is)."""
        if self._open:
            self._close()
        self._open = None
        return [window for window in self.windows if window]

    def _close(self) -> None:
        assert self._open is not None
        # Empty windows are kept too, so that a window's place in the list is its interval.
        self.windows.append(trim("".join(self._open), self.plan.chars // 8))
        self._open = None
        self._index += 1
        if len(self.windows) > self.plan.most:
            # Keep the windows of even index (those of the doubled stride) and go on at it.
            self.windows = self.windows[::2]
            self.stride *= 2
            self._index = (self._index + 1) // 2
        self._next = self._start(self._index)

    @property
    def sampled_chars(self) -> int:
        return sum(map(len, self.windows))


def trim(window: str, slack: int) -> str:
    """``window`` cut to begin after a newline (else a whitespace character) among its first
    ``slack`` characters and to end after one among its last, where there is one."""
    head = window.find("\n", 0, slack)
    if head < 0:
        head = next((i for i, c in enumerate(window[:slack]) if c.isspace()), -1)
    start = head + 1
    tail_from = max(start, len(window) - slack)
    tail = window.rfind("\n", tail_from)
    if tail < 0:
        tail = next(
            (i for i in range(len(window) - 1, tail_from - 1, -1) if window[i].isspace()), -1
        )
    end = tail + 1 if tail >= start else len(window)
    return window[start:end]


@dataclass(frozen=True)
class SampledCount:
    """A count made on a sample: the estimate, its standard error and what was counted."""

    tokens: int
    #: the standard error of ``tokens`` (tokens)
    se: float
    windows: int
    #: characters counted with the slow tokenizer, and characters the count stands for
    sampled_chars: int
    chars: int

    @property
    def share(self) -> float:
        """The share of the characters counted with the slow tokenizer (0 to 1)."""
        return self.sampled_chars / self.chars if self.chars else 1.0

    @property
    def margin(self) -> float:
        """Two standard errors, as a share of the count (0.01 is ±1%)."""
        return 2 * self.se / self.tokens if self.tokens else 0.0

    def __add__(self, other: SampledCount) -> SampledCount:
        return SampledCount(
            tokens=self.tokens + other.tokens,
            se=math.hypot(self.se, other.se),
            windows=self.windows + other.windows,
            sampled_chars=self.sampled_chars + other.sampled_chars,
            chars=self.chars + other.chars,
        )

    @classmethod
    def counted_in_full(cls, tokens: int, chars: int) -> SampledCount:
        """An input counted in full, as a term of a sum of sampled ones."""
        return cls(tokens, 0.0, 0, chars, chars)


def ratio_estimate(
    reference_total: int,
    pairs: Sequence[tuple[int, int]],
    sampled_chars: int,
    chars: int,
    *,
    fraction: float | None = None,
) -> SampledCount:
    """The ratio estimate ``reference_total × ΣX_w/ΣO_w`` from windows' ``(X_w, O_w)`` counts.

    Its standard error: ``reference_total × sqrt((1 − f) s²_e / (n Ō²))`` with the residuals
    ``e_w = X_w − R O_w``, ``n`` windows, ``Ō`` their mean reference count and ``f`` the share
    of the characters they hold — or ``fraction``, the share of the units sampled when they are
    not windows of one text (dataset mode samples records: tokencalc.datasets.record_sample).
    Fewer than two windows, or windows without a token, give no error estimate: the standard
    error is then the whole count (a ±200% margin, said as such).
    """
    n = len(pairs)
    total_x = sum(x for x, _ in pairs)
    total_o = sum(o for _, o in pairs)
    if total_o == 0:
        return SampledCount(reference_total, float(reference_total), n, sampled_chars, chars)
    ratio = total_x / total_o
    tokens = round(reference_total * ratio)
    if n < 2:
        return SampledCount(tokens, float(tokens), n, sampled_chars, chars)
    residuals = sum((x - ratio * o) ** 2 for x, o in pairs) / (n - 1)
    mean_o = total_o / n
    if fraction is None:
        fraction = min(1.0, sampled_chars / chars) if chars else 1.0
    se = reference_total * math.sqrt((1 - fraction) * residuals / n) / mean_o
    return SampledCount(tokens, se, n, sampled_chars, chars)


@dataclass(frozen=True)
class TextSample:
    """Windows of an input too long to keep whole, each with its o200k_base count, for counts
    made from the text itself (Claude's reconstruction): ``reference_tokens`` and ``chars`` are
    the whole input's."""

    windows: tuple[tuple[str, int], ...]
    reference_tokens: int
    chars: int
    #: each window's o200k_base tokens per token class, when the counter counted classes
    classes: tuple[tuple[int, ...], ...] = ()

    @property
    def sampled_chars(self) -> int:
        return sum(len(window) for window, _ in self.windows)


def sampled_counts(
    pool: Executor,
    cancelled: Callable[[], bool],
    windows: list[str],
    sampled: Sequence[str],
    totals: Mapping[str, int],
    chars: int,
) -> dict[str, SampledCount]:
    """Ratio estimates for the ``sampled`` encodings of an input of ``chars`` characters whose
    full counts are ``totals`` (``REFERENCE`` among them), from its windows, each counted on
    ``pool`` with every sampled encoding and the reference (tiktoken releases the GIL)."""
    bases = [*sampled, REFERENCE]
    futures = [pool.submit(count_window, bases, window, cancelled) for window in windows]
    counted = [future.result() for future in futures]
    held = sum(map(len, windows))
    return {
        base: ratio_estimate(
            totals[REFERENCE], [(each[base], each[REFERENCE]) for each in counted], held, chars
        )
        for base in sampled
    }


def text_sample(
    pool: Executor,
    cancelled: Callable[[], bool],
    windows: list[str],
    classes: bool,
    totals: Mapping[str, int],
    chars: int,
) -> TextSample:
    """The windows of an input too long to keep, with their o200k_base counts (and token
    classes when ``classes``: each window's per-class estimate), counted on ``pool``."""
    if not classes:
        futures = [pool.submit(count_window, [REFERENCE], w, cancelled) for w in windows]
        pairs = tuple((w, f.result()[REFERENCE]) for w, f in zip(windows, futures, strict=True))
        return TextSample(pairs, totals[REFERENCE], chars)
    found = [
        future.result()
        for future in [pool.submit(classes_with_tiktoken, w, cancelled) for w in windows]
    ]
    pairs = tuple((w, count) for w, (count, _) in zip(windows, found, strict=True))
    return TextSample(pairs, totals[REFERENCE], chars, tuple(h for _, h in found))
