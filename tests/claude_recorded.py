"""The Claude counts recorded from Anthropic's ``count_tokens`` endpoint as published with ctok
(tests/fixtures/claude/recorded_counts.json.xz, built by bench/record_claude_counts.py), read
once a session: decompressing its 8.9 MB costs ~0.15 s of CPU, and several test modules read
it. Shared, so read-only: a test never changes what :func:`recorded` returns."""

from __future__ import annotations

import functools
import json
import lzma
from pathlib import Path
from typing import Any

FIXTURE = Path(__file__).parent / "fixtures" / "claude" / "recorded_counts.json.xz"


@functools.cache
def recorded() -> dict[str, Any]:
    """The whole recorded document: ``documents``, ``frames``, ``models`` and ``short``."""
    document: dict[str, Any] = json.loads(lzma.decompress(FIXTURE.read_bytes()))
    return document
