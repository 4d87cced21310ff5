"""A usage profile: how one person chats (conversations a day, turns, tokens per message, reply,
system prompt and reasoning, days a month), its defaults and bounds, and the seats policy of
``plans`` and ``usage``. Every token count in a profile is an ``o200k_base`` count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from tokencalc.bounds import BOUNDS
from tokencalc.errors import ArgumentError, Problem
from tokencalc.plans.notes import SeatsIgnored, SeatsRaised
from tokencalc.sheet.model import Plan

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
#: Days in a month of use: the same bound as ``estimate --days``.
DAYS = BOUNDS["days"]
#: Characters per profile token, for estimate families that count characters (Gemini):
#: Google's own rule of thumb, which makes such a model's count equal the profile's.
CHARS_PER_PROFILE_TOKEN = 4


# --- the profile ---------------------------------------------------------------------------


@dataclass(frozen=True)
class UsageProfile:
    """Chat use, per person; token counts are ``o200k_base`` tokens. Validated on construction.

    ``seats`` is the seat count for per-seat plans (None: each plan's minimum). ``defaulted``
    names the fields left at their defaults and ``sample`` the file the message size was
    counted from; both only describe the profile. ``sample_text`` is that file's text, which
    ``plans`` counts on each model.
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
    #: the sample file's text, counted on each model (tokencalc.plans.sample_counts); None: the
    #: message size is the o200k_base count ``message_tokens``, converted like the rest
    sample_text: str | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        conversations = Decimal(self.conversations_per_day)
        object.__setattr__(self, "conversations_per_day", conversations)
        if not conversations.is_finite() or conversations <= 0:
            raise ArgumentError(Problem.ABOVE_ZERO, "conversations_per_day", value=conversations)
        if conversations > MAX_CONVERSATIONS_PER_DAY:
            raise ArgumentError(
                Problem.AT_MOST,
                "conversations_per_day",
                value=conversations,
                high=int(MAX_CONVERSATIONS_PER_DAY),
            )
        check_whole("turns", self.turns, low=1, high=MAX_TURNS)
        check_whole("message_tokens", self.message_tokens, low=1, high=MAX_PROFILE_TOKENS)
        check_whole("reply_tokens", self.reply_tokens, low=1, high=MAX_PROFILE_TOKENS)
        check_whole("system_tokens", self.system_tokens, low=0, high=MAX_PROFILE_TOKENS)
        check_whole("reasoning_tokens", self.reasoning_tokens, low=0, high=MAX_PROFILE_TOKENS)
        check_whole("days", self.days, low=int(DAYS.low), high=int(DAYS.high or 31))
        if self.seats is not None:
            check_whole("seats", self.seats, low=1, high=MAX_SEATS)

    @property
    def messages_per_day(self) -> Decimal:
        return self.conversations_per_day * self.turns


def check_whole(name: str, value: int, *, low: int, high: int) -> None:
    """A whole number from ``low`` to ``high``, or an :class:`ArgumentError` naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ArgumentError(Problem.NOT_WHOLE, name, value=value)
    if value < low or value > high:
        raise ArgumentError(Problem.OUT_OF_RANGE, name, value=value, low=low, high=high)


def plain_number(value: Decimal | int) -> str:
    """A count for people: thousands separated, no trailing zeros."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.normalize():,f}"


# --- seats -----------------------------------------------------------------------------------


def seats_for(plan: Plan, seats: int | None) -> tuple[int, SeatsRaised | SeatsIgnored | None]:
    """The seats to pay for ``plan`` when ``--seats`` is ``seats``, and a note when it was changed.

    The one seats policy of ``plans`` and ``usage``: None means the plan's minimum (1 for a plan
    not sold per seat). A per-seat plan below its minimum is raised to the minimum, with a note
    worth a warning (:class:`SeatsRaised`). A plan not sold per seat is always one
    subscription: ``seats`` other than 1 is ignored, with a note (:class:`SeatsIgnored`). ``seats`` outside 1 to
    :data:`MAX_SEATS` raises :class:`~tokencalc.errors.ArgumentError` (a usage error).
    """
    if seats is None:
        return (plan.min_seats if plan.per_seat else 1), None
    check_whole("seats", seats, low=1, high=MAX_SEATS)
    if not plan.per_seat:
        if seats == 1:
            return 1, None
        return 1, SeatsIgnored(seats)
    if seats < plan.min_seats:
        return plan.min_seats, SeatsRaised(seats, plan.min_seats)
    return seats, None
