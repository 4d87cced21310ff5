"""Where a text may be cut so that counting the parts gives exactly the count of the whole.

tiktoken splits text with a regular expression before byte-pair encoding, and that expression
looks ahead (``\\s+(?!\\S)``) and runs greedily over classes of characters, so most cuts change
the count. Two kinds of cut cannot, for both ``o200k_base`` and ``cl100k_base``:

* just after a ``\\n`` whose next character is neither whitespace nor ``/`` (found by
  experiment on large corpora, product notes §3);
* just after a letter (``\\p{L}``) whose next character is not a letter, a combining mark, an
  apostrophe or unassigned, both being characters tiktoken's older Unicode tables know: no alternative of either pattern that matches a letter can go on
  past such a character, none looks behind, and a piece that ends there ends the same way at
  the end of a string — so the pieces of the two parts are the pieces of the whole.

The second kind keeps memory bounded on long lines (minified files, Chinese prose without line
breaks).

The vendors' encodings (``tokencalc.counting.encodings``) keep both kinds, re-derived for their patterns:
Tekken's is o200k's with single digits and no contractions; Qwen's and DeepSeek's letter
alternatives stop at a non-letter as cl100k's do (Qwen 3.5/3.6 and DeepSeek also take marks,
which a letter cut never precedes). DeepSeek's first two splits isolate digit runs and runs of
one CJK block; a newline or digit never lies inside such a run, but the block holds non-letters
(``゠``, ``・``, ``゛``), so for DeepSeek a letter cut may not precede a character of that block
(``EncodingSpec.letter_cut_excludes``). Qwen's encodings normalise text to NFC first: normalising
the parts equals normalising the whole when the character after the cut is neither a combining
mark nor a character that composes with the one before it; every second character of a
canonical composition is a mark or a Hangul vowel or final (a letter), so both kinds of cut are
safe there too (a newline is a starter that composes with nothing). tests/test_chunking.py checks both against whole-text counts with property tests.
Character classes come from the ``regex`` module; a letter cut is only taken where both
characters are ones that tiktoken's (older) Unicode tables classify the same way
(``encodings.tables_agree_on``): a character new in Unicode 17 is a letter to ``regex`` but
unassigned, so punctuation, to tiktoken 0.14.
"""

from __future__ import annotations

import functools
from typing import Any

from tokencalc.counting.encodings import tables_agree_on

_CUT_PATTERN = r"(?<=\n)(?=[^\s/])|(?<=\p{{L}})(?=[^\p{{L}}\p{{M}}\p{{Cn}}'{excludes}])"


@functools.cache
def _patterns(excludes: str = "") -> tuple[Any, Any]:
    import regex

    pattern = _CUT_PATTERN.format(excludes=excludes)
    return regex.compile(pattern), regex.compile("(?r)" + pattern)


def _confirmed(text: str, q: int) -> bool:
    # A newline cut depends only on whitespace, which every Unicode version agrees on.
    return text[q - 1] == "\n" or tables_agree_on(text[q - 1 : q + 1])


def last_safe_cut(text: str, lo: int = 0, hi: int | None = None, excludes: str = "") -> int:
    """The largest safe cut ``q`` with ``lo < q < hi`` (default: the text's length), or -1.

    Cutting at ``q`` means counting ``text[:q]`` and ``text[q:]`` separately. ``excludes`` names
    characters a letter cut may not precede (``encodings.letter_cut_excludes``).
    """
    end = len(text) if hi is None else min(hi, len(text))
    # A cut needs the character after it, which a lookahead cannot see past ``end``.
    for match in _patterns(excludes)[1].finditer(text, lo + 1, end):
        q: int = match.start()
        if _confirmed(text, q):
            return q
    return -1


def first_safe_cut(text: str, lo: int = 0, excludes: str = "") -> int:
    """The smallest safe cut ``q`` with ``lo < q < len(text)``, or -1."""
    for match in _patterns(excludes)[0].finditer(text, lo + 1):
        q: int = match.start()
        if _confirmed(text, q):
            return q
    return -1


def safe_cuts(text: str, excludes: str = "") -> list[int]:
    """Every safe cut of ``text`` (for tests and documentation)."""
    return [
        m.start()
        for m in _patterns(excludes)[0].finditer(text)
        if 0 < m.start() < len(text) and _confirmed(text, m.start())
    ]
