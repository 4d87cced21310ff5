"""Large inputs and timings (issue 10 §3), marked ``slow``: ``pytest -m "not slow"`` skips them.

Each runs the installed ``tokencalc`` as a process and reads its peak memory from the kernel
(``ru_maxrss`` of the finished child). The 200 MiB cases are in bench/bench_long_pieces.py.
"""

from __future__ import annotations

import os
import signal
import string
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not Path("/proc/self/status").exists(), reason="peak memory is read from /proc"
    ),
]

BIN = Path(sys.executable).parent / "tokencalc"


#: Runs tokencalc's entry point and reports the process's own peak RSS (VmHWM) at exit.
#: ru_maxrss would not do: on Linux a child inherits its forking parent's (pytest's) peak.
_MEASURED = (
    "import atexit, sys\n"
    "def report():\n"
    "    for line in open('/proc/self/status'):\n"
    "        if line.startswith('VmHWM:'):\n"
    "            sys.stderr.write('VmHWM ' + line.split()[1] + '\\n')\n"
    "atexit.register(report)\n"
    "from tokencalc.cli.app import main\n"
    "main(sys.argv[1:])\n"
)


def _run(args):
    """Run tokencalc; its result, wall time and peak RSS in KiB."""
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", _MEASURED, *args], capture_output=True, timeout=600
    )
    elapsed = time.monotonic() - started
    lines = result.stderr.decode().splitlines()
    peak = int(lines[-1].split()[1]) if lines and lines[-1].startswith("VmHWM ") else 0
    result.stderr = "".join(f"{line}\n" for line in lines if not line.startswith("VmHWM ")).encode()
    return result, elapsed, peak


def test_16_mib_nul_hole_in_a_log(tmp_path):
    log = tmp_path / "hole.log"
    head = b"2026-11-30 boot ok\n" * 600  # more than the 8 KiB binary sniff
    log.write_bytes(head + b"\0" * (16 << 20) + b"\nshutdown\n")
    result, elapsed, peak = _run(["count", "-q", str(log)])
    assert result.returncode == 0, result.stderr
    # Worked out independently of the windows: o200k_base merges a NUL run in pairs, so the
    # piece "\0" * 2n + "\n" costs n tokens more than "\0" * 4096 + "\n" does per 2,048 pairs.
    from tokencalc.counting import encodings

    encoding = encodings.get_encoding("o200k_base")
    small = len(encoding._encode_single_piece(b"\0" * 4096 + b"\n"))
    larger = len(encoding._encode_single_piece(b"\0" * 8192 + b"\n"))
    assert larger - small == 2048  # the pairs rule, checked by tiktoken at two sizes
    nul_piece = small + ((16 << 20) - 4096) // 2
    expected = (
        len(encoding.encode_ordinary(head.decode()))
        + nul_piece
        + len(encoding.encode_ordinary("shutdown\n"))
    )
    assert int(result.stdout) == expected
    assert elapsed < 60
    assert 0 < peak < 300 * 1024, f"peak {peak // 1024} MiB"


def test_16_mib_letter_run(tmp_path):
    data = tmp_path / "run.txt"
    data.write_bytes(b"x" * (16 << 20))
    result, elapsed, peak = _run(["count", "-q", str(data)])
    assert result.returncode == 0
    assert int(result.stdout) == (16 << 20) // 8  # o200k_base: "xxxxxxxx" is one token
    assert elapsed < 60
    assert 0 < peak < 300 * 1024, f"peak {peak // 1024} MiB"


def test_16_mib_aperiodic_letter_run(tmp_path):
    import random

    rng = random.Random(16)
    text = "".join(rng.choices(string.ascii_lowercase, k=16 << 20))
    data = tmp_path / "letters.txt"
    data.write_text(text)
    result, elapsed, peak = _run(["count", "-q", str(data)])
    assert result.returncode == 0, result.stderr
    # The reference: the serial windows of tokencalc.counting.long_pieces (checked against whole-piece
    # tiktoken by the property tests), not the parallel windows or the stream cutter used here.
    from tokencalc.counting import encodings, long_pieces

    encoding = encodings.get_encoding("o200k_base")
    assert int(result.stdout) == long_pieces.count_piece_chunks(
        encoding, long_pieces.text_chunks(text, 0, len(text))
    )
    assert elapsed < 60
    assert 0 < peak < 300 * 1024, f"peak {peak // 1024} MiB"


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _wait_until_busy(
    process: subprocess.Popen[bytes], cpu_seconds: float, deadline_seconds: float = 60.0
) -> None:
    """Wait until the child has used ``cpu_seconds`` of CPU (or has ended), within a deadline."""
    deadline = time.monotonic() + deadline_seconds
    while process.poll() is None and time.monotonic() < deadline:
        try:
            if _cpu_seconds(process.pid) >= cpu_seconds:
                return
        except (OSError, IndexError, ValueError):
            return
        time.sleep(0.02)


def test_ctrl_c_during_a_long_piece_is_honoured_within_a_second(tmp_path):
    import random

    random.seed(5)
    data = tmp_path / "dna.txt"
    # A random letter run cannot be skipped by period: counting it takes many seconds.
    data.write_bytes("".join(random.choices("acgt", k=1 << 20)).encode() * 200)
    process = subprocess.Popen(
        [str(BIN), "count", "-q", str(data)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    _wait_until_busy(process, cpu_seconds=1.0)  # a readiness signal: it is counting, not starting
    assert process.poll() is None, "finished before it could be interrupted"
    sent = time.monotonic()
    process.send_signal(signal.SIGINT)
    _out, err = process.communicate(timeout=60)
    assert time.monotonic() - sent < 1.5
    assert process.returncode == 130
    assert err == b"tokencalc: interrupted\n"
