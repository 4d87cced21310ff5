"""The fast backends: exact against tiktoken wherever tokencalc lets them count, or not used at all.

Every installed, verified backend is tested for every encoding it claims: its vocabulary is the
shipped hash-checked rank file, its counts equal tiktoken's on random and adversarial text and
on a sweep of every code point the guard lets through, and it gives the same counts from many
threads at once. A backend that is not installed skips these tests (``pip install -e '.[test]'``
installs them where wheels exist).
"""

from __future__ import annotations

import functools
import importlib
import sys
import threading
import unicodedata
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from strategies import tricky_text
from tokencalc.counting import counter as counting
from tokencalc.counting import encodings, fast_backend, part_counts, unicode_guard
from tokencalc.counting.fast_backend import BACKENDS, Backend, FastBackendWarning

CASES = [(backend, encoding) for backend in BACKENDS for encoding in backend.encodings]


def case_id(case: tuple[Backend, str]) -> str:
    return f"{case[0].name}-{case[1]}"


@pytest.fixture(autouse=True)
def _fresh_backend_state(monkeypatch):
    monkeypatch.delenv(fast_backend.ENV_VARIABLE, raising=False)
    fast_backend.reset()
    yield
    fast_backend.reset()


@functools.lru_cache(maxsize=4096)
def reference(encoding: str, text: str) -> int:
    return len(encodings.get_encoding(encoding).encode_ordinary(text))


@pytest.fixture(params=CASES, ids=case_id)
def loaded(request):
    """(backend, encoding, its count function), straight from the backend package."""
    backend, encoding = request.param
    module = pytest.importorskip(backend.module)
    assert module.__version__ in backend.verified_versions, (
        "the test extra pins the verified version"
    )
    return backend, encoding, backend.load(module, encoding)


def _tokenizer_object(backend: Backend, encoding: str):
    module = importlib.import_module(backend.module)
    return module._encoding(encoding) if backend.name == "toktok" else module.get_encoding(encoding)


@pytest.mark.slow  # whole vocabularies, token by token: the default run compares counts
def test_vocabulary_is_the_shipped_rank_file(loaded):
    backend, encoding, _ = loaded
    tokenizer = _tokenizer_object(backend, encoding)
    ranks = encodings.parse_rank_file(
        encodings._read_verified_rank_file(encodings.ENCODINGS[encoding])
    )
    by_rank = {rank: token for token, rank in ranks.items()}
    assert sorted(by_rank) == list(range(len(ranks)))
    assert [tokenizer.decode_single_token_bytes(rank) for rank in range(len(ranks))] == [
        by_rank[rank] for rank in range(len(ranks))
    ]
    special = encodings.ENCODINGS[encoding].special_tokens
    assert tokenizer.max_token_value == max(special.values())


def test_stored_self_check_counts_are_tiktokens():
    for encoding, counts in fast_backend.SELF_CHECK_COUNTS.items():
        assert tuple(reference(encoding, text) for text in fast_backend.SELF_CHECK_TEXTS) == counts


def test_self_check_passes(loaded):
    _, encoding, count = loaded
    assert fast_backend.self_check_failure(count, encoding) is None


ADVERSARIAL = [
    "",
    "\n \n",
    ")\n/",
    "-" * 499 + "\n",
    "\u180e'a",
    "hell",
    "a" * 20_000,
    " " * 20_000 + "x",
    "\t" * 20_000,
    "\r\n" * 5000,
    "'s'S'll'LL've're'd'm't",
    "1234567890" * 100,
    "<|endoftext|><|fim_prefix|>",
    "😀" * 1000,
    "👩‍👩‍👧‍👦🇫🇷",
    "e\u0301" * 300,
    "\u3000\u00a0\u2028\x0b\x0c",
    "中文" * 5000 + "\n\n  x",
    "def f(x):\r\n    return x  # ok\r\n",
    "   \n\n\n   \n",
    "  /  //  ///",
    "x" * 999 + "\n/" + "y",
]


