"""Usage records that add up to what the vendor billed: replays, exports given twice, extras.

Fixtures in ``fixtures/usage_truth`` are in the vendors' real shapes; every expected total
below is worked out by hand from the numbers written in those files (see the comments).
"""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from test_usage_pricing import usage_sheet_text
from tokencalc.usage import read_usage
from tokencalc.usage.overlap import ExportRows, merge_usage
from tokencalc.usage.records import UsageRecord

D = Decimal
HERE = Path(__file__).parent / "fixtures" / "usage_truth"
CLAUDE = HERE / "claude_code"
SUBAGENT = CLAUDE / "projects" / "-home-u-app" / "sess-9" / "subagents" / "agent-b2.jsonl"
MAIN = CLAUDE / "projects" / "-home-u-app" / "sess-9.jsonl"
OPENAI = HERE / "openai"
ANTHROPIC = HERE / "anthropic"


def _by_output(report):
    return sorted(r.output_tokens for r in report.records)


# --- Claude Code: sidechain replays -------------------------------------------------------------


@pytest.mark.parametrize(
    "paths",
    [[CLAUDE], [MAIN, SUBAGENT], [SUBAGENT, MAIN]],
    ids=["walk", "main-first", "side-first"],
)
def test_a_sidechain_replay_with_a_new_request_id_counts_once(paths):
    report = read_usage(paths, source="claude-code")
    # msg_M1 (final output 200, its streaming line and its sidechain replay dropped),
    # msg_M2 (50) and the subagent's own msg_S1 (70): not 4 records with 520 output tokens.
    assert _by_output(report) == [50, 70, 200]
    assert report.duplicates_dropped == 2  # the streaming placeholder and the replay
    m1 = next(r for r in report.records if r.output_tokens == 200)
    assert m1.timestamp.isoformat() == "2026-09-01T10:00:04+00:00"  # the main-chain copy, not 10:05


def test_two_main_chain_copies_under_different_request_ids_are_two_calls(tmp_path):
    lines = MAIN.read_text(encoding="utf-8").splitlines()
    final = json.loads(lines[2])
    again = dict(final, requestId="req_other", timestamp="2026-09-01T11:00:00.000Z")
    log = tmp_path / "s.jsonl"
    log.write_text("\n".join([lines[2], json.dumps(again)]) + "\n", encoding="utf-8")
    report = read_usage([log], source="claude-code")
    assert _by_output(report) == [200, 200]  # no sidechain involved: nothing to merge
    assert report.duplicates_dropped == 0


def test_two_sidechain_replays_of_one_message_keep_one(tmp_path):
    side = SUBAGENT.read_text(encoding="utf-8").splitlines()[0]
    other = dict(json.loads(side), requestId="req_10")
    (tmp_path / "a.jsonl").write_text(side + "\n", encoding="utf-8")
    (tmp_path / "b.jsonl").write_text(json.dumps(other) + "\n", encoding="utf-8")
    report = read_usage([tmp_path], source="claude-code")
    assert _by_output(report) == [200]
    assert report.duplicates_dropped == 1


def test_fast_mode_web_search_and_residency_are_carried_on_the_record():
    report = read_usage([MAIN], source="claude-code")
    fast = next(r for r in report.records if r.output_tokens == 50)
    assert (fast.tier, fast.web_search_requests, fast.inference_geo) == ("priority", 3, "us")
    plain = next(r for r in report.records if r.output_tokens == 200)
    assert (plain.tier, plain.web_search_requests, plain.inference_geo) == (None, 0, None)


@pytest.mark.parametrize(
    ("usage", "message"),
    [
        ({"server_tool_use": {"web_search_requests": -1}}, "web_search_requests"),
        ({"server_tool_use": {"web_search_requests": "many"}}, "web_search_requests"),
    ],
)
def test_a_bad_web_search_count_is_a_malformed_line(tmp_path, usage, message):
    record = json.loads(MAIN.read_text(encoding="utf-8").splitlines()[2])
    record["message"]["usage"].update(usage)
    log = tmp_path / "s.jsonl"
    log.write_text(json.dumps(record) + "\n", encoding="utf-8")
    report = read_usage([log], source="claude-code")
    assert report.malformed == 1 and message in report.malformed_reasons[0]


# --- OpenAI: cache writes -----------------------------------------------------------------------


def _openai_page(result: dict[str, Any]) -> dict[str, Any]:
    base = {
        "object": "organization.usage.completions.result",
        "input_tokens": 10000,
        "output_tokens": 100,
        "input_cached_tokens": 4000,
        "num_model_requests": 2,
        "model": "gpt-6-astra",
        "project_id": None,
        "batch": None,
        "service_tier": None,
    }
    bucket = {
        "object": "bucket",
        "start_time": 1788220800,
        "end_time": 1788307200,
        "results": [{**base, **result}],
    }
    return {"object": "page", "data": [bucket], "has_more": False}


