"""``tokencalc usage blocks``: usage in rolling 5-hour windows, the active one's burn rate and projection."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer

import tokencalc.usage
from tokencalc.cli.commands.usage import (
    UsageRequest,
    _input_paths,
    _report_malformed,
    _source_name,
    resolve_timezone,
)
from tokencalc.cli.env import Environment
from tokencalc.cli.options import (
    CurrencyOption,
    FormatOption,
    PricesOption,
    RateOption,
    load_sheet,
    parse_currency,
)
from tokencalc.cli.views.render import Column, OutputFormat, write_json, write_rows
from tokencalc.errors import UsageError, UsageRecordError
from tokencalc.pricing.costs import decimal_text, format_money
from tokencalc.sheet.model import Plan
from tokencalc.usage import blocks as windows
from tokencalc.usage.blocks import WINDOW, Block, Blocks
from tokencalc.usage.pricing import price_usage
from tokencalc.usage.records import UsageRecord
from tokencalc.usage.values import BadValue, timestamp
from tokencalc.usage.views import make_filter


def blocks_command(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Usage files or directories. Default: every coding agent's logs found.",
            show_default=False,
        ),
    ] = None,
    source: Annotated[
        str | None,
        typer.Option("--source", "-s", help="Only this agent or format.", show_default=False),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since", help="Only records from this day (as in usage).", show_default=False
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option("--until", help="Only records up to this day.", show_default=False),
    ] = None,
    project: Annotated[
        str | None,
        typer.Option("--project", help="Only records of matching projects.", show_default=False),
    ] = None,
    plan: Annotated[
        str | None,
        typer.Option(
            "--plan",
            "-P",
            help="Show each window against this plan's numeric 5-hour cap, where the sheet has one.",
            show_default=False,
        ),
    ] = None,
    active: Annotated[bool, typer.Option("--active", help="Show only the active window.")] = False,
    now_text: Annotated[
        str | None,
        typer.Option(
            "--now", help="Report as of this moment (ISO 8601; default: now).", show_default=False
        ),
    ] = None,
    tz_name: Annotated[
        str | None,
        typer.Option(
            "--timezone",
            "--tz",
            help="IANA time zone the times are shown in (default: local time).",
            show_default=False,
        ),
    ] = None,
    currency: CurrencyOption = "USD",
    rate: RateOption = None,
    prices: PricesOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Usage in rolling 5-hour windows, as Claude and ChatGPT plans meter it.

    A window starts at the whole hour of the first request not yet in one and lasts 5
    hours; a request at or after its end starts the next (so a longer gap always does).
    Each window shows its requests, tokens and API-equivalent cost; the active one also
    its burn rate and where it ends up at that pace.

    Examples:

      tokencalc usage blocks

      tokencalc usage blocks --active --plan claude-max

      tokencalc usage blocks ~/.claude/projects --since 7d -f json
    """

    env: Environment = ctx.obj
    code, explicit_rate = parse_currency(currency, rate)
    tz, tz_label = resolve_timezone(tz_name)
    try:
        now = timestamp(now_text, "--now") if now_text else datetime.now(timezone.utc)
    except BadValue as exc:
        raise UsageError(f"--now: {exc}") from None
    record_filter = make_filter(since, until, project, tz, now)
    sheet = load_sheet(env, prices)
    chosen_plan = sheet.resolve_plan(plan) if plan else None
    money_rate = sheet.exchange_rate(code, explicit_rate)
    request = UsageRequest(
        paths=list(paths or []), source=_source_name(source), by=("day",), filter=record_filter, plan=None, seats=None,
        model=None, reasoning_tokens=0, chat_caching=False, tz=tz, tz_label=tz_label, currency=code,
        rate=explicit_rate, prices=prices, fmt=fmt,
    )  # fmt: skip
    found, forced = _input_paths(env, request)
    report = tokencalc.usage.read_usage(found, source=forced)
    _report_malformed(env, report)
    records = record_filter.records(report.records, tz)
    if not records:
        raise UsageRecordError("no usage records to put in windows")

    def price(members: Sequence[UsageRecord]) -> tuple[Decimal, int]:
        priced = price_usage(
            sheet, members, by="day", tz=timezone.utc, currency=code, rate=money_rate
        )
        return priced.totals.cost, priced.unpriced_requests

    result = windows.build(records, price, now)
    cap = window_cap(chosen_plan)
    shown = [result.active] if active and result.active else [] if active else list(result.blocks)
    if fmt is OutputFormat.json:
        _write_json(env, result, shown, cap, chosen_plan, tz_label, code, now)
        return
    if chosen_plan is not None and cap is None:
        env.say(
            f"note: the price sheet has no numeric 5-hour cap for {chosen_plan.name}; windows not compared with it"
        )
    if result.left_out:
        env.say(
            f"note: {result.left_out:,} billing-export row(s) left out (whole days, not windows)"
        )
    _write_table(env, result, shown, cap, tz, code, fmt)


