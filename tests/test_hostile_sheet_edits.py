"""Edits of the user price sheet under concurrency, kills and odd files (issue 10 §1).

The lock has to hold across processes, not threads: concurrent writers and a lock's holder are
real processes. A single edit beside them runs in this process through the CLI's edge (what the
script runs): the lock of another process, a dead writer's leftovers and file modes under a
umask are the same to it.
"""

from __future__ import annotations

import functools
import os
import stat
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest

from tokencalc.atomic import remove_stale_temporaries, write_bytes_atomic


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ, TOKENCALC_HOME=str(home), NO_COLOR="1")
    env.pop("TOKENCALC_DEBUG", None)
    env.update(extra)
    return env


def _sheet_text(home: Path) -> str:
    return (home / "pricing.toml").read_text(encoding="utf-8")


#: ``prices set`` run by N processes at the same instant: a parent process loads the command
#: line (a first edit in a home of its own), then forks the writers, which wait on one pipe and
#: run their edit through the edge (what the script runs) when the parent closes it. Writers
#: forked after the imports reach the lock within microseconds of each other, which the
#: script's own start-up (~0.15 s of imports, tens of milliseconds of jitter) rarely does.
_WRITERS = """
import json, os, sys
from tokencalc.cli.app import run
from tokencalc.cli.env import Environment

home, writers = sys.argv[1], int(sys.argv[2])

def argv(model, price):
    return ["prices", "set", model, "--provider", "openai", "--tokenizer", "o200k_base",
            "--input", price, "--output", "2", "--context-window", "1000"]

os.environ["TOKENCALC_HOME"] = home + "-warm-up"
assert run(argv("warm-up", "1"), Environment.from_process()) == 0
os.environ["TOKENCALC_HOME"] = home
go_read, go_write = os.pipe()
children = []
for i in range(writers):
    pid = os.fork()
    if pid == 0:
        os.close(go_write)
        os.read(go_read, 1)  # the parent closes the pipe: all go at once
        code = run(argv(f"my-model-{i:02}", str(i + 1)), Environment.from_process())
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    children.append(pid)
os.close(go_write)
sys.stdout.flush()  # what the edits printed, then the exit codes on a line of their own
print(json.dumps([os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in children]))
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the writers are forked")
@pytest.mark.parametrize("writers", [4, pytest.param(20, marks=pytest.mark.slow)])
def test_concurrent_sets_all_survive(tmp_path, writers):
    import json
    import tomllib

    home = tmp_path / "home"
    done = subprocess.run(
        [sys.executable, "-c", _WRITERS, str(home), str(writers)],
        capture_output=True,
        text=True,
        env=_env(home),
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == [0] * writers, done.stderr  # exit codes
    assert done.stderr == ""
    models = [f"my-model-{i:02}" for i in range(writers)]
    data = tomllib.loads(_sheet_text(home))
    assert sorted(data["models"]) == models
    for i, model in enumerate(models):
        assert data["models"][model]["input"] == i + 1
    # The .bak is the sheet before the last edit: exactly one model fewer.
    backup = tomllib.loads((home / "pricing.toml.bak").read_text(encoding="utf-8"))
    assert len(backup["models"]) == writers - 1 and set(backup["models"]) < set(models)


def test_held_lock_times_out_with_a_clear_message(tmp_path, cli, monkeypatch):
    # the holder is a process (the lock must hold across processes); the edits run here
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("TOKENCALC_HOME", str(home))
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                "import sys, time\nfrom pathlib import Path\nfrom tokencalc.sheet.lock import sheet_lock\n"
                "with sheet_lock(Path(sys.argv[1])):\n    print('held', flush=True)\n    time.sleep(30)\n"
            ),
            str(home / "pricing.toml"),
        ],
        stdout=subprocess.PIPE,
        env=_env(home),
    )
    assert holder.stdout is not None
    try:
        assert holder.stdout.readline() == b"held\n"
        started = time.monotonic()
        monkeypatch.setenv("TOKENCALC_LOCK_TIMEOUT", "0.5")
        result = cli("prices", "set-rate", "EUR", "0.9")
        assert time.monotonic() - started < 20
        assert result.exit_code == 1
        lines = result.stderr.splitlines()
        assert (
            len(lines) == 1
            and "another tokencalc is changing" in lines[0]
            and "TOKENCALC_LOCK_TIMEOUT" in lines[0]
        )
        assert not (home / "pricing.toml").exists()
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    # The holder died: the lock went with it.
    monkeypatch.delenv("TOKENCALC_LOCK_TIMEOUT")
    result = cli("prices", "set-rate", "EUR", "0.9")
    assert result.exit_code == 0, result.stderr


def test_backup_is_the_sheet_before_this_edit(cli, tmp_path, _isolated_environment):
    home = _isolated_environment
    assert cli("prices", "set-rate", "EUR", "0.9").exit_code == 0
    first = _sheet_text(home)
    assert cli("prices", "set-rate", "GBP", "0.8").exit_code == 0
    assert (home / "pricing.toml.bak").read_text(encoding="utf-8") == first
    assert "GBP" in _sheet_text(home)


def test_new_sheet_follows_umask_and_existing_mode_is_kept(tmp_path, cli, monkeypatch):
    # in-process: the file modes come from the atomic write, not from anything a process adds
    home = tmp_path / "home"
    monkeypatch.setenv("TOKENCALC_HOME", str(home))

    def set_rate(umask: int, *args: str) -> None:
        saved = os.umask(umask)
        try:
            result = cli("prices", "set-rate", *args)
        finally:
            os.umask(saved)
        assert result.exit_code == 0, result.stderr

    set_rate(0o077, "EUR", "0.9")
    assert stat.S_IMODE(os.stat(home / "pricing.toml").st_mode) == 0o600
    os.chmod(home / "pricing.toml", 0o640)
    set_rate(0o022, "GBP", "0.8")
    assert stat.S_IMODE(os.stat(home / "pricing.toml").st_mode) == 0o640
    assert stat.S_IMODE(os.stat(home / "pricing.toml.bak").st_mode) == 0o640


def test_stale_temporaries_of_dead_writers_are_removed(tmp_path):
    target = tmp_path / "pricing.toml"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".pricing.toml.{dead.pid}.abcd1234.tmp"
    stale.write_bytes(b"x" * 1000)
    alive = tmp_path / f".pricing.toml.{os.getpid()}.live.tmp"  # ours: a write in progress
    alive.write_bytes(b"y")
    unrelated = tmp_path / ".other.toml.1.x.tmp"
    unrelated.write_bytes(b"z")
    write_bytes_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    assert not stale.exists() and alive.exists() and unrelated.exists()
    assert remove_stale_temporaries(target) == []


def test_killed_edit_leaves_nothing_the_next_edit_keeps(tmp_path, cli, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("TOKENCALC_HOME", str(home))
    # What a run killed between writing and renaming leaves: a full temporary copy.
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (home / f".pricing.toml.{dead.pid}.k1ll3d00.tmp").write_text("[currencies]\nEUR = 1\n")
    result = cli("prices", "set-rate", "EUR", "0.9")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in home.iterdir() if p.name.endswith(".tmp")) == []


@pytest.mark.skipif(not Path("/dev/null").exists(), reason="needs a device file")
def test_sheet_linked_to_a_device_is_refused_not_replaced(cli, _isolated_environment):
    home = _isolated_environment
    (home / "pricing.toml").symlink_to("/dev/null")
    result = cli("prices", "set-rate", "EUR", "0.9")
    assert result.exit_code == 1
    assert "not a regular file" in result.stderr and len(result.stderr.splitlines()) == 1
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert (home / "pricing.toml").is_symlink()


def test_fifo_sheet_is_refused_without_blocking(cli, _isolated_environment):
    home = _isolated_environment
    os.mkfifo(home / "pricing.toml")
    for args in (("prices", "set-rate", "EUR", "0.9"), ("prices", "validate"), ("models",)):
        result = cli(*args)
        assert result.exit_code == 1, (args, result.stderr)
        assert "not a regular file" in result.stdout + result.stderr
    assert stat.S_ISFIFO(os.stat(home / "pricing.toml").st_mode)


def test_sheet_changed_on_disk_by_an_editor_is_not_overwritten(monkeypatch, _isolated_environment):
    from tokencalc.errors import TokencalcError
    from tokencalc.sheet import edit as sheet_edit
    from tokencalc.sheet import user_sheet

    home = _isolated_environment
    (home / "pricing.toml").write_text("[currencies]\nEUR = 0.9\n")
    user = user_sheet.read_user_sheet()
    edit = user_sheet.plan_edit(user, sheet_edit.set_currency_rate(user, "GBP", Decimal("0.8")))
    (home / "pricing.toml").write_text("[currencies]\nEUR = 0.95\n")  # an editor saved meanwhile
    with pytest.raises(TokencalcError, match="changed on disk"):
        user_sheet.write_edit(edit)
    assert _sheet_text(home) == "[currencies]\nEUR = 0.95\n"


def test_stale_cache_temporaries_are_removed_on_the_next_run(tmp_path, monkeypatch, _rank_tables):
    import shutil

    from tokencalc.counting import encodings

    cache = tmp_path / "cache"
    cache.mkdir()
    monkeypatch.setenv("TOKENCALC_CACHE_DIR", str(cache))
    # the cache as a first run leaves it: the table tokencalc built for the session, copied
    (table,) = [p for p in _rank_tables if p.name.startswith("cl100k_base")]
    shutil.copyfile(table, cache / table.name)
    inode = (cache / table.name).stat().st_ino

    def a_run() -> None:  # a process's first look-up: no table in memory yet
        functools.cache(encodings.rank_table.__wrapped__)("cl100k_base")

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = cache / f".{table.name}.{dead.pid}.zz9plural.tmp"
    stale.write_bytes(b"\0" * (1 << 20))  # what a run killed while writing the cache leaves
    a_run()  # reads the cache
    assert not stale.exists()
    assert sorted(p.name for p in cache.iterdir()) == [table.name]
    assert (cache / table.name).stat().st_ino == inode  # read, not built and replaced
