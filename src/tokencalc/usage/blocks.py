"""Rolling 5-hour windows ("blocks") of usage, as Claude and ChatGPT plans meter them.

The rule (documented in docs/usage.md, pinned by tests):

- Records are taken in time order. A window starts at the whole UTC hour of the first record
  not yet in a window, and lasts :data:`WINDOW` (5 hours): ``[start, start + 5 h)``.
- A record at or after the window's end starts the next window — so a gap longer than the
  window always starts a new one, and windows never overlap. A record exactly at the end
  belongs to the next window.
- Time zones only change how the times are shown: windows are worked out on UTC instants.
- Billing-export rows (whole days of many requests) are not usage inside a window and are
  left out (counted in :attr:`Blocks.left_out`).
- The active window is the one ``now`` falls in. Its burn rate is its cost (and tokens) over
  the time from its first record to ``now`` (at least one minute), and its projection adds that
  rate until its end.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from tokencalc.usage.records import UsageRecord
from tokencalc.usage.registry import BILLING_SOURCES

WINDOW = timedelta(hours=5)
MIN_ELAPSED = timedelta(minutes=1)
ZERO = Decimal(0)


def window_start(when: datetime) -> datetime:
    """The whole UTC hour at or before ``when``."""
    utc = when.astimezone(timezone.utc)
    return utc.replace(minute=0, second=0, microsecond=0)


def split(
    records: Iterable[UsageRecord], window: timedelta = WINDOW
) -> list[tuple[datetime, list[UsageRecord]]]:
    """``(window start, its records in time order)`` for every window that holds records."""
    windows: list[tuple[datetime, list[UsageRecord]]] = []
    end: datetime | None = None
    for record in sorted(records, key=lambda r: r.timestamp):
        if end is None or record.timestamp >= end:
            start = window_start(record.timestamp)
            end = start + window
            windows.append((start, []))
        windows[-1][1].append(record)
    return windows


def window_starts(epochs: Sequence[float], window: timedelta = WINDOW) -> list[float]:
    """The same rule on sorted epoch seconds: the start of the window each instant falls in."""
    length = window.total_seconds()
    starts: list[float] = []
    start = end = None
    for when in epochs:
        if end is None or when >= end:
            start = when - when % 3600
            end = start + length
        starts.append(start)  # type: ignore[arg-type]
    return starts


@dataclass(frozen=True)
class Block:
    """One window: its span, what was used in it and what that would have cost on the API."""

    start: datetime
    end: datetime
    first: datetime  # first and last record inside
    last: datetime
    requests: int
    input_tokens: int  # cache reads and writes included
    cache_read_tokens: int
    cache_write_tokens: int
    output_tokens: int
    cost: Decimal  # of the priced records, in the report's currency
    unpriced_requests: int  # records of models the sheet does not know (not in ``cost``)
    models: tuple[str, ...]

    @property
    def tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    def is_active(self, now: datetime) -> bool:
        return self.start <= now < self.end


@dataclass(frozen=True)
class Burn:
    """The active window's pace and where it ends up at that pace."""

    cost_per_hour: Decimal
    tokens_per_minute: Decimal
    remaining: timedelta
    projected_cost: Decimal
    projected_tokens: int


@dataclass(frozen=True)
class Blocks:
    blocks: tuple[Block, ...]
    active: Block | None
    burn: Burn | None
    left_out: int  # billing rows, not usage inside a window


#: ``price(records) -> (cost, unpriced requests)`` of some records.
Pricer = Callable[[Sequence[UsageRecord]], tuple[Decimal, int]]


def build(
    records: Iterable[UsageRecord], price: Pricer, now: datetime, window: timedelta = WINDOW
) -> Blocks:
    """Every window of ``records`` (billing rows left out), the active one at ``now`` and its burn rate."""
    kept: list[UsageRecord] = []
    left_out = 0
    for record in records:
        if record.source in BILLING_SOURCES:
            left_out += 1
        else:
            kept.append(record)
    blocks = []
    for start, members in split(kept, window):
        cost, unpriced = price(members)
        blocks.append(
            Block(
                start=start,
                end=start + window,
                first=members[0].timestamp,
                last=members[-1].timestamp,
                requests=sum(r.requests for r in members),
                input_tokens=sum(r.input_tokens for r in members),
                cache_read_tokens=sum(r.cache_read_tokens for r in members),
                cache_write_tokens=sum(
                    r.cache_write_5m_tokens + r.cache_write_1h_tokens for r in members
                ),
                output_tokens=sum(r.output_tokens for r in members),
                cost=cost,
                unpriced_requests=unpriced,
                models=tuple(sorted({r.model for r in members if r.model})),
            )
        )
    active = blocks[-1] if blocks and blocks[-1].is_active(now) else None
    return Blocks(tuple(blocks), active, burn_of(active, now) if active else None, left_out)


def burn_of(block: Block, now: datetime) -> Burn:
    """The pace of ``block`` from its first record to ``now``, projected to its end.

    Worked in whole seconds so that round figures stay exact (no 1/3600 of an hour).
    """
    elapsed = Decimal(int(max(now - block.first, MIN_ELAPSED).total_seconds()))
    remaining = max(block.end - now, timedelta(0))
    left = Decimal(int(remaining.total_seconds()))
    return Burn(
        cost_per_hour=block.cost * 3600 / elapsed,
        tokens_per_minute=Decimal(block.tokens) * 60 / elapsed,
        remaining=remaining,
        projected_cost=block.cost + block.cost * left / elapsed,
        projected_tokens=block.tokens + int(Decimal(block.tokens) * left / elapsed),
    )
