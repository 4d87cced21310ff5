"""Views of usage records: the dimensions ``--by`` groups on, and the ``--since``/``--until``/``--project`` filters.

A view never changes what is counted, only how it is split: every record lands in exactly one
group of any view, so the totals are the same whichever ``--by`` is chosen (a test pins it).

Days (and the weeks and months made of them) are local days in the report's time zone, except
for billing-export rows that are a whole UTC day's total, which keep their UTC date (they
cannot be split); vendor cost rows are UTC days too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo

from tokencalc.errors import UsageError
from tokencalc.usage.records import UsageRecord, VendorCost, agent_of
from tokencalc.usage.registry import BILLING_SOURCES
from tokencalc.wording import Arg

#: What ``--by`` accepts; several may be combined (``--by month --by model``).
DIMENSIONS = ("day", "week", "month", "session", "project", "model", "source", "agent")
TIME_DIMENSIONS = ("day", "week", "month")
#: Group key of records that lack a dimension's value.
NO_SESSION = "(no session)"
NO_PROJECT = "(no project)"
NONE = "—"
#: The agent (``--by agent``) of vendor cost exports: the API whose bill they are.
COST_AGENTS = {"openai-costs": "openai-api", "anthropic-costs": "anthropic-api"}


def dimensions(by: str | Sequence[str]) -> tuple[str, ...]:
    """``by`` as a tuple of distinct dimensions, in the order given; raises UsageError on a bad one."""
    chosen = (by,) if isinstance(by, str) else tuple(by)
    if not chosen:
        return ("day",)
    for name in chosen:
        if name not in DIMENSIONS:
            raise UsageError(f"cannot group by {name!r} (choose {', '.join(DIMENSIONS)})")
    return tuple(dict.fromkeys(chosen))


def local_day(record: UsageRecord, tz: tzinfo | None) -> date:
    """The record's day in ``tz`` (None: local time); whole-UTC-day billing rows keep their UTC date."""
    when = record.timestamp
    try:
        if record.source in BILLING_SOURCES and when.astimezone(timezone.utc).time() == time(0):
            return when.astimezone(timezone.utc).date()
        return when.astimezone(tz).date()
    except OverflowError:  # the ends of the calendar (the readers reject them) stay put
        return when.date()


def _period(day: date, name: str) -> str:
    if name == "day":
        return day.isoformat()
    if name == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return day.strftime("%Y-%m")


def record_key(
    dims: tuple[str, ...], record: UsageRecord, day: date, model_id: str
) -> tuple[str, ...]:
    """The group a record belongs to under ``dims``; ``model_id`` is its price-sheet model."""
    parts: list[str] = []
    for name in dims:
        if name in TIME_DIMENSIONS:
            parts.append(_period(day, name))
        elif name == "model":
            parts.append(model_id)
        elif name == "session":
            parts.append(record.session or NO_SESSION)
        elif name == "project":
            parts.append(record.project or NO_PROJECT)
        elif name == "source":
            parts.append(record.source)
        else:
            parts.append(agent_of(record))
    return tuple(parts)


def cost_key(dims: tuple[str, ...], cost: VendorCost, model_key: str) -> tuple[str, ...]:
    """The group a vendor cost row belongs to (it has no session or project: ``—``)."""
    parts: list[str] = []
    for name in dims:
        if name in TIME_DIMENSIONS:
            parts.append(_period(cost.date, name))
        elif name == "model":
            parts.append(model_key)
        elif name == "source":
            parts.append(cost.source)
        elif name == "agent":
            parts.append(COST_AGENTS.get(cost.source, NONE))
        else:
            parts.append(NONE)
    return tuple(parts)


# --- filters -------------------------------------------------------------------------------------

_RELATIVE = re.compile(r"^(\d{1,5})([dwm])$")
_PERIODS = (
    "today",
    "yesterday",
    "this-week",
    "last-week",
    "this-month",
    "last-month",
    "this-year",
    "last-year",
)


def _month_start(day: date, back: int = 0) -> date:
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def _period_bounds(name: str, today: date) -> tuple[date, date]:
    if name == "today":
        return today, today
    if name == "yesterday":
        day = today - timedelta(days=1)
        return day, day
    if name in ("this-week", "last-week"):
        start = (
            today
            - timedelta(days=today.weekday())
            - timedelta(days=7 if name == "last-week" else 0)
        )
        return start, start + timedelta(days=6)
    if name in ("this-month", "last-month"):
        start = _month_start(today, 1 if name == "last-month" else 0)
        return start, _month_start(today, 0 if name == "last-month" else -1) - timedelta(days=1)
    year = today.year - (1 if name == "last-year" else 0)
    return date(year, 1, 1), date(year, 12, 31)


