"""``tokencalc prices path|set|unset|set-rate|unset-rate|diff|validate|export`` on a small base sheet.

The packaged sheet is replaced by tests/fixtures/litellm/base.toml, so the expected values
never depend on the real prices in pricing.toml. Every test has its own TOKENCALC_HOME.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from cli_harness import CliResult

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

FIXTURES = Path(__file__).parent / "fixtures" / "litellm"
BASE = FIXTURES / "base.toml"


@pytest.fixture(autouse=True)
def base_sheet(packaged_sheet):
    packaged_sheet(BASE.read_text(encoding="utf-8"))


@pytest.fixture
def home(_isolated_environment: Path) -> Path:
    return _isolated_environment


@pytest.fixture
def user_sheet(home: Path) -> Path:
    return home / "pricing.toml"


def ok(result):
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result.stdout


def fails(result: CliResult, code: int = 1) -> str:
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert result.stderr.startswith("tokencalc: error: "), result.stderr
    return result.stderr


def effective():
    from tokencalc.sheet.load import load_price_sheet

    return load_price_sheet()


def read_toml(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


# --- path -------------------------------------------------------------------------------------


def test_path_says_where_both_sheets_are_and_whether_the_user_sheet_exists(cli, user_sheet):
    out = ok(cli("prices", "path"))
    assert f"user sheet:     {user_sheet}" in out
    assert "does not exist yet" in out
    assert ok(cli("prices", "path", "--user")) == f"{user_sheet}\n"
    document = json.loads(ok(cli("prices", "path", "--format", "json")))
    assert document["user"] == {
        "path": str(user_sheet),
        "exists": False,
        "in_use": False,
        "note": "does not exist yet: 'tokencalc prices set' or 'import' creates it",
    }
    assert document["packaged"]["path"].endswith("pricing.toml") and document["packaged"]["in_use"]

    ok(cli("prices", "set", "gpt-test", "--input", "1"))
    out = ok(cli("prices", "path"))
    assert "exists, in use: overlays the packaged sheet" in out
    assert json.loads(ok(cli("prices", "path", "-f", "json")))["user"]["exists"] is True


# --- set --------------------------------------------------------------------------------------


def test_set_changes_only_the_fields_given(cli, user_sheet):
    out = ok(cli("prices", "set", "gpt-test", "--input", "1.1", "--output", "9"))
    assert out == (
        'changed  models."gpt-test".input: 1.25 → 1.1\n'
        'changed  models."gpt-test".output: 10 → 9\n'
        f"saved {user_sheet}\n"
    )
    assert read_toml(user_sheet) == {"models": {"gpt-test": {"input": 1.1, "output": 9.0}}}
    model = effective().models["gpt-test"]
    assert (model.input, model.output, model.cached_input) == (
        Decimal("1.1"),
        Decimal("9.0"),
        Decimal("0.125"),
    )
    assert model.files == ("pricing.toml", str(user_sheet))


def test_set_every_kind_of_field(cli, user_sheet):
    ok(
        cli(
            "prices", "set", "claude-test-5",
            "--cached-input", "0.25", "--cache-write-5m", "3.5", "--cache-write-1h", "5.5",
            "--context-window", "300000", "--max-output", "64000", "--name", "Claude T5",
            "--tokenizer", "claude-legacy", "--alias", "ct5", "--alias", "claude-t5",
            "--long-context-threshold", "200000", "--long-context-input", "6", "--long-context-output", "22.5",
            "--batch-multiplier", "0.5", "--priority-multiplier", "2",
            "--source", "https://example.com/p", "--as-of", "2026-11-20", "--notes", "checked", "--deprecated",
        )
    )  # fmt: skip
    model = effective().resolve("ct5")
    assert (
        model.id == "claude-test-5"
        and model.name == "Claude T5"
        and model.tokenizer == "claude-legacy"
    )
    assert (model.cached_input, model.cache_write_5m, model.cache_write_1h) == (
        Decimal("0.25"),
        Decimal("3.5"),
        Decimal("5.5"),
    )
    assert (model.context_window, model.max_output, model.aliases) == (
        300000,
        64000,
        ("ct5", "claude-t5"),
    )
    assert model.long_context.threshold == 200000 and model.long_context.output == Decimal("22.5")
    assert (
        model.tiers["batch"].multiplier == Decimal("0.5")
        and model.tiers["priority"].multiplier == 2
    )
    assert (model.source, model.as_of.isoformat(), model.notes, model.deprecated) == (
        "https://example.com/p",
        "2026-11-20",
        "checked",
        True,
    )
    ok(cli("prices", "set", "claude-test-5", "--current"))
    assert effective().models["claude-test-5"].deprecated is False


def test_set_by_alias_changes_the_model(cli):
    out = ok(cli("prices", "set", "claude-test-5-20260101", "--output", "12"))
    assert (
        out.splitlines()[0]
        == "note     claude-test-5-20260101 is an alias of claude-test-5; changing claude-test-5"
    )
    assert effective().models["claude-test-5"].output == 12


def test_set_a_tier_multiplier_over_explicit_prices_switches_its_form(cli, user_sheet):
    ok(cli("prices", "set", "gem-pro", "--batch-multiplier", "0.4"))
    tier = effective().models["gem-pro"].tiers["batch"]
    assert (tier.multiplier, tier.input) == (Decimal("0.4"), None)


def test_set_adds_a_complete_new_model(cli, user_sheet):
    out = ok(
        cli("prices", "set", "my-llama", "--provider", "openai", "--tokenizer", "cl100k_base",
            "--input", "0.2", "--output", "0.6", "--context-window", "131072")
    )  # fmt: skip
    assert 'added    models."my-llama".provider: — → openai' in out
    assert list(read_toml(user_sheet)["models"]["my-llama"]) == [
        "provider",
        "name",
        "tokenizer",
        "input",
        "output",
        "context_window",
    ]
    model = effective().resolve("my-llama")
    assert (model.name, model.input, model.context_window) == ("my-llama", Decimal("0.2"), 131072)


def test_a_new_model_without_the_required_fields_is_refused_saying_which(cli, user_sheet):
    err = fails(cli("prices", "set", "brand-new", "--input", "1", "--provider", "openai"), code=2)
    assert (
        "'brand-new' is not in the price sheet; to add it as a new model also give --tokenizer, --output, --context-window"
        in err
    )
    assert (
        "a new model needs a provider, a tokenizer, input and output prices and a context window"
        in err
    )
    err = fails(cli("prices", "set", "gpt-tset", "--input", "1"), code=2)
    assert "(did you mean gpt-test?)" in err
    assert not user_sheet.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--input", "abc"], "--input must be a non-negative number, got 'abc'"),
        (["--output", "-1"], "--output must be a non-negative number, got '-1'"),
        (
            ["--batch-multiplier", "nan"],
            "--batch-multiplier must be a non-negative number, got 'nan'",
        ),
        (["--as-of", "22/11/2026"], "--as-of must be a date like 2026-11-22, got '22/11/2026'"),
        ([], "nothing to set: give at least one field"),
    ],
)
def test_set_refuses_bad_values_as_usage_errors(cli, user_sheet, args, message):
    assert message in fails(cli("prices", "set", "gpt-test", *args), code=2)
    assert not user_sheet.exists()


def test_a_context_window_below_one_is_a_usage_error(cli):
    result = cli("prices", "set", "gpt-test", "--context-window", "0")
    assert result.exit_code == 2 and "--context-window" in result.stderr


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (
            ["gpt-test", "--max-output", "999999"],
            'models."gpt-test".max_output: must not exceed context_window (400,000), got 999,999',
        ),
        (
            ["gpt-test", "--tokenizer", "o100k"],
            'models."gpt-test".tokenizer: unknown tokenizer "o100k"',
        ),
        (
            ["gpt-test", "--provider", "opneai"],
            'models."gpt-test".provider: unknown provider "opneai" (did you mean \'openai\'?)',
        ),
        (["gpt-test", "--alias", "gem-pro"], "alias 'gem-pro' is the id of model 'gem-pro'"),
    ],
)
def test_an_edit_that_would_make_the_sheet_invalid_is_refused_naming_the_problem(
    cli, user_sheet, args, problem
):
    err = fails(cli("prices", "set", *args))
    assert f"not written: the change would make {user_sheet} invalid: {user_sheet}: " in err
    assert problem in err and "nothing was changed" in err
    assert not user_sheet.exists()


def test_setting_what_is_already_set_writes_nothing(cli, user_sheet):
    ok(cli("prices", "set", "gpt-test", "--input", "1.5"))
    before = user_sheet.read_bytes()
    nothing = f"nothing to change: the effective price sheet already says so ({user_sheet} left as it is)\n"
    assert ok(cli("prices", "set", "gpt-test", "--input", "1.50")) == nothing
    assert (
        ok(cli("prices", "set", "gpt-test", "--output", "10")) == nothing
    )  # the packaged value already
    assert user_sheet.read_bytes() == before
    assert not user_sheet.with_name("pricing.toml.bak").exists()


def test_unsetting_an_override_that_repeats_the_packaged_value_still_removes_it(cli, user_sheet):
    user_sheet.write_text("[models.gpt-test]\ninput = 1.25\n", encoding="utf-8")
    out = ok(cli("prices", "unset", "gpt-test", "input"))
    assert (
        out.splitlines()[0]
        == "the effective prices are the same (the override you removed repeated the packaged value)"
    )
    assert read_toml(user_sheet) == {}


# --- preserving, backing up, writing atomically ---------------------------------------------

HAND_WRITTEN = """\
# my own overrides -- keep them!
[models.gem-pro]
input = 1.0  # negotiated price

