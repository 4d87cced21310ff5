"""The ``tokencalc`` command: the Typer app and the one place where errors become exit codes."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from tokencalc import __version__
from tokencalc.cli import streams
from tokencalc.cli.messages import debug_enabled, print_error, print_warning
from tokencalc.errors import ExitCode, TokencalcError

#: The reader of our stdout went away (``| head``): 128 + SIGPIPE, as the shell reports it.
EXIT_BROKEN_PIPE = 141

__all__ = ["EXIT_BROKEN_PIPE", "app", "debug_enabled", "main", "print_error", "print_warning"]


def _silence_stdout() -> None:
    # Later flushes (including the interpreter's own at exit) must not raise again.
    streams.silence_stdout()


class TokencalcGroup(TyperGroup):
    """Runs a command and turns whatever it raises into one stderr line and an exit code."""

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        # `usage blocks …` is its own command (usage's paths would swallow a sub-command)
        if args[:2] == ["usage", "blocks"]:
            args = ["usage-blocks", *args[2:]]
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except TokencalcError as exc:
            print_error(exc.message)
            raise typer.Exit(int(exc.exit_code)) from None
        except KeyboardInterrupt:
            streams.write_stderr("tokencalc: interrupted\n")
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
        except BrokenPipeError:
            _silence_stdout()
            raise typer.Exit(EXIT_BROKEN_PIPE) from None
        except (typer.Exit, typer.Abort):
            raise
        except RecursionError:
            if debug_enabled():
                raise
            print_error(
                "an input is nested too deeply to be read (a price sheet, JSON or TOML file?)"
            )
            raise typer.Exit(int(ExitCode.ERROR)) from None
        except Exception as exc:
            if getattr(exc, "exit_code", None) is not None and hasattr(exc, "format_message"):
                raise  # Click's own usage errors: reported by main()
            if debug_enabled():
                raise
            print_error(
                f"internal error: {type(exc).__name__}: {exc} (set TOKENCALC_DEBUG=1 for details)"
            )
            raise typer.Exit(int(ExitCode.ERROR)) from None


app = typer.Typer(
    cls=TokencalcGroup,
    name="tokencalc",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"tokencalc {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Count LLM tokens exactly and offline, and see what text and chat use cost across models.

    Examples:

      tokencalc count notes.md

      cat *.md | tokencalc count -q

      tokencalc estimate report.txt
    """


def statusline_command() -> None:
    """One line for Claude Code's status bar: today's, the 5-hour window's and the session's API-equivalent cost.

    Reads the status-line JSON Claude Code passes on stdin (see docs/usage.md).

    Examples:

      echo '{"session_id": "…", "cost": {"total_cost_usd": 0.5}}' | tokencalc statusline

      in ~/.claude/settings.json: "statusLine": {"type": "command", "command": "tokencalc statusline"}
    """
    from tokencalc.cli.statusline import run

    code = run([])
    if code:
        raise typer.Exit(code)


def _register() -> None:
    from tokencalc.cli import count

    app.command("count")(count.count_command)
    from tokencalc.cli import estimate, models

    app.command("estimate")(estimate.estimate_command)
    app.command("models")(models.models_command)
    from tokencalc.cli import prices

    app.add_typer(prices.app, name="prices")
    from tokencalc.cli import usage

    app.command("usage")(usage.usage_command)
    from tokencalc.cli import usage_blocks

    app.command("usage-blocks", hidden=True)(usage_blocks.blocks_command)
    app.command("statusline")(statusline_command)
    from tokencalc.cli import plans

    app.command("plans")(plans.plans_command)


_register()


def _is_no_args_help(exc: Exception) -> bool:
    # Click's NoArgsIsHelpError; Typer may carry its own copy of Click, so match by name.
    return any(cls.__name__ == "NoArgsIsHelpError" for cls in type(exc).__mro__)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``tokencalc`` script and ``python -m tokencalc``."""
    streams.install()
    try:
        result = app(args=argv, prog_name="tokencalc", standalone_mode=False)
    except KeyboardInterrupt:
        streams.write_stderr("tokencalc: interrupted\n")
        result = int(ExitCode.INTERRUPTED)
    except BrokenPipeError:
        _silence_stdout()
        result = EXIT_BROKEN_PIPE
    except typer.Abort:
        streams.write_stderr("tokencalc: interrupted\n")
        result = int(ExitCode.INTERRUPTED)
    except Exception as exc:
        # Click's parse errors (unknown option, bad value) carry their own exit code (2).
        code = getattr(exc, "exit_code", None)
        if code is None or not hasattr(exc, "format_message"):
            raise
        message = exc.format_message()
        if _is_no_args_help(exc):
            # `tokencalc` or `tokencalc prices` alone: the help is the answer, not an error.
            # Rich help is printed already (the message is then empty); plain help is not.
            if message.strip():
                try:
                    sys.stdout.write(message.rstrip("\n") + "\n")
                except BrokenPipeError:
                    _silence_stdout()
                    code = EXIT_BROKEN_PIPE
                except TokencalcError as error:
                    print_error(error.message)
                    code = int(ExitCode.ERROR)
        else:
            command = getattr(getattr(exc, "ctx", None), "command_path", "tokencalc")
            print_error(f"{message} (see '{command} --help')")
        result = code
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
        result = EXIT_BROKEN_PIPE
    except TokencalcError as exc:  # streams.OutputError: disk full, closed stdout
        print_error(exc.message)
        result = int(ExitCode.ERROR)
    sys.exit(result if isinstance(result, int) else 0)
