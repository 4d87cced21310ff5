"""The error edge: ``run(argv, env) -> exit code``, the one place where exceptions become exit codes.

Commands return (``None`` or an exit code) or raise; nothing below this module prints an error
line for an exception or decides an exit code for one. The ladder, in order (README, "Exit
codes"):

* :class:`~tokencalc.errors.TokencalcError` — its message on one stderr line, its exit code
  (1 bad data, 2 usage, 3 over budget; ``streams.OutputError`` for a full disk is 1);
* Click's usage errors (unknown option, bad value) — ``… (see 'tokencalc X --help')``, 2;
  ``tokencalc`` or ``tokencalc prices`` alone print their help and exit 2 without an error line;
* ``KeyboardInterrupt`` (and Click's ``Abort``, Typer's silent exit 130 and an error Python
  made of a Ctrl-C) — ``tokencalc: interrupted``, 130;
* ``BrokenPipeError`` — the reader went away (``| head``): silently, 141;
* ``RecursionError`` — a too deeply nested input, 1;
* anything else — ``tokencalc: error: internal error: …``, 1 (a traceback with TOKENCALC_DEBUG).

This module imports nothing heavy: the quick paths (``count -q``, ``statusline``) run without
Typer or Rich, and the full command line is loaded only when it is needed
(:mod:`tokencalc.cli.commands`, a lazy command table).
"""

from __future__ import annotations

import contextlib
import sys
import warnings
from collections.abc import Iterator
from typing import Any, TextIO

from tokencalc.cli import streams
from tokencalc.cli.env import Environment
from tokencalc.cli.flags import error_message
from tokencalc.errors import ExitCode, TokencalcError

#: The reader of our stdout went away (``| head``): 128 + SIGPIPE, as the shell reports it.
EXIT_BROKEN_PIPE = 141

INTERRUPTED_LINE = "tokencalc: interrupted\n"

__all__ = ["EXIT_BROKEN_PIPE", "INTERRUPTED_LINE", "Carried", "main", "run"]


class Carried(BaseException):
    """Carries an exception through Click's ``main``, which would otherwise handle it itself.

    Click turns ``KeyboardInterrupt`` into ``Abort`` (after writing a blank line) and a broken
    pipe into exit 1; the command group wraps those in this so that they reach the edge as
    they were raised.
    """

    def __init__(self, exc: BaseException) -> None:
        super().__init__(exc)
        self.exc = exc


def run(argv: list[str], env: Environment, *, quick_paths: bool = True) -> int:
    """Run one ``tokencalc`` command line in ``env``; the exit code (never raises, unless
    ``env.debug`` asks for the traceback of an unexpected error).

    ``quick_paths=False`` runs ``count -q`` and ``statusline`` through the full command line
    too (the tests compare the two).
    """
    with _warnings_to(env):
        try:
            code = _dispatch(argv, env, quick_paths)
        except BaseException as exc:  # noqa: BLE001 - this is the edge: everything is mapped here
            code = exit_code_for(exc, env)
        return _flush(env, code)


def exit_code_for(exc: BaseException, env: Environment) -> int:
    """The exit code an exception deserves, after writing its one line on stderr."""
    while isinstance(exc, Carried):
        exc = exc.exc
    if isinstance(exc, TokencalcError):
        env.error(error_message(exc))  # arguments the core names, called by their flags
        return int(exc.exit_code)
    if _interrupted(exc) or _is_click(exc, "Abort"):
        env.write_err(INTERRUPTED_LINE)
        return int(ExitCode.INTERRUPTED)
    if isinstance(exc, BrokenPipeError):
        streams.silence_stdout()
        return EXIT_BROKEN_PIPE
    if isinstance(exc, SystemExit):  # shell completion ends with sys.exit
        return _system_exit_code(exc)
    if _is_click(exc, "Exit"):
        return int(getattr(exc, "exit_code", 0))
    if _is_click(exc, "ClickException"):
        return _usage_error(exc, env)
    if isinstance(exc, RecursionError) and not env.debug:
        env.error("an input is nested too deeply to be read (a price sheet, JSON or TOML file?)")
        return int(ExitCode.ERROR)
    if isinstance(exc, Exception) and not env.debug:
        env.error(
            f"internal error: {type(exc).__name__}: {exc} (set TOKENCALC_DEBUG=1 for details)"
        )
        return int(ExitCode.ERROR)
    raise exc


