"""The price sheet's data model: the entries it holds, as frozen dataclasses, and its constants.

Money is :class:`~decimal.Decimal`. :class:`~tokencalc.sheet.price_sheet.PriceSheet` holds these
entries; :mod:`tokencalc.sheet.load` reads them from ``pricing.toml`` files.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from tokencalc.sheet.provider_rules import Fee, Residency
from tokencalc.sheet.rules import OffPeak
from tokencalc.tokenizers.tokenizer_families import (
    FamilyCounting,
)

SCHEMA_VERSION = 1
#: A sheet whose ``as_of`` is older than this many days gets a warning.
STALE_AFTER_DAYS = 90
#: The label the packaged sheet's problems are reported under.
PACKAGED_LABEL = "pricing.toml"
TIERS = ("batch", "flex", "priority")
PRICE_FIELDS = ("input", "cached_input", "cache_write_5m", "cache_write_1h", "output")
USD = "USD"

#: The sections of the sheet whose entries are tables keyed by id.
ENTRY_TABLES = ("providers", "tokenizers", "models", "plans")
#: What a model id or alias may look like: nameable on a command line, never a glob.
MODEL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/@+-]*$")
MODEL_NAME_RULE = "start with a letter or digit and use only letters, digits and . _ : / @ + -"


@dataclass(frozen=True)
class Provider:
    id: str
    name: str
    source: str
    as_of: date
    notes: str | None = None
    #: per-call fees (web search, fetch, grounding) of the provider's models
    fees: tuple[Fee, ...] = ()
    #: data-residency multipliers by inference geography
    residency: tuple[Residency, ...] = ()


@dataclass(frozen=True)
class TokenizerFamily:
    """An estimate family: ``tokens ≈ ceil(count on base × ratio)``."""

    id: str
    base: str  # an exact encoding, or "characters"
    ratio: Decimal
    source: str
    notes: str | None = None
    #: per-class table, reconstruction, user tokenizer file (tokencalc.tokenizers.tokenizer_families)
    counting: FamilyCounting = FamilyCounting()


@dataclass(frozen=True)
class LongContext:
    """Prices for a whole request whose input exceeds ``threshold`` tokens."""

    threshold: int
    input: Decimal
    output: Decimal
    cached_input: Decimal | None = None
    cache_write_5m: Decimal | None = None
    cache_write_1h: Decimal | None = None
    #: the first and last UTC day the long-context prices are offered (None: open)
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True)
class Tier:
    """A service tier (batch, flex, priority): a multiplier or explicit prices."""

    name: str
    multiplier: Decimal | None = None
    input: Decimal | None = None
    output: Decimal | None = None
    cached_input: Decimal | None = None
    cache_write_5m: Decimal | None = None
    cache_write_1h: Decimal | None = None
    #: the first and last UTC day the tier is offered (None: open)
    start: date | None = None
    end: date | None = None
    #: long-context prices under this tier where the vendor publishes them apart (rounded
    #: differently from the scaled figure); each replaces the scaled price of its kind
    long_context: Mapping[str, Decimal] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class ScheduleEntry:
    """Prices that change from ``start`` (inclusive); fields left None keep their value."""

    start: date
    input: Decimal | None = None
    cached_input: Decimal | None = None
    cache_write_5m: Decimal | None = None
    cache_write_1h: Decimal | None = None
    output: Decimal | None = None
    notes: str | None = None


@dataclass(frozen=True)
class ModelEntry:
    """One model as the sheet describes it (standard prices, before any schedule)."""

    id: str
    provider: str
    name: str
    tokenizer: str
    input: Decimal
    output: Decimal
    context_window: int
    cached_input: Decimal | None = None
    cache_write_5m: Decimal | None = None
    cache_write_1h: Decimal | None = None
    max_output: int | None = None
    aliases: tuple[str, ...] = ()
    source: str = ""  # the model's own source, else its provider's
    as_of: date | None = None  # the model's own date, else its provider's
    notes: str | None = None
    deprecated: bool = False
    long_context: LongContext | None = None
    tiers: Mapping[str, Tier] = field(default_factory=lambda: MappingProxyType({}))
    schedule: tuple[ScheduleEntry, ...] = ()
    #: the sheet files that define or change this model, default first
    files: tuple[str, ...] = ()
    #: long-context and explicit tier prices ("long_context.input", "batch.output") that an
    #: overlay set above the file that gave the schedule: they do not follow the schedule
    fixed: frozenset[str] = frozenset()
    #: hours of the UTC day billed at other (off-peak) prices, see tokencalc.sheet.rules
    off_peak: tuple[OffPeak, ...] = ()


@dataclass(frozen=True)
class Plan:
    """A subscription plan (see docs/price-sheet.md)."""

    id: str
    vendor: str
    name: str
    monthly_price: Decimal
    models: tuple[str, ...]
    caps: str
    source: str
    as_of: date
    annual_monthly_price: Decimal | None = None
    per_seat: bool = False
    min_seats: int = 1
    messages_per_day_cap: int | None = None
    notes: str | None = None
    #: other names the plan goes by (Anthropic's "Max 5x" for what it now calls Max)
    aliases: tuple[str, ...] = ()
    #: numeric caps the vendor publishes (messages in a window of hours), with their source
    limits: tuple[PlanLimit, ...] = ()


@dataclass(frozen=True)
class PlanLimit:
    """At most ``messages`` in any ``hours``-hour window (24: a day, 168: a week) on ``scope``."""

    messages: int
    hours: int
    scope: str
    source: str


@dataclass(frozen=True)
class Prices:
    """Resolved prices per million tokens for one model, date and tier; none missing."""

    input: Decimal
    cached_input: Decimal
    cache_write_5m: Decimal
    cache_write_1h: Decimal
    output: Decimal
    long_context_threshold: int | None = None
    long_context: Prices | None = None

    def for_prompt(self, input_tokens: int) -> tuple[Prices, bool]:
        """The prices that bill a request with this many input tokens, and whether they are long-context."""
        if (
            self.long_context is not None
            and self.long_context_threshold is not None
            and input_tokens > self.long_context_threshold
        ):
            return self.long_context, True
        return self, False

    @classmethod
    def of(
        cls,
        values: Mapping[str, Decimal],
        long_context_threshold: int | None = None,
        long_context: Prices | None = None,
    ) -> Prices:
        """Prices from a mapping holding each of :data:`PRICE_FIELDS`."""
        return cls(
            input=values["input"],
            cached_input=values["cached_input"],
            cache_write_5m=values["cache_write_5m"],
            cache_write_1h=values["cache_write_1h"],
            output=values["output"],
            long_context_threshold=long_context_threshold,
            long_context=long_context,
        )

    def scaled(self, factor: Decimal) -> Prices:
        return Prices.of(
            {name: getattr(self, name) * factor for name in PRICE_FIELDS},
            long_context_threshold=self.long_context_threshold,
            long_context=self.long_context.scaled(factor) if self.long_context else None,
        )


@dataclass(frozen=True)
class SheetLayer:
    """One sheet file's parsed content and the label its problems are reported under."""

    label: str
    data: dict[str, Any]
