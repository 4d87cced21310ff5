"""Turning command-line inputs (files, directories, globs, ``-``) into things to read.

Directories are walked recursively in name order. Hidden entries (names starting with ``.``)
are skipped, ``.gitignore`` files met on the way are honoured (deeper ones win, as in git),
symbolic links to directories are followed once, and a link back to a directory being walked
is reported as a loop. Binary files (a NUL byte in the first 8 KiB) are found when read.
Nothing here prints: problems are returned as data for the command to report.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from tokencalc.counting import globbing

#: Bytes read at a time; also the window in which a NUL byte marks a file as binary.
BLOCK_SIZE = 1 << 20
BINARY_SNIFF = 8192
STDIN_LABEL = "-"


@dataclass(frozen=True)
class InputSource:
    """One file or standard input, to be read as a stream of byte blocks."""

    label: str
    path: Path | None = None  # None: standard input
    size: int | None = None
    #: True when the file was found by walking a directory or matching a glob (not named).
    discovered: bool = False

    @property
    def is_stdin(self) -> bool:
        return self.path is None


@dataclass(frozen=True)
class InputProblem:
    """An input that could not be counted: ``kind`` is ``"error"`` or ``"skipped"``."""

    label: str
    message: str
    kind: str = "error"


@dataclass
class ResolvedInputs:
    sources: list[InputSource] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)
    hidden_skipped: int = 0
    ignored_skipped: int = 0


class BinaryInput(Exception):
    """Raised by :func:`read_blocks` when a file turns out to be binary."""


def _has_glob_magic(text: str) -> bool:
    return globbing.has_magic(text)


def resolve_inputs(args: list[str]) -> ResolvedInputs:
    """Expand paths, directories and glob patterns; ``-`` (or no args) means stdin."""
    resolved = ResolvedInputs()
    if not args:
        resolved.sources.append(InputSource(STDIN_LABEL))
        return resolved
    for arg in args:
        if not arg.strip():
            from tokencalc.errors import UsageError

            # An unset shell variable ("$FILE") must not mean "the current directory".
            raise UsageError(
                f"an empty path argument ({arg!r}); name a file, a directory or - for standard input"
            )
        if arg == STDIN_LABEL:
            resolved.sources.append(InputSource(STDIN_LABEL))
            continue
        path = Path(arg)
        if not os.path.lexists(arg) and _has_glob_magic(arg):
            expanded = globbing.expand(arg)
            if not expanded.matches and not expanded.loops:
                resolved.problems.append(InputProblem(arg, "no files match this pattern"))
            for loop in expanded.loops:
                resolved.problems.append(InputProblem(loop, globbing.LOOP_MESSAGE))
            for match in expanded.matches:
                _add_path(resolved, Path(match), match, discovered=True)
            continue
        _add_path(resolved, path, arg, discovered=False)
    return resolved


def _add_path(resolved: ResolvedInputs, path: Path, label: str, *, discovered: bool) -> None:
    try:
        info = path.stat()
    except FileNotFoundError:
        message = "broken symbolic link" if os.path.islink(path) else "no such file or directory"
        resolved.problems.append(InputProblem(label, message))
        return
    except OSError as exc:
        resolved.problems.append(InputProblem(label, _os_message(exc)))
        return
    if stat.S_ISDIR(info.st_mode):
        _walk(resolved, path, label)
    elif stat.S_ISREG(info.st_mode) or not discovered:
        # Named FIFOs and devices are read when named explicitly (``<(cmd)`` gives a FIFO).
        resolved.sources.append(
            InputSource(
                label, path, info.st_size if stat.S_ISREG(info.st_mode) else None, discovered
            )
        )


def _walk(resolved: ResolvedInputs, root: Path, root_label: str) -> None:
    import pathspec

    def ignore_spec(directory: Path) -> pathspec.GitIgnoreSpec | None:
        try:
            lines = (
                (directory / ".gitignore")
                .read_text(encoding="utf-8", errors="replace")
                .splitlines()
            )
        except OSError:
            return None
        return pathspec.GitIgnoreSpec.from_lines(lines)

    def is_ignored(
        specs: list[tuple[Path, pathspec.GitIgnoreSpec]], path: Path, is_dir: bool
    ) -> bool:
        for base, spec in reversed(specs):
            relative = path.relative_to(base).as_posix() + ("/" if is_dir else "")
            decision = spec.check_file(relative).include
            if decision is not None:
                return decision
        return False

    root_id = _dir_id(root)
    visited = {root_id}

    def visit(
        directory: Path,
        label: str,
        specs: list[tuple[Path, pathspec.GitIgnoreSpec]],
        ancestors: frozenset[tuple[int, int]],
    ) -> None:
        spec = ignore_spec(directory)
        if spec is not None:
            specs = [*specs, (directory, spec)]
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            resolved.problems.append(InputProblem(label, _os_message(exc)))
            return
        for entry in entries:
            entry_path = Path(entry.path)
            entry_label = os.path.join(label, entry.name)
            if entry.name.startswith("."):
                resolved.hidden_skipped += 1
                continue
            try:
                is_dir = entry.is_dir(follow_symlinks=True)
                is_file = entry.is_file(follow_symlinks=True)
            except OSError as exc:
                resolved.problems.append(InputProblem(entry_label, _os_message(exc)))
                continue
            if is_ignored(specs, entry_path, is_dir):
                resolved.ignored_skipped += 1
                continue
            if is_dir:
                try:
                    dir_id = _dir_id(entry_path)
                except OSError as exc:
                    resolved.problems.append(InputProblem(entry_label, _os_message(exc)))
                    continue
                if dir_id in ancestors:
                    resolved.problems.append(InputProblem(entry_label, globbing.LOOP_MESSAGE))
                    continue
                if dir_id in visited:
                    continue  # reached again through another link: already counted
                visited.add(dir_id)
                visit(entry_path, entry_label, specs, ancestors | {dir_id})
            elif is_file:
                try:
                    size = entry.stat(follow_symlinks=True).st_size
                except OSError:
                    size = None
                resolved.sources.append(InputSource(entry_label, entry_path, size, True))
            elif entry.is_symlink():
                resolved.problems.append(InputProblem(entry_label, "broken symbolic link"))

    visit(root, root_label, [], frozenset({root_id}))


def _dir_id(path: Path) -> tuple[int, int]:
    info = path.stat()
    return info.st_dev, info.st_ino


def _os_message(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, FileNotFoundError):
        return "no such file or directory"
    return exc.strerror.lower() if exc.strerror else str(exc)


@contextmanager
def open_source(source: InputSource, stdin: BinaryIO | None = None) -> Iterator[BinaryIO]:
    """Open an input for binary reading; standard input (``stdin``, given by the caller: the
    core never reaches for the process's streams) is read but never closed."""
    if source.path is None:
        if stdin is None:
            raise InputReadError("standard input is not available here")
        yield stdin
        return
    try:
        handle = open(source.path, "rb", buffering=0)  # noqa: SIM115 - entered as `with handle:` below
    except OSError as exc:
        raise InputReadError(_os_message(exc)) from None
    with handle:
        yield handle


class InputReadError(Exception):
    """An input could not be opened or read; the message is for the user."""


def read_blocks(handle: BinaryIO, *, check_binary: bool = True) -> Iterator[bytes]:
    """Yield the stream's bytes in blocks; raise :class:`BinaryInput` on a NUL byte early on."""
    first = True
    while True:
        try:
            block = handle.read(BLOCK_SIZE)
        except IsADirectoryError:
            raise InputReadError("is a directory") from None
        except OSError as exc:
            raise InputReadError(_os_message(exc)) from None
        if not block:
            return
        if first and check_binary and b"\0" in block[:BINARY_SNIFF]:
            raise BinaryInput()
        first = False
        yield block
