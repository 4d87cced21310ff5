"""GitHub Copilot CLI: ``${COPILOT_HOME:-~/.copilot}/session-state/<sessionId>/events.jsonl``.

Only top-level ``session.shutdown`` events carry usage: one per CLI process, with per-model
totals in ``modelMetrics`` (a resumed session appends another shutdown holding only the new
process's usage, so every shutdown counts). ``inputTokens`` includes cache reads and writes;
``reasoningTokens`` is inside ``outputTokens`` for Claude and GPT models and added only for
Gemini. A process killed before it shut down wrote no usage: totals are a lower bound.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tokencalc.usage.agent_files import env_path, first_object
from tokencalc.usage.dedup import Candidate
from tokencalc.usage.files import FileLog, iter_json_objects
from tokencalc.usage.records import UsageRecord
from tokencalc.usage.usage_format import UsageFormat
from tokencalc.usage.values import BadValue, json_object, timestamp, token_count

SOURCE = "copilot-cli"
_CLAUDE_DOTTED = re.compile(r"^(claude-[a-z]+-\d+)\.(\d+)")
_SUFFIXES = ("-1m-internal", "-internal", "-xhigh", "-high", "-1m")


def locations() -> list[Path]:
    base = env_path("COPILOT_HOME") or Path.home() / ".copilot"
    return [base / "session-state", base / "history-session-state"]


def claims(path: Path) -> bool:
    if path.name != "events.jsonl":
        return False
    head = first_object(path)
    return head is None or (
        isinstance(head.get("type"), str) and "." in head["type"] and "data" in head
    )


def normalized_model(model: str) -> str:
    """``claude-sonnet-4.5`` → ``claude-sonnet-4-5``; Copilot's ``-internal``/``-1m``/effort suffixes dropped."""
    for suffix in _SUFFIXES:
        if model.endswith(suffix):
            model = model[: -len(suffix)]
            break
    return _CLAUDE_DOTTED.sub(r"\1-\2", model)


def _records(
    data: dict[str, Any], when: Any, session: str, project: str | None
) -> Iterator[tuple[str, UsageRecord]]:
    metrics = data.get("modelMetrics")
    if not isinstance(metrics, dict):
        raise BadValue("session.shutdown without modelMetrics")
    at = timestamp(when)
    for model, entry in metrics.items():
        if not isinstance(entry, dict):
            raise BadValue(f"modelMetrics[{model!r}] is not an object")
        usage = json_object(entry, "usage")
        requests = json_object(entry, "requests")
        prompt = token_count(usage.get("inputTokens"), "inputTokens")
        read = token_count(usage.get("cacheReadTokens"), "cacheReadTokens")
        write = token_count(usage.get("cacheWriteTokens"), "cacheWriteTokens")
        output = token_count(usage.get("outputTokens"), "outputTokens")
        reasoning = token_count(usage.get("reasoningTokens"), "reasoningTokens")
        count = token_count(requests.get("count"), "requests.count")
        if read + write > prompt:
            raise BadValue(
                f"cache tokens ({read + write}) exceed inputTokens ({prompt}) for {model}"
            )
        if not any((prompt, output, count)):
            continue
        name = normalized_model(model)
        yield (
            model,
            UsageRecord(
                timestamp=at,
                source=SOURCE,
                model=name,
                input_tokens=prompt,
                output_tokens=output + (reasoning if name.startswith("gemini") else 0),
                cache_read_tokens=read,
                cache_write_5m_tokens=write,
                requests=count,
                session=session,
                project=project,
            ),
        )


def read(path: Path, log: FileLog) -> Iterator[Candidate]:
    session = path.parent.name
    project: str | None = None
    with open(path, "rb") as handle:
        for number, line in iter_json_objects(handle, log):
            kind = line.get("type")
            data = line.get("data")
            if not isinstance(data, dict):
                continue
            if kind == "session.start":
                session = data["sessionId"] if isinstance(data.get("sessionId"), str) else session
                context = json_object(data, "context")
                cwd = context.get("gitRoot") or context.get("cwd")
                project = cwd if isinstance(cwd, str) and cwd else project
            elif kind == "session.shutdown":
                try:
                    found = list(_records(data, line.get("timestamp"), session, project))
                except BadValue as exc:
                    log.bad(number, str(exc))
                    continue
                for model, record in found:
                    yield Candidate(record, (SOURCE, session, line.get("id") or number, model))


FORMAT = UsageFormat(SOURCE, "GitHub Copilot CLI", locations, (".jsonl",), claims, read)
