"""Goose sessions: ``sessions.db`` (SQLite), one row per session with accumulated counters.

Goose records no calls, only per-session sums: ``accumulated_input_tokens`` (cache reads and
writes included, with no split), ``accumulated_output_tokens`` and ``accumulated_total_tokens``
(a positive rest ``total − input − output`` is taken as extra output, as reasoning). The
``input_tokens``/``output_tokens`` columns are the *last* call only and are never used. The
model is the session's ``model_config_json.model_name``; requests are unknown (shown with +).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tokencalc.usage.agent_files import (
    env_path,
    read_only,
    sqlite_tables,
    xdg_data_home,
)
from tokencalc.usage.dedup import Candidate
from tokencalc.usage.files import JSON_ERRORS, FileLog
from tokencalc.usage.records import UsageRecord
from tokencalc.usage.usage_format import UsageFormat
from tokencalc.usage.values import BadValue, money, timestamp, token_count

SOURCE = "goose"
_COLUMNS = (
    "id", "working_dir", "created_at", "updated_at", "accumulated_input_tokens", "accumulated_output_tokens",
    "accumulated_total_tokens", "accumulated_cost", "model_config_json", "provider_name",
)  # fmt: skip


def locations() -> list[Path]:
    root = env_path("GOOSE_PATH_ROOT")
    if root is not None:
        return [root / "data" / "sessions" / "sessions.db"]
    home = Path.home()
    if sys.platform == "darwin":
        return [
            home / "Library" / "Application Support" / "goose" / "sessions" / "sessions.db",
            home / ".local" / "share" / "Block" / "goose" / "sessions" / "sessions.db",
        ]
    if sys.platform == "win32":
        appdata = env_path("APPDATA") or home / "AppData" / "Roaming"
        return [appdata / "Block" / "goose" / "data" / "sessions" / "sessions.db"]
    return [xdg_data_home() / "goose" / "sessions" / "sessions.db"]


def claims(path: Path) -> bool:
    if path.name != "sessions.db":
        return False
    return "accumulated_input_tokens" in sqlite_tables(path).get("sessions", set())


def read(path: Path, log: FileLog) -> Iterator[Candidate]:
    with read_only(path) as db:
        present = {row[1] for row in db.execute('PRAGMA table_info("sessions")')}
        columns = [c if c in present else f"NULL AS {c}" for c in _COLUMNS]
        for row in db.execute(f"SELECT {', '.join(columns)} FROM sessions"):
            values = dict(zip(_COLUMNS, row, strict=True))
            log.seen()
            try:
                record = _record(values)
            except BadValue as exc:
                log.bad(f"session {values['id']}", str(exc))
                continue
            if record is not None:
                yield Candidate(record, (SOURCE, str(path), values["id"]))


def _record(values: dict[str, Any]) -> UsageRecord | None:
    prompt = token_count(values["accumulated_input_tokens"], "accumulated_input_tokens")
    output = token_count(values["accumulated_output_tokens"], "accumulated_output_tokens")
    total = token_count(values["accumulated_total_tokens"], "accumulated_total_tokens")
    if not prompt and not output:
        return None  # an empty session (NULL counters)
    output += max(total - prompt - output, 0)
    model = None
    try:
        config = json.loads(values["model_config_json"]) if values["model_config_json"] else None
        model = config.get("model_name") if isinstance(config, dict) else None
    except (*JSON_ERRORS, TypeError):
        pass
    cost = values["accumulated_cost"]
    when = values["updated_at"] or values["created_at"]
    return UsageRecord(
        timestamp=timestamp(when, "updated_at"),
        source=SOURCE,
        model=model if isinstance(model, str) and model else None,
        input_tokens=prompt,
        output_tokens=output,
        requests=0,
        vendor_cost_usd=money(cost, "accumulated_cost") if cost is not None else None,
        session=str(values["id"]),
        project=values["working_dir"]
        if isinstance(values["working_dir"], str) and values["working_dir"]
        else None,
    )


FORMAT = UsageFormat(
    SOURCE,
    "Goose",
    locations,
    (".db",),
    claims,
    read,
    note="per-session totals only: input includes cache reads and writes with no split, so it is priced "
    "as uncached input (an upper bound); requests unknown (shown with +); dated at the session's last update",
)
