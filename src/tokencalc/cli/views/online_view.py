"""``--online`` for ``estimate`` and ``count``: ask the vendors' counting endpoints, warn once per
vendor on failure and keep the offline count (tokencalc.tokenizers.online does the asking)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

import typer

from tokencalc.cli.env import Environment

OnlineOption = Annotated[
    bool,
    typer.Option(
        "--online",
        help="Send the text to Anthropic/Google/xAI token-counting endpoints for exact counts "
        "(keys from ANTHROPIC_API_KEY, GEMINI_API_KEY/GOOGLE_API_KEY, XAI_API_KEY). Never the default.",
    ),
]


def online_text_limit(online: bool) -> int:
    """Characters of each input to keep for sending (0 when not online)."""
    if not online:
        return 0
    from tokencalc.tokenizers.online import MAX_CHARS

    return MAX_CHARS


def count_online(
    env: Environment, sheet: Any, models: Sequence[Any], inputs: Sequence[tuple[str, Any]]
) -> dict[tuple[str, str], Any]:
    """Online counts for the selected models' inputs; one warning per vendor that failed."""
    from tokencalc.paths import cache_dir
    from tokencalc.tokenizers.online import OnlineCounter, online_counts

    refs = [
        (m.id, m.provider, sheet.tokenizer_for(m).family, sheet.tokenizer_for(m).estimated)
        for m in models
    ]
    counter = OnlineCounter(cache_dir=cache_dir())
    counts, problems = online_counts(counter, refs, inputs)
    for problem in problems:
        who = f"{problem.vendor}: " if problem.vendor else ""
        kept = f"{problem.vendor} rows" if problem.vendor else "those inputs"
        env.warning(f"--online: {who}{problem.reason}; {kept} keep their offline count")
    return counts
