"""What pricing usage records returns: totals per group, the models and tiers left unpriced, and
the running sums they are built from (:mod:`tokencalc.usage.pricing` fills them).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from tokencalc.usage.records import ChatCounting, UsageRecord
from tokencalc.usage.registry import ESTIMATED_SOURCES
from tokencalc.usage.surcharges import UnpricedExtra

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
    #: per priced model with chat-export records, how their tokens were counted
    chat_counting: tuple[ChatCounting, ...] = ()

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


class RunningSum:
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
        self.estimated = self.estimated or counted_from_text(record)

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


def counted_from_text(record: UsageRecord) -> bool:
    """Whether the record's tokens are o200k_base counts of chat text, not the vendor's counts."""
    return record.estimated or record.source in ESTIMATED_SOURCES


def months_between(first: str | None, last: str | None) -> int:
    """Calendar months from ``first`` to ``last`` (``YYYY-MM``), both included; 0 when empty."""
    if first is None or last is None:
        return 0
    fy, fm = (int(p) for p in first.split("-"))
    ly, lm = (int(p) for p in last.split("-"))
    return (ly * 12 + lm) - (fy * 12 + fm) + 1
