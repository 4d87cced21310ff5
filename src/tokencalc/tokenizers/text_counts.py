"""One model's content tokens of texts held in memory, counted as ``tokencalc estimate`` counts
an input of that model: the counter's counts for what the model's tokenizer needs
(:func:`~tokencalc.tokenizers.model_counts.needs`), then
:func:`~tokencalc.tokenizers.model_counts.model_count` — its exact encoding, Claude's
reconstruction (sampled past its per-input limit, the per-class table past the run's budget),
a per-class table, a user's tokenizer file or the ratio — with the label that says which.

Shared by chat exports in ``tokencalc usage`` (one text per message) and the sample message of
``tokencalc plans``, so neither makes a count of its own; :func:`counter_for_needs` is also how
the Python API's counts (tokencalc.api.counts) get their counter.
"""

from __future__ import annotations

from tokencalc.counting.counter import TokenCounter
from tokencalc.counting.encodings import TokenizerRef
from tokencalc.tokenizers.model_counts import CountNeeds, ModelCount, model_count, needs


def counter_for_needs(need: CountNeeds) -> TokenCounter:
    """A counter that counts what ``need`` asks for, tokens only (no words, no lines)."""
    return TokenCounter(
        need.encodings,
        classes=need.classes,
        keep_text=need.keep_text,
        count_words=False,
        tokens_only=True,
        sample=need.sample,
        text_windows=need.text_windows,
    )


class TextCounter:
    """Counts texts for one tokenizer; reuse it for many texts, then :meth:`close` it."""

    def __init__(self, tokenizer: TokenizerRef) -> None:
        self.tokenizer = tokenizer
        self._counter = counter_for_needs(needs([tokenizer]))

    def count(self, text: str) -> ModelCount:
        """The model's content tokens of ``text`` and how they were made."""
        return model_count(self.tokenizer, self._counter.count_text(text))

    def close(self) -> None:
        self._counter.close()

    def __enter__(self) -> TextCounter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
