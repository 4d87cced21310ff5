"""The test harness of the command line: ``tokencalc`` run in-process through its edge."""

from __future__ import annotations

import io
from dataclasses import dataclass


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


class MockEnvironment:
    """What a test's ``tokencalc`` sees: in-memory streams, chosen terminal flags, a fixed width.

    Modelled on httpie's ``MockEnvironment`` (tests/utils/__init__.py): the real
    :class:`tokencalc.cli.env.Environment` over captured streams, so a test goes through the same
    edge (:func:`tokencalc.cli.app.run`) as the installed script and sees exactly what users
    see — the bad-flag line, the internal-error line, the exit code.
    """

    def __init__(
        self,
        input: str | bytes | None = None,
        *,
        stdin_isatty: bool = False,
        stdout_isatty: bool = False,
        stderr_isatty: bool = False,
        width: int | None = None,
    ) -> None:
        from tokencalc.cli.env import Environment

        data = input.encode() if isinstance(input, str) else (input or b"")
        self._out, self._err = io.BytesIO(), io.BytesIO()
        self.env = Environment(
            stdin=io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"),
            stdout=io.TextIOWrapper(self._out, encoding="utf-8", write_through=True),
            stderr=io.TextIOWrapper(self._err, encoding="utf-8", write_through=True),
            stdin_isatty=stdin_isatty,
            stdout_isatty=stdout_isatty,
            stderr_isatty=stderr_isatty,
            width=width,
            color=False,
        )

    def run(self, *args: str, quick_paths: bool = True) -> CliResult:
        """``tokencalc ARGS`` through the edge; what it wrote and its exit code."""
        from tokencalc.cli.app import run

        code = run(list(args), self.env, quick_paths=quick_paths)
        for stream in (self.env.stdout, self.env.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        return CliResult(
            code,
            self._out.getvalue().decode("utf-8", "replace"),
            self._err.getvalue().decode("utf-8", "replace"),
        )
