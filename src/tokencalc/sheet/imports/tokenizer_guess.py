"""Guessing the tokenizer of a model the sheet does not have yet, by its name, then its provider."""

from __future__ import annotations

import re
from collections.abc import Collection

from tokencalc.counting.encodings import encoding_for_model
from tokencalc.errors import UnknownModelError

_CLAUDE_VERSION = re.compile(
    r"claude-(?:(?P<family>[a-z]+)-)?(?P<major>\d+)(?:[-.](?P<minor>\d{1,2})(?!\d))?"
)
_MISTRAL_NAMES = (
    "mistral",
    "mixtral",
    "codestral",
    "magistral",
    "devstral",
    "ministral",
    "pixtral",
    "voxtral",
)


def claude_family(name: str) -> str:
    """``claude-legacy`` for Claude 1–3 and 4.0–4.6, else ``claude-5`` (Opus 4.7 on)."""
    found = _CLAUDE_VERSION.search(name.lower())
    if found is None:
        return "claude-5"
    major, minor = int(found.group("major")), int(found.group("minor") or 0)
    return "claude-legacy" if major < 4 or (major == 4 and minor <= 6) else "claude-5"


def _openai_encoding(name: str) -> str | None:

    try:
        return encoding_for_model(name)
    except UnknownModelError:
        return "o200k_base"


def guess_tokenizer(model_id: str, litellm_provider: str, known: Collection[str]) -> str | None:
    """The tokenizer a new model most likely uses, by its name, then by its provider.

    Only tokenizers in ``known`` (exact encodings and the sheet's estimate families) are
    returned; None when there is no good guess (then ``--tokenizer`` must say).
    """
    name = model_id.rsplit("/", 1)[-1].lower()
    provider = litellm_provider.lower()
    guess: str | None = None
    if "gpt-oss" in name:
        guess = "o200k_harmony"
    elif "claude" in name:
        guess = claude_family(name)
    elif "gemini" in name or "gemma" in name:
        guess = "gemini"
    elif "grok" in name:
        guess = "grok"
    elif any(word in name for word in _MISTRAL_NAMES):
        guess = "mistral"
    elif "deepseek" in name:
        guess = "deepseek"
    elif "llama" in name:
        guess = "llama3"
    elif "qwen" in name or "qwq" in name:
        guess = "qwen"
    elif re.match(r"^(gpt-|chatgpt|o[1-9]\b|o[1-9]-|codex)", name) or provider in (
        "openai",
        "text-completion-openai",
        "azure",
    ):
        guess = _openai_encoding(name)
    elif provider == "anthropic":
        guess = claude_family(name)
    elif provider == "gemini" or provider.startswith("vertex_ai"):
        guess = "gemini"
    elif provider == "xai":
        guess = "grok"
    elif provider in ("mistral", "deepseek"):
        guess = provider
    return guess if guess in known else None
