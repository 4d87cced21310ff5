"""The registry of usage formats (tokencalc.usage.registry): one line per format, and the
formats' own declarations agree with it; the light facts cost no reader import."""

from __future__ import annotations

import ast
import subprocess
import sys

from tokencalc.usage import registry
from tokencalc.usage.usage_format import AGENT_LOG, BILLING_EXPORT, CHAT_EXPORT


def test_each_line_names_a_module_that_reads_that_source():
    formats = registry.formats()
    assert [f.source for f in formats] == [e.source for e in registry.REGISTERED]
    assert len(set(registry.ALL_SOURCES)) == len(registry.ALL_SOURCES)
    for fmt, entry in zip(formats, registry.REGISTERED, strict=True):
        claimed = fmt.claims is not None and fmt.read is not None
        detected = (
            fmt.claims is None
            and bool(fmt.readers)
            and (fmt.detect_line or fmt.detect_document or fmt.detect_header)
        )
        assert claimed or detected, f"{fmt.source}: neither claims its files nor is detected"
        assert entry.kind in (AGENT_LOG, CHAT_EXPORT, BILLING_EXPORT)
        if entry.kind != AGENT_LOG:  # exports are named on the command line
            assert fmt.locations() == []


def test_the_light_facts_follow_the_lines():
    assert registry.BILLING_SOURCES == ("openai-usage", "anthropic-usage")
    assert registry.ESTIMATED_SOURCES == ("chatgpt-export", "claude-export")
    assert registry.SOURCES == (
        "claude-code",
        "codex",
        "gemini-cli",
        "chatgpt-export",
        "claude-export",
        "openai-usage",
        "anthropic-usage",
    )
    assert set(registry.BY_SOURCE) == {f.source for f in registry.AGENTS}
    assert "chatgpt-export" not in registry.BY_SOURCE  # exports have no default place


def test_the_detector_asks_the_specific_shapes_first():
    """A Codex or Gemini CLI line would also pass Claude Code's looser check."""
    order = [f.source for f in registry.DETECTED]
    assert order.index("codex") < order.index("claude-code")
    assert order.index("gemini-cli") < order.index("claude-code")


def test_the_light_facts_import_no_reader():
    code = (
        "import sys\n"
        "from tokencalc.usage.registry import BILLING_SOURCES, EXPORT_AGENTS\n"
        "import tokencalc.usage.blocks, tokencalc.usage.records\n"
        "print(sorted(m for m in sys.modules if m.startswith('tokencalc.usage.')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    loaded = set(ast.literal_eval(done.stdout))
    readers = {f"tokencalc.usage.{e.module}" for e in registry.REGISTERED}
    assert not loaded & readers, loaded & readers
