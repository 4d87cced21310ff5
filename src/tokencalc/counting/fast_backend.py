"""Optional fast exact tokenizers (the ``tokencalc[fast]`` extra), used only where proven exact.

tiktoken stays the required tokenizer and the reference. When one of the backends below is
installed, in a version listed as verified, it counts the encodings it was verified on, for
text whose characters tiktoken and the backend surely classify alike (the caller checks that
with ``unicode_guard.backend_agrees_on`` or screens the bytes with ``unicode_guard.Utf8Screen``:
the backends use Unicode 17 tables, tiktoken 0.14 Unicode 16). Everything else goes to tiktoken.

Verification (tests/test_fast_backend.py, in CI for every installed backend and encoding):
differential property tests against tiktoken, a sweep of every code point, the backend's
vocabulary equal to the shipped, hash-checked rank file, and counts from many threads at once.

At first use per process and encoding, a backend counts a few short texts whose tiktoken
counts are stored below (texts that tripped inexact tokenizers). Any difference, or a backend
that is installed but fails to load, or an unverified version, disables it for the process
with one :class:`FastBackendWarning`, and counting goes on with tiktoken.

``TOKENCALC_BACKEND`` chooses: ``auto`` (default: the first verified backend installed),
``tiktoken`` (never a fast backend), or a backend name (``toktok``, ``quicktok``).
"""

from __future__ import annotations

import importlib
import os
import sys
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

#: Counts the tokens of one text as ordinary text (special-token strings are characters).
CountFunction = Callable[[str], int]

ENV_VARIABLE = "TOKENCALC_BACKEND"


class FastBackendWarning(RuntimeWarning):
    """A fast backend is installed but will not be used (counting goes on with tiktoken)."""


#: Set by the command line (tokencalc.cli.views.inputs_view.count_paths): its process is
#: tokencalc's own, so glibc's allocator may be tuned before a vocabulary build
#: (:func:`roomier_heap`). A library must not change its host process's allocator: the Python
#: API leaves this off.
tune_allocator = False
#: glibc's ``mallopt`` parameter and the value :func:`roomier_heap` gives it.
M_TOP_PAD = -2
TOP_PAD = 64 << 20
_heap_tuned = False


def roomier_heap() -> bool:
    """Ask glibc to grow the heap 64 MiB at a time (``M_TOP_PAD``); whether it was asked.

    toktok-rs builds o200k_base's vocabulary from ~200,000 small allocations and a few big
    tables. With glibc's defaults the build touches about twice the memory it keeps: ~33,000
    page faults, ~0.05 s of system time of its ~0.3 s. With the heap grown 64 MiB at a time
    (32 MiB is not enough), 15,700 faults and 20-45 ms less CPU for the build (medians of 10
    fresh processes, loaded machine), for ~4 MB more peak RSS; tiktoken's build does not gain,
    so only the fast backend's load asks. Only when :data:`tune_allocator` is set, on glibc,
    once per process; any failure is ignored (it changes speed, never a count).
    """
    global _heap_tuned
    if _heap_tuned or not tune_allocator or not sys.platform.startswith("linux"):
        return False
    _heap_tuned = True
    try:
        if not (os.confstr("CS_GNU_LIBC_VERSION") or "").startswith("glibc"):
            return False
        import ctypes  # start-up: ~2 ms, paid only before a ~0.3 s vocabulary build

        ctypes.CDLL(None).mallopt(M_TOP_PAD, TOP_PAD)
    except Exception:  # noqa: BLE001 - a speed hint: no ctypes, no confstr name, no mallopt…
        return False
    return True


def _load_toktok(module: ModuleType, encoding: str) -> CountFunction:
    # ``batch_count`` is the package's public call, but it costs ~25 µs per call even for one
    # short text; ``_encoding`` returns the tokenizer whose ``count`` takes a str (0.2 µs).
    # The version is pinned, and the tests use exactly this call.
    roomier_heap()
    count: CountFunction = module._encoding(encoding).count
    return count


def _load_quicktok(module: ModuleType, encoding: str) -> CountFunction:
    count: CountFunction = module.get_encoding(encoding).count
    return count