[models.gem-pro.long_context]
threshold = 150000

[models.team-model]
provider = "google"
name = "Team model"
tokenizer = "gemini"
input = 0.5
output = 1.5
context_window = 32768
aliases = ["tm"]

[[models.team-model.schedule]]
from = 2027-01-01
input = 0.75

[plans.test-plus]
monthly_price = 25.0

[currencies]
EUR = 0.87
"""


def test_entries_the_command_did_not_touch_are_preserved_and_the_old_file_is_kept(cli, user_sheet):
    user_sheet.write_text(HAND_WRITTEN, encoding="utf-8")
    before = read_toml(user_sheet)
    out = ok(cli("prices", "set", "gpt-test", "--input", "1.1"))
    backup = user_sheet.with_name("pricing.toml.bak")
    assert out.endswith(f"saved {user_sheet} (previous version: {backup})\n")
    assert backup.read_text(encoding="utf-8") == HAND_WRITTEN
    after = read_toml(user_sheet)
    assert after.pop("models").pop("gpt-test") == {"input": 1.1}
    before_models = before.pop("models")
    assert after == before and read_toml(user_sheet)["models"] == {
        **before_models,
        "gpt-test": {"input": 1.1},
    }
    sheet = effective()
    assert sheet.models["team-model"].schedule[0].input == Decimal("0.75")
    assert sheet.plans["test-plus"].monthly_price == 25 and sheet.currencies == {
        "EUR": Decimal("0.87")
    }
    text = user_sheet.read_text(encoding="utf-8")
    assert (
        text.startswith("# tokencalc user price sheet")
        and "the previous version is in the .bak file" in text
    )


def test_a_failed_write_leaves_the_previous_sheet_intact_and_no_temporary_file(
    cli, user_sheet, monkeypatch
):
    ok(cli("prices", "set", "gpt-test", "--input", "1.1"))
    previous = user_sheet.read_bytes()
    real_fdopen = os.fdopen
    calls = []

    class HalfWriter:
        def __init__(self, handle):
            self._handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self._handle.close()

        def write(self, data):
            self._handle.write(data[: len(data) // 2])
            raise OSError(28, "No space left on device")

    def failing_fdopen(fd, *args, **kwargs):
        handle = real_fdopen(fd, *args, **kwargs)
        calls.append(fd)
        return (
            HalfWriter(handle) if len(calls) == 2 else handle
        )  # the backup goes through; the sheet fails

    monkeypatch.setattr(os, "fdopen", failing_fdopen)
    err = fails(cli("prices", "set", "gpt-test", "--input", "2", "--output", "20"))
    monkeypatch.setattr(os, "fdopen", real_fdopen)
    assert f"cannot write {user_sheet}: no space left on device; nothing was changed" in err
    assert user_sheet.read_bytes() == previous
    assert (
        sorted(
            p.name
            for p in user_sheet.parent.iterdir()
            if p.name.startswith(".") and p.name != ".pricing.toml.lock"
        )
        == []
    )
    assert effective().models["gpt-test"].input == Decimal("1.1")


def test_an_unwritable_config_directory_is_a_clear_error(cli, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    monkeypatch.setenv("TOKENCALC_HOME", str(blocker / "home"))
    err = fails(cli("prices", "set", "gpt-test", "--input", "1"))
    assert (
        f"cannot write {blocker / 'home' / 'pricing.toml'}: a path component is a file, not a directory"
        in err
    )
    assert "set TOKENCALC_HOME to a writable directory" in err


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[models.gpt-test\ninput = 1\n", "line 1, column 17: invalid TOML"),
        (b"\xff\xfe[models]", "not UTF-8 text"),
        (
            '[models.gpt-test]\ninput = "cheap"\n',
            'models."gpt-test".input: must be a non-negative number, got "cheap"',
        ),
    ],
)
def test_a_corrupt_user_sheet_is_named_with_how_to_fix_it(cli, user_sheet, text, problem):
    if isinstance(text, bytes):
        user_sheet.write_bytes(text)
    else:
        user_sheet.write_text(text, encoding="utf-8")
    original = user_sheet.read_bytes()
    how = f"'tokencalc prices validate {user_sheet}' lists every problem; fix them, or move the file aside (mv {user_sheet} {user_sheet}.broken)"
    for args in (
        ["prices", "set", "gem-pro", "--input", "1"],
        ["prices", "set-rate", "EUR", "0.9"],
        ["models"],
    ):
        err = fails(cli(*args))
        assert str(user_sheet) in err and problem in err and how in err, args
    assert user_sheet.read_bytes() == original


def test_unset_can_repair_a_broken_override(cli, user_sheet):
    user_sheet.write_text('[models.gpt-test]\ninput = "cheap"\noutput = 9\n', encoding="utf-8")
    ok(cli("prices", "unset", "gpt-test", "input"))
    assert read_toml(user_sheet) == {"models": {"gpt-test": {"output": 9}}}


# --- unset, set-rate, unset-rate ------------------------------------------------------------


def test_unset_one_field_then_the_whole_model(cli, user_sheet):
    ok(
        cli(
            "prices",
            "set",
            "gpt-test",
            "--input",
            "1.1",
            "--output",
            "9",
            "--batch-multiplier",
            "0.4",
        )
    )
    out = ok(cli("prices", "unset", "gpt-test", "batch"))
    assert out.splitlines()[0] == 'changed  models."gpt-test".batch.multiplier: 0.4 → 0.5'
    ok(cli("prices", "unset", "GPT-TEST", "cached-input".replace("cached-input", "input")))
    assert read_toml(user_sheet) == {"models": {"gpt-test": {"output": 9.0}}}
    out = ok(cli("prices", "unset", "gpt-test"))
    assert 'changed  models."gpt-test".output: 9 → 10' in out
    assert read_toml(user_sheet) == {}
    assert effective().models["gpt-test"].output == 10


def test_unset_of_something_not_set_is_a_clear_error(cli, user_sheet):
    assert "you have no price sheet of your own yet" in fails(cli("prices", "unset", "gpt-test"))
    ok(cli("prices", "set", "gpt-test", "--input", "1.1"))
    err = fails(cli("prices", "unset", "gpt-test", "output"))
    assert (
        "model 'gpt-test' has no 'output' override in your price sheet (it overrides: input)" in err
    )
    err = fails(cli("prices", "unset", "gem-pro"))
    assert "model 'gem-pro' has no override in your price sheet; nothing to unset" in err
    err = fails(cli("prices", "unset", "gpt-tset"))
    assert "unknown model 'gpt-tset' (did you mean gpt-test?)" in err


def test_unsetting_a_required_field_of_an_added_model_says_how_to_remove_it(cli, user_sheet):
    ok(
        cli(
            "prices",
            "set",
            "mine",
            "--provider",
            "openai",
            "--tokenizer",
            "o200k_base",
            "--input",
            "1",
            "--output",
            "2",
            "--context-window",
            "1000",
        )
    )
    err = fails(cli("prices", "unset", "mine", "input"))
    assert "models.\"mine\": missing required key 'input'" in err
    assert "mine is a model you added: 'tokencalc prices unset mine' removes it whole" in err
    assert "mine" in read_toml(user_sheet)["models"]


def test_set_rate_and_unset_rate(cli, user_sheet):
    out = ok(cli("prices", "set-rate", "eur", "0.87"))
    assert out.splitlines()[0] == "added    currencies.EUR: — → 0.87"
    assert effective().exchange_rate("EUR") == Decimal("0.87")
    ok(cli("prices", "set-rate", "EUR", "0.9"))
    assert read_toml(user_sheet) == {"currencies": {"EUR": 0.9}}
    ok(cli("prices", "unset-rate", "EUR"))
    assert read_toml(user_sheet) == {}
    assert "your price sheet has no rate for GBP (it has: none)" in fails(
        cli("prices", "unset-rate", "GBP")
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["EUR", "0"], "RATE must be a positive number, got '0'"),
        (["--", "EUR", "-2"], "RATE must be a positive number, got '-2'"),
        (["EUR", "lots"], "RATE must be a positive number, got 'lots'"),
        (["EURO", "1"], "currency code must be three letters like EUR, got 'EURO'"),
        (["USD", "1"], "USD is the sheet's own currency"),
    ],
)
def test_set_rate_refuses_bad_values(cli, user_sheet, args, message):
    assert message in fails(cli("prices", "set-rate", *args), code=2)
    assert not user_sheet.exists()


# --- diff -----------------------------------------------------------------------------------


def test_diff_defaults_to_packaged_against_effective(cli, user_sheet):
    assert (
        ok(cli("prices", "diff"))
        == "no differences: packaged sheet and packaged sheet (no user sheet) say the same\n"
    )
    ok(cli("prices", "set", "gpt-test", "--input", "1.1"))
    ok(cli("prices", "set-rate", "EUR", "0.87"))
    document = json.loads(ok(cli("prices", "diff", "--format", "json")))
    assert document == {
        "old": "packaged sheet",
        "new": "effective sheet",
        "changes": [
            {
                "change": "changed",
                "section": "models",
                "entry": "gpt-test",
                "field": "input",
                "old": "1.25",
                "new": "1.1",
            },
            {
                "change": "added",
                "section": "currencies",
                "entry": None,
                "field": "EUR",
                "old": None,
                "new": "0.87",
            },
        ],
    }
    table = ok(cli("prices", "diff"))
    assert (
        "gpt-test" in table
        and "1.25" in table
        and "packaged sheet → effective sheet: 2 differences" in table
    )
    rows = list(csv.DictReader(io.StringIO(ok(cli("prices", "diff", "-f", "csv")))))
    assert rows[0] == {
        "change": "changed",
        "section": "models",
        "entry": "gpt-test",
        "field": "input",
        "old": "1.25",
        "new": "1.1",
    }


def test_diff_of_two_files_complete_or_partial(cli, tmp_path):
    newer = tmp_path / "newer.toml"
    newer.write_text(
        BASE.read_text(encoding="utf-8")
        .replace(
            "input = 1.25\ncached_input = 0.125\noutput = 10.0\ncontext_window = 400000",
            "input = 1.0\ncached_input = 0.125\noutput = 10.0\ncontext_window = 400000",
        )
        .replace("as_of = 2026-11-01\ndefault_models", "as_of = 2026-11-20\ndefault_models"),
        encoding="utf-8",
    )
    overlay = tmp_path / "overlay.toml"
    overlay.write_text("[models.gem-pro.long_context]\nthreshold = 128000\n", encoding="utf-8")
    changes = json.loads(ok(cli("prices", "diff", str(BASE), str(newer), "-f", "json")))["changes"]
    assert [(c["entry"], c["field"], c["old"], c["new"]) for c in changes] == [
        (None, "as_of", "2026-11-01", "2026-11-20"),
        ("gpt-test", "input", "1.25", "1"),
    ]
    document = json.loads(ok(cli("prices", "diff", "default", str(overlay), "-f", "json")))
    assert document["new"] == f"packaged sheet + {overlay}"
    assert [(c["entry"], c["field"], c["old"], c["new"]) for c in document["changes"]] == [
        ("gem-pro", "long_context.threshold", "200000", "128000")
    ]
    broken = tmp_path / "broken.toml"
    broken.write_text("[models.gpt-test]\ninput = -1\n", encoding="utf-8")
    assert f'{broken}: models."gpt-test".input: must be a non-negative number, got -1' in fails(
        cli("prices", "diff", "default", str(broken))
    )


# --- validate -------------------------------------------------------------------------------


def test_validate_the_effective_sheet_a_user_overlay_and_a_complete_sheet(
    cli, user_sheet, tmp_path
):
    assert ok(cli("prices", "validate")) == "pricing.toml: valid: 3 models, 1 plan\n"
    ok(cli("prices", "set", "gpt-test", "--input", "1.1"))
    assert (
        ok(cli("prices", "validate")) == f"pricing.toml + {user_sheet}: valid: 3 models, 1 plan\n"
    )
    assert ok(cli("prices", "validate", str(user_sheet))) == (
        f"{user_sheet}: valid: 1 model, 0 plans (overlaid on the packaged sheet: 3 models, 1 plan)\n"
    )
    assert (
        ok(cli("prices", "validate", str(BASE), "--standalone"))
        == f"{BASE}: valid: 3 models, 1 plan\n"
    )


def test_validate_lists_every_problem_one_per_line_and_exits_1(cli, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[models.gpt-test]\ninput = "abc"\ncontext_window = 0\n[models.newbie]\nprovider = "openai"\n',
        encoding="utf-8",
    )
    result = cli("prices", "validate", str(bad))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f'{bad}: models."gpt-test".input: must be a non-negative number, got "abc"',
        f'{bad}: models."gpt-test".context_window: must be a positive integer, got 0',
        f"{bad}: models.\"newbie\": missing required key 'name'",
        f"{bad}: models.\"newbie\": missing required key 'tokenizer'",
        f"{bad}: models.\"newbie\": missing required key 'input'",
        f"{bad}: models.\"newbie\": missing required key 'output'",
        f"{bad}: models.\"newbie\": missing required key 'context_window'",
    ]
    assert result.stderr == f"tokencalc: error: {bad}: 7 problems\n"
    standalone = cli("prices", "validate", str(bad), "--standalone")
    assert (
        standalone.exit_code == 1
        and f"{bad}: (top level): missing required key 'as_of'" in standalone.stdout
    )
    missing = cli("prices", "validate", str(tmp_path / "nope.toml"))
    assert (
        missing.exit_code == 1
        and missing.stdout == f"{tmp_path / 'nope.toml'}: cannot read: no such file or directory\n"
    )


# --- export -------------------------------------------------------------------------------------


def test_export_toml_is_a_complete_valid_sheet_with_the_overrides(cli, tmp_path):
    ok(cli("prices", "set", "gpt-test", "--input", "1.1"))
    text = ok(cli("prices", "export"))
    assert text.startswith("# tokencalc price sheet exported ")
    exported = tmp_path / "exported.toml"
    exported.write_text(text, encoding="utf-8")
    assert (
        ok(cli("prices", "validate", str(exported), "--standalone"))
        == f"{exported}: valid: 3 models, 1 plan\n"
    )
    data = tomllib.loads(text)
    assert data["models"]["gpt-test"]["input"] == 1.1 and data["models"]["gem-pro"]["batch"] == {
        "input": 0.625,
        "output": 5.0,
    }
    assert (
        json.loads(ok(cli("prices", "diff", "effective", str(exported), "-f", "json")))["changes"]
        == []
    )


def test_export_json_and_csv(cli, tmp_path):
    extra = tmp_path / "extra.toml"
    extra.write_text("[models.gem-pro]\noutput = 11\n", encoding="utf-8")
    document = json.loads(ok(cli("prices", "export", "--format", "json", "--prices", str(extra))))
    assert document["as_of"] == "2026-11-01" and document["models"]["gem-pro"]["output"] == 11
    assert document["models"]["gem-pro"]["long_context"] == {
        "threshold": 200000,
        "input": 2.5,
        "output": 15.0,
    }
    rows = list(csv.DictReader(io.StringIO(ok(cli("prices", "export", "-f", "csv")))))
    assert [row["id"] for row in rows] == ["gpt-test", "claude-test-5", "gem-pro"]
    gem = rows[2]
    assert (
        gem["input"],
        gem["output"],
        gem["long_context_threshold"],
        gem["batch_input"],
        gem["batch_multiplier"],
    ) == ("1.25", "10", "200000", "0.625", "")
    assert rows[0]["batch_multiplier"] == "0.5" and rows[1]["aliases"] == "claude-test-5-20260101"


# --- help ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    ["path", "set", "unset", "set-rate", "unset-rate", "import", "diff", "validate", "export"],
)
def test_every_prices_command_has_examples_in_its_help(cli, command):
    out = ok(cli("prices", command, "--help"))
    assert "Examples:" in out and f"tokencalc prices {command}" in out


def test_the_installed_script_runs_prices(tmp_path):
    import subprocess

    script = Path(sys.executable).parent / "tokencalc"
    env = {**os.environ, "TOKENCALC_HOME": str(tmp_path)}
    result = subprocess.run(
        [str(script), "prices", "path", "--user"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        f"{tmp_path / 'pricing.toml'}\n",
        "",
    )


def _commands(group, path=()):
    """Every command and subcommand of the app, as its words after ``tokencalc``."""
    for name, command in group.commands.items():
        if hasattr(command, "commands"):  # a group (typer vendors click: no isinstance check)
            yield from _commands(command, (*path, name))
        else:
            yield (*path, name)


def test_every_command_and_subcommand_help_has_examples(cli):
    """The polish promise of issue 5: every command's --help shows how to use it, subcommands too."""
    import typer.main

    from tokencalc.cli.commands import app

    group = typer.main.get_group(app)
    assert {"count", "estimate", "models", "prices"} <= set(group.commands)
    out = ok(cli("--help"))
    assert "Examples:" in out and "--install-completion" in out and "--version" in out
    commands = list(_commands(group))
    assert ("prices", "set") in commands and len(commands) >= 14
    for words in commands:
        out = ok(cli(*words, "--help"))
        assert "Examples:" in out and f"tokencalc {' '.join(words)}" in out, words


