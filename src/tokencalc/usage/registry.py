"""Every usage format tokencalc reads, in one list: adding a format is its module plus one line.

Like a plugin registry that loads its built-ins through the same hook as plugins, each line
names a source, its kind and the module of ``tokencalc.usage`` that reads it; that module
defines ``FORMAT`` (or ``FORMATS``), a :class:`~tokencalc.usage.usage_format.UsageFormat`
saying where the format lives and how it is recognised and read. The facts on the line are
all that pricing, grouping and the status line need, so they import no reader; the modules are
imported the first time a format itself is needed (:func:`formats`).

The list's order is the order reports list sources in.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tokencalc.usage.usage_format import AGENT_LOG, BILLING_EXPORT, CHAT_EXPORT, UsageFormat


@dataclass(frozen=True)
class Registered:
    """One line of the registry."""

    source: str  # the records' source and the ``--source`` name
    kind: str  # AGENT_LOG, CHAT_EXPORT or BILLING_EXPORT
    module: str  # the module of tokencalc.usage that defines its FORMAT (or FORMATS)
    #: what ``--by agent`` shows for records no coding agent made (exports)
    export_agent: str | None = None


REGISTERED: tuple[Registered, ...] = (
    Registered("claude-code", AGENT_LOG, "claude_code"),
    Registered("codex", AGENT_LOG, "codex"),
    Registered("gemini-cli", AGENT_LOG, "gemini_cli"),
    Registered("chatgpt-export", CHAT_EXPORT, "chatgpt_export", "chatgpt"),
    Registered("claude-export", CHAT_EXPORT, "claude_export", "claude.ai"),
    Registered("openai-usage", BILLING_EXPORT, "openai_billing", "openai-api"),
    Registered("anthropic-usage", BILLING_EXPORT, "anthropic_billing", "anthropic-api"),
    Registered("opencode", AGENT_LOG, "opencode"),
    Registered("amp", AGENT_LOG, "amp"),
    Registered("copilot-cli", AGENT_LOG, "copilot_cli"),
    Registered("cline", AGENT_LOG, "cline_tasks"),
    Registered("roo-code", AGENT_LOG, "cline_tasks"),
    Registered("kilo-code", AGENT_LOG, "cline_tasks"),
    Registered("qwen-code", AGENT_LOG, "qwen_code"),
    Registered("goose", AGENT_LOG, "goose"),
    Registered("crush", AGENT_LOG, "crush"),
    Registered("kimi-cli", AGENT_LOG, "kimi_cli"),
    Registered("droid", AGENT_LOG, "droid"),
)

#: Every source ``read_usage`` knows.
ALL_SOURCES = tuple(entry.source for entry in REGISTERED)
#: Sources whose records are counted from chat text rather than logged by the vendor.
ESTIMATED_SOURCES = tuple(e.source for e in REGISTERED if e.kind == CHAT_EXPORT)
#: Sources whose records are vendor billing rows (many requests per row, usually a UTC day).
BILLING_SOURCES = tuple(e.source for e in REGISTERED if e.kind == BILLING_EXPORT)
#: What ``--by agent`` shows for records that no coding agent made (chat and billing exports).
EXPORT_AGENTS = {e.source: e.export_agent for e in REGISTERED if e.export_agent}

_loaded: dict[str, Any] = {}


def formats() -> tuple[UsageFormat, ...]:
    """Every format, in the registry's order (imports the reading modules on first use)."""
    if "FORMATS" not in _loaded:
        found = []
        for entry in REGISTERED:
            module = importlib.import_module(f"tokencalc.usage.{entry.module}")
            declared = getattr(module, "FORMATS", None) or (module.FORMAT,)
            by_source = {fmt.source: fmt for fmt in declared}
            if entry.source not in by_source:
                raise LookupError(f"tokencalc.usage.{entry.module} defines no {entry.source!r}")
            found.append(by_source[entry.source])
        _loaded["FORMATS"] = tuple(found)
    return _loaded["FORMATS"]  # type: ignore[no-any-return]


def _table(name: str) -> Any:
    if name not in _loaded:
        _loaded[name] = _DERIVED[name](formats())
    return _loaded[name]


def __getattr__(name: str) -> Any:
    """The tables built from the formats themselves, made on first use (see :func:`formats`)."""
    if name not in _DERIVED:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return _table(name)


_DERIVED: dict[str, Callable[[tuple[UsageFormat, ...]], Any]] = {
    #: the agent logs (found in their default places when no path is named), by source
    "AGENTS": lambda all_: tuple(
        f for f, e in zip(all_, REGISTERED, strict=True) if e.kind == AGENT_LOG
    ),
    "BY_SOURCE": lambda all_: {
        f.source: f for f, e in zip(all_, REGISTERED, strict=True) if e.kind == AGENT_LOG
    },
    #: formats read from files they claim by path, and those the content detector recognises
    "CLAIMING": lambda all_: tuple(f for f in all_ if f.claims is not None),
    "DETECTED": lambda all_: tuple(
        sorted((f for f in all_ if f.claims is None), key=lambda f: f.detect_order)
    ),
    #: the sources the content detector recognises (``tokencalc.usage.SOURCES``)
    "SOURCES": lambda all_: tuple(f.source for f in all_ if f.claims is None),
}


def claimant(path: Path, source: str | None = None) -> UsageFormat | None:
    """The registered format whose file ``path`` is (``source``: only that one is asked)."""
    claiming: tuple[UsageFormat, ...] = _table("CLAIMING")
    for agent in claiming:
        if source is not None and agent.source != source:
            continue
        if (
            path.suffix.lower() in agent.suffixes
            and agent.claims is not None
            and agent.claims(path)
        ):
            return agent
    return None


def suffixes(source: str | None) -> tuple[str, ...]:
    """File endings worth reading in a directory walk: ``source``'s, or every claiming agent's."""
    if source is not None:
        found = {f.source: f for f in formats()}.get(source)
        return found.suffixes if found is not None else ()
    return tuple(dict.fromkeys(s for agent in _table("CLAIMING") for s in agent.suffixes))


def found_agents(source: str | None = None) -> list[tuple[UsageFormat, list[Path]]]:
    """The agents (or just ``source``) with logs in their default locations, and those locations."""
    found = []
    for agent in _table("AGENTS"):
        if source is not None and agent.source != source:
            continue
        paths = [p for p in dict.fromkeys(agent.locations()) if p.exists()]
        if paths:
            found.append((agent, paths))
    return found
