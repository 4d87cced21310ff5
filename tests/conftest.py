"""Shared test setup: no network, no real home directory, a fixed console width."""

from __future__ import annotations

import atexit
import gc
import importlib
import itertools
import os
import re
import socket
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli_harness import CliResult, MockEnvironment

# Bytecode is written where Python writes it by default (``__pycache__`` beside the sources,
# ignored by git), by the suite and by the processes it starts, even where
# PYTHONDONTWRITEBYTECODE is set (as on this project's machine): without it every run would
# compile the test modules (with pytest's assertion rewriting) and tokencalc again, and so
# would each of the ~100 processes the suite starts, several seconds of CPU a run. (A
# ``sys.pycache_prefix`` of the suite's own kept the tree clean, but then Python read none of
# the bytecode pip compiled at install: a fresh checkout's first run compiled pandas,
# hypothesis, rich and every other library it imported again, ~8 s.)
sys.dont_write_bytecode = False


def _import_unrewritten(name: str) -> None:
    """Import a package without pytest's assertion rewriting of its modules.

    pytest rewrites the asserts of every module of a distribution that has a pytest plugin
    (hypothesis's ~80 modules) as it imports them, which a fresh checkout or virtual
    environment pays for on its first run (~0.4 s: an AST rewrite of each, where Python only
    compiles); hypothesis's own asserts gain nothing from it. Where pytest's import hook is not
    found by its class name (a pytest that renamed it), the import is the ordinary one."""
    hooks = [
        (index, finder)
        for index, finder in enumerate(sys.meta_path)
        if type(finder).__name__ == "AssertionRewritingHook"
    ]
    for _, finder in reversed(hooks):
        sys.meta_path.remove(finder)
    try:
        importlib.import_module(name)
    finally:
        for index, finder in hooks:
            sys.meta_path.insert(index, finder)


# once bytecode is written (see above), and without assertion rewriting
_import_unrewritten("hypothesis")
from hypothesis import is_hypothesis_test, settings  # noqa: E402

#: Environment variables that move a coding agent's logs (or the dirs they are found under).
AGENT_ENV = (
    "CLAUDE_CONFIG_DIR", "CODEX_HOME", "GEMINI_CLI_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "APPDATA",
    "LOCALAPPDATA", "OPENCODE_DB", "OPENCODE_DATA_DIR", "AMP_DATA_DIR", "COPILOT_HOME", "QWEN_HOME",
    "QWEN_RUNTIME_DIR", "GOOSE_PATH_ROOT", "CRUSH_GLOBAL_DATA", "KIMI_SHARE_DIR", "FACTORY_DIR",
    "CLINE_DATA_DIR", "KILO_DATA_DIR",
)  # fmt: skip


#: API keys and base URLs of the vendors --online counts with.
VENDOR_ENV = (
    "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "GEMINI_API_KEY", "GOOGLE_API_KEY", "GEMINI_BASE_URL",
    "XAI_API_KEY", "XAI_BASE_URL",
)  # fmt: skip


#: Encodings whose rank tables every test's cache directory starts with (see _rank_tables).
SEEDED_TABLES = ("o200k_base", "cl100k_base")