# --- broken shapes, odd names, links ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("models = 3\n", "models: must be a table, got 3"),
        ("[[models]]\nx = 1\n", "models: must be a table, got a list"),
        ('[models]\n"gpt-test" = 3\n', 'models."gpt-test": must be a table, got 3'),
        ("currencies = 3\n", "currencies: must be a table, got 3"),
    ],
)
def test_a_user_sheet_of_the_wrong_shape_is_a_clear_error_for_every_command(
    cli, user_sheet, text, problem
):
    user_sheet.write_text(text, encoding="utf-8")
    how = f"'tokencalc prices validate {user_sheet}' lists every problem"
    commands = (
        ["models"],
        ["prices", "set", "gpt-test", "--input", "2"],
        ["prices", "set-rate", "EUR", "0.9"],
        ["prices", "unset-rate", "EUR"],
        ["prices", "unset", "gpt-test", "input"],
        ["prices", "import", str(FIXTURES / "model_prices.json"), "--dry-run"],
    )
    for args in commands:
        err = fails(cli(*args))
        assert "internal error" not in err and f"{user_sheet}: {problem}" in err and how in err, (
            args,
            err,
        )
    assert user_sheet.read_text(encoding="utf-8") == text


def test_unset_removes_an_entry_that_is_not_a_table(cli, user_sheet):
    user_sheet.write_text('[models]\n"gpt-test" = 3\n"gem-pro" = {input = 1.5}\n', encoding="utf-8")
    out = ok(cli("prices", "unset", "gpt-test"))
    assert 'removed  models."gpt-test".(not a table): 3 → —' in out
    assert read_toml(user_sheet) == {"models": {"gem-pro": {"input": 1.5}}}


