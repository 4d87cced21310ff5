"""Resolving prices: a model's prices on a day (schedule, long context, service tier), at a time
of day (off-peak), and its per-call fees and data-residency rules (see docs/price-sheet.md,
"How prices are resolved").
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timezone
from decimal import Decimal

from tokencalc.errors import TokencalcError
from tokencalc.sheet.model import PRICE_FIELDS, LongContext, ModelEntry, Prices, Provider, Tier
from tokencalc.sheet.provider_rules import Fee, Residency
from tokencalc.sheet.rules import OffPeak, in_force, window_text


class PriceResolution:
    """The prices in force for a model, day, time and tier; a base of :class:`~tokencalc.sheet.price_sheet.PriceSheet`."""

    providers: Mapping[str, Provider]

    def prices_on(self, model: ModelEntry, on: date, tier: str | None = None) -> Prices:
        """The prices of ``model`` in force on ``on``, for a service tier (None = standard).

        The dated schedule applies first (without the prices an overlay set above the file
        the schedule came from: those were taken out of ``model.schedule`` when the sheet
        was built). Long-context prices and explicit tier prices that were given beside the
        standard ones follow a scheduled change of the standard price they stand beside by
        the same factor, unless an overlay set them (``model.fixed``). A tier the model
        does not offer raises :class:`TokencalcError`.
        """
        raw = {name: getattr(model, name) for name in PRICE_FIELDS}
        base = _filled(raw)
        long_context = model.long_context
        if long_context is not None and not in_force(long_context.start, long_context.end, on):
            long_context = None
        for entry in sorted(model.schedule, key=lambda e: e.start):
            if entry.start <= on:
                for name in PRICE_FIELDS:
                    value = getattr(entry, name)
                    if value is not None:
                        raw[name] = value
        dated = _filled(raw)

        def follow(value: Decimal, name: str, part: str) -> Decimal:
            if dated[name] == base[name] or base[name] == 0 or f"{part}.{name}" in model.fixed:
                return value
            return value * dated[name] / base[name]

        long_base = _long_context_prices(long_context, base) if long_context else None
        long_dated = (
            {n: follow(long_base[n], n, "long_context") for n in PRICE_FIELDS}
            if long_base
            else None
        )
        threshold = long_context.threshold if long_context else None

        if tier is None:
            return _prices(dated, threshold, long_dated)
        offered = model.tiers.get(tier)
        if offered is None:
            has = ", ".join(model.tiers) or "none"
            raise TokencalcError(f"model {model.id!r} has no {tier} tier (tiers it has: {has})")
        if not in_force(offered.start, offered.end, on):
            raise TokencalcError(
                f"model {model.id!r} offers its {tier} tier {window_text(offered.start, offered.end)} only, "
                f"not on {on.isoformat()}"
            )
        if offered.multiplier is not None:
            return _prices(dated, threshold, long_dated).scaled(offered.multiplier)
        tier_base = _explicit_prices(offered, base)
        tier_dated = {n: follow(tier_base[n], n, tier) for n in PRICE_FIELDS}
        long_tier = None
        if long_dated is not None:
            long_tier = {
                n: long_dated[n] if dated[n] == 0 else long_dated[n] * tier_dated[n] / dated[n]
                for n in PRICE_FIELDS
            }
            long_tier.update(offered.long_context)
        return _prices(tier_dated, threshold, long_tier)

    def offers_tier(self, model: ModelEntry, tier: str, on: date) -> bool:
        """Whether ``model`` has prices for ``tier`` on the day ``on``."""
        offered = model.tiers.get(tier)
        return offered is not None and in_force(offered.start, offered.end, on)

    def off_peak_at(self, model: ModelEntry, when: datetime) -> OffPeak | None:
        """The off-peak rule that bills a standard-tier request made at ``when`` (naive = UTC)."""
        for rule in model.off_peak:
            if rule.applies(when):
                return rule
        return None

    def prices_at(
        self, model: ModelEntry, when: datetime, tier: str | None = None
    ) -> tuple[Prices, OffPeak | None]:
        """:meth:`prices_on` the request's UTC day, at off-peak prices when its UTC time is off-peak.

        Off-peak rules apply to the standard tier only. Returns the prices and the rule applied.
        """
        moment = when if when.tzinfo is None else when.astimezone(timezone.utc)
        prices = self.prices_on(model, moment.date(), tier)
        rule = self.off_peak_at(model, moment) if tier is None else None
        if rule is None:
            return prices, None
        return _off_peak_prices(prices, rule), rule

    def fee_for(self, model: ModelEntry, kind: str, on: date) -> Fee | None:
        """The per-call fee of ``kind`` for ``model`` on ``on`` (the last matching entry wins)."""
        provider = self.providers.get(model.provider)
        found = None
        for fee in provider.fees if provider else ():
            if fee.kind == kind and fee.covers(model.id, on):
                found = fee
        return found

    def residency_for(self, model: ModelEntry, geo: str, on: date) -> Residency | None:
        """The data-residency rule for a request of ``model`` run in ``geo`` on ``on``, if any."""
        provider = self.providers.get(model.provider)
        found = None
        for rule in provider.residency if provider else ():
            if rule.covers(model.id, geo, on):
                found = rule
        return found


def _filled(raw: Mapping[str, Decimal | None]) -> dict[str, Decimal]:
    """Standard prices with the absent ones filled in (cache reads and writes = input)."""
    price_in = raw["input"]
    assert price_in is not None and raw["output"] is not None
    return {
        "input": price_in,
        "cached_input": raw["cached_input"] if raw["cached_input"] is not None else price_in,
        "cache_write_5m": raw["cache_write_5m"] if raw["cache_write_5m"] is not None else price_in,
        "cache_write_1h": raw["cache_write_1h"] if raw["cache_write_1h"] is not None else price_in,
        "output": raw["output"],
    }


def _off_peak_prices(prices: Prices, rule: OffPeak) -> Prices:
    """Standard prices turned into a rule's off-peak prices (long-context ones scaled alike)."""
    if rule.multiplier is not None:
        return prices.scaled(rule.multiplier)
    assert rule.input is not None and rule.output is not None
    standard = {n: getattr(prices, n) for n in PRICE_FIELDS}
    values = {
        "input": rule.input,
        "output": rule.output,
        **{
            n: _scaled_like_input(getattr(rule, n), n, rule.input, standard)
            for n in PRICE_FIELDS[1:4]
        },
    }
    long = None
    if prices.long_context is not None:
        long = {
            n: getattr(prices.long_context, n)
            if standard[n] == 0
            else getattr(prices.long_context, n) * values[n] / standard[n]
            for n in PRICE_FIELDS
        }
    return _prices(values, prices.long_context_threshold, long)


def _scaled_like_input(
    value: Decimal | None, name: str, new_input: Decimal, base: Mapping[str, Decimal]
) -> Decimal:
    """An explicit price if given, else the standard one scaled by the same factor as input."""
    if value is not None:
        return value
    if base["input"] == 0:
        return base[name]
    return base[name] * new_input / base["input"]


def _long_context_prices(long: LongContext, base: Mapping[str, Decimal]) -> dict[str, Decimal]:
    return {
        "input": long.input,
        "output": long.output,
        **{n: _scaled_like_input(getattr(long, n), n, long.input, base) for n in PRICE_FIELDS[1:4]},
    }


def _explicit_prices(tier: Tier, base: Mapping[str, Decimal]) -> dict[str, Decimal]:
    assert tier.input is not None and tier.output is not None
    return {
        "input": tier.input,
        "output": tier.output,
        **{n: _scaled_like_input(getattr(tier, n), n, tier.input, base) for n in PRICE_FIELDS[1:4]},
    }


def _prices(
    values: Mapping[str, Decimal], threshold: int | None, long: Mapping[str, Decimal] | None
) -> Prices:
    return Prices.of(
        values,
        long_context_threshold=threshold if long is not None else None,
        long_context=Prices.of(long) if long is not None else None,
    )
