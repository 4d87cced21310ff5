"""5-hour windows: the boundary rule (gaps, the exact end, time zones), burn rate, projection, CLI."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from test_usage_pricing import usage_sheet_text
from tokencalc.usage.blocks import WINDOW, build, split, window_start
from tokencalc.usage.records import UsageRecord

UTC = timezone.utc


def rec(
    when: datetime, input_tokens: int = 100, output_tokens: int = 50, source: str = "claude-code"
) -> UsageRecord:
    return UsageRecord(
        timestamp=when,
        source=source,
        model="sonnet",
        input_tokens=input_tokens,
        output_tokens=output_tokens,
    )


def t(hour: int, minute: int = 0, second: int = 0, day: int = 1) -> datetime:
    return datetime(2025, 9, day, hour, minute, second, tzinfo=UTC)


def starts(records):
    return [(start, len(members)) for start, members in split(records)]


def test_window_starts_at_the_whole_utc_hour_and_a_record_at_its_end_starts_the_next():
    records = [rec(t(10, 20)), rec(t(14, 59, 59)), rec(t(15, 0)), rec(t(19, 59)), rec(t(20, 0, 1))]
    assert starts(records) == [(t(10), 2), (t(15), 2), (t(20), 1)]


def test_a_gap_longer_than_the_window_starts_a_new_one_at_its_own_hour():
    records = [rec(t(9, 5)), rec(t(9, 30)), rec(t(17, 45)), rec(t(3, 10, day=2))]
    assert starts(records) == [(t(9), 2), (t(17), 1), (t(3, day=2), 1)]


def test_input_order_and_time_zone_of_the_timestamps_do_not_matter():
    kolkata = ZoneInfo("Asia/Kolkata")  # +05:30: local half hours are not window starts
    same = [
        rec(t(10, 20).astimezone(kolkata)),
        rec(t(16, 0).astimezone(ZoneInfo("America/New_York"))),
        rec(t(12, 0)),
    ]
    assert starts(same) == [(t(10), 2), (t(16), 1)]
    assert window_start(t(10, 20).astimezone(kolkata)) == t(10)


@given(st.lists(st.integers(min_value=0, max_value=60 * 24 * 10), min_size=1, max_size=60))
def test_windows_never_overlap_and_hold_every_record(minutes):
    records = [rec(t(0) + timedelta(minutes=m)) for m in minutes]
    windows = split(records)
    assert sum(len(members) for _, members in windows) == len(records)
    for (start, members), following in zip(windows, [*windows[1:], None], strict=True):
        assert all(start <= r.timestamp < start + WINDOW for r in members)
        assert start.minute == start.second == 0
        if following is not None:
            assert following[0] >= start + WINDOW


def flat_price(members):
    """A stand-in price: $1 per 1,000 input tokens; records of model None are unpriced."""
    priced = [r for r in members if r.model]
    return D(sum(r.input_tokens for r in priced)) / 1000, len(members) - len(priced)


def test_active_window_burn_rate_and_projection():
    records = [
        rec(t(8)),
        rec(t(15, 10), input_tokens=2000, output_tokens=400),
        rec(t(16, 10), input_tokens=1000, output_tokens=200),
    ]
    result = build(records, flat_price, now=t(17, 10))
    assert [b.start for b in result.blocks] == [t(8), t(15)]
    active = result.active
    assert active is result.blocks[-1] and active.cost == D(3) and active.requests == 2
    burn = result.burn
    assert burn is not None
    # 2 hours from the first record (15:10) to now (17:10): $1.5/h, 3,600 tokens / 120 min = 30/min;
    # 2h50m left until 20:00: $3 + 1.5 × 17/6 = $7.25; 3,600 + 30 × 170 = 8,700 tokens
    assert burn.cost_per_hour == D("1.5") and burn.tokens_per_minute == D(30)
    assert burn.remaining == timedelta(hours=2, minutes=50)
    assert burn.projected_cost == D("7.25") and burn.projected_tokens == 8700


def test_no_active_window_after_the_last_one_ends_and_billing_rows_are_left_out():
    records = [rec(t(8)), rec(t(0), source="openai-usage")]
    result = build(records, flat_price, now=t(13))
    assert result.active is None and result.burn is None and result.left_out == 1
    assert len(result.blocks) == 1


def test_burn_over_the_first_minute_is_not_infinite():
    result = build([rec(t(9, 0, 0))], flat_price, now=t(9, 0, 0))
    assert result.burn is not None
    assert result.burn.cost_per_hour == D("0.1") * 60  # $0.1 over the one-minute floor


# --- through the CLI -------------------------------------------------------------------------------


@pytest.fixture
def log(tmp_path, packaged_sheet):
    packaged_sheet(usage_sheet_text())
    lines = []
    for i, (when, tokens_in, tokens_out) in enumerate(
        [
            ("2025-09-01T10:20:00Z", 1000, 100),
            ("2025-09-01T14:59:59Z", 1000, 100),
            ("2025-09-01T15:00:00Z", 2000, 200),
        ]
    ):
        lines.append(
            json.dumps(
                {
                    "type": "assistant",
                    "timestamp": when,
                    "sessionId": "s1",
                    "cwd": "/p",
                    "requestId": f"r{i}",
                    "message": {
                        "id": f"m{i}",
                        "model": "sonnet",
                        "usage": {"input_tokens": tokens_in, "output_tokens": tokens_out},
                    },
                }
            )
        )
    path = tmp_path / "s1.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_blocks_command_json(cli, log):
    result = cli("usage", "blocks", str(log), "--now", "2025-09-01T16:00:00Z", "-f", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    # sonnet $3 in / $15 out per million: 1000 × 3 + 100 × 15 = $0.0045 a request
    assert [(b["start"], b["requests"], D(b["cost"]), b["active"]) for b in doc["blocks"]] == [
        ("2025-09-01T10:00:00+00:00", 2, D("0.009"), False),
        ("2025-09-01T15:00:00+00:00", 1, D("0.009"), True),
    ]
    active = doc["active"]
    # one hour since 15:00: $0.009/h, 2,200 tokens / 60 min; 4 hours left: 0.009 × 5 = $0.045, 2,200 × 5 tokens
    assert D(active["cost_per_hour"]) == D("0.009") and active["remaining_minutes"] == 240
    assert D(active["projected_cost"]) == D("0.045") and active["projected_tokens"] == 11000


def test_blocks_command_table_in_a_time_zone_and_active_only(cli, log):
    result = cli(
        "usage",
        "blocks",
        str(log),
        "--now",
        "2025-09-01T16:00:00Z",
        "--tz",
        "Asia/Kolkata",
        "--active",
    )
    assert result.exit_code == 0, result.stderr
    assert (
        "2025-09-01 20:30 ▶" in result.stdout and "15:30" not in result.stdout
    )  # only the active window
    assert "Active window: $0.009" in result.stdout and "(4h00m left)" in result.stdout
    result = cli("usage", "blocks", str(log), "--now", "2025-09-02T16:00:00Z")
    assert result.exit_code == 0 and "No active window." in result.stdout
    result = cli("usage", "blocks", str(log), "--now", "yesterday-ish")
    assert result.exit_code == 2 and "--now" in result.stderr


def _sheet_with_window_limits(limits: str) -> str:
    """The usage test sheet with one more plan carrying ``limits``."""
    return (
        usage_sheet_text()
        + f"""