def test_an_error_in_a_tier_the_user_sheet_changes_names_the_user_sheet(cli, user_sheet):
    user_sheet.write_text(
        "[models.gpt-test.batch]\nmultiplier = 0.4\ninput = 1\n", encoding="utf-8"
    )
    err = fails(cli("models"))
    assert err.startswith(
        f'tokencalc: error: {user_sheet}: models."gpt-test".batch: give a multiplier or explicit prices, not both'
    )


def test_a_model_id_in_the_user_sheet_may_differ_in_case(cli, user_sheet):
    user_sheet.write_text("[models.GPT-Test]\ninput = 2\n", encoding="utf-8")
    assert effective().models["gpt-test"].input == 2 and "GPT-Test" not in effective().models
    ok(cli("prices", "set", "gpt-test", "--output", "11"))
    assert read_toml(user_sheet) == {
        "models": {"GPT-Test": {"input": 2, "output": 11.0}}
    }  # the user's key, no near-duplicate


@pytest.mark.parametrize("name", ["claude-*", "gpt?", "a b", "[x]", "-dash", "x,y"])
def test_a_new_model_id_must_be_nameable(cli, user_sheet, name):
    args = [
        "--provider",
        "openai",
        "--tokenizer",
        "o200k_base",
        "--input",
        "1",
        "--output",
        "2",
        "--context-window",
        "100",
    ]
    err = fails(cli("prices", "set", *args, "--", name), code=2)
    assert f"{name!r} cannot be a model id: an id must start with a letter or digit" in err
    assert not user_sheet.exists()


