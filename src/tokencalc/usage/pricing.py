"""What usage records would have cost on the API: priced, grouped and totalled.

The pure core of ``tokencalc usage`` after reading: it takes records from
:func:`tokencalc.usage.read_usage` and a :class:`~tokencalc.sheet.price_sheet.PriceSheet` and returns data.

Rules (see ``docs/usage.md``):

- Each record is priced at the prices in force on its own UTC date (vendors bill by UTC day),
  at the service tier it records (standard when none; a tier the sheet offers only until or
  from a date is unpriced outside it), its model resolved through the sheet (ids, aliases and
  the resolution rule of :mod:`tokencalc.sheet.model_ids`). Off-peak hours, data residency and
  per-call fees are applied by :mod:`tokencalc.usage.surcharges`; fees are part of ``cost``
  and shown apart as ``fees``.
- A record whose model is not in the sheet (or that has no model) is never priced as some
  other model: it is left out of groups and totals and reported in ``unknown_models``. A record
  at a tier its model has no prices for is never priced at another tier: it is left out the
  same way and reported in ``unpriced_tiers``.
- Chat-export records are counted from the text. Counted in the priced model's own tokens
  (``UsageRecord.chat_tokens``: the model was named when reading, and each message was counted
  the way ``tokencalc estimate`` counts that model) they are priced as they are; counted with
  ``o200k_base`` and priced on a model whose tokenizer is an estimate family, they are first
  converted with the family's ratio, exactly as ``tokencalc plans`` converts a profile
  (:func:`tokencalc.plans.conversation.model_tokens`). ``chat_counting`` says, per model, which
  (the reader's tallies, :class:`~tokencalc.usage.records.ChatCounting`). Logged records
  (agent CLIs, billing exports) are the vendor's own counts and are never converted.
- Long context: a record that says whether long-context prices applied (``long_context``) is
  priced so. Otherwise a billing-export row, which sums many requests, is long-context when its
  *average* request exceeds the threshold; a row without a request count is priced at the
  standard prices and counted in ``uncounted_rows`` instead of ``requests``.
- The vendor's own figure (cost exports, Claude Code's old ``costUSD``) is shown beside ours.
- The result's shapes are in :mod:`tokencalc.usage.priced`; setting it against a subscription
  plan is :mod:`tokencalc.usage.plan_compare`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import date, datetime, timezone, tzinfo
from decimal import Decimal
from typing import Any

from tokencalc.counting.encodings import TokenizerRef
from tokencalc.errors import UnknownModelError
from tokencalc.plans.conversation import model_tokens
from tokencalc.pricing.costs import RequestTokens, cost_at
from tokencalc.sheet.model import ModelEntry, Prices
from tokencalc.sheet.price_sheet import PriceSheet
from tokencalc.sheet.rules import OffPeak
from tokencalc.usage import views
from tokencalc.usage.chat_counting import chat_countings, chat_notes, conversion_notes
from tokencalc.usage.priced import (
    NO_MODEL,
    PricedUsage,
    RunningSum,
    UsageGroup,
    counted_from_text,
)
from tokencalc.usage.records import ChatCounting, UsageRecord, VendorCost
from tokencalc.usage.registry import BILLING_SOURCES
from tokencalc.usage.surcharges import Surcharges


class ModelResolver:
    """Recorded model names → sheet entries, each name looked up once; None when unknown.

    Ids and aliases resolve through the sheet; failing that, a name equal (any case) to one
    model's display name — as Anthropic's cost CSV writes them, "Claude Sonnet 4.5" — resolves
    to that model. A display name two models share resolves to neither.
    """

    def __init__(self, sheet: PriceSheet) -> None:
        self.sheet = sheet
        self._cache: dict[str, ModelEntry | None] = {}
        self._display: dict[str, ModelEntry | None] | None = None

    def __call__(self, name: str | None) -> ModelEntry | None:
        if not name:
            return None
        if name not in self._cache:
            try:
                self._cache[name] = self.sheet.resolve(name)
            except UnknownModelError:
                self._cache[name] = self._by_display_name(name)
        return self._cache[name]

    def _by_display_name(self, name: str) -> ModelEntry | None:
        if self._display is None:
            self._display = {}
            for model in self.sheet.models.values():
                key = " ".join(model.name.split()).casefold()
                self._display[key] = None if key in self._display else model
        return self._display.get(" ".join(name.split()).casefold())


def in_model_tokens(record: UsageRecord, tokenizer: TokenizerRef) -> UsageRecord:
    """A chat-export record's ``o200k_base`` counts converted to ``tokenizer``'s tokens.

    Each count (input, cache reads, both cache writes, output) goes through
    :func:`tokencalc.plans.conversation.model_tokens`, rounded up; when the rounded-up cache parts add up to
    more than the rounded-up input, the input is raised to their sum (they are part of it).
    """
    if not tokenizer.estimated:
        return record
    read = model_tokens(tokenizer, record.cache_read_tokens)
    write_5m = model_tokens(tokenizer, record.cache_write_5m_tokens)
    write_1h = model_tokens(tokenizer, record.cache_write_1h_tokens)
    return replace(
        record,
        input_tokens=max(model_tokens(tokenizer, record.input_tokens), read + write_5m + write_1h),
        output_tokens=model_tokens(tokenizer, record.output_tokens),
        cache_read_tokens=read,
        cache_write_5m_tokens=write_5m,
        cache_write_1h_tokens=write_1h,
    )


def _prompt_size(record: UsageRecord) -> int | None:
    """The prompt size that decides long-context pricing; None: the record's own input."""
    if record.source in BILLING_SOURCES or record.requests != 1:
        # ceil(input / requests) exceeds an integer threshold exactly when the average does
        return -(-record.input_tokens // record.requests) if record.requests > 0 else 0
    return None


class _Buckets:
    """Tokens summed per (group, model, UTC date, tier, long-context or not), priced once each.

    The cost formula is linear in tokens at fixed prices and Decimal sums are exact, so pricing
    a bucket's sum with :func:`request_cost` equals pricing each record and adding up — without
    looking the prices up once per record (logs hold hundreds of thousands).
    """

    def __init__(self, sheet: PriceSheet, surcharges: Surcharges) -> None:
        self.sheet = sheet
        self.surcharges = surcharges
        #: (model id, UTC date, tier, off-peak rule or None, residency multiplier) → prices
        self._prices: dict[tuple[str, date, str | None, OffPeak | None, Decimal], Prices] = {}
        self._sums: dict[tuple[tuple[str, ...], Any, bool], list[int]] = {}  # RequestTokens' fields
        #: models with records the export marks long-context but no long-context prices in the sheet
        self.long_without_prices: set[str] = set()
        #: of the record added last: (billed off-peak, billed at a residency multiplier)
        self.last = (False, False)

    def add(self, key: tuple[str, ...], model: ModelEntry, record: UsageRecord) -> bool:
        """Add a record's tokens; returns whether it is billed at long-context prices.

        The record's tier must be one the model offers (None: standard).
        """
        on = utc_date(record.timestamp)
        rule = self.surcharges.off_peak(model, record)
        factor = self.surcharges.residency(model, record, on)
        where = (model.id, on, record.tier, rule, factor)
        prices = self._prices.get(where)
        if prices is None:
            prices = self.sheet.prices_on(model, on, record.tier)
            if rule is not None:
                prices, _ = self.sheet.prices_at(model, record.timestamp, record.tier)
            if factor != 1:
                prices = prices.scaled(factor)
            self._prices[where] = prices
        self.last = (rule is not None, factor != 1)
        long_context = self._long_context(model, prices, record)
        bucket = (key, where, long_context)
        sums = self._sums.get(bucket)
        if sums is None:
            sums = self._sums[bucket] = [0, 0, 0, 0, 0]
        sums[0] += record.input_tokens
        sums[1] += record.output_tokens
        sums[2] += record.cache_read_tokens
        sums[3] += record.cache_write_5m_tokens
        sums[4] += record.cache_write_1h_tokens
        return long_context

    def _long_context(self, model: ModelEntry, prices: Prices, record: UsageRecord) -> bool:
        if record.long_context is not None:  # the export says: it beats any heuristic
            if record.long_context and prices.long_context is None:
                self.long_without_prices.add(model.id)
                return False
            return record.long_context
        size = _prompt_size(record)
        return prices.for_prompt(record.input_tokens if size is None else size)[1]

    def costs(self) -> Iterator[tuple[tuple[str, ...], Decimal]]:
        """(group key, US dollars) for every bucket."""
        for (key, where, long_context), sums in self._sums.items():
            prices = self._prices[where]
            threshold = prices.long_context_threshold or 0
            # a prompt size just past the threshold (or none) picks the bucket's prices
            cost = cost_at(
                prices, RequestTokens(*sums), prompt_tokens=threshold + 1 if long_context else 0
            )
            yield key, cost.total


def utc_date(when: datetime) -> date:
    """The UTC day of a timestamp: the day vendors bill it on."""
    return when.astimezone(timezone.utc).date()


def price_usage(
    sheet: PriceSheet,
    records: Sequence[UsageRecord],
    *,
    by: str | Sequence[str] = "day",
    tz: tzinfo | None = timezone.utc,
    vendor_costs: Iterable[VendorCost] = (),
    currency: str = "USD",
    rate: Decimal = Decimal(1),
    chat_counting: Iterable[ChatCounting] = (),
) -> PricedUsage:
    """Price every record, group priced ones by ``by``: one or more of :data:`views.DIMENSIONS`.

    Day, week and month are taken in ``tz`` (see :mod:`tokencalc.usage.views`); the totals do not
    depend on ``by``.

    ``tz`` None means the system's local time. Vendor cost rows are grouped by UTC day/month
    (their buckets are UTC days) or by the sheet model their name resolves to. Money is
    converted to ``currency`` at ``rate`` units per US dollar.
    """
    dims = views.dimensions(by)
    resolve = ModelResolver(sheet)
    surcharges = Surcharges(sheet)
    buckets = _Buckets(sheet, surcharges)
    sums: dict[tuple[str, ...], RunningSum] = defaultdict(RunningSum)
    total = RunningSum()
    unknown: dict[str | None, RunningSum] = defaultdict(RunningSum)
    unknown_sources: dict[str | None, set[str]] = defaultdict(set)
    no_tier: dict[tuple[str, str], RunningSum] = defaultdict(
        RunningSum
    )  # (model id, tier) the model lacks
    no_tier_sources: dict[tuple[str, str], set[str]] = defaultdict(set)
    slugs: dict[str, set[str]] = defaultdict(set)  # model id → chat-export names priced as it
    tokenizers: dict[str, TokenizerRef] = {}  # model id → its tokenizer, for chat-export records
    converted: set[str] = set()  # model ids chat-export counts were converted for
    as_counted: set[str] = set()  # model ids with chat-export counts already in their tokens
    plain: set[str] = set()  # model ids priced on the plain chat-encoding count as it is
    tiers: set[str] = set()
    has_billing = False
    first_month = last_month = None

    for record in sorted(records, key=lambda r: r.timestamp):
        model = resolve(record.model)
        day = views.local_day(record, tz)
        key = views.record_key(dims, record, day, model.id if model else "")
        month = day.strftime("%Y-%m")
        first_month = month if first_month is None or month < first_month else first_month
        last_month = month if last_month is None or month > last_month else last_month
        if model is None:
            unknown[record.model].add(record)
            unknown_sources[record.model].add(record.source)
            continue
        if record.tier is not None and not sheet.offers_tier(
            model, record.tier, utc_date(record.timestamp)
        ):
            no_tier[(model.id, record.tier)].add(record)
            no_tier_sources[(model.id, record.tier)].add(record.source)
            continue
        if counted_from_text(record):
            if model.id not in tokenizers:
                tokenizers[model.id] = sheet.tokenizer_for(model)
            if record.chat_tokens == model.id:
                as_counted.add(model.id)
            elif tokenizers[model.id].estimated:
                record = in_model_tokens(record, tokenizers[model.id])
                converted.add(model.id)
            else:
                plain.add(model.id)
            if record.model and record.model.lower() != model.id.lower():
                slugs[model.id].add(record.model)
        long_context = buckets.add(key, model, record)
        sums[key].add(record, long_context)
        total.add(record, long_context)
        fees = surcharges.fees(model, record, utc_date(record.timestamp))
        off_peak, residency = buckets.last
        sums[key].add_surcharges(record, fees, off_peak, residency)
        total.add_surcharges(record, fees, off_peak, residency)
        has_billing = has_billing or record.source in BILLING_SOURCES
        if record.tier is not None:
            tiers.add(record.tier)

    for key, cost in buckets.costs():
        sums[key].cost += cost
        total.cost += cost
    for key, amount in _vendor_amounts(vendor_costs, dims, resolve):
        sums[key].add_vendor(amount)
        total.add_vendor(amount)

    groups = [UsageGroup(" · ".join(key), s.frozen(rate), key) for key, s in sums.items()]
    if any(name in views.TIME_DIMENSIONS for name in dims):
        groups.sort(key=lambda g: g.keys)
    else:  # no time in the view: dearest first
        groups.sort(key=lambda g: (-g.totals.cost, g.keys))
    unpriced = [s.unpriced(name, unknown_sources[name], rate) for name, s in unknown.items()]
    unpriced.sort(key=lambda m: (-(m.requests + m.uncounted_rows), m.model or ""))
    missing = [
        s.unpriced(model_id, no_tier_sources[(model_id, tier)], rate, tier)
        for (model_id, tier), s in no_tier.items()
    ]
    missing.sort(key=lambda m: (m.model or "", m.tier or ""))
    counting = chat_countings(
        tuple(chat_counting),
        {m: tokenizers[m] for m in as_counted},
        {m: tokenizers[m] for m in converted},
        {m: tokenizers[m] for m in plain},
    )
    notes = [
        *_slug_notes(slugs),
        *conversion_notes({model_id: tokenizers[model_id] for model_id in converted}),
        *chat_notes(counting),
        *_billing_notes(has_billing, buckets.long_without_prices),
        *surcharges.notes(),
    ]
    return PricedUsage(
        by=",".join(dims),
        currency=currency.upper(),
        rate=rate,
        groups=tuple(groups),
        totals=total.frozen(rate),
        unknown_models=tuple(unpriced),
        first_month=first_month,
        last_month=last_month,
        notes=tuple(notes),
        unpriced_tiers=tuple(missing),
        tiers=tuple(sorted(tiers)),
        dimensions=dims,
        unpriced_extras=surcharges.unpriced(),
        chat_counting=counting,
    )


def _vendor_amounts(
    costs: Iterable[VendorCost], dims: tuple[str, ...], resolve: ModelResolver
) -> Iterator[tuple[tuple[str, ...], Decimal]]:
    """(group key, US dollars) of each vendor cost row (UTC days; the model its name resolves to)."""
    for cost in costs:
        model = resolve(cost.model)
        yield (
            views.cost_key(dims, cost, model.id if model else cost.model or NO_MODEL),
            cost.amount_usd,
        )


def _slug_notes(slugs: dict[str, set[str]]) -> list[str]:
    return [
        f"chat export model {', '.join(sorted(names))} priced as {model_id} (price-sheet alias)"
        for model_id, names in sorted(slugs.items())
    ]


def _billing_notes(has_billing: bool, long_without_prices: set[str]) -> list[str]:
    notes = []
    if has_billing:
        notes.append(
            "billing export rows priced at the service tier each records (standard when none); long-context "
            "prices apply where the export marks a row long-context, otherwise when the row's average request "
            "exceeds the model's threshold (rows with neither a mark nor a request count: standard prices)"
        )
    if long_without_prices:
        models = ", ".join(sorted(long_without_prices))
        notes.append(
            f"rows the export marks long-context priced at standard prices for {models}: "
            "the price sheet has no long-context prices for it"
        )
    return notes
