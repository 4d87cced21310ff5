"""The native-speed guard: the same answer as a plain per-character check, for every code point."""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Iterable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tokencalc.counting import encodings, unicode_guard

_VERSION = tuple(int(p) for p in unicodedata.unidata_version.split("."))
_TABLE = unicodedata if _VERSION <= (16, 0, 0) else unicodedata.ucd_3_2_0


def plain_definition(text: str) -> bool:
    """Written out independently: no character unassigned or a surrogate in the shared table."""
    return all(_TABLE.category(ch) not in ("Cn", "Cs") for ch in text)


def _mismatches(codes) -> list[tuple[str, str]]:
    mismatches = []
    for code in codes:
        ch = chr(code)
        # alone; after a BMP character; after an astral one (the guard's second pass)
        for text in (ch, "é" + ch, "😀" + ch):
            if unicode_guard.tables_agree_on(text) != plain_definition(text):
                mismatches.append((hex(code), text))
                break
    return mismatches


@pytest.mark.slow
def test_every_code_point_alone_and_in_company():
    assert _mismatches(range(0x110000)) == []


def test_every_edge_of_the_assigned_ranges_alone_and_in_company():
    """The default run's share of the sweep above: each code point where the definition flips
    (assigned <-> unassigned or surrogate), three on either side, and every 251st code point."""
    allowed = [_TABLE.category(chr(code)) not in ("Cn", "Cs") for code in range(0x110000)]
    edges = [code for code in range(1, 0x110000) if allowed[code] != allowed[code - 1]]
    assert len(edges) > 1000  # the ranges really are interleaved: the sample has both kinds
    codes = {c for edge in edges for c in range(edge - 3, edge + 4) if 0 <= c < 0x110000}
    codes.update(range(0, 0x110000, 251))
    assert _mismatches(sorted(codes)) == []


def test_known_cases():
    assert unicode_guard.tables_agree_on("")
    assert unicode_guard.tables_agree_on("plain ASCII")
    assert unicode_guard.tables_agree_on("中文 é 😀 👩‍💻")
    assert not unicode_guard.tables_agree_on("x\U000323b0")  # CJK Extension J, Unicode 17
    assert not unicode_guard.tables_agree_on("lone \ud800 surrogate")
    assert not unicode_guard.tables_agree_on("😀 then an unassigned BMP code point \u0378")
    assert not unicode_guard.tables_agree_on("é\U0010ffff")  # a noncharacter
    assert (
        encodings.tables_agree_on is not None and encodings.tables_agree_on("x\U000323b0") is False
    )


# 100 examples: every code point alone and in company is swept (edges here, all of them in the
# slow set), so random text only has to mix them.
@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.characters(),  # anything, surrogates included
            st.characters(min_codepoint=0x10000),
            st.sampled_from("aé中😀\U000323b0\u0378\ud800 \n"),
        ),
        max_size=60,
    ).map("".join)
)
def test_random_text_matches_definition(text):
    assert unicode_guard.tables_agree_on(text) == plain_definition(text)


