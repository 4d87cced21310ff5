"""Totals over many records that merge exactly: what workers (processes or Spark tasks) return.

Every figure is kept as whole numbers — token sums per price bucket (normal or long-context),
histograms of tokens per record — so partial tallies from any number of workers add up to
exactly what one pass would give, and money is computed once at the end in Decimal (a cost is
linear in the tokens within one price bucket). Histograms hold one entry per distinct count,
so memory stays bounded by the longest record, not by the number of records.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from tokencalc.datasets.pricing import CacheRule, OutputRule, PricedModel
from tokencalc.datasets.record_sample import RecordSample, SamplePlan

#: Malformed records listed by position (all are counted).
MAX_PROBLEMS_LISTED = 1000
_FIELDS = 4  # requests, uncached input, cached input, output


def _bucket() -> list[int]:
    return [0] * (2 * _FIELDS)  # normal prices, then long-context prices


def _add(bucket: list[int], long: bool, uncached: int, cached: int, output: int) -> None:
    at = _FIELDS if long else 0
    bucket[at] += 1
    bucket[at + 1] += uncached
    bucket[at + 2] += cached
    bucket[at + 3] += output


def _sum_into(target: list[int], other: Sequence[int]) -> None:
    for index, value in enumerate(other):
        target[index] += value


@dataclass
class ModelTally:
    """One model's sums over the records seen so far."""

    all: list[int] = field(default_factory=_bucket)
    over: list[int] = field(default_factory=_bucket)  # the records that do not fit, as counted
    cut: list[int] = field(default_factory=_bucket)  # the same records truncated to fit
    input_hist: Counter[int] = field(default_factory=Counter)
    output_hist: Counter[int] = field(default_factory=Counter)

    def add_request(
        self,
        model: PricedModel,
        cache: CacheRule,
        tokens_in: int,
        system_tokens: int,
        tokens_out: int,
        *,
        want_cost: bool = False,
    ) -> RecordCost | None:
        """Add one record's request, counted; its cost when ``want_cost``."""
        cached = cache.cached(tokens_in, system_tokens)
        long = model.is_long(tokens_in)
        bucket = self.all
        at = _FIELDS if long else 0
        bucket[at] += 1
        bucket[at + 1] += tokens_in - cached
        bucket[at + 2] += cached
        bucket[at + 3] += tokens_out
        fits = model.fits(tokens_in, tokens_out)
        if not fits:
            _add(self.over, long, tokens_in - cached, cached, tokens_out)
            cut_in, cut_out, cut_cached = model.truncated(tokens_in, tokens_out, cached)
            _add(self.cut, model.is_long(cut_in), cut_in - cut_cached, cut_cached, cut_out)
        self.input_hist[tokens_in] += 1
        self.output_hist[tokens_out] += 1
        if not want_cost:
            return None
        money = (
            None
            if model.prices is None
            else model.cost(tokens_in - cached, cached, tokens_out, long=long)
        )
        return RecordCost(tokens_in, tokens_out, cached, fits, money)

    def merge(self, other: ModelTally) -> None:
        _sum_into(self.all, other.all)
        _sum_into(self.over, other.over)
        _sum_into(self.cut, other.cut)
        self.input_hist.update(other.input_hist)
        self.output_hist.update(other.output_hist)


@dataclass(frozen=True)
class RecordCost:
    """One record priced for one model (a per-record row holds one per model)."""

    input_tokens: int
    output_tokens: int
    cached_tokens: int
    fits: bool
    cost: Decimal | None  # None: the model does not offer the tier


