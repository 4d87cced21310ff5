"""CPU time of the test suite: in total, by phase, by test file and by test (issue 12 §7).

Usage (from the repository root, in the project's virtual environment)::

    python bench/bench_suite.py                        # the default run (the README's command)
    python bench/bench_suite.py tests/test_sheet.py    # given files (any pytest arguments)
    python bench/bench_suite.py --top 30 --json after.json --compare before.json
    python bench/bench_suite.py -- -m slow             # after --, everything goes to pytest
    python bench/bench_suite.py --root /tmp/before     # another checkout's suite (its src/ first)

It runs ``python -m pytest -q -p no:cacheprovider [ARGS]`` as a child process with this file
loaded as a pytest plugin (``-p bench_suite``), which reads :func:`resource.getrusage` around
each test: the CPU spent in the pytest process itself (user + system, every thread) and in
the child processes that test started and waited for. The whole run's CPU is the child's own
resource usage (``os.wait4``: pytest, its threads and every process under it, interpreter
start and exit included), split into

- start-up: the interpreter, pytest, its plugins and the conftest files, up to the session start;
- collection: importing the test modules (each module's share is listed) and building the tests;
- tests: each test's set-up, call and tear-down (session fixtures count where they are made);
- session end: pytest's summary and its clean-up (tmp_path's removal of old runs' directories);
- exit: the threads joined at exit, the exit handlers, the interpreter's teardown and any
  process reaped only then.

A test's figure includes whatever it is the first to need in the process (a module imported
lazily, a tokenizer loaded once): move it, and the cost moves to the next test that needs it.
The first run of a fresh checkout also compiles the test modules (pytest's assertion
rewriting) and tokencalc: a second run shows the steady figure. CPU time is the steadier
figure on a shared machine (wall time waits for other jobs); the load average is printed with
the results.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

#: Where the plugin (inside the pytest process) writes its figures for the script to read.
OUT_VARIABLE = "BENCH_SUITE_OUT"
PYTEST_ARGS = ["-q", "-p", "no:cacheprovider"]


# --- the plugin: runs inside the pytest process -----------------------------------------------


def _cpu() -> tuple[float, float]:
    """(this process's CPU, its waited-for children's CPU), seconds, to the microsecond."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


class _Recorder:
    def __init__(self) -> None:
        self.session_start = (0.0, 0.0)
        self.collection = (0.0, 0.0)
        self.session_finish = (0.0, 0.0)
        self.modules: dict[str, float] = {}  # collecting each test module (import included)
        self.tests: list[tuple[str, float, float, float]] = []  # nodeid, own, children, wall


_RECORDER = _Recorder()


def pytest_sessionstart(session: pytest.Session) -> None:
    _RECORDER.session_start = _cpu()


@pytest.hookimpl(wrapper=True)
def pytest_collection(session: pytest.Session) -> Iterator[None]:
    own, children = _cpu()
    try:
        yield
    finally:
        after_own, after_children = _cpu()
        _RECORDER.collection = (after_own - own, after_children - children)


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(
    collector: pytest.Collector,
) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
    if not isinstance(collector, pytest.Module):
        return (yield)
    own, children = _cpu()
    try:
        return (yield)
    finally:
        after_own, after_children = _cpu()
        spent = after_own - own + after_children - children
        _RECORDER.modules[collector.nodeid] = _RECORDER.modules.get(collector.nodeid, 0) + spent


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    own, children = _cpu()
    started = time.perf_counter()
    try:
        yield
    finally:
        after_own, after_children = _cpu()
        wall = time.perf_counter() - started
        _RECORDER.tests.append((item.nodeid, after_own - own, after_children - children, wall))


@pytest.hookimpl(trylast=True)  # after pytest's own (tmp_path's clean-up of old runs among them)
def pytest_sessionfinish(session: pytest.Session) -> None:
    _RECORDER.session_finish = _cpu()
    if os.environ.get(OUT_VARIABLE):
        # an exit handler registered now runs before those registered earlier, after the
        # threads are joined (threading's own exit hook)
        atexit.register(_write)


