"""The words ``tokencalc plans`` uses where its assumptions name its own options.

The core says which option a sentence is about (by the profile's field names); the command line
words it with the flag. Written out by hand; pinned through the real command.
"""

from __future__ import annotations

import json


def assumptions(cli, *args: str) -> list[str]:
    result = cli("plans", "-f", "json", "--date", "2026-11-22", *args)
    assert result.exit_code == 0, result.stderr
    assumptions: list[str] = json.loads(result.stdout)["assumptions"]
    return assumptions


def test_caching_names_no_cache(cli):
    on = assumptions(cli)
    assert any(line.startswith("prompt caching on (--no-cache turns it off): ") for line in on)
    off = assumptions(cli, "--no-cache")
    assert "no prompt caching (--no-cache): every prompt token at the input price" in off


def test_seats_and_annual_name_their_options(cli):
    lines = assumptions(
        cli, "--seats", "5", "--annual", "-P", "claude-team-standard", "-P", "claude-pro"
    )
    assert (
        "per-seat plans: --seats 5 (claude-team-standard 5); every seat uses the profile, "
        "so price and API cost scale alike"
    ) in lines
    assert "not sold per seat, so one subscription each, --seats ignored: claude-pro" in lines
    assert (
        "plan prices are annual-billing prices where offered (--annual); "
        "the stand-in model is the first of each plan's models"
    ) in lines
    # without --seats and --annual, only caching names an option
    named = [line for line in assumptions(cli, "-P", "claude-pro") if "--" in line]
    assert len(named) == 1 and named[0].startswith("prompt caching on (--no-cache turns it off)")
