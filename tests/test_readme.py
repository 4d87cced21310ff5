"""The README's promises that a test can hold it to."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_ci_runs_the_readme_test_command_exactly():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = {
        line
        for line in readme.splitlines()
        if "pytest" in line and line.startswith("python3 -m venv")
    }
    assert len(commands) == 1, "the README gives one test command (it may repeat it)"
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert commands.pop() in ci_lines


def test_documented_exit_codes_are_the_real_ones():
    from tokencalc.cli.app import EXIT_BROKEN_PIPE
    from tokencalc.errors import ExitCode

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for code in [*ExitCode, EXIT_BROKEN_PIPE]:
        assert f"| {int(code)} |" in readme
