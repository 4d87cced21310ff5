"""One meaning per option, globs over ids, and shell completion of the names commands take."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from test_sheet import sample_text


def _commands(command, path=()):
    if hasattr(command, "commands"):  # a group (Typer may carry its own copy of Click)
        for name, sub in command.commands.items():
            yield from _commands(sub, (*path, name))
    else:
        yield path, command


def test_every_short_option_means_one_thing_in_every_command():
    import typer.main

    from tokencalc.cli.commands import app

    meaning: dict[str, tuple[str, tuple[str, ...]]] = {}
    clashes = []
    for path, command in _commands(typer.main.get_command(app)):
        for param in command.params:
            longs = sorted(o for o in param.opts if o.startswith("--"))
            for short in (o for o in param.opts if len(o) == 2 and o.startswith("-")):
                if short in meaning and meaning[short][0] != longs[0]:
                    clashes.append(
                        f"{short}: {meaning[short][0]} in {meaning[short][1]}, {longs[0]} in {path}"
                    )
                meaning.setdefault(short, (longs[0], path))
    assert not clashes
    # the pairs people type most, pinned
    assert (
        meaning["-p"][0] == "--provider"
        and meaning["-m"][0] == "--model"
        and meaning["-P"][0] == "--plan"
    )


@pytest.fixture
def sample(packaged_sheet):
    packaged_sheet(sample_text())


@pytest.mark.usefixtures("sample")
def test_plans_provider_option_and_plan_given_as_provider(cli):
    document = json.loads(cli("plans", "-p", "acme", "--format", "json").stdout)
    assert {row["plan"] for row in document["rows"]} == {"acme-pro"}
    result = cli("plans", "-p", "acme-pro")
    assert result.exit_code == 1
    assert (
        result.stderr
        == "tokencalc: error: 'acme-pro' is a plan, not a provider: give it with --plan/-P\n"
    )


def test_globs_match_ids_and_aliases_only_when_no_id_matches():
    import tempfile
    from pathlib import Path

    from test_sheet import write_sample
    from tokencalc.sheet.load import load_price_sheet

    with tempfile.TemporaryDirectory() as tmp:
        sheet = load_price_sheet(user_sheet=False, base_sheet=write_sample(Path(tmp)))
        ids = lambda models: [m.id for m in models]  # noqa: E731
        assert ids(sheet.select(["*-2026-*"], [], False)) == ["alpha"]  # asked for a dated alias
        assert ids(sheet.select(["alpha-2026*"], [], False)) == ["alpha"]
        assert sheet.matches(sheet.models["alpha"], "alpha-2026*", aliases=False) is False


def _completion_env(words: str) -> dict[str, str]:
    """The variables bash's completion function sets to ask for ``tokencalc WORDS``."""
    return {
        "_TOKENCALC_COMPLETE": "complete_bash",
        "COMP_WORDS": f"tokencalc {words}",
        "COMP_CWORD": str(len(f"tokencalc {words}".split(" ")) - 1),
    }


def _offered(output: str) -> list[str]:
    return [line.split(",", 1)[-1] for line in output.splitlines()]


def _complete(words: str, env_extra: dict[str, Any] | None = None) -> list[str]:
    """What bash completion offers for ``tokencalc WORDS`` (last word incomplete), asked of a
    process as bash asks it."""
    env = {**os.environ, **_completion_env(words)}
    env.update(env_extra or {})
    done = subprocess.run(
        [sys.executable, "-c", "from tokencalc.cli.app import main; main()"],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return _offered(done.stdout)


@pytest.fixture
def complete(cli, monkeypatch):
    """``complete(WORDS)``: what completion offers, asked in this process through the edge."""

    def offered(words: str) -> list[str]:
        with monkeypatch.context() as patch:
            for name, value in _completion_env(words).items():
                patch.setenv(name, value)
            done = cli()
        assert done.exit_code == 0, done.stderr
        return _offered(done.stdout)

    return offered


def test_completion_offers_models_plans_providers_and_encodings(complete):
    from tokencalc.counting.encodings import EXACT_ENCODINGS
    from tokencalc.sheet.load import load_price_sheet

    sheet = load_price_sheet(user_sheet=False)
    models = _complete("estimate -m claude-")  # a process, as bash asks; the rest in-process
    expected = sorted(
        m.id for m in sheet.models.values() if m.id.startswith("claude-") and not m.deprecated
    )
    assert sorted(models) == expected and expected
    assert sorted(complete("estimate -m claude-")) == expected
    plans = complete("plans -P chatgpt")
    assert sorted(plans) == sorted(p for p in sheet.plans if p.startswith("chatgpt")) and plans
    assert sorted(complete("models -p ")) == sorted(sheet.providers)
    assert sorted(complete("count -e ")) == sorted(EXACT_ENCODINGS)
    assert complete("usage --plan claude-p") == ["claude-pro"]
