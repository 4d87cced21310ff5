"""Reading agent logs ahead of :func:`tokencalc.usage.read_usage`: from a per-file cache, or on both cores.

What one agent-log file yields (its candidates, increases, line counts and malformed lines) does
not depend on any other file or on the read options, so it can be worked out anywhere and
remembered: ``read_usage`` replays each file's result in file order, exactly as if it had read
the file itself, and de-duplicates across files as always.

- **Cache**: ``<cache dir>/usage-files/<hash of path>`` holds a file's result with its size,
  modification time and the reader version; a file whose size or time changed is read again.
  Writes are atomic; an unreadable entry is ignored (and rewritten). ``TOKENCALC_USAGE_CACHE=0``
  turns the cache off.
- **Processes**: files not in the cache are read by a pool of worker processes (one per core,
  ``TOKENCALC_WORKERS`` to choose; 1 reads in this process) when they add up to at least
  :data:`POOL_BYTES`.

Chat exports (counted with a tokenizer, per the read options) and billing exports (small) are
always read by ``read_usage`` itself.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tokencalc.usage.files import FileLog, InputFile, Tally

#: Bump when a reader's output changes, so old cache entries are not replayed.
READER_VERSION = 1
POOL_BYTES = 32 << 20
AGENT_LOGS = ("claude-code", "codex", "gemini-cli")


@dataclass
class FileResult:
    """What reading one file gave: the kind read, every object its reader yielded, its tally."""

    kind: str
    source: str
    found: list[Any]
    lines: int = 0
    malformed: int = 0
    reasons: list[str] = field(default_factory=list)
    duplicates: int = 0
    error: str | None = None  # "cannot read (…)" part-way


def _signature(item: InputFile, source: str | None) -> tuple[Any, ...] | None:
    import tokencalc

    try:
        stat = item.path.stat()
    except OSError:
        return None
    return (tokencalc.__version__, READER_VERSION, str(item.path), stat.st_size, stat.st_mtime_ns, source)


def _cache_file(item: InputFile) -> Path:
    from tokencalc.paths import cache_dir

    digest = hashlib.sha1(str(item.path.resolve()).encode("utf-8", "surrogateescape")).hexdigest()
    return cache_dir() / "usage-files" / digest[:2] / digest


def cache_enabled() -> bool:
    return os.environ.get("TOKENCALC_USAGE_CACHE", "1").strip() not in ("0", "no", "off", "false")


def _load(item: InputFile, signature: tuple[Any, ...]) -> FileResult | None:
    try:
        with open(_cache_file(item), "rb") as handle:
            stored_signature, result = pickle.load(handle)
    except Exception:  # noqa: BLE001 - a missing, partial or foreign entry (unpickling raises anything): read the file
        return None
    return result if stored_signature == signature and isinstance(result, FileResult) else None


def _store(item: InputFile, signature: tuple[Any, ...], result: FileResult) -> None:
    """Write a cache entry atomically (a temporary file renamed over it); no fsync: it is only a cache."""
    import tempfile

    target = _cache_file(item)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                pickle.dump((signature, result), handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, target)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        pass


def read_one(item: InputFile, source: str | None) -> FileResult | None:
    """Read one agent log as ``read_usage`` would (None: not an agent log this module handles)."""
    from tokencalc.usage import reader, registry
    from tokencalc.usage.detect import detect
    from tokencalc.usage.options import ReadOptions

    tally = Tally()
    log = FileLog(item.label, tally)
    agent = registry.claimant(item.path, source)
    if agent is not None:
        assert agent.read is not None
        result = FileResult(agent.source, agent.source, [])
        try:
            result.found = list(agent.read(item.path, log))
        except reader.FILE_ERRORS as exc:
            result.error = f"cannot read ({exc})"
    else:
        if not reader._detectable(item, source):
            return None
        try:
            chosen = reader._choose(detect(item), item, source)
        except reader.FILE_ERRORS:
            return None
        if chosen is None or chosen.source not in AGENT_LOGS:
            return None
        result = FileResult(chosen.kind, chosen.source, [])
        try:
            with item.open() as handle:
                result.found = list(reader.READERS[(chosen.source, chosen.layout)](handle, item, log, ReadOptions()))
        except reader.FILE_ERRORS as exc:
            result.error = f"cannot read ({exc})"
    result.lines, result.malformed, result.reasons, result.duplicates = (
        tally.lines_read, tally.malformed, list(tally.reasons), tally.duplicates,
    )  # fmt: skip
    return result


def _work(job: tuple[InputFile, str | None]) -> FileResult | None:
    return read_one(*job)


def workers() -> int:
    configured = os.environ.get("TOKENCALC_WORKERS", "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return max(1, min(os.cpu_count() or 1, 8))


def prefetch(items: Sequence[InputFile], source: str | None) -> dict[str, FileResult]:
    """Results of the agent logs among ``items``, by label: cached ones loaded, the rest read (maybe in parallel)."""
    results: dict[str, FileResult] = {}
    todo: list[tuple[InputFile, tuple[Any, ...] | None]] = []
    use_cache = cache_enabled()
    for item in items:
        if item.member is not None or item.suffix in (".csv", ".zip"):
            continue
        signature = _signature(item, source)
        cached = _load(item, signature) if use_cache and signature is not None else None
        if cached is not None:
            results[item.label] = cached
        else:
            todo.append((item, signature))
    if not todo:
        return results
    size = 0
    for item, _ in todo:
        try:
            size += item.path.stat().st_size
        except OSError:
            pass
    count = workers()
    if count > 1 and size >= POOL_BYTES and len(todo) > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
        with ProcessPoolExecutor(max_workers=min(count, len(todo)), mp_context=context) as pool:
            fresh = list(pool.map(_work, [(item, source) for item, _ in todo], chunksize=4))
    else:
        fresh = [read_one(item, source) for item, _ in todo]
    for (item, signature), result in zip(todo, fresh, strict=True):
        if result is None:
            continue
        results[item.label] = result
        if use_cache and signature is not None and result.error is None:
            _store(item, signature, result)
    return results
