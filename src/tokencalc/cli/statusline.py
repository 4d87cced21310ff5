"""``tokencalc statusline``: one short line for Claude Code's status bar.

Claude Code runs the status-line command with a JSON object on stdin (``session_id``,
``transcript_path``, ``model``, ``workspace``, ``cost``, …) and shows the first line it
prints. This prints today's API-equivalent cost (local day), the active 5-hour window's cost,
burn rate and time left, and the session's cost (Claude Code's own figure beside it).

Start-up matters (it runs after every message): this module is reached without Typer, Rich,
tiktoken or the price sheet (``tokencalc.cli.entry``); records come from the incremental index
(:mod:`tokencalc.usage.claude_index`), and the sheet is only loaded to price new records.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tokencalc.cli.env import Environment

if TYPE_CHECKING:  # start-up: the index is imported inside the function, when it runs
    from tokencalc.usage.claude_index import Summary

HELP = """Usage: tokencalc statusline

  One line for Claude Code's status bar: today's API-equivalent cost, the active
  5-hour window's cost, burn rate and time left, and this session's cost. Reads
  the status-line JSON Claude Code passes on stdin; add to ~/.claude/settings.json:

    "statusLine": {"type": "command", "command": "tokencalc statusline"}

  Records are kept in an incremental index in tokencalc's cache dir
  (TOKENCALC_CACHE_DIR); logs are found as `tokencalc usage` finds Claude Code's.

  Examples:

    echo '{"session_id": "…", "cost": {"total_cost_usd": 0.5}}' | tokencalc statusline
"""


#: How far before today the status line reads records (besides the session's): far enough to
#: find where the active 5-hour window's chain of windows starts, unless the use before it ran
#: two days without a 5-hour pause.
LOOK_BACK = 2 * 24 * 3600


def money(amount: Decimal) -> str:
    """``$1.23``; below ten cents four decimals (``$0.0042``), so small sums are not ``$0.00``."""
    places = Decimal("0.01") if abs(amount) >= Decimal("0.1") else Decimal("0.0001")
    return f"${amount.quantize(places):,}"


def _duration(seconds: float) -> str:
    minutes = int(seconds // 60)
    return f"{minutes // 60}h{minutes % 60:02d}m"


def _stdin_json(env: Environment) -> tuple[dict[str, Any], str | None]:
    """The status-line object, or ({}, a warning) when stdin holds none."""
    if env.stdin_isatty:
        return {}, None
    text = env.stdin.read()
    if not text.strip():
        return {}, None
    try:
        data = json.loads(text)
    except ValueError:
        return {}, "stdin is not Claude Code's status-line JSON; session left out"
    return (
        (data, None)
        if isinstance(data, dict)
        else ({}, "stdin is not a JSON object; session left out")
    )


def _local_midnight(now: float) -> float:
    local = time.localtime(now)
    return time.mktime((local.tm_year, local.tm_mon, local.tm_mday, 0, 0, 0, 0, 0, -1))


def line(data: dict[str, Any], now: float | None = None) -> str:
    """The status line for ``data`` (the parsed status-line JSON) at ``now`` (epoch seconds)."""
    from tokencalc.usage.blocks import WINDOW, window_starts
    from tokencalc.usage.claude_index import refresh
    from tokencalc.usage.discovery import default_claude_code_dirs

    now = time.time() if now is None else now
    transcript = data.get("transcript_path")
    extra = (
        [Path(transcript)]
        if isinstance(transcript, str) and transcript and os.path.isfile(transcript)
        else []
    )
    midnight = _local_midnight(now)
    session = data.get("session_id") if isinstance(data.get("session_id"), str) else None
    since = min(midnight, now) - LOOK_BACK
    found = refresh(default_claude_code_dirs(), extra, since=since, session=session).summaries
    summaries = sorted((s for s in found if s.timestamp <= now), key=lambda s: s.timestamp)

    def total(items: Iterable[Summary]) -> tuple[Decimal, int]:
        cost = Decimal(0)
        unpriced = 0
        for item in items:
            if item.cost is None:
                unpriced += 1
            else:
                cost += Decimal(item.cost)
        return cost, unpriced

    today, today_unpriced = total(s for s in summaries if s.timestamp >= midnight)
    parts = []
    model = data.get("model")
    if (
        isinstance(model, dict)
        and isinstance(model.get("display_name"), str)
        and model["display_name"]
    ):
        parts.append(model["display_name"])
    parts.append(f"{money(today)} today" + ("+" if today_unpriced else ""))
    starts = window_starts([s.timestamp for s in summaries])
    length = WINDOW.total_seconds()
    if starts and starts[-1] <= now < starts[-1] + length:
        members = [s for s, start in zip(summaries, starts, strict=True) if start == starts[-1]]
        cost, unpriced = total(members)
        elapsed = max(now - members[0].timestamp, 60.0)
        rate = cost * 3600 / Decimal(int(elapsed))
        parts.append(
            f"{money(cost)}{'+' if unpriced else ''} 5h window ({money(rate)}/h, {_duration(starts[-1] + length - now)} left)"
        )
    else:
        parts.append("no active 5h window")
    if session:
        cost, unpriced = total(s for s in summaries if s.session == session)
        text = f"{money(cost)}{'+' if unpriced else ''} session"
        logged = (
            data.get("cost", {}).get("total_cost_usd")
            if isinstance(data.get("cost"), dict)
            else None
        )
        if isinstance(logged, (int, float)) and not isinstance(logged, bool):
            text += f" (Claude Code: {money(Decimal(str(logged)))})"
        parts.append(text)
    return " · ".join(parts)


def run(argv: list[str], env: Environment) -> int:
    """The command: 0 on success; 2 for an unknown argument; 1 when the line cannot be made.

    Its failures are its own: a status bar shows stdout only, so a line that cannot be made
    is said on stdout too (the edge never sees an exception from here).
    """
    stdout = env.stdout
    if argv and argv[0] in ("-h", "--help"):
        stdout.write(HELP)
        return 0
    if argv:
        env.write_err(
            f"tokencalc: error: statusline takes no arguments (got {argv[0]!r}); see --help\n"
        )
        return 2
    data, warning = _stdin_json(env)
    if warning:
        env.write_err(f"tokencalc: warning: {warning}\n")
    try:
        text = line(data)
    except Exception as exc:  # a status bar shows stdout only: say what failed, briefly
        from tokencalc.errors import TokencalcError

        if os.environ.get("TOKENCALC_DEBUG"):
            raise
        message = exc.message if isinstance(exc, TokencalcError) else f"{type(exc).__name__}: {exc}"
        env.write_err(f"tokencalc: error: {message}\n")
        stdout.write("tokencalc: no usage figures (see stderr)\n")
        return 1
    stdout.write(text + "\n")
    return 0
