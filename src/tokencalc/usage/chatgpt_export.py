"""ChatGPT data export: ``conversations.json`` (also read straight from the export ZIP).

The file is an array of conversations whose messages form a tree (``mapping``: node id →
``{message, parent, children}``). What the user sees is the branch from ``current_node`` back
through ``parent`` links; sibling branches (edits, regenerations) are not counted.

The export has no token counts, so each assistant message on the branch is taken as one API
call: its input is the text of every earlier message on the branch (system, user, assistant
and tool text, multimodal text parts included) and its output is its own text, counted with
o200k_base. A message without ``create_time`` takes the latest time before it on the
branch (or the conversation's ``create_time``). Reasoning summaries (``thoughts``,
``reasoning_recap``) are not the hidden reasoning and are not sent back as input, so they are
left out; hidden reasoning can be added as an explicit per-reply assumption.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from tokencalc.usage.dedup import Candidate
from tokencalc.usage.files import FileLog, InputFile, iter_conversations
from tokencalc.usage.options import ReadOptions
from tokencalc.usage.records import UsageRecord
from tokencalc.usage.usage_format import UsageFormat, nowhere
from tokencalc.usage.values import BadValue, json_object, timestamp

SOURCE = "chatgpt-export"
#: Content types that summarise hidden reasoning: neither a reply nor part of later prompts.
REASONING_SUMMARY_TYPES = {"thoughts", "reasoning_recap"}
#: Content types that are context injected into the prompt, never a reply of their own.
CONTEXT_TYPES = {"user_editable_context", "model_editable_context"}


def looks_like(item: object) -> bool:
    return isinstance(item, dict) and isinstance(item.get("mapping"), dict)


def message_text(message: dict[str, Any]) -> str:
    """The text a message contributes to a prompt (or produces as a reply)."""
    content = message.get("content")
    if not isinstance(content, dict):
        return ""
    pieces: list[str] = []
    parts = content.get("parts")
    if isinstance(parts, list):
        for part in parts:
            if isinstance(part, str):
                pieces.append(part)
            elif isinstance(part, dict) and isinstance(part.get("text"), str):
                pieces.append(part["text"])  # e.g. audio transcriptions; images carry no text
    for name in ("text", "result", "user_profile", "user_instructions", "model_set_context"):
        value = content.get(name)
        if isinstance(value, str):
            pieces.append(value)
    return "\n".join(piece for piece in pieces if piece)


def current_branch(conversation: dict[str, Any]) -> list[dict[str, Any]]:
    """The messages from the root to ``current_node``, oldest first."""
    mapping = conversation["mapping"]
    node_id = conversation.get("current_node")
    if node_id not in mapping:
        node_id = _latest_leaf(mapping)
    chain: list[dict[str, Any]] = []
    seen: set[str] = set()
    while isinstance(node_id, str) and node_id in mapping and node_id not in seen:
        seen.add(node_id)
        node = mapping[node_id]
        if not isinstance(node, dict):
            break
        if isinstance(node.get("message"), dict):
            chain.append(node["message"])
        node_id = node.get("parent")
    chain.reverse()
    return chain


def _latest_leaf(mapping: dict[str, Any]) -> str | None:
    """Without ``current_node``, the leaf whose message is newest stands for the branch."""
    best: tuple[float, str] | None = None
    for node_id, node in mapping.items():
        if not isinstance(node, dict) or node.get("children"):
            continue
        message = node.get("message")
        created = message.get("create_time") if isinstance(message, dict) else None
        key = (float(created) if isinstance(created, (int, float)) else float("-inf"), node_id)
        if best is None or key > best:
            best = key
    return best[1] if best else None


def read(
    handle: IO[bytes], file: InputFile, log: FileLog, options: ReadOptions
) -> Iterator[Candidate]:
    for index, conversation in iter_conversations(handle, log, looks_like, "no message mapping"):
        yield from _conversation(conversation, index, log, options)


def _conversation(
    conversation: dict[str, Any], index: int, log: FileLog, options: ReadOptions
) -> Iterator[Candidate]:
    log.seen(
        sum(
            1
            for node in conversation["mapping"].values()
            if isinstance(node, dict) and node.get("message")
        )
    )
    conv_id = conversation.get("conversation_id") or conversation.get("id") or f"#{index}"
    # A message without create_time is dated by the latest time before it on the branch.
    fallback_time = conversation.get("create_time") or conversation.get("update_time")
    default_model = conversation.get("default_model_slug")
    history = 0  # tokens of the branch so far: the input of the next call
    previous_prompt = 0  # the previous call's prompt: what the cache holds for the next call
    for number, message in enumerate(current_branch(conversation)):
        if isinstance(message.get("create_time"), (int, float)):
            fallback_time = message["create_time"]
        content = json_object(message, "content")
        content_type = content.get("content_type")
        if content_type in REASONING_SUMMARY_TYPES:
            continue
        text = message_text(message)
        tokens = options.count(text)
        role = (
            (message.get("author") or {}).get("role")
            if isinstance(message.get("author"), dict)
            else None
        )
        if role == "assistant" and content_type not in CONTEXT_TYPES and text:
            try:
                when = timestamp(fallback_time, "create_time")
            except BadValue as exc:
                log.bad(f"conversation {index} message {number}", str(exc))
            else:
                metadata = json_object(message, "metadata")
                model = options.model_override or metadata.get("model_slug") or default_model
                cache_read, cache_write = options.chat_cache(history, previous_prompt)
                yield Candidate(
                    UsageRecord(
                        timestamp=when,
                        source=SOURCE,
                        model=model if isinstance(model, str) and model else None,
                        input_tokens=history,
                        output_tokens=tokens + options.reasoning_tokens_per_reply,
                        cache_read_tokens=cache_read,
                        cache_write_5m_tokens=cache_write,
                        estimated=True,
                        session=str(conv_id),
                        chat_tokens=options.chat_tokens,
                    ),
                    key=(SOURCE, str(conv_id), str(message.get("id") or number)),
                )
                previous_prompt = history  # only a prompt is cached, never its reply
        history += tokens


def _export(document: object) -> str | None:
    return SOURCE if looks_like(document) else None


FORMAT = UsageFormat(
    SOURCE,
    "ChatGPT export",
    nowhere,
    (".json", ".zip"),
    detect_document=_export,
    detect_order=3,
    readers={"json": read},
)
