"""OpenAI Codex CLI rollouts: ``${CODEX_HOME:-~/.codex}/sessions/YYYY/MM/DD/rollout-*.jsonl``.

``event_msg``/``token_count`` events carry the session's cumulative ``total_token_usage``.
Codex re-emits unchanged totals, so only increases of the cumulative total are usage: each
record is the field-wise difference between two successive distinct totals of one file.
``info: null`` events only carry rate limits. The model comes from the latest ``turn_context``.

Forked (and subagent) sessions start with their own ``session_meta`` followed by their
parent's, then replay the parent's history, ``token_count`` events included (with
timestamps rewritten to the fork time). An increase is identified by the pair of cumulative
totals it goes between; an increase in such a replaying file that another file also has is
the parent's and is dropped. Increases of ordinary sessions are never matched across
sessions, so two independent sessions with identical numbers both count.

Events whose ``total_token_usage`` is null (early builds) carry only the turn's
``last_token_usage``. Each becomes a record keyed by (session, timestamp, counts), so the
same file read twice counts once; an event repeating the previous such event's counts with
no other usage event in between is a re-emit (it usually comes a moment later, with a new
timestamp) and is dropped too.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

from tokencalc.usage.dedup import Candidate
from tokencalc.usage.discovery import default_codex_dirs
from tokencalc.usage.files import FileLog, InputFile, iter_json_objects
from tokencalc.usage.options import ReadOptions
from tokencalc.usage.records import UsageRecord
from tokencalc.usage.usage_format import UsageFormat
from tokencalc.usage.values import BadValue, timestamp, token_count

SOURCE = "codex"
LINE_TYPES = {"session_meta", "turn_context", "event_msg", "response_item", "compacted"}
_FIELDS = ("input_tokens", "cached_input_tokens", "output_tokens", "reasoning_output_tokens")


def looks_like(record: object) -> bool:
    return isinstance(record, dict) and record.get("type") in LINE_TYPES and "payload" in record


#: (cumulative totals before, cumulative totals after) one increase
Span = tuple[tuple[int, ...], tuple[int, ...]]


@dataclass(frozen=True)
class CodexIncrease:
    """One increase of a session's cumulative token total."""

    record: UsageRecord
    session: str
    span: Span
    replaying: bool  # the file replays another session's history (fork or subagent)


@dataclass(frozen=True)
class CodexSession:
    """Yielded once per file: its session and the session it replays (forks, subagents)."""

    session: str
    parent: str | None


def _totals(usage: object) -> tuple[int, ...]:
    if not isinstance(usage, dict):
        raise BadValue("token usage is not an object")
    return tuple(token_count(usage.get(name), name) for name in _FIELDS)


