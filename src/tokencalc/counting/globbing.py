"""Glob patterns that always terminate and match each file once.

Python's ``glob.glob(..., recursive=True)`` follows symbolic links under ``**`` without
noticing loops: ``L/me -> .`` makes ``L/**/*.txt`` match ``L/a.txt``, ``L/me/a.txt``,
``L/me/me/a.txt`` … until the path is too long, and two such links never end. Here ``**``
descends into a directory only if it is not one of the directories being descended already
(by device and inode, as the directory walk does); such a link is reported as a loop, and a
file reached by two paths is matched once (by its real path).

The syntax is glob's: ``*``, ``?`` and ``[…]`` within one path component, ``**`` as a whole
component for any number of directories; names starting with ``.`` match only a pattern
component that starts with ``.``.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterator
from dataclasses import dataclass, field

LOOP_MESSAGE = "directory loop: links back to a directory being read; not followed"


def has_magic(text: str) -> bool:
    return any(ch in text for ch in "*?[")


@dataclass
class GlobResult:
    """What a pattern matched (sorted, each real file once) and the loops met on the way."""

    matches: list[str] = field(default_factory=list)
    loops: list[str] = field(default_factory=list)


def expand(pattern: str) -> GlobResult:
    """Expand ``pattern`` relative to the current directory (or from ``/`` when absolute)."""
    result = GlobResult()
    drive, rest = os.path.splitdrive(pattern)
    anchor = ""
    if rest.startswith(("/", os.sep)):
        anchor = drive + rest[0]
        rest = rest.lstrip("/" + os.sep)
    elif drive:
        anchor = drive
    parts = [p for p in rest.replace(os.sep, "/").split("/") if p not in ("",)]
    if not parts:
        return result
    visited: set[tuple[tuple[int, int], int]] = set()
    found = sorted(set(_expand(anchor, parts, frozenset(), visited, result.loops)))
    seen: set[str] = set()
    for match in found:
        real = os.path.realpath(match)
        if real in seen:
            continue
        seen.add(real)
        result.matches.append(match)
    return result


def _join(base: str, name: str) -> str:
    if not base:
        return name
    return base + name if base.endswith(("/", os.sep)) else f"{base}/{name}"


def _dir_id(path: str) -> tuple[int, int] | None:
    try:
        info = os.stat(path or ".")
    except OSError:
        return None
    return info.st_dev, info.st_ino


def _entries(directory: str) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(directory or ".") as it:
            return sorted(it, key=lambda e: e.name)
    except OSError:
        return []


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir(follow_symlinks=True)
    except OSError:
        return False


def _expand(
    base: str,
    parts: list[str],
    ancestors: frozenset[tuple[int, int]],
    visited: set[tuple[tuple[int, int], int]],
    loops: list[str],
) -> Iterator[str]:
    if not parts:
        if base and os.path.lexists(base):
            yield base
        return
    part, rest = parts[0], parts[1:]
    if part == "**":
        here = _dir_id(base)
        if here is None:
            return
        key = (here, len(parts))
        if key in visited:
            return  # this directory, reached by another path, has been searched already
        visited.add(key)
        ancestors = ancestors | {here}
        # ``**`` as zero directories …
        if rest:
            yield from _expand(base, rest, ancestors, visited, loops)
        else:
            if base:
                yield base
        # … or one more directory, then ``**`` again.
        for entry in _entries(base):
            if entry.name.startswith("."):
                continue
            path = _join(base, entry.name)
            if not rest:
                yield path
            if not _is_dir(entry):
                continue
            child = _dir_id(path)
            if child is None:
                continue
            if child in ancestors:
                loops.append(path)
                continue
            yield from _expand(path, parts, ancestors, visited, loops)
        return
    if has_magic(part):
        for entry in _entries(base):
            if entry.name.startswith(".") and not part.startswith("."):
                continue
            if not fnmatch.fnmatchcase(entry.name, part):
                continue
            if rest and not _is_dir(entry):
                continue
            yield from _expand(_join(base, entry.name), rest, ancestors, visited, loops)
        return
    path = _join(base, part)
    if rest:
        if os.path.isdir(path):
            yield from _expand(path, rest, ancestors, visited, loops)
    elif os.path.lexists(path):
        yield path
