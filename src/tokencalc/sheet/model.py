"""The price sheet: loading, overlaying and validating ``pricing.toml``, and looking prices up.

The packaged default sheet is overlaid by the user's sheet and then by ``--prices FILE``
(see docs/price-sheet.md for the schema and the overlay rules). Every problem found in any
of them is collected and raised together as one :class:`~tokencalc.errors.PriceSheetError`,
each naming the file, the entry and the field at fault.

Money is :class:`~decimal.Decimal`; TOML floats are read through ``str`` so ``0.1`` stays
``0.1``. Nothing here prints, exits, or builds a tokenizer.
"""

from __future__ import annotations

import copy
import difflib
import fnmatch
import json
import math
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any

from tokencalc.counting.encodings import CHARACTERS, EXACT_ENCODINGS, TokenizerRef
from tokencalc.errors import PriceSheetError, TokencalcError, UnknownModelError
from tokencalc.sheet.model_ids import candidates as id_candidates
from tokencalc.sheet.rules import (
    Fee,
    OffPeak,
    Residency,
    check_window,
    in_force,
    parse_fees,
    parse_off_peak,
    parse_residency,
    window_text,
)
from tokencalc.tokenizers.tokenizer_families import (
    TOKENIZER_COUNT_KEYS,
    FamilyCounting,
    check_family_counting,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SCHEMA_VERSION = 1
#: A sheet whose ``as_of`` is older than this many days gets a warning.
STALE_AFTER_DAYS = 90
#: The label the packaged sheet's problems are reported under.
PACKAGED_LABEL = "pricing.toml"
TIERS = ("batch", "flex", "priority")
PRICE_FIELDS = ("input", "cached_input", "cache_write_5m", "cache_write_1h", "output")
USD = "USD"

_TOP_KEYS = (
    "schema_version",
    "as_of",
    "default_models",
    "providers",
    "tokenizers",
    "models",
    "plans",
    "currencies",
    "rate_limits",
)
_PROVIDER_REQUIRED = ("name", "source", "as_of")
_PROVIDER_OPTIONAL = ("notes", "fees", "residency")
_TOKENIZER_REQUIRED = ("base", "ratio", "source")
_TOKENIZER_OPTIONAL = ("notes", *TOKENIZER_COUNT_KEYS)
_MODEL_REQUIRED = ("provider", "name", "tokenizer", "input", "output", "context_window")
_MODEL_OPTIONAL = (
    "cached_input",
    "cache_write_5m",
    "cache_write_1h",
    "max_output",
    "aliases",
    "source",
    "as_of",
    "notes",
    "deprecated",
    "long_context",
    *TIERS,
    "schedule",
    "off_peak",
)
_LONG_CONTEXT_REQUIRED = ("threshold", "input", "output")
_LONG_CONTEXT_OPTIONAL = ("cached_input", "cache_write_5m", "cache_write_1h", "from", "until")
_TIER_KEYS = ("multiplier", *PRICE_FIELDS, "from", "until", "long_context")
_SCHEDULE_KEYS = ("from", *PRICE_FIELDS, "notes")
_PLAN_REQUIRED = ("vendor", "name", "monthly_price", "models", "caps", "source", "as_of")
_PLAN_OPTIONAL = (
    "annual_monthly_price",
    "per_seat",
    "min_seats",
    "messages_per_day_cap",
    "notes",
    "aliases",
    "limits",
)
_LIMIT_KEYS = ("messages", "hours", "scope", "source")
_TIER_BASES = (*EXACT_ENCODINGS, CHARACTERS)
_CURRENCY_CODE = re.compile(r"^[A-Z]{3}$")
_ENTRY_TABLES = ("providers", "tokenizers", "models", "plans")
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
#: What a model id or alias may look like: nameable on a command line, never a glob.
MODEL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/@+-]*$")
MODEL_NAME_RULE = "start with a letter or digit and use only letters, digits and . _ : / @ + -"


# --- the data ------------------------------------------------------------------------------


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
        if self.long_context is not None and self.long_context_threshold is not None:
            if input_tokens > self.long_context_threshold:
                return self.long_context, True
        return self, False

    def scaled(self, factor: Decimal) -> Prices:
        return Prices(
            *(getattr(self, name) * factor for name in PRICE_FIELDS),
            long_context_threshold=self.long_context_threshold,
            long_context=self.long_context.scaled(factor) if self.long_context else None,
        )