def test_openai_cache_writes_are_cache_writes_not_plain_input(tmp_path):
    path = tmp_path / "usage.json"
    path.write_text(json.dumps(_openai_page({"input_cache_write_tokens": 2500})), encoding="utf-8")
    (record,) = read_usage([path]).records
    # input_tokens includes cached and cache-write tokens: 10000 = 4000 read + 2500 written + 3500 plain
    assert (record.input_tokens, record.cache_read_tokens, record.cache_write_5m_tokens) == (
        10000,
        4000,
        2500,
    )


def test_openai_cache_writes_beyond_the_input_are_malformed(tmp_path):
    path = tmp_path / "usage.json"
    path.write_text(json.dumps(_openai_page({"input_cache_write_tokens": 6001})), encoding="utf-8")
    report = read_usage([path])
    assert report.records == [] and report.malformed == 1
    assert "input_cache_write_tokens" in report.malformed_reasons[0]


# --- the same usage in two exports --------------------------------------------------------------


def test_openai_api_json_and_dashboard_csv_of_one_account_count_once():
    report = read_usage(
        [OPENAI / "usage_api_2026-09-01_03.json", OPENAI / "usage_dashboard_2026-09-02_04.csv"]
    )
    # JSON: 09-01 (10000+6000 in, 2000 cached, 500+300 out, 4+2 req), 09-02 (8000, 1000, 400, 3),
    #       09-03 (1000, 0, 100, 1: the day was still running when it was exported)
    # CSV:  09-02 (8000, 1000, 400, 3: identical), 09-03 (5000, 500, 250, 5), 09-04 (2000, 0, 100, 1)
    # → 09-01 JSON + 09-02 once + 09-03 the larger (CSV) + 09-04 CSV
    records = report.records
    assert sum(r.input_tokens for r in records) == 16000 + 8000 + 5000 + 2000
    assert sum(r.cache_read_tokens for r in records) == 2000 + 1000 + 500 + 0
    assert sum(r.output_tokens for r in records) == 800 + 400 + 250 + 100
    assert sum(r.requests for r in records) == 6 + 3 + 5 + 1
    (merged,) = report.merged_exports
    assert merged.duplicate.endswith("usage_dashboard_2026-09-02_04.csv")
    assert merged.kept.endswith("usage_api_2026-09-01_03.json")
    assert (merged.shared, merged.matching, merged.differing, merged.dropped) == (2, 1, 1, 2)
    assert (merged.first_day, merged.last_day) == ("2026-09-02", "2026-09-03")
    assert "larger was kept" in merged.reason


def test_the_order_the_exports_are_given_in_does_not_change_the_totals():
    files = [OPENAI / "usage_api_2026-09-01_03.json", OPENAI / "usage_dashboard_2026-09-02_04.csv"]
    one = read_usage(files)
    other = read_usage(files[::-1])
    for field in ("input_tokens", "cache_read_tokens", "output_tokens", "requests"):
        assert sum(getattr(r, field) for r in one.records) == sum(
            getattr(r, field) for r in other.records
        )


def test_exports_of_two_different_accounts_are_both_counted(tmp_path):
    other = json.loads((OPENAI / "usage_api_2026-09-01_03.json").read_text(encoding="utf-8"))
    for bucket in other["data"]:
        for result in bucket["results"]:
            result["input_tokens"] += 7  # another organisation: no total equals ours
    (tmp_path / "theirs.json").write_text(json.dumps(other), encoding="utf-8")
    report = read_usage([OPENAI / "usage_api_2026-09-01_03.json", tmp_path / "theirs.json"])
    assert report.merged_exports == []
    assert sum(r.input_tokens for r in report.records) == 2 * (16000 + 8000 + 1000) + 4 * 7


def test_the_same_export_given_twice_counts_once(tmp_path):
    copy = tmp_path / "copy.json"
    shutil.copy(OPENAI / "usage_api_2026-09-01_03.json", copy)
    report = read_usage([OPENAI / "usage_api_2026-09-01_03.json", copy])
    assert sum(r.input_tokens for r in report.records) == 16000 + 8000 + 1000
    assert report.duplicates_dropped == 4


