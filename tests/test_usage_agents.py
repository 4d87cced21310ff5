"""Agent CLI logs: Claude Code, Codex and Gemini CLI, with the traps each format sets."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tokencalc.usage import group_records, read_usage

FIXTURES = Path(__file__).parent / "fixtures" / "usage"


def totals(records):
    return {
        "input": sum(r.input_tokens for r in records),
        "output": sum(r.output_tokens for r in records),
        "cache_read": sum(r.cache_read_tokens for r in records),
        "write_5m": sum(r.cache_write_5m_tokens for r in records),
        "write_1h": sum(r.cache_write_1h_tokens for r in records),
        "requests": sum(r.requests for r in records),
    }


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=timezone.utc)


# ---------------------------------------------------------------- Claude Code


@pytest.fixture
def claude_report():
    return read_usage([FIXTURES / "claude_code"])


def test_claude_code_keeps_final_counts_once_per_request(claude_report):
    by_key = {(r.model, r.output_tokens) for r in claude_report.records}
    # msg_A: placeholder output 2 dropped, the final 250 kept once (not 2 + 250 + 250)
    assert ("claude-sonnet-4-5-20250929", 250) in by_key
    assert all(r.output_tokens != 2 for r in claude_report.records)
    assert claude_report.sources == {"claude-code": 5}
    # input = uncached + cache read + cache writes, per record, summed by hand:
    # A 3+20000+1000, B 5+21000+3000, C 10+500, E 100, F (sidechain) 7+5000+200
    assert totals(claude_report.records) == {
        "input": 21003 + 24005 + 510 + 100 + 5207,
        "output": 250 + 120 + 40 + 50 + 80,
        "cache_read": 20000 + 21000 + 5000,
        "write_5m": 1000 + 500 + 200,
        "write_1h": 3000,
        "requests": 5,
    }


def test_claude_code_splits_one_hour_and_five_minute_writes(claude_report):
    one_hour = [r for r in claude_report.records if r.cache_write_1h_tokens]
    assert len(one_hour) == 1
    record = one_hour[0]
    assert (
        record.cache_write_5m_tokens,
        record.cache_write_1h_tokens,
        record.cache_read_tokens,
    ) == (
        0,
        3000,
        21000,
    )
    assert record.timestamp == utc(2025, 9, 1, 10, 1, 2)


def test_claude_code_falls_back_to_message_id_and_flat_cache_creation(claude_report):
    (record,) = [r for r in claude_report.records if r.model == "claude-opus-4-1-20250805"]
    assert (record.input_tokens, record.cache_write_5m_tokens, record.output_tokens) == (
        510,
        500,
        40,
    )


def test_claude_code_bookkeeping(claude_report):
    # placeholder+2 blocks of A (2), B placeholder (1), C repeated (1), sidechain replays of A and B (2)
    assert claude_report.duplicates_dropped == 6
    assert (
        claude_report.malformed == 3
    )  # negative count, broken JSON, no usage; <synthetic> is not malformed
    assert claude_report.lines_read == 17
    assert claude_report.files_read == 2
    assert [reason.rsplit(": ", 1)[-1] for reason in claude_report.malformed_reasons] == [
        "-5",
        "invalid JSON",
        "assistant message without usage",
    ]
    assert claude_report.malformed_reasons[0].endswith("sess-1.jsonl:11: negative input_tokens: -5")
    assert not any(r.model == "<synthetic>" for r in claude_report.records)


def test_claude_code_keeps_vendor_cost_and_sessions(claude_report):
    (old,) = [r for r in claude_report.records if r.vendor_cost_usd is not None]
    assert old.vendor_cost_usd == Decimal("0.0123")
    assert {r.session for r in claude_report.records} == {"sess-1"}
    assert all(not r.estimated for r in claude_report.records)
    assert [r.timestamp for r in claude_report.records] == sorted(
        r.timestamp for r in claude_report.records
    )


def test_claude_code_sidechain_replay_counted_once_whatever_the_file_order(tmp_path):
    side = FIXTURES / "claude_code/projects/-home-u-proj/sess-1/subagents/agent-a1.jsonl"
    main = FIXTURES / "claude_code/projects/-home-u-proj/sess-1.jsonl"
    forward = read_usage([main, side])
    backward = read_usage([side, main])
    assert totals(forward.records) == totals(backward.records)
    assert forward.duplicates_dropped == backward.duplicates_dropped == 6


def test_claude_code_keeps_the_largest_even_when_it_comes_first(tmp_path):
    line = {
        "type": "assistant",
        "sessionId": "s",
        "timestamp": "2025-09-01T00:00:00Z",
        "requestId": "req_1",
        "message": {
            "id": "msg_1",
            "model": "claude-sonnet-4-5",
            "usage": {"input_tokens": 10, "output_tokens": 500},
        },
    }
    placeholder = json.loads(json.dumps(line))
    placeholder["message"]["usage"]["output_tokens"] = 1
    path = tmp_path / "s.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in (line, placeholder, line)) + "\n")
    report = read_usage([path])
    assert [r.output_tokens for r in report.records] == [500]
    assert report.duplicates_dropped == 2


# ---------------------------------------------------------------- Codex


@pytest.fixture
def codex_report():
    return read_usage([FIXTURES / "codex"])


def test_codex_counts_only_increases_of_the_cumulative_total(codex_report):
    records = codex_report.records
    assert [(r.input_tokens, r.cache_read_tokens, r.output_tokens) for r in records] == [
        (1000, 200, 100),
        (1500, 1000, 200),
        (1500, 1300, 150),
        (2000, 1400, 250),  # the fork's own turn
    ]
    # the sum of increases is the final cumulative total, not a sum of re-emitted last_token_usage
    assert (
        totals(records)["input"] == 6000
        and totals(records)["output"] == 700
        and totals(records)["cache_read"] == 3900
    )


def test_codex_model_comes_from_latest_turn_context(codex_report):
    assert [r.model for r in codex_report.records] == ["gpt-5-codex", "gpt-5", "gpt-5", "gpt-5"]
    assert [r.session[:8] for r in codex_report.records] == ["0199aaaa"] * 3 + ["0199bbbb"]


def test_codex_drops_reemitted_totals_and_fork_replay(codex_report):
    # two unchanged re-emits in the parent, three replayed increases in the fork
    assert codex_report.duplicates_dropped == 5
    assert codex_report.malformed == 2  # broken JSON, negative count; info:null is not malformed
    assert codex_report.lines_read == 21
    assert codex_report.records[-1].timestamp == utc(2025, 9, 2, 9, 5)
    assert codex_report.assumptions == []


def test_codex_fork_without_its_parent_counts_replayed_history_once_and_says_so(tmp_path):
    fork = next((FIXTURES / "codex/sessions/2025/09/02").glob("*.jsonl"))
    copy = tmp_path / "archived_sessions" / fork.name
    copy.parent.mkdir()
    shutil.copy(fork, copy)
    report = read_usage([fork, copy])  # the same fork twice (sessions + archived), parent absent
    assert totals(report.records)["input"] == 6000
    assert report.duplicates_dropped == 4
    assert any("forked or subagent" in line for line in report.assumptions)


def test_codex_independent_sessions_with_equal_numbers_both_count(tmp_path):
    parent = next((FIXTURES / "codex/sessions/2025/09/01").glob("*.jsonl")).read_text()
    (tmp_path / "a.jsonl").write_text(parent)
    (tmp_path / "b.jsonl").write_text(
        parent.replace(
            "0199aaaa-0000-7000-8000-000000000001", "0199cccc-0000-7000-8000-000000000003"
        )
    )
    report = read_usage([tmp_path])
    assert totals(report.records)["input"] == 2 * 4000


def codex_last_only(when: str, input_tokens: int) -> dict[str, Any]:
    usage = {
        "input_tokens": input_tokens,
        "cached_input_tokens": 0,
        "output_tokens": 10,
        "reasoning_output_tokens": 0,
        "total_tokens": input_tokens + 10,
    }
    return {
        "timestamp": when,
        "type": "event_msg",
        "payload": {
            "type": "token_count",
            "info": {"total_token_usage": None, "last_token_usage": usage},
        },
    }


def test_codex_per_turn_usage_without_totals_counts_each_turn_once(tmp_path):
    lines = [
        {"timestamp": "2025-09-01T12:00:00Z", "type": "session_meta", "payload": {"id": "early"}},
        codex_last_only("2025-09-01T12:00:10Z", 1000),
        codex_last_only("2025-09-01T12:00:10Z", 1000),  # the same event written twice
        codex_last_only("2025-09-01T12:00:11Z", 1000),  # re-emitted a moment later
        codex_last_only("2025-09-01T12:01:00Z", 1500),
        codex_last_only("2025-09-01T12:02:00Z", 1000),  # a later turn that happens to match turn 1
    ]
    path = tmp_path / "rollout.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    copy = tmp_path / "archived" / "rollout.jsonl"
    copy.parent.mkdir()
    shutil.copy(path, copy)
    report = read_usage([path, copy])  # the same rollout in sessions/ and archived_sessions/
    assert [r.input_tokens for r in report.records] == [1000, 1500, 1000]
    assert report.duplicates_dropped == 2 + 2 + 3


# ---------------------------------------------------------------- Gemini CLI


@pytest.fixture
def gemini_report():
    return read_usage([FIXTURES / "gemini_cli"])


def test_gemini_reads_old_json_and_jsonl_once(gemini_report):
    records = gemini_report.records
    assert gemini_report.files_read == 2
    # g1, g2 (legacy file, copied into the .jsonl on resume), g3, g4 (rewound but billed), g5
    assert [(r.input_tokens, r.output_tokens, r.cache_read_tokens) for r in records] == [
        (5000, 200 + 150, 3000),  # thoughts billed as output
        (6000 + 10, 100, 4000),  # tool-use prompt tokens are input
        (7000, 300 + 50, 5000),
        (8000, 80 + 20, 0),
        (7500, 60, 6000),
    ]
    assert totals(records)["input"] == 33510 and totals(records)["output"] == 960


def test_gemini_bookkeeping(gemini_report):
    # cross-file: g1, g2; within the .jsonl: g3 re-appended, and g1, g2, g3 again in a $set messages list
    assert gemini_report.duplicates_dropped == 6
    assert gemini_report.malformed == 2
    assert {r.session for r in gemini_report.records} == {"abcd1234-5678-4abc-9def-0123456789ab"}
    assert [r.model for r in gemini_report.records] == ["gemini-2.5-pro"] * 3 + [
        "gemini-2.5-flash"
    ] * 2


def test_gemini_rewind_keeps_billed_messages(gemini_report):
    assert any(r.input_tokens == 8000 for r in gemini_report.records)


def test_gemini_last_record_per_id_wins(tmp_path):
    meta = {"sessionId": "s1", "projectHash": "h"}
    first = {
        "id": "g",
        "type": "gemini",
        "timestamp": "2025-09-01T00:00:00Z",
        "content": "",
        "model": "m",
        "tokens": {"input": 10, "output": 1, "cached": 0, "thoughts": 0, "tool": 0, "total": 11},
    }
    later = dict(
        first, tokens={"input": 10, "output": 7, "cached": 4, "thoughts": 3, "tool": 0, "total": 20}
    )
    path = tmp_path / "session-x.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in (meta, first, later)) + "\n")
    report = read_usage([path])
    assert [(r.input_tokens, r.output_tokens, r.cache_read_tokens) for r in report.records] == [
        (10, 10, 4)
    ]
    assert report.duplicates_dropped == 1


# ---------------------------------------------------------------- one bad line, any reader

# Each template is one usage line; {i} keeps keys apart, {when} and {count} are spliced in raw
# so a test can write numbers JSON allows but no count can be (1e40, 1e400).
LINE_TEMPLATES = {
    "claude-code": (
        '{{"type": "assistant", "sessionId": "s", "timestamp": "{when}", "requestId": "req_{i}", '
        '"message": {{"id": "msg_{i}", "model": "claude-sonnet-4-5", '
        '"usage": {{"input_tokens": {count}, "output_tokens": 1}}}}}}'
    ),
    "codex": (
        '{{"timestamp": "{when}", "type": "event_msg", "payload": {{"type": "token_count", "info": '
        '{{"total_token_usage": {{"input_tokens": {count}, "cached_input_tokens": 0, '
        '"output_tokens": {i}, "reasoning_output_tokens": 0, "total_tokens": 0}}}}}}}}'
    ),
    "gemini-cli": (
        '{{"id": "g{i}", "type": "gemini", "timestamp": "{when}", "content": "", "model": "m", '
        '"tokens": {{"input": {count}, "output": 1, "cached": 0, "thoughts": 0, "tool": 0}}}}'
    ),
}
FIRST_LINES = {
    "claude-code": '{"type": "user", "sessionId": "s", "uuid": "u", "message": {"role": "user"}}',
    "codex": '{"timestamp": "2025-09-01T00:00:00Z", "type": "session_meta", "payload": {"id": "c"}}',
    "gemini-cli": '{"sessionId": "s", "projectHash": "h"}',
}
BAD_LINES: list[dict[str, Any]] = [
    {"when": "0001-01-01T00:00:00+05:00", "count": 5},  # overflows when converted to UTC
    {"when": "9999-12-31T23:00:00Z", "count": 5},  # overflows in any time zone east of UTC
    {"when": "2025-09-01T00:00:00Z", "count": "1e40"},
    {"when": "2025-09-01T00:00:00Z", "count": "1e400"},  # json.loads makes it infinity
    {"when": "2025-09-01T00:00:00Z", "count": 10**16},
]


@pytest.mark.parametrize("source", list(LINE_TEMPLATES))
def test_one_bad_line_is_malformed_never_an_internal_error(tmp_path, source):
    template = LINE_TEMPLATES[source]
    good = [template.format(i=i, when=f"2025-09-0{i}T12:00:00Z", count=100 * i) for i in (1, 2)]
    bad = [template.format(i=10 + n, **fields) for n, fields in enumerate(BAD_LINES)]
    deep = "[" * 200_000  # json.loads raises RecursionError, not ValueError
    path = tmp_path / "log.jsonl"
    path.write_text("\n".join([FIRST_LINES[source], good[0], *bad, deep, good[1]]) + "\n")
    report = read_usage([path], source=source)
    assert [r.input_tokens for r in report.records] == [100, 100 if source == "codex" else 200]
    assert report.malformed == len(BAD_LINES) + 1
    assert any("invalid JSON" in reason for reason in report.malformed_reasons)
    assert sum("out of range" in reason for reason in report.malformed_reasons) == 2
    east = timezone(timedelta(hours=14))
    assert list(group_records(report.records, "day", east)) == ["2025-09-02", "2025-09-03"]


def test_deeply_nested_files_are_not_recognised_or_malformed(tmp_path):
    (tmp_path / "deep.json").write_text("[" * 200_000)
    (tmp_path / "deep.jsonl").write_text('{"a": ' + "[" * 200_000 + "\n")
    (tmp_path / "deep-object.json").write_text("{" + '"a": {' * 100_000)
    report = read_usage([tmp_path, FIXTURES / "codex"])
    assert report.files_skipped == 3 and report.malformed == 2  # the codex fixture's own
    for name in ("deep.json", "deep.jsonl"):
        forced = read_usage([tmp_path / name], source="openai-usage")
        assert forced.malformed == 1 and forced.records == []


def test_grouping_survives_timestamps_at_the_ends_of_the_calendar():
    from tokencalc.usage import UsageRecord

    edge = UsageRecord(
        timestamp=datetime(9999, 12, 31, 23, tzinfo=timezone.utc),
        source="codex",
        model="m",
        input_tokens=1,
        output_tokens=1,
    )
    assert list(group_records([edge], "day", timezone(timedelta(hours=5)))) == ["9999-12-31"]
