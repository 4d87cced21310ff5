"""What ``count`` and ``estimate`` skip on a big input (issue 13: fixed costs): words and lines
nobody reads, the interpreter's teardown after the output is flushed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from cli_harness import MockEnvironment
from module_probe import EN, modules_after, startup
from tokencalc.counting import counter as counting
from tokencalc.counting import encodings, fast_backend

BIN = Path(sys.executable).parent / "tokencalc"

#: ~5,900 characters (counted in pure Python below SMALL_TEXT_BUDGET: ~0.02 s a run here)
TEXT = "Prose with words, code(x) {y: 1},\n中文，日本語 and émigré text.\n\n" * 100


def _o200k(text: str) -> int:
    return len(encodings.get_encoding("o200k_base").encode_ordinary(text))


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The keyword arguments of every TokenCounter the CLI makes."""
    calls: list[dict[str, Any]] = []
    real = counting.TokenCounter

    def spy(*args: Any, **kwargs: Any) -> counting.TokenCounter:
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(counting, "TokenCounter", spy)  # inputs_view reads it from there
    return calls


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    path = tmp_path / "corpus.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", ["table", "csv", "markdown"])
def test_estimate_without_json_counts_no_words_or_lines(asked, corpus, fmt):
    result = MockEnvironment().run("estimate", str(corpus), "-m", "gpt-5", "-f", fmt)
    assert result.exit_code == 0, result.stderr
    assert [call["tokens_only"] for call in asked] == [True]
    tokens = _o200k(TEXT)
    assert f"{tokens:,}" in result.stdout or f",{tokens}," in result.stdout  # csv: no separators


