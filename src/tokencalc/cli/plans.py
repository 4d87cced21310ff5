"""``tokencalc plans``: subscription plans beside what the same chat use would cost on the API."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tokencalc.cli.completion import complete_plan, complete_provider
from tokencalc.cli.options import (
    DateOption,
    FormatOption,
    PricesOption,
    RateOption,
    load_sheet,
    parse_currency,
    parse_date,
    parse_decimal,
)
from tokencalc.render import OutputFormat


def plans_command(
    plan: Annotated[
        list[str] | None,
        typer.Option(
            "--plan",
            "-P",
            help="A plan id (chatgpt-plus, claude-max…); repeatable (default: every plan).",
            show_default=False,
            autocompletion=complete_plan,
        ),
    ] = None,
    provider: Annotated[
        list[str] | None,
        typer.Option(
            "--provider",
            "-p",
            help="Every plan of this provider (openai, anthropic…); repeatable.",
            show_default=False,
            autocompletion=complete_provider,
        ),
    ] = None,
    conversations_per_day: Annotated[
        str | None,
        typer.Option(
            "--conversations-per-day",
            "-c",
            help="Conversations a day, may be fractional (default: 5).",
            show_default=False,
        ),
    ] = None,
    turns: Annotated[
        int | None,
        typer.Option(
            "--turns",
            "-t",
            help="Turns (your messages) per conversation (default: 6).",
            show_default=False,
        ),
    ] = None,
    message_tokens: Annotated[
        int | None,
        typer.Option(
            "--message-tokens", help="Tokens per user message (default: 150).", show_default=False
        ),
    ] = None,
    sample: Annotated[
        str | None,
        typer.Option(
            "--sample",
            help="A file (or - for stdin) holding a typical user message; its exact o200k_base count replaces --message-tokens.",
            show_default=False,
        ),
    ] = None,
    reply_tokens: Annotated[
        int | None,
        typer.Option("--reply-tokens", help="Tokens per reply (default: 600).", show_default=False),
    ] = None,
    system_tokens: Annotated[
        int | None,
        typer.Option(
            "--system-tokens",
            help="System prompt and context re-sent every turn (default: 1000).",
            show_default=False,
        ),
    ] = None,
    reasoning_tokens: Annotated[
        int | None,
        typer.Option(
            "--reasoning-tokens",
            help="Reasoning tokens per reply, billed as output (default: 0).",
            show_default=False,
        ),
    ] = None,
    days: Annotated[
        int | None,
        typer.Option("--days", help="Days of use a month (default: 30).", show_default=False),
    ] = None,
    seats: Annotated[
        int | None,
        typer.Option(
            "--seats",
            help="Seats for per-seat (team) plans; below a plan's minimum, the minimum is used, with a warning; "
            "ignored, with a note, for plans not sold per seat (default: each plan's minimum).",
            show_default=False,
        ),
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Price the API without prompt caching.")
    ] = False,
    annual: Annotated[
        bool, typer.Option("--annual", help="Plan prices billed annually, where offered.")
    ] = False,
    on: DateOption = None,
    currency: Annotated[
        str, typer.Option("--currency", help="Currency code for prices and costs.")
    ] = "USD",
    rate: RateOption = None,
    prices: PricesOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Compare chat subscription plans with what the same use would cost on the API.

    Describe your chat use (or keep the defaults: 5 conversations a day of 6
    turns, 150-token messages, 600-token replies, 1,000 system tokens, no
    reasoning tokens, 30 days a month). Each plan's monthly price is shown
    beside the API cost of that use on the plan's stand-in model and on the
    cheapest model in the price sheet, with the break-even volume (messages a
    day at which the API costs what the plan does) and a one-line verdict.

    Every turn re-sends the system prompt and the whole conversation so far,
    so long conversations cost far more than short ones; prompt caching
    (on unless --no-cache) bills the repeated part at the cache-read price.
    A warning goes to stderr when the use exceeds a plan's documented cap.

    Examples:

      tokencalc plans

      tokencalc plans -P chatgpt-plus -P claude-pro -c 20 -t 10

      tokencalc plans -P anthropic

      tokencalc plans --sample prompt.txt --reply-tokens 1200 --reasoning-tokens 2000

      tokencalc plans -P claude-team-standard --seats 12 --annual --format json

      tokencalc plans --currency EUR --rate 0.87 --no-cache
    """
    from dataclasses import replace

    from tokencalc.cli.app import print_warning
    from tokencalc.errors import UsageError
    from tokencalc.plans.core import compare_plans, find_plans
    from tokencalc.plans.profile import UsageProfile

    if sample is not None and message_tokens is not None:
        raise UsageError("give --sample or --message-tokens, not both")
    code, explicit_rate = parse_currency(currency, rate)
    given = {
        "conversations_per_day": parse_decimal(
            "--conversations-per-day", conversations_per_day, positive=True
        )
        if conversations_per_day is not None
        else None,
        "turns": turns,
        "message_tokens": message_tokens,
        "reply_tokens": reply_tokens,
        "system_tokens": system_tokens,
        "reasoning_tokens": reasoning_tokens,
        "days": days,
    }
    defaulted = tuple(
        name
        for name, value in given.items()
        if value is None and not (name == "message_tokens" and sample)
    )
    profile = UsageProfile(
        **{name: value for name, value in given.items() if value is not None},
        cache=not no_cache,
        seats=seats,
        annual=annual,
        defaulted=defaulted,
    )
    when = parse_date("--date", on)

    sheet = load_sheet(prices)
    chosen = find_plans(sheet, plan or [], provider or [])
    exchange = sheet.exchange_rate(code, explicit_rate)
    if sample is not None:
        profile = replace(profile, message_tokens=_count_sample(sample), sample=sample)

    comparison = compare_plans(sheet, chosen, profile, on=when, currency=code, rate=exchange)
    for message in comparison.warnings:
        print_warning(message)
    if fmt is OutputFormat.json:
        _write_json(sheet, comparison)
    else:
        _write_rows(comparison, fmt)