@dataclass(frozen=True)
class Backend:
    """One fast tokenizer package and what tokencalc verified about it."""

    name: str
    distribution: str  # the PyPI name
    module: str  # the import name
    verified_versions: tuple[str, ...]
    encodings: tuple[str, ...]  # canonical encoding names verified exact
    load: Callable[[ModuleType, str], CountFunction]


#: In order of preference. toktok-rs has wheels for CPython 3.11+ only; quicktok-v1 for 3.9+
#: (and needs numpy installed, though tokencalc never imports it).
BACKENDS: tuple[Backend, ...] = (
    Backend(
        "toktok", "toktok-rs", "toktok", ("0.3.0",), ("o200k_base", "cl100k_base"), _load_toktok
    ),
    Backend(
        "quicktok",
        "quicktok-v1",
        "quicktok",
        ("0.4.0",),
        ("o200k_base", "cl100k_base"),
        _load_quicktok,
    ),
)

#: Short texts and their tiktoken 0.14 counts per encoding (tests check them against tiktoken).
SELF_CHECK_TEXTS: tuple[str, ...] = (
    "Hello, world! It's 2026: the caf\u00e9's d\u00e9j\u00e0-vu costs $12,345.67.\r\n",
    "\n \n",
    ")\n/",
    "-" * 499 + "\n",
    "\u180e'a",
    "hell",
    "<|endoftext|>",
    (
        "\u4e2d\u6587\u548cEnglish\u6df7\u5408\uff0c\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8\u3002"
        "\ud55c\uad6d\uc5b4 \U0001f600\U0001f469\u200d\U0001f4bb"
    ),
    "    def f(x):\n\t\treturn x  # ok\n\n\n",
    "I'LL DON'T 'S 12345678 \u0661\u0662\u0663 \u2167",
    "   \n\t  ",
    "a" * 1000,
)
SELF_CHECK_COUNTS: dict[str, tuple[int, ...]] = {
    "o200k_base": (23, 1, 1, 8, 5, 1, 7, 20, 12, 17, 2, 125),
    "cl100k_base": (24, 1, 2, 9, 5, 1, 7, 29, 12, 21, 2, 125),
}

_lock = threading.Lock()
_counters: dict[str, tuple[str, CountFunction] | None] = {}  # encoding -> (backend, count)
_disabled: set[str] = set()  # backends that failed once: not tried again in this process
_modules: dict[str, ModuleType | None] = {}


def _warn(message: str) -> None:
    warnings.warn(f"{message}; counting with tiktoken instead", FastBackendWarning, stacklevel=4)


def _candidates() -> list[Backend]:
    choice = os.environ.get(ENV_VARIABLE, "auto").strip().lower() or "auto"
    if choice == "auto":
        return list(BACKENDS)
    if choice == "tiktoken":
        return []
    chosen = [backend for backend in BACKENDS if backend.name == choice]
    if not chosen:
        known = ", ".join(["auto", "tiktoken", *(b.name for b in BACKENDS)])
        _warn(f"{ENV_VARIABLE}={choice!r} is not a known backend (known: {known})")
    return chosen


def _import(backend: Backend) -> ModuleType | None:
    """The backend's module, or None when it is not installed (or not usable: warned once)."""
    if backend.name in _modules:
        return _modules[backend.name]
    module: ModuleType | None = None
    try:
        module = importlib.import_module(backend.module)
    except ImportError as exc:
        if exc.name != backend.module:  # installed, but something it needs is broken
            _warn(f"{backend.distribution} is installed but cannot be imported ({exc})")
            _disabled.add(backend.name)
    except Exception as exc:  # noqa: BLE001 - a broken extension module can raise anything on import
        _warn(
            f"{backend.distribution} is installed but cannot be imported ({type(exc).__name__}: {exc})"
        )
        _disabled.add(backend.name)
    if module is not None:
        version = str(getattr(module, "__version__", "unknown"))
        if version not in backend.verified_versions:
            verified = ", ".join(backend.verified_versions)
            _warn(
                f"{backend.distribution} {version} is installed; tokencalc verified only {verified} "
                f"(pip install 'tokencalc[fast]' installs it)"
            )
            _disabled.add(backend.name)
            module = None
    _modules[backend.name] = module
    return module


