"""The price sheet: loading, overlay, validation messages, lookups and price resolution.

``SAMPLE_SHEET`` is a small, complete sheet with round prices; the maths tests in
test_costs.py, test_estimate.py and the CLI tests use it too, so they never depend on the
real prices in pricing.toml.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from tokencalc.cli.flags import error_message
from tokencalc.errors import PriceSheetError, TokencalcError, UnknownModelError
from tokencalc.sheet.load import load_price_sheet

SAMPLE_SHEET = """\
schema_version = 1
as_of = {as_of}
default_models = ["alpha", "claude-x", "gem"]

[providers.acme]
name = "Acme"
source = "https://acme.example/pricing"
as_of = 2026-11-01

[providers.anthro]
name = "Anthro"
source = "https://anthro.example/pricing"
as_of = 2026-10-01
notes = "cache writes 1.25x and 2x input"

[tokenizers.anthro-est]
base = "o200k_base"
ratio = 1.5
source = "measured"

[tokenizers.chars4]
base = "characters"
ratio = 0.25
source = "4 characters per token"

[models.alpha]
provider = "acme"
name = "Alpha"
tokenizer = "o200k_base"
input = 2.0
cached_input = 0.5
output = 8.0
context_window = 1000
max_output = 500
aliases = ["alpha-2026-01-01", "Alpha-Latest"]

[models.alpha.long_context]
threshold = 100
input = 4.0
output = 12.0

[models.alpha.batch]
multiplier = 0.5

[models.alpha.priority]
input = 3.0
output = 16.0

[models."claude-x"]
provider = "anthro"
name = "Claude X"
tokenizer = "anthro-est"
input = 3.0
cached_input = 0.3
cache_write_5m = 3.75
cache_write_1h = 6.0
output = 15.0
context_window = 200000
source = "https://anthro.example/claude-x"
as_of = 2026-11-15

[models."claude-x".batch]
multiplier = 0.5

[models."claude-old"]
provider = "anthro"
name = "Claude Old"
tokenizer = "anthro-est"
input = 1.0
output = 5.0
context_window = 100000
deprecated = true

[models.gem]
provider = "acme"
name = "Gem"
tokenizer = "chars4"
input = 2.0
cached_input = 0.2
output = 10.0
context_window = 1000000

[models.gem.long_context]
threshold = 200000
input = 4.0
output = 15.0

[models.gem.flex]
multiplier = 0.5

[[models.gem.schedule]]
from = 2026-12-01
input = 4.0
output = 20.0
notes = "introductory price ends 2026-11-30"

[models.legacy]
provider = "acme"
name = "Legacy"
tokenizer = "cl100k_base"
input = 0.1
output = 0.2
context_window = 8000

