"""Cutting text only where the cut provably keeps the token count of the whole."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from strategies import tricky_text
from tokencalc.counting import encodings
from tokencalc.counting.chunking import first_safe_cut, last_safe_cut, safe_cuts

ENCODINGS = ["o200k_base", "cl100k_base"]


def tokens(name: str, text: str) -> int:
    return len(encodings.get_encoding(name).encode_ordinary(text))


@pytest.mark.parametrize("name", ENCODINGS)
@settings(max_examples=400, deadline=None)
@given(text=tricky_text)
def test_every_safe_cut_keeps_the_whole_count(name, text):
    whole = tokens(name, text)
    for q in safe_cuts(text):
        assert tokens(name, text[:q]) + tokens(name, text[q:]) == whole, (text[:q], text[q:])


@pytest.mark.parametrize("name", ENCODINGS)
@settings(max_examples=200, deadline=None)
@given(parts=st.lists(tricky_text, min_size=2, max_size=6))
def test_cutting_at_all_safe_cuts_at_once_keeps_the_count(name, parts):
    text = "\n".join(parts)
    cuts = [0, *safe_cuts(text), len(text)]
    assert sum(tokens(name, text[a:b]) for a, b in itertools.pairwise(cuts)) == tokens(name, text)


@pytest.mark.parametrize(
    ("text", "naive_cut"),
    [
        ("a\n b", 2),  # after a newline followed by a space: the space joins the newline's piece
        ("x\n\ny", 2),  # between two newlines: "\n\n" is one token
        ("a /b\n/c", 5),  # after a newline followed by "/": o200k joins "\n/" to the punctuation
    ],
)
def test_naive_cuts_are_not_offered(text, naive_cut):
    assert naive_cut not in safe_cuts(text)


def test_naive_cuts_do_change_counts():
    # The reason the rule exists: cutting after any newline is wrong for o200k_base.
    text = "a\n\n b"
    whole = tokens("o200k_base", text)
    assert any(
        tokens("o200k_base", text[:q]) + tokens("o200k_base", text[q:]) != whole for q in (2, 3)
    )


def test_letter_cuts_cover_long_lines_without_newlines():
    line = "中文句子，没有换行。" * 1000 + "word,word" * 100
    cuts = safe_cuts(line)
    assert len(cuts) > 1000
    assert max(b - a for a, b in zip([0, *cuts], [*cuts, len(line)], strict=True)) < 20


def test_last_and_first_safe_cut_bounds():
    text = "ab\ncd ef"
    assert safe_cuts(text) == [2, 3, 5]
    assert last_safe_cut(text) == 5
    assert last_safe_cut(text, 0, 5) == 3
    assert last_safe_cut(text, 3) == 5
    assert first_safe_cut(text) == 2
    assert first_safe_cut(text, 3) == 5
    assert last_safe_cut("   ") == -1
    assert first_safe_cut("abc") == -1
    assert last_safe_cut("it's") == -1  # never before an apostrophe
    assert last_safe_cut("e\u0301x") == -1  # never before a combining mark