[plans.windowed]
vendor = "acme"
name = "Windowed"
monthly_price = 20
caps = "2 messages per 5 hours, 100 a day"
models = ["sonnet"]
source = "https://example.com/plans"
as_of = 2026-11-01
limits = {limits}
"""
    )


def test_blocks_compare_each_window_with_the_plans_5_hour_limit(cli, log, packaged_sheet):
    packaged_sheet(
        _sheet_with_window_limits(
            '[{ messages = 100, hours = 24, scope = "a day", source = "s" }, '
            '{ messages = 2, hours = 5, scope = "messages", source = "s" }, '
            '{ messages = 3, hours = 3, scope = "messages", source = "s" }]'
        )
    )
    result = cli(
        "usage",
        "blocks",
        str(log),
        "--now",
        "2025-09-01T16:00:00Z",
        "--plan",
        "windowed",
        "-f",
        "json",
    )
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    # only the 5-hour limit speaks of a 5-hour window: 2 messages; windows hold 2 and 1 requests
    assert doc["plan"] == {"plan": "windowed", "messages_per_window": 2}
    assert [D(b["share_of_cap"]) for b in doc["blocks"]] == [D(1), D("0.5")]


def test_blocks_say_when_the_plan_has_no_5_hour_limit(cli, log, packaged_sheet):
    packaged_sheet(
        _sheet_with_window_limits(
            '[{ messages = 160, hours = 3, scope = "messages", source = "s" }]'
        )
    )
    result = cli("usage", "blocks", str(log), "--now", "2025-09-01T16:00:00Z", "--plan", "windowed")
    assert result.exit_code == 0, result.stderr
    assert "no numeric 5-hour cap for Windowed" in result.stderr
