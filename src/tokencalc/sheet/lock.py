"""One edit of the user price sheet at a time: an advisory lock around read–change–write.

Two ``tokencalc prices set`` runs at the same moment would each read the sheet, change it and
rename their version into place, and one change would be lost. Every edit therefore holds an
exclusive lock on a small lock file beside the sheet (``.pricing.toml.lock``, never removed)
from reading the sheet until the new one is in place. A second edit waits for it, up to
``TOKENCALC_LOCK_TIMEOUT`` seconds (default 10), and then gives up with a clear message.

The lock is advisory (``fcntl.flock`` on POSIX, ``msvcrt.locking`` on Windows): an editor
that does not take it is not stopped, which is why :func:`tokencalc.sheet.user_sheet.write_edit`
also refuses to write when the sheet changed on disk since it was read.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tokencalc.atomic import resolved_target
from tokencalc.errors import TokencalcError
from tokencalc.limits import LOCK_TIMEOUT

_POLL_SECONDS = 0.05


class SheetLockedError(TokencalcError):
    """Another process held the sheet's lock for longer than the timeout."""


def lock_path(sheet: Path) -> Path:
    """The lock file of a sheet: beside the file it really is (links followed)."""
    target = resolved_target(sheet)
    return target.with_name(f".{target.name}.lock")


def _try_lock(fd: int) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            return False
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


@contextmanager
def sheet_lock(sheet: Path, *, timeout: float | None = None) -> Iterator[Path]:
    """Hold the edit lock of ``sheet`` for the ``with`` block; yields the lock file's path.

    Raises :class:`SheetLockedError` after ``timeout`` seconds (default: the
    ``TOKENCALC_LOCK_TIMEOUT`` limit) and :class:`TokencalcError` when the lock file cannot be
    created. The lock goes with the process: a killed run never leaves it held.
    """
    from tokencalc.sheet.load import os_reason

    wait = LOCK_TIMEOUT.value() if timeout is None else timeout
    path = lock_path(sheet)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o666)
    except OSError as exc:
        raise TokencalcError(
            f"cannot write {sheet}: {os_reason(exc)} (creating its lock file {path.name}); nothing was changed "
            f"(make {path.parent} writable, or set TOKENCALC_HOME to a writable directory)"
        ) from None
    try:
        deadline = time.monotonic() + wait
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                raise SheetLockedError(
                    f"another tokencalc is changing {sheet} (lock {path} held for {wait:g} s); "
                    f"nothing was changed: try again, or raise TOKENCALC_LOCK_TIMEOUT"
                )
            time.sleep(_POLL_SECONDS)
        yield path
    finally:
        os.close(fd)  # releases the lock
