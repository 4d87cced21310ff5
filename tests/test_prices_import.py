"""``tokencalc prices import``: LiteLLM JSON → the sheet's units, merged into the user sheet.

tests/fixtures/litellm/model_prices.json is a LiteLLM-format file written for these tests;
tests/fixtures/litellm/base.toml stands in for the packaged sheet. URLs are served by a
local ``http.server`` on 127.0.0.1.
"""

from __future__ import annotations

import http.server
import re
import socket
import sys
import threading
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from stub_http import serving
from tokencalc.cli.phrasing import skip_reason
from tokencalc.errors import TokencalcError
from tokencalc.sheet.imports import fetch, tokenizer_guess
from tokencalc.sheet.imports import litellm as litellm_import

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

FIXTURES = Path(__file__).parent / "fixtures" / "litellm"
BASE = FIXTURES / "base.toml"
PRICES = FIXTURES / "model_prices.json"


@pytest.fixture(autouse=True)
def base_sheet(packaged_sheet):
    packaged_sheet(BASE.read_text(encoding="utf-8"))


@pytest.fixture
def user_sheet(_isolated_environment: Path) -> Path:
    return _isolated_environment / "pricing.toml"


@pytest.fixture(scope="module")
def catalog():
    return litellm_import.parse_catalog(PRICES.read_bytes(), str(PRICES))


def values(catalog, key):
    return next(m for m in catalog.models if m.key == key).values


def ok(result):
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result.stdout


def effective():
    from tokencalc.sheet.load import load_price_sheet

    return load_price_sheet()


def read_toml(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


# --- conversion -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("per_token", "per_million"),
    [
        (Decimal("1.6000000000000001e-06"), "1.6"),  # float noise in the JSON text
        (1.1e-06, "1.1"),
        (Decimal("3.0000000000000004e-07"), "0.3"),
        (Decimal("2.5e-06"), "2.5"),
        (Decimal("1.1e-06"), "1.1"),  # float maths would give 1.0999999999999999
        (Decimal("3e-08"), "0.03"),
        (Decimal("0.000015"), "15"),
        (Decimal("1e-05"), "10"),
        (0, "0"),
        ("7.5e-7", "0.75"),
    ],
)
def test_per_token_prices_become_exact_decimals_per_million(per_token, per_million):
    converted = litellm_import.per_million(per_token)
    assert isinstance(converted, Decimal) and str(converted) == per_million


@pytest.mark.parametrize("value", ["abc", "1e400", "nan", "-1e-06", True, None, [1]])
def test_a_price_that_is_not_a_number_is_a_value_error(value):
    with pytest.raises(ValueError, match=f"^{re.escape(str(value))}$"):
        litellm_import.per_million(value)


def test_prices_cache_writes_and_limits(catalog):
    assert values(catalog, "claude-opus-9") == {
        "input": Decimal("5"),
        "cached_input": Decimal("0.5"),
        "cache_write_5m": Decimal("6.25"),
        "cache_write_1h": Decimal("10"),
        "output": Decimal("25"),
        "context_window": 1_000_000,
        "max_output": 128_000,
        "long_context.threshold": 200_000,
        "long_context.input": Decimal("10"),
        "long_context.cached_input": Decimal("1"),
        "long_context.cache_write_5m": Decimal("12.5"),
        "long_context.output": Decimal("37.5"),
        "batch.multiplier": Decimal("0.5"),
    }
    assert all(
        str(v) == str(v.normalize()) or str(v).isdigit()
        for v in values(catalog, "claude-opus-9").values()
        if isinstance(v, Decimal)
    )


