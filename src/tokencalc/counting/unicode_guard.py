"""Finding, at native speed, characters that tiktoken and other tokenizers may classify differently.

tiktoken 0.14 classifies characters with Unicode 16 tables; the ``regex`` module (the
pure-Python tokenizer, the chunker) and the fast backends (``tokencalc.counting.fast_backend``) use
Unicode 17. A character assigned only in the newer version may be a letter to one and
unassigned, so punctuation, to the other, which changes how text is split into pieces; a lone
surrogate cannot be encoded at all. Texts holding either are counted by tiktoken itself.

"Surely alike" means assigned in a table no newer than tiktoken's: Python's own
``unicodedata`` when it is not newer (Python 3.10 to 3.14 carry Unicode 13 to 16), else
Unicode 3.2, which every table includes. Characters outside it are *suspect*.

The check is two passes of the standard ``re`` engine over the text, both in C:

* one compiled character class of every suspect code point in the Basic Multilingual Plane
  plus the whole range above it (``re`` tests a BMP class as a bitmap, and one range is one
  comparison), which finds nothing in almost all text;
* only when it finds something above the BMP (emoji, rare CJK), the distinct characters
  there are collected with a second pattern and looked up one by one.

A Python loop over ``set(text)`` did the same at a fraction of the speed (it cost more than
counting with a fast backend). tests/test_unicode_guard.py checks every code point against
the plain definition.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from types import ModuleType
from typing import Protocol

#: The Unicode version of the character tables in tiktoken's regex engine (tiktoken 0.14: 16.0).
#: tests/test_encodings.py checks that the installed tiktoken knows at least this much.
TIKTOKEN_UNICODE = (16, 0, 0)

_SUSPECT_CATEGORIES = ("Cn", "Cs")  # unassigned, surrogate
_ASTRAL = "\U00010000-\U0010ffff"


class _Categories(Protocol):
    def category(self, ch: str, /) -> str: ...


def shared_table() -> _Categories | ModuleType:
    """The character table whose assigned characters tiktoken and ``regex`` both know."""
    version = tuple(int(part) for part in unicodedata.unidata_version.split("."))
    return unicodedata if version <= TIKTOKEN_UNICODE else unicodedata.ucd_3_2_0


def is_suspect(ch: str) -> bool:
    """Whether one character is unassigned or a surrogate in the shared table (the definition)."""
    return shared_table().category(ch) in _SUSPECT_CATEGORIES


@functools.cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """(suspect BMP character or any astral one, suspect BMP character, astral character).

    Building them reads the category of the 65,536 BMP code points (about 10 ms, once per
    process, and only for text that is not ASCII).
    """
    category = shared_table().category
    codes = "".join(map(category, map(chr, range(0x10000))))
    # Categories are two letters, upper case then lower case, so "Cn"/"Cs" can only match at
    # even offsets: each match is a run of suspect code points.
    ranges = [
        (match.start() // 2, match.end() // 2 - 1)
        for match in re.finditer("(?:{})+".format("|".join(_SUSPECT_CATEGORIES)), codes)
    ]
    members = "".join(
        f"\\u{low:04x}" if low == high else f"\\u{low:04x}-\\u{high:04x}" for low, high in ranges
    )
    return (
        re.compile(f"[{members}{_ASTRAL}]"),
        re.compile(f"[{members}]"),
        re.compile(f"[{_ASTRAL}]"),
    )


def tables_agree_on(text: str) -> bool:
    """Whether tiktoken and the ``regex`` module surely see every character of ``text`` alike."""
    if text.isascii():
        return True
    either, bmp, astral = _patterns()
    found = either.search(text)
    if found is None:
        return True
    start = found.start()
    if bmp.search(text, start) is not None:
        return False
    # Only characters above the BMP are left to look at: few, and fewer distinct ones.
    category = shared_table().category
    return all(category(ch) not in _SUSPECT_CATEGORIES for ch in set(astral.findall(text, start)))
