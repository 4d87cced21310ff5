"""Price-sheet rules that depend on when a request was made.

- **Windows**: a long-context table or a service tier may be offered only ``from`` a date
  and/or ``until`` a date (both inclusive, UTC days) — the Claude Sonnet 4/4.5 1M-context beta
  until 2026-04-30, Opus 4.8 fast mode until 2026-11-30.
- **Off-peak prices** (``[[models.<id>.off_peak]]``): hours of the UTC day (and, optionally,
  weekends) billed at a multiplier or at explicit prices — DeepSeek's discount hours.

Per-call fees and data residency, which depend on what else a request carried, are
:mod:`tokencalc.sheet.provider_rules`.

The validation here reports through the sheet's validator (see :mod:`tokencalc.sheet.checks`),
passed in as ``check``; nothing here prints or exits.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from decimal import Decimal
from typing import Any, Protocol

WINDOW_KEYS = ("from", "until")
OFF_PEAK_KEYS = (
    "from",
    "until",
    "hours",
    "peak_hours",
    "weekends",
    "multiplier",
    "input",
    "cached_input",
    "cache_write_5m",
    "cache_write_1h",
    "output",
    "notes",
)
_PRICE_FIELDS = ("input", "cached_input", "cache_write_5m", "cache_write_1h", "output")
_HOURS = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")


class Checker(Protocol):
    """The parts of the sheet validator these rules use."""

    def problem(self, path: Sequence[Any], message: str) -> None: ...
    def number(
        self, path: tuple[Any, ...], value: Any, *, positive: bool = False
    ) -> Decimal | None: ...
    def text(self, path: tuple[Any, ...], value: Any) -> str | None: ...
    def flag(self, path: tuple[Any, ...], value: Any) -> bool | None: ...
    def day(self, path: tuple[Any, ...], value: Any) -> date | None: ...
    def strings(self, path: tuple[Any, ...], value: Any) -> tuple[str, ...] | None: ...
    def table(self, path: tuple[Any, ...], value: Any) -> dict[str, Any] | None: ...
    def keys(
        self,
        path: tuple[Any, ...],
        data: Mapping[str, Any],
        required: Sequence[str],
        optional: Sequence[str] = (),
    ) -> bool: ...


def in_force(start: date | None, end: date | None, on: date) -> bool:
    """Whether a window ``[start, end]`` (either end open when None) holds the day ``on``."""
    return (start is None or start <= on) and (end is None or on <= end)


def window_text(start: date | None, end: date | None) -> str:
    """``from 2026-03-13``, ``until 2026-04-30``, ``2026-08-17 to 2026-08-22``, or ``""``."""
    if start and end:
        return f"{start.isoformat()} to {end.isoformat()}"
    if start:
        return f"from {start.isoformat()}"
    if end:
        return f"until {end.isoformat()}"
    return ""


def check_window(
    check: Checker, path: tuple[Any, ...], body: Mapping[str, Any]
) -> tuple[date | None, date | None, bool]:
    """The ``from``/``until`` of a table (None when absent) and whether they are sound."""
    start = check.day((*path, "from"), body["from"]) if "from" in body else None
    end = check.day((*path, "until"), body["until"]) if "until" in body else None
    sound = ("from" not in body or start is not None) and ("until" not in body or end is not None)
    if start is not None and end is not None and end < start:
        check.problem(
            (*path, "until"),
            f"must not be before from ({start.isoformat()}), got {end.isoformat()}",
        )
        sound = False
    return start, end, sound


def _utc(when: datetime) -> datetime:
    return (
        when.replace(tzinfo=timezone.utc) if when.tzinfo is None else when.astimezone(timezone.utc)
    )


# --- off-peak hours ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OffPeak:
    """Hours billed at other prices: ``hours`` are off-peak, or (``peak``) the hours that are not.

    Prices are a ``multiplier`` of the standard ones or explicit (absent cache prices scale
    like ``input``). ``weekends``: Saturday and Sunday (UTC) are off-peak all day.
    """

    windows: tuple[tuple[time, time], ...]
    peak: bool  # True: ``windows`` are the peak hours, every other hour is off-peak
    weekends: bool = False
    multiplier: Decimal | None = None
    input: Decimal | None = None
    cached_input: Decimal | None = None
    cache_write_5m: Decimal | None = None
    cache_write_1h: Decimal | None = None
    output: Decimal | None = None
    start: date | None = None
    end: date | None = None
    notes: str | None = None

    def applies(self, when: datetime) -> bool:
        """Whether a request made at ``when`` (naive = UTC) is billed at these prices."""
        moment = _utc(when)
        if not in_force(self.start, self.end, moment.date()):
            return False
        if self.weekends and moment.weekday() >= 5:
            return True
        inside = any(_within(moment.time(), begin, finish) for begin, finish in self.windows)
        return not inside if self.peak else inside

    def describe(self) -> str:
        """For people: ``UTC 16:30-00:30 at 0.5×`` / ``outside UTC 01:00-04:00, 06:00-10:00 …``."""
        hours = ", ".join(f"{a.strftime('%H:%M')}-{b.strftime('%H:%M')}" for a, b in self.windows)
        when = f"outside UTC {hours}" if self.peak else f"UTC {hours}"
        if self.weekends:
            when += " and all day Saturday and Sunday (UTC)"
        price = (
            f"{self.multiplier.normalize():f}× the standard prices"
            if self.multiplier is not None
            else "its own prices"
        )
        span = window_text(self.start, self.end)
        return f"off-peak {when} at {price}" + (f" ({span})" if span else "")


def _within(moment: time, begin: time, finish: time) -> bool:
    if begin <= finish:
        return begin <= moment < finish
    return moment >= begin or moment < finish  # a window across midnight


def parse_hours(
    check: Checker, path: tuple[Any, ...], value: Any
) -> tuple[tuple[time, time], ...] | None:
    listed = check.strings(path, value)
    if listed is None:
        return None
    windows = []
    for index, text in enumerate(listed):
        found = _HOURS.match(text.strip())
        hours = [int(found.group(n)) for n in range(1, 5)] if found else []
        if (
            not found
            or hours[0] > 23
            or hours[2] > 24
            or hours[1] > 59
            or hours[3] > 59
            or (hours[2] == 24 and hours[3])
        ):
            check.problem(
                (*path, index),
                f'must be UTC hours written "HH:MM-HH:MM" (e.g. "16:30-00:30"), got {text!r}',
            )
            return None
        begin = time(hours[0], hours[1])
        finish = time(0, 0) if hours[2] == 24 else time(hours[2], hours[3])
        if begin == finish:
            check.problem((*path, index), f"is an empty window, got {text!r}")
            return None
        windows.append((begin, finish))
    if not windows:
        check.problem(path, "must list at least one window")
        return None
    return tuple(windows)


def parse_off_peak(check: Checker, path: tuple[Any, ...], body: Any) -> tuple[OffPeak, ...] | None:
    """``[[models.<id>.off_peak]]`` entries, or None after reporting what is wrong."""
    if not isinstance(body, list):
        check.problem(path, "must be an array of tables ([[...off_peak]])")
        return None
    rules = []
    sound = True
    for index, item in enumerate(body):
        here = (*path, index)
        if check.table(here, item) is None:
            sound = False
            continue
        ok = check.keys(here, item, (), OFF_PEAK_KEYS)
        given = [k for k in ("hours", "peak_hours") if k in item]
        if len(given) != 1:
            check.problem(
                here,
                "give either hours (the off-peak UTC windows) or peak_hours (the peak ones), exactly one",
            )
            sound = False
            continue
        windows = parse_hours(check, (*here, given[0]), item[given[0]])
        weekends = (
            check.flag((*here, "weekends"), item["weekends"]) if "weekends" in item else False
        )
        start, end, window_ok = check_window(check, here, item)
        explicit = [k for k in _PRICE_FIELDS if k in item]
        multiplier = None
        prices: dict[str, Decimal | None] = dict.fromkeys(_PRICE_FIELDS)
        if "multiplier" in item:
            if explicit:
                check.problem(
                    here,
                    f"give a multiplier or explicit prices, not both (found multiplier and {', '.join(explicit)})",
                )
                ok = False
            multiplier = check.number((*here, "multiplier"), item["multiplier"])
            ok = ok and multiplier is not None
        elif not {"input", "output"} <= set(explicit):
            check.problem(here, "needs a multiplier, or explicit prices with input and output")
            ok = False
        for name in explicit:
            prices[name] = check.number((*here, name), item[name])
            ok = ok and prices[name] is not None
        notes = check.text((*here, "notes"), item["notes"]) if "notes" in item else None
        if (
            not (ok and window_ok)
            or windows is None
            or weekends is None
            or ("notes" in item and notes is None)
        ):
            sound = False
            continue
        rules.append(
            OffPeak(
                windows,
                given[0] == "peak_hours",
                weekends,
                multiplier,
                start=start,
                end=end,
                notes=notes,
                **prices,
            )
        )
    return tuple(rules) if sound else None
