"""What a plan comparison notes and warns about, as data: one small frozen class per kind.

:mod:`tokencalc.plans.core` (and ``usage --plan`` through
:func:`tokencalc.plans.core.seats_for`) says what happened with a kind and its figures; the
command line words it (:mod:`tokencalc.cli.phrasing`) and picks notes by kind, never by words.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SeatsRaised:
    """A per-seat plan was asked for fewer seats than its minimum: the minimum is priced."""

    asked: int
    minimum: int


@dataclass(frozen=True)
class SeatsIgnored:
    """A plan not sold per seat is one subscription, whatever seats were asked for."""

    asked: int


@dataclass(frozen=True)
class NoAnnualPrice:
    """Annual billing was asked for and the plan has no annual price: the monthly one is used."""


@dataclass(frozen=True)
class ConversationDoesNotFit:
    """The conversation's last turn (``tokens``) is longer than the stand-in's context window."""

    model: str
    tokens: int
    context_window: int


@dataclass(frozen=True)
class StandInDeprecated:
    """The plan's stand-in model is deprecated; its last published prices are used."""

    model: str


@dataclass(frozen=True)
class LongContextTurns:
    """``count`` of the conversation's ``turns`` are billed at long-context prices."""

    count: int
    turns: int


PlanNote = (
    SeatsRaised
    | SeatsIgnored
    | NoAnnualPrice
    | ConversationDoesNotFit
    | StandInDeprecated
    | LongContextTurns
)

#: Row notes that are also worth a warning.
WARNING_NOTES = (SeatsRaised, StandInDeprecated)
#: Row notes the table's caption says once for all plans, not per plan.
SAID_ONCE = (ConversationDoesNotFit, SeatsIgnored)


@dataclass(frozen=True)
class CapExceeded:
    """Warning: the use goes over one of ``plan``'s published caps (``cap`` describes which)."""

    plan: str
    cap: str


@dataclass(frozen=True)
class PlanNoteWarning:
    """Warning: a row note worth one (:data:`WARNING_NOTES`), for ``plan``."""

    plan: str
    note: PlanNote


@dataclass(frozen=True)
class StandInTooShort:
    """Warning: the conversation does not fit ``model``, the stand-in for ``plans``."""

    model: str
    plans: tuple[str, ...]
    tokens: int
    context_window: int


PlanWarning = CapExceeded | PlanNoteWarning | StandInTooShort
