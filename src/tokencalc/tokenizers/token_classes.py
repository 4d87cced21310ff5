"""Token classes: what kind of text each o200k_base token is, for the per-class estimate model.

A family whose tokenizer cannot be run offline (Gemini, Grok, a user's own family) is estimated
from the exact o200k_base tokens of the text: each token is put in one class by the script of
its letters (Latin — plain ASCII or with diacritics —, Greek, Hebrew, Han, Kana, Hangul,
Cyrillic, Arabic, Devanagari, Thai, other letters) or,
when it has no letters, as digits (counted per digit), whitespace, ASCII punctuation, or other
symbols (CJK and fullwidth punctuation, typographic dashes and quotes, emoji, …), which other
tokenizers treat quite differently from ASCII punctuation. The family's
``[tokenizers.<id>.classes]`` table in the price sheet gives that family's tokens per o200k
token of each class, and the estimate is the sum over classes, rounded up.

The class of every rank is precomputed (``data/o200k_base.classes.gz``, one byte per rank,
checked against :data:`TABLE_SHA256`; tests/test_token_classes.py rebuilds it from the
vocabulary with :func:`build_table` and compares), loaded once per process when an estimate
needs it.

Gemini's family refines each class by two features of the o200k_base token (its *piece code*):
how many tokens Gemma 3's tokenizer makes of that token's text on its own (1, 2, 3 or more) and
whether it starts with a space. These codes are precomputed too (``data/o200k_base.pieces.gz``,
one byte per rank: ``class × 6 + (length − 1) × 2 + space``, checked against
:data:`PIECE_TABLE_SHA256`; for digit tokens the length is the number of digits). The file holds
no part of Gemma's vocabulary, only these per-o200k-token figures measured with it at development
time (bench/fit_token_classes.py). A histogram made while counting holds the class counts first
and the piece-code counts after them (:func:`piece_histogram`); a family with a
``gemma3_classes`` table uses the piece codes, every other family the classes.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from tokencalc.errors import EncodingDataError

if TYPE_CHECKING:  # start-up: ``count`` imports this module; only estimates need these
    from decimal import Decimal

#: The classes, in table order: a token's class is its index here.
CLASSES: tuple[str, ...] = (
    "latin",
    "latin_extended",
    "greek",
    "hebrew",
    "han",
    "kana",
    "hangul",
    "cyrillic",
    "arabic",
    "devanagari",
    "thai",
    "other_letters",
    "digits",
    "punctuation",
    "symbols",
    "whitespace",
)
CLASS_INDEX: dict[str, int] = {name: index for index, name in enumerate(CLASSES)}
#: Table codes of digit tokens with two and with three or more digits. Digits are counted per
#: digit, not per token: o200k_base groups up to three digits in a token where most other
#: tokenizers (Gemma's, Claude's) split them further, so a token's digit count predicts better.
_DIGITS_2 = len(CLASSES)
_DIGITS_3 = len(CLASSES) + 1
_CODES = len(CLASSES) + 2

#: The encoding whose tokens are classified (the only one a class table ships for).
CLASS_BASE = "o200k_base"
TABLE_FILE = "o200k_base.classes.gz"
TABLE_SHA256 = "ca91b41424584fd50399454199941394ef32c4c7f6d60af3124e48dcf6976235"
#: Piece codes: six per class (reference length 1, 2, 3+ × without / with a leading space).
PIECE_LENGTHS = 3
PIECE_CODES = len(CLASSES) * PIECE_LENGTHS * 2
#: Entries of a histogram made while counting (:func:`piece_histogram`).
HISTOGRAM_SIZE = len(CLASSES) + PIECE_CODES
#: Names of the six numbers of one class in a ``gemma3_classes`` table, in order.
PIECE_NAMES = ("1", "1 space", "2", "2 space", "3+", "3+ space")
PIECE_TABLE_FILE = "o200k_base.pieces.gz"
PIECE_TABLE_SHA256 = "517196b85f1e9c2fc7babef809599e5959dea0249a1c8be42c836030615422a0"

# Inclusive code point ranges of each script (letters and marks in them count for the script).
_SCRIPT_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x0041, 0x005A, "latin"),
    (0x0061, 0x007A, "latin"),
    (0x00C0, 0x024F, "latin_extended"),
    (0x0250, 0x02AF, "latin_extended"),
    (0x0300, 0x036F, "latin_extended"),  # combining diacritics (mostly on Latin letters)
    (0x1E00, 0x1EFF, "latin_extended"),
    (0x2C60, 0x2C7F, "latin_extended"),
    (0xA720, 0xA7FF, "latin_extended"),
    (0xAB30, 0xAB6F, "latin_extended"),
    (0xFF21, 0xFF3A, "latin_extended"),
    (0xFF41, 0xFF5A, "latin_extended"),
    (0x0370, 0x03FF, "greek"),
    (0x1F00, 0x1FFF, "greek"),
    (0x0590, 0x05FF, "hebrew"),
    (0xFB1D, 0xFB4F, "hebrew"),
    (0x0400, 0x052F, "cyrillic"),
    (0x1C80, 0x1C8F, "cyrillic"),
    (0x2DE0, 0x2DFF, "cyrillic"),
    (0xA640, 0xA69F, "cyrillic"),
    (0x0600, 0x06FF, "arabic"),
    (0x0750, 0x077F, "arabic"),
    (0x0870, 0x08FF, "arabic"),
    (0xFB50, 0xFDFF, "arabic"),
    (0xFE70, 0xFEFF, "arabic"),
    (0x0900, 0x097F, "devanagari"),
    (0xA8E0, 0xA8FF, "devanagari"),
    (0x0E00, 0x0E7F, "thai"),
    (0x1100, 0x11FF, "hangul"),
    (0x3130, 0x318F, "hangul"),
    (0xA960, 0xA97F, "hangul"),
    (0xAC00, 0xD7FF, "hangul"),
    (0xFFA0, 0xFFDC, "hangul"),
    (0x3040, 0x30FF, "kana"),
    (0x31F0, 0x31FF, "kana"),
    (0xFF66, 0xFF9F, "kana"),
    (0x1B000, 0x1B16F, "kana"),
    (0x2E80, 0x2FDF, "han"),
    (0x3005, 0x3007, "han"),
    (0x3021, 0x3029, "han"),
    (0x3400, 0x4DBF, "han"),
    (0x4E00, 0x9FFF, "han"),
    (0xF900, 0xFAFF, "han"),
    (0x20000, 0x3FFFF, "han"),
)


def script_of(code_point: int) -> str | None:
    """The script class of a code point's range, or None outside every listed range."""
    for low, high, name in _SCRIPT_RANGES:
        if low <= code_point <= high:
            return name
    return None


