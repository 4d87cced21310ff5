"""The suite's own guards (tests/conftest.py): every test runs in a home of its own, made as a
user's looks after a first count, with no network but loopback."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from conftest import AGENT_ENV, SEEDED_TABLES, VENDOR_ENV


def test_a_test_runs_in_a_home_as_made(_isolated_environment: Path):
    home = _isolated_environment
    assert os.environ["TOKENCALC_HOME"] == str(home)
    assert os.environ["HOME"] == str(home / "user-home")  # the agents' default log places
    assert sorted(p.name for p in home.iterdir()) == ["cache"]
    tables = sorted((home / "cache").iterdir())
    assert [p.name.split("-")[0] for p in tables] == sorted(SEEDED_TABLES)
    assert all(p.is_symlink() and p.resolve().is_file() for p in tables)
    assert not {"TOKENCALC_CACHE_DIR", "TOKENCALC_DEBUG", *AGENT_ENV, *VENDOR_ENV} & set(os.environ)


def test_a_home_is_given_again_only_as_it_was_made(_homes):
    home = _homes.take()
    (home / "pricing.toml").write_text("", encoding="utf-8")
    _homes.give_back(home)
    other = _homes.take()
    assert other != home  # written to: never given again
    _homes.give_back(other)
    assert _homes.take() == other  # left as made: given again
    other.chmod(0o755)
    _homes.give_back(other)
    assert _homes.take() not in (home, other)  # a mode changed: never given again
    link = next((other / "cache").iterdir())
    link.unlink()
    link.symlink_to(home)
    other.chmod(0o700)
    _homes.give_back(other)
    assert _homes.take() != other  # a link pointing elsewhere


def test_no_network_but_loopback():
    with pytest.raises(RuntimeError, match="tests must not use the network"):
        socket.create_connection(("192.0.2.1", 80), timeout=1)  # TEST-NET-1: never routed
    with (
        socket.create_server(("127.0.0.1", 0)) as server,
        socket.create_connection(server.getsockname(), timeout=5),
    ):
        pass
