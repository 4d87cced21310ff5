"""Byte-pair encoding in pure Python, for inputs too small to repay building tiktoken's tokenizer.

Building the Rust tokenizer for o200k_base costs a few tenths of a second; ``echo hello`` needs
a handful of look-ups. This module splits text with the encoding's own pattern (the ``regex``
module understands tiktoken's syntax) and merges each piece exactly as tiktoken's
``_byte_pair_merge`` does: repeatedly merge the adjacent pair whose bytes have the lowest rank,
the leftmost one on a tie. tests/test_bpe.py checks the result against tiktoken on random text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import regex


class RankLookup(Protocol):
    def get(self, token: bytes, /) -> int | None: ...


_NO_MERGE = 1 << 62


def count_piece(piece: bytes, ranks: RankLookup) -> int:
    """Tokens in one pre-tokenized piece."""
    if len(piece) <= 1 or ranks.get(piece) is not None:
        return 1 if piece else 0
    # bounds[i] is where part i starts; pair_ranks[i] is the rank of parts i and i+1 joined.
    bounds = list(range(len(piece) + 1))
    get = ranks.get
    pair_ranks = [_rank_or_none(get(piece[i : i + 2])) for i in range(len(piece) - 1)]
    while pair_ranks:
        best = min(pair_ranks)
        if best == _NO_MERGE:
            break
        i = pair_ranks.index(best)  # leftmost on a tie, as tiktoken does
        del bounds[i + 1]
        del pair_ranks[i]
        if i < len(pair_ranks):
            pair_ranks[i] = _rank_or_none(get(piece[bounds[i] : bounds[i + 2]]))
        if i > 0:
            pair_ranks[i - 1] = _rank_or_none(get(piece[bounds[i - 1] : bounds[i + 1]]))
    return len(bounds) - 1


def _rank_or_none(rank: int | None) -> int:
    return _NO_MERGE if rank is None else rank


def count_text(text: str, ranks: RankLookup, pattern: regex.Pattern[str]) -> int:
    """Tokens in ``text`` as ordinary text (special-token strings count as their characters)."""
    total = 0
    for match in pattern.finditer(text):
        total += count_piece(match.group().encode("utf-8"), ranks)
    return total