def _is_letter(char: str) -> bool:
    return unicodedata.category(char)[0] in "LM"


def classify_text(text: str) -> int:
    """The table code of a token's text: its class index (see :data:`CLASSES`), or for a
    letterless token with digits one of three digit codes by its number of digits."""
    letters: dict[str, int] = {}
    digits = spaces = others = 0
    for char in text:
        if _is_letter(char):
            script = script_of(ord(char)) or "other_letters"
            letters[script] = letters.get(script, 0) + 1
        elif unicodedata.category(char)[0] == "N":
            digits += 1
        elif char.isspace():
            spaces += 1
        else:
            others += 1
    if letters:
        if "latin_extended" in letters and "latin" in letters:
            # Latin letters with diacritics anywhere make the token extended Latin (Vietnamese,
            # Turkish, …: tokenized quite differently from plain ASCII words).
            letters["latin_extended"] += letters.pop("latin")
        # The most frequent script; ties go to the earlier class.
        return min(CLASS_INDEX[name] for name, n in letters.items() if n == max(letters.values()))
    if digits:
        return CLASS_INDEX["digits"] if digits == 1 else _DIGITS_2 if digits == 2 else _DIGITS_3
    if spaces and not others:
        return CLASS_INDEX["whitespace"]
    if any(ord(char) > 0x7F and not char.isspace() for char in text):
        return CLASS_INDEX["symbols"]  # fullwidth and CJK punctuation, dashes, emoji, …
    return CLASS_INDEX["punctuation"]


