"""Long pieces counted in windows are counted exactly (issue 10 §3).

Every expectation is tiktoken's own count of the whole piece or text. Windows and margins are
shrunk to a few bytes so that thousands of seams (and the moves of a seam that is not
compatible) are exercised on pieces of moderate size.
"""

from __future__ import annotations

import string
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tokencalc.counting import encodings, long_pieces, long_pieces_parallel
from tokencalc.counting.counter import TokenCounter
from tokencalc.counting.part_counts import classes_with_tiktoken, count_with_tiktoken
from tokencalc.tokenizers import token_classes

BASES = ["o200k_base", "cl100k_base"]

ALPHABETS = [
    "\0",
    "a",
    "=",
    "-",
    "acgt",
    string.ascii_lowercase,
    "!@#$%^&*()-=+[]{};:,.<>?",
    "ab",
    "é\u0301eßü",
    "中文字符测试",
    "\U0001f600\U0001f680",
]


@st.composite
def pieces(draw):
    alphabet = draw(st.sampled_from(ALPHABETS))
    text = draw(st.text(alphabet=alphabet, min_size=1, max_size=3000))
    if draw(st.booleans()):  # long runs of one character, with a few interruptions
        char = draw(st.sampled_from(alphabet))
        text = char * draw(st.integers(1, 4000)) + text[:20]
    return text.encode("utf-8")


def _chunks(data: bytes, sizes: list[int]) -> list[bytes]:
    out, i, k = [], 0, 0
    while i < len(data):
        size = sizes[k % len(sizes)]
        out.append(data[i : i + size])
        i += size
        k += 1
    return out


@pytest.mark.parametrize("base", BASES)
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=pieces(),
    window=st.sampled_from([8, 16, 64, 256]),
    margin=st.sampled_from([2, 4, 16, 64]),
    sizes=st.lists(st.integers(1, 700), min_size=1, max_size=5),
)
def test_windowed_piece_count_equals_tiktoken(monkeypatch, base, data, window, margin, sizes):
    monkeypatch.setattr(long_pieces, "WINDOW_BYTES", window)
    monkeypatch.setattr(long_pieces, "MARGIN_BYTES", margin)
    encoding = encodings.get_encoding(base)
    expected = encoding._encode_single_piece(data)
    emitted: list[int] = []
    assert long_pieces.count_piece_chunks(
        encoding, _chunks(data, sizes), emit=emitted.extend
    ) == len(expected)
    assert emitted == expected  # the very tokens, in order


@pytest.mark.parametrize("scale", [1, pytest.param(5, marks=pytest.mark.slow)])
@pytest.mark.parametrize("base", [b for b in encodings.ENCODINGS if b not in BASES])
def test_vendor_encodings_long_pieces(monkeypatch, base, scale):
    """Pieces of 20 or more 32-byte windows (the slow set: five times longer)."""
    monkeypatch.setattr(long_pieces, "WINDOW_BYTES", 32)
    monkeypatch.setattr(long_pieces, "MARGIN_BYTES", 8)
    encoding = encodings.get_encoding(base)
    for text in (
        "a" * (600 * scale + 1),
        "=" * 500 * scale,
        "acgtacggtca" * 40 * scale,
        "中文" * 140 * scale,
        "\0" * (200 * scale - 1),
        "!?" * 160 * scale,
    ):
        data = text.encode()
        assert long_pieces.count_piece_chunks(encoding, _chunks(data, [97])) == len(
            encoding._encode_single_piece(data)
        )


_UNIFORM_RUNS = [
    ("", "\0", ""),
    ("log\n", "\0", "\nmore"),
    (" ", "=", "\n"),
    ("x", "a", "Z"),
    ("", "é", "!"),
    ("", "中", ""),
    ("!", "-", "/"),
]
#: The runs' lengths in characters (two, for two remainders), with the windows they are counted
#: in: the default run's runs are a tenth as long as the slow set's, in windows 16 times
#: smaller, so that each still spans many windows and is skipped by period.
_UNIFORM_SIZES = {
    "tenth": ((30_001, 33_333), 1 << 10, 1 << 7),
    "full": ((300_001, 333_333), long_pieces.WINDOW_BYTES, long_pieces.MARGIN_BYTES),
}


