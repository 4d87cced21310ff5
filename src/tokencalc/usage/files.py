"""Opening usage files (plain or inside a ZIP archive) with byte progress, and per-file bookkeeping."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

#: How many "file:line: reason" strings a report keeps.
MAX_REASONS = 10
#: What ``json.loads`` raises for damaged text: ValueError, or RecursionError when a line
#: nests brackets thousands deep.
JSON_ERRORS = (ValueError, RecursionError)


@dataclass(frozen=True)
class InputFile:
    """One file to read: a path, or a member of a ZIP archive at that path."""

    path: Path
    member: str | None = None
    discovered: bool = False  # found by walking a directory, not named by the user

    @property
    def label(self) -> str:
        return f"{self.path}!{self.member}" if self.member else str(self.path)

    @property
    def suffix(self) -> str:
        return Path(self.member or self.path.name).suffix.lower()

    @contextmanager
    def open(self, progress: Callable[[int], None] | None = None) -> Iterator[IO[bytes]]:
        """The file's bytes; ``progress`` hears of every byte read from disk (compressed for ZIPs)."""
        with open(self.path, "rb") as raw:
            handle: IO[bytes] = ProgressFile(raw, progress) if progress else raw  # type: ignore[assignment]
            if self.member is None:
                yield handle
                return
            import zipfile  # only archives need it (the status line's import stays light)

            from tokencalc.usage.zip_limits import open_member

            with (
                zipfile.ZipFile(handle) as archive,
                open_member(archive, self.member, str(self.path)) as member,
            ):
                yield member


class ProgressFile(io.RawIOBase):
    """A read-only file wrapper that reports the number of bytes read as they are read."""

    def __init__(self, raw: IO[bytes], progress: Callable[[int], None]) -> None:
        super().__init__()
        self._raw = raw
        self._progress = progress

    def _report(self, data: bytes) -> bytes:
        if data:
            self._progress(len(data))
        return data

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return self._raw.seekable()

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._raw.seek(offset, whence)

    def tell(self) -> int:
        return self._raw.tell()

    def read(self, size: int | None = -1) -> bytes:
        return self._report(self._raw.read(-1 if size is None else size))

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        data = self.read(len(view))
        view[: len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        return self._report(self._raw.readline(-1 if size is None else size))

    def __iter__(self) -> Iterator[bytes]:
        while True:
            line = self.readline()
            if not line:
                return
            yield line


class ProgressBudget:
    """Forwards one file's progress, never more than its size; ``finish`` reports the rest.

    Reading a ZIP re-reads its directory, so raw byte counts can exceed the file size; the
    CLI's progress bar is sized by file sizes, so each file reports exactly its size in total.
    """

    def __init__(self, size: int, progress: Callable[[int], None] | None) -> None:
        self._left = max(size, 0)
        self._progress = progress

    def __call__(self, nbytes: int) -> None:
        step = min(nbytes, self._left)
        if step > 0 and self._progress is not None:
            self._left -= step
            self._progress(step)

    def finish(self) -> None:
        self(self._left)


class FileLog:
    """Counts what one file yielded: raw lines/records seen, malformed ones, duplicates."""

    def __init__(self, label: str, tally: Tally) -> None:
        self.label = label
        self._tally = tally

    def seen(self, count: int = 1) -> None:
        self._tally.lines_read += count

    def bad(self, where: object, reason: str) -> None:
        self._tally.add_malformed(f"{self.label}:{where}: {reason}")

    def duplicate(self, count: int = 1) -> None:
        self._tally.duplicates += count


class Tally:
    """Totals over all files of one ``read_usage`` call."""

    def __init__(self) -> None:
        self.lines_read = 0
        self.malformed = 0
        self.reasons: list[str] = []
        self.duplicates = 0

    def add_malformed(self, reason: str) -> None:
        self.malformed += 1
        if len(self.reasons) < MAX_REASONS:
            self.reasons.append(reason)


def iter_lines(handle: IO[bytes]) -> Iterator[tuple[int, bytes]]:
    """(line number, raw line) for every non-blank line, one line in memory at a time."""
    for number, raw in enumerate(handle, start=1):
        if raw.strip():
            yield number, raw


def iter_json_objects(handle: IO[bytes], log: FileLog) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each line of a JSONL log; other lines are logged as malformed.

    Every line is counted as seen.
    """
    for number, raw in iter_lines(handle):
        log.seen()
        try:
            line = json.loads(raw)
        except JSON_ERRORS:
            log.bad(number, "invalid JSON")
            continue
        if not isinstance(line, dict):
            log.bad(number, "not a JSON object")
            continue
        yield number, line


def iter_conversations(
    handle: IO[bytes], log: FileLog, looks_like: Callable[[Any], bool], missing: str
) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(index, conversation)`` for each item of a chat export's JSON array.

    An item of the wrong shape is logged as malformed (``missing`` says what it lacks), and so
    is an item of broken JSON; reading goes on with the next item either way. A document that
    is not a JSON array at all is one malformed entry.
    """
    from tokencalc.usage.jsonstream import JsonStreamError, iter_array_items

    try:
        for item in iter_array_items(handle):
            if item.error is not None:
                log.seen()
                log.bad(f"conversation {item.index}", f"invalid JSON ({item.error})")
                continue
            if not looks_like(item.value):
                log.seen()
                log.bad(f"conversation {item.index}", missing)
                continue
            yield item.index, item.value
    except JsonStreamError as exc:
        log.seen()
        log.bad("conversation 0", f"invalid JSON ({exc})")
