"""Claude text → the marked stream that the reconstructed vocabulary tiles (see claude_tiling).

Claude's tokenizers (Claude 3 … Opus 4.6, and Opus 4.7 onwards) are not public. The
reconstruction published as ``ctok`` (MIT, Sander Land) describes them as a rewrite of the text
into a *marked stream* followed by a minimum-count tiling over a measured vocabulary. This module
is tokencalc's own implementation of the rewrite; every rule below is a measured fact about
Anthropic's ``count_tokens`` that ctok's documentation and recorded counts establish:

1. normalise: lone surrogates → U+FFFD, NFC, drop C0/C1 controls except TAB/LF (NUL reads as a
   space), compose Thai SARA AM, drop BMP private use, fold the four curly quotes (v3 only), read
   the other space separators as U+0020;
2. cut the text into runs: letters (``word``), unattached combining marks (``stray``), ASCII
   punctuation and symbols (``punct``), digits, whitespace, and everything else (``hard``, itself
   cut where the kind of character changes: punctuation-like, border digit, letter);
3. write each run with its markers: words get ⟨bow⟩…⟨eow⟩ and case markers (⟨shift⟩ for a title-case
   word, ⟨caps⟩ for an all-capital word of 4+ letters, v3 only); punctuation, border digits and
   separator marks get ⟨bow⟩ / ⟨eow⟩ on a side that touches a single space; a lone apostrophe
   before an English contraction suffix is that word's opening boundary;
4. a single space between ⟨eow⟩ and the next ⟨bow⟩ (the *seam*) is not written at all.

Markers are private-use code points: normalisation removes every BMP private-use character from
the text, so a marker can never be confused with input.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from typing import Final

import regex

BOW: Final = "\ue000"
EOW: Final = "\ue001"
SHIFT: Final = "\ue002"
CAPS: Final = "\ue003"
MARKERS: Final = frozenset((BOW, EOW, SHIFT, CAPS))


@dataclass(frozen=True)
class StreamRules:
    """The scalars in which the tokenizer generations differ before tiling."""

    fold_quotes: bool  # v3 reads ‘ ’ “ ” as ' and "
    caps_from: int | None  # shortest all-capital word written ⟨caps⟩ + lowercase (None: never)
    frame_bow: bool  # the message frame ends in ⟨bow⟩, which absorbs one leading space


# ---- normalisation -------------------------------------------------------------------------------

_SURROGATES = re.compile("[\ud800-\udfff]")
_CONTROLS = re.compile("[\x01-\x08\x0b-\x1f\x7f-\x9f]")
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
_AS_SPACE = re.compile("[\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f]")
_CURLY = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def normalise(text: str, fold_quotes: bool) -> str:
    """The text as the tokenizer reads it."""
    text = unicodedata.normalize("NFC", _SURROGATES.sub("\ufffd", text))
    # The order is measured: SARA AM composes across a removed control but not across removed
    # private use.
    text = _CONTROLS.sub("", text).replace("\x00", " ").replace("\u0e4d\u0e32", "\u0e33")
    text = _PRIVATE_USE.sub("", text)
    if fold_quotes:
        text = text.translate(_CURLY)
    return _AS_SPACE.sub(" ", text)


# ---- classes of characters ----------------------------------------------------------------------
# One code per character: w letter, m combining mark that may stand unattached, p ASCII
# punctuation/symbol (and a few measured non-ASCII ones), d digit that tiles with ASCII digits,
# s whitespace; hard characters are P (punctuation-like: takes border markers), N (non-ASCII digit
# or other number: takes border markers), L (letter-like: no markers), V (variation selector).

#: Non-ASCII symbols measured to tile with ASCII punctuation (no category rule predicts them).
_PUNCT_LIKE_ASCII: Final = frozenset("—»«•°„–−£§€…√→（№†└│།·─═█")
#: CJK-block symbols measured to take no border markers, like the block's punctuation.
_CJK_SYMBOLS: Final = frozenset("〄〒〓〠〶〷〾〿")
#: Blocks whose symbol-letters take the full word model (measured per block, not per category).
_WORDY_BLOCKS: Final = ((0x16EE, 0x16F0), (0x2160, 0x2188), (0x24B6, 0x24E9), (0xA6E6, 0xA6EF))
#: Ideographic marks continuing the Han run they follow (and are read as Han).
_HAN_MARKS: Final = frozenset(map(chr, (0x3005, 0x3006, 0x3031, 0x3032, 0x3033, 0x3034, 0x3035)))
_HAN_MARKS_2: Final = frozenset(map(chr, (0x303B, 0x303C)))
#: Unicode 16 case pairs that the tokenizers know (Python 3.10-3.13 do not).
_NEW_PAIRS: Final = {"\u1c89": "\u1c8a", "\ua7cb": "\u0264"}
_NEW_CASED: Final = frozenset(_NEW_PAIRS) | frozenset(_NEW_PAIRS.values())
#: Cased by Unicode, caseless for the tokenizers.
_NOT_CASED: Final = frozenset("\u03f4")
_ALPHABETIC = regex.compile(r"\p{Alphabetic}")
_MARK = regex.compile(r"\p{M}")


def _selector(c: str) -> bool:
    return "\ufe00" <= c <= "\ufe0f"


def _han_like(o: int) -> bool:
    return (
        o >= 0x10000
        or 0x4E00 <= o <= 0x9FFF
        or 0x3400 <= o <= 0x4DBF
        or 0xF900 <= o <= 0xFAFF
        or 0xAC00 <= o <= 0xD7A3
        or chr(o) in _HAN_MARKS
        or chr(o) in _HAN_MARKS_2
    )


def _separator_mark(c: str) -> bool:
    """A BMP combining mark that is not Alphabetic (and no variation selector): it closes words."""
    return (
        ord(c) < 0x10000
        and not _selector(c)
        and _MARK.fullmatch(c) is not None
        and _ALPHABETIC.fullmatch(c) is None
    )


def border_number(c: str) -> bool:
    """A BMP number (non-ASCII Nd, or No) that takes border markers."""
    category = unicodedata.category(c)
    return ord(c) < 0x10000 and (category == "No" or (category == "Nd" and not c.isascii()))


def _punct_like(c: str) -> bool:
    """A hard character that takes punctuation's border markers."""
    if ord(c) >= 0x10000:
        return False
    if _separator_mark(c):
        return True
    category = unicodedata.category(c)
    cjk_punct = 0x3001 <= ord(c) <= 0x303F and (category[0] == "P" or c in _CJK_SYMBOLS)
    return (category[0] in "PS" or category in ("Cf", "Cn")) and not cjk_punct


