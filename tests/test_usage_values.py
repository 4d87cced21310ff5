"""Loose values in usage files: counts written as floats or strings, ISO and epoch times."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pytest

from tokencalc.usage.values import BadValue, money, timestamp, token_count

UTC = timezone.utc


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-09-05T09:00:07.123456Z", datetime(2025, 9, 5, 9, 0, 7, 123456, tzinfo=UTC)),
        ("2025-09-05T09:00:07.1Z", datetime(2025, 9, 5, 9, 0, 7, 100000, tzinfo=UTC)),
        ("2025-09-05T09:00:07.1234567+00:00", datetime(2025, 9, 5, 9, 0, 7, 123456, tzinfo=UTC)),
        ("2025-09-05T11:00:00+02:00", datetime(2025, 9, 5, 9, 0, tzinfo=UTC)),
        ("2025-09-05 09:00:00", datetime(2025, 9, 5, 9, 0, tzinfo=UTC)),
        ("2025-09-05", datetime(2025, 9, 5, tzinfo=UTC)),
        (1756684800, datetime(2025, 9, 1, tzinfo=UTC)),
        (1756684800.5, datetime(2025, 9, 1, 0, 0, 0, 500000, tzinfo=UTC)),
        ("1756684800", datetime(2025, 9, 1, tzinfo=UTC)),
    ],
)
def test_timestamp(value, expected):
    parsed = timestamp(value)
    assert parsed == expected and parsed.tzinfo is UTC


@pytest.mark.parametrize("value", [None, "", "yesterday", True, [], "2025-13-01"])
def test_bad_timestamp(value):
    with pytest.raises(BadValue):
        timestamp(value)


@pytest.mark.parametrize(
    ("value", "expected"), [(5, 5), (143.0, 143), ("143.0", 143), (Decimal("7"), 7), (None, 0), ("", 0)]
)
def test_token_count(value, expected):
    assert token_count(value, "n") == expected


@pytest.mark.parametrize("value", [-1, "12.5", 1.5, "many", True, float("nan"), "-3"])
def test_bad_token_count(value):
    with pytest.raises(BadValue):
        token_count(value, "n")


def test_money_is_exact():
    assert money("123.45", "amount") == Decimal("123.45")
    assert money(0.1, "amount") == Decimal("0.1")
    with pytest.raises(BadValue):
        money("abc", "amount")
