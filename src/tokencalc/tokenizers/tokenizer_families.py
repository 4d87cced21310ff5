"""How an estimate family in the price sheet counts, beyond its single ratio.

A ``[tokenizers.<id>]`` entry always has ``base``, ``ratio`` and ``source``. It may also say:

* ``classes`` — a per-class table (tokencalc.tokenizers.token_classes): tokens of this family per
  o200k_base token of each class, with ``reference`` (what it was fitted against) and
  ``measured`` (the day it was fitted). Used instead of the ratio. ``measured = false`` on a
  family without a table says its ratio is a guess, and its rows say "unmeasured".
* ``gemma3_classes`` — with ``classes``, a finer table for Gemini: per class, six ratios by
  what Gemma 3 makes of the o200k_base token alone (1, 2, 3+ tokens) without and with a leading
  space (tokencalc.tokenizers.token_classes piece codes). Used where a count has piece codes; ``classes``
  elsewhere (datasets).
* ``reconstruct`` — a Claude tokenizer generation (``claude-v3``, ``claude-v4.7``,
  ``claude-v4.8``) that tokencalc reconstructs offline (tokencalc.tokenizers.claude_tiling, over ctok's
  vocabulary measured with ``count_tokens``). Used for inputs up to a size limit.
* ``tokenizer_file`` — a Hugging Face ``tokenizer.json`` of the user's own (for example
  Gemma's) that counts exactly through the optional ``tokenizers`` package. tokencalc ships none.

Nothing here prints or reads files.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any

from tokencalc.tokenizers.token_classes import CLASSES, PIECE_NAMES

TOKENIZER_COUNT_KEYS = (
    "classes",
    "gemma3_classes",
    "reference",
    "measured",
    "reconstruct",
    "tokenizer_file",
)
#: ``reconstruct`` value → ctok's name for that generation (its ``version`` argument).
RECONSTRUCTIONS: Mapping[str, str] = MappingProxyType(
    {"claude-v3": "3.0", "claude-v4.7": "4.7", "claude-v4.8": "4.8"}
)


@dataclass(frozen=True)
class FamilyCounting:
    """The optional counting methods of one estimate family (all absent: ratio only)."""

    classes: Mapping[str, Decimal] | None = None
    reference: str | None = None
    measured: date | None = None
    reconstruct: str | None = None
    tokenizer_file: str | None = None
    #: ``measured = false`` in the sheet: the ratio is a guess, not fitted to anything
    unmeasured: bool = False
    #: class → six ratios by piece code (``gemma3_classes``), or None
    pieces: Mapping[str, tuple[Decimal, ...]] | None = None

    @property
    def per_class(self) -> bool:
        return self.classes is not None


def check_family_counting(
    body: Mapping[str, Any], problem: Callable[[str, str], None]
) -> FamilyCounting | None:
    """Read the optional counting keys of one tokenizer entry; None (after ``problem``) if bad."""
    ok = True
    classes: Mapping[str, Decimal] | None = None
    if "classes" in body:
        table = body["classes"]
        if not isinstance(table, Mapping):
            problem("classes", f"must be a table of {', '.join(CLASSES)}")
            ok = False
        else:
            unknown = sorted(set(table) - set(CLASSES))
            missing = [name for name in CLASSES if name not in table]
            if unknown or missing:
                parts = ([f"unknown class(es) {', '.join(unknown)}"] if unknown else []) + (
                    [f"missing {', '.join(missing)}"] if missing else []
                )
                problem("classes", "; ".join(parts) + f" (classes: {', '.join(CLASSES)})")
                ok = False
            else:
                values: dict[str, Decimal] = {}
                for name in CLASSES:
                    value = _positive(table[name])
                    if value is None:
                        problem("classes", f"{name} must be a positive number, got {table[name]!r}")
                        ok = False
                    else:
                        values[name] = value
                classes = MappingProxyType(values)
        if not ("reference" in body and "measured" in body):
            problem(
                "classes",
                "a classes table needs reference (what it was fitted against) and measured (the day)",
            )
            ok = False
    pieces: Mapping[str, tuple[Decimal, ...]] | None = None
    if "gemma3_classes" in body:
        pieces = _pieces(body["gemma3_classes"], problem)
        if pieces is None:
            ok = False
        elif "classes" not in body:
            problem(
                "gemma3_classes", "needs a classes table too (used where counts have no pieces)"
            )
            ok = False
    reference = body.get("reference")
    if reference is not None and (not isinstance(reference, str) or not reference.strip()):
        problem("reference", "must be a non-empty string")
        ok = False
    measured = body.get("measured")
    unmeasured = measured is False
    if unmeasured:
        measured = None
        if "classes" in body:
            problem("measured", "a classes table must say the day it was measured")
            ok = False
    elif measured is not None:
        measured = _day(measured)
        if measured is None:
            problem("measured", f"must be a date (YYYY-MM-DD) or false, got {body['measured']!r}")
            ok = False
    reconstruct = body.get("reconstruct")
    if reconstruct is not None and reconstruct not in RECONSTRUCTIONS:
        problem("reconstruct", f"must be one of {', '.join(RECONSTRUCTIONS)}, got {reconstruct!r}")
        ok = False
    tokenizer_file = body.get("tokenizer_file")
    if tokenizer_file is not None and (
        not isinstance(tokenizer_file, str) or not tokenizer_file.strip()
    ):
        problem("tokenizer_file", "must be the path of a tokenizer.json file")
        ok = False
    if not ok:
        return None
    return FamilyCounting(
        classes, reference, measured, reconstruct, tokenizer_file, unmeasured, pieces
    )


def _pieces(
    table: Any, problem: Callable[[str, str], None]
) -> Mapping[str, tuple[Decimal, ...]] | None:
    shape = f"a table of {', '.join(CLASSES)}, each a list of {len(PIECE_NAMES)} positive numbers"
    if not isinstance(table, Mapping) or set(table) != set(CLASSES):
        problem("gemma3_classes", f"must be {shape}")
        return None
    values: dict[str, tuple[Decimal, ...]] = {}
    for name in CLASSES:
        row = table[name]
        numbers = [_positive(v) for v in row] if isinstance(row, list) else []
        if len(numbers) != len(PIECE_NAMES) or any(n is None for n in numbers):
            problem(
                "gemma3_classes", f"{name} must be a list of {len(PIECE_NAMES)} positive numbers"
            )
            return None
        values[name] = tuple(n for n in numbers if n is not None)
    return MappingProxyType(values)


def _positive(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() and number > 0 else None


def _day(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None
