"""OpenCode (and its fork Kilo CLI): ``opencode.db`` (SQLite) and the legacy ``storage/message`` JSON tree.

See docs/usage-formats.md. One record per assistant message with any non-zero token bucket;
the database row beats a legacy JSON copy of the same message id (the one-time migration
copies them but does not delete the JSON). Billable output is ``output + reasoning``, except
for rows whose ``tokens.total`` shows ``output`` already holds the reasoning (older builds).
A message whose parts hold several ``step-finish`` steps (very old builds kept only the last
step's tokens on the message) is counted from the summed steps. Session running totals are
never added.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tokencalc.usage.agent_files import (
    env_path,
    first_object,
    read_only,
    sqlite_tables,
    xdg_data_home,
)
from tokencalc.usage.dedup import Candidate
from tokencalc.usage.files import JSON_ERRORS, FileLog
from tokencalc.usage.records import UsageRecord
from tokencalc.usage.usage_format import UsageFormat
from tokencalc.usage.values import BadValue, json_object, money, timestamp, token_count

SOURCE = "opencode"
_DB_NAME = re.compile(r"^(opencode|kilo)(-[A-Za-z0-9._-]+)?\.db$")
_CLAUDE_DOTTED = re.compile(r"^(claude-[a-z]+-\d+)\.(\d+)")


def locations() -> list[Path]:
    """``<XDG data>/opencode`` (``OPENCODE_DB`` may name the database), and Kilo CLI's ``<XDG data>/kilo``."""
    data = xdg_data_home()
    places = [data / "opencode", env_path("KILO_DATA_DIR") or data / "kilo"]
    db = env_path("OPENCODE_DB")
    if db is not None and str(db) != ":memory:":
        places.insert(0, db if db.is_absolute() else data / "opencode" / db)
    return places


def claims(path: Path) -> bool:
    if path.suffix == ".db":
        return bool(_DB_NAME.match(path.name)) and {"message", "session"} <= set(
            sqlite_tables(path)
        )
    # legacy: storage/message/<sessionID>/<messageID>.json
    if path.parent.parent.name != "message" or path.parent.parent.parent.name != "storage":
        return False
    head = first_object(path, max_lines=1) if path.stat().st_size < (1 << 20) else None
    return head is None or ("role" in head and "sessionID" in head)


def _agent(path: Path) -> str:
    return "kilo-cli" if path.name.startswith("kilo") or "kilo" in path.parts else SOURCE


def normalized_model(model: str) -> str:
    """``claude-sonnet-4.5`` (GitHub Copilot's spelling) → ``claude-sonnet-4-5``."""
    return _CLAUDE_DOTTED.sub(r"\1-\2", model)


def _buckets(tokens: Any, model: str) -> tuple[int, int, int, int] | None:
    """(uncached input, output incl. reasoning, cache read, cache write); None when all are 0."""
    if not isinstance(tokens, dict):
        raise BadValue("tokens is not an object")
    cache = json_object(tokens, "cache")
    uncached = token_count(tokens.get("input"), "tokens.input")
    output = token_count(tokens.get("output"), "tokens.output")
    reasoning = token_count(tokens.get("reasoning"), "tokens.reasoning")
    read = token_count(cache.get("read"), "tokens.cache.read")
    write = token_count(cache.get("write"), "tokens.cache.write")
    if not any((uncached, output, reasoning, read, write)):
        return None
    total = tokens.get("total")
    if reasoning and isinstance(total, int) and total == uncached + output + read + write:
        reasoning = 0  # an older build: output already holds the reasoning
    elif reasoning and total is None and model.startswith(("gpt-", "o1", "o3", "o4")):
        reasoning = 0  # 2025 OpenAI rows without a total: reasoning is part of output
    return uncached, output + reasoning, read, write


