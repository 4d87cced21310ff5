"""Reading agent logs ahead of :func:`tokencalc.usage.read_usage`: from a per-file cache, or on both cores.

What one agent-log file yields (its candidates, increases, line counts and malformed lines) does
not depend on any other file or on the read options, so it can be worked out anywhere and
remembered: ``read_usage`` replays each file's result in file order, exactly as if it had read
the file itself, and de-duplicates across files as always.

- **Cache**: ``<cache dir>/usage-files/<hash of path>`` holds a file's result with its size,
  modification time and the reader version; a file whose size or time changed is read again.
  Writes are atomic; an unreadable entry is ignored (and rewritten). ``TOKENCALC_USAGE_CACHE=0``
  turns the cache off.
- **Processes**: files not in the cache are read by a pool of worker processes (one per idle
  core, see :func:`workers`; ``TOKENCALC_WORKERS`` to choose; 1 reads in this process) when they
  add up to at least :data:`POOL_BYTES`. Results are handed over one file at a time, in file
  order (:class:`ReadAhead`), each already settled within its file (a streamed response's
  placeholder and repeated final lines sent back as one candidate), so neither the pool nor the
  cache holds more than a few files' results in memory.

Chat exports (counted with a tokenizer, per the read options) and billing exports (small) are
always read by ``read_usage`` itself.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from tokencalc.usage.dedup import settle_within_file
from tokencalc.usage.files import FileLog, InputFile, Tally

#: Bump when a reader's output changes, so old cache entries are not replayed.
READER_VERSION = 3  # 3: UsageRecord.chat_tokens
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
    return (
        tokencalc.__version__,
        READER_VERSION,
        str(item.path),
        stat.st_size,
        stat.st_mtime_ns,
        source,
    )


def _cache_file(item: InputFile) -> Path:
    from tokencalc.paths import cache_dir

    digest = hashlib.sha1(str(item.path.resolve()).encode("utf-8", "surrogateescape")).hexdigest()
    return cache_dir() / "usage-files" / digest[:2] / digest


def cache_enabled() -> bool:
    return os.environ.get("TOKENCALC_USAGE_CACHE", "1").strip() not in ("0", "no", "off", "false")


def _stored_signature(handle: IO[bytes]) -> Any:
    return pickle.load(handle)


def _is_cached(item: InputFile, signature: tuple[Any, ...]) -> bool:
    """Whether the cache holds ``item``'s result for ``signature`` (reads only the entry's small header)."""
    try:
        with open(_cache_file(item), "rb") as handle:
            return bool(_stored_signature(handle) == signature)
    except Exception:  # noqa: BLE001 - a missing, partial or foreign entry (unpickling raises anything)
        return False


def _load(item: InputFile, signature: tuple[Any, ...]) -> FileResult | None:
    """An entry is two pickles: the signature, then the result (so the signature is checked alone)."""
    try:
        with open(_cache_file(item), "rb") as handle:
            if _stored_signature(handle) != signature:
                return None
            result = pickle.load(handle)
    except Exception:  # noqa: BLE001 - a missing, partial or foreign entry (unpickling raises anything): read the file
        return None
    return result if isinstance(result, FileResult) else None


def _store(item: InputFile, signature: tuple[Any, ...], result: FileResult) -> None:
    """Write a cache entry atomically (a temporary file renamed over it); no fsync: it is only a cache."""
    from tokencalc.atomic import write_cache_atomic  # start-up: tempfile only once a log is read

    write_cache_atomic(
        _cache_file(item),
        pickle.dumps(signature, protocol=pickle.HIGHEST_PROTOCOL)
        + pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL),
    )


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
                result.found = list(
                    reader.READERS[(chosen.source, chosen.layout)](handle, item, log, ReadOptions())
                )
        except reader.FILE_ERRORS as exc:
            result.error = f"cannot read ({exc})"
    result.found, dropped = settle_within_file(result.found, reader._keeps_largest)
    result.lines, result.malformed, result.reasons, result.duplicates = (
        tally.lines_read, tally.malformed, list(tally.reasons), tally.duplicates + dropped,
    )  # fmt: skip
    return result


def _work(job: tuple[InputFile, str | None]) -> FileResult | None:
    return read_one(*job)


def workers() -> int:
    """Processes to read with: ``TOKENCALC_WORKERS``, else the cores not already busy (at most 8).

    A core's worth of load average counts as busy: on a machine whose cores are taken by other
    work, worker processes only add pickling and contention (measured: 2 workers slower than 1
    on a loaded 2-core machine), so the read stays in this process.
    """
    configured = os.environ.get("TOKENCALC_WORKERS", "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    cores = os.cpu_count() or 1
    try:
        busy = os.getloadavg()[0]
    except (AttributeError, OSError):  # not on every platform
        busy = 0.0
    return max(1, min(cores, 8, int(cores - busy + 0.5)))


class ReadAhead:
    """Agent-log results handed out one file at a time, in the order ``read_usage`` asks for them.

    Nothing is held for long: a cached entry is loaded when its file's turn comes, and a file
    read by the pool is taken from it (in order) when asked for, so memory holds one file's
    result (plus the pool's few in flight), not every file's.
    """

    def __init__(
        self,
        cached: dict[str, tuple[InputFile, tuple[Any, ...]]],
        todo: list[tuple[InputFile, tuple[Any, ...] | None]],
        source: str | None,
    ) -> None:
        self._cached = cached
        self._pending = {item.label: (item, signature) for item, signature in todo}
        self._source = source
        self._use_cache = cache_enabled()
        self._pool: Any = None
        self._fresh: Iterator[tuple[str, FileResult | None]] = iter(())
        self._early: dict[str, FileResult | None] = {}
        if todo and _pool_pays(todo):
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
            self._pool = ProcessPoolExecutor(
                max_workers=min(workers(), len(todo)),
                mp_context=multiprocessing.get_context(method),
            )
            labels = [item.label for item, _ in todo]
            results = self._pool.map(_work, [(item, source) for item, _ in todo], chunksize=1)
            self._fresh = zip(labels, results, strict=True)

    def get(self, label: str) -> FileResult | None:
        """The result for ``label`` (None: not an agent log read ahead; the caller reads it)."""
        if label in self._cached:
            item, signature = self._cached.pop(label)
            loaded = _load(item, signature)
            return loaded if loaded is not None else self._read(item, signature)
        if label not in self._pending:
            return None
        item, maybe = self._pending.pop(label)
        if self._pool is None:
            return self._read(item, maybe)
        while label not in self._early:
            try:
                done, result = next(self._fresh)
            except StopIteration:
                return self._read(item, maybe)
            self._early[done] = result
        result = self._early.pop(label)
        self._keep(item, maybe, result)
        return result

    def _read(self, item: InputFile, signature: tuple[Any, ...] | None) -> FileResult | None:
        result = read_one(item, self._source)
        self._keep(item, signature, result)
        return result

    def _keep(
        self, item: InputFile, signature: tuple[Any, ...] | None, result: FileResult | None
    ) -> None:
        if (
            result is not None
            and self._use_cache
            and signature is not None
            and result.error is None
        ):
            _store(item, signature, result)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def _pool_pays(todo: list[tuple[InputFile, tuple[Any, ...] | None]]) -> bool:
    """Whether worker processes are worth starting: more than one core allowed, and enough to read."""
    if workers() <= 1 or len(todo) <= 1:
        return False
    size = 0
    for item, _ in todo:
        try:
            size += item.path.stat().st_size
        except OSError:
            pass
    return size >= POOL_BYTES


def prefetch(items: Sequence[InputFile], source: str | None) -> ReadAhead:
    """The agent logs among ``items``, to be read ahead: cached ones noted, the rest started on the pool if it pays."""
    cached: dict[str, tuple[InputFile, tuple[Any, ...]]] = {}
    todo: list[tuple[InputFile, tuple[Any, ...] | None]] = []
    use_cache = cache_enabled()
    for item in items:
        if item.member is not None or item.suffix in (".csv", ".zip"):
            continue
        signature = _signature(item, source)
        if use_cache and signature is not None and _is_cached(item, signature):
            cached[item.label] = (item, signature)
        else:
            todo.append((item, signature))
    return ReadAhead(cached, todo, source)