def test_long_context_threshold_and_tiers(catalog):
    gpt_new = values(catalog, "gpt-new")
    assert {
        k: v
        for k, v in gpt_new.items()
        if k.startswith(("long_context", "batch", "flex", "priority"))
    } == {
        "long_context.threshold": 272_000,
        "long_context.input": Decimal("5"),
        "long_context.output": Decimal("22.5"),
        "batch.multiplier": Decimal("0.5"),
        "flex.multiplier": Decimal("0.5"),  # input, output and cache reads all halve
        "priority.multiplier": Decimal("2"),
    }
    flash = next(m for m in catalog.models if m.key == "gemini/gemini-9-flash")
    assert flash.model_id == "gemini-9-flash" and flash.provider == "google"
    assert flash.values["long_context.threshold"] == 128_000  # the lowest of 128k and 200k
    assert "max_output" not in flash.values  # 2,000,000 > the context window: a placeholder
    assert flash.notes == (
        "max_output_tokens 2,000,000 exceeds the context window 1,048,576; left out",
        "long-context prices above 200,000 tokens not imported (one threshold per model)",
    )


def test_explicit_tier_prices_when_they_do_not_scale_alike():
    entry = {
        "mode": "chat",
        "litellm_provider": "openai",
        "input_cost_per_token": 2e-06,
        "output_cost_per_token": 8e-06,
        "input_cost_per_token_batches": 1e-06,
        "output_cost_per_token_batches": 6e-06,
    }
    converted = litellm_import.convert_entry(
        "x", {k: Decimal(str(v)) if isinstance(v, float) else v for k, v in entry.items()}
    )
    assert isinstance(converted, litellm_import.ImportedModel)
    assert {k: v for k, v in converted.values.items() if k.startswith("batch")} == {
        "batch.input": Decimal("1"),
        "batch.output": Decimal("6"),
    }


def test_only_chat_completion_and_responses_models_are_read(catalog):
    keys = [m.key for m in catalog.models]
    assert "sample_spec" not in keys and catalog.entries == 18
    assert {"o9-pro", "gpt-3.5-turbo-instruct", "gpt-new"} <= set(keys)
    kind = litellm_import.SkipKind.NOT_A_TEXT_MODEL
    assert {s.key: (s.kind, s.detail) for s in catalog.skipped} == {
        "text-embedding-test": (kind, "'embedding'"),
        "dall-e-test": (kind, "'image_generation'"),
        "gpt-nomode": (kind, ""),
    }
    assert {s.key: skip_reason(s) for s in catalog.skipped} == {
        "text-embedding-test": "mode 'embedding', not chat/completion/responses",
        "dall-e-test": "mode 'image_generation', not chat/completion/responses",
        "gpt-nomode": "no mode",
    }


@pytest.mark.parametrize(
    ("name", "provider", "expected"),
    [
        ("claude-3-5-sonnet-20241022", "anthropic", "claude-legacy"),
        ("claude-sonnet-4-20250514", "anthropic", "claude-legacy"),
        ("claude-opus-4-6", "anthropic", "claude-legacy"),
        ("claude-opus-4-7", "anthropic", "claude-5"),
        ("claude-sonnet-5-5", "anthropic", "claude-5"),
        ("claude-fable-5", "anthropic", "claude-5"),
        ("anthropic.claude-3-haiku-20240307-v1:0", "bedrock", "claude-legacy"),
        ("gpt-4", "openai", "cl100k_base"),
        ("gpt-5.9-mini", "openai", "o200k_base"),
        ("o9-pro", "openai", "o200k_base"),
        ("gpt-oss-120b", "groq", "o200k_harmony"),
        ("gemini-9-pro", "vertex_ai-language-models", "gemini"),
        ("meta-llama/Llama-9-70B", "together_ai", "llama3"),
        ("mystery-model", "newco", None),
        ("grok-9", "xai", None),  # the family is not in the sheet it is checked against
    ],
)
def test_tokenizer_for_new_models_from_name_and_provider(name, provider, expected):
    known = {
        "o200k_base",
        "o200k_harmony",
        "cl100k_base",
        "claude-5",
        "claude-legacy",
        "gemini",
        "llama3",
    }
    assert tokenizer_guess.guess_tokenizer(name, provider, known) == expected


