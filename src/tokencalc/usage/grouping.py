"""Grouping records (and vendor costs) by day, month or model for the CLI's tables."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timezone, tzinfo

from tokencalc.errors import UsageError
from tokencalc.usage.records import UsageRecord, VendorCost
from tokencalc.usage.registry import BILLING_SOURCES

GROUPINGS = ("day", "month", "model")
UNKNOWN_MODEL = "unknown"


def _local(when: datetime, tz: tzinfo) -> datetime:
    """``when`` in ``tz``; at the ends of the calendar (which the readers reject) it stays put."""
    try:
        return when.astimezone(tz)
    except OverflowError:
        return when


def _is_daily_bucket(record: UsageRecord) -> bool:
    """Billing rows starting at UTC midnight are a UTC day's total: they stay on that day."""
    return record.source in BILLING_SOURCES and _local(
        record.timestamp, timezone.utc
    ).time() == time(0)


def _period(when: datetime, by: str) -> str:
    return when.strftime("%Y-%m-%d" if by == "day" else "%Y-%m")


def group_records(records: list[UsageRecord], by: str, tz: tzinfo) -> dict[str, list[UsageRecord]]:
    """Records by ``"day"`` or ``"month"`` (in ``tz``) or by ``"model"``; keys sorted.

    Day and month are taken after converting each timestamp to ``tz``, except for billing-export
    rows that are whole UTC days (they cannot be split), which keep their UTC date. Records
    without a model group under ``"unknown"``. Each group is in time order.
    """
    if by not in GROUPINGS:
        raise UsageError(f"cannot group by {by!r} (choose {', '.join(GROUPINGS)})")
    groups: dict[str, list[UsageRecord]] = defaultdict(list)
    for record in sorted(records, key=lambda r: r.timestamp):
        if by == "model":
            key = record.model or UNKNOWN_MODEL
        elif _is_daily_bucket(record):
            key = _period(_local(record.timestamp, timezone.utc), by)
        else:
            key = _period(_local(record.timestamp, tz), by)
        groups[key].append(record)
    return {key: groups[key] for key in sorted(groups)}


def group_vendor_costs(costs: list[VendorCost], by: str) -> dict[str, list[VendorCost]]:
    """Vendor cost rows by UTC ``"day"``/``"month"`` (their buckets are UTC days) or ``"model"``."""
    if by not in GROUPINGS:
        raise UsageError(f"cannot group by {by!r} (choose {', '.join(GROUPINGS)})")
    groups: dict[str, list[VendorCost]] = defaultdict(list)
    for cost in sorted(costs, key=lambda c: c.timestamp):
        if by == "model":
            key = cost.model or UNKNOWN_MODEL
        else:
            key = _period(_local(cost.timestamp, timezone.utc), by)
        groups[key].append(cost)
    return {key: groups[key] for key in sorted(groups)}
