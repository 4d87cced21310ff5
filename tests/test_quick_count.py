"""The quick ``count -q`` path: the same answers, messages and exit codes as the full CLI, minus Typer."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cli_harness import MockEnvironment
from tokencalc.cli.quick_count import QuickCount
from tokencalc.cli.quick_count import parse as quick_parse
from tokencalc.counting import encodings

BIN = Path(sys.executable).parent / "tokencalc"


def quick(
    *args: str, input: bytes | None = None, env: dict[str, str] | None = None
) -> tuple[int, str, str]:
    """Run the installed script (the quick path for these arguments)."""
    result = subprocess.run(
        [str(BIN), *args], input=input, capture_output=True, timeout=120, env=env
    )
    return result.returncode, result.stdout.decode(), result.stderr.decode()


def full(cli, *args: str, input: bytes | None = None) -> tuple[int, str, str]:
    result = cli(*args, input=input, quick_paths=False)  # the Typer command line
    return result.exit_code, result.stdout, result.stderr


def tiktoken_count(text: str, name: str = "o200k_base") -> int:
    return len(encodings.get_encoding(name).encode_ordinary(text))


def test_parse_takes_only_what_it_runs_exactly():
    piped, terminal = MockEnvironment().env, MockEnvironment(stdin_isatty=True).env

    def parse(argv):
        return quick_parse(argv, piped)

    assert parse(["count", "-q"]) == QuickCount([], None)
    assert quick_parse(["count", "-q"], terminal) is None  # the full CLI explains what to do
    assert quick_parse(["count", "-q", "x"], terminal) == QuickCount(["x"], None)
    assert parse(["count", "-q", "a.txt", "-", "b"]) == QuickCount(["a.txt", "-", "b"], None)
    assert parse(["count", "--total", "-e", "cl100k_base", "x"]) == QuickCount(["x"], "cl100k_base")
    assert parse(["count", "x", "--encoding=o200k_harmony", "-q"]) == QuickCount(
        ["x"], "o200k_harmony"
    )
    assert parse(["count", "-q", "--", "-odd-name"]) == QuickCount(["-odd-name"], None)
    for argv in (
        [],
        ["count", "x"],  # a table, not a total
        ["count", "-q", "-m", "gpt-4o", "x"],
        ["count", "-q", "--format", "json", "x"],
        ["count", "-q", "-e", "no_such_encoding", "x"],
        ["count", "-q", "-e"],
        ["count", "-q", "-e", "o200k_base", "-e", "cl100k_base", "x"],
        ["count", "-qe", "cl100k_base", "x"],
        ["--version", "count", "-q", "x"],
        ["estimate", "-q", "x"],
    ):
        assert parse(argv) is None, argv


def test_stdin(cli):
    text = "hello world\nmore text, 中文 and 😀\n"
    expected = (0, f"{tiktoken_count(text)}\n", "")
    assert quick("count", "-q", input=text.encode()) == expected
    assert full(cli, "count", "-q", input=text.encode()) == expected


def test_files_errors_warnings_and_exit_codes_match_the_full_cli(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("good.txt").write_text("The quick brown fox.\n" * 50)
    Path("latin1.txt").write_bytes("caf\xe9 cr\xe8me\n".encode("latin-1"))
    Path("data.bin").write_bytes(b"\x00\x01binary")
    folder = Path("folder")
    folder.mkdir()
    (folder / "inner.md").write_text("# Title\n\nSome words.\n")
    (folder / "image.bin").write_bytes(b"PNG\x00\x00")
    # Both in this process through the edge (what the script runs): the quick path, seen to be
    # taken, against the Typer command line. test_stdin and the tests below run the script.
    from tokencalc.cli import quick_count

    taken = []
    real_run = quick_count.run

    def counted_run(*a: Any) -> Any:
        taken.append(1)
        return real_run(*a)

    monkeypatch.setattr(quick_count, "run", counted_run)
    cases = (
        ["good.txt"],
        ["good.txt", "missing.txt"],
        ["latin1.txt"],
        ["data.bin", "good.txt"],
        ["folder"],
        ["*.txt"],
        ["nothing*.md"],
        ["-e", "cl100k_base", "good.txt", "folder"],
        ["--encoding=o200k_harmony", "good.txt"],
    )
    for args in cases:
        ran = cli("count", "-q", *args, quick_paths=True)
        theirs = full(cli, "count", "-q", *args)
        assert (ran.exit_code, ran.stdout, ran.stderr) == theirs, args
    assert len(taken) == len(cases)
    ran = cli("count", "-q", "good.txt", "folder", quick_paths=True)
    assert ran.exit_code == 0
    assert int(ran.stdout) == tiktoken_count("The quick brown fox.\n" * 50) + tiktoken_count(
        "# Title\n\nSome words.\n"
    )


def _imported_by(*args: str, input: bytes | None = None) -> tuple[bytes, set[str]]:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "tokencalc", *args],
        input=input,
        capture_output=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    imported = {
        line.split("|")[-1].strip() for line in result.stderr.decode().splitlines() if "|" in line
    }
    return result.stdout, imported


# Modules the quick path used to import at start-up for work it rarely does: reading the shipped
# vocabularies (gzip, hashlib, importlib.resources), ratios (decimal), the thread pool.
_NOT_AT_START = {"gzip", "importlib.resources", "decimal", "concurrent.futures"}


def test_a_tiny_count_imports_no_typer_rich_tiktoken_pool_decimal_or_vocabulary_reader(
    _isolated_environment,
):
    # the rank table comes from the user's cache when it is there (its first build reads the
    # shipped file and checks its sha256): as after a first count, this test's cache has it
    cache = _isolated_environment / "cache"
    assert {p.name for p in cache.glob("*.ranks")}, "the test's cache holds no rank table"
    out, imported = _imported_by("count", "-q", input=b"hello\n")
    assert out == b"2\n"  # "hello", "\\n"
    assert {"tokencalc.cli.quick_count", "tokencalc.counting.counter"} <= imported  # can fail
    assert not {"typer", "click", "rich", "tiktoken", "toktok", "quicktok"} & imported
    assert not (_NOT_AT_START | {"hashlib"}) & imported  # the cache's own check is a CRC-32


#: The script's entry point, with glibc's ``mallopt`` recorded on stderr instead of made.
_RECORDING_MALLOPT = """
import ctypes, os

