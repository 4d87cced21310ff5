"""What a fresh ``tokencalc`` process has imported after each of several commands, from ONE process.

Start-up laziness is a fact about a process (``sys.modules``), so it needs a fresh one; but one
process can answer for several commands run in turn through the edge (``run(argv, env)``, what
the script runs), as long as each answer is read with what the commands before it imported:
run first the commands whose checks say "not imported", and check that a module is imported
only where the commands before it are shown not to have imported it.

:func:`startup` runs :data:`STARTUP`, the commands of several test files' start-up checks, in
one process a session (its answers are immutable); :func:`modules_after` runs others.
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

EN = str(Path(__file__).resolve().parent.parent / "examples" / "en.txt")

_SCRIPT = """
import io, json, sys
from tokencalc.cli.app import run
from tokencalc.cli.env import Environment
for argv in json.loads(sys.argv[1]):
    out, err = io.StringIO(), io.StringIO()
    code = run(argv, Environment(stdin=io.StringIO(), stdout=out, stderr=err))
    encodings = sys.modules.get("tokencalc.counting.encodings")
    print(json.dumps({
        "code": code, "stdout": out.getvalue(), "stderr": err.getvalue(),
        "modules": sorted(sys.modules),
        "encodings_built": encodings.get_encoding.cache_info().currsize if encodings else 0,
        "rank_tables_read": encodings.rank_table.cache_info().currsize if encodings else 0,
    }), flush=True)
"""


@dataclass(frozen=True)
class Ran:
    stdout: str
    modules: frozenset[str]  # every module imported so far in the process
    encodings_built: int  # tokenizers built so far (tokencalc.counting.encodings.get_encoding)
    rank_tables_read: int  # vocabularies read so far (… .rank_table)


def modules_after(*argvs: list[str]) -> list[Ran]:
    """Each command line run in order in one fresh process: what it printed and what the
    process had loaded by then (each command must succeed)."""
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
    return [
        Ran(
            ran["stdout"],
            frozenset(ran["modules"]),
            ran["encodings_built"],
            ran["rank_tables_read"],
        )
        for ran in runs
    ]


#: Start-up checks' commands, each "not imported" read before anything that may import it.
STARTUP: tuple[tuple[str, ...], ...] = (
    ("--help",),  # test_cli_edge: listing the commands imports none of them
    ("models", "gpt-5", "-f", "json"),  # test_cli_edge: a command imports only its own module
    ("models",),  # test_cli_models: models never builds a tokenizer
    ("models", "--format", "json"),
    ("models", "gpt-6-astra"),
    ("estimate", EN, "-m", "gpt-5"),  # test_command_costs: no claude row, no reconstruction
)


@functools.cache
def _startup() -> dict[tuple[str, ...], Ran]:
    return dict(zip(STARTUP, modules_after(*map(list, STARTUP)), strict=True))


def startup(*argv: str) -> Ran:
    """What the one :data:`STARTUP` process had loaded after ``argv`` (one of its commands)."""
    return _startup()[argv]
