"""How ``plans`` turns a profile's o200k_base counts into each model's tokens, and says so.

A profile has no text, so an estimated family takes its single ratio. The ratios are English
prose figures; the one English text with recorded ``count_tokens`` answers (the UDHR, in the
fixture ctok published) checks them here against Anthropic's own counts.
"""

from __future__ import annotations

import json
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest

import claude_recorded
from tokencalc.counting.encodings import TokenizerRef, get_encoding
from tokencalc.plans.conversation import model_tokens, profile_count
from tokencalc.tokenizers.tokenizer_families import FamilyCounting

ROOT = Path(__file__).resolve().parents[1]
FAMILIES = tomllib.loads((ROOT / "pricing.toml").read_text(encoding="utf-8"))["tokenizers"]


def test_labels_say_how_a_profile_count_was_made():
    exact = TokenizerRef(family="o200k_harmony", base="o200k_harmony")
    assert profile_count(exact) == ("exact", "exact (o200k_harmony)")
    tekken = TokenizerRef(family="tekken", base="tekken")
    assert profile_count(tekken) == (
        "estimated",
        "estimated (o200k_base count used as the tekken count: no text to count)",
    )
    ratio = TokenizerRef(family="claude-5", base="o200k_base", ratio=Decimal("1.5"), estimated=True)
    assert profile_count(ratio) == ("estimated", "estimated (ratio ×1.5 o200k_base)")
    guess = TokenizerRef(
        family="grok",
        base="o200k_base",
        ratio=Decimal("1.10"),
        estimated=True,
        counting=FamilyCounting(unmeasured=True),
    )
    assert profile_count(guess) == ("estimated", "estimated (ratio ×1.1 o200k_base, unmeasured)")
    chars = TokenizerRef(family="old", base="characters", ratio=Decimal("0.25"), estimated=True)
    assert profile_count(chars) == (
        "estimated",
        "estimated (ratio ×0.25 characters, 4 characters a o200k_base token)",
    )
    # and the count is what the label says: 150 o200k_base tokens × 1.5 = 225, 150 × 4 × 0.25
    assert (model_tokens(ratio, 150), model_tokens(chars, 150), model_tokens(tekken, 150)) == (
        225,
        150,
        150,
    )


@pytest.mark.parametrize(
    ("family", "model", "frame"), [("claude-legacy", "v3", 7), ("claude-5", "v5", 6)]
)
def test_the_claude_ratios_hold_on_recorded_english_prose(family, model, frame):
    """Within 5% of Anthropic's own count of the English UDHR (content tokens: frame left out)."""
    documents = claude_recorded.recorded()["documents"]
    (english,) = [d for d in documents if d["corpus"] == "udhr" and d["id"] == "eng"]
    recorded = english["recorded"][model] - frame
    o200k = len(get_encoding("o200k_base").encode_ordinary(english["text"]))
    assert o200k == 1888 and recorded == {"v3": 2025, "v5": 2947}[model]  # the docs' figures
    scaled = o200k * Decimal(str(FAMILIES[family]["ratio"]))
    assert abs(scaled - recorded) / recorded <= Decimal("0.05")


def test_plans_rows_say_how_the_stand_in_was_counted(cli):
    result = cli("plans", "-P", "claude-pro", "-P", "chatgpt-plus", "-f", "json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    rows = {row["plan"]: row for row in document["rows"]}
    claude = rows["claude-pro"]
    family = FAMILIES["claude-5"]
    assert (claude["count_method"], claude["how_counted"], claude["tokenizer_source"]) == (
        "estimated",
        f"estimated (ratio ×{Decimal(str(family['ratio'])).normalize():f} o200k_base)",
        family["source"],
    )
    openai = rows["chatgpt-plus"]
    assert (openai["count_method"], openai["how_counted"], openai["tokenizer_source"]) == (
        "exact",
        "exact (o200k_base)",
        None,
    )
    sentence = next(a for a in document["assumptions"] if a.startswith("token counts are"))
    assert f"claude-5 ×1.5 o200k_base for {claude['model']}" in sentence
    assert "single ratio" in sentence


# --- a sample message is text: counted on each model as estimate counts it ----------------------

SAMPLE = (
    "请把这份会议记录整理成简短的摘要，并列出行动项和负责人。会议记录：预算已批准，发布推迟到周五。"
)


def test_a_sample_message_is_counted_on_each_model(tmp_path):
    from datetime import date

    from tokencalc.plans.core import compare_plans
    from tokencalc.plans.profile import UsageProfile
    from tokencalc.sheet.load import load_price_sheet
    from tokencalc.tokenizers import claude_reconstruction, claude_tiling
    from tokencalc.tokenizers.token_classes import CLASSES, piece_table

    sheet = load_price_sheet()
    plans = [sheet.resolve_plan(p) for p in ("claude-pro", "le-chat-pro", "google-ai-pro")]
    o200k = len(get_encoding("o200k_base").encode_ordinary(SAMPLE))
    profile = UsageProfile(message_tokens=o200k, sample="sample.txt", sample_text=SAMPLE)
    claude_reconstruction.reset_budget()
    rows = {
        row.plan.id: row for row in compare_plans(sheet, plans, profile, on=date(2026, 11, 30)).rows
    }
    # the references, one by one: Claude's reconstruction, the tekken vocabulary, and Gemini's
    # per-class formula by hand (piece code → the sheet's gemma3 ratio, summed, rounded up)
    gemma = FAMILIES["gemini"]["gemma3_classes"]
    pieces = piece_table()
    by_hand = sum(
        (
            Decimal(str(gemma[CLASSES[pieces[i] // 6]][pieces[i] % 6]))
            for i in get_encoding("o200k_base").encode_ordinary(SAMPLE)
        ),
        Decimal(0),
    )
    expected = {
        "claude-pro": claude_tiling.content_tokens("claude-v4.8", SAMPLE),
        "le-chat-pro": len(get_encoding("tekken").encode_ordinary(SAMPLE)),
        "google-ai-pro": int(by_hand.to_integral_value(rounding="ROUND_CEILING")),
    }
    assert {plan: row.api.tokens.message for plan, row in rows.items()} == expected
    assert expected["le-chat-pro"] != o200k  # the o200k_base count would have stood in
    # system, reply and reasoning stay the profile's counts, converted by the ratio
    assert rows["claude-pro"].api.tokens.reply == 900  # 600 × 1.5


def test_plans_rows_with_a_sample_say_both_ways(cli, tmp_path):
    sample = tmp_path / "message.txt"
    sample.write_text(SAMPLE, encoding="utf-8")
    result = cli(
        "plans", "-P", "claude-pro", "-P", "le-chat-pro", "-P", "chatgpt-plus", "--sample",
        str(sample), "-f", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    rows = {row["plan"]: row for row in json.loads(result.stdout)["rows"]}
    assert (rows["claude-pro"]["count_method"], rows["claude-pro"]["how_counted"]) == (
        "mixed",
        (
            "message: reconstructed (claude-v4.8, ctok 1.3.0); system, replies and reasoning: "
            "estimated (ratio ×1.5 o200k_base)"
        ),
    )
    assert rows["le-chat-pro"]["how_counted"].startswith("message: exact (tekken); ")
    assert (rows["chatgpt-plus"]["count_method"], rows["chatgpt-plus"]["how_counted"]) == (
        "exact",
        "exact (o200k_base)",
    )
    bad = cli("plans", "--sample", str(tmp_path / "missing.txt"))
    assert bad.exit_code == 1 and "Traceback" not in bad.stderr
