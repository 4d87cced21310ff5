"""Prices through time: dated changes, dated long-context and tier windows, off-peak hours,
per-call fees and residency rules in the packaged sheet and in the schema.

Every expected figure is worked out by hand in the comments from the vendor's published
prices (US dollars per million tokens), never read back from the code under test.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from tokencalc.errors import PriceSheetError, TokencalcError
from tokencalc.pricing.costs import RequestTokens, request_cost
from tokencalc.sheet.load import load_price_sheet

D = Decimal


@pytest.fixture(scope="module")
def sheet():
    return load_price_sheet(user_sheet=False)


def prices(sheet, model, day, tier=None):
    return sheet.prices_on(sheet.resolve(model), date.fromisoformat(day), tier)


# --- dated list-price changes ----------------------------------------------------------------

CHANGES = [
    # model, day, input, cached input, output: each the vendor's list price that day
    ("gpt-5.6-luna", "2026-07-15", "1", "0.1", "6"),  # launch price (the figure)
    ("gpt-5.6-luna", "2026-07-29", "1", "0.1", "6"),
    ("gpt-5.6-luna", "2026-07-30", "0.2", "0.02", "1.2"),  # cut 80%
    ("gpt-5.6-terra", "2026-07-29", "2.5", "0.25", "15"),
    ("gpt-5.6-terra", "2026-07-30", "2", "0.2", "12"),
    ("gpt-5.6-sol", "2026-08-20", "5", "0.5", "30"),
    ("gpt-5.6-sol", "2026-08-21", "4", "0.4", "20"),
    ("mistral-large-4", "2026-10-19", "0.68", "0.07", "2.09"),
    ("mistral-large-4", "2026-10-20", "1.36", "0.14", "4.18"),
    ("mistral-large-4", "2026-10-28", "1.36", "0.14", "4.18"),
    ("mistral-large-4", "2026-10-29", "0.7", "0.07", "2.1"),
    ("grok-4.20", "2026-04-29", "2", "0.2", "6"),
    ("grok-4.20", "2026-04-30", "1.25", "0.2", "2.5"),
    ("o3", "2025-06-09", "10", "2.5", "40"),
    ("o3", "2025-06-10", "2", "0.5", "8"),
    ("deepseek-v4-pro", "2026-08-16", "0.435", "0.003625", "0.87"),
    ("deepseek-v4-pro", "2026-08-17", "1.32", "0.044", "3.96"),  # peak price
    ("deepseek-v4-flash", "2026-08-16", "0.14", "0.0028", "0.28"),
    ("deepseek-flash", "2026-09-10", "0.3", "0.006", "1.2"),
    ("gemini-4-argon", "2026-11-30", "2", "0.1", "10"),
    ("gemini-4-argon", "2026-12-01", "4", "0.2", "20"),
    ("deepseek-chat", "2025-01-15", "0.14", "0.014", "0.28"),
    ("deepseek-chat", "2025-03-01", "0.27", "0.07", "1.1"),
    ("deepseek-chat", "2025-09-29", "0.28", "0.028", "0.42"),
]


@pytest.mark.parametrize(("model", "day", "price_in", "cached", "price_out"), CHANGES)
def test_each_day_has_its_own_list_price(sheet, model, day, price_in, cached, price_out):
    got = prices(sheet, model, day)
    assert (got.input, got.cached_input, got.output) == (D(price_in), D(cached), D(price_out))


def test_luna_long_context_follows_the_cut(sheet):
    # >272K prompts bill 2x input and 1.5x output: $2/$9 at launch, $0.40/$1.80 after the cut
    before = prices(sheet, "gpt-5.6-luna", "2026-07-15").long_context
    after = prices(sheet, "gpt-5.6-luna", "2026-08-01").long_context
    assert (before.input, before.output) == (D(2), D(9))
    assert (after.input, after.output) == (D("0.4"), D("1.8"))


def test_a_request_is_billed_at_its_days_price(sheet):
    # 1,000,000 input + 100,000 output on gpt-5.6-luna, a 300K prompt (long context):
    # 2026-07-15: 1,000,000 × $2 + 100,000 × $9 = $2 + $0.90 = $2.90
    # 2026-08-01: 1,000,000 × $0.40 + 100,000 × $1.80 = $0.40 + $0.18 = $0.58
    model = sheet.resolve("gpt-5.6-luna")
    tokens = RequestTokens(1_000_000, 100_000)
    assert request_cost(
        sheet, model, tokens, on=date(2026, 7, 15), prompt_tokens=300_000
    ).total == D("2.9")
    assert request_cost(
        sheet, model, tokens, on=date(2026, 8, 1), prompt_tokens=300_000
    ).total == D("0.58")


# --- long-context and tier windows -----------------------------------------------------------


@pytest.mark.parametrize("model", ["claude-sonnet-4-5", "claude-sonnet-4-0"])
def test_sonnet_4_one_million_beta_until_2026_04_30(sheet, model):
    # 300,000 input of which 100,000 cache reads, 1,000 output, prompt > 200K:
    # in the beta (to 2026-04-30): 200,000 × $6 + 100,000 × $0.60 (cache 2x) + 1,000 × $22.50
    #   = 1.2 + 0.06 + 0.0225 = $1.2825
    # after: standard prices 200,000 × $3 + 100,000 × $0.30 + 1,000 × $15 = 0.6 + 0.03 + 0.015 = $0.645
    entry = sheet.resolve(model)
    tokens = RequestTokens(300_000, 1_000, cache_read=100_000)
    assert request_cost(sheet, entry, tokens, on=date(2026, 4, 30)).total == D("1.2825")
    assert request_cost(sheet, entry, tokens, on=date(2026, 5, 1)).total == D("0.645")


def test_opus_4_6_long_context_premium_ended_2026_03_13(sheet):
    # 250,000 input, 10,000 output: before: 250,000 × $10 + 10,000 × $37.50 = 2.5 + 0.375 = 2.875
    # from 2026-03-13 flat: 250,000 × $5 + 10,000 × $25 = 1.25 + 0.25 = 1.5
    entry = sheet.resolve("claude-opus-4-6")
    tokens = RequestTokens(250_000, 10_000)
    assert request_cost(sheet, entry, tokens, on=date(2026, 3, 12)).total == D("2.875")
    assert request_cost(sheet, entry, tokens, on=date(2026, 3, 13)).total == D("1.5")


def test_opus_4_8_fast_mode_until_2026_11_30(sheet):
    # fast mode $10/$50: 1,000 input + 1,000 output = 0.01 + 0.05 = $0.06
    entry = sheet.resolve("claude-opus-4-8")
    tokens = RequestTokens(1_000, 1_000)
    assert request_cost(sheet, entry, tokens, on=date(2026, 11, 30), tier="priority").total == D(
        "0.06"
    )
    assert sheet.offers_tier(entry, "priority", date(2026, 11, 30))
    assert not sheet.offers_tier(entry, "priority", date(2026, 12, 1))
    with pytest.raises(TokencalcError, match="until 2026-11-30 only"):
        sheet.prices_on(entry, date(2026, 12, 1), "priority")


def test_gpt_5_4_batch_long_context_cached_input_is_published_0_25(sheet):
    for tier in ("batch", "flex"):
        long = prices(sheet, "gpt-5.4", "2026-11-30", tier).long_context
        assert long.cached_input == D("0.25")
        assert (long.input, long.output) == (D("2.5"), D("11.25"))  # 5 × 0.5, 22.5 × 0.5


# --- off-peak hours ----------------------------------------------------------------------------


OFF_PEAK = [
    # model, UTC time, input price billed (peak $0.30 / off-peak $0.15 on V4.1 Flash)
    ("deepseek-flash", "2026-11-30T01:00", "0.3"),  # Monday, peak window opens
    ("deepseek-flash", "2026-11-30T03:59", "0.3"),
    ("deepseek-flash", "2026-11-30T04:00", "0.15"),  # window closes (end exclusive)
    ("deepseek-flash", "2026-11-30T07:30", "0.3"),
    ("deepseek-flash", "2026-11-30T10:00", "0.15"),
    ("deepseek-flash", "2026-11-30T23:00", "0.15"),
    ("deepseek-flash", "2026-11-29T02:00", "0.15"),  # Sunday: off-peak all day
    ("deepseek-v4-pro", "2026-08-22T02:00", "1.32"),  # Saturday before weekends became off-peak
    ("deepseek-v4-pro", "2026-08-22T12:00", "0.66"),
    ("deepseek-v4-pro", "2026-08-16T12:00", "0.435"),  # flat price before the V4 scheme
    ("deepseek-chat", "2025-03-03T16:30", "0.135"),  # V3 off-peak UTC 16:30-00:30, 50% off
    ("deepseek-chat", "2025-03-04T00:29", "0.135"),
    ("deepseek-chat", "2025-03-04T00:30", "0.27"),
    ("deepseek-chat", "2025-09-10T20:00", "0.56"),  # V3.1: no off-peak any more
    ("deepseek-reasoner", "2025-03-03T20:00", "0.135"),  # R1 off-peak was 75% off: $0.135
    ("deepseek-reasoner", "2025-03-03T12:00", "0.55"),
]


@pytest.mark.parametrize(("model", "when", "price_in"), OFF_PEAK)
def test_off_peak_prices_by_utc_time(sheet, model, when, price_in):
    moment = datetime.fromisoformat(when).replace(tzinfo=timezone.utc)
    got, _rule = sheet.prices_at(sheet.resolve(model), moment)
    assert got.input == D(price_in)


def test_off_peak_uses_utc_whatever_the_offset(sheet):
    # 12:00 in Beijing (UTC+8) is 04:00 UTC: off-peak on V4.1 Flash
    from datetime import timedelta

    beijing = timezone(timedelta(hours=8))
    got, rule = sheet.prices_at(
        sheet.resolve("deepseek-flash"), datetime(2026, 11, 30, 12, 0, tzinfo=beijing)
    )
    assert got.output == D("0.6") and rule is not None
    assert "outside UTC 01:00-04:00, 06:00-10:00" in rule.describe()


# --- fees and residency ----------------------------------------------------------------------


FEES = [
    ("claude-opus-4-8", "2026-11-30", "web_search", "0.01"),  # $10 per 1,000
    ("gpt-5.5", "2026-11-30", "web_search", "0.01"),
    ("gemini-4-argon", "2026-11-30", "web_search", "0.014"),  # $14 per 1,000 queries
    ("gemini-2.5-flash", "2026-11-30", "web_search", "0.035"),  # $35 per 1,000 grounded prompts
    ("deepseek-flash", "2026-11-01", "web_search", "0.00075"),
    ("deepseek-flash", "2026-11-01", "web_fetch", "0.00075"),
]


@pytest.mark.parametrize(("model", "day", "kind", "per_call"), FEES)
def test_per_call_fees(sheet, model, day, kind, per_call):
    fee = sheet.fee_for(sheet.resolve(model), kind, date.fromisoformat(day))
    assert fee is not None and fee.per_call == D(per_call)


def test_fees_that_did_not_exist_yet(sheet):
    assert sheet.fee_for(sheet.resolve("deepseek-flash"), "web_search", date(2026, 10, 31)) is None
    assert (
        sheet.fee_for(sheet.resolve("gemini-3-flash-preview"), "web_search", date(2026, 1, 4))
        is None
    )
    assert sheet.fee_for(sheet.resolve("claude-opus-4-8"), "web_fetch", date(2026, 11, 30)) is None


def test_residency_us_on_opus_4_6_and_later_only(sheet):
    day = date(2026, 11, 30)
    assert sheet.residency_for(sheet.resolve("claude-opus-4-8"), "us", day).multiplier == D("1.1")
    assert sheet.residency_for(sheet.resolve("claude-sonnet-5-5"), "US", day).multiplier == D("1.1")
    assert sheet.residency_for(sheet.resolve("claude-sonnet-4-5"), "us", day) is None
    assert sheet.residency_for(sheet.resolve("claude-opus-4-8"), "global", day) is None


# --- the schema --------------------------------------------------------------------------------

BASE = """
schema_version = 1
as_of = 2026-11-01
default_models = ["m"]
[providers.p]
name = "P"
source = "https://example.com"
as_of = 2026-11-01
"""


def sheet_from(packaged_sheet, text):
    packaged_sheet(BASE + text)
    return load_price_sheet(user_sheet=False)


def test_schema_problems_are_named(packaged_sheet):
    text = """
