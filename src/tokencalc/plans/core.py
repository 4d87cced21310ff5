"""Subscription plans against the API: the core of ``tokencalc plans``.

A :class:`UsageProfile` describes chat use: conversations a day, turns per conversation,
tokens per user message and per reply, system/context tokens re-sent every turn, reasoning
tokens per reply, days a month. Every token count in a profile is an ``o200k_base`` count.

**The chat cost model** (one conversation of ``T`` turns on one model). With ``s`` system
tokens, ``u`` per user message, ``r`` per reply and ``z`` reasoning tokens per reply, all in
the model's own tokens (see :func:`model_tokens`), turn ``k`` (1..T) is one request::

    input_k  = s + (k − 1) × (u + r) + u      # system, every earlier message and reply, the new message
    output_k = r + z                          # reasoning is billed as output and never re-sent

so a conversation's input grows with the square of its length. With prompt caching (on by
default, for models that have a ``cached_input`` price) the prefix the previous turn already
sent, ``input_{k−1}``, is billed at the cache-read price and the rest, ``input_k − input_{k−1}``
(``input_1`` on the first turn), at the input price — or, for models that charge cache writes
(``cache_write_5m``), as a 5-minute cache write. Each request goes through
:func:`tokencalc.pricing.costs.request_cost`, so long-context prices apply per request.

The API cost of a month is ``conversation cost × conversations a day × days × seats``. It is
linear in conversations a day, so the **break-even** volume (messages a day at which the API
on the plan's stand-in model costs what the plan does) is solved exactly:
``plan price ÷ (conversation cost × days) × turns``.

Pure: takes a sheet, plans and a profile, returns frozen data. No printing, no exiting.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from tokencalc.counting.encodings import CHARACTERS, TokenizerRef
from tokencalc.errors import TokencalcError, UsageError
from tokencalc.plans.limits import WINDOW_ASSUMPTION, limit_uses
from tokencalc.pricing.costs import CostBreakdown, RequestTokens, format_money, request_cost
from tokencalc.sheet.model import USD, ModelEntry, Plan
from tokencalc.sheet.price_sheet import PriceSheet

DEFAULT_CONVERSATIONS_PER_DAY = Decimal(5)
DEFAULT_TURNS = 6
DEFAULT_MESSAGE_TOKENS = 150
DEFAULT_REPLY_TOKENS = 600
DEFAULT_SYSTEM_TOKENS = 1_000
DEFAULT_REASONING_TOKENS = 0
DEFAULT_DAYS = 30
#: Above this many messages a day a break-even volume is reported as none.
MAX_BREAK_EVEN_MESSAGES_PER_DAY = Decimal(10_000)
#: Turns per conversation are priced one request at a time; this keeps that quick.
MAX_TURNS = 1_000
#: Upper bounds of the other profile values. Each is far past real use (a conversation every
#: 90 seconds round the clock; more tokens than any context window holds; a large company), and
#: together they keep every amount small enough to show, even at the largest ``--rate``.
MAX_CONVERSATIONS_PER_DAY = Decimal(1_000)
MAX_PROFILE_TOKENS = 10_000_000
MAX_SEATS = 100_000
#: Characters per profile token, for estimate families that count characters (Gemini):
#: Google's own rule of thumb, which makes such a model's count equal the profile's.
CHARS_PER_PROFILE_TOKEN = 4


# --- the profile ---------------------------------------------------------------------------


@dataclass(frozen=True)
class UsageProfile:
    """Chat use, per person; token counts are ``o200k_base`` tokens. Validated on construction.

    ``seats`` is the seat count for per-seat plans (None: each plan's minimum). ``defaulted``
    names the fields left at their defaults and ``sample`` the file the message size was
    counted from; both only describe the profile.
    """

    conversations_per_day: Decimal = DEFAULT_CONVERSATIONS_PER_DAY
    turns: int = DEFAULT_TURNS
    message_tokens: int = DEFAULT_MESSAGE_TOKENS
    reply_tokens: int = DEFAULT_REPLY_TOKENS
    system_tokens: int = DEFAULT_SYSTEM_TOKENS
    reasoning_tokens: int = DEFAULT_REASONING_TOKENS
    days: int = DEFAULT_DAYS
    cache: bool = True
    seats: int | None = None
    annual: bool = False
    sample: str | None = None
    defaulted: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        conversations = Decimal(self.conversations_per_day)
        object.__setattr__(self, "conversations_per_day", conversations)
        if not conversations.is_finite() or conversations <= 0:
            raise UsageError(
                f"--conversations-per-day must be more than 0, got {self.conversations_per_day}"
            )
        if conversations > MAX_CONVERSATIONS_PER_DAY:
            raise UsageError(
                f"--conversations-per-day must be at most {_number(MAX_CONVERSATIONS_PER_DAY)}, "
                f"got {self.conversations_per_day}"
            )
        _whole("--turns", self.turns, low=1, high=MAX_TURNS)
        _whole("--message-tokens", self.message_tokens, low=1, high=MAX_PROFILE_TOKENS)
        _whole("--reply-tokens", self.reply_tokens, low=1, high=MAX_PROFILE_TOKENS)
        _whole("--system-tokens", self.system_tokens, low=0, high=MAX_PROFILE_TOKENS)
        _whole("--reasoning-tokens", self.reasoning_tokens, low=0, high=MAX_PROFILE_TOKENS)
        _whole("--days", self.days, low=1, high=31)
        if self.seats is not None:
            _whole("--seats", self.seats, low=1, high=MAX_SEATS)

    @property
    def messages_per_day(self) -> Decimal:
        return self.conversations_per_day * self.turns


def _whole(option: str, value: int, *, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise UsageError(f"{option} must be a whole number, got {value!r}")
    if value < low or value > high:
        raise UsageError(f"{option} must be from {low:,} to {high:,}, got {value:,}")


# --- seats -----------------------------------------------------------------------------------

#: How the notes of :func:`seats_for` start: the one worth a warning, and the other.
SEATS_RAISED = "seats raised"
NOT_PER_SEAT = "not sold per seat"


def seats_for(plan: Plan, seats: int | None) -> tuple[int, str | None]:
    """The seats to pay for ``plan`` when ``--seats`` is ``seats``, and a note when it was changed.

    The one seats policy of ``plans`` and ``usage``: None means the plan's minimum (1 for a plan
    not sold per seat). A per-seat plan below its minimum is raised to the minimum, with a note
    worth a warning (it starts ``seats raised``). A plan not sold per seat is always one
    subscription: ``seats`` other than 1 is ignored, with a note. ``seats`` outside 1 to
    :data:`MAX_SEATS` raises :class:`UsageError`.
    """
    if seats is None:
        return (plan.min_seats if plan.per_seat else 1), None
    _whole("--seats", seats, low=1, high=MAX_SEATS)
    if not plan.per_seat:
        if seats == 1:
            return 1, None
        return 1, f"{NOT_PER_SEAT}: one subscription priced, --seats {seats:,} ignored"
    if seats < plan.min_seats:
        return (
            plan.min_seats,
            f"{SEATS_RAISED} from {seats:,} to the plan's minimum of {plan.min_seats:,}",
        )
    return seats, None


# --- one conversation on one model -----------------------------------------------------------


def model_tokens(tokenizer: TokenizerRef, profile_tokens: int) -> int:
    """A model's tokens for an ``o200k_base`` count (a profile's, or a chat export's), rounded up when estimated.

    Families estimated from ``o200k_base`` scale the count by their ratio. A family counted
    in characters takes :data:`CHARS_PER_PROFILE_TOKEN` characters per profile token; one
    based on ``cl100k_base`` takes the profile count as its base count (no text to recount).
    """
    if not tokenizer.estimated:
        return profile_tokens
    base_count = (
        profile_tokens * CHARS_PER_PROFILE_TOKEN if tokenizer.base == CHARACTERS else profile_tokens
    )
    return tokenizer.tokens_from(base_count)


@dataclass(frozen=True)
class TurnTokens:
    """One conversation's pieces in one model's tokens."""

    system: int
    message: int
    reply: int
    reasoning: int

    @property
    def exchange(self) -> int:
        """What one earlier turn adds to every later prompt: its message and its reply."""
        return self.message + self.reply

    @property
    def output(self) -> int:
        return self.reply + self.reasoning

    def prompt(self, turn: int) -> int:
        """Input tokens of turn ``turn`` (1-based)."""
        return self.system + (turn - 1) * self.exchange + self.message


def turn_tokens(tokenizer: TokenizerRef, profile: UsageProfile) -> TurnTokens:
    return TurnTokens(
        system=model_tokens(tokenizer, profile.system_tokens) if profile.system_tokens else 0,
        message=model_tokens(tokenizer, profile.message_tokens),
        reply=model_tokens(tokenizer, profile.reply_tokens),
        reasoning=model_tokens(tokenizer, profile.reasoning_tokens)
        if profile.reasoning_tokens
        else 0,
    )


def conversation_requests(
    tokens: TurnTokens, turns: int, *, cache_reads: bool, cache_writes: bool
) -> list[RequestTokens]:
    """The requests of one conversation, turn by turn (see the module docstring)."""
    requests = []
    previous = 0
    for turn in range(1, turns + 1):
        prompt = tokens.prompt(turn)
        read = previous if cache_reads else 0
        written = prompt - read if cache_reads and cache_writes else 0
        requests.append(
            RequestTokens(
                input=prompt, output=tokens.output, cache_read=read, cache_write_5m=written
            )
        )
        previous = prompt
    return requests


@dataclass(frozen=True)
class ConversationCost:
    """What one conversation of the profile costs on one model, in US dollars."""

    model: ModelEntry
    tokenizer: TokenizerRef
    tokens: TurnTokens
    turns: int
    cached: bool  # cache reads priced (caching asked for and the model has a cached-input price)
    cache_writes: bool  # the new part of each prompt billed as a 5-minute cache write
    cost: CostBreakdown
    input_tokens: int  # all turns
    output_tokens: int  # all turns
    long_context_turns: int

    @property
    def longest_request(self) -> int:
        """Input plus output tokens of the last (largest) turn."""
        return self.tokens.prompt(self.turns) + self.tokens.output

    @property
    def fits(self) -> bool:
        """Whether every turn fits the model's context window and maximum output."""
        if self.longest_request > self.model.context_window:
            return False
        return self.model.max_output is None or self.tokens.output <= self.model.max_output