def read(
    handle: IO[bytes], file: InputFile, log: FileLog, options: ReadOptions
) -> Iterator[CodexIncrease | CodexSession | Candidate]:
    session: str | None = None
    parent: str | None = None
    model: str | None = None
    previous: tuple[int, ...] | None = None
    previous_last: tuple[int, ...] | None = None  # of events without a cumulative total
    cwd: str | None = None
    for number, line in iter_json_objects(handle, log):
        kind = line.get("type")
        payload = line.get("payload")
        if kind == "session_meta" and isinstance(payload, dict):
            meta_id = payload.get("id")
            if not isinstance(meta_id, str):
                continue
            if session is None:
                session = meta_id
                cwd = (
                    payload["cwd"]
                    if isinstance(payload.get("cwd"), str) and payload["cwd"]
                    else None
                )
                forked_from = payload.get("forked_from_id")
                parent = forked_from if isinstance(forked_from, str) and forked_from else None
            elif parent is None and meta_id != session:
                parent = meta_id  # an embedded parent session_meta: this file replays it
            continue
        if kind == "turn_context" and isinstance(payload, dict):
            if isinstance(payload.get("model"), str) and payload["model"]:
                model = payload["model"]
            continue
        if (
            kind != "event_msg"
            or not isinstance(payload, dict)
            or payload.get("type") != "token_count"
        ):
            continue
        info = payload.get("info")
        if info is None:
            continue  # rate-limit-only event
        try:
            if not isinstance(info, dict):
                raise BadValue("token_count info is not an object")
            when = timestamp(line.get("timestamp"))
            event_model = model or (
                info.get("model") if isinstance(info.get("model"), str) else None
            )
            if info.get("total_token_usage") is None:
                # Early Codex builds logged only the per-turn usage (see the module docstring).
                last = _totals(info.get("last_token_usage"))
                if last == previous_last:
                    log.duplicate()  # re-emitted with nothing in between
                    continue
                previous_last = last
                sid = session or file.path.stem
                yield Candidate(
                    _record(when, event_model, last, sid, cwd), key=(SOURCE, sid, when, last)
                )
                continue
            current = _totals(info["total_token_usage"])
        except BadValue as exc:
            log.bad(number, str(exc))
            continue
        previous_last = None
        if current == previous:
            log.duplicate()  # re-emitted unchanged cumulative total
            continue
        base = (
            previous
            if previous is not None and all(c >= p for c, p in zip(current, previous, strict=True))
            else (0,) * 4  # the total went down: a new count started from zero
        )
        previous = current
        delta = tuple(c - b for c, b in zip(current, base, strict=True))
        if not any(delta):
            continue
        sid = session or file.path.stem
        yield CodexIncrease(
            record=_record(when, event_model, delta, sid, cwd),
            session=sid,
            span=(base, current),
            replaying=parent is not None,
        )
    yield CodexSession(session or file.path.stem, parent)


def _record(
    when: datetime,
    model: str | None,
    usage: tuple[int, ...],
    session: str,
    project: str | None = None,
) -> UsageRecord:
    input_tokens, cached, output, _reasoning = usage
    return UsageRecord(
        timestamp=when,
        source=SOURCE,
        model=model,
        input_tokens=input_tokens,
        output_tokens=output,  # reasoning is a subset of output
        cache_read_tokens=min(cached, input_tokens),
        session=session,
        project=project,
    )


class CodexCollector:
    """Keeps each cumulative increase once (see the module docstring)."""

    def __init__(self) -> None:
        self._own: dict[tuple[str, Span], UsageRecord] = {}  # (session, span) of ordinary sessions
        self._spans_owned: set[Span] = set()
        self._replayed: dict[Span, CodexIncrease] = {}  # span → first replayed increase
        self._sessions: set[str] = set()
        self._parents: set[str] = set()
        self.duplicates = 0

    def add_session(self, info: CodexSession) -> None:
        self._sessions.add(info.session)
        if info.parent is not None:
            self._parents.add(info.parent)

    def add(self, increase: CodexIncrease) -> None:
        if increase.replaying:
            if increase.span in self._replayed:
                self.duplicates += 1
            else:
                self._replayed[increase.span] = increase
            return
        key = (increase.session, increase.span)
        if key in self._own:
            self.duplicates += 1  # the same file read twice
            return
        self._own[key] = increase.record
        self._spans_owned.add(increase.span)

    def records(self) -> list[UsageRecord]:
        kept = list(self._own.values())
        for span, increase in self._replayed.items():
            if span in self._spans_owned:
                self.duplicates += 1
            else:
                kept.append(increase.record)
        return kept

    def missing_parents(self) -> int:
        """How many replayed parent sessions were not read themselves.

        Their history is then counted once, from the replay, at the fork's timestamps.
        """
        return len(self._parents - self._sessions)


def _locations() -> list[Path]:
    return default_codex_dirs(existing_only=False)


FORMAT = UsageFormat(
    SOURCE, "Codex", _locations, (".jsonl",), detect_line=looks_like, readers={"jsonl": read}
)
