"""The pure-Python BPE must give tiktoken's counts exactly."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings

from strategies import tricky_text
from tokencalc.counting import bpe, encodings


@pytest.mark.parametrize("name", ["o200k_base", "cl100k_base"])
@settings(max_examples=300, deadline=None)
@given(text=tricky_text)
def test_pure_python_count_equals_tiktoken(name, text):
    assume(encodings.tables_agree_on(text))  # otherwise the counter hands the text to tiktoken
    expected = len(encodings.get_encoding(name).encode_ordinary(text))
    got = bpe.count_text(text, encodings.rank_table(name), encodings.split_pattern(name))
    assert got == expected


@pytest.mark.parametrize(
    ("text", "o200k", "cl100k"),
    [
        ("", 0, 0),
        ("hello world", 2, 2),
        ("<|endoftext|>", 7, 7),  # counted as characters, never as the special token
    ],
)
def test_known_counts(text, o200k, cl100k):
    assert (
        bpe.count_text(
            text, encodings.rank_table("o200k_base"), encodings.split_pattern("o200k_base")
        )
        == o200k
    )
    assert (
        bpe.count_text(
            text, encodings.rank_table("cl100k_base"), encodings.split_pattern("cl100k_base")
        )
        == cl100k
    )


def test_merges_leftmost_lowest_rank_first():
    # Three identical pairs: tiktoken merges the leftmost first, so "aaa" is "aa" + "a", not "a" + "aa".
    ranks = {b"a": 0, b"aa": 1}
    assert bpe.count_piece(b"aaa", ranks) == 2
    assert bpe.count_piece(b"aaaa", ranks) == 2
    assert bpe.count_piece(b"ab", {b"a": 0, b"b": 1}) == 2
