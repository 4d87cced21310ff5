"""The ``tokencalc`` script: an interrupt guard first, then ``run(argv, env)`` and the exit.

The guard is in place as soon as this module is imported, before anything else of tokencalc
(only ``os``, ``sys`` and the C ``_signal`` module come first), so Ctrl-C at any moment — while
Typer, Rich or a command's core is still being imported, or while the process ends — exits 130
with one ``tokencalc: interrupted`` line, never a traceback. A second Ctrl-C while the first is
being handled is ignored: the way out must not be cut short. A Ctrl-C that lands where Python
cannot raise it (a weak reference's callback, a ``__del__``) still ends the run with that line
and 130 once the command returns. What no code of tokencalc's can guard is the interpreter's own
start-up and the ``import re`` of the script pip generates, before this module runs: a Ctrl-C
there gets Python's traceback (``bench/bench_interrupt.py`` measures how often).

``echo hello | tokencalc count -q`` should cost little more than starting Python, so the edge
(:func:`tokencalc.cli.app.run`) runs ``count -q`` and ``statusline`` without Typer or Rich. After
such a quick path has flushed its output the process leaves with ``os._exit``: nothing is left
to write (tokencalc's caches are written atomically when they are built), and skipping the
interpreter's teardown saves tens of milliseconds. So do the full CLI's commands that count
inputs (``count``, ``estimate`` of files: ``tokencalc.cli.views.inputs_view.count_paths`` sets
``env.leave_quickly``), whose tokenizer and thread pool take ~40 ms to tear down; every other
command exits normally.
"""

from __future__ import annotations

import _thread
import os
import sys
import time

# The C module itself: `signal` turns its constants into enums first (~20 ms under load, during
# which a Ctrl-C would still print a traceback).
try:
    import _signal as signals  # type: ignore[import-not-found, unused-ignore]
except ImportError:  # pragma: no cover - an interpreter without it
    import signal as signals  # type: ignore[no-redef, unused-ignore]

TYPE_CHECKING = False  # not `typing`'s: it is slow to import, and nothing may come before the guard
if TYPE_CHECKING:  # pragma: no cover
    from sys import UnraisableHookArgs
    from types import FrameType

#: Ctrl-C: 128 + SIGINT (tokencalc.errors.ExitCode.INTERRUPTED, not imported here on purpose).
_INTERRUPTED = 130


class _State:
    #: main() has begun: an interrupt is raised where it lands, inside main()'s handler
    running = False
    #: an interrupt came before that (while the script compiled its regex): main() exits 130
    pending = False
    #: an interrupt came at all. Python calls a signal handler between any two bytecodes, also
    #: inside a weak reference's callback or a ``__del__`` (the import system runs one when it
    #: drops a module lock), where the KeyboardInterrupt raised is printed as "Exception ignored
    #: in …" and dropped, and the command goes on; main() still exits 130 when it sees this.
    seen = False
    #: main() has its exit code: what is left is leaving
    finished = False


#: Seconds a run may take to wind down after Ctrl-C before the watchdog ends the process.
GRACE_SECONDS = 3.0


def _interrupted(signum: int, frame: FrameType | None) -> None:
    signals.signal(signals.SIGINT, signals.SIG_IGN)  # one interrupt is enough
    _State.seen = True
    try:
        _thread.start_new_thread(_watchdog, ())
    except RuntimeError:  # no thread to be had: the interrupt still works, unwatched
        pass
    if not _State.running:
        _State.pending = True
        return
    raise KeyboardInterrupt


def _watchdog() -> None:
    """End the process if it has not ended GRACE_SECONDS after Ctrl-C.

    Python raises the KeyboardInterrupt between any two bytecodes, inside the import system's
    or a library's bookkeeping too, where it can leave a lock taken that a worker thread then
    waits on for ever; the run would hang in its clean-up (joining its workers) instead of
    exiting. Counting stops within milliseconds of the interrupt, so a run still alive after
    the grace period is stuck: the line is written unless the run got as far as its exit
    code, and the process ends, 130, without joining anything."""
    time.sleep(GRACE_SECONDS)
    if not _State.finished:
        try:
            os.write(2, b"tokencalc: interrupted\n")
        except OSError:
            pass
    os._exit(_INTERRUPTED)


_python_unraisable_hook = sys.unraisablehook


def _unraisable(unraisable: UnraisableHookArgs) -> None:
    """Python's hook for exceptions it cannot raise, without the report of our own interrupt."""
    if _State.seen and isinstance(unraisable.exc_value, KeyboardInterrupt):
        return  # main() acts on it: one line, exit 130
    _python_unraisable_hook(unraisable)


def _guard() -> bool:
    try:
        signals.signal(signals.SIGINT, _interrupted)
    except (ValueError, OSError):  # not the main thread: leave Python's default handling
        return False
    sys.unraisablehook = _unraisable
    return True


# Set when the script imports this module, not when it calls main(): the script pip generates
# compiles a regular expression in between. (Only the script and ``python -m tokencalc``
# import this module; tests run the edge, tokencalc.cli.app.run, instead.)
_GUARDED = _guard()


def main() -> None:
    """Entry point of the ``tokencalc`` script and ``python -m tokencalc``."""
    guarded = _GUARDED or _guard()
    leave_quickly = False
    code = _INTERRUPTED
    # The handler ignores every interrupt after the first, so at most one KeyboardInterrupt is
    # ever raised, and the one ``try`` catches it wherever it lands (``signal.signal`` runs a
    # handler still pending when it returns, so inside the ``finally`` too).
    try:
        try:
            _State.running = True
            if _State.pending:
                raise KeyboardInterrupt
            from tokencalc.cli.app import run
            from tokencalc.cli.env import Environment

            env = Environment.from_process()
            code = run(sys.argv[1:], env)
            leave_quickly = env.leave_quickly
        finally:
            if guarded:
                # From here on the work is done: an interrupt during the interpreter's
                # teardown (joining worker threads, closing files) must not print a traceback.
                signals.signal(signals.SIGINT, signals.SIG_IGN)
    except KeyboardInterrupt:
        _State.finished = True
        _say_interrupted()
        code = _INTERRUPTED
    else:
        _State.finished = True
        if _State.seen and code != _INTERRUPTED:  # raised where Python dropped it (see _State)
            _say_interrupted()
            code = _INTERRUPTED
    if leave_quickly or _State.seen:
        # After Ctrl-C, leave at once too: the interpreter's teardown would join worker threads
        # that the interrupt may have left waiting (see _watchdog).
        _flush_and_leave(code)
    sys.exit(code)


def _say_interrupted() -> None:
    try:
        sys.stderr.write("tokencalc: interrupted\n")
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):
        pass


def _flush_and_leave(code: int) -> None:
    # ``run`` has flushed stdout (and turned a failure into the exit code); stderr is written
    # unbuffered line by line, so nothing is left but the interpreter's teardown. (After an
    # interrupt that came before ``run`` flushed, what is buffered is written, if it can be.)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001 - leaving: a stream that failed has been reported by run
            pass
    os._exit(code)
