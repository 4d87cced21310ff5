"""The command table: every ``tokencalc`` command, and the module that defines it, imported only
when that command runs (or when ``--help`` lists them all).

Adding a command: write ``tokencalc/cli/commands/NAME.py`` with a Typer command function (or a
``typer.Typer`` for a group of subcommands) that takes ``ctx: typer.Context`` and gets the
invocation's :class:`~tokencalc.cli.env.Environment` from ``ctx.obj``; add one line to
:data:`COMMANDS`. The function returns ``None`` (exit 0) or an exit code, or raises a
:class:`~tokencalc.errors.TokencalcError`; :func:`tokencalc.cli.app.run` maps the rest.

Typer turns each function into a Click command when it is loaded (Click's "lazily loading
subcommands" pattern): ``tokencalc count`` imports the count command and its core, not the
price-sheet editor or the usage readers.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

import typer
import typer.main
from typer.core import TyperCommand, TyperGroup
from typer.models import CommandInfo

from tokencalc import __version__
from tokencalc.cli.app import Carried
from tokencalc.cli.env import Environment


@dataclass(frozen=True)
class Entry:
    """One command: where it is defined and how ``tokencalc --help`` lists it.

    ``summary`` is the first paragraph of the command's own help, kept here so that listing the
    commands imports none of them (and none of their cores); tests/test_cli_edge.py checks
    that each summary still matches its command.
    """

    module: str
    attribute: str
    summary: str
    hidden: bool = False


#: name → where the command is defined, in the order ``tokencalc --help`` lists them.
COMMANDS: dict[str, Entry] = {
    "count": Entry(
        "tokencalc.cli.commands.count",
        "count_command",
        "Count tokens exactly, wc-style, with lines, words and characters beside them.",
    ),
    "estimate": Entry(
        "tokencalc.cli.commands.estimate",
        "estimate_command",
        "Estimate what text costs across models: one row per model.",
    ),
    "models": Entry(
        "tokencalc.cli.commands.models",
        "models_command",
        "List the models in the price sheet, or show every price of one model.",
    ),
    "usage": Entry(
        "tokencalc.cli.commands.usage",
        "usage_command",
        "What your real use would have cost on the API: by day, month or model, and in total.",
    ),
    "usage-blocks": Entry(
        "tokencalc.cli.commands.usage_blocks",
        "blocks_command",
        "Usage in rolling 5-hour windows, as Claude and ChatGPT plans meter it.",
        hidden=True,
    ),
    "statusline": Entry(
        "tokencalc.cli.commands.statusline",
        "statusline_command",
        "One line for Claude Code's status bar: today's, the 5-hour window's and the session's "
        "API-equivalent cost.",
    ),
    "plans": Entry(
        "tokencalc.cli.commands.plans",
        "plans_command",
        "Compare chat subscription plans with what the same use would cost on the API.",
    ),
    "prices": Entry(
        "tokencalc.cli.commands.prices",
        "app",
        "See, correct, refresh and compare the price sheets.",
    ),
}


class _LazyCommands(Mapping[str, Any]):
    """The group's ``commands``: names known from the table, each loaded on first access."""

    def __init__(self, group: TokencalcGroup) -> None:
        self._group = group
        self._loaded: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self._loaded:
            self._loaded[name] = self._group.load(name, COMMANDS[name])
        return self._loaded[name]

    def __iter__(self) -> Iterator[str]:
        return iter(COMMANDS)

    def __len__(self) -> int:
        return len(COMMANDS)


class TokencalcGroup(TyperGroup):
    """The root command: commands come from :data:`COMMANDS`; what a command raises goes to
    the edge untouched (Click would turn Ctrl-C into ``Abort`` and a broken pipe into exit 1)."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = _LazyCommands(self)  # type: ignore[assignment]
        self._listing = False

    def format_help(self, ctx: Any, formatter: Any) -> None:
        # The list of commands comes from the table: `tokencalc --help` imports no command.
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if self._listing and cmd_name in COMMANDS:
            entry = COMMANDS[cmd_name]
            return TyperCommand(name=cmd_name, help=entry.summary, hidden=entry.hidden)
        return super().get_command(ctx, cmd_name)

    def load(self, name: str, entry: Entry) -> Any:
        """The Click command for ``name``, made from its module's Typer function or app."""
        target = getattr(importlib.import_module(entry.module), entry.attribute)
        if isinstance(target, typer.Typer):
            command = typer.main.get_group(target)
            command.name = name
            return command
        return typer.main.get_command_from_info(
            CommandInfo(name=name, callback=target, hidden=entry.hidden),
            pretty_exceptions_short=app.pretty_exceptions_short,
            rich_markup_mode=app.rich_markup_mode,
        )

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def add_command(self, cmd: Any, name: str | None = None) -> None:
        raise TypeError("commands are added to tokencalc.cli.commands.COMMANDS")

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        # `usage blocks …` is its own command (usage's paths would swallow a sub-command)
        if args[:2] == ["usage", "blocks"]:
            args = ["usage-blocks", *args[2:]]
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (KeyboardInterrupt, EOFError, OSError) as exc:
            raise Carried(exc) from None


app = typer.Typer(
    cls=TokencalcGroup,
    name="tokencalc",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(ctx: typer.Context, value: bool) -> None:
    if value:
        env: Environment = ctx.obj
        env.write(f"tokencalc {__version__}\n")
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


@functools.cache
def root_command() -> Any:
    """The Click command tree, built once per process (commands are still loaded lazily)."""
    return typer.main.get_command(app)


def run_full(argv: list[str], env: Environment) -> Any:
    """The full command line (Typer and Click); what the command returned, or Click's exit code."""
    return root_command().main(args=argv, prog_name="tokencalc", standalone_mode=False, obj=env)
