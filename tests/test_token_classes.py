"""Token classes of o200k_base: the shipped table, the classification, histograms while counting."""

from __future__ import annotations

import functools
import gzip
from collections.abc import Mapping
from decimal import Decimal
from importlib import resources
from types import MappingProxyType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tokencalc.counting import counter as counting
from tokencalc.counting import encodings
from tokencalc.counting.counter import TokenCounter
from tokencalc.counting.part_counts import classes_with_tiktoken
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


@functools.cache  # read only: the vocabulary, for the tests that walk it
def _o200k_ranks() -> Mapping[bytes, int]:
    return MappingProxyType(encodings.rank_table("o200k_base").to_dict())


@pytest.mark.slow  # the whole vocabulary classified again (~0.4 s); the default run samples it
def test_shipped_table_is_the_vocabulary_classified():
    ranks = _o200k_ranks()
    rebuilt = token_classes.build_table(ranks.items(), encodings.ENCODINGS["o200k_base"].n_vocab)
    assert token_classes.class_table() == rebuilt


def test_shipped_table_is_a_sample_of_the_vocabulary_classified():
    """The default run's share of the test above: every 23rd rank and every token of one or two
    bytes (single bytes and the fragments of characters that follow their lead byte)."""
    table = token_classes.class_table()
    assert len(table) == encodings.ENCODINGS["o200k_base"].n_vocab
    sample = [(t, rank) for t, rank in _o200k_ranks().items() if rank % 23 == 0 or len(t) <= 2]
    assert len(sample) > 10_000
    rebuilt = token_classes.build_table(sample, len(table))
    assert [rebuilt[rank] for _, rank in sample] == [table[rank] for _, rank in sample]
    assert {table[rank] for _, rank in sample} == set(range(len(CLASSES) + 2))


def test_corrupt_table_is_refused(monkeypatch, tmp_path):
    token_classes.class_table.cache_clear()
    bad = gzip.compress(b"\x00" * 10)

    class Files:
        def joinpath(self, _name):
            return self

        def read_bytes(self):
            return bad

    monkeypatch.setattr(resources, "files", lambda _pkg: Files())  # token_classes reads through it
    with pytest.raises(EncodingDataError, match="corrupt"):
        token_classes.class_table()
    token_classes.class_table.cache_clear()


def test_piece_table_agrees_with_the_vocabulary_where_it_can_be_checked():
    """The piece codes' class part is the class table, their space part the vocabulary's
    leading space, and digit tokens' length their number of digits; only the Gemma 3 length of
    other tokens needs Gemma's tokenizer (bench/fit_token_classes.py rebuilds it)."""
    pieces = token_classes.piece_table()
    classes = token_classes.class_table()
    assert len(pieces) == len(classes)
    per_class = token_classes.PIECE_LENGTHS * 2
    ranks = _o200k_ranks()
    digits = CLASSES.index("digits")
    for token, rank in ranks.items():
        code = pieces[rank]
        assert code < token_classes.PIECE_CODES
        coarse = classes[rank]
        if coarse >= len(CLASSES):  # two or three digits
            assert code == token_classes.piece_code(coarse, 0, False)
            continue
        assert code // per_class == coarse
        assert code % 2 == (1 if token.startswith(b" ") else 0)
        if coarse == digits:
            assert code % per_class // 2 == 0


def test_piece_histogram_has_the_class_histogram_first():
    enc = encodings.get_encoding("o200k_base")
    text = 'def f(x):\n    return {"a": 12345, "b": "你好 мир"}  # ok\n'
    ids = enc.encode_ordinary(text)
    fine = token_classes.piece_histogram(ids, token_classes.piece_table())
    coarse = token_classes.histogram(ids, token_classes.class_table())
    assert fine[: len(CLASSES)] == coarse
    assert sum(fine[len(CLASSES) :]) == len(ids)
    assert len(fine) == len(CLASSES) + token_classes.PIECE_CODES


def test_estimate_by_pieces_uses_each_codes_ratio():
    ratios = dict.fromkeys(CLASSES, Decimal(1))
    pieces = {name: tuple(Decimal(i + 1) for i in range(6)) for name in CLASSES}
    histogram = [0] * (len(CLASSES) + token_classes.PIECE_CODES)
    latin = CLASSES.index("latin") * 6
    histogram[len(CLASSES) + latin + 1] = 2  # two tokens of length 1 with a space: ratio 2
    histogram[len(CLASSES) + latin + 4] = 1  # one token of length 3+: ratio 5
    assert token_classes.estimate_tokens(histogram, ratios, pieces) == 9
    # a histogram without piece codes (datasets) uses the class table
    assert token_classes.estimate_tokens([3] + [0] * 15, ratios, pieces) == 3


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
