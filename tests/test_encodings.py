"""Offline tokenizers: shipped files, hash checks, the rank-table cache, model names."""

from __future__ import annotations

import functools
import gzip
import hashlib
import zlib
from importlib import resources
from pathlib import Path

import pytest

from tokencalc.counting import encodings
from tokencalc.errors import EncodingDataError, UnknownModelError


@pytest.fixture
def fresh_tables(monkeypatch):
    """No per-process tables for this test, so that it loads from disk (its own TOKENCALC_HOME);
    the session's tables come back after it."""
    monkeypatch.setattr(encodings, "rank_table", functools.cache(encodings.rank_table.__wrapped__))


@pytest.mark.parametrize("name", ["o200k_base", "cl100k_base"])
def test_shipped_files_have_the_hashes_tiktoken_expects(name):
    import tiktoken_ext.openai_public as openai_public

    spec = encodings.ENCODINGS[name]
    raw = gzip.decompress((resources.files("tokencalc.data") / spec.data_file).read_bytes())
    assert hashlib.sha256(raw).hexdigest() == spec.sha256
    # The hash is the one tiktoken itself checks downloads against.
    source = Path(openai_public.__file__).read_text(encoding="utf-8")
    assert spec.sha256 in source


@pytest.mark.parametrize("name", ["o200k_base", "cl100k_base", "o200k_harmony"])
def test_patterns_and_specials_match_installed_tiktoken(name, monkeypatch):
    import tiktoken_ext.openai_public as openai_public

    # Give tiktoken's constructor our ranks instead of letting it download anything.
    monkeypatch.setattr(openai_public, "load_tiktoken_bpe", lambda *a, **k: {})
    theirs = openai_public.ENCODING_CONSTRUCTORS[name]()
    ours = encodings.ENCODINGS[encodings.canonical_encoding(name)]
    assert ours.pattern == theirs["pat_str"]
    if name != "o200k_harmony":
        assert ours.special_tokens == theirs["special_tokens"]


def test_tiktoken_downloader_is_never_used(monkeypatch, fresh_tables):
    import tiktoken.load

    def refuse(*args, **kwargs):
        raise AssertionError("tiktoken tried to fetch a file")

    monkeypatch.setattr(tiktoken.load, "read_file", refuse)
    monkeypatch.setattr(tiktoken.load, "read_file_cached", refuse)
    monkeypatch.setattr(
        encodings, "get_encoding", functools.cache(encodings.get_encoding.__wrapped__)
    )
    assert len(encodings.get_encoding("cl100k_base").encode_ordinary("offline")) == 1


def test_damaged_shipped_file_is_refused(monkeypatch, fresh_tables):
    spec = encodings.ENCODINGS["cl100k_base"]
    broken = encodings.EncodingSpec(
        spec.name, spec.data_file, "0" * 64, spec.pattern, spec.special_tokens
    )
    monkeypatch.setitem(encodings.ENCODINGS, "cl100k_base", broken)
    with pytest.raises(EncodingDataError, match="expected 0000"):
        encodings.rank_table("cl100k_base")


#: The head of cl100k_base's shipped file the cache tests build their tables from (ranks below
#: 20,000: "hello" is 15339). What the cache stores, checks and rebuilds does not depend on the
#: vocabulary's size, and a whole one costs ~0.2 s of CPU a build; the session's own tables
#: (tests/conftest.py) are built and stored from the whole files.
HEAD_RANKS = 20_000


@functools.cache
def _head_of_cl100k() -> bytes:
    raw = encodings._read_verified_rank_file(encodings.ENCODINGS["cl100k_base"])
    return b"".join(line + b"\n" for line in raw.splitlines()[:HEAD_RANKS])


@pytest.fixture
def source_reads(monkeypatch, fresh_tables) -> list[str]:
    """The encodings whose shipped file was read (a table built from it, not from the cache);
    each read of cl100k_base's gives the head of the real, hash-checked file."""
    reads: list[str] = []
    head = _head_of_cl100k()

    def read(spec: encodings.EncodingSpec) -> bytes:
        reads.append(spec.name)
        assert spec.name == "cl100k_base"
        return head

    monkeypatch.setattr(encodings, "_read_verified_rank_file", read)
    return reads


