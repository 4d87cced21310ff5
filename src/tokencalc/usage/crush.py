"""Crush: per-project ``.crush/crush.db`` (SQLite), found through Crush's ``projects.json`` registry.

Crush keeps no token totals on disk (``prompt_tokens``/``completion_tokens`` are overwritten by
each step); the only usage figure is each top-level session's ``cost`` (Crush's own prices,
sub-agent costs already added to their parent, so child rows are never added). Each session
becomes a record with that cost as the vendor's figure and no tokens: the API-equivalent cost
cannot be worked out. The model shown is the one most of the session's messages name.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

from tokencalc.usage.agent_files import (
    env_path,
    load_json,
    read_only,
    sqlite_tables,
    xdg_data_home,
)
from tokencalc.usage.dedup import Candidate
from tokencalc.usage.files import JSON_ERRORS, FileLog
from tokencalc.usage.records import UsageRecord
from tokencalc.usage.usage_format import UsageFormat
from tokencalc.usage.values import BadValue, money, timestamp

SOURCE = "crush"


def _registry() -> Path:
    explicit = env_path("CRUSH_GLOBAL_DATA")
    if explicit is not None:
        return explicit / "projects.json"
    if sys.platform == "win32":
        return (
            (env_path("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
            / "crush"
            / "projects.json"
        )
    return xdg_data_home() / "crush" / "projects.json"


def locations() -> list[Path]:
    """Every project database the registry lists (projects used before it existed are not listed)."""
    try:
        projects = load_json(_registry())
    except (OSError, UnicodeDecodeError, *JSON_ERRORS):
        return []
    entries = (
        projects
        if isinstance(projects, list)
        else projects.get("projects", [])
        if isinstance(projects, dict)
        else []
    )
    places = []
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
            continue
        data_dir = (
            Path(entry["data_dir"]) if isinstance(entry.get("data_dir"), str) else Path(".crush")
        )
        places.append(
            (data_dir if data_dir.is_absolute() else Path(entry["path"]) / data_dir) / "crush.db"
        )
    return places


def claims(path: Path) -> bool:
    if path.name != "crush.db":
        return False
    return {"cost", "parent_session_id"} <= sqlite_tables(path).get("sessions", set())


def _seconds(value: object) -> float:
    """Crush writes Unix seconds (its DDL says milliseconds); accept either."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise BadValue(f"updated_at is not a time: {value!r}")
    return value / 1000 if value > 10**11 else float(value)


def read(path: Path, log: FileLog) -> Iterator[Candidate]:
    project = str(path.parent.parent) if path.parent.name == ".crush" else str(path.parent)
    with read_only(path) as db:
        models: dict[str, str] = {}
        if "model" in {row[1] for row in db.execute('PRAGMA table_info("messages")')}:
            query = (
                "SELECT session_id, model FROM messages WHERE model IS NOT NULL AND model != '' "
                "GROUP BY session_id, model ORDER BY session_id, COUNT(*) ASC"
            )
            for session_id, model in db.execute(query):
                models[session_id] = model  # the last one is the most used
        rows = db.execute(
            "SELECT id, cost, created_at, updated_at FROM sessions WHERE parent_session_id IS NULL"
        )
        for session_id, cost, created, updated in rows:
            log.seen()
            if not cost:
                continue
            try:
                record = UsageRecord(
                    timestamp=timestamp(_seconds(updated or created), "updated_at"),
                    source=SOURCE,
                    model=models.get(session_id),
                    input_tokens=0,
                    output_tokens=0,
                    requests=0,
                    vendor_cost_usd=money(cost, "cost"),
                    session=str(session_id),
                    project=project,
                )
            except BadValue as exc:
                log.bad(f"session {session_id}", str(exc))
                continue
            yield Candidate(record, (SOURCE, str(path), session_id))


FORMAT = UsageFormat(
    SOURCE,
    "Crush",
    locations,
    (".db",),
    claims,
    read,
    note="Crush keeps no token totals, only each session's cost at its own prices: shown as the vendor's "
    "figure, with no tokens and no API-equivalent cost",
)
