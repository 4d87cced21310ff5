"""Start-up of the command line, two source trees side by side (issue 12: it must not get slower).

Usage (from the repository root, in the project's virtual environment)::

    git worktree add /tmp/before <commit>          # or: git archive <commit> | tar -x -C /tmp/before
    python bench/bench_startup.py /tmp/before .     # median of 15 interleaved rounds
    python bench/bench_startup.py /tmp/before . --rounds 31

Each case runs ``python -c "from tokencalc.cli.entry import main; main()" ARGS`` with
``PYTHONPATH=TREE/src`` (so the same interpreter and installed dependencies serve both trees) and
records the child's CPU time (user + system, from ``os.wait4``) and its wall time; each tree
has a cache directory of its own, filled by an untimed first round. CPU time is the steadier
figure on a shared machine; the load average is printed with the results. The tiny-input case
is ``echo hello | tokencalc count -q``, the one bench/bench_speed.py times.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CASES: list[tuple[str, list[str], bytes | None]] = [
    ("count -q (echo hello)", ["count", "-q"], b"hello\n"),
    ("--version", ["--version"], None),
    ("--help", ["--help"], None),
    ("count README.md", ["count", "README.md"], None),
    ("models gpt-5", ["models", "gpt-5"], None),
    ("estimate README.md", ["estimate", "README.md"], None),
]
ENTRY = "from tokencalc.cli.entry import main; main()"


def run_once(tree: Path, argv: list[str], stdin: bytes | None, cache: Path) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one run of ``tokencalc ARGV`` from ``tree``, with
    ``cache`` as its cache directory."""
    env = {
        **os.environ,
        "PYTHONPATH": str(tree / "src"),
        "COLUMNS": "100",
        "TOKENCALC_CACHE_DIR": str(cache),
    }
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", ENTRY, *argv],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    assert child.stdin is not None
    if stdin:
        child.stdin.write(stdin)
    child.stdin.close()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{tree}: tokencalc {' '.join(argv)} failed")
    return usage.ru_utime + usage.ru_stime, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path, help="the tree to compare against")
    parser.add_argument("after", type=Path, help="the tree measured")
    parser.add_argument("--rounds", type=int, default=15)
    options = parser.parse_args()
    trees = (options.before.resolve(), options.after.resolve())
    cpu: dict[tuple[Path, str], list[float]] = {}
    wall: dict[tuple[Path, str], list[float]] = {}
    # A cache directory per tree (their cached tables' formats may differ: one tree would keep
    # rebuilding the other's), filled by an untimed first round.
    with tempfile.TemporaryDirectory() as tmp:
        caches = {tree: Path(tmp) / f"cache-{i}" for i, tree in enumerate(trees)}
        for _, argv, stdin in CASES:
            for tree in trees:
                run_once(tree, argv, stdin, caches[tree])
        for _ in range(options.rounds):
            for name, argv, stdin in CASES:
                for tree in trees:  # interleaved: a change of load hits both alike
                    c, w = run_once(tree, argv, stdin, caches[tree])
                    cpu.setdefault((tree, name), []).append(c)
                    wall.setdefault((tree, name), []).append(w)
    print(f"load average {os.getloadavg()}, {options.rounds} rounds, medians")
    for name, _, _ in CASES:
        b, a = (statistics.median(cpu[(t, name)]) * 1000 for t in trees)
        wb, wa = (statistics.median(wall[(t, name)]) * 1000 for t in trees)
        print(
            f"{name:24} CPU {b:6.0f} -> {a:6.0f} ms ({a / b:.2f})"
            f"   wall {wb:6.0f} -> {wa:6.0f} ms ({wa / wb:.2f})"
        )


if __name__ == "__main__":
    main()
