"""Finding, at native speed, characters that tiktoken and other tokenizers may classify differently.

tiktoken 0.14 classifies characters with Unicode 16 tables; the ``regex`` module (the
pure-Python tokenizer, the chunker) and the fast backends (``tokencalc.counting.fast_backend``) use
Unicode 17. A character assigned only in the newer version may be a letter to one and
unassigned, so punctuation, to the other, which changes how text is split into pieces; a lone
surrogate cannot be encoded at all. Texts holding either are counted by tiktoken itself.

Two guards, for two kinds of consumer:

* :func:`tables_agree_on`, for the ``regex`` module (whose Unicode version moves with its
  releases): "surely alike" means assigned in a table no newer than tiktoken's: Python's own
  ``unicodedata`` when it is not newer (Python 3.10 to 3.14 carry Unicode 13 to 16), else
  Unicode 3.2, which every table includes. Characters outside it are *suspect*.
* :func:`backend_agrees_on` and :func:`utf8_holds_newer`, for the fast backends (pinned
  versions, Unicode 17 tables): the only characters the two can classify differently are those
  whose category differs between Unicode 16.0 and a later version, listed exactly in
  :data:`NEWER_THAN_TIKTOKEN` (the additions of Unicode 17.0 and 18.0 and U+0295, a letter
  whose category changed), plus lone surrogates. Unassigned code points are unassigned to both.

The first is two passes of the standard ``re`` engine over the text, both in C:

* one compiled character class of every suspect code point in the Basic Multilingual Plane
  plus the whole range above it (``re`` tests a BMP class as a bitmap, and one range is one
  comparison), which finds nothing in almost all text;
* only when it finds something above the BMP (emoji, rare CJK), the distinct characters
  there are collected with a second pattern and looked up one by one.

The second works on UTF-8 bytes, where every listed character begins with one of ten lead
bytes: ``bytes.__contains__`` (``memchr``) rules a lead byte out at memory speed, and only a
lead byte that occurs is searched for with a pattern of exactly its listed characters' byte
sequences (a literal first byte: ``re`` skips to it with a C loop). On typical text that is
~0.1 ms per MB where the first guard costs ~3 ms, so counting a file screens every block as it
is read (``tokencalc.counting.counter``) and the workers count screened parts without a check.

A Python loop over ``set(text)`` did the same at a fraction of the speed (it cost more than
counting with a fast backend). tests/test_unicode_guard.py checks every code point against
the plain definitions, and tests/test_fast_backend.py every code point the backend guard lets
through against tiktoken.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # a Protocol class costs ~1 ms to create at import
    from types import ModuleType
    from typing import Protocol

    class _Categories(Protocol):
        def category(self, ch: str, /) -> str: ...


#: The Unicode version of the character tables in tiktoken's regex engine (tiktoken 0.14: 16.0).
#: tests/test_encodings.py checks that the installed tiktoken knows at least this much.
TIKTOKEN_UNICODE = (16, 0, 0)

#: Code points whose General_Category is not the same in Unicode 16.0, 17.0 and 18.0 (17,811:
#: the characters assigned in 17.0 or 18.0, and U+0295, Ll in 16.0 and Lo since). Derived by
#: tools/unicode_changes.py from unicodedataplus 16.0.0.post1 and unicodedata2 17.0.0 and 18.0.0
#: (the Unicode Character Database of each version). Covering 18.0 too keeps the fast backends
#: exact if tiktoken moves to 17 or 18 tables (or a backend to 18).
NEWER_THAN_TIKTOKEN: tuple[tuple[int, int], ...] = (
    (0x00295, 0x00295),
    (0x00558, 0x00558),
    (0x0058B, 0x0058C),
    (0x005C8, 0x005C9),
    (0x0088F, 0x0088F),
    (0x00B53, 0x00B54),
    (0x00C5C, 0x00C5C),
    (0x00CDC, 0x00CDC),
    (0x01ACF, 0x01AF0),
    (0x0208F, 0x0208F),
    (0x0209D, 0x0209F),
    (0x020C1, 0x020C4),
    (0x02B96, 0x02B96),
    (0x02E60, 0x02E63),
    (0x0A7CE, 0x0A7CF),
    (0x0A7D2, 0x0A7D2),
    (0x0A7D4, 0x0A7D4),
    (0x0A7DD, 0x0A7DD),
    (0x0A7E2, 0x0A7E2),
    (0x0A7F1, 0x0A7F1),
    (0x0AB6C, 0x0AB6D),
    (0x0FBC3, 0x0FBD2),
    (0x0FD90, 0x0FD91),
    (0x0FDC8, 0x0FDCE),
    (0x107BB, 0x107BF),
    (0x10940, 0x10959),
    (0x10EC5, 0x10EC7),
    (0x10EC9, 0x10EEE),
    (0x10EF0, 0x10EFB),
    (0x11B0A, 0x11B0A),
    (0x11B60, 0x11B67),
    (0x11DB0, 0x11DDB),
    (0x11DE0, 0x11DE9),
    (0x11DF0, 0x11DF1),
    (0x1246F, 0x1246F),
    (0x12475, 0x1247F),
    (0x12550, 0x12686),
    (0x16EA0, 0x16EB8),
    (0x16EBB, 0x16ED3),
    (0x16FF2, 0x16FF6),
    (0x187F8, 0x187FF),
    (0x18CD6, 0x18CDA),
    (0x18D09, 0x18D20),
    (0x18D80, 0x18DF2),
    (0x18E00, 0x19191),
    (0x191A0, 0x191D2),
    (0x1B123, 0x1B128),
    (0x1B168, 0x1B168),
    (0x1CCFA, 0x1CCFC),
    (0x1CEBA, 0x1CED0),
    (0x1CED2, 0x1CED4),
    (0x1CEDD, 0x1CEFD),
    (0x1D127, 0x1D128),
    (0x1D1EB, 0x1D1FF),
    (0x1D250, 0x1D281),
    (0x1D6A6, 0x1D6A6),
    (0x1DB00, 0x1DB1C),
    (0x1DF1F, 0x1DF24),
    (0x1DF2B, 0x1DF81),
    (0x1DF90, 0x1DF96),
    (0x1DFCD, 0x1DFFF),
    (0x1E6C0, 0x1E6DE),
    (0x1E6E0, 0x1E6F5),
    (0x1E6FE, 0x1E6FF),
    (0x1F1AE, 0x1F1AE),
    (0x1F6D8, 0x1F6D9),
    (0x1F777, 0x1F77A),
    (0x1F7DA, 0x1F7DB),
    (0x1F7F1, 0x1F7FF),
    (0x1F8D0, 0x1F8D8),
    (0x1FA54, 0x1FA57),
    (0x1FA8A, 0x1FA8E),
    (0x1FAC8, 0x1FAC8),
    (0x1FACC, 0x1FACD),
    (0x1FADD, 0x1FADD),
    (0x1FAEA, 0x1FAEB),
    (0x1FAEF, 0x1FAEF),
    (0x1FAF9, 0x1FAFA),
    (0x1FBFA, 0x1FBFA),
    (0x2B73A, 0x2B73F),
    (0x2B81E, 0x2B81E),
    (0x2CEA2, 0x2CEAD),
    (0x323B0, 0x33479),
    (0x3D000, 0x3FC3F),
)

#: :func:`lead_patterns` of :data:`NEWER_THAN_TIKTOKEN`, by lead byte: what the screening searches.
_LEAD_PATTERNS: dict[int, bytes] = {
    0xCA: rb"\xca\x95",
    0xD5: rb"\xd5\x98",
    0xD6: rb"\xd6[\x8b-\x8c]",
    0xD7: rb"\xd7[\x88-\x89]",
    0xE0: rb"\xe0(?:\xa2\x8f|\xad[\x93-\x94]|[\xb1\xb3]\x9c)",
    0xE1: rb"\xe1\xab[\x8f-\xb0]",
    0xE2: rb"\xe2(?:\x82[\x8f\x9d-\x9f]|\x83[\x81-\x84]|\xae\x96|\xb9[\xa0-\xa3])",
    0xEA: rb"\xea(?:\x9f[\x8e-\x8f\x92\x94\x9d\xa2\xb1]|\xad[\xac-\xad])",
    0xEF: rb"\xef(?:\xaf[\x83-\x92]|\xb6[\x90-\x91]|\xb7[\x88-\x8e])",
    0xF0: (
        rb"\xf0(?:\x90(?:\x9e[\xbb-\xbf]|\xa5[\x80-\x99]|\xbb[\x85-\x87\x89-\xae\xb0-\xbb])"
        rb"|\x91(?:\xac\x8a|\xad[\xa0-\xa7]|\xb6[\xb0-\xbf]|\xb7[\x80-\x9b\xa0-\xa9\xb0-\xb1])"
        rb"|\x92(?:\x91[\xaf\xb5-\xbf]|\x95[\x90-\xbf]|[\x96-\x99][\x80-\xbf]|\x9a[\x80-\x86])"
        rb"|\x96(?:\xba[\xa0-\xb8\xbb-\xbf]|\xbb[\x80-\x93]|\xbf[\xb2-\xb6])"
        rb"|\x98(?:\x9f[\xb8-\xbf]|\xb3[\x96-\x9a]|\xb4[\x89-\xa0]|[\xb6\xb8-\xbf][\x80-\xbf]"
        rb"|\xb7[\x80-\xb2])|\x99(?:[\x80-\x85][\x80-\xbf]|\x86[\x80-\x91\xa0-\xbf]"
        rb"|\x87[\x80-\x92])|\x9b(?:\x84[\xa3-\xa8]|\x85\xa8)|\x9c(?:\xb3[\xba-\xbc]"
        rb"|\xba[\xba-\xbf]|\xbb[\x80-\x90\x92-\x94\x9d-\xbd])|\x9d(?:\x84[\xa7-\xa8]"
        rb"|\x87[\xab-\xbf]|\x89[\x90-\xbf]|\x8a[\x80-\x81]|\x9a\xa6|\xac[\x80-\x9c]"
        rb"|\xbc[\x9f-\xa4\xab-\xbf]|\xbd[\x80-\xbf]|\xbe[\x80-\x81\x90-\x96]|\xbf[\x8d-\xbf])"
        rb"|\x9e\x9b[\x80-\x9e\xa0-\xb5\xbe-\xbf]|\x9f(?:\x86\xae|\x9b[\x98-\x99]"
        rb"|\x9d[\xb7-\xba]|\x9f[\x9a-\x9b\xb1-\xbf]|\xa3[\x90-\x98]|\xa9[\x94-\x97]"
        rb"|\xaa[\x8a-\x8e]|\xab[\x88\x8c-\x8d\x9d\xaa-\xab\xaf\xb9-\xba]|\xaf\xba)"
        rb"|\xab(?:\x9c[\xba-\xbf]|\xa0\x9e)|\xac\xba[\xa2-\xad]|\xb2(?:\x8e[\xb0-\xbf]"
        rb"|[\x8f-\xbf][\x80-\xbf])|\xb3(?:[\x80-\x90][\x80-\xbf]|\x91[\x80-\xb9])"
        rb"|[\xbd-\xbe][\x80-\xbf][\x80-\xbf]|\xbf[\x80-\xb0][\x80-\xbf])"
    ),
}

_SUSPECT_CATEGORIES = ("Cn", "Cs")  # unassigned, surrogate
_ASTRAL = "\U00010000-\U0010ffff"


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


# --- the fast backends' guard ---------------------------------------------------------------


def lead_patterns(ranges: tuple[tuple[int, int], ...]) -> dict[int, bytes]:
    """For each UTF-8 lead byte of a code point in ``ranges``, a ``re`` bytes pattern matching
    exactly the UTF-8 sequences of those code points that begin with it (a trie of bytes).

    :data:`_LEAD_PATTERNS` holds its result for :data:`NEWER_THAN_TIKTOKEN` (building it costs
    ~15 ms, too much for every process that counts; tests/test_unicode_guard.py checks both
    agree).
    """
    by_lead: dict[int, list[bytes]] = {}
    for low, high in ranges:
        for code in range(low, high + 1):
            encoded = chr(code).encode("utf-8")
            by_lead.setdefault(encoded[0], []).append(encoded[1:])
    return {
        lead: b"\\x%02x" % lead + _trie_pattern(rests) for lead, rests in sorted(by_lead.items())
    }


def _byte_class(values: list[int]) -> bytes:
    """A ``re`` bytes pattern matching one byte of ``values`` (sorted, merged into ranges)."""
    parts: list[bytes] = []
    values = sorted(values)
    start = previous = values[0]
    for value in [*values[1:], -1]:
        if value == previous + 1:
            previous = value
            continue
        if start == previous:
            parts.append(b"\\x%02x" % start)
        else:
            parts.append(b"\\x%02x-\\x%02x" % (start, previous))
        start = previous = value
    if len(parts) == 1 and b"-" not in parts[0]:
        return parts[0]
    return b"[" + b"".join(parts) + b"]"


def _trie_pattern(sequences: list[bytes]) -> bytes:
    """A ``re`` bytes pattern matching exactly ``sequences`` (all of one length, non-empty)."""
    if len(sequences[0]) == 1:
        return _byte_class([s[0] for s in sequences])
    by_first: dict[int, list[bytes]] = {}
    for sequence in sequences:
        by_first.setdefault(sequence[0], []).append(sequence[1:])
    # First bytes whose continuations are the same pattern share one byte class.
    by_rest: dict[bytes, list[int]] = {}
    for first, rests in by_first.items():
        by_rest.setdefault(_trie_pattern(rests), []).append(first)
    branches = [_byte_class(firsts) + rest for rest, firsts in by_rest.items()]
    return branches[0] if len(branches) == 1 else b"(?:" + b"|".join(branches) + b")"


@functools.cache
def _compiled(lead: int) -> re.Pattern[bytes]:
    return re.compile(_LEAD_PATTERNS[lead])


def utf8_holds_newer(data: bytes) -> bool:
    """Whether ``data`` holds the UTF-8 bytes of a character of :data:`NEWER_THAN_TIKTOKEN`.

    Exact on valid UTF-8; in invalid UTF-8, any such byte sequence counts (a decoder that
    replaces invalid bytes with U+FFFD never makes one of these characters out of other bytes).
    A character cut in two by a block boundary is the caller's to look at (see
    :class:`Utf8Screen`).
    """
    if data.isascii():
        return False
    return any(lead in data and _compiled(lead).search(data) is not None for lead in _LEAD_PATTERNS)


def backend_agrees_on(text: str) -> bool:
    """Whether tiktoken and a fast backend with Unicode 17 tables surely split ``text`` alike.

    False when ``text`` holds a character of :data:`NEWER_THAN_TIKTOKEN` or a lone surrogate.
    """
    if text.isascii():
        return True
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return False
    return not utf8_holds_newer(data)


class Utf8Screen:
    """:func:`utf8_holds_newer` over a stream's blocks, a character cut by a boundary included."""

    def __init__(self) -> None:
        self._tail = b""

    def holds_newer(self, block: bytes) -> bool:
        """Whether ``block``, or a character begun in the previous block, is a listed one."""
        seam = self._tail + block[:3]
        self._tail = (self._tail + block)[-3:] if len(block) < 3 else block[-3:]
        return utf8_holds_newer(block) or (not seam.isascii() and utf8_holds_newer(seam))
