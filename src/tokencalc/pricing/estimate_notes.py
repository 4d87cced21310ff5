"""What an estimate row notes about itself, as data: one small frozen class per kind of note.

The core (:mod:`tokencalc.estimate`, :mod:`tokencalc.estimate_dates`) says *what* happened
with a kind and its figures; the edge words it (:mod:`tokencalc.cli.phrasing` for the command
line). Code that picks notes picks them by kind (``isinstance``), never by their words, so
rewording a note cannot change which notes a row carries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time


@dataclass(frozen=True)
class OutputCapped:
    """The default output assumption was cut to the model's max output.

    On a row of several inputs, ``capped`` of ``inputs`` were cut; one input: 1 of 1.
    """

    max_output: int
    capped: int = 1
    inputs: int = 1


@dataclass(frozen=True)
class TooLong:
    """Input plus output exceed the context window."""

    tokens: int
    context_window: int


@dataclass(frozen=True)
class OutputOverMax:
    """The output asked for exceeds the model's max output."""

    output: int
    max_output: int


@dataclass(frozen=True)
class SomeDoNotFit:
    """``count`` of a row's ``inputs`` do not fit the model."""

    count: int
    inputs: int


@dataclass(frozen=True)
class TogetherTooLong:
    """Each input fits alone; joined into one prompt (``tokens``) they would not."""

    tokens: int
    context_window: int


@dataclass(frozen=True)
class LongContextPrice:
    """Long-context prices applied, to ``count`` of the row's ``inputs``."""

    count: int = 1
    inputs: int = 1


@dataclass(frozen=True)
class NoSuchTier:
    """The model has no prices for the tier asked; ``has`` are the tiers it has."""

    tier: str | None
    has: tuple[str, ...]


@dataclass(frozen=True)
class TierOutsideWindow:
    """The model offers the tier only from ``start`` and/or until ``end``, not every day asked."""

    tier: str
    start: date | None
    end: date | None


@dataclass(frozen=True)
class PricesChange:
    """The job's days cross price changes, on ``days``; each day is priced at its own prices."""

    days: tuple[date, ...]


@dataclass(frozen=True)
class OffPeak:
    """Requests at ``at`` (UTC) were billed off-peak on ``off_peak_days`` of ``days`` days."""

    at: time | None
    off_peak_days: int
    days: int


@dataclass(frozen=True)
class SearchesNotPriced:
    """``searches`` web searches have no fee in the sheet for ``provider``."""

    searches: int
    provider: str


EstimateNote = (
    OutputCapped
    | TooLong
    | OutputOverMax
    | SomeDoNotFit
    | TogetherTooLong
    | LongContextPrice
    | NoSuchTier
    | TierOutsideWindow
    | PricesChange
    | OffPeak
    | SearchesNotPriced
)

#: Why one request does not fit its model.
FIT_NOTES = (TooLong, OutputOverMax)
#: How a job was priced through its days: said once on a row of several inputs.
DATED_NOTES = (PricesChange, OffPeak, SearchesNotPriced)
#: Why a model is not priced at the tier asked.
TIER_NOTES = (NoSuchTier, TierOutsideWindow)


@dataclass(frozen=True)
class PeakAssumed:
    """Caption: models with off-peak hours are priced at peak (no time of day was given)."""

    models: tuple[str, ...]


@dataclass(frozen=True)
class OffPeakWhere:
    """Caption: requests at ``at`` (UTC), off-peak where these models bill it."""

    at: time
    models: tuple[str, ...]


TimingNote = PeakAssumed | OffPeakWhere
