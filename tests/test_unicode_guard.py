"""The native-speed guard: the same answer as a plain per-character check, for every code point."""

from __future__ import annotations

import unicodedata

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