@dataclass(frozen=True)
class PriceSheet:
    """The merged, validated price sheet."""

    models: Mapping[str, ModelEntry]
    aliases: Mapping[str, str]  # alias (as written) → model id
    providers: Mapping[str, Provider]
    tokenizers: Mapping[str, TokenizerFamily]
    plans: Mapping[str, Plan]
    default_models: tuple[str, ...]
    currencies: Mapping[str, Decimal]
    as_of: date
    files: tuple[str, ...]
    #: the parsed files, default first, as they were merged (see :func:`merge_layers`)
    layers: tuple[SheetLayer, ...] = field(default=(), repr=False, compare=False)

    # -- looking models up

    def resolve(self, name: str) -> ModelEntry:
        """The model with this id or alias (case-insensitive); never a fuzzy match.

        A name that is neither is rewritten by the one resolution rule of
        :mod:`tokencalc.sheet.model_ids` (gateway prefixes, Bedrock and Vertex forms, dated
        snapshots, ``-latest``, dotted versions) and looked up again, form by form.
        """
        return self.resolve_form(name)[0]

    def resolve_form(self, name: str) -> tuple[ModelEntry, str | None]:
        """The model ``name`` means, and the rewritten form that matched (None: as written)."""
        found = self._lookup(name)
        if found is not None:
            return found, None
        for form in id_candidates(name):
            found = self._lookup(form)
            if found is not None:
                return found, form
        raise UnknownModelError(name, self.suggest(name))

    def _lookup(self, name: str) -> ModelEntry | None:
        key = name.strip().lower()
        index = self.__dict__.get("_name_index")
        if index is None:
            index = {alias.lower(): model_id for alias, model_id in self.aliases.items()}
            index.update({model_id.lower(): model_id for model_id in self.models})
            object.__setattr__(self, "_name_index", index)
        model_id = index.get(key)
        return None if model_id is None else self.models[model_id]

    def resolve_plan(self, name: str) -> Plan:
        """The plan with this id or display name (case-insensitive); never a fuzzy match.

        An unknown name raises :class:`TokencalcError` suggesting the nearest plan ids.
        """
        wanted = name.strip().lower()
        for plan in self.plans.values():
            if wanted in (plan.id.lower(), plan.name.lower()):
                return plan
        # other names the plan goes by (Anthropic's "Max 5x" for Max): spaces read as hyphens
        spelled = "-".join(wanted.split())
        for plan in self.plans.values():
            if spelled in ("-".join(alias.lower().split()) for alias in plan.aliases):
                return plan
        ids = {plan_id.lower(): plan_id for plan_id in self.plans}
        near = [ids[m] for m in difflib.get_close_matches(wanted, list(ids), n=3, cutoff=0.5)]
        hint = f"did you mean {', '.join(near)}?" if near else "'tokencalc plans' lists them all"
        raise TokencalcError(f"unknown plan {name!r} ({hint})")

    def suggest(self, name: str, n: int = 3) -> list[str]:
        """The nearest model ids and aliases to a misspelt name."""
        names = {k.lower(): k for k in [*self.models, *self.aliases]}
        matches = difflib.get_close_matches(name.strip().lower(), list(names), n=n, cutoff=0.6)
        return [names[m] for m in matches]

    def select(
        self,
        patterns: Sequence[str] = (),
        providers: Sequence[str] = (),
        all_models: bool = False,
        *,
        include_deprecated: bool = False,
    ) -> list[ModelEntry]:
        """The models a command line asks for; each option adds to the selection.

        ``patterns`` are ids, aliases or fnmatch globs over ids and aliases (``claude-*``);
        ``providers`` adds every model of each provider; ``all_models`` adds every model.
        Globs, providers and ``all_models`` leave out deprecated models unless
        ``include_deprecated``; an id or alias named exactly is always honoured. With
        nothing asked for, the sheet's ``default_models``. An unknown id, an unknown
        provider or a glob that matches nothing raises.
        """
        from tokencalc.errors import UsageError

        for wanted in (*patterns, *providers):
            if not wanted.strip():
                raise UsageError(
                    "an empty model or provider name (an unset shell variable?); name one, or leave the option out"
                )
        chosen: dict[str, ModelEntry] = {}

        def current(model: ModelEntry) -> bool:
            return include_deprecated or not model.deprecated

        known_providers = {p.lower(): p for p in self.providers}
        for wanted in providers:
            provider = known_providers.get(wanted.strip().lower())
            if provider is None:
                raise TokencalcError(
                    f"unknown provider {wanted!r} (known: {', '.join(sorted(self.providers))})"
                )
            theirs = [m for m in self.models.values() if m.provider == provider]
            live = [m for m in theirs if current(m)]
            if not live:
                listed = ", ".join(m.id for m in theirs) or "none"
                raise TokencalcError(
                    f"provider {provider!r} has no current models (deprecated: {listed}); name them with --model"
                )
            for model in live:
                chosen.setdefault(model.id, model)
        if all_models:
            for model in self.models.values():
                if current(model):
                    chosen.setdefault(model.id, model)
        for pattern in patterns:
            if any(ch in pattern for ch in "*?["):
                # a glob matches ids; aliases (dated snapshots…) only when it matches no id
                matched = [
                    m for m in self.models.values() if self.matches(m, pattern, aliases=False)
                ]
                matched = matched or [m for m in self.models.values() if self.matches(m, pattern)]
                live = [m for m in matched if current(m)]
                if not live:
                    hint = (
                        f" except deprecated ones ({', '.join(m.id for m in matched)}); name them exactly"
                        if matched
                        else "; 'tokencalc models' lists them"
                    )
                    raise TokencalcError(f"no model matches {pattern!r}{hint}")
                for model in live:
                    chosen.setdefault(model.id, model)
            else:
                model = self.resolve(pattern)
                chosen.setdefault(model.id, model)
        if not (patterns or providers or all_models):
            return [self.models[model_id] for model_id in self.default_models]
        return list(chosen.values())

    @staticmethod
    def matches(model: ModelEntry, pattern: str, *, aliases: bool = True) -> bool:
        """Whether an fnmatch glob matches the model's id or (``aliases``) an alias, any case."""
        pattern = pattern.strip().lower()
        names = (model.id, *model.aliases) if aliases else (model.id,)
        return any(fnmatch.fnmatchcase(name.lower(), pattern) for name in names)

    # -- prices

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

    # -- tokenizers

    def tokenizer_for(self, model: ModelEntry) -> TokenizerRef:
        """How to count ``model``'s tokens: an exact encoding, or a family's estimate."""
        if model.tokenizer in EXACT_ENCODINGS:
            return TokenizerRef(family=model.tokenizer, base=model.tokenizer)
        family = self.tokenizers[model.tokenizer]
        return TokenizerRef(
            family=family.id,
            base=family.base,
            ratio=family.ratio,
            estimated=True,
            counting=family.counting,
        )

    # -- currencies and age

    def exchange_rate(self, currency: str, rate: Decimal | None = None) -> Decimal:
        """Units of ``currency`` per US dollar: ``rate`` if given, else the sheet's ``[currencies]``."""
        code = currency.strip().upper()
        if rate is not None:
            if rate <= 0:
                raise TokencalcError(f"exchange rate must be positive, got {rate}")
            return rate
        if code == USD:
            return Decimal(1)
        if code in self.currencies:
            return self.currencies[code]
        from tokencalc.paths import user_sheet_path

        raise TokencalcError(
            f"no exchange rate for {code}: give --rate (units per US dollar) "
            f"or add 'currencies.{code} = …' to {user_sheet_path()}"
        )

    def age_warning(self, today: date | None = None) -> str | None:
        """A message when the sheet's ``as_of`` is more than 90 days before ``today``."""
        age = ((today or date.today()) - self.as_of).days
        if age <= STALE_AFTER_DAYS:
            return None
        return (
            f"the price sheet is {age} days old (as of {self.as_of.isoformat()}); prices may have "
            "changed: upgrade tokencalc or override prices in your own sheet"
        )


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
    return Prices(
        *(values[n] for n in PRICE_FIELDS),
        long_context_threshold=threshold if long is not None else None,
        long_context=Prices(*(long[n] for n in PRICE_FIELDS)) if long is not None else None,
    )


# --- loading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetLayer:
    """One sheet file's parsed content and the label its problems are reported under."""

    label: str
    data: dict[str, Any]