@dataclass
class Tally:
    """Sums over records for every model, the longest records, and the malformed ones."""

    models: list[ModelTally]
    longest_n: int = 10
    records: int = 0
    malformed: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)  # (position, reason), first ones
    longest: list[tuple[int, int, str | None, tuple[int, ...]]] = field(default_factory=list)
    # heap of (first model's input tokens, -position, key, every model's input tokens)
    #: the records drawn for Claude's reconstruction (tokencalc.datasets.record_sample)
    sample: RecordSample | None = None

    @classmethod
    def empty(
        cls, model_count: int, longest_n: int = 10, sample: SamplePlan | None = None
    ) -> Tally:
        return cls(
            [ModelTally() for _ in range(model_count)],
            longest_n,
            sample=None if sample is None else RecordSample(sample),
        )

    def problem(self, position: int, reason: str) -> None:
        self.malformed += 1
        if len(self.problems) < MAX_PROBLEMS_LISTED:
            self.problems.append((position, reason))

    def add(
        self,
        models: Sequence[PricedModel],
        output: OutputRule,
        cache: CacheRule,
        position: int,
        key: str | None,
        base_counts: Sequence[int],
        output_counts: Sequence[int] | None,
        system_counts: Sequence[int],
        *,
        classes: tuple[int, ...] | None = None,
        output_classes: tuple[int, ...] | None = None,
        system_classes: tuple[int, ...] | None = None,
        want_costs: bool = False,
    ) -> list[RecordCost] | None:
        """Add one record; return its per-model costs when ``want_costs``."""
        self.records += 1
        inputs: list[int] = []
        costs: list[RecordCost] | None = [] if want_costs else None
        for model, tally in zip(models, self.models, strict=True):
            index = model.base_index
            system = system_counts[index]
            if model.per_class:
                assert classes is not None and system_classes is not None
                both = (
                    tuple(a + b for a, b in zip(classes, system_classes, strict=True))
                    if system
                    else classes
                )
                tokens_in = model.tokens_from_classes(both)
                system_tokens = model.tokens_from_classes(system_classes) if system else 0
                measured_out = (
                    None if output_classes is None else model.tokens_from_classes(output_classes)
                )
                tokens_out = output.for_request(model, tokens_in, measured_out, counted=True)
            else:
                tokens_in = model.tokens(base_counts[index] + system)
                system_tokens = model.tokens(system) if system else 0
                tokens_out = output.for_request(
                    model, tokens_in, None if output_counts is None else output_counts[index]
                )
            cost = tally.add_request(
                model, cache, tokens_in, system_tokens, tokens_out, want_cost=costs is not None
            )
            inputs.append(tokens_in)
            if costs is not None:
                assert cost is not None
                costs.append(cost)
        if self.longest_n > 0:
            first = inputs[0] if inputs else 0
            heap = self.longest
            if len(heap) < self.longest_n:
                heapq.heappush(heap, (first, -position, key, tuple(inputs)))
            elif (first, -position) > heap[0][:2]:
                heapq.heapreplace(heap, (first, -position, key, tuple(inputs)))
        return costs

    def merge(self, other: Tally) -> None:
        self.records += other.records
        self.malformed += other.malformed
        self.problems = sorted(self.problems + other.problems)[:MAX_PROBLEMS_LISTED]
        for mine, theirs in zip(self.models, other.models, strict=True):
            mine.merge(theirs)
        if self.sample is not None and other.sample is not None:
            self.sample.merge(other.sample)
        for entry in other.longest:
            if len(self.longest) < self.longest_n:
                heapq.heappush(self.longest, entry)
            elif entry[:2] > self.longest[0][:2]:
                heapq.heapreplace(self.longest, entry)


def bucket_cost(model: PricedModel, bucket: Sequence[int]) -> Decimal:
    """Money for a bucket of summed tokens (normal part at normal prices, long part at long ones)."""
    normal = model.cost(bucket[1], bucket[2], bucket[3], long=False)
    long = model.cost(bucket[_FIELDS + 1], bucket[_FIELDS + 2], bucket[_FIELDS + 3], long=True)
    return normal + long


def scaled_bucket(
    bucket: Sequence[int], factors: tuple[float, float, float], totals: Sequence[int] | None = None
) -> list[int]:
    """``bucket`` with its uncached input, cached input and output multiplied by ``factors``
    (requests unchanged); ``totals`` given: the normal-price part takes what makes each sum
    exactly that (the long-context part is scaled and rounded)."""
    scaled = list(bucket)
    for field_at, factor in enumerate(factors, start=1):
        long_part = round(bucket[_FIELDS + field_at] * factor)
        scaled[_FIELDS + field_at] = long_part
        scaled[field_at] = (
            round(bucket[field_at] * factor)
            if totals is None
            else max(0, totals[field_at - 1] - long_part)
        )
    return scaled


def bucket_tokens(bucket: Sequence[int]) -> tuple[int, int, int, int]:
    """(requests, input tokens, cached input tokens, output tokens) of a bucket."""
    requests = bucket[0] + bucket[_FIELDS]
    cached = bucket[2] + bucket[_FIELDS + 2]
    uncached = bucket[1] + bucket[_FIELDS + 1]
    return requests, uncached + cached, cached, bucket[3] + bucket[_FIELDS + 3]


def long_requests(bucket: Sequence[int]) -> int:
    return bucket[_FIELDS]


def percentile(hist: Counter[int], share: Decimal) -> int | None:
    """The nearest-rank percentile: the smallest count with at least ``share`` of records at or below it."""
    total = sum(hist.values())
    if total == 0:
        return None
    rank = max(1, int((Decimal(total) * share).to_integral_value(rounding="ROUND_CEILING")))
    seen = 0
    for value in sorted(hist):
        seen += hist[value]
        if seen >= rank:
            return value
    return max(hist)