def _code(c: str) -> str:
    if c in _NEW_CASED:
        return "w"
    o = ord(c)
    category = unicodedata.category(c)
    if category[0] == "Z" or c in "\t\n\r\f\v":
        return "s"
    if any(low <= o <= high for low, high in _WORDY_BLOCKS):
        return "w"
    if category == "Nd" and (o < 0x80 or 0x660 <= o <= 0x669 or 0x6F0 <= o <= 0x6F9):
        return "d"
    if (o < 0x80 and category[0] in "PS") or c in _PUNCT_LIKE_ASCII:
        return "p"
    if _selector(c):
        return "V"
    if _MARK.fullmatch(c):  # the regex module's Unicode tables, newer than unicodedata's
        if o < 0x10000 and _ALPHABETIC.fullmatch(c):
            # Syriac vowel points never stand unattached: they form words themselves.
            syriac = o == 0x711 or 0x730 <= o <= 0x73F
            return "m" if unicodedata.combining(c) and not syriac else "w"
    elif category[0] == "L" and not _han_like(o):
        return "w"
    if _punct_like(c):
        return "P"
    return "N" if border_number(c) else "L"


class _Codes(dict[str, str]):
    def __missing__(self, c: str) -> str:
        code = self[c] = _code(c)
        return code


_CODES = _Codes()
#: Runs: a word, unattached marks, then hard sub-runs (a selector rides the run it follows).
_RUN = re.compile(r"w[wm]*|m+|P[PV]*|N[NV]*|[LV]+|d+|p+|s+")
WORD, STRAY, PUNCT, DIGIT, SPACE, HARD = "w", "m", "p", "d", "s", "h"
_KIND = {"w": WORD, "m": STRAY, "p": PUNCT, "d": DIGIT, "s": SPACE}


