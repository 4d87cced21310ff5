"""The cost of one chat conversation on one model, turn by turn (the chat cost model of ``tokencalc plans``).

A :class:`UsageProfile` describes chat use: conversations a day, turns per conversation,
tokens per user message and per reply, system/context tokens re-sent every turn, reasoning
tokens per reply, days a month. Every token count in a profile is an ``o200k_base`` count.

**The chat cost model** (one conversation of ``T`` turns on one model). With ``s`` system
tokens, ``u`` per user message, ``r`` per reply and ``z`` reasoning tokens per reply, all in
the model's own tokens (see :func:`model_tokens`), turn ``k`` (1..T) is one request::

    input_k  = s + (k − 1) × (u + r) + u      # system, every earlier message and reply, the new message
    output_k = r + z                          # reasoning is billed as output and never re-sent

so a conversation's input grows with the square of its length. With prompt caching (on by
default, for models that have a ``cached_input`` price) the prefix the previous turn already
sent, ``input_{k−1}``, is billed at the cache-read price and the rest, ``input_k − input_{k−1}``
(``input_1`` on the first turn), at the input price — or, for models that charge cache writes
(``cache_write_5m``), as a 5-minute cache write. Long-context prices apply per request.
The model's prices are resolved once per conversation (every turn is billed on the same day
and tier) and the requests billed at the same prices are added up and priced once: each
product and the division by a million are exact in the money context, so this equals
pricing every request with :func:`tokencalc.pricing.costs.request_cost` and adding up, while
costing O(models), not O(models × turns), Decimal work.

The API cost of a month is ``conversation cost × conversations a day × days × seats``. It is
linear in conversations a day, so the **break-even** volume (messages a day at which the API
on the plan's stand-in model costs what the plan does) is solved exactly:
``plan price ÷ (conversation cost × days) × turns``.

Pure: takes a sheet, plans and a profile, returns frozen data. No printing, no exiting.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from tokencalc.counting.encodings import CHARACTERS, TokenizerRef, canonical_encoding
from tokencalc.plans.profile import CHARS_PER_PROFILE_TOKEN, UsageProfile
from tokencalc.pricing.costs import CostBreakdown, RequestTokens, cost_at
from tokencalc.pricing.request_rules import fit
from tokencalc.sheet.model import ModelEntry, Prices
from tokencalc.sheet.price_sheet import PriceSheet

if TYPE_CHECKING:  # pragma: no cover
    from tokencalc.tokenizers.model_counts import ModelCount

#: The encoding a profile's token counts are in.
PROFILE_ENCODING = "o200k_base"


def model_tokens(tokenizer: TokenizerRef, profile_tokens: int) -> int:
    """A model's tokens for an ``o200k_base`` count (a profile's, or a chat export's), rounded up when estimated.

    Families estimated from ``o200k_base`` scale the count by their ratio. A family counted
    in characters takes :data:`CHARS_PER_PROFILE_TOKEN` characters per profile token; one
    based on ``cl100k_base`` takes the profile count as its base count (no text to recount).
    """
    if not tokenizer.estimated:
        return profile_tokens
    base_count = (
        profile_tokens * CHARS_PER_PROFILE_TOKEN if tokenizer.base == CHARACTERS else profile_tokens
    )
    return tokenizer.tokens_from(base_count)


def profile_count(tokenizer: TokenizerRef) -> tuple[str, str]:
    """(method, how_counted) of :func:`model_tokens`, in ``estimate``'s words.

    A profile holds ``o200k_base`` counts and no text, so only o200k_base models count it
    exactly; an estimate family scales it by its single ratio (the per-class table or Claude's
    reconstruction need text); another exact encoding takes the o200k_base count as its own.
    """
    from tokencalc.tokenizers.model_counts import ESTIMATED, EXACT, ratio_detail  # lazy: start-up

    if not tokenizer.estimated:
        if canonical_encoding(tokenizer.base) == PROFILE_ENCODING:
            return EXACT, f"{EXACT} ({tokenizer.family})"
        return ESTIMATED, (
            f"{ESTIMATED} ({PROFILE_ENCODING} count used as the {tokenizer.family} count: "
            "no text to count)"
        )
    per_token = (
        f", {CHARS_PER_PROFILE_TOKEN} characters a {PROFILE_ENCODING} token"
        if tokenizer.base == CHARACTERS
        else ""
    )
    return ESTIMATED, f"{ESTIMATED} ({ratio_detail(tokenizer)}{per_token})"


def counting_sentence(costs: Iterable[ConversationCost]) -> str:
    """How the profile's counts became each shown model's tokens, in one sentence."""
    costs = list(costs)
    families: dict[str, tuple[TokenizerRef, list[str]]] = {}
    for cost in costs:
        if cost.tokenizer.estimated:
            _, models = families.setdefault(cost.tokenizer.family, (cost.tokenizer, []))
            if cost.model.id not in models:
                models.append(cost.model.id)
    scaled = "; ".join(
        f"{family} ×{ref.ratio.normalize():f} {ref.base} for {', '.join(models)}"
        for family, (ref, models) in sorted(families.items())
    )
    counted = (
        "the sample message is counted on each model as tokencalc estimate counts it; the other "
        f"token counts are {PROFILE_ENCODING} (no text to count)"
        if any(cost.message_count is not None for cost in costs)
        else f"token counts are {PROFILE_ENCODING} (a profile has no text to count)"
    )
    return (
        f"{counted}: an estimated "
        "tokenizer scales each count by its family's single ratio, rounded up"
        + (f" ({scaled})" if scaled else "")
        + f" — not its per-class table or Claude's reconstruction, which need text; "
        f"character-counted families at {CHARS_PER_PROFILE_TOKEN} characters a token, other exact "
        f"encodings take the {PROFILE_ENCODING} count as theirs"
    )


@dataclass(frozen=True)
class TurnTokens:
    """One conversation's pieces in one model's tokens."""

    system: int
    message: int
    reply: int
    reasoning: int

    @property
    def exchange(self) -> int:
        """What one earlier turn adds to every later prompt: its message and its reply."""
        return self.message + self.reply

    @property
    def output(self) -> int:
        return self.reply + self.reasoning

    def prompt(self, turn: int) -> int:
        """Input tokens of turn ``turn`` (1-based)."""
        return self.system + (turn - 1) * self.exchange + self.message


def turn_tokens(
    tokenizer: TokenizerRef, profile: UsageProfile, message: int | None = None
) -> TurnTokens:
    """The profile's counts in the model's tokens; ``message``: the sample message's own count
    on this model (see :mod:`tokencalc.plans.sample_counts`), else the profile's converted."""
    return TurnTokens(
        system=model_tokens(tokenizer, profile.system_tokens) if profile.system_tokens else 0,
        message=model_tokens(tokenizer, profile.message_tokens) if message is None else message,
        reply=model_tokens(tokenizer, profile.reply_tokens),
        reasoning=model_tokens(tokenizer, profile.reasoning_tokens)
        if profile.reasoning_tokens
        else 0,
    )


