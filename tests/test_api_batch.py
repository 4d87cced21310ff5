"""``count_tokens_batch`` and the small-string path of ``count_tokens``: exact, whatever the route."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tokencalc
import tokencalc.api.counts
from strategies import tricky_text
from tokencalc import api
from tokencalc.counting import encodings


def tiktoken_count(text: str, name: str = "o200k_base") -> int:
    return len(encodings.get_encoding(name).encode_ordinary(text))


@settings(max_examples=60, deadline=None)
@given(texts=st.lists(tricky_text, max_size=12))
def test_batch_equals_tiktoken_per_text(texts):
    assert tokencalc.count_tokens_batch(texts) == [tiktoken_count(t) for t in texts]
    assert tokencalc.count_tokens_batch(texts, encoding="cl100k_base") == [
        tiktoken_count(t, "cl100k_base") for t in texts
    ]


@settings(max_examples=60, deadline=None)
@given(text=tricky_text)
def test_repeated_small_calls_stay_exact(text):
    for _ in range(3):  # the first call resolves the encoding, later ones take the short path
        assert tokencalc.count_tokens(text) == tiktoken_count(text)
        assert tokencalc.count_tokens(text, model="gpt-4") == tiktoken_count(text, "cl100k_base")
        assert tokencalc.count_tokens(text, encoding="o200k_harmony") == tiktoken_count(text)


def test_batch_takes_any_iterable_and_keeps_order():
    texts = ["hello world", "The quick brown fox", "", "中文字符"]
    expected = [tiktoken_count(t) for t in texts]
    assert tokencalc.count_tokens_batch(texts) == expected
    assert tokencalc.count_tokens_batch(iter(texts)) == expected
    assert tokencalc.count_tokens_batch(t for t in texts) == expected
    assert tokencalc.count_tokens_batch(tuple(texts)) == expected
    assert tokencalc.count_tokens_batch([]) == []
    assert tokencalc.count_tokens_batch(texts, model="gpt-4o") == expected


def test_batch_of_estimated_models_matches_count_tokens():
    texts = ["hello world " * n for n in range(5)]
    for model in ("claude-sonnet-5-5", "gemini-4-argon"):
        assert tokencalc.count_tokens_batch(texts, model=model) == [
            tokencalc.count_tokens(t, model=model) for t in texts
        ]


def test_batch_long_texts_go_through_the_counter(monkeypatch):
    monkeypatch.setattr(api.counts, "_INLINE_CHARS", 10)
    texts = ["short", "a longer text, past the inline limit\n" * 100]
    assert tokencalc.count_tokens_batch(texts) == [tiktoken_count(t) for t in texts]
    assert tokencalc.count_tokens(texts[1]) == tiktoken_count(texts[1])


def test_batch_errors():
    with pytest.raises(tokencalc.UsageError, match=r"texts\[1\] must be a str, got NoneType"):
        tokencalc.count_tokens_batch(["ok", None])  # type: ignore[list-item]  # a wrong type on purpose
    with pytest.raises(tokencalc.UsageError, match="not a single str"):
        tokencalc.count_tokens_batch("hello")
    with pytest.raises(tokencalc.UsageError, match="must be an iterable of str, got int"):
        tokencalc.count_tokens_batch(5)  # type: ignore[arg-type]  # a wrong type on purpose
    with pytest.raises(tokencalc.TokencalcError, match="unknown encoding 'p50k'"):
        tokencalc.count_tokens_batch(["x"], encoding="p50k")
    with pytest.raises(tokencalc.UsageError, match="not both"):
        tokencalc.count_tokens_batch(["x"], model="gpt-4", encoding="cl100k_base")


def test_short_path_keeps_the_argument_checks():
    tokencalc.count_tokens("warm up")
    with pytest.raises(tokencalc.UsageError, match="text must be a str, got bytes"):
        tokencalc.count_tokens(b"x")  # type: ignore[arg-type]  # a wrong type on purpose
    with pytest.raises(tokencalc.TokencalcError, match="unknown encoding 'p50k'"):
        tokencalc.count_tokens("x", encoding="p50k")
    with pytest.raises(tokencalc.UsageError, match="not both"):
        tokencalc.count_tokens("x", model="gpt-4", encoding="cl100k_base")


def test_short_path_starts_no_thread_pool():
    import threading

    before = {t.name for t in threading.enumerate()}
    for _ in range(100):
        tokencalc.count_tokens("a short string of about forty characters")
    tokencalc.count_tokens_batch(["short"] * 100)
    assert not any(
        t.name.startswith("tokencalc-count") for t in threading.enumerate() if t.name not in before
    )
