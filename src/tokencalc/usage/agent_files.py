"""Helpers the agent readers share: per-OS base directories, epoch times, peeking at files, read-only SQLite."""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from tokencalc.usage.files import JSON_ERRORS
from tokencalc.usage.values import BadValue, timestamp

#: How long a reader waits for a database another process is writing before giving up on it.
SQLITE_BUSY_SECONDS = 2.0
SQLITE_MAGIC = b"SQLite format 3\x00"


def env_path(name: str) -> Path | None:
    """An environment variable naming a directory or file (``~`` expanded), or None when unset/empty."""
    value = os.environ.get(name, "").strip()
    return Path(value).expanduser() if value else None


def xdg_data_home() -> Path:
    """``$XDG_DATA_HOME``, else ``~/.local/share`` — the rule Node's ``xdg-basedir`` applies on every OS."""
    return env_path("XDG_DATA_HOME") or Path.home() / ".local" / "share"


def xdg_config_home() -> Path:
    return env_path("XDG_CONFIG_HOME") or Path.home() / ".config"


def app_support() -> Path:
    """Where desktop apps keep data: ``~/Library/Application Support``, ``%APPDATA%`` or the XDG config dir."""
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support"
    if sys.platform == "win32":
        return env_path("APPDATA") or Path.home() / "AppData" / "Roaming"
    return xdg_config_home()


def epoch_ms(value: Any, name: str) -> datetime:
    """A UTC time from epoch milliseconds."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise BadValue(f"{name} is not epoch milliseconds: {value!r}")
    return timestamp(value / 1000, name)


def first_object(path: Path, max_lines: int = 20) -> dict[str, Any] | None:
    """The first JSON object among the first lines of a JSONL file (None: none, or unreadable)."""
    try:
        with open(path, "rb") as handle:
            for _, raw in zip(range(max_lines), handle, strict=False):
                if not raw.strip():
                    continue
                try:
                    value = json.loads(raw)
                except JSON_ERRORS:
                    continue
                return value if isinstance(value, dict) else None
    except OSError:
        return None
    return None


def load_json(path: Path) -> Any:
    """A whole JSON document (raises OSError/ValueError)."""
    with open(path, "rb") as handle:
        return json.loads(handle.read())


def is_sqlite(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(16) == SQLITE_MAGIC
    except OSError:
        return False


@contextmanager
def read_only(path: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection (``mode=ro``; another process may be writing: WAL, busy timeout).

    Raises OSError when the file is not a database or cannot be opened, so the caller reports
    it like any unreadable file.
    """
    uri = "file:" + quote(str(path.resolve())) + "?mode=ro"
    try:
        connection = sqlite3.connect(uri, uri=True, timeout=SQLITE_BUSY_SECONDS)
    except sqlite3.Error as exc:
        raise OSError(f"cannot open the SQLite database: {exc}") from None
    try:
        yield connection
    except sqlite3.Error as exc:
        raise OSError(f"cannot read the SQLite database: {exc}") from None
    finally:
        connection.close()


def tables(connection: sqlite3.Connection) -> dict[str, set[str]]:
    """Table name → its column names."""
    names = [
        row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    ]
    return {
        name: {row[1] for row in connection.execute(f'PRAGMA table_info("{name}")')}
        for name in names
    }


def sqlite_tables(path: Path) -> dict[str, set[str]]:
    """The tables of a database file ({} when it is none or cannot be read)."""
    if not is_sqlite(path):
        return {}
    try:
        with read_only(path) as connection:
            return tables(connection)
    except OSError:
        return {}
