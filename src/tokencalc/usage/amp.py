"""Amp (Sourcegraph) threads: ``${AMP_DATA_DIR:-~/.local/share/amp}/threads/T-<uuid>.json``.

Amp is closed source; the layout comes from public readers (see docs/usage-formats.md). A
thread with a ``usageLedger`` counts one call per ledger event (input/output from the event,
the cache split from the assistant message the event points at with ``toMessageId``), plus
assistant messages with usage that no event points at (ledgers can be partial). Without a
ledger each assistant message with non-zero ``usage`` is one call. ``totalInputTokens``
already holds the cache and is never added; ``credits`` are Amp's billing unit, not dollars.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from tokencalc.usage.agent_files import env_path, epoch_ms, load_json, xdg_data_home
from tokencalc.usage.dedup import Candidate
from tokencalc.usage.files import JSON_ERRORS, FileLog
from tokencalc.usage.records import UsageRecord
from tokencalc.usage.usage_format import UsageFormat
from tokencalc.usage.values import BadValue, json_object, timestamp, token_count

SOURCE = "amp"
_THREAD = re.compile(r"^T-[0-9A-Za-z-]+\.json$")


def locations() -> list[Path]:
    return [(env_path("AMP_DATA_DIR") or xdg_data_home() / "amp") / "threads"]


def claims(path: Path) -> bool:
    return bool(_THREAD.match(path.name))


def _usage(usage: dict[str, Any]) -> tuple[int, int, int, int]:
    """(uncached input, output, cache read, cache write) of a message's ``usage``."""
    uncached = token_count(usage.get("inputTokens"), "inputTokens")
    output = token_count(usage.get("outputTokens"), "outputTokens")
    read = token_count(usage.get("cacheReadInputTokens"), "cacheReadInputTokens")
    write = token_count(usage.get("cacheCreationInputTokens"), "cacheCreationInputTokens")
    if not any((uncached, output, read, write)) and usage.get("totalTokens"):
        raise BadValue("usage has only totalTokens (no input/output split)")
    return uncached, output, read, write


def _record(
    when: datetime, model: Any, buckets: tuple[int, int, int, int], thread: str
) -> UsageRecord:
    uncached, output, read, write = buckets
    return UsageRecord(
        timestamp=when,
        source=SOURCE,
        model=model if isinstance(model, str) and model else None,
        input_tokens=uncached + read + write,
        output_tokens=output,
        cache_read_tokens=read,
        cache_write_5m_tokens=write,
        session=thread,
    )


def read(path: Path, log: FileLog) -> Iterator[Candidate]:
    log.seen()
    try:
        thread = load_json(path)
    except (*JSON_ERRORS, UnicodeDecodeError):
        log.bad(1, "invalid JSON (a thread being written?)")
        return
    if not isinstance(thread, dict) or not isinstance(thread.get("messages"), list):
        log.bad(1, "not an Amp thread (no messages)")
        return
    thread_id = thread["id"] if isinstance(thread.get("id"), str) else path.stem
    messages = [m for m in thread["messages"] if isinstance(m, dict)]
    created = thread.get("created")
    # the time of a message without its own: the last user message's sentAt, else the thread's start
    times: dict[Any, datetime | None] = {}
    last_user: datetime | None = None
    try:
        thread_time = epoch_ms(created, "created") if created is not None else None
    except BadValue:
        thread_time = None
    for message in messages:
        meta = json_object(message, "meta")
        if message.get("role") == "user" and meta.get("sentAt") is not None:
            try:
                last_user = epoch_ms(meta["sentAt"], "meta.sentAt")
            except BadValue:
                pass
        times[message.get("messageId")] = last_user or thread_time
    by_id = {m.get("messageId"): m for m in messages if m.get("role") == "assistant"}
    ledger = json_object(thread, "usageLedger")
    events = ledger.get("events")
    if not isinstance(events, list):
        events = []
    matched: set[Any] = set()
    for number, event in enumerate(events, start=1):
        log.seen()
        if not isinstance(event, dict) or event.get("operationType", "inference") != "inference":
            continue
        try:
            tokens = json_object(event, "tokens")
            uncached = token_count(tokens.get("input"), "tokens.input")
            output = token_count(tokens.get("output"), "tokens.output")
            target = by_id.get(event.get("toMessageId"))
            usage = json_object(target, "usage") if target is not None else {}
            read = token_count(usage.get("cacheReadInputTokens"), "cacheReadInputTokens")
            write = token_count(usage.get("cacheCreationInputTokens"), "cacheCreationInputTokens")
            when = timestamp(event.get("timestamp"), "ledger timestamp")
        except BadValue as exc:
            log.bad(f"ledger event {number}", str(exc))
            continue
        matched.add(event.get("toMessageId"))
        key = (SOURCE, thread_id, "event", event.get("id", number))
        yield Candidate(
            _record(
                when,
                event.get("model") or usage.get("model"),
                (uncached, output, read, write),
                thread_id,
            ),
            key,
        )
    for message_id, message in by_id.items():
        if message_id in matched:
            continue
        recorded = message.get("usage")
        if not isinstance(recorded, dict):
            continue  # cancelled or still streaming: no usage
        log.seen()
        try:
            buckets = _usage(recorded)
            if not any(buckets):
                continue
            stamp = recorded.get("timestamp")
            sent = (
                timestamp(stamp, "usage.timestamp") if stamp is not None else times.get(message_id)
            )
            if sent is None:
                raise BadValue(
                    "no time for this message (no usage.timestamp, sentAt or thread created)"
                )
        except BadValue as exc:
            log.bad(f"message {message_id}", str(exc))
            continue
        yield Candidate(
            _record(sent, recorded.get("model"), buckets, thread_id),
            (SOURCE, thread_id, "message", message_id),
        )


FORMAT = UsageFormat(SOURCE, "Amp", locations, (".json",), claims, read)
