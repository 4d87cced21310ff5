"""Factory Droid: ``~/.factory/sessions/<cwd slug>/<sessionId>.settings.json``, a running total per session.

Droid is closed source; the layout comes from public readers (see docs/usage-formats.md).
``tokenUsage`` is rewritten in place after each call, so each file is one record (never a sum
of snapshots), dated by the file's modification time. Input is uncached; ``thinkingTokens`` is
added to ``outputTokens`` as both public readers do (whether Droid's output already holds it
is unknown: the note gives the figure without it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

from tokencalc.usage.agent_files import env_path, load_json
from tokencalc.usage.dedup import Candidate
from tokencalc.usage.files import JSON_ERRORS, FileLog
from tokencalc.usage.records import UsageRecord
from tokencalc.usage.usage_format import UsageFormat
from tokencalc.usage.values import BadValue, token_count

SOURCE = "droid"
SUFFIX = ".settings.json"


def locations() -> list[Path]:
    return [(env_path("FACTORY_DIR") or Path.home() / ".factory") / "sessions"]


def claims(path: Path) -> bool:
    return path.name.endswith(SUFFIX)


def normalized_model(model: str) -> str:
    """``custom:Claude-Opus-4.5-Thinking-[Anthropic]-0`` → ``claude-opus-4-5-thinking``."""
    name = model.removeprefix("custom:")
    name = re.sub(r"\[[^\]]*\]", "", name)
    name = re.sub(r"-\d+$", "", name.strip("-")) if "[" in model else name
    name = name.lower().replace(".", "-").replace("_", "-")
    return re.sub(r"-{2,}", "-", name).strip("-")


def read(path: Path, log: FileLog) -> Iterator[Candidate]:
    log.seen()
    try:
        settings = load_json(path)
    except (*JSON_ERRORS, UnicodeDecodeError):
        log.bad(1, "invalid JSON (a file being rewritten?)")
        return
    if not isinstance(settings, dict):
        log.bad(1, "not a settings object")
        return
    usage = settings.get("tokenUsage")
    if not isinstance(usage, dict):
        return  # a session without usage yet
    try:
        uncached = token_count(usage.get("inputTokens"), "inputTokens")
        output = token_count(usage.get("outputTokens"), "outputTokens")
        thinking = token_count(usage.get("thinkingTokens"), "thinkingTokens")
        write = token_count(usage.get("cacheCreationTokens"), "cacheCreationTokens")
        read_ = token_count(usage.get("cacheReadTokens"), "cacheReadTokens")
    except BadValue as exc:
        log.bad(1, str(exc))
        return
    if not any((uncached, output, thinking, write, read_)):
        return
    model = settings.get("model")
    session = path.name[: -len(SUFFIX)]
    record = UsageRecord(
        timestamp=datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc),
        source=SOURCE,
        model=normalized_model(model) if isinstance(model, str) and model else None,
        input_tokens=uncached + read_ + write,
        output_tokens=output + thinking,
        cache_read_tokens=read_,
        cache_write_5m_tokens=write,
        requests=0,
        session=session,
        project=path.parent.name if path.parent.name != "sessions" else None,
    )
    yield Candidate(record, (SOURCE, session))


FORMAT = UsageFormat(
    SOURCE,
    "Factory Droid",
    locations,
    (".json",),
    claims,
    read,
    note="one running total per session, dated by the file's modification time; thinkingTokens added to "
    "outputTokens (as other readers do; Droid may already count them in output); requests unknown (shown with +)",
)
