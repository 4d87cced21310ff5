"""The assumptions behind a plan comparison, one sentence each (``tokencalc plans``' caption and
its JSON document's ``assumptions``).

A sentence that names one of the profile's options names it as an :class:`~tokencalc.wording.Arg`,
for the edge to word (the command line with its flag). Pure: no printing, no exiting.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from tokencalc.plans.conversation import ConversationCost, counting_sentence
from tokencalc.plans.limits import WINDOW_ASSUMPTION
from tokencalc.plans.profile import MAX_BREAK_EVEN_MESSAGES_PER_DAY, UsageProfile, plain_number
from tokencalc.sheet.model import USD
from tokencalc.sheet.price_sheet import PriceSheet
from tokencalc.wording import Arg, Words

if TYPE_CHECKING:
    from tokencalc.plans.core import PlanRow  # core imports this module: a type only


def describe_assumptions(
    sheet: PriceSheet,
    profile: UsageProfile,
    rows: Iterable[PlanRow],
    cheapest: ConversationCost | None,
    *,
    on: date,
    currency: str = USD,
    rate: Decimal = Decimal(1),
) -> list[Words]:
    """The model's assumptions, one sentence each, for a caption and the JSON document.

    A sentence that names one of the profile's options names it as an :class:`Arg`, for the
    edge to word (the command line with its flag).
    """
    rows = list(rows)
    defaulted = set(profile.defaulted)

    message = f"{profile.message_tokens:,}-token user messages" + (
        f" (counted in {profile.sample})" if profile.sample else ""
    )
    lines: list[str | Words] = [
        (
            f"{plain_number(profile.conversations_per_day)} conversations a day × {profile.turns} turns = "
            f"{plain_number(profile.messages_per_day)} messages a day per person, {profile.days} days a month; {message}, "
            f"{profile.reply_tokens:,}-token replies plus {profile.reasoning_tokens:,} reasoning tokens each "
            f"(billed as output, not re-sent), {profile.system_tokens:,} system/context tokens"
        ),
    ]
    shown = {
        "conversations_per_day": f"{plain_number(profile.conversations_per_day)} conversations a day",
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
            (
                "prompt caching on (",
                Arg("no_cache"),
                (
                    " turns it off): the prefix the previous turn sent is billed at the "
                    "cache-read price, the rest at the input price, or as a 5-minute cache write "
                    "where the model charges writes; turns are assumed to come within the cache's "
                    "lifetime and minimum cacheable lengths are ignored"
                ),
            )
        )
    else:
        lines.append(
            ("no prompt caching (", Arg("no_cache"), "): every prompt token at the input price")
        )
    lines.append(counting_sentence([*(row.api for row in rows), *([cheapest] if cheapest else [])]))
    per_seat = [row for row in rows if row.plan.per_seat]
    if per_seat:
        seats = ", ".join(f"{row.plan.id} {row.seats}" for row in per_seat)
        basis: Words = (
            ("each plan's minimum",)
            if profile.seats is None
            else (Arg("seats"), f" {profile.seats}")
        )
        lines.append(
            (
                "per-seat plans: ",
                *basis,
                f" ({seats}); every seat uses the profile, so price and API cost scale alike",
            )
        )
    personal = [row.plan.id for row in rows if not row.plan.per_seat]
    if personal and profile.seats not in (None, 1):
        lines.append(
            (
                "not sold per seat, so one subscription each, ",
                Arg("seats"),
                f" ignored: {', '.join(personal)}",
            )
        )
    billing: Words = (
        ("annual-billing prices where offered (", Arg("annual"), ")")
        if profile.annual
        else ("monthly-billing prices",)
    )
    lines.append(
        (
            "plan prices are ",
            *billing,
            "; the stand-in model is the first of each plan's models",
        )
    )
    lines.append(
        f"break-even: messages a day per person at which the API on the stand-in costs the plan's price, "
        f"keeping turns and message sizes; none for free plans or above {plain_number(MAX_BREAK_EVEN_MESSAGES_PER_DAY)} a day"
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
    return [(line,) if isinstance(line, str) else line for line in lines]
