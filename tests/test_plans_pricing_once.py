"""plans resolves each model's prices once per conversation and prices the turns in groups.

The oracle is the per-request rule itself: every request of the conversation priced with
``request_cost`` (which resolves the prices for that request) and added up. The grouped
pricing must give the same Decimal amounts, field by field, on profiles that cross the
long-context threshold, read and write the cache, and reason; and the number of price
resolutions must follow the number of models, not the number of turns.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from test_plans import plan_sheet_text, profile
from tokencalc.plans.conversation import conversation_cost, conversation_requests
from tokencalc.plans.core import compare_plans, find_plans
from tokencalc.plans.profile import UsageProfile
from tokencalc.pricing.costs import CostBreakdown, cost_at, request_cost
from tokencalc.sheet.load import load_price_sheet
from tokencalc.sheet.price_sheet import PriceSheet

ON = date(2026, 11, 22)


@pytest.fixture
def sheet(tmp_path: Path) -> PriceSheet:
    path = tmp_path / "plans.toml"
    path.write_text(plan_sheet_text(), encoding="utf-8")
    return load_price_sheet(user_sheet=False, base_sheet=path)


PROFILES = [
    profile(),
    profile(turns=10),  # longy: turns 8-10 over its 300-token threshold
    profile(turns=10, cache=False),
    profile(turns=37, reasoning_tokens=7, system_tokens=0),
    profile(turns=250, message_tokens=1_234, reply_tokens=4_321, system_tokens=9_999),
]


def turn_by_turn(sheet: PriceSheet, model_id: str, use: UsageProfile) -> tuple[CostBreakdown, int]:
    """Every request priced on its own (prices resolved per request) and added up."""
    model = sheet.models[model_id]
    cost = conversation_cost(sheet, model, use, on=ON)  # for its tokens and caching flags
    requests = conversation_requests(
        cost.tokens, use.turns, cache_reads=cost.cached, cache_writes=cost.cache_writes
    )
    total = CostBreakdown.zero()
    long_turns = 0
    for request in requests:
        one = request_cost(sheet, model, request, on=ON)
        long_turns += one.long_context
        total = total + one
    return total, long_turns


def assert_same(grouped: CostBreakdown, single: CostBreakdown) -> None:
    assert (grouped.input, grouped.cache_read, grouped.cache_write, grouped.output) == (
        single.input,
        single.cache_read,
        single.cache_write,
        single.output,
    )
    assert (grouped.long_context, grouped.fees, grouped.total) == (
        single.long_context,
        single.fees,
        single.total,
    )


@pytest.mark.parametrize("use", PROFILES, ids=lambda p: f"{p.turns}turns-cache{p.cache}")
def test_grouped_pricing_equals_pricing_every_request(sheet, use):
    for model_id in sheet.models:
        cost = conversation_cost(sheet, sheet.models[model_id], use, on=ON)
        single, long_turns = turn_by_turn(sheet, model_id, use)
        assert_same(cost.cost, single)
        assert cost.long_context_turns == long_turns


def test_grouped_pricing_crosses_the_long_context_threshold(sheet):
    # longy, 10 turns, no cache: prompts 110 … 380; 320, 350, 380 at the long-context prices
    cost = conversation_cost(sheet, sheet.models["longy"], profile(turns=10, cache=False), on=ON)
    assert cost.long_context_turns == 3 and cost.cost.long_context
    assert cost.cost.input == Decimal((7 * 110 + 30 * 21) * 1 + (320 + 350 + 380) * 2) / 1_000_000
    assert cost.cost.output == Decimal(7 * 20 * 4 + 3 * 20 * 8) / 1_000_000
    # 7 turns, all under the threshold: one group, nothing long
    short = conversation_cost(sheet, sheet.models["longy"], profile(turns=7, cache=False), on=ON)
    assert short.long_context_turns == 0 and not short.cost.long_context


def test_the_bundled_sheet_gives_the_same_amounts_grouped():
    bundled = load_price_sheet(user_sheet=False)
    use = profile(turns=60, message_tokens=3_000, reply_tokens=2_000, system_tokens=50_000)
    for model_id, model in bundled.models.items():
        cost = conversation_cost(bundled, model, use, on=ON)
        single, long_turns = turn_by_turn(bundled, model_id, use)
        assert_same(cost.cost, single)
        assert cost.long_context_turns == long_turns


def count_calls(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Counts of PriceSheet.prices_on and of the pricing of a group (cost_at) during a test."""
    calls = {"prices_on": 0, "cost_at": 0}
    resolve = PriceSheet.prices_on

    def counted_prices_on(self: PriceSheet, *args: Any, **kwargs: Any) -> Any:
        calls["prices_on"] += 1
        return resolve(self, *args, **kwargs)

    def counted_cost_at(*args: Any, **kwargs: Any) -> Any:
        calls["cost_at"] += 1
        return cost_at(*args, **kwargs)

    monkeypatch.setattr(PriceSheet, "prices_on", counted_prices_on)
    monkeypatch.setattr("tokencalc.plans.conversation.cost_at", counted_cost_at)
    return calls


@pytest.mark.parametrize("turns", [1, 10, 1_000])
def test_prices_are_resolved_once_per_model_not_per_turn(sheet, monkeypatch, turns):
    calls = count_calls(monkeypatch)
    comparison = compare_plans(sheet, find_plans(sheet, []), profile(turns=turns), on=ON)
    priced = {m.id for m in sheet.models.values() if not m.deprecated} | {
        row.plan.models[0] for row in comparison.rows
    }
    assert calls["prices_on"] == len(priced)
    # at most two groups a conversation: standard and long-context prices
    assert len(priced) <= calls["cost_at"] <= 2 * len(priced)
