"""What a usage record costs beyond its tokens at list price: off-peak hours, data residency,
per-call fees — and what the sheet cannot price, listed rather than dropped.

Used by :mod:`tokencalc.usage.pricing`. Rules (docs/usage.md, "Time of day, fees and residency"):

- A standard-tier record from a logged source (an agent CLI: one request, its own time) is
  billed at the off-peak prices when its UTC time falls in the model's off-peak hours on its
  UTC date. Billing-export rows sum a UTC day and have no time of day: peak (list) prices.
- A record carrying ``inference_geo`` is billed at the provider's residency multiplier for that
  geography where the sheet has one for the model on that date; ``global`` (or none) is list
  price; any other geography the sheet has no rule for is priced at list price and listed.
- ``web_search_requests`` are billed at the provider's ``web_search`` fee per call in force on
  the record's UTC date; searches on a model (or date) with no such fee are listed, unpriced.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from tokencalc.sheet.model import ModelEntry
from tokencalc.sheet.price_sheet import PriceSheet
from tokencalc.sheet.provider_rules import STANDARD_GEOS
from tokencalc.sheet.rules import OffPeak
from tokencalc.usage.records import UsageRecord
from tokencalc.usage.registry import BILLING_SOURCES

ONE = Decimal(1)
ZERO = Decimal(0)


@dataclass(frozen=True)
class UnpricedExtra:
    """Something records carried that the sheet could not price: ``count`` of ``what`` on ``model``.

    ``what`` is ``"web_search"`` (calls, left out of the cost) or ``"inference_geo <geo>"``
    (requests priced at list price, without a residency surcharge).
    """

    model: str
    what: str
    count: int
    reason: str


class Surcharges:
    """Per-record off-peak, residency and fee decisions, with what could not be priced."""

    def __init__(self, sheet: PriceSheet) -> None:
        self.sheet = sheet
        self._searches: dict[tuple[str, str], int] = defaultdict(int)  # (model id, reason) → calls
        self._geos: dict[tuple[str, str], int] = defaultdict(int)  # (model id, geo) → requests
        self.off_peak_rules: dict[str, OffPeak] = {}  # model id → a rule applied (for the notes)
        self.residency_applied: dict[str, Decimal] = {}  # model id → multiplier applied
        self.fees_applied: dict[str, Decimal] = {}  # model id → per-call fee applied (last seen)

    def off_peak(self, model: ModelEntry, record: UsageRecord) -> OffPeak | None:
        """The off-peak rule a record is billed under, if any (standard tier, logged records only)."""
        if record.tier is not None or not model.off_peak or record.source in BILLING_SOURCES:
            return None
        rule = self.sheet.off_peak_at(model, record.timestamp)
        if rule is not None:
            self.off_peak_rules.setdefault(model.id, rule)
        return rule

    def residency(self, model: ModelEntry, record: UsageRecord, on: date) -> Decimal:
        """The multiplier on every token price for where the record ran (1 when none applies)."""
        geo = (record.inference_geo or "").strip().lower()
        if geo in STANDARD_GEOS:
            return ONE
        rule = self.sheet.residency_for(model, geo, on)
        if rule is None:
            self._geos[(model.id, geo)] += max(record.requests, 1)
            return ONE
        self.residency_applied[model.id] = rule.multiplier
        return rule.multiplier

    def fees(self, model: ModelEntry, record: UsageRecord, on: date) -> Decimal:
        """US dollars of per-call fees the record carries (web searches), 0 when unpriced."""
        calls = record.web_search_requests
        if not calls:
            return ZERO
        fee = self.sheet.fee_for(model, "web_search", on)
        if fee is None:
            self._searches[
                (
                    model.id,
                    f"no web_search fee for {model.id} on {on.isoformat()} in the price sheet",
                )
            ] += calls
            return ZERO
        self.fees_applied[model.id] = fee.per_call
        return fee.per_call * calls

    def unpriced(self) -> tuple[UnpricedExtra, ...]:
        searches = [
            UnpricedExtra(model_id, "web_search", calls, reason)
            for (model_id, reason), calls in sorted(self._searches.items())
        ]
        geos = [
            UnpricedExtra(
                model_id,
                f"inference_geo {geo}",
                requests,
                f"priced at list prices: the price sheet has no residency multiplier for {geo!r} on {model_id}",
            )
            for (model_id, geo), requests in sorted(self._geos.items())
        ]
        return (*searches, *geos)

    def notes(self) -> list[str]:
        notes = []
        for model_id, rule in sorted(self.off_peak_rules.items()):
            notes.append(
                f"{model_id}: records at off-peak UTC times priced at off-peak prices ({rule.describe()})"
            )
        for model_id, multiplier in sorted(self.residency_applied.items()):
            notes.append(
                f"{model_id}: records with a recorded inference_geo priced at × {multiplier.normalize():f} (data residency)"
            )
        for model_id, per_call in sorted(self.fees_applied.items()):
            notes.append(
                f"{model_id}: web searches priced at ${(per_call * 1000).normalize():f} per 1,000 calls (Fees column)"
            )
        return notes