def _fragment_code_point(token: bytes) -> int | None:
    """The lowest code point a UTF-8 fragment's first lead byte can start (None: no lead byte)."""
    for i, byte in enumerate(token):
        nxt = token[i + 1] & 0x3F if i + 1 < len(token) else 0
        if 0xC2 <= byte <= 0xDF:
            return ((byte & 0x1F) << 6) | nxt
        if 0xE0 <= byte <= 0xEF:
            return ((byte & 0x0F) << 12) | (nxt << 6)
        if 0xF0 <= byte <= 0xF4:
            return ((byte & 0x07) << 18) | (nxt << 12)
    return None


def classify_bytes(token: bytes) -> int:
    """The class index of one token's bytes.

    A token that is only part of a character (byte-level BPE splits rare characters) is
    classed by the script its lead byte points into, else as ``other_letters``.
    """
    text = token.decode("utf-8", "ignore")
    if text:
        whole = token.decode("utf-8", "replace")
        if whole == text or any(_is_letter(c) for c in text):
            return classify_text(text)
    code_point = _fragment_code_point(token)
    script = script_of(code_point) if code_point is not None else None
    if script is not None:
        return CLASS_INDEX[script]
    if text:
        return classify_text(text)
    return CLASS_INDEX["other_letters"]


def build_table(ranks: Iterable[tuple[bytes, int]], size: int) -> bytes:
    """One class byte per rank (ranks not listed are ``punctuation``)."""
    table = bytearray([CLASS_INDEX["punctuation"]]) * size
    for token, rank in ranks:
        table[rank] = classify_bytes(token)
    return bytes(table)


@functools.cache
def class_table() -> bytes:
    """The shipped per-rank class table of o200k_base, checked before use."""
    return _shipped_table(TABLE_FILE, TABLE_SHA256, "token class table")


def _shipped_table(name: str, sha256: str, what: str) -> bytes:
    # start-up: ``count`` imports this module; only a per-class estimate reads the tables
    import gzip
    import hashlib
    from importlib import resources

    try:
        packed = resources.files("tokencalc.data").joinpath(name).read_bytes()
    except OSError as exc:
        raise EncodingDataError(f"{what} {name} is missing from the package: {exc}") from exc
    table = gzip.decompress(packed)
    if hashlib.sha256(table).hexdigest() != sha256:
        raise EncodingDataError(f"{what} {name} is corrupt (sha256 mismatch); reinstall tokencalc")
    return table


def piece_code(class_code: int, length: int, space: bool) -> int:
    """The piece code of a token of class ``class_code`` (a :func:`classify_bytes` code; digit
    codes give the digit count as length) whose reference length is ``length``."""
    if class_code >= len(CLASSES):  # two or three digits
        class_code, length = CLASS_INDEX["digits"], 2 if class_code == _DIGITS_2 else 3
    elif class_code == CLASS_INDEX["digits"]:
        length = 1
    length = max(1, min(length, PIECE_LENGTHS))
    return (class_code * PIECE_LENGTHS + length - 1) * 2 + int(space)


@functools.cache
def piece_table() -> bytes:
    """The shipped per-rank piece codes of o200k_base, checked before use."""
    return _shipped_table(PIECE_TABLE_FILE, PIECE_TABLE_SHA256, "token piece table")


