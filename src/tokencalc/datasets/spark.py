"""Dataset mode on a Spark cluster: the same per-record counting and pricing as the local path,
run by ``DataFrame.mapInArrow`` on the executors (the ``tokencalc[spark]`` extra).

Why Spark: the tables this is for (millions of tickets, documents, product descriptions)
usually already live in a lakehouse that Spark reads — Parquet/Delta/Iceberg on object storage
— and ``mapInArrow`` hands each task Arrow record batches, which is what the local reader
produces too, so one function (:func:`tokencalc.datasets.work.run_records`) does the work in
both places. Each task folds its partition into one :class:`~tokencalc.datasets.aggregate.Tally`
(token sums per price bucket, histograms, the N longest, the first malformed records) and
returns it as a single pickled row; the driver merges those few rows exactly. Nothing per record
travels to the driver, so its memory does not grow with the data.

Tokenizer data ships inside the ``tokencalc`` package: an executor with tokencalc installed
counts offline. Positions are rows within their Spark partition (Spark has no global row
number without another pass): give ``key=`` to name records in the longest and malformed lists.

    from tokencalc.datasets.spark import estimate_spark
    summary = estimate_spark(spark.read.parquet("s3://bucket/tickets/"), field="body",
                             models=["gpt-6-luna", "claude-haiku-5-5"], tier="batch", key="ticket_id")
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from tokencalc.api import Prices
from tokencalc.datasets.aggregate import Tally
from tokencalc.datasets.api import DATASET_PARAMETERS, dataset_plan
from tokencalc.datasets.run import make_job
from tokencalc.datasets.summary import DatasetSummary, summarize
from tokencalc.datasets.work import Job, run_records
from tokencalc.errors import ArgumentError, InputError, UsageError

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow
    from pyspark.sql import DataFrame

SPARK_EXTRA_HINT = "pip install 'tokencalc[spark]'"
#: The schema of the one row each task returns.
TALLY_SCHEMA = "partition int, tally binary"


def partition_tallies(job: Job) -> Any:
    """The function ``mapInArrow`` runs on each partition: its records in, one pickled Tally out."""

    def fold(batches: Iterator[pyarrow.RecordBatch]) -> Iterator[pyarrow.RecordBatch]:
        import pyarrow as pa
        from pyspark import TaskContext

        context = TaskContext.get()
        partition = context.partitionId() if context is not None else 0
        tally = Tally.empty(len(job.models), job.longest_n, job.sample)
        position = 0
        for batch in batches:
            rows = batch.to_pylist()
            records = list(enumerate(rows, start=position + 1))
            position += len(rows)
            part, _rows = run_records(job, records)
            tally.merge(part)
        yield pa.RecordBatch.from_pydict(
            {
                "partition": [partition],
                "tally": [pickle.dumps(tally, protocol=pickle.HIGHEST_PROTOCOL)],
            },
            schema=pa.schema([("partition", pa.int32()), ("tally", pa.binary())]),
        )

    return fold


def estimate_spark(
    df: DataFrame,
    *,
    field: str | None = None,
    template: str | None = None,
    system: str | None = None,
    models: Sequence[str] | None = None,
    output_tokens: int | None = None,
    output_ratio: float | Decimal | str | None = None,
    output_field: str | None = None,
    key: str | None = None,
    tier: str | None = None,
    cached: float | Decimal | str = 0,
    cache_system: bool = False,
    on: date | str | None = None,
    currency: str = "USD",
    rate: float | Decimal | str | None = None,
    longest: int = 10,
    prices: Prices = None,
    exact: bool = False,
) -> DatasetSummary:
    """Price every row of a Spark DataFrame as one request (arguments as in ``estimate_dataset``)."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise UsageError(f"estimate_spark needs pyspark: {SPARK_EXTRA_HINT}") from None
    if template is None and field is None:
        raise UsageError("give field= or template= to say which column of each row is the prompt")
    try:
        sheet, selected, plan = dataset_plan(
            field=field,
            template=template,
            system=system,
            models=models,
            output_tokens=output_tokens,
            output_ratio=output_ratio,
            output_field=output_field,
            key=key,
            tier=tier,
            cached=cached,
            cache_system=cache_system,
            on=on,
            currency=currency,
            rate=rate,
            longest=longest,
            prices=prices,
            exact=exact,
        )
        job = make_job(sheet, selected, plan, want_rows=False)
    except ArgumentError as exc:  # the core's names, as this function calls them
        raise exc.renamed(DATASET_PARAMETERS) from None
    columns = list(job.spec.needed)
    absent = [name for name in columns if name not in df.columns]
    if absent:
        raise InputError(
            f"the DataFrame has no column {absent[0]!r} (columns: {', '.join(df.columns[:20])})"
        )
    parts = df.select(*columns).mapInArrow(partition_tallies(job), TALLY_SCHEMA).collect()
    total = Tally.empty(len(job.models), job.longest_n, job.sample)
    for row in sorted(parts, key=lambda r: r["partition"]):
        total.merge(pickle.loads(row["tally"]))
    return summarize("<spark DataFrame>", "partition row", job, total)
