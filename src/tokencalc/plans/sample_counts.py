"""The sample message of a profile (``plans --sample``) counted on each model, and the label of a
row whose message is counted from text while the rest of the profile is converted.

A profile's system, reply and reasoning sizes are ``o200k_base`` counts with no text behind them,
so they take each estimated family's single ratio (:func:`tokencalc.plans.conversation.model_tokens`).
The sample message is text: on each model it is counted the way ``tokencalc estimate`` counts
that model (:class:`tokencalc.tokenizers.text_counts.TextCounter`: exact encodings, Claude's
reconstruction, a per-class table, or the ratio where the sheet has nothing better), once per
tokenizer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tokencalc.counting.encodings import TokenizerRef
from tokencalc.plans.conversation import ConversationCost, profile_count

if TYPE_CHECKING:  # pragma: no cover
    from tokencalc.tokenizers.model_counts import ModelCount

#: The longest sample text kept to count on each model (characters); a longer sample's message
#: size is its o200k_base count, converted like the rest of the profile.
SAMPLE_TEXT_CHARS = 4_000_000


class SampleCounts:
    """The sample's count on each tokenizer, made once per tokenizer (family and base)."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._found: dict[tuple[str, str], ModelCount] = {}

    def on(self, tokenizer: TokenizerRef) -> ModelCount:
        key = (tokenizer.family, tokenizer.base)
        found = self._found.get(key)
        if found is None:
            from tokencalc.tokenizers.text_counts import TextCounter  # lazy: start-up

            with TextCounter(tokenizer) as counter:
                found = self._found[key] = counter.count(self._text)
        return found


def row_counting(cost: ConversationCost) -> tuple[str, str]:
    """(method, how_counted) of a conversation's tokens on its model: the profile's conversion
    (:func:`~tokencalc.plans.conversation.profile_count`), and the sample message's own count
    when it was counted on the model (``mixed`` when the two differ)."""
    method, how = profile_count(cost.tokenizer)
    message = cost.message_count
    if message is None or message.label == how:
        return method, how
    return (
        message.method if message.method == method else "mixed",
        f"message: {message.label}; system, replies and reasoning: {how}",
    )
