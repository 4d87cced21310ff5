"""Kimi CLI wire logs: ``${KIMI_SHARE_DIR:-~/.kimi}/sessions/<md5(work dir)>/<session>/wire.jsonl``.

One call per ``StatusUpdate`` with a non-null ``token_usage`` (this step's usage), at the top
level or forwarded from a sub-agent inside a ``SubagentEvent``; the sub-agent's own
``subagents/<id>/wire.jsonl`` may hold the same update, so records are keyed by (session,
``message_id``). The model is not logged: it is taken from ``config.toml``'s
``default_model`` (a ``--model`` flag was never recorded), and a note says so. The project is
the work dir whose md5 names the session folder (from ``kimi.json``).
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from tokencalc.usage.agent_files import env_path, first_object, load_json
from tokencalc.usage.dedup import Candidate
from tokencalc.usage.files import JSON_ERRORS, FileLog, iter_json_objects
from tokencalc.usage.records import UsageRecord
from tokencalc.usage.usage_format import UsageFormat
from tokencalc.usage.values import BadValue, timestamp, token_count

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SOURCE = "kimi-cli"


def locations() -> list[Path]:
    return [(env_path("KIMI_SHARE_DIR") or Path.home() / ".kimi") / "sessions"]


def claims(path: Path) -> bool:
    if path.name != "wire.jsonl":
        return False
    head = first_object(path)
    return head is None or head.get("type") == "metadata" or isinstance(head.get("message"), dict)


def _share_dir(path: Path) -> Path | None:
    for parent in path.parents:
        if parent.name == "sessions":
            return parent.parent
    return None


@lru_cache(maxsize=16)
def share_info(share: Path | None) -> tuple[str | None, dict[str, str]]:
    """(the configured model, md5 folder name → work dir) of a Kimi share dir."""
    if share is None:
        return None, {}
    model: str | None = None
    try:
        config = tomllib.loads((share / "config.toml").read_text(encoding="utf-8"))
        name = config.get("default_model")
        entry = config.get("models", {}).get(name, {}) if isinstance(name, str) else {}
        model = (
            entry.get("model")
            if isinstance(entry, dict) and isinstance(entry.get("model"), str)
            else name
        )
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, AttributeError):
        pass
    dirs: dict[str, str] = {}
    try:
        index = load_json(share / "kimi.json")
        for entry in index.get("work_dirs", []) if isinstance(index, dict) else []:
            if isinstance(entry, dict) and isinstance(entry.get("path"), str):
                digest = hashlib.md5(entry["path"].encode("utf-8")).hexdigest()
                kaos = entry.get("kaos")
                dirs[digest if kaos in (None, "local") else f"{kaos}_{digest}"] = entry["path"]
    except (OSError, *JSON_ERRORS, UnicodeDecodeError):
        pass
    return model if isinstance(model, str) else None, dirs


def _session_dir(path: Path) -> Path:
    """The session folder: the wire's own, or, for ``<session>/subagents/<id>/wire.jsonl``, its grandparent's parent."""
    return path.parent.parent.parent if path.parent.parent.name == "subagents" else path.parent


def _usage(payload: Any) -> dict[str, Any] | None:
    if not isinstance(payload, dict):
        return None
    usage = payload.get("token_usage")
    return usage if isinstance(usage, dict) else None


def read(path: Path, log: FileLog) -> Iterator[Candidate]:
    model, dirs = share_info(_share_dir(path))
    session_dir = _session_dir(path)
    session = session_dir.name
    project = dirs.get(session_dir.parent.name)
    with open(path, "rb") as handle:
        for number, line in iter_json_objects(handle, log):
            message = line.get("message")
            if not isinstance(message, dict):
                continue
            payload = message.get("payload")
            if message.get("type") == "SubagentEvent" and isinstance(payload, dict):
                event = payload.get("event")
                if not isinstance(event, dict) or event.get("type") != "StatusUpdate":
                    continue
                payload = event.get("payload")
            elif message.get("type") != "StatusUpdate":
                continue
            usage = _usage(payload)
            if usage is None:
                continue  # a status-only update
            try:
                other = token_count(usage.get("input_other"), "input_other")
                read_ = token_count(usage.get("input_cache_read"), "input_cache_read")
                write = token_count(usage.get("input_cache_creation"), "input_cache_creation")
                output = token_count(usage.get("output"), "output")
                when = timestamp(line.get("timestamp"))
            except BadValue as exc:
                log.bad(number, str(exc))
                continue
            if not any((other, read_, write, output)):
                continue
            record = UsageRecord(
                timestamp=when,
                source=SOURCE,
                model=model,
                input_tokens=other + read_ + write,
                output_tokens=output,
                cache_read_tokens=read_,
                cache_write_5m_tokens=write,
                session=session,
                project=project,
            )
            message_id = payload.get("message_id") if isinstance(payload, dict) else None
            key = (
                (SOURCE, session, message_id)
                if isinstance(message_id, str)
                else (SOURCE, session, when, other, output)
            )
            yield Candidate(record, key)


FORMAT = UsageFormat(SOURCE, "Kimi CLI", locations, (".jsonl",), claims, read)
