"""Exact counts with a tokenizer file of the user's own (``tokenizer_file`` in the price sheet).

A Hugging Face ``tokenizer.json`` (for example Gemma's, which tokencalc may not ship) is loaded
with the optional ``tokenizers`` package (``pip install 'tokencalc[tokenizers]'``), once per
process, and counts text without special tokens — content tokens, like every other count.
"""

from __future__ import annotations

import functools
import threading
from pathlib import Path
from typing import Any

from tokencalc.errors import TokencalcError

#: Longest input counted with a user tokenizer (characters); longer ones use the family's estimate.
MAX_CHARS = 16_000_000
_lock = threading.Lock()


@functools.lru_cache(maxsize=8)
def _load(path: str) -> Any:
    try:
        from tokenizers import Tokenizer  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        raise TokencalcError(
            f"tokenizer_file {path}: the tokenizers package is not installed (pip install 'tokencalc[tokenizers]')"
        ) from None
    file = Path(path).expanduser()
    if not file.is_file():
        raise TokencalcError(f"tokenizer_file {path}: no such file")
    try:
        return Tokenizer.from_file(str(file))
    except Exception as exc:  # noqa: BLE001 - tokenizers raises its own Exception type for a bad file
        raise TokencalcError(
            f"tokenizer_file {path}: not a tokenizer.json that tokenizers can load ({type(exc).__name__})"
        ) from None


def count(path: str, text: str) -> int:
    """Tokens of ``text`` with the tokenizer in ``path`` (raises TokencalcError)."""
    tokenizer = _load(path)
    with _lock:
        return len(tokenizer.encode(text, add_special_tokens=False).ids)


def label(path: str) -> str:
    return Path(path).name
