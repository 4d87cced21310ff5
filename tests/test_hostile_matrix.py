"""The hostile-input matrix (issue 10 §7): input × command → exit code and first stderr line.

Cases that need a process — closed streams, /dev/full, a pipe's reader going away, the stream
encoding Python sets up at start — run the installed ``tokencalc``; the others run in this process
through the CLI's edge (``run(argv, env)``, what the script runs, so the same exit code and
lines), and a few of those as a process too in the slow set (``process=True``; the script's own
path is covered by default by the cases that need a process). The expected exit codes are the README's contract: 0 ok, 1 bad data or input, 2 bad
command line, 141 the reader went away; never "internal error", never a traceback, and errors
stay one line. Large inputs and timings live in tests/test_hostile_slow.py (marked ``slow``).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

BIN = Path(sys.executable).parent / "tokencalc"


@dataclass
class Case:
    id: str
    args: list[str]
    code: int
    stderr: str  # regular expression the first stderr line must match ("" → stderr empty)
    stdin: bytes | None = b""
    env: dict[str, str] = field(default_factory=dict)
    shell: str | None = None  # run through bash -c (redirections); {bin} is the script
    files: dict[str, bytes] = field(default_factory=dict)  # written under the work directory first
    process: bool = False  # run as a process too (slow set), where the edge in-process would do
    slow: bool = False  # another shape of a process case the default run covers: the slow set

    @property
    def needs_a_process(self) -> bool:
        # Python reads its own variables (PYTHONIOENCODING) when a process starts; tokencalc
        # reads its own (TOKENCALC_*) when it runs: those can be set in this process
        python = any(name.startswith("PYTHON") for name in self.env)
        return self.process or self.shell is not None or python


DEEP_TOML = b"a = " + b"[" * 500 + b"]" * 500 + b"\n"
BIG_INT_TOML = b"[currencies]\nEUR = " + b"9" * 4301 + b"\n"
DEEP_JSON = b"[" * 100_000 + b"]" * 100_000
BIG_INT_JSON = b'{"m": {"input_cost_per_token": ' + b"9" * 5000 + b"}}"

CASES = [
    # --- streams ---------------------------------------------------------------------------
    Case("models-table-reader-gone", [], 141, "", shell="{bin} models | true"),
    Case("models-json-reader-gone", [], 141, "", shell="{bin} models -f json | true", slow=True),
    Case("models-csv-reader-gone", [], 141, "", shell="{bin} models -f csv | true", slow=True),
    Case(
        "stdout-full",
        [],
        1,
        r"^tokencalc: error: cannot write the output: no space left on device$",
        shell="{bin} models > /dev/full",
    ),
    Case(
        "stdout-full-count",
        [],
        1,
        r"^tokencalc: error: cannot write the output: no space left on device$",
        shell="{bin} count -q <<< hi > /dev/full",
    ),
    Case(
        "stdout-closed",
        [],
        1,
        r"^tokencalc: error: cannot write the output: standard output is closed$",
        shell="{bin} models >&-",
    ),
    Case("stderr-full-on-error", [], 1, "", shell="{bin} count -q no-such-file 2>/dev/full"),
    Case("stderr-full-on-success", [], 0, "", shell="{bin} count -q <<< hi 2>/dev/full"),
    Case(
        "stdin-closed",
        [],
        1,
        r"^tokencalc: error: -: standard input is closed$",
        shell="{bin} count -q <&-",
    ),
    Case(
        "ascii-terminal-models",
        ["models"],
        0,
        "",
        env={"PYTHONIOENCODING": "ascii"},
        slow=True,  # the estimate below writes its table's rule, ≈, · and ★ escaped too
    ),
    Case(
        "ascii-terminal-estimate",
        ["estimate", "-m", "gpt-5"],
        0,
        "",
        stdin="héllo ≈ wörld".encode(),
        env={"PYTHONIOENCODING": "ascii"},
    ),
    # --- paths ----------------------------------------------------------------------------
    Case(
        "empty-path-count",
        ["count", ""],
        2,
        r"^tokencalc: error: an empty path argument",
        process=True,
    ),
    Case(
        "empty-path-estimate",
        ["estimate", "", "-m", "gpt-5"],
        2,
        r"^tokencalc: error: an empty path argument",
    ),
    Case(
        "control-chars-in-missing-name",
        ["count", "a\x1b]0;X\x07b\nc"],
        1,
        r"^tokencalc: error: a\\x1b\]0;X\\x07b\\nc: no such file or directory$",
    ),
    # --- sheets -----------------------------------------------------------------------------
    Case(
        "prices-dev-zero",
        ["models", "--prices", "/dev/zero"],
        1,
        r"^tokencalc: error: /dev/zero: not a regular file",
        process=True,
    ),
    Case("validate-dev-zero", ["prices", "validate", "/dev/zero"], 1, r""),
    Case(
        "diff-dev-zero",
        ["prices", "diff", "/dev/zero"],
        1,
        r"^tokencalc: error: /dev/zero: not a regular file",
    ),
    Case(
        "sheet-nested-500",
        ["models", "--prices", "deep.toml"],
        1,
        r"^tokencalc: error: deep.toml: invalid TOML: arrays or tables nested too deeply$",
        files={"deep.toml": DEEP_TOML},
    ),
    Case(
        "sheet-4301-digits",
        ["models", "--prices", "big.toml"],
        1,
        r"^tokencalc: error: big.toml: invalid TOML: a value cannot be read",
        files={"big.toml": BIG_INT_TOML},
    ),
    Case(
        "sheet-huge-price",
        ["models", "--prices", "huge.toml"],
        1,
        r"must be at most 1,000,000",
        files={"huge.toml": b'[models."gpt-5"]\ninput = 1e30\n'},
    ),
    Case(
        "set-huge-price",
        ["prices", "set", "gpt-5", "--input", "1e30"],
        1,
        r"must be at most 1,000,000",
    ),
    # --- imports --------------------------------------------------------------------------
    Case(
        "import-dev-zero",
        ["prices", "import", "/dev/zero"],
        1,
        r"^tokencalc: error: /dev/zero: not a regular file",
    ),
    Case(
        "import-deep-json",
        ["prices", "import", "deep.json"],
        1,
        r"nested too deeply",
        files={"deep.json": DEEP_JSON},
    ),
    Case(
        "import-big-int-json",
        ["prices", "import", "big.json"],
        1,
        r"a value cannot be read",
        files={"big.json": BIG_INT_JSON},
    ),
    Case(
        "timeout-inf",
        ["prices", "import", "http://127.0.0.1:9/x", "--timeout", "inf"],
        2,
        r"^tokencalc: error: --timeout must be",
    ),
    Case(
        "timeout-nan",
        ["prices", "import", "http://127.0.0.1:9/x", "--timeout", "nan"],
        2,
        r"^tokencalc: error: --timeout must be",
    ),
    # --- options --------------------------------------------------------------------------
    Case(
        "calls-1e40",
        ["estimate", "-m", "gpt-5", "--calls", "1e40"],
        2,
        r"^tokencalc: error: .*--calls",
        stdin=b"hi",
    ),
    Case(
        "empty-model",
        ["estimate", "-m", ""],
        2,
        r"^tokencalc: error: an empty model or provider name",
        stdin=b"hi",
    ),
    Case("empty-usage-model", ["usage", "-m", ""], 2, r"^tokencalc: error: --model is empty"),
    Case(
        "bad-limit-variable",
        ["models", "--prices", "x.toml"],
        2,
        r"^tokencalc: error: TOKENCALC_MAX_SHEET_MB='lots' is not a number",
        env={"TOKENCALC_MAX_SHEET_MB": "lots"},
        files={"x.toml": b""},
    ),
    Case(
        "debug-zero-is-off",
        ["models", "--prices", "deep.toml"],
        1,
        r"^tokencalc: error: ",
        env={"TOKENCALC_DEBUG": "0"},
        files={"deep.toml": DEEP_TOML},
    ),
]


def _params() -> Iterator[Any]:
    for case in CASES:
        marks = [pytest.mark.slow] if case.slow else []
        if case.process:  # through the edge here by default, as a process in the slow set
            yield pytest.param(replace(case, process=False), id=case.id, marks=marks)
            yield pytest.param(case, id=f"{case.id}-process", marks=[pytest.mark.slow])
        else:
            yield pytest.param(case, id=case.id, marks=marks)


@pytest.mark.parametrize("case", list(_params()))
def test_matrix(case: Case, tmp_path, cli, monkeypatch, _isolated_environment):
    home = _isolated_environment  # this test's own, its cache holding the session's tables
    env = dict(os.environ, TOKENCALC_HOME=str(home), NO_COLOR="1", COLUMNS="120")
    env.pop("TOKENCALC_DEBUG", None)
    env.update(case.env)
    for name, data in case.files.items():
        (tmp_path / name).write_bytes(data)
    if not case.needs_a_process:
        monkeypatch.setenv("TOKENCALC_HOME", str(home))
        monkeypatch.setenv("COLUMNS", "120")
        for name, value in case.env.items():
            monkeypatch.setenv(name, value)
        monkeypatch.chdir(tmp_path)
        ran = cli(*case.args, input=case.stdin)
        code, stderr = ran.exit_code, ran.stderr
    elif case.shell is not None:
        script = case.shell.format(bin=f"'{BIN}'") + '; echo "rc=${PIPESTATUS[0]}" >&2'
        result = subprocess.run(
            ["bash", "-c", script], capture_output=True, env=env, cwd=tmp_path, timeout=120
        )
        *rest, last = result.stderr.decode().splitlines() or [""]
        status = re.fullmatch(r"rc=(\d+)", last)
        assert status is not None, result.stderr
        code = int(status.group(1))
        result.stderr = "\n".join(rest).encode() + (b"\n" if rest else b"")
    else:
        result = subprocess.run(
            [str(BIN), *case.args],
            input=case.stdin,
            capture_output=True,
            env=env,
            cwd=tmp_path,
            timeout=120,
        )
        code = result.returncode
    if case.needs_a_process:
        stderr = result.stderr.decode("utf-8", "replace")
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr
    assert code == case.code, (code, stderr)
    lines = stderr.splitlines()
    if case.stderr:
        assert lines and re.search(case.stderr, lines[0]), stderr
        if code != 0:
            assert len([line for line in lines if line.startswith("tokencalc: error:")]) >= 1
    elif case.code in (0, 141) and "stderr-full" not in case.id:
        assert stderr == "", stderr
