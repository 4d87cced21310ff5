"""What a fresh ``tokencalc`` process has imported after each of several commands, from ONE process.

Start-up laziness is a fact about a process (``sys.modules``), so it needs a fresh one; but one
process can answer for several commands run in turn through the edge (``run(argv, env)``, what
the script runs), as long as each answer is read with what the commands before it imported:
run first the commands whose checks say "not imported", and check that a module is imported
only where the commands before it are shown not to have imported it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass

_SCRIPT = """
import io, json, sys
from tokencalc.cli.app import run
from tokencalc.cli.env import Environment
for argv in json.loads(sys.argv[1]):
    out, err = io.StringIO(), io.StringIO()
    code = run(argv, Environment(stdin=io.StringIO(), stdout=out, stderr=err))
    print(json.dumps({"code": code, "stdout": out.getvalue(), "stderr": err.getvalue(),
                      "modules": sorted(sys.modules)}), flush=True)
"""


@dataclass(frozen=True)
class Ran:
    stdout: str
    modules: frozenset[str]  # every module imported so far in the process


def modules_after(*argvs: list[str]) -> list[Ran]:
    """Each command line run in order in one fresh process: what it printed and the modules
    imported by then (each command must succeed)."""
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, json.dumps(list(argvs))],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    runs = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(runs) == len(argvs), done.stdout
    for argv, ran in zip(argvs, runs, strict=True):
        assert ran["code"] == 0, (argv, ran["stderr"])
    return [Ran(ran["stdout"], frozenset(ran["modules"])) for ran in runs]
