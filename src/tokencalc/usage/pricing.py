"""What usage records would have cost on the API: priced, grouped, totalled, set against a plan.

The pure core of ``tokencalc usage`` after reading: it takes records from
:func:`tokencalc.usage.read_usage` and a :class:`~tokencalc.sheet.PriceSheet` and returns data.

Rules (see ``docs/usage.md``):

- Each record is priced with :func:`tokencalc.costs.request_cost` at the prices in force on its
  own UTC date (vendors bill by UTC day), standard tier, its model resolved through the sheet
  (ids and aliases, any case).
- A record whose model is not in the sheet (or that has no model) is never priced as some
  other model: it is left out of groups and totals and reported in ``unknown_models``.
- A billing-export row sums many requests: long-context prices apply when the *average*
  request exceeds the threshold; a row without a request count is priced at the standard
  prices and counted in ``uncounted_rows`` instead of ``requests``.
- The vendor's own figure (cost exports, Claude Code's old ``costUSD``) is shown beside ours.
- A plan is paid for every calendar month the records touch (first to last, gaps included).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone, tzinfo
from decimal import Decimal

from tokencalc.costs import RequestTokens, format_money, request_cost
from tokencalc.errors import TokencalcError, UnknownModelError, UsageError
from tokencalc.sheet import ModelEntry, Plan, Prices, PriceSheet
from tokencalc.usage.grouping import GROUPINGS, group_records, group_vendor_costs
from tokencalc.usage.records import (
    BILLING_SOURCES,
    ESTIMATED_SOURCES,
    UsageRecord,
    VendorCost,
)

ZERO = Decimal(0)
#: Group key of vendor cost rows that name no model (``--by model``).
NO_MODEL = "(no model)"


@dataclass(frozen=True)
class UsageTotals:
    """Tokens and money of some records. Money is in the report's currency.

    ``requests`` counts known requests; ``uncounted_rows`` is the number of billing rows whose
    export gives no request count (their requests are not in ``requests``).
    ``cached_input_tokens`` are cache reads; ``cache_write_tokens`` are 5-minute plus 1-hour
    cache writes; both are part of ``input_tokens``. ``vendor_cost`` is None when no vendor
    figure covers these records. ``estimated`` is true when any tokens were counted from chat
    text rather than logged by the vendor.
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
    long_context: bool = False


@dataclass(frozen=True)
class UsageGroup:
    """One row of the report: a day or month (``YYYY-MM-DD``/``YYYY-MM``) or a model id."""

    key: str
    totals: UsageTotals


@dataclass(frozen=True)
class UnpricedModel:
    """Records of one model that is not in the price sheet (``model`` None: none recorded)."""

    model: str | None
    requests: int
    uncounted_rows: int
    input_tokens: int
    output_tokens: int
    vendor_cost: Decimal | None = None
    sources: tuple[str, ...] = ()


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

    @property
    def months(self) -> int:
        """Calendar months from the first record's month to the last's, both included."""
        return months_between(self.first_month, self.last_month)

    @property
    def unpriced_requests(self) -> int:
        return sum(m.requests for m in self.unknown_models)

    @property
    def unpriced_rows(self) -> int:
        return sum(m.uncounted_rows for m in self.unknown_models)


class _Sum:
    """A mutable running total; frozen into :class:`UsageTotals` at the end."""

    __slots__ = ("cache_read", "cache_write", "cost", "estimated", "input", "long", "output", "requests", "uncounted", "vendor")

    def __init__(self) -> None:
        self.requests = self.uncounted = self.input = self.cache_read = self.cache_write = self.output = 0
        self.cost = ZERO
        self.vendor: Decimal | None = None
        self.estimated = self.long = False

    def add(self, record: UsageRecord, cost: Decimal | None, long_context: bool = False) -> None:
        if record.requests == 0:  # a billing row whose export gives no request count
            self.uncounted += 1
        else:
            self.requests += record.requests
        self.input += record.input_tokens
        self.cache_read += record.cache_read_tokens
        self.cache_write += record.cache_write_5m_tokens + record.cache_write_1h_tokens
        self.output += record.output_tokens
        if cost is not None:
            self.cost += cost
        if record.vendor_cost_usd is not None:
            self.add_vendor(record.vendor_cost_usd)
        self.estimated = self.estimated or record.estimated or record.source in ESTIMATED_SOURCES
        self.long = self.long or long_context

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
            long_context=self.long,
        )


class ModelResolver:
    """Recorded model names → sheet entries, each name looked up once; None when unknown."""

    def __init__(self, sheet: PriceSheet) -> None:
        self.sheet = sheet
        self._cache: dict[str, ModelEntry | None] = {}

    def __call__(self, name: str | None) -> ModelEntry | None:
        if not name:
            return None
        if name not in self._cache:
            try:
                self._cache[name] = self.sheet.resolve(name)
            except UnknownModelError:
                self._cache[name] = None
        return self._cache[name]


