"""Claude.ai data export: ``conversations.json`` (or the export ZIP holding it).

An array of ``{uuid, name, created_at, updated_at, chat_messages[]}``; messages are in order,
``sender`` is ``human`` or ``assistant``. As with ChatGPT exports, each assistant message is
taken as one API call whose input is the text of every earlier message (attachments'
``extracted_content`` included) and whose output is its own text, counted with o200k_base.
Thinking blocks, where present, are output of their reply but are not sent back as input.
The export names no model: records have ``model=None`` unless a model is assumed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

from tokencalc.usage.dedup import Candidate
from tokencalc.usage.files import FileLog, InputFile, iter_conversations
from tokencalc.usage.options import ReadOptions
from tokencalc.usage.records import UsageRecord
from tokencalc.usage.usage_format import UsageFormat, nowhere
from tokencalc.usage.values import BadValue, timestamp

SOURCE = "claude-export"


def looks_like(item: object) -> bool:
    return isinstance(item, dict) and isinstance(item.get("chat_messages"), list)


def _block_text(block: dict[str, Any]) -> tuple[str, str]:
    """(visible text, thinking text) of one content block."""
    kind = block.get("type")
    if kind == "thinking":
        thinking = block.get("thinking")
        return "", thinking if isinstance(thinking, str) else ""
    if kind == "tool_use":
        return json.dumps(block.get("input"), ensure_ascii=False) if block.get(
            "input"
        ) is not None else "", ""
    if kind == "tool_result":
        inner = block.get("content")
        if isinstance(inner, list):
            return "\n".join(_block_text(b)[0] for b in inner if isinstance(b, dict)), ""
        return inner if isinstance(inner, str) else "", ""
    text = block.get("text")
    return text if isinstance(text, str) else "", ""


def message_texts(message: dict[str, Any]) -> tuple[str, str]:
    """(text that later prompts repeat, thinking text) of one message.

    Content blocks are used when present (``text`` repeats them); attachments' extracted
    content is part of the message's text.
    """
    visible: list[str] = []
    thinking: list[str] = []
    blocks = message.get("content")
    if isinstance(blocks, list) and blocks:
        for block in blocks:
            if isinstance(block, dict):
                shown, thought = _block_text(block)
                visible.append(shown)
                thinking.append(thought)
    elif isinstance(message.get("text"), str):
        visible.append(message["text"])
    for attachment in message.get("attachments") or []:
        if isinstance(attachment, dict) and isinstance(attachment.get("extracted_content"), str):
            visible.append(attachment["extracted_content"])
    return "\n".join(p for p in visible if p), "\n".join(p for p in thinking if p)


def read(
    handle: IO[bytes], file: InputFile, log: FileLog, options: ReadOptions
) -> Iterator[Candidate]:
    for index, conversation in iter_conversations(handle, log, looks_like, "no chat_messages list"):
        yield from _conversation(conversation, index, log, options)


def _conversation(
    conversation: dict[str, Any], index: int, log: FileLog, options: ReadOptions
) -> Iterator[Candidate]:
    messages = conversation["chat_messages"]
    log.seen(len(messages))
    conv_id = str(conversation.get("uuid") or f"#{index}")
    fallback_time = conversation.get("created_at") or conversation.get("updated_at")
    history = 0
    previous_prompt = 0
    for number, message in enumerate(messages):
        if not isinstance(message, dict):
            log.bad(f"conversation {index} message {number}", "message is not an object")
            continue
        visible, thinking = message_texts(message)
        tokens = options.count(visible)
        if message.get("sender") == "assistant" and (visible or thinking):
            try:
                when = timestamp(message.get("created_at") or fallback_time, "created_at")
            except BadValue as exc:
                log.bad(f"conversation {index} message {number}", str(exc))
            else:
                cache_read, cache_write = options.chat_cache(history, previous_prompt)
                yield Candidate(
                    UsageRecord(
                        timestamp=when,
                        source=SOURCE,
                        model=options.model_override,
                        input_tokens=history,
                        output_tokens=tokens
                        + options.count(thinking)
                        + options.reasoning_tokens_per_reply,
                        cache_read_tokens=cache_read,
                        cache_write_5m_tokens=cache_write,
                        estimated=True,
                        session=conv_id,
                        chat_tokens=options.chat_tokens,
                    ),
                    key=(SOURCE, conv_id, str(message.get("uuid") or number)),
                )
                previous_prompt = history  # only a prompt is cached, never its reply
        history += tokens


def _export(document: object) -> str | None:
    return SOURCE if looks_like(document) else None


FORMAT = UsageFormat(
    SOURCE,
    "Claude.ai export",
    nowhere,
    (".json", ".zip"),
    detect_document=_export,
    detect_order=4,
    readers={"json": read},
)
