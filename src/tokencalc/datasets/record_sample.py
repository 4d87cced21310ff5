"""Claude's rows in dataset mode: the reconstruction run on a bounded sample of the records.

Claude's reconstruction (tokencalc.tokenizers.claude_tiling) gives every recorded
``count_tokens`` answer but runs at about 0.5 MB a second on one core: too slow for every record
of millions. The per-class table keeps up with tiktoken but is 11–13% off on average on UDHR,
±80% at worst. So every record is counted with the per-class table, as it streams, and a
bounded sample of the records is also reconstructed; the per-class totals are then scaled by
the ratio estimate of tokencalc.counting.sampling with the per-class count as the auxiliary
variable (as ``estimate`` does for a long input):

    X = PC_total × ΣX_r / ΣPC_r

over the sampled records r, each priced as its request is (system prompt + prompt; the output
its rule gives). One estimate each for the input, its cached part and the output (an output
ratio or field follows the input's count, a fixed one does not move), so the cost follows; the
input's standard error is the row's margin.

**Which records.** Record ``p`` (its position) is in the sample at level ``j`` when the top
``j`` bits of ``p × φ·2^64 mod 2^64`` are zero: about one record in ``2^j``, spread like a
systematic sample (consecutive positions times the golden ratio fill ``[0, 1)`` evenly: the
drawn records are 2^j apart give or take, never bunched) but in no period that a file's own
pattern (question, answer, question…) could line up with. The same records are drawn in one
process or on many workers: batches keep their own samples and merging them gives what one pass
would. The sample first holds every record whole. Once their text passes the budget
(:data:`BUDGET` characters, about 0.25 s of reconstruction per Claude generation, whatever the
size of the dataset; each record also counts :data:`RECORD_CHARS`, so that a million empty
records are not all held) it holds pieces instead — a record's text up to :data:`PIECE_CHARS`
whole, a longer one as one window of that many characters at a place fixed by the record's
position, cut at a newline or space — and goes up a level, dropping about half of what it
holds, whenever the pieces pass the budget. A window's reconstruction is scaled by its
record's per-class count over the window's (two-stage sampling: the residuals, and so the
margin, carry the windows' error too; the finite-population correction takes the smaller of
the records' and the characters' shares).

**What is scaled.** The totals: input, cached and output tokens, the cost, and the tokens and
costs of the records that do not fit. What is decided record by record as the data streams —
tokens per record (min·median·p95·max), which records fit or pass a long-context threshold, the
longest records, the per-record file — stays on the per-class count. When the sample holds
every record whole (a dataset of under :data:`BUDGET` characters) the totals are the sum of the
records' reconstructions and the per-record figures but the per-record file (written while the
data streams) are rebuilt from them: the row says ``reconstructed``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from tokencalc.counting.sampling import SampledCount, ratio_estimate, trim
from tokencalc.datasets.pricing import CacheRule, OutputRule, PricedModel

#: A record's text up to this many characters is reconstructed whole when sampled; a longer
#: one is represented by a window of this many.
PIECE_CHARS = 1 << 9
#: Characters of sampled text reconstructed per Claude generation (~0.25 s at 0.5 MB/s).
BUDGET = 1 << 17
#: What each record held counts toward the budget on top of its text (characters), so that
#: short or empty records cannot pile up: at most BUDGET / RECORD_CHARS of them are held.
RECORD_CHARS = 32
#: A system prompt up to this many characters is reconstructed (once); a longer one keeps its
#: per-class count in the sampled records' requests.
SYSTEM_CHARS = 1 << 16

_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_SPREAD = 0xBF58476D1CE4E5B9


def _mixed(position: int) -> int:
    return (position * _GOLDEN) & _MASK


@dataclass(frozen=True)
class SamplePlan:
    """Which models of a job are scaled by a reconstructed sample, and how big it may grow."""

    #: indices into the job's models, and each one's reconstruction (generation)
    models: tuple[int, ...]
    generations: tuple[str, ...]
    #: each one's tokens of the system prompt: reconstructed, or per-class when too long (0: none)
    system_tokens: tuple[int, ...]
    budget: int = BUDGET
    piece_chars: int = PIECE_CHARS


@dataclass(frozen=True)
class Drawn:
    """One sampled record: its texts (whole, or a window) and its class histograms."""

    position: int
    level: int
    prompt: str
    prompt_whole: bool
    output: str | None
    output_whole: bool
    #: the prompt's and the output field's o200k_base class histograms (the per-class counts
    #: are made from them at the end, for the records the sample keeps)
    classes: tuple[int, ...]
    output_classes: tuple[int, ...] | None
    #: the record's whole prompt and output, while the sample may still hold every record
    full: tuple[str, str | None] | None = None

    @property
    def chars(self) -> int:
        """The characters it holds for reconstruction: its whole texts, else its pieces."""
        prompt, output = self.full if self.full is not None else (self.prompt, self.output)
        return len(prompt) + (len(output) if output is not None else 0)

    @property
    def whole(self) -> bool:
        return self.prompt_whole and (self.output is None or self.output_whole)


def piece(text: str, position: int, chars: int) -> tuple[str, bool]:
    """``text`` itself when it is at most ``chars`` long, else a window of ``chars`` characters
    at a place fixed by ``position``, cut to begin and end at a newline (else a space)."""
    if len(text) <= chars:
        return text, True
    room = len(text) - chars
    start = ((_mixed(position) * _SPREAD) & _MASK) % (room + 1)
    window = text[start : start + chars]
    return trim(window, chars // 8) or window, False


@dataclass
class SampleFloor:
    """What the batches one worker counted so far have shown: the level their samples reached
    and whether they still hold every record whole. No batch's own level exceeds the whole
    run's, so a worker's next batch may start there: fewer records drawn only to be dropped,
    and the same final sample."""

    level: int = 0
    whole: bool = True


@dataclass
class RecordSample:
    """The records drawn so far, at the current level, within the plan's budget: every record
    whole while they fit it (``whole``), then pieces of one record in 2^level."""

    plan: SamplePlan
    whole: bool = True
    level: int = 0
    drawn: list[Drawn] = field(default_factory=list)
    chars: int = 0  # characters the drawn records hold
    #: every record offered (priced), and the characters of their texts
    records: int = 0
    seen_chars: int = 0

    def start_at(self, floor: SampleFloor) -> None:
        """Begin at what earlier batches of this run reached (an empty sample only)."""
        assert not self.drawn
        self.whole = self.whole and floor.whole
        self.level = max(self.level, floor.level)

    def raise_floor(self, floor: SampleFloor) -> None:
        floor.whole = floor.whole and self.whole
        floor.level = max(floor.level, self.level)

    def wants(self, position: int) -> bool:
        """Is the record at ``position`` drawn at the current level?"""
        return _mixed(position) >> (64 - self.level) == 0 if self.level else True

    @property
    def weight(self) -> int:
        """What the sample holds, against the budget: its text and RECORD_CHARS a record."""
        return self.chars + RECORD_CHARS * len(self.drawn)

    def add(self, drawn: Drawn) -> None:
        self.drawn.append(drawn)
        self.chars += drawn.chars
        self._fit()

    def _pieces(self) -> None:
        """Past the budget with every record whole: from now on, pieces of a share of them."""
        self.whole = False
        self.drawn = [replace(d, full=None) for d in self.drawn]
        self.chars = sum(d.chars for d in self.drawn)

    def _fit(self) -> None:
        if self.whole and self.weight > self.plan.budget:
            self._pieces()
        while self.weight > self.plan.budget and self.level < 64:
            self.level += 1
            self.drawn = [d for d in self.drawn if d.level >= self.level]
            self.chars = sum(d.chars for d in self.drawn)

    def merge(self, other: RecordSample) -> None:
        self.records += other.records
        self.seen_chars += other.seen_chars
        theirs = other.drawn
        if self.whole and not other.whole:
            self._pieces()
        elif other.whole and not self.whole:
            theirs = [replace(d, full=None) for d in theirs]
        self.level = max(self.level, other.level)
        self.drawn = [d for d in self.drawn + theirs if d.level >= self.level]
        self.chars = sum(d.chars for d in self.drawn)
        self._fit()


def level_of(position: int) -> int:
    """The highest level at which the record at ``position`` is drawn."""
    return 64 - _mixed(position).bit_length()


@dataclass(frozen=True)
class ScaledTotals:
    """One model's totals as the sample scales them, and how they were made."""

    input: SampledCount
    cached: int
    output: int
    #: every record reconstructed whole: the totals are their reconstructions' sum
    complete: bool
    windowed: int  # sampled records represented by a window
    #: when complete, every record's (position, input, system prompt's part, measured output
    #: or None), reconstructed: what its per-record figures are rebuilt from
    requests: tuple[tuple[int, int, int, int | None], ...] = ()


