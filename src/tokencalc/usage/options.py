"""Options every reader receives from :func:`tokencalc.usage.read_usage`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tokencalc.counting import (
    PART_CHARS,
    SMALL_TEXT_BUDGET,
    Counts,
    TokenCounter,
    count_with_tiktoken,
)

#: The encoding chat-export text is counted with.
CHAT_ENCODING = "o200k_base"


class ChatTextCounter:
    """Exact o200k_base counts of many short chat messages.

    :class:`TokenCounter` counts the first few on this thread without building tiktoken's
    tokenizer, and long texts in parallel parts; in between it would hand every short message
    to a worker thread, and that round trip costs more than counting it here with tiktoken.
    """

    def __init__(self) -> None:
        self._counter = TokenCounter([CHAT_ENCODING])
        self._small_left = SMALL_TEXT_BUDGET

    def count_text(self, text: str) -> Counts:
        if len(text) <= self._small_left or len(text) > PART_CHARS:
            self._small_left = max(self._small_left - len(text), 0)
            return self._counter.count_text(text)
        return Counts(tokens={CHAT_ENCODING: count_with_tiktoken(CHAT_ENCODING, text)})

    def close(self) -> None:
        self._counter.close()


def default_counter_factory() -> Any:
    return ChatTextCounter()


@dataclass
class ReadOptions:
    model_override: str | None = None
    reasoning_tokens_per_reply: int = 0
    chat_prompt_caching: bool = False
    counter_factory: Callable[[], Any] = default_counter_factory
    _counter: Any = field(default=None, repr=False)

    def count(self, text: str) -> int:
        """Exact o200k_base tokens of ``text`` (the counter is built on first use)."""
        if not text:
            return 0
        if self._counter is None:
            self._counter = self.counter_factory()
        return self._counter.count_text(text).tokens[CHAT_ENCODING]

    def close(self) -> None:
        close = getattr(self._counter, "close", None)
        if close is not None:
            close()
        self._counter = None
