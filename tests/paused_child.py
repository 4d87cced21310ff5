"""Ctrl-C at an exact moment: a child Python that pauses where a test wants the SIGINT.

The child runs a script that, at the moment of interest, writes one byte to the ``READY`` pipe
and reads the ``GO`` pipe, which the test never writes; the read is what SIGINT interrupts.
The scripts name the moment with ``PAUSE_AT`` (a module about to be imported) and whatever else
they read from their environment.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys


def interrupt_when_paused(
    script: str, args: list[str], env: dict[str, str], stdin: bytes | None = None
) -> tuple[int, bytes, bytes]:
    """Run ``python -c script ARGS``, send SIGINT once it says it is paused; (exit, out, err)."""
    ready_read, ready_write = os.pipe()
    go_read, go_write = os.pipe()
    process = subprocess.Popen(
        [sys.executable, "-c", script, *args],
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **env, "READY": str(ready_write), "GO": str(go_read)},
        pass_fds=(ready_write, go_read),
    )
    os.close(ready_write)
    os.close(go_read)
    try:
        # the readiness signal (EOF: the child never got there)
        assert os.read(ready_read, 1) == b"1", f"the child never paused ({env})"
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(stdin, timeout=60)
    finally:
        os.close(ready_read)
        os.close(go_write)
    return process.returncode, out, err