def _tokens(record: UsageRecord) -> RequestTokens:
    return RequestTokens(
        input=record.input_tokens,
        output=record.output_tokens,
        cache_read=record.cache_read_tokens,
        cache_write_5m=record.cache_write_5m_tokens,
        cache_write_1h=record.cache_write_1h_tokens,
    )


def _prompt_size(record: UsageRecord) -> int | None:
    """The prompt size that decides long-context pricing; None: the record's own input."""
    if record.source in BILLING_SOURCES or record.requests != 1:
        # ceil(input / requests) exceeds an integer threshold exactly when the average does
        return -(-record.input_tokens // record.requests) if record.requests > 0 else 0
    return None


def record_cost(sheet: PriceSheet, model: ModelEntry, record: UsageRecord) -> tuple[Decimal, bool]:
    """US dollars one record costs at the prices of its UTC date, and whether long-context applied.

    A billing row holds many requests: long context is decided by its average request
    (standard prices when the export gives no request count).
    """
    on = utc_date(record.timestamp)
    cost = request_cost(sheet, model, _tokens(record), on=on, prompt_tokens=_prompt_size(record))
    return cost.total, cost.long_context


class _Buckets:
    """Tokens summed per (group, model, UTC date, long-context or not), priced once each.

    The cost formula is linear in tokens at fixed prices and Decimal sums are exact, so pricing
    a bucket's sum with :func:`request_cost` equals pricing each record and adding up — without
    looking the prices up once per record (logs hold hundreds of thousands).
    """

    def __init__(self, sheet: PriceSheet) -> None:
        self.sheet = sheet
        self._prices: dict[tuple[str, date], Prices] = {}
        self._sums: dict[tuple[str, str, date, bool], list[int]] = {}  # RequestTokens' fields

    def add(self, key: str, model: ModelEntry, record: UsageRecord) -> bool:
        """Add a record's tokens; returns whether it is billed at long-context prices."""
        on = utc_date(record.timestamp)
        prices = self._prices.get((model.id, on))
        if prices is None:
            prices = self._prices[(model.id, on)] = self.sheet.prices_on(model, on)
        size = _prompt_size(record)
        _, long_context = prices.for_prompt(record.input_tokens if size is None else size)
        sums = self._sums.get((key, model.id, on, long_context))
        if sums is None:
            sums = self._sums[(key, model.id, on, long_context)] = [0, 0, 0, 0, 0]
        sums[0] += record.input_tokens
        sums[1] += record.output_tokens
        sums[2] += record.cache_read_tokens
        sums[3] += record.cache_write_5m_tokens
        sums[4] += record.cache_write_1h_tokens
        return long_context

    def costs(self):
        """(group key, US dollars) for every bucket."""
        for (key, model_id, on, long_context), sums in self._sums.items():
            threshold = self._prices[(model_id, on)].long_context_threshold or 0
            cost = request_cost(
                self.sheet,
                self.sheet.models[model_id],
                RequestTokens(*sums),
                on=on,
                prompt_tokens=threshold + 1 if long_context else 0,
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
    by: str = "day",
    tz: tzinfo | None = timezone.utc,
    vendor_costs: Iterable[VendorCost] = (),
    currency: str = "USD",
    rate: Decimal = Decimal(1),
) -> PricedUsage:
    """Price every record, group priced ones by ``"day"``, ``"month"`` (in ``tz``) or ``"model"``.

    ``tz`` None means the system's local time. Vendor cost rows are grouped by UTC day/month
    (their buckets are UTC days) or by the sheet model their name resolves to. Money is
    converted to ``currency`` at ``rate`` units per US dollar.
    """
    if by not in GROUPINGS:
        raise UsageError(f"cannot group by {by!r} (choose {', '.join(GROUPINGS)})")
    resolve = ModelResolver(sheet)
    buckets = _Buckets(sheet)
    sums: dict[str, _Sum] = defaultdict(_Sum)
    total = _Sum()
    unknown: dict[str | None, _Sum] = defaultdict(_Sum)
    unknown_sources: dict[str | None, set[str]] = defaultdict(set)
    slugs: dict[str, set[str]] = defaultdict(set)  # model id → chat-export names priced as it
    has_billing = False
    first_month = last_month = None

    for day, record in _by_day(records, tz):
        model = resolve(record.model)
        key = day if by == "day" else day[:7] if by == "month" else (model.id if model else "")
        month = day[:7]
        first_month = month if first_month is None or month < first_month else first_month
        last_month = month if last_month is None or month > last_month else last_month
        if model is None:
            unknown[record.model].add(record, None)
            unknown_sources[record.model].add(record.source)
            continue
        long_context = buckets.add(key, model, record)
        sums[key].add(record, None, long_context)
        total.add(record, None, long_context)
        has_billing = has_billing or record.source in BILLING_SOURCES
        if record.source in ESTIMATED_SOURCES and record.model and record.model.lower() != model.id.lower():
            slugs[model.id].add(record.model)

    for key, cost in buckets.costs():
        sums[key].cost += cost
        total.cost += cost
    for key, amount in _vendor_amounts(vendor_costs, by, resolve):
        sums[key].add_vendor(amount)
        total.add_vendor(amount)

    groups = [UsageGroup(key, s.frozen(rate)) for key, s in sums.items()]
    if by == "model":
        groups.sort(key=lambda g: (-g.totals.cost, g.key))
    else:
        groups.sort(key=lambda g: g.key)
    unpriced = [
        UnpricedModel(
            model=name,
            requests=s.requests,
            uncounted_rows=s.uncounted,
            input_tokens=s.input,
            output_tokens=s.output,
            vendor_cost=None if s.vendor is None else s.vendor * rate,
            sources=tuple(sorted(unknown_sources[name])),
        )
        for name, s in unknown.items()
    ]
    unpriced.sort(key=lambda m: (-(m.requests + m.uncounted_rows), m.model or ""))
    return PricedUsage(
        by=by,
        currency=currency.upper(),
        rate=rate,
        groups=tuple(groups),
        totals=total.frozen(rate),
        unknown_models=tuple(unpriced),
        first_month=first_month,
        last_month=last_month,
        notes=tuple(_notes(has_billing, slugs)),
    )


def _by_day(records: Sequence[UsageRecord], tz: tzinfo | None):
    """(``YYYY-MM-DD`` in ``tz``, record) in time order; UTC-day billing rows keep their UTC day."""
    for day, members in group_records(list(records), "day", tz).items():  # type: ignore[arg-type]
        for record in members:
            yield day, record


def _vendor_amounts(costs: Iterable[VendorCost], by: str, resolve: ModelResolver):
    costs = list(costs)
    if not costs:
        return
    if by == "model":
        for cost in costs:
            model = resolve(cost.model)
            yield (model.id if model else cost.model or NO_MODEL), cost.amount_usd
        return
    for key, members in group_vendor_costs(costs, by).items():
        for cost in members:
            yield key, cost.amount_usd


def _notes(has_billing: bool, slugs: dict[str, set[str]]) -> list[str]:
    notes = [
        f"chat export model {', '.join(sorted(names))} priced as {model_id} (price-sheet alias)"
        for model_id, names in sorted(slugs.items())
    ]
    if has_billing:
        notes.append(
            "billing export rows priced at standard-tier prices; long-context prices apply when a "
            "row's average request exceeds the model's threshold (rows without a request count: "
            "standard prices)"
        )
    return notes


# --- plans -----------------------------------------------------------------------------------


def plan_seats(plan: Plan, seats: int | None) -> int:
    """The seats to pay for: ``seats`` (per-seat plans only), else the plan's minimum."""
    if seats is None:
        return plan.min_seats if plan.per_seat else 1
    if seats < 1:
        raise UsageError(f"--seats must be at least 1, got {seats}")
    if not plan.per_seat:
        if seats != 1:
            raise UsageError(f"{plan.name} is not sold per seat; --seats applies to team plans only")
        return 1
    if seats < plan.min_seats:
        raise UsageError(f"{plan.name} is sold for at least {plan.min_seats} seats, got --seats {seats}")
    return seats


@dataclass(frozen=True)
class PlanComparison:
    """A plan's price over the months the records span, against their API-equivalent cost."""

    plan: Plan
    seats: int
    months: int
    first_month: str
    last_month: str
    monthly_price: Decimal  # per seat, in currency
    api_cost: Decimal
    currency: str
    unpriced_requests: int = 0
    unpriced_rows: int = 0
    unpriced_models: int = 0

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
        line = f"{head} → {tail}"
        if self.unpriced_models:
            parts = []
            if self.unpriced_requests:
                parts.append(f"{self.unpriced_requests:,} request{'s' if self.unpriced_requests != 1 else ''}")
            if self.unpriced_rows:
                parts.append(f"{self.unpriced_rows:,} billing row{'s' if self.unpriced_rows != 1 else ''}")
            line += (
                f" (the API figure leaves out {' and '.join(parts)} of "
                f"{self.unpriced_models} model{'s' if self.unpriced_models != 1 else ''} not in the price sheet)"
            )
        return line


def compare_plan(plan: Plan, usage: PricedUsage, *, seats: int | None = None) -> PlanComparison:
    """``plan`` paid for every calendar month ``usage`` spans, against its API-equivalent cost."""
    if usage.first_month is None or usage.last_month is None:
        raise TokencalcError("no usage records to compare with a plan")
    return PlanComparison(
        plan=plan,
        seats=plan_seats(plan, seats),
        months=usage.months,
        first_month=usage.first_month,
        last_month=usage.last_month,
        monthly_price=plan.monthly_price * usage.rate,
        api_cost=usage.totals.cost,
        currency=usage.currency,
        unpriced_requests=usage.unpriced_requests,
        unpriced_rows=usage.unpriced_rows,
        unpriced_models=len(usage.unknown_models),
    )
