"""An incremental index of Claude Code's usage records, for ``tokencalc statusline``.

Kept in the user cache dir (:mod:`tokencalc.usage.claude_index_store`). Per transcript it holds the
file's size and modification time, the byte offset read up to (the end of its last complete
line) with the bytes just before it, and one compact entry per assistant line: what
de-duplication needs (the key, rank, group and replica flag of
:class:`tokencalc.usage.dedup.Candidate`), the time, session, tokens, the fields pricing needs,
and the API-equivalent cost in US dollars priced with the price sheet of the signature stored
beside it.

- An unchanged file (same size and mtime) is not opened.
- A file that only grew (Claude Code appends) is read from the stored offset, after checking
  that the bytes before it are unchanged; anything else is read again from the start. A last
  line without its newline (being written) is left for the next run.
- When the price sheet (packaged or the user's) or tokencalc's version changed, every entry is
  priced again from its stored tokens; the logs are not re-read.
- The index is written to a temporary file and renamed over the old one, so concurrent runs
  never see half an index (the last writer wins; both wrote complete, correct indexes). An
  index that cannot be read (corrupt, from another Python) is rebuilt.

De-duplication follows the reader's own rule (:class:`~tokencalc.usage.dedup.KeepLargest`, tested
equal), run over the compact entries, so the status line counts exactly what ``tokencalc usage`` counts.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from operator import itemgetter
from pathlib import Path
from typing import Any

from tokencalc.usage.claude_index_store import (
    FORMAT,
    Entry,
    load_index,
    read_shard,
    save_index,
    shard_meta,
    write_shard,
)
from tokencalc.usage.dedup import settle_groups, settle_keys

INDEX_NAME = "claude-code-index.v3"
TAIL = 64  # bytes before the offset that must be unchanged to resume there
BATCH = 50_000  # new entries priced and written at a time when building the index


@dataclass(frozen=True)
class Summary:
    """One de-duplicated record, as the status line needs it."""

    timestamp: float  # epoch seconds, UTC
    session: str | None
    tokens: int
    cost: str | None  # US dollars as a decimal string; None: a model the sheet does not know


def sheet_signature() -> tuple[Any, ...]:
    """What the stored costs depend on: tokencalc's version and the price sheets' sizes and times."""
    import tokencalc
    from tokencalc.paths import user_sheet_path

    parts: list[Any] = [tokencalc.__version__, FORMAT]
    for path in (Path(tokencalc.__file__).parent / "pricing.toml", user_sheet_path()):
        try:
            stat = path.stat()
            parts += [str(path), stat.st_size, stat.st_mtime_ns]
        except OSError:
            parts += [str(path), None, None]
    return tuple(parts)


def index_path() -> Path:
    from tokencalc.paths import cache_dir

    return cache_dir() / INDEX_NAME


def transcripts(dirs: Iterable[Path]) -> Iterator[str]:
    """Every ``*.jsonl`` under ``dirs`` (hidden entries skipped), by ``os.scandir``."""
    stack = [str(d) for d in dirs]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    if entry.name.startswith("."):
                        continue
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
                    elif entry.name.endswith(".jsonl") and entry.is_file():
                        yield entry.path
        except OSError:
            continue


def _read_from(
    path: str, offset: int, tail: bytes
) -> tuple[list[Entry], int, bytes, list[Any]] | None:
    """New entries of ``path`` from ``offset`` (None: the bytes before it changed: read it all)."""
    import json

    from tokencalc.usage import claude_code
    from tokencalc.usage.values import BadValue

    entries: list[Entry] = []
    records: list[Any] = []
    session_hint = Path(path).stem
    in_subagents = "subagents" in Path(path).parts[:-1]
    with open(path, "rb") as handle:
        if offset:
            handle.seek(max(offset - len(tail), 0))
            if handle.read(len(tail)) != tail:
                return None
        end = offset
        for raw in handle:
            if not raw.endswith(b"\n"):
                break  # a line still being written
            end += len(raw)
            if b'"assistant"' not in raw:
                continue  # a cheap pre-filter; the type is checked on the parsed line
            try:
                line = json.loads(raw)
            except ValueError:
                continue
            if not isinstance(line, dict) or line.get("type") != "assistant":
                continue
            try:
                candidate = claude_code._candidate(line, session_hint, in_subagents)
            except BadValue:
                continue
            if candidate is None:
                continue
            record = candidate.record
            entries.append(
                (
                    candidate.key,
                    candidate.rank,
                    candidate.group,
                    candidate.replica,
                    record.timestamp.timestamp(),
                    record.session,
                    record.input_tokens + record.output_tokens,
                    None,
                    _pricing_fields(record),
                )
            )
            records.append(record)
        handle.seek(max(end - TAIL, 0))
        new_tail = handle.read(min(TAIL, end))
    return entries, end, new_tail, records


def _pricing_fields(record: Any) -> tuple[Any, ...]:
    return (
        record.model, record.input_tokens, record.output_tokens, record.cache_read_tokens,
        record.cache_write_5m_tokens, record.cache_write_1h_tokens, record.tier,
        getattr(record, "web_search_requests", 0), getattr(record, "inference_geo", None),
    )  # fmt: skip


def _record_of(entry: Entry) -> Any:
    from tokencalc.usage.records import UsageRecord

    model, input_tokens, output, read, write_5m, write_1h, tier, searches, geo = entry[8]
    extra: dict[str, Any] = {}
    fields = UsageRecord.__dataclass_fields__
    if "web_search_requests" in fields:
        extra["web_search_requests"] = searches
    if "inference_geo" in fields:
        extra["inference_geo"] = geo
    return UsageRecord(
        timestamp=datetime.fromtimestamp(entry[4], tz=timezone.utc),
        source="claude-code",
        model=model,
        input_tokens=input_tokens,
        output_tokens=output,
        cache_read_tokens=read,
        cache_write_5m_tokens=write_5m,
        cache_write_1h_tokens=write_1h,
        tier=tier,
        **extra,
    )


def price_entries(entries: list[Entry], records: list[Any] | None = None) -> list[Entry]:
    """``entries`` with their cost filled in, each priced exactly as ``tokencalc usage`` prices it."""
    if not entries:
        return entries
    from dataclasses import replace

    from tokencalc.pricing.costs import decimal_text
    from tokencalc.sheet.load import load_price_sheet
    from tokencalc.usage.pricing import price_usage

    originals = records if records is not None else [_record_of(e) for e in entries]
    tagged = [replace(r, session=str(i)) for i, r in enumerate(originals)]
    priced = price_usage(load_price_sheet(), tagged, by="session", tz=timezone.utc)
    costs = {group.key: decimal_text(group.totals.cost) for group in priced.groups}
    return [(*e[:7], costs.get(str(i)), e[8]) for i, e in enumerate(entries)]


@dataclass(frozen=True)
class Refresh:
    summaries: list[Summary]
    files: int
    files_read: int  # opened this run (new, grown or changed)
    repriced: bool


def _flush(
    pending: list[tuple[str, list[Entry], list[Entry], list[Any], list[Any]]],
    repriced: bool,
    where: Path,
    files: dict[str, list[Any]],
    loaded: dict[str, list[Entry]],
    since: float | None,
    session: str | None,
) -> None:
    """Price the pending files' new records at once, write their shards and note them in ``files``.

    Only shards the caller will use (records from ``since`` on, or of ``session``) stay in
    ``loaded``; the others are on disk, so building the index of a large history holds one
    batch of records at a time, not all of them.
    """
    if not pending:
        return
    if not repriced:  # price every new record of the batch at once (one price-sheet load)
        fresh = price_entries(
            [e for p in pending for e in p[2]], [r for p in pending for r in p[3]]
        )
        at = 0
        for name, kept, entries, _, _ in pending:
            loaded[name] = _settled(kept + fresh[at : at + len(entries)])
            at += len(entries)
    else:  # priced below, with every other shard
        for name, kept, entries, _, _ in pending:
            loaded[name] = _settled(kept + entries)
    for name, _, _, _, meta in pending:
        write_shard(where, name, loaded[name])
        size, mtime, offset, tail = meta
        files[name] = shard_meta(size, mtime, offset, tail, loaded[name])
        last, sessions = files[name][4], files[name][5]
        if (
            not repriced
            and since is not None
            and last < since
            and (session is None or session not in sessions)
        ):
            del loaded[name]
    pending.clear()


def refresh(
    dirs: Iterable[Path],
    extra_files: Iterable[Path] = (),
    path: Path | None = None,
    *,
    since: float | None = None,
    session: str | None = None,
) -> Refresh:
    """Bring the index up to date with the transcripts under ``dirs`` and return the de-duplicated records.

    The index is a small header (per file: size, mtime, offset, the bytes before it, its latest
    record's time and its sessions) plus one shard of entries per file, so that a run only loads
    the shards it needs. With ``since`` (epoch seconds) only records from then on, and those of
    ``session``, are de-duplicated and returned (the status line needs no older ones).
    """
    where = path or index_path()
    data = load_index(where)
    signature = sheet_signature()
    repriced = data.get("sheet") != signature
    old_files: dict[str, list[Any]] = data["files"]
    files: dict[str, list[Any]] = {}
    loaded: dict[str, list[Entry]] = {}
    changed = False
    pending: list[
        tuple[str, list[Entry], list[Entry], list[Any], list[Any]]
    ] = []  # name, kept, new, records, meta
    opened = held = 0
    names = dict.fromkeys([*transcripts(dirs), *(str(p) for p in extra_files)])
    for name in names:
        try:
            stat = os.stat(name)
        except OSError:
            continue
        old = old_files.get(name)
        if (
            old is not None
            and old[0] == stat.st_size
            and old[1] == stat.st_mtime_ns
            and len(old) == 6
        ):
            files[name] = old
            continue
        changed = True
        opened += 1
        kept = read_shard(where, name) if old is not None and len(old) == 6 else None
        result = None
        if kept is not None and stat.st_size >= old[2] > 0:  # type: ignore[index]
            try:
                result = _read_from(name, old[2], old[3])  # type: ignore[index]
            except OSError:
                continue
        if result is None:
            kept = []
            try:
                result = _read_from(name, 0, b"")
            except OSError:
                continue
        assert result is not None  # a read from the start has no bytes before it to check
        entries, offset, tail, records = result
        header: list[Any] = [stat.st_size, stat.st_mtime_ns, offset, tail]
        pending.append((name, kept or [], entries, records if not repriced else [], header))
        held += len(entries)
        if held >= BATCH:
            _flush(pending, repriced, where, files, loaded, since, session)
            held = 0
    _flush(pending, repriced, where, files, loaded, since, session)
    changed = changed or set(files) != set(old_files)
    if repriced and files:
        for name in files:
            stored = loaded.get(name)
            loaded[name] = price_entries(
                stored if stored is not None else read_shard(where, name) or []
            )
            write_shard(where, name, loaded[name])
        changed = True
    if changed:
        save_index(where, {"format": FORMAT, "sheet": signature, "files": files})
    wanted = []
    for name, meta in files.items():
        if since is not None and meta[4] < since and (session is None or session not in meta[5]):
            continue
        shard = loaded.get(name)
        if shard is None:
            shard = read_shard(where, name)
        if shard is not None:
            entries = shard
        else:  # a shard gone missing: read the file again
            try:
                again = _read_from(name, 0, b"")
            except OSError:
                continue
            assert again is not None  # a read from the start has no bytes before it to check
            new, offset, tail, records = again
            entries = _settled(price_entries(new, records))
            write_shard(where, name, entries)
            files[name] = shard_meta(files[name][0], files[name][1], offset, tail, entries)
            save_index(where, {"format": FORMAT, "sheet": signature, "files": files})
        wanted.append([None, None, None, None, entries])
    return Refresh(_dedup(wanted, since, session), len(files), opened, repriced)


def _settled(entries: list[Entry]) -> list[Entry]:
    """A file's entries with each key's settled as :class:`KeepLargest` settles it (see
    :func:`tokencalc.usage.dedup.settle_within_file`): a streamed response's placeholder and
    repeated final lines are stored once, so a shard holds one entry per call, not three."""
    return settle_keys(entries, key=itemgetter(0), rank=itemgetter(1), largest=_always)[0]


def _always(entry: Entry) -> bool:
    return True


def _dedup(
    items: Iterable[list[Any]], since: float | None = None, session: str | None = None
) -> list[Summary]:
    """The entries :class:`~tokencalc.usage.dedup.KeepLargest` would keep, as summaries.

    The same rule, run on the compact entries themselves (no candidate object per entry: the
    status line runs this on every message): per key the first of the highest rank; then in a
    group with a replica, the originals (else the best-ranked replica). A test holds it equal
    to ``KeepLargest`` on random input.
    """
    best: dict[Any, Entry] = {}
    unkeyed: list[Entry] = []
    for item in items:
        for entry in item[4]:
            if since is None or entry[4] >= since or (session is not None and entry[5] == session):
                key = entry[0]
                if key is None:
                    unkeyed.append(entry)
                    continue
                held = best.get(key)
                if held is None or entry[1] > held[1]:
                    best[key] = entry
    kept, _ = settle_groups(
        best.values(), group=itemgetter(2), replica=itemgetter(3), rank=itemgetter(1)
    )
    return [Summary(e[4], e[5], e[6], e[7]) for e in kept + unkeyed]
