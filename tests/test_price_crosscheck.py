"""Every current price in the packaged sheet agrees with genai-prices and LiteLLM, or is explained.

genai-prices is in the ``test`` extra (so CI runs this); LiteLLM is not (its install pulls
dozens of packages), so its half runs when ``litellm`` is installed, or when
``TOKENCALC_LITELLM_JSON`` names a copy of its ``model_prices_and_context_window_backup.json``,
and is skipped otherwise. A difference fails the test unless docs/pricing-sources.md lists it
in its "Explained differences" table (model, field, source, sheet value, source value, why).
A table row that no longer matches a difference fails too, so the list stays true.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tokencalc.sheet.load import load_price_sheet
from tokencalc.sheet.price_sheet import PriceSheet

DOCS = Path(__file__).resolve().parents[1] / "docs" / "pricing-sources.md"
MILLION = Decimal(1_000_000)
#: A weekday peak hour: DeepSeek's sheet prices are its peak prices.
WHEN = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)
FIELDS = ("input", "cached_input", "cache_write_5m", "cache_write_1h", "output")
GENAI_PROVIDER = {
    "openai": "openai", "anthropic": "anthropic", "google": "google", "xai": "x-ai", "mistral": "mistral",
    "deepseek": "deepseek", "groq": "groq", "perplexity": "perplexity", "together": "together",
}  # fmt: skip
GENAI_FIELDS = {"input": "input_mtok", "cached_input": "cache_read_mtok", "cache_write_5m": "cache_write_mtok",
                "cache_write_1h": "cache_write_1h_mtok", "output": "output_mtok"}  # fmt: skip
LITELLM_PREFIX = {
    "openai": "", "anthropic": "", "google": "gemini/", "xai": "xai/", "mistral": "mistral/", "deepseek": "deepseek/",
    "groq": "groq/", "perplexity": "perplexity/", "together": "together_ai/",
}  # fmt: skip
LITELLM_FIELDS = {"input": "input_cost_per_token", "cached_input": "cache_read_input_token_cost",
                  "cache_write_5m": "cache_creation_input_token_cost",
                  "cache_write_1h": "cache_creation_input_token_cost_above_1hr", "output": "output_cost_per_token"}  # fmt: skip


@pytest.fixture(scope="module")
def sheet() -> PriceSheet:
    return load_price_sheet(user_sheet=False)


def explained() -> set[tuple[str, str, str]]:
    """(model, field, source) rows of the documented list of explained differences."""
    text = DOCS.read_text(encoding="utf-8")
    section = text.split("## Explained differences", 1)[1].split("\n## ", 1)[0]
    rows = set()
    for line in section.splitlines():
        cells = [cell.strip().strip("`") for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 6 and cells[0] not in ("Model", "") and not set(cells[0]) <= {"-", " "}:
            rows.add((cells[0], cells[1], cells[2]))
    return rows


def sheet_prices(sheet: PriceSheet, model_id: str) -> dict[str, Decimal]:
    model = sheet.models[model_id]
    prices = sheet.prices_on(model, WHEN.date())
    raw = {name: getattr(model, name) for name in FIELDS}
    # only the prices the sheet states (absent cache prices are "same as input", not a claim)
    stated = {
        name
        for name in FIELDS
        if raw[name] is not None or any(getattr(e, name) is not None for e in model.schedule)
    }
    return {name: getattr(prices, name) for name in FIELDS if name in stated}


def _same(a: Decimal, b: Decimal) -> bool:
    return abs(a - b) <= Decimal("0.000001")


# --- genai-prices -------------------------------------------------------------------------------


def genai_differences(sheet: PriceSheet) -> set[tuple[str, str, str]]:
    from genai_prices import data
    from genai_prices.types import TieredPrices

    providers = {provider.id: provider for provider in data.providers}
    found = set()
    for model_id, model in sheet.models.items():
        if model.deprecated:
            continue
        provider = providers.get(GENAI_PROVIDER.get(model.provider, ""))
        if provider is None:
            continue
        names = [model_id, *model.aliases]
        match = next((m for m in provider.models for name in names if m.is_match(name)), None)
        if match is None:
            found.add((model_id, "*", "genai-prices"))
            continue
        price = match.get_prices(WHEN)
        for name, value in sheet_prices(sheet, model_id).items():
            theirs = getattr(price, GENAI_FIELDS[name], None)
            if isinstance(theirs, TieredPrices):
                theirs = theirs.base
            if theirs is None:
                continue
            if not _same(Decimal(str(theirs)), value):
                found.add((model_id, name, "genai-prices"))
    return found


@pytest.mark.skipif(
    importlib.util.find_spec("genai_prices") is None, reason="genai-prices not installed"
)
def test_every_current_price_agrees_with_genai_prices_or_is_explained(sheet):
    documented = {row for row in explained() if row[2] == "genai-prices"}
    differences = genai_differences(sheet)
    unexplained = sorted(differences - documented)
    assert not unexplained, (
        f"differences from genai-prices not in docs/pricing-sources.md: {unexplained}"
    )
    stale = sorted(documented - differences)
    assert not stale, f"docs/pricing-sources.md explains differences that no longer exist: {stale}"


# --- LiteLLM ------------------------------------------------------------------------------------


def litellm_json() -> Path | None:
    given = os.environ.get("TOKENCALC_LITELLM_JSON")
    if given:
        return Path(given)
    spec = importlib.util.find_spec("litellm")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = (
        Path(next(iter(spec.submodule_search_locations)))
        / "model_prices_and_context_window_backup.json"
    )
    return path if path.exists() else None


def litellm_differences(sheet: PriceSheet, table: dict[str, Any]) -> set[tuple[str, str, str]]:
    found = set()
    for model_id, model in sheet.models.items():
        if model.deprecated:
            continue
        prefix = LITELLM_PREFIX.get(model.provider)
        if prefix is None:
            continue
        entry = None
        for name in (model_id, *model.aliases):
            entry = table.get(f"{prefix}{name}") or table.get(name) if prefix else table.get(name)
            if entry:
                break
        if not entry:
            found.add((model_id, "*", "litellm"))
            continue
        for name, value in sheet_prices(sheet, model_id).items():
            theirs = entry.get(LITELLM_FIELDS[name])
            if not isinstance(theirs, (int, float)):
                continue
            if not _same(Decimal(str(theirs)) * MILLION, value):
                found.add((model_id, name, "litellm"))
    return found


def test_every_current_price_agrees_with_litellm_or_is_explained(sheet):
    path = litellm_json()
    if path is None:
        pytest.skip(
            "LiteLLM not installed (set TOKENCALC_LITELLM_JSON to its price JSON to run this)"
        )
    table = json.loads(path.read_text(encoding="utf-8"))
    documented = {row for row in explained() if row[2] == "litellm"}
    differences = litellm_differences(sheet, table)
    unexplained = sorted(differences - documented)
    assert not unexplained, (
        f"differences from LiteLLM not in docs/pricing-sources.md: {unexplained}"
    )
    stale = sorted(documented - differences)
    assert not stale, f"docs/pricing-sources.md explains differences that no longer exist: {stale}"


def test_the_explained_list_is_well_formed(sheet):
    rows = explained()
    assert rows, "docs/pricing-sources.md has no Explained differences table"
    for model_id, field, source in rows:
        assert model_id in sheet.models, f"explained difference names unknown model {model_id!r}"
        assert field in (*FIELDS, "*"), f"bad field {field!r} for {model_id}"
        assert source in ("genai-prices", "litellm"), f"bad source {source!r} for {model_id}"
    assert re.search(r"## Explained differences", DOCS.read_text(encoding="utf-8"))
