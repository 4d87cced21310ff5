"""When a Claude count is reconstructed, and when the per-class table stands in for it.

No Anthropic tokenizer for Claude 3 onwards is public. tokencalc reconstructs both generations'
counts offline (tokencalc.tokenizers.claude_stream, tokencalc.tokenizers.claude_tiling) over the vocabulary that ctok
1.3.0 (MIT, Sander Land) measured with Anthropic's ``count_tokens`` endpoint; on every document
recorded with it (UDHR in 501 languages, Rosetta Code, MultiPL-E, 2,514 documents, three model
generations) it gives the recorded count. Counts are **content tokens**: the fixed frame of a
one-message request is left out, as for every other count tokencalc makes.

It is pure Python, about 0.4–0.6 MB of never-seen text a second on one core and several MB/s on
repetitive text (bench/bench_estimate.py), so an input longer than :data:`MAX_CHARS` is
reconstructed on a sample of windows (:func:`sampled_tokens`, at most 128 Ki characters an
input; tokencalc.counting.sampling) and scaled by its o200k_base count. The reconstruction,
whole or sampled, spends a per-process budget of :data:`RUN_BUDGET` characters per generation;
past it, inputs are estimated with the family's per-class table instead. The row says which.
Asked for exact counts (``estimate --exact``), texts up to :data:`EXACT_MAX_CHARS` characters
are reconstructed whole and no budget applies.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from tokencalc.counting.sampling import SampledCount, TextSample, ratio_estimate
from tokencalc.tokenizers.tokenizer_families import RECONSTRUCTIONS

# tokencalc.tokenizers.claude_tiling, the reconstruction itself, is imported where it runs:
# model_counts imports this module for every ``estimate`` and ``count --model``, and the
# reconstruction's own imports (the ``regex`` module, its tables' readers) cost ~30 ms of
# start-up that a command without a Claude row does not need.

#: The longest input reconstructed whole (characters); longer ones are reconstructed on a sample.
MAX_CHARS = 200_000
#: Characters reconstructed per process per generation before falling back to per-class.
RUN_BUDGET = 1_000_000
#: The longest input reconstructed whole when exact counts are asked for (kept in memory: a
#: longer one is reconstructed on a sample); ~20 s of reconstruction at 0.5 MB/s.
EXACT_MAX_CHARS = 10_000_000
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


def content_tokens(generation: str, text: str, *, whole: bool = False) -> int | None:
    """Reconstructed content tokens of ``text`` (None when off limits: too long, budget spent).

    ``whole``: exact counts were asked for; no limit but :data:`EXACT_MAX_CHARS` applies."""
    if whole:
        if not enabled or generation not in RECONSTRUCTIONS or len(text) > EXACT_MAX_CHARS:
            return None
    elif not _spend(generation, len(text), MAX_CHARS):
        return None
    from tokencalc.tokenizers import claude_tiling  # start-up: see the imports

    return claude_tiling.content_tokens(generation, text)


def sampled_tokens(
    generation: str,
    sample: TextSample,
    *,
    whole: bool = False,
    auxiliary: tuple[Sequence[int], int] | None = None,
) -> SampledCount | None:
    """Content tokens of a long text reconstructed on its windows: ``A × ΣC_w / ΣA_w``, where
    ``A`` is the text's o200k_base count, or ``auxiliary``: (each window's, the whole text's)
    per-class estimate, which follows the text's mix of scripts and so varies less against the
    reconstruction. None when the budget is spent (``whole``: no budget)."""
    spent = sample.sampled_chars
    if not enabled or generation not in RECONSTRUCTIONS:
        return None
    if not whole and not _spend(generation, spent, spent):
        return None
    from tokencalc.tokenizers import claude_tiling  # start-up: see the imports

    rebuilt = [claude_tiling.window_tokens(generation, w) for w, _ in sample.windows]
    if auxiliary is not None:
        per_window, total = auxiliary
        return ratio_estimate(
            total, list(zip(rebuilt, per_window, strict=True)), spent, sample.chars
        )
    pairs = [(c, o) for c, (_, o) in zip(rebuilt, sample.windows, strict=True)]
    return ratio_estimate(sample.reference_tokens, pairs, spent, sample.chars)


def _spend(generation: str, chars: int, longest: int) -> bool:
    """Take ``chars`` from the run budget, if they fit it and ``longest``."""
    if not enabled or generation not in RECONSTRUCTIONS or chars > longest:
        return False
    with _lock:
        spent = _spent.get(generation, 0) + chars
        if spent > RUN_BUDGET:
            return False
        _spent[generation] = spent
        return True


def reset_budget() -> None:
    """Forget the characters spent (for tests and long-lived API users)."""
    with _lock:
        _spent.clear()