def test_estimate_json_still_has_words_and_lines(asked, corpus):
    result = MockEnvironment().run("estimate", str(corpus), "-m", "gpt-5", "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert [call["tokens_only"] for call in asked] == [False]
    (entry,) = json.loads(result.stdout)["inputs"]
    assert (entry["words"], entry["lines"], entry["chars"]) == (
        len(TEXT.split()),
        TEXT.count("\n"),
        len(TEXT),
    )
    assert entry["tokens"] == {"o200k_base": _o200k(TEXT)}


def test_count_still_shows_words_and_lines(asked, corpus):
    result = MockEnvironment().run("count", str(corpus), "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert [call["tokens_only"] for call in asked] == [False]
    total = json.loads(result.stdout)["total"]
    assert (total["words"], total["lines"], total["tokens"]) == (
        len(TEXT.split()),
        TEXT.count("\n"),
        _o200k(TEXT),
    )


def test_commands_that_count_leave_without_teardown(corpus):
    args: tuple[str, ...]
    for args in (
        ("count", str(corpus)),
        ("count", "-q", str(corpus)),
        ("estimate", str(corpus), "-m", "gpt-5"),
    ):
        mock = MockEnvironment()
        assert mock.run(*args).exit_code == 0
        assert mock.env.leave_quickly, args
    for args in (("models", "gpt-5"), ("estimate", "--input-tokens", "1000", "-m", "gpt-5")):
        mock = MockEnvironment()
        assert mock.run(*args).exit_code == 0
        assert not mock.env.leave_quickly, args


def _missing_and_other(corpus: Path) -> tuple[Path, Path]:
    other = corpus.parent / "other.txt"
    other.write_text("hello world\n", encoding="utf-8")
    return corpus.parent / "missing.txt", other


def test_a_quick_exit_loses_no_output(corpus):
    """Through the installed script: a whole document on a pipe, the error line and the exit
    code kept (count's CSV: test_a_quick_exit_loses_no_output_of_count_either, in slow)."""
    missing, other = _missing_and_other(corpus)
    done = subprocess.run(
        [str(BIN), "estimate", str(corpus), str(missing), str(other), "-m", "gpt-5", "-f", "json"],
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert done.stderr.decode() == f"tokencalc: error: {missing}: no such file or directory\n"
    inputs = json.loads(done.stdout)["inputs"]  # the whole document
    assert inputs == [
        {"path": str(missing), "error": "no such file or directory"},
        {
            "path": str(corpus),
            "chars": len(TEXT),
            "words": len(TEXT.split()),
            "lines": TEXT.count("\n"),
            "bytes": len(TEXT.encode()),
            "tokens": {"o200k_base": _o200k(TEXT)},
        },
        {
            "path": str(other),
            "chars": 12,
            "words": 2,
            "lines": 1,
            "bytes": 12,
            "tokens": {"o200k_base": 3},
        },
    ]


@pytest.mark.slow
def test_a_quick_exit_loses_no_output_of_count_either(corpus):
    missing, other = _missing_and_other(corpus)
    done = subprocess.run(
        [str(BIN), "count", str(corpus), str(missing), str(other), "-f", "csv"],
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert done.stderr.decode() == f"tokencalc: error: {missing}: no such file or directory\n"
    n, words, lines = _o200k(TEXT), len(TEXT.split()), TEXT.count("\n")
    assert done.stdout.decode().splitlines() == [
        "tokens,lines,words,chars,path",
        f"{n},{lines},{words},{len(TEXT)},{corpus}",
        f"3,1,2,12,{other}",
        f"{n + 3},{lines + 1},{words + 2},{len(TEXT) + 12},total",
    ]


RECONSTRUCTION = ("tokencalc.tokenizers.claude_tiling", "tokencalc.tokenizers.claude_stream")


def test_an_estimate_without_a_claude_row_imports_no_reconstruction():
    import importlib.util

    without = startup("estimate", EN, "-m", "gpt-5")  # module_probe's one start-up process
    assert "tokencalc.tokenizers.claude_reconstruction" in without.modules  # the check can fail
    assert all(importlib.util.find_spec(name) for name in RECONSTRUCTION)  # the names are real
    assert not set(RECONSTRUCTION) & without.modules


@pytest.mark.slow
def test_only_a_claude_row_imports_the_reconstruction(corpus):
    # a claude row builds the fast backend's vocabulary in the process (~0.3 s of CPU)
    without, with_claude = modules_after(  # in turn in one process: "not imported" first
        ["estimate", str(corpus), "-m", "gpt-5"],
        ["estimate", str(corpus), "-m", "gpt-5", "-m", "claude-sonnet-5-5"],
    )
    assert not set(RECONSTRUCTION) & without.modules
    assert set(RECONSTRUCTION) <= with_claude.modules


class _FakeLibc:
    def __init__(self, calls: list[tuple[int, int]]) -> None:
        self._calls = calls

    def mallopt(self, parameter: int, value: int) -> int:
        self._calls.append((parameter, value))
        return 1


@pytest.fixture
def libc(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """mallopt calls, recorded instead of made; the allocator tuning not yet done."""
    import ctypes

    calls: list[tuple[int, int]] = []
    monkeypatch.setattr(ctypes, "CDLL", lambda _name: _FakeLibc(calls))
    monkeypatch.setattr(fast_backend, "_heap_tuned", False)
    monkeypatch.setattr(fast_backend, "tune_allocator", False)
    return calls


def test_the_heap_is_tuned_only_when_the_command_line_asks(libc, monkeypatch):
    assert fast_backend.roomier_heap() is False  # a library user's process: never
    assert libc == []
    monkeypatch.setattr(fast_backend, "tune_allocator", True)
    if not sys.platform.startswith("linux") or "glibc" not in (
        os.confstr("CS_GNU_LIBC_VERSION") or ""
    ):
        assert fast_backend.roomier_heap() is False
        return
    assert fast_backend.roomier_heap() is True
    assert fast_backend.roomier_heap() is False  # once per process
    assert libc == [(-2, 64 * 1024 * 1024)]  # M_TOP_PAD, 64 MiB


def test_heap_tuning_failures_are_ignored(libc, monkeypatch):
    import ctypes

    monkeypatch.setattr(fast_backend, "tune_allocator", True)
    monkeypatch.setattr(os, "confstr", lambda _name: "musl libc")  # not glibc: not asked
    assert fast_backend.roomier_heap() is False
    assert libc == []

    def no_libc(_name: object) -> object:
        raise OSError("no C library")

    monkeypatch.setattr(fast_backend, "_heap_tuned", False)
    monkeypatch.setattr(os, "confstr", lambda _name: "glibc 2.36")
    monkeypatch.setattr(ctypes, "CDLL", no_libc)
    assert fast_backend.roomier_heap() is False

    # a Python without ctypes: the backend still loads, with no warning
    monkeypatch.setattr(fast_backend, "_heap_tuned", False)
    monkeypatch.setitem(sys.modules, "ctypes", None)  # import ctypes raises ImportError
    assert fast_backend.roomier_heap() is False
    module = types.ModuleType("toktok")  # an encoding whose count is len
    setattr(module, "_encoding", lambda _name: types.SimpleNamespace(count=len))  # noqa: B010
    count = fast_backend._load_toktok(module, "o200k_base")
    assert count("hello") == 5


def test_counting_commands_ask_for_the_tuning_and_count_exactly(libc, tmp_path):
    if fast_backend.active_backend("o200k_base") != "toktok":
        pytest.skip("the tuning is asked for before toktok-rs builds its vocabulary")
    text = TEXT * 9  # beyond the pure-Python budget: the fast backend counts it
    assert len(text) > counting.SMALL_TEXT_BUDGET
    path = tmp_path / "big.txt"
    path.write_text(text, encoding="utf-8")
    assert MockEnvironment().run("count", "-q", str(path)).stdout == f"{_o200k(text)}\n"
    assert fast_backend.tune_allocator is True
    # the vocabulary was loaded before this test: that a fresh process's build asks for the
    # tuning is checked in the process test_quick_count.py starts to count large inputs
    # (test_large_inputs_count_exactly_tune_the_heap_and_read_no_vocabulary_file)
