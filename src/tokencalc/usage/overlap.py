"""The same billing usage exported twice: found across files and counted once.

Users keep both the dashboard CSV and the API JSON of one organisation, or exports of
overlapping date ranges. The two name the same key, project or workspace differently and
group rows differently (by project, by hour), so their rows never share a de-duplication key,
and summing them doubles the bill.

The rule (see ``docs/usage.md``): rows are summed per file to UTC day and model (to UTC day
alone when either file names no models). Two files of the same source are **the same usage**
when at least one of the (day, model) totals both files have is identical in every token
count, and at least half of them are. Then, for every shared (day, model): when the totals are
identical one file's rows are dropped; when they differ — a day still in progress when the
earlier export was taken — the larger total is kept and the other file's rows for it dropped.
Totals of what only one file has are kept. Coincidence is not a concern in practice: equal
input, cached, cache-write and output token totals for the same model on the same day from
two different organisations do not happen by chance.

Cost exports are compared the same way on daily totals of their amounts.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import timezone
from decimal import Decimal
from typing import Generic, TypeVar

from tokencalc.usage.records import MergedExport, UsageRecord, VendorCost

T = TypeVar("T")
Key = tuple[str, str]  # (UTC day, model or "")
Totals = tuple[Decimal, ...]


@dataclass
class _FileRows(Generic[T]):
    """The rows one file contributed, in reading order."""

    label: str
    rows: list[T] = field(default_factory=list)


class ExportRows(Generic[T]):
    """Rows of one billing source, kept per file: exact duplicates (the same row read twice,
    from the same export given twice) dropped as they arrive, overlaps settled at the end."""

    def __init__(self) -> None:
        self._files: dict[str, _FileRows[T]] = {}
        self._seen: set[Hashable] = set()
        self.duplicates = 0

    def add(self, row: T, key: Hashable | None, label: str) -> None:
        if key is not None:
            if key in self._seen:
                self.duplicates += 1
                return
            self._seen.add(key)
        self._files.setdefault(label, _FileRows(label)).rows.append(row)

    def files(self) -> list[_FileRows[T]]:
        return list(self._files.values())


def _usage_key(record: UsageRecord, by_model: bool) -> Key:
    day = record.timestamp.astimezone(timezone.utc).date().isoformat()
    return (day, (record.model or "").strip().lower() if by_model else "")


def _usage_totals(record: UsageRecord) -> Totals:
    return (
        Decimal(record.input_tokens),
        Decimal(record.cache_read_tokens),
        Decimal(record.cache_write_5m_tokens + record.cache_write_1h_tokens),
        Decimal(record.output_tokens),
        Decimal(record.web_search_requests),
    )


def _cost_key(cost: VendorCost, by_model: bool) -> Key:
    return (cost.date.isoformat(), "")


def _cost_totals(cost: VendorCost) -> Totals:
    return (cost.amount_usd,)


def _sums(
    rows: Sequence[T], key: Callable[[T, bool], Key], totals: Callable[[T], Totals], by_model: bool
) -> dict[Key, Totals]:
    sums: dict[Key, list[Decimal]] = {}
    for row in rows:
        values = totals(row)
        running = sums.setdefault(key(row, by_model), [Decimal(0)] * len(values))
        for i, value in enumerate(values):
            running[i] += value
    return {k: tuple(v) for k, v in sums.items()}


def _names_models(rows: Sequence[UsageRecord]) -> bool:
    return any(r.model for r in rows)


def merge_overlaps(
    exports: ExportRows[T],
    *,
    source: str,
    kind: str,
    key: Callable[[T, bool], Key],
    totals: Callable[[T], Totals],
    names_models: Callable[[Sequence[T]], bool] = lambda rows: False,
) -> tuple[list[T], list[MergedExport], int]:
    """``(rows counted, files merged, rows dropped)`` after settling overlaps between files."""
    files = exports.files()
    kept: list[_FileRows[T]] = []
    merged: list[MergedExport] = []
    dropped_total = 0
    for current in files:
        for earlier in kept:
            by_model = names_models(current.rows) and names_models(earlier.rows)
            mine = _sums(current.rows, key, totals, by_model)
            theirs = _sums(earlier.rows, key, totals, by_model)
            shared = sorted(set(mine) & set(theirs))
            matching = [k for k in shared if mine[k] == theirs[k]]
            if not matching or 2 * len(matching) < len(shared):
                continue
            differing = [k for k in shared if mine[k] != theirs[k]]
            drop_mine = set(matching) | {k for k in differing if sum(mine[k]) <= sum(theirs[k])}
            drop_theirs = {k for k in differing if sum(mine[k]) > sum(theirs[k])}
            before = len(current.rows) + len(earlier.rows)
            current.rows = [r for r in current.rows if key(r, by_model) not in drop_mine]
            earlier.rows = [r for r in earlier.rows if key(r, by_model) not in drop_theirs]
            dropped = before - len(current.rows) - len(earlier.rows)
            dropped_total += dropped
            merged.append(
                MergedExport(
                    source=source,
                    kind=kind,
                    kept=earlier.label,
                    duplicate=current.label,
                    shared=len(shared),
                    matching=len(matching),
                    differing=len(differing),
                    dropped=dropped,
                    first_day=shared[0][0],
                    last_day=shared[-1][0],
                )
            )
        kept.append(current)
    rows = [row for f in kept for row in f.rows]
    return rows, merged, dropped_total


def merge_usage(
    exports: ExportRows[UsageRecord], source: str
) -> tuple[list[UsageRecord], list[MergedExport], int]:
    """Usage rows of one billing source, each piece of usage counted once across files."""
    return merge_overlaps(
        exports,
        source=source,
        kind="usage",
        key=_usage_key,
        totals=_usage_totals,
        names_models=_names_models,
    )


def merge_costs(
    exports: ExportRows[VendorCost], source: str
) -> tuple[list[VendorCost], list[MergedExport], int]:
    """Cost rows of one cost source, each day's figure counted once across files."""
    return merge_overlaps(exports, source=source, kind="costs", key=_cost_key, totals=_cost_totals)