class Libc:
    def mallopt(self, parameter, value):
        os.write(2, f"mallopt({parameter}, {value})\\n".encode())
        return 1

ctypes.CDLL = lambda name: Libc()
from tokencalc.cli.entry import main
main()
"""


def test_large_inputs_count_exactly_tune_the_heap_and_read_no_vocabulary_file(tmp_path):
    """One process counts a large file and a large standard input (~2.8 MB together): on the
    counting pool, with the fast backend where one is installed, exactly, without reading a
    vocabulary file, and asking glibc for a roomier heap before the backend builds its
    vocabulary (test_command_costs: only a command line's own process asks). Each process
    that counts this much builds the backend's vocabulary (~0.25 s of CPU): one checks all."""
    from tokencalc.counting import fast_backend

    piped = (
        "Prose line with words and numbers 12345.\n    code(x) # comment\n中文，句子。😀\n" * 20_000
    )
    text = "Some prose, some code(x) and 中文。\n" * 40_000
    path = tmp_path / "big.txt"
    path.write_text(text, encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-X",
            "importtime",
            "-c",
            _RECORDING_MALLOPT,
            "count",
            "-q",
            str(path),
            "-",
        ],
        input=piped.encode(),
        capture_output=True,
        timeout=120,
    )
    lines = result.stderr.decode().splitlines()
    imported = {line.split("|")[-1].strip() for line in lines if line.startswith("import time:")}
    said = [line for line in lines if not line.startswith("import time:")]
    assert (result.returncode, result.stdout) == (
        0,
        f"{tiktoken_count(text) + tiktoken_count(piped)}\n".encode(),
    ), said
    assert "concurrent.futures" in imported  # it did count on the pool: the check can fail
    backend = fast_backend.active_backend("o200k_base")
    if backend != "tiktoken":
        assert not (_NOT_AT_START - {"concurrent.futures"} | {"hashlib"}) & imported
    glibc = "glibc" in (os.confstr("CS_GNU_LIBC_VERSION") or "")
    # toktok-rs asks before its build (M_TOP_PAD, 64 MiB); nothing else is said on stderr
    assert said == (["mallopt(-2, 67108864)"] if backend == "toktok" and glibc else [])


@pytest.fixture
def backend_variable(monkeypatch):
    """``backend_variable("auto")``: TOKENCALC_BACKEND for the quick path run in this process
    (through the edge, as the script runs it), with the backends chosen afresh."""
    from tokencalc.counting import fast_backend

    def choose(value: str) -> None:
        monkeypatch.setenv("TOKENCALC_BACKEND", value)
        fast_backend.reset()

    yield choose
    fast_backend.reset()


def test_a_rejected_backend_is_one_warning_line(cli, backend_variable):
    backend_variable("nonsense")
    text = "word " * 100_000  # large enough to need a tokenizer
    result = cli("count", "-q", input=text.encode(), quick_paths=True)
    code, out, err = result.exit_code, result.stdout, result.stderr
    assert (code, out) == (0, f"{tiktoken_count(text)}\n")
    assert err == (
        "tokencalc: warning: TOKENCALC_BACKEND='nonsense' is not a known backend "
        "(known: auto, tiktoken, toktok, quicktok); counting with tiktoken instead\n"
    )


@pytest.mark.parametrize("backend", ["tiktoken", "auto"])
def test_counts_are_equal_with_and_without_a_backend(backend, tmp_path, cli, backend_variable):
    text = (
        "Mixed text: English, code() {}, 中文，日本語, العربية, emoji 😀, \r\n" * 5000
    ) + "\U000323b0 end"
    path = tmp_path / "mixed.txt"
    path.write_text(text, encoding="utf-8", newline="")
    backend_variable(backend)
    result = cli("count", "-q", str(path), quick_paths=True)
    assert (result.exit_code, result.stdout, result.stderr) == (0, f"{tiktoken_count(text)}\n", "")


def test_exit_codes_of_unwritable_output():
    # /dev/full: one line and exit 1, as the full CLI does (README, "Exit codes").
    with open("/dev/full", "w") as full_device:
        result = subprocess.run(
            [str(BIN), "count", "-q"],
            input=b"hello\n",
            stdout=full_device,
            stderr=subprocess.PIPE,
            timeout=120,
        )
    assert (result.returncode, result.stderr) == (
        1,
        b"tokencalc: error: cannot write the output: no space left on device\n",
    )
    # A reader that went away: 141, silently.
    process = subprocess.Popen(
        [str(BIN), "count", "-q"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    process.stdout.close()
    _, err = process.communicate(b"hello\n", timeout=120)
    assert (process.returncode, err) == (141, b"")
