"""Atomic file writes: the old file survives any failure part-way.

A write goes to a temporary file in the same directory (named after the target and the
writing process: ``.NAME.PID.XXXXXXXX.tmp``), is flushed to disk and renamed over the target.
A run killed between the two leaves its temporary file behind; the next write of the same
target removes the ones whose process is gone. The target keeps its permission bits; a new
file gets the usual ``0666`` less the umask. Anything at the target that is not a regular
file (a device, a FIFO, a directory) is refused, never replaced.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


class NotARegularFile(OSError):
    """The path to be replaced exists and is not a regular file."""


def resolved_target(path: Path) -> Path:
    """The file a write to ``path`` should replace: the end of its chain of symbolic links.

    Renaming a new file over a symbolic link would replace the link itself with a regular
    file; writing to the link's target keeps the link (and a dangling link's target is
    created). A path that is not a link is returned as it is.
    """
    path = Path(path)
    if not path.is_symlink():
        return path
    return Path(os.path.realpath(path))


def current_umask() -> int:
    """The process's umask (read without changing it for longer than an instant)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def existing_mode(path: Path) -> int | None:
    """Permission bits of the regular file at ``path``; None when nothing is there.

    Raises :class:`NotARegularFile` for anything else (the write would destroy it).
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(info.st_mode):
        raise NotARegularFile(f"{path}: not a regular file; refusing to replace it")
    return stat.S_IMODE(info.st_mode)


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def remove_stale_temporaries(path: Path) -> list[Path]:
    """Remove temporary files of earlier writes of ``path`` whose writer has died.

    Returns what was removed. Only names this module creates are considered.
    """
    removed: list[Path] = []
    prefix = f".{path.name}."
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return removed
    for entry in entries:
        name = entry.name
        if not (name.startswith(prefix) and name.endswith(".tmp")):
            continue
        pid_text = name[len(prefix) :].split(".", 1)[0]
        if not pid_text.isdigit() or _process_alive(int(pid_text)):
            continue
        try:
            if entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            pass
    return removed


def write_bytes_atomic(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same directory and a rename.

    Readers see either the old content or the new, never a half-written file. A symbolic
    link at ``path`` is kept: its target is written (see :func:`resolved_target`). ``mode``
    (default: the existing file's, else ``0666`` less the umask) sets the permission bits.
    Raises :class:`NotARegularFile` when something other than a regular file is there.
    """
    path = resolved_target(path)
    old_mode = existing_mode(path)
    if mode is None:
        mode = old_mode if old_mode is not None else 0o666 & ~current_umask()
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(path)
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent
    )
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, mode)
        # Checked again just before the rename: a FIFO or device may have appeared meanwhile.
        existing_mode(path)
        os.replace(tmp_name, path)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except OSError:
            pass
        raise


def write_cache_atomic(path: Path, data: bytes) -> None:
    """Replace a cache file with ``data``: a temporary file in the same directory renamed over
    it, so that a reader sees the old entry or the new one, never half of one.

    Lighter than :func:`write_bytes_atomic` on purpose: no fsync, no permission bits carried
    over, no stale-temporary sweep (a cache is written once per file read, on the hot path of
    reading logs, and losing an entry costs only a re-read), and an ``OSError`` (full disk,
    read-only cache directory) leaves the old entry or none instead of failing the command.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        pass
