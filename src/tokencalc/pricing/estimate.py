"""What counted text costs across models: the core of ``tokencalc estimate``.

Each input (file, or stdin) is priced as one request to each model, repeated ``calls``
times. A model's input tokens are the exact count for its encoding, or its estimate
family's ``ceil(base count × ratio)`` per input. The output of each request is
``--output-tokens`` or ``ceil(input × --output-ratio)``, 25% of the input when neither is
given (:data:`DEFAULT_OUTPUT_RATIO`) — that default is capped at each model's max output, and
the row says so. ``--cached`` prices that share of every request's input at
the cache-read price (cache writes are not modelled). :func:`estimate_measured` prices a
request whose token counts the user already has (no text, no tokenizer: exact for every model). A request whose input plus output
exceeds the context window, or whose output exceeds the model's max output, makes the model
"not fit": it is still priced, but never chosen as the cheapest.

Pure: takes counts, a sheet and :class:`Assumptions`, returns rows. No printing.

Just over 400 lines: the per-input, joined and total rows share one row type and its notes,
and read best together; what an estimate assumes is :mod:`tokencalc.pricing.assumptions`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from tokencalc.bounds import check
from tokencalc.counting.counter import Counts
from tokencalc.counting.encodings import TokenizerRef
from tokencalc.errors import ArgumentError, BudgetExceeded, Problem, TokencalcError, UsageError
from tokencalc.pricing.assumptions import Assumptions
from tokencalc.pricing.costs import (
    CostBreakdown,
    RequestTokens,
    decimal_text,
    format_money,
)
from tokencalc.pricing.estimate_dates import job_cost, job_days, tier_gap
from tokencalc.pricing.estimate_notes import (
    DATED_NOTES,
    FIT_NOTES,
    EstimateNote,
    LongContextPrice,
    NoSuchTier,
    OutputCapped,
    OutputOverMax,
    SearchesNotPriced,
    SomeDoNotFit,
    TierOutsideWindow,
    TogetherTooLong,
    TooLong,
)
from tokencalc.pricing.request_rules import cheapest, fit, models_offering, tier_offered
from tokencalc.sheet.model import ModelEntry
from tokencalc.sheet.price_sheet import PriceSheet
from tokencalc.tokenizers.model_counts import (
    EXACT,
    SAMPLED,
    CountNeeds,
    ModelCount,
    combined_label,
    model_count,
    needs,
)
from tokencalc.wording import Arg

SORT_KEYS = ("cost", "model", "provider")


@dataclass(frozen=True)
class EstimateRow:
    """One model's estimate, for one input (``input_label``) or all of them (None)."""

    model: ModelEntry
    tokenizer: TokenizerRef
    input_label: str | None
    input_tokens: int  # one pass over the inputs (not multiplied by calls)
    output_tokens: int
    cached_tokens: int
    requests: int  # inputs priced as separate requests
    fits_context: bool
    tier_offered: bool
    cost: (
        CostBreakdown | None
    )  # whole job (all calls), in the chosen currency; None: tier not offered
    notes: tuple[EstimateNote, ...] = ()  # worded at the edge (tokencalc.cli.phrasing)
    cheapest: bool = False
    #: how input_tokens was made: exact, reconstructed, estimated, online (or mixed)
    method: str = "exact"
    #: the same with its detail, e.g. "estimated (per-class, Gemma 3 tokenizer, fitted 2026-11-30)"
    how: str = ""
    #: a short form of ``how`` for a table cell
    how_short: str = ""
    #: the default output assumption was cut to the model's max output
    output_capped: bool = False
    #: the token counts were given (``--input-tokens``), not counted from text
    measured: bool = False
    #: some input's count was made on a sample of it (``--exact`` counts it in full)
    sampled: bool = False

    @property
    def eligible(self) -> bool:
        """May be chosen as the cheapest: priced and fits."""
        return self.cost is not None and self.fits_context


@dataclass(frozen=True)
class Estimate:
    assumptions: Assumptions
    rows: tuple[EstimateRow, ...]  # one per model, all inputs together
    per_file: tuple[EstimateRow, ...]  # one per input per model (when asked for)
    #: counted for exact counts (``--exact``): nothing sampled but Claude past its whole limit
    exact: bool = False

    @property
    def cheapest(self) -> EstimateRow | None:
        return next((row for row in self.rows if row.cheapest), None)