def runs(text: str) -> list[tuple[str, str, str]]:
    """(kind, body, the code of each character) of every run of normalised text."""
    codes = "".join(map(_CODES.__getitem__, text))
    kind = _KIND.get
    found: list[tuple[str, str, str]] = []
    start = 0
    for run in _RUN.findall(codes):  # the runs cover the text, one after the other
        end = start + len(run)
        found.append((kind(run[0], HARD), text[start:end], run))
        start = end
    return found


# ---- case -------------------------------------------------------------------------------------


def _lower(c: str) -> str:
    return c if c in _NOT_CASED else _NEW_PAIRS.get(c, c.lower())


def _upper(c: str) -> bool:
    """A capital: a character that lowers to something else (ϓ, ℂ, ℳ … are caseless here)."""
    if c in _NOT_CASED:
        return False
    return c in _NEW_PAIRS or (c.isupper() and _lower(c) != c)


def _lowercase(c: str) -> bool:
    return c.islower() or c in ("\u1c8a", "\u0264")


def _caseless_letter(c: str) -> bool:
    """A letter or mark that is neither capital nor small: it keeps a word from ⟨caps⟩."""
    letterish = c in _NEW_CASED or unicodedata.category(c)[0] in "LM"
    return letterish and not _lowercase(c) and not _upper(c)


def case_marked(word: str, caps_from: int | None) -> tuple[str, str]:
    """(case markers, body) of a word: ⟨caps⟩ + lowercase, ⟨shift⟩ + lowercase, or as written."""
    first = word[0]
    if _lower(first) == first and (first.islower() or caps_from is None):
        return "", word  # the common case, decided without looking further
    if word.isascii():  # letters A-Z, a-z only: str.lower and str.isupper say it all
        if caps_from is not None and len(word) >= caps_from and word.isupper():
            return CAPS, word.lower()
        rest = word[1:]
        return (SHIFT, word.lower()) if rest.lower() == rest else ("", word)
    if "ẞ" in word:
        return "", word
    if "İ" in word:
        # İ is literal in the lowered body and blocks a marker only at the head.
        rest = word[1:]
        if first != "İ" and _upper(first) and not any(_upper(c) for c in rest if c != "İ"):
            return SHIFT, _lower(first) + "".join(c if c == "İ" else _lower(c) for c in rest)
        return "", word
    if caps_from is not None and len(word) >= caps_from:
        cased = [c for c in word if _upper(c) or _lowercase(c)]
        if cased and all(map(_upper, cased)) and not any(map(_caseless_letter, word)):
            return CAPS, "".join(map(_lower, word)).replace("ς", "σ")
    if _lower(first) == first:
        return "", word
    if _upper(first) and not any(map(_upper, word[1:])):
        return SHIFT, "".join(map(_lower, word))
    return "", word


# ---- the marked stream --------------------------------------------------------------------------

#: Contraction suffixes an apostrophe binds to the word before (lowercase, whole word).
_CONTRACTIONS: Final = frozenset({"s", "t", "d", "m", "ll", "re", "ve"})
_SEAM = re.compile(EOW + " ([" + SHIFT + CAPS + "]*)" + BOW)


def _number_run(body: str) -> bool:
    """All decimal digits (Nd) or all other numbers (No), one category throughout."""
    category = unicodedata.category(body[0])
    return category in ("Nd", "No") and all(unicodedata.category(c) == category for c in body)


def _right_border(kind: str, body: str, codes: str) -> bool:
    """Does this run write an ⟨eow⟩ of its own where a single space follows it?"""
    if kind == PUNCT:
        return True
    if kind == HARD and codes[-1] in "PV":
        return True
    return kind in (HARD, DIGIT) and _number_run(body) and border_number(body[-1])


def _left_border(kind: str, body: str, codes: str) -> bool:
    """Does this run write a ⟨bow⟩ of its own where a space precedes it?"""
    if kind == PUNCT:
        return True
    if kind == HARD and codes[0] in "PV":
        return True
    return kind in (HARD, DIGIT) and _number_run(body) and border_number(body[0])


