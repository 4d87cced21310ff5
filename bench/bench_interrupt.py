"""Ctrl-C at random moments: what a user sees when they interrupt ``tokencalc``.

Starts the installed ``tokencalc`` script (the one pip wrote next to this interpreter) again and
again, sends it SIGINT at a moment drawn uniformly from the start to a little past the end of an
uninterrupted run, and sorts what came back:

* ``interrupted`` — exit 130 and exactly one ``tokencalc: interrupted`` line on stderr;
* ``finished`` — the work was done before the signal came (exit 0, the full output, nothing
  on stderr): the guard ignores a Ctrl-C once the output is written;
* ``killed early`` — the signal came before Python had set up its own SIGINT handler: the
  process is killed by the signal (a shell shows exit 130), nothing written;
* ``traceback`` and ``other`` — anything else. A traceback can come only from the first
  milliseconds, while Python itself starts and runs the script's ``import re``, before
  tokencalc's first line; the report gives the moments at which they came.

    python bench/bench_interrupt.py                     # echo hello | tokencalc count -q
    python bench/bench_interrupt.py --runs 300 -- estimate README.md

Nothing is timed against a target here: it counts outcomes (issue 12: "Ctrl-C exits 130 without
a traceback at any moment").
"""

from __future__ import annotations

import argparse
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

INTERRUPTED = b"tokencalc: interrupted\n"


def script() -> Path:
    """The ``tokencalc`` script installed beside this interpreter."""
    path = Path(sys.executable).parent / "tokencalc"
    if not path.exists():
        raise SystemExit(f"no tokencalc script at {path}: pip install -e . first")
    return path


def run_once(argv: list[str], stdin: Path, delay: float | None) -> tuple[int, bytes, bytes, float]:
    """One run, interrupted after ``delay`` seconds (None: not at all); its exit, out, err, wall."""
    with stdin.open("rb") as text:  # a file, not a pipe: nothing waits for the test to write
        started = time.monotonic()
        process = subprocess.Popen(argv, stdin=text, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if delay is not None:
            time.sleep(delay)
            process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=120)
    return process.returncode, out, err, time.monotonic() - started


def outcome(code: int, out: bytes, err: bytes, full_output: bytes) -> str:
    if code == 130 and err == INTERRUPTED:
        return "interrupted"
    if code == 0 and err == b"" and out == full_output:
        return "finished"
    if code == -signal.SIGINT and out == b"" and err == b"":
        return "killed early"
    if b"Traceback" in err or b"KeyboardInterrupt" in err:
        return "traceback"
    return "other"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--stdin", default="hello\n", help="text piped in (default: hello)")
    parser.add_argument("args", nargs="*", help="tokencalc's arguments (default: count -q)")
    options = parser.parse_args()
    argv = [str(script()), *(options.args or ["count", "-q"])]
    with tempfile.TemporaryDirectory() as scratch:
        stdin = Path(scratch) / "stdin.txt"
        stdin.write_text(options.stdin, encoding="utf-8")
        return interrupt_at_random(argv, stdin, options.runs, options.seed)


def where(err: bytes) -> str:
    """The innermost ``File …`` line of a traceback: where the interrupt landed."""
    frames = [
        line.strip()
        for line in err.decode(errors="replace").splitlines()
        if line.strip().startswith("File ")
    ]
    return frames[-1] if frames else repr(err[:300])


def interrupt_at_random(argv: list[str], stdin: Path, runs: int, seed: int) -> int:

    walls = []
    full_output = b""
    for _ in range(5):
        code, full_output, err, wall = run_once(argv, stdin, None)
        if code != 0:
            raise SystemExit(f"{' '.join(argv)} fails without an interrupt: {err.decode()!r}")
        walls.append(wall)
    span = statistics.median(walls) * 1.2
    print(
        f"{' '.join(argv[1:])}: an uninterrupted run takes {statistics.median(walls) * 1000:.0f} ms;"
    )
    print(f"SIGINT at a uniform moment in 0-{span * 1000:.0f} ms, {runs} runs")

    draw = random.Random(seed)
    tally: Counter[str] = Counter()
    bad: list[tuple[float, str, int, str]] = []
    for _ in range(runs):
        delay = draw.uniform(0, span)
        code, out, err, _wall = run_once(argv, stdin, delay)
        kind = outcome(code, out, err, full_output)
        tally[kind] += 1
        if kind in ("traceback", "other"):
            bad.append((delay, kind, code, where(err)))
    for kind in ("interrupted", "finished", "killed early", "traceback", "other"):
        print(f"  {kind:<12} {tally[kind]:>5}")
    for delay, kind, code, last in sorted(bad):
        print(f"  {kind} at {delay * 1000:.1f} ms: exit {code}, {last[:300]}")
    return 1 if tally["other"] else 0


if __name__ == "__main__":
    sys.exit(main())
