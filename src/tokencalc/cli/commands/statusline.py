"""``tokencalc statusline`` as the full command line lists it (``--help``); the edge runs the
command itself without Typer (:mod:`tokencalc.cli.statusline`)."""

from __future__ import annotations

import typer

from tokencalc.cli import statusline


def statusline_command(ctx: typer.Context) -> int:
    """One line for Claude Code's status bar: today's, the 5-hour window's and the session's API-equivalent cost.

    Reads the status-line JSON Claude Code passes on stdin (see docs/usage.md).

    Examples:

      echo '{"session_id": "…", "cost": {"total_cost_usd": 0.5}}' | tokencalc statusline

      in ~/.claude/settings.json: "statusLine": {"type": "command", "command": "tokencalc statusline"}
    """
    return statusline.run([], ctx.obj)
