"""estimate through time: --per-day over a price change, --at (off-peak), --web-searches.

Expected figures are worked out by hand from list prices (US dollars per million tokens).
"""

from __future__ import annotations

import json
from datetime import date, time
from decimal import Decimal

import pytest

from tokencalc.cli.phrasing import estimate_notes
from tokencalc.pricing.costs import RequestTokens
from tokencalc.pricing.estimate_dates import job_cost, job_days
from tokencalc.sheet.load import load_price_sheet

D = Decimal


@pytest.fixture(scope="module")
def sheet():
    return load_price_sheet(user_sheet=False)


def argon_row(cli, start):
    result = cli(
        "estimate",
        "-",
        "-m",
        "gemini-4-argon",
        "--output-tokens",
        "25",
        "--per-day",
        "1000",
        "--date",
        start,
        "-f",
        "json",
        input="a" * 400,
    )
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["rows"][0]


def test_per_day_month_across_the_argon_doubling(cli):
    # n input tokens (the estimate's count, whatever it is) and 25 output tokens a request:
    # $2/$10 until 2026-11-30, $4/$20 from 2026-12-01. 1,000 a day from 2026-11-16 for 30 days:
    # 15 days at the old price, 15 at the new one.
    row = argon_row(cli, "2026-11-16")
    n = row["input_tokens"]
    old = (D(n) * 2 + 25 * 10) / 1_000_000
    new = (D(n) * 4 + 25 * 20) / 1_000_000
    assert D(row["cost"]) == 15 * 1000 * old + 15 * 1000 * new
    assert "prices change on 2026-12-01: each day priced at its own prices" in row["notes"]


def test_per_day_month_before_the_change_has_no_note(cli):
    row = argon_row(cli, "2026-10-01")
    n = row["input_tokens"]
    assert D(row["cost"]) == 30 * 1000 * (D(n) * 2 + 25 * 10) / 1_000_000
    assert not any("prices change" in note for note in row["notes"])


def test_job_days():
    assert job_days(date(2026, 11, 30), None, 30, 7) == [(date(2026, 11, 30), 7)]
    days = job_days(date(2026, 11, 30), 5, 3, 15)
    assert days == [(date(2026, 11, 30), 5), (date(2026, 12, 1), 5), (date(2026, 12, 2), 5)]


def test_at_off_peak_and_peak(sheet):
    # deepseek-flash, 1,000,000 input + 100,000 output, Monday 2026-11-30:
    # 02:00 UTC (peak, $0.30/$1.20): 0.30 + 0.12 = $0.42; 18:00 UTC (off-peak, half): $0.21
    model = sheet.resolve("deepseek-flash")
    request = RequestTokens(1_000_000, 100_000)
    days = [(date(2026, 11, 30), 1)]
    peak, _ = job_cost(sheet, model, request, days=days, tier=None, at=time(2, 0), web_searches=0)
    off, notes = job_cost(
        sheet, model, request, days=days, tier=None, at=time(18, 0), web_searches=0
    )
    assumed, _ = job_cost(sheet, model, request, days=days, tier=None, at=None, web_searches=0)
    assert (peak.total, off.total, assumed.total) == (D("0.42"), D("0.21"), D("0.42"))
    assert estimate_notes(notes) == ["off-peak at 18:00 UTC on 1 of 1 day(s)"]


def test_at_over_a_week_counts_weekend_days_off_peak(sheet):
    # 02:00 UTC is peak on weekdays, off-peak at weekends: 2026-11-23 (Mon) .. 2026-11-29 (Sun):
    # 5 × 0.42 + 2 × 0.21 = 2.10 + 0.42 = $2.52
    model = sheet.resolve("deepseek-flash")
    days = job_days(date(2026, 11, 23), 1, 7, 7)
    cost, notes = job_cost(
        sheet,
        model,
        RequestTokens(1_000_000, 100_000),
        days=days,
        tier=None,
        at=time(2, 0),
        web_searches=0,
    )
    assert cost.total == D("2.52")
    assert "off-peak at 02:00 UTC on 2 of 7 day(s)" in estimate_notes(notes)


def test_web_searches_are_priced_per_call(sheet):
    # claude-sonnet-5-5 $2/$10: 10,000 in + 1,000 out = 0.02 + 0.01 = $0.03; 4 searches × $0.01 = $0.04
    model = sheet.resolve("claude-sonnet-5-5")
    cost, notes = job_cost(
        sheet,
        model,
        RequestTokens(10_000, 1_000),
        days=[(date(2026, 11, 30), 1)],
        tier=None,
        at=None,
        web_searches=4,
    )
    assert (cost.fees, cost.total, notes) == (D("0.04"), D("0.07"), [])


def test_web_searches_without_a_fee_are_named(sheet):
    model = sheet.resolve("grok-4.7")
    cost, notes = job_cost(
        sheet,
        model,
        RequestTokens(1_000, 0),
        days=[(date(2026, 11, 30), 3)],
        tier=None,
        at=None,
        web_searches=2,
    )
    assert cost.fees == 0
    assert estimate_notes(notes) == [
        "6 web searches not priced (no web_search fee for xai in the sheet)"
    ]


def test_fast_mode_ending_inside_the_period_is_not_priced(cli):
    result = cli(
        "estimate",
        "-",
        "-m",
        "claude-opus-4-8",
        "--tier",
        "priority",
        "--per-day",
        "10",
        "--days",
        "3",
        "--date",
        "2026-11-29",
        "-f",
        "json",
        input="hello world",
    )
    row = json.loads(result.stdout)["rows"][0]
    assert row["cost"] is None and row["tier_offered"] is False
    assert "priority tier offered until 2026-11-30 only" in row["notes"]


@pytest.mark.parametrize("bad", ["25:00", "7pm", "12:60", ""])
def test_at_must_be_a_time_of_day(cli, bad):
    result = cli("estimate", "-", "-m", "gpt-5", "--at", bad, input="hi")
    assert result.exit_code == 2
    assert "--at must be a UTC time of day written HH:MM" in result.stderr


def test_models_suggested_for_a_tier_offer_it_that_day(cli):
    # Opus 4.8's fast mode ended 2026-11-30: on 2026-12-01 it is not among the models that offer priority
    result = cli(
        "estimate",
        "-",
        "-m",
        "claude-opus-4-8",
        "--tier",
        "priority",
        "--date",
        "2026-12-01",
        input="hello",
    )
    assert result.exit_code == 1
    assert "none of the selected models offers the priority tier" in result.stderr
    suggested = result.stderr.split("models that do:", 1)[1]
    assert "claude-opus-4-8" not in suggested
