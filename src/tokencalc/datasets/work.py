"""Counting and pricing batches of records, in this process or on worker processes.

A :class:`Job` is everything a worker needs (which fields, which bases, the priced models);
:func:`run_batch` turns one batch into a :class:`~tokencalc.datasets.aggregate.Tally` and,
when asked, the per-record rows. The same function runs in the CLI's worker processes and
inside a Spark task (see :mod:`tokencalc.datasets.spark`).

Counting is exact: every text goes through :func:`tokencalc.counting.counter.count_with_tiktoken`
(tiktoken, safe for pathological whitespace runs), with the tokenizer data shipped in the
package, so a worker needs no network.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from tokencalc.counting import fast_backend
from tokencalc.counting.encodings import get_encoding, normalizer
from tokencalc.counting.part_counts import (
    LONG_RUN,
    classes_with_tiktoken,
    count_exact,
    count_with_tiktoken,
)
from tokencalc.datasets.aggregate import RecordCost, Tally
from tokencalc.datasets.pricing import CHARACTERS, CacheRule, OutputRule, PricedModel
from tokencalc.datasets.prompts import RecordProblem, RecordSpec
from tokencalc.datasets.record_sample import (
    Drawn,
    RecordSample,
    SampleFloor,
    SamplePlan,
    level_of,
    piece,
)
from tokencalc.datasets.sources import Batch, LineBatch
from tokencalc.tokenizers import token_classes
from tokencalc.tokenizers.token_classes import CLASS_BASE

#: Batches queued per worker process (bounds memory: a batch is a few MB).
IN_FLIGHT_PER_WORKER = 3


@dataclass(frozen=True)
class Job:
    """What to count and how to price it; picklable, sent once to each worker."""

    spec: RecordSpec
    bases: tuple[str, ...]
    models: tuple[PricedModel, ...]
    output: OutputRule
    cache: CacheRule
    system_counts: tuple[int, ...]  # the system prompt's count per base (zeros: none)
    longest_n: int = 10
    want_rows: bool = False
    #: o200k_base tokens per token class of the system prompt, when a model estimates per class
    system_classes: tuple[int, ...] | None = None
    #: Claude models whose totals a reconstructed sample of the records scales
    sample: SamplePlan | None = None
    #: where the next batch's sample may start (each worker process has its own copy)
    floor: SampleFloor = field(default_factory=SampleFloor, compare=False)

    @property
    def classes(self) -> bool:
        """Some model estimates from token classes: each text also needs its class histogram."""
        return any(model.per_class for model in self.models)


#: A per-record row: (position, key, per-model costs) or (position, None, reason).
Row = tuple[int, str | None, list[RecordCost] | str]


def class_histogram(text: str) -> tuple[int, tuple[int, ...]]:
    """o200k_base's count of ``text`` and its tokens per token class and per piece code (the
    histogram ``estimate`` makes: tokencalc.tokenizers.token_classes.piece_histogram)."""
    if len(text) < LONG_RUN:
        ids = get_encoding(CLASS_BASE).encode_ordinary(text)
        return len(ids), token_classes.piece_histogram(ids, token_classes.piece_table())
    return classes_with_tiktoken(text)


def count_text(bases: Sequence[str], text: str) -> list[int]:
    """``text``'s count for each base: exact tokens, or characters."""
    return [len(text) if base == CHARACTERS else count_with_tiktoken(base, text) for base in bases]


def _counter(base: str) -> Callable[[str], int]:
    """A fast exact counter for one base. A text shorter than LONG_RUN cannot hold a whitespace
    run long enough to need :func:`count_with_tiktoken`'s safe path, so it goes straight to
    tiktoken; longer texts take the safe path."""
    if base == CHARACTERS:
        return len
    if fast_backend.counter_for(base) is not None:
        # the optional fast exact backend (tokencalc[fast]) counts what it provably counts alike
        return lambda text: count_exact(base, text)
    encode = get_encoding(base).encode_ordinary
    normalize = normalizer(base)  # Qwen's encodings count NFC-normalised text

    def count(text: str) -> int:
        if len(text) < LONG_RUN:
            return len(encode(text if normalize is None else normalize(text)))
        return count_with_tiktoken(base, text)

    return count


def _records(batch: Batch) -> Iterator[tuple[int, Mapping[str, Any] | str]]:
    if not isinstance(batch, LineBatch):
        yield from batch.rows
        return
    position = batch.first
    for line in batch.data.split(b"\n"):
        if line.strip():
            try:
                value = json.loads(line)
            except UnicodeDecodeError:
                yield position, "not UTF-8 text"
            except ValueError as exc:
                yield position, f"bad JSON: {exc}"
            else:
                yield position, value if isinstance(value, dict) else "not a JSON object"
        position += 1


