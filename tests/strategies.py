"""Hypothesis strategies for text that stresses tokenizers: prose, code, CJK, whitespace."""

from __future__ import annotations

from hypothesis import strategies as st

_CODE = "abcdefghijXYZ_0123456789 \t\n(){}[];:=+-*/<>\"'#.,!?|&%$@\\`~"
_CJK = "中文字符汉语日本語かなカナ한국어。，、！？「」：；（）0123456789 \n\t　abc"
_WHITESPACE = " \t\n\r\u3000\u00a0\u2028\x0b\x0c/a.1'é\u0301"
# Letters new in Unicode 15-16 (tiktoken knows them) and 17+ (only the regex module does).
_NEW_LETTERS = "\U00031350\U0002ebf0\U00010d4a\U000323b0\U0003d000\U00010940"
_PROSE_WORDS = [
    "the",
    "The",
    "cost",
    "of",
    "tokens",
    "don't",
    "it's",
    "GPT",
    "café",
    "naïve",
    "über",
    "1,000",
    "3.14",
    "e.g.",
    "—",
    "\n",
    "\n\n",
    "  ",
    "\t",
    "/",
    "//",
    "<|endoftext|>",
    "😀",
    "🇫🇷",
]

any_unicode = st.text(st.characters(exclude_categories=["Cs"]), max_size=120)
code_like = st.text(st.sampled_from(_CODE), max_size=200)
cjk_like = st.text(st.sampled_from(_CJK), max_size=160)
whitespace_heavy = st.text(st.sampled_from(_WHITESPACE), max_size=160)
prose_like = st.lists(st.sampled_from(_PROSE_WORDS), max_size=60).map(
    lambda words: "".join(w if w.isspace() or not words else w + " " for w in words)
)

new_unicode = st.text(st.sampled_from(_NEW_LETTERS + "ab\n/:. 1'"), max_size=40)

tricky_text = st.one_of(any_unicode, code_like, cjk_like, whitespace_heavy, prose_like, new_unicode)
