"""The environment of one ``tokencalc`` invocation: its streams, terminals, consoles and settings.

The edge (:func:`tokencalc.cli.app.run`) is handed an :class:`Environment` and passes it to the
command, which passes it on to whatever writes: no module outside the CLI edge reads or writes
``sys.stdin``/``sys.stdout``/``sys.stderr``. :meth:`Environment.from_process` describes the real
process (and prepares its streams, see :mod:`tokencalc.cli.streams`); tests build one over
in-memory streams with the terminal flags and width they need.

Where the user's price sheet and caches live is not part of it, unlike httpie's
``Environment.config_dir`` (httpie/context.py), which every piece of httpie that reads its
config reaches through the environment. Here the core and the Python API find those files
themselves (:mod:`tokencalc.paths`: ``TOKENCALC_HOME``, ``TOKENCALC_CACHE_DIR``, else the
platform's directories) and never see an ``Environment``; a second, CLI-only record of the
directory could only disagree with that one (the sheet ``prices set`` writes against the one
``statusline`` signs). Tests move it with ``TOKENCALC_HOME`` (``tests/conftest.py``), which
also reaches the processes they start.

Importing this module is cheap: Rich is imported only when a console is first asked for, so
the quick paths (``count -q``, ``statusline``) never pay for it.
"""

from __future__ import annotations

import os
import sys
from typing import IO, TYPE_CHECKING, Any, BinaryIO, cast

from tokencalc.cli import streams
from tokencalc.safe_text import one_line

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console

PROGRAM = "tokencalc"


def debug_from_environ(environ: Any = None) -> bool:
    """TOKENCALC_DEBUG set to anything but empty, ``0``, ``false``, ``no`` or ``off``: tracebacks."""
    value = (environ if environ is not None else os.environ).get("TOKENCALC_DEBUG", "")
    return value.strip().lower() not in ("", "0", "false", "no", "off")


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


class Environment:
    """Where one invocation reads and writes, and how it should look there.

    ``stdout_isatty`` and friends are detected from the streams unless given; when given, the
    consoles are told so (a test's "terminal" gets terminal output). ``width`` fixes the console
    and table width (else ``COLUMNS``, the terminal's, or 160 in a pipe); ``color`` False
    writes no colour or style codes at all (None: Rich decides, honouring ``NO_COLOR``).
    """

    def __init__(
        self,
        *,
        stdin: IO[str],
        stdout: IO[str],
        stderr: IO[str],
        stdin_isatty: bool | None = None,
        stdout_isatty: bool | None = None,
        stderr_isatty: bool | None = None,
        width: int | None = None,
        color: bool | None = None,
        debug: bool | None = None,
    ) -> None:
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr
        self._forced_terminal = {
            "stdout": stdout_isatty,
            "stderr": stderr_isatty,
        }
        self.stdin_isatty = _isatty(stdin) if stdin_isatty is None else stdin_isatty
        self.stdout_isatty = _isatty(stdout) if stdout_isatty is None else stdout_isatty
        self.stderr_isatty = _isatty(stderr) if stderr_isatty is None else stderr_isatty
        self.width = width
        self.color = color
        self.debug = debug_from_environ() if debug is None else debug
        self._out: Console | None = None
        self._err: Console | None = None
        #: set by a quick path: nothing is left to tear down, the process may end at once
        self.leave_quickly = False

    @classmethod
    def from_process(cls) -> Environment:
        """The real process: its standard streams, prepared for the exit-code contract."""
        streams.install()
        return cls(stdin=sys.stdin, stdout=sys.stdout, stderr=sys.stderr)

    # -- settings --------------------------------------------------------------------------

    @property
    def stdin_bytes(self) -> BinaryIO:
        """Standard input as bytes (what the counting core reads)."""
        buffer: BinaryIO | None = getattr(self.stdin, "buffer", None)
        return buffer if buffer is not None else cast("BinaryIO", self.stdin)

    # -- consoles --------------------------------------------------------------------------

    @property
    def out(self) -> Console:
        """The Rich console on stdout (made on first use)."""
        if self._out is None:
            self._out = self._console(self.stdout, "stdout")
        return self._out

    @property
    def err(self) -> Console:
        """The Rich console on stderr: progress bars, never results."""
        if self._err is None:
            self._err = self._console(self.stderr, "stderr")
        return self._err

    def _console(self, file: IO[str], which: str) -> Console:
        from rich.console import Console

        class _Console(Console):
            def on_broken_pipe(self) -> None:
                # Rich would exit 1; the reader going away is exit 141 (tokencalc.cli.app).
                self.quiet = True
                raise BrokenPipeError

        options: dict[str, Any] = {"file": file, "highlight": False, "soft_wrap": False}
        if self._forced_terminal[which] is not None:
            options["force_terminal"] = self._forced_terminal[which]
            options["force_interactive"] = self._forced_terminal[which]
        if self.width is not None:
            options["width"] = self.width
        if self.color is False:
            options["color_system"] = None
        return _Console(**options)

    # -- messages --------------------------------------------------------------------------

    def write_err(self, text: str) -> None:
        """Write to stderr; a stderr that cannot take it is given up on, quietly."""
        try:
            self.stderr.write(text)
            self.stderr.flush()
        except (OSError, ValueError, AttributeError):
            self.stderr = streams.nowhere()

    def error(self, message: str) -> None:
        """``tokencalc: error: …``, one line (control characters escaped)."""
        self.write_err(f"{PROGRAM}: error: {one_line(message)}\n")

    def warning(self, message: str) -> None:
        """``tokencalc: warning: …``, one line (control characters escaped)."""
        self.write_err(f"{PROGRAM}: warning: {one_line(message)}\n")

    def say(self, message: str) -> None:
        """``tokencalc: …`` as it is (a note, a summary of skipped inputs)."""
        self.write_err(f"{PROGRAM}: {message}\n")

    def write(self, text: str) -> None:
        """Text on stdout as it is (results, JSON documents, CSV)."""
        self.stdout.write(text)
