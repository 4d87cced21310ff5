"""An exchange rate has one bound (``bounds.BOUNDS["rate"]``, documented in the README: above 0
and at most 10,000,000 units per US dollar). What ``--rate`` and the Python API's ``rate=``
accept is exactly what a price sheet may store, and the core holds a rate to the same bound."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

import tokencalc
from test_sheet import load_sample
from tokencalc.cli.flags import error_message
from tokencalc.errors import ArgumentError, PriceSheetError, Problem
from tokencalc.plans.core import compare_plans
from tokencalc.plans.profile import UsageProfile
from tokencalc.pricing.assumptions import Assumptions
from tokencalc.sheet.load import load_price_sheet

# (rate, accepted), worked out from the documented bound, not from the code: 0 and below are
# not rates; ten million is the largest; anything over it, by a half or by one, is a typo.
RATES = [
    ("0.000001", True),
    ("1", True),
    ("10000000", True),
    ("0", False),
    ("-1", False),
    ("10000000.5", False),
    ("10000001", False),
]


@pytest.mark.parametrize(("rate", "ok"), RATES)
def test_a_rate_a_sheet_may_store_is_a_rate_the_cli_and_the_api_accept(cli, tmp_path, rate, ok):
    result = cli(
        "estimate", "--input-tokens", "100", "-m", "gpt-6-luna", "--currency", "EUR",
        "--rate", rate, "-f", "json",
    )  # fmt: skip
    assert (result.exit_code == 0) is ok, result.stderr

    def api() -> object:
        return tokencalc.estimate_dataset(
            ["hello"], models=["gpt-6-luna"], currency="EUR", rate=rate, rows=False
        ).summary

    if ok:
        assert load_sample(tmp_path, f"[currencies]\nEUR = {rate}\n").currencies == {
            "EUR": Decimal(rate)
        }
        api()
        return
    with pytest.raises(PriceSheetError) as caught:
        load_sample(tmp_path, f"[currencies]\nEUR = {rate}\n")
    wanted = (
        "must be a positive number"
        if Decimal(rate) <= 0
        else "must be at most 10,000,000 (a typo?)"
    )
    assert caught.value.problems == [
        f"{tmp_path / 'over.toml'}: currencies.EUR: {wanted}, got {rate}"
    ]
    with pytest.raises(tokencalc.UsageError):
        api()


def test_the_core_holds_a_rate_to_the_same_bound():
    with pytest.raises(ArgumentError) as above:
        Assumptions(on=date(2026, 11, 22), currency="EUR", rate=Decimal("10000001"))
    assert above.value.problem is Problem.AT_MOST
    # not "from 0 to 10,000,000": 0 is not a rate
    assert error_message(above.value) == "--rate must be at most 10,000,000, got 10000001"
    assert Assumptions(on=date(2026, 11, 22), currency="EUR", rate=Decimal(10_000_000)).rate == (
        Decimal(10_000_000)
    )
    with pytest.raises(ArgumentError) as zero:
        compare_plans(
            load_price_sheet(user_sheet=False),
            [],
            UsageProfile(),
            on=date(2026, 11, 22),
            currency="EUR",
            rate=Decimal(0),
        )
    assert zero.value.problem is Problem.NOT_POSITIVE
    assert error_message(zero.value) == "--rate must be positive, got 0"
