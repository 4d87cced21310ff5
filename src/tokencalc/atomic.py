"""Atomic file writes: the old file survives any failure part-way."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


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


def write_bytes_atomic(path: Path, data: bytes, *, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same directory and a rename.

    Readers see either the old content or the new, never a half-written file. A symbolic
    link at ``path`` is kept: its target is written (see :func:`resolved_target`).
    """
    path = resolved_target(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, path)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except OSError:
            pass
        raise
