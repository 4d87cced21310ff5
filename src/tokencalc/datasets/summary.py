"""The answer a job owner reads: per model totals, spreads, what does not fit; the longest
records; the malformed ones. Built from a merged :class:`~tokencalc.datasets.aggregate.Tally`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from tokencalc.datasets.aggregate import (
    Tally,
    bucket_cost,
    bucket_tokens,
    long_requests,
    percentile,
)
from tokencalc.datasets.pricing import PricedModel
from tokencalc.pricing.request_rules import cheapest


@dataclass(frozen=True)
class Spread:
    """Tokens per record: nearest-rank percentiles (None when there are no records)."""

    min: int | None
    median: int | None
    p95: int | None
    max: int | None


@dataclass(frozen=True)
class ModelSummary:
    """One model over the whole dataset. Costs are None when the model lacks the tier."""

    model: PricedModel
    requests: int
    input_tokens: int
    cached_tokens: int
    output_tokens: int
    long_context_requests: int
    cost: Decimal | None
    input_spread: Spread
    output_spread: Spread
    over_context: int  # records that do not fit (input + output > window, or output > max)
    over_input_tokens: int
    cost_if_skipped: Decimal | None  # the records that do not fit are not sent
    cost_if_truncated: Decimal | None  # they are sent cut to fit (output capped, input cut)

    @property
    def priced(self) -> bool:
        return self.cost is not None


@dataclass(frozen=True)
class LongRecord:
    position: int
    key: str | None
    input_tokens: tuple[int, ...]  # per model, in the summary's model order


@dataclass(frozen=True)
class DatasetSummary:
    source: str
    unit: str  # what a position counts: line, item or row
    records: int  # priced records
    malformed: int
    problems: tuple[tuple[int, str], ...]  # the first malformed records: (position, reason)
    models: tuple[ModelSummary, ...]
    longest: tuple[LongRecord, ...]
    system_tokens: tuple[int, ...]  # the system prompt per model (0: none)

    @property
    def cheapest(self) -> ModelSummary | None:
        if self.records == 0:
            return None  # nothing was priced: no model is cheaper than another
        # every record is priced, fit or not (over-context records are counted apart)
        return cheapest(
            self.models, total=lambda m: m.cost, fits=lambda m: True, model_id=lambda m: m.model.id
        )


def _spread(hist: dict[int, int]) -> Spread:
    from collections import Counter

    counter = Counter(hist)
    if not counter:
        return Spread(None, None, None, None)
    return Spread(
        min(counter),
        percentile(counter, Decimal("0.5")),
        percentile(counter, Decimal("0.95")),
        max(counter),
    )


def summarize(
    source: str,
    unit: str,
    models: Sequence[PricedModel],
    tally: Tally,
    system_counts: Sequence[int],
) -> DatasetSummary:
    rows = []
    for model, part in zip(models, tally.models, strict=True):
        requests, tokens_in, cached, tokens_out = bucket_tokens(part.all)
        over, over_in, _over_cached, _over_out = bucket_tokens(part.over)
        priced = model.prices is not None
        total = bucket_cost(model, part.all) if priced else None
        skipped = total - bucket_cost(model, part.over) if total is not None else None
        truncated = skipped + bucket_cost(model, part.cut) if skipped is not None else None
        rows.append(
            ModelSummary(
                model=model,
                requests=requests,
                input_tokens=tokens_in,
                cached_tokens=cached,
                output_tokens=tokens_out,
                long_context_requests=long_requests(part.all),
                cost=total,
                input_spread=_spread(part.input_hist),
                output_spread=_spread(part.output_hist),
                over_context=over,
                over_input_tokens=over_in,
                cost_if_skipped=skipped,
                cost_if_truncated=truncated,
            )
        )
    longest = sorted(tally.longest, key=lambda entry: (-entry[0], -entry[1]))
    return DatasetSummary(
        source=source,
        unit=unit,
        records=tally.records,
        malformed=tally.malformed,
        problems=tuple(sorted(tally.problems)),
        models=tuple(rows),
        longest=tuple(
            LongRecord(-neg_position, key, inputs) for _first, neg_position, key, inputs in longest
        ),
        system_tokens=tuple(
            model.tokens(system_counts[model.base_index]) if any(system_counts) else 0
            for model in models
        ),
    )
