"""Whether a usage profile stays within a plan's published caps (messages per window).

A cap is "at most N messages in any H-hour window" (24: a day, 168: a week). The profile gives
messages a day; within a day they are assumed spread evenly over :data:`ACTIVE_HOURS` hours,
but one conversation's turns always fall in one window. So a window of ``H`` hours holds
``max(turns, ceil(messages_per_day × min(H, 16) / 16))`` messages when ``H < 24``, and
``messages_per_day × H / 24`` from a day up. Pure; no printing.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from tokencalc.sheet.model import Plan, PlanLimit

#: Hours a day the messages of a profile are assumed to spread over.
ACTIVE_HOURS = 16
#: The sentence captions and JSON give for that assumption.
WINDOW_ASSUMPTION = (
    f"caps per window assume the day's messages spread over {ACTIVE_HOURS} hours, "
    "one conversation's turns within one window"
)


@dataclass(frozen=True)
class LimitUse:
    """A cap, and the messages the profile puts in one of its windows."""

    limit: PlanLimit
    used: Decimal

    @property
    def exceeded(self) -> bool:
        return self.used > self.limit.messages

    def describe(self) -> str:
        whole = self.used == self.used.to_integral_value()
        used = f"{int(self.used):,}" if whole else f"{self.used.quantize(Decimal('0.1')):,}"
        return f"{used} messages per {window_text(self.limit.hours)} > cap {self.limit.messages:,} ({self.limit.scope})"


def window_text(hours: int) -> str:
    if hours == 24:
        return "day"
    if hours == 168:
        return "week"
    if hours % 24 == 0:
        return f"{hours // 24} days"
    return "hour" if hours == 1 else f"{hours} hours"


def messages_in_window(messages_per_day: Decimal, turns: int, hours: int) -> Decimal:
    """The messages a profile puts in one ``hours``-hour window (see the module docstring)."""
    if hours >= 24:
        return messages_per_day * hours / 24
    share = (messages_per_day * min(hours, ACTIVE_HOURS) / ACTIVE_HOURS).to_integral_value(
        rounding=ROUND_CEILING
    )
    return max(Decimal(turns), share)


def limit_uses(plan: Plan, messages_per_day: Decimal, turns: int) -> list[LimitUse]:
    """Every published cap of ``plan`` (``limits`` and ``messages_per_day_cap``) with its use."""
    limits = list(plan.limits)
    if plan.messages_per_day_cap is not None and not any(limit.hours == 24 for limit in limits):
        limits.append(PlanLimit(plan.messages_per_day_cap, 24, "messages", plan.source))
    return [
        LimitUse(limit, messages_in_window(messages_per_day, turns, limit.hours))
        for limit in limits
    ]
