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


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "yesterday",
        True,
        [],
        "2025-13-01",
        "0001-01-01T00:00:00+05:00",  # before year 1 in UTC: overflows datetime
        "9999-12-31T23:00:00-05:00",  # after year 9999 in UTC
        "9999-12-31T23:00:00Z",  # valid, but any time zone east of UTC would overflow it
        "0001-01-01",
        "1970-01-01T00:00:00Z",  # an unset epoch field, not usage
        0,
        1e20,
        float("inf"),
        float("nan"),
        Decimal("1e400"),
        "99999999999999999999",
    ],
)
def test_bad_timestamp(value):
    with pytest.raises(BadValue):
        timestamp(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(5, 5), (143.0, 143), ("143.0", 143), (Decimal("7"), 7), (None, 0), ("", 0)],
)
def test_token_count(value, expected):
    assert token_count(value, "n") == expected


@pytest.mark.parametrize(
    "value",
    [
        -1,
        "12.5",
        1.5,
        "many",
        True,
        float("nan"),
        "-3",
        1e40,
        float("inf"),
        "1e400",
        Decimal("1e400"),
        10**15 + 1,
        "1e999999999",
        10**40,
    ],
)
def test_bad_token_count(value):
    with pytest.raises(BadValue):
        token_count(value, "n")


def test_token_count_limit_and_time_range_edges():
    assert token_count(10**15, "n") == 10**15
    assert token_count("1e15", "n") == 10**15
    assert timestamp("9998-12-31T23:59:59Z").year == 9998
    assert timestamp("1971-01-01T00:00:00Z") == datetime(1971, 1, 1, tzinfo=UTC)
    with pytest.raises(BadValue, match="out of range"):
        timestamp("1971-01-01T00:30:00+01:00")  # 1970 in UTC


def test_money_is_exact():
    assert money("123.45", "amount") == Decimal("123.45")
    assert money(0.1, "amount") == Decimal("0.1")
    with pytest.raises(BadValue):
        money("abc", "amount")
    with pytest.raises(BadValue, match="implausibly large"):
        money("1e30", "amount")  # Decimal cannot round it for display