def marked_stream(norm: str, rules: StreamRules, head_space: bool, at_start: bool = True) -> str:
    """The marked stream of normalised text (trailing newlines already taken off).

    ``head_space``: the raw text began with a space (a space that normalisation exposed or made
    was not read next to the frame, so it is not absorbed). ``at_start=False``: ``norm`` is a part
    of a text cut by :func:`part_cuts`, which follows a space between letters or a newline.
    """
    frame_bow = rules.frame_bow and at_start
    if frame_bow and head_space and norm[:1] == " " and norm[1:2] != " ":
        norm = norm[1:]  # the frame's ⟨bow⟩ stands for one leading space
    parts = runs(norm)
    if not parts:
        return BOW if frame_bow else ""
    last = len(parts) - 1

    def space_before(i: int) -> bool:
        if i == 0:
            return frame_bow
        kind, body, _ = parts[i - 1]
        return kind == SPACE and body[-1] == " "

    def single_space_after(i: int) -> bool:
        if i == last:
            return False
        kind, body, _ = parts[i + 1]
        return kind == SPACE and body[0] == " " and body[1:2] != " "

    def quote_opens_word(i: int) -> bool:
        return parts[i][1] == "'" and i < last and parts[i + 1][0] in (WORD, STRAY)

    out: list[str] = []
    kind0, body0, codes0 = parts[0]
    opening_quote = quote_opens_word(0)
    if frame_bow and (
        opening_quote
        or not (
            kind0 in (WORD, PUNCT, STRAY)
            or (kind0 == SPACE and body0[0] == " ")
            or _left_border(kind0, body0, codes0)
        )
    ):
        # The frame's ⟨bow⟩ goes to nothing that could absorb it; before a word-opening quote
        # what the frame hands over is a space.
        out.append(" " if opening_quote else BOW)
    for i, (kind, body, codes) in enumerate(parts):
        if kind == WORD:
            after_stray = i > 0 and parts[i - 1][0] == STRAY
            markers, word = ("", body) if after_stray else case_marked(body, rules.caps_from)
            glued = (
                body in _CONTRACTIONS
                and i > 0
                and parts[i - 1][0] == PUNCT
                and parts[i - 1][1] == "'"
                and (i < 2 or not _right_border(*parts[i - 2]))
            )
            out.append(markers + ("" if after_stray or glued else BOW) + word + EOW)
        elif kind == STRAY:
            followed = i < last and parts[i + 1][0] == WORD
            out.append(BOW + body + ("" if followed else EOW))
        elif kind == PUNCT or (kind == HARD and (codes[0] in "PV" or codes[-1] in "PV")):
            punct = kind == PUNCT
            bow = (punct or codes[0] in "PV") and space_before(i) and not quote_opens_word(i)
            eow = (punct or codes[-1] in "PV") and single_space_after(i)
            out.append((BOW if bow else "") + body + (EOW if eow else ""))
        elif kind in (HARD, DIGIT) and _number_run(body):
            bow = border_number(body[0]) and space_before(i)
            eow = border_number(body[-1]) and single_space_after(i)
            out.append((BOW if bow else "") + body + (EOW if eow else ""))
        else:
            out.append(body)
    return _SEAM.sub(EOW + r"\1" + BOW, "".join(out))


# ---- where a text can be cut ---------------------------------------------------------------------

_cut_lock = threading.Lock()
_cut: re.Pattern[str] | None = None


def part_cuts() -> re.Pattern[str]:
    """A pattern matching where normalised text can be cut into parts counted one by one.

    * A single space between two letters (of scripts below U+3000): the stream there is the left
      part's (ending in the left word's ⟨eow⟩), then the right part's; the seam eats the space,
      the right word takes its ⟨bow⟩ whatever precedes it, and nothing on the left looks past a
      word. The match is the space, which the seam leaves unwritten.
    * After a newline that ends a whitespace run: nothing reads across it (a newline is no space
      for border markers, and no piece holds a newline next to another character).

    A part after a cut is written with ``at_start=False``. Built on first use (a scan of 12,288
    code points).
    """
    global _cut
    with _cut_lock:
        if _cut is None:
            letters = [o for o in range(0x41, 0x3000) if _CODES[chr(o)] == "w"]
            ranges: list[str] = []
            start = previous = letters[0]
            for o in [*letters[1:], -1]:
                if o != previous + 1:
                    ranges.append(re.escape(chr(start)) + "-" + re.escape(chr(previous)))
                    start = o
                previous = o
            letter = "[" + "".join(ranges) + "]"
            _cut = re.compile(f"(?<={letter}) (?={letter})|(?<=\n)(?=[^ \t\n\u3000])")
        return _cut
