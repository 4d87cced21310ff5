"""The README's promises that a test can hold it to."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _pytest_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if "pytest" in line and not line.startswith("#")]


def test_ci_runs_the_readme_test_command_exactly():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = {line for line in _pytest_lines(readme) if line.startswith("python3 -m venv")}
    assert len(commands) == 1, "the README gives one test command (it may repeat it)"
    ci_runs = _pytest_lines((ROOT / ".ci" / "run").read_text(encoding="utf-8"))
    # CI runs the README's command first, as it is written; only then anything else.
    assert ci_runs[0] == commands.pop()
    # Whatever CI runs after it (the slow set) is documented in the README too.
    for later in ci_runs[1:]:
        assert later in readme.splitlines(), f"{later!r} is run by .ci/run but not in the README"


def test_the_default_run_leaves_out_exactly_the_slow_set():
    """`pytest -q` deselects the slow marker (pyproject), and `-m slow` selects it back."""
    import shlex
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    options = config["tool"]["pytest"]["ini_options"]
    addopts = shlex.split(options["addopts"])
    assert addopts[addopts.index("-m") + 1] == "not slow"
    assert any(marker.startswith("slow:") for marker in options["markers"])
    ci_runs = _pytest_lines((ROOT / ".ci" / "run").read_text(encoding="utf-8"))
    assert any(shlex.split(line)[-2:] == ["-m", "slow"] for line in ci_runs[1:])


def test_documented_exit_codes_are_the_real_ones():
    from tokencalc.cli.app import EXIT_BROKEN_PIPE
    from tokencalc.errors import ExitCode

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for code in [*ExitCode, EXIT_BROKEN_PIPE]:
        assert f"| {int(code)} |" in readme
