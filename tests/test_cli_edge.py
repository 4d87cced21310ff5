"""The error edge, ``run(argv, env) -> exit code``: what users see for each kind of failure.

These go through the same edge as the installed script (tests/cli_harness.py), so the lines
and codes here are the ones a shell gets (README, "Exit codes").
"""

from __future__ import annotations

from pathlib import Path

import pytest

import tokencalc
from cli_harness import MockEnvironment
from module_probe import startup
from source_tree import source_facts
from tokencalc.cli import app as edge
from tokencalc.cli.commands import COMMANDS

SOURCE = Path(tokencalc.__file__).parent


@pytest.fixture
def failing_models(monkeypatch):
    """``failing_models(exc)``: ``tokencalc models`` raises ``exc`` from the core."""
    import tokencalc.sheet.load as sheet_module

    def install(exc: BaseException) -> None:
        def boom(*args, **kwargs):
            raise exc

        monkeypatch.setattr(sheet_module, "load_price_sheet", boom)

    return install


def test_a_bad_flag_is_one_line_naming_the_command_and_exit_2(cli):
    result = cli("count", "--bogus")
    assert (result.exit_code, result.stdout) == (2, "")
    assert (
        result.stderr
        == "tokencalc: error: No such option: --bogus (see 'tokencalc count --help')\n"
    )
    result = cli("cont")  # suggestions come from the whole command table, loaded or not
    assert result.exit_code == 2
    assert result.stderr == (
        "tokencalc: error: No such command 'cont'. Did you mean 'count'? (see 'tokencalc --help')\n"
    )


def test_no_command_prints_the_help_and_exits_2_without_an_error_line(cli):
    result = cli()
    assert result.exit_code == 2 and result.stderr == ""
    assert "Usage: tokencalc [OPTIONS] COMMAND" in result.stdout


def test_an_unexpected_exception_is_the_internal_error_line(cli, failing_models):
    failing_models(ZeroDivisionError("on purpose"))
    result = cli("models")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "tokencalc: error: internal error: ZeroDivisionError: on purpose "
        "(set TOKENCALC_DEBUG=1 for details)\n"
    )


def test_tokencalc_debug_lets_the_exception_through(cli, failing_models, monkeypatch):
    monkeypatch.setenv("TOKENCALC_DEBUG", "1")
    failing_models(ZeroDivisionError("on purpose"))
    with pytest.raises(ZeroDivisionError):
        cli("models")


def test_too_deep_an_input_is_one_line(cli, failing_models):
    failing_models(RecursionError("maximum recursion depth exceeded"))
    result = cli("models")
    assert result.exit_code == 1
    assert result.stderr == (
        "tokencalc: error: an input is nested too deeply to be read "
        "(a price sheet, JSON or TOML file?)\n"
    )


def test_ctrl_c_in_a_command_is_130_and_one_line(cli, failing_models):
    failing_models(KeyboardInterrupt())
    result = cli("models")
    assert (result.exit_code, result.stdout, result.stderr) == (130, "", "tokencalc: interrupted\n")


def _made_of_an_interrupt() -> RuntimeError:
    """What Python 3.11 raises when Ctrl-C lands while a class is made (``__set_name__``)."""
    try:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as interrupt:
            raise RuntimeError(
                "Error calling __set_name__ on 'x' instance 'y' in 'Z'"
            ) from interrupt
    except RuntimeError as error:
        return error


def test_an_error_python_made_of_ctrl_c_is_130_and_one_line(cli, failing_models):
    failing_models(_made_of_an_interrupt())
    result = cli("models")
    assert (result.exit_code, result.stdout, result.stderr) == (130, "", "tokencalc: interrupted\n")


def test_ctrl_c_while_click_reads_the_command_line_is_130_and_one_line(cli, monkeypatch):
    """Typer turns a KeyboardInterrupt raised while Click makes the context (parsing, where a
    lazily loaded command is imported) into a silent exit 130: found by bench_interrupt.py."""
    from tokencalc.cli.commands import TokencalcGroup

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(TokencalcGroup, "parse_args", interrupted)
    result = cli("estimate", "README.md")
    assert (result.exit_code, result.stdout, result.stderr) == (130, "", "tokencalc: interrupted\n")


