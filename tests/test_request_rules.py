"""One rule for tier offered, fit and cheapest, whichever surface asks (CLI, Python API, datasets).

Expected figures are worked out by hand from the packaged sheet's list prices (US dollars per
million tokens): gpt-6-luna $0.10 in / $0.50 out, gpt-6-sol and gpt-6.1-sol $2 / $10,
claude-opus-4-8 $5 / $25 with a priority tier (2×) offered until 2026-11-30 only, and
chat-latest with no service tiers at all.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

import tokencalc
from tokencalc.pricing.request_rules import Fit, cheapest, fits_limits
from tokencalc.sheet.load import load_price_sheet

D = Decimal


def estimate_json(cli, *args: str) -> dict[str, Any]:
    result = cli(
        "estimate", "--input-tokens", "1000", "--output-tokens", "100", "-f", "json", *args
    )
    assert result.exit_code == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


# --- tier offered: a tier outside its dated window, and a model without the tier ------------


def test_cli_lists_a_model_whose_tier_has_ended_unpriced(cli):
    document = estimate_json(
        cli,
        "-m",
        "claude-opus-4-8",
        "-m",
        "gpt-6-luna",
        "--tier",
        "priority",
        "--date",
        "2026-12-01",
    )
    rows = {row["model"]: row for row in document["rows"]}
    assert rows["claude-opus-4-8"]["tier_offered"] is False
    assert rows["claude-opus-4-8"]["cost"] is None
    assert rows["claude-opus-4-8"]["notes"] == ["priority tier offered until 2026-11-30 only"]
    # 2 × (1,000 × $0.10 + 100 × $0.50) / 1M
    assert D(rows["gpt-6-luna"]["cost"]) == D("0.0003")
    assert document["cheapest"] == "gpt-6-luna"


def test_api_leaves_out_a_model_whose_tier_has_ended_instead_of_failing():
    # The API used to price any tier the model names, whatever the day, and so raised for
    # Opus 4.8's priority tier after 2026-11-30; it now asks the same rule as the CLI.
    rows = tokencalc.compare_models(
        1000,
        ["claude-opus-4-8", "gpt-6-luna"],
        output_tokens=100,
        tier="priority",
        on=date(2026, 12, 1),
    )
    assert [(row.model, row.total, row.cheapest) for row in rows] == [
        ("gpt-6-luna", D("0.0003"), True)
    ]


def test_api_prices_the_tier_on_a_day_it_is_offered():
    rows = tokencalc.compare_models(
        1000,
        ["claude-opus-4-8", "gpt-6-luna"],
        output_tokens=100,
        tier="priority",
        on=date(2026, 11, 29),
    )
    # Opus: 2 × (1,000 × $5 + 100 × $25) / 1M
    assert {row.model: row.total for row in rows} == {
        "gpt-6-luna": D("0.0003"),
        "claude-opus-4-8": D("0.015"),
    }


def test_a_model_without_the_tier_is_unpriced_in_the_cli_and_left_out_by_the_api(cli):
    document = estimate_json(cli, "-m", "chat-latest", "-m", "gpt-6-luna", "--batch")
    rows = {row["model"]: row for row in document["rows"]}
    assert rows["chat-latest"]["cost"] is None and rows["chat-latest"]["notes"] == ["no batch tier"]
    api = tokencalc.compare_models(
        1000, ["chat-latest", "gpt-6-luna"], output_tokens=100, tier="batch"
    )
    # the same models are priced, at the same cost: (1,000 × $0.10 + 100 × $0.50) / 2 / 1M
    priced = {m: D(row["cost"]) for m, row in rows.items() if row["tier_offered"]}
    assert priced == {row.model: row.total for row in api} == {"gpt-6-luna": D("0.000075")}


def test_no_selected_model_offering_the_tier_is_the_same_error_in_the_cli_and_the_api(cli):
    result = cli(
        "estimate",
        "--input-tokens",
        "1000",
        "-m",
        "chat-latest",
        "--tier",
        "flex",
        "--date",
        "2026-11-22",
    )
    assert result.exit_code == 1
    message = result.stderr.splitlines()[-1].removeprefix("tokencalc: error: ")
    assert message.startswith("none of the selected models offers the flex tier (models that do: ")
    with pytest.raises(tokencalc.TokencalcError) as raised:
        tokencalc.compare_models(1000, ["chat-latest"], tier="flex", on=date(2026, 11, 22))
    assert str(raised.value) == message


# --- cheapest: equal totals go to the lowest model id, in any order of naming -------------------


@pytest.mark.parametrize(
    "order",
    [["gpt-6.1-sol", "gpt-6-sol"], ["gpt-6-sol", "gpt-6.1-sol"]],
    ids=["reversed", "sorted"],
)
def test_equal_costs_choose_the_lowest_model_id_in_the_cli_and_the_api(cli, order):
    # both: (1,000 × $2 + 100 × $10) / 1M = $0.003 with nothing cached; "gpt-6-" sorts before "gpt-6."
    args = [arg for model in order for arg in ("-m", model)]
    document = estimate_json(cli, *args, "--date", "2026-11-22")
    assert {D(row["cost"]) for row in document["rows"]} == {D("0.003")}
    assert document["cheapest"] == "gpt-6-sol"
    rows = tokencalc.compare_models(1000, order, output_tokens=100, on=date(2026, 11, 22))
    assert [row.model for row in rows if row.cheapest] == ["gpt-6-sol"]


def test_cheapest_skips_unpriced_and_unfitting_rows():
    rows = [
        ("a", None, True),  # not priced
        ("b", D("1"), False),  # does not fit
        ("d", D("2"), True),
        ("c", D("2"), True),
        ("e", D("3"), True),
    ]
    best = cheapest(rows, total=lambda r: r[1], fits=lambda r: r[2], model_id=lambda r: r[0])
    assert best == ("c", D("2"), True)
    assert (
        cheapest(rows[:2], total=lambda r: r[1], fits=lambda r: r[2], model_id=lambda r: r[0])
        is None
    )


# --- fit: input + output within the window, output within max output -----------------------------


@pytest.mark.parametrize(
    ("tokens_in", "tokens_out", "window", "max_out", "expected"),
    [
        (900, 100, 1000, None, True),  # exactly the window
        (901, 100, 1000, None, False),
        (0, 50, 1000, 50, True),  # exactly max output
        (0, 51, 1000, 50, False),
        (10, 10, 1000, None, True),
    ],
)
def test_fit_boundaries(tokens_in, tokens_out, window, max_out, expected):
    assert fits_limits(tokens_in, tokens_out, window, max_out) is expected
    assert Fit(tokens_in, tokens_out, window, max_out).fits is expected


def test_fit_at_the_window_edge_agrees_in_the_cli_and_the_api(cli):
    # gpt-4o: 128,000-token window, 16,384 max output
    sheet = load_price_sheet(user_sheet=False)
    assert sheet.resolve("gpt-4o").context_window == 128_000
    for tokens_in, fits in ((127_000, True), (127_001, False)):
        result = cli(
            "estimate",
            "--input-tokens",
            str(tokens_in),
            "--output-tokens",
            "1000",
            "-m",
            "gpt-4o",
            "-f",
            "json",
        )
        (row,) = json.loads(result.stdout)["rows"]
        (api,) = tokencalc.compare_models(tokens_in, "gpt-4o", output_tokens=1000)
        assert row["fits_context"] is fits and api.fits_context is fits
        assert row["cheapest"] is fits and api.cheapest is fits


def test_dataset_mode_leaves_a_tier_that_has_ended_unpriced():
    summary = tokencalc.estimate_dataset(
        ["hello world"],
        models=["claude-opus-4-8", "gpt-6-luna"],
        output_tokens=100,
        tier="priority",
        on="2026-12-01",
        rows=False,
    ).summary
    costs = {m.model.id: m.cost for m in summary.models}
    assert costs["claude-opus-4-8"] is None and costs["gpt-6-luna"] is not None
    assert summary.cheapest is not None and summary.cheapest.model.id == "gpt-6-luna"