def load_price_sheet(
    prices_file: Path | None = None,
    *,
    user_sheet: bool = True,
    base_sheet: Path | None = None,
) -> PriceSheet:
    """The packaged sheet, overlaid by the user sheet (if it exists) and then ``prices_file``.

    ``base_sheet`` replaces the packaged default (to validate a complete sheet of one's
    own, and in tests). The result keeps the parsed files as :attr:`PriceSheet.layers`.
    Raises :class:`PriceSheetError` listing every problem in every file.
    """
    texts: list[tuple[str, str | None, str | None]] = []  # label, text, read problem
    if base_sheet is None:
        texts.append(_read_packaged())
    else:
        texts.append(_read_file(base_sheet))
    if user_sheet:
        from tokencalc.paths import user_sheet_path

        path = user_sheet_path()
        if path.exists():
            texts.append(_read_file(path))
    if prices_file is not None:
        texts.append(_read_file(prices_file))

    problems: list[str] = []
    layers: list[SheetLayer] = []
    for label, text, problem in texts:
        if problem is not None:
            problems.append(problem)
            continue
        assert text is not None
        try:
            layers.append(SheetLayer(label, parse_sheet_text(text, label)))
        except PriceSheetError as exc:
            problems.extend(exc.problems)
    try:
        if problems:
            raise _sheet_error(problems)
        return build_price_sheet(layers)
    except PriceSheetError as exc:
        raise _with_user_sheet_hint(exc) from None


def user_sheet_hint(path: Path) -> str:
    """How to repair a broken user sheet (appended to errors that name it)."""
    return (
        f"{path} is your own price sheet: 'tokencalc prices validate {path}' lists every problem; "
        f"fix them, or move the file aside (mv {path} {path}.broken) to use the packaged prices"
    )


def _with_user_sheet_hint(exc: PriceSheetError) -> PriceSheetError:
    # Every command that loads the sheet fails on a broken user sheet; say how to get out.
    from tokencalc.paths import user_sheet_path

    path = user_sheet_path()
    if not any(problem.startswith(f"{path}:") for problem in exc.problems):
        return exc
    joiner = "\n  " if "\n" in exc.message else "; "
    return PriceSheetError(f"{exc.message}{joiner}{user_sheet_hint(path)}", exc.problems)


def read_sheet_layer(path: Path | None = None) -> SheetLayer:
    """One sheet file, parsed but not validated (None: the packaged default).

    Raises :class:`PriceSheetError` when it cannot be read or is not TOML.
    """
    label, text, problem = _read_packaged() if path is None else _read_file(path)
    if problem is not None:
        raise _sheet_error([problem])
    assert text is not None
    return SheetLayer(label, parse_sheet_text(text, label))


def merge_layers(layers: Sequence[SheetLayer]) -> dict[str, Any]:
    """The raw data of sheet files overlaid as the loader overlays them (not validated).

    The layers' own data is left untouched.
    """
    merged: dict[str, Any] = {}
    origins = _Origins(layers[0].label if layers else PACKAGED_LABEL)
    for layer in layers:
        _merge(merged, layer.data, layer.label, origins)
    return merged


def shape_problems(layer: SheetLayer, *, ignore: Iterable[tuple[str, str]] = ()) -> list[str]:
    """Where a sheet file has something other than a table that must be one.

    Only the sections and their entries are looked at (``models = 3``, ``[[models]]``,
    ``models."gpt-5" = 3``): what an edit needs before it can change the file. Entries in
    ``ignore`` (section, id) are not reported. Each problem reads like the validator's.
    """
    skipped = set(ignore)
    problems = []
    for section in (*_ENTRY_TABLES, "currencies"):
        table = layer.data.get(section)
        if table is None:
            continue
        if not isinstance(table, dict):
            problems.append(
                f"{layer.label}: {_location((section,))}: must be a table, got {_show(table)}"
            )
            continue
        if section == "currencies":
            continue
        for entry_id, body in table.items():
            if not isinstance(body, dict) and (section, entry_id) not in skipped:
                problems.append(
                    f"{layer.label}: {_location((section, entry_id))}: must be a table, got {_show(body)}"
                )
    return problems


def packaged_sheet_location() -> str:
    """Where the packaged default sheet is installed (for people to read, not to edit)."""
    from importlib import resources

    return str(resources.files("tokencalc").joinpath("pricing.toml"))


def _read_packaged() -> tuple[str, str | None, str | None]:
    from importlib import resources

    try:
        data = resources.files("tokencalc").joinpath("pricing.toml").read_bytes()
    except OSError as exc:
        return (
            PACKAGED_LABEL,
            None,
            f"{PACKAGED_LABEL}: cannot read the packaged price sheet: {os_reason(exc)}; reinstall tokencalc",
        )
    return _decode(PACKAGED_LABEL, data)


def _read_file(path: Path) -> tuple[str, str | None, str | None]:
    from tokencalc.limits import SHEET_SIZE, FileLimitError, read_limited

    label = str(path)
    try:
        data = read_limited(Path(path), SHEET_SIZE, "price sheet")
    except FileLimitError as exc:
        return label, None, exc.message
    except OSError as exc:
        return label, None, f"{label}: cannot read: {os_reason(exc)}"
    return _decode(label, data)


def _decode(label: str, data: bytes) -> tuple[str, str | None, str | None]:
    try:
        return label, decode_sheet(data), None
    except UnicodeDecodeError as exc:
        return label, None, f"{label}: not UTF-8 text (invalid byte at offset {exc.start})"


def decode_sheet(data: bytes) -> str:
    """A sheet file's text: UTF-8, with or without the byte-order mark some editors write."""
    return data.decode("utf-8-sig")


def os_reason(exc: OSError) -> str:
    """Why a file could not be read or written, in a few lower-case words."""
    if isinstance(exc, FileNotFoundError):
        return "no such file or directory"
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, IsADirectoryError):
        return "is a directory"
    if isinstance(exc, (NotADirectoryError, FileExistsError)):
        return "a path component is a file, not a directory"
    return (exc.strerror or str(exc)).lower()


_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


