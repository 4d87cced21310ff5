"""Where the status line's index of Claude Code usage is kept: the index file (one line per
transcript) and one shard of compact entries per transcript, all written atomically and read
back defensively (a cache: anything unreadable is rebuilt). :mod:`tokencalc.usage.claude_index`
fills them.
"""

from __future__ import annotations

import hashlib
import marshal
from pathlib import Path
from typing import Any

from tokencalc.atomic import write_bytes_atomic, write_cache_atomic

FORMAT = 3  # bump when the layout changes
Entry = tuple[Any, ...]  # (key, rank, group, replica, ts, session, tokens, cost, pricing fields)


def load_index(path: Path) -> dict[str, Any]:
    """The index at ``path``; an empty one when it is missing, unreadable or of another layout."""
    try:
        with open(path, "rb") as handle:
            data = marshal.loads(handle.read())  # loads(bytes) is ten times faster than load(file)
        if (
            isinstance(data, dict)
            and data.get("format") == FORMAT
            and isinstance(data.get("files"), dict)
        ):
            return data
    except (OSError, EOFError, ValueError, TypeError):
        pass
    return {"format": FORMAT, "sheet": None, "files": {}}


def save_index(path: Path, data: dict[str, Any]) -> None:
    """Write the index atomically; a cache directory that cannot be written is left alone."""
    try:
        write_bytes_atomic(path, marshal.dumps(data))
    except OSError:
        pass  # a read-only cache dir: the next run reads again


def shard_path(where: Path, name: str) -> Path:
    """Where the entries of the transcript ``name`` are kept, beside the index ``where``."""
    digest = hashlib.sha1(name.encode("utf-8", "surrogateescape")).hexdigest()
    return where.with_name(where.name + ".d") / digest


def read_shard(where: Path, name: str) -> list[Entry] | None:
    """A transcript's stored entries; None when they are missing or unreadable."""
    try:
        with open(shard_path(where, name), "rb") as handle:
            entries = marshal.loads(handle.read())
    except (OSError, EOFError, ValueError, TypeError):
        return None
    return entries if isinstance(entries, list) else None


def write_shard(where: Path, name: str, entries: list[Entry]) -> None:
    """Atomically (a temporary file renamed over it); no fsync: it is a cache."""
    write_cache_atomic(shard_path(where, name), marshal.dumps(entries))


def shard_meta(size: int, mtime: int, offset: int, tail: bytes, entries: list[Entry]) -> list[Any]:
    """A file's line in the index: what tells whether it changed, and which records its shard holds."""
    last = max((e[4] for e in entries), default=0.0)
    sessions = sorted({e[5] for e in entries if e[5]})
    return [size, mtime, offset, tail, last, sessions]
