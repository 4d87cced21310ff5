"""Claude Code transcripts: ``~/.claude/projects/<project>/<sessionId>.jsonl`` (and subagents).

Every ``type: "assistant"`` line carries ``message.usage``. One API response is written as
several lines (one per content block) repeating ``message.id``/``requestId``; the early ones
hold a streaming placeholder ``output_tokens``. We keep one record per key, the one with the
largest counts, across all files.

Sidechains (``isSidechain: true``: subagents, ``/btw``) replay parent messages, sometimes with
the parent's ``requestId`` and sometimes with a new one under the same ``message.id``: a
``message.id`` that a sidechain line shares with another line is one call, and the main-chain
copy is the one kept (see :class:`~tokencalc.usage.dedup.KeepLargest`).

``message.usage`` may also say ``speed: "fast"`` (fast mode: the record's tier is
``"priority"``, the sheet's name for it), ``server_tool_use.web_search_requests`` (searches
billed per call) and ``inference_geo`` (where the request ran; data residency can be billed at
a multiple of list price). ``service_tier`` is read as ``batch`` when it says so; its other
values (``standard``, ``priority`` — Anthropic's committed-capacity Priority Tier, billed at
list prices) leave the tier standard.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from sys import intern
from typing import IO, Any

from tokencalc.usage.dedup import Candidate
from tokencalc.usage.discovery import default_claude_code_dirs
from tokencalc.usage.files import FileLog, InputFile, iter_json_objects
from tokencalc.usage.options import ReadOptions
from tokencalc.usage.records import UsageRecord
from tokencalc.usage.usage_format import UsageFormat
from tokencalc.usage.values import BadValue, money, timestamp, token_count

SOURCE = "claude-code"
SYNTHETIC_MODEL = "<synthetic>"
LINE_TYPES = {"assistant", "user", "system", "summary", "file-history-snapshot", "queue-operation"}


def looks_like(record: object) -> bool:
    """Whether one parsed JSONL line is a Claude Code transcript line."""
    return (
        isinstance(record, dict)
        and record.get("type") in LINE_TYPES
        and "payload" not in record
        and any(
            k in record
            for k in ("sessionId", "uuid", "message", "leafUuid", "requestId", "messageId")
        )
    )


#: ``usage.speed`` values and the record tier they are billed at.
_SPEEDS = {"fast": "priority"}


def read(
    handle: IO[bytes], file: InputFile, log: FileLog, options: ReadOptions
) -> Iterator[Candidate]:
    session_hint = file.path.stem
    # Subagent transcripts are sidechains even where an old writer left the flag out.
    in_subagents = "subagents" in file.path.parts[:-1]
    for number, line in iter_json_objects(handle, log):
        if line.get("type") != "assistant":
            continue
        try:
            candidate = _candidate(line, session_hint, in_subagents)
        except BadValue as exc:
            log.bad(number, str(exc))
            continue
        if candidate is not None:
            yield candidate


def _tier(usage: dict[str, Any]) -> str | None:
    """The tier a Claude Code call was billed at: fast mode is the sheet's ``priority``."""
    speed = usage.get("speed")
    if isinstance(speed, str) and speed.strip().lower() in _SPEEDS:
        return _SPEEDS[speed.strip().lower()]
    service_tier = usage.get("service_tier")
    if isinstance(service_tier, str) and service_tier.strip().lower() == "batch":
        return "batch"
    return None


def _web_searches(usage: dict[str, Any]) -> int:
    tools = usage.get("server_tool_use")
    if not isinstance(tools, dict):
        return 0
    return token_count(tools.get("web_search_requests"), "server_tool_use.web_search_requests")


def _geo(usage: dict[str, Any]) -> str | None:
    geo = usage.get("inference_geo")
    return geo.strip() if isinstance(geo, str) and geo.strip() else None


def _candidate(
    line: dict[str, Any], session_hint: str, in_subagents: bool = False
) -> Candidate | None:
    message = line.get("message")
    if not isinstance(message, dict):
        raise BadValue("assistant line without a message")
    model = message.get("model")
    if model == SYNTHETIC_MODEL:
        return None  # a client-side error written as a message; nothing was billed
    usage = message.get("usage")
    if not isinstance(usage, dict):
        raise BadValue("assistant message without usage")
    uncached = token_count(usage.get("input_tokens"), "input_tokens")
    output = token_count(usage.get("output_tokens"), "output_tokens")
    cache_read = token_count(usage.get("cache_read_input_tokens"), "cache_read_input_tokens")
    creation = token_count(usage.get("cache_creation_input_tokens"), "cache_creation_input_tokens")
    split = usage.get("cache_creation")
    write_1h = 0
    write_5m = creation
    if isinstance(split, dict):
        write_5m = token_count(split.get("ephemeral_5m_input_tokens"), "ephemeral_5m_input_tokens")
        write_1h = token_count(split.get("ephemeral_1h_input_tokens"), "ephemeral_1h_input_tokens")
        # A total above its breakdown (older writers) is taken as 5-minute writes.
        write_5m += max(creation - write_5m - write_1h, 0)
    when = timestamp(line.get("timestamp"))
    cost = line.get("costUSD")
    record = UsageRecord(
        timestamp=when,
        source=SOURCE,
        model=intern(model) if isinstance(model, str) and model else None,
        input_tokens=uncached + cache_read + write_5m + write_1h,
        output_tokens=output,
        cache_read_tokens=cache_read,
        cache_write_5m_tokens=write_5m,
        cache_write_1h_tokens=write_1h,
        vendor_cost_usd=money(cost, "costUSD") if cost is not None else None,
        # interned: every line of a session repeats these, and thousands of records may be kept
        session=intern(line["sessionId"])
        if isinstance(line.get("sessionId"), str)
        else session_hint,
        project=intern(line["cwd"])
        if isinstance(line.get("cwd"), str) and line.get("cwd")
        else None,
        tier=_tier(usage),
        web_search_requests=_web_searches(usage),
        inference_geo=_geo(usage),
    )
    message_id = (
        message.get("id") if isinstance(message.get("id"), str) and message.get("id") else None
    )
    request_id = (
        line.get("requestId")
        if isinstance(line.get("requestId"), str) and line.get("requestId")
        else None
    )
    key = (SOURCE, message_id, request_id) if (message_id or request_id) else None
    sidechain = line.get("isSidechain") is True or in_subagents
    # Final counts beat streaming placeholders; on a tie the main transcript beats a sidechain
    # replay, and otherwise the first line seen stays.
    rank = (output, record.input_tokens, not sidechain)
    group = (SOURCE, message_id) if message_id else None
    return Candidate(record, key, rank, group=group, replica=sidechain)


def _locations() -> list[Path]:
    return default_claude_code_dirs(existing_only=False)


FORMAT = UsageFormat(
    SOURCE,
    "Claude Code",
    _locations,
    (".jsonl",),
    keep="largest",
    detect_line=looks_like,
    detect_order=2,  # after Codex and Gemini CLI, whose lines would also pass its looser check
    readers={"jsonl": read},
)