def self_check_failure(count: CountFunction, encoding: str) -> str | None:
    """What is wrong with ``count`` on the stored texts for ``encoding``, or None."""
    for text, expected in zip(SELF_CHECK_TEXTS, SELF_CHECK_COUNTS[encoding], strict=True):
        got = count(text)
        if got != expected:
            return f"counts {got} tokens where tiktoken counts {expected} in {text[:20]!r}"
    return None


def _load(backend: Backend, module: ModuleType, encoding: str) -> CountFunction | None:
    try:
        count = backend.load(module, encoding)
        problem = self_check_failure(count, encoding)
    except Exception as exc:  # noqa: BLE001 - any failure disables the backend; tiktoken counts
        problem = f"failed to load ({type(exc).__name__}: {exc})"
    if problem is None:
        return count
    _warn(f"fast backend {backend.name} ({encoding}) {problem}")
    _disabled.add(backend.name)
    return None


def counter_for(encoding: str) -> CountFunction | None:
    """The fast exact counter of a canonical encoding, or None (count with tiktoken then).

    The first call per encoding imports, loads and self-checks the backend (a few tenths of
    a second for the vocabulary); later calls are a dictionary look-up.
    """
    found = _chosen(encoding)
    return None if found is None else found[1]


def active_backend(encoding: str) -> str:
    """The name of what counts ``encoding`` in this process (``tiktoken`` without a backend)."""
    found = _chosen(encoding)
    return "tiktoken" if found is None else found[0]


def _chosen(encoding: str) -> tuple[str, CountFunction] | None:
    try:
        return _counters[encoding]
    except KeyError:
        pass
    with _lock:
        if encoding not in _counters:
            _counters[encoding] = _first_working(encoding)
        return _counters[encoding]


def _first_working(encoding: str) -> tuple[str, CountFunction] | None:
    if encoding not in SELF_CHECK_COUNTS:
        return None
    for backend in _candidates():
        if backend.name in _disabled or encoding not in backend.encodings:
            continue
        module = _import(backend)
        if module is None:
            continue
        count = _load(backend, module, encoding)
        if count is not None:
            return backend.name, count
    return None


#: Encodes one text as ordinary text into its token ids, a little-endian uint32 buffer.
IdsFunction = Callable[[str], bytes]
_id_encoders: dict[str, IdsFunction | None] = {}


def _toktok_ids(module: ModuleType, encoding: str) -> IdsFunction:
    # ``encode_to_buffer`` builds no Python int per token (the cost that dominates big inputs);
    # ``disallowed_special=()`` makes special-token strings ordinary text, as encode_ordinary.
    tokenizer = module._encoding(encoding)

    def ids(text: str) -> bytes:
        return bytes(tokenizer.encode_to_buffer(text, disallowed_special=()))

    return ids


def ids_for(encoding: str) -> IdsFunction | None:
    """The fast exact token-id encoder of a canonical encoding, or None (encode with tiktoken).

    Only toktok offers one, and only where it is the chosen counter of ``encoding``; its ids
    must give the stored count of every self-check text. tests/test_fast_backend.py checks the
    ids against tiktoken's.
    """
    try:
        return _id_encoders[encoding]
    except KeyError:
        pass
    found = _chosen(encoding)
    encoder: IdsFunction | None = None
    if found is not None and found[0] == "toktok" and sys.byteorder == "little":
        module = _modules.get("toktok")
        try:
            candidate = _toktok_ids(module, encoding) if module is not None else None
            if candidate is not None and all(
                len(candidate(text)) == 4 * expected
                for text, expected in zip(
                    SELF_CHECK_TEXTS, SELF_CHECK_COUNTS[encoding], strict=True
                )
            ):
                encoder = candidate
            elif candidate is not None:
                _warn(f"fast backend toktok ({encoding}) encodes ids that disagree with its count")
        except Exception as exc:  # noqa: BLE001 - any failure: tiktoken encodes the ids
            _warn(
                f"fast backend toktok ({encoding}) cannot encode ids ({type(exc).__name__}: {exc})"
            )
    with _lock:
        _id_encoders[encoding] = encoder
    return encoder


def reset() -> None:
    """Forget loaded backends and failures (tests; a changed ``TOKENCALC_BACKEND``)."""
    with _lock:
        _counters.clear()
        _id_encoders.clear()
        _disabled.clear()
        _modules.clear()
