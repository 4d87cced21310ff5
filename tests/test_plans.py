"""The plans core: chat cost per conversation, plans against the API, break-even, caps, seats.

``PLAN_SHEET`` has round prices so every figure here can be checked by hand; the CLI tests in
test_cli_plans.py use it too.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tokencalc.cli.flags import error_message
from tokencalc.cli.phrasing import plan_note, plan_notes, plan_warning
from tokencalc.errors import TokencalcError, UsageError
from tokencalc.plans.conversation import (
    conversation_cost,
    conversation_requests,
    model_tokens,
    turn_tokens,
)
from tokencalc.plans.core import compare_plans, find_plans
from tokencalc.plans.profile import (
    MAX_BREAK_EVEN_MESSAGES_PER_DAY,
    MAX_SEATS,
    UsageProfile,
    seats_for,
)
from tokencalc.sheet.load import load_price_sheet
from tokencalc.wording import spell

D = Decimal
ON = date(2026, 11, 22)
CENT = D("0.01")

PLAN_SHEET = """\
schema_version = 1
as_of = {as_of}
default_models = ["plain"]

[providers.acme]
name = "Acme"
source = "https://acme.example/pricing"
as_of = 2026-11-01

[providers.anthro]
name = "Anthro"
source = "https://anthro.example/pricing"
as_of = 2026-11-01

[tokenizers.anthro-est]
base = "o200k_base"
ratio = 1.5
source = "measured"

[tokenizers.chars4]
base = "characters"
ratio = 0.25
source = "4 characters per token"

[tokenizers.llama]
base = "cl100k_base"
ratio = 1.0
source = "same as cl100k"

# no cache prices: caching does not apply
[models.plain]
provider = "acme"
name = "Plain"
tokenizer = "o200k_base"
input = 1.0
output = 2.0
context_window = 100000

# cache reads, no cache writes
[models.cachy]
provider = "acme"
name = "Cachy"
tokenizer = "o200k_base"
input = 2.0
cached_input = 0.5
output = 8.0
context_window = 100000

# estimated tokenizer (x1.5), cache reads and 5-minute cache writes
[models.writer]
provider = "anthro"
name = "Writer"
tokenizer = "anthro-est"
input = 3.0
cached_input = 0.3
cache_write_5m = 3.75
output = 15.0
context_window = 200000

[models.longy]
provider = "acme"
name = "Longy"
tokenizer = "o200k_base"
input = 1.0
cached_input = 0.1
output = 4.0
context_window = 100000

[models.longy.long_context]
threshold = 300
input = 2.0
output = 8.0

[models.gem]
provider = "acme"
name = "Gem"
tokenizer = "chars4"
input = 1.0
output = 1.0
context_window = 100000

[models.llam]
provider = "acme"
name = "Llam"
tokenizer = "llama"
input = 1.0
output = 1.0
context_window = 100000

# the cheapest, but a small window
[models.tiny]
provider = "acme"
name = "Tiny"
tokenizer = "o200k_base"
input = 0.01
output = 0.01
context_window = 500

# cheap, with room
[models.cheap]
provider = "acme"
name = "Cheap"
tokenizer = "o200k_base"
input = 0.1
output = 0.1
context_window = 100000

# cheaper still, but deprecated: never the cheapest
[models.old]
provider = "acme"
name = "Old"
tokenizer = "o200k_base"
input = 0.001
output = 0.001
context_window = 100000
deprecated = true

[models.gratis]
provider = "acme"
name = "Gratis"
tokenizer = "o200k_base"
input = 0.0
output = 0.0
context_window = 100000
deprecated = true

[plans.acme-pro]
vendor = "acme"
name = "Acme Pro"
monthly_price = 20.0
annual_monthly_price = 16.0
models = ["cachy", "plain"]
caps = "100 messages a day"
messages_per_day_cap = 100
source = "https://acme.example/pro"
as_of = 2026-11-01

[plans.acme-free]
vendor = "acme"
name = "Acme Free"
monthly_price = 0.0
models = ["plain"]
caps = "a few messages"
source = "https://acme.example/free"
as_of = 2026-11-01

[plans.anthro-team]
vendor = "anthro"
name = "Anthro Team"
monthly_price = 25.0
annual_monthly_price = 20.0
per_seat = true
min_seats = 3
models = ["writer"]
caps = "team limits"
source = "https://anthro.example/team"
as_of = 2026-11-01

