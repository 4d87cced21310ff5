"""Cline, Roo Code and Kilo Code task history: ``<globalStorage>/<extension id>/tasks/<taskId>/ui_messages.json``.

Each ``say: "api_req_started"`` row (its ``text`` a JSON ``ClineApiReqInfo``) is one request,
rewritten in place with its usage when the stream ends; a row with no tokens yet is a
placeholder, not a call; a legacy ``api_req_finished`` row is merged into the request before
it (counted once); a ``user_cancelled`` row with tokens was billed and counts. Cline's
``deleted_api_reqs`` and ``subagent_usage`` rows aggregate an unknown number of requests
(shown as uncounted). Task totals (``taskHistory.json``, ``history_item.json``) repeat the rows
and are never added.

``tokensIn``: Cline's buckets are disjoint (uncached input). Roo Code (and its fork Kilo Code)
store the cache-inclusive input since 2025-10-31 for every protocol, and before that only for
``apiProtocol: "openai"``; a row whose ``tokensIn`` is below its cache reads + writes is
uncached-only whatever its date.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

from tokencalc.usage.agent_files import app_support, env_path, epoch_ms, load_json
from tokencalc.usage.dedup import Candidate
from tokencalc.usage.files import JSON_ERRORS, FileLog
from tokencalc.usage.records import UsageRecord
from tokencalc.usage.usage_format import UsageFormat
from tokencalc.usage.values import BadValue, json_object, money, token_count

EXTENSIONS = {
    "saoudrizwan.claude-dev": "cline",
    "rooveterinaryinc.roo-cline": "roo-code",
    "kilocode.kilo-code": "kilo-code",
}
EDITORS = ("Code", "Code - Insiders", "VSCodium", "Cursor", "Windsurf")
#: Roo Code PR #8954: from this time on ``tokensIn`` includes cache reads and writes.
ROO_INCLUSIVE_SINCE = datetime(2025, 10, 31, tzinfo=timezone.utc)
_MODEL_TAG = re.compile(r"<model>\s*([^<\s][^<]*?)\s*</model>")
_AGGREGATES = {"deleted_api_reqs", "subagent_usage"}


def _locations(source: str) -> list[Path]:
    ext = next(key for key, value in EXTENSIONS.items() if value == source)
    places = [
        app_support() / editor / "User" / "globalStorage" / ext / "tasks" for editor in EDITORS
    ]
    if source == "cline":
        places.append((env_path("CLINE_DATA_DIR") or Path.home() / ".cline" / "data") / "tasks")
    return places


def flavour(path: Path) -> str | None:
    """Which extension wrote a ``tasks/<id>/ui_messages.json`` (by its storage folder, else by content)."""
    if path.name != "ui_messages.json" or path.parent.parent.name != "tasks":
        return None
    for part in reversed(path.parts):
        if part.lower() in EXTENSIONS:
            return EXTENSIONS[part.lower()]
    if ".cline" in path.parts:
        return "cline"
    return _flavour_by_content(path.parent)


@lru_cache(maxsize=256)
def _flavour_by_content(task: Path) -> str:
    """Roo/Kilo keep ``history_item.json`` beside the messages; Cline does not."""
    return "roo-code" if (task / "history_item.json").exists() else "cline"


def _info(message: dict[str, Any]) -> dict[str, Any] | None:
    text = message.get("text")
    if not isinstance(text, str):
        return None
    try:
        info = json.loads(text)
    except JSON_ERRORS:
        raise BadValue("request info is not JSON (a partial write?)") from None
    return info if isinstance(info, dict) else None


def _tokens(info: dict[str, Any]) -> tuple[int, int, int, int]:
    return (
        token_count(info.get("tokensIn"), "tokensIn"),
        token_count(info.get("tokensOut"), "tokensOut"),
        token_count(info.get("cacheReads"), "cacheReads"),
        token_count(info.get("cacheWrites"), "cacheWrites"),
    )


def _uncached(
    source: str, info: dict[str, Any], tokens_in: int, reads: int, writes: int, when: datetime
) -> int:
    if source == "cline" or tokens_in < reads + writes:
        return tokens_in
    if when >= ROO_INCLUSIVE_SINCE or info.get("apiProtocol") == "openai":
        return tokens_in - reads - writes
    return tokens_in


def _task_model(task: Path, source: str) -> str | None:
    """The model of a task whose rows name none: Cline's task_metadata, Roo's last ``<model>`` tag."""
    try:
        if source == "cline":
            usage = load_json(task / "task_metadata.json").get("model_usage")
            entries = [u for u in usage if isinstance(u, dict)] if isinstance(usage, list) else []
            model = entries[-1].get("model_id") if entries else None
            return model if isinstance(model, str) else None
        text = (task / "api_conversation_history.json").read_text(encoding="utf-8")
    except (OSError, AttributeError, UnicodeDecodeError, *JSON_ERRORS):
        return None
    tags = _MODEL_TAG.findall(text)
    return tags[-1] if tags else None


def _task_project(task: Path, source: str) -> str | None:
    try:
        if source != "cline":
            item = load_json(task / "history_item.json")
            workspace = item.get("workspace") if isinstance(item, dict) else None
            return workspace if isinstance(workspace, str) and workspace else None
        history = _cline_history(task.parent.parent / "state" / "taskHistory.json")
    except (OSError, UnicodeDecodeError, *JSON_ERRORS):
        return None
    return history.get(task.name)


@lru_cache(maxsize=16)
def _cline_history(path: Path) -> dict[str, str]:
    try:
        items = load_json(path)
    except (OSError, UnicodeDecodeError, *JSON_ERRORS):
        return {}
    found = {}
    for item in items if isinstance(items, list) else []:
        if (
            isinstance(item, dict)
            and isinstance(item.get("id"), str)
            and isinstance(item.get("cwdOnTaskInitialization"), str)
        ):
            found[item["id"]] = item["cwdOnTaskInitialization"]
    return found


def _read(path: Path, log: FileLog, source: str) -> Iterator[Candidate]:
    try:
        messages = load_json(path)
    except (*JSON_ERRORS, UnicodeDecodeError):
        log.seen()
        log.bad(1, "invalid JSON (a task being written?)")
        return
    if not isinstance(messages, list):
        log.seen()
        log.bad(1, "not a list of messages")
        return
    task = path.parent
    fallback_model = _task_model(task, source)
    project = _task_project(task, source)
    pending: tuple[int, dict[str, Any], dict[str, Any]] | None = (
        None  # (index, message, info) of a request
    )

    def finish(found: tuple[int, dict[str, Any], dict[str, Any]] | None) -> Iterator[Candidate]:
        if found is None:
            return
        index, message, info = found
        try:
            candidate = _candidate(source, task, message, info, fallback_model, project)
        except BadValue as exc:
            log.bad(f"message {index}", str(exc))
            return
        if candidate is not None:
            yield candidate

    for index, message in enumerate(messages, start=1):
        if not isinstance(message, dict) or message.get("type") != "say":
            continue
        say = message.get("say")
        if say not in ("api_req_started", "api_req_finished", *_AGGREGATES, "condense_context"):
            continue
        log.seen()
        try:
            info = _info(message) if say != "condense_context" else None
        except BadValue as exc:
            log.bad(f"message {index}", str(exc))
            continue
        if say == "api_req_finished":  # legacy: the usage of the request before it
            if pending is not None and info is not None and not any(_tokens(pending[2])):
                pending = (pending[0], pending[1], {**pending[2], **info})
            continue
        yield from finish(pending)
        pending = None
        if say == "condense_context":
            yield from _condense(source, task, message, fallback_model, project, log, index)
        elif info is not None:
            pending = (index, message, info)
    yield from finish(pending)


def _candidate(
    source: str,
    task: Path,
    message: dict[str, Any],
    info: dict[str, Any],
    model: str | None,
    project: str | None,
) -> Candidate | None:
    tokens_in, tokens_out, reads, writes = _tokens(info)
    if not any((tokens_in, tokens_out, reads, writes)):
        return None  # a placeholder, or a failed stream with nothing billed
    when = epoch_ms(message.get("ts"), "ts")
    uncached = _uncached(source, info, tokens_in, reads, writes, when)
    model_info = json_object(message, "modelInfo")
    row_model = model_info.get("modelId") if isinstance(model_info.get("modelId"), str) else None
    cost = info.get("cost")
    record = UsageRecord(
        timestamp=when,
        source=source,
        model=row_model or model,
        input_tokens=uncached + reads + writes,
        output_tokens=tokens_out,
        cache_read_tokens=reads,
        cache_write_5m_tokens=writes,
        requests=0 if message.get("say") in _AGGREGATES else 1,
        vendor_cost_usd=money(cost, "cost")
        if isinstance(cost, (int, float)) and not isinstance(cost, bool)
        else None,
        session=task.name,
        project=project,
    )
    return Candidate(record, (source, task.name, message.get("ts"), message.get("say")))


def _condense(
    source: str,
    task: Path,
    message: dict[str, Any],
    model: str | None,
    project: str | None,
    log: FileLog,
    index: int,
) -> Iterator[Candidate]:
    """Roo's context condensing: a call logged with its cost only (no tokens)."""
    condense = message.get("contextCondense")
    cost = condense.get("cost") if isinstance(condense, dict) else None
    if not isinstance(cost, (int, float)) or isinstance(cost, bool) or cost <= 0:
        return
    try:
        when = epoch_ms(message.get("ts"), "ts")
    except BadValue as exc:
        log.bad(f"message {index}", str(exc))
        return
    record = UsageRecord(
        timestamp=when,
        source=source,
        model=model,
        input_tokens=0,
        output_tokens=0,
        vendor_cost_usd=money(cost, "contextCondense.cost"),
        session=task.name,
        project=project,
    )
    yield Candidate(record, (source, task.name, message.get("ts"), "condense_context"))


def _format(source: str, name: str, note: str) -> UsageFormat:
    return UsageFormat(
        source,
        name,
        lambda: _locations(source),
        (".json",),
        lambda path: flavour(path) == source,
        lambda path, log: _read(path, log, source),
        note=note,
    )


_AGGREGATE_NOTE = "rows for deleted requests and sub-agent batches hold an unknown number of requests (shown with +)"
FORMATS = (
    _format("cline", "Cline", f"tokensIn is uncached input; {_AGGREGATE_NOTE}"),
    _format(
        "roo-code",
        "Roo Code",
        "tokensIn includes the cache from 2025-10-31 (and for openai rows before); context condensing "
        "is logged with its cost only (shown as vendor cost, no tokens to price)",
    ),
    _format("kilo-code", "Kilo Code", "tokensIn read with Roo Code's rule (Kilo Code is its fork)"),
)