@pytest.fixture(scope="session")
def _rank_tables(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The rank tables of SEEDED_TABLES as tokencalc caches them, built by tokencalc once a
    session. A user's cache has them after the first count; without them, every process a test
    starts that counts a few words would build one again from the shipped file (~0.3 s of CPU)."""
    from tokencalc.counting import encodings

    directory = tmp_path_factory.mktemp("rank-tables")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TOKENCALC_CACHE_DIR", str(directory))
        for name in SEEDED_TABLES:
            encodings.rank_table.__wrapped__(name)  # built and stored, whatever is in memory
    tables = sorted(directory.glob("*.ranks"))
    assert len(tables) == len(SEEDED_TABLES), "tokencalc keeps its rank tables elsewhere now"
    return tables


class _Homes:
    """Each test's home directory: one an earlier test left exactly as it was made, or else a
    new one, numbered by a counter in one session directory.

    Making a home (two directories, two links) cost ~1.5 ms of system CPU a test where the
    temporary directory's file system is slow to allocate (this project's machine), and as
    much again when pytest deletes the run's directory three runs later; most tests never
    write to their home. A home is taken back only if it is exactly as made: its two
    directories with their modes, nothing else in them, and the links to the session's rank
    tables (checked with a few stat calls, ~20 µs). A test that wrote anything there, even
    deleting it again, or changed a mode, leaves its home behind.

    (``tmp_path_factory.mktemp`` lists the session's whole temporary directory to number a
    new one: once a test, that was quadratic in the number of tests.)"""

    def __init__(self, parent: Path, tables: list[Path]) -> None:
        self._parent = parent
        self._links = {table.name: str(table) for table in tables}
        self._numbers = itertools.count()
        self._cache_mode: int | None = None
        self._free: list[Path] = []
        self._environments: dict[Path, dict[str, str]] = {}

    def take(self) -> Path:
        if self._free:
            return self._free.pop()
        home = self._parent / f"home{next(self._numbers)}"
        home.mkdir(mode=0o700)  # as mktemp makes it
        # the derived cache as a user's looks after a first count: links to the session's tables
        cache = home / "cache"
        cache.mkdir()
        for name, table in self._links.items():
            (cache / name).symlink_to(table)
        if self._cache_mode is None:
            self._cache_mode = stat.S_IMODE(cache.lstat().st_mode)
        return home

    def environment(self, home: Path) -> dict[str, str]:
        """The variables a test in ``home`` runs with (see _environment), made once a home."""
        values = self._environments.get(home)
        if values is None:
            values = self._environments[home] = _environment(home)
        return values

    def give_back(self, home: Path) -> None:
        if self._as_made(home):
            self._free.append(home)

    def _as_made(self, home: Path) -> bool:
        try:
            if not _is_directory(home, 0o700) or _names(home) != {"cache": None}:
                return False
            cache = home / "cache"
            return _is_directory(cache, self._cache_mode) and _names(cache) == self._links
        except OSError:
            return False


def _is_directory(path: Path, mode: int | None) -> bool:
    info = os.lstat(path)
    return stat.S_ISDIR(info.st_mode) and stat.S_IMODE(info.st_mode) == mode


def _names(directory: Path) -> dict[str, str | None]:
    """A directory's entries: a link's target, None for anything else."""
    with os.scandir(directory) as entries:
        return {e.name: os.readlink(e.path) if e.is_symlink() else None for e in entries}


@pytest.fixture(scope="session")
def _homes(tmp_path_factory: pytest.TempPathFactory, _rank_tables: list[Path]) -> _Homes:
    return _Homes(tmp_path_factory.mktemp("tokencalc-homes"), _rank_tables)


@pytest.fixture(scope="session")
def _tmp_numbers() -> Iterator[int]:
    return itertools.count()


@pytest.fixture
def tmp_path(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    _tmp_numbers: Iterator[int],
) -> Path:
    """pytest's ``tmp_path`` (a new directory named after the test in the session's temporary
    directory), numbered by a session counter: pytest's own numbering lists that whole directory
    for each test, quadratic in the number of tests (~0.5 s of CPU a run at 1,100 of them)."""
    name = re.sub(r"[\W]", "_", request.node.name)[:30]  # as pytest names it
    base = tmp_path_factory.getbasetemp()
    while True:
        path = base / f"{name}{next(_tmp_numbers)}"
        try:
            path.mkdir(mode=0o700)
        except FileExistsError:  # a name tmp_path_factory.mktemp gave out
            continue
        return path


_real_connect = socket.socket.connect


def _guarded_connect(self, address):
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and (host.startswith("127.") or host in ("localhost", "::1")):
        return _real_connect(self, address)
    if self.family == socket.AF_UNIX:
        return _real_connect(self, address)
    raise RuntimeError(f"tests must not use the network (tried {address!r})")


def _environment(home: Path) -> dict[str, str]:
    """The variables a test's process environment sets, for its home directory."""
    return {
        "TOKENCALC_HOME": str(home),
        "COLUMNS": "200",
        "NO_COLOR": "1",
        # tiktoken's downloader must never be reached; an empty cache dir makes any attempt
        # fail loudly.
        "TIKTOKEN_CACHE_DIR": str(home / "no-tiktoken-cache"),
        # Coding agents' default log places (tokencalc usage with no path) resolve under a fake
        # home.
        "HOME": str(home / "user-home"),
        "USERPROFILE": str(home / "user-home"),
    }


#: The variables a test's process environment never has: tokencalc's cache and debug switches,
#: the places of coding agents' logs, the vendors' keys and endpoints (--online must never find
#: a real one), and the switch that would stop the processes the tests start from keeping
#: their bytecode (see the note on bytecode at the top).
UNSET = (
    "TOKENCALC_CACHE_DIR", "TOKENCALC_DEBUG", *AGENT_ENV, *VENDOR_ENV, "PYTHONDONTWRITEBYTECODE",
)  # fmt: skip