def test_anthropic_report_and_console_csv_split_by_key_count_once():
    report = read_usage([ANTHROPIC / "usage_report.json", ANTHROPIC / "console_usage.csv"])
    # 09-01: 3000 uncached + 1000 written + 20000 read = 24000 in, 1500 out, 4 searches
    #        (the CSV splits it over two keys: 1000+0+15000 / 2000+1000+5000, 500/1000 out, 1/3)
    # 09-02: 500 + 8000 = 8500 in, 700 out
    assert sum(r.input_tokens for r in report.records) == 24000 + 8500
    assert sum(r.output_tokens for r in report.records) == 1500 + 700
    assert sum(r.web_search_requests for r in report.records) == 4
    (merged,) = report.merged_exports
    assert (merged.shared, merged.matching, merged.differing, merged.dropped) == (2, 2, 0, 3)


def test_cost_exports_of_one_account_as_json_and_csv_count_once():
    report = read_usage([OPENAI / "costs_api.json", OPENAI / "costs_dashboard.csv"])
    assert sum(c.amount_usd for c in report.vendor_costs) == D("1.36") + D("0.52")
    (merged,) = report.merged_exports
    assert merged.kind == "costs" and merged.matching == 2


def test_files_naming_no_models_are_compared_by_day():
    def row(day: int, tokens: int, model: str | None) -> UsageRecord:
        from datetime import datetime, timezone

        return UsageRecord(
            datetime(2026, 9, day, tzinfo=timezone.utc), "openai-usage", model, tokens, 0
        )

    rows: ExportRows[UsageRecord] = ExportRows()
    rows.add(row(1, 100, "gpt-5"), None, "a.json")
    rows.add(row(1, 50, "gpt-5-mini"), None, "a.json")
    rows.add(row(1, 150, None), None, "b.csv")  # not grouped by model: the same day's total
    kept, merged, dropped = merge_usage(rows, "openai-usage")
    assert sum(r.input_tokens for r in kept) == 150 and dropped == 1 and len(merged) == 1


# --- through the command --------------------------------------------------------------------------


@pytest.fixture
def sample_sheet(packaged_sheet):
    packaged_sheet(usage_sheet_text())


def _json(cli, *args):
    result = cli("usage", *map(str, args), "--timezone", "UTC", "-f", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.usefixtures("packaged_sheet")
def test_usage_says_which_files_were_taken_as_the_same_usage(cli):
    result = cli(
        "usage",
        str(ANTHROPIC / "usage_report.json"),
        str(ANTHROPIC / "console_usage.csv"),
        "--timezone",
        "UTC",
    )
    assert result.exit_code == 0, result.stderr
    notes = [
        line
        for line in result.stderr.splitlines()
        if "holds the same anthropic-usage usage" in line
    ]
    assert len(notes) == 1
    assert (
        "console_usage.csv" in notes[0] and "usage_report.json" in notes[0] and "2 of 2" in notes[0]
    )
    document = _json(cli, ANTHROPIC / "usage_report.json", ANTHROPIC / "console_usage.csv")
    (merged,) = document["merged_exports"]
    assert merged["rows_dropped"] == 3 and merged["kind"] == "usage"
    assert document["totals"]["input_tokens"] == 24000 + 8500


@pytest.mark.usefixtures("packaged_sheet")
def test_a_cost_export_alone_shows_the_vendors_figure(cli):
    result = cli("usage", str(ANTHROPIC / "console_cost.csv"), "--timezone", "UTC")
    assert result.exit_code == 0, result.stderr
    assert "Vendor" in result.stdout and "$0.07" in result.stdout  # 0.009 + 0.0225 + 0.04 = 0.0715
    caption = " ".join(result.stdout.split())
    assert "0 records ·" in caption and "()" not in caption
    assert "the vendor's own figures, nothing priced from the sheet" in caption
    assert "each record priced" not in caption
    document = _json(cli, ANTHROPIC / "console_cost.csv")
    assert document["costs_only"] is True and document["records"] == 0
    assert D(document["totals"]["vendor_cost"]) == D("0.0715")
    assert document["totals"]["cost"] is None


@pytest.mark.usefixtures("packaged_sheet")
def test_a_cost_export_alone_with_a_plan_warns_and_still_shows_the_figure(cli):
    result = cli(
        "usage", str(ANTHROPIC / "console_cost.csv"), "--plan", "claude-pro", "--timezone", "UTC"
    )
    assert result.exit_code == 0, result.stderr
    assert "no usage to price" in result.stderr and "Vendor" in result.stdout


@pytest.mark.usefixtures("packaged_sheet")
def test_display_names_in_the_cost_csv_join_the_model_row(cli):
    document = _json(
        cli, ANTHROPIC / "usage_report.json", ANTHROPIC / "console_cost.csv", "--by", "model"
    )
    keys = [g["key"] for g in document["groups"]]
    assert keys == ["claude-sonnet-4-5"]  # not a second row called "Claude Sonnet 4.5"
    assert D(document["groups"][0]["vendor_cost"]) == D("0.0715")
