"""Plans that could not carry the use are flagged and never called cheaper.

Window arithmetic by hand: a profile's messages a day spread over 16 hours, one conversation's
turns always inside one window; from a day up, messages a day × hours / 24.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from test_sheet import sample_text
from tokencalc.plans.limits import messages_in_window

D = Decimal
LIMITS = """
[plans.acme-pro]
limits = [
  { messages = 20, hours = 3, scope = "messages on the default model", source = "https://acme.example/limits" },
  { messages = 500, hours = 168, scope = "messages", source = "https://acme.example/limits" },
]
"""


@pytest.mark.parametrize(
    ("per_day", "turns", "hours", "expected"),
    [
        (D(32), 4, 3, D(6)),  # 32 × 3 / 16 = 6
        (D(33), 4, 3, D(7)),  # 6.19 → 7 (a message is whole)
        (D(10), 8, 3, D(8)),  # one conversation of 8 turns inside the window
        (D(100), 5, 24, D(100)),
        (D(100), 5, 168, D(700)),
        (D(160), 5, 20, D(160)),  # a window longer than the active day holds the day
    ],
)
def test_messages_in_a_window(per_day, turns, hours, expected):
    assert messages_in_window(per_day, turns, hours) == expected


@pytest.fixture
def sheet_with_limits(packaged_sheet, tmp_path):
    packaged_sheet(sample_text())
    overlay = tmp_path / "limits.toml"
    overlay.write_text(LIMITS, encoding="utf-8")
    return overlay


def plans_json(cli, *args):
    result = cli("plans", *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout), result.stderr


def test_a_plan_over_its_window_cap_is_flagged_and_not_called_cheaper(cli, sheet_with_limits):
    # 12 conversations × 10 turns = 120 a day: 120 × 3 / 16 = 22.5 → 23 in 3 hours > 20;
    # a week: 840 > 500. The plan ($20) is far cheaper than the API would be, yet not "cheaper".
    document, stderr = plans_json(
        cli, "-P", "acme-pro", "-c", "12", "-t", "10", "--prices", str(sheet_with_limits)
    )
    (row,) = document["rows"]
    assert row["exceeds_cap"] is True
    assert row["caps_exceeded"] == [
        "23 messages per 3 hours > cap 20 (messages on the default model)",
        "840 messages per week > cap 500 (messages)",
        "120 messages per day > cap 100 (messages)",
    ]
    assert D(row["api_monthly_cost"]) > D(row["monthly_price"])
    assert "cheaper" not in row["verdict"] and "cannot carry" in row["verdict"]
    assert [limit["hours"] for limit in row["limits"]] == [3, 168]
    assert (
        "tokencalc: warning: acme-pro: this use exceeds the plan's cap: 23 messages per 3 hours"
        in stderr
    )
    table = cli(
        "plans", "-P", "acme-pro", "-c", "12", "-t", "10", "--prices", str(sheet_with_limits)
    ).stdout
    assert "over cap ⚠" in table and "plan $" not in table


def test_a_plan_within_its_caps_is_compared_as_before(cli, sheet_with_limits):
    # 2 × 5 = 10 a day: max(5, ceil(10 × 3 / 16) = 2) = 5 ≤ 20; a week 70 ≤ 500; a day 10 ≤ 100
    document, stderr = plans_json(
        cli, "-P", "acme-pro", "-c", "2", "-t", "5", "--prices", str(sheet_with_limits)
    )
    (row,) = document["rows"]
    assert row["exceeds_cap"] is False and row["caps_exceeded"] == []
    assert "cap" not in stderr


def test_limits_are_validated(cli, packaged_sheet, tmp_path):
    packaged_sheet(sample_text())
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[plans.acme-pro]\nlimits = [{ messages = 0, hours = 3, scope = "x", source = "y" }]\n',
        encoding="utf-8",
    )
    result = cli("plans", "--prices", str(bad))
    assert result.exit_code == 1
    assert result.stderr == (
        f'tokencalc: error: {bad}: plans."acme-pro".limits[0].messages: '
        "must be a positive integer, got 0\n"
    )


def test_the_bundled_sheet_flags_chatgpt_plus_over_160_messages_in_3_hours(cli):
    # 100 conversations × 10 turns = 1,000 a day: 1,000 × 3 / 16 = 187.5 → 188 > 160
    document, _ = plans_json(cli, "-P", "chatgpt-plus", "-c", "100", "-t", "10")
    (row,) = document["rows"]
    assert row["caps_exceeded"][0].startswith("188 messages per 3 hours > cap 160")
