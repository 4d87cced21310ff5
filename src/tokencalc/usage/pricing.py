"""What usage records would have cost on the API: priced, grouped, totalled, set against a plan.

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
- Chat-export records are counted from the text with ``o200k_base``; priced on a model whose
  tokenizer is an estimate family they are first converted to that model's tokens, exactly as
  ``tokencalc plans`` converts a profile (:func:`tokencalc.plans.core.model_tokens`). Logged records
  (agent CLIs, billing exports) are the vendor's own counts and are never converted.
- Long context: a record that says whether long-context prices applied (``long_context``) is
  priced so. Otherwise a billing-export row, which sums many requests, is long-context when its
  *average* request exceeds the threshold; a row without a request count is priced at the
  standard prices and counted in ``uncounted_rows`` instead of ``requests``.
- The vendor's own figure (cost exports, Claude Code's old ``costUSD``) is shown beside ours.
- A plan is paid for every calendar month the records touch (first to last, gaps included),
  for the seats :func:`tokencalc.plans.core.seats_for` settles.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timezone, tzinfo
from decimal import Decimal
from typing import Any

from tokencalc.counting.encodings import CHARACTERS, TokenizerRef
from tokencalc.errors import TokencalcError, UnknownModelError, UsageError
from tokencalc.plans.core import CHARS_PER_PROFILE_TOKEN, model_tokens, seats_for
from tokencalc.pricing.costs import RequestTokens, cost_at, format_money
from tokencalc.sheet.model import ModelEntry, Plan, Prices
from tokencalc.sheet.price_sheet import PriceSheet
from tokencalc.sheet.rules import OffPeak
from tokencalc.usage import views
from tokencalc.usage.records import (
    BILLING_SOURCES,
    ESTIMATED_SOURCES,
    UsageRecord,
    VendorCost,
)
from tokencalc.usage.surcharges import Surcharges, UnpricedExtra

ZERO = Decimal(0)
#: Group key of vendor cost rows that name no model (``--by model``).
NO_MODEL = "(no model)"


@dataclass(frozen=True)
class UsageTotals:
    """Tokens and money of some records. Money is in the report's currency.

    ``requests`` counts known requests; ``uncounted_rows`` is the number of billing rows whose
    export gives no request count (their requests are not in ``requests``).
    ``cached_input_tokens`` are cache reads; ``cache_write_tokens`` are 5-minute plus 1-hour
    cache writes; both are part of ``input_tokens``. Tokens are the priced model's (chat-export
    counts converted, see the module docstring). ``vendor_cost`` is None when no vendor figure
    covers these records. ``estimated`` is true when any tokens were counted from chat text
    rather than logged by the vendor. ``long_context_requests`` and
    ``long_context_uncounted_rows`` are the parts of ``requests`` and ``uncounted_rows`` billed at
    long-context prices.
    """

    requests: int = 0
    uncounted_rows: int = 0
    input_tokens: int = 0
    cached_input_tokens: int = 0
    cache_write_tokens: int = 0
    output_tokens: int = 0
    cost: Decimal = ZERO
    vendor_cost: Decimal | None = None
    estimated: bool = False
    long_context_requests: int = 0
    long_context_uncounted_rows: int = 0
    #: the part of ``cost`` that is per-call fees (web searches), and the calls it counts
    fees: Decimal = ZERO
    web_search_requests: int = 0
    #: requests billed at off-peak prices, and at a data-residency multiplier
    off_peak_requests: int = 0
    residency_requests: int = 0

    @property
    def long_context(self) -> bool:
        """Whether any of these records was billed at long-context prices."""
        return bool(self.long_context_requests or self.long_context_uncounted_rows)


@dataclass(frozen=True)
class UsageGroup:
    """One row of the report: a day or month (``YYYY-MM-DD``/``YYYY-MM``) or a model id.

    With several dimensions (``--by month --by model``) ``keys`` holds one value per dimension
    and ``key`` joins them with `` · ``.
    """

    key: str
    totals: UsageTotals
    keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class UnpricedModel:
    """Records left unpriced, with their recorded tokens.

    With ``tier`` None: records of a model that is not in the price sheet (``model`` as
    recorded, None when none was). With ``tier`` set: records of the sheet model ``model`` (its
    id) billed at a service tier the sheet has no prices for on that model.
    """

    model: str | None
    requests: int
    uncounted_rows: int
    input_tokens: int
    output_tokens: int
    vendor_cost: Decimal | None = None
    sources: tuple[str, ...] = ()
    tier: str | None = None


@dataclass(frozen=True)
class PricedUsage:
    """The API-equivalent cost of a set of usage records, by ``by`` and in total."""

    by: str
    currency: str
    rate: Decimal  # units of currency per US dollar
    groups: tuple[UsageGroup, ...]
    totals: UsageTotals
    unknown_models: tuple[UnpricedModel, ...]
    first_month: str | None  # YYYY-MM of the earliest record (every record, priced or not)
    last_month: str | None
    notes: tuple[str, ...]  # pricing assumptions, for people
    unpriced_tiers: tuple[UnpricedModel, ...] = ()  # known models at a tier the sheet lacks
    tiers: tuple[str, ...] = ()  # the non-standard tiers some priced record was billed at
    #: what records carried that the sheet cannot price (web searches, residency geographies)
    unpriced_extras: tuple[UnpricedExtra, ...] = ()
    dimensions: tuple[str, ...] = ()  # what ``by`` groups on, one or more of views.DIMENSIONS

    @property
    def months(self) -> int:
        """Calendar months from the first record's month to the last's, both included."""
        return months_between(self.first_month, self.last_month)

    @property
    def unpriced_requests(self) -> int:
        return sum(m.requests for m in (*self.unknown_models, *self.unpriced_tiers))

    @property
    def unpriced_rows(self) -> int:
        return sum(m.uncounted_rows for m in (*self.unknown_models, *self.unpriced_tiers))


class _Sum:
    """A mutable running total; frozen into :class:`UsageTotals` at the end."""

    __slots__ = (
        "cache_read", "cache_write", "cost", "estimated", "fees", "input", "long_requests", "long_uncounted",
        "off_peak", "output", "requests", "residency", "searches", "uncounted", "vendor",
    )  # fmt: skip

    def __init__(self) -> None:
        self.requests = self.uncounted = self.input = self.cache_read = self.cache_write = (
            self.output
        ) = 0
        self.long_requests = self.long_uncounted = 0
        self.searches = self.off_peak = self.residency = 0
        self.fees = ZERO
        self.cost = ZERO
        self.vendor: Decimal | None = None
        self.estimated = False

    def add(self, record: UsageRecord, long_context: bool = False) -> None:
        """Count a record's requests and tokens (its cost is added per bucket, see :class:`_Buckets`)."""
        if record.requests == 0:  # a billing row whose export gives no request count
            self.uncounted += 1
            self.long_uncounted += 1 if long_context else 0
        else:
            self.requests += record.requests
            self.long_requests += record.requests if long_context else 0
        self.input += record.input_tokens
        self.cache_read += record.cache_read_tokens
        self.cache_write += record.cache_write_5m_tokens + record.cache_write_1h_tokens
        self.output += record.output_tokens
        if record.vendor_cost_usd is not None:
            self.add_vendor(record.vendor_cost_usd)
        self.estimated = self.estimated or _counted_from_text(record)

    def add_vendor(self, amount: Decimal) -> None:
        self.vendor = amount if self.vendor is None else self.vendor + amount

    def frozen(self, rate: Decimal) -> UsageTotals:
        return UsageTotals(
            requests=self.requests,
            uncounted_rows=self.uncounted,
            input_tokens=self.input,
            cached_input_tokens=self.cache_read,
            cache_write_tokens=self.cache_write,
            output_tokens=self.output,
            cost=self.cost * rate,
            vendor_cost=None if self.vendor is None else self.vendor * rate,
            estimated=self.estimated,
            long_context_requests=self.long_requests,
            long_context_uncounted_rows=self.long_uncounted,
            fees=self.fees * rate,
            web_search_requests=self.searches,
            off_peak_requests=self.off_peak,
            residency_requests=self.residency,
        )

    def add_surcharges(
        self, record: UsageRecord, fees: Decimal, off_peak: bool, residency: bool
    ) -> None:
        """Count a priced record's per-call fees (money, added to the cost too) and how it was billed."""
        self.fees += fees
        self.cost += fees
        self.searches += record.web_search_requests if fees else 0
        self.off_peak += max(record.requests, 1) if off_peak else 0
        self.residency += max(record.requests, 1) if residency else 0

    def unpriced(
        self, model: str | None, sources: set[str], rate: Decimal, tier: str | None = None
    ) -> UnpricedModel:
        return UnpricedModel(
            model=model,
            requests=self.requests,
            uncounted_rows=self.uncounted,
            input_tokens=self.input,
            output_tokens=self.output,
            vendor_cost=None if self.vendor is None else self.vendor * rate,
            sources=tuple(sorted(sources)),
            tier=tier,
        )


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