def _interrupted(exc: BaseException) -> bool:
    """Whether ``exc`` is Ctrl-C, or an error Python made of one: a KeyboardInterrupt raised
    while a class is being made comes out as the RuntimeError "Error calling __set_name__ …"
    (``ipaddress``'s classes, imported lazily, were seen to), caused by the interrupt."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, KeyboardInterrupt):
            return True
        seen.add(id(current))
        current = current.__cause__
    return False


def main(argv: list[str] | None = None) -> None:
    """Run the command line in this process and exit with its code (``tokencalc.cli.entry``
    is the script's entry point; this one is for ``python -c`` and tests)."""
    sys.exit(run(sys.argv[1:] if argv is None else argv, Environment.from_process()))


def _dispatch(argv: list[str], env: Environment, quick_paths: bool) -> int:
    if quick_paths and argv[:1] == ["statusline"]:
        # runs after every Claude Code message: no Typer, Rich or tiktoken
        from tokencalc.cli.statusline import run as run_statusline

        return run_statusline(argv[1:], env)
    from tokencalc.cli import quick_count

    request = quick_count.parse(argv, env) if quick_paths else None
    if request is not None:
        env.leave_quickly = True
        return quick_count.run(request, env)
    from tokencalc.cli.commands import run_full

    with _process_streams(env):
        result = run_full(argv, env)
    if result == ExitCode.INTERRUPTED:
        # No command returns 130; Typer returns it, silently, for a Ctrl-C that lands while
        # Click parses the command line (a command's module is imported then) or closes it.
        raise KeyboardInterrupt
    return result if isinstance(result, int) else int(ExitCode.OK)


def _flush(env: Environment, code: int) -> int:
    try:
        env.stdout.flush()
    except BrokenPipeError:
        streams.silence_stdout()
        return EXIT_BROKEN_PIPE
    except TokencalcError as exc:  # streams.OutputError: disk full, closed stdout
        env.error(exc.message)
        return int(ExitCode.ERROR)
    except (OSError, ValueError):
        pass
    return code


def _usage_error(exc: Any, env: Environment) -> int:
    code = int(exc.exit_code)
    message = exc.format_message()
    if _is_click(exc, "NoArgsIsHelpError"):
        # `tokencalc` or `tokencalc prices` alone: the help is the answer, not an error.
        # Rich help is printed already (the message is then empty); plain help is not.
        if message.strip():
            env.write(message.rstrip("\n") + "\n")
        return code
    command = getattr(getattr(exc, "ctx", None), "command_path", "tokencalc")
    env.error(f"{message} (see '{command} --help')")
    return code


def _system_exit_code(exc: SystemExit) -> int:
    if exc.code is None:
        return 0
    if isinstance(exc.code, int):
        return exc.code
    return int(ExitCode.ERROR)


def _is_click(exc: BaseException, name: str) -> bool:
    # Typer carries its own copy of Click: match the class by name, not identity.
    return any(
        cls.__name__ == name and cls.__module__.split(".")[0] in ("click", "typer")
        for cls in type(exc).__mro__
    )


@contextlib.contextmanager
def _process_streams(env: Environment) -> Iterator[None]:
    """Click writes help and completions to ``sys.stdout``: point it at the env's streams."""
    if sys.stdout is env.stdout and sys.stderr is env.stderr:
        yield
        return
    with contextlib.redirect_stdout(env.stdout), contextlib.redirect_stderr(env.stderr):
        yield


@contextlib.contextmanager
def _warnings_to(env: Environment) -> Iterator[None]:
    """A Python warning (a disabled fast backend) becomes one ``tokencalc: warning:`` line."""

    def show(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: TextIO | None = None,
        line: str | None = None,
    ) -> None:
        env.warning(str(message))

    previous = warnings.showwarning
    warnings.showwarning = show
    try:
        yield
    finally:
        warnings.showwarning = previous
