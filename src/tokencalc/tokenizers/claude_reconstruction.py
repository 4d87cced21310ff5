"""Claude token counts reconstructed offline by the optional ``ctok`` package.

No Anthropic tokenizer for Claude 3 onwards is public. ``ctok`` (MIT, pure Python, Python ≥ 3.12,
installed with ``pip install 'tokencalc[claude]'``) rebuilds both generations' counts from
answers recorded from Anthropic's ``count_tokens`` endpoint, and reproduces every recorded
document it was checked on. Its counts include the fixed frame of a one-message request; this
module reports **content tokens**: the frame (the leading ``⟨pad⟩`` tokens of ``ctok.tokenize``)
is left out, as for every other count tokencalc makes.

It is slow next to tiktoken (roughly 0.1–0.4 MB of text a second, measured in
bench/bench_estimate.py), so inputs longer than :data:`MAX_CHARS`, and everything after
:data:`RUN_BUDGET` characters in one process, are estimated with the family's per-class table
instead; the row says which.
"""

from __future__ import annotations

import threading
from typing import Any

from tokencalc.tokenizers.tokenizer_families import RECONSTRUCTIONS

#: The longest input reconstructed (characters); longer ones use the per-class table.
MAX_CHARS = 200_000
#: Characters reconstructed per process per generation before falling back to per-class.
RUN_BUDGET = 1_000_000
_PAD = "⟨pad⟩"

_lock = threading.Lock()
_spent: dict[str, int] = {}
_module: Any = None
_missing = False


def _ctok() -> Any:
    global _module, _missing
    if _module is None and not _missing:
        try:
            import ctok  # type: ignore[import-not-found,unused-ignore]
        except ImportError:
            _missing = True
        else:
            _module = ctok
    return _module


def available() -> bool:
    """True when the optional ``ctok`` package can be imported."""
    return _ctok() is not None


def version() -> str | None:
    """The installed ctok version, for labels."""
    if not available():
        return None
    from importlib import metadata

    try:
        return metadata.version("ctok")
    except metadata.PackageNotFoundError:
        return None


def wants(generation: str, chars: int) -> bool:
    """Would an input of ``chars`` characters be reconstructed (ctok present, within limits)?"""
    if generation not in RECONSTRUCTIONS or chars > MAX_CHARS or not available():
        return False
    with _lock:
        return _spent.get(generation, 0) + chars <= RUN_BUDGET


def content_tokens(generation: str, text: str) -> int | None:
    """Reconstructed content tokens of ``text`` (None when ctok is missing or the budget is spent)."""
    if not wants(generation, len(text)):
        return None
    with _lock:
        _spent[generation] = _spent.get(generation, 0) + len(text)
    if not text:
        return 0
    tokens = _ctok().tokenize(text, RECONSTRUCTIONS[generation])
    frame = 0
    while frame < len(tokens) and tokens[frame] == _PAD:
        frame += 1
    return len(tokens) - frame


def reset_budget() -> None:
    """Forget the characters spent (for tests and long-lived API users)."""
    with _lock:
        _spent.clear()