def piece_histogram(token_ids: Sequence[int], pieces: bytes) -> tuple[int, ...]:
    """Tokens per class (as :func:`histogram`) followed by tokens per piece code."""
    codes = bytes(map(pieces.__getitem__, token_ids))
    fine = [codes.count(code) for code in range(PIECE_CODES)]
    return _with_classes(fine)


def piece_histogram_of_buffer(ids: bytes, pieces: bytes) -> tuple[int, ...]:
    """:func:`piece_histogram` of token ids given as a little-endian uint32 buffer (a fast
    backend's output): with numpy when it is installed and the buffer is big enough to repay
    importing it, else one pass in Python."""
    numpy = _numpy() if len(ids) >= NUMPY_FROM_BYTES else None
    if numpy is None:
        return piece_histogram(memoryview(ids).cast("I"), pieces)
    codes = numpy.frombuffer(pieces, dtype=numpy.uint8)[numpy.frombuffer(ids, dtype="<u4")]
    fine = numpy.bincount(codes, minlength=PIECE_CODES)
    return _with_classes([int(n) for n in fine[:PIECE_CODES]])


#: Importing numpy costs ~0.1-0.2 s; histogramming 50,000 ids in Python ~4 ms.
NUMPY_FROM_BYTES = 4 * 50_000


@functools.lru_cache(maxsize=1)
def _numpy() -> Any:
    try:
        import numpy  # optional: only to histogram a fast backend's ids quickly
    except ImportError:
        return None
    return numpy


def _with_classes(fine: Sequence[int]) -> tuple[int, ...]:
    per_class = PIECE_LENGTHS * 2
    coarse = [sum(fine[c * per_class : (c + 1) * per_class]) for c in range(len(CLASSES))]
    digits = CLASS_INDEX["digits"] * per_class
    coarse[CLASS_INDEX["digits"]] = sum(
        (i // 2 + 1) * n for i, n in enumerate(fine[digits : digits + per_class])
    )
    return (*coarse, *fine)


def histogram(token_ids: Sequence[int], table: bytes) -> tuple[int, ...]:
    """Tokens per class of a sequence of o200k_base token ids (digits: digits in digit tokens)."""
    classes = bytes(map(table.__getitem__, token_ids))
    counts = [classes.count(index) for index in range(_CODES)]
    counts[CLASS_INDEX["digits"]] += 2 * counts[_DIGITS_2] + 3 * counts[_DIGITS_3]
    return tuple(counts[: len(CLASSES)])


def add_histograms(a: Sequence[int], b: Sequence[int]) -> tuple[int, ...]:
    if not a:
        return tuple(b)
    if not b:
        return tuple(a)
    # a class histogram may meet one with piece codes: the shorter decides, as it always did
    return tuple(x + y for x, y in zip(a, b, strict=False))


def estimate_tokens(
    histogram_: Sequence[int],
    ratios: Mapping[str, Decimal],
    pieces: Mapping[str, Sequence[Decimal]] | None = None,
) -> int:
    """``ceil(Σ tokens of class × ratio of class)``, or with ``pieces`` (a ``gemma3_classes``
    table) and a histogram that has piece codes, ``ceil(Σ tokens of code × ratio of code)``."""
    from decimal import ROUND_CEILING, Decimal  # start-up: see the imports above

    if pieces is not None and len(histogram_) == len(CLASSES) + PIECE_CODES:
        fine = histogram_[len(CLASSES) :]
        per_class = PIECE_LENGTHS * 2
        total = sum(
            (
                Decimal(n) * pieces[CLASSES[code // per_class]][code % per_class]
                for code, n in enumerate(fine)
                if n
            ),
            Decimal(0),
        )
    else:
        total = sum(
            # the classes are the histogram's first entries; piece codes may follow
            (Decimal(n) * ratios[name] for name, n in zip(CLASSES, histogram_, strict=False) if n),
            Decimal(0),
        )
    return int(total.to_integral_value(rounding=ROUND_CEILING))
