"""``estimate_dataset``: price every record of a dataset as one request, in one streaming pass.

The pass is lazy: :attr:`DatasetRun.rows` yields the per-record rows as batches finish, and
:attr:`DatasetRun.summary` is ready once the pass is over (asking for it first runs the pass,
dropping the rows). Memory stays bounded: batches in flight, histograms, the N longest.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

# The sample's limits (record_sample.BUDGET and the rest) are read where they apply, not bound
# here: tests lower them to run the sampling on small datasets.
from tokencalc.datasets import record_sample
from tokencalc.datasets.aggregate import RecordCost, Tally
from tokencalc.datasets.pricing import CacheRule, OutputRule, PricedModel, priced_models
from tokencalc.datasets.prompts import RecordSpec
from tokencalc.datasets.record_sample import SamplePlan
from tokencalc.datasets.sources import (
    ROW_BATCH,
    UNITS,
    Batch,
    RowBatch,
    detect_format,
    read_batches,
)
from tokencalc.datasets.summary import DatasetSummary, summarize_with_costs
from tokencalc.datasets.work import (
    Job,
    available_cores,
    class_histogram,
    count_text,
    run_batches,
)
from tokencalc.errors import ArgumentError, InputError, Problem, UsageError
from tokencalc.pricing.assumptions import DEFAULT_OUTPUT_RATIO, Assumptions
from tokencalc.sheet.model import ModelEntry
from tokencalc.sheet.price_sheet import PriceSheet
from tokencalc.tokenizers import claude_reconstruction
from tokencalc.tokenizers.token_classes import HISTOGRAM_SIZE

#: Below this many bytes of data the records are counted in this process (workers cost a start-up).
PARALLEL_FROM_BYTES = 8 << 20


@dataclass(frozen=True)
class RecordRow:
    """One record as the per-record file holds it. ``error`` set: malformed, no costs."""

    position: int
    key: str | None
    costs: tuple[RecordCost, ...]
    error: str | None = None


@dataclass(frozen=True)
class DatasetPlan:
    """Where the records come from and what is asked of them."""

    spec: RecordSpec
    assumptions: Assumptions
    system: str | None = None
    output_from_field: bool = False
    cache_system: bool = False
    longest: int = 10
    #: as ``estimate --exact``: Claude's reconstruction on every record, up to
    #: claude_reconstruction.EXACT_MAX_CHARS characters (a bigger dataset on a sample that size)
    exact: bool = False


def _rules(plan: DatasetPlan) -> tuple[OutputRule, CacheRule]:
    a = plan.assumptions
    if plan.output_from_field:
        if a.output_tokens is not None or a.output_ratio is not None:
            raise ArgumentError(Problem.ONE_OF, "output_field", "output_tokens", "output_ratio")
        output = OutputRule(from_field=True)
    elif a.output_tokens is not None:
        output = OutputRule(tokens=a.output_tokens)
    else:
        output = OutputRule(
            ratio=a.output_ratio if a.output_ratio is not None else DEFAULT_OUTPUT_RATIO,
            capped=a.output_ratio is None,
        )
    if plan.cache_system:
        if plan.system is None:
            raise ArgumentError(Problem.NEEDS, "cache_system", "system")
        if a.cached_fraction:
            raise ArgumentError(Problem.NOT_BOTH, "cached_fraction", "cache_system")
    return output, CacheRule(fraction=a.cached_fraction, system=plan.cache_system)


def make_job(
    sheet: PriceSheet, models: Sequence[ModelEntry], plan: DatasetPlan, *, want_rows: bool
) -> Job:
    if plan.assumptions.calls != 1:
        raise ArgumentError(Problem.NOT_PER_RECORD, "calls", "per_day")
    bases, priced = priced_models(sheet, models, plan.assumptions, plan.assumptions.rate)
    output, cache = _rules(plan)
    system_counts = (
        tuple(count_text(bases, plan.system)) if plan.system else tuple(0 for _ in bases)
    )
    system_classes = None
    if any(model.per_class for model in priced):
        system_classes = (
            class_histogram(plan.system)[1]
            if plan.system
            else tuple(0 for _ in range(HISTOGRAM_SIZE))
        )
    sample = sample_plan(priced, plan, system_classes)
    return Job(
        spec=plan.spec,
        bases=tuple(bases),
        models=tuple(priced),
        output=output,
        cache=cache,
        system_counts=system_counts,
        longest_n=plan.longest,
        want_rows=want_rows,
        system_classes=system_classes,
        sample=sample,
    )


def sample_plan(
    models: Sequence[PricedModel], plan: DatasetPlan, system_classes: tuple[int, ...] | None
) -> SamplePlan | None:
    """The reconstructed sample that scales the Claude models' totals (None: no Claude model,
    or the reconstruction is off); the system prompt is reconstructed here, once."""
    chosen = [(index, model) for index, model in enumerate(models) if model.reconstruct]
    if not chosen:
        return None
    budget = claude_reconstruction.EXACT_MAX_CHARS if plan.exact else record_sample.BUDGET
    system = plan.system or ""
    system_tokens = []
    for _index, model in chosen:
        assert model.reconstruct is not None
        if not system:
            tokens: int | None = 0
        elif len(system) <= (budget if plan.exact else record_sample.SYSTEM_CHARS):
            tokens = claude_reconstruction.content_tokens(model.reconstruct, system, whole=True)
        else:
            tokens = None
        if tokens is None:  # too long to reconstruct: its per-class count
            tokens = model.tokens_from_classes(system_classes) if system_classes else 0
        system_tokens.append(tokens)
    return SamplePlan(
        models=tuple(index for index, _ in chosen),
        generations=tuple(model.reconstruct or "" for _, model in chosen),
        system_tokens=tuple(system_tokens),
        budget=budget,
        piece_chars=budget if plan.exact else record_sample.PIECE_CHARS,
    )


def _iterable_batches(
    records: Iterable[Mapping[str, Any] | str], spec: RecordSpec
) -> Iterator[Batch]:
    rows: list[tuple[int, Mapping[str, Any] | str]] = []
    name = spec.field or "text"
    for position, record in enumerate(records, start=1):
        if isinstance(record, str):
            rows.append((position, {name: record}))
        elif isinstance(record, Mapping):
            rows.append((position, record))
        else:
            rows.append((position, f"not a record or text ({type(record).__name__})"))
        if len(rows) >= ROW_BATCH:
            yield RowBatch(rows)
            rows = []
    if rows:
        yield RowBatch(rows)


class DatasetRun:
    """One streaming pass over a dataset; see the module docstring."""

    def __init__(
        self, job: Job, batches: Iterable[Batch], *, source: str, unit: str, workers: int
    ) -> None:
        self.job = job
        self.source = source
        self.unit = unit
        self._batches = batches
        self._workers = workers
        self._tally = Tally.empty(len(job.models), job.longest_n, job.sample)
        self._summary: DatasetSummary | None = None
        self._started = False

    @property
    def models(self) -> tuple[PricedModel, ...]:
        return self.job.models

    @property
    def rows(self) -> Iterator[RecordRow]:
        """Per-record rows in record order (once; only when the run was asked for rows)."""
        if self._started:
            raise UsageError("the rows of a dataset run can be read once")
        self._started = True
        return self._pass()

    def _pass(self) -> Iterator[RecordRow]:
        # While Claude's sample still holds every record whole, the rows wait: if it still does
        # at the end, their Claude costs are the reconstructed ones. At most as many rows wait
        # as the sample can hold records (malformed ones count too: they are no part of it).
        sample = self._tally.sample
        waiting: list[RecordRow] | None = [] if sample is not None else None
        most = 0 if sample is None else sample.plan.budget // record_sample.RECORD_CHARS
        for tally, rows in run_batches(self.job, self._batches, self._workers):
            self._tally.merge(tally)
            batch = [
                RecordRow(position, key, (), outcome)
                if isinstance(outcome, str)
                else RecordRow(position, key, tuple(outcome))
                for position, key, outcome in rows
            ]
            if waiting is not None:
                waiting.extend(batch)
                assert sample is not None
                if sample.whole and len(waiting) <= most:
                    continue
                batch, waiting = waiting, None
            yield from batch
        self._summary, rebuilt = summarize_with_costs(self.source, self.unit, self.job, self._tally)
        for row in waiting or ():
            yield _with_costs(row, rebuilt)

    @property
    def summary(self) -> DatasetSummary:
        if self._summary is None:
            if self._started:
                raise UsageError(
                    "read all the rows before the summary (or ask for the summary alone)"
                )
            for _row in self.rows:
                pass
        assert self._summary is not None
        return self._summary


def _with_costs(row: RecordRow, rebuilt: dict[int, dict[int, RecordCost]]) -> RecordRow:
    """``row`` with the reconstructed costs of the models every record was reconstructed for."""
    if row.error is not None or not rebuilt:
        return row
    costs = list(row.costs)
    for index, by_position in rebuilt.items():
        costs[index] = by_position.get(row.position, costs[index])
    return replace(row, costs=tuple(costs))


def open_dataset(
    sheet: PriceSheet,
    models: Sequence[ModelEntry],
    data: str | Path | Iterable[Mapping[str, Any] | str],
    plan: DatasetPlan,
    *,
    want_rows: bool = False,
    data_format: str | None = None,
    workers: int | None = None,
) -> DatasetRun:
    """A run over a file (path) or an iterable of records (mappings) or texts."""
    job = make_job(sheet, models, plan, want_rows=want_rows)
    if isinstance(data, (str, Path)):
        path = Path(data)
        if not path.is_file():
            raise InputError(
                f"{path}: no such file" if not path.exists() else f"{path}: not a file"
            )
        fmt = detect_format(path, data_format)
        if workers is None:
            workers = available_cores() if path.stat().st_size >= PARALLEL_FROM_BYTES else 1
        return DatasetRun(
            job,
            read_batches(path, fmt, plan.spec.needed),
            source=str(path),
            unit=UNITS[fmt],
            workers=workers,
        )
    return DatasetRun(
        job,
        _iterable_batches(data, plan.spec),
        source="<records>",
        unit="record",
        workers=workers or 1,
    )