[[providers.p.fees]]
kind = "web_serch"
per_1000 = 10
source = "x"
[[providers.p.residency]]
geo = ["us"]
multiplier = 0
source = "x"
[models.m]
provider = "p"
name = "M"
tokenizer = "o200k_base"
input = 1
output = 2
context_window = 1000
[models.m.long_context]
threshold = 100
input = 2
output = 4
from = 2026-05-01
until = 2026-04-30
[[models.m.off_peak]]
hours = ["25:00-01:00"]
multiplier = 0.5
[[models.m.off_peak]]
multiplier = 0.5
"""
    with pytest.raises(PriceSheetError) as caught:
        sheet_from(packaged_sheet, text)
    problems = "\n".join(caught.value.problems)
    assert 'providers."p".fees[0].kind: must be one of web_search' in problems
    assert 'providers."p".residency[0].multiplier: must be a positive number, got 0' in problems
    assert (
        'models."m".long_context.until: must not be before from (2026-05-01), got 2026-04-30'
        in problems
    )
    assert 'models."m".off_peak[0].hours[0]: must be UTC hours written "HH:MM-HH:MM"' in problems
    assert 'models."m".off_peak[1]: give either hours' in problems


def test_schema_windows_and_explicit_off_peak(packaged_sheet):
    text = """
[models.m]
provider = "p"
name = "M"
tokenizer = "o200k_base"
input = 1.0
cached_input = 0.1
output = 4.0
context_window = 1000000
[models.m.priority]
multiplier = 2
from = 2026-06-01
[[models.m.off_peak]]
hours = ["22:00-02:00"]
input = 0.25
output = 1.0
"""
    built = sheet_from(packaged_sheet, text)
    model = built.resolve("m")
    assert not built.offers_tier(model, "priority", date(2026, 5, 31))
    assert built.prices_on(model, date(2026, 6, 1), "priority").output == D(8)
    # explicit off-peak input 0.25 is a quarter of 1.0: the absent cached price scales alike, 0.1 → 0.025
    got, _ = built.prices_at(model, datetime(2026, 6, 1, 23, 0, tzinfo=timezone.utc))
    assert (got.input, got.cached_input, got.output) == (D("0.25"), D("0.025"), D("1.0"))
    got, _ = built.prices_at(model, datetime(2026, 6, 1, 2, 0, tzinfo=timezone.utc))
    assert got.input == D("1.0")