@pytest.mark.parametrize("size", ["tenth", pytest.param("full", marks=pytest.mark.slow)])
@pytest.mark.parametrize(
    ("base", "head", "char", "tail"), [(b, *run) for b in BASES for run in _UNIFORM_RUNS]
)
def test_uniform_runs_skipped_by_period_are_exact(monkeypatch, base, head, char, tail, size):
    lengths, window, margin = _UNIFORM_SIZES[size]
    monkeypatch.setattr(long_pieces, "WINDOW_BYTES", window)
    monkeypatch.setattr(long_pieces, "MARGIN_BYTES", margin)
    encoding = encodings.get_encoding(base)
    pattern = encodings.split_pattern(base)
    for n in lengths:
        text = head + char * (n // len(char.encode())) + tail
        assert long_pieces.count_by_pieces(encoding, pattern, text) == len(
            encoding.encode_ordinary(text)
        )


@pytest.mark.parametrize("base", BASES)
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    parts=st.lists(
        st.tuples(
            st.sampled_from(["word ", "12345", "\n", "  ", "a", "=", "\0", "x.y/z", "中"]),
            st.integers(1, 300),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_text_with_long_pieces_counts_like_tiktoken(monkeypatch, base, parts):
    monkeypatch.setattr(long_pieces, "LONG_PIECE_CHARS", 64)
    monkeypatch.setattr(long_pieces, "SPAN_CHARS", 100)
    monkeypatch.setattr(long_pieces, "WINDOW_BYTES", 32)
    monkeypatch.setattr(long_pieces, "MARGIN_BYTES", 8)
    text = "".join(s * n for s, n in parts)
    encoding = encodings.get_encoding(base)
    assert long_pieces.count_by_pieces(encoding, encodings.split_pattern(base), text) == len(
        encoding.encode_ordinary(text)
    )


def test_may_hold_long_piece():
    assert not long_pieces.may_hold_long_piece("word " * 10_000, 64)
    assert long_pieces.may_hold_long_piece("word " * 100 + "x" * 64 + " end", 64)
    assert long_pieces.may_hold_long_piece("word " * 100 + " " * 64 + "end", 64)
    assert not long_pieces.may_hold_long_piece("x" * 31 + " " + "y" * 31, 64)


def test_classes_histogram_is_the_same_through_windows(monkeypatch):
    text = "Hello world, " * 50 + "\0" * 20_000 + " and " + "z" * 30_000 + "!"
    whole_count, whole = classes_with_tiktoken(text)
    monkeypatch.setattr(long_pieces, "LONG_PIECE_CHARS", 1000)
    count, histogram = classes_with_tiktoken(text)
    assert (count, histogram) == (whole_count, whole)
    monkeypatch.setattr(long_pieces, "may_hold_long_piece", lambda *a: False)
    assert classes_with_tiktoken(text) == (whole_count, whole)


@pytest.mark.parametrize(
    ("spaces", "newlines"),
    [
        (30_000, 7_000),
        pytest.param(300_000, 70_000, marks=pytest.mark.slow),
        pytest.param(1_200_000, 300_000, marks=pytest.mark.slow),
    ],
)
def test_long_whitespace_runs_are_exact(monkeypatch, spaces, newlines):
    if spaces < 100_000:  # the default run's: limits a tenth or less, as the runs
        monkeypatch.setattr(long_pieces, "LONG_PIECE_CHARS", 1 << 10)
        monkeypatch.setattr(long_pieces, "WINDOW_BYTES", 1 << 10)
        monkeypatch.setattr(long_pieces, "MARGIN_BYTES", 1 << 7)
    text = "a" + " " * spaces + "b\n" + "\n" * newlines + "c"
    assert long_pieces.may_hold_long_piece(text)
    encoding = encodings.get_encoding("o200k_base")
    # o200k_base's pieces, written out by hand: the run but its last space (\s+(?!\S)), which
    # leads "b"; the newlines as one piece (\s*[\r\n]+).
    pieces = ["a", " " * (spaces - 1), " b", "\n" * (newlines + 1), "c"]
    expected = sum(len(encoding._encode_single_piece(p.encode())) for p in pieces)
    assert count_with_tiktoken("o200k_base", text) == expected


def test_cancelled_stops_a_long_piece():
    encoding = encodings.get_encoding("o200k_base")
    calls = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) > 3

    with pytest.raises(long_pieces.Cancelled):
        long_pieces.count_piece_chunks(encoding, [b"ab" * 200_000], cancelled)
    assert len(calls) == 4


def test_small_text_with_one_long_piece_is_fast_and_exact():
    # The pure-Python BPE takes quadratic time on one piece (35 s for 40,000 letters before).
    started = time.monotonic()
    with TokenCounter(["o200k_base"]) as counter:
        assert counter.count_text("a" * 40_000).tokens == {"o200k_base": 5000}
    assert time.monotonic() - started < 10


# The parallel path (tokencalc.counting.long_pieces_parallel): fixed overlapping windows encoded on a
# thread pool, joined afterwards at a common compatible boundary.


@pytest.mark.parametrize("base", BASES)
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=pieces(),
    window=st.sampled_from([8, 16, 64, 256]),
    overlap=st.sampled_from([2, 4, 16, 64]),
    batch=st.sampled_from([1, 100, 10_000]),
)
def test_parallel_piece_count_equals_tiktoken(monkeypatch, base, data, window, overlap, batch):
    monkeypatch.setattr(long_pieces_parallel, "WINDOW_CHARS", window)
    monkeypatch.setattr(long_pieces_parallel, "OVERLAP_CHARS", overlap)
    monkeypatch.setattr(long_pieces_parallel, "BATCH_CHARS", batch)
    encoding = encodings.get_encoding(base)
    text = data.decode("utf-8")
    expected = len(encoding._encode_single_piece(data))
    assert (
        long_pieces_parallel.count_piece_parallel(
            encoding, encodings.split_pattern(base), text, 0, len(text)
        )
        == expected
    )


@pytest.mark.parametrize("length", [8_000, pytest.param(20_000, marks=pytest.mark.slow)])
@pytest.mark.parametrize("base", list(encodings.ENCODINGS))
def test_parallel_path_is_taken_and_exact(monkeypatch, base, length):
    # Moderate windows: the join must succeed (not fall back) on ordinary long pieces.
    monkeypatch.setattr(long_pieces_parallel, "WINDOW_CHARS", 512)
    monkeypatch.setattr(long_pieces_parallel, "OVERLAP_CHARS", 64)
    monkeypatch.setattr(long_pieces_parallel, "BATCH_CHARS", 4096)
    before = dict(long_pieces_parallel.stats)
    encoding = encodings.get_encoding(base)
    pattern = encodings.split_pattern(base)
    rng = __import__("random").Random(base)
    for alphabet in (
        "acgt",
        string.ascii_lowercase,
        "!@#$%^&*()-=+[]{};:,.<>?",
        "中文字符测试",
        "é\u0301eßü",
    ):
        text = "".join(rng.choices(alphabet, k=length))  # ~16 (40) windows
        expected = len(encoding._encode_single_piece(text.encode()))
        assert (
            long_pieces_parallel.count_piece_parallel(encoding, pattern, text, 0, len(text))
            == expected
        )
    assert long_pieces_parallel.stats["parallel"] - before["parallel"] >= 4


@pytest.mark.parametrize("base", BASES)
def test_text_with_aperiodic_long_pieces_counts_like_tiktoken(monkeypatch, base):
    monkeypatch.setattr(long_pieces, "LONG_PIECE_CHARS", 64)
    monkeypatch.setattr(long_pieces, "LONG_PIECE_PARALLEL_CHARS", 2000)
    monkeypatch.setattr(long_pieces_parallel, "WINDOW_CHARS", 256)
    monkeypatch.setattr(long_pieces_parallel, "OVERLAP_CHARS", 32)
    rng = __import__("random").Random(7)
    before = long_pieces_parallel.stats["parallel"]
    text = (
        "head line\n"
        + "".join(rng.choices("acgt", k=9000))
        + " tail "
        + "".join(rng.choices("!?.,;", k=5000))
        + "\n"
    )
    encoding = encodings.get_encoding(base)
    assert long_pieces.count_by_pieces(encoding, encodings.split_pattern(base), text) == len(
        encoding.encode_ordinary(text)
    )
    assert long_pieces_parallel.stats["parallel"] > before
    # Token ids (the class histogram) come from the serial path, still exact.
    ids = encodings.get_encoding(token_classes.CLASS_BASE).encode_ordinary(text)
    assert classes_with_tiktoken(text) == (
        len(ids),
        token_classes.piece_histogram(ids, token_classes.piece_table()),
    )


def test_cancelled_stops_a_parallel_piece(monkeypatch):
    monkeypatch.setattr(long_pieces_parallel, "BATCH_CHARS", 1 << 14)
    encoding = encodings.get_encoding("o200k_base")
    text = "".join(__import__("random").Random(3).choices("acgt", k=1 << 20))
    calls = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) > 3

    with pytest.raises(long_pieces.Cancelled):
        long_pieces_parallel.count_piece_parallel(
            encoding, encodings.split_pattern("o200k_base"), text, 0, len(text), cancelled
        )
    assert len(calls) == 4


