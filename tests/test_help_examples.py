"""Every command's and subcommand's --help examples are invocations the command line accepts.

The tree is walked, groups included (``prices`` and each of its subcommands), and every
``tokencalc ...`` line under "Examples:" is parsed by the real command line, options, argument
types and choices included, without running it. An example with a renamed or misspelt flag, a
wrong value or a missing argument fails here before a user copies it.
"""

from __future__ import annotations

import functools
import re
import shlex

import pytest
import typer
import typer.main

from cli_harness import MockEnvironment
from tokencalc.cli.commands import app

#: The subcommands of ``tokencalc prices`` (docs/prices.md): a new one must show examples too.
PRICES_SUBCOMMANDS = {
    "path", "set", "unset", "set-rate", "unset-rate", "import", "diff", "validate", "export",
}  # fmt: skip


# Typer vendors its own click: its classes are told apart by what they have, not isinstance.


class Refused(Exception):
    """A usage error from the command line's parser (exit code 2)."""


@functools.cache
def _tree():
    return typer.main.get_command(app)


def _walk(command, words: tuple[str, ...] = ()):
    yield words, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from _walk(sub, (*words, name))


def _examples(help_text: str) -> list[str]:
    """The ``tokencalc`` invocations under "Examples:", cut at a pipe or a redirection and
    without a trailing ``(note)``."""
    _, found, tail = help_text.partition("Examples:")
    assert found, "no Examples: section"
    examples = []
    for line in tail.splitlines():
        start = line.find("tokencalc ")
        if start < 0:
            continue
        command = re.split(r"\s(?:\||>|<|&&)\s", line[start:])[0]
        closing = {"(": ")", '"': '"'}.get(line[start - 1 : start])  # $(tokencalc …), "tokencalc …"
        if closing:
            command = command.partition(closing)[0]
        command = re.sub(r"\s{2,}\(.*\)$", "", command).strip()
        examples.append(command)
    return examples


def _parse(words: list[str]) -> None:
    """Parse ``tokencalc WORDS`` down to the command that would run, without running it; raise
    :class:`Refused` on a usage error."""
    try:
        command = _tree()
        # the invocation's environment, as the edge passes it (an eager --version writes to it)
        context = command.make_context("tokencalc", words, obj=MockEnvironment().env)
        while hasattr(command, "commands"):
            rest = [*context._protected_args, *context.args]
            if not rest:
                return
            _, sub, rest = command.resolve_command(context, rest)
            command, context = sub, sub.make_context(sub.name, rest, parent=context)
    except typer.Exit:  # --version, --help: parsed, and they end the run
        return
    except Exception as error:
        if getattr(error, "exit_code", None) == 2 and hasattr(error, "format_message"):
            raise Refused(error.format_message()) from error
        raise


def _cases():
    return [(words, command) for words, command in _walk(_tree()) if not command.hidden]


def test_the_walk_reaches_every_command_and_every_prices_subcommand():
    names = {words for words, _ in _cases()}
    assert {("count",), ("estimate",), ("models",), ("plans",), ("usage",), ("prices",)} <= names
    assert {words[1] for words in names if words[:1] == ("prices",) and len(words) == 2} == (
        PRICES_SUBCOMMANDS
    )


@pytest.mark.parametrize(
    ("words", "command"), _cases(), ids=[" ".join(("tokencalc", *w)) for w, _ in _cases()]
)
def test_help_examples_are_accepted_by_the_command_line(words, command):
    examples = _examples(command.help or "")
    prefix = " ".join(("tokencalc", *words))
    assert any(example == prefix or example.startswith(prefix + " ") for example in examples), (
        f"no example of {prefix!r} itself"
    )
    for example in examples:
        try:
            _parse(shlex.split(example)[1:])
        except Refused as error:
            pytest.fail(f"{prefix} --help shows {example!r}, which is refused: {error}")


def test_a_wrong_example_would_be_caught():
    """The check itself can fail: a misspelt flag, a bad choice, a missing argument."""
    for wrong in (
        "count README.md --modle gpt-4",
        "estimate README.md --format yaml",
        "prices set",
        "prices frobnicate",
    ):
        with pytest.raises(Refused):
            _parse(shlex.split(wrong))
    _parse(shlex.split("prices set gpt-5 --input 1.1 --output 9"))
