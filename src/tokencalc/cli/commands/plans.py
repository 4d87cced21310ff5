"""``tokencalc plans``: subscription plans beside what the same chat use would cost on the API."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer

import tokencalc.plans.profile
from tokencalc.cli.completion import complete_plan, complete_provider
from tokencalc.cli.env import Environment
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
from tokencalc.cli.phrasing import plan_warning
from tokencalc.cli.views import plans_view
from tokencalc.cli.views.render import OutputFormat
from tokencalc.counting.counter import TokenCounter
from tokencalc.counting.input_counts import count_inputs
from tokencalc.counting.inputs import STDIN_LABEL, InputSource
from tokencalc.errors import InputError, UsageError
from tokencalc.plans.core import compare_plans, find_plans
from tokencalc.plans.profile import UsageProfile
from tokencalc.plans.sample_counts import SAMPLE_TEXT_CHARS


def plans_command(
    ctx: typer.Context,
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

    env: Environment = ctx.obj
    if sample is not None and message_tokens is not None:
        raise UsageError("give --sample or --message-tokens, not both")
    code, explicit_rate = parse_currency(currency, rate)
    given: dict[str, Any] = {
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

    sheet = load_sheet(env, prices)
    chosen = find_plans(sheet, plan or [], provider or [])
    exchange = sheet.exchange_rate(code, explicit_rate)
    if sample is not None:
        tokens, text = _count_sample(env, sample)
        profile = replace(profile, message_tokens=tokens, sample=sample, sample_text=text)

    comparison = compare_plans(sheet, chosen, profile, on=when, currency=code, rate=exchange)
    for warning in comparison.warnings:
        env.warning(plan_warning(warning))
    if fmt is OutputFormat.json:
        plans_view.write_document(env, sheet, comparison)
    else:
        plans_view.write_results(env, comparison, fmt, sheet)


def _count_sample(env: Environment, label: str) -> tuple[int, str | None]:
    """The exact o200k_base count of the sample file (or stdin), and its text when it is short
    enough to count on each model; unreadable or binary → error."""

    source = InputSource(label, None if label == STDIN_LABEL else Path(label))
    with TokenCounter(["o200k_base"], count_words=False, keep_text=SAMPLE_TEXT_CHARS) as counter:
        (result,) = count_inputs(counter, [source], stdin=env.stdin_bytes)
    if result.problem is not None:
        raise InputError(f"--sample {label}: {result.problem.message}")
    counts = result.counts
    assert counts is not None  # a result without a problem has its counts
    if counts.replaced:
        env.warning(
            f"{label}: invalid UTF-8: {counts.replaced:,} byte sequence(s) counted as U+FFFD"
        )
    tokens = counts.tokens["o200k_base"]
    if tokens == 0:
        raise InputError(f"--sample {label}: the file is empty; it should hold a typical message")
    if tokens > tokencalc.plans.profile.MAX_PROFILE_TOKENS:
        raise InputError(
            f"--sample {label}: {tokens:,} tokens, more than a message can be ({tokencalc.plans.profile.MAX_PROFILE_TOKENS:,})"
        )
    return tokens, counts.text