def _counted_from_text(record: UsageRecord) -> bool:
    """Whether the record's tokens are o200k_base counts of chat text, not the vendor's counts."""
    return record.estimated or record.source in ESTIMATED_SOURCES


def in_model_tokens(record: UsageRecord, tokenizer: TokenizerRef) -> UsageRecord:
    """A chat-export record's ``o200k_base`` counts converted to ``tokenizer``'s tokens.

    Each count (input, cache reads, both cache writes, output) goes through
    :func:`tokencalc.plans.core.model_tokens`, rounded up; when the rounded-up cache parts add up to
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
        self._sums: dict[tuple[Any, ...], list[int]] = {}  # RequestTokens' fields
        #: models with records the export marks long-context but no long-context prices in the sheet
        self.long_without_prices: set[str] = set()
        #: of the record added last: (billed off-peak, billed at a residency multiplier)
        self.last = (False, False)

    def add(self, key: str, model: ModelEntry, record: UsageRecord) -> bool:
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

    def costs(self):
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


def months_between(first: str | None, last: str | None) -> int:
    """Calendar months from ``first`` to ``last`` (``YYYY-MM``), both included; 0 when empty."""
    if first is None or last is None:
        return 0
    fy, fm = (int(p) for p in first.split("-"))
    ly, lm = (int(p) for p in last.split("-"))
    return (ly * 12 + lm) - (fy * 12 + fm) + 1


def price_usage(
    sheet: PriceSheet,
    records: Sequence[UsageRecord],
    *,
    by: str | Sequence[str] = "day",
    tz: tzinfo | None = timezone.utc,
    vendor_costs: Iterable[VendorCost] = (),
    currency: str = "USD",
    rate: Decimal = Decimal(1),
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
    sums: dict[tuple[str, ...], _Sum] = defaultdict(_Sum)
    total = _Sum()
    unknown: dict[str | None, _Sum] = defaultdict(_Sum)
    unknown_sources: dict[str | None, set[str]] = defaultdict(set)
    no_tier: dict[tuple[str, str], _Sum] = defaultdict(_Sum)  # (model id, tier) the model lacks
    no_tier_sources: dict[tuple[str, str], set[str]] = defaultdict(set)
    slugs: dict[str, set[str]] = defaultdict(set)  # model id → chat-export names priced as it
    tokenizers: dict[str, TokenizerRef] = {}  # model id → its tokenizer, for chat-export records
    converted: set[str] = set()  # model ids chat-export counts were converted for
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
        if _counted_from_text(record):
            if model.id not in tokenizers:
                tokenizers[model.id] = sheet.tokenizer_for(model)
            if tokenizers[model.id].estimated:
                record = in_model_tokens(record, tokenizers[model.id])
                converted.add(model.id)
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
    notes = [
        *_slug_notes(slugs),
        *_conversion_notes({model_id: tokenizers[model_id] for model_id in converted}),
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
    )


def _vendor_amounts(costs: Iterable[VendorCost], dims: tuple[str, ...], resolve: ModelResolver):
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


def _conversion_notes(tokenizers: dict[str, TokenizerRef]) -> list[str]:
    """One note per tokenizer family that chat-export counts were converted to."""
    families: dict[TokenizerRef, list[str]] = defaultdict(list)
    for model_id, tokenizer in sorted(tokenizers.items()):
        families[tokenizer].append(model_id)
    notes = []
    for tokenizer, model_ids in families.items():
        models = ", ".join(model_ids)
        if tokenizer.base == CHARACTERS:
            factor = tokenizer.ratio * CHARS_PER_PROFILE_TOKEN
            how = (
                "used as they are"
                if factor == 1
                else f"scaled by {factor.normalize():f}, rounded up"
            )
            notes.append(
                f"chat-export token counts (o200k_base) {how} for {models}: its tokenizer ({tokenizer.family}, "
                f"estimated) counts characters, and a token is taken as {CHARS_PER_PROFILE_TOKEN} characters, "
                "as tokencalc plans does"
            )
        else:
            stand_in = (
                ""
                if tokenizer.base == "o200k_base"
                else f", the o200k_base count standing in for its {tokenizer.base} count"
            )
            notes.append(
                f"chat-export token counts (o200k_base) scaled to the estimated {tokenizer.family} tokenizer of "
                f"{models}: × {tokenizer.ratio.normalize():f}, each count rounded up{stand_in}"
            )
    return notes


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


# --- plans -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanVersusUsage:
    """A plan's price over the months the records span, against their API-equivalent cost."""

    plan: Plan
    seats: int
    months: int
    first_month: str
    last_month: str
    monthly_price: Decimal  # per seat, in currency
    api_cost: Decimal
    currency: str
    unknown_models: tuple[UnpricedModel, ...] = ()  # left out of ``api_cost``
    unpriced_tiers: tuple[UnpricedModel, ...] = ()  # left out of ``api_cost``
    notes: tuple[str, ...] = ()  # how --seats was applied (see tokencalc.plans.core.seats_for)

    @property
    def plan_cost(self) -> Decimal:
        return self.monthly_price * self.seats * self.months

    @property
    def difference(self) -> Decimal:
        """Plan cost minus API cost: positive when the plan costs more."""
        return self.plan_cost - self.api_cost

    @property
    def verdict(self) -> str:
        """One line for people: what the plan cost, what the API would have, and the gap."""

        def money(value: Decimal) -> str:
            return format_money(value, self.currency)

        seats = f" × {self.seats} seats" if self.seats != 1 else ""
        months = f"{self.months} month{'s' if self.months != 1 else ''}"
        head = (
            f"{self.plan.name} {money(self.monthly_price)}/month{seats} × {months} = {money(self.plan_cost)}; "
            f"API-equivalent {money(self.api_cost)}"
        )
        if self.difference > 0:
            tail = f"the plan costs you {money(self.difference)} more"
        elif self.difference < 0:
            tail = f"the plan saves you {money(-self.difference)}"
        else:
            tail = "the plan and the API cost the same"
        left_out = []
        if self.unknown_models:
            count = len(self.unknown_models)
            left_out.append(
                f"{_counted(self.unknown_models)} of {count} model{'s' if count != 1 else ''} not in the price sheet"
            )
        if self.unpriced_tiers:
            where = ", ".join(f"{m.model} {m.tier}" for m in self.unpriced_tiers)
            left_out.append(
                f"{_counted(self.unpriced_tiers)} at a tier the price sheet has no prices for ({where})"
            )
        line = f"{head} → {tail}"
        if left_out:
            line += f" (the API figure leaves out {' and '.join(left_out)})"
        return line