def conversation_cost(
    sheet: PriceSheet, model: ModelEntry, profile: UsageProfile, *, on: date
) -> ConversationCost:
    """Price one conversation of ``profile`` on ``model`` with the prices in force on ``on``."""
    tokenizer = sheet.tokenizer_for(model)
    tokens = turn_tokens(tokenizer, profile)
    cached = profile.cache and model.cached_input is not None
    writes = cached and model.cache_write_5m is not None
    total = CostBreakdown.zero()
    long_turns = 0
    requests = conversation_requests(tokens, profile.turns, cache_reads=cached, cache_writes=writes)
    for request in requests:
        one = request_cost(sheet, model, request, on=on)
        long_turns += one.long_context
        total = total + one
    return ConversationCost(
        model=model,
        tokenizer=tokenizer,
        tokens=tokens,
        turns=profile.turns,
        cached=cached,
        cache_writes=writes,
        cost=total,
        input_tokens=sum(r.input for r in requests),
        output_tokens=sum(r.output for r in requests),
        long_context_turns=long_turns,
    )


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
                raise TokencalcError(
                    f"{wanted!r} is a plan, not a provider: give it with --plan/-P"
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
    notes: tuple[str, ...] = ()
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
    warnings: tuple[str, ...]
    assumptions: tuple[str, ...]

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
    if rate <= 0:
        raise UsageError(f"--rate must be positive, got {rate}")
    costs: dict[str, ConversationCost] = {}

    def cost_on(model: ModelEntry) -> ConversationCost:
        if model.id not in costs:
            costs[model.id] = conversation_cost(sheet, model, profile, on=on)
        return costs[model.id]

    candidates = [cost_on(m) for m in sheet.models.values() if not m.deprecated]
    fitting = [c for c in candidates if c.fits]
    cheapest = min(fitting, key=lambda c: (c.cost.total, c.model.id)) if fitting else None

    rows = []
    warnings = []
    too_long: dict[str, list[str]] = {}  # stand-in model id → the plans it stands in for
    for plan in plans:
        row = _plan_row(
            sheet, plan, profile, cost_on(sheet.models[plan.models[0]]), cheapest, currency, rate
        )
        rows.append(row)
        if row.exceeds_cap:
            warnings.extend(
                f"{plan.id}: this use exceeds the plan's cap: {text}" for text in row.caps_exceeded
            )
        warnings.extend(
            f"{plan.id}: {note}" for note in row.notes if note.startswith(_WARNING_NOTES)
        )
        if not row.api.fits:
            too_long.setdefault(row.api.model.id, []).append(plan.id)
    for model_id, plan_ids in too_long.items():
        api = costs[model_id]
        warnings.append(
            f"the conversation does not fit {model_id} (stand-in for {', '.join(plan_ids)}): its last turn needs "
            f"{api.longest_request:,} tokens, the model takes {api.model.context_window:,}; "
            "chat apps trim or summarise long conversations instead"
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


#: Row notes that are also worth a warning on stderr.
_WARNING_NOTES = (SEATS_RAISED, "stand-in model")


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
    notes = [seats_note] if seats_note else []
    annual = profile.annual and plan.annual_monthly_price is not None
    if profile.annual and not annual and plan.monthly_price:
        notes.append("no annual-billing price; monthly price used")
    price_usd = plan.annual_monthly_price if annual else plan.monthly_price
    monthly_price = price_usd * seats * rate
    per_person_month = profile.conversations_per_day * profile.days
    api_monthly = api.cost.total * per_person_month * seats * rate
    cheapest_monthly = cheapest.cost.total * per_person_month * seats * rate if cheapest else None

    if not api.fits:
        notes.append(
            f"the conversation does not fit {api.model.id}: its last turn needs {api.longest_request:,} tokens "
            f"(context window {api.model.context_window:,})"
        )
    if api.model.deprecated:
        notes.append(
            f"stand-in model {api.model.id} is deprecated; its last published prices are used"
        )
    if api.long_context_turns:
        notes.append(f"long-context prices on {api.long_context_turns} of {api.turns} turns")

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
        annual=annual,
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
        return None, f"above {_number(MAX_BREAK_EVEN_MESSAGES_PER_DAY)} messages a day"
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


# --- describing the assumptions --------------------------------------------------------------


def _number(value: Decimal | int) -> str:
    """A count for people: thousands separated, no trailing zeros."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.normalize():,f}"


def describe_assumptions(
    sheet: PriceSheet,
    profile: UsageProfile,
    rows: Iterable[PlanRow],
    cheapest: ConversationCost | None,
    *,
    on: date,
    currency: str = USD,
    rate: Decimal = Decimal(1),
) -> list[str]:
    """The model's assumptions, one sentence each, for a caption and the JSON document."""
    rows = list(rows)
    defaulted = set(profile.defaulted)

    message = f"{profile.message_tokens:,}-token user messages" + (
        f" (counted in {profile.sample})" if profile.sample else ""
    )
    lines = [
        (
            f"{_number(profile.conversations_per_day)} conversations a day × {profile.turns} turns = "
            f"{_number(profile.messages_per_day)} messages a day per person, {profile.days} days a month; {message}, "
            f"{profile.reply_tokens:,}-token replies plus {profile.reasoning_tokens:,} reasoning tokens each "
            f"(billed as output, not re-sent), {profile.system_tokens:,} system/context tokens"
        ),
    ]
    shown = {
        "conversations_per_day": f"{_number(profile.conversations_per_day)} conversations a day",
        "turns": f"{profile.turns} turns",
        "message_tokens": f"{profile.message_tokens:,}-token messages",
        "reply_tokens": f"{profile.reply_tokens:,}-token replies",
        "reasoning_tokens": f"{profile.reasoning_tokens:,} reasoning tokens",
        "system_tokens": f"{profile.system_tokens:,} system tokens",
        "days": f"{profile.days} days",
    }
    used = [text for name, text in shown.items() if name in defaulted]
    if used:
        lines.append("defaults used: " + ", ".join(used))
    lines.append(
        "turn k re-sends the system prompt and all k−1 earlier messages and replies, so a conversation's cost "
        "grows with the square of its length; nothing is shared between conversations"
    )
    if profile.cache:
        lines.append(
            "prompt caching on (--no-cache turns it off): the prefix the previous turn sent is billed at the "
            "cache-read price, the rest at the input price, or as a 5-minute cache write where the model charges "
            "writes; turns are assumed to come within the cache's lifetime and minimum cacheable lengths are ignored"
        )
    else:
        lines.append("no prompt caching (--no-cache): every prompt token at the input price")
    lines.append(
        "token counts are o200k_base; estimated tokenizers scale each count by their ratio, rounded up "
        f"(character-counted ones at {CHARS_PER_PROFILE_TOKEN} characters a token)"
    )
    per_seat = [row for row in rows if row.plan.per_seat]
    if per_seat:
        seats = ", ".join(f"{row.plan.id} {row.seats}" for row in per_seat)
        basis = "each plan's minimum" if profile.seats is None else f"--seats {profile.seats}"
        lines.append(
            f"per-seat plans: {basis} ({seats}); every seat uses the profile, so price and API cost scale alike"
        )
    personal = [row.plan.id for row in rows if not row.plan.per_seat]
    if personal and profile.seats not in (None, 1):
        lines.append(
            f"{NOT_PER_SEAT}, so one subscription each, --seats ignored: {', '.join(personal)}"
        )
    billing = (
        "annual-billing prices where offered (--annual)"
        if profile.annual
        else "monthly-billing prices"
    )
    lines.append(
        f"plan prices are {billing}; the stand-in model is the first of each plan's models"
    )
    lines.append(
        f"break-even: messages a day per person at which the API on the stand-in costs the plan's price, "
        f"keeping turns and message sizes; none for free plans or above {_number(MAX_BREAK_EVEN_MESSAGES_PER_DAY)} a day"
    )
    if any(row.plan.limits or row.plan.messages_per_day_cap for row in rows):
        lines.append(
            f"published caps (⚠ when exceeded; such a plan is never called cheaper): {WINDOW_ASSUMPTION}"
        )
    if cheapest is not None:
        lines.append(
            f"cheapest API model: {cheapest.model.id}, the cheapest current model in the sheet that fits the "
            f"longest turn ({cheapest.longest_request:,} tokens on its tokenizer)"
        )
    else:
        lines.append("no current model in the sheet fits the longest turn")
    money = f"costs in {currency}" + (
        f" at {rate.normalize():f} per US dollar" if currency != USD else ""
    )
    lines.append(
        f"standard-tier prices of {on.isoformat()}, sheet as of {sheet.as_of.isoformat()}; {money}"
    )
    return lines