def test_a_file_that_is_not_a_price_json_is_a_clear_error(tmp_path):
    with pytest.raises(
        TokencalcError, match=r"x.json: not valid JSON: Expecting value \(line 1, column 1\)"
    ):
        litellm_import.parse_catalog(b"nope", "x.json")
    with pytest.raises(TokencalcError, match="expected a JSON object of models by name"):
        litellm_import.parse_catalog(b"[1, 2]", "x.json")
    with pytest.raises(TokencalcError, match="no such file or directory"):
        fetch.read_source(str(tmp_path / "missing.json"))


# --- the command ------------------------------------------------------------------------------

EXPECTED_REPORT = [
    "added     gpt-new (openai, tokenizer o200k_base): input 2.5, cached_input 0.25, output 15, context_window 1050000, max_output 128000, long_context.threshold 272000, long_context.input 5, long_context.output 22.5, batch.multiplier 0.5, flex.multiplier 0.5, priority.multiplier 2",
    "added     o9-pro (openai, tokenizer o200k_base): input 15, output 60, context_window 200000, max_output 100000",
    "added     gpt-3.5-turbo-instruct (openai, tokenizer cl100k_base): input 1.5, output 2, context_window 8192, max_output 4096",
    "added     claude-opus-9 (anthropic, tokenizer claude-5): input 5, cached_input 0.5, cache_write_5m 6.25, cache_write_1h 10, output 25, context_window 1000000, max_output 128000, long_context.threshold 200000, long_context.input 10, long_context.cached_input 1, long_context.cache_write_5m 12.5, long_context.output 37.5, batch.multiplier 0.5",
    "added     claude-3-haiku-old (anthropic, tokenizer claude-legacy): input 0.25, cached_input 0.03, cache_write_5m 0.3, output 1.25, context_window 200000, max_output 4096",
    "added     gemini-9-flash (google, tokenizer gemini): input 0.3, output 2.5, context_window 1048576, long_context.threshold 128000, long_context.input 0.6, long_context.output 5",
    "added     meta-llama/Llama-9-70B (together_ai, tokenizer llama3): input 0.88, output 0.88, context_window 131072",
    "changed   claude-test-5: output 15 → 12",
    "changed   gem-pro: long_context.output 15 → 18",
    "note      gemini-9-flash: max_output_tokens 2,000,000 exceeds the context window 1,048,576; left out",
    "note      gemini-9-flash: long-context prices above 200,000 tokens not imported (one threshold per model)",
    "provider  together_ai: added (the sheet had no such provider)",
    "skipped   3: not a chat, completion or responses model",
    "skipped   3: the same model as another entry",
    "skipped   1: no context window (max_input_tokens or max_tokens) for a new model: gpt-no-window",
    "skipped   1: new model with no known tokenizer (give --tokenizer): mystery-model",
    "7 added, 2 changed, 1 unchanged",
]


def test_dry_run_shows_every_change_and_writes_nothing(cli, user_sheet):
    out = ok(cli("prices", "import", str(PRICES), "--dry-run"))
    lines = out.splitlines()
    assert (
        lines[0]
        == f"{PRICES.resolve()}: 18 entries, 15 chat/completion/responses models, 15 selected"
    )
    assert lines[1:-1] == EXPECTED_REPORT
    assert lines[-1] == "dry run: nothing written"
    assert not user_sheet.exists()