def parse_sheet_text(text: str, label: str) -> dict[str, Any]:
    """Parse TOML; a syntax error becomes a :class:`PriceSheetError` naming file, line and column."""
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise PriceSheetError(
            f"{label}: invalid TOML: arrays or tables nested too deeply"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        message = str(getattr(exc, "msg", None) or exc)
        line, column = getattr(exc, "lineno", None), getattr(exc, "colno", None)
        found = _TOML_POSITION.search(message)
        if found:
            line, column = int(found.group(1)), int(found.group(2))
            message = message[: found.start()]
        elif message.endswith("(at end of document)"):
            message = message[: -len("(at end of document)")].rstrip()
            line = text.count("\n") + 1
            column = len(text.rsplit("\n", 1)[-1]) + 1
        where = f"line {line}, column {column}: " if line else ""
        raise PriceSheetError(f"{label}: {where}invalid TOML: {message}") from None
    except ValueError as exc:
        # An integer of more than 4,300 digits (Python's limit on int from text), and the like.
        reason = str(exc).split(";")[0]
        raise PriceSheetError(f"{label}: invalid TOML: a value cannot be read ({reason})") from None


def _sheet_error(problems: list[str]) -> PriceSheetError:
    if len(problems) == 1:
        return PriceSheetError(problems[0], problems)
    listed = "\n  ".join(problems)
    return PriceSheetError(f"{len(problems)} problems in the price sheet:\n  {listed}", problems)


# --- merging -------------------------------------------------------------------------------


class _Origins:
    """Which file set each key path of the merged sheet (the last one to set it)."""

    def __init__(self, default: str) -> None:
        self.default = default
        self._by_path: dict[tuple[Any, ...], str] = {}
        self._touched: dict[tuple[Any, ...], list[str]] = {}
        self._ranks: dict[str, int] = {}
        self._layers = 0

    def add_layer(self, label: str) -> None:
        """Note that ``label`` is merged next (later files rank higher)."""
        self._ranks[label] = self._layers
        self._layers += 1

    def record(self, path: tuple[Any, ...], value: Any, label: str) -> None:
        self._by_path[path] = label
        if len(path) == 2 and path[0] in _ENTRY_TABLES:
            self.touch(path, label)
        if isinstance(value, dict):
            for key, item in value.items():
                self.record((*path, key), item, label)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self.record((*path, index), item, label)

    def claim(self, path: tuple[Any, ...], label: str) -> None:
        """Mark ``path`` as set by ``label`` (its keys are then re-recorded as they merge)."""
        self._by_path[path] = label

    def touch(self, path: tuple[Any, ...], label: str) -> None:
        labels = self._touched.setdefault(path, [])
        if label not in labels:
            labels.append(label)

    def of(self, path: tuple[Any, ...]) -> str:
        for end in range(len(path), 0, -1):
            label = self._by_path.get(path[:end])
            if label is not None:
                return label
        return self.default

    def files_of(self, path: tuple[Any, ...]) -> tuple[str, ...]:
        return tuple(self._touched.get(path, ()))

    def rank(self, path: tuple[Any, ...]) -> int:
        """How late in the overlay order the file that set ``path`` comes (default = 0)."""
        return self._ranks.get(self.of(path), 0)

    def latest(self, paths: Iterable[tuple[Any, ...]]) -> str:
        """The file, of those that set ``paths``, merged last."""
        return max(
            (self.of(path) for path in paths),
            key=lambda label: self._ranks.get(label, 0),
            default=self.default,
        )


def _merge(
    target: dict[str, Any],
    overlay: Mapping[str, Any],
    label: str,
    origins: _Origins,
    path: tuple[Any, ...] = (),
) -> None:
    if len(path) == 2 and path[0] in _ENTRY_TABLES:
        origins.touch(path, label)
    # Model ids are case-insensitive: an overlay's [models."GPT-5"] changes the model gpt-5
    # (but two ids of one file that differ only in case stay two, and are reported).
    known = {k.lower(): k for k in target if isinstance(k, str)} if path == ("models",) else {}
    for key, value in overlay.items():
        if known and key not in target:
            key = known.get(key.lower(), key)
        here = (*path, key)
        current = target.get(key)
        if isinstance(value, dict) and isinstance(current, dict):
            if (
                len(path) == 2
                and path[0] == "models"
                and key in TIERS
                and _switch_tier_form(current, value)
            ):
                origins.claim(here, label)
            _merge(current, value, label, origins, here)
        else:
            target[key] = copy.deepcopy(value)
            origins.record(here, value, label)


def _switch_tier_form(current: dict[str, Any], overlay: Mapping[str, Any]) -> bool:
    """A tier is a multiplier *or* explicit prices: an overlay giving one form replaces the other.

    Returns True when it did (the overlay then owns the whole tier table).
    """
    if "multiplier" in overlay and "multiplier" not in current:
        for name in PRICE_FIELDS:
            current.pop(name, None)
        current.pop("long_context", None)
        return True
    if (
        "multiplier" in current
        and "multiplier" not in overlay
        and any(name in overlay for name in PRICE_FIELDS)
    ):
        del current["multiplier"]
        return True
    return False


# --- validating ----------------------------------------------------------------------------


def _location(path: Sequence[Any]) -> str:
    parts: list[str] = []
    for index, key in enumerate(path):
        if isinstance(key, int):
            parts.append(f"[{key}]")
            continue
        quoted = (index == 1 and path[0] in _ENTRY_TABLES) or not _BARE_KEY.match(key)
        text = json.dumps(key, ensure_ascii=False) if quoted else key
        parts.append(text if index == 0 else f".{text}")
    return "".join(parts) or "(top level)"


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return str(value)


#: Bounds on every number a sheet holds, so that any valid sheet can be priced (issue 10):
#: prices (US dollars per million tokens, per month, per request), multipliers and ratios are
#: at most a million; exchange rates at most MAX_RATE units per dollar; counts (context windows,
#: thresholds, seats, caps) at most a trillion.
MAX_SHEET_NUMBER = Decimal(1_000_000)
MAX_RATE = Decimal(10_000_000)
MAX_SHEET_INTEGER = 10**12


class _Validator:
    """Walks the merged sheet, collecting problems and building the entries that are sound."""

    def __init__(self, origins: _Origins) -> None:
        self.origins = origins
        self.problems: list[str] = []

    def problem(
        self, path: Sequence[Any], message: str, *, blame: Iterable[tuple[Any, ...]] = ()
    ) -> None:
        """Record a problem at ``path``, named after the file that set it.

        ``blame``: the keys that together make the problem; the file that set the last of them
        is named (an overlay adding ``input`` beside the default's ``multiplier``).
        """
        blamed = list(blame)
        label = self.origins.latest(blamed) if blamed else self.origins.of(tuple(path))
        self.problems.append(f"{label}: {_location(path)}: {message}")

    # -- scalar checks: each returns the value, or None after recording a problem

    def number(
        self,
        path: tuple[Any, ...],
        value: Any,
        *,
        positive: bool = False,
        maximum: Decimal = MAX_SHEET_NUMBER,
    ) -> Decimal | None:
        kind = "a positive number" if positive else "a non-negative number"
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.problem(path, f"must be {kind}, got {_show(value)}")
            return None
        if isinstance(value, float) and not math.isfinite(value):
            self.problem(path, f"must be {kind}, got {_show(value)}")
            return None
        number = Decimal(str(value))
        if number < 0 or (positive and number == 0):
            self.problem(path, f"must be {kind}, got {_show(value)}")
            return None
        if number > maximum:
            self.problem(path, f"must be at most {maximum:,f} (a typo?), got {_show(value)}")
            return None
        return number

    def integer(
        self,
        path: tuple[Any, ...],
        value: Any,
        *,
        minimum: int = 1,
        maximum: int = MAX_SHEET_INTEGER,
    ) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            kind = "a positive integer" if minimum == 1 else f"an integer ≥ {minimum}"
            self.problem(path, f"must be {kind}, got {_show(value)}")
            return None
        if value > maximum:
            self.problem(path, f"must be at most {maximum:,} (a typo?), got {_show(value)}")
            return None
        return value

    def text(self, path: tuple[Any, ...], value: Any) -> str | None:
        if not isinstance(value, str) or not value.strip():
            self.problem(path, f"must be a non-empty string, got {_show(value)}")
            return None
        return value

    def flag(self, path: tuple[Any, ...], value: Any) -> bool | None:
        if not isinstance(value, bool):
            self.problem(path, f"must be true or false, got {_show(value)}")
            return None
        return value

    def day(self, path: tuple[Any, ...], value: Any) -> date | None:
        if isinstance(value, datetime) or not isinstance(value, date):
            self.problem(
                path, f"must be a date written like 2026-11-22 (unquoted), got {_show(value)}"
            )
            return None
        return value

    def strings(self, path: tuple[Any, ...], value: Any) -> tuple[str, ...] | None:
        if not isinstance(value, list):
            self.problem(path, f"must be a list of strings, got {_show(value)}")
            return None
        sound = True
        for index, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                self.problem((*path, index), f"must be a non-empty string, got {_show(item)}")
                sound = False
        return tuple(value) if sound else None

    def table(self, path: tuple[Any, ...], value: Any) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.problem(path, f"must be a table, got {_show(value)}")
            return None
        return value

    def keys(
        self,
        path: tuple[Any, ...],
        data: Mapping[str, Any],
        required: Sequence[str],
        optional: Sequence[str] = (),
    ) -> bool:
        """Reject unknown keys (suggesting the allowed ones) and report missing required ones."""
        allowed = (*required, *optional)
        sound = True
        for key in data:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                self.problem((*path, key), f"unknown key{hint}; allowed keys: {', '.join(allowed)}")
                sound = False
        for key in required:
            if key not in data:
                self.problem(path, f"missing required key {key!r}")
                sound = False
        return sound


def build_price_sheet(layers: Sequence[SheetLayer]) -> PriceSheet:
    """Merge parsed sheet files (default first) and validate the result."""
    origins = _Origins(layers[0].label if layers else PACKAGED_LABEL)
    merged: dict[str, Any] = {}
    problems: list[str] = []
    for layer in layers:
        version = layer.data.get("schema_version")
        if version is not None and (isinstance(version, bool) or version != SCHEMA_VERSION):
            problems.append(
                f"{layer.label}: schema_version: must be {SCHEMA_VERSION}, got {_show(version)}"
            )
        origins.add_layer(layer.label)
        _merge(merged, layer.data, layer.label, origins)
    check = _Validator(origins)
    check.problems.extend(problems)
    sheet = _validate(merged, check, [layer.label for layer in layers])
    if check.problems:
        raise _sheet_error(check.problems)
    assert sheet is not None
    return replace(sheet, layers=tuple(layers))


def _entries(
    check: _Validator, merged: Mapping[str, Any], name: str
) -> tuple[dict[str, dict[str, Any]], list[str] | None]:
    """The section's entries that are tables, and all its ids (None: the section is not a table)."""
    table = merged.get(name, {})
    if not isinstance(table, dict):
        check.problem((name,), f"must be a table, got {_show(table)}")
        return {}, None
    entries = {}
    for entry_id, body in table.items():
        if check.table((name, entry_id), body) is not None:
            entries[entry_id] = body
    return entries, list(table)


def _validate(merged: Mapping[str, Any], check: _Validator, labels: list[str]) -> PriceSheet | None:
    # A section that is not a table is one problem, not one per entry that refers to it:
    # the ids it would hold are then None and references to them go unchecked.
    check.keys((), merged, ("schema_version", "as_of"), _TOP_KEYS[2:])
    as_of = check.day(("as_of",), merged["as_of"]) if "as_of" in merged else None

    providers = {}
    entries, provider_ids = _entries(check, merged, "providers")
    for provider_id, body in entries.items():
        provider = _provider(check, provider_id, body)
        if provider:
            providers[provider_id] = provider

    tokenizers = {}
    entries, family_ids = _entries(check, merged, "tokenizers")
    for family_id, body in entries.items():
        if family_id in EXACT_ENCODINGS or family_id == CHARACTERS:
            check.problem(
                ("tokenizers", family_id), "is a built-in tokenizer name; choose another id"
            )
            continue
        family = _tokenizer(check, family_id, body)
        if family:
            tokenizers[family_id] = family
    tokenizer_ids = (
        None if family_ids is None else list(dict.fromkeys([*family_ids, *EXACT_ENCODINGS]))
    )

    models: dict[str, ModelEntry] = {}
    entries, model_ids = _entries(check, merged, "models")
    for model_id, body in entries.items():
        model = _model(check, model_id, body, providers, provider_ids, tokenizer_ids)
        if model:
            models[model_id] = model
    aliases = _check_names(check, (merged.get("models") or {}) if model_ids is not None else {})

    plans = {}
    entries, _plan_ids = _entries(check, merged, "plans")
    for plan_id, body in entries.items():
        plan = _plan(check, plan_id, body, provider_ids, model_ids, aliases)
        if plan:
            plans[plan_id] = plan

    default_models: tuple[str, ...] = ()
    if "default_models" in merged:
        listed = check.strings(("default_models",), merged["default_models"])
        for index, model_id in enumerate(listed or ()):
            if model_ids is not None and model_id not in model_ids:
                _unknown_model(check, ("default_models", index), model_id, model_ids, aliases)
        default_models = tuple(dict.fromkeys(listed or ()))
    elif model_ids:
        check.problem((), "missing required key 'default_models'")

    currencies = {}
    raw_currencies = merged.get("currencies", {})
    if check.table(("currencies",), raw_currencies) is not None:
        for code, value in raw_currencies.items():
            if not _CURRENCY_CODE.match(code):
                check.problem(
                    ("currencies", code),
                    "must be a three-letter upper-case currency code, e.g. EUR",
                )
                continue
            rate = check.number(("currencies", code), value, positive=True, maximum=MAX_RATE)
            if rate is not None:
                currencies[code] = rate

    # Rate limits per usage tier (dataset durations): checked by their own module.
    if "rate_limits" in merged:
        from tokencalc.sheet.ratelimits import problems as rate_limit_problems

        for where, message in rate_limit_problems(
            merged["rate_limits"], set(providers) if provider_ids is not None else None
        ):
            check.problem(("rate_limits", *where), message)

    if check.problems or as_of is None:
        return None
    return PriceSheet(
        models=MappingProxyType(models),
        aliases=MappingProxyType(aliases),
        providers=MappingProxyType(providers),
        tokenizers=MappingProxyType(tokenizers),
        plans=MappingProxyType(plans),
        default_models=default_models,
        currencies=MappingProxyType(currencies),
        as_of=as_of,
        files=tuple(labels),
    )


def _unknown_model(
    check: _Validator,
    path: tuple[Any, ...],
    name: str,
    model_ids: Iterable[str],
    aliases: Mapping[str, str],
) -> None:
    target = {alias.lower(): model_id for alias, model_id in aliases.items()}.get(name.lower())
    if target is not None:
        check.problem(path, f"{name!r} is an alias; use the model id {target!r}")
        return
    close = difflib.get_close_matches(name, list(model_ids), n=3)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    check.problem(path, f"unknown model {name!r}{hint}")


def _provider(check: _Validator, provider_id: str, body: Mapping[str, Any]) -> Provider | None:
    path = ("providers", provider_id)
    sound = check.keys(path, body, _PROVIDER_REQUIRED, _PROVIDER_OPTIONAL)
    name = check.text((*path, "name"), body["name"]) if "name" in body else None
    source = check.text((*path, "source"), body["source"]) if "source" in body else None
    as_of = check.day((*path, "as_of"), body["as_of"]) if "as_of" in body else None
    notes = check.text((*path, "notes"), body["notes"]) if "notes" in body else None
    fees = parse_fees(check, (*path, "fees"), body["fees"]) if "fees" in body else ()
    residency = (
        parse_residency(check, (*path, "residency"), body["residency"])
        if "residency" in body
        else ()
    )
    if (
        not sound
        or name is None
        or source is None
        or as_of is None
        or ("notes" in body and notes is None)
    ):
        return None
    if fees is None or residency is None:
        return None
    return Provider(provider_id, name, source, as_of, notes, fees, residency)


def _tokenizer(
    check: _Validator, family_id: str, body: Mapping[str, Any]
) -> TokenizerFamily | None:
    path = ("tokenizers", family_id)
    sound = check.keys(path, body, _TOKENIZER_REQUIRED, _TOKENIZER_OPTIONAL)
    base = body.get("base")
    if "base" in body and base not in _TIER_BASES:
        check.problem(
            (*path, "base"), f"must be one of {', '.join(_TIER_BASES)}, got {_show(base)}"
        )
        sound = False
    ratio = (
        check.number((*path, "ratio"), body["ratio"], positive=True) if "ratio" in body else None
    )
    source = check.text((*path, "source"), body["source"]) if "source" in body else None
    notes = check.text((*path, "notes"), body["notes"]) if "notes" in body else None
    counting = check_family_counting(
        body, lambda key, message: check.problem((*path, key), message)
    )
    if counting is not None and counting.classes and base != "o200k_base":
        check.problem(
            (*path, "base"), 'a family with a classes table must have base = "o200k_base"'
        )
        counting = None
    if (
        not sound
        or ratio is None
        or source is None
        or ("notes" in body and notes is None)
        or counting is None
    ):
        return None
    return TokenizerFamily(family_id, base, ratio, source, notes, counting)


def _prices_in(
    check: _Validator, path: tuple[Any, ...], body: Mapping[str, Any], names: Iterable[str]
) -> tuple[dict[str, Decimal | None], bool]:
    values: dict[str, Decimal | None] = {}
    sound = True
    for name in names:
        if name in body:
            values[name] = check.number((*path, name), body[name])
            sound = sound and values[name] is not None
        else:
            values[name] = None
    return values, sound


def _model(
    check: _Validator,
    model_id: str,
    body: Mapping[str, Any],
    providers: Mapping[str, Provider],
    provider_ids: Sequence[str] | None,
    tokenizer_ids: Sequence[str] | None,
) -> ModelEntry | None:
    path = ("models", model_id)
    sound = check.keys(path, body, _MODEL_REQUIRED, _MODEL_OPTIONAL)
    provider_id = body.get("provider")
    if "provider" in body and provider_ids is not None:
        if not isinstance(provider_id, str) or provider_id not in provider_ids:
            close = difflib.get_close_matches(str(provider_id), list(provider_ids), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            check.problem(
                (*path, "provider"),
                f"unknown provider {_show(provider_id)}{hint}; providers: {', '.join(sorted(provider_ids))}",
            )
            sound = False
    tokenizer = body.get("tokenizer")
    if "tokenizer" in body and tokenizer_ids is not None:
        if not isinstance(tokenizer, str) or tokenizer not in tokenizer_ids:
            check.problem(
                (*path, "tokenizer"),
                f"unknown tokenizer {_show(tokenizer)}; use one of {', '.join(sorted(tokenizer_ids))}",
            )
            sound = False
    name = check.text((*path, "name"), body["name"]) if "name" in body else None
    prices, prices_sound = _prices_in(check, path, body, PRICE_FIELDS)
    context_window = (
        check.integer((*path, "context_window"), body["context_window"])
        if "context_window" in body
        else None
    )
    max_output = (
        check.integer((*path, "max_output"), body["max_output"]) if "max_output" in body else None
    )
    aliases = check.strings((*path, "aliases"), body["aliases"]) if "aliases" in body else ()
    source = check.text((*path, "source"), body["source"]) if "source" in body else None
    as_of = check.day((*path, "as_of"), body["as_of"]) if "as_of" in body else None
    notes = check.text((*path, "notes"), body["notes"]) if "notes" in body else None
    deprecated = (
        check.flag((*path, "deprecated"), body["deprecated"]) if "deprecated" in body else False
    )
    sound = sound and prices_sound and None not in (name, context_window, aliases, deprecated)
    sound = sound and all(
        body.get(k) is None or v is not None
        for k, v in (
            ("max_output", max_output),
            ("source", source),
            ("as_of", as_of),
            ("notes", notes),
        )
    )
    if max_output is not None and context_window is not None and max_output > context_window:
        check.problem(
            (*path, "max_output"),
            f"must not exceed context_window ({context_window:,}), got {max_output:,}",
            blame=[(*path, "max_output"), (*path, "context_window")],
        )
        sound = False

    long_context = None
    if "long_context" in body:
        long_context = _long_context(check, (*path, "long_context"), body["long_context"])
        sound = sound and long_context is not None
    tiers = {}
    for tier_name in TIERS:
        if tier_name in body:
            tier = _tier(check, (*path, tier_name), tier_name, body[tier_name])
            sound = sound and tier is not None
            if tier:
                tiers[tier_name] = tier
    schedule: tuple[ScheduleEntry, ...] = ()
    fixed: frozenset[str] = frozenset()
    if "schedule" in body:
        parsed = _schedule(check, (*path, "schedule"), body["schedule"])
        sound = sound and parsed is not None
        schedule, fixed = _overlaid_schedule(check.origins, path, body, parsed or ())
    off_peak: tuple[OffPeak, ...] = ()
    if "off_peak" in body:
        rules = parse_off_peak(check, (*path, "off_peak"), body["off_peak"])
        sound = sound and rules is not None
        off_peak = rules or ()
    if not sound or not isinstance(provider_id, str) or not isinstance(tokenizer, str):
        return None
    provider = providers.get(provider_id)
    if provider is None:
        return None
    return ModelEntry(
        id=model_id,
        provider=provider_id,
        name=name,
        tokenizer=tokenizer,
        input=prices["input"],
        output=prices["output"],
        context_window=context_window,
        cached_input=prices["cached_input"],
        cache_write_5m=prices["cache_write_5m"],
        cache_write_1h=prices["cache_write_1h"],
        max_output=max_output,
        aliases=tuple(aliases),
        source=source or provider.source,
        as_of=as_of or provider.as_of,
        notes=notes,
        deprecated=bool(deprecated),
        long_context=long_context,
        tiers=MappingProxyType(tiers),
        schedule=schedule,
        files=check.origins.files_of(path),
        fixed=fixed,
        off_peak=off_peak,
    )


def _overlaid_schedule(
    origins: _Origins,
    path: tuple[Any, ...],
    body: Mapping[str, Any],
    schedule: tuple[ScheduleEntry, ...],
) -> tuple[tuple[ScheduleEntry, ...], frozenset[str]]:
    """The schedule without the prices a later overlay set, and the derived prices it must not move.

    A price an overlay (the user sheet, ``--prices``) sets takes precedence over the schedule
    of an earlier file: ``prices set gemini-4-argon --input 3`` means 3 on every date, not
    until the packaged schedule's next change. A schedule given by the overlay itself applies.
    """
    start = origins.rank((*path, "schedule"))
    later = {name for name in PRICE_FIELDS if name in body and origins.rank((*path, name)) > start}
    fixed = frozenset(
        f"{part}.{name}"
        for part in ("long_context", *TIERS)
        if isinstance(body.get(part), dict)
        for name in PRICE_FIELDS
        if name in body[part] and origins.rank((*path, part, name)) > start
    )
    if not later:
        return schedule, fixed
    kept = []
    for entry in schedule:
        trimmed = replace(entry, **{name: None for name in later})
        if any(getattr(trimmed, name) is not None for name in PRICE_FIELDS):
            kept.append(trimmed)
    return tuple(kept), fixed


def _long_context(check: _Validator, path: tuple[Any, ...], body: Any) -> LongContext | None:
    if check.table(path, body) is None:
        return None
    sound = check.keys(path, body, _LONG_CONTEXT_REQUIRED, _LONG_CONTEXT_OPTIONAL)
    threshold = (
        check.integer((*path, "threshold"), body["threshold"]) if "threshold" in body else None
    )
    prices, prices_sound = _prices_in(check, path, body, PRICE_FIELDS)
    start, end, window_sound = check_window(check, path, body)
    if not (sound and prices_sound and window_sound) or threshold is None:
        return None
    return LongContext(threshold=threshold, start=start, end=end, **prices)


def _tier(check: _Validator, path: tuple[Any, ...], name: str, body: Any) -> Tier | None:
    if check.table(path, body) is None:
        return None
    sound = check.keys(path, body, (), _TIER_KEYS)
    start, end, window_sound = check_window(check, path, body)
    sound = sound and window_sound
    long_prices: dict[str, Decimal] = {}
    if "long_context" in body:
        long_body = check.table((*path, "long_context"), body["long_context"])
        if long_body is None or not check.keys(
            (*path, "long_context"), long_body, (), PRICE_FIELDS
        ):
            sound = False
        else:
            found, long_sound = _prices_in(check, (*path, "long_context"), long_body, PRICE_FIELDS)
            long_prices = {k: v for k, v in found.items() if v is not None}
            sound = sound and long_sound
        if "multiplier" in body:
            check.problem(
                (*path, "long_context"),
                "long-context tier prices go with explicit tier prices, not a multiplier",
            )
            sound = False
    if "multiplier" in body:
        multiplier = check.number((*path, "multiplier"), body["multiplier"])
        explicit = [k for k in PRICE_FIELDS if k in body]
        if explicit:
            check.problem(
                path,
                f"give a multiplier or explicit prices, not both (found multiplier and {', '.join(explicit)})",
                blame=[(*path, key) for key in ("multiplier", *explicit)],
            )
            return None
        return (
            Tier(name, multiplier=multiplier, start=start, end=end)
            if sound and multiplier is not None
            else None
        )
    missing = [k for k in ("input", "output") if k not in body]
    if missing:
        check.problem(
            path,
            f"needs a multiplier, or explicit prices with input and output (missing {', '.join(missing)})",
        )
        return None
    prices, prices_sound = _prices_in(check, path, body, PRICE_FIELDS)
    if not (sound and prices_sound):
        return None
    return Tier(name, start=start, end=end, long_context=MappingProxyType(long_prices), **prices)


def _schedule(
    check: _Validator, path: tuple[Any, ...], body: Any
) -> tuple[ScheduleEntry, ...] | None:
    if not isinstance(body, list):
        check.problem(path, f"must be an array of tables ([[...schedule]]), got {_show(body)}")
        return None
    entries = []
    seen: dict[date, int] = {}
    sound = True
    for index, item in enumerate(body):
        here = (*path, index)
        if check.table(here, item) is None:
            sound = False
            continue
        ok = check.keys(here, item, ("from",), _SCHEDULE_KEYS[1:])
        start = check.day((*here, "from"), item["from"]) if "from" in item else None
        prices, prices_sound = _prices_in(check, here, item, PRICE_FIELDS)
        if not any(k in item for k in PRICE_FIELDS):
            check.problem(here, f"must change at least one price ({', '.join(PRICE_FIELDS)})")
            ok = False
        notes = check.text((*here, "notes"), item["notes"]) if "notes" in item else None
        if start is not None and start in seen:
            check.problem(
                (*here, "from"), f"{start.isoformat()} is also the date of schedule[{seen[start]}]"
            )
            ok = False
        if start is not None:
            seen.setdefault(start, index)
        if not (ok and prices_sound) or start is None or ("notes" in item and notes is None):
            sound = False
            continue
        entries.append(ScheduleEntry(start=start, notes=notes, **prices))
    return tuple(sorted(entries, key=lambda e: e.start)) if sound else None


def _check_names(check: _Validator, models: Mapping[str, Any]) -> dict[str, str]:
    """Ids and aliases must be usable names that do not collide (case-insensitively); alias → id."""
    owners: dict[str, tuple[str, str]] = {}  # lowercase name → (what, model id)
    for model_id in models:  # in the sheet's order, so the same entry is blamed every run
        if not MODEL_NAME.match(model_id):
            check.problem(
                ("models", model_id), f"not a usable model id: an id must {MODEL_NAME_RULE}"
            )
        key = model_id.lower()
        if key in owners:
            check.problem(
                ("models", model_id), f"id differs only in case from model {owners[key][1]!r}"
            )
            continue
        owners[key] = ("id", model_id)
    aliases: dict[str, str] = {}
    for model_id, body in models.items():
        listed = body.get("aliases") if isinstance(body, dict) else None
        if not isinstance(listed, list):
            continue
        for index, alias in enumerate(listed):
            if not isinstance(alias, str) or not alias.strip():
                continue  # reported as not a string
            if not MODEL_NAME.match(alias):
                check.problem(
                    ("models", model_id, "aliases", index),
                    f"alias {alias!r} is not a usable name: an alias must {MODEL_NAME_RULE}",
                )
                continue
            key = alias.lower()
            clash = owners.get(key)
            if clash is not None:
                what, other = clash
                if what == "id":
                    message = (
                        f"alias {alias!r} is the id of model {other!r}"
                        if other != model_id
                        else f"alias {alias!r} repeats the model's own id"
                    )
                else:
                    message = f"alias {alias!r} is also an alias of model {other!r}"
                check.problem(("models", model_id, "aliases", index), message)
                continue
            owners[key] = ("alias", model_id)
            aliases[alias] = model_id
    return aliases


def _plan(
    check: _Validator,
    plan_id: str,
    body: Mapping[str, Any],
    provider_ids: Sequence[str] | None,
    model_ids: Sequence[str] | None,
    aliases: Mapping[str, str],
) -> Plan | None:
    path = ("plans", plan_id)
    sound = check.keys(path, body, _PLAN_REQUIRED, _PLAN_OPTIONAL)
    vendor = body.get("vendor")
    if provider_ids is None:
        sound = False  # the providers section is broken (reported once)
    elif "vendor" in body and (not isinstance(vendor, str) or vendor not in provider_ids):
        check.problem(
            (*path, "vendor"),
            f"unknown provider {_show(vendor)}; providers: {', '.join(sorted(provider_ids))}",
        )
        sound = False
    name = check.text((*path, "name"), body["name"]) if "name" in body else None
    monthly = (
        check.number((*path, "monthly_price"), body["monthly_price"])
        if "monthly_price" in body
        else None
    )
    annual = (
        check.number((*path, "annual_monthly_price"), body["annual_monthly_price"])
        if "annual_monthly_price" in body
        else None
    )
    per_seat = check.flag((*path, "per_seat"), body["per_seat"]) if "per_seat" in body else False
    min_seats = check.integer((*path, "min_seats"), body["min_seats"]) if "min_seats" in body else 1
    cap = (
        check.integer((*path, "messages_per_day_cap"), body["messages_per_day_cap"])
        if "messages_per_day_cap" in body
        else None
    )
    caps = check.text((*path, "caps"), body["caps"]) if "caps" in body else None
    source = check.text((*path, "source"), body["source"]) if "source" in body else None
    as_of = check.day((*path, "as_of"), body["as_of"]) if "as_of" in body else None
    notes = check.text((*path, "notes"), body["notes"]) if "notes" in body else None
    plan_aliases = check.strings((*path, "aliases"), body["aliases"]) if "aliases" in body else ()
    limits = _plan_limits(check, (*path, "limits"), body["limits"]) if "limits" in body else ()
    models = check.strings((*path, "models"), body["models"]) if "models" in body else None
    if models is not None and not models:
        check.problem((*path, "models"), "must name at least one model")
        models = None
    for index, model_id in enumerate(models or ()):
        if model_ids is None:
            sound = False  # the models section is broken (reported once)
        elif model_id not in model_ids:
            _unknown_model(check, (*path, "models", index), model_id, model_ids, aliases)
            sound = False
    optional_bad = any(
        k in body and v is None
        for k, v in (
            ("annual_monthly_price", annual),
            ("messages_per_day_cap", cap),
            ("notes", notes),
        )
    )
    if (
        not sound
        or optional_bad
        or None
        in (name, monthly, per_seat, min_seats, caps, source, as_of, models, plan_aliases, limits)
    ):
        return None
    return Plan(
        id=plan_id,
        vendor=vendor,
        name=name,
        monthly_price=monthly,
        models=models,
        caps=caps,
        source=source,
        as_of=as_of,
        annual_monthly_price=annual,
        per_seat=per_seat,
        min_seats=min_seats,
        messages_per_day_cap=cap,
        notes=notes,
        aliases=tuple(plan_aliases or ()),
        limits=limits,
    )


def _plan_limits(
    check: _Validator, path: tuple[Any, ...], value: Any
) -> tuple[PlanLimit, ...] | None:
    """``limits = [{messages = 160, hours = 3, scope = "…", source = "…"}, …]`` of a plan."""
    if not isinstance(value, list):
        check.problem(path, f"must be a list of tables, got {_show(value)}")
        return None
    limits = []
    for index, entry in enumerate(value):
        where = (*path, index)
        body = check.table(where, entry)
        if body is None or not check.keys(where, body, _LIMIT_KEYS):
            return None
        messages = check.integer((*where, "messages"), body["messages"])
        hours = check.integer((*where, "hours"), body["hours"])
        scope = check.text((*where, "scope"), body["scope"])
        source = check.text((*where, "source"), body["source"])
        if messages is None or hours is None or scope is None or source is None:
            return None
        limits.append(PlanLimit(messages, hours, scope, source))
    return tuple(limits)