#: The runs of ADVERSARIAL at full length (the slow set; the default run has them at 20,000).
FULL_LENGTH_RUNS = ["a" * 1_000_000, " " * 300_000 + "x", "\t" * 70_000]


def test_adversarial_texts(loaded):
    _, encoding, count = loaded
    for text in ADVERSARIAL:
        assert unicode_guard.backend_agrees_on(text)
        assert count(text) == reference(encoding, text), text[:30]


@pytest.mark.slow
def test_full_length_runs(loaded):
    _, encoding, count = loaded
    for text in FULL_LENGTH_RUNS:
        assert count(text) == reference(encoding, text), text[:30]


LONG_WHITESPACE = "a" + " " * 1_000_000 + "b\n" + "\t" * 200_000


@functools.cache  # one fallback count per encoding, for every backend
def _fallback_count(encoding: str) -> int:
    return part_counts.count_with_tiktoken(encoding, LONG_WHITESPACE)


def test_long_whitespace_run_equals_the_fallback(loaded):
    # tiktoken itself panics on ~1,000,000 spaces: compare with tokencalc's exact fallback.
    _, encoding, count = loaded
    assert count(LONG_WHITESPACE) == _fallback_count(encoding)


_MIXED = st.text(
    st.one_of(
        st.characters(exclude_categories=["Cs"]),  # every plane, unassigned and new code points too
        st.sampled_from(
            " \t\n\r'sSdt0123456789/-_.,:;!?()[]{}\"aA中日本語한국어العربيةé\u0301😀\u200d"
        ),
    ),
    max_size=80,
)


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(tricky_text, _MIXED, st.lists(tricky_text, max_size=6).map("\n".join)))
def test_differential_against_tiktoken(text):
    for backend, encoding in CASES:
        module = sys.modules.get(backend.module) or _try_import(backend.module)
        if module is None:
            continue
        count = backend.load(module, encoding)
        if unicode_guard.backend_agrees_on(text):
            assert count(text) == reference(encoding, text), (backend.name, encoding, text)
        # Whatever the guard decides, tokencalc's own count is tiktoken's.
    for encoding in ("o200k_base", "cl100k_base"):
        assert part_counts.count_exact(encoding, text) == reference(encoding, text)


def _try_import(name: str):
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


@functools.cache
def _code_points_the_guard_lets_through() -> tuple[str, ...]:
    passed = tuple(chr(c) for c in range(0x110000) if unicode_guard.backend_agrees_on(chr(c)))
    assert len(passed) > 1_000_000  # unassigned code points included: unassigned to both
    return passed


@pytest.mark.slow
def test_every_code_point_the_guard_lets_through(loaded):
    """Each code point in a few contexts (after letters, digits, apostrophes, newlines), in blocks."""
    _, encoding, count = loaded
    _assert_counts_agree_in_context(encoding, count, _code_points_the_guard_lets_through())


@functools.cache  # the same sample for every backend and encoding (~0.2 s to find)
def _a_sample_of_the_code_points_the_guard_lets_through() -> tuple[str, ...]:
    category = [unicodedata.category(chr(c)) for c in range(0x110000)]
    edges = [c for c in range(1, 0x110000) if category[c] != category[c - 1]]
    around = [c for low, high in unicode_guard.NEWER_THAN_TIKTOKEN for c in (low - 1, high + 1)]
    candidates = sorted({*range(0, 0x110000, 61), *edges, *around})
    return tuple(chr(c) for c in candidates if unicode_guard.backend_agrees_on(chr(c)))


def test_a_sample_of_the_code_points_the_guard_lets_through(loaded):
    """The default run's share of the sweep above: every 61st code point, each one where
    Unicode's general category changes (where a script or a block begins), and those on either
    side of each range the guard stops, of those the guard lets through."""
    _, encoding, count = loaded
    sample = _a_sample_of_the_code_points_the_guard_lets_through()
    assert len(sample) > 5_000
    _assert_counts_agree_in_context(encoding, count, sample)