[plans.acme-gratis]
vendor = "acme"
name = "Acme Gratis"
monthly_price = 5.0
models = ["gratis"]
caps = "none"
source = "https://acme.example/gratis"
as_of = 2026-11-01
"""


def worded(warnings):
    """A comparison's warnings as the CLI words them (tests/test_cli_plans.py pins them too)."""
    return tuple(plan_warning(warning) for warning in warnings)


def plan_sheet_text(as_of: date | None = None) -> str:
    return PLAN_SHEET.format(as_of=(as_of or date.today()).isoformat())


@pytest.fixture
def sheet(tmp_path: Path):
    path = tmp_path / "plans.toml"
    path.write_text(plan_sheet_text(), encoding="utf-8")
    return load_price_sheet(user_sheet=False, base_sheet=path)


def profile(**changes) -> UsageProfile:
    """A small profile: 100 system tokens, 10-token messages, 20-token replies."""
    values: dict[str, Any] = {
        "conversations_per_day": D(1),
        "turns": 1,
        "message_tokens": 10,
        "reply_tokens": 20,
        "system_tokens": 100,
        "days": 30,
    }
    values.update(changes)
    return UsageProfile(**values)


def per_conversation(sheet, model_id: str, **changes) -> Decimal:
    return conversation_cost(sheet, sheet.models[model_id], profile(**changes), on=ON).cost.total


# --- one conversation ------------------------------------------------------------------------


def test_one_turn_is_one_request(sheet):
    # 110 input × $1 + 20 output × $2 per million
    assert per_conversation(sheet, "plain") == D(110 + 40) / 1_000_000


def test_ten_turns_resend_the_whole_conversation(sheet):
    # prompts 110, 140, … 380 (each turn adds the last message and reply, 30 tokens): 2,450 in all
    cost = conversation_cost(sheet, sheet.models["plain"], profile(turns=10), on=ON)
    assert cost.input_tokens == 2450 and cost.output_tokens == 200
    assert cost.cost.total == D(2450 * 1 + 200 * 2) / 1_000_000
    assert cost.longest_request == 380 + 20


def test_cost_grows_with_the_square_of_the_length(sheet):
    ten = per_conversation(sheet, "plain", turns=10, system_tokens=0)
    twenty = per_conversation(sheet, "plain", turns=20, system_tokens=0)
    # input 10 + 30(k−1) summed: 1,450 for 10 turns, 5,900 for 20; output 200 and 400
    assert ten == D(1450 + 400) / 1_000_000
    assert twenty == D(5900 + 800) / 1_000_000


def test_no_caching_without_a_cached_input_price(sheet):
    assert per_conversation(sheet, "plain", turns=10) == per_conversation(
        sheet, "plain", turns=10, cache=False
    )


def test_caching_bills_the_previous_prompt_as_cache_reads(sheet):
    # turn 1: 110 uncached; turns 2–10: the previous prompt (990 + 30×36 = 2,070 in all) read
    # from cache at $0.5, the new 30 tokens at $2; output 200 × $8
    cached = per_conversation(sheet, "cachy", turns=10)
    assert cached == D((110 + 9 * 30) * 2 + 2070 * D("0.5") + 200 * 8) / 1_000_000
    assert per_conversation(sheet, "cachy", turns=10, cache=False) == D(2450 * 2 + 1600) / 1_000_000


def test_caching_changes_nothing_in_a_one_turn_conversation(sheet):
    assert (
        per_conversation(sheet, "cachy")
        == per_conversation(sheet, "cachy", cache=False)
        == D(110 * 2 + 20 * 8) / 1_000_000
    )


def test_cache_writes_bill_the_new_part_of_each_prompt(sheet):
    # writer counts ×1.5: system 150, message 15, reply 30; prompts 165, 210, 255
    cost = conversation_cost(sheet, sheet.models["writer"], profile(turns=3), on=ON)
    assert cost.tokens.system == 150 and cost.tokens.message == 15 and cost.tokens.reply == 30
    assert cost.cache_writes
    writes = (165 + 45 + 45) * D("3.75")
    reads = (165 + 210) * D("0.3")
    output = 3 * 30 * 15
    assert cost.cost.cache_write == writes / 1_000_000
    assert cost.cost.cache_read == reads / 1_000_000
    assert cost.cost.input == 0
    assert cost.cost.total == (writes + reads + output) / 1_000_000
    uncached = per_conversation(sheet, "writer", turns=3, cache=False)
    assert uncached == D((165 + 210 + 255) * 3 + output) / 1_000_000


