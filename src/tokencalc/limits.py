"""Limits on what tokencalc reads that is not the user's text, and reading within them.

Price sheets, caches, imported price files and archive members are read whole into memory,
so each has a size limit and must be a regular file: ``--prices /dev/zero`` or a cache that
points at a FIFO fails at once instead of reading forever. Every limit can be raised with an
environment variable (README, "Limits"):

=============================  =====================================  =============
limit                          environment variable                   default
=============================  =====================================  =============
price sheet                    ``TOKENCALC_MAX_SHEET_MB``             16 MiB
tokenizer cache file           ``TOKENCALC_MAX_CACHE_MB``             256 MiB
imported price JSON            ``TOKENCALC_MAX_IMPORT_MB``            64 MiB
archive member, uncompressed  ``TOKENCALC_MAX_ARCHIVE_MB``           512 MiB
archive, compression ratio     ``TOKENCALC_MAX_ARCHIVE_RATIO``        100
archive, members               ``TOKENCALC_MAX_ARCHIVE_MEMBERS``      100000
user-sheet lock wait           ``TOKENCALC_LOCK_TIMEOUT`` (seconds)   10
=============================  =====================================  =============
"""

from __future__ import annotations

import errno
import math
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from tokencalc.errors import TokencalcError, UsageError

MIB = 1 << 20


@dataclass(frozen=True)
class Limit:
    """One limit: its environment variable, default and unit (for messages)."""

    variable: str
    default: float
    unit: str  # "MiB", "" (a plain number) or "s"

    def value(self) -> float:
        """The limit in force: the environment's value when it is a positive number."""
        raw = os.environ.get(self.variable, "").strip()
        if not raw:
            return self.default
        try:
            number = float(raw)
        except ValueError:
            raise UsageError(f"{self.variable}={raw!r} is not a number") from None
        if not math.isfinite(number) or number <= 0:
            raise UsageError(f"{self.variable}={raw!r} must be a positive number")
        return number

    def bytes(self) -> int:
        return int(self.value() * MIB)

    def hint(self) -> str:
        return f"set {self.variable} to raise the limit"


SHEET_SIZE = Limit("TOKENCALC_MAX_SHEET_MB", 16, "MiB")
CACHE_SIZE = Limit("TOKENCALC_MAX_CACHE_MB", 256, "MiB")
IMPORT_SIZE = Limit("TOKENCALC_MAX_IMPORT_MB", 64, "MiB")
ARCHIVE_SIZE = Limit("TOKENCALC_MAX_ARCHIVE_MB", 512, "MiB")
ARCHIVE_RATIO = Limit("TOKENCALC_MAX_ARCHIVE_RATIO", 100, "")
ARCHIVE_MEMBERS = Limit("TOKENCALC_MAX_ARCHIVE_MEMBERS", 100_000, "")
LOCK_TIMEOUT = Limit("TOKENCALC_LOCK_TIMEOUT", 10, "s")


class FileLimitError(TokencalcError):
    """A file that is not a regular file, or larger than its limit."""


def read_limited(path: Path, limit: Limit, what: str) -> bytes:
    """The bytes of the regular file at ``path``, refusing anything else or anything larger.

    Opening never blocks (a FIFO with no writer is refused, not waited for). OSError from
    opening propagates for the caller to phrase (missing file, permission denied).
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, "is a directory", str(path))
        if not stat.S_ISREG(info.st_mode):
            raise FileLimitError(
                f"{path}: not a regular file (a device, FIFO or socket); a {what} must be a file"
            )
        maximum = limit.bytes()
        if info.st_size > maximum:
            raise FileLimitError(
                f"{path}: {info.st_size / MIB:.1f} MiB, larger than the {limit.value():g} MiB allowed for a {what}; {limit.hint()}"
            )
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, min(MIB, maximum + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > maximum:  # grew while being read
                raise FileLimitError(
                    f"{path}: larger than the {limit.value():g} MiB allowed for a {what}; {limit.hint()}"
                )
        return b"".join(chunks)
    finally:
        os.close(fd)
