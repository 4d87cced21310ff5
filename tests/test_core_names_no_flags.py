"""The core never names a command-line flag (issue 12 §5: "the core talks CLI").

A core message that names an argument carries it as data (``wording.Arg``, an
``ArgumentError``, a note or skip kind), and the edge words it: the command line with its
flags (``cli/flags.py``, ``cli/phrasing.py``), the Python API with its parameter names. The
scan below fails on any string literal in the core that spells a flag; the CLI tests after it
pin what users see for the messages that used to.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest
import typer.main

from source_tree import source_facts
from test_sheet import sample_text
from tokencalc.cli.commands import app
from tokencalc.cli.flags import FLAGS

SRC = Path(__file__).resolve().parents[1] / "src" / "tokencalc"

#: A flag inside a string: "--" and a letter, not inside a word or a longer run of dashes
#: ("a--b", "---"); a literal "--" alone or ending a string is a flag being built.
_FLAG = re.compile(r"(?<![\w-])--[a-z]|^--$|(?<![\w-])--$")

#: Literals allowed to name a flag, each with its reason.
ALLOWED = {
    ("pricing/estimate.py", "given: --input-tokens"): (
        "a count's label, printed in estimate's JSON as how_counted "
        "('exact (given: --input-tokens)'): the JSON contract, not a message"
    ),
}


@functools.cache  # the three tests below read the same scan
def _core_literals() -> tuple[tuple[str, int, str], ...]:
    """(module, line, text) of every string literal of the core that is not a docstring."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        module = path.relative_to(SRC).as_posix()
        if module.startswith("cli/") or module == "__main__.py":
            continue
        found += [
            (module, string.line, string.text)
            for string in source_facts(path).strings
            if not string.docstring
        ]
    return tuple(found)


def test_the_scan_sees_flags_and_only_flags():
    assert all(
        _FLAG.search(text)
        for text in ("give --rate", "--timeout must", "(--timeout)", "--", "also give --")
    )
    assert not any(
        _FLAG.search(text) for text in ("a--b", "----", "x -- y", "-m", "<!-- c -->", "—")
    )
    literals = _core_literals()
    assert len(literals) > 1000  # the scan reads the whole core
    assert any(module == "datasets/prompts.py" for module, _, _ in literals)


def test_no_core_string_names_a_flag():
    named = [
        f"{module}:{line}: {text!r}"
        for module, line, text in _core_literals()
        if _FLAG.search(text) and (module, text) not in ALLOWED
    ]
    assert named == []


def test_every_allowed_literal_is_still_there():
    literals = {(module, text) for module, _, text in _core_literals()}
    assert set(ALLOWED) <= literals


def _options(command: object) -> set[str]:
    names = {opt for param in getattr(command, "params", ()) for opt in param.opts}
    for sub in getattr(command, "commands", {}).values():
        names |= _options(sub)
    return names


def test_every_flag_the_edge_words_with_is_a_real_option():
    options = _options(typer.main.get_group(app)) | {"--help"}
    for name, spelled in FLAGS.items():
        flag = spelled.split()[0].split("/")[0]  # "--system FILE", "--plan/-P"
        assert flag in options, (name, spelled)


# --- what users see, through the command line's edge ------------------------------------------


def test_a_dataset_with_both_field_and_template_names_the_flags(cli, tmp_path):
    data = tmp_path / "rows.jsonl"
    data.write_text('{"text": "hi"}\n', encoding="utf-8")
    template = tmp_path / "prompt.txt"
    template.write_text("Q: {text}\n", encoding="utf-8")
    result = cli(
        "estimate", str(data), "--field", "text", "--template", str(template), "-m", "gpt-5"
    )
    assert (result.exit_code, result.stderr) == (
        2,
        "tokencalc: error: give --field or --template (exactly one)\n",
    )


def test_a_currency_without_a_rate_names_the_rate_flag(cli, _isolated_environment):
    result = cli("estimate", "--input-tokens", "5", "-m", "gpt-5", "--currency", "JPY")
    assert result.exit_code == 1
    assert result.stderr == (
        "tokencalc: error: no exchange rate for JPY: give --rate (units per US dollar) or add "
        f"'currencies.JPY = …' to {_isolated_environment / 'pricing.toml'}\n"
    )


def test_a_provider_with_only_deprecated_models_names_the_model_flag(cli, packaged_sheet, tmp_path):
    packaged_sheet(sample_text())
    overlay = tmp_path / "over.toml"
    overlay.write_text('[models."claude-x"]\ndeprecated = true\n', encoding="utf-8")
    result = cli(
        "estimate", "--input-tokens", "5", "--provider", "anthro", "--prices", str(overlay)
    )
    assert (result.exit_code, result.stderr) == (
        1,
        (
            "tokencalc: error: provider 'anthro' has no current models (deprecated: claude-x, "
            "claude-old); name them with --model\n"
        ),
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["my-new", "--input", "1"],
            (
                "'my-new' is not in the price sheet; to add it as a new model also give "
                "--provider, --tokenizer, --output, --context-window (a new model needs a "
                "provider, a tokenizer, input and output prices and a context window)"
            ),
        ),
        (["gpt-5"], "nothing to set: give at least one field, e.g. --input 2.5 (see --help)"),
    ],
)
def test_prices_set_names_its_own_flags(cli, args, expected):
    result = cli("prices", "set", *args)
    assert (result.exit_code, result.stderr) == (2, f"tokencalc: error: {expected}\n")
