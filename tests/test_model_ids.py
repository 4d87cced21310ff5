"""Model ids as gateways, clouds and logs write them resolve through one rule (never a guess)."""

from __future__ import annotations

import pytest

from tokencalc.errors import UnknownModelError
from tokencalc.sheet.load import load_price_sheet
from tokencalc.sheet.model_ids import candidates


@pytest.fixture(scope="module")
def sheet():
    return load_price_sheet(user_sheet=False)


REAL_WORLD = [
    # Bedrock (model ids and cross-region inference profiles)
    ("anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5"),
    ("us.anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5"),
    ("eu.anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5"),
    ("apac.anthropic.claude-sonnet-4-20250514-v1:0", "claude-sonnet-4-0"),
    ("global.anthropic.claude-opus-4-5-20251101-v1:0", "claude-opus-4-5"),
    ("us.anthropic.claude-opus-4-1-20250805-v1:0", "claude-opus-4-1"),
    ("bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5"),
    ("openai.gpt-oss-120b-1:0", "gpt-oss-120b"),
    # Vertex AI
    ("claude-sonnet-4-5@20250929", "claude-sonnet-4-5"),
    ("claude-opus-4-1@20250805", "claude-opus-4-1"),
    ("vertex_ai/claude-sonnet-4-5@20250929", "claude-sonnet-4-5"),
    # OpenRouter (vendor/model, dots in versions)
    ("anthropic/claude-sonnet-4.5", "claude-sonnet-4-5"),
    ("openrouter/anthropic/claude-opus-4.6", "claude-opus-4-6"),
    ("x-ai/grok-4.20", "grok-4.20"),
    ("google/gemini-2.5-pro", "gemini-2.5-pro"),
    ("deepseek/deepseek-chat", "deepseek-chat"),
    # LiteLLM provider routes
    ("openai/gpt-5", "gpt-5"),
    ("gemini/gemini-2.5-flash", "gemini-2.5-flash"),
    ("xai/grok-4.20", "grok-4.20"),
    ("anthropic/claude-opus-4-8", "claude-opus-4-8"),
    # Gemini API resource names
    ("models/gemini-2.5-pro", "gemini-2.5-pro"),
    # dated snapshots and -latest
    ("gpt-5.5-2026-04-24", "gpt-5.5"),
    ("gpt-6-astra-2026-09-03", "gpt-6-astra"),
    ("claude-sonnet-4-5-latest", "claude-sonnet-4-5"),
    ("CLAUDE-SONNET-4-5-LATEST", "claude-sonnet-4-5"),
    # a snapshot the sheet prices apart wins over the base model
    ("gpt-4o-2024-05-13", "gpt-4o-2024-05-13"),
    ("gpt-4o-2024-08-06", "gpt-4o"),
]


@pytest.mark.parametrize(("written", "model_id"), REAL_WORLD)
def test_real_world_ids_resolve(sheet, written, model_id):
    assert sheet.resolve(written).id == model_id


@pytest.mark.parametrize(
    "written",
    [
        "gpt-9",
        "anthropic/claude-sonnet-9",
        "mistral-large-2411",  # a four-digit version tag is never taken for a snapshot date
        "us.anthropic.claude-nonexistent-v1:0",
        "claude-sonnet-4-5:free",
        "openrouter/",
    ],
)
def test_unknown_ids_stay_unknown(sheet, written):
    with pytest.raises(UnknownModelError):
        sheet.resolve(written)


def test_exact_names_are_tried_before_any_rewrite():
    # the rule lists rewritten forms only; the name as written is looked up first by the sheet
    assert "gpt-5" not in [form.lower() for form in candidates("gpt-5")]
    assert candidates("openai/gpt-5")[0] == "gpt-5"


def test_resolution_is_reported(sheet):
    model, form = sheet.resolve_form("us.anthropic.claude-sonnet-4-5-20250929-v1:0")
    assert model.id == "claude-sonnet-4-5" and form == "claude-sonnet-4-5-20250929"
    assert sheet.resolve_form("gpt-5")[1] is None