def test_import_merges_then_a_reimport_changes_nothing(cli, user_sheet):
    user_sheet.write_text(
        '[models.gpt-test]\nnotes = "mine"\n\n[currencies]\nEUR = 0.87\n', encoding="utf-8"
    )
    out = ok(cli("prices", "import", str(PRICES)))
    assert out.splitlines()[1:-1] == EXPECTED_REPORT
    assert out.splitlines()[-1] == f"saved {user_sheet} (previous version: {user_sheet}.bak)"
    data = tomllib.loads(user_sheet.read_text(encoding="utf-8"))
    assert data["models"]["gpt-test"] == {"notes": "mine"} and data["currencies"] == {
        "EUR": 0.87
    }  # untouched
    assert data["models"]["claude-test-5"] == {
        "output": 12.0,
        "source": str(PRICES.resolve()),
        "as_of": date.today(),
    }
    assert data["providers"]["together_ai"] == {
        "name": "together_ai",
        "source": str(PRICES.resolve()),
        "as_of": date.today(),
    }

    sheet = effective()
    opus = sheet.models["claude-opus-9"]
    assert (opus.input, opus.cache_write_5m, opus.cache_write_1h, opus.output) == (
        Decimal("5.0"),
        Decimal("6.25"),
        Decimal("10.0"),
        Decimal("25.0"),
    )
    assert (opus.tokenizer, opus.long_context.threshold, opus.long_context.cached_input) == (
        "claude-5",
        200000,
        Decimal("1.0"),
    )
    assert sheet.prices_on(opus, date.today(), "batch").input == Decimal("2.5")
    assert sheet.models["gem-pro"].long_context.output == 18 and sheet.models["gem-pro"].tiers[
        "batch"
    ].input == Decimal("0.625")
    assert sheet.models["claude-test-5"].output == 12

    written = user_sheet.read_bytes()
    again = ok(cli("prices", "import", str(PRICES)))
    assert again.splitlines()[-2:] == [
        "0 added, 0 changed, 10 unchanged",
        "nothing to write: your sheet already has these prices",
    ]
    assert user_sheet.read_bytes() == written


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--provider", "anthropic"], ["claude-opus-9", "claude-3-haiku-old", "claude-test-5"]),
        (
            ["--provider", "google"],
            ["gemini-9-flash", "gem-pro"],
        ),  # the sheet's id for LiteLLM's "gemini"
        (
            ["--provider", "gemini", "--provider", "together_ai"],
            ["gemini-9-flash", "meta-llama/Llama-9-70B", "gem-pro"],
        ),
        (["--match", "claude-*"], ["claude-opus-9", "claude-3-haiku-old", "claude-test-5"]),
        (["--match", "gemini/*"], ["gemini-9-flash", "gem-pro"]),
        (["--provider", "openai", "--match", "gpt-*"], ["gpt-new", "gpt-3.5-turbo-instruct"]),
    ],
)
def test_provider_and_glob_select_models(cli, user_sheet, args, expected):
    out = ok(cli("prices", "import", str(PRICES), "--dry-run", *args))
    touched = [
        line.split()[1].rstrip(":")
        for line in out.splitlines()
        if line.startswith(("added ", "changed "))
    ]
    assert touched == expected


def test_nothing_selected_is_an_error_naming_the_providers(cli):
    result = cli("prices", "import", str(PRICES), "--provider", "cohere")
    assert result.exit_code == 1
    assert (
        "no chat, completion or responses model in" in result.stderr
        and "matches --provider cohere" in result.stderr
    )
    assert (
        "(its providers: anthropic, azure, gemini, newco, openai, text-completion-openai, together_ai, vertex_ai-language-models)"
        in result.stderr
    )


def test_tokenizer_option_for_new_models(cli, user_sheet):
    out = ok(
        cli(
            "prices", "import", str(PRICES), "--match", "mystery-model", "--tokenizer", "o200k_base"
        )
    )
    assert (
        "added     mystery-model (newco, tokenizer o200k_base): input 1.1, output 3.3, context_window 8192"
        in out
    )
    model = effective().models["mystery-model"]
    assert (model.input, model.output, model.provider) == (Decimal("1.1"), Decimal("3.3"), "newco")
    result = cli("prices", "import", str(PRICES), "--tokenizer", "o300k")
    assert result.exit_code == 1 and "unknown tokenizer 'o300k'" in result.stderr


def test_limits_of_known_models_change_only_when_asked(cli, user_sheet):
    assert "changed   gpt-test" not in ok(
        cli("prices", "import", str(PRICES), "--match", "gpt-test", "--dry-run")
    )
    out = ok(cli("prices", "import", str(PRICES), "--match", "gpt-test", "--update-limits"))
    assert "changed   gpt-test: context_window 400000 → 272000" in out
    assert effective().models["gpt-test"].context_window == 272000


def write_json(directory: Path, entries: dict[str, Any]) -> Path:
    import json

    path = directory / "prices.json"
    path.write_text(json.dumps(entries), encoding="utf-8")
    return path


