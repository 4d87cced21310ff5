"""Subscription plans against the API: the core of ``tokencalc plans``.

For each plan, the API cost of the same chat use (a :class:`~tokencalc.plans.profile.UsageProfile`
priced conversation by conversation by :mod:`tokencalc.plans.conversation`) on the plan's models,
the seats paid for, and the **break-even** volume. The API cost of a month is
``conversation cost × conversations a day × days × seats``. It is linear in conversations a day,
so the break-even volume (messages a day at which the API on the plan's stand-in model costs
what the plan does) is solved exactly: ``plan price ÷ (conversation cost × days) × turns``.

Pure: takes a sheet, plans and a profile, returns frozen data. No printing, no exiting.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from tokencalc.bounds import check
from tokencalc.errors import TokencalcError
from tokencalc.plans.assumptions import describe_assumptions
from tokencalc.plans.conversation import ConversationCost, conversation_cost
from tokencalc.plans.limits import limit_uses
from tokencalc.plans.notes import (
    WARNING_NOTES,
    CapExceeded,
    ConversationDoesNotFit,
    LongContextTurns,
    NoAnnualPrice,
    PlanNote,
    PlanNoteWarning,
    PlanWarning,
    StandInDeprecated,
    StandInTooShort,
)
from tokencalc.plans.profile import (
    MAX_BREAK_EVEN_MESSAGES_PER_DAY,
    UsageProfile,
    plain_number,
    seats_for,
)
from tokencalc.plans.sample_counts import SampleCounts
from tokencalc.pricing.costs import format_money
from tokencalc.pricing.request_rules import cheapest as lowest_cost
from tokencalc.sheet.model import USD, ModelEntry, Plan
from tokencalc.sheet.price_sheet import PriceSheet
from tokencalc.wording import Arg, Words

# --- plans against the API -----------------------------------------------------------------


def find_plans(
    sheet: PriceSheet, names: Sequence[str], providers: Sequence[str] = ()
) -> list[Plan]:
    """The plans named (ids or names, any case; repeats once) and every plan of ``providers``,
    or every plan when neither is given.

    An unknown name raises :class:`TokencalcError` suggesting the nearest plan ids; an unknown
    provider, or one that sells no plan, raises too (a plan id given as a provider says so).
    """
    if not names and not providers:
        return list(sheet.plans.values())
    chosen: dict[str, Plan] = {}
    for wanted in providers:
        key = wanted.strip().lower()
        theirs = [plan for plan in sheet.plans.values() if plan.vendor.lower() == key]
        if not theirs:
            if any(key in (plan.id.lower(), plan.name.lower()) for plan in sheet.plans.values()):
                raise TokencalcError.naming(
                    f"{wanted!r} is a plan, not a provider: give it with ", Arg("plan")
                )
            vendors = sorted({plan.vendor for plan in sheet.plans.values()})
            raise TokencalcError(
                f"no plans of provider {wanted!r} (providers with plans: {', '.join(vendors)})"
            )
        for plan in theirs:
            chosen.setdefault(plan.id, plan)
    for name in names:
        plan = sheet.resolve_plan(name)
        chosen.setdefault(plan.id, plan)
    return list(chosen.values())


@dataclass(frozen=True)
class PlanRow:
    """One plan beside the API cost of the same use. Money is in the comparison's currency."""

    plan: Plan
    seats: int
    annual: bool  # the annual-billing price was used
    monthly_price: Decimal  # for all seats
    api: ConversationCost  # on the plan's stand-in model (its first ``models`` entry)
    api_monthly_cost: Decimal  # for all seats
    cheapest_monthly_cost: Decimal | None  # on the comparison's cheapest model, for all seats
    break_even_messages_per_day: Decimal | None  # per person
    break_even_note: str | None  # why there is none, or None
    verdict: str
    exceeds_cap: bool
    notes: tuple[PlanNote, ...] = ()  # worded at the edge (tokencalc.cli.phrasing)
    #: the plan's published caps that this use goes over, described ("30 messages per 3 hours > …")
    caps_exceeded: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlanComparison:
    profile: UsageProfile
    on: date
    currency: str
    rate: Decimal  # currency units per US dollar
    cheapest: ConversationCost | None  # the cheapest current model the conversation fits
    rows: tuple[PlanRow, ...]
    warnings: tuple[PlanWarning, ...]  # worded at the edge (tokencalc.cli.phrasing)
    assumptions: tuple[Words, ...]  # one sentence each; options named by the edge (spell)

    @property
    def cheapest_monthly_cost(self) -> Decimal | None:
        """The profile's month on the cheapest model, for one person, in the comparison's currency."""
        if self.cheapest is None:
            return None
        return (
            self.cheapest.cost.total
            * self.profile.conversations_per_day
            * self.profile.days
            * self.rate
        )


