"""When a Claude count is reconstructed, and when the per-class table stands in for it.

No Anthropic tokenizer for Claude 3 onwards is public. tokencalc reconstructs both generations'
counts offline (tokencalc.tokenizers.claude_stream, tokencalc.tokenizers.claude_tiling) over the vocabulary that ctok
1.3.0 (MIT, Sander Land) measured with Anthropic's ``count_tokens`` endpoint; on every document
recorded with it (UDHR in 501 languages, Rosetta Code, MultiPL-E, 2,514 documents, three model
generations) it gives the recorded count. Counts are **content tokens**: the fixed frame of a
one-message request is left out, as for every other count tokencalc makes.

It is pure Python, about 0.4–0.6 MB of never-seen text a second on one core and several MB/s on
repetitive text (bench/bench_estimate.py), so inputs longer than :data:`MAX_CHARS`, and
everything after :data:`RUN_BUDGET` characters in one process, are estimated with the family's
per-class table instead; the row says which.
"""

from __future__ import annotations

import threading

from tokencalc.tokenizers import claude_tiling
from tokencalc.tokenizers.tokenizer_families import RECONSTRUCTIONS

#: The longest input reconstructed (characters); longer ones use the per-class table.
MAX_CHARS = 200_000
#: Characters reconstructed per process per generation before falling back to per-class.
RUN_BUDGET = 1_000_000
#: The ctok release whose vocabulary is shipped (tokencalc/data/NOTICE), for labels.
VOCABULARY_VERSION = "1.3.0"
#: False turns reconstruction off (tests of the per-class fallback).
enabled = True

_lock = threading.Lock()
_spent: dict[str, int] = {}


def available() -> bool:
    """True: the reconstruction ships with tokencalc (kept for callers of the optional-ctok days)."""
    return enabled


def version() -> str:
    """The ctok release whose vocabulary the reconstruction uses, for labels."""
    return VOCABULARY_VERSION


def wants(generation: str, chars: int) -> bool:
    """Would an input of ``chars`` characters be reconstructed (within the limits)?"""
    if not enabled or generation not in RECONSTRUCTIONS or chars > MAX_CHARS:
        return False
    with _lock:
        return _spent.get(generation, 0) + chars <= RUN_BUDGET


def content_tokens(generation: str, text: str) -> int | None:
    """Reconstructed content tokens of ``text`` (None when off limits: too long, budget spent)."""
    if not wants(generation, len(text)):
        return None
    with _lock:
        _spent[generation] = _spent.get(generation, 0) + len(text)
    return claude_tiling.content_tokens(generation, text)


def reset_budget() -> None:
    """Forget the characters spent (for tests and long-lived API users)."""
    with _lock:
        _spent.clear()
