"""The standard streams as the exit-code contract needs them (README, "Exit codes").

* A reader that went away (``tokencalc models | true``) is a ``BrokenPipeError`` whatever
  wrote the output (Rich would otherwise exit 1): the command exits 141, silently.
* Any other failure to write stdout (``> /dev/full``, a closed stdout) becomes
  :class:`OutputError`: one line on stderr and exit 1.
* A stderr that cannot be written loses its message, never the exit code.
* A terminal whose encoding cannot show a character (``PYTHONIOENCODING=ascii``) gets an
  escape (``\\u2248``) instead of a crash.
* A closed stdin reads as a clear error, not ``'NoneType' object has no attribute 'read'``.
"""

from __future__ import annotations

import errno
import io
import os
import sys
from typing import Any

from tokencalc.errors import TokencalcError


class OutputError(TokencalcError):
    """Standard output cannot be written (disk full, closed, an I/O error)."""


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "no space left on device"
    if exc.errno == errno.EBADF:
        return "standard output is closed"
    return (exc.strerror or str(exc)).lower()


class GuardedStdout:
    """Wraps stdout: EPIPE stays a BrokenPipeError, any other OSError becomes OutputError."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)

    def _guard(self, call: Any, *args: Any) -> Any:
        try:
            return call(*args)
        except BrokenPipeError:
            raise
        except OSError as exc:
            silence_stdout()
            raise OutputError(f"cannot write the output: {_reason(exc)}") from None

    def write(self, text: str) -> int:
        return int(self._guard(self._stream.write, text))

    def writelines(self, lines: Any) -> None:
        self._guard(self._stream.writelines, lines)

    def flush(self) -> None:
        self._guard(self._stream.flush)


class _ClosedStream(io.TextIOBase):
    """Stands in for a standard stream the process was started without."""

    def __init__(self, name: str) -> None:
        self._name = name

    def writable(self) -> bool:
        return True

    def readable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, f"standard {self._name} is closed")

    def read(self, size: int | None = -1) -> str:
        raise OSError(errno.EBADF, f"standard {self._name} is closed")

    @property
    def buffer(self) -> _ClosedStream:
        return self

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        raise OSError(errno.EBADF, f"standard {self._name} is closed")


def silence_stdout() -> None:
    """Later flushes (the interpreter's own at exit included) must not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.__stdout__.fileno() if sys.__stdout__ else 1)
    except (OSError, ValueError, AttributeError):
        pass


def _escape_unencodable(stream: Any) -> None:
    encoding = (getattr(stream, "encoding", None) or "").lower().replace("_", "-")
    if encoding.startswith("utf") or not hasattr(stream, "reconfigure"):
        return
    try:
        stream.reconfigure(errors="backslashreplace")
    except (ValueError, OSError):
        pass


def install() -> None:
    """Prepare sys.stdin/stdout/stderr for one run of the command (real processes only)."""
    if sys.stdin is None:
        sys.stdin = _ClosedStream("input")
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - for the process's life
    if sys.stdout is None:
        sys.stdout = _ClosedStream("output")
    for stream in (sys.stdout, sys.stderr):
        _escape_unencodable(stream)
    if not isinstance(sys.stdout, GuardedStdout):
        sys.stdout = GuardedStdout(sys.stdout)


def nowhere() -> Any:
    """A text stream that takes everything and keeps nothing (for a stderr that failed)."""
    try:
        return open(os.devnull, "w", encoding="utf-8")
    except OSError:
        return io.StringIO()
