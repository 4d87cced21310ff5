"""Checking the Python API's arguments, and running its calls in tokencalc's decimal context.

Every check raises :class:`~tokencalc.errors.UsageError` naming the parameter; bounds come from
the one table the CLI uses too (:mod:`tokencalc.bounds`).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeVar

from tokencalc.bounds import BOUNDS
from tokencalc.errors import UsageError

_F = TypeVar("_F", bound=Callable[..., Any])


def local_decimal(function: _F) -> _F:
    """Run ``function`` in tokencalc's own decimal context: the caller's (``prec = 3``, traps)
    never changes a count estimate or a cost."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from tokencalc.pricing.costs import money_context

        with money_context():
            return function(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def day_argument(on: date | str | None) -> date:
    """``on`` as a day: a ``date`` (a ``datetime``'s date), an ISO string, or None for today."""
    if on is None:
        return date.today()
    if isinstance(on, datetime):
        return on.date()
    if isinstance(on, date):
        return on
    if isinstance(on, str):
        try:
            return date.fromisoformat(on.strip())
        except ValueError:
            pass
    raise UsageError(f"on must be a datetime.date or a date string like '2026-11-22', got {on!r}")


def number_argument(
    name: str, value: float | Decimal | str, *, bound: str | None = None
) -> Decimal:
    """A number argument within its bound (``tokencalc.bounds``, under ``bound`` or ``name``),
    exactly as given (floats through ``str``)."""
    limits = BOUNDS[bound or name]
    number: Decimal | None = None
    if isinstance(value, (int, float, Decimal, str)) and not isinstance(value, bool):
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            number = None
    if number is None or not number.is_finite() or not limits.holds(number):
        if limits.low_open:
            wanted = f"above {limits.low}" + (
                f" and at most {limits.high:,f}" if limits.high is not None else ""
            )
        else:
            wanted = f"from {limits.low} to {limits.high}"
        raise UsageError(f"{name} must be a number {wanted}, got {value!r}")
    return number


def token_argument(name: str, value: int | None, *, bound: str | None = None) -> None:
    limits = BOUNDS[bound or name]
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, int) or not limits.holds(value)
    ):
        raise UsageError(f"{name} must be a non-negative int, got {value!r}")


def flag_argument(name: str, value: object) -> bool:
    """A yes/no argument (``exact``): a bool."""
    if not isinstance(value, bool):
        raise UsageError(f"{name} must be True or False, got {value!r}")
    return value


def name_argument(name: str, value: object, *, optional: bool = True) -> None:
    """A model, encoding or tier name: a non-empty str (or None where allowed)."""
    if value is None and optional:
        return
    if not isinstance(value, str) or not value.strip():
        raise UsageError(f"{name} must be a non-empty str, got {value!r}")


def names_argument(name: str, value: object) -> list[str]:
    """One name or a sequence of names (a bare str is one name)."""
    if value is None:
        return []
    if isinstance(value, str):
        items: list[object] = [value]
    elif isinstance(value, (list, tuple, set, frozenset)):
        items = list(value)
    else:
        raise UsageError(f"{name} must be a str or a list of str, got {value!r}")
    for item in items:
        name_argument(name, item, optional=False)
    return [str(item) for item in items]


def path_argument(name: str, value: object, *, optional: bool = False) -> Path | None:
    if value is None and optional:
        return None
    if (
        not isinstance(value, (str, os.PathLike))
        or isinstance(value, bytes)
        or not str(os.fspath(value)).strip()
    ):
        raise UsageError(f"{name} must be a non-empty path (str or os.PathLike), got {value!r}")
    return Path(os.fspath(value))


def tier_argument(tier: str | None) -> str | None:
    from tokencalc.sheet.model import TIERS

    if tier in (None, "standard"):
        return None
    if tier not in TIERS:
        raise UsageError(f"unknown tier {tier!r} (tiers: standard, {', '.join(TIERS)})")
    return tier
