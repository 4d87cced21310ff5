"""Cost maths, checked against sums done by hand on the round prices of the sample sheet."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from test_sheet import load_sample
from tokencalc.errors import TokencalcError
from tokencalc.pricing.costs import (
    CostBreakdown,
    RequestTokens,
    decimal_text,
    format_money,
    request_cost,
)

ON = date(2026, 11, 22)
D = Decimal


@pytest.fixture
def sheet(tmp_path):
    return load_sample(tmp_path)


def cost(sheet, model_id, tokens, *, on=ON, tier=None):
    return request_cost(sheet, sheet.models[model_id], tokens, on=on, tier=tier)


# alpha: input 2, cached 0.5, output 8 per million; above 100 input tokens: input 4, cached 1
# (scaled like input), output 12. Batch ×0.5; priority input 3, output 16, cached 0.75.
AT_THRESHOLD = RequestTokens(input=100, output=10, cache_read=40)
ABOVE_THRESHOLD = RequestTokens(input=101, output=10, cache_read=40)


@pytest.mark.parametrize(
    ("tokens", "tier", "expected", "long"),
    [
        # 60×2 + 40×0.5 + 10×8 = 220 per million
        (AT_THRESHOLD, None, D("0.00022"), False),
        # whole request at long-context prices: 61×4 + 40×1 + 10×12 = 404
        (ABOVE_THRESHOLD, None, D("0.000404"), True),
        (AT_THRESHOLD, "batch", D("0.00011"), False),
        (ABOVE_THRESHOLD, "batch", D("0.000202"), True),
        # 60×3 + 40×0.75 + 10×16 = 370
        (AT_THRESHOLD, "priority", D("0.00037"), False),
        # long context under explicit priority: input 4×3/2 = 6, cached 1×0.75/0.5 = 1.5,
        # output 12×16/8 = 24 → 61×6 + 40×1.5 + 10×24 = 666
        (ABOVE_THRESHOLD, "priority", D("0.000666"), True),
    ],
)
def test_cached_tiers_and_the_long_context_edge(sheet, tokens, tier, expected, long):
    result = cost(sheet, "alpha", tokens, tier=tier)
    assert result.total == expected
    assert result.long_context is long


def test_cache_writes_are_billed_at_their_own_prices(sheet):
    # claude-x: input 3, cached 0.3, write 5m 3.75, write 1h 6, output 15
    tokens = RequestTokens(
        input=1_000_000,
        output=10_000,
        cache_read=200_000,
        cache_write_5m=100_000,
        cache_write_1h=50_000,
    )
    result = cost(sheet, "claude-x", tokens)
    assert result.input == D("1.95")  # 650,000 uncached × 3
    assert result.cache_read == D("0.06")  # 200,000 × 0.3
    assert result.cache_write == D("0.675")  # 100,000 × 3.75 + 50,000 × 6
    assert result.output == D("0.15")  # 10,000 × 15
    assert result.total == D("2.835")
    assert result.prompt == D("2.685")


def test_missing_cache_prices_fall_back_to_the_input_price(sheet):
    # legacy: input 0.1, output 0.2, no cache prices at all
    tokens = RequestTokens(input=1_000_000, output=0, cache_read=500_000, cache_write_1h=500_000)
    assert cost(sheet, "legacy", tokens).total == D("0.1")


@pytest.mark.parametrize(
    ("on", "expected"), [(date(2026, 11, 30), D("0.003")), (date(2026, 12, 1), D("0.006"))]
)
def test_schedule_dates_on_both_sides_of_the_change(sheet, on, expected):
    # gem: $2/$10 until 2026-11-30, $4/$20 from 2026-12-01: 1,000 in + 100 out
    assert cost(sheet, "gem", RequestTokens(input=1000, output=100), on=on).total == expected


def test_calls_and_currency_scale_every_part(sheet):
    one = cost(sheet, "alpha", AT_THRESHOLD)
    job = one.scaled(1000).scaled(D("0.87"))
    assert job.total == D("0.1914")  # 0.00022 × 1000 × 0.87
    assert job.cache_read == D("0.0174")
    assert (one + one).total == D("0.00044")
    assert (one + cost(sheet, "alpha", ABOVE_THRESHOLD)).long_context is True
    assert CostBreakdown.zero().total == 0


def test_a_tier_the_model_lacks_is_an_error(sheet):
    with pytest.raises(TokencalcError, match="model 'legacy' has no batch tier"):
        cost(sheet, "legacy", AT_THRESHOLD, tier="batch")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"input": -1, "output": 0}, "token count input must not be negative, got -1"),
        ({"input": 10, "output": -5}, "token count output must not be negative, got -5"),
        (
            {"input": 10, "output": 0, "cache_read": -1},
            "token count cache_read must not be negative",
        ),
        (
            {"input": 10, "output": 0, "cache_read": 6, "cache_write_5m": 5},
            "cache reads and writes (11 tokens) exceed the input (10 tokens)",
        ),
        ({"input": 1.5, "output": 0}, "token count input must be a whole number, got 1.5"),
    ],
)
def test_impossible_token_counts_are_errors_not_wrong_numbers(kwargs, message):
    with pytest.raises(TokencalcError, match=message.replace("(", "\\(").replace(")", "\\)")):
        RequestTokens(**kwargs)


def test_request_tokens_add_up():
    total = RequestTokens(10, 2, 3) + RequestTokens(5, 1, 0, 1, 1)
    assert total == RequestTokens(15, 3, 3, 1, 1)
    assert total.uncached_input == 10


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (D("1234.5"), "USD", "$1,234.50"),
        (D("0.0612"), "USD", "$0.0612"),
        (D("0.000404"), "EUR", "€0.000404"),
        (D("0.0000001"), "USD", "$<0.000001"),
        (D("0"), "USD", "$0.00"),
        (D("12"), "CHF", "12.00 CHF"),
    ],
)
def test_format_money(amount, currency, shown):
    assert format_money(amount, currency) == shown


def test_decimal_text_never_uses_exponents():
    assert decimal_text(D("0.0000004")) == "0.0000004"
    assert decimal_text(D("100.000")) == "100"
    assert decimal_text(D("0E-10")) == "0"
