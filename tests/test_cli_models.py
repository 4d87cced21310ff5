"""``tokencalc models`` on the sample sheet, and proof that it never builds a tokenizer."""

from __future__ import annotations

import json

import pytest

from module_probe import startup
from test_sheet import sample_text


@pytest.fixture(autouse=True)
def sample_sheet(packaged_sheet):
    packaged_sheet(sample_text())


def as_json(result):
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_list_json_fields(cli):
    models = as_json(cli("models", "--date", "2026-11-22", "--format", "json"))
    assert [m["id"] for m in models] == ["alpha", "claude-x", "claude-old", "gem", "legacy"]
    alpha = models[0]
    assert {
        k: alpha[k]
        for k in (
            "id",
            "provider",
            "input",
            "cached_input",
            "output",
            "context_window",
            "tokenizer",
            "estimated",
        )
    } == {
        "id": "alpha",
        "provider": "acme",
        "input": "2",
        "cached_input": "0.5",
        "output": "8",
        "context_window": 1000,
        "tokenizer": "o200k_base",
        "estimated": False,
    }
    claude = models[1]
    assert (claude["tokenizer"], claude["estimated"], claude["ratio"]) == ("anthro-est", True, 1.5)
    assert models[4]["cached_input"] == "0.1"  # no discount: the input price


def test_prices_are_those_in_force_on_the_day(cli):
    gem_before = as_json(cli("models", "gem", "--date", "2026-11-30", "-f", "json"))
    gem_after = as_json(cli("models", "gem", "--date", "2026-12-01", "-f", "json"))
    assert (gem_before["prices"]["input"], gem_after["prices"]["input"]) == ("2", "4")
    listed = as_json(cli("models", "--date", "2026-12-01", "-f", "json"))
    assert next(m for m in listed if m["id"] == "gem")["output"] == "20"


def test_filters(cli):
    ids = lambda result: [m["id"] for m in as_json(result)]  # noqa: E731
    assert ids(cli("models", "--provider", "anthro", "-f", "json")) == ["claude-x", "claude-old"]
    assert ids(cli("models", "claude", "-f", "json")) == ["claude-x", "claude-old"]  # substring
    assert ids(cli("models", "latest", "-f", "json")) == ["alpha"]  # aliases are searched
    assert ids(cli("models", "*e*", "--provider", "acme", "-f", "json")) == [
        "alpha",
        "gem",
        "legacy",
    ]  # alpha by its alias
    assert ids(cli("models", "g*", "-f", "json")) == ["gem"]
    unknown = cli("models", "--provider", "nobody")
    assert unknown.exit_code == 1 and "unknown provider 'nobody'" in unknown.stderr


def test_no_match_is_an_error_with_suggestions(cli):
    result = cli("models", "gemm-pro")
    assert result.exit_code == 1
    assert result.stderr.startswith("tokencalc: error: no model matches 'gemm-pro'")


def test_one_model_by_alias_shows_everything(cli):
    details = as_json(cli("models", "Alpha-Latest", "--date", "2026-11-22", "-f", "json"))
    assert details["id"] == "alpha" and details["aliases"] == ["alpha-2026-01-01", "Alpha-Latest"]
    assert details["prices"] == {
        "input": "2",
        "cached_input": "0.5",
        "cache_write_5m": "2",
        "cache_write_1h": "2",
        "output": "8",
    }
    assert details["long_context"] == {
        "threshold": 100,
        "input": "4",
        "cached_input": "1",
        "cache_write_5m": "4",
        "cache_write_1h": "4",
        "output": "12",
    }
    assert (
        details["tiers"]["batch"]["multiplier"] == "0.5"
        and details["tiers"]["batch"]["input"] == "1"
    )
    assert (
        details["tiers"]["priority"]["multiplier"] is None
        and details["tiers"]["priority"]["cached_input"] == "0.75"
    )
    assert details["source"] == "https://acme.example/pricing" and details["as_of"] == "2026-11-01"
    assert details["sheet_files"] == ["pricing.toml"]
    gem = as_json(cli("models", "gem", "-f", "json"))
    assert gem["schedule"] == [
        {
            "from": "2026-12-01",
            "input": "4",
            "output": "20",
            "notes": "introductory price ends 2026-11-30",
        }
    ]
    assert (
        gem["tokenizer"]["base_encoding"] == "characters"
        and gem["tokenizer"]["source"] == "4 characters per token"
    )


def test_one_model_table(cli):
    result = cli("models", "gem", "--date", "2026-11-22")
    assert result.exit_code == 0, result.stderr
    for text in (
        "Long context (input > 200,000)",
        "Flex tier",
        "From 2026-12-01",
        "introductory price ends",
        "≈ ratio ×0.25 characters",
    ):
        assert text in result.stdout


def test_list_table_marks_estimates(cli):
    result = cli("models")
    assert result.exit_code == 0, result.stderr
    assert "≈ ×1.5 o200k_base (anthro-est)" in result.stdout
    assert "deprecated" in result.stdout


def test_models_never_builds_a_tokenizer():
    # in module_probe's one start-up process (the packaged sheet), after each of these commands
    for argv in (("models",), ("models", "--format", "json"), ("models", "gpt-6-astra")):
        ran = startup(*argv)
        assert "tokencalc.cli.commands.models" in ran.modules  # the check can fail
        assert "tiktoken" not in ran.modules, argv
        assert (ran.encodings_built, ran.rank_tables_read) == (0, 0), argv