def compare_plans(
    sheet: PriceSheet,
    plans: Sequence[Plan],
    profile: UsageProfile,
    *,
    on: date,
    currency: str = USD,
    rate: Decimal = Decimal(1),
) -> PlanComparison:
    """Each plan's price beside the API cost of ``profile`` on its stand-in and the cheapest model.

    The cheapest model is the cheapest current (not deprecated) model of the whole sheet
    whose context window and maximum output fit the longest turn. ``rate`` converts the
    sheet's US dollars (plan and token prices alike) into ``currency``.
    """
    check("rate", rate)
    costs: dict[str, ConversationCost] = {}
    sample = SampleCounts(profile.sample_text) if profile.sample_text else None

    def cost_on(model: ModelEntry) -> ConversationCost:
        if model.id not in costs:
            message = sample.on(sheet.tokenizer_for(model)) if sample is not None else None
            costs[model.id] = conversation_cost(sheet, model, profile, on=on, message=message)
        return costs[model.id]

    candidates = [cost_on(m) for m in sheet.models.values() if not m.deprecated]
    cheapest = lowest_cost(
        candidates,
        total=lambda c: c.cost.total,
        fits=lambda c: c.fits,
        model_id=lambda c: c.model.id,
    )

    rows = []
    warnings: list[PlanWarning] = []
    too_long: dict[str, list[str]] = {}  # stand-in model id → the plans it stands in for
    for plan in plans:
        row = _plan_row(
            sheet, plan, profile, cost_on(sheet.models[plan.models[0]]), cheapest, currency, rate
        )
        rows.append(row)
        if row.exceeds_cap:
            warnings.extend(CapExceeded(plan.id, text) for text in row.caps_exceeded)
        warnings.extend(
            PlanNoteWarning(plan.id, note) for note in row.notes if isinstance(note, WARNING_NOTES)
        )
        if not row.api.fits:
            too_long.setdefault(row.api.model.id, []).append(plan.id)
    for model_id, plan_ids in too_long.items():
        api = costs[model_id]
        warnings.append(
            StandInTooShort(
                model_id, tuple(plan_ids), api.longest_request, api.model.context_window
            )
        )
    return PlanComparison(
        profile=profile,
        on=on,
        currency=currency,
        rate=rate,
        cheapest=cheapest,
        rows=tuple(rows),
        warnings=tuple(warnings),
        assumptions=tuple(
            describe_assumptions(
                sheet, profile, rows, cheapest, on=on, currency=currency, rate=rate
            )
        ),
    )


def _plan_row(
    sheet: PriceSheet,
    plan: Plan,
    profile: UsageProfile,
    api: ConversationCost,
    cheapest: ConversationCost | None,
    currency: str,
    rate: Decimal,
) -> PlanRow:
    seats, seats_note = seats_for(plan, profile.seats)
    notes: list[PlanNote] = [seats_note] if seats_note else []
    annual_price = plan.annual_monthly_price if profile.annual else None
    if profile.annual and annual_price is None and plan.monthly_price:
        notes.append(NoAnnualPrice())
    price_usd = plan.monthly_price if annual_price is None else annual_price
    monthly_price = price_usd * seats * rate
    per_person_month = profile.conversations_per_day * profile.days
    api_monthly = api.cost.total * per_person_month * seats * rate
    cheapest_monthly = cheapest.cost.total * per_person_month * seats * rate if cheapest else None

    if not api.fits:
        notes.append(
            ConversationDoesNotFit(api.model.id, api.longest_request, api.model.context_window)
        )
    if api.model.deprecated:
        notes.append(StandInDeprecated(api.model.id))
    if api.long_context_turns:
        notes.append(LongContextTurns(api.long_context_turns, api.turns))

    break_even, break_even_note = _break_even(price_usd, api, profile)
    over = tuple(
        use.describe()
        for use in limit_uses(plan, profile.messages_per_day, profile.turns)
        if use.exceeded
    )
    exceeds = bool(over)
    return PlanRow(
        plan=plan,
        seats=seats,
        annual=annual_price is not None,
        monthly_price=monthly_price,
        api=api,
        api_monthly_cost=api_monthly,
        cheapest_monthly_cost=cheapest_monthly,
        break_even_messages_per_day=break_even,
        break_even_note=break_even_note,
        verdict=_verdict(
            monthly_price,
            api_monthly,
            currency,
            free=price_usd == 0,
            exceeds_cap=exceeds,
            fits=api.fits,
        ),
        exceeds_cap=exceeds,
        notes=tuple(notes),
        caps_exceeded=over,
    )


def _break_even(
    price_usd: Decimal, api: ConversationCost, profile: UsageProfile
) -> tuple[Decimal | None, str | None]:
    """Messages a day (per person) at which the API on the stand-in costs the plan's price."""
    if price_usd == 0:
        return None, "free plan"
    if api.cost.total == 0:
        return None, "the API costs nothing on the stand-in model"
    conversations = price_usd / (api.cost.total * profile.days)
    messages = conversations * profile.turns
    if messages > MAX_BREAK_EVEN_MESSAGES_PER_DAY:
        return None, f"above {plain_number(MAX_BREAK_EVEN_MESSAGES_PER_DAY)} messages a day"
    return messages, None


def _verdict(
    plan_price: Decimal,
    api_cost: Decimal,
    currency: str,
    *,
    free: bool,
    exceeds_cap: bool,
    fits: bool,
) -> str:
    if exceeds_cap:
        # a plan that cannot carry the use is never the cheaper choice
        what = "the free allowance" if free else "the plan's cap"
        return f"this use exceeds {what}: the plan cannot carry it; the API would cost {format_money(api_cost, currency)}/month"
    if free:
        text = (
            f"free plan: the API would cost {format_money(api_cost, currency)}/month for this use"
        )
    elif plan_price < api_cost:
        text = f"the plan is cheaper by {format_money(api_cost - plan_price, currency)}/month"
    elif api_cost < plan_price:
        text = f"the API would cost {format_money(plan_price - api_cost, currency)}/month less"
    else:
        text = "the plan and the API cost the same"
    if not fits:
        text += " (but the conversation does not fit the stand-in model)"
    return text
