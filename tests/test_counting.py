"""The counting engine: exact totals however the input is cut, streamed or threaded."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from strategies import tricky_text
from tokencalc.counting import counter as counting
from tokencalc.counting import encodings, long_pieces, part_counts
from tokencalc.counting.chunking import safe_cuts
from tokencalc.counting.counter import Counts, TokenCounter
from tokencalc.counting.input_counts import count_inputs
from tokencalc.counting.utf8 import Utf8Decoder


def tiktoken_count(name: str, text: str) -> int:
    return len(encodings.get_encoding(name).encode_ordinary(text))


def blocks_of(data: bytes, size: int):
    return [data[i : i + size] for i in range(0, len(data), size)] or [b""]


@pytest.fixture
def tiny_parts(monkeypatch):
    """Force the streaming path and many parts, so cuts and threads are exercised on small text."""
    monkeypatch.setattr(counting, "PART_CHARS", 16)


@settings(max_examples=150, deadline=None)
@given(text=st.lists(tricky_text, max_size=8).map("\n".join), block=st.integers(1, 64))
def test_stream_equals_whole_text_count(text, block):
    counting.PART_CHARS, saved = 16, counting.PART_CHARS
    try:
        with TokenCounter(["o200k_base", "cl100k_base"], small_budget=0, workers=2) as counter:
            counts = counter.count_stream(blocks_of(text.encode("utf-8"), block))
    finally:
        counting.PART_CHARS = saved
    assert counts.tokens == {
        "o200k_base": tiktoken_count("o200k_base", text),
        "cl100k_base": tiktoken_count("cl100k_base", text),
    }
    assert counts.chars == len(text)
    assert counts.words == len(text.split())
    assert counts.lines == text.count("\n")
    assert counts.bytes == len(text.encode("utf-8"))


@settings(max_examples=100, deadline=None)
@given(text=tricky_text)
def test_small_path_equals_tiktoken(text):
    with TokenCounter(["o200k_base"]) as counter:
        assert counter.count_text(text).tokens["o200k_base"] == tiktoken_count("o200k_base", text)


def test_in_memory_text_is_cut_and_threaded(tiny_parts):
    text = ("Prose line with words.\n    indented code();\n中文，句子。\n" * 200) + "tail"
    with TokenCounter(["o200k_base"], small_budget=0, workers=2) as counter:
        assert counter.count_text(text).tokens["o200k_base"] == tiktoken_count("o200k_base", text)


def test_harmony_counts_like_o200k_base():
    with TokenCounter(["o200k_harmony", "o200k_base"]) as counter:
        counts = counter.count_text("gpt-oss <|start|> text")
    assert (
        counts.tokens["o200k_harmony"]
        == counts.tokens["o200k_base"]
        == tiktoken_count("o200k_base", "gpt-oss <|start|> text")
    )


#: Lowered limits for the default run's run of 30,000 characters, so that it is, as the slow set's
#: runs are at the real limits, longer than a part and than a long piece counted in parallel, and
#: spans many windows of a long piece.
_TENTH_LIMITS = [
    (counting, "PART_CHARS", 1 << 14),
    (long_pieces, "LONG_PIECE_PARALLEL_CHARS", 1 << 14),
    (long_pieces, "LONG_PIECE_CHARS", 1 << 10),
    (long_pieces, "WINDOW_BYTES", 1 << 10),
    (long_pieces, "MARGIN_BYTES", 1 << 7),
]


@pytest.mark.parametrize(
    "length",
    [
        30_000,
        pytest.param(300_000, marks=pytest.mark.slow),
        pytest.param(1_000_000, marks=pytest.mark.slow),
    ],
)
@pytest.mark.parametrize("char", [" ", "\t", "\u3000"])
def test_long_whitespace_run_is_counted_without_a_panic(char, length, capfd, monkeypatch):
    """A run longer than a part (PART_CHARS) and than a parallel long piece (the default run's
    with those limits lowered); the million is the size that made tiktoken panic (slow set)."""
    if length < counting.PART_CHARS:
        for module, name, value in _TENTH_LIMITS:
            monkeypatch.setattr(module, name, value)
    assert length > counting.PART_CHARS and length > long_pieces.LONG_PIECE_PARALLEL_CHARS
    text = "start" + char * length + "end\n"
    with TokenCounter(["o200k_base"], small_budget=0) as counter:
        got = counter.count_stream([text.encode("utf-8")]).tokens["o200k_base"]
    # The same text cut inside the run cannot be the reference (that would change the count);
    # the reference is tiktoken's BPE over the pieces o200k_base's pattern makes of it, written
    # out by hand: the run but its last character (\s+(?!\S)), which leads the word after it.
    encoding = encodings.get_encoding("o200k_base")
    pieces = ["start", char * (length - 1), char + "end", "\n"]
    assert got == sum(len(encoding._encode_single_piece(p.encode())) for p in pieces)
    assert "panicked" not in capfd.readouterr().err


@pytest.mark.parametrize(
    ("spaces", "tabs"), [(20_000, 5_000), pytest.param(200_000, 50_000, marks=pytest.mark.slow)]
)
def test_long_whitespace_path_agrees_with_tiktoken_where_tiktoken_copes(monkeypatch, spaces, tabs):
    if spaces < long_pieces.WINDOW_BYTES * 8:  # runs of many windows, as at full size
        monkeypatch.setattr(long_pieces, "LONG_PIECE_CHARS", 1 << 10)
        monkeypatch.setattr(long_pieces, "WINDOW_BYTES", 1 << 10)
        monkeypatch.setattr(long_pieces, "MARGIN_BYTES", 1 << 7)
    text = "a" + " " * spaces + "b\n" + "\t" * tabs + "x"
    assert long_pieces.may_hold_long_piece(text)
    assert part_counts.count_with_tiktoken("o200k_base", text) == tiktoken_count("o200k_base", text)
    assert part_counts.count_with_tiktoken("cl100k_base", text) == tiktoken_count(
        "cl100k_base", text
    )


def test_empty_stream_is_zero():
    with TokenCounter() as counter:
        assert counter.count_stream([]) == Counts(tokens={"o200k_base": 0})
        assert counter.count_stream([b""]).tokens == {"o200k_base": 0}


def test_invalid_utf8_is_counted_as_replacement_characters():
    data = b"caf\xe9 ok \xff\xfe end"
    with TokenCounter() as counter:
        counts = counter.count_stream(blocks_of(data, 3))
    text = data.decode("utf-8", errors="replace")
    assert counts.replaced == 3 == text.count("\ufffd")  # \xe9, \xff and \xfe
    assert counts.tokens["o200k_base"] == tiktoken_count("o200k_base", text)
    assert counts.chars == len(text)


def test_decoder_keeps_multibyte_characters_split_across_blocks():
    decoder = Utf8Decoder()
    data = "é中😀".encode()
    text = "".join(decoder.decode(data[i : i + 1]) for i in range(len(data))) + decoder.decode(
        b"", final=True
    )
    assert text == "é中😀" and decoder.replaced == 0


def test_truncated_sequence_at_end_is_one_replacement():
    decoder = Utf8Decoder()
    assert decoder.decode(b"ok\xe4\xb8", final=True) == "ok\ufffd"
    assert decoder.replaced == 1


def test_words_continue_across_parts():
    with TokenCounter(small_budget=0) as counter:
        counts = counter.count_stream([b"hello wor", b"ld and ", b"more\n"])
    assert (counts.words, counts.lines) == (4, 1)


def test_counts_add_up():
    a = Counts(tokens={"x": 1}, chars=2, words=3, lines=4, bytes=5, replaced=0)
    b = Counts(tokens={"x": 10, "y": 1}, chars=20, words=30, lines=40, bytes=50, replaced=1)
    assert a + b == Counts(
        tokens={"x": 11, "y": 1}, chars=22, words=33, lines=44, bytes=55, replaced=1
    )


def test_count_text_convenience():
    assert counting.count_text("hello world") == 2
    assert counting.count_text("hello world", "cl100k_base") == 2


def test_inputs_count_in_parallel_and_a_bad_one_does_not_disturb_the_others(tmp_path, monkeypatch):
    from tokencalc.counting.inputs import resolve_inputs

    monkeypatch.setattr(counting, "PART_CHARS", 64)
    texts = {
        f"f{i:02}.txt": f"file {i}: " + "some words, and more words.\n" * (i + 3) for i in range(20)
    }
    for name, text in texts.items():
        (tmp_path / name).write_text(text)
    (tmp_path / "f05.bin").write_bytes(b"\0binary")
    (tmp_path / "f12.bin").write_bytes(b"\0binary")
    sources = resolve_inputs([str(tmp_path)]).sources
    with TokenCounter(small_budget=0, workers=2) as counter:
        results = list(count_inputs(counter, sources))
    assert [r.label.rsplit("/", 1)[-1] for r in results] == sorted([*texts, "f05.bin", "f12.bin"])
    for result in results:
        name = result.label.rsplit("/", 1)[-1]
        if name.endswith(".bin"):
            assert result.problem is not None
            assert result.problem.kind == "skipped"
        else:
            assert result.counts is not None
            assert result.counts.tokens["o200k_base"] == tiktoken_count("o200k_base", texts[name])
            assert result.counts.words == len(texts[name].split())


@pytest.mark.parametrize("text", ["x\U000323b0\n/:", "a\ud800b", "新\U0003d000字"])
def test_characters_unknown_to_tiktoken_are_counted_by_tiktoken(text):
    with TokenCounter(["o200k_base", "cl100k_base"]) as counter:
        counts = counter.count_text(text)
    assert counts.tokens == {
        name: tiktoken_count(name, text) for name in ("o200k_base", "cl100k_base")
    }


def test_long_whitespace_path_handles_lone_surrogates_like_tiktoken():
    text = "a\ud800" + " " * 70_000 + "b"
    assert part_counts.count_with_tiktoken("o200k_base", text) == tiktoken_count("o200k_base", text)


@settings(max_examples=200, deadline=None)
@given(
    text=st.lists(tricky_text, max_size=6).map("\n".join),
    tail=st.sampled_from(["", "=" * 40, " " * 40, "\u4e2d" * 40, "\x00" * 40, "a\n" * 3]),
    window=st.integers(1, 64),
    lo=st.integers(0, 50),
    excludes=st.sampled_from(["", encodings.letter_cut_excludes(["deepseek-v3"])]),
)
def test_last_cut_is_a_safe_cut_whatever_the_window(text, tail, window, lo, excludes):
    # A cut in the last CUT_WINDOW characters, only before them, or none at all (a run of one
    # character at the end). In the window: the last newline that a letter, digit or ASCII
    # character other than whitespace and "/" follows, else the largest safe cut there; before
    # it, the largest safe cut above lo. Written out here with the cut pattern's own search.
    buffer = text + tail
    if not buffer or lo >= len(buffer):
        return
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(counting, "CUT_WINDOW", window)
        windowed = counting._last_cut(buffer, lo, excludes)
    start = len(buffer) - window
    cuts = [q for q in safe_cuts(buffer, excludes) if q > lo]
    newline_cuts = [
        q
        for q in cuts
        if q > start
        and buffer[q - 1] == "\n"
        and (buffer[q].isalnum() or ("!" <= buffer[q] <= "~" and buffer[q] != "/"))
    ]
    if start > lo and newline_cuts:
        assert windowed == newline_cuts[-1]
    elif (start > lo and any(q > start for q in cuts)) or windowed > 0:
        # (no cut found before the window: none, or Python calls a letter what regex does not)
        assert windowed == cuts[-1]


def test_last_cut_finds_a_cut_far_before_a_long_uncuttable_tail():
    buffer = "word\nnext" + "=" * 10_000
    assert counting._last_cut(buffer, 0, "") == 9  # after the letter t, before the first =
    assert counting._last_cut("=" * 10_000, 0, "") == -1
