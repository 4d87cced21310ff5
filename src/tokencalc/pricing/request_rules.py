"""The rules every pricing surface applies to a request: tier offered, fit, cheapest.

``tokencalc estimate`` (:mod:`tokencalc.estimate`), dataset mode
(:mod:`tokencalc.datasets.pricing`) and the Python API (:func:`tokencalc.api.compare_models`)
all ask the same three questions of a model; they answer them here so they cannot disagree:

* **tier offered** — the model has prices for the asked service tier on every day of the job
  (the standard tier, ``None``, always); a model without it is never priced at it;
* **fits** — the request's input plus output fit the context window, and its output fits the
  model's max output (a model the request does not fit is still priced);
* **cheapest** — the lowest total among the models that are priced and fit; equal totals go to
  the model id that sorts first, so the choice does not depend on the order models were named.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TypeVar

from tokencalc.sheet.model import ModelEntry
from tokencalc.sheet.price_sheet import PriceSheet

_Row = TypeVar("_Row")


def tier_offered(
    sheet: PriceSheet, model: ModelEntry, tier: str | None, days: Iterable[date]
) -> bool:
    """Whether ``model`` can be priced at ``tier`` (None: standard) on every one of ``days``."""
    if tier is None:
        return True
    return all(sheet.offers_tier(model, tier, day) for day in days)


def models_offering(
    sheet: PriceSheet, tier: str, on: date, models: Iterable[ModelEntry] | None = None
) -> list[str]:
    """Ids of the current (not deprecated) models offering ``tier`` on ``on``, in sheet order."""
    pool = sheet.models.values() if models is None else models
    return [m.id for m in pool if not m.deprecated and sheet.offers_tier(m, tier, on)]


@dataclass(frozen=True)
class Fit:
    """How a request of ``input`` + ``output`` tokens sits in a model's limits."""

    input: int
    output: int
    context_window: int
    max_output: int | None

    @property
    def within_context(self) -> bool:
        return self.input + self.output <= self.context_window

    @property
    def within_max_output(self) -> bool:
        return self.max_output is None or self.output <= self.max_output

    @property
    def fits(self) -> bool:
        return fits_limits(self.input, self.output, self.context_window, self.max_output)


def fits_limits(
    input_tokens: int, output_tokens: int, context_window: int, max_output: int | None
) -> bool:
    """The fit rule on plain numbers (dataset mode applies it per record without a model)."""
    if input_tokens + output_tokens > context_window:
        return False
    return max_output is None or output_tokens <= max_output


def fit(model: ModelEntry, input_tokens: int, output_tokens: int) -> Fit:
    """Whether a request of these sizes fits ``model`` (see :class:`Fit`)."""
    return Fit(input_tokens, output_tokens, model.context_window, model.max_output)


def cheapest(
    rows: Sequence[_Row],
    *,
    total: Callable[[_Row], Decimal | None],
    fits: Callable[[_Row], bool],
    model_id: Callable[[_Row], str],
) -> _Row | None:
    """The row with the lowest ``total`` among those priced (total not None) that fit.

    Equal totals go to the lowest ``model_id``; None when no row is priced and fits.
    """
    best: _Row | None = None
    best_key: tuple[Decimal, str] | None = None
    for row in rows:
        amount = total(row)
        if amount is None or not fits(row):
            continue
        key = (amount, model_id(row))
        if best_key is None or key < best_key:
            best, best_key = row, key
    return best
