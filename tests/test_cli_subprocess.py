"""The installed ``tokencalc`` entry point, run as a real process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from paused_child import interrupt_when_paused

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
    # ~200 KB of CSV rows, far more than a pipe holds: long names (a path of ~670 characters
    # a row) make few files
    folder = tmp_path / ("d" * 200) / ("e" * 200)
    folder.mkdir(parents=True)
    for i in range(300):
        (folder / f"f{i:04}-{'n' * 240}.txt").write_text("x")
    process = subprocess.Popen(
        [str(BIN), "count", str(tmp_path), "--format", "csv"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
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


#: Runs the script's entry point with an import hook that, when ``PAUSE_AT`` is about to be
#: imported, says so on the ``READY`` pipe and waits on the ``GO`` pipe (which never gets
#: written): the test's SIGINT lands exactly in the middle of that import.
_PAUSING_ENTRY = """
import os, sys

class PauseAt:
    def find_spec(self, name, path=None, target=None):
        if name == os.environ["PAUSE_AT"]:
            sys.meta_path.remove(self)
            os.write(int(os.environ["READY"]), b"1")
            os.read(int(os.environ["GO"]), 1)
        return None

sys.meta_path.insert(0, PauseAt())
sys.argv[0] = "tokencalc"
from tokencalc.cli.entry import main
main()
"""


@pytest.mark.parametrize(
    ("args", "module"),
    [
        (["estimate", "{file}"], "tokencalc.cli.app"),  # the edge itself, just after the guard
        (["estimate", "{file}"], "typer"),  # the full command line
        (["estimate", "{file}"], "tokencalc.cli.commands.estimate"),  # the command, loaded lazily
        (["models"], "tokencalc.sheet"),  # a command's core
        (["count", "-q", "{file}"], "tokencalc.counting"),  # the quick path's core
        (["statusline"], "tokencalc.cli.statusline"),  # the other quick path
    ],
)
def test_ctrl_c_while_starting_up_exits_130_without_a_traceback(tmp_path, args, module):
    """Ctrl-C at any moment of start-up: one line, exit 130 (issue 12: it was a traceback, -2)."""
    text = tmp_path / "notes.txt"
    text.write_text("some text to count\n")
    code, out, err = interrupt_when_paused(
        _PAUSING_ENTRY, [a.format(file=text) for a in args], {"PAUSE_AT": module}
    )
    assert (code, err) == (130, b"tokencalc: interrupted\n")
    assert out == b""