def _assert_counts_agree_in_context(encoding: str, count, passed) -> None:
    wrong = []
    block = 512
    for start in range(0, len(passed), block):
        text = "".join(
            f"a{ch}b {ch}{ch}'s 1{ch}\n{ch} /{ch}\r\n" for ch in passed[start : start + block]
        )
        if count(text) != reference(encoding, text):
            wrong.append(hex(ord(passed[start])))
    assert wrong == []


def test_counts_from_many_threads_at_once(loaded):
    _, _encoding, count = loaded
    texts = [f"thread text {i} " * (i % 50 + 1) + "中文 😀\n" * (i % 7) for i in range(400)]
    expected = [count(text) for text in texts]
    results: dict[int, list[int]] = {}

    def work(worker: int) -> None:
        results[worker] = [count(text) for text in texts]

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(results[n] == expected for n in range(4))


# --- choosing, self-check and fallbacks ----------------------------------------------------------


def _stand_in(monkeypatch, backend: Backend) -> None:
    monkeypatch.setattr(fast_backend, "BACKENDS", (backend,))


def test_a_wrong_backend_is_disabled_with_one_warning(monkeypatch):
    def wrong(module, encoding):
        return len  # characters, not tokens

    _stand_in(
        monkeypatch,
        Backend("fake", "fake-dist", "json", ("x",), ("o200k_base", "cl100k_base"), wrong),
    )
    monkeypatch.setattr(sys.modules["json"], "__version__", "x", raising=False)
    # both calls inside the block: the second must not warn again (one warning in all)
    with pytest.warns(FastBackendWarning, match="fake .*tiktoken counts") as caught:  # noqa: PT031
        assert fast_backend.counter_for("o200k_base") is None
        assert fast_backend.counter_for("cl100k_base") is None  # not tried again
    assert len(caught) == 1
    assert fast_backend.active_backend("o200k_base") == "tiktoken"
    assert part_counts.count_exact("o200k_base", "hello world") == 2


def test_an_unverified_version_is_not_used(monkeypatch):
    _stand_in(
        monkeypatch,
        Backend("fake", "fake-dist", "json", ("0.0.0",), ("o200k_base",), lambda m, e: len),
    )
    monkeypatch.setattr(sys.modules["json"], "__version__", "9.9", raising=False)
    with pytest.warns(
        FastBackendWarning, match="fake-dist 9.9 is installed; tokencalc verified only 0.0.0"
    ):
        assert fast_backend.counter_for("o200k_base") is None


def test_a_backend_that_cannot_be_imported_warns(monkeypatch, tmp_path):
    (tmp_path / "broken_backend_mod.py").write_text("raise RuntimeError('bad build')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    _stand_in(
        monkeypatch,
        Backend(
            "fake", "fake-dist", "broken_backend_mod", ("1",), ("o200k_base",), lambda m, e: len
        ),
    )
    with pytest.warns(FastBackendWarning, match="cannot be imported .*bad build"):
        assert fast_backend.counter_for("o200k_base") is None