def test_parallel_join_that_fails_falls_back_exactly(monkeypatch):
    # Windows that overlap past the next window leave some seams without a boundary to join at.
    monkeypatch.setattr(long_pieces_parallel, "WINDOW_CHARS", 8)
    monkeypatch.setattr(long_pieces_parallel, "OVERLAP_CHARS", 16)
    encoding = encodings.get_encoding("o200k_base")
    before = long_pieces_parallel.stats["fallback"]
    text = "a" * 24
    assert (
        long_pieces_parallel.count_piece_parallel(
            encoding, encodings.split_pattern("o200k_base"), text, 0, 24
        )
        == 3
    )
    assert long_pieces_parallel.stats["fallback"] == before + 1


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(
        alphabet=st.sampled_from(
            ["a", "é", "中", "=", "\0", "\n", " ", "/", "'", "1", "\u0301", "Z", "!"]
        ),
        min_size=1,
        max_size=60,
    ),
    lo=st.integers(0, 60),
)
def test_quick_no_cut_checks_agree_with_the_cut_pattern(text, lo):
    # The stream cutter's shortcuts (one repeated character, letters only, no letter or
    # newline) may only answer "no cut" where the cut pattern finds none.
    from tokencalc.counting import counter as counting
    from tokencalc.counting.chunking import last_safe_cut

    lo = min(lo, len(text) - 1)
    assert counting._last_cut(text, lo, "") == last_safe_cut(text, lo)


@pytest.mark.parametrize("base", BASES)
def test_span_cut_never_splits_a_run_of_spaces(monkeypatch, base):
    # Found by hypothesis: 33 spaces and a lone space before digits are two pieces in the
    # whole text, but one piece in a part cut after them.
    monkeypatch.setattr(long_pieces, "LONG_PIECE_CHARS", 64)
    monkeypatch.setattr(long_pieces, "SPAN_CHARS", 100)
    text = "word " * 27 + "\n" * 35 + "  " * 17 + "12345"
    encoding = encodings.get_encoding(base)
    expected = len(encoding.encode_ordinary(text))
    assert long_pieces.count_by_pieces(encoding, encodings.split_pattern(base), text) == expected
