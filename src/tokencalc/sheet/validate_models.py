"""Validating one model entry: its prices, context window, long-context prices, service tiers,
dated schedule (and what an overlay's prices take out of it) and off-peak hours.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from tokencalc.sheet.checks import Validator, show
from tokencalc.sheet.merge import Origins
from tokencalc.sheet.model import (
    PRICE_FIELDS,
    TIERS,
    LongContext,
    ModelEntry,
    Provider,
    ScheduleEntry,
    Tier,
)
from tokencalc.sheet.model_fields import MODEL_OPTIONAL, MODEL_REQUIRED
from tokencalc.sheet.rules import OffPeak, check_window, parse_off_peak

_LONG_CONTEXT_REQUIRED = ("threshold", "input", "output")
_LONG_CONTEXT_OPTIONAL = ("cached_input", "cache_write_5m", "cache_write_1h", "from", "until")
_TIER_KEYS = ("multiplier", *PRICE_FIELDS, "from", "until", "long_context")
_SCHEDULE_KEYS = ("from", *PRICE_FIELDS, "notes")


def _prices_in(
    check: Validator, path: tuple[Any, ...], body: Mapping[str, Any], names: Iterable[str]
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


def check_model(
    check: Validator,
    model_id: str,
    body: Mapping[str, Any],
    providers: Mapping[str, Provider],
    provider_ids: Sequence[str] | None,
    tokenizer_ids: Sequence[str] | None,
) -> ModelEntry | None:
    path = ("models", model_id)
    sound = check.keys(path, body, MODEL_REQUIRED, MODEL_OPTIONAL)
    provider_id = body.get("provider")
    if (
        "provider" in body
        and provider_ids is not None
        and (not isinstance(provider_id, str) or provider_id not in provider_ids)
    ):
        close = difflib.get_close_matches(str(provider_id), list(provider_ids), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        check.problem(
            (*path, "provider"),
            f"unknown provider {show(provider_id)}{hint}; providers: {', '.join(sorted(provider_ids))}",
        )
        sound = False
    tokenizer = body.get("tokenizer")
    if (
        "tokenizer" in body
        and tokenizer_ids is not None
        and (not isinstance(tokenizer, str) or tokenizer not in tokenizer_ids)
    ):
        check.problem(
            (*path, "tokenizer"),
            f"unknown tokenizer {show(tokenizer)}; use one of {', '.join(sorted(tokenizer_ids))}",
        )
        sound = False
    name = check.text((*path, "name"), body["name"]) if "name" in body else None
    prices, prices_sound = _prices_in(check, path, body, PRICE_FIELDS)
    input_price, output_price = prices["input"], prices["output"]
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
    if (
        not sound
        or not isinstance(provider_id, str)
        or not isinstance(tokenizer, str)
        or name is None
        or input_price is None
        or output_price is None
        or context_window is None
        or aliases is None
    ):
        return None
    provider = providers.get(provider_id)
    if provider is None:
        return None
    return ModelEntry(
        id=model_id,
        provider=provider_id,
        name=name,
        tokenizer=tokenizer,
        input=input_price,
        output=output_price,
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
    origins: Origins,
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
        cleared: dict[str, Any] = dict.fromkeys(later)
        trimmed = replace(entry, **cleared)
        if any(getattr(trimmed, name) is not None for name in PRICE_FIELDS):
            kept.append(trimmed)
    return tuple(kept), fixed


def _long_context(check: Validator, path: tuple[Any, ...], body: Any) -> LongContext | None:
    if check.table(path, body) is None:
        return None
    sound = check.keys(path, body, _LONG_CONTEXT_REQUIRED, _LONG_CONTEXT_OPTIONAL)
    threshold = (
        check.integer((*path, "threshold"), body["threshold"]) if "threshold" in body else None
    )
    prices, prices_sound = _prices_in(check, path, body, PRICE_FIELDS)
    start, end, window_sound = check_window(check, path, body)
    input_price, output_price = prices["input"], prices["output"]
    if (
        not (sound and prices_sound and window_sound)
        or threshold is None
        or input_price is None
        or output_price is None
    ):
        return None
    return LongContext(
        threshold=threshold,
        input=input_price,
        output=output_price,
        cached_input=prices["cached_input"],
        cache_write_5m=prices["cache_write_5m"],
        cache_write_1h=prices["cache_write_1h"],
        start=start,
        end=end,
    )


def _tier(check: Validator, path: tuple[Any, ...], name: str, body: Any) -> Tier | None:
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
    check: Validator, path: tuple[Any, ...], body: Any
) -> tuple[ScheduleEntry, ...] | None:
    if not isinstance(body, list):
        check.problem(path, f"must be an array of tables ([[...schedule]]), got {show(body)}")
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