def test_an_error_that_only_happened_while_handling_ctrl_c_is_still_an_error(cli, failing_models):
    try:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            raise ZeroDivisionError("on purpose") from None  # not caused by it
    except ZeroDivisionError as error:
        failing_models(error)
    result = cli("models")
    assert result.exit_code == 1
    assert "internal error: ZeroDivisionError: on purpose" in result.stderr


def test_a_reader_that_went_away_is_141_silently(cli, failing_models, monkeypatch):
    monkeypatch.setattr("tokencalc.cli.streams.silence_stdout", lambda: None)  # not pytest's fd 1
    failing_models(BrokenPipeError())
    result = cli("models")
    assert (result.exit_code, result.stderr) == (edge.EXIT_BROKEN_PIPE, "")


def test_a_tokencalc_error_keeps_its_exit_code(cli):
    result = cli("estimate", "--max-cost", "abc", "x.txt")
    assert (result.exit_code, result.stdout) == (2, "")
    assert (
        result.stderr == "tokencalc: error: --max-cost must be a non-negative number, got 'abc'\n"
    )


def test_nothing_to_count_on_a_terminal_is_a_hint_not_a_wait(cli):
    result = cli("count", stdin_isatty=True)
    assert result.exit_code == 2
    assert result.stderr.startswith("tokencalc: error: nothing to count:")
    assert cli("count", "-q", input="hello\n").stdout == "2\n"  # piped: counted


def test_the_environment_width_lays_out_tables(cli):
    narrow = cli("models", "-p", "openai", width=60).stdout
    wide = cli("models", "-p", "openai", width=150).stdout
    assert max(map(len, narrow.splitlines())) <= 60
    assert max(map(len, wide.splitlines())) > 60


def test_bars_only_when_the_environment_says_stdout_is_a_terminal(cli, monkeypatch):
    monkeypatch.delenv("NO_COLOR")
    args = ("estimate", "--input-tokens", "1000", "-p", "openai")
    piped, terminal = cli(*args).stdout, cli(*args, stdout_isatty=True).stdout
    assert "█" not in piped and "█" in terminal
    assert "\x1b[" not in terminal  # the test environment asks for no colour codes


def test_help_lists_every_command_with_its_one_line_help(cli):
    out = cli("--help").stdout
    for name, entry in COMMANDS.items():
        assert (f"│ {name} " in out) is not entry.hidden, name
    assert "Count tokens exactly, wc-style" in out and "See, correct, refresh" in out


def test_listing_the_commands_imports_none_and_a_command_only_its_own_module():
    listing, models = startup("--help"), startup("models", "gpt-5", "-f", "json")  # one process
    assert "Count tokens exactly" in listing.stdout
    assert not {m for m in listing.modules if m.startswith("tokencalc.cli.commands.")}
    assert "tokencalc.cli.commands.models" in models.modules
    others = {entry.module for name, entry in COMMANDS.items() if name != "models"}
    assert not others & models.modules


_STREAMS = ("stdin", "stdout", "stderr", "__stdin__", "__stdout__", "__stderr__")


def _touches_process_streams(path: Path) -> list[str]:
    # ``sys.stdout`` and the like, from the facts parsed once a session (tests/source_tree.py)
    return [
        f"{path.relative_to(SOURCE)}:{line}"
        for line, name, attribute in source_facts(path).attributes
        if name == "sys" and attribute in _STREAMS
    ]


def test_only_the_cli_edge_touches_the_process_streams():
    edge_modules = {"cli/entry.py", "cli/app.py", "cli/env.py", "cli/streams.py"}
    found = [
        where
        for path in sorted(SOURCE.rglob("*.py"))
        if path.relative_to(SOURCE).as_posix() not in edge_modules
        for where in _touches_process_streams(path)
    ]
    assert found == []
    # and the check can fail: the edge does touch them
    assert _touches_process_streams(SOURCE / "cli" / "streams.py")


def test_the_mock_environment_is_what_the_harness_uses(cli):
    mock = MockEnvironment("hello\n")
    assert mock.run("count", "-q").stdout == cli("count", "-q", input="hello\n").stdout == "2\n"


def test_the_table_summaries_are_the_commands_own_first_paragraphs():
    import inspect

    import typer.main

    from tokencalc.cli.commands import app

    group = typer.main.get_group(app)
    for name, entry in COMMANDS.items():
        help_text = inspect.cleandoc(group.commands[name].help or "")
        first = help_text.split("\n\n")[0].replace("\n", " ")
        assert first == entry.summary, name
