"""Pricing an estimate's job through time: each day at its own prices, a time of day, per-call fees.

Used by :mod:`tokencalc.pricing.estimate`. A job of ``calls`` requests is priced on ``Assumptions.on``;
a ``--per-day`` job runs ``days`` days from that date and each day is priced at the prices in
force that day (a price change inside the period is named in the row's notes). With ``at`` (a
UTC time of day) a model's off-peak rules decide that day's prices; without it the sheet's
standard (peak) prices apply, and the caption says so. ``web_searches`` per request are priced
at the provider's ``web_search`` fee in force that day; where the sheet has none they are
named in the notes, not priced.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from tokencalc.pricing.costs import CostBreakdown, RequestTokens, cost_at
from tokencalc.pricing.estimate_notes import (
    EstimateNote,
    OffPeak,
    OffPeakWhere,
    PeakAssumed,
    PricesChange,
    SearchesNotPriced,
    TierOutsideWindow,
    TimingNote,
)
from tokencalc.sheet.model import ModelEntry, Prices
from tokencalc.sheet.price_sheet import PriceSheet


def job_days(on: date, per_day: int | None, days: int, calls: int) -> list[tuple[date, int]]:
    """(day, requests that day) of a job: ``calls`` on ``on``, or ``per_day`` on each of ``days`` days."""
    if per_day is None:
        return [(on, calls)]
    return [(on + timedelta(days=offset), per_day) for offset in range(days)]


def tier_gap(
    sheet: PriceSheet, model: ModelEntry, tier: str | None, days: list[tuple[date, int]]
) -> TierOutsideWindow | None:
    """Why ``model`` cannot be priced at ``tier`` on every day of the job, or None when it can."""
    if tier is None:
        return None
    offered = model.tiers.get(tier)
    if offered is None:
        return None  # the caller's "no such tier" note covers it
    missing = [day for day, _ in days if not sheet.offers_tier(model, tier, day)]
    if not missing:
        return None
    return TierOutsideWindow(tier, offered.start, offered.end)


def job_cost(
    sheet: PriceSheet,
    model: ModelEntry,
    request: RequestTokens,
    *,
    days: list[tuple[date, int]],
    tier: str | None,
    at: time | None,
    web_searches: int,
) -> tuple[CostBreakdown, list[EstimateNote]]:
    """The whole job's cost in US dollars and the notes that explain how it was priced."""
    total = CostBreakdown.zero()
    notes: list[EstimateNote] = []
    seen: list[tuple[date, Prices]] = []
    off_peak_days = 0
    unpriced_searches = 0
    for day, requests in days:
        if at is not None and tier is None:
            prices, rule = sheet.prices_at(
                model, datetime.combine(day, at, tzinfo=timezone.utc), tier
            )
            off_peak_days += 1 if rule is not None else 0
        else:
            prices = sheet.prices_on(model, day, tier)
        if not seen or seen[-1][1] != prices:
            seen.append((day, prices))
        one = cost_at(prices, request)
        if web_searches:
            fee = sheet.fee_for(model, "web_search", day)
            if fee is None:
                unpriced_searches += web_searches * requests
            else:
                one = CostBreakdown(
                    one.input,
                    one.cache_read,
                    one.cache_write,
                    one.output,
                    one.long_context,
                    fee.per_call * web_searches,
                )
        total = total + one.scaled(requests)
    if len(seen) > 1:
        notes.append(PricesChange(tuple(day for day, _ in seen[1:])))
    if off_peak_days:
        notes.append(OffPeak(at, off_peak_days, len(days)))
    if unpriced_searches:
        notes.append(SearchesNotPriced(unpriced_searches, model.provider))
    return total, notes


def peak_note(
    sheet: PriceSheet | None, models: list[ModelEntry], at: time | None
) -> TimingNote | None:
    """The caption's time-of-day assumption, when some model has off-peak hours."""
    timed = tuple(m.id for m in models if m.off_peak)
    if not timed:
        return None
    if at is None:
        return PeakAssumed(timed)
    return OffPeakWhere(at, timed)