def parse_bound(text: str, today: date, *, end: bool, name: str) -> date:
    """A ``--since`` (``end`` False) or ``--until`` (``end`` True) value as an inclusive day.

    ``name`` is the argument's core name (``since``, ``until``): errors name it for the edge to word.

    - ``YYYY-MM-DD`` (or ``YYYYMMDD``): that day; ``YYYY-MM``: the month's first (since) or last (until) day.
    - ``Nd``, ``Nw``, ``Nm``: the last N days, weeks (7 days) or months (30 days), today included —
      ``--since 7d`` starts them, ``--until 7d`` ends just before them (so
      ``--since 14d --until 7d`` is the 7 days before the last 7).
    - ``today``, ``yesterday``, ``this-week``/``last-week`` (weeks start on Monday),
      ``this-month``/``last-month``, ``this-year``/``last-year``: the period's first day (since) or last (until).
    """
    value = text.strip().lower()
    match = _RELATIVE.match(value)
    if match:
        count = int(match.group(1)) * {"d": 1, "w": 7, "m": 30}[match.group(2)]
        if count == 0:
            raise UsageError.naming(Arg(name), f": {text!r} names no days (give 1d or more)")
        start = today - timedelta(days=count - 1)
        return start - timedelta(days=1) if end else start
    if value in _PERIODS:
        first, last = _period_bounds(value, today)
        return last if end else first
    try:
        if re.fullmatch(r"\d{4}-\d{2}", value):
            first = date.fromisoformat(value + "-01")
            return _month_start(first, -1) - timedelta(days=1) if end else first
        if re.fullmatch(r"\d{8}", value):
            return date(int(value[:4]), int(value[4:6]), int(value[6:]))
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return date.fromisoformat(value)
    except ValueError:
        raise UsageError.naming(Arg(name), f": {text!r} is not a real date") from None
    raise UsageError.naming(
        Arg(name),
        f": cannot read {text!r} (give YYYY-MM-DD, YYYY-MM, 7d/4w/3m, today, yesterday, "
        "this-week, last-week, this-month, last-month, this-year or last-year)",
    )


@dataclass(frozen=True)
class RecordFilter:
    """Which records a report keeps: days from ``since`` to ``until`` (both included) and a project."""

    since: date | None = None
    until: date | None = None
    project: str | None = None  # case-insensitive substring of the record's project

    @property
    def active(self) -> bool:
        return self.since is not None or self.until is not None or bool(self.project)

    def _day_ok(self, day: date) -> bool:
        return (self.since is None or day >= self.since) and (
            self.until is None or day <= self.until
        )

    def keeps(self, record: UsageRecord, tz: tzinfo | None) -> bool:
        if self.project and (
            record.project is None or self.project.lower() not in record.project.lower()
        ):
            return False
        return self._day_ok(local_day(record, tz))

    def keeps_cost(self, cost: VendorCost) -> bool:
        """Vendor cost rows carry no project: a ``--project`` filter drops them."""
        return not self.project and self._day_ok(cost.date)

    def records(self, records: Iterable[UsageRecord], tz: tzinfo | None) -> list[UsageRecord]:
        return [r for r in records if self.keeps(r, tz)] if self.active else list(records)

    def costs(self, costs: Iterable[VendorCost]) -> list[VendorCost]:
        return [c for c in costs if self.keeps_cost(c)] if self.active else list(costs)


def make_filter(
    since: str | None,
    until: str | None,
    project: str | None,
    tz: tzinfo | None,
    now: datetime | None = None,
) -> RecordFilter:
    """The filter the options ask for, relative words read against today in ``tz``."""
    today = (now or datetime.now(timezone.utc)).astimezone(tz).date()
    first = parse_bound(since, today, end=False, name="since") if since else None
    last = parse_bound(until, today, end=True, name="until") if until else None
    if first is not None and last is not None and first > last:
        raise UsageError.naming(
            Arg("since"), f" {since} ({first}) is after ", Arg("until"), f" {until} ({last})"
        )
    return RecordFilter(first, last, project.strip() if project and project.strip() else None)
