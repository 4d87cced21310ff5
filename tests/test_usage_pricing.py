"""Pricing usage records: hand-computed costs, grouping, unknown models and plan comparison.

``USAGE_SHEET`` is a small sheet with round prices whose aliases are the model ids the fixtures
log, so every cost below can be checked by hand. test_cli_usage.py uses it too.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tokencalc.cli.phrasing import plan_notes
from tokencalc.errors import TokencalcError, UsageError
from tokencalc.plans.conversation import conversation_cost
from tokencalc.plans.profile import UsageProfile
from tokencalc.sheet.load import load_price_sheet
from tokencalc.usage import UsageRecord, read_usage
from tokencalc.usage.plan_compare import compare_plan
from tokencalc.usage.priced import NO_MODEL, months_between
from tokencalc.usage.pricing import price_usage

D = Decimal
FIXTURES = Path(__file__).parent / "fixtures" / "usage"
UTC = timezone.utc
BERLIN = ZoneInfo("Europe/Berlin")

USAGE_SHEET = """\
schema_version = 1
as_of = {as_of}
default_models = ["gpt-5"]

[providers.acme]
name = "Acme"
source = "https://acme.example/pricing"
as_of = 2026-11-01

[tokenizers.acme-est]
base = "o200k_base"
ratio = 1.5
source = "measured"

[tokenizers.chars]
base = "characters"
ratio = 0.25
source = "4 characters a token"

[models.sonnet]
provider = "acme"
name = "Sonnet"
tokenizer = "o200k_base"
input = 3.0
cached_input = 0.3
cache_write_5m = 3.75
cache_write_1h = 6.0
output = 15.0
context_window = 200000
aliases = ["claude-sonnet-4-5-20250929"]

[models.haiku]
provider = "acme"
name = "Haiku"
tokenizer = "o200k_base"
input = 1.0
cached_input = 0.1
cache_write_5m = 1.25
cache_write_1h = 2.0
output = 5.0
context_window = 200000
aliases = ["claude-haiku-4-5-20251001"]

[models.opus]
provider = "acme"
name = "Opus"
tokenizer = "o200k_base"
input = 15.0
cached_input = 1.5
cache_write_5m = 18.75
cache_write_1h = 30.0
output = 75.0
context_window = 200000
aliases = ["claude-opus-4-1-20250805"]

[models."gpt-5"]
provider = "acme"
name = "GPT-5"
tokenizer = "o200k_base"
input = 1.25
cached_input = 0.125
output = 10.0
context_window = 400000
aliases = ["gpt-5-codex", "gpt-5-2025-08-07"]

[models."gpt-5".long_context]
threshold = 40000
input = 2.5
output = 15.0

[models."gpt-5".batch]
multiplier = 0.5

# an estimated tokenizer (× 1.5), long context and a batch tier
[models.sonnet5]
provider = "acme"
name = "Sonnet 5"
tokenizer = "acme-est"
input = 4.0
cached_input = 0.4
cache_write_5m = 5.0
output = 20.0
context_window = 1000000

[models.sonnet5.long_context]
threshold = 200000
input = 8.0
output = 30.0

[models.sonnet5.batch]
multiplier = 0.5

# a tokenizer that counts characters
[models.gem]
provider = "acme"
name = "Gem"
tokenizer = "chars"
input = 1.0
output = 2.0
context_window = 1000000

[[models."gpt-5".schedule]]
from = 2025-09-02
input = 2.5
cached_input = 0.25
output = 20.0
notes = "doubled on 2025-09-02 (invented, for the tests)"

[plans.solo]
vendor = "acme"
name = "Acme Solo"
monthly_price = 20.0
models = ["sonnet"]
caps = "some"
source = "https://acme.example/solo"
as_of = 2026-11-01