def test_rank_table_is_cached_and_a_corrupt_cache_is_rebuilt(source_reads, tmp_path, monkeypatch):
    monkeypatch.setenv("TOKENCALC_CACHE_DIR", str(tmp_path))
    first = encodings.rank_table("cl100k_base")
    assert (len(first), first.get(b"hello"), source_reads) == (HEAD_RANKS, 15339, ["cl100k_base"])
    (cache_file,) = tmp_path.glob("cl100k_base-*.ranks")
    encodings.rank_table.cache_clear()
    assert encodings.rank_table("cl100k_base").to_dict() == first.to_dict()
    assert len(source_reads) == 1  # from the cache

    data = bytearray(cache_file.read_bytes())
    data[len(data) // 2] ^= 0xFF  # a flipped bit in the payload
    cache_file.write_bytes(bytes(data))
    encodings.rank_table.cache_clear()
    rebuilt = encodings.rank_table("cl100k_base")
    assert len(source_reads) == 2  # from the shipped file
    assert rebuilt.to_dict() == first.to_dict()
    assert cache_file.read_bytes() != bytes(data)  # rewritten whole

    cache_file.write_bytes(cache_file.read_bytes()[:1000])  # half-written
    encodings.rank_table.cache_clear()
    assert encodings.rank_table("cl100k_base").get(b"hello") == first.get(b"hello")
    assert len(source_reads) == 3


def test_a_table_cached_by_an_older_version_is_rebuilt(source_reads, tmp_path, monkeypatch):
    """TKRT1 tables carried a sha256 of their payload; TKRT2 a CRC-32 (no hashlib at start-up)."""
    monkeypatch.setenv("TOKENCALC_CACHE_DIR", str(tmp_path))
    first = encodings.rank_table("cl100k_base")
    (cache_file,) = tmp_path.glob("cl100k_base-*.ranks")
    current = cache_file.read_bytes()
    assert current.startswith(b"TKRT2\n")
    payload = current[46:]  # magic 6, source sha256 32, CRC-32 4, count 4
    assert int.from_bytes(current[38:42], "little") == zlib.crc32(payload)
    old = b"TKRT1\n" + current[6:38] + hashlib.sha256(payload).digest() + current[42:46] + payload
    cache_file.write_bytes(old)
    encodings.rank_table.cache_clear()
    assert encodings.rank_table("cl100k_base").get(b"hello") == first.get(b"hello") == 15339
    assert source_reads == ["cl100k_base"] * 2
    assert cache_file.read_bytes() == current  # rebuilt in the current format


def test_unwritable_cache_still_counts(source_reads, tmp_path, monkeypatch):
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x")
    monkeypatch.setenv("TOKENCALC_CACHE_DIR", str(blocker / "cache"))
    assert encodings.rank_table("cl100k_base").get(b"hello") == 15339
    assert source_reads == ["cl100k_base"]


def test_rank_table_lookup_matches_the_rank_file():
    table = encodings.rank_table("o200k_base")
    ranks = encodings.parse_rank_file(
        gzip.decompress((resources.files("tokencalc.data") / "o200k_base.tiktoken.gz").read_bytes())
    )
    assert len(table) == len(ranks) == encodings.ENCODINGS["o200k_base"].n_vocab
    for token in [b"hello", b" world", b"\n\n", b"\xe4\xb8\xad", b"!"]:
        assert table.get(token) == ranks[token]
    assert table.get(b"\xff\xfe\xfd-not-a-token") is None
    assert table.to_dict() == ranks


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("gpt-4o", "o200k_base"),
        ("gpt-4o-mini", "o200k_base"),
        ("gpt-5", "o200k_base"),
        ("gpt-6", "o200k_base"),
        ("gpt-6.1-mini", "o200k_base"),
        ("gpt-4", "cl100k_base"),
        ("gpt-3.5-turbo", "cl100k_base"),
        ("text-embedding-3-small", "cl100k_base"),
        ("gpt-oss-120b", "o200k_harmony"),
    ],
)
def test_encoding_for_model(model, expected):
    assert encodings.encoding_for_model(model) == expected


def test_unknown_model_and_encoding():
    with pytest.raises(UnknownModelError):
        encodings.encoding_for_model("not-a-model")
    with pytest.raises(EncodingDataError, match="unknown encoding 'p50k_base'"):
        encodings.canonical_encoding("p50k_base")


def _tiktoken_calls_a_letter(ch: str) -> bool:
    # After a letter, "\n/:" is split off; after punctuation (unassigned), o200k keeps "\n/" with it.
    encoding = encodings.get_encoding("o200k_base")
    return len(encoding.encode_ordinary(ch + "\n/:")) == len(encoding.encode_ordinary(ch)) + len(
        encoding.encode_ordinary("\n/:")
    )


def test_installed_tiktoken_knows_at_least_the_unicode_we_assume():
    assert encodings.TIKTOKEN_UNICODE == (16, 0, 0)
    assert _tiktoken_calls_a_letter("\U00010d4a")  # GARAY letter, new in Unicode 16.0
    assert _tiktoken_calls_a_letter("\U00031350")  # CJK Extension H, Unicode 15.0


def test_characters_newer_than_tiktoken_are_not_trusted_to_the_regex_module():
    assert encodings.tables_agree_on("plain ASCII")
    assert encodings.tables_agree_on("中文 é 😀")
    assert not encodings.tables_agree_on("x\U000323b0")  # CJK Extension J, Unicode 17
    assert not encodings.tables_agree_on("lone \ud800 surrogate")
