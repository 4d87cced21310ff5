"""The native-speed guard: the same answer as a plain per-character check, for every code point."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from tokencalc.counting import encodings, unicode_guard


def plain_definition(text: str) -> bool:
    """Written out independently: no character unassigned or a surrogate in the shared table."""
    version = tuple(int(p) for p in unicodedata.unidata_version.split("."))
    table = unicodedata if version <= (16, 0, 0) else unicodedata.ucd_3_2_0
    return all(table.category(ch) not in ("Cn", "Cs") for ch in text)


def test_every_code_point_alone_and_in_company():
    mismatches = []
    for code in range(0x110000):
        ch = chr(code)
        # alone; after a BMP character; after an astral one (the guard's second pass)
        for text in (ch, "é" + ch, "😀" + ch):
            if unicode_guard.tables_agree_on(text) != plain_definition(text):
                mismatches.append((hex(code), text))
                break
    assert mismatches == []


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


@settings(max_examples=400, deadline=None)
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
