"""Reading ZIP archives (chat exports) within limits: a small archive must not become gigabytes.

A 2 MB ZIP can declare — and inflate to — gigabytes. Before a member is read, the archive's
member count, the member's declared size and its compression ratio are checked against the
limits of :mod:`tokencalc.limits` (``TOKENCALC_MAX_ARCHIVE_MEMBERS``, ``…_MB``, ``…_RATIO``);
while it is read, the bytes actually inflated are counted too, in case the sizes lie. Each
refusal is an :class:`ArchiveLimitError` naming the archive member and the variable that
raises the limit; it is a ``zipfile.BadZipFile``, so readers report it like a damaged archive.
"""

from __future__ import annotations

import io
import zipfile
from typing import IO

from tokencalc.limits import ARCHIVE_MEMBERS, ARCHIVE_RATIO, ARCHIVE_SIZE, MIB

#: Members smaller than this are not held to the ratio (a few KB of zeros compress 1000×).
RATIO_FLOOR = 1 * MIB


class ArchiveLimitError(zipfile.BadZipFile):
    """An archive or member beyond a limit."""


def check_members(archive: zipfile.ZipFile, label: str) -> None:
    """Refuse an archive with more members than ARCHIVE_MEMBERS allows."""
    count = len(archive.infolist())
    maximum = int(ARCHIVE_MEMBERS.value())
    if count > maximum:
        raise ArchiveLimitError(
            f"{label}: {count:,} members, more than the {maximum:,} allowed; {ARCHIVE_MEMBERS.hint()}"
        )


def check_member(info: zipfile.ZipInfo, label: str) -> None:
    """Refuse a member whose declared size or compression ratio is beyond the limits."""
    where = f"{label}!{info.filename}"
    size_limit = ARCHIVE_SIZE.bytes()
    if info.file_size > size_limit:
        raise ArchiveLimitError(
            f"{where}: {info.file_size / MIB:,.0f} MiB uncompressed, more than the "
            f"{ARCHIVE_SIZE.value():g} MiB allowed; {ARCHIVE_SIZE.hint()}"
        )
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size >= RATIO_FLOOR and ratio > ARCHIVE_RATIO.value():
        raise ArchiveLimitError(
            f"{where}: compressed {ratio:,.0f} to 1, more than the {ARCHIVE_RATIO.value():g} to 1 allowed "
            f"(a ZIP bomb?); {ARCHIVE_RATIO.hint()}"
        )


class LimitedMember(io.RawIOBase):
    """A member's stream that stops with ArchiveLimitError once more than the limit is inflated."""

    def __init__(self, stream: IO[bytes], where: str, declared: int) -> None:
        super().__init__()
        self._stream = stream
        self._where = where
        self._limit = min(ARCHIVE_SIZE.bytes(), declared)
        self._read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self._stream.read(len(buffer))
        self._read += len(data)
        if self._read > self._limit:
            raise ArchiveLimitError(
                f"{self._where}: inflates to more than its declared or allowed size "
                f"({self._limit / MIB:,.1f} MiB); {ARCHIVE_SIZE.hint()}"
            )
        buffer[: len(data)] = data
        return len(data)


def open_member(archive: zipfile.ZipFile, name: str, label: str) -> IO[bytes]:
    """``archive.open(name)`` after the checks, counting what it inflates."""
    check_members(archive, label)
    info = archive.getinfo(name)
    check_member(info, label)
    return io.BufferedReader(
        LimitedMember(archive.open(info), f"{label}!{name}", info.file_size), 1 << 16
    )
