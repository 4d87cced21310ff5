"""Price-sheet rules that depend on what else a request carried, set per provider.

- **Per-call fees** (``[[providers.<id>.fees]]``): web search, web fetch, grounding… in US
  dollars per 1,000 calls, for the provider's models matching ``models`` globs.
- **Data residency** (``[[providers.<id>.residency]]``): a multiplier on every token price
  for requests run in a named geography (Anthropic ``inference_geo: "us"``, 1.1×).

The validation here reports through the sheet's validator (see :mod:`tokencalc.sheet.checks`),
passed in as ``check``; nothing here prints or exits.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from tokencalc.sheet.rules import Checker, check_window, in_force

_Entry = TypeVar("_Entry")

#: Kinds of per-call fee the sheet knows; usage records carry ``web_search_requests``.
FEE_KINDS = ("web_search", "web_fetch", "grounding", "code_execution")
#: Geographies that never carry a surcharge (the vendors' default routing).
STANDARD_GEOS = ("global", "")
FEE_REQUIRED = ("kind", "per_1000", "source")
FEE_OPTIONAL = ("models", "from", "until", "notes")
RESIDENCY_REQUIRED = ("geo", "multiplier", "source")
RESIDENCY_OPTIONAL = ("models", "from", "until", "notes")


@dataclass(frozen=True)
class Fee:
    """A per-call charge: ``per_1000`` US dollars per 1,000 calls of ``kind``."""

    kind: str
    per_1000: Decimal
    source: str
    models: tuple[
        str, ...
    ] = ()  # fnmatch globs over model ids; empty = every model of the provider
    start: date | None = None
    end: date | None = None
    notes: str | None = None

    @property
    def per_call(self) -> Decimal:
        return self.per_1000 / 1000

    def covers(self, model_id: str, on: date) -> bool:
        return in_force(self.start, self.end, on) and _matches(self.models, model_id)


@dataclass(frozen=True)
class Residency:
    """A multiplier on every token price for requests run in one of ``geos``."""

    geos: tuple[str, ...]
    multiplier: Decimal
    source: str
    models: tuple[str, ...] = ()
    start: date | None = None
    end: date | None = None
    notes: str | None = None

    def covers(self, model_id: str, geo: str, on: date) -> bool:
        return (
            geo.lower() in self.geos
            and in_force(self.start, self.end, on)
            and _matches(self.models, model_id)
        )


def _matches(globs: Sequence[str], model_id: str) -> bool:
    return not globs or any(fnmatch.fnmatchcase(model_id.lower(), glob.lower()) for glob in globs)


def parse_fees(check: Checker, path: tuple[Any, ...], body: Any) -> tuple[Fee, ...] | None:
    """``[[providers.<id>.fees]]`` entries, or None after reporting what is wrong."""

    def own(here: tuple[Any, ...], item: Mapping[str, Any]) -> tuple[Any, ...] | None:
        kind = item.get("kind")
        known = "kind" not in item or kind in FEE_KINDS
        if not known:
            check.problem((*here, "kind"), f"must be one of {', '.join(FEE_KINDS)}, got {kind!r}")
        per_1000 = (
            check.number((*here, "per_1000"), item["per_1000"]) if "per_1000" in item else None
        )
        return (str(kind), per_1000) if known and per_1000 is not None else None

    return _entries(check, path, body, "fees", FEE_REQUIRED, FEE_OPTIONAL, own, Fee)


def parse_residency(
    check: Checker, path: tuple[Any, ...], body: Any
) -> tuple[Residency, ...] | None:
    """``[[providers.<id>.residency]]`` entries, or None after reporting what is wrong."""

    def own(here: tuple[Any, ...], item: Mapping[str, Any]) -> tuple[Any, ...] | None:
        geos = check.strings((*here, "geo"), item["geo"]) if "geo" in item else None
        multiplier = (
            check.number((*here, "multiplier"), item["multiplier"], positive=True)
            if "multiplier" in item
            else None
        )
        if not geos or multiplier is None:
            return None
        return tuple(g.lower() for g in geos), multiplier

    return _entries(
        check, path, body, "residency", RESIDENCY_REQUIRED, RESIDENCY_OPTIONAL, own, Residency
    )


def _entries(
    check: Checker,
    path: tuple[Any, ...],
    body: Any,
    name: str,
    required: Sequence[str],
    optional: Sequence[str],
    own: Callable[[tuple[Any, ...], Mapping[str, Any]], tuple[Any, ...] | None],
    build: Callable[..., _Entry],
) -> tuple[_Entry, ...] | None:
    """An array of provider rules: each entry's keys checked, its ``own`` fields, then the
    fields every rule has (source, models, from/until, notes); None after reporting a problem."""
    items = _array(check, path, body, name)
    if items is None:
        return None
    entries = []
    sound = True
    for here, item in items:
        ok = check.keys(here, item, required, optional)
        fields = own(here, item)
        common = _common(check, here, item)
        if not ok or fields is None or common is None:
            sound = False
            continue
        entries.append(build(*fields, *common))
    return tuple(entries) if sound else None


def _array(
    check: Checker, path: tuple[Any, ...], body: Any, name: str
) -> list[tuple[tuple[Any, ...], dict[str, Any]]] | None:
    if not isinstance(body, list):
        check.problem(path, f"must be an array of tables ([[...{name}]])")
        return None
    items = []
    for index, item in enumerate(body):
        if check.table((*path, index), item) is None:
            return None
        items.append(((*path, index), item))
    return items


def _common(
    check: Checker, here: tuple[Any, ...], item: Mapping[str, Any]
) -> tuple[str, tuple[str, ...], date | None, date | None, str | None] | None:
    source = check.text((*here, "source"), item["source"]) if "source" in item else None
    models = check.strings((*here, "models"), item["models"]) if "models" in item else ()
    notes = check.text((*here, "notes"), item["notes"]) if "notes" in item else None
    start, end, window_ok = check_window(check, here, item)
    if source is None or models is None or not window_ok or ("notes" in item and notes is None):
        return None
    return source, tuple(models), start, end, notes
