"""Token classes of o200k_base: the shipped table, the classification, histograms while counting."""

from __future__ import annotations

import gzip
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tokencalc.counting import counter as counting
from tokencalc.counting import encodings
from tokencalc.counting.counter import TokenCounter, classes_with_tiktoken
from tokencalc.errors import EncodingDataError
from tokencalc.tokenizers import token_classes
from tokencalc.tokenizers.token_classes import CLASSES, classify_bytes, classify_text


def name(code: int) -> str:
    return CLASSES[code] if code < len(CLASSES) else "digits"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hello", "latin"),
        (" The", "latin"),
        ("_GATE", "latin"),
        (" Việt", "latin_extended"),
        ("café", "latin_extended"),
        ("Ελλάδα", "greek"),
        ("שלום", "hebrew"),
        (" 你好", "han"),
        ("こんにちは", "kana"),
        ("안녕", "hangul"),
        (" мир", "cyrillic"),
        ("مرحبا", "arabic"),
        ("नमस्ते", "devanagari"),
        ("สวัสดี", "thai"),
        ("ሰላም", "other_letters"),
        ("7", "digits"),
        ("123", "digits"),
        ("\n\n", "whitespace"),
        ("    ", "whitespace"),
        ("{", "punctuation"),
        ('":', "punctuation"),
        ("，", "symbols"),
        ("—", "symbols"),
        ("😀", "symbols"),
    ],
)
def test_classify_text(text, expected):
    assert name(classify_text(text)) == expected


def test_fragments_of_characters_follow_their_lead_byte():
    han = "中".encode()  # e4 b8 ad
    assert name(classify_bytes(han[:2])) == "han"
    assert name(classify_bytes("Ж".encode()[:1])) == "cyrillic"
    assert name(classify_bytes(b"\xad")) == "other_letters"  # a continuation byte alone


def test_shipped_table_is_the_vocabulary_classified():
    ranks = encodings.rank_table("o200k_base").to_dict()
    rebuilt = token_classes.build_table(ranks.items(), encodings.ENCODINGS["o200k_base"].n_vocab)
    assert token_classes.class_table() == rebuilt


def test_corrupt_table_is_refused(monkeypatch, tmp_path):
    token_classes.class_table.cache_clear()
    bad = gzip.compress(b"\x00" * 10)

    class Files:
        def joinpath(self, _name):
            return self

        def read_bytes(self):
            return bad

    monkeypatch.setattr(token_classes.resources, "files", lambda _pkg: Files())
    with pytest.raises(EncodingDataError, match="corrupt"):
        token_classes.class_table()
    token_classes.class_table.cache_clear()


def test_histogram_counts_digits_per_digit():
    # o200k_base: "Room"| "1234" → "123"+"4" | " and" | " 56" → " "+"56" ...
    enc = encodings.get_encoding("o200k_base")
    ids = enc.encode_ordinary("1234")
    assert [enc.decode_single_token_bytes(i) for i in ids] == [b"123", b"4"]
    histogram = token_classes.histogram(ids, token_classes.class_table())
    assert histogram[CLASSES.index("digits")] == 4 and sum(histogram) == 4


def test_estimate_rounds_up():
    ratios = dict.fromkeys(CLASSES, Decimal("0.5"))
    histogram = [0] * len(CLASSES)
    histogram[0] = 3
    assert token_classes.estimate_tokens(histogram, ratios) == 2  # ceil(1.5)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["hello world ", "你好世界。", "  \n", '{"a": 12345}', "Привет ", "x" * 50]
        ),
        min_size=1,
        max_size=400,
    )
)
def test_chunked_counting_gives_the_whole_texts_histogram(pieces):
    text = "".join(pieces)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(counting, "PART_CHARS", 997)  # many parts, cut where counting cuts
        with TokenCounter(["o200k_base"], classes=True, small_budget=0) as counter:
            counts = counter.count_text(text * 40)
    whole_count, whole = classes_with_tiktoken(text * 40)
    assert counts.tokens["o200k_base"] == whole_count
    assert counts.classes == whole


def test_kept_text_only_up_to_the_limit():
    with TokenCounter(["o200k_base"], keep_text=10) as counter:
        assert counter.count_text("short").text == "short"
        assert counter.count_text("much longer than ten").text is None
    with TokenCounter(["o200k_base"]) as counter:
        assert counter.count_text("short").text is None