def test_requests_turn_by_turn():
    from tokencalc.plans.conversation import TurnTokens

    tokens = TurnTokens(system=100, message=10, reply=20, reasoning=5)
    plain, reads, writes = (
        conversation_requests(tokens, 3, cache_reads=r, cache_writes=w)
        for r, w in ((False, False), (True, False), (True, True))
    )
    assert [(q.input, q.output, q.cache_read) for q in plain] == [
        (110, 25, 0),
        (140, 25, 0),
        (170, 25, 0),
    ]
    assert [(q.cache_read, q.uncached_input) for q in reads] == [(0, 110), (110, 30), (140, 30)]
    assert [(q.cache_read, q.cache_write_5m, q.uncached_input) for q in writes] == [
        (0, 110, 0),
        (110, 30, 0),
        (140, 30, 0),
    ]


def test_reasoning_is_billed_as_output_and_not_resent(sheet):
    # prompts 110 and 140 (the 50 reasoning tokens are not in the history); output 70 per turn
    assert (
        per_conversation(sheet, "plain", turns=2, reasoning_tokens=50)
        == D(250 * 1 + 140 * 2) / 1_000_000
    )


def test_estimated_tokenizers_scale_each_count_rounding_up(sheet):
    ref = sheet.tokenizer_for(sheet.models["writer"])
    assert model_tokens(ref, 11) == 17  # 16.5 rounded up
    assert model_tokens(sheet.tokenizer_for(sheet.models["gem"]), 11) == 11  # 44 characters × 0.25
    assert (
        model_tokens(sheet.tokenizer_for(sheet.models["llam"]), 11) == 11
    )  # cl100k taken as the profile count
    assert model_tokens(sheet.tokenizer_for(sheet.models["plain"]), 11) == 11
    tokens = turn_tokens(
        ref, profile(message_tokens=11, reply_tokens=21, system_tokens=0, reasoning_tokens=3)
    )
    assert (tokens.system, tokens.message, tokens.reply, tokens.reasoning) == (0, 17, 32, 5)
    # one turn on writer with 11-token messages: 17 input written at $3.75, 32 output at $15
    assert (
        per_conversation(sheet, "writer", message_tokens=11, reply_tokens=21, system_tokens=0)
        == (17 * D("3.75") + 32 * 15) / 1_000_000
    )


def test_long_context_prices_apply_per_request(sheet):
    # prompts 110 … 380; turns 8–10 (320, 350, 380) exceed the 300 threshold
    cost = conversation_cost(sheet, sheet.models["longy"], profile(turns=10, cache=False), on=ON)
    assert cost.long_context_turns == 3
    normal = (7 * 110 + 30 * 21) * 1 + 7 * 20 * 4
    long = (320 + 350 + 380) * 2 + 3 * 20 * 8
    assert cost.cost.total == D(normal + long) / 1_000_000


def test_fit_checks_the_last_turn(sheet):
    assert conversation_cost(
        sheet, sheet.models["tiny"], profile(turns=10), on=ON
    ).fits  # 400 ≤ 500
    too_long = conversation_cost(sheet, sheet.models["tiny"], profile(turns=20), on=ON)
    assert too_long.longest_request == 110 + 19 * 30 + 20 and not too_long.fits


# --- plans against the API -----------------------------------------------------------------


def rows_by_plan(comparison):
    return {row.plan.id: row for row in comparison.rows}


def test_plan_beside_the_api_on_its_stand_in_and_the_cheapest(sheet):
    use = profile(turns=10, conversations_per_day=D(2))
    comparison = compare_plans(sheet, find_plans(sheet, ["acme-pro"]), use, on=ON)
    (row,) = comparison.rows
    conversation = D((110 + 270) * 2 + 2070 * D("0.5") + 1600) / 1_000_000
    assert row.api.model.id == "cachy"
    assert row.monthly_price == 20
    assert row.api_monthly_cost == conversation * 2 * 30
    assert comparison.cheapest is not None
    assert (
        comparison.cheapest.model.id == "tiny"
    )  # fits 400 tokens; "old" is cheaper but deprecated
    assert row.cheapest_monthly_cost == D(2450 * D("0.01") + 200 * D("0.01")) / 1_000_000 * 60
    assert comparison.cheapest_monthly_cost == row.cheapest_monthly_cost
    assert row.verdict.startswith("the API would cost $19.80/month less")
    assert not row.exceeds_cap


