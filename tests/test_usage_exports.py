"""Chat exports: ChatGPT and Claude.ai conversations, counted from their text.

Expected counts are built from the exact strings each call must see, counted with
``tokencalc.counting.counter.count_text``: that checks the history reconstruction (which messages,
which branch, in which calls) independently of how the reader counts.
"""

from __future__ import annotations

import json
import zipfile
from datetime import datetime, timezone
from pathlib import Path
from typing import ClassVar

import pytest

from tokencalc.counting.counter import count_text
from tokencalc.usage import read_usage

FIXTURES = Path(__file__).parent / "fixtures" / "usage"
CHATGPT = FIXTURES / "chatgpt_export" / "conversations.json"
CLAUDE = FIXTURES / "claude_export" / "conversations.json"


def n(text: str) -> int:
    return count_text(text, "o200k_base") if text else 0


# The current branch of conversation 1 (u2a/a2a is an edited-away sibling branch).
U1 = "What is the capital of France?"
A1 = "The capital of France is Paris."
U2B = "Which city is in this photo?"  # the text part of a multimodal message (the image has none)
CODE = 'search("city photo Eiffel")'
TOOL = "Result: Eiffel Tower, Champ de Mars, Paris"
A3 = "That photo shows Paris, by the Eiffel Tower."
# Conversation 2 starts with custom instructions (user_editable_context).
CTX = "I am a teacher.\nAnswer briefly."
Q2 = "Explain photosynthesis."
R2 = "Plants turn light, water and CO2 into sugar and oxygen."

CHATGPT_CALLS = [
    # (input, output, model)
    (n(U1), n(A1), "gpt-4o"),
    (n(U1) + n(A1) + n(U2B), n(CODE), "gpt-4o"),
    (n(U1) + n(A1) + n(U2B) + n(CODE) + n(TOOL), n(A3), "gpt-4o"),
    (n(CTX) + n(Q2), n(R2), "gpt-5-thinking"),  # no model_slug: the conversation's default
]


@pytest.fixture
def chatgpt_zip(tmp_path: Path) -> Path:
    path = tmp_path / "chatgpt-export.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.write(CHATGPT, "conversations.json")
        archive.writestr("user.json", json.dumps({"id": "user-1"}))
        archive.writestr("chat.html", "<html></html>")
    return path


def test_chatgpt_current_branch_calls():
    report = read_usage([CHATGPT])
    assert [(r.input_tokens, r.output_tokens, r.model) for r in report.records] == CHATGPT_CALLS
    assert all(r.estimated and r.requests == 1 and r.cache_read_tokens == 0 for r in report.records)
    assert {r.session for r in report.records} == {"conv-1", "conv-2"}
    assert (
        report.malformed == 1
        and "conversation 2: no message mapping" in report.malformed_reasons[0]
    )


def test_chatgpt_timestamps_fall_back_to_the_conversation():
    report = read_usage([CHATGPT])
    times = [r.timestamp for r in report.records]
    assert times[0] == datetime.fromtimestamp(1756720805.5, tz=timezone.utc)
    # create_time null: the latest time before it on the branch (the reasoning summary's)
    assert times[1] == datetime.fromtimestamp(1756720901.0, tz=timezone.utc)
    assert all(t.tzinfo is timezone.utc for t in times)


def test_chatgpt_message_without_any_time_falls_back_to_the_conversation(tmp_path):
    conversation = {
        "id": "c",
        "create_time": 1756720790.25,
        "current_node": "b",
        "mapping": {
            "a": {
                "id": "a",
                "parent": None,
                "children": ["b"],
                "message": {
                    "id": "a",
                    "author": {"role": "user"},
                    "create_time": None,
                    "content": {"content_type": "text", "parts": ["hi"]},
                },
            },
            "b": {
                "id": "b",
                "parent": "a",
                "children": [],
                "message": {
                    "id": "b",
                    "author": {"role": "assistant"},
                    "create_time": None,
                    "content": {"content_type": "text", "parts": ["hello"]},
                },
            },
        },
    }
    path = tmp_path / "conversations.json"
    path.write_text(json.dumps([conversation]))
    (record,) = read_usage([path]).records
    assert record.timestamp == datetime.fromtimestamp(1756720790.25, tz=timezone.utc)
    assert (record.input_tokens, record.output_tokens, record.model) == (n("hi"), n("hello"), None)


def test_chatgpt_branch_follows_current_node(tmp_path):
    conversations = json.loads(CHATGPT.read_text())
    conversations[0]["current_node"] = "a2a"  # the branch before the user edited their question
    path = tmp_path / "conversations.json"
    path.write_text(json.dumps(conversations[:1]))
    report = read_usage([path])
    assert [(r.input_tokens, r.output_tokens) for r in report.records] == [
        (n(U1), n(A1)),
        (n(U1) + n(A1) + n("And of Germany?"), n("Berlin is the capital of Germany.")),
    ]


def test_chatgpt_zip_is_read_directly(chatgpt_zip):
    report = read_usage([chatgpt_zip])
    assert [(r.input_tokens, r.output_tokens, r.model) for r in report.records] == CHATGPT_CALLS
    assert report.files_read == 1


def test_chatgpt_zip_and_extracted_json_count_once(chatgpt_zip):
    report = read_usage([chatgpt_zip, CHATGPT])
    assert len(report.records) == 4
    assert report.duplicates_dropped == 4


