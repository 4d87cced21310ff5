"""Ctrl-C that lands where Python cannot raise it: still one line and exit 130.

Python runs a signal handler between any two bytecodes, also inside a weak reference's callback
or an object's ``__del__`` — the import system runs such a callback when it drops a module lock.
A KeyboardInterrupt raised there is printed as "Exception ignored in …" with a traceback and
dropped, and the program goes on. Sending SIGINT at random moments found it: 1 run in 200
printed that traceback and then exited 0 with the full output.
"""

from __future__ import annotations

import pytest

from paused_child import interrupt_when_paused

#: Runs the script's entry point; when ``PAUSE_AT`` is about to be imported, a weak reference's
#: callback (``HOW=weakref``) or a ``__del__`` (``HOW=del``) says so on the ``READY`` pipe and
#: waits on the ``GO`` pipe, which is never written: the test's SIGINT lands inside it.
_DROPPING_ENTRY = """
import os, sys, weakref

def wait_here(*_):
    os.write(int(os.environ["READY"]), b"1")
    os.read(int(os.environ["GO"]), 1)

class Dropped:
    def __del__(self):
        wait_here()

class Target:
    pass

class PauseAt:
    def find_spec(self, name, path=None, target=None):
        if name == os.environ["PAUSE_AT"]:
            sys.meta_path.remove(self)
            if os.environ["HOW"] == "weakref":
                target = Target()
                keep = weakref.ref(target, wait_here)
                del target
            else:
                Dropped()
        return None

sys.meta_path.insert(0, PauseAt())
sys.argv[0] = "tokencalc"
from tokencalc.cli.entry import main
main()
"""


@pytest.mark.parametrize(
    ("args", "module", "how"),
    [
        (["count", "-q"], "tokencalc.counting", "weakref"),  # the quick path: leaves by os._exit
        (["models", "gpt-5"], "tokencalc.sheet", "del"),  # a full command
    ],
)
def test_an_interrupt_python_drops_still_exits_130_with_one_line(args, module, how):
    code, _out, err = interrupt_when_paused(
        _DROPPING_ENTRY, args, {"PAUSE_AT": module, "HOW": how}, stdin=b"hello world\n"
    )
    # Python dropped the KeyboardInterrupt and the command went on to finish; the script
    # still says it was interrupted, once, and exits 130, with no "Exception ignored" report
    assert (code, err) == (130, b"tokencalc: interrupted\n")


#: Runs the script's entry point with a clean-up that never ends: when ``PAUSE_AT`` is about to
#: be imported, it waits on the ``GO`` pipe (the test's SIGINT interrupts that wait), and the
#: KeyboardInterrupt then passes a ``finally`` that waits for a lock nobody will release — as a
#: run waits for a worker thread that the interrupt left waiting on a lock.
_STUCK_ENTRY = """
import os, sys, threading

class StuckAt:
    def find_spec(self, name, path=None, target=None):
        if name == os.environ["PAUSE_AT"]:
            sys.meta_path.remove(self)
            lock = threading.Lock()
            lock.acquire()
            try:
                os.write(int(os.environ["READY"]), b"1")
                os.read(int(os.environ["GO"]), 1)
            finally:
                lock.acquire()  # for ever
        return None

sys.meta_path.insert(0, StuckAt())
sys.argv[0] = "tokencalc"
import tokencalc.cli.entry as entry
entry.GRACE_SECONDS = 0.3
entry.main()
"""


def test_a_run_stuck_after_ctrl_c_is_ended_with_one_line_and_130():
    # without the watchdog the child waits for ever (the helper gives up after 60 s)
    code, out, err = interrupt_when_paused(
        _STUCK_ENTRY, ["models", "gpt-5"], {"PAUSE_AT": "tokencalc.sheet"}
    )
    assert (code, err, out) == (130, b"tokencalc: interrupted\n", b"")