[plans.acme-pro]
vendor = "acme"
name = "Acme Pro"
monthly_price = 20.0
annual_monthly_price = 16.5
models = ["alpha", "gem"]
caps = "lots"
messages_per_day_cap = 100
source = "https://acme.example/pro"
as_of = 2026-11-01
"""


def sample_text(as_of: date | None = None) -> str:
    return SAMPLE_SHEET.format(as_of=(as_of or date.today()).isoformat())


def write_sample(directory: Path, as_of: date | None = None) -> Path:
    path = directory / "base.toml"
    path.write_text(sample_text(as_of), encoding="utf-8")
    return path


def load_sample(tmp_path: Path, overlay: str | None = None, *, as_of: date | None = None):
    """The sample sheet, optionally overlaid by ``overlay`` (written to tmp_path/over.toml)."""
    base = write_sample(tmp_path, as_of)
    extra = None
    if overlay is not None:
        extra = tmp_path / "over.toml"
        extra.write_text(overlay, encoding="utf-8")
    return load_price_sheet(extra, user_sheet=False, base_sheet=base)


def problems_of(tmp_path: Path, overlay: str) -> list[str]:
    with pytest.raises(PriceSheetError) as caught:
        load_sample(tmp_path, overlay)
    return caught.value.problems


@pytest.fixture
def sheet(tmp_path):
    return load_sample(tmp_path)


# --- the bundled sheet ------------------------------------------------------------------------

REPO_SHEET = Path(__file__).resolve().parents[1] / "pricing.toml"


@pytest.mark.skipif(not REPO_SHEET.exists(), reason="pricing.toml is not written yet")
def test_bundled_sheet_validates():
    sheet = load_price_sheet(user_sheet=False)
    assert sheet.models and sheet.default_models and sheet.plans
    assert set(sheet.default_models) <= set(sheet.models)
    for model in sheet.models.values():  # every model prices and tokenizes on any date
        sheet.prices_on(model, sheet.as_of)
        sheet.tokenizer_for(model)
        for tier in model.tiers:
            sheet.prices_on(model, sheet.as_of, tier)


@pytest.mark.skipif(not REPO_SHEET.exists(), reason="pricing.toml is not written yet")
def test_bundled_sheet_knows_the_product_facts():
    sheet = load_price_sheet(user_sheet=False)
    argon = sheet.resolve("gemini-4-argon")
    assert sheet.prices_on(argon, date(2026, 11, 30)).input == Decimal("2.0")
    assert sheet.prices_on(argon, date(2026, 12, 1)).input == Decimal("4.0")
    assert sheet.prices_on(argon, date(2026, 12, 1)).output == Decimal("20.0")
    assert sheet.tokenizer_for(sheet.resolve("gpt-6-astra")).estimated is False


# --- loading and overlay ----------------------------------------------------------------------


def test_floats_stay_exact_decimals(sheet):
    legacy = sheet.resolve("legacy")
    assert legacy.input == Decimal("0.1") and legacy.output == Decimal("0.2")
    assert sheet.models["claude-x"].cache_write_5m == Decimal("3.75")


def test_model_source_and_date_fall_back_to_the_provider(sheet):
    assert sheet.models["alpha"].source == "https://acme.example/pricing"
    assert sheet.models["alpha"].as_of == date(2026, 11, 1)
    assert sheet.models["claude-x"].source == "https://anthro.example/claude-x"
    assert sheet.models["claude-x"].as_of == date(2026, 11, 15)


def test_plans_are_loaded(sheet):
    plan = sheet.plans["acme-pro"]
    assert plan.models == ("alpha", "gem")
    assert plan.monthly_price == Decimal("20.0") and plan.annual_monthly_price == Decimal("16.5")
    assert plan.per_seat is False and plan.min_seats == 1 and plan.messages_per_day_cap == 100


def test_overlay_changes_one_price_only(tmp_path):
    sheet = load_sample(tmp_path, "[models.alpha]\ninput = 2.5\n")
    alpha = sheet.models["alpha"]
    assert alpha.input == Decimal("2.5")
    assert alpha.output == Decimal("8.0") and alpha.cached_input == Decimal("0.5")
    assert alpha.long_context.threshold == 100 and set(alpha.tiers) == {"batch", "priority"}
    assert alpha.files == (str(tmp_path / "base.toml"), str(tmp_path / "over.toml"))
    assert sheet.files[-1] == str(tmp_path / "over.toml")


def test_overlay_adds_a_complete_model(tmp_path):
    sheet = load_sample(
        tmp_path,
        '[models.newbie]\nprovider = "acme"\nname = "Newbie"\ntokenizer = "chars4"\n'
        "input = 1\noutput = 2\ncontext_window = 4096\n",
    )
    assert sheet.resolve("NEWBIE").input == Decimal(1)


def test_overlay_rejects_an_incomplete_new_model_naming_the_overlay(tmp_path):
    problems = problems_of(tmp_path, '[models.newbie]\nprovider = "acme"\ninput = 1\n')
    over = tmp_path / "over.toml"
    assert problems == [
        f"{over}: models.\"newbie\": missing required key 'name'",
        f"{over}: models.\"newbie\": missing required key 'tokenizer'",
        f"{over}: models.\"newbie\": missing required key 'output'",
        f"{over}: models.\"newbie\": missing required key 'context_window'",
    ]


def test_overlay_can_switch_a_tier_from_prices_to_a_multiplier(tmp_path):
    sheet = load_sample(tmp_path, "[models.alpha.priority]\nmultiplier = 2\n")
    assert sheet.models["alpha"].tiers["priority"].multiplier == Decimal(2)
    assert sheet.models["alpha"].tiers["priority"].input is None


def test_user_sheet_overlays_then_prices_file(tmp_path, monkeypatch, _isolated_environment):
    base = write_sample(tmp_path)
    (_isolated_environment / "pricing.toml").write_text("[models.alpha]\ninput = 2.5\noutput = 9\n")
    extra = tmp_path / "extra.toml"
    extra.write_text("[models.alpha]\ninput = 3.5\n[currencies]\nEUR = 0.9\n")
    sheet = load_price_sheet(extra, base_sheet=base)
    assert sheet.models["alpha"].input == Decimal("3.5")
    assert sheet.models["alpha"].output == Decimal(9)
    assert sheet.currencies == {"EUR": Decimal("0.9")}
    assert sheet.files == (str(base), str(_isolated_environment / "pricing.toml"), str(extra))
    assert load_price_sheet(extra, base_sheet=base, user_sheet=False).models[
        "alpha"
    ].output == Decimal("8.0")


def test_a_sheet_file_changed_in_the_same_process_is_read_again(tmp_path, _isolated_environment):
    # The loader reuses a sheet built from the same texts; any change to a file is seen.
    base = write_sample(tmp_path)
    user = _isolated_environment / "pricing.toml"
    user.write_text("[models.alpha]\ninput = 2.5\n")
    first = load_price_sheet(base_sheet=base)
    assert load_price_sheet(base_sheet=base) is first
    user.write_text("[models.alpha]\ninput = 2.75\n")
    assert load_price_sheet(base_sheet=base).models["alpha"].input == Decimal("2.75")
    user.write_text("[models.alpha]\ninput = 'two'\n")
    with pytest.raises(PriceSheetError, match="input"):
        load_price_sheet(base_sheet=base)
    with pytest.raises(PriceSheetError, match="input"):  # a problem is reported every time
        load_price_sheet(base_sheet=base)
    user.unlink()
    assert load_price_sheet(base_sheet=base).models["alpha"].input == Decimal("2.0")


# --- validation messages ----------------------------------------------------------------------


def test_a_non_numeric_price_names_file_entry_and_field(tmp_path):
    over = tmp_path / "over.toml"
    assert problems_of(tmp_path, '[models.alpha]\ninput = "abc"\n') == [
        f'{over}: models."alpha".input: must be a non-negative number, got "abc"'
    ]


def test_the_packaged_label_matches_the_documented_example(tmp_path, packaged_sheet):
    packaged_sheet(
        sample_text().replace(
            "input = 2.0\ncached_input = 0.5", 'input = "abc"\ncached_input = 0.5'
        )
    )
    with pytest.raises(PriceSheetError) as caught:
        load_price_sheet(user_sheet=False)
    assert (
        caught.value.message
        == 'pricing.toml: models."alpha".input: must be a non-negative number, got "abc"'
    )


@pytest.mark.parametrize(
    ("overlay", "expected"),
    [
        (
            "[models.alpha]\noutput = -1\n",
            'models."alpha".output: must be a non-negative number, got -1',
        ),
        (
            "[models.alpha]\ncached_input = true\n",
            'models."alpha".cached_input: must be a non-negative number, got true',
        ),
        (
            "[models.alpha]\ncontext_window = 1.5\n",
            'models."alpha".context_window: must be a positive integer, got 1.5',
        ),
        (
            "[models.alpha]\nmax_output = 2000\n",
            'models."alpha".max_output: must not exceed context_window (1,000), got 2,000',
        ),
        (
            "[models.alpha.long_context]\nthreshold = 0\n",
            'models."alpha".long_context.threshold: must be a positive integer, got 0',
        ),
        (
            "[tokenizers.chars4]\nratio = 0\n",
            'tokenizers."chars4".ratio: must be a positive number, got 0',
        ),
        (
            '[tokenizers.chars4]\nbase = "bytes"\n',
            'tokenizers."chars4".base: must be one of o200k_base, o200k_harmony, cl100k_base, tekken, qwen2.5, qwen3.6, deepseek-v3, characters, got "bytes"',
        ),
        (
            '[providers.acme]\nas_of = "2026-11-01"\n',
            'providers."acme".as_of: must be a date written like 2026-11-22 (unquoted), got "2026-11-01"',
        ),
        (
            "as_of = 2026-11-01T10:00:00\n",
            "as_of: must be a date written like 2026-11-22 (unquoted), got 2026-11-01T10:00:00",
        ),
        (
            '[models.alpha]\nprovider = "acne"\n',
            'models."alpha".provider: unknown provider "acne" (did you mean \'acme\'?); providers: acme, anthro',
        ),
        (
            '[models.alpha]\ntokenizer = "o100k"\n',
            'models."alpha".tokenizer: unknown tokenizer "o100k"; use one of anthro-est, chars4, cl100k_base, deepseek-v3, o200k_base, o200k_harmony, qwen2.5, qwen3.6, tekken',
        ),
        (
            '[models.alpha]\naliases = ["claude-x"]\n',
            "models.\"alpha\".aliases[0]: alias 'claude-x' is the id of model 'claude-x'",
        ),
        (
            '[models.alpha]\naliases = ["ALPHA"]\n',
            "models.\"alpha\".aliases[0]: alias 'ALPHA' repeats the model's own id",
        ),
        (
            '[models.gem]\naliases = ["alpha-latest"]\n',
            "models.\"gem\".aliases[0]: alias 'alpha-latest' is also an alias of model 'alpha'",
        ),
        (
            'default_models = ["alpha", "alfa"]\n',
            "default_models[1]: unknown model 'alfa' (did you mean alpha?)",
        ),
        (
            'default_models = ["alpha-latest"]\n',
            "default_models[0]: 'alpha-latest' is an alias; use the model id 'alpha'",
        ),
        (
            '[plans.acme-pro]\nmodels = ["alpha", "gemm"]\n',
            "plans.\"acme-pro\".models[1]: unknown model 'gemm' (did you mean gem?)",
        ),
        (
            '[plans.acme-pro]\nvendor = "nobody"\n',
            'plans."acme-pro".vendor: unknown provider "nobody"; providers: acme, anthro',
        ),
        (
            "[plans.acme-pro]\nmin_seats = 0\n",
            'plans."acme-pro".min_seats: must be a positive integer, got 0',
        ),
        (
            "[models.alpha.flex]\nmultiplier = 0.5\ninput = 1\n",
            'models."alpha".flex: give a multiplier or explicit prices, not both (found multiplier and input)',
        ),
        (
            "[models.alpha.flex]\ninput = 1\n",
            'models."alpha".flex: needs a multiplier, or explicit prices with input and output (missing output)',
        ),
        (
            "[models.alpha.batch]\ninput = 1\n",
            'models."alpha".batch: needs a multiplier, or explicit prices with input and output (missing output)',
        ),
        (
            "[[models.alpha.schedule]]\nfrom = 2027-01-01\n",
            'models."alpha".schedule[0]: must change at least one price (input, cached_input, cache_write_5m, cache_write_1h, output)',
        ),
        (
            "[currencies]\neur = 0.9\n",
            "currencies.eur: must be a three-letter upper-case currency code, e.g. EUR",
        ),
        ("[currencies]\nEUR = -1\n", "currencies.EUR: must be a positive number, got -1"),
        ("schema_version = 2\n", "schema_version: must be 1, got 2"),
    ],
)
def test_each_kind_of_broken_sheet_is_rejected_with_its_message(tmp_path, overlay, expected):
    assert problems_of(tmp_path, overlay) == [f"{tmp_path / 'over.toml'}: {expected}"]


def test_unknown_keys_are_rejected_with_the_allowed_keys(tmp_path):
    (problem,) = problems_of(tmp_path, "[models.alpha]\ninptu = 1\n")
    assert problem.startswith(
        f"{tmp_path / 'over.toml'}: models.\"alpha\".inptu: unknown key (did you mean 'input'?); allowed keys: provider, name, tokenizer, input, output, context_window, cached_input"
    )
    (top,) = problems_of(tmp_path, "defaults = []\n")
    assert "defaults: unknown key (did you mean 'default_models'?)" in top


def test_duplicate_schedule_dates_are_rejected(tmp_path):
    overlay = "[[models.alpha.schedule]]\nfrom = 2027-01-01\ninput = 1\n[[models.alpha.schedule]]\nfrom = 2027-01-01\ninput = 2\n"
    assert problems_of(tmp_path, overlay) == [
        f'{tmp_path / "over.toml"}: models."alpha".schedule[1].from: 2027-01-01 is also the date of schedule[0]'
    ]


def test_every_problem_is_collected(tmp_path):
    problems = problems_of(
        tmp_path, '[models.alpha]\ninput = "abc"\noutput = -2\n[models.gem]\nprovider = "nope"\n'
    )
    assert len(problems) == 3
    with pytest.raises(PriceSheetError) as caught:
        load_sample(tmp_path, '[models.alpha]\ninput = "abc"\noutput = -2\n')
    assert caught.value.message.startswith("2 problems in the price sheet:\n  ")


def test_a_toml_syntax_error_names_file_line_and_column(tmp_path):
    (problem,) = problems_of(tmp_path, "[models.alpha]\ninput = 2.0\noutput = \n")
    assert problem.startswith(f"{tmp_path / 'over.toml'}: line 3, column 10: invalid TOML: ")


def test_an_impossible_toml_date_is_a_syntax_error(tmp_path):
    (problem,) = problems_of(tmp_path, "as_of = 2026-13-01\n")
    assert problem.startswith(f"{tmp_path / 'over.toml'}: line 1, column ")


def test_an_unreadable_file_names_the_os_reason(tmp_path):
    base = write_sample(tmp_path)
    missing = tmp_path / "missing.toml"
    with pytest.raises(PriceSheetError) as caught:
        load_price_sheet(missing, user_sheet=False, base_sheet=base)
    assert caught.value.message == f"{missing}: cannot read: no such file or directory"
    with pytest.raises(PriceSheetError) as caught:
        load_price_sheet(tmp_path, user_sheet=False, base_sheet=base)
    assert caught.value.message == f"{tmp_path}: cannot read: is a directory"


def test_a_sheet_that_is_not_utf8_is_rejected(tmp_path):
    base = write_sample(tmp_path)
    bad = tmp_path / "latin1.toml"
    bad.write_bytes('[models.alpha]\nname = "caf\xe9"\n'.encode("latin-1"))
    with pytest.raises(PriceSheetError, match="not UTF-8 text"):
        load_price_sheet(bad, user_sheet=False, base_sheet=base)


# --- looking models up ------------------------------------------------------------------------


def test_resolve_by_id_or_alias_in_any_case(sheet):
    assert sheet.resolve("ALPHA").id == "alpha"
    assert sheet.resolve("alpha-latest").id == "alpha"
    assert sheet.resolve("Alpha-2026-01-01").id == "alpha"


def test_an_unknown_model_suggests_the_nearest_names_and_never_guesses(sheet):
    with pytest.raises(UnknownModelError) as caught:
        sheet.resolve("claude-z")
    assert caught.value.suggestions[0] == "claude-x"
    assert str(caught.value).startswith("unknown model 'claude-z' (did you mean claude-x")


def test_select_defaults_globs_providers_and_all(sheet):
    ids = lambda models: [m.id for m in models]  # noqa: E731
    assert ids(sheet.select([], [], False)) == ["alpha", "claude-x", "gem"]
    assert ids(sheet.select(["claude-*"], [], False)) == ["claude-x"]  # deprecated left out
    assert ids(sheet.select(["claude-old"], [], False)) == ["claude-old"]  # named exactly: kept
    assert ids(sheet.select(["claude-*"], [], False, include_deprecated=True)) == [
        "claude-x",
        "claude-old",
    ]
    assert ids(sheet.select(["*-LATEST"], [], False)) == ["alpha"]  # globs see aliases too
    assert ids(sheet.select(["gem"], ["anthro"], False)) == ["claude-x", "gem"]
    assert ids(sheet.select([], [], True)) == ["alpha", "claude-x", "gem", "legacy"]


def test_select_rejects_globs_matching_nothing_and_unknown_providers(sheet):
    with pytest.raises(TokencalcError, match="no model matches 'gpt-\\*'"):
        sheet.select(["gpt-*"], [], False)
    with pytest.raises(TokencalcError, match="deprecated ones \\(claude-old\\)"):
        sheet.select(["*old*"], [], False)
    with pytest.raises(TokencalcError, match="unknown provider 'openai' \\(known: acme, anthro\\)"):
        sheet.select([], ["openai"], False)


def test_a_provider_with_only_deprecated_models_is_an_error(tmp_path):
    sheet = load_sample(tmp_path, '[models."claude-x"]\ndeprecated = true\n')
    with pytest.raises(
        TokencalcError,
        match="provider 'anthro' has no current models \\(deprecated: claude-x, claude-old\\)",
    ):
        sheet.select([], ["anthro"], False)


# --- prices -----------------------------------------------------------------------------------


def test_absent_cache_prices_equal_the_input_price(sheet):
    prices = sheet.prices_on(sheet.models["legacy"], date(2026, 11, 22))
    assert prices.cached_input == prices.cache_write_5m == prices.cache_write_1h == Decimal("0.1")
    assert prices.long_context is None


def test_long_context_prices_fill_absent_ones_like_input(sheet):
    long = sheet.prices_on(sheet.models["alpha"], date(2026, 11, 22)).long_context
    assert (long.input, long.output) == (Decimal("4.0"), Decimal("12.0"))
    assert long.cached_input == Decimal("1")  # 0.5 scaled like input (×2)
    assert long.cache_write_5m == Decimal("4")  # absent write = input, scaled


def test_schedule_applies_from_its_date(sheet):
    gem = sheet.models["gem"]
    before = sheet.prices_on(gem, date(2026, 11, 30))
    after = sheet.prices_on(gem, date(2026, 12, 1))
    assert (before.input, before.output) == (Decimal("2.0"), Decimal("10.0"))
    assert (after.input, after.output) == (Decimal("4.0"), Decimal("20.0"))
    assert after.cached_input == Decimal("0.2")  # not named by the entry: unchanged
    assert before.long_context.input == Decimal("4.0")
    assert after.long_context.input == Decimal("8.0")  # follows the doubled input
    assert after.long_context.output == Decimal("30.0")


def test_tiers_multiplier_and_explicit(sheet):
    alpha, on = sheet.models["alpha"], date(2026, 11, 22)
    batch = sheet.prices_on(alpha, on, "batch")
    assert (batch.input, batch.cached_input, batch.output) == (
        Decimal("1.0"),
        Decimal("0.25"),
        Decimal("4.0"),
    )
    assert batch.long_context.input == Decimal("2.0")
    priority = sheet.prices_on(alpha, on, "priority")
    assert (priority.input, priority.cached_input, priority.output) == (
        Decimal("3.0"),
        Decimal("0.75"),
        Decimal("16.0"),
    )
    assert priority.long_context.input == Decimal("6") and priority.long_context.output == Decimal(
        "24"
    )


def test_a_tier_the_model_lacks_is_an_error_naming_its_tiers(sheet):
    with pytest.raises(TokencalcError) as caught:
        sheet.prices_on(sheet.models["alpha"], date(2026, 11, 22), "flex")
    assert caught.value.message == "model 'alpha' has no flex tier (tiers it has: batch, priority)"


# --- tokenizers, currencies, age --------------------------------------------------------------


def test_tokenizer_refs(sheet):
    exact = sheet.tokenizer_for(sheet.models["alpha"])
    assert (exact.base, exact.estimated, exact.tokens_from(100)) == ("o200k_base", False, 100)
    claude = sheet.tokenizer_for(sheet.models["claude-x"])
    assert (claude.family, claude.base, claude.ratio, claude.estimated) == (
        "anthro-est",
        "o200k_base",
        Decimal("1.5"),
        True,
    )
    assert claude.tokens_from(101) == 152  # 151.5 rounded up
    gem = sheet.tokenizer_for(sheet.models["gem"])
    assert gem.counted_with is None and gem.tokens_from(10) == 3  # 10 chars × 0.25 = 2.5 → 3


def test_exchange_rates(tmp_path):
    sheet = load_sample(tmp_path, "[currencies]\nEUR = 0.87\n")
    assert sheet.exchange_rate("usd") == Decimal(1)
    assert sheet.exchange_rate("eur") == Decimal("0.87")
    assert sheet.exchange_rate("GBP", Decimal("0.75")) == Decimal("0.75")
    with pytest.raises(TokencalcError, match="no exchange rate for JPY: give rate") as caught:
        sheet.exchange_rate("JPY")
    assert error_message(caught.value).startswith("no exchange rate for JPY: give --rate (units")


def test_age_warning_after_90_days(tmp_path):
    sheet = load_sample(tmp_path, as_of=date(2026, 1, 1))
    assert sheet.age_warning(date(2026, 4, 1)) is None  # 90 days
    warning = sheet.age_warning(date(2026, 4, 2))
    assert warning.startswith("the price sheet is 91 days old (as of 2026-01-01)")


# --- shapes, blame and names ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overlay", "expected"),
    [
        ("models = 3\n", "models: must be a table, got 3"),
        ("[[models]]\nx = 1\n", "models: must be a table, got a list"),
        ("providers = 3\n", "providers: must be a table, got 3"),
        ("tokenizers = []\n", "tokenizers: must be a table, got a list"),
    ],
)
def test_a_section_that_is_not_a_table_is_one_problem_not_a_crash_or_a_flood(
    tmp_path, overlay, expected
):
    # No follow-on "unknown provider/model" for every entry that refers to the broken section.
    assert problems_of(tmp_path, overlay) == [f"{tmp_path / 'over.toml'}: {expected}"]


def test_an_entry_that_is_not_a_table_is_named(tmp_path):
    assert problems_of(tmp_path, "[models]\nalpha = 3\n") == [
        f'{tmp_path / "over.toml"}: models."alpha": must be a table, got 3'
    ]


def test_a_tier_given_in_both_forms_is_blamed_on_the_overlay_that_added_the_other_form(tmp_path):
    # The default states alpha's batch as a multiplier; the overlay adds an explicit price.
    assert problems_of(tmp_path, "[models.alpha.batch]\nmultiplier = 0.4\ninput = 1\n") == [
        f'{tmp_path / "over.toml"}: models."alpha".batch: give a multiplier or explicit prices, not both (found multiplier and input)'
    ]


def test_a_context_window_below_the_default_max_output_is_blamed_on_the_overlay(tmp_path):
    assert problems_of(tmp_path, "[models.alpha]\ncontext_window = 400\n") == [
        f'{tmp_path / "over.toml"}: models."alpha".max_output: must not exceed context_window (400), got 500'
    ]


def test_an_overlay_names_a_model_in_any_case(tmp_path):
    sheet = load_sample(tmp_path, "[models.ALPHA]\ninput = 9\n")
    assert sheet.models["alpha"].input == Decimal(9) and "ALPHA" not in sheet.models
    assert sheet.models["alpha"].files == (str(tmp_path / "base.toml"), str(tmp_path / "over.toml"))


@pytest.mark.parametrize(
    "seeds",
    [range(3), pytest.param(range(3, 9), marks=pytest.mark.slow)],
    ids=["3-seeds", "6-more-seeds"],
)
def test_the_entry_blamed_does_not_depend_on_hash_order(tmp_path, seeds):
    import os
    import subprocess
    import sys

    base = write_sample(tmp_path)
    over = tmp_path / "over.toml"
    ids = ["Dup", "dup", "DUP", "dUp", "duP"]
    over.write_text(
        "".join(
            f'[models.{i}]\nprovider = "acme"\nname = "D"\ntokenizer = "chars4"\ninput = 1\noutput = 1\ncontext_window = 10\n'
            for i in ids
        )
    )
    script = (
        "import sys\nfrom pathlib import Path\nfrom tokencalc.errors import PriceSheetError\n"
        "from tokencalc.sheet.load import load_price_sheet\n"
        "try:\n    load_price_sheet(Path(sys.argv[1]), user_sheet=False, base_sheet=Path(sys.argv[2]))\n"
        "except PriceSheetError as exc:\n    print(exc.problems)\n"
    )
    outputs = set()
    for seed in seeds:  # one process per string-hash seed
        env = {**os.environ, "PYTHONHASHSEED": str(seed)}
        done = subprocess.run(
            [sys.executable, "-c", script, str(over), str(base)],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        outputs.add(done.stdout)
    assert len(outputs) == 1
    assert outputs.pop().strip() == str(
        [f"{over}: models.\"{i}\": id differs only in case from model 'Dup'" for i in ids[1:]]
    )


@pytest.mark.parametrize(
    ("overlay", "expected"),
    [
        (
            '[models."claude-*"]\nprovider = "acme"\nname = "C"\ntokenizer = "chars4"\ninput = 1\noutput = 1\ncontext_window = 10\n',
            'models."claude-*": not a usable model id: an id must start with a letter or digit and use only letters, digits and . _ : / @ + -',
        ),
        (
            '[models.alpha]\naliases = [" foo"]\n',
            "models.\"alpha\".aliases[0]: alias ' foo' is not a usable name: an alias must start with a letter or digit and use only letters, digits and . _ : / @ + -",
        ),
        (
            '[models.alpha]\naliases = ["ok", ""]\n',
            'models."alpha".aliases[1]: must be a non-empty string, got ""',
        ),
        (
            '[models.alpha]\naliases = ["ok", 3]\n',
            'models."alpha".aliases[1]: must be a non-empty string, got 3',
        ),
    ],
)
def test_ids_and_aliases_must_be_nameable(tmp_path, overlay, expected):
    assert problems_of(tmp_path, overlay) == [f"{tmp_path / 'over.toml'}: {expected}"]


def test_ids_like_the_packaged_ones_are_accepted(tmp_path):
    sheet = load_sample(
        tmp_path,
        '[models."meta-llama/Llama-3.3-70B"]\nprovider = "acme"\nname = "L"\ntokenizer = "chars4"\ninput = 1\noutput = 1\n'
        'context_window = 10\naliases = ["vertex_ai/llama@2025", "ft:llama+v1.2"]\n',
    )
    assert sheet.resolve("ft:llama+v1.2").id == "meta-llama/Llama-3.3-70B"


def test_a_sheet_with_a_byte_order_mark_is_read(tmp_path):
    base = write_sample(tmp_path)
    over = tmp_path / "bom.toml"
    over.write_bytes(b"\xef\xbb\xbf[models.alpha]\ninput = 2.5\n")
    assert load_price_sheet(over, user_sheet=False, base_sheet=base).models[
        "alpha"
    ].input == Decimal("2.5")


def test_the_loaded_sheet_keeps_the_files_it_merged(tmp_path):
    sheet = load_sample(tmp_path, "[models.alpha]\ninput = 2.5\n")
    assert [layer.label for layer in sheet.layers] == [
        str(tmp_path / "base.toml"),
        str(tmp_path / "over.toml"),
    ]
    assert sheet.layers[1].data == {"models": {"alpha": {"input": 2.5}}}


# --- an overlay's prices and the schedule -------------------------------------------------------


def test_a_price_an_overlay_sets_beats_the_schedule_of_the_default(tmp_path):
    # gem: 2 / 0.2 / 10 with long context 4 / 15, doubling to 4 / 20 from 2026-12-01 (default sheet).
    sheet = load_sample(tmp_path, "[models.gem]\ninput = 3\noutput = 15\n")
    gem = sheet.models["gem"]
    after = sheet.prices_on(gem, date(2026, 12, 5))
    assert (after.input, after.output) == (Decimal(3), Decimal(15))
    assert after.cached_input == Decimal("0.2")  # not overridden: the schedule still decides
    assert after.long_context.input == Decimal("4.0") and after.long_context.output == Decimal(
        "15.0"
    )  # nothing moved
    assert [
        (e.start, e.input, e.output) for e in gem.schedule
    ] == []  # the entry changed only overridden prices


def test_a_schedule_entry_keeps_the_prices_the_overlay_does_not_set(tmp_path):
    sheet = load_sample(tmp_path, "[models.gem]\ninput = 3\n")
    gem = sheet.models["gem"]
    assert [(e.start, e.input, e.output) for e in gem.schedule] == [
        (date(2026, 12, 1), None, Decimal("20.0"))
    ]
    after = sheet.prices_on(gem, date(2026, 12, 5))
    assert (after.input, after.output) == (Decimal(3), Decimal("20.0"))


def test_a_schedule_the_overlay_gives_itself_still_applies(tmp_path):
    overlay = "[models.gem]\ninput = 3\noutput = 15\n[[models.gem.schedule]]\nfrom = 2027-01-01\ninput = 5\n"
    sheet = load_sample(tmp_path, overlay)
    gem = sheet.models["gem"]
    assert sheet.prices_on(gem, date(2026, 12, 5)).input == Decimal(
        3
    )  # the default's schedule is replaced
    later = sheet.prices_on(gem, date(2027, 1, 2))
    assert (later.input, later.output) == (Decimal(5), Decimal(15))


def test_a_long_context_price_an_overlay_sets_does_not_follow_the_default_schedule(tmp_path):
    sheet = load_sample(tmp_path, "[models.gem.long_context]\ninput = 5\n")
    after = sheet.prices_on(sheet.models["gem"], date(2026, 12, 5))
    assert after.input == Decimal("4.0")  # the default's schedule applies to the standard price
    assert after.long_context.input == Decimal(5)  # the overlay's own figure
    assert after.long_context.output == Decimal(
        "30.0"
    )  # not overridden: follows the doubled output
