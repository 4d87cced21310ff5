"""Options every reader receives from :func:`tokencalc.usage.read_usage`, and how chat text is counted.

Chat exports carry no token counts. Their text is counted one message at a time:

- with ``o200k_base`` (:class:`ChatTextCounter`) when no model is named, or with the named
  model's own exact encoding (``tekken``, ``qwen2.5``, …);
- on a named model without an exact encoding, the way ``tokencalc estimate`` counts that model
  (:class:`ModelTextCounter`, through :class:`tokencalc.tokenizers.text_counts.TextCounter`):
  Claude's reconstruction per message (a message past its per-input limit reconstructed on a
  sample of it, the family's per-class table past the run's budget), a per-class table from each message's o200k_base token classes
  (Gemini, Grok, …), a user's tokenizer file, or the family's ratio where the sheet has nothing
  better. How each message was counted is tallied (:class:`ChatCounting`).

All counts are content tokens: the per-message chat frame is not included (as in ``estimate``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tokencalc.counting.counter import PART_CHARS, SMALL_TEXT_BUDGET, Counts, TokenCounter
from tokencalc.counting.part_counts import count_with_tiktoken
from tokencalc.usage.records import ChatCounting

if TYPE_CHECKING:  # pragma: no cover
    from tokencalc.counting.encodings import TokenizerRef

#: The encoding chat-export text is counted with, unless the model priced has another exact one.
CHAT_ENCODING = "o200k_base"
#: tokencalc.tokenizers.model_counts.EXACT (that module, with Claude's reconstruction, is imported
#: only when a model without an exact encoding is counted: ``usage`` on agent logs never pays for it)
EXACT = "exact"


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


class ModelTextCounter:
    """Content tokens of chat messages on one model without an exact encoding, each message
    counted as ``tokencalc estimate`` counts an input of that model (one computation:
    :class:`tokencalc.tokenizers.text_counts.TextCounter`), and a tally of how each was counted."""

    def __init__(self, model: str, tokenizer: TokenizerRef) -> None:
        from tokencalc.tokenizers.text_counts import TextCounter

        self.model = model
        self._counter = TextCounter(tokenizer)
        #: (method, label, short) → [texts, tokens]
        self._ways: dict[tuple[str, str, str], list[int]] = {}

    def tokens(self, text: str) -> int:
        counted = self._counter.count(text)
        way = self._ways.get((counted.method, counted.label, counted.short))
        if way is None:
            way = self._ways[(counted.method, counted.label, counted.short)] = [0, 0]
        way[0] += 1
        way[1] += counted.tokens
        return counted.tokens

    def counting(self) -> ChatCounting:
        return ChatCounting(
            self.model,
            tuple((*key, n, tokens) for key, (n, tokens) in self._ways.items()),
        )

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
    #: (model id, its tokenizer): chat text is counted in that model's own tokens.
    chat_model: tuple[str, TokenizerRef] | None = None
    _counter: Any = field(default=None, repr=False)
    _model_counter: ModelTextCounter | None = field(default=None, repr=False)
    #: messages and tokens counted with ``chat_encoding`` (for :meth:`countings`)
    _plain: list[int] = field(default_factory=lambda: [0, 0], repr=False)

    @property
    def chat_tokens(self) -> str | None:
        """The model id chat-export records are counted in (their ``chat_tokens``), or None."""
        return self.chat_model[0] if self.chat_model is not None else None

    def count(self, text: str) -> int:
        """Tokens of ``text``: the chat model's own when one is set and has no exact encoding,
        else exact ``chat_encoding`` tokens (the counter is built on first use)."""
        if not text:
            return 0
        if self.chat_model is not None and self.chat_model[1].estimated:
            if self._model_counter is None:
                self._model_counter = ModelTextCounter(*self.chat_model)
            return self._model_counter.tokens(text)
        if self._counter is None:
            self._counter = self.counter_factory()
        tokens: int = self._counter.count_text(text).tokens[self.chat_encoding]
        self._plain[0] += 1
        self._plain[1] += tokens
        return tokens

    def countings(self) -> tuple[ChatCounting, ...]:
        """How the chat text read so far was counted (empty when none was)."""
        found: list[ChatCounting] = []
        if self._plain[0]:
            model = self.chat_model
            family = model[1].family if model is not None else self.chat_encoding
            label = f"{EXACT} ({family})"
            found.append(
                ChatCounting(
                    self.chat_tokens,
                    ((EXACT, label, label, self._plain[0], self._plain[1]),),
                    self.chat_encoding,
                )
            )
        if self._model_counter is not None:
            found.append(self._model_counter.counting())
        return tuple(found)

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
        if self._model_counter is not None:
            self._model_counter.close()