def test_chatgpt_directory_of_an_extracted_export_skips_other_files(tmp_path):
    (tmp_path / "conversations.json").write_bytes(CHATGPT.read_bytes())
    (tmp_path / "user.json").write_text(json.dumps({"id": "user-1", "email": "a@b.c"}))
    (tmp_path / "message_feedback.json").write_text("[]")
    report = read_usage([tmp_path])
    assert len(report.records) == 4
    assert report.files_skipped == 2 and report.malformed == 1


def test_chatgpt_options_reasoning_override_and_caching():
    report = read_usage(
        [CHATGPT], model_override="gpt-5", reasoning_tokens_per_reply=100, chat_prompt_caching=True
    )
    assert [r.model for r in report.records] == ["gpt-5"] * 4
    assert [r.output_tokens for r in report.records] == [o + 100 for _, o, _ in CHATGPT_CALLS]
    # each call reads the previous call's prompt from cache (its reply was output, never cached)
    reads = [0, n(U1), n(U1) + n(A1) + n(U2B), 0]
    assert [r.cache_read_tokens for r in report.records] == reads
    # … and writes the rest of its prompt, as `tokencalc plans` does: the new part of each prompt
    assert [r.cache_write_5m_tokens for r in report.records] == [
        prompt - read for (prompt, _, _), read in zip(CHATGPT_CALLS, reads, strict=True)
    ]
    assert [r.cache_write_5m_tokens for r in report.records][1:3] == [
        n(A1) + n(U2B),
        n(CODE) + n(TOOL),
    ]
    assert all(r.cache_write_1h_tokens == 0 for r in report.records)
    assert any("100 tokens/reply assumed" in a for a in report.assumptions)
    assert any("model assumed to be gpt-5" in a for a in report.assumptions)
    assert any(
        "writes the rest of its prompt as a 5-minute cache write" in a for a in report.assumptions
    )


def test_claude_export_caching_reads_the_prefix_and_writes_the_rest():
    report = read_usage([CLAUDE], chat_prompt_caching=True)
    assert [(r.cache_read_tokens, r.cache_write_5m_tokens) for r in report.records] == [
        (0, n(PROMPT)),
        (n(PROMPT), n(REPLY) + n("Thanks!")),  # the reply is new input; thinking is never sent back
    ]
    plain = read_usage([CLAUDE])
    assert all(r.cache_read_tokens == r.cache_write_5m_tokens == 0 for r in plain.records)
    assert any("no prompt caching assumed" in a for a in plain.assumptions)


def test_chatgpt_assumptions_are_explicit():
    report = read_usage([CHATGPT])
    assert report.assumptions[0] == (
        "ChatGPT export: counted the current branch of each conversation only (edited or regenerated sibling "
        "branches are not counted); hidden reasoning is not in the export (0 tokens/reply assumed)"
    )
    assert any("product slugs" in a for a in report.assumptions)


def test_counter_factory_is_used_and_closed():
    class Fake:
        closed = False

        def count_text(self, text):
            class Counts:
                tokens: ClassVar[dict[str, int]] = {"o200k_base": len(text)}

            return Counts()

        def close(self):
            Fake.closed = True

    report = read_usage([CLAUDE], counter_factory=Fake)
    assert report.records[0].output_tokens == len(
        "The meeting is now on Friday and the budget was approved."
    )
    assert Fake.closed


# ---------------------------------------------------------------- Claude.ai export

PROMPT = (
    "Summarize the attached notes.\nMeeting moved to Friday. Budget approved."  # text + attachment
)
REPLY = "The meeting is now on Friday and the budget was approved."


def test_claude_export_calls_include_attachments_and_thinking():
    report = read_usage([CLAUDE])
    assert [(r.input_tokens, r.output_tokens) for r in report.records] == [
        (n(PROMPT), n(REPLY)),
        (n(PROMPT) + n(REPLY) + n("Thanks!"), n("You're welcome!") + n("The user is thanking me.")),
    ]
    assert [r.model for r in report.records] == [None, None]
    assert report.records[0].timestamp == datetime(2025, 9, 5, 9, 0, 7, 123456, tzinfo=timezone.utc)
    assert report.sources == {"claude-export": 2}
    assert any("names no model" in a for a in report.assumptions)


def test_claude_export_model_override():
    report = read_usage([CLAUDE], model_override="claude-sonnet-4-5")
    assert {r.model for r in report.records} == {"claude-sonnet-4-5"}


def test_claude_export_zip(tmp_path):
    path = tmp_path / "data-2025-09-05.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(CLAUDE, "data/conversations.json")
        archive.writestr("data/users.json", "[]")
    report = read_usage([path])
    assert report.sources == {"claude-export": 2}


def test_override_does_not_touch_logged_usage():
    report = read_usage([FIXTURES / "gemini_cli", CLAUDE], model_override="gpt-5")
    assert {r.model for r in report.records if r.source == "gemini-cli"} == {
        "gemini-2.5-pro",
        "gemini-2.5-flash",
    }
    assert {r.model for r in report.records if r.source == "claude-export"} == {"gpt-5"}


def test_chat_text_counter_matches_token_counter_past_its_small_budget():
    from tokencalc.counting.counter import SMALL_TEXT_BUDGET, TokenCounter
    from tokencalc.usage.options import ChatTextCounter

    texts = [
        f"Message {i}: naïve café — {'word ' * (i % 50)}\n\n  indented\tcode();" for i in range(400)
    ]
    assert sum(map(len, texts)) > SMALL_TEXT_BUDGET
    chat = ChatTextCounter()
    with TokenCounter(["o200k_base"]) as reference:
        expected = [reference.count_text(t).tokens["o200k_base"] for t in texts]
    assert [chat.count_text(t).tokens["o200k_base"] for t in texts] == expected
    chat.close()
