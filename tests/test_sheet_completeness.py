"""The packaged sheet is current and complete where issue 9 found it wrong or missing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tokencalc.sheet.load import load_price_sheet

D = Decimal
TODAY = date(2026, 11, 30)


@pytest.fixture(scope="module")
def sheet():
    return load_price_sheet(user_sheet=False)


@pytest.mark.parametrize(
    ("model", "max_output"),
    [("claude-fable-5-2", 128_000), ("claude-opus-4-1", 32_000), ("claude-sonnet-4-0", 64_000)],
)
def test_max_output(sheet, model, max_output):
    assert sheet.resolve(model).max_output == max_output


@pytest.mark.parametrize("model", ["gemini-2.5-pro", "gemini-2.5-flash"])
def test_gemini_2_5_shut_down_but_priced(sheet, model):
    entry = sheet.resolve(model)
    assert entry.deprecated and "2026-12-01" in entry.notes
    assert sheet.prices_on(entry, TODAY).input > 0


RETIRED = ["grok-code-fast-1", "grok-4-fast", "grok-4-fast-reasoning", "grok-4-1-fast", "grok-4-0709", "grok-3",
           "grok-3-mini", "deepseek-chat", "deepseek-reasoner"]  # fmt: skip


@pytest.mark.parametrize("model", RETIRED)
def test_retired_models_price_old_logs(sheet, model):
    entry = sheet.resolve(model)
    assert entry.deprecated
    assert sheet.prices_on(entry, date(2026, 1, 15)).output > 0


NEW = [
    # id, input, output on 2026-11-30 ($/M)
    ("gemini-4-carbon", "2", "10"),
    ("gemini-4-hydrogen", "1.5", "7.5"),
    ("chat-latest", "5", "30"),
    ("kimi-k3", "3", "15"),
    ("glm-5.3", "1.4", "4.4"),
    ("minimax-m3", "0.3", "1.2"),
    ("qwen3.6-plus", "0.5", "3"),
    ("llama-4-maverick", "0.27", "0.85"),
    ("gpt-oss-120b", "0.15", "0.6"),
]


@pytest.mark.parametrize(("model", "price_in", "price_out"), NEW)
def test_new_models(sheet, model, price_in, price_out):
    got = sheet.prices_on(sheet.resolve(model), TODAY)
    assert (got.input, got.output) == (D(price_in), D(price_out))


def test_gemini_4_carbon_doubles_with_argon(sheet):
    got = sheet.prices_on(sheet.resolve("gemini-4-carbon"), date(2026, 12, 1))
    assert (got.input, got.output) == (D(4), D(20))


def test_open_weight_models_are_named_as_their_hosts_offer(sheet):
    for model_id in ("kimi-k3", "glm-5.3", "minimax-m3", "qwen3.6-plus", "llama-4-scout"):
        entry = sheet.resolve(model_id)
        assert entry.provider == "together" and entry.name.endswith("(Together AI)")
    assert sheet.resolve("qwen3.6-plus").tokenizer == "qwen3.6"


PLANS = [
    ("github-copilot-free", "0"),
    ("github-copilot-pro", "10"),
    ("github-copilot-pro-plus", "39"),
    ("github-copilot-max", "100"),
    ("github-copilot-business", "19"),
    ("github-copilot-enterprise", "39"),
    ("perplexity-max", "200"),
    ("perplexity-enterprise-pro", "40"),
    ("perplexity-enterprise-max", "325"),
]


@pytest.mark.parametrize(("plan", "price"), PLANS)
def test_plans(sheet, plan, price):
    assert sheet.resolve_plan(plan).monthly_price == D(price)


@pytest.mark.parametrize(
    ("name", "plan"),
    [("Max 5x", "claude-max"), ("claude-max-5x", "claude-max"), ("Claude Max 5x", "claude-max"),
     ("Max 20x", "claude-ultra"), ("claude-max-20x", "claude-ultra"), ("claude-ultra", "claude-ultra")],
)  # fmt: skip
def test_both_anthropic_plan_name_forms(sheet, name, plan):
    assert sheet.resolve_plan(name).id == plan


def test_copilot_allowances_are_stated(sheet):
    assert "$15 of GitHub AI Credits" in sheet.resolve_plan("github-copilot-pro").caps
    assert "$70 of GitHub AI Credits" in sheet.resolve_plan("github-copilot-pro-plus").caps
    assert "$200 of GitHub AI Credits" in sheet.resolve_plan("github-copilot-max").caps
    assert "1,900 GitHub AI Credits" in sheet.resolve_plan("github-copilot-business").caps
