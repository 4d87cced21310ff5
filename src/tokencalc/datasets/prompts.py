"""What one record asks: its prompt text (a field, or a template over several fields), its
measured output text, and its key.

A template is ordinary text with ``{field}`` placeholders (``{{`` and ``}}`` for literal
braces). Only text values count as text: a missing field, a null, a number, a list or an
object where text is needed makes the record malformed, with a reason that names the field.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass

from tokencalc.errors import UsageError
from tokencalc.wording import Arg

#: Placeholder names a template may use: what a JSON key or CSV header can be, less braces.
_FORMATTER = string.Formatter()


class RecordProblem(Exception):
    """A record that cannot be priced, and why (the message names the field)."""


@dataclass(frozen=True)
class Template:
    """Prompt text with ``{field}`` placeholders, parsed once."""

    parts: tuple[tuple[str, str | None], ...]  # (literal text, field name or None)

    @classmethod
    def parse(cls, text: str, *, label: str = "template") -> Template:
        try:
            parsed = list(_FORMATTER.parse(text))
        except ValueError as exc:
            raise UsageError(f"{label}: {exc} (write {{{{ and }}}} for literal braces)") from None
        parts: list[tuple[str, str | None]] = []
        for literal, name, spec, conversion in parsed:
            if name is not None and (spec or conversion):
                raise UsageError(
                    f"{label}: placeholder {{{name}}} may not have a format spec or conversion"
                )
            if name is not None and not name.strip():
                raise UsageError(f"{label}: empty placeholder {{}}; name a field, e.g. {{text}}")
            parts.append((literal, name))
        if not any(name for _literal, name in parts):
            raise UsageError(f"{label}: no {{field}} placeholder; name at least one field")
        return cls(tuple(parts))

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(name for _literal, name in self.parts if name is not None))

    def render(self, record: Mapping[str, object]) -> str:
        pieces: list[str] = []
        for literal, name in self.parts:
            pieces.append(literal)
            if name is not None:
                pieces.append(text_field(record, name))
        return "".join(pieces)


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def text_field(record: Mapping[str, object], name: str) -> str:
    """The text of field ``name``; :class:`RecordProblem` when it is missing or not text."""
    try:
        value = record[name]
    except KeyError:
        raise RecordProblem(f"missing field {name!r}") from None
    if isinstance(value, str):
        return value
    raise RecordProblem(f"field {name!r} is {_kind(value)}, not text")


@dataclass(frozen=True)
class RecordSpec:
    """Which fields make a record's prompt, output and key (picklable: workers get a copy)."""

    field: str | None = None
    template: Template | None = None
    output_field: str | None = None
    key_field: str | None = None

    def __post_init__(self) -> None:
        if (self.field is None) == (self.template is None):
            raise UsageError.naming(
                "give ", Arg("field"), " or ", Arg("template"), " (exactly one)"
            )

    @property
    def needed(self) -> tuple[str, ...]:
        """Every field a record is read for (columns to load from Parquet)."""
        names: list[str] = (
            [self.field]
            if self.field is not None
            else list(self.template.fields if self.template else ())
        )
        for extra in (self.output_field, self.key_field):
            if extra is not None:
                names.append(extra)
        return tuple(dict.fromkeys(names))

    def prompt(self, record: Mapping[str, object]) -> str:
        if self.template is not None:
            return self.template.render(record)
        assert self.field is not None
        return text_field(record, self.field)

    def output(self, record: Mapping[str, object]) -> str | None:
        return None if self.output_field is None else text_field(record, self.output_field)

    def key(self, record: Mapping[str, object]) -> str | None:
        """The record's key as text (any scalar is shown); None when there is none."""
        if self.key_field is None:
            return None
        value = record.get(self.key_field)
        if value is None or isinstance(value, (dict, list)):
            return None
        return str(value)