def chat(
    provider: str, input_price: float | str, output_price: float, **more: object
) -> dict[str, Any]:
    return {
        "mode": "chat",
        "litellm_provider": provider,
        "input_cost_per_token": input_price,
        "output_cost_per_token": output_price,
        **more,
    }


def test_a_bad_entry_is_skipped_with_its_reason_and_the_others_are_imported(
    cli, user_sheet, tmp_path
):
    source = write_json(
        tmp_path,
        {
            "claude-test-5": chat(
                "anthropic",
                3e-06,
                1.5e-05,
                input_cost_per_token_above_0k_tokens=6e-06,
                output_cost_per_token_above_0k_tokens=3e-05,
            ),
            "gpt-test": chat("openai", 1.25e-06, 1.1e-05),
            "cheap-model": chat("openai", "abc", 1e-06, max_input_tokens=1000),
            "odd model": chat("openai", 1e-06, 1e-06, max_input_tokens=1000),
            "flexy": chat(
                "openai",
                1e-06,
                1e-06,
                max_input_tokens=1000,
                input_cost_per_token_flex="x",
                output_cost_per_token_flex=5e-07,
            ),
        },
    )
    for args in (["--dry-run"], []):
        lines = ok(cli("prices", "import", str(source), *args)).splitlines()
        assert "changed   gpt-test: output 10 → 11" in lines
        assert (
            "skipped   1: long-context prices above 0 tokens (…_above_0k_tokens): not a usable threshold: claude-test-5"
            in lines
        )
        assert "skipped   1: price 'abc' is not a non-negative number: cheap-model" in lines
        assert (
            "skipped   1: not a usable model id (spaces or other characters a sheet id cannot have): odd model"
            in lines
        )
        assert "skipped   1: flex price 'x' is not a non-negative number: flexy" in lines
    assert (
        effective().models["gpt-test"].output == 11
        and effective().models["claude-test-5"].long_context is None
    )


def test_a_file_with_nothing_importable_says_why(cli, user_sheet, tmp_path):
    source = write_json(
        tmp_path,
        {
            "claude-test-5": chat(
                "anthropic",
                3e-06,
                1.5e-05,
                input_cost_per_token_above_0k_tokens=6e-06,
                output_cost_per_token_above_0k_tokens=3e-05,
            )
        },
    )
    err = cli("prices", "import", str(source)).stderr
    assert (
        "can be imported; skipped claude-test-5: long-context prices above 0 tokens" in err
        and not user_sheet.exists()
    )


def test_a_merge_the_sheet_would_reject_skips_that_model_only(cli, user_sheet, tmp_path):
    # A context window below the model's max output: the validator says no, for this model only.
    source = write_json(
        tmp_path,
        {
            "gpt-test": chat("openai", 1.25e-06, 1e-05, max_input_tokens=100000),
            "claude-test-5": chat("anthropic", 3e-06, 1.2e-05),
        },
    )
    out = ok(cli("prices", "import", str(source), "--update-limits"))
    assert "changed   claude-test-5: output 15 → 12" in out
    assert (
        'skipped   1: the sheet would not accept it: models."gpt-test".max_output: must not exceed context_window (100,000), got 128,000: gpt-test'
        in out
    )
    assert effective().models["gpt-test"].context_window == 400000


