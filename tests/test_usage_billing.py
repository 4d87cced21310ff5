"""Vendor billing exports: OpenAI usage/costs (JSON, dashboard CSV), Anthropic usage/costs."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

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
    assert [
        (c.date.isoformat(), c.model, c.amount_usd, c.line_item) for c in report.vendor_costs
    ] == [
        ("2025-09-01", None, Decimal("0.06"), "Image models"),
        (
            "2025-09-01",
            "gpt-5-2025-08-07",
            Decimal("0.8958740000000000"),
            "gpt-5-2025-08-07, input",
        ),
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
        (
            day(1),
            "claude-sonnet-4-5-20250929",
            1500 + 2000 + 4000 + 30000,
            30000,
            2000,
            4000,
            900,
            0,
        ),
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
    assert rows(old) == [
        (day(1, 8), "claude-3-5-sonnet-20241022", 800 + 100 + 2000, 2000, 100, 0, 150, 0)
    ]


def test_anthropic_console_cost_csv_is_dollars():
    report = read_usage([ANTHROPIC / "console_cost.csv"])
    assert [c.amount_usd for c in report.vendor_costs] == [Decimal("1.50"), Decimal("0.25")]
    assert all(c.source == "anthropic-costs" for c in report.vendor_costs)


def test_anthropic_directory_totals():
    report = read_usage([ANTHROPIC])
    assert report.files_read == 5
    assert sum(r.input_tokens for r in report.records) == 38200 + 6550 + 2900
    assert sum(c.amount_usd for c in report.vendor_costs) == Decimal("1.2345") + Decimal(
        "20"
    ) + Decimal("1.75")


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


# ---------------------------------------------------------------- CSV line endings and bad rows


def test_csv_with_cr_only_line_endings(tmp_path):
    for name in ("usage_dashboard.csv", "console_usage.csv"):
        original = (OPENAI if name.startswith("usage") else ANTHROPIC) / name
        path = tmp_path / name
        path.write_bytes(original.read_bytes().replace(b"\n", b"\r"))
        assert rows(read_usage([path])) == rows(read_usage([original]))
        assert read_usage([path]).malformed == read_usage([original]).malformed


def test_csv_stray_carriage_return_in_a_walked_directory(tmp_path):
    (tmp_path / "notes.csv").write_bytes(b"name,notes\rmore\nfoo,bar\rbaz\n")
    (tmp_path / "old_mac.csv").write_bytes(b"a,b\rc,d\r")
    lines = (ANTHROPIC / "console_usage.csv").read_bytes().split(b"\n")
    lines[1] = lines[1].replace(b",Default,", b",Def\rault,")  # one row broken in two
    (tmp_path / "console_usage.csv").write_bytes(b"\n".join(lines))
    report = read_usage([tmp_path])
    assert report.files_skipped == 2
    assert rows(report) == [(day(2), "claude-opus-4-1-20250805", 50, 0, 0, 0, 25, 0)]
    assert report.malformed == 2  # both halves of the broken row
    assert report.malformed_reasons[0].endswith(
        "console_usage.csv:2: 4 fields where the header has 12"
    )


def test_csv_row_the_csv_module_rejects_is_malformed_and_reading_goes_on(tmp_path):
    text = (ANTHROPIC / "console_usage.csv").read_text()
    header, first, second = text.splitlines()[:3]
    path = tmp_path / "usage.csv"
    path.write_text("\n".join([header, first, '"' + "x" * 200_000, second]) + "\n")
    report = read_usage([path])
    assert [r.model for r in report.records] == [
        "claude-sonnet-4-5-20250929",
        "claude-opus-4-1-20250805",
    ]
    assert report.malformed == 1
    assert "unreadable CSV row (field larger than field limit" in report.malformed_reasons[0]


def test_csv_header_the_csv_module_rejects_is_not_a_usage_file(tmp_path):
    path = tmp_path / "data.csv"
    path.write_bytes(b'"' + b"x" * 200_000 + b"\n")
    report = read_usage([path, ANTHROPIC / "console_cost.csv"])
    assert report.malformed == 1 and "not a usage format" in report.malformed_reasons[0]
    forced = read_usage([path, ANTHROPIC / "console_cost.csv"], source="anthropic-usage")
    assert forced.malformed == 1 and "unreadable CSV header" in forced.malformed_reasons[0]


# ---------------------------------------------------------------- service tier and context window


def openai_result(**groups) -> dict[str, Any]:
    return {
        "object": "organization.usage.completions.result",
        "input_tokens": 1000,
        "output_tokens": 100,
        "input_cached_tokens": 0,
        "num_model_requests": 2,
        "model": "gpt-5-2025-08-07",
        "batch": None,
        "service_tier": None,
        **groups,
    }


def test_openai_usage_api_tiers(tmp_path):
    results = [
        openai_result(),
        openai_result(batch=True),
        openai_result(batch=False, service_tier="flex"),
        openai_result(service_tier="priority"),
        openai_result(service_tier="default"),
        openai_result(service_tier="scale"),
        openai_result(service_tier="auto"),
        openai_result(batch=True, service_tier="flex"),  # a batch row is billed at batch prices
    ]
    bucket = {"start_time": 1756684800, "end_time": 1756771200, "results": results}
    page = {"object": "page", "data": [bucket]}
    path = tmp_path / "usage.json"
    path.write_text(json.dumps(page))
    report = read_usage([path])
    assert [r.tier for r in report.records] == [
        None,
        "batch",
        "flex",
        "priority",
        None,
        None,
        None,
        "batch",
    ]
    assert all(r.long_context is None for r in report.records)
    assert report.duplicates_dropped == 0  # equal counts, different groups: all kept


def test_openai_dashboard_csv_tiers(tmp_path):
    text = (OPENAI / "usage_dashboard.csv").read_text().splitlines()
    header, row = text[0], text[1]
    body = [
        row,
        row.replace("FALSE,default", "TRUE,default"),
        row.replace("FALSE,default", "FALSE,flex"),
    ]
    path = tmp_path / "usage.csv"
    path.write_text("\n".join([header, *body]) + "\n")
    report = read_usage([path])
    assert [r.tier for r in report.records] == [None, "batch", "flex"]
    assert [r.tier for r in read_usage([OPENAI / "usage_dashboard.csv"]).records] == [None, None]


def test_anthropic_usage_report_tiers_and_context_window(tmp_path):
    page = json.loads((ANTHROPIC / "usage_report.json").read_text())
    template = page["data"][0]["results"][0]
    variants = [
        ("standard", "0-200k"),
        ("batch", "0-200k"),
        ("priority", "200k-1M"),
        ("priority_on_demand", None),
        ("flex", None),
        ("flex_discount", None),
        (None, "200k-1M"),
    ]
    page["data"][0]["results"] = [
        dict(template, service_tier=t, context_window=c) for t, c in variants
    ]
    path = tmp_path / "usage.json"
    path.write_text(json.dumps(page))
    report = read_usage([path])
    assert [(r.tier, r.long_context) for r in report.records if r.timestamp == day(1)] == [
        (None, False),
        ("batch", False),
        ("priority", True),
        ("priority", None),
        ("flex", None),
        ("flex", None),
        (None, True),
    ]
    fixture = read_usage([ANTHROPIC / "usage_report.json"])
    assert [(r.tier, r.long_context) for r in fixture.records] == [(None, False), (None, False)]


def test_anthropic_console_csv_tiers_and_context_window(tmp_path):
    header, row = (ANTHROPIC / "console_usage.csv").read_text().splitlines()[:2]
    path = tmp_path / "usage.csv"
    path.write_text(
        "\n".join(
            [
                header,
                row.replace("standard,0-200k", "standard,≤ 200k"),
                row.replace("standard,0-200k", "batch,≤ 200k"),
                row.replace("standard,0-200k", "standard,> 200k"),
                row.replace("standard,0-200k", "priority,200k-1M"),
                row.replace("standard,0-200k", ","),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    report = read_usage([path])
    assert [(r.tier, r.long_context) for r in report.records] == [
        (None, False),
        ("batch", False),
        (None, True),
        ("priority", True),
        (None, None),
    ]
    old = read_usage([ANTHROPIC / "console_usage_old.csv"])  # no context_window column
    assert [(r.tier, r.long_context) for r in old.records] == [(None, None)]


def test_anthropic_console_csv_service_tier_column(tmp_path):
    header, row = (ANTHROPIC / "console_usage.csv").read_text().splitlines()[:2]
    path = tmp_path / "usage.csv"
    path.write_text(f"{header},service_tier\n{row},batch\n{row},standard\n")
    report = read_usage([path])
    assert [r.tier for r in report.records] == ["batch", None]  # told apart, not duplicates