def _rebuilt(generation: str, sample: RecordSample) -> list[tuple[int, int | None]]:
    """Each drawn record's prompt and output pieces, reconstructed."""
    from tokencalc.tokenizers import claude_tiling  # start-up: only when a sample is counted

    def count(text: str, whole: bool) -> int:
        if whole:
            return claude_tiling.content_tokens(generation, text)
        return claude_tiling.window_tokens(generation, text)

    rebuilt = []
    for d in sample.drawn:
        if d.full is not None:
            prompt, output = d.full
            rebuilt.append((count(prompt, True), None if output is None else count(output, True)))
        else:
            rebuilt.append(
                (
                    count(d.prompt, d.prompt_whole),
                    None if d.output is None else count(d.output, d.output_whole),
                )
            )
    return rebuilt


def _scaled(
    rebuilt: int, model: PricedModel, text_count: int, window: tuple[int, ...] | None
) -> int:
    """A text's reconstructed tokens: its own, or its window's (``window``: the window's class
    histogram) scaled by the text's per-class count over the window's."""
    if window is None:
        return rebuilt
    window_count = model.tokens_from_classes(window)
    return round(text_count * rebuilt / window_count) if window_count else text_count


def scaled_totals(
    sample: RecordSample,
    models: Sequence[PricedModel],
    output_rule: OutputRule,
    cache_rule: CacheRule,
    system_classes: tuple[int, ...] | None,
    totals: dict[int, tuple[int, int, int]],
    histogram: Callable[[str], tuple[int, ...]],
) -> dict[int, ScaledTotals]:
    """Each planned model's (input, cached, output) totals scaled by the reconstructed sample;
    ``totals`` are the per-class ones (by model index), ``histogram`` a text's o200k_base
    class histogram (for the windows). Empty when nothing was drawn."""
    plan = sample.plan
    if not sample.drawn or sample.records == 0:
        return {}
    # The finite-population correction takes the smaller of the records' share and the
    # characters' share: a record drawn on a window leaves most of itself unsampled.
    fraction = min(len(sample.drawn) / sample.records, sample.chars / (sample.seen_chars or 1))
    complete = sample.whole and len(sample.drawn) == sample.records
    windowed = 0 if sample.whole else sum(1 for d in sample.drawn if not d.whole)
    rebuilt: dict[str, list[tuple[int, int | None]]] = {}
    # the windows' class histograms (None: the piece is the whole text)
    windows = [
        (
            None if d.full is not None or d.prompt_whole else histogram(d.prompt),
            None
            if d.full is not None or d.output is None or d.output_whole
            else histogram(d.output),
        )
        for d in sample.drawn
    ]
    result: dict[int, ScaledTotals] = {}
    for k, index in enumerate(plan.models):
        model = models[index]
        generation = plan.generations[k]
        if generation not in rebuilt:
            rebuilt[generation] = _rebuilt(generation, sample)
        x_system = plan.system_tokens[k]
        system = system_classes if system_classes is not None and any(system_classes) else None
        a_system = model.tokens_from_classes(system) if system is not None else 0
        pairs: list[list[tuple[int, int]]] = [[], [], []]
        requests = []
        for d, (x_prompt, x_output), (prompt_window, output_window) in zip(
            sample.drawn, rebuilt[generation], windows, strict=True
        ):
            # the record's per-class counts, as Tally.add made them
            a_prompt = model.tokens_from_classes(d.classes)
            a_in = a_prompt
            if system is not None:
                a_in = model.tokens_from_classes(
                    tuple(a + b for a, b in zip(d.classes, system, strict=True))
                )
            a_out = (
                None if d.output_classes is None else model.tokens_from_classes(d.output_classes)
            )
            x_in = x_system + _scaled(x_prompt, model, a_prompt, prompt_window)
            x_measured = None
            if x_output is not None and a_out is not None:
                x_measured = _scaled(x_output, model, a_out, output_window)
            x_cached = cache_rule.cached(x_in, x_system)
            a_cached = cache_rule.cached(a_in, a_system)
            x_out = output_rule.for_request(model, x_in, x_measured, counted=True)
            a_out_tokens = output_rule.for_request(model, a_in, a_out, counted=True)
            requests.append((d.position, x_in, x_system, x_measured))
            pairs[0].append((x_in, a_in))
            pairs[1].append((x_cached, a_cached))
            pairs[2].append((x_out, a_out_tokens))
        n = len(sample.drawn)
        if complete:  # every record reconstructed whole: the sums themselves
            sums = [sum(x for x, _ in column) for column in pairs]
            estimate = SampledCount(sums[0], 0.0, n, sample.chars, sample.seen_chars)
            cached, output = sums[1], sums[2]
        else:
            estimate, cached_count, output_count = (
                ratio_estimate(total, column, sample.chars, sample.seen_chars, fraction=fraction)
                for total, column in zip(totals[index], pairs, strict=True)
            )
            cached, output = cached_count.tokens, output_count.tokens
        result[index] = ScaledTotals(
            estimate,
            min(cached, estimate.tokens),
            output,
            complete,
            windowed,
            tuple(requests) if complete else (),
        )
    return result
