"""The estimate core: counts in, priced rows out (no CLI, no real prices)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from test_sheet import load_sample
from tokencalc.cli.flags import error_message
from tokencalc.cli.phrasing import estimate_notes as _estimate_notes
from tokencalc.counting.counter import Counts
from tokencalc.errors import ArgumentError, BudgetExceeded, TokencalcError, UsageError
from tokencalc.pricing.assumptions import Assumptions
from tokencalc.pricing.estimate import (
    check_budget,
    check_tier_offered,
    encodings_needed,
    estimate_costs,
    model_tokens,
    sort_rows,
)

ON = date(2026, 11, 22)
D = Decimal


def words(notes):
    """The notes as the CLI words them (tests/test_estimate_notes.py pins every kind)."""
    return _estimate_notes(notes)


@pytest.fixture
def sheet(tmp_path):
    return load_sample(tmp_path)


def counts(o200k: int, chars: int = 0, cl100k: int | None = None) -> Counts:
    tokens = {"o200k_base": o200k}
    if cl100k is not None:
        tokens["cl100k_base"] = cl100k
    return Counts(tokens=tokens, chars=chars)


def pick(sheet, *ids):
    return [sheet.models[i] for i in ids]


def test_each_base_tokenizer_is_counted_once(sheet):
    assert encodings_needed(sheet, pick(sheet, "alpha", "claude-x", "gem")) == ["o200k_base"]
    assert encodings_needed(sheet, pick(sheet, "legacy", "alpha", "claude-x")) == [
        "cl100k_base",
        "o200k_base",
    ]
    assert encodings_needed(sheet, pick(sheet, "gem")) == []  # characters need no tokenizer


def test_model_tokens_exact_and_estimated(sheet):
    c = counts(101, chars=10, cl100k=120)
    assert model_tokens(sheet.tokenizer_for(sheet.models["alpha"]), c) == 101
    assert model_tokens(sheet.tokenizer_for(sheet.models["claude-x"]), c) == 152  # ceil(151.5)
    assert model_tokens(sheet.tokenizer_for(sheet.models["gem"]), c) == 3  # ceil(2.5)
    assert model_tokens(sheet.tokenizer_for(sheet.models["legacy"]), c) == 120


def test_default_output_is_a_quarter_of_input_rounded_up(sheet):
    estimate = estimate_costs(
        sheet, pick(sheet, "alpha"), [("a.txt", counts(50))], Assumptions(on=ON)
    )
    (row,) = estimate.rows
    assert (row.input_tokens, row.output_tokens) == (50, 13)  # ceil(12.5)
    assert row.cost is not None
    # 50×2 + 13×8 = 204 per million
    assert row.cost.total == D("0.000204")
    assert "output = 25% of input (default)" in estimate.assumptions.describe()


def test_each_input_is_its_own_request(sheet):
    # 60 and 50 tokens: each below alpha's 100-token long-context threshold, though 110 together
    inputs = [("a", counts(60)), ("b", counts(50))]
    assumptions = Assumptions(on=ON, output_tokens=10)
    estimate = estimate_costs(sheet, pick(sheet, "alpha"), inputs, assumptions, per_file=True)
    (row,) = estimate.rows
    assert (row.input_tokens, row.output_tokens, row.requests) == (110, 20, 2)
    assert row.cost is not None
    assert row.cost.long_context is False
    # (60×2 + 10×8) + (50×2 + 10×8) = 200 + 180
    assert row.cost.total == D("0.00038")
    assert [(r.input_label, r.cost and r.cost.total) for r in estimate.per_file] == [
        ("a", D("0.0002")),
        ("b", D("0.00018")),
    ]


def test_long_context_applies_per_request(sheet):
    inputs = [("small", counts(100)), ("big", counts(101))]
    estimate = estimate_costs(
        sheet, pick(sheet, "alpha"), inputs, Assumptions(on=ON, output_tokens=0), per_file=True
    )
    small, big = estimate.per_file
    assert small.cost is not None and big.cost is not None
    assert (
        small.cost.total == D("0.0002") and not small.cost.long_context
    )  # 100 × 2: at the threshold
    assert big.cost.total == D("0.000404") and big.cost.long_context  # 101 × 4: above it
    assert words(estimate.rows[0].notes) == ["long-context price: 1 of 2 inputs"]


def test_cached_share_calls_and_currency(sheet):
    assumptions = Assumptions(
        on=ON,
        output_tokens=10,
        cached_fraction=D("0.4"),
        calls=1000,
        currency="EUR",
        rate=D("0.87"),
    )
    (row,) = estimate_costs(sheet, pick(sheet, "alpha"), [("a", counts(100))], assumptions).rows
    assert row.cached_tokens == 40
    assert row.cost is not None
    # (60×2 + 40×0.5 + 10×8) = 220 per million, × 1000 calls × 0.87
    assert row.cost.total == D("0.1914")
    assert (row.input_tokens, row.output_tokens) == (100, 10)  # one pass, not × calls


def test_models_that_do_not_fit_are_marked_and_never_cheapest(sheet):
    # legacy is the cheapest by far but its context is 8,000 tokens; gem fits
    inputs = [("big.txt", counts(7900, chars=31600, cl100k=7900))]
    estimate = estimate_costs(
        sheet, pick(sheet, "legacy", "gem"), inputs, Assumptions(on=ON, output_tokens=200)
    )
    legacy, gem = estimate.rows
    assert legacy.cost is not None and gem.cost is not None
    assert not legacy.fits_context and words(legacy.notes) == ["too long: 8,100 > 8,000 context"]
    assert legacy.cost.total == D("0.00083") < gem.cost.total == D("0.0178")
    assert gem.fits_context and gem.cheapest and estimate.cheapest is gem
    assert not legacy.cheapest


def test_output_over_max_output_does_not_fit(sheet):
    (row,) = estimate_costs(
        sheet, pick(sheet, "alpha"), [("a", counts(10))], Assumptions(on=ON, output_tokens=501)
    ).rows
    assert not row.fits_context and "output 501 > 500 max" in words(row.notes)


def test_a_tier_the_model_lacks_marks_its_row(sheet):
    assumptions = Assumptions(on=ON, output_tokens=0, tier="batch")
    estimate = estimate_costs(
        sheet, pick(sheet, "alpha", "legacy"), [("a", counts(100, cl100k=100))], assumptions
    )
    alpha, legacy = estimate.rows
    assert alpha.cost is not None
    assert alpha.cost.total == D("0.0001") and alpha.cheapest
    assert (
        legacy.cost is None and not legacy.tier_offered and words(legacy.notes) == ["no batch tier"]
    )


def test_schedule_follows_the_date(sheet):
    inputs = [("a", counts(0, chars=4000))]  # gem: 1,000 tokens
    before = estimate_costs(
        sheet, pick(sheet, "gem"), inputs, Assumptions(on=date(2026, 11, 30), output_tokens=100)
    )
    after = estimate_costs(
        sheet, pick(sheet, "gem"), inputs, Assumptions(on=date(2026, 12, 1), output_tokens=100)
    )
    before_cost, after_cost = before.rows[0].cost, after.rows[0].cost
    assert before_cost is not None and after_cost is not None
    assert before_cost.total == D("0.003") and after_cost.total == D("0.006")


def test_sorting(sheet):
    inputs = [("a", counts(10, chars=40, cl100k=10))]
    assumptions = Assumptions(on=ON, output_tokens=0, tier="batch")
    rows = estimate_costs(
        sheet, pick(sheet, "gem", "legacy", "alpha", "claude-x"), inputs, assumptions
    ).rows
    # gem (acme) has no batch tier here: unpriced rows sort last
    assert [r.model.id for r in sort_rows(rows, "cost")][-2:] == ["gem", "legacy"]
    assert [r.model.id for r in sort_rows(rows, "model")] == ["alpha", "claude-x", "gem", "legacy"]
    assert [r.model.provider for r in sort_rows(rows, "provider")] == [
        "acme",
        "acme",
        "acme",
        "anthro",
    ]


def test_budget_gate(sheet):
    estimate = estimate_costs(
        sheet,
        pick(sheet, "alpha", "claude-x"),
        [("a", counts(100))],
        Assumptions(on=ON, output_tokens=0, calls=1000),
    )
    check_budget(estimate, D("0.2"))  # alpha: 100 × 2 × 1000 = $0.20, not over
    with pytest.raises(BudgetExceeded) as caught:
        check_budget(estimate, D("0.19"))
    words = "over budget: the cheapest model that fits, alpha, costs $0.2000, more than {} 0.19 USD"
    assert caught.value.message == words.format("max_cost")
    assert error_message(caught.value) == words.format("--max-cost")
    assert caught.value.exit_code == 3


def test_budget_gate_when_nothing_fits(sheet):
    estimate = estimate_costs(
        sheet, pick(sheet, "alpha"), [("a", counts(2000))], Assumptions(on=ON)
    )
    with pytest.raises(BudgetExceeded, match="no selected model fits the input"):
        check_budget(estimate, D("100"))


@pytest.mark.parametrize(
    ("kwargs", "message", "at_the_command_line"),
    [
        (
            {"output_tokens": 5, "output_ratio": D("0.5")},
            "give output_tokens or output_ratio, not both",
            "give --output-tokens or --output-ratio, not both",
        ),
        (
            {"output_tokens": -1},
            "output_tokens must not be negative, got -1",
            "--output-tokens must not be negative, got -1",
        ),
        (
            {"output_ratio": D("-0.1")},
            "output_ratio must be from 0 to 100, got -0.1",
            "--output-ratio must be from 0 to 100, got -0.1",
        ),
        (
            {"cached_fraction": D("1.5")},
            "cached_fraction must be a fraction from 0 to 1, got 1.5",
            "--cached must be a fraction from 0 to 1, got 1.5",
        ),
        ({"calls": 0}, "calls must be at least 1, got 0", "--calls must be at least 1, got 0"),
        (
            {"calls": 5, "per_day": 2},
            "give calls or per_day, not both",
            "give --calls or --per-day, not both",
        ),
        ({"days": 32}, "days must be from 1 to 31, got 32", "--days must be from 1 to 31, got 32"),
        (
            {"rate": D(0)},
            "rate must be positive, got 0",
            "--rate must be positive, got 0",
        ),
        (
            {"web_searches": -2},
            "web_searches must not be negative, got -2",
            "--web-searches must not be negative, got -2",
        ),
    ],
)
def test_assumptions_reject_out_of_range_values(kwargs, message, at_the_command_line):
    # the core names arguments by their Python names; the command line words them with flags
    with pytest.raises(ArgumentError) as caught:
        Assumptions(on=ON, **kwargs)
    assert caught.value.exit_code == 2
    assert str(caught.value) == message
    assert error_message(caught.value) == at_the_command_line


def test_an_unknown_tier_is_a_usage_error():
    with pytest.raises(UsageError, match="unknown tier 'turbo'") as caught:
        Assumptions(on=ON, tier="turbo")
    assert caught.value.exit_code == 2


def test_check_tier_offered_only_when_no_selected_model_has_the_tier(sheet):
    inputs = [("a", counts(100, chars=400, cl100k=100))]
    none = estimate_costs(
        sheet, pick(sheet, "legacy", "claude-x"), inputs, Assumptions(on=ON, tier="flex")
    )
    with pytest.raises(
        TokencalcError,
        match=r"none of the selected models offers the flex tier \(models that do: gem\)",
    ):
        check_tier_offered(sheet, none)
    some = estimate_costs(
        sheet, pick(sheet, "legacy", "gem"), inputs, Assumptions(on=ON, tier="flex")
    )
    check_tier_offered(sheet, some)
    check_tier_offered(
        sheet, estimate_costs(sheet, pick(sheet, "legacy"), inputs, Assumptions(on=ON))
    )
