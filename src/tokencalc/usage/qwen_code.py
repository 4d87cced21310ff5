"""Qwen Code chats: ``${QWEN_RUNTIME_DIR:-${QWEN_HOME:-~/.qwen}}/projects/<sanitized cwd>/chats/<session>.jsonl``.

One call per ``type: "assistant"`` record with non-zero ``usageMetadata`` (Gemini-shaped:
``promptTokenCount`` includes ``cachedContentTokenCount``). Output is ``candidatesTokenCount``
when ``totalTokenCount`` shows it already holds the thoughts (OpenAI-compatible providers),
else candidates + thoughts (Gemini). Cache writes through Anthropic are not recorded at all:
those costs are a lower bound. Forked sessions copy records: identical (time, model, tokens)
count once across files. ``system`` records (telemetry, compression) are metadata.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tokencalc.usage.agent_files import env_path, first_object
from tokencalc.usage.dedup import Candidate
from tokencalc.usage.files import FileLog, iter_json_objects
from tokencalc.usage.records import UsageRecord
from tokencalc.usage.usage_format import UsageFormat
from tokencalc.usage.values import BadValue, timestamp, token_count

SOURCE = "qwen-code"
_TYPES = {"user", "assistant", "tool_result", "system"}


def locations() -> list[Path]:
    home = env_path("QWEN_HOME") or Path.home() / ".qwen"
    runtime = env_path("QWEN_RUNTIME_DIR") or home
    return [runtime / "projects", home / "projects", home / "tmp"]


def claims(path: Path) -> bool:
    if path.parent.name != "chats":
        return False
    head = first_object(path)
    if head is None or head.get("type") not in _TYPES or "uuid" not in head:
        return False
    message = head.get("message")
    return (
        "usageMetadata" in head
        or (isinstance(message, dict) and isinstance(message.get("parts"), list))
        or "systemPayload" in head
    )


def _record(line: dict[str, Any], usage: dict[str, Any], session: str) -> UsageRecord | None:
    prompt = token_count(usage.get("promptTokenCount"), "promptTokenCount")
    cached = token_count(usage.get("cachedContentTokenCount"), "cachedContentTokenCount")
    candidates = token_count(usage.get("candidatesTokenCount"), "candidatesTokenCount")
    thoughts = token_count(usage.get("thoughtsTokenCount"), "thoughtsTokenCount")
    total = usage.get("totalTokenCount")
    if not any((prompt, candidates, thoughts)):
        return None
    if cached > prompt:
        raise BadValue(f"cachedContentTokenCount {cached} exceeds promptTokenCount {prompt}")
    holds_thoughts = isinstance(total, int) and total == prompt + candidates
    model = line.get("model")
    cwd = line.get("cwd")
    return UsageRecord(
        timestamp=timestamp(line.get("timestamp")),
        source=SOURCE,
        model=model if isinstance(model, str) and model else None,
        input_tokens=prompt,
        output_tokens=candidates if holds_thoughts else candidates + thoughts,
        cache_read_tokens=cached,
        session=session,
        project=cwd if isinstance(cwd, str) and cwd else None,
    )


def read(path: Path, log: FileLog) -> Iterator[Candidate]:
    with open(path, "rb") as handle:
        for number, line in iter_json_objects(handle, log):
            if line.get("type") != "assistant":
                continue
            usage = line.get("usageMetadata")
            if not isinstance(usage, dict):
                continue  # a streamed part or a record without usage
            session = line["sessionId"] if isinstance(line.get("sessionId"), str) else path.stem
            try:
                record = _record(line, usage, session)
            except BadValue as exc:
                log.bad(number, str(exc))
                continue
            if record is not None:
                tokens = (record.input_tokens, record.cache_read_tokens, record.output_tokens)
                yield Candidate(record, (SOURCE, record.timestamp, record.model, tokens))


FORMAT = UsageFormat(SOURCE, "Qwen Code", locations, (".jsonl",), claims, read)
