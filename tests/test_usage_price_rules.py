"""usage prices each record at its own date and UTC time, with fees, fast mode and residency.

The fixture is a Claude Code transcript in the real format (tests/fixtures/usage_truth/price_rules);
every figure below is worked out by hand from the vendors' list prices.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

D = Decimal
FIXTURE = Path(__file__).parent / "fixtures" / "usage_truth" / "price_rules"

# msg_01A claude-opus-4-8 fast mode on 2026-11-30 (offered until that day): $10/$50 →
#   1,000 × 10 + 1,000 × 50 = $0.06
# msg_01B the same on 2026-12-01: fast mode no longer offered → unpriced tier, listed
# msg_01C claude-sonnet-5-5, inference_geo us (1.1×), 3 web searches ($10 per 1,000):
#   (10,000 × 2 + 2,000 × 10) / 1e6 = 0.04 × 1.1 = 0.044; fees 3 × 0.01 = 0.03 → $0.074
# msg_01D deepseek-flash Monday 05:00 UTC (off-peak, half of $0.30/$1.20):
#   1,000,000 × 0.15 + 100,000 × 0.60 = 0.15 + 0.06 = $0.21
# msg_01E deepseek-flash Monday 02:00 UTC (peak): 0.30 + 0.12 = $0.42
# msg_01F claude-sonnet-4-5 inference_geo eu (no rule in the sheet: list price, listed):
#   1,000 × 3 + 100 × 15 = 0.003 + 0.0015 = $0.0045
# msg_01G the Bedrock id us.anthropic.claude-sonnet-4-5-20250929-v1:0, geo global: $0.0045
# msg_01H grok-4.20 on 2026-11-01 ($1.25/$2.50), 2 web searches (no xAI fee in the sheet: listed):
#   1,000 × 1.25 + 1,000 × 2.5 = $0.00375
# msg_01I claude-sonnet-4-5 on 2026-04-29, 300,000-token prompt (1M beta, > 200K):
#   200,000 × 6 + 100,000 × 0.6 (cache read 2×) + 1,000 × 22.5 = 1.2 + 0.06 + 0.0225 = $1.2825
TOTAL = (
    D("0.06")
    + D("0.074")
    + D("0.21")
    + D("0.42")
    + D("0.0045")
    + D("0.0045")
    + D("0.00375")
    + D("1.2825")
)


def run(cli, *args):
    result = cli(
        "usage", str(FIXTURE / "projects"), "--source", "claude-code", "--tz", "UTC", *args
    )
    assert result.exit_code == 0, result.stderr
    return result


def test_totals_fees_off_peak_residency(cli):
    document = json.loads(run(cli, "-f", "json").stdout)
    totals = document["totals"]
    assert D("2.05925") == TOTAL
    assert D(totals["cost"]) == TOTAL
    assert D(totals["fees"]) == D("0.03")
    assert totals["web_search_requests"] == 3
    assert totals["off_peak_requests"] == 1
    assert totals["residency_requests"] == 1
    assert totals["requests"] == 8
    assert totals["long_context_requests"] == 1
    assert document["unpriced_tiers"][0]["model"] == "claude-opus-4-8"
    assert document["unpriced_tiers"][0]["tier"] == "priority"
    extras = {(m["model"], m["what"]): m["count"] for m in document["unpriced_extras"]}
    assert extras == {("grok-4.20", "web_search"): 2, ("claude-sonnet-4-5", "inference_geo eu"): 1}


def test_by_model_day_prices(cli):
    document = json.loads(run(cli, "--by", "model", "-f", "json").stdout)
    costs = {g["key"]: D(g["cost"]) for g in document["groups"]}
    assert costs["claude-opus-4-8"] == D("0.06")
    assert costs["claude-sonnet-5-5"] == D("0.074")
    assert costs["deepseek-flash"] == D("0.63")
    assert costs["claude-sonnet-4-5"] == D("0.0045") * 2 + D("1.2825")
    assert costs["grok-4.20"] == D("0.00375")


def test_table_shows_fees_and_lists_what_is_not_priced(cli):
    out = run(cli).stdout
    assert "Fees" in out
    assert "grok-4.20: 2 web search calls not priced" in out
    assert "claude-sonnet-4-5: 1 request with inference_geo eu: priced at list prices" in out
    assert "claude-opus-4-8 at the priority tier: 1 request" in out


@pytest.mark.parametrize("fmt", ["csv"])
def test_csv_has_the_new_columns(cli, fmt):
    lines = run(cli, "-f", fmt).stdout.splitlines()
    assert lines[0].endswith(",tier,fees,web_search_requests,off_peak_requests,residency_requests")
