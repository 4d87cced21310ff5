"""Where the agent CLIs keep their logs, and which files under a directory are worth reading."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tokencalc.usage.files import InputFile

#: File name endings read when walking a directory, per forced source (None: any source).
#: File endings worth reading when walking a directory for any format the content detector
#: recognises (each format's own, and the claiming agents', come from the registry).
DETECTED_SUFFIXES = (".jsonl", ".json", ".csv", ".zip")


@dataclass(frozen=True)
class Unreadable:
    """A path that cannot be read as a usage file, and why."""

    path: Path
    reason: str
    discovered: bool = False


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name, "").strip()
    return Path(value).expanduser() if value else None


def _existing(paths: list[Path], existing_only: bool) -> list[Path]:
    unique = list(dict.fromkeys(paths))
    return [p for p in unique if p.is_dir()] if existing_only else unique


def default_claude_code_dirs(existing_only: bool = True) -> list[Path]:
    """Claude Code's ``projects`` directories.

    ``CLAUDE_CONFIG_DIR`` (a comma-separated list of config dirs) replaces the defaults,
    ``$XDG_CONFIG_HOME/claude/projects`` (``~/.config`` when unset) and ``~/.claude/projects``.
    """
    configured = os.environ.get("CLAUDE_CONFIG_DIR", "").strip()
    if configured:
        dirs = [
            Path(p.strip()).expanduser() / "projects" for p in configured.split(",") if p.strip()
        ]
    else:
        config_home = _env_path("XDG_CONFIG_HOME") or Path.home() / ".config"
        dirs = [config_home / "claude" / "projects", Path.home() / ".claude" / "projects"]
    return _existing(dirs, existing_only)


def default_codex_dirs(existing_only: bool = True) -> list[Path]:
    """``${CODEX_HOME:-~/.codex}/sessions`` and ``…/archived_sessions``."""
    home = _env_path("CODEX_HOME") or Path.home() / ".codex"
    return _existing([home / "sessions", home / "archived_sessions"], existing_only)


def default_gemini_dirs(existing_only: bool = True) -> list[Path]:
    """``${GEMINI_CLI_HOME:-~}/.gemini/tmp``."""
    home = _env_path("GEMINI_CLI_HOME") or Path.home()
    return _existing([home / ".gemini" / "tmp"], existing_only)


def _walk(paths: list[Path], source: str | None) -> Iterator[tuple[Path, bool | None]]:
    """``(path, discovered)`` for every file to consider, in a stable order.

    Named files come as they are (``discovered`` False); directories are walked recursively
    for the file endings of ``source``, skipping hidden files (``discovered`` True); a path
    that does not exist comes with ``discovered`` None.
    """
    from tokencalc.usage import registry  # imports the readers, which import this module

    suffixes = DETECTED_SUFFIXES if source is None else ()
    suffixes = tuple(dict.fromkeys((*suffixes, *registry.suffixes(source))))
    for path in paths:
        path = Path(path)
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.suffix.lower() in suffixes and not p.name.startswith(".") and p.is_file()
            )
            for file in found:
                yield file, True
        elif path.exists():
            yield path, False
        else:
            yield path, None


def expand_paths(paths: list[Path], source: str | None) -> Iterator[InputFile | Unreadable]:
    """The files to read under ``paths``, in a stable order; :class:`Unreadable` for bad ones.

    Directories are walked recursively for the file endings of ``source``; hidden files are
    skipped. A ZIP becomes its ``conversations.json`` member.
    """
    for path, discovered in _walk(paths, source):
        if discovered is None:
            yield Unreadable(path, "no such file or directory")
        else:
            yield from _input(path, discovered)


def file_size(path: Path) -> int:
    """The size of ``path`` in bytes (0 when it cannot be read): what progress counts for it."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def total_input_bytes(paths: list[Path], *, source: str | None = None) -> int:
    """The bytes ``read_usage(paths, source=source, progress=…)`` reports in total.

    Every file the walk of :func:`expand_paths` considers counts (skipped ones included), so a
    progress bar sized by this number ends full.
    """
    return sum(
        file_size(path) for path, discovered in _walk(paths, source) if discovered is not None
    )


def _input(path: Path, discovered: bool) -> Iterator[InputFile | Unreadable]:
    if path.suffix.lower() != ".zip":
        yield InputFile(path, discovered=discovered)
        return
    import zipfile

    from tokencalc.usage.detect import zip_member  # detection imports every reader

    try:
        member = zip_member(InputFile(path))
    except (OSError, zipfile.BadZipFile) as exc:
        yield Unreadable(path, f"not a readable ZIP archive ({exc})", discovered)
        return
    if member is None:
        yield Unreadable(path, "ZIP archive without conversations.json", discovered)
        return
    yield InputFile(path, member=member, discovered=discovered)
