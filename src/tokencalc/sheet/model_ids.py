"""Model ids as the world writes them: the one resolution rule of the price sheet.

A recorded or typed model name is looked up in the sheet as it is first (ids and aliases,
any case). When that fails, :func:`candidates` rewrites it, step by step, into the forms
gateways and cloud consoles derive from a vendor's own id, and the sheet tries each form in
order; the first that names a model wins. No form is ever a fuzzy match: a name that no
step turns into a sheet id or alias stays unknown.

The steps (docs/price-sheet.md, "Model ids as the world writes them"):

1. Gateway prefixes are taken off, repeatedly: ``openrouter/``, LiteLLM's provider routes
   (``openai/``, ``anthropic/``, ``gemini/``, ``vertex_ai/``, ``bedrock/``, ``xai/``,
   ``deepseek/``, ``mistral/`` …), OpenRouter's vendor part (``x-ai/``, ``google/``,
   ``meta-llama/`` …) and the Gemini API's ``models/``.
2. Bedrock ids: a cross-region inference prefix (``us.``, ``eu.``, ``apac.``, ``global.``,
   ``us-gov.``, ``jp.``, ``au.``, ``ca.``), then the vendor part (``anthropic.``, ``meta.``,
   ``mistral.``, ``openai.`` …) and the version suffix (``-v1:0``, ``-v2``, ``:0``).
3. Vertex ids: ``@YYYYMMDD`` becomes ``-YYYYMMDD``; ``@latest``/``@default`` is taken off.
4. Each form so far is tried as it is, then without a dated-snapshot suffix
   (``-2026-04-24``, ``-20250929``; never a four-digit tag such as ``-2411``, which
   Mistral uses for versions priced apart), then without ``-latest``; and each of those
   with dots between digits written as hyphens (OpenRouter's ``claude-sonnet-4.5`` is
   Anthropic's ``claude-sonnet-4-5``).

A dated snapshot is priced as its base model unless the sheet lists the snapshot itself (as
an id or alias): the exact name is always tried first.
"""

from __future__ import annotations

import re

#: Route prefixes of gateways (LiteLLM, OpenRouter) and vendor namespaces in front of an id.
GATEWAY_PREFIXES = (
    "openrouter/",
    "litellm_proxy/",
    "openai/",
    "azure/",
    "azure_ai/",
    "anthropic/",
    "gemini/",
    "google/",
    "vertex_ai/",
    "vertex_ai_beta/",
    "bedrock/",
    "bedrock_converse/",
    "converse/",
    "xai/",
    "x-ai/",
    "deepseek/",
    "deepseek-ai/",
    "mistral/",
    "mistralai/",
    "groq/",
    "perplexity/",
    "meta-llama/",
    "meta/",
    "moonshotai/",
    "moonshot/",
    "z-ai/",
    "zai/",
    "zai-org/",
    "minimax/",
    "qwen/",
    "together_ai/",
    "fireworks_ai/",
    "models/",
)
#: Bedrock cross-region inference profile prefixes.
_BEDROCK_REGION = re.compile(r"^(?:us|eu|apac|global|us-gov|jp|au|ca|ap)\.", re.IGNORECASE)
#: Bedrock vendor parts (``anthropic.claude-…``).
_BEDROCK_VENDOR = re.compile(
    r"^(?:anthropic|meta|mistral|openai|amazon|cohere|deepseek|qwen|moonshot|moonshotai|minimax|zai|writer|ai21)\.",
    re.IGNORECASE,
)
_BEDROCK_VERSION = re.compile(r"(?:-v\d+(?::\d+)?|-\d+:\d+|:\d+)$", re.IGNORECASE)
_VERTEX_DATE = re.compile(r"@(\d{8})$")
_VERTEX_TAG = re.compile(r"@(?:latest|default|\d{3})$", re.IGNORECASE)
_SNAPSHOT = re.compile(r"-(?:\d{4}-\d{2}-\d{2}|20\d{6})$")
_LATEST = re.compile(r"-latest$", re.IGNORECASE)
_DOT_VERSION = re.compile(r"(?<=\d)\.(?=\d)")


def _unprefixed(name: str) -> list[str]:
    """``name`` and each form left after taking gateway prefixes off, one at a time."""
    forms = [name]
    current = name
    changed = True
    while changed:
        changed = False
        lowered = current.lower()
        for prefix in GATEWAY_PREFIXES:
            if lowered.startswith(prefix) and len(current) > len(prefix):
                current = current[len(prefix) :]
                forms.append(current)
                changed = True
                break
    return forms


def _cloud_forms(name: str) -> list[str]:
    """Bedrock and Vertex spellings of ``name`` turned back into the vendor's id."""
    forms = []
    bedrock = _BEDROCK_REGION.sub("", name, count=1)
    if _BEDROCK_VENDOR.match(bedrock):
        bare = _BEDROCK_VENDOR.sub("", bedrock, count=1)
        forms.append(_BEDROCK_VERSION.sub("", bare))
        forms.append(bare)
    if _VERTEX_DATE.search(name):
        forms.append(_VERTEX_DATE.sub(r"-\1", name))
        forms.append(_VERTEX_DATE.sub("", name))
    elif _VERTEX_TAG.search(name):
        forms.append(_VERTEX_TAG.sub("", name))
    return forms


def candidates(name: str) -> list[str]:
    """The forms of ``name`` the sheet tries, in order, after the name itself (deduplicated)."""
    raw = name.strip()
    seen = {raw.lower()}
    out: list[str] = []

    def add(form: str) -> None:
        key = form.lower()
        if form and key not in seen:
            seen.add(key)
            out.append(form)

    bases: list[str] = []
    for form in _unprefixed(raw):
        bases.append(form)
        bases.extend(_cloud_forms(form))
    for base in bases:
        trimmed = [base]
        undated = _SNAPSHOT.sub("", base)
        if undated != base:
            trimmed.append(undated)
        for form in list(trimmed):
            unlatest = _LATEST.sub("", form)
            if unlatest != form:
                trimmed.append(unlatest)
        for form in trimmed:
            add(form)
        for form in trimmed:
            dashed = _DOT_VERSION.sub("-", form)
            if dashed != form:
                add(dashed)
    return out