@pytest.mark.parametrize(
    ("alias", "problem"),
    [
        ("", 'models."gpt-test".aliases[1]: must be a non-empty string, got ""'),
        (" foo", "models.\"gpt-test\".aliases[1]: alias ' foo' is not a usable name"),
        ("gpt-*", "models.\"gpt-test\".aliases[1]: alias 'gpt-*' is not a usable name"),
    ],
)
def test_a_bad_alias_is_named_by_its_place_in_the_list(cli, user_sheet, alias, problem):
    err = fails(cli("prices", "set", "gpt-test", "--alias", "gpt-t", "--alias", alias))
    assert problem in err and "nothing was changed" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["set", "gpt-test", "--input", "1e400"],
            "--input must be a non-negative number no larger than 1.8e+308, got '1e400'",
        ),
        (
            ["set", "gpt-test", "--input", "1e-400"],
            "--input is too small to store (it would be 0), got '1e-400'",
        ),
        (
            ["set-rate", "EUR", "1e400"],
            "RATE must be a positive number no larger than 1.8e+308, got '1e400'",
        ),
    ],
)
def test_numbers_a_sheet_cannot_hold_are_usage_errors(cli, user_sheet, args, message):
    assert message in fails(cli("prices", *args), code=2)
    assert not user_sheet.exists()