def conversation_requests(
    tokens: TurnTokens, turns: int, *, cache_reads: bool, cache_writes: bool
) -> list[RequestTokens]:
    """The requests of one conversation, turn by turn (see the module docstring)."""
    requests = []
    previous = 0
    for turn in range(1, turns + 1):
        prompt = tokens.prompt(turn)
        read = previous if cache_reads else 0
        written = prompt - read if cache_reads and cache_writes else 0
        requests.append(
            RequestTokens(
                input=prompt, output=tokens.output, cache_read=read, cache_write_5m=written
            )
        )
        previous = prompt
    return requests


@dataclass(frozen=True)
class ConversationCost:
    """What one conversation of the profile costs on one model, in US dollars."""

    model: ModelEntry
    tokenizer: TokenizerRef
    tokens: TurnTokens
    turns: int
    cached: bool  # cache reads priced (caching asked for and the model has a cached-input price)
    cache_writes: bool  # the new part of each prompt billed as a 5-minute cache write
    cost: CostBreakdown
    input_tokens: int  # all turns
    output_tokens: int  # all turns
    long_context_turns: int
    #: the sample message counted on this model (None: the profile's count, converted)
    message_count: ModelCount | None = None

    @property
    def longest_request(self) -> int:
        """Input plus output tokens of the last (largest) turn."""
        return self.tokens.prompt(self.turns) + self.tokens.output

    @property
    def fits(self) -> bool:
        """Whether every turn fits the model's context window and maximum output."""
        return fit(self.model, self.tokens.prompt(self.turns), self.tokens.output).fits


def conversation_cost(
    sheet: PriceSheet,
    model: ModelEntry,
    profile: UsageProfile,
    *,
    on: date,
    message: ModelCount | None = None,
) -> ConversationCost:
    """Price one conversation of ``profile`` on ``model`` with the prices in force on ``on``;
    ``message``: the profile's sample message counted on this model."""
    tokenizer = sheet.tokenizer_for(model)
    tokens = turn_tokens(tokenizer, profile, message.tokens if message is not None else None)
    cached = profile.cache and model.cached_input is not None
    writes = cached and model.cache_write_5m is not None
    requests = conversation_requests(tokens, profile.turns, cache_reads=cached, cache_writes=writes)
    total, long_turns = requests_cost(sheet.prices_on(model, on), requests)
    return ConversationCost(
        model=model,
        tokenizer=tokenizer,
        tokens=tokens,
        turns=profile.turns,
        cached=cached,
        cache_writes=writes,
        cost=total,
        input_tokens=sum(r.input for r in requests),
        output_tokens=sum(r.output for r in requests),
        long_context_turns=long_turns,
        message_count=message,
    )


def requests_cost(
    day_prices: Prices, requests: Iterable[RequestTokens]
) -> tuple[CostBreakdown, int]:
    """What ``requests`` cost at one resolved set of prices, and how many were long-context.

    Requests are grouped by the prices that bill them (standard or long-context, decided per
    request by its input), each group's tokens added up and priced once with one member's
    size: exact in the money context, so equal to pricing every request and adding up.
    """
    groups: dict[bool, tuple[int, list[int], int]] = {}  # long? → (a size, token sums, requests)
    for request in requests:
        _, long_context = day_prices.for_prompt(request.input)
        size, sums, count = groups.get(long_context, (request.input, [0, 0, 0, 0, 0], 0))
        sums[0] += request.input
        sums[1] += request.output
        sums[2] += request.cache_read
        sums[3] += request.cache_write_5m
        sums[4] += request.cache_write_1h
        groups[long_context] = (size, sums, count + 1)
    total = CostBreakdown.zero()
    for size, sums, _ in groups.values():
        total = total + cost_at(day_prices, RequestTokens(*sums), prompt_tokens=size)
    return total, groups[True][2] if True in groups else 0
