"""Pricing from Python: one request on one model (:func:`estimate_cost`), or on many,
cheapest first (:func:`compare_models`), with the rules the CLI uses."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from tokencalc.api.arguments import (
    day_argument,
    flag_argument,
    local_decimal,
    name_argument,
    names_argument,
    number_argument,
    tier_argument,
    token_argument,
)
from tokencalc.api.counts import count_with, count_with_bases, counts_for, token_count_of
from tokencalc.api.results import CostEstimate
from tokencalc.api.sheets import Prices, sheet_for
from tokencalc.errors import UsageError

if TYPE_CHECKING:  # pragma: no cover
    from tokencalc.sheet.model import ModelEntry
    from tokencalc.sheet.price_sheet import PriceSheet


def priced(
    sheet: PriceSheet,
    model: ModelEntry,
    *,
    input_tokens: int,
    output_tokens: int,
    cached_input_tokens: int,
    estimated: bool,
    tier: str | None,
    on: date,
    how_counted: str = "given",
) -> CostEstimate:
    from tokencalc.pricing.costs import RequestTokens, request_cost
    from tokencalc.pricing.request_rules import fit

    tokens = RequestTokens(input=input_tokens, output=output_tokens, cache_read=cached_input_tokens)
    cost = request_cost(sheet, model, tokens, on=on, tier=tier)
    fits = fit(model, input_tokens, output_tokens).fits
    return CostEstimate(
        model=model.id,
        name=model.name,
        provider=model.provider,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cached_input_tokens=cached_input_tokens,
        estimated=estimated,
        tier=tier or "standard",
        on=on,
        input_cost=cost.input,
        cached_input_cost=cost.cache_read,
        output_cost=cost.output,
        total=cost.total,
        long_context=cost.long_context,
        fits_context=fits,
        how_counted=how_counted,
    )


@local_decimal
def estimate_cost(
    model: str,
    *,
    input_tokens: int | None = None,
    text: str | None = None,
    output_tokens: int = 0,
    cached_input_tokens: int = 0,
    tier: str | None = None,
    on: date | str | None = None,
    prices: Prices = None,
    exact: bool = False,
) -> CostEstimate:
    """What one request to ``model`` costs: give ``input_tokens``, or ``text`` to count
    with the model's tokenizer (estimated for models without a public one; on a text over
    1,000,000 characters, sampled for the encodings only tiktoken counts unless ``exact``,
    as :func:`estimate_tokens` says).

    ``cached_input_tokens`` of the input are billed at the cache-read price; ``tier`` is
    ``"standard"`` (None), ``"batch"``, ``"flex"`` or ``"priority"``; ``on`` (a
    ``datetime.date`` or an ISO string like ``"2026-11-22"``) picks the prices in force that
    day (default today). Multiply by a number of calls yourself. Arguments of the wrong
    type or range raise :class:`~tokencalc.errors.UsageError`.

    >>> cost = tokencalc.estimate_cost("gpt-5", input_tokens=10_000, output_tokens=2_000, on=date(2026, 11, 22))
    >>> cost.total  # 10,000 × $1.25/M + 2,000 × $10/M
    Decimal('0.0325')
    """
    name_argument("model", model, optional=False)
    if (input_tokens is None) == (text is None):
        raise UsageError("give input_tokens or text, not both and not neither")
    token_argument("input_tokens", input_tokens)
    token_argument("output_tokens", output_tokens)
    token_argument("cached_input_tokens", cached_input_tokens, bound="cached_tokens")
    day = day_argument(on)
    chosen_tier = tier_argument(tier)
    sheet = sheet_for(prices)
    entry = sheet.resolve(model)
    estimated = False
    how = "given"
    if text is not None:
        ref = sheet.tokenizer_for(entry)
        exact = flag_argument("exact", exact)
        counted = token_count_of(
            ref, counts_for(text, ref, exact=exact, sample=not exact), exact=exact
        )
        input_tokens, estimated, how = counted.tokens, counted.estimated, counted.how_counted
    assert input_tokens is not None
    return priced(
        sheet,
        entry,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cached_input_tokens=cached_input_tokens,
        estimated=estimated,
        tier=chosen_tier,
        on=day,
        how_counted=how,
    )


@local_decimal
def compare_models(
    text_or_tokens: str | int,
    models: str | Sequence[str] | None = None,
    *,
    providers: Sequence[str] = (),
    output_tokens: int | None = None,
    output_ratio: float | Decimal | str | None = None,
    cached_fraction: float | Decimal | str = 0,
    tier: str | None = None,
    on: date | str | None = None,
    prices: Prices = None,
    exact: bool = False,
) -> list[CostEstimate]:
    """One request priced on many models, cheapest first.

    ``text_or_tokens`` is text (counted once per tokenizer, estimated where the vendor's
    tokenizer is not public) or a token count used for every model as it is. ``models``
    are ids, aliases or globs (``"claude-*"``); ``providers`` adds every current model of a
    provider; with neither, the sheet's default set. Output is ``output_tokens``, or
    ``output_ratio`` (0 to 100) × each model's input tokens, else 0. ``cached_fraction``
    (0 to 1) of the input is billed at the cache-read price. Models without the asked
    ``tier`` are left out. ``on`` is as in :func:`estimate_cost`. The cheapest model that
    fits its context window has ``cheapest=True``. ``exact``: as in :func:`estimate_cost`.

    >>> rows = tokencalc.compare_models(50_000, ["gpt-5", "gpt-5-mini"], output_tokens=1_000, on=date(2026, 11, 22))
    >>> [(row.model, row.total, row.cheapest) for row in rows]
    [('gpt-5-mini', Decimal('0.0145'), True), ('gpt-5', Decimal('0.0725'), False)]
    """
    from dataclasses import replace

    from tokencalc.pricing.assumptions import Assumptions
    from tokencalc.pricing.estimate import (
        count_needs,
        tier_not_offered,
    )
    from tokencalc.pricing.request_rules import cheapest, tier_offered

    token_argument("output_tokens", output_tokens)
    if output_tokens is not None and output_ratio is not None:
        raise UsageError("give output_tokens or output_ratio, not both")
    ratio = number_argument("output_ratio", output_ratio) if output_ratio is not None else None
    fraction = number_argument("cached_fraction", cached_fraction)
    day = day_argument(on)
    chosen_tier = tier_argument(tier)
    sheet = sheet_for(prices)
    selected = sheet.select(
        names_argument("models", models), names_argument("providers", providers)
    )
    if output_tokens is None and ratio is None:
        output_tokens = 0
    assumptions = Assumptions(
        on=day,
        output_tokens=output_tokens,
        output_ratio=ratio,
        cached_fraction=fraction,
        tier=chosen_tier,
    )
    counts = None
    exact = flag_argument("exact", exact)
    if isinstance(text_or_tokens, str):
        need = count_needs(sheet, selected, exact=exact)
        from tokencalc.counting.sampling import EXACT_UP_TO

        long = need.sample and len(text_or_tokens) > EXACT_UP_TO
        if need.classes or need.keep_text or long:
            counts = count_with(text_or_tokens, need)
        else:
            counts = count_with_bases(text_or_tokens, need.encodings)
    elif (
        isinstance(text_or_tokens, bool)
        or not isinstance(text_or_tokens, int)
        or text_or_tokens < 0
    ):
        raise UsageError(
            f"text_or_tokens must be text or a non-negative int, got {text_or_tokens!r}"
        )
    rows = []
    for model in selected:
        if not tier_offered(sheet, model, chosen_tier, [day]):
            continue  # left out: unpriced rows would have no total
        if counts is not None:
            counted = token_count_of(sheet.tokenizer_for(model), counts, exact=exact)
            tokens_in, estimated, how = counted.tokens, counted.estimated, counted.how_counted
        else:
            assert isinstance(text_or_tokens, int)  # no counts: tokens were given
            tokens_in, estimated, how = text_or_tokens, False, "given"
        rows.append(
            priced(
                sheet,
                model,
                input_tokens=tokens_in,
                output_tokens=assumptions.output_for(tokens_in),
                cached_input_tokens=assumptions.cached_for(tokens_in),
                estimated=estimated,
                tier=chosen_tier,
                on=assumptions.on,
                how_counted=how,
            )
        )
    if not rows and chosen_tier is not None:
        raise tier_not_offered(sheet, chosen_tier, day)
    rows.sort(key=lambda row: (row.total, row.model))
    best = cheapest(
        rows,
        total=lambda row: row.total,
        fits=lambda row: row.fits_context,
        model_id=lambda row: row.model,
    )
    return [replace(row, cheapest=True) if row is best else row for row in rows]
