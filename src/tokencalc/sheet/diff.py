"""Comparing price sheets field by field (what an edit, an import or ``prices diff`` changes)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from tokencalc.sheet.model import ENTRY_TABLES


@dataclass(frozen=True)
class FieldChange:
    """One field that differs between two sheets. ``old``/``new`` None: absent on that side."""

    section: str  # "models", "providers", "tokenizers", "plans", "currencies", or "" (top level)
    entry: str | None  # the entry id; None for currencies and top-level keys
    field: str  # dotted path inside the entry ("input", "batch.multiplier"), a currency code or a top-level key
    old: Any
    new: Any

    @property
    def kind(self) -> str:
        if self.old is None:
            return "added"
        if self.new is None:
            return "removed"
        return "changed"

    @property
    def where(self) -> str:
        """The field as validation messages name it: ``models."gpt-5".input``."""
        if self.entry is None:
            return f"{self.section}.{self.field}" if self.section else self.field
        return f"{self.section}.{json.dumps(self.entry, ensure_ascii=False)}.{self.field}"


def flatten(entry: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """A table's values by dotted path (``{"batch": {"multiplier": 0.5}}`` → ``batch.multiplier``)."""
    flat: dict[str, Any] = {}
    for key, value in entry.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{path}."))
        else:
            flat[path] = value
    return flat


def same_value(a: Any, b: Any) -> bool:
    """Equal as the sheet means them: ``2``, ``2.0`` and ``Decimal("2")`` are one price."""
    if _is_number(a) and _is_number(b):
        return Decimal(str(a)) == Decimal(str(b))
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def diff_entries(
    section: str, entry: str | None, old: Mapping[str, Any] | None, new: Mapping[str, Any] | None
) -> list[FieldChange]:
    """Field-by-field differences of one entry (either side may be absent, or not a table)."""
    before, after = _fields(old), _fields(new)
    changes = []
    for key in [*before, *(k for k in after if k not in before)]:
        a, b = before.get(key), after.get(key)
        if a is None or b is None or not same_value(a, b):
            changes.append(FieldChange(section, entry, key, a, b))
    return changes


#: How a broken entry (``models."gpt-5" = 3``) shows in a diff: one field standing for it.
NOT_A_TABLE = "(not a table)"


def _fields(entry: Any) -> dict[str, Any]:
    if entry is None:
        return {}
    if isinstance(entry, Mapping):
        return flatten(entry)
    return {NOT_A_TABLE: entry}


def diff_sheets(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[FieldChange]:
    """Every difference between two sheets' raw data: top-level keys, then entry by entry."""
    changes: list[FieldChange] = []
    top = [k for k in (*old, *new) if k not in (*ENTRY_TABLES, "currencies")]
    for key in dict.fromkeys(top):
        a, b = old.get(key), new.get(key)
        if a is None or b is None or not same_value(a, b):
            changes.append(FieldChange("", None, key, a, b))
    for section in ENTRY_TABLES:
        a_entries, b_entries = old.get(section) or {}, new.get(section) or {}
        for entry_id in dict.fromkeys([*a_entries, *b_entries]):
            changes.extend(
                diff_entries(section, entry_id, a_entries.get(entry_id), b_entries.get(entry_id))
            )
    changes.extend(
        FieldChange("currencies", None, c.field, c.old, c.new)
        for c in diff_entries("currencies", None, old.get("currencies"), new.get("currencies"))
    )
    return changes


def show_value(value: Any) -> str:
    """A sheet value for people: plain decimals, ISO dates, lists comma-separated."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if _is_number(value):
        text = f"{Decimal(str(value)).normalize():f}"
        return "0" if text in ("-0", "") else text
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(show_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {show_value(v)}" for k, v in value.items()) + "}"
    return str(value)
