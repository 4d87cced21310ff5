"""``tokencalc statusline`` through the real entry point, and the incremental index behind it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest

from tokencalc.usage import claude_index, claude_index_store

ROOT = Path(__file__).resolve().parents[1]
CLAUDE_FIXTURE = Path(__file__).parent / "fixtures" / "usage" / "claude_code"


def assistant(
    when: datetime, n: int, tokens_in: int = 1000, tokens_out: int = 100, session: str = "live-1"
) -> str:
    return json.dumps(
        {
            "type": "assistant",
            "timestamp": when.isoformat().replace("+00:00", "Z"),
            "sessionId": session,
            "cwd": "/home/u/live",
            "requestId": f"req_{session}_{n}",
            "message": {
                "id": f"msg_{session}_{n}",
                "model": "claude-sonnet-4-5-20250929",
                "stop_reason": "end_turn",
                "usage": {"input_tokens": tokens_in, "output_tokens": tokens_out},
            },
        }
    )


@pytest.fixture
def live(tmp_path):
    """A Claude Code config dir with a session used over the last two hours, and the environment to run in."""
    now = datetime.now(timezone.utc).replace(microsecond=0)
    project = tmp_path / "claude" / "projects" / "-home-u-live"
    project.mkdir(parents=True)
    lines = [assistant(now - timedelta(minutes=m), i) for i, m in enumerate((100, 60, 30, 5))]
    lines.insert(
        2, lines[1].replace('"output_tokens": 100', '"output_tokens": 3')
    )  # a streaming placeholder
    (project / "live-1.jsonl").write_text("\n".join(lines) + "\n")
    env = {
        **os.environ,
        "CLAUDE_CONFIG_DIR": str(tmp_path / "claude"),
        "TOKENCALC_CACHE_DIR": str(tmp_path / "cache"),
        "TZ": "UTC",
        "PYTHONPATH": str(ROOT / "src"),
    }
    return {"dir": project, "env": env, "now": now, "tmp": tmp_path}


def statusline(env, payload: object) -> subprocess.CompletedProcess[str]:
    text = payload if isinstance(payload, str) else json.dumps(payload)
    return subprocess.run(
        [sys.executable, "-m", "tokencalc", "statusline"],
        input=text,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def usage_json(cli, monkeypatch, env, *args) -> dict[str, Any]:
    """``tokencalc ARGS -f json`` in-process, in ``env``'s config and cache dirs (the statusline
    tests run the real process; these runs only give figures to compare with)."""
    for name in ("CLAUDE_CONFIG_DIR", "TOKENCALC_CACHE_DIR"):
        monkeypatch.setenv(name, env[name])
    done = cli(*args, "-f", "json")
    assert done.exit_code == 0, done.stderr
    document: dict[str, Any] = json.loads(done.stdout)
    return document


def money(text: str) -> D:
    return D(text.lstrip("$").rstrip("+").replace(",", ""))


STATUS = {
    "hook_event_name": "Status",
    "session_id": "live-1",
    "transcript_path": "",
    "cwd": "/home/u/live",
    "model": {"id": "claude-sonnet-4-5-20250929", "display_name": "Sonnet 4.5"},
    "workspace": {"current_dir": "/home/u/live", "project_dir": "/home/u/live"},
    "version": "2.0.14",
    "output_style": {"name": "default"},
    "cost": {"total_cost_usd": 0.0123, "total_duration_ms": 45000, "total_api_duration_ms": 2300,
             "total_lines_added": 156, "total_lines_removed": 23},
    "exceeds_200k_tokens": False,
}  # fmt: skip


def test_statusline_agrees_with_usage_and_blocks(live, cli, monkeypatch):
    payload = {**STATUS, "transcript_path": str(live["dir"] / "live-1.jsonl")}
    done = statusline(live["env"], payload)
    assert done.returncode == 0, done.stderr
    text = done.stdout.strip()
    assert text.count("\n") == 0 and text.startswith("Sonnet 4.5 · ")
    parts = text.split(" · ")
    # four calls of 1,000 in / 100 out; the placeholder line is the same call, counted once
    by_session = {
        g["key"]: D(g["cost"])
        for g in usage_json(
            cli, monkeypatch, live["env"], "usage", str(live["dir"]), "--by", "session"
        )["groups"]
    }
    assert money(parts[-1].split(" session")[0]) == by_session["live-1"].quantize(D("0.0001"))
    assert "(Claude Code: $0.0123)" in parts[-1]
    blocks = usage_json(cli, monkeypatch, live["env"], "usage", "blocks", str(live["dir"]))
    active = blocks["active"]
    assert money(parts[2].split(" 5h window")[0]) == D(active["cost"]).quantize(D("0.0001"))
    assert "/h, " in parts[2] and " left)" in parts[2]
    today = usage_json(
        cli, monkeypatch, live["env"], "usage", str(live["dir"]), "--since", "today", "--tz", "UTC"
    )["groups"]
    expected_today = sum((D(g["cost"]) for g in today), D(0))
    assert money(parts[1].split(" today")[0]) == expected_today.quantize(D("0.0001"))


def test_statusline_without_stdin_session_and_with_bad_json(live, cli, monkeypatch):
    # bad JSON in a process (its warning on the process's stderr); the rest through the edge here
    done = statusline(live["env"], "{not json")
    assert (
        done.returncode == 0
        and "warning: stdin is not Claude Code's status-line JSON" in done.stderr
    )
    assert " today" in done.stdout
    for name in ("CLAUDE_CONFIG_DIR", "TOKENCALC_CACHE_DIR"):
        monkeypatch.setenv(name, live["env"][name])
    ran = cli("statusline", input="")
    assert ran.exit_code == 0 and " session" not in ran.stdout and " today" in ran.stdout
    ran = cli("statusline", "--bogus")
    assert ran.exit_code == 2 and "takes no arguments" in ran.stderr


def test_statusline_is_registered_in_the_typer_app(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(CLAUDE_FIXTURE))
    monkeypatch.setenv("TOKENCALC_CACHE_DIR", str(tmp_path / "cache"))
    result = cli("statusline", input=json.dumps({**STATUS, "session_id": "sess-1"}))
    assert result.exit_code == 0, result.stderr
    # the Claude Code fixture's records (all in session sess-1, 2025) total $0.0544 at the packaged prices
    usage = cli("usage", str(CLAUDE_FIXTURE), "-f", "json", "--by", "session")
    cost = {g["key"]: D(g["cost"]) for g in json.loads(usage.stdout)["groups"]}["sess-1"]
    assert f"{'$' + str(cost.quantize(D('0.0001')))} session" in result.stdout
    assert "no active 5h window" in result.stdout and "$0.0000 today" in result.stdout
    assert "statusline" in cli("--help").stdout


# --- the index -------------------------------------------------------------------------------------


def test_index_resumes_appended_files_and_matches_a_fresh_build(tmp_path):
    project = tmp_path / "projects" / "p"
    project.mkdir(parents=True)
    log = project / "s.jsonl"
    start = datetime(2025, 9, 1, 10, tzinfo=timezone.utc)
    log.write_text(
        assistant(start, 0) + "\n" + assistant(start, 1)[:40]
    )  # the last line is being written
    index = tmp_path / "index"
    first = claude_index.refresh([tmp_path / "projects"], path=index)
    assert (len(first.summaries), first.files_read, first.repriced) == (1, 1, True)
    with open(log, "a") as handle:
        handle.write(
            assistant(start, 1)[40:] + "\n" + assistant(start + timedelta(minutes=1), 2) + "\n"
        )
    second = claude_index.refresh([tmp_path / "projects"], path=index)
    assert (len(second.summaries), second.files_read, second.repriced) == (3, 1, False)
    third = claude_index.refresh([tmp_path / "projects"], path=index)
    assert third.files_read == 0 and third.summaries == second.summaries
    fresh = claude_index.refresh([tmp_path / "projects"], path=tmp_path / "other-index")
    assert sorted(fresh.summaries, key=lambda s: s.timestamp) == sorted(
        second.summaries, key=lambda s: s.timestamp
    )


def test_index_rereads_a_rewritten_file_and_survives_corruption(tmp_path):
    project = tmp_path / "projects" / "p"
    project.mkdir(parents=True)
    log = project / "s.jsonl"
    start = datetime(2025, 9, 1, 10, tzinfo=timezone.utc)
    log.write_text(assistant(start, 0, tokens_in=1000) + "\n")
    index = tmp_path / "index"
    claude_index.refresh([tmp_path / "projects"], path=index)
    log.write_text(
        assistant(start, 0, tokens_in=2000) + "\n" + assistant(start, 5) + "\n"
    )  # rewritten, longer
    summaries = claude_index.refresh([tmp_path / "projects"], path=index).summaries
    assert sorted(s.tokens for s in summaries) == [1100, 2100]
    index.write_bytes(b"\x00garbage")
    again = claude_index.refresh([tmp_path / "projects"], path=index)
    assert again.files_read == 1 and sorted(s.tokens for s in again.summaries) == [1100, 2100]
    log.unlink()
    assert claude_index.refresh([tmp_path / "projects"], path=index).summaries == []


def test_index_is_repriced_when_the_sheet_changes(tmp_path, monkeypatch):
    project = tmp_path / "projects" / "p"
    project.mkdir(parents=True)
    (project / "s.jsonl").write_text(assistant(datetime(2025, 9, 1, tzinfo=timezone.utc), 0) + "\n")
    index = tmp_path / "index"
    claude_index.refresh([tmp_path / "projects"], path=index)
    monkeypatch.setattr(claude_index, "sheet_signature", lambda: ("another sheet",))
    result = claude_index.refresh([tmp_path / "projects"], path=index)
    assert result.repriced and result.files_read == 0


def _minutes(match: re.Match[str] | None) -> int:
    assert match is not None
    return int(match.group(1)) * 60 + int(match.group(2))


def test_concurrent_runs_leave_a_good_index(live):
    procs = [
        subprocess.Popen([sys.executable, "-m", "tokencalc", "statusline"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=live["env"])
        for _ in range(4)
    ]  # fmt: skip
    outputs = [p.communicate(json.dumps(STATUS), timeout=120)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs)
    # The same line from every run, but for the window's time left: on a loaded machine the
    # four runs may straddle a minute boundary (2h44m left, then 2h43m).
    left = [re.search(r"(\d+)h(\d+)m left", line) for line in outputs]
    assert all(left) and max(_minutes(m) for m in left) - min(_minutes(m) for m in left) <= 1
    assert len({re.sub(r"\d+h\d+m left", "left", line) for line in outputs}) == 1
    index = live["tmp"] / "cache" / claude_index.INDEX_NAME
    assert claude_index_store.load_index(index)["files"]  # complete and readable
    assert not [p for p in index.parent.iterdir() if p.name.endswith(".tmp")]


def test_index_built_in_batches_gives_the_same_records_and_stores_one_entry_per_call(
    tmp_path, monkeypatch
):
    start = datetime(2025, 9, 1, 10, tzinfo=timezone.utc)
    for day in range(
        4
    ):  # four sessions on four days; each response streamed: placeholder, final, final again
        project = tmp_path / "projects" / f"p{day}"
        project.mkdir(parents=True)
        lines = []
        for n in range(5):
            when = start + timedelta(days=day, minutes=n)
            lines += [
                assistant(when, n, 1000 + n, 2, f"s{day}"),
                *[assistant(when, n, 1000 + n, 300 + n, f"s{day}")] * 2,
            ]
        (project / f"s{day}.jsonl").write_text("\n".join(lines) + "\n")
    since = (start + timedelta(days=2)).timestamp()
    whole = claude_index.refresh([tmp_path / "projects"], path=tmp_path / "whole")
    monkeypatch.setattr(claude_index, "BATCH", 1)
    batched = claude_index.refresh(
        [tmp_path / "projects"], path=tmp_path / "batched", since=since, session="s0"
    )
    # kept: days 2 and 3 (since) and session s0 (day 0); each call once, with its final counts
    expected = sorted(
        (s for s in whole.summaries if s.timestamp >= since or s.session == "s0"),
        key=lambda s: s.timestamp,
    )
    assert len(whole.summaries) == 20 and {s.tokens for s in whole.summaries} == {
        1000 + n + 300 + n for n in range(5)
    }
    assert sorted(batched.summaries, key=lambda s: s.timestamp) == expected and len(expected) == 15
    warm = claude_index.refresh(
        [tmp_path / "projects"], path=tmp_path / "batched", since=since, session="s0"
    )
    assert warm.files_read == 0 and sorted(warm.summaries, key=lambda s: s.timestamp) == expected
    for name in claude_index.transcripts([tmp_path / "projects"]):
        shard = claude_index_store.read_shard(tmp_path / "batched", name)
        assert shard is not None and len(shard) == 5
