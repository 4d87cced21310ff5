"""Sentences that name arguments, with the arguments left as data for the edge to word.

The core calls an argument by its Python name (``seats``, ``max_cost``); the command line calls
it by its flag (``--seats``, ``--max-cost``). A sentence that names one is built from text and
:class:`Arg` parts, and each edge spells it with its own names (:func:`spell`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Arg:
    """An argument named in a sentence, by the core's name for it."""

    name: str


#: A sentence: text and named arguments, in order.
Words = tuple["str | Arg", ...]


def _core_name(name: str) -> str:
    return name


def spell(words: Words, name_of: Callable[[str], str] = _core_name) -> str:
    """The sentence with each argument called ``name_of(name)`` (default: its core name)."""
    return "".join(part if isinstance(part, str) else name_of(part.name) for part in words)