def _record(
    message: dict[str, Any],
    session: str,
    agent: str,
    steps: list[dict[str, Any]] | None,
    fallback_ms: Any,
) -> UsageRecord | None:
    raw_model = message.get("modelID") if isinstance(message.get("modelID"), str) else None
    model = normalized_model(raw_model) if raw_model else None
    if steps:
        sums = [0, 0, 0, 0]
        for step in steps:
            got = _buckets(step.get("tokens"), model or "")
            for i, value in enumerate(got or (0, 0, 0, 0)):
                sums[i] += value
        buckets: tuple[int, int, int, int] | None = tuple(sums) if any(sums) else None  # type: ignore[assignment]
    else:
        buckets = _buckets(message.get("tokens"), model or "")
    if buckets is None:
        return None  # an aborted step or one without usage
    uncached, output, read, write = buckets
    created = (
        message.get("time", {}).get("created") if isinstance(message.get("time"), dict) else None
    )
    when_ms = (
        created
        if isinstance(created, (int, float)) and not isinstance(created, bool)
        else fallback_ms
    )
    if not isinstance(when_ms, (int, float)) or isinstance(when_ms, bool):
        raise BadValue("assistant message without time.created")
    cost = message.get("cost")
    vendor = (
        money(cost, "cost")
        if isinstance(cost, (int, float)) and not isinstance(cost, bool) and cost > 0
        else None
    )
    path = json_object(message, "path")
    project = path.get("root") or path.get("cwd")
    return UsageRecord(
        timestamp=timestamp(when_ms / 1000, "time.created"),
        source=SOURCE,
        model=model,
        input_tokens=uncached + read + write,
        output_tokens=output,
        cache_read_tokens=read,
        cache_write_5m_tokens=write,
        vendor_cost_usd=vendor,
        session=session,
        project=project if isinstance(project, str) and project else None,
        agent=agent,
    )


def read(path: Path, log: FileLog) -> Iterator[Candidate]:
    if path.suffix == ".db":
        yield from _read_db(path, log)
    else:
        yield from _read_legacy(path, log)


def _read_db(path: Path, log: FileLog) -> Iterator[Candidate]:
    agent = _agent(path)
    with read_only(path) as db:
        columns = {row[1] for row in db.execute('PRAGMA table_info("message")')}
        fallback = "time_created" if "time_created" in columns else "NULL"
        steps = _db_steps(db)
        rows = db.execute(f"SELECT id, session_id, {fallback}, data FROM message")
        for message_id, session_id, created, data in rows:
            log.seen()
            try:
                message = json.loads(data)
            except (*JSON_ERRORS, TypeError):
                log.bad(f"message {message_id}", "invalid JSON")
                continue
            if not isinstance(message, dict) or message.get("role") != "assistant":
                continue
            try:
                record = _record(message, str(session_id), agent, steps.get(message_id), created)
            except BadValue as exc:
                log.bad(f"message {message_id}", str(exc))
                continue
            if record is not None:
                yield Candidate(record, (SOURCE, agent, message_id), rank=(1,))


def _db_steps(db: Any) -> dict[str, list[dict[str, Any]]]:
    """Message id → its ``step-finish`` parts, for messages with more than one step."""
    if "part" not in {
        row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    }:
        return {}
    found: dict[str, list[dict[str, Any]]] = {}
    query = "SELECT message_id, data FROM part WHERE json_valid(data) AND json_extract(data, '$.type') = 'step-finish'"
    for message_id, data in db.execute(query):
        part = json.loads(data)
        if isinstance(part, dict):
            found.setdefault(message_id, []).append(part)
    return {key: parts for key, parts in found.items() if len(parts) > 1}


def _read_legacy(path: Path, log: FileLog) -> Iterator[Candidate]:
    log.seen()
    try:
        with open(path, "rb") as handle:
            message = json.loads(handle.read())
    except JSON_ERRORS:
        log.bad(1, "invalid JSON")
        return
    if not isinstance(message, dict) or message.get("role") != "assistant":
        return
    found_id, found_session = message.get("id"), message.get("sessionID")
    message_id = found_id if isinstance(found_id, str) else path.stem
    session = found_session if isinstance(found_session, str) else path.parent.name
    agent = _agent(path)
    try:
        record = _record(message, session, agent, _legacy_steps(path, message_id), None)
    except BadValue as exc:
        log.bad(1, str(exc))
        return
    if record is not None:
        yield Candidate(record, (SOURCE, agent, message_id), rank=(0,))


def _legacy_steps(path: Path, message_id: str) -> list[dict[str, Any]] | None:
    """``storage/part/<messageID>/*.json`` step-finish parts, when there are several."""
    folder = path.parent.parent.parent / "part" / message_id
    if not folder.is_dir():
        return None
    steps = []
    for file in sorted(folder.glob("*.json")):
        try:
            part = json.loads(file.read_bytes())
        except (OSError, *JSON_ERRORS):
            continue
        if isinstance(part, dict) and part.get("type") == "step-finish":
            steps.append(part)
    return steps if len(steps) > 1 else None


FORMAT = UsageFormat(SOURCE, "OpenCode", locations, (".db", ".json"), claims, read, keep="largest")
