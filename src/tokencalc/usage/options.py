"""Options every reader receives from :func:`tokencalc.usage.read_usage`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tokencalc.counting.counter import PART_CHARS, SMALL_TEXT_BUDGET, Counts, TokenCounter
from tokencalc.counting.part_counts import count_with_tiktoken

#: The encoding chat-export text is counted with, unless the model priced has another exact one.
CHAT_ENCODING = "o200k_base"


class ChatTextCounter:
    """Exact counts (o200k_base unless told otherwise) of many short chat messages.

    :class:`TokenCounter` counts the first few on this thread without building tiktoken's
    tokenizer, and long texts in parallel parts; in between it would hand every short message
    to a worker thread, and that round trip costs more than counting it here with tiktoken.
    """

    def __init__(self, encoding: str = CHAT_ENCODING) -> None:
        self._encoding = encoding
        self._counter = TokenCounter([encoding])
        self._small_left = SMALL_TEXT_BUDGET

    def count_text(self, text: str) -> Counts:
        if len(text) <= self._small_left or len(text) > PART_CHARS:
            self._small_left = max(self._small_left - len(text), 0)
            return self._counter.count_text(text)
        return Counts(tokens={self._encoding: count_with_tiktoken(self._encoding, text)})

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
    #: The exact encoding chat text is counted with (the priced model's, when it has one).
    chat_encoding: str = CHAT_ENCODING
    _counter: Any = field(default=None, repr=False)

    def count(self, text: str) -> int:
        """Exact ``chat_encoding`` tokens of ``text`` (the counter is built on first use)."""
        if not text:
            return 0
        if self._counter is None:
            self._counter = self.counter_factory()
        tokens: int = self._counter.count_text(text).tokens[self.chat_encoding]
        return tokens

    def chat_cache(self, prompt: int, cached_prefix: int) -> tuple[int, int]:
        """(cache read, 5-minute cache write) tokens of a chat-export call of ``prompt`` input tokens.

        With ``chat_prompt_caching`` the call reads ``cached_prefix`` (the previous call's
        prompt; its reply was output, not cached) from the prompt cache and writes the rest of its prompt as a
        5-minute cache write, as ``tokencalc plans`` models caching (pricing charges the input
        price for writes where a model has no cache-write price). Without it: (0, 0).
        """
        if not self.chat_prompt_caching:
            return 0, 0
        read = min(cached_prefix, prompt)
        return read, prompt - read

    def close(self) -> None:
        close = getattr(self._counter, "close", None)
        if close is not None:
            close()
        self._counter = None
