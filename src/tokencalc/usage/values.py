"""Reading loosely typed values from usage files: token counts, timestamps, money."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

#: No single record holds more tokens than this (a petatoken); larger counts are corrupt data,
#: and accepting them would turn a total into nonsense or overflow the money maths.
MAX_TOKENS = 10**15
#: The largest amount one cost field may hold (in the unit it is written in), for the same reason.
MAX_AMOUNT = 10**15
#: Years a usage timestamp may fall in. The margin keeps every timestamp convertible to any
#: time zone (years 1 and 9999 overflow ``datetime`` when shifted), and nothing before 1971
#: is real usage (epoch 0 is an unset field).
MIN_YEAR, MAX_YEAR = 1971, 9998


class BadValue(ValueError):
    """A field holds something that cannot be a count, a time or an amount."""


def json_object(parent: Mapping[str, Any], key: str) -> dict[str, Any]:
    """``parent[key]`` when it is a JSON object; an empty one when it is missing or not one."""
    value = parent.get(key)
    return value if isinstance(value, dict) else {}


def token_count(value: Any, name: str, *, default: int | None = 0) -> int:
    """A non-negative whole count from an int, an integral float/Decimal or a numeric string.

    ``None`` or a missing/empty value gives ``default`` (or raises when it is None).
    Dashboard CSVs write counts as ``143.0``; that is accepted, ``143.5`` is not.
    """
    if value is None or value == "":
        if default is None:
            raise BadValue(f"missing {name}")
        return default
    if isinstance(value, bool):
        raise BadValue(f"{name} is not a number: {value!r}")
    if isinstance(value, int):
        number = value
    else:
        try:
            exact = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            raise BadValue(f"{name} is not a number: {value!r}") from None
        if not exact.is_finite():
            raise BadValue(f"{name} is not a whole number: {value!r}")
        if exact > MAX_TOKENS:  # before int(): 1e999999999 would take forever to expand
            raise BadValue(f"{name} is implausibly large: {value!r}")
        if exact != exact.to_integral_value():
            raise BadValue(f"{name} is not a whole number: {value!r}")
        number = int(exact)
    if number > MAX_TOKENS:
        raise BadValue(f"{name} is implausibly large: {value!r}")
    if number < 0:
        raise BadValue(f"negative {name}: {number}")
    return number


def money(value: Any, name: str) -> Decimal:
    """A Decimal amount from a number or a decimal string (floats via their shortest repr)."""
    if value is None or value == "" or isinstance(value, bool):
        raise BadValue(f"missing {name}")
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise BadValue(f"{name} is not an amount: {value!r}") from None
    if not amount.is_finite():
        raise BadValue(f"{name} is not an amount: {value!r}")
    if abs(amount) > MAX_AMOUNT:
        raise BadValue(f"{name} is implausibly large: {value!r}")
    return amount


_FRACTION = re.compile(r"\.(\d+)")
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def timestamp(value: Any, name: str = "timestamp") -> datetime:
    """A timezone-aware UTC datetime from ISO 8601 text or epoch seconds.

    Naive ISO times and bare dates are taken as UTC (the formats we read write UTC). Times
    outside the years :data:`MIN_YEAR`–:data:`MAX_YEAR` are rejected.
    """
    parsed = _parse_time(value, name)
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise BadValue(f"{name} out of range: {value!r}")
    return parsed


def _parse_time(value: Any, name: str) -> datetime:
    if value is None or value == "" or isinstance(value, bool):
        raise BadValue(f"missing {name}")
    if isinstance(value, (int, float, Decimal)):
        try:
            return datetime.fromtimestamp(float(value), tz=timezone.utc)
        except (OverflowError, OSError, ValueError):
            raise BadValue(f"{name} out of range: {value!r}") from None
    if not isinstance(value, str):
        raise BadValue(f"{name} is not a time: {value!r}")
    text = value.strip()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return _parse_time(float(text), name)
    if _DATE_ONLY.match(text):
        text += "T00:00:00"
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    # Python 3.10's fromisoformat takes only 3 or 6 fractional digits.
    text = _FRACTION.sub(lambda m: "." + (m.group(1) + "000000")[:6], text, count=1)
    text = text.replace(" ", "T", 1) if "T" not in text else text
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise BadValue(f"{name} is not a time: {value!r}") from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=timezone.utc)
    try:
        return parsed.astimezone(timezone.utc)
    except OverflowError:  # year 1 or 9999 pushed past the calendar by its offset
        raise BadValue(f"{name} out of range: {value!r}") from None