def test_the_cheapest_model_must_fit_the_longest_turn(sheet):
    comparison = compare_plans(sheet, [], profile(turns=20), on=ON)
    assert comparison.cheapest is not None
    assert comparison.cheapest.model.id == "cheap"


def test_break_even_volume_costs_the_plan_price_to_the_cent(sheet):
    use = profile(turns=10)
    (row,) = compare_plans(sheet, find_plans(sheet, ["acme-pro"]), use, on=ON).rows
    per_conv = row.api.cost.total
    assert row.break_even_messages_per_day == D(20) / (per_conv * 30) * 10
    at_break_even = replace(use, conversations_per_day=row.break_even_messages_per_day / use.turns)
    (again,) = compare_plans(sheet, find_plans(sheet, ["acme-pro"]), at_break_even, on=ON).rows
    assert again.api_monthly_cost.quantize(CENT) == D("20.00")
    above = replace(use, conversations_per_day=row.break_even_messages_per_day / use.turns * 2)
    (busier,) = compare_plans(sheet, find_plans(sheet, ["acme-pro"]), above, on=ON).rows
    assert busier.api_monthly_cost.quantize(CENT) == D("40.00")
    # twice the break-even volume is over acme-pro's cap of 100 a day: never "the plan is cheaper"
    assert (
        busier.exceeds_cap
        and busier.verdict
        == "this use exceeds the plan's cap: the plan cannot carry it; the API would cost $40.00/month"
    )


def test_break_even_of_a_per_seat_plan_is_per_person(sheet):
    use = profile(turns=4, seats=6)
    (row,) = compare_plans(sheet, find_plans(sheet, ["anthro-team"]), use, on=ON).rows
    assert row.seats == 6 and row.monthly_price == 150
    assert row.break_even_messages_per_day is not None
    at = replace(use, conversations_per_day=row.break_even_messages_per_day / 4)
    (again,) = compare_plans(sheet, find_plans(sheet, ["anthro-team"]), at, on=ON).rows
    assert again.api_monthly_cost.quantize(CENT) == D("150.00")


@pytest.mark.parametrize(
    ("plan", "changes", "note"),
    [
        ("acme-free", {}, "free plan"),
        ("acme-gratis", {}, "the API costs nothing on the stand-in model"),
        # 3 millionths of a dollar per conversation: $20 buys 222,222 conversations a day
        (
            "acme-pro",
            {"system_tokens": 0, "message_tokens": 1, "reply_tokens": 1},
            "above 10,000 messages a day",
        ),
    ],
)
def test_no_break_even(sheet, plan, changes, note):
    (row,) = compare_plans(sheet, find_plans(sheet, [plan]), profile(**changes), on=ON).rows
    assert row.break_even_messages_per_day is None
    assert row.break_even_note == note
    assert MAX_BREAK_EVEN_MESSAGES_PER_DAY == 10_000


def test_free_plan_verdict_names_the_api_cost(sheet):
    (row,) = compare_plans(sheet, find_plans(sheet, ["acme-free"]), profile(), on=ON).rows
    assert (
        row.verdict == "free plan: the API would cost $0.004500/month for this use"
    )  # 150e-6 × 30


def test_deprecated_stand_in_is_priced_and_flagged(sheet):
    comparison = compare_plans(sheet, find_plans(sheet, ["acme-gratis"]), profile(), on=ON)
    (row,) = comparison.rows
    assert row.api.model.id == "gratis" and row.api_monthly_cost == 0
    assert any("deprecated" in note for note in plan_notes(row.notes))
    assert any("deprecated" in warning for warning in worded(comparison.warnings))


@pytest.mark.parametrize(("conversations", "exceeds"), [(D(10), False), (D(11), True)])
def test_a_profile_over_the_documented_cap_warns(sheet, conversations, exceeds):
    use = profile(turns=10, conversations_per_day=conversations)
    comparison = compare_plans(sheet, find_plans(sheet, ["acme-pro"]), use, on=ON)
    (row,) = comparison.rows
    assert row.exceeds_cap is exceeds
    expected = (
        ["acme-pro: this use exceeds the plan's cap: 110 messages per day > cap 100 (messages)"]
        if exceeds
        else []
    )
    assert list(worded(comparison.warnings)) == expected
    assert ("exceeds the plan's cap" in row.verdict) is exceeds


