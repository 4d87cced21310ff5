"""The installed ``tokencalc`` entry point, run as a real process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent / "tokencalc"


def run(args, **kwargs):
    return subprocess.run(args, capture_output=True, timeout=120, **kwargs)


@pytest.fixture(autouse=True)
def _entry_point_installed():
    if not BIN.exists():
        pytest.fail(
            f"the tokencalc script is not installed next to {sys.executable}; run the README's install command"
        )


def test_installed_script_counts_stdin():
    result = run([str(BIN), "count", "-q"], input=b"hello world\n")
    assert (result.returncode, result.stdout, result.stderr) == (0, b"3\n", b"")


def test_python_dash_m_and_version():
    from tokencalc import __version__

    result = run([sys.executable, "-m", "tokencalc", "--version"])
    assert result.stdout.decode() == f"tokencalc {__version__}\n"


def test_closed_pipe_exits_quietly(tmp_path):
    for i in range(3000):
        (tmp_path / f"f{i:04}.txt").write_text("x")
    process = subprocess.Popen(
        [str(BIN), "count", str(tmp_path), "--format", "csv"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    process.stdout.read(1)
    process.stdout.close()  # like `| head -c1`
    stderr = process.stderr.read()
    assert process.wait(timeout=120) == 141
    assert stderr == b""


def _wait_until_drained(write_end: int, deadline_seconds: float = 60.0) -> None:
    """Wait until the reader has taken everything written to a pipe: it is up and reading."""
    import fcntl
    import struct
    import termios

    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        waiting = struct.unpack("i", fcntl.ioctl(write_end, termios.FIONREAD, b"\0\0\0\0"))[0]
        if waiting == 0:
            return
        time.sleep(0.01)
    raise AssertionError("the process never read its standard input")


def test_ctrl_c_exits_130_without_a_traceback():
    read_end, write_end = os.pipe()  # stdin that never ends
    process = subprocess.Popen(
        [str(BIN), "count"], stdin=read_end, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    os.close(read_end)
    try:
        os.write(write_end, b"some text to count\n")
        _wait_until_drained(write_end)  # a readiness signal, not a guess at start-up time
        process.send_signal(signal.SIGINT)
        _out, err = process.communicate(timeout=60)
    finally:
        os.close(write_end)
    assert process.returncode == 130
    assert err == b"tokencalc: interrupted\n"


def test_no_input_on_a_terminal_prints_a_hint_instead_of_waiting():
    leader, follower = os.openpty()
    try:
        result = run([str(BIN), "count"], stdin=follower)
    finally:
        os.close(leader)
        os.close(follower)
    assert result.returncode == 2
    assert b"nothing to count" in result.stderr