def _count_sample(label: str) -> int:
    """The exact o200k_base count of the sample file (or stdin); unreadable or binary → error."""
    from tokencalc.cli.app import print_warning
    from tokencalc.counting.counter import TokenCounter, count_inputs
    from tokencalc.counting.inputs import STDIN_LABEL, InputSource
    from tokencalc.errors import InputError
    from tokencalc.plans.profile import MAX_PROFILE_TOKENS

    source = InputSource(label, None if label == STDIN_LABEL else Path(label))
    with TokenCounter(["o200k_base"], count_words=False) as counter:
        (result,) = count_inputs(counter, [source])
    if result.problem is not None:
        raise InputError(f"--sample {label}: {result.problem.message}")
    counts = result.counts
    if counts.replaced:
        print_warning(
            f"{label}: invalid UTF-8: {counts.replaced:,} byte sequence(s) counted as U+FFFD"
        )
    tokens = counts.tokens["o200k_base"]
    if tokens == 0:
        raise InputError(f"--sample {label}: the file is empty; it should hold a typical message")
    if tokens > MAX_PROFILE_TOKENS:
        raise InputError(
            f"--sample {label}: {tokens:,} tokens, more than a message can be ({MAX_PROFILE_TOKENS:,})"
        )
    return tokens


# --- rendering -----------------------------------------------------------------------------


def _count_value(value):
    """A count for JSON: an integer when whole, else a float."""
    from decimal import Decimal

    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def _profile_document(profile) -> dict:
    return {
        "conversations_per_day": _count_value(profile.conversations_per_day),
        "turns": profile.turns,
        "messages_per_day": _count_value(profile.messages_per_day),
        "message_tokens": profile.message_tokens,
        "sample": profile.sample,
        "reply_tokens": profile.reply_tokens,
        "reasoning_tokens": profile.reasoning_tokens,
        "system_tokens": profile.system_tokens,
        "days": profile.days,
        "seats": profile.seats,
        "cache": profile.cache,
        "annual": profile.annual,
        "defaults": list(profile.defaulted),
    }


def _json_row(row, comparison) -> dict:
    from tokencalc.pricing.costs import decimal_text

    cheapest = comparison.cheapest
    break_even = row.break_even_messages_per_day
    return {
        "plan": row.plan.id,
        "name": row.plan.name,
        "vendor": row.plan.vendor,
        "monthly_price": decimal_text(row.monthly_price),
        "billing": "annual" if row.annual else "monthly",
        "seats": row.seats,
        "per_seat": row.plan.per_seat,
        "model": row.api.model.id,
        "model_fits": row.api.fits,
        "api_cost_per_conversation": decimal_text(row.api.cost.total * comparison.rate),
        "api_monthly_cost": decimal_text(row.api_monthly_cost),
        "cheapest_model": cheapest.model.id if cheapest else None,
        "cheapest_api_monthly_cost": decimal_text(row.cheapest_monthly_cost)
        if row.cheapest_monthly_cost is not None
        else None,
        "break_even_messages_per_day": round(float(break_even), 2)
        if break_even is not None
        else None,
        "break_even_note": row.break_even_note,
        "verdict": row.verdict,
        "caps": row.plan.caps,
        "messages_per_day_cap": row.plan.messages_per_day_cap,
        "limits": [
            {
                "messages": limit.messages,
                "hours": limit.hours,
                "scope": limit.scope,
                "source": limit.source,
            }
            for limit in row.plan.limits
        ],
        "exceeds_cap": row.exceeds_cap,
        "caps_exceeded": list(row.caps_exceeded),
        "notes": list(row.notes),
    }