def count_needs(
    sheet: PriceSheet, models: Sequence[ModelEntry], *, exact: bool = False
) -> CountNeeds:
    """What to count once for these models: exact encodings, token classes, kept text, and
    what may be sampled on big inputs (nothing when ``exact``)."""
    return needs((sheet.tokenizer_for(model) for model in models), exact=exact)


def encodings_needed(sheet: PriceSheet, models: Sequence[ModelEntry]) -> list[str]:
    """The exact encodings to count once each for these models (characters need none)."""
    return list(count_needs(sheet, models).encodings)


def model_tokens(tokenizer: TokenizerRef, counts: Counts) -> int:
    """A model's input tokens for one input's counts (rounded up when estimated)."""
    return model_count(tokenizer, counts).tokens


def estimate_costs(
    sheet: PriceSheet,
    models: Sequence[ModelEntry],
    inputs: Sequence[tuple[str, Counts]],
    assumptions: Assumptions,
    *,
    per_file: bool = False,
    overrides: Mapping[tuple[str, str], ModelCount] | None = None,
    exact: bool = False,
) -> Estimate:
    """Price every input as a request to every model, and mark the cheapest that fits.

    ``overrides`` maps (model id, input label) to a count made elsewhere (``--online``);
    ``exact``: the inputs were counted for exact counts (:func:`count_needs`).
    """
    rows: list[EstimateRow] = []
    file_rows: list[EstimateRow] = []
    for model in models:
        tokenizer = sheet.tokenizer_for(model)
        singles = [
            _request_row(sheet, model, tokenizer, label, counts, assumptions, overrides, exact)
            for label, counts in inputs
        ]
        if assumptions.as_one and len(singles) > 1:
            singles = [_joined_row(sheet, model, tokenizer, singles, assumptions)]
        if per_file:
            file_rows.extend(singles)
        rows.append(_total_row(sheet, model, tokenizer, singles, assumptions))
    return replace(_mark_cheapest(assumptions, rows, file_rows), exact=exact)


def _request_row(
    sheet: PriceSheet,
    model: ModelEntry,
    tokenizer: TokenizerRef,
    label: str,
    counts: Counts,
    assumptions: Assumptions,
    overrides: Mapping[tuple[str, str], ModelCount] | None = None,
    exact: bool = False,
) -> EstimateRow:
    counted = (overrides or {}).get((model.id, label)) or model_count(
        tokenizer, counts, exact=exact
    )
    return _priced_row(sheet, model, tokenizer, label, counted, assumptions)


def _priced_row(
    sheet: PriceSheet,
    model: ModelEntry,
    tokenizer: TokenizerRef,
    label: str,
    counted: ModelCount,
    assumptions: Assumptions,
    *,
    measured: bool = False,
) -> EstimateRow:
    tokens_in = counted.tokens
    tokens_out = assumptions.output_for(tokens_in)
    notes: list[EstimateNote] = []
    capped = False
    if (
        assumptions.output_is_default
        and model.max_output is not None
        and tokens_out > model.max_output
    ):
        tokens_out, capped = model.max_output, True
        notes.append(OutputCapped(model.max_output))
    cached = assumptions.cached_for(tokens_in)
    if cached > tokens_in:
        raise ArgumentError(Problem.MORE_THAN_INPUT, "cached_tokens", value=cached, input=tokens_in)
    size = fit(model, tokens_in, tokens_out)
    if not size.within_context:
        notes.append(TooLong(tokens_in + tokens_out, model.context_window))
    if not size.within_max_output:
        assert model.max_output is not None
        notes.append(OutputOverMax(tokens_out, model.max_output))
    days = _job_days(assumptions)
    offered = tier_offered(sheet, model, assumptions.tier, [day for day, _ in days])
    cost = None
    if offered:
        request = RequestTokens(input=tokens_in, output=tokens_out, cache_read=cached)
        job, job_notes = job_cost(
            sheet,
            model,
            request,
            days=days,
            tier=assumptions.tier,
            at=assumptions.at,
            web_searches=assumptions.web_searches,
        )
        cost = job.scaled(assumptions.rate)
        if cost.long_context:
            notes.append(LongContextPrice())
        notes.extend(job_notes)
    else:
        notes.append(
            tier_gap(sheet, model, assumptions.tier, days) or _no_tier_note(model, assumptions.tier)
        )
    return EstimateRow(
        model=model,
        tokenizer=tokenizer,
        input_label=label,
        input_tokens=tokens_in,
        output_tokens=tokens_out,
        cached_tokens=cached,
        requests=1,
        fits_context=size.fits,
        tier_offered=offered,
        cost=cost,
        notes=tuple(notes),
        method=counted.method,
        how=counted.label,
        how_short=counted.short or counted.label,
        output_capped=capped,
        measured=measured,
        sampled=counted.method == SAMPLED,
    )