def _write() -> None:
    record = {
        "start_up": list(_RECORDER.session_start),
        "collection": list(_RECORDER.collection),
        "session_finish": list(_RECORDER.session_finish),
        "at_exit": list(_cpu()),
        "modules": _RECORDER.modules,
        "tests": [list(row) for row in _RECORDER.tests],
    }
    Path(os.environ[OUT_VARIABLE]).write_text(json.dumps(record), encoding="utf-8")


# --- the script: runs pytest and reports ------------------------------------------------------


@dataclass(frozen=True)
class Test:
    nodeid: str
    own: float
    children: float
    wall: float

    @property
    def cpu(self) -> float:
        return self.own + self.children

    @property
    def file(self) -> str:
        return self.nodeid.split("::", 1)[0]


@dataclass(frozen=True)
class Run:
    returncode: int
    wall: float
    user: float  # the whole process tree, from os.wait4
    system: float
    start_up: float  # the pytest process's CPU up to the session start
    collection: float  # own and children
    modules: dict[str, float]  # test module → CPU of collecting it
    session_finish: float  # CPU of the whole tree (own + children) when the session ended
    at_exit: float  # ... and in the exit handlers, once the threads were joined
    tests: list[Test]

    @property
    def total(self) -> float:
        return self.user + self.system

    def by_file(self) -> dict[str, float]:
        files: dict[str, float] = {}
        for test in self.tests:
            files[test.file] = files.get(test.file, 0.0) + test.cpu
        return files

    def summary(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "user": self.user,
            "system": self.system,
            "wall": self.wall,
            "start_up": self.start_up,
            "collection": self.collection,
            "modules": self.modules,
            "session_finish": self.session_finish,
            "at_exit": self.at_exit,
            "tests": [[t.nodeid, t.own, t.children, t.wall] for t in self.tests],
        }


