"""Vendor billing exports: OpenAI usage/costs (JSON, dashboard CSV), Anthropic usage/costs."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

from tokencalc.usage import read_usage

FIXTURES = Path(__file__).parent / "fixtures" / "usage"
OPENAI = FIXTURES / "openai_billing"
ANTHROPIC = FIXTURES / "anthropic_billing"


def day(d: int, month: int = 9) -> datetime:
    return datetime(2025, month, d, tzinfo=timezone.utc)


def rows(report):
    return [
        (
            r.timestamp,
            r.model,
            r.input_tokens,
            r.cache_read_tokens,
            r.cache_write_5m_tokens,
            r.cache_write_1h_tokens,
            r.output_tokens,
            r.requests,
        )
        for r in report.records
    ]


def test_openai_usage_api_json():
    report = read_usage([OPENAI / "usage_completions.json"])
    assert rows(report) == [
        (day(1), "gpt-4o-2024-08-06", 59200, 5760, 0, 0, 10646, 10),
        (day(1), "gpt-5-2025-08-07", 46264, 8192, 0, 0, 60000, 8),
        (day(2), "gpt-5-2025-08-07", 5783, 0, 0, 0, 16000, 1),
    ]  # the all-zero result of the second bucket is no record
    assert report.lines_read == 4 and report.malformed == 0
    assert report.sources == {"openai-usage": 3}


def test_openai_dashboard_csv_columns_by_name_and_float_counts():
    report = read_usage([OPENAI / "usage_dashboard.csv"])
    assert rows(report) == [
        (day(3), "gpt-5-mini-2025-08-07", 80992, 0, 0, 0, 274770, 21),
        (day(5), "gpt-5-mini-2025-08-07", 124784, 1024, 0, 0, 154852, 11),
    ]
    assert report.malformed == 1
    assert report.malformed_reasons == [
        f"{OPENAI / 'usage_dashboard.csv'}:5: input_tokens is not a whole number: '12.5'"
    ]
    assert {r.session for r in report.records} == {"proj_abc"}


def test_openai_costs_json_are_vendor_costs():
    report = read_usage([OPENAI / "costs.json"])
    assert report.records == []
    assert [(c.date.isoformat(), c.model, c.amount_usd, c.line_item) for c in report.vendor_costs] == [
        ("2025-09-01", None, Decimal("0.06"), "Image models"),
        ("2025-09-01", "gpt-5-2025-08-07", Decimal("0.8958740000000000"), "gpt-5-2025-08-07, input"),
        ("2025-09-01", "gpt-5-2025-08-07", Decimal("0.12"), "gpt-5-2025-08-07, cached input"),
    ]
    assert sum(c.amount_usd for c in report.vendor_costs) == Decimal("1.075874")


def test_openai_costs_csv(tmp_path):
    path = tmp_path / "costs.csv"
    path.write_text(
        "start_time,end_time,start_time_iso,end_time_iso,amount_value,amount_currency,line_item,project_id,organization_id,organization_name\n"
        "1756684800,1756771200,2025-09-01T00:00:00+00:00,2025-09-02T00:00:00+00:00,0.5617712500000000,usd,,,org-x,Personal\n"
        "1756771200,1756857600,2025-09-02T00:00:00+00:00,2025-09-03T00:00:00+00:00,,,,,,\n"
    )
    report = read_usage([path])
    assert [(c.date.isoformat(), c.amount_usd, c.source) for c in report.vendor_costs] == [
        ("2025-09-01", Decimal("0.5617712500000000"), "openai-costs")
    ]


def test_openai_usage_and_costs_together_and_twice():
    report = read_usage([OPENAI, OPENAI / "costs.json"])
    assert report.files_read == 4
    assert len(report.records) == 5 and len(report.vendor_costs) == 3
    assert report.duplicates_dropped == 3  # costs.json named again


def test_anthropic_admin_usage_report():
    report = read_usage([ANTHROPIC / "usage_report.json"])
    assert rows(report) == [
        (day(1), "claude-sonnet-4-5-20250929", 1500 + 2000 + 4000 + 30000, 30000, 2000, 4000, 900, 0),
        (day(2), "claude-haiku-4-5-20251001", 700, 0, 0, 0, 300, 0),
    ]
    assert any("no request counts" in a for a in report.assumptions)


def test_anthropic_cost_report_amounts_are_cents():
    report = read_usage([ANTHROPIC / "cost_report.json"])
    assert [c.amount_usd for c in report.vendor_costs] == [Decimal("1.2345"), Decimal("20")]
    assert {c.model for c in report.vendor_costs} == {"claude-sonnet-4-5-20250929"}
    assert report.vendor_costs[0].line_item == "Claude Sonnet 4.5 Usage - Input Tokens"


def test_anthropic_console_usage_csv_both_header_variants():
    new = read_usage([ANTHROPIC / "console_usage.csv"])
    assert rows(new) == [
        (day(1), "claude-sonnet-4-5-20250929", 1000 + 200 + 300 + 5000, 5000, 200, 300, 400, 0),
        (day(2), "claude-opus-4-1-20250805", 50, 0, 0, 0, 25, 0),
    ]
    old = read_usage([ANTHROPIC / "console_usage_old.csv"])
    assert rows(old) == [(day(1, 8), "claude-3-5-sonnet-20241022", 800 + 100 + 2000, 2000, 100, 0, 150, 0)]


def test_anthropic_console_cost_csv_is_dollars():
    report = read_usage([ANTHROPIC / "console_cost.csv"])
    assert [c.amount_usd for c in report.vendor_costs] == [Decimal("1.50"), Decimal("0.25")]
    assert all(c.source == "anthropic-costs" for c in report.vendor_costs)


def test_anthropic_directory_totals():
    report = read_usage([ANTHROPIC])
    assert report.files_read == 5
    assert sum(r.input_tokens for r in report.records) == 38200 + 6550 + 2900
    assert sum(c.amount_usd for c in report.vendor_costs) == Decimal("1.2345") + Decimal("20") + Decimal(
        "1.75"
    )


def test_billing_malformed_rows(tmp_path):
    page = json.loads((ANTHROPIC / "usage_report.json").read_text())
    page["data"][0]["results"][0]["output_tokens"] = -4
    page["data"][1]["results"].append("not a result")
    path = tmp_path / "usage.json"
    path.write_text(json.dumps(page))
    report = read_usage([path])
    assert len(report.records) == 1
    assert report.malformed == 2
    assert report.malformed_reasons[0].endswith("bucket 0 result 0: negative output_tokens: -4")


def test_a_list_of_api_pages(tmp_path):
    page = json.loads((OPENAI / "usage_completions.json").read_text())
    second = json.loads(json.dumps(page))
    for bucket in second["data"]:
        bucket["start_time"] += 2 * 86400
    path = tmp_path / "pages.json"
    path.write_text(json.dumps([page, second]))
    report = read_usage([path])
    assert len(report.records) == 6