[plans.team]
vendor = "acme"
name = "Acme Team"
monthly_price = 25.0
models = ["sonnet"]
caps = "more"
per_seat = true
min_seats = 2
source = "https://acme.example/team"
as_of = 2026-11-01
"""


def usage_sheet_text() -> str:
    from datetime import date

    return USAGE_SHEET.format(as_of=date.today().isoformat())


@pytest.fixture
def sheet(tmp_path):
    path = tmp_path / "usage-sheet.toml"
    path.write_text(usage_sheet_text(), encoding="utf-8")
    return load_price_sheet(user_sheet=False, base_sheet=path)


def record(
    when: str, model: str | None, input_tokens: int, output_tokens: int, **extra
) -> UsageRecord:
    return UsageRecord(
        timestamp=datetime.fromisoformat(when).replace(tzinfo=UTC),
        source=extra.pop("source", "claude-code"),
        model=model,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        **extra,
    )


def by_key(priced):
    return {group.key: group.totals for group in priced.groups}


def priced_alone(sheet, one: UsageRecord):
    """One record priced on its own, through the same path as any report."""
    return price_usage(sheet, [one], by="model", tz=UTC).totals


# --- hand-computed costs of fixture records ----------------------------------------------------

# Claude Code fixture (after de-duplication), prices per million tokens from USAGE_SHEET:
# msg_A sonnet: 3 uncached × 3 + 20,000 read × 0.3 + 1,000 5m-write × 3.75 + 250 out × 15
A = D("0.013509")
# msg_B sonnet: 5 × 3 + 21,000 × 0.3 + 3,000 1h-write × 6 + 120 × 15
B = D("0.026115")
# msg_F haiku (subagent): 7 × 1 + 5,000 × 0.1 + 200 × 1.25 + 80 × 5
F = D("0.001157")
# msg_C opus, 2025-09-02T23:30Z: 10 × 15 + 500 × 18.75 + 40 × 75
C = D("0.012525")


def test_claude_code_prices_5m_and_1h_cache_writes_separately(sheet):
    report = read_usage([FIXTURES / "claude_code"])
    records = {
        r.cache_write_1h_tokens: r
        for r in report.records
        if r.model == "claude-sonnet-4-5-20250929"
    }
    five_minute, one_hour = records[0], records[3000]
    assert priced_alone(sheet, five_minute).cost == A
    assert priced_alone(sheet, one_hour).cost == B
    assert (five_minute.cache_write_5m_tokens, one_hour.cache_write_5m_tokens) == (1000, 0)

    priced = price_usage(sheet, report.records, by="model", tz=UTC)
    groups = by_key(priced)
    assert groups["sonnet"].cost == A + B
    assert groups["sonnet"].cache_write_tokens == 1000 + 3000
    assert groups["sonnet"].cached_input_tokens == 20000 + 21000
    assert groups["haiku"].cost == F
    assert groups["opus"].cost == C
    assert priced.totals.cost == A + B + F + C == D("0.053306")
    assert priced.totals.requests == 4


def test_codex_cached_input_and_a_schedule_boundary(sheet):
    report = read_usage([FIXTURES / "codex"])
    priced = price_usage(sheet, report.records, by="day", tz=UTC)
    groups = by_key(priced)
    # 2025-09-01 at $1.25 / $0.125 cached / $10:
    #   gpt-5-codex 800 × 1.25 + 200 × 0.125 + 100 × 10 = 2,025
    #   gpt-5       500 × 1.25 + 1,000 × 0.125 + 200 × 10 = 2,750
    #   gpt-5       200 × 1.25 + 1,300 × 0.125 + 150 × 10 = 1,912.5
    assert groups["2025-09-01"].cost == D("0.0066875")
    assert groups["2025-09-01"].cached_input_tokens == 200 + 1000 + 1300
    # 2025-09-02, the schedule's new prices $2.5 / $0.25 / $20: 600 × 2.5 + 1,400 × 0.25 + 250 × 20
    assert groups["2025-09-02"].cost == D("0.00685")
    assert groups["2025-09-02"].requests == 1


def test_the_price_date_is_the_records_utc_date_whatever_the_display_zone(sheet):
    late = record("2025-09-01T23:30:00", "gpt-5", 1000, 100, source="codex")
    priced = price_usage(sheet, [late], by="day", tz=ZoneInfo("Asia/Tokyo"))
    # shown on Tokyo's 2025-09-02, but billed on the UTC day 2025-09-01 (old prices)
    assert by_key(priced) == {"2025-09-02": priced.totals}
    assert priced.totals.cost == (D(1000) * D("1.25") + D(100) * 10) / 1_000_000


def test_billing_export_rows_without_request_counts(sheet):
    report = read_usage([FIXTURES / "anthropic_billing" / "usage_report.json"])
    priced = price_usage(sheet, report.records, by="day", tz=UTC)
    groups = by_key(priced)
    # 1,500 uncached × 3 + 30,000 read × 0.3 + 2,000 5m × 3.75 + 4,000 1h × 6 + 900 × 15
    assert groups["2025-09-01"].cost == D("0.0585")
    # haiku 700 × 1 + 300 × 5
    assert groups["2025-09-02"].cost == D("0.0022")
    assert priced.totals.requests == 0 and priced.totals.uncounted_rows == 2


def test_openai_usage_and_costs_exports_side_by_side(sheet):
    report = read_usage(
        [
            FIXTURES / "openai_billing" / "usage_completions.json",
            FIXTURES / "openai_billing" / "costs.json",
        ]
    )
    priced = price_usage(
        sheet, report.records, by="model", tz=UTC, vendor_costs=report.vendor_costs
    )
    gpt5 = by_key(priced)["gpt-5"]
    # 2025-09-01, 8 requests: 46,264 in (8,192 cached) — above the 40,000 long-context threshold
    # in sum, but the average request (5,783) is not: standard prices.
    #   38,072 × 1.25 + 8,192 × 0.125 + 60,000 × 10 = 648,614
    # 2025-09-02, 1 request at the scheduled prices: 5,783 × 2.5 + 16,000 × 20 = 334,457.5
    assert gpt5.cost == D("0.648614") + D("0.3344575")
    assert gpt5.requests == 9 and gpt5.long_context is False
    # the vendor's own figure: the gpt-5 cost lines, and a line that names no model apart
    assert gpt5.vendor_cost == D("0.895874") + D("0.12")
    assert by_key(priced)[NO_MODEL].vendor_cost == D("0.06")
    assert by_key(priced)[NO_MODEL].cost == 0
    assert priced.totals.vendor_cost == D("0.895874") + D("0.12") + D("0.06")
    assert any("billing export rows" in note for note in priced.notes)


def test_a_billing_row_whose_average_request_is_long_context(sheet):
    row = record("2025-09-01T00:00:00", "gpt-5", 90000, 1000, source="openai-usage", requests=2)
    totals = priced_alone(sheet, row)
    assert totals.long_context is True and totals.long_context_requests == 2
    assert totals.cost == (D(90000) * D("2.5") + D(1000) * 15) / 1_000_000
    uncounted = record(
        "2025-09-01T00:00:00", "gpt-5", 90000, 1000, source="openai-usage", requests=0
    )
    totals = priced_alone(sheet, uncounted)
    assert totals.cost == (D(90000) * D("1.25") + D(10000)) / 1_000_000
    assert totals.long_context is False and totals.long_context_uncounted_rows == 0


# --- grouping --------------------------------------------------------------------------------


def test_a_timezone_moves_a_record_across_midnight(sheet):
    report = read_usage([FIXTURES / "claude_code"])
    utc = by_key(price_usage(sheet, report.records, by="day", tz=UTC))
    assert set(utc) == {"2025-09-01", "2025-09-02"}
    assert utc["2025-09-02"].cost == C  # msg_C at 23:30 UTC
    berlin = by_key(price_usage(sheet, report.records, by="day", tz=BERLIN))
    assert set(berlin) == {"2025-09-01", "2025-09-03"}  # 01:30 in Berlin the next day
    assert berlin["2025-09-03"].cost == C
    assert berlin["2025-09-01"].cost == A + B + F


def test_months_follow_the_timezone_and_model_groups_use_sheet_ids(sheet):
    records = [
        record("2025-08-31T22:30:00", "claude-sonnet-4-5-20250929", 1000, 0),
        record("2025-09-10T12:00:00", "SONNET", 2000, 0),
    ]
    assert set(by_key(price_usage(sheet, records, by="month", tz=UTC))) == {"2025-08", "2025-09"}
    berlin = by_key(price_usage(sheet, records, by="month", tz=BERLIN))
    assert set(berlin) == {"2025-09"} and berlin["2025-09"].requests == 2
    by_model = by_key(price_usage(sheet, records, by="model", tz=UTC))
    assert set(by_model) == {"sonnet"} and by_model["sonnet"].cost == D(3000 * 3) / 1_000_000


def test_unknown_grouping_is_a_usage_error(sheet):
    with pytest.raises(UsageError):
        price_usage(sheet, [], by="fortnight")


# --- unknown models ------------------------------------------------------------------------


def test_unknown_models_are_reported_never_priced(sheet):
    report = read_usage(
        [FIXTURES / "claude_code", FIXTURES / "gemini_cli", FIXTURES / "claude_export"]
    )
    priced = price_usage(sheet, report.records, by="day", tz=UTC)
    assert priced.totals.cost == A + B + F + C  # only the Claude Code models the sheet knows
    unknown = {m.model: m for m in priced.unknown_models}
    assert set(unknown) == {
        "claude-3-5-sonnet-20241022",
        "gemini-2.5-pro",
        "gemini-2.5-flash",
        None,
    }
    old = unknown["claude-3-5-sonnet-20241022"]
    assert (old.requests, old.input_tokens, old.output_tokens) == (1, 100, 50)
    assert old.vendor_cost == D("0.0123")  # its costUSD stays with it, not in the groups
    assert priced.totals.vendor_cost is None
    assert unknown["gemini-2.5-pro"].requests == 3
    assert unknown[None].sources == ("claude-export",)
    assert priced.unpriced_requests == sum(m.requests for m in priced.unknown_models)
    # the unknown records still count for the span of months
    assert (priced.first_month, priced.last_month) == ("2025-09", "2025-09")


def test_all_records_unknown_gives_no_groups(sheet):
    report = read_usage([FIXTURES / "gemini_cli"])
    priced = price_usage(sheet, report.records, by="model", tz=UTC)
    assert priced.groups == () and priced.totals.cost == 0 and priced.totals.requests == 0
    assert {m.model for m in priced.unknown_models} == {"gemini-2.5-pro", "gemini-2.5-flash"}


# --- plans and currency ----------------------------------------------------------------------


def test_plan_over_two_calendar_months(sheet):
    records = [
        record(
            "2025-08-20T10:00:00", "claude-sonnet-4-5-20250929", 1_000_000, 100_000
        ),  # $3 + $1.50
        record("2025-09-01T10:00:00", "claude-sonnet-4-5-20250929", 2_000_000, 0),  # $6
    ]
    priced = price_usage(sheet, records, by="month", tz=UTC)
    assert priced.months == 2 and priced.totals.cost == D("10.5")
    comparison = compare_plan(sheet.resolve_plan("solo"), priced)
    assert (comparison.months, comparison.seats) == (2, 1)
    assert comparison.plan_cost == D(40) and comparison.api_cost == D("10.5")
    assert comparison.difference == D("29.5")
    assert comparison.verdict == (
        "Acme Solo $20.00/month × 2 months = $40.00; API-equivalent $10.50 → the plan costs you $29.50 more"
    )


def test_plan_cheaper_than_the_api_and_unpriced_models_named(sheet):
    records = [
        record("2025-09-01T10:00:00", "opus", 1_000_000, 1_000_000),  # $15 + $75
        record("2025-09-02T10:00:00", "mystery-model", 10, 10),
    ]
    comparison = compare_plan(
        sheet.resolve_plan("ACME SOLO"), price_usage(sheet, records, by="day", tz=UTC)
    )
    assert comparison.difference == D(20 - 90)
    assert "the plan saves you $70.00" in comparison.verdict
    assert "leaves out 1 request of 1 model not in the price sheet" in comparison.verdict


def test_gaps_count_as_months_paid():
    assert months_between("2025-11", "2026-02") == 4
    assert months_between("2025-09", "2025-09") == 1
    assert months_between(None, None) == 0


def test_per_seat_plans_follow_the_one_seats_policy(sheet):
    records = [record("2025-09-01T10:00:00", "sonnet", 1000, 0)]
    priced = price_usage(sheet, records, by="day", tz=UTC)
    team = sheet.resolve_plan("team")
    default = compare_plan(team, priced)
    assert (default.seats, default.notes) == (2, ())  # the plan's minimum
    five = compare_plan(team, priced, seats=5)
    assert (five.plan_cost, five.notes) == (D(125), ())
    # below the minimum: raised to it, as `tokencalc plans` does
    raised = compare_plan(team, priced, seats=1)
    assert raised.seats == 2 and raised.plan_cost == D(50)
    assert plan_notes(raised.notes) == ["seats raised from 1 to the plan's minimum of 2"]
    # a plan not sold per seat is one subscription, whatever --seats says
    solo = compare_plan(sheet.resolve_plan("solo"), priced, seats=3)
    assert solo.seats == 1 and solo.plan_cost == D(20)
    assert plan_notes(solo.notes) == [
        "not sold per seat: one subscription priced, --seats 3 ignored"
    ]
    assert compare_plan(sheet.resolve_plan("solo"), priced, seats=1).notes == ()
    with pytest.raises(UsageError, match="seats must be from 1 to 100,000"):
        compare_plan(team, priced, seats=0)


def test_unknown_plan_suggests_near_names(sheet):
    with pytest.raises(TokencalcError, match="did you mean solo"):
        sheet.resolve_plan("sola")


def test_currency_scales_every_amount(sheet):
    records = [record("2025-09-01T10:00:00", "sonnet", 1_000_000, 0, vendor_cost_usd=D("2.5"))]
    priced = price_usage(sheet, records, by="day", tz=UTC, currency="eur", rate=D("0.5"))
    assert priced.currency == "EUR"
    assert priced.totals.cost == D("1.5") and priced.totals.vendor_cost == D("1.25")
    comparison = compare_plan(sheet.resolve_plan("solo"), priced)
    assert comparison.plan_cost == D(10)
    assert comparison.verdict.startswith(
        "Acme Solo €10.00/month × 1 month = €10.00; API-equivalent €1.50"
    )


def test_chat_export_slugs_mapped_by_alias_are_noted(sheet):
    records = [
        record(
            "2025-09-01T10:00:00", "gpt-5-codex", 100, 10, source="chatgpt-export", estimated=True
        )
    ]
    priced = price_usage(sheet, records, by="day", tz=UTC)
    assert priced.totals.estimated is True
    assert "chat export model gpt-5-codex priced as gpt-5 (price-sheet alias)" in priced.notes


def test_bundled_sheet_maps_chatgpt_slugs():
    sheet = load_price_sheet(user_sheet=False)
    assert sheet.resolve("gpt-5-thinking").id == "gpt-5"
    assert sheet.resolve("gpt-5-instant").id == "gpt-5"
    assert sheet.resolve("gpt-5-thinking-mini").id == "gpt-5-mini"


def test_summed_pricing_equals_pricing_each_record(sheet):
    report = read_usage([FIXTURES])
    records = [
        *report.records,
        record(
            "2025-09-03T10:00:00", "gpt-5", 50_000, 100, source="codex"
        ),  # one long-context request
        record("2025-09-03T11:00:00", "gpt-5", 30_000, 100, source="codex"),
    ]
    records += [
        replace(r, tier="batch") for r in records if r.model and r.model.startswith("gpt-5")
    ]
    records.append(
        record(
            "2025-09-03T12:00:00",
            "sonnet5",
            300_000,
            10,
            source="anthropic-usage",
            requests=0,
            long_context=False,
        )
    )
    records.append(
        record(
            "2025-09-03T12:00:00",
            "sonnet5",
            30,
            10,
            source="anthropic-usage",
            requests=0,
            long_context=True,
        )
    )
    one_by_one = sum(priced_alone(sheet, each).cost for each in records)
    assert one_by_one > 0
    for by in ("day", "month", "model"):
        priced = price_usage(sheet, records, by=by, tz=BERLIN)
        assert priced.totals.cost == one_by_one
        assert sum(g.totals.cost for g in priced.groups) == one_by_one
    assert by_key(price_usage(sheet, records, by="day", tz=UTC))["2025-09-03"].long_context is True


# --- chat exports in the priced model's tokens -------------------------------------------------


def chat(model: str, input_tokens: int, output_tokens: int, **extra) -> UsageRecord:
    return record(
        "2025-09-01T10:00:00",
        model,
        input_tokens,
        output_tokens,
        source="claude-export",
        estimated=True,
        **extra,
    )


def test_chat_export_counts_are_scaled_to_an_estimated_tokenizer(sheet):
    # o200k_base counts × 1.5, each rounded up: 1,001 → 1,502 input (601 → 902 cache reads), 11 → 17 output
    totals = priced_alone(sheet, chat("sonnet5", 1001, 11, cache_read_tokens=601))
    assert (totals.input_tokens, totals.cached_input_tokens, totals.output_tokens) == (
        1502,
        902,
        17,
    )
    assert totals.cost == (D(600) * 4 + D(902) * D("0.4") + D(17) * 20) / 1_000_000
    priced = price_usage(sheet, [chat("sonnet5", 1001, 11)], by="day", tz=UTC)
    assert any(
        "scaled to the estimated acme-est tokenizer of sonnet5: × 1.5, each count rounded up" in n
        for n in priced.notes
    )


def test_a_chat_export_costs_what_plans_says_the_same_text_costs(sheet):
    # one turn of a 700-token message and a 300-token reply, no system prompt, no caching
    use = UsageProfile(
        conversations_per_day=D(1),
        turns=1,
        message_tokens=700,
        reply_tokens=300,
        system_tokens=0,
        cache=False,
    )
    model = sheet.resolve("sonnet5")
    in_plans = conversation_cost(sheet, model, use, on=date(2025, 9, 1)).cost.total
    assert (
        priced_alone(sheet, chat("sonnet5", 700, 300)).cost
        == in_plans
        == (D(1050) * 4 + D(450) * 20) / 1_000_000
    )


def test_logged_records_keep_the_vendors_counts(sheet):
    logged = record("2025-09-01T10:00:00", "sonnet5", 1001, 11, source="claude-code")
    totals = priced_alone(sheet, logged)
    assert (totals.input_tokens, totals.output_tokens) == (1001, 11)
    assert price_usage(sheet, [logged], by="day", tz=UTC).notes == ()


def test_scaled_cache_parts_never_exceed_the_input(sheet):
    # 2 → 3 input, but 1 read → 2 and 1 write → 2: the input is raised to the parts it holds
    totals = priced_alone(
        sheet, chat("sonnet5", 2, 0, cache_read_tokens=1, cache_write_5m_tokens=1)
    )
    assert (totals.input_tokens, totals.cached_input_tokens, totals.cache_write_tokens) == (4, 2, 2)
    assert totals.cost == (D(2) * D("0.4") + D(2) * 5) / 1_000_000


def test_character_counted_models_take_the_count_as_it_is(sheet):
    totals = priced_alone(sheet, chat("gem", 1001, 11))
    assert (totals.input_tokens, totals.output_tokens) == (1001, 11)
    (note,) = price_usage(sheet, [chat("gem", 1001, 11)], by="day", tz=UTC).notes
    assert note.startswith("chat-export token counts (o200k_base) used as they are for gem")
    assert "a token is taken as 4 characters" in note


def test_scaled_chat_exports_decide_long_context_on_the_scaled_prompt(sheet):
    # 150,000 o200k_base tokens are 225,000 of the model's: past its 200,000 threshold
    totals = priced_alone(sheet, chat("sonnet5", 150_000, 0))
    assert totals.long_context_requests == 1 and totals.cost == D(225_000) * 8 / 1_000_000


# --- service tiers and recorded long context ---------------------------------------------------


def test_records_are_priced_at_their_tier(sheet):
    standard = record(
        "2025-09-01T00:00:00", "gpt-5", 10_000, 1000, source="openai-usage", requests=4
    )
    batch = replace(standard, tier="batch")
    priced = price_usage(sheet, [standard, batch], by="day", tz=UTC)
    full = (D(10_000) * D("1.25") + D(1000) * 10) / 1_000_000
    assert priced.totals.cost == full + full / 2
    assert priced.tiers == ("batch",) and priced.unpriced_tiers == ()


def test_a_tier_the_model_lacks_is_reported_never_priced(sheet):
    flex = record(
        "2025-09-01T00:00:00", "gpt-5", 10_000, 1000, source="openai-usage", requests=4, tier="flex"
    )
    opus = record(
        "2025-09-01T00:00:00", "opus", 500, 50, source="anthropic-usage", requests=0, tier="batch"
    )
    fine = record("2025-09-01T00:00:00", "gpt-5", 100, 10, source="openai-usage", requests=1)
    priced = price_usage(sheet, [flex, opus, fine], by="model", tz=UTC)
    assert (
        priced.totals.requests == 1
        and priced.totals.cost == (D(100) * D("1.25") + D(100)) / 1_000_000
    )
    missing = {(m.model, m.tier): m for m in priced.unpriced_tiers}
    assert set(missing) == {("gpt-5", "flex"), ("opus", "batch")}
    assert (missing[("gpt-5", "flex")].requests, missing[("gpt-5", "flex")].input_tokens) == (
        4,
        10_000,
    )
    assert missing[("opus", "batch")].uncounted_rows == 1 and missing[
        ("opus", "batch")
    ].sources == ("anthropic-usage",)
    assert priced.unknown_models == ()
    assert (priced.unpriced_requests, priced.unpriced_rows) == (4, 1)
    verdict = compare_plan(sheet.resolve_plan("solo"), priced).verdict
    assert verdict.endswith(
        "(the API figure leaves out 4 requests and 1 billing row at a tier the price sheet has no prices for "
        "(gpt-5 flex, opus batch))"
    )


def test_recorded_long_context_beats_the_average_request(sheet):
    # Anthropic's context_window column: no request counts, but it says which rows were long
    small_but_long = record(
        "2025-09-01T00:00:00",
        "sonnet5",
        1000,
        100,
        source="anthropic-usage",
        requests=0,
        long_context=True,
    )
    big_but_not = record(
        "2025-09-01T00:00:00",
        "sonnet5",
        900_000,
        100,
        source="anthropic-usage",
        requests=2,
        long_context=False,
    )
    long = priced_alone(sheet, small_but_long)
    assert long.cost == (D(1000) * 8 + D(100) * 30) / 1_000_000
    assert (long.long_context_requests, long.long_context_uncounted_rows) == (0, 1)
    short = priced_alone(sheet, big_but_not)
    assert short.cost == (D(900_000) * 4 + D(100) * 20) / 1_000_000 and not short.long_context
    # at the batch tier, long-context prices are halved too
    assert priced_alone(sheet, replace(small_but_long, tier="batch")).cost == long.cost / 2


def test_recorded_long_context_on_a_model_without_long_context_prices(sheet):
    row = record(
        "2025-09-01T00:00:00",
        "sonnet",
        1000,
        0,
        source="anthropic-usage",
        requests=0,
        long_context=True,
    )
    priced = price_usage(sheet, [row], by="day", tz=UTC)
    assert priced.totals.cost == D(3000) / 1_000_000 and not priced.totals.long_context
    assert any("priced at standard prices for sonnet" in note for note in priced.notes)


def test_the_billing_note_no_longer_says_tiers_are_ignored(sheet):
    row = record(
        "2025-09-01T00:00:00", "gpt-5", 100, 10, source="openai-usage", requests=1, tier="batch"
    )
    notes = " ".join(price_usage(sheet, [row], by="day", tz=UTC).notes)
    assert "standard-tier prices" not in notes
    assert "priced at the service tier each records" in notes


def test_long_context_is_counted_per_group(sheet):
    records = [
        record("2025-09-01T10:00:00", "gpt-5", 50_000, 0, source="codex"),
        record("2025-09-02T10:00:00", "gpt-5", 5_000, 0, source="codex"),
        record(
            "2025-09-02T00:00:00",
            "sonnet5",
            10,
            0,
            source="anthropic-usage",
            requests=0,
            long_context=True,
        ),
    ]
    groups = by_key(price_usage(sheet, records, by="day", tz=UTC))
    assert (
        groups["2025-09-01"].long_context_requests,
        groups["2025-09-01"].long_context_uncounted_rows,
    ) == (1, 0)
    assert (
        groups["2025-09-02"].long_context_requests,
        groups["2025-09-02"].long_context_uncounted_rows,
    ) == (0, 1)