def test_a_user_sheet_with_a_byte_order_mark_is_read_and_edited(cli, user_sheet):
    user_sheet.write_bytes(b"\xef\xbb\xbf[models.gpt-test]\ninput = 2.0\n")
    assert effective().models["gpt-test"].input == 2
    ok(cli("prices", "set", "gpt-test", "--output", "11"))
    assert read_toml(user_sheet) == {"models": {"gpt-test": {"input": 2.0, "output": 11.0}}}


def test_a_user_sheet_that_is_a_symbolic_link_stays_one(cli, user_sheet, tmp_path):
    real = tmp_path / "dotfiles" / "tokencalc.toml"
    real.parent.mkdir()
    real.write_text("[models.gpt-test]\ninput = 2.0\n", encoding="utf-8")
    user_sheet.symlink_to(real)
    out = ok(cli("prices", "set", "gpt-test", "--output", "11"))
    assert user_sheet.is_symlink() and user_sheet.resolve() == real.resolve()
    assert read_toml(real) == {"models": {"gpt-test": {"input": 2.0, "output": 11.0}}}
    backup = real.resolve().with_name("tokencalc.toml.bak")
    assert backup.read_text(encoding="utf-8") == "[models.gpt-test]\ninput = 2.0\n"
    assert out.endswith(f"saved {user_sheet} (previous version: {backup})\n")
    assert not user_sheet.with_name("pricing.toml.bak").exists()


