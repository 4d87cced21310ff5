"""Time and peak memory of inputs that are one huge tokenizer piece (issue 10 §3).

    python bench/bench_long_pieces.py            # 16 MiB and 200 MiB cases
    python bench/bench_long_pieces.py --mib 16   # only the 16 MiB ones

Each case is written to a temporary file and counted by the installed ``tokencalc count -q``
in its own process; wall time and peak RSS (``os.wait4``) are printed. The 16 MiB cases are
also checked against tiktoken's count of the whole file when ``--check`` is given (that needs
about 1 GB and a minute per case: it is what tokencalc avoids).
"""

from __future__ import annotations

import argparse
import os
import random
import string
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

BIN = Path(sys.executable).parent / "tokencalc"
HEAD = b"2026-11-30 12:00:00 service started\n" * 400  # past the 8 KiB binary sniff


def cases(mib: int) -> Iterator[tuple[str, Callable[[], bytes]]]:
    """(name, maker) pairs: each case is made only when measured, so that this process is small
    when it starts the child (a child's ``ru_maxrss`` starts from its parent's size at fork)."""
    size = mib << 20

    def acgt() -> bytes:
        rng = random.Random(mib)
        return "".join(rng.choices("acgt", k=1 << 20)).encode() * mib

    def letters() -> bytes:
        rng = random.Random(mib)
        return b"".join(
            "".join(rng.choices(string.ascii_lowercase, k=1 << 20)).encode() for _ in range(mib)
        )

    yield f"{mib} MiB NUL hole in a log", lambda: HEAD + b"\0" * size + b"\nservice stopped\n"
    yield f"{mib} MiB of one letter", lambda: b"x" * size
    yield f"{mib} MiB of '='", lambda: b"=" * size
    yield f"{mib} MiB random acgt (no period)", acgt
    yield f"{mib} MiB random a-z (no period)", letters


def run(path: Path) -> tuple[str, float, float]:
    started = time.monotonic()
    process = subprocess.Popen(
        [str(BIN), "count", "-q", str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.monotonic() - started
    assert process.stdout is not None and process.stderr is not None
    out = process.stdout.read().decode().strip()
    if os.waitstatus_to_exitcode(status) != 0:
        out = "error: " + process.stderr.read().decode().strip()
    return out, elapsed, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--mib", type=int, action="append", help="sizes in MiB (default 16 and 200)"
    )
    parser.add_argument(
        "--check", action="store_true", help="compare 16 MiB counts with tiktoken on the whole file"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for mib in args.mib or [16, 200]:
            for name, make in cases(mib):
                path = Path(tmp) / "case.txt"
                data = make()
                path.write_bytes(data)
                del data
                count, elapsed, peak = run(path)
                line = f"{name:40} {count:>12}  {elapsed:7.1f} s  {peak:8.0f} MB"
                if args.check and mib <= 16:
                    from tokencalc.counting import encodings

                    expected = len(
                        encodings.get_encoding("o200k_base").encode_ordinary(
                            path.read_text(encoding="utf-8")
                        )
                    )
                    line += "  ok" if str(expected) == count else f"  MISMATCH tiktoken {expected}"
                print(line, flush=True)


if __name__ == "__main__":
    main()
