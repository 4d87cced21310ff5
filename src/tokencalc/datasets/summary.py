"""The answer a job owner reads: per model totals, spreads, what does not fit; the longest
records; the malformed ones. Built from a merged :class:`~tokencalc.datasets.aggregate.Tally`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from tokencalc.counting.sampling import SampledCount
from tokencalc.datasets.aggregate import (
    ModelTally,
    RecordCost,
    Tally,
    bucket_cost,
    bucket_tokens,
    long_requests,
    percentile,
    scaled_bucket,
)
from tokencalc.datasets.pricing import PricedModel
from tokencalc.datasets.record_sample import ScaledTotals, scaled_totals
from tokencalc.datasets.work import Job, class_histogram
from tokencalc.pricing.request_rules import cheapest
from tokencalc.tokenizers.claude_reconstruction import version
from tokencalc.tokenizers.model_counts import RECONSTRUCTED, SAMPLED


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
    #: Claude's rows: the input total as a reconstructed sample of the records scaled it
    #: (tokencalc.datasets.record_sample); its standard error is 0 when every record was
    #: reconstructed whole. None: counted as ``model`` says.
    sample: SampledCount | None = None

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


def _percent(share: float) -> str:
    percent = 100 * share
    return f"{percent:.1f}%" if percent >= 0.1 or percent == 0 else f"{percent:.2g}%"


def _labelled(model: PricedModel, scaled: ScaledTotals, records: int) -> PricedModel:
    """``model`` with the labels of totals scaled by (or summed from) its reconstructed sample."""
    generation = model.reconstruct
    if scaled.complete:
        return replace(
            model,
            count_method=RECONSTRUCTED,
            how_counted=f"{RECONSTRUCTED} ({generation}, ctok {version()}, all {records:,} records)",
            how_short=f"reconstructed ({generation})",
        )
    sample = scaled.input
    windows = f", {scaled.windowed:,} on a window" if scaled.windowed else ""
    margin = f"±{_percent(sample.margin)} at 2 SE"
    return replace(
        model,
        count_method=SAMPLED,
        how_counted=(
            f"{SAMPLED} ({generation} reconstruction, ctok {version()}, {sample.windows:,} of "
            f"{records:,} records{windows}, {margin})"
        ),
        how_short=f"sampled ({generation}, {sample.windows:,} of {records:,} records, {margin})",
    )


def _scaled_tally(part: ModelTally, scaled: ScaledTotals) -> ModelTally:
    """``part`` with its token sums scaled to the sample's totals; requests, spreads and the
    truncated records (cut to the window whatever the count) as they were counted."""
    _requests, tokens_in, cached, tokens_out = bucket_tokens(part.all)
    uncached = tokens_in - cached
    target = (scaled.input.tokens - scaled.cached, scaled.cached, scaled.output)
    factors = (
        target[0] / uncached if uncached else 1.0,
        scaled.cached / cached if cached else 1.0,
        scaled.output / tokens_out if tokens_out else 1.0,
    )
    return ModelTally(
        all=scaled_bucket(part.all, factors, target),
        over=scaled_bucket(part.over, factors),
        cut=part.cut,
        input_hist=part.input_hist,
        output_hist=part.output_hist,
    )


def _rebuilt_tally(
    job: Job, model: PricedModel, scaled: ScaledTotals
) -> tuple[ModelTally, dict[int, RecordCost]]:
    """Every record's request priced again on its reconstructed counts (a complete sample),
    and each record's cost so priced, by position."""
    part = ModelTally()
    costs: dict[int, RecordCost] = {}
    for position, tokens_in, system_tokens, measured in scaled.requests:
        tokens_out = job.output.for_request(model, tokens_in, measured, counted=True)
        cost = part.add_request(
            model, job.cache, tokens_in, system_tokens, tokens_out, want_cost=True
        )
        assert cost is not None
        costs[position] = cost
    return part, costs


def _system_tokens(job: Job, index: int) -> int:
    """The system prompt's tokens for model ``index``, counted as its records' are."""
    model = job.models[index]
    if not any(job.system_counts):
        return 0
    plan = job.sample
    if plan is not None and index in plan.models:
        return plan.system_tokens[plan.models.index(index)]
    if model.per_class and job.system_classes is not None:
        return model.tokens_from_classes(job.system_classes)
    return model.tokens(job.system_counts[model.base_index])


def _longest(
    tally: Tally, complete: dict[int, ScaledTotals]
) -> list[tuple[int, int, str | None, tuple[int, ...]]]:
    """The longest records, their reconstructed models' tokens put in where every record was
    reconstructed (chosen by the first model's count as the data streamed)."""
    entries = list(tally.longest)
    for index, scaled in complete.items():
        by_position = {position: tokens for position, tokens, _s, _m in scaled.requests}
        if len(by_position) != len(scaled.requests):
            continue  # positions repeat (Spark partitions): leave the streamed counts
        patched = []
        for _first, neg_position, key, inputs in entries:
            tokens = by_position.get(-neg_position, inputs[index])
            inputs = (*inputs[:index], tokens, *inputs[index + 1 :])
            patched.append((inputs[0], neg_position, key, inputs))
        entries = patched
    return sorted(entries, key=lambda entry: (-entry[0], -entry[1]))


def summarize(source: str, unit: str, job: Job, tally: Tally) -> DatasetSummary:
    """The summary of a merged tally; Claude's totals scaled by its reconstructed sample."""
    return summarize_with_costs(source, unit, job, tally)[0]


def summarize_with_costs(
    source: str, unit: str, job: Job, tally: Tally
) -> tuple[DatasetSummary, dict[int, dict[int, RecordCost]]]:
    """:func:`summarize`, and for each model whose every record was reconstructed (by model
    index) each record's cost so priced, by position: what the per-record rows get."""
    models = job.models
    record_costs: dict[int, dict[int, RecordCost]] = {}
    scaled: dict[int, ScaledTotals] = {}
    if tally.sample is not None:
        totals: dict[int, tuple[int, int, int]] = {}
        for index in tally.sample.plan.models:
            _requests, tokens_in, cached, tokens_out = bucket_tokens(tally.models[index].all)
            totals[index] = (tokens_in, cached, tokens_out)
        scaled = scaled_totals(
            tally.sample,
            models,
            job.output,
            job.cache,
            job.system_classes,
            totals,
            lambda text: class_histogram(text)[1],
        )
    rows = []
    for index, (model, part) in enumerate(zip(models, tally.models, strict=True)):
        found = scaled.get(index)
        if found is not None:
            if found.complete:
                part, record_costs[index] = _rebuilt_tally(job, model, found)
            else:
                part = _scaled_tally(part, found)
            model = _labelled(model, found, tally.records)
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
                sample=None if found is None else found.input,
            )
        )
    longest = _longest(tally, {i: found for i, found in scaled.items() if found.complete})
    summary = DatasetSummary(
        source=source,
        unit=unit,
        records=tally.records,
        malformed=tally.malformed,
        problems=tuple(sorted(tally.problems)),
        models=tuple(rows),
        longest=tuple(
            LongRecord(-neg_position, key, inputs) for _first, neg_position, key, inputs in longest
        ),
        system_tokens=tuple(_system_tokens(job, index) for index in range(len(models))),
    )
    return summary, record_costs