def test_a_backend_that_is_not_installed_is_silent(monkeypatch):
    _stand_in(
        monkeypatch,
        Backend(
            "fake", "fake-dist", "no_such_module_xyz", ("1",), ("o200k_base",), lambda m, e: len
        ),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert fast_backend.counter_for("o200k_base") is None
        assert part_counts.count_exact("o200k_base", "hello world") == 2


def test_a_backend_that_fails_to_load_warns(monkeypatch):
    def fails(module, encoding):
        raise OSError("vocabulary missing")

    monkeypatch.setattr(sys.modules["json"], "__version__", "1", raising=False)
    _stand_in(monkeypatch, Backend("fake", "fake-dist", "json", ("1",), ("o200k_base",), fails))
    with pytest.warns(FastBackendWarning, match="failed to load .*vocabulary missing"):
        assert fast_backend.counter_for("o200k_base") is None


def test_environment_variable_chooses(monkeypatch):
    monkeypatch.setenv(fast_backend.ENV_VARIABLE, "tiktoken")
    assert fast_backend.active_backend("o200k_base") == "tiktoken"
    fast_backend.reset()
    monkeypatch.setenv(fast_backend.ENV_VARIABLE, "nonsense")
    with pytest.warns(FastBackendWarning, match="not a known backend"):
        assert fast_backend.counter_for("o200k_base") is None


def test_encodings_no_backend_verified_stay_on_tiktoken():
    assert fast_backend.counter_for("some_future_encoding") is None


def test_a_backend_that_raises_on_a_text_falls_back(monkeypatch):
    def raising(module, encoding):
        def count(text):
            if text == "boom":
                raise ValueError("cannot")
            return fast_backend.SELF_CHECK_COUNTS[encoding][
                fast_backend.SELF_CHECK_TEXTS.index(text)
            ]

        return count

    monkeypatch.setattr(sys.modules["json"], "__version__", "1", raising=False)
    _stand_in(monkeypatch, Backend("fake", "fake-dist", "json", ("1",), ("o200k_base",), raising))
    assert fast_backend.active_backend("o200k_base") == "fake"
    assert part_counts.count_exact("o200k_base", "boom") == reference("o200k_base", "boom")


# --- streams: blocks screened as they are read ----------------------------------------------


def _needs_a_backend() -> None:
    if fast_backend.active_backend("o200k_base") == "tiktoken":
        pytest.skip("no fast backend installed")


#: Stream sizes: (first block, lines after it, counting's PART_CHARS). The default run's stream
#: is 16 times smaller than the real one (the slow set's), with parts as much smaller, so that
#: the first block still holds four parts and the seams fall where they do at full size.
STREAM_SIZES = {"small": (1 << 16, 250, 1 << 14), "full": (1 << 20, 4_000, counting.PART_CHARS)}
SIZES = ["small", pytest.param("full", marks=pytest.mark.slow)]


def _stream_text(listed: str, at_end: bool = True, size: str = "full") -> tuple[str, list[bytes]]:
    """~1.4 MB (small: ~90 kB) of mixed text cut into blocks of 1 MiB (64 KiB), 7 bytes and odd
    sizes, with ``listed`` (a character the guard stops) right across the first block boundary
    and, if ``at_end``, near the end; each time after letters and before "\n/:", where a backend
    that took a CJK Extension J character for a letter would count one token less than
    tiktoken."""
    first, lines, _ = STREAM_SIZES[size]
    line = "Prose and code() with 中文字符，emoji 😀 and “quotes” — 12,345.67.\n"
    head = ("An ASCII line of prose.\n" * (first // 24 + 1))[: first - 3] + "ab"
    text = head + listed + "\n/:" + line * lines + (listed if at_end else "") + "\n/:" + line
    data = text.encode("utf-8")
    if listed:  # its first byte ends the first block, the others begin the second
        assert data[first - 1 : first - 1 + len(listed.encode())] == listed.encode()
    blocks = [data[:first]]
    position = first
    for block in (7, 1, 2, 65_537):
        blocks.append(data[position : position + block])
        position += block
    while position < len(data):
        blocks.append(data[position : position + first])
        position += first
    return text, blocks


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("listed", ["\u20c1", "\U000323b0", "\u0295", ""])
def test_streams_count_as_tiktoken_with_listed_characters_at_block_seams(monkeypatch, listed, size):
    _needs_a_backend()
    monkeypatch.setattr(counting, "PART_CHARS", STREAM_SIZES[size][2])
    text, blocks = _stream_text(listed, size=size)
    assert b"".join(blocks).decode("utf-8") == text
    assert len(blocks[0]) >= 4 * counting.PART_CHARS
    with counting.TokenCounter(["o200k_base", "cl100k_base"], tokens_only=True) as counter:
        counts = counter.count_stream(blocks)
    for encoding in ("o200k_base", "cl100k_base"):
        expected = len(encodings.get_encoding(encoding).encode_ordinary(text))
        assert counts.tokens[encoding] == expected


@pytest.mark.parametrize("size", SIZES)
def test_screened_parts_skip_the_text_guard_and_others_take_it(monkeypatch, size):
    _needs_a_backend()
    monkeypatch.setattr(counting, "PART_CHARS", STREAM_SIZES[size][2])
    calls: list[int] = []
    original = unicode_guard.backend_agrees_on

    def spy(text: str) -> bool:
        calls.append(len(text))
        return original(text)

    monkeypatch.setattr(unicode_guard, "backend_agrees_on", spy)
    clean, blocks = _stream_text("", size=size)
    with counting.TokenCounter(["o200k_base"], tokens_only=True) as counter:
        assert counter.count_stream(blocks).tokens["o200k_base"] == reference("o200k_base", clean)
    assert calls == []
    text, blocks = _stream_text("\U000323b0", at_end=False, size=size)  # across two blocks only
    with counting.TokenCounter(["o200k_base"], tokens_only=True) as counter:
        assert counter.count_stream(blocks).tokens["o200k_base"] == reference("o200k_base", text)
    assert calls  # the part that may hold the character was checked (and went to tiktoken)


# --- token ids (the per-class histogram of estimate) ---------------------------------------------


def _ids_encoder():
    pytest.importorskip("toktok")
    encoder = fast_backend.ids_for("o200k_base")
    assert encoder is not None, "toktok is installed and verified: it must encode ids"
    return encoder


def _ids(buffer: bytes) -> list[int]:
    return list(memoryview(buffer).cast("I"))


def test_fast_ids_are_tiktokens_on_adversarial_texts():
    encoder = _ids_encoder()
    tiktoken_o200k = encodings.get_encoding("o200k_base")
    for text in ADVERSARIAL:
        assert _ids(encoder(text)) == tiktoken_o200k.encode_ordinary(text), text[:30]


@pytest.mark.slow
def test_fast_ids_are_tiktokens_on_full_length_runs():
    encoder = _ids_encoder()
    tiktoken_o200k = encodings.get_encoding("o200k_base")
    for text in FULL_LENGTH_RUNS:
        assert _ids(encoder(text)) == tiktoken_o200k.encode_ordinary(text), text[:30]


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(tricky_text, _MIXED, st.lists(tricky_text, max_size=6).map("\n".join)))
def test_fast_ids_differential_against_tiktoken(text):
    if _try_import("toktok") is None:
        return
    fast_backend.reset()
    encoder = fast_backend.ids_for("o200k_base")
    assert encoder is not None
    if encodings.tables_agree_on(text):
        assert _ids(encoder(text)) == encodings.get_encoding("o200k_base").encode_ordinary(text)
    # Whatever the backend, the histogram tokencalc makes is the one of tiktoken's ids.
    from tokencalc.tokenizers import token_classes

    ids = encodings.get_encoding("o200k_base").encode_ordinary(text)
    assert part_counts.classes_with_tiktoken(text) == (
        len(ids),
        token_classes.piece_histogram(ids, token_classes.piece_table()),
    )


def test_histogram_of_a_buffer_is_the_same_with_and_without_numpy(monkeypatch):
    from tokencalc.tokenizers import token_classes

    text = 'def f(x):\n    return {"a": 12345, "b": "你好 мир"}  # ok 😀\n' * 3000
    ids = encodings.get_encoding("o200k_base").encode_ordinary(text)
    buffer = b"".join(i.to_bytes(4, "little") for i in ids)
    table = token_classes.piece_table()
    expected = token_classes.piece_histogram(ids, table)
    assert token_classes.piece_histogram_of_buffer(buffer, table) == expected
    monkeypatch.setattr(token_classes, "_numpy", lambda: None)
    assert token_classes.piece_histogram_of_buffer(buffer, table) == expected


def test_no_ids_without_a_verified_toktok(monkeypatch):
    monkeypatch.setenv(fast_backend.ENV_VARIABLE, "tiktoken")
    fast_backend.reset()
    assert fast_backend.ids_for("o200k_base") is None