def _joined_row(
    sheet: PriceSheet,
    model: ModelEntry,
    tokenizer: TokenizerRef,
    singles: list[EstimateRow],
    assumptions: Assumptions,
) -> EstimateRow:
    """All inputs as one prompt (``--as-one``): their counts added, priced as one request."""
    method, how, short = combined_label([(row.method, row.how, row.how_short) for row in singles])
    joined = ModelCount(sum(row.input_tokens for row in singles), method, how, short)
    row = _priced_row(
        sheet, model, tokenizer, f"{len(singles)} inputs as one prompt", joined, assumptions
    )
    return replace(row, how=how, how_short=short, sampled=any(r.sampled for r in singles))


def _job_days(assumptions: Assumptions) -> list[tuple[date, int]]:
    return job_days(assumptions.on, assumptions.per_day, assumptions.days, assumptions.calls)


def _no_tier_note(model: ModelEntry, tier: str | None) -> NoSuchTier:
    return NoSuchTier(tier, tuple(model.tiers))


def _total_row(
    sheet: PriceSheet,
    model: ModelEntry,
    tokenizer: TokenizerRef,
    singles: list[EstimateRow],
    assumptions: Assumptions,
) -> EstimateRow:
    offered = (
        all(row.tier_offered for row in singles)
        if singles
        else tier_offered(sheet, model, assumptions.tier, [d for d, _ in _job_days(assumptions)])
    )
    cost = None
    if offered:
        cost = CostBreakdown.zero()
        for row in singles:
            assert row.cost is not None  # every input's row is priced where the tier is offered
            cost = cost + row.cost
    too_long = [row for row in singles if not row.fits_context]
    notes: list[EstimateNote] = []
    capped = [row for row in singles if row.output_capped]
    if capped:
        assert model.max_output is not None
        notes.append(OutputCapped(model.max_output, len(capped), len(singles)))
    if too_long:
        if len(singles) == 1:
            notes.extend(n for n in too_long[0].notes if isinstance(n, FIT_NOTES))
        else:
            notes.append(SomeDoNotFit(len(too_long), len(singles)))
    elif len(singles) > 1:
        together = sum(row.input_tokens + row.output_tokens for row in singles)
        if together > model.context_window:
            # each input fits on its own; joined into one prompt they would not
            notes.append(TogetherTooLong(together, model.context_window))
    # each day of a --per-day month is priced at its own prices (tokencalc.estimate_dates):
    # the first input's dated notes, and any other input's unpriced searches, said once
    dated = [n for n in (singles[0].notes if singles else ()) if isinstance(n, DATED_NOTES)]
    dated += [n for row in singles[1:] for n in row.notes if isinstance(n, SearchesNotPriced)]
    notes.extend(dict.fromkeys(dated))
    if cost is not None and cost.long_context:
        long_count = sum(1 for row in singles if row.cost is not None and row.cost.long_context)
        notes.append(LongContextPrice(long_count, len(singles)))
    if not offered:
        gaps = [n for row in singles for n in row.notes if isinstance(n, TierOutsideWindow)]
        notes.append(gaps[0] if gaps else _no_tier_note(model, assumptions.tier))
    method, how, how_short = combined_label(
        [(row.method, row.how, row.how_short) for row in singles]
    )
    return EstimateRow(
        model=model,
        tokenizer=tokenizer,
        input_label=None,
        input_tokens=sum(row.input_tokens for row in singles),
        output_tokens=sum(row.output_tokens for row in singles),
        cached_tokens=sum(row.cached_tokens for row in singles),
        requests=len(singles),
        fits_context=not too_long,
        tier_offered=offered,
        cost=cost,
        notes=tuple(notes),
        method=method,
        how=how,
        how_short=how_short,
        output_capped=bool(capped),
        measured=any(row.measured for row in singles),
        sampled=any(row.sampled for row in singles),
    )


