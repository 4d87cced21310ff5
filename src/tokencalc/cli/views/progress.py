"""A progress bar that appears only for long work, only on a terminal."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from tokencalc.cli.env import Environment

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

#: Work that finishes sooner than this never shows a bar.
SHOW_AFTER_SECONDS = 1.0


def progress_allowed(
    env: Environment, *, quiet: bool = False, machine_output: bool = False
) -> bool:
    """A bar is drawn only when a person watches: both streams are terminals, nothing piped."""
    if quiet or machine_output:
        return False
    return env.stdout_isatty and env.stderr_isatty


class LazyProgress:
    """Counts bytes and files; draws a Rich progress bar on stderr once work passes a second."""

    def __init__(
        self,
        *,
        enabled: bool,
        total_bytes: int | None,
        total_files: int,
        label: str = "Counting",
        env: Environment,
    ) -> None:
        """The bar is drawn on ``env.err`` (made only when a bar is)."""
        self._enabled = enabled
        self._env = env
        self._total_bytes = total_bytes
        self._total_files = total_files
        self._label = label
        self._started = time.monotonic()
        self._done_bytes = 0
        self._done_files = 0
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> LazyProgress:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def advance(self, nbytes: int) -> None:
        self._done_bytes += nbytes
        self._refresh()

    def file_done(self) -> None:
        self._done_files += 1
        self._refresh()

    def _refresh(self) -> None:
        if not self._enabled:
            return
        progress, task = self._progress, self._task
        if progress is None or task is None:
            if time.monotonic() - self._started < SHOW_AFTER_SECONDS:
                return
            progress, task = self._start()
        progress.update(
            task,
            completed=self._done_bytes,
            files=f"{self._done_files}/{self._total_files} files" if self._total_files else "",
        )

    def _start(self) -> tuple[Progress, TaskID]:
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )

        progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TextColumn("{task.fields[files]}"),
            TimeRemainingColumn(),
            console=self._env.err,
            transient=True,
        )
        task = progress.add_task(self._label, total=self._total_bytes, files="")
        progress.start()
        self._progress, self._task = progress, task
        return progress, task