def test_seats_default_to_the_minimum_and_are_raised_to_it(sheet):
    team = find_plans(sheet, ["anthro-team"])
    (default,) = compare_plans(sheet, team, profile(), on=ON).rows
    one_person = default.api.cost.total * 30
    assert (
        default.seats == 3
        and default.monthly_price == 75
        and default.api_monthly_cost == one_person * 3
    )
    comparison = compare_plans(sheet, team, profile(seats=2), on=ON)
    (raised,) = comparison.rows
    assert raised.seats == 3 and raised.monthly_price == 75
    assert worded(comparison.warnings) == (
        "anthro-team: seats raised from 2 to the plan's minimum of 3",
    )
    (seven,) = compare_plans(sheet, team, profile(seats=7, annual=True), on=ON).rows
    assert seven.seats == 7 and seven.annual and seven.monthly_price == 140
    assert seven.api_monthly_cost == one_person * 7
    cheapest = compare_plans(sheet, [], profile(), on=ON).cheapest
    assert cheapest is not None
    assert seven.cheapest_monthly_cost == cheapest.cost.total * 30 * 7


def test_seats_leave_personal_plans_alone_with_a_note(sheet):
    comparison = compare_plans(sheet, find_plans(sheet, ["acme-pro"]), profile(seats=9), on=ON)
    (row,) = comparison.rows
    assert row.seats == 1 and row.monthly_price == 20
    assert plan_notes(row.notes) == [
        "not sold per seat: one subscription priced, --seats 9 ignored"
    ]
    assert comparison.warnings == ()  # a note, not a warning: every personal plan would say it


@pytest.mark.parametrize(
    ("plan_id", "seats", "expected"),
    [
        ("anthro-team", None, (3, None)),
        ("anthro-team", 3, (3, None)),
        ("anthro-team", 40, (40, None)),
        ("anthro-team", 1, (3, "seats raised from 1 to the plan's minimum of 3")),
        ("acme-pro", None, (1, None)),
        ("acme-pro", 1, (1, None)),
        ("acme-pro", 4, (1, "not sold per seat: one subscription priced, --seats 4 ignored")),
    ],
)
def test_one_seats_policy(sheet, plan_id, seats, expected):
    paid, note = seats_for(sheet.plans[plan_id], seats)
    assert (paid, None if note is None else plan_note(note)) == expected


@pytest.mark.parametrize("seats", [0, -1, MAX_SEATS + 1])
def test_seats_out_of_range_are_usage_errors(sheet, seats):
    with pytest.raises(UsageError) as raised:
        seats_for(sheet.plans["acme-pro"], seats)
    assert str(raised.value).startswith(f"seats must be from 1 to {MAX_SEATS:,}, got ")
    assert error_message(raised.value).startswith(f"--seats must be from 1 to {MAX_SEATS:,}, got ")


def test_annual_price_where_offered(sheet):
    rows = rows_by_plan(
        compare_plans(
            sheet, find_plans(sheet, ["acme-pro", "acme-gratis"]), profile(annual=True), on=ON
        )
    )
    assert rows["acme-pro"].annual and rows["acme-pro"].monthly_price == 16
    assert not rows["acme-gratis"].annual and rows["acme-gratis"].monthly_price == 5
    assert "no annual-billing price; monthly price used" in plan_notes(rows["acme-gratis"].notes)


def test_currency_rate_scales_money_but_not_break_even(sheet):
    plans = find_plans(sheet, ["acme-pro"])
    (usd,) = compare_plans(sheet, plans, profile(turns=10), on=ON).rows
    (eur,) = compare_plans(
        sheet, plans, profile(turns=10), on=ON, currency="EUR", rate=D("0.5")
    ).rows
    assert eur.monthly_price == 10 and eur.api_monthly_cost == usd.api_monthly_cost / 2
    assert eur.break_even_messages_per_day == usd.break_even_messages_per_day
    assert "€" in eur.verdict