def test_a_multiplier_never_writes_tier_prices_the_entry_does_not_state(cli, user_sheet, tmp_path):
    # The sheet keeps the standard cache rate in batch (as OpenAI's GPT-4.1); LiteLLM halves input and output.
    user_sheet.write_text("[models.gem-pro.batch]\ncached_input = 0.125\n", encoding="utf-8")
    source = write_json(
        tmp_path,
        {
            "gemini/gem-pro": chat(
                "gemini",
                1.25e-06,
                1e-05,
                cache_read_input_token_cost=1.25e-07,
                input_cost_per_token_batches=6.25e-07,
                output_cost_per_token_batches=5e-06,
            )
        },
    )
    out = ok(cli("prices", "import", str(source), "--dry-run"))
    assert "0 added, 0 changed, 1 unchanged" in out
    source = write_json(
        tmp_path,
        {
            "gemini/gem-pro": chat(
                "gemini",
                1.25e-06,
                1e-05,
                cache_read_input_token_cost=1.25e-07,
                input_cost_per_token_batches=5e-07,
                output_cost_per_token_batches=4e-06,
            )
        },
    )
    assert "changed   gem-pro: batch.input 0.625 → 0.5, batch.output 5 → 4" in ok(
        cli("prices", "import", str(source))
    )
    assert read_toml(user_sheet)["models"]["gem-pro"]["batch"] == {
        "cached_input": 0.125,
        "input": 0.5,
        "output": 4.0,
    }


def test_a_tier_is_a_multiplier_only_when_it_gives_every_stated_price_exactly():
    entry = chat(
        "openai",
        7.5e-07,
        4.5e-06,
        input_cost_per_token_priority=1.3e-06,
        output_cost_per_token_priority=7.8e-06,
        input_cost_per_token_flex=3.75e-07,
        output_cost_per_token_flex=2.25e-06,
    )
    converted = litellm_import.convert_entry("m", entry)
    assert isinstance(converted, litellm_import.ImportedModel)
    tiers = {k: str(v) for k, v in converted.values.items() if "." in k}
    assert tiers == {
        "flex.multiplier": "0.5",
        "priority.input": "1.3",
        "priority.output": "7.8",
    }  # 1.3 / 0.75 = 1.7333…
    assert {k: str(v) for k, v in converted.tier_prices["flex"].items()} == {
        "input": "0.375",
        "output": "2.25",
    }


def test_float_noise_is_rounded_away_and_a_reimport_writes_nothing(cli, user_sheet, tmp_path):
    user_sheet.write_text("[currencies]\nEUR = 0.87\n", encoding="utf-8")
    source = tmp_path / "noisy.json"
    source.write_text(
        '{"gpt-test": '
        + json_text(chat("openai", 0.0, 1e-05)).replace("0.0", "1.6000000000000001e-06", 1)
        + "}",
        encoding="utf-8",
    )
    assert "changed   gpt-test: input 1.25 → 1.6" in ok(cli("prices", "import", str(source)))
    backup = user_sheet.with_name("pricing.toml.bak")
    written, kept = user_sheet.read_bytes(), backup.read_bytes()
    again = ok(cli("prices", "import", str(source)))
    assert again.splitlines()[-2:] == [
        "0 added, 0 changed, 1 unchanged",
        "nothing to write: your sheet already has these prices",
    ]
    assert (
        user_sheet.read_bytes() == written
        and backup.read_bytes() == kept == b"[currencies]\nEUR = 0.87\n"
    )


def json_text(entry: dict[str, Any]) -> str:
    import json

    return json.dumps(entry)


def test_a_long_context_threshold_one_below_litellms_is_kept(cli, user_sheet, tmp_path):
    # xAI's "≥ 200k" is stored as 199999 (docs/pricing-sources.md); LiteLLM says "above 200k".
    user_sheet.write_text("[models.gem-pro.long_context]\nthreshold = 199999\n", encoding="utf-8")
    lc = {
        "input_cost_per_token_above_200k_tokens": 2.5e-06,
        "output_cost_per_token_above_200k_tokens": 1.5e-05,
        "cache_read_input_token_cost": 1.25e-07,
    }
    source = write_json(tmp_path, {"gemini/gem-pro": chat("gemini", 1.25e-06, 1e-05, **lc)})
    assert "0 added, 0 changed, 1 unchanged" in ok(cli("prices", "import", str(source)))
    lc["output_cost_per_token_above_200k_tokens"] = 1.8e-05
    source = write_json(tmp_path, {"gemini/gem-pro": chat("gemini", 1.25e-06, 1e-05, **lc)})
    assert "changed   gem-pro: long_context.output 15 → 18" in ok(
        cli("prices", "import", str(source))
    )
    assert effective().models["gem-pro"].long_context.threshold == 199999


