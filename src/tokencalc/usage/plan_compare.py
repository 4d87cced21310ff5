"""A subscription plan against the API-equivalent cost of priced usage (``tokencalc usage --plan``).

A plan is paid for every calendar month the records touch (first to last, gaps included), for the
seats :func:`tokencalc.plans.profile.seats_for` settles.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from tokencalc.errors import TokencalcError
from tokencalc.plans.notes import SeatsIgnored, SeatsRaised
from tokencalc.plans.profile import seats_for
from tokencalc.pricing.costs import format_money
from tokencalc.sheet.model import Plan
from tokencalc.usage.priced import PricedUsage, UnpricedModel


@dataclass(frozen=True)
class PlanVersusUsage:
    """A plan's price over the months the records span, against their API-equivalent cost."""

    plan: Plan
    seats: int
    months: int
    first_month: str
    last_month: str
    monthly_price: Decimal  # per seat, in currency
    api_cost: Decimal
    currency: str
    unknown_models: tuple[UnpricedModel, ...] = ()  # left out of ``api_cost``
    unpriced_tiers: tuple[UnpricedModel, ...] = ()  # left out of ``api_cost``
    #: how the seats asked for were applied (tokencalc.plans.profile.seats_for), worded at the edge
    notes: tuple[SeatsRaised | SeatsIgnored, ...] = ()

    @property
    def plan_cost(self) -> Decimal:
        return self.monthly_price * self.seats * self.months

    @property
    def difference(self) -> Decimal:
        """Plan cost minus API cost: positive when the plan costs more."""
        return self.plan_cost - self.api_cost

    @property
    def verdict(self) -> str:
        """One line for people: what the plan cost, what the API would have, and the gap."""

        def money(value: Decimal) -> str:
            return format_money(value, self.currency)

        seats = f" × {self.seats} seats" if self.seats != 1 else ""
        months = f"{self.months} month{'s' if self.months != 1 else ''}"
        head = (
            f"{self.plan.name} {money(self.monthly_price)}/month{seats} × {months} = {money(self.plan_cost)}; "
            f"API-equivalent {money(self.api_cost)}"
        )
        if self.difference > 0:
            tail = f"the plan costs you {money(self.difference)} more"
        elif self.difference < 0:
            tail = f"the plan saves you {money(-self.difference)}"
        else:
            tail = "the plan and the API cost the same"
        left_out = []
        if self.unknown_models:
            count = len(self.unknown_models)
            left_out.append(
                f"{_counted(self.unknown_models)} of {count} model{'s' if count != 1 else ''} not in the price sheet"
            )
        if self.unpriced_tiers:
            where = ", ".join(f"{m.model} {m.tier}" for m in self.unpriced_tiers)
            left_out.append(
                f"{_counted(self.unpriced_tiers)} at a tier the price sheet has no prices for ({where})"
            )
        line = f"{head} → {tail}"
        if left_out:
            line += f" (the API figure leaves out {' and '.join(left_out)})"
        return line


def _counted(unpriced: Sequence[UnpricedModel]) -> str:
    """``3 requests and 2 billing rows``: what some unpriced records hold."""
    requests = sum(m.requests for m in unpriced)
    rows = sum(m.uncounted_rows for m in unpriced)
    parts = []
    if requests:
        parts.append(f"{requests:,} request{'s' if requests != 1 else ''}")
    if rows:
        parts.append(f"{rows:,} billing row{'s' if rows != 1 else ''}")
    return " and ".join(parts)


def compare_plan(plan: Plan, usage: PricedUsage, *, seats: int | None = None) -> PlanVersusUsage:
    """``plan`` paid for every calendar month ``usage`` spans, against its API-equivalent cost.

    ``seats`` is ``--seats`` as given; :func:`tokencalc.plans.profile.seats_for` settles what is paid
    for, and its note (if any) is in the result's ``notes``.
    """
    if usage.first_month is None or usage.last_month is None:
        raise TokencalcError("no usage records to compare with a plan")
    paid_seats, note = seats_for(plan, seats)
    return PlanVersusUsage(
        plan=plan,
        seats=paid_seats,
        months=usage.months,
        first_month=usage.first_month,
        last_month=usage.last_month,
        monthly_price=plan.monthly_price * usage.rate,
        api_cost=usage.totals.cost,
        currency=usage.currency,
        unknown_models=usage.unknown_models,
        unpriced_tiers=usage.unpriced_tiers,
        notes=(note,) if note else (),
    )