def test_find_plans_every_plan_in_sheet_order_or_the_named_ones(sheet):
    assert [p.id for p in find_plans(sheet, [])] == [
        "acme-pro",
        "acme-free",
        "anthro-team",
        "acme-gratis",
    ]
    assert [p.id for p in find_plans(sheet, ["ANTHRO-TEAM", "acme-pro", "anthro-team"])] == [
        "anthro-team",
        "acme-pro",
    ]
    with pytest.raises(TokencalcError, match=r"unknown plan 'acme-por' \(did you mean acme-pro"):
        find_plans(sheet, ["acme-por"])
    with pytest.raises(TokencalcError, match="tokencalc plans"):
        find_plans(sheet, ["zzzzzz"])


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"conversations_per_day": D(0)}, "--conversations-per-day must be more than 0"),
        ({"conversations_per_day": D(-2)}, "--conversations-per-day must be more than 0"),
        ({"turns": 0}, "--turns must be from 1 to 1,000"),
        ({"conversations_per_day": D("1e30")}, "--conversations-per-day must be at most 1,000"),
        ({"turns": 1001}, "--turns must be from 1 to 1,000"),
        ({"message_tokens": 0}, "--message-tokens must be from 1 to 10,000,000"),
        ({"message_tokens": 10**30}, "--message-tokens must be from 1 to 10,000,000"),
        ({"reply_tokens": 0}, "--reply-tokens must be from 1 to 10,000,000"),
        ({"reply_tokens": 10_000_001}, "--reply-tokens must be from 1 to 10,000,000"),
        ({"system_tokens": -1}, "--system-tokens must be from 0 to 10,000,000"),
        ({"system_tokens": 10**12}, "--system-tokens must be from 0 to 10,000,000"),
        ({"reasoning_tokens": -5}, "--reasoning-tokens must be from 0 to 10,000,000"),
        ({"reasoning_tokens": 10**12}, "--reasoning-tokens must be from 0 to 10,000,000"),
        ({"days": 0}, "--days must be from 1 to 31"),
        ({"days": 32}, "--days must be from 1 to 31"),
        ({"seats": 0}, "--seats must be from 1 to 100,000"),
        ({"seats": 10**30}, "--seats must be from 1 to 100,000"),
    ],
)
def test_profiles_that_make_no_sense_are_usage_errors(changes, message):
    # the core names the profile's fields; the command line words them with its flags
    with pytest.raises(UsageError) as raised:
        profile(**changes)
    assert "--" not in str(raised.value)
    assert re.match(re.escape(message), error_message(raised.value))


def test_assumptions_state_defaults_reasoning_and_caching(sheet):
    use = UsageProfile(defaulted=("reasoning_tokens", "days"))
    text = "\n".join(
        map(spell, compare_plans(sheet, find_plans(sheet, ["anthro-team"]), use, on=ON).assumptions)
    )
    assert "defaults used: 0 reasoning tokens, 30 days" in text
    assert "prompt caching on" in text and "square of its length" in text
    assert (
        "anthro-team 3" in text and "cheapest API model: tiny" not in text
    )  # 6 turns of 1,000+ tokens: too big for tiny
    off = "\n".join(
        map(spell, compare_plans(sheet, [], UsageProfile(cache=False), on=ON).assumptions)
    )
    assert "no prompt caching" in off


def test_a_conversation_too_long_for_the_stand_in_is_flagged(sheet):
    # 1,000 turns of 200 tokens: the last prompt is 100 + 999 × 200 + 100 = 200,000 tokens
    use = profile(turns=1000, message_tokens=100, reply_tokens=100)
    comparison = compare_plans(sheet, find_plans(sheet, ["acme-free"]), use, on=ON)
    (row,) = comparison.rows
    assert not row.api.fits and row.api.longest_request == 200_100
    assert "does not fit the stand-in model" in row.verdict
    assert worded(comparison.warnings) == (
        (
            "the conversation does not fit plain (stand-in for acme-free): its last turn needs 200,100 tokens, "
            "the model takes 100,000; chat apps trim or summarise long conversations instead"
        ),
    )
    assert comparison.cheapest is None  # nothing current in the sheet takes 200,100 tokens


def test_the_largest_profile_still_gives_amounts_that_can_be_shown():
    from tokencalc.pricing.costs import format_money

    sheet = load_price_sheet(user_sheet=False)  # the bundled sheet: its dearest models

    biggest = UsageProfile(
        conversations_per_day=D(1_000), turns=1_000, message_tokens=10_000_000, reply_tokens=10_000_000,
        system_tokens=10_000_000, reasoning_tokens=10_000_000, days=31, seats=MAX_SEATS,
    )  # fmt: skip
    comparison = compare_plans(
        sheet, find_plans(sheet, []), biggest, on=ON, currency="EUR", rate=D("1e7")
    )
    shown = 0
    for row in comparison.rows:
        for amount in (row.monthly_price, row.api_monthly_cost, row.cheapest_monthly_cost):
            if amount is not None:
                text = format_money(amount, "EUR")
                # a whole amount: digits, grouping commas and at most one decimal point, no "E+"
                digits = text.lstrip("€").replace(",", "")
                assert digits.replace(".", "", 1).isdigit(), text
                shown += 1
    assert shown >= len(comparison.rows)  # every plan row showed at least its API cost
