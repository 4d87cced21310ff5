"""Published API rate limits per usage tier: the ``[rate_limits]`` section of the price sheet.

Each provider lists its usage tiers (``tier-1`` … ``tier-5``, or any id a user adds) with the
limits that apply to its models, and optional overrides for a class of models (a glob on the
model id, e.g. ``"claude-haiku-*"``)::

    [rate_limits.anthropic]
    source = "https://platform.claude.com/docs/en/api/rate-limits"
    as_of = 2026-11-30
    cache_reads_count = false        # cached input does not count against itpm

    [rate_limits.anthropic.tier-1]
    rpm = 50
    itpm = 30000
    otpm = 8000
    batch_queue_requests = 100000

    [rate_limits.anthropic.tier-1.models."claude-haiku-*"]
    itpm = 50000

Limits: ``rpm``/``rpd`` requests per minute/day; ``tpm`` input + output tokens per minute;
``itpm``/``otpm`` input/output tokens per minute; ``batch_queue_tokens`` input tokens and
``batch_queue_requests`` requests a batch queue holds at once. ``batch_window_hours`` is the
time a batch may take (24 unless set). Pure data and checks: no printing.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any

LIMIT_KEYS = ("rpm", "rpd", "tpm", "itpm", "otpm", "batch_queue_tokens", "batch_queue_requests")
_PROVIDER_KEYS = ("source", "as_of", "notes", "cache_reads_count", "batch_window_hours")
DEFAULT_BATCH_WINDOW_HOURS = 24


@dataclass(frozen=True)
class RateLimits:
    """The limits one model has at one usage tier (None: no such limit)."""

    provider: str
    tier: str
    source: str = ""
    as_of: date | None = None
    rpm: int | None = None
    rpd: int | None = None
    tpm: int | None = None
    itpm: int | None = None
    otpm: int | None = None
    batch_queue_tokens: int | None = None
    batch_queue_requests: int | None = None
    batch_window_hours: int = DEFAULT_BATCH_WINDOW_HOURS
    cache_reads_count: bool = True

    def with_overrides(self, **limits: int | None) -> RateLimits:
        """These limits with the given ones replacing them (None values are ignored)."""
        given: dict[str, Any] = {key: value for key, value in limits.items() if value is not None}
        return replace(self, **given) if given else self

    @property
    def any(self) -> bool:
        return any(getattr(self, key) is not None for key in LIMIT_KEYS)


def tier_name(number: int | str) -> str:
    """``2`` → ``tier-2``; a name is kept as it is."""
    return f"tier-{number}" if isinstance(number, int) or str(number).isdigit() else str(number)


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def problems(raw: Any, providers: set[str] | None = None) -> Iterator[tuple[tuple[str, ...], str]]:
    """(path under ``rate_limits``, message) for everything wrong with the section."""
    if not isinstance(raw, dict):
        yield (), "must be a table of providers"
        return
    for provider, body in raw.items():
        if providers is not None and provider not in providers:
            yield (provider,), f"unknown provider {provider!r}"
            continue
        if not isinstance(body, dict):
            yield (provider,), "must be a table"
            continue
        for key, value in body.items():
            here = (provider, key)
            if key in ("source", "notes"):
                if not isinstance(value, str):
                    yield here, "must be text"
            elif key == "as_of":
                if not isinstance(value, date):
                    yield here, "must be a date like 2026-11-30"
            elif key == "cache_reads_count":
                if not isinstance(value, bool):
                    yield here, "must be true or false"
            elif key == "batch_window_hours":
                if not _whole(value):
                    yield here, "must be a whole number above 0"
            elif isinstance(value, dict):
                yield from _tier_problems(here, value)
            else:
                yield here, f"must be a tier table (or one of {', '.join(_PROVIDER_KEYS)})"


def _tier_problems(
    path: tuple[str, ...], body: Mapping[str, Any], *, nested: bool = False
) -> Iterator[tuple[tuple[str, ...], str]]:
    for key, value in body.items():
        here = (*path, key)
        if key in LIMIT_KEYS:
            if not _whole(value):
                yield here, "must be a whole number above 0"
        elif key == "models" and not nested:
            if not isinstance(value, dict):
                yield here, 'must be a table of model globs, e.g. [….models."claude-haiku-*"]'
                continue
            for pattern, limits in value.items():
                if not isinstance(limits, dict):
                    yield (*here, pattern), "must be a table of limits"
                else:
                    yield from _tier_problems((*here, pattern), limits, nested=True)
        else:
            yield (
                here,
                f"unknown key; allowed keys: {', '.join(LIMIT_KEYS)}"
                + ("" if nested else ", models"),
            )


def limits_for(
    raw: Mapping[str, Any], provider: str, tier: str, model_id: str
) -> RateLimits | None:
    """The published limits of ``model_id`` at ``tier`` (None when the sheet has none)."""
    body = raw.get(provider)
    if not isinstance(body, dict):
        return None
    table = body.get(tier)
    if not isinstance(table, dict):
        return None
    values = {key: table[key] for key in LIMIT_KEYS if key in table}
    for pattern, override in (table.get("models") or {}).items():
        if fnmatch.fnmatchcase(model_id.lower(), str(pattern).lower()):
            values.update({key: override[key] for key in LIMIT_KEYS if key in override})
            break
    known = {f.name for f in fields(RateLimits)}
    extra = {
        key: body[key]
        for key in ("source", "as_of", "batch_window_hours", "cache_reads_count")
        if key in body and key in known
    }
    return RateLimits(provider=provider, tier=tier, **extra, **values)


def tiers_of(raw: Mapping[str, Any], provider: str) -> list[str]:
    body = raw.get(provider)
    if not isinstance(body, dict):
        return []
    return [key for key, value in body.items() if isinstance(value, dict)]