def _write_json(sheet, comparison) -> None:
    from tokencalc.pricing.costs import decimal_text
    from tokencalc.render import write_json

    write_json(
        {
            "date": comparison.on,
            "currency": comparison.currency,
            "rate": decimal_text(comparison.rate),
            "profile": _profile_document(comparison.profile),
            "assumptions": list(comparison.assumptions),
            "warnings": list(comparison.warnings),
            "sheet": {"as_of": sheet.as_of, "files": list(sheet.files)},
            "rows": [_json_row(row, comparison) for row in comparison.rows],
        }
    )


def _break_even_text(row) -> str:
    if row.break_even_messages_per_day is None:
        return "none"
    value = row.break_even_messages_per_day
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def _cheaper_text(row, currency: str) -> str:
    """The verdict in a few characters, for a table column."""
    from tokencalc.pricing.costs import format_money

    difference = row.api_monthly_cost - row.monthly_price
    if row.exceeds_cap:
        return "over cap ⚠"  # a plan that cannot carry the use is never the cheaper one
    if difference > 0:
        text = f"plan {format_money(difference, currency)}"
    elif difference < 0:
        text = f"API {format_money(-difference, currency)}"
    else:
        text = "neither"
    return text + (" ⚠" if row.exceeds_cap or not row.api.fits else "")


def _write_rows(comparison, fmt: OutputFormat) -> None:
    from tokencalc.plans.profile import NOT_PER_SEAT
    from tokencalc.pricing.costs import format_money
    from tokencalc.render import Column, bar, pictures_wanted, write_rows

    pictures = pictures_wanted(fmt)

    rows = comparison.rows
    if fmt is OutputFormat.csv:
        keys = list(_json_row(rows[0], comparison)) if rows else []
        records = [{**_json_row(row, comparison), "notes": "; ".join(row.notes)} for row in rows]
        write_rows(fmt, [Column(key, key) for key in keys], records)
        return

    def money(value) -> str:
        return "—" if value is None else format_money(value, comparison.currency)

    columns = [
        Column("plan", "Plan", no_wrap=True),
        Column(
            "price",
            "Plan ²\n/month" if any(row.plan.per_seat for row in rows) else "Plan\n/month",
            numeric=True,
        ),
        Column("model", "Stand-in", no_wrap=True, priority=1),
        Column("api", "API\n/month", numeric=True),
        Column("break_even", "Break-even\nmsgs/day", numeric=True, priority=2),
        Column("cheaper", "Cheaper\nby", no_wrap=True),
        *(
            [Column("bar", "API cost │ plan price", no_wrap=True, decoration=True)]
            if pictures
            else []
        ),
    ]
    top = max((max(row.api_monthly_cost, row.monthly_price) for row in rows), default=0)
    records, styles = [], []
    for row in rows:
        records.append(
            {
                "plan": row.plan.id,
                "price": money(row.monthly_price) + (" ¹" if row.annual else ""),
                "model": row.api.model.id,
                "api": money(row.api_monthly_cost),
                "break_even": _break_even_text(row),
                "cheaper": _cheaper_text(row, comparison.currency),
                "bar": bar(row.api_monthly_cost, top, width=20, mark=row.monthly_price)
                if pictures
                else "",
            }
        )
        styles.append(
            "yellow"
            if row.exceeds_cap
            else ("green" if row.monthly_price < row.api_monthly_cost else None)
        )
    bullet = "" if fmt is OutputFormat.markdown else "· "
    notes = [f"{bullet}{line}" for line in comparison.assumptions]
    if comparison.cheapest is not None:
        cost = money(comparison.cheapest_monthly_cost)
        notes.append(
            f"{bullet}this use on {comparison.cheapest.model.id}, the cheapest: {cost}/month a person"
        )
    if any(row.annual for row in rows):
        notes.append("¹ billed annually")
    if any(row.plan.per_seat for row in rows):
        notes.append("² per-seat plans: price and API cost for all seats")
    for row in rows:
        extra = (
            [row.break_even_note]
            if row.break_even_note and row.break_even_note != "free plan"
            else []
        )
        extra += [f"⚠ exceeds a published cap: {text}" for text in row.caps_exceeded]
        # whether each plan fits, and --seats on plans not sold per seat, are said once above
        extra += [
            n
            for n in row.notes
            if not n.startswith(("the conversation does not fit", NOT_PER_SEAT))
        ]
        extra += ["does not fit the stand-in model"] if not row.api.fits else []
        if extra:
            notes.append(f"{row.plan.id}: " + "; ".join(extra))
    separator = " · " if fmt is OutputFormat.markdown else "\n"
    write_rows(
        fmt, columns, records, title="Plans vs API", caption=separator.join(notes), styles=styles
    )
