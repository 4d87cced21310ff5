"""More coding agents' logs, each from a fixture in the agent's real layout with its pitfalls.

Every expected total below is worked out by hand from the fixture (see the comments there).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import datetime, timezone
from decimal import Decimal as D
from pathlib import Path

import pytest

from tokencalc.usage import read_usage
from tokencalc.usage.records import UsageRecord

FIXTURES = Path(__file__).parent / "fixtures" / "agents"
USAGE_FIXTURES = Path(__file__).parent / "fixtures" / "usage"


def totals(records):
    return {
        "input": sum(r.input_tokens for r in records),
        "output": sum(r.output_tokens for r in records),
        "cache_read": sum(r.cache_read_tokens for r in records),
        "cache_write": sum(r.cache_write_5m_tokens + r.cache_write_1h_tokens for r in records),
        "requests": sum(r.requests for r in records),
    }


def vendor_total(records: list[UsageRecord]) -> D:
    """The vendor-reported costs of ``records``, each of which must have one."""
    costs = [r.vendor_cost_usd for r in records]
    assert None not in costs, costs
    return sum((c for c in costs if c is not None), D(0))


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=timezone.utc)


def build_db(sql: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(target) as db:
        db.executescript(sql.read_text(encoding="utf-8"))
    db.close()
    return target


# ---------------------------------------------------------------- OpenCode


@pytest.fixture
def opencode_data(tmp_path):
    """``<XDG_DATA_HOME>/opencode`` with opencode.db built from the SQL fixture and the legacy JSON tree."""
    data = tmp_path / "xdg-data" / "opencode"
    shutil.copytree(FIXTURES / "opencode" / "storage", data / "storage")
    build_db(FIXTURES / "opencode" / "opencode.sql", data / "opencode.db")
    return data


def test_opencode_counts_each_assistant_message_once(opencode_data):
    report = read_usage([opencode_data])
    assert report.sources == {"opencode": 5}
    # m1 100+1000+500 in, 200 out; m2 50 in, 30+20 reasoning out; m3 10 in, 40 out (reasoning inside);
    # m6 summed steps 7+5 in, 3+5 out; m9 (legacy JSON only) 1000 in, 100 out. m4 aborted, m7 damaged.
    assert totals(report.records) == {
        "input": 1600 + 50 + 10 + 12 + 1000,
        "output": 200 + 50 + 40 + 8 + 100,
        "cache_read": 1000,
        "cache_write": 500,
        "requests": 5,
    }
    assert report.duplicates_dropped == 1  # msg_m1 both in the database and as legacy JSON
    assert report.malformed == 1 and "msg_m7" in report.malformed_reasons[0]
    by_id = {r.timestamp: r for r in report.records}
    m1 = by_id[utc(2025, 9, 1, 10)]
    assert (m1.model, m1.project, m1.session, m1.vendor_cost_usd) == (
        "claude-sonnet-4-5",
        "/home/dev/shop",
        "ses_1",
        D("0.012"),
    )
    m2 = by_id[utc(2025, 9, 1, 11)]
    assert (m2.model, m2.vendor_cost_usd, m2.session) == (
        "claude-sonnet-4-5",
        None,
        "ses_3",
    )  # copilot: cost 0 → none
    assert by_id[utc(2025, 9, 2, 9)].project == "/home/dev/blog"


def test_opencode_reads_a_database_another_process_is_writing(opencode_data):
    writer = sqlite3.connect(opencode_data / "opencode.db")
    writer.execute("BEGIN IMMEDIATE")
    writer.execute(
        "INSERT INTO message VALUES ('msg_x', 'ses_1', 1, 1, '{\"role\":\"assistant\"}')"
    )
    try:
        report = read_usage([opencode_data / "opencode.db"])  # WAL: the reader sees the last commit
        assert report.sources == {"opencode": 4}
    finally:
        writer.rollback()
        writer.close()
    assert not (opencode_data / "opencode.db-journal").exists()


def test_opencode_default_place_is_found_with_no_path(cli, opencode_data, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(opencode_data.parent))
    result = cli("usage", "-f", "json", "--tz", "UTC", "--by", "agent")
    assert result.exit_code == 0, result.stderr
    assert "reading OpenCode (" in result.stderr and "Claude Code" not in result.stderr
    document = json.loads(result.stdout)
    assert document["sources"] == {"opencode": 5}
    result = cli("usage", "--source", "codex")
    assert result.exit_code == 1 and "no Codex logs found" in result.stderr


# ---------------------------------------------------------------- Amp


def test_amp_ledger_events_with_the_cache_split_of_their_messages():
    report = read_usage([FIXTURES / "amp"])
    assert report.sources == {"amp": 4}
    # thread 1: ev-1 → message 1 (10 + 2000 write, 300 out), ev-2 → message 3 (20 + 2000 read + 100 write,
    # 100 out), message 5 outside the partial ledger (30 + 2100 read, 50 out); thread 2 (no ledger,
    # no timestamps): message 1 (500, 60) at the user's sentAt; all-zero message 2 and cancelled 7 not calls
    assert totals(report.records) == {
        "input": 2010 + 2120 + 2130 + 500,
        "output": 300 + 100 + 50 + 60,
        "cache_read": 2000 + 2100,
        "cache_write": 2000 + 100,
        "requests": 4,
    }
    assert (
        report.malformed == 1 and "T-0199cccc" in report.malformed_reasons[0]
    )  # a thread being written
    (old,) = [r for r in report.records if r.model == "claude-haiku-4-5-20251001"]
    assert (
        old.timestamp == utc(2025, 9, 2, 9, 0, 5)
        and old.session == "T-0199bbbb-0000-7000-8000-000000000002"
    )


def test_amp_counts_a_thread_once_when_read_twice(tmp_path):
    shutil.copytree(FIXTURES / "amp", tmp_path / "a")
    report = read_usage([FIXTURES / "amp", tmp_path / "a"])
    assert report.sources == {"amp": 4} and report.duplicates_dropped == 4


# ---------------------------------------------------------------- GitHub Copilot CLI


def test_copilot_cli_sums_every_shutdown_per_model():
    report = read_usage([FIXTURES / "copilot_cli"])
    assert report.sources == {"copilot-cli": 3}
    by_model = {r.model: r for r in report.records}
    assert set(by_model) == {
        "claude-sonnet-4-5",
        "gpt-5-mini",
        "gemini-2.5-pro",
    }  # dotted id normalised
    claude = by_model["claude-sonnet-4-5"]
    # inputTokens 30000 already holds 20000 reads and 5000 writes; reasoning is inside output
    assert (claude.input_tokens, claude.cache_read_tokens, claude.cache_write_5m_tokens, claude.output_tokens, claude.requests) == (
        30000, 20000, 5000, 900, 3,
    )  # fmt: skip
    assert by_model["gemini-2.5-pro"].output_tokens == 300 + 200  # Gemini: reasoning added
    assert by_model["gpt-5-mini"].output_tokens == 200
    assert claude.project == "/home/dev/api" and claude.timestamp == utc(2025, 9, 1, 12)
    assert totals(report.records)["requests"] == 6
    assert (
        report.malformed == 1
    )  # the torn last line; the user message quoting "session.shutdown" is not usage


# ---------------------------------------------------------------- Qwen Code


def test_qwen_code_cache_inclusive_prompt_and_thoughts_rule():
    report = read_usage([FIXTURES / "qwen_code"])
    assert report.sources == {"qwen-code": 3}
    # a1: prompt 12000 (8000 cached), total = prompt + candidates → output 400 (thoughts inside);
    # a2 (Gemini-native): total 3300 = 3000 + 200 + 100 → output 300; fork's b1 500/50; the fork's
    # copy of a1 counts once; a3 has no usage; a4 is negative (malformed); telemetry is not a call
    assert totals(report.records) == {
        "input": 12000 + 3000 + 500,
        "output": 400 + 300 + 50,
        "cache_read": 8000,
        "cache_write": 0,
        "requests": 3,
    }
    assert report.duplicates_dropped == 1 and report.malformed == 1
    assert {r.project for r in report.records} == {"/home/dev/shop-api"}


def test_qwen_code_is_not_mistaken_for_claude_code(tmp_path):
    report = read_usage([FIXTURES / "qwen_code", USAGE_FIXTURES / "claude_code"])
    assert report.sources == {"claude-code": 5, "qwen-code": 3}


# ---------------------------------------------------------------- Kimi CLI


def test_kimi_cli_status_updates_and_subagent_events_once():
    report = read_usage([FIXTURES / "kimi_cli"])
    assert report.sources == {"kimi-cli": 3}
    # m-1 1200 + 4000 read, 300 out; m-sub-1 (forwarded, and again in the sub-agent's wire) 200, 80;
    # m-2 100 + 5000 read, 20 out; the null update and the torn last line are not calls
    assert totals(report.records) == {
        "input": 5200 + 200 + 5100,
        "output": 300 + 80 + 20,
        "cache_read": 9000,
        "cache_write": 0,
        "requests": 3,
    }
    assert report.duplicates_dropped == 1 and report.malformed == 1
    assert {(r.model, r.project, r.session) for r in report.records} == {
        ("kimi-k2-0905-preview", "/home/dev/ml", "5f1c2d3e-aaaa-4bbb-8ccc-000000000001")
    }


def test_every_agent_is_found_in_its_default_place(cli, tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    shutil.copytree(FIXTURES / "amp", home / ".local" / "share" / "amp")
    shutil.copytree(FIXTURES / "copilot_cli", home / ".copilot")
    shutil.copytree(FIXTURES / "qwen_code", home / ".qwen")
    shutil.copytree(FIXTURES / "kimi_cli", home / ".kimi")
    result = cli("usage", "-f", "json", "--by", "agent")
    assert result.exit_code == 0, result.stderr
    for name in ("Amp", "GitHub Copilot CLI", "Qwen Code", "Kimi CLI"):
        assert f"{name} (" in result.stderr
    assert json.loads(result.stdout)["sources"] == {
        "amp": 4,
        "copilot-cli": 3,
        "qwen-code": 3,
        "kimi-cli": 3,
    }
    result = cli("usage", "-f", "json", "--source", "kimi-cli")
    assert json.loads(result.stdout)["sources"] == {"kimi-cli": 3}
    monkeypatch.setenv(
        "KIMI_SHARE_DIR", str(tmp_path / "elsewhere")
    )  # an override that points nowhere
    result = cli("usage", "--source", "kimi-cli")
    assert result.exit_code == 1 and "no Kimi CLI logs found" in result.stderr


# ---------------------------------------------------------------- Cline, Roo Code, Kilo Code


def test_cline_disjoint_buckets_cancelled_rows_and_legacy_finished_rows():
    report = read_usage([FIXTURES / "cline"])
    assert report.sources == {"cline": 4}
    # a 15 + 3000 write, 400 out; b (user_cancelled, billed) 8 + 3000 read + 200 write, 120 out;
    # d deleted_api_reqs 100 + 1000 read, 50 out (unknown request count); e placeholder + legacy
    # api_req_finished merged: 40 in, 60 out; c (failed, zeros), the damaged row and the last
    # placeholder are not calls
    assert totals(report.records) == {
        "input": 3015 + 3208 + 1100 + 40,
        "output": 400 + 120 + 50 + 60,
        "cache_read": 3000 + 1000,
        "cache_write": 3000 + 200,
        "requests": 3,
    }
    assert report.malformed == 1 and "message 9" in report.malformed_reasons[0]
    models = {r.timestamp: r.model for r in report.records}
    assert (
        models[utc(2025, 9, 1, 10, 3, 20)] == "claude-opus-4-1-20250805"
    )  # no modelInfo: task_metadata
    assert models[utc(2025, 9, 1, 10)] == "claude-sonnet-4-5-20250929"
    assert {r.project for r in report.records} == {"/home/dev/cline-proj"}
    assert vendor_total(report.records) == D("0.0176") + D("0.0035") + D("0.002") + D("0.001")


def test_roo_code_input_rule_changes_on_2025_10_31():
    report = read_usage([FIXTURES / "roo"])
    assert report.sources == {"roo-code": 5}
    # r1 (before, anthropic: uncached) 50 + 1000 + 500; r2 (before, openai: inclusive) 2000;
    # r3 (after: inclusive) 5000; r4 (tokensIn 30 < 5100 cache: uncached whatever the date) 30 + 5100;
    # the condensing call has only a cost
    assert totals(report.records) == {
        "input": 1550 + 2000 + 5000 + 5130,
        "output": 100 + 80 + 200 + 40,
        "cache_read": 1000 + 1500 + 4000 + 5000,
        "cache_write": 500 + 600 + 100,
        "requests": 5,
    }
    assert {r.model for r in report.records} == {"claude-sonnet-4-5"}  # the last <model> tag
    assert {r.project for r in report.records} == {"/home/dev/roo-proj"}
    assert vendor_total(report.records) == D("0.067")
    assert any(
        line.startswith("Roo Code: tokensIn includes the cache") for line in report.assumptions
    )


def test_kilo_code_is_told_apart_by_its_storage_folder(tmp_path):
    task = FIXTURES / "roo" / "globalStorage" / "rooveterinaryinc.roo-cline" / "tasks"
    shutil.copytree(
        task, tmp_path / "Code" / "User" / "globalStorage" / "kilocode.kilo-code" / "tasks"
    )
    report = read_usage([tmp_path, FIXTURES / "roo"])
    assert report.sources == {"roo-code": 5, "kilo-code": 5}
    assert read_usage([tmp_path], source="kilo-code").sources == {"kilo-code": 5}


# ---------------------------------------------------------------- Goose


def test_goose_uses_the_accumulated_counters(tmp_path):
    db = build_db(
        FIXTURES / "goose" / "sessions.sql", tmp_path / "goose" / "sessions" / "sessions.db"
    )
    report = read_usage([db])
    assert report.sources == {"goose": 2}
    # 20251119_1: 120000 in, 3000 out + (125000 − 123000) rest; 20251120_1: 5000, 700; the empty one is not
    assert totals(report.records) == {
        "input": 125000,
        "output": 5700,
        "cache_read": 0,
        "cache_write": 0,
        "requests": 0,
    }
    first = min(report.records, key=lambda r: r.timestamp)
    assert (first.model, first.project, first.timestamp) == (
        "claude-sonnet-4-5",
        "/home/dev/goose-proj",
        utc(2025, 11, 19, 11, 30),
    )
    assert [r.vendor_cost_usd for r in sorted(report.records, key=lambda r: r.timestamp)] == [
        None,
        D("0.0255"),
    ]


def test_goose_root_variable(tmp_path, monkeypatch, cli):
    build_db(
        FIXTURES / "goose" / "sessions.sql", tmp_path / "root" / "data" / "sessions" / "sessions.db"
    )
    monkeypatch.setenv("GOOSE_PATH_ROOT", str(tmp_path / "root"))
    result = cli("usage", "--source", "goose", "-f", "json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["sources"] == {"goose": 2} and document["totals"]["uncounted_rows"] == 2
    assert any(
        line.startswith("Goose: per-session totals only") for line in document["assumptions"]
    )


# ---------------------------------------------------------------- Crush


def test_crush_top_level_session_costs_through_the_project_registry(tmp_path, monkeypatch, cli):
    project = tmp_path / "shop"
    build_db(FIXTURES / "crush" / "crush.sql", project / ".crush" / "crush.db")
    registry = tmp_path / "xdg" / "crush"
    registry.mkdir(parents=True)
    (registry / "projects.json").write_text(
        json.dumps(
            {
                "projects": [
                    {
                        "path": str(project),
                        "data_dir": ".crush",
                        "last_accessed": "2025-09-01T11:00:00Z",
                    }
                ]
            }
        )
    )
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    report = read_usage([project / ".crush" / "crush.db"])
    (record,) = report.records  # c1 only: child and title sessions are in its cost, c4 cost nothing
    assert (record.vendor_cost_usd, record.model, record.input_tokens, record.requests) == (
        D("0.42"),
        "claude-sonnet-4-5",
        0,
        0,
    )
    assert record.timestamp == utc(2025, 9, 1, 11) and record.project == str(project)
    result = cli("usage", "--source", "crush", "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["totals"]["vendor_cost"] == "0.42"


# ---------------------------------------------------------------- Factory Droid


def test_droid_one_running_total_per_session(tmp_path):
    import os

    sessions = tmp_path / "sessions"
    shutil.copytree(FIXTURES / "droid" / "sessions", sessions)
    settings = (
        sessions / "-home-dev-payments" / "9b2f0000-0000-4000-8000-000000000001.settings.json"
    )
    os.utime(settings, (1756800000, 1756800000))  # 2025-09-02T08:00:00Z
    report = read_usage([sessions])
    (record,) = report.records
    assert record.model == "claude-opus-4-5-thinking"
    # 4000 uncached + 30000 read + 2000 write; 1500 output + 500 thinking
    assert (
        record.input_tokens,
        record.cache_read_tokens,
        record.cache_write_5m_tokens,
        record.output_tokens,
    ) == (36000, 30000, 2000, 2000)
    assert record.timestamp == utc(2025, 9, 2, 8) and record.project == "-home-dev-payments"
    assert (
        report.malformed == 1
    )  # the file being rewritten; the session without usage is not malformed
