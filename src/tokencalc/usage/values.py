"""Reading loosely typed values from usage files: token counts, timestamps, money."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any


class BadValue(ValueError):
    """A field holds something that cannot be a count, a time or an amount."""


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
        if not exact.is_finite() or exact != exact.to_integral_value():
            raise BadValue(f"{name} is not a whole number: {value!r}")
        number = int(exact)
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
    return amount


_FRACTION = re.compile(r"\.(\d+)")
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def timestamp(value: Any, name: str = "timestamp") -> datetime:
    """A timezone-aware UTC datetime from ISO 8601 text or epoch seconds.

    Naive ISO times and bare dates are taken as UTC (the formats we read write UTC).
    """
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
        return timestamp(float(text), name)
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
    return parsed.astimezone(timezone.utc)
