"""Every table keeps every figure and id whole at any width from 40 columns up.

Each case runs a command once with ``--format json`` and then as a table at 40, 80 and 160
columns (``COLUMNS``, as a pipe sees it; 60 and 100 too in the slow set, ``-m slow``). Every figure the JSON gives for a displayed
field must appear in each rendering, whole: not followed or preceded by more digits, letters
or id characters (``$20.`` for $20.00 or ``claude-sonnet-5`` for claude-sonnet-5-5 fail). The
money a table shows is the JSON's exact decimal at display precision, worked out here with
plain Decimal arithmetic, not with the code under test. One case also runs under a real
pseudo-terminal, where Rich detects a terminal and COLUMNS is not set.
"""

from __future__ import annotations

import functools
import json
import os
import re
import sys
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: The narrowest width, a common terminal's and a pipe's; the slow set adds the widths between
#: (60 is also the real terminal's below, 100 the documents' examples', tests/docs_examples.py).
WIDTHS = (40, 80, 160)
MORE_WIDTHS = (60, 100)
USAGE = str(ROOT / "tests" / "fixtures" / "usage" / "claude_code")
EN = str(ROOT / "examples" / "en.txt")
ZH = str(ROOT / "examples" / "zh.txt")


def _money(text: str) -> str:
    """$ and the amount as people read it: 2 decimals from $1, 4 from a cent, else 6."""
    value = Decimal(text)
    places = 2 if value == 0 or value >= 1 else (4 if value >= Decimal("0.01") else 6)
    return f"${value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):,.{places}f}"


def _int(value: int) -> str:
    return f"{value:,}"


@functools.cache
def _whole_pattern(figure: str) -> re.Pattern[str]:
    # compiled once a figure: models' ~700 figures a width overflowed re's own cache of 512
    return re.compile(r"(?<![\w.,$-])" + re.escape(figure) + r"(?![\w-]|[.,]\d)")


def _whole(figure: str, text: str) -> bool:
    return _whole_pattern(figure).search(text) is not None


def _estimate_figures(doc: dict[str, Any]) -> list[str]:
    out = []
    for row in doc["rows"]:
        out += [row["model"], _int(row["input_tokens"]), _int(row["output_tokens"])]
        if row["cost"] is not None:
            out.append(_money(row["cost"]))
    return out


def _plans_figures(doc: dict[str, Any]) -> list[str]:
    out = []
    for row in doc["rows"]:
        out += [
            row["plan"],
            row["model"],
            _money(row["monthly_price"]),
            _money(row["api_monthly_cost"]),
        ]
    return out


def _usage_figures(doc: dict[str, Any]) -> list[str]:
    out = []
    for group in [*doc["groups"], doc["totals"]]:
        for key in (
            "requests",
            "input_tokens",
            "cached_input_tokens",
            "cache_write_tokens",
            "output_tokens",
        ):
            out.append(_int(group[key]))
        out.append(_money(group["cost"]))
        if group is not doc["totals"]:
            out.append(group["key"])
    return out


def _models_figures(doc: list[Any]) -> list[str]:
    out = []
    for row in doc:
        out += [
            row["id"],
            row["provider"],
            row["input"],
            row["cached_input"],
            row["output"],
            _int(row["context_window"]),
        ]
    return out


def _count_figures(doc: dict[str, Any]) -> list[str]:
    out = []
    for entry in [*doc["inputs"], doc["total"]]:
        out += [_int(entry[k]) for k in ("tokens", "lines", "words", "chars")]
        if "path" in entry:
            out.append(entry["path"])
    return out


CASES: dict[str, tuple[list[str], Callable[[Any], list[str]]]] = {
    "estimate": (["estimate", EN, ZH, "--date", "2026-11-22"], _estimate_figures),
    "estimate-per-file": (
        ["estimate", EN, ZH, "-m", "claude-*", "--per-file", "--date", "2026-11-22"],
        _estimate_figures,
    ),
    "plans": (["plans", "--date", "2026-11-22"], _plans_figures),
    "usage": (["usage", USAGE, "--timezone", "UTC"], _usage_figures),
    "models": (["models", "--date", "2026-11-22"], _models_figures),
    "count": (["count", EN, ZH], _count_figures),
}


def _every_figure_whole(case, cli, monkeypatch, widths):
    args, figures_of = CASES[case]
    document = json.loads(cli(*args, "--format", "json").stdout)
    figures = list(dict.fromkeys(figures_of(document)))  # each once
    assert figures, "the case must have figures to check"
    for width in widths:
        monkeypatch.setenv("COLUMNS", str(width))
        result = cli(*args)
        assert result.exit_code == 0, result.stderr
        missing = [f for f in figures if not _whole(f, result.stdout)]
        assert not missing, f"{case} at {width} columns lacks {missing[:5]}:\n{result.stdout}"
        for line in result.stdout.splitlines():
            # one word longer than the width (a path, a URL) is the only thing allowed past it
            if len(line) > width:
                assert len(line.split()) <= 2 and len(line.split()[-1]) > width - 10, (
                    case,
                    width,
                    line,
                )


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_figure_whole_at_every_width(case, cli, monkeypatch):
    _every_figure_whole(case, cli, monkeypatch, WIDTHS)


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(CASES))
def test_every_figure_whole_at_the_widths_between(case, cli, monkeypatch):
    _every_figure_whole(case, cli, monkeypatch, MORE_WIDTHS)