def run_records(
    job: Job, records: Iterable[tuple[int, Mapping[str, Any] | str]]
) -> tuple[Tally, list[Row]]:
    """Count and price records; malformed ones are tallied with their reason."""
    tally = Tally.empty(len(job.models), job.longest_n, job.sample)
    sample = tally.sample
    if sample is not None:
        sample.start_at(job.floor)
    rows: list[Row] = []
    spec = job.spec
    counters = [_counter(base) for base in job.bases]
    with_classes = job.classes
    o200k_at = job.bases.index(CLASS_BASE) if CLASS_BASE in job.bases else None
    for position, record in records:
        if isinstance(record, str):
            tally.problem(position, record)
            if job.want_rows:
                rows.append((position, None, record))
            continue
        try:
            prompt = spec.prompt(record)
            output = spec.output(record)
        except RecordProblem as problem:
            tally.problem(position, str(problem))
            if job.want_rows:
                rows.append((position, spec.key(record), str(problem)))
            continue
        key = spec.key(record)
        classes = output_classes = None
        if with_classes:
            counts, classes = _with_classes(counters, o200k_at, prompt)
            if output is not None:
                output_counts, output_classes = _with_classes(counters, o200k_at, output)
            else:
                output_counts = None
        else:
            counts = [count(prompt) for count in counters]
            output_counts = None if output is None else [count(output) for count in counters]
        costs = tally.add(
            job.models,
            job.output,
            job.cache,
            position,
            key,
            counts,
            output_counts,
            job.system_counts,
            classes=classes,
            output_classes=output_classes,
            system_classes=job.system_classes,
            want_costs=job.want_rows,
        )
        if costs is not None:
            rows.append((position, key, costs))
        if sample is not None:
            sample.records += 1
            sample.seen_chars += len(prompt) + (len(output) if output is not None else 0)
            if sample.wants(position):
                assert classes is not None
                sample.add(_draw(sample, position, prompt, output, classes, output_classes))
    if sample is not None:
        sample.raise_floor(job.floor)
    return tally, rows


def _draw(
    sample: RecordSample,
    position: int,
    prompt: str,
    output: str | None,
    classes: tuple[int, ...],
    output_classes: tuple[int, ...] | None,
) -> Drawn:
    """A record drawn for the reconstruction: its texts (or windows of them) and its class
    histograms (the per-class counts are made at the end, for the records the sample keeps)."""
    chars = sample.plan.piece_chars
    prompt_piece, prompt_whole = piece(prompt, position, chars)
    output_piece, output_whole = None, True
    if output is not None:
        output_piece, output_whole = piece(output, position, chars)
    return Drawn(
        position,
        level_of(position),
        prompt_piece,
        prompt_whole,
        output_piece,
        output_whole,
        classes,
        output_classes,
        full=(prompt, output) if sample.whole else None,
    )


def _with_classes(
    counters: list[Callable[[str], int]], o200k_at: int | None, text: str
) -> tuple[list[int], tuple[int, ...]]:
    """Counts per base and the class histogram, encoding with o200k_base once."""
    o200k, histogram = class_histogram(text)
    counts = [o200k if index == o200k_at else count(text) for index, count in enumerate(counters)]
    return counts, histogram


def run_batch(job: Job, batch: Batch) -> tuple[Tally, list[Row]]:
    return run_records(job, _records(batch))


_WORKER_JOB: Job | None = None


def _start_worker(job: Job) -> None:
    global _WORKER_JOB
    _WORKER_JOB = job


def _worker_batch(batch: Batch) -> tuple[Tally, list[Row]]:
    assert _WORKER_JOB is not None
    return run_batch(_WORKER_JOB, batch)


def available_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def run_batches(
    job: Job, batches: Iterable[Batch], workers: int
) -> Iterator[tuple[Tally, list[Row]]]:
    """Each batch's tally and rows, in file order; ``workers`` > 1 counts on that many processes."""
    if workers <= 1:
        for batch in batches:
            yield run_batch(job, batch)
        return
    # fork: workers start at once and a script without a ``__main__`` guard still works
    # (spawn re-imports the main module); spawn where there is no fork.
    # Each worker builds its own tokenizer (~0.3 s): building it here first would share its
    # pages with forked workers, but also add a third copy to the job's summed resident memory.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start_worker, initargs=(job,)
    ) as pool:
        pending: deque[Future[tuple[Tally, list[Row]]]] = deque()
        try:
            for batch in batches:
                pending.append(pool.submit(_worker_batch, batch))
                while len(pending) >= workers * IN_FLIGHT_PER_WORKER:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()
