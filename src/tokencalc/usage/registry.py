"""The coding agents whose logs ``tokencalc usage`` finds and reads: one entry per agent.

Adding an agent is one module (its locations, a ``claims`` check and a ``read`` function) plus
one line in :data:`AGENTS`. Claude Code, Codex and Gemini CLI are recognised by the content
detector (:mod:`tokencalc.usage.detect`) and read through :data:`tokencalc.usage.reader.READERS`;
their entries here only say where their logs live.
"""

from __future__ import annotations

from pathlib import Path

from tokencalc.usage import (
    amp,
    cline_tasks,
    copilot_cli,
    crush,
    discovery,
    droid,
    goose,
    kimi_cli,
    opencode,
    qwen_code,
)
from tokencalc.usage.agent_format import AgentFormat


def _claude() -> list[Path]:
    return discovery.default_claude_code_dirs(existing_only=False)


def _codex() -> list[Path]:
    return discovery.default_codex_dirs(existing_only=False)


def _gemini() -> list[Path]:
    return discovery.default_gemini_dirs(existing_only=False)


AGENTS: tuple[AgentFormat, ...] = (
    AgentFormat("claude-code", "Claude Code", _claude, (".jsonl",), keep="largest"),
    AgentFormat("codex", "Codex", _codex, (".jsonl",)),
    AgentFormat("gemini-cli", "Gemini CLI", _gemini, (".jsonl", ".json"), keep="largest"),
    opencode.FORMAT,
    amp.FORMAT,
    copilot_cli.FORMAT,
    *cline_tasks.FORMATS,
    qwen_code.FORMAT,
    goose.FORMAT,
    crush.FORMAT,
    kimi_cli.FORMAT,
    droid.FORMAT,
)
BY_SOURCE = {agent.source: agent for agent in AGENTS}
#: Sources read by a registered reader rather than the content detector.
CLAIMING = tuple(agent for agent in AGENTS if agent.claims is not None)


def claimant(path: Path, source: str | None = None) -> AgentFormat | None:
    """The registered agent whose file ``path`` is (``source``: only that one is asked)."""
    for agent in CLAIMING:
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
    """File endings the registered agents read (all of them, or ``source``'s)."""
    if source is not None:
        agent = BY_SOURCE.get(source)
        return agent.suffixes if agent is not None else ()
    return tuple(dict.fromkeys(s for agent in CLAIMING for s in agent.suffixes))


def found_agents(source: str | None = None) -> list[tuple[AgentFormat, list[Path]]]:
    """The agents (or just ``source``) with logs in their default locations, and those locations."""
    found = []
    for agent in AGENTS:
        if source is not None and agent.source != source:
            continue
        paths = [p for p in dict.fromkeys(agent.locations()) if p.exists()]
        if paths:
            found.append((agent, paths))
    return found
