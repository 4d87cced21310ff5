"""Gemini CLI chats: ``${GEMINI_CLI_HOME:-~}/.gemini/tmp/<project>/chats/session-*.json[l]``.

Older files are one JSON object ``{sessionId, projectHash, startTime, lastUpdated, messages}``.
Newer ones are append-only JSONL: a metadata line, message records, ``{"$set": …}`` patches
(which may carry a whole ``messages`` list) and ``{"$rewindTo": id}``. A message is appended
again whenever it changes (tokens arrive, tool calls finish), so the last record with tokens
per id wins. Rewound messages were still billed, so ``$rewindTo`` removes nothing here.
Resuming an old ``.json`` session copies it into a ``.jsonl`` next to it; records are keyed
by (session, message id) across files so the copy counts once.

``tokens.input`` (promptTokenCount) includes ``cached``; ``thoughts`` are billed as output;
``tool`` (toolUsePromptTokenCount) is prompt on top of ``input`` and is counted as input.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from tokencalc.usage.dedup import Candidate
from tokencalc.usage.discovery import default_gemini_dirs
from tokencalc.usage.files import JSON_ERRORS, FileLog, InputFile, iter_lines
from tokencalc.usage.options import ReadOptions
from tokencalc.usage.records import UsageRecord
from tokencalc.usage.usage_format import UsageFormat
from tokencalc.usage.values import BadValue, timestamp, token_count

SOURCE = "gemini-cli"
MESSAGE_TYPES = {"user", "gemini", "info", "error", "warning"}


def looks_like(record: object) -> bool:
    """Whether one parsed JSONL line (or a whole legacy file) is a Gemini CLI chat record."""
    if not isinstance(record, dict):
        return False
    if "$set" in record or "$rewindTo" in record:
        return True
    if "sessionId" in record and "projectHash" in record:
        return True
    return (
        record.get("type") in MESSAGE_TYPES
        and "id" in record
        and "content" in record
        and "message" not in record
    )


class _Session:
    """The latest usable state of each gemini message of one file."""

    def __init__(self, session: str) -> None:
        self.session = session
        self.latest: dict[str, UsageRecord] = {}

    def add(self, message: object, log: FileLog, where: object) -> None:
        if not isinstance(message, dict) or message.get("type") != "gemini":
            return
        message_id = message.get("id")
        tokens = message.get("tokens")
        if not isinstance(message_id, str) or not isinstance(tokens, dict):
            return  # tokens are recorded on a later append, or never (a failed call)
        try:
            prompt = token_count(tokens.get("input"), "tokens.input")
            cached = token_count(tokens.get("cached"), "tokens.cached")
            tool = token_count(tokens.get("tool"), "tokens.tool")
            output = token_count(tokens.get("output"), "tokens.output")
            thoughts = token_count(tokens.get("thoughts"), "tokens.thoughts")
            when = timestamp(message.get("timestamp"))
        except BadValue as exc:
            log.bad(where, str(exc))
            return
        model = message.get("model")
        if message_id in self.latest:
            log.duplicate()  # the same message appended again; the later copy wins
        self.latest[message_id] = UsageRecord(
            timestamp=when,
            source=SOURCE,
            model=model if isinstance(model, str) and model else None,
            input_tokens=prompt + tool,
            output_tokens=output + thoughts,
            cache_read_tokens=min(cached, prompt),
            session=self.session,
        )

    def candidates(self) -> Iterator[Candidate]:
        for message_id, record in self.latest.items():
            total = record.input_tokens + record.output_tokens
            yield Candidate(record, (SOURCE, self.session, message_id), (total,))


def read(
    handle: IO[bytes], file: InputFile, log: FileLog, options: ReadOptions
) -> Iterator[Candidate]:
    state = _Session(file.path.stem)
    first = True
    for number, raw in iter_lines(handle):
        try:
            record = json.loads(raw)
        except JSON_ERRORS:
            if first and raw.strip().removeprefix(b"\xef\xbb\xbf") == b"{":
                yield from _read_legacy(raw + handle.read(), file, log)  # a pretty-printed old file
                return
            first = False
            log.seen()
            log.bad(number, "invalid JSON")
            continue
        first = False
        if not isinstance(record, dict):
            log.seen()
            log.bad(number, "not a JSON object")
            continue
        if "$rewindTo" in record:
            log.seen()
            continue
        if "$set" in record:
            log.seen()
            patch = record["$set"]
            if isinstance(patch, dict) and isinstance(patch.get("messages"), list):
                for message in patch["messages"]:
                    state.add(message, log, number)
            continue
        if "sessionId" in record and "projectHash" in record:
            if isinstance(record["sessionId"], str) and state.session == file.path.stem:
                state.session = record["sessionId"]
            if isinstance(record.get("messages"), list):  # a legacy file written on one line
                log.seen(len(record["messages"]))
                for message in record["messages"]:
                    state.add(message, log, number)
            else:
                log.seen()
            continue
        log.seen()
        state.add(record, log, number)
    yield from state.candidates()


def _read_legacy(data: bytes, file: InputFile, log: FileLog) -> Iterator[Candidate]:
    try:
        document = json.loads(data.decode("utf-8-sig", errors="replace"))
    except JSON_ERRORS:
        log.seen()
        log.bad(1, "invalid JSON")
        return
    messages = document.get("messages") if isinstance(document, dict) else None
    if not isinstance(messages, list):
        log.seen()
        log.bad(1, "no messages list")
        return
    session = document.get("sessionId")
    state = _Session(session if isinstance(session, str) else file.path.stem)
    log.seen(len(messages))
    for index, message in enumerate(messages):
        state.add(message, log, f"message {index}")
    yield from state.candidates()


def _locations() -> list[Path]:
    return default_gemini_dirs(existing_only=False)


def _whole_session(document: object) -> str | None:
    """A session saved as one JSON document: its ``messages`` list holds the records."""
    if (
        isinstance(document, dict)
        and isinstance(document.get("messages"), list)
        and looks_like(document)
    ):
        return SOURCE
    return None


FORMAT = UsageFormat(
    SOURCE,
    "Gemini CLI",
    _locations,
    (".jsonl", ".json"),
    keep="largest",
    detect_line=looks_like,
    detect_document=_whole_session,
    detect_order=1,
    readers={"jsonl": read, "json": read},
)
