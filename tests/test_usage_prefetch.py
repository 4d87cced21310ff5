"""Read-ahead of agent logs: the per-file cache and the worker pool give exactly what a plain read gives."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tokencalc.usage import prefetch, read_usage

FIXTURES = Path(__file__).parent / "fixtures"


def summary(report):
    return (
        sorted((r.timestamp, r.source, r.model, r.input_tokens, r.output_tokens, r.session) for r in report.records),
        report.files_read, report.lines_read, report.duplicates_dropped, report.malformed, report.sources,
    )  # fmt: skip


@pytest.fixture
def tree(tmp_path):
    for name in ("claude_code", "codex", "gemini_cli"):
        shutil.copytree(FIXTURES / "usage" / name, tmp_path / name)
    for name in ("amp", "kimi_cli", "qwen_code"):
        shutil.copytree(FIXTURES / "agents" / name, tmp_path / name)
    return tmp_path


def test_second_read_comes_from_the_cache_and_matches(tree, monkeypatch):
    monkeypatch.setenv("TOKENCALC_USAGE_CACHE", "0")
    plain = summary(read_usage([tree]))
    monkeypatch.setenv("TOKENCALC_USAGE_CACHE", "1")
    first = summary(read_usage([tree]))
    calls = []
    real = prefetch.read_one

    def read_one(item: Any, source: Any) -> Any:
        calls.append(item)
        return real(item, source)

    monkeypatch.setattr(prefetch, "read_one", read_one)
    second = summary(read_usage([tree]))
    assert plain == first == second
    # only files the read-ahead does not handle (or that were not agent logs) are looked at again
    assert not [c for c in calls if c.path.suffix == ".jsonl" and "claude_code" in c.path.parts]


def test_a_changed_file_is_read_again(tree, monkeypatch):
    monkeypatch.setenv("TOKENCALC_USAGE_CACHE", "1")
    before = read_usage([tree / "claude_code"])
    log = next((tree / "claude_code").rglob("sess-1.jsonl"))
    lines = log.read_text().splitlines(keepends=True)
    log.write_text("".join(lines[:3]))
    after = read_usage([tree / "claude_code"])
    monkeypatch.setenv("TOKENCALC_USAGE_CACHE", "0")
    assert summary(after) == summary(read_usage([tree / "claude_code"])) != summary(before)


def test_worker_processes_give_the_same_report(tree, monkeypatch):
    monkeypatch.setenv("TOKENCALC_USAGE_CACHE", "0")
    serial = summary(read_usage([tree]))
    monkeypatch.setenv("TOKENCALC_WORKERS", "2")
    monkeypatch.setattr(prefetch, "POOL_BYTES", 0)
    assert summary(read_usage([tree])) == serial


def test_a_corrupt_cache_entry_is_ignored(tree, monkeypatch):
    monkeypatch.setenv("TOKENCALC_USAGE_CACHE", "1")
    first = summary(read_usage([tree / "claude_code"]))
    from tokencalc.paths import cache_dir

    for entry in (cache_dir() / "usage-files").rglob("*"):
        if entry.is_file():
            entry.write_bytes(b"not a pickle")
    assert summary(read_usage([tree / "claude_code"])) == first
