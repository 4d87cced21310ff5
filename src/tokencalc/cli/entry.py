"""The ``tokencalc`` script: quick paths for ``count -q`` and ``statusline``, the full Typer CLI for everything else.

``echo hello | tokencalc count -q`` should cost little more than starting Python. Typer, Click
and Rich take longer to import than counting a line takes, so the one command whose output is
a single number is recognised here from ``sys.argv`` and run by ``cli.quick_count`` without
them. Anything the quick path does not understand exactly (another option, a model name, no
input on a terminal) goes to the full CLI, which gives the same answers and messages.

After the quick path has flushed its output, the process leaves with ``os._exit``: nothing is
left to write (tokencalc's caches are written atomically when they are built), and skipping
the interpreter's teardown saves tens of milliseconds. The full CLI exits normally.
"""

from __future__ import annotations

import os
import sys
import warnings
from typing import TextIO


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    from tokencalc.cli.messages import print_warning

    print_warning(str(message))


def main() -> None:
    """Entry point of the ``tokencalc`` script and ``python -m tokencalc``."""
    warnings.showwarning = _show_warning  # a disabled fast backend: one "tokencalc: warning:" line
    argv = sys.argv[1:]
    if argv[:1] == [
        "statusline"
    ]:  # runs after every Claude Code message: no Typer, Rich or tiktoken
        from tokencalc.cli.statusline import run as run_statusline

        sys.exit(run_statusline(argv[1:]))
    from tokencalc.cli.quick_count import parse

    request = parse(argv)
    if request is not None:
        from tokencalc.cli.quick_count import run

        code = run(request)
        _flush_and_leave(code)
    from tokencalc.cli.app import main as full_main

    full_main(argv)


def _flush_and_leave(code: int) -> None:
    # ``run`` has flushed stdout (and turned a failure into the exit code); stderr is written
    # unbuffered line by line, so nothing is left but the interpreter's teardown.
    try:
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    os._exit(code)