def run_suite(pytest_args: list[str], root: Path) -> Run:
    """Run pytest with the plugin; its figures and the whole tree's resource usage."""
    with tempfile.TemporaryDirectory(prefix="bench-suite-") as scratch:
        out = Path(scratch) / "record.json"
        # this plugin, and the tree's own tokencalc before any installed one
        paths = [str(Path(__file__).resolve().parent), str(root / "src")]
        if os.environ.get("PYTHONPATH"):
            paths.append(os.environ["PYTHONPATH"])
        env = {**os.environ, OUT_VARIABLE: str(out), "PYTHONPATH": os.pathsep.join(paths)}
        argv = [sys.executable, "-m", "pytest", *PYTEST_ARGS, "-p", "bench_suite", *pytest_args]
        started = time.perf_counter()
        child = subprocess.Popen(argv, cwd=root, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        returncode = os.waitstatus_to_exitcode(status)
        child.returncode = returncode
        if not out.exists():
            sys.exit(f"bench_suite: pytest exited {returncode} before its session ended")
        record = json.loads(out.read_text(encoding="utf-8"))
    return Run(
        returncode=returncode,
        wall=wall,
        user=usage.ru_utime,
        system=usage.ru_stime,
        start_up=record["start_up"][0],
        collection=sum(record["collection"]),
        modules=record["modules"],
        session_finish=sum(record["session_finish"]),
        at_exit=sum(record["at_exit"]),
        tests=[Test(row[0], row[1], row[2], row[3]) for row in record["tests"]],
    )


def report(run: Run, top: int) -> list[str]:
    """The totals, then the ``top`` most expensive files, tests and test modules to collect."""
    own = sum(test.own for test in run.tests)
    children = sum(test.children for test in run.tests)
    session_end = run.session_finish - run.start_up - run.collection - own - children
    handlers = run.at_exit - run.session_finish
    teardown = run.total - run.at_exit
    small = [test for test in run.tests if test.cpu < 0.05]
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    lines = [
        f"{len(run.tests)} tests, pytest exit {run.returncode}; load average {load} at the end",
        (
            f"total CPU {run.total:7.2f} s  (user {run.user:.2f} + system {run.system:.2f}; "
            f"wall {run.wall:.2f} s)"
        ),
        f"  start-up    {run.start_up:7.2f} s  (interpreter, pytest, plugins, conftest)",
        f"  collection  {run.collection:7.2f} s",
        (
            f"  tests       {own + children:7.2f} s  (in-process {own:.2f}, child processes "
            f"{children:.2f}; {len(small)} tests under 50 ms: {sum(t.cpu for t in small):.2f} s)"
        ),
        f"  session end {session_end:7.2f} s  (pytest's summary and clean-up)",
        (
            f"  exit        {handlers + teardown:7.2f} s  (threads joined {handlers:.2f}; "
            f"exit handlers, the interpreter's teardown, processes reaped only then {teardown:.2f})"
        ),
    ]
    files: dict[str, list[Test]] = {}
    for test in run.tests:
        files.setdefault(test.file, []).append(test)
    ranked = sorted(files.items(), key=lambda item: -sum(test.cpu for test in item[1]))[:top]
    lines += ["", f"top {len(ranked)} files (CPU s: total, in-process, children; tests)"]
    for name, tests in ranked:
        mine = sum(test.own for test in tests)
        theirs = sum(test.children for test in tests)
        lines.append(f"{mine + theirs:7.2f} {mine:7.2f} {theirs:7.2f} {len(tests):5d}  {name}")
    slowest = sorted(run.tests, key=lambda test: -test.cpu)[:top]
    lines += ["", f"top {len(slowest)} tests (CPU s: total, in-process, children)"]
    lines += [f"{t.cpu:7.2f} {t.own:7.2f} {t.children:7.2f}  {t.nodeid}" for t in slowest]
    modules = sorted(run.modules.items(), key=lambda item: -item[1])[:top]
    lines += ["", f"top {len(modules)} test modules to collect (CPU s, their imports included)"]
    lines += [f"{spent:7.2f}  {name}" for name, spent in modules]
    return lines


def compare(run: Run, before: dict[str, Any], threshold: float = 0.05) -> list[str]:
    """The totals and the files whose CPU moved by ``threshold`` seconds or more since a run
    saved with ``--json``."""
    files_before: dict[str, float] = {}
    for nodeid, own, children, _ in before["tests"]:
        name = nodeid.split("::", 1)[0]
        files_before[name] = files_before.get(name, 0.0) + own + children
    lines = [
        "",
        "against the saved run (CPU s: before, now, change)",
        f"{before['total']:7.2f} {run.total:7.2f} {run.total - before['total']:+7.2f}  total",
        (
            f"{before['start_up']:7.2f} {run.start_up:7.2f} "
            f"{run.start_up - before['start_up']:+7.2f}  start-up"
        ),
        (
            f"{before['collection']:7.2f} {run.collection:7.2f} "
            f"{run.collection - before['collection']:+7.2f}  collection"
        ),
    ]
    files_now = run.by_file()
    changes = [
        (files_now.get(name, 0.0) - files_before.get(name, 0.0), name)
        for name in sorted(set(files_now) | set(files_before))
    ]
    for change, name in sorted(changes):
        if abs(change) >= threshold:
            then, now = files_before.get(name, 0.0), files_now.get(name, 0.0)
            lines.append(f"{then:7.2f} {now:7.2f} {change:+7.2f}  {name}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="CPU time of the test suite by phase, file and test.",
        epilog="Other arguments (all of them after --) go to pytest.",
        allow_abbrev=False,
    )
    parser.add_argument("--top", type=int, default=20, help="files and tests to list (20)")
    parser.add_argument("--json", type=Path, help="write the run's figures here")
    parser.add_argument("--compare", type=Path, help="a run written by --json to compare with")
    parser.add_argument(
        "--root",
        type=Path,
        default=Path(__file__).resolve().parent.parent,
        help="the checkout whose suite to run (this one; another: a before/after comparison)",
    )
    options, pytest_args = parser.parse_known_args(argv)
    if "--" in pytest_args:
        pytest_args.remove("--")
    before = None
    if options.compare is not None:
        before = json.loads(options.compare.read_text(encoding="utf-8"))
    run = run_suite(pytest_args, options.root.resolve())
    lines = report(run, options.top)
    if before is not None:
        lines += compare(run, before)
    print("\n".join(lines))
    if options.json is not None:
        options.json.write_text(json.dumps(run.summary(), indent=1), encoding="utf-8")
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())