def estimate_measured(
    sheet: PriceSheet,
    models: Sequence[ModelEntry],
    input_tokens: int,
    assumptions: Assumptions,
) -> Estimate:
    """Price one request of ``input_tokens`` (measured elsewhere) on every model, exactly.

    No text is counted, so no tokenizer is involved: the same count goes to every model.
    Output and cached tokens come from ``assumptions`` as for counted text.
    """
    check("input_tokens", input_tokens)
    rows: list[EstimateRow] = []
    for model in models:
        tokenizer = sheet.tokenizer_for(model)
        given = ModelCount(input_tokens, EXACT, "given: --input-tokens", "given")
        single = _priced_row(sheet, model, tokenizer, "given", given, assumptions, measured=True)
        rows.append(_total_row(sheet, model, tokenizer, [single], assumptions))
    return _mark_cheapest(assumptions, rows, [])


def _mark_cheapest(
    assumptions: Assumptions, rows: list[EstimateRow], file_rows: list[EstimateRow]
) -> Estimate:
    best = cheapest(
        rows,
        total=lambda row: row.cost.total if row.cost is not None else None,
        fits=lambda row: row.fits_context,
        model_id=lambda row: row.model.id,
    )
    rows = [replace(row, cheapest=True) if row is best else row for row in rows]
    return Estimate(assumptions, tuple(rows), tuple(file_rows))


def sort_rows(rows: Sequence[EstimateRow], key: str = "cost") -> list[EstimateRow]:
    """Rows by cost (cheapest first; unpriced last), model id, or provider then cost."""
    if key not in SORT_KEYS:
        raise UsageError(f"cannot sort by {key!r} (choose {', '.join(SORT_KEYS)})")

    def by_cost(row: EstimateRow) -> tuple[bool, Decimal]:
        return (row.cost is None, row.cost.total if row.cost is not None else Decimal(0))

    if key == "model":
        return sorted(rows, key=lambda row: (row.model.id.lower(), row.input_label or ""))
    if key == "provider":
        return sorted(rows, key=lambda row: (row.model.provider, *by_cost(row), row.model.id))
    return sorted(rows, key=lambda row: (*by_cost(row), row.model.id))


def check_tier_offered(sheet: PriceSheet, estimate: Estimate) -> None:
    """Raise :class:`TokencalcError` when a tier was asked for and no selected model offers it.

    The rows are then all unpriced: an answer no one should mistake for a cost.
    """
    tier = estimate.assumptions.tier
    if tier is None or not estimate.rows or any(row.tier_offered for row in estimate.rows):
        return
    raise tier_not_offered(sheet, tier, estimate.assumptions.on)


def tier_not_offered(sheet: PriceSheet, tier: str, on: date) -> TokencalcError:
    """The error for a tier none of the selected models offers on ``on``, naming models that do."""
    offering = models_offering(sheet, tier, on)
    if not offering:
        return TokencalcError(
            f"none of the selected models offers the {tier} tier, and no current model in the sheet does"
        )
    shown = ", ".join(offering[:5]) + (", …" if len(offering) > 5 else "")
    return TokencalcError(
        f"none of the selected models offers the {tier} tier (models that do: {shown})"
    )


def check_budget(estimate: Estimate, max_cost: Decimal) -> None:
    """Raise :class:`BudgetExceeded` when the cheapest fitting model costs more than ``max_cost``."""
    currency = estimate.assumptions.currency
    best = estimate.cheapest
    if best is None:
        raise BudgetExceeded(
            f"budget {format_money(max_cost, currency)}: no selected model fits the input"
            + (
                f" and offers the {estimate.assumptions.tier} tier"
                if estimate.assumptions.tier
                else ""
            )
        )
    assert best.cost is not None
    if best.cost.total > max_cost:
        raise BudgetExceeded.naming(
            f"over budget: the cheapest model that fits, {best.model.id}, costs "
            f"{format_money(best.cost.total, currency)}, more than ",
            Arg("max_cost"),
            f" {decimal_text(max_cost)} {currency}",
        )