@pytest.fixture(autouse=True)
def _isolated_environment(_homes: _Homes, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point config and caches at a temporary directory; never read the user's real ones; no
    network. (One fixture: each autouse fixture costs every test ~25 µs of pytest's own.)"""
    home = _homes.take()
    for name, value in _homes.environment(home).items():
        monkeypatch.setenv(name, value)
    for name in UNSET:
        if name in os.environ:
            monkeypatch.delenv(name)
    # no network but loopback (the tests' own stub servers)
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    yield home
    _homes.give_back(home)


# --- garbage collection: what earlier test modules left is frozen ----------------------------


@pytest.hookimpl(trylast=True)  # after the test's own tear-down
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    """After each test module, collect its garbage and freeze what is left (:func:`gc.freeze`):
    the modules, vocabularies and tables a run has loaded stay, and every full collection went
    through all of them again (~1 s of a run's CPU: a few hundred thousand objects, scanned by
    each of the collections the growing heap set off and by pytest's at the end). Reference
    counting frees what it freed before; only a cycle through a frozen object is never
    collected; a test's own garbage is collected as before."""
    if nextitem is None or nextitem.path != item.path:
        gc.collect()
        gc.freeze()


# --- the end of a run: no interpreter teardown ---------------------------------------------

#: The exit status of this pytest run, once pytest has it (see pytest_cmdline_main).
_exit_status: list[int] = []


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> Iterator[None]:
    status = yield
    _exit_status.append(int(status))  # type: ignore[call-overload]  # ExitCode or int
    return status


def _exit_without_teardown() -> None:
    """End a ``pytest`` (or ``python -m pytest``) process once its output is flushed and the
    other exit handlers have run, with pytest's exit status, without the interpreter's teardown:
    freeing the vocabularies, tables and modules a whole run has loaded cost ~1-1.5 s of CPU,
    and nothing of it is checked. Not when pytest runs inside another program (``pytest.main``),
    nor under coverage (it writes its data at exit), nor with TOKENCALC_TESTS_FULL_EXIT set (to
    see what the teardown would report: unclosed files, unraisable exceptions)."""
    if len(_exit_status) != 1 or os.environ.get("TOKENCALC_TESTS_FULL_EXIT"):
        return
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    program = spec.name if spec is not None else Path(sys.argv[0]).name
    if program not in ("pytest.__main__", "pytest", "py.test") or "coverage" in sys.modules:
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return  # Python's own exit deals with a closed or broken stream
    os._exit(_exit_status[0])


# Registered as the suite starts, so run after the exit handlers registered later (the
# multiprocessing module's, which ends leftover pool workers, among them).
atexit.register(_exit_without_teardown)


def _run_cli(
    *args: str, input: str | bytes | None = None, quick_paths: bool = True, **flags
) -> CliResult:
    """Invoke ``tokencalc ARGS`` in-process through the edge, ``run(argv, env)``."""
    return MockEnvironment(input, **flags).run(*args, quick_paths=quick_paths)


@pytest.fixture
def cli():
    """``cli("count", "-q", input="hello")`` → CliResult(exit_code, stdout, stderr); keyword
    flags (``stdin_isatty=True``, ``width=60``) shape the environment, see MockEnvironment."""
    return _run_cli


@pytest.fixture
def packaged_sheet(monkeypatch):
    """``packaged_sheet(text)``: a test sheet's TOML text stands in for the packaged pricing.toml."""
    import tokencalc.sheet.load as sheet_module

    def stand_in(text: str) -> None:
        monkeypatch.setattr(sheet_module, "_read_packaged", lambda: ("pricing.toml", text, None))

    return stand_in


# --- property tests: a share of their examples by default, all of them in the slow set --------

#: The default run tries an eighth of the examples written at each property test (at least
#: QUICK_FLOOR, never more than written); the slow set (``-m slow``, which CI runs) runs every
#: property test once more with the examples as written. (A quarter, at least 20, cost ~2.7 s
#: of the default run's CPU across the ~45 property tests; an eighth halves that.)
QUICK_SHARE = 8
QUICK_FLOOR = 10


def quick_examples(written: int) -> int:
    return min(written, max(QUICK_FLOOR, written // QUICK_SHARE))


def pytest_pycollect_makeitem(collector: pytest.Collector, name: str, obj: object) -> None:
    """A property test asks for ``_examples`` (which the default collection then builds); other
    tests do without it."""
    if is_hypothesis_test(obj):
        pytest.mark.usefixtures("_examples")(obj)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if is_hypothesis_test(metafunc.function):
        metafunc.parametrize(
            "_examples",
            ["quick", pytest.param("thorough", marks=pytest.mark.slow)],
            indirect=True,
        )


@pytest.fixture
def _examples(request: pytest.FixtureRequest) -> Iterator[None]:
    """A property test's example budget: ``quick`` lowers the written max_examples for this run
    (hypothesis's own pytest plugin adjusts a test's settings the same way); ``thorough``
    keeps it."""
    budget = request.param
    test = getattr(request.function, "__func__", request.function)
    written = getattr(test, "_hypothesis_internal_use_settings", None)
    assert isinstance(written, settings), "hypothesis keeps a test's settings elsewhere now"
    if budget == "quick":
        test._hypothesis_internal_use_settings = settings(
            written, max_examples=quick_examples(written.max_examples)
        )
    yield
    test._hypothesis_internal_use_settings = written
