"""The ``tokencalc`` script: an interrupt guard first, then ``run(argv, env)`` and the exit.

The guard is in place before anything but this module (and the standard library's ``os``,
``signal`` and ``sys``) is imported, so Ctrl-C at any moment — while Typer, Rich or a command's
core is still being imported, or while the process ends — exits 130 with one
``tokencalc: interrupted`` line, never a traceback. A second Ctrl-C while the first is being
handled is ignored: the way out must not be cut short.

``echo hello | tokencalc count -q`` should cost little more than starting Python, so the edge
(:func:`tokencalc.cli.app.run`) runs ``count -q`` and ``statusline`` without Typer or Rich. After
such a quick path has flushed its output the process leaves with ``os._exit``: nothing is left
to write (tokencalc's caches are written atomically when they are built), and skipping the
interpreter's teardown saves tens of milliseconds. The full CLI exits normally.
"""

from __future__ import annotations

import os
import signal
import sys

TYPE_CHECKING = False  # not `typing`'s: it is slow to import, and nothing may come before the guard
if TYPE_CHECKING:  # pragma: no cover
    from types import FrameType

#: Ctrl-C: 128 + SIGINT (tokencalc.errors.ExitCode.INTERRUPTED, not imported here on purpose).
_INTERRUPTED = 130


def _interrupted(signum: int, frame: FrameType | None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # one interrupt is enough
    raise KeyboardInterrupt


def main() -> None:
    """Entry point of the ``tokencalc`` script and ``python -m tokencalc``."""
    guarded = _guard()
    leave_quickly = False
    try:
        from tokencalc.cli.app import run
        from tokencalc.cli.env import Environment

        env = Environment.from_process()
        code = run(sys.argv[1:], env)
        leave_quickly = env.leave_quickly
    except KeyboardInterrupt:
        _say_interrupted()
        code = _INTERRUPTED
    if guarded:
        # From here on the work is done: an interrupt during the interpreter's teardown
        # (joining worker threads, closing files) must not print a traceback.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    if leave_quickly:
        _flush_and_leave(code)
    sys.exit(code)


def _guard() -> bool:
    try:
        signal.signal(signal.SIGINT, _interrupted)
    except (ValueError, OSError):  # not the main thread: leave Python's default handling
        return False
    return True


def _say_interrupted() -> None:
    try:
        sys.stderr.write("tokencalc: interrupted\n")
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):
        pass


def _flush_and_leave(code: int) -> None:
    # ``run`` has flushed stdout (and turned a failure into the exit code); stderr is written
    # unbuffered line by line, so nothing is left but the interpreter's teardown.
    try:
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    os._exit(code)
