"""The progress bar: only for work longer than a second, only when a person is watching."""

from __future__ import annotations

import time

import pytest

from cli_harness import MockEnvironment
from tokencalc.cli.views.progress import LazyProgress, progress_allowed


def _env(stdout_tty: bool = True, stderr_tty: bool = True):
    return MockEnvironment(stdout_isatty=stdout_tty, stderr_isatty=stderr_tty).env


@pytest.mark.parametrize(
    ("stdout_tty", "stderr_tty", "expected"),
    [(True, True, True), (False, True, False), (True, False, False), (False, False, False)],
)
def test_a_bar_only_when_both_streams_are_terminals(stdout_tty, stderr_tty, expected):
    assert progress_allowed(_env(stdout_tty, stderr_tty)) is expected


def test_quiet_and_machine_output_forbid_a_bar_even_on_a_terminal():
    assert progress_allowed(_env(), quiet=True) is False
    assert progress_allowed(_env(), machine_output=True) is False


def test_bar_appears_only_after_a_second(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(time, "monotonic", lambda: clock[0])
    with LazyProgress(enabled=True, total_bytes=1000, total_files=2, env=_env()) as bar:
        bar.advance(10)
        assert bar._progress is None  # quick work: nothing drawn
        clock[0] += 1.5
        bar.advance(10)
        assert bar._progress is not None
        bar.file_done()
        task = bar._progress.tasks[0]
        assert (task.completed, task.total, task.fields["files"]) == (20, 1000, "1/2 files")


def test_disabled_bar_never_starts(monkeypatch):
    clock = [0.0]
    monkeypatch.setattr(time, "monotonic", lambda: clock[0])
    with LazyProgress(enabled=False, total_bytes=None, total_files=1, env=_env()) as bar:
        clock[0] += 10
        bar.advance(1)
        assert bar._progress is None