def test_a_dangling_symbolic_link_is_written_through(cli, user_sheet, tmp_path):
    real = tmp_path / "later" / "prices.toml"
    user_sheet.symlink_to(real)
    ok(cli("prices", "set-rate", "EUR", "0.9"))
    assert user_sheet.is_symlink() and read_toml(real) == {"currencies": {"EUR": 0.9}}


def test_export_uses_the_files_the_loader_read(cli, monkeypatch):
    import tokencalc.sheet.load as sheet_module

    ok(cli("prices", "set", "gpt-test", "--input", "1.1"))

    def no_second_read(*args, **kwargs):
        raise AssertionError("export read a sheet file again")

    monkeypatch.setattr(sheet_module, "read_sheet_layer", no_second_read)
    assert tomllib.loads(ok(cli("prices", "export")))["models"]["gpt-test"]["input"] == 1.1


@pytest.mark.parametrize("args", [[], ["prices"]])
def test_no_arguments_prints_help_without_an_empty_error(args, capsys):
    from tokencalc.cli.app import main

    with pytest.raises(SystemExit) as caught:
        main(args)
    out, err = capsys.readouterr()
    assert caught.value.code == 2
    assert "Usage" in out and "error" not in err and err == ""


def test_set_input_says_which_dependent_prices_follow_and_which_are_left(cli, packaged_sheet):
    from test_sheet import sample_text

    packaged_sheet(sample_text())
    # alpha: input 2, long context input 4 (2× input, explicit), batch ×0.5, priority explicit 3
    result = cli("prices", "set", "alpha", "--input", "2.5")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert (
        'left     models."alpha".long_context.input: 4, 2× the old input (now 1.6×); set it too if it should follow'
        in lines
    )
    assert not any("batch" in line for line in lines)  # a multiplier tier follows by itself
    assert lines[-1].startswith("saved ")
    assert (
        'left     models."alpha".priority.input: 3, 1.5× the old input (now 1.2×); set it too if it should follow'
        in lines
    )