def _diff_values_whole(cli, monkeypatch, tmp_path, widths):
    old = tmp_path / "old.toml"
    new = tmp_path / "new.toml"
    old.write_text('[models."gpt-6-luna"]\ninput = 0.1\noutput = 0.5\n', encoding="utf-8")
    new.write_text('[models."gpt-6-luna"]\ninput = 0.125\noutput = 0.5\n', encoding="utf-8")
    document = json.loads(cli("prices", "diff", str(old), str(new), "--format", "json").stdout)
    figures = [c["entry"] for c in document["changes"]] + [
        str(c["new"]) for c in document["changes"]
    ]
    assert figures, "the diff must have figures to check"
    for width in widths:
        monkeypatch.setenv("COLUMNS", str(width))
        out = cli("prices", "diff", str(old), str(new)).stdout
        assert all(_whole(f, out) for f in figures), out


def test_prices_diff_keeps_values_whole(cli, monkeypatch, tmp_path):
    _diff_values_whole(cli, monkeypatch, tmp_path, WIDTHS)


@pytest.mark.slow
def test_prices_diff_keeps_values_whole_at_the_widths_between(cli, monkeypatch, tmp_path):
    _diff_values_whole(cli, monkeypatch, tmp_path, MORE_WIDTHS)


def _run_in_pty(argv: list[str], columns: int) -> str:
    import fcntl
    import pty
    import select
    import struct
    import termios

    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env["TERM"] = "xterm"
    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover - the child
        os.execve(sys.executable, [sys.executable, "-m", "tokencalc", *argv], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    chunks = []
    while True:
        ready, _, _ = select.select([fd], [], [], 60)
        if not ready:
            break
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.waitpid(pid, 0)
    return re.sub(r"\x1b\[[0-9;]*m", "", b"".join(chunks).decode("utf-8", "replace"))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pty window sizes as on Linux")
@pytest.mark.parametrize("width", [60, pytest.param(80, marks=pytest.mark.slow)])
def test_plans_under_a_real_terminal(cli, width):
    document = json.loads(cli("plans", "--date", "2026-11-22", "--format", "json").stdout)
    out = _run_in_pty(["plans", "--date", "2026-11-22"], width)
    missing = [f for f in _plans_figures(document) if not _whole(f, out)]
    assert not missing, out
    assert max(len(line) for line in out.replace("\r", "").splitlines()) <= width


# --- pictures: bars on a terminal only ---------------------------------------------------------


def test_bar_is_relative_to_the_dearest_and_marks_a_price():
    from tokencalc.cli.views.render import bar

    assert bar(Decimal(10), Decimal(10)) == "█" * 12
    assert bar(Decimal(5), Decimal(10)) == "█" * 6
    assert bar(Decimal(1), Decimal(16), width=2) == "▏"  # one eighth of a cell
    assert bar(Decimal("0.0001"), Decimal(10)) == "▏"  # a cost above zero is never an empty bar
    assert bar(Decimal(0), Decimal(10)) == "" and bar(None, Decimal(10)) == ""
    # API $5 against a $10 plan on a 10-cell scale: five cells, the plan price at the 10th
    assert bar(Decimal(5), Decimal(10), width=10, mark=Decimal(10)) == "█████    │"
    assert bar(Decimal(10), Decimal(10), width=10, mark=Decimal(5)) == "█████┃████"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pty window sizes as on Linux")
def test_bars_on_a_terminal_and_never_in_a_pipe(cli, monkeypatch):
    monkeypatch.delenv("NO_COLOR")
    out = _run_in_pty(
        ["estimate", EN, "-m", "gpt-6-luna", "-m", "gpt-6-astra", "--date", "2026-11-22"], 160
    )
    lines = [line for line in out.splitlines() if "gpt-6-astra" in line]
    assert lines and "█" * 12 in lines[0]  # the dearest gets the full bar
    # The rest in this process, on a standard output that is a terminal (what the pty gave)
    terminal = {"stdout_isatty": True, "width": 160}
    plans = cli("plans", "-P", "claude-pro", "-P", "claude-max", "--date", "2026-11-22", **terminal)
    assert "│" in plans.stdout or "┃" in plans.stdout  # the plan price marked on the API-cost bar
    piped = cli("estimate", EN, "-m", "gpt-6-luna", "-m", "gpt-6-astra").stdout
    assert "█" not in piped and "▏" not in piped
    assert "█" in cli("estimate", EN, "-m", "gpt-6-astra", **terminal).stdout
    monkeypatch.setenv("NO_COLOR", "1")
    assert "█" not in cli("estimate", EN, "-m", "gpt-6-astra", **terminal).stdout