def test_long_text_with_one_suspect_character_anywhere():
    base = "Prose, code() and 中文字符 with 😀 emoji.\n" * 5000
    assert unicode_guard.tables_agree_on(base)
    for position in (0, len(base) // 2, len(base)):
        assert not unicode_guard.tables_agree_on(base[:position] + "\U000323b0" + base[position:])
        assert not unicode_guard.tables_agree_on(base[:position] + "\u0378" + base[position:])


# --- the fast backends' guard: characters whose category changed after Unicode 16 -------------

SURROGATES = range(0xD800, 0xE000)


_LISTED = frozenset(
    code for low, high in unicode_guard.NEWER_THAN_TIKTOKEN for code in range(low, high + 1)
)


def listed(code: int) -> bool:
    """Written out independently: a code point inside one of the listed ranges."""
    return code in _LISTED


def backend_definition(text: str) -> bool:
    return not any(listed(ord(ch)) or ord(ch) in SURROGATES for ch in text)


def test_the_listed_ranges_are_sorted_and_disjoint():
    ranges = unicode_guard.NEWER_THAN_TIKTOKEN
    assert all(low <= high for low, high in ranges)
    assert all(a[1] + 1 < b[0] for a, b in itertools.pairwise(ranges))
    assert sum(high - low + 1 for low, high in ranges) == 17_811


def test_the_stored_lead_patterns_are_built_from_the_listed_ranges():
    built = unicode_guard.lead_patterns(unicode_guard.NEWER_THAN_TIKTOKEN)
    assert built == unicode_guard._LEAD_PATTERNS


def test_listed_characters_are_unknown_to_pythons_older_tables():
    # Python 3.10-3.14 carry Unicode 13-16: none of them assigns a character first assigned in
    # 17.0 or 18.0. The one listed character they know is U+0295, whose category changed.
    version = tuple(int(p) for p in unicodedata.unidata_version.split("."))
    if version > (16, 0, 0):
        return
    known = [
        hex(code)
        for low, high in unicode_guard.NEWER_THAN_TIKTOKEN
        for code in range(low, high + 1)
        if unicodedata.category(chr(code)) != "Cn"
    ]
    assert known == ["0x295"]
    assert unicodedata.category("\u0295") == "Ll"  # Lo from Unicode 17.0 on


def test_the_regex_module_assigns_the_unicode_17_additions():
    import regex

    unassigned = regex.compile(r"\p{Cn}")
    # Unicode 17.0 additions (CJK Extension J, Sidetic, the Saudi riyal sign) and 18.0 ones
    assert not unassigned.match("\U000323b0") and listed(0x323B0)
    assert not unassigned.match("\U00010940") and listed(0x10940)
    assert not unassigned.match("\u20c1") and listed(0x20C1)
    assert regex.match(r"\p{Lo}", "\u0295")


def _alone_mismatches(codes: Iterable[int]) -> list[str]:
    mismatches = []
    for code in codes:
        expected = not (listed(code) or code in SURROGATES)
        if unicode_guard.backend_agrees_on(chr(code)) != expected:
            mismatches.append(hex(code))
    return mismatches


@pytest.mark.slow  # 1,114,112 texts of one character; the default run takes a sample
def test_backend_guard_on_every_code_point_alone():
    assert _alone_mismatches(range(0x110000)) == []


def test_backend_guard_on_code_points_alone_and_in_runs_of_64():
    # Alone: every listed code point and those around each listed range, every 61st of the rest.
    around = {c for low, high in unicode_guard.NEWER_THAN_TIKTOKEN for c in (low - 1, high + 1)}
    mismatches = _alone_mismatches(sorted({*range(0, 0x110000, 61), *_LISTED, *around}))
    # Texts of 256 bytes and more take the lead-byte search: runs of 64 code points after 300
    # letters, and every code point of a run that holds a listed one on its own after them.
    padding = "a" * 300
    for start in range(0, 0x110000, 64):
        run = [code for code in range(start, start + 64) if code not in SURROGATES]
        expected = not any(listed(code) for code in run)
        if unicode_guard.backend_agrees_on(padding + "".join(map(chr, run))) != expected:
            mismatches.append(f"run {start:#x}")
        if not expected:
            for code in run:
                text = padding + "é" + chr(code) + "中"
                if unicode_guard.backend_agrees_on(text) == listed(code):
                    mismatches.append(hex(code))
    assert mismatches == []


_GUARD_TEXT = st.lists(
    st.one_of(
        st.characters(exclude_categories=["Cs"]),
        st.sampled_from("aé中😀\u0295\u20c1\U000323b0\U0003fc3f\U0003fc40\u0378 \n\uffef\ufbc3"),
    ),
    max_size=80,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(_GUARD_TEXT, st.lists(st.integers(min_value=0, max_value=400), max_size=6))
def test_screening_blocks_finds_what_the_text_guard_finds(text, cuts):
    data = text.encode("utf-8")
    bounds = sorted({0, len(data), *(c % (len(data) + 1) for c in cuts)})
    blocks = [data[a:b] for a, b in itertools.pairwise(bounds)]
    screen = unicode_guard.Utf8Screen()
    flagged = [screen.holds_newer(block) for block in blocks]
    assert any(flagged) == (not backend_definition(text))
    assert unicode_guard.backend_agrees_on(text) == backend_definition(text)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200), st.sampled_from(["\u0295", "\u20c1", "\U000323b0", "x"]))
def test_invalid_utf8_never_hides_a_listed_character(junk, ch):
    data = junk + ch.encode("utf-8") + junk
    decoded = data.decode("utf-8", "replace")
    if not backend_definition(decoded):
        assert unicode_guard.utf8_holds_newer(data)


def test_backend_guard_known_cases():
    assert unicode_guard.backend_agrees_on("plain ASCII")
    assert unicode_guard.backend_agrees_on("中文 é 😀 👩‍💻 \U00031350 \u0378 \U0010ffff")
    assert not unicode_guard.backend_agrees_on("x\U000323b0")  # CJK Extension J, Unicode 17
    assert not unicode_guard.backend_agrees_on("\u0295")  # Ll in Unicode 16, Lo in 17
    assert not unicode_guard.backend_agrees_on("lone \ud800 surrogate")
    long_text = "Prose, code() and 中文字符，with 😀 emoji — “quotes”.\n" * 5000
    assert unicode_guard.backend_agrees_on(long_text)
    for position in (0, len(long_text) // 2, len(long_text)):
        for ch in ("\U000323b0", "\ufbc3", "\u20c1"):
            assert not unicode_guard.backend_agrees_on(
                long_text[:position] + ch + long_text[position:]
            )