def window_cap(plan: Any) -> int | None:
    """The plan's numeric cap on requests (messages) per 5-hour window, when the sheet gives one.

    Read from the plan's ``limits`` (``{messages, hours, scope, source}``): the smallest
    ``messages`` of a limit whose window is 5 hours. A limit over another window (160 per 3
    hours, 300 a day) says nothing exact about a 5-hour window, so it is not used here; None
    when the sheet gives no 5-hour limit for the plan.
    """
    limits = getattr(plan, "limits", ()) if plan is not None else ()

    hours = WINDOW.total_seconds() / 3600
    caps = [limit.messages for limit in limits if limit.hours == hours and limit.messages > 0]
    return min(caps) if caps else None


def _share(requests: int, cap: int | None) -> str | None:
    return None if cap is None else f"{Decimal(requests) * 100 / cap:.0f}%"


def _local(when: datetime, tz: tzinfo | None) -> str:
    return when.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def _duration(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    return f"{minutes // 60}h{minutes % 60:02d}m"


def _write_table(
    env: Environment,
    result: Blocks,
    shown: list[Block],
    cap: int | None,
    tz: tzinfo | None,
    currency: str,
    fmt: OutputFormat,
) -> None:

    columns = [
        Column("start", "Start", no_wrap=True),
        Column("end", "End", no_wrap=True),
        Column("requests", "Reqs", numeric=True),
        Column("input_tokens", "Input", numeric=True),
        Column("output_tokens", "Output", numeric=True),
        Column("cost", "API\ncost", numeric=True),
        *([Column("cap", "Of\ncap", numeric=True)] if cap is not None else []),
    ]
    rows = []
    for block in shown:
        rows.append(
            {
                "start": _local(block.start, tz) + (" ▶" if block is result.active else ""),
                "end": _local(block.end, tz),
                "requests": f"{block.requests:,}"
                + (f" (+{block.unpriced_requests:,} unpriced)" if block.unpriced_requests else ""),
                "input_tokens": block.input_tokens,
                "output_tokens": block.output_tokens,
                "cost": format_money(block.cost, currency),
                "cap": _share(block.requests, cap),
            }
        )
    write_rows(
        env,
        fmt,
        columns,
        rows,
        title="API-equivalent cost by 5-hour window",
        caption="▶ the active window",
    )
    if result.active is not None and result.burn is not None and fmt is OutputFormat.table:
        burn = result.burn
        env.write(
            f"Active window: {format_money(result.active.cost, currency)} so far, "
            f"{format_money(burn.cost_per_hour, currency)}/h, {burn.tokens_per_minute:,.0f} tokens/min; at this pace "
            f"{format_money(burn.projected_cost, currency)} and {burn.projected_tokens:,} tokens by "
            f"{_local(result.active.end, tz)} ({_duration(burn.remaining)} left)\n"
        )
    elif fmt is OutputFormat.table:
        env.write("No active window.\n")


def _write_json(
    env: Environment,
    result: Blocks,
    shown: list[Block],
    cap: int | None,
    plan: Plan | None,
    tz_label: str,
    currency: str,
    now: datetime,
) -> None:

    def block_json(block: Block) -> dict[str, Any]:
        return {
            "start": block.start.isoformat(),
            "end": block.end.isoformat(),
            "first": block.first.isoformat(),
            "last": block.last.isoformat(),
            "active": block is result.active,
            "requests": block.requests,
            "unpriced_requests": block.unpriced_requests,
            "input_tokens": block.input_tokens,
            "cache_read_tokens": block.cache_read_tokens,
            "cache_write_tokens": block.cache_write_tokens,
            "output_tokens": block.output_tokens,
            "cost": decimal_text(block.cost),
            "models": list(block.models),
            "share_of_cap": None if cap is None else decimal_text(Decimal(block.requests) / cap),
        }

    burn = result.burn
    write_json(
        env,
        {
            "window_hours": int(WINDOW.total_seconds() // 3600),
            "now": now.isoformat(),
            "timezone": tz_label,
            "currency": currency,
            "plan": None if plan is None else {"plan": plan.id, "messages_per_window": cap},
            "left_out": result.left_out,
            "blocks": [block_json(b) for b in shown],
            "active": None
            if burn is None or result.active is None
            else {
                "start": result.active.start.isoformat(),
                "cost": decimal_text(result.active.cost),
                "cost_per_hour": decimal_text(burn.cost_per_hour),
                "tokens_per_minute": decimal_text(burn.tokens_per_minute),
                "remaining_minutes": int(burn.remaining.total_seconds() // 60),
                "projected_cost": decimal_text(burn.projected_cost),
                "projected_tokens": burn.projected_tokens,
            },
        },
    )
