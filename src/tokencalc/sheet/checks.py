"""The validator's checks: a problem collector naming file, entry and field, the scalar checks
(numbers within bounds, integers, text, dates, lists, tables, allowed keys) and how a list of
problems becomes one :class:`~tokencalc.errors.PriceSheetError`.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from tokencalc.bounds import Bound
from tokencalc.errors import PriceSheetError
from tokencalc.sheet.merge import Origins
from tokencalc.sheet.model import ENTRY_TABLES

#: A TOML key that needs no quotes.
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def location(path: Sequence[Any]) -> str:
    """A key path as problems name it: ``models."gpt-5".batch.input``, ``plans."pro".limits[0]``."""
    parts: list[str] = []
    for index, key in enumerate(path):
        if isinstance(key, int):
            parts.append(f"[{key}]")
            continue
        quoted = (index == 1 and path[0] in ENTRY_TABLES) or not _BARE_KEY.match(key)
        text = json.dumps(key, ensure_ascii=False) if quoted else key
        parts.append(text if index == 0 else f".{text}")
    return "".join(parts) or "(top level)"


def show(value: Any) -> str:
    """A TOML value as a problem quotes it (strings in JSON quotes, tables and lists by kind)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return str(value)


#: Bounds on every number a sheet holds, so that any valid sheet can be priced (issue 10):
#: prices (US dollars per million tokens, per month, per request), multipliers and ratios are
#: at most a million; counts (context windows, thresholds, seats, caps) at most a trillion.
#: Exchange rates are held to ``bounds.BOUNDS["rate"]``, the bound ``--rate`` and the Python
#: API's ``rate=`` have: a rate the sheet stores is one a user could give.
MAX_SHEET_NUMBER = Decimal(1_000_000)
MAX_SHEET_INTEGER = 10**12
SHEET_NUMBER = Bound(Decimal(0), MAX_SHEET_NUMBER)
POSITIVE_SHEET_NUMBER = Bound(Decimal(0), MAX_SHEET_NUMBER, low_open=True)


class Validator:
    """Walks the merged sheet, collecting problems and building the entries that are sound."""

    def __init__(self, origins: Origins) -> None:
        self.origins = origins
        self.problems: list[str] = []

    def problem(
        self, path: Sequence[Any], message: str, *, blame: Iterable[tuple[Any, ...]] = ()
    ) -> None:
        """Record a problem at ``path``, named after the file that set it.

        ``blame``: the keys that together make the problem; the file that set the last of them
        is named (an overlay adding ``input`` beside the default's ``multiplier``).
        """
        blamed = list(blame)
        label = self.origins.latest(blamed) if blamed else self.origins.of(tuple(path))
        self.problems.append(f"{label}: {location(path)}: {message}")

    # -- scalar checks: each returns the value, or None after recording a problem

    def number(
        self,
        path: tuple[Any, ...],
        value: Any,
        *,
        positive: bool = False,
        bound: Bound | None = None,
    ) -> Decimal | None:
        """A number within ``bound`` (default: a sheet number, above 0 when ``positive``)."""
        if bound is None:
            bound = POSITIVE_SHEET_NUMBER if positive else SHEET_NUMBER
        if bound.low == 0:
            kind = "a positive number" if bound.low_open else "a non-negative number"
        else:
            kind = f"a number {'above' if bound.low_open else 'of at least'} {bound.low}"
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.problem(path, f"must be {kind}, got {show(value)}")
            return None
        if isinstance(value, float) and not math.isfinite(value):
            self.problem(path, f"must be {kind}, got {show(value)}")
            return None
        number = Decimal(str(value))
        if bound.holds(number):
            return number
        if bound.high is not None and number > bound.high:
            self.problem(path, f"must be at most {bound.high:,f} (a typo?), got {show(value)}")
        else:
            self.problem(path, f"must be {kind}, got {show(value)}")
        return None

    def integer(
        self,
        path: tuple[Any, ...],
        value: Any,
        *,
        minimum: int = 1,
        maximum: int = MAX_SHEET_INTEGER,
    ) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            kind = "a positive integer" if minimum == 1 else f"an integer ≥ {minimum}"
            self.problem(path, f"must be {kind}, got {show(value)}")
            return None
        if value > maximum:
            self.problem(path, f"must be at most {maximum:,} (a typo?), got {show(value)}")
            return None
        return value

    def text(self, path: tuple[Any, ...], value: Any) -> str | None:
        if not isinstance(value, str) or not value.strip():
            self.problem(path, f"must be a non-empty string, got {show(value)}")
            return None
        return value

    def flag(self, path: tuple[Any, ...], value: Any) -> bool | None:
        if not isinstance(value, bool):
            self.problem(path, f"must be true or false, got {show(value)}")
            return None
        return value

    def day(self, path: tuple[Any, ...], value: Any) -> date | None:
        if isinstance(value, datetime) or not isinstance(value, date):
            self.problem(
                path, f"must be a date written like 2026-11-22 (unquoted), got {show(value)}"
            )
            return None
        return value

    def strings(self, path: tuple[Any, ...], value: Any) -> tuple[str, ...] | None:
        if not isinstance(value, list):
            self.problem(path, f"must be a list of strings, got {show(value)}")
            return None
        sound = True
        for index, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                self.problem((*path, index), f"must be a non-empty string, got {show(item)}")
                sound = False
        return tuple(value) if sound else None

    def table(self, path: tuple[Any, ...], value: Any) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.problem(path, f"must be a table, got {show(value)}")
            return None
        return value

    def keys(
        self,
        path: tuple[Any, ...],
        data: Mapping[str, Any],
        required: Sequence[str],
        optional: Sequence[str] = (),
    ) -> bool:
        """Reject unknown keys (suggesting the allowed ones) and report missing required ones."""
        allowed = (*required, *optional)
        sound = True
        for key in data:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                self.problem((*path, key), f"unknown key{hint}; allowed keys: {', '.join(allowed)}")
                sound = False
        for key in required:
            if key not in data:
                self.problem(path, f"missing required key {key!r}")
                sound = False
        return sound


def sheet_error(problems: list[str]) -> PriceSheetError:
    if len(problems) == 1:
        return PriceSheetError(problems[0], problems)
    listed = "\n  ".join(problems)
    return PriceSheetError(f"{len(problems)} problems in the price sheet:\n  {listed}", problems)