def test_a_zero_cache_write_price_means_not_stated(cli, user_sheet, tmp_path):
    source = write_json(
        tmp_path,
        {
            "claude-test-5": chat(
                "anthropic",
                3e-06,
                1.5e-05,
                cache_read_input_token_cost=3e-07,
                cache_creation_input_token_cost=0.0,
            ),
            "deepseek/deepseek-new": chat(
                "deepseek",
                3e-07,
                1.2e-06,
                cache_creation_input_token_cost=0.0,
                max_input_tokens=1000,
                litellm_provider="deepseek",
            ),
        },
    )
    out = ok(cli("prices", "import", str(source), "--tokenizer", "o200k_base"))
    assert (
        "added     deepseek-new (deepseek, tokenizer o200k_base): input 0.3, output 1.2, context_window 1000"
        in out
    )
    assert "changed   claude-test-5" not in out
    sheet = effective()
    assert (
        sheet.models["claude-test-5"].cache_write_5m == Decimal("3.75")
        and sheet.models["deepseek-new"].cache_write_5m is None
    )


# --- URLs -------------------------------------------------------------------------------------


_RELEASE_SLOW = threading.Event()


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # http.server calls it by this name
        if self.path == "/not-http":
            self.wfile.write(b"NOT HTTP AT ALL\r\n\r\n")
            return
        if self.path == "/slow.json":
            _RELEASE_SLOW.wait(60)  # no answer while the test runs (released at teardown)
        if self.path in ("/model_prices.json", "/slow.json"):
            body = PRICES.read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except OSError:
                pass
            return
        self.send_error(404, "Not Found")

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    with serving(_Handler, release=_RELEASE_SLOW) as url:
        yield url


def test_import_from_a_url(cli, user_sheet, server):
    url = f"{server}/model_prices.json"
    out = ok(cli("prices", "import", url, "--dry-run"))
    assert (
        out.splitlines()[0]
        == f"{url}: 18 entries, 15 chat/completion/responses models, 15 selected"
    )
    assert out.splitlines()[1:-1] == EXPECTED_REPORT
    ok(cli("prices", "import", url, "--provider", "anthropic"))
    assert effective().models["claude-opus-9"].source == url


def test_url_errors_are_one_clear_line(cli, server):
    result = cli("prices", "import", f"{server}/missing.json")
    assert (result.exit_code, result.stderr) == (
        1,
        f"tokencalc: error: cannot fetch {server}/missing.json: HTTP 404 Not Found\n",
    )


def test_a_closed_port_fails_at_once(cli):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.monotonic()
    result = cli("prices", "import", f"http://127.0.0.1:{port}/prices.json")
    assert time.monotonic() - started < 5
    assert result.exit_code == 1
    assert result.stderr == (
        f"tokencalc: error: cannot fetch http://127.0.0.1:{port}/prices.json: connection refused "
        "(are you offline? a local file works too)\n"
    )


def test_a_server_that_does_not_answer_times_out(cli, server):
    started = time.monotonic()
    result = cli("prices", "import", f"{server}/slow.json", "--timeout", "0.3")
    # The server answers only once the test is over: an exit before that is the timeout's.
    assert time.monotonic() - started < 30
    assert result.exit_code == 1
    assert (
        result.stderr
        == f"tokencalc: error: cannot fetch {server}/slow.json: no answer within 0.3 s (--timeout)\n"
    )


def test_a_server_that_does_not_speak_http_is_one_clear_line(cli, server):
    result = cli("prices", "import", f"{server}/not-http")
    assert result.exit_code == 1
    assert (
        result.stderr
        == f"tokencalc: error: cannot fetch {server}/not-http: not a valid HTTP answer (BadStatusLine: 'NOT HTTP AT ALL')\n"
    )


def test_a_malformed_url_is_one_clear_line(cli):
    result = cli("prices", "import", "http://[::1")
    assert (result.exit_code, result.stderr) == (
        1,
        "tokencalc: error: cannot fetch http://[::1: not a valid URL (invalid ipv6 url)\n",
    )
