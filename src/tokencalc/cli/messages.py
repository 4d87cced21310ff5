"""One-line messages on stderr, shared by the full CLI and the quick ``count -q`` path.

Kept apart from ``cli.app`` so that printing an error does not import Typer.
"""

from __future__ import annotations

import os

from tokencalc.cli import streams


def print_error(message: str) -> None:
    """One line on stderr, prefixed with the program name (control characters escaped)."""
    from tokencalc.safe_text import one_line

    streams.write_stderr(f"tokencalc: error: {one_line(message)}\n")


def print_warning(message: str) -> None:
    from tokencalc.safe_text import one_line

    streams.write_stderr(f"tokencalc: warning: {one_line(message)}\n")


def debug_enabled() -> bool:
    """TOKENCALC_DEBUG set to anything but empty, ``0``, ``false``, ``no`` or ``off``: tracebacks."""
    return os.environ.get("TOKENCALC_DEBUG", "").strip().lower() not in (
        "",
        "0",
        "false",
        "no",
        "off",
    )