def _counted(unpriced: Sequence[UnpricedModel]) -> str:
    """``3 requests and 2 billing rows``: what some unpriced records hold."""
    requests = sum(m.requests for m in unpriced)
    rows = sum(m.uncounted_rows for m in unpriced)
    parts = []
    if requests:
        parts.append(f"{requests:,} request{'s' if requests != 1 else ''}")
    if rows:
        parts.append(f"{rows:,} billing row{'s' if rows != 1 else ''}")
    return " and ".join(parts)


def compare_plan(plan: Plan, usage: PricedUsage, *, seats: int | None = None) -> PlanVersusUsage:
    """``plan`` paid for every calendar month ``usage`` spans, against its API-equivalent cost.

    ``seats`` is ``--seats`` as given; :func:`tokencalc.plans.core.seats_for` settles what is paid
    for, and its note (if any) is in the result's ``notes``.
    """
    if usage.first_month is None or usage.last_month is None:
        raise TokencalcError("no usage records to compare with a plan")
    paid_seats, note = seats_for(plan, seats)
    return PlanVersusUsage(
        plan=plan,
        seats=paid_seats,
        months=usage.months,
        first_month=usage.first_month,
        last_month=usage.last_month,
        monthly_price=plan.monthly_price * usage.rate,
        api_cost=usage.totals.cost,
        currency=usage.currency,
        unknown_models=usage.unknown_models,
        unpriced_tiers=usage.unpriced_tiers,
        notes=(note,) if note else (),
    )
