"""``tokencalc usage``: what real records (agent logs, chat exports, billing exports) cost on the API.

Over 400 lines because the command's twenty options with their help text take half of it; the
rest reads, prices and compares (rendering is in :mod:`tokencalc.cli.views.usage_view`).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import tzinfo
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer

import tokencalc.usage
from tokencalc.cli.completion import complete_model, complete_plan
from tokencalc.cli.env import Environment
from tokencalc.cli.options import (
    CurrencyOption,
    FormatOption,
    PricesOption,
    RateOption,
    load_sheet,
    parse_currency,
)
from tokencalc.cli.phrasing import plan_note, plan_notes
from tokencalc.cli.views import usage_view
from tokencalc.cli.views.progress import LazyProgress, progress_allowed
from tokencalc.cli.views.render import OutputFormat
from tokencalc.errors import InputError, UsageError, UsageRecordError
from tokencalc.plans.profile import MAX_PROFILE_TOKENS, seats_for
from tokencalc.usage import registry
from tokencalc.usage.plan_compare import compare_plan
from tokencalc.usage.pricing import price_usage
from tokencalc.usage.records import UsageReport
from tokencalc.usage.registry import ALL_SOURCES
from tokencalc.usage.views import make_filter

if TYPE_CHECKING:
    from tokencalc.usage.views import RecordFilter


class GroupBy(str, Enum):
    day = "day"
    week = "week"
    month = "month"
    session = "session"
    project = "project"
    model = "model"
    source = "source"
    agent = "agent"


def usage_command(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Usage files or directories (walked recursively). Default: every coding agent's logs "
            "found in their default places (or only --source's).",
            show_default=False,
        ),
    ] = None,
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            "-s",
            help="Read only this agent's logs, or every file as this format (claude-code, codex, "
            "gemini-cli, an agent of docs/usage-formats.md, chatgpt-export, claude-export, openai-usage, "
            "anthropic-usage).",
            show_default=False,
        ),
    ] = None,
    by: Annotated[
        list[GroupBy] | None,
        typer.Option(
            "--by",
            help="One row per day, week, month, session, project, model, source or agent; repeat to "
            "combine (--by month --by model). Default: day.",
            case_sensitive=False,
            show_default=False,
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="Only records from this day: YYYY-MM-DD, YYYY-MM, 7d, 4w, this-month, …",
            show_default=False,
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(
            "--until",
            help="Only records up to this day (included); same forms as --since.",
            show_default=False,
        ),
    ] = None,
    project: Annotated[
        str | None,
        typer.Option(
            "--project",
            help="Only records of projects whose name or path contains this (any case).",
            show_default=False,
        ),
    ] = None,
    plan: Annotated[
        str | None,
        typer.Option(
            "--plan",
            "-P",
            help="Compare with this plan (id or name, see the price sheet's plans).",
            show_default=False,
            autocompletion=complete_plan,
        ),
    ] = None,
    seats: Annotated[
        int | None,
        typer.Option(
            "--seats",
            help="Seats of a per-seat plan (default: its minimum; fewer is raised to it, with a warning). "
            "Ignored, with a note, for a plan not sold per seat.",
            show_default=False,
        ),
    ] = None,
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            "-m",
            help="Price chat-export records (which name no API model) as this model. "
            "Logged records keep their own model.",
            show_default=False,
            autocompletion=complete_model,
        ),
    ] = None,
    reasoning_tokens: Annotated[
        int,
        typer.Option(
            "--reasoning-tokens",
            min=0,
            help="Hidden reasoning tokens assumed per chat-export reply.",
        ),
    ] = 0,
    chat_caching: Annotated[
        bool,
        typer.Option(
            "--chat-caching",
            help="Assume each chat-export call reads the previous call's prompt from the prompt cache.",
        ),
    ] = False,
    tz_name: Annotated[
        str | None,
        typer.Option(
            "--timezone",
            "--tz",
            help="IANA time zone for days and months (default: local time).",
            show_default=False,
        ),
    ] = None,
    currency: CurrencyOption = "USD",
    rate: RateOption = None,
    prices: PricesOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """What your real use would have cost on the API: by day, month or model, and in total.

    Reads coding agents' logs (Claude Code, Codex, Gemini CLI, OpenCode, Amp,
    Copilot CLI, Cline, Roo Code, Kilo Code, Qwen Code, Goose, Crush, Kimi CLI,
    Droid), chat exports (ChatGPT, Claude.ai: tokens counted from the text, so
    estimates, marked ≈) and vendor billing exports (OpenAI, Anthropic; a cost
    export's figure is shown beside ours). The format of each file is detected;
    --source forces one. With no path, every agent found in its default places
    is read (a note says which), or only --source's.

    Each record is priced at the prices in force on its own (UTC) date. Models
    not in the price sheet are never guessed: they are listed apart, not priced.
    --plan compares with what the plan cost over every calendar month the
    records touch.

    Examples:

      tokencalc usage

      tokencalc usage --by month --plan claude-max

      tokencalc usage --since 7d --by day --by agent

      tokencalc usage --source codex --by model --timezone Europe/Berlin

      tokencalc usage ~/Downloads/chatgpt-export.zip -m gpt-5 --plan chatgpt-plus

      tokencalc usage usage.csv costs.csv --format json
    """

    if seats is not None and plan is None:
        raise UsageError("--seats needs --plan")
    if reasoning_tokens > MAX_PROFILE_TOKENS:
        raise UsageError(
            f"--reasoning-tokens must be from 0 to {MAX_PROFILE_TOKENS:,}, got {reasoning_tokens:,}"
        )
    for option, value in (("--model", model), ("--plan", plan)):
        if value is not None and not value.strip():
            raise UsageError(
                f"{option} is empty (an unset shell variable?); name one, or leave the option out"
            )
    code, explicit_rate = parse_currency(currency, rate)
    tz, tz_label = resolve_timezone(tz_name)

    run_usage(
        ctx.obj,
        UsageRequest(
            paths=list(paths or []),
            source=_source_name(source),
            by=tuple(dict.fromkeys(b.value for b in by)) if by else ("day",),
            filter=make_filter(since, until, project, tz),
            plan=plan,
            seats=seats,
            model=model,
            reasoning_tokens=reasoning_tokens,
            chat_caching=chat_caching,
            tz=tz,
            tz_label=tz_label,
            currency=code,
            rate=explicit_rate,
            prices=prices,
            fmt=fmt,
        ),
    )


# --- running -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class UsageRequest:
    """The command line, parsed."""

    paths: list[Path]
    source: str | None
    by: tuple[str, ...]
    filter: RecordFilter
    plan: str | None
    seats: int | None
    model: str | None
    reasoning_tokens: int
    chat_caching: bool
    tz: tzinfo | None  # None: the system's local time
    tz_label: str
    currency: str
    rate: Decimal | None
    prices: Path | None
    fmt: OutputFormat


def resolve_timezone(name: str | None) -> tuple[tzinfo | None, str]:
    """``--timezone`` as a tzinfo (None: local time) and the label the output shows."""

    if name is None:
        return None, _local_zone_name()
    text = name.strip()
    try:
        return ZoneInfo(text), text
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise UsageError(
            f"--timezone: unknown time zone {name!r} (give an IANA name like Europe/Berlin, America/New_York or UTC)"
        ) from None


def _local_zone_name() -> str:

    configured = os.environ.get("TZ", "").strip().lstrip(":")
    if configured:
        return configured
    try:
        target = os.readlink("/etc/localtime")
    except OSError:
        target = ""
    if "zoneinfo/" in target:
        return target.split("zoneinfo/", 1)[1]
    return time.tzname[0] if time.tzname and time.tzname[0] else "local time"


def _source_name(source: str | None) -> str | None:
    """``--source`` checked against every source tokencalc reads (any case)."""
    if source is None:
        return None

    name = source.strip().lower()
    if name not in ALL_SOURCES:
        raise UsageError(f"--source: unknown source {source!r} (choose {', '.join(ALL_SOURCES)})")
    return name


def _input_paths(env: Environment, request: UsageRequest) -> tuple[list[Path], str | None]:
    """The paths to read and the source to force: the named paths, or the agents' default places.

    With no path every registered agent whose logs exist is read (a note says which); with
    ``--source`` only that agent's.
    """

    if request.paths:
        missing = [str(p) for p in request.paths if not p.exists()]
        if missing:
            raise InputError(f"no such file or directory: {', '.join(missing)}")
        return request.paths, request.source
    if request.source is not None and request.source not in registry.BY_SOURCE:
        raise UsageError(
            f"--source {request.source} needs a path (the export file, ZIP or directory)"
        )
    found = registry.found_agents(request.source)
    if not found:
        agents = [registry.BY_SOURCE[request.source]] if request.source else list(registry.AGENTS)
        looked = "; ".join(f"{a.name}: {', '.join(str(p) for p in a.locations())}" for a in agents)
        hint = " (set CLAUDE_CONFIG_DIR or the agent's variable, or name a path)"
        what = agents[0].name if request.source else "coding-agent"
        raise UsageRecordError(f"no {what} logs found: looked in {looked}{hint}")
    env.say(
        "note: reading "
        + "; ".join(f"{agent.name} ({', '.join(str(p) for p in paths)})" for agent, paths in found)
    )
    return [p for _, paths in found for p in paths], request.source


def run_usage(env: Environment, request: UsageRequest) -> None:
    """Read, price, compare and render; errors are raised for the CLI edge to report."""

    sheet = load_sheet(env, request.prices)
    plan = sheet.resolve_plan(request.plan) if request.plan else None
    if plan is not None:
        seats_for(plan, request.seats)  # a bad --seats fails before the (maybe long) read
    override_model = sheet.resolve(request.model) if request.model else None
    override = override_model.id if override_model else None
    # Chat-export text priced on a named model is counted in its own tokens, as estimate counts it.
    chat_model = (
        (override_model.id, sheet.tokenizer_for(override_model)) if override_model else None
    )
    rate = sheet.exchange_rate(request.currency, request.rate)
    paths, source = _input_paths(env, request)

    show_bar = progress_allowed(env, machine_output=request.fmt is not OutputFormat.table)
    total = tokencalc.usage.total_input_bytes(paths, source=source) if show_bar else None
    with LazyProgress(
        enabled=show_bar, total_bytes=total, total_files=0, label="Reading usage", env=env
    ) as bar:
        report = tokencalc.usage.read_usage(
            paths,
            source=source,
            model_override=override,
            reasoning_tokens_per_reply=request.reasoning_tokens,
            chat_prompt_caching=request.chat_caching,
            progress=bar.advance if show_bar else None,
            chat_model=chat_model,
        )
    _report_malformed(env, report)
    if not report.records and not report.vendor_costs:
        where = ", ".join(str(p) for p in paths)
        raise UsageRecordError(
            f"no usage records found in {where} ({report.files_read} file(s) read, "
            f"{report.malformed} malformed record(s) skipped)"
        )
    costs_only = not report.records  # a cost export alone: the vendor's figures, nothing to price
    if costs_only and plan is not None:
        env.warning(
            "--plan: a cost export holds no usage to price on the API; showing the vendor's figures only"
        )
        plan = None
    records = request.filter.records(report.records, request.tz)
    vendor_costs = request.filter.costs(report.vendor_costs)
    if not records and request.filter.active:
        raise UsageRecordError(
            f"no usage records left after --since/--until/--project ({len(report.records):,} read)"
        )
    priced = price_usage(
        sheet,
        records,
        by=request.by,
        tz=request.tz,
        vendor_costs=vendor_costs,
        currency=request.currency,
        rate=rate,
        chat_counting=report.chat_counting,
    )
    comparison = compare_plan(plan, priced, seats=request.seats) if plan is not None else None
    seat_notes = []  # how --seats was applied (tokencalc.plans.profile.seats_for), as plans reports it:
    if comparison is not None and comparison.plan.per_seat:
        for raised in comparison.notes:  # raised to the plan's minimum: a warning
            env.warning(plan_note(raised))
    elif comparison is not None:
        seat_notes = plan_notes(comparison.notes)  # ignored for a plan not sold per seat: a note
    merged = [m.reason for m in report.merged_exports]
    if costs_only:
        merged.append(
            "only vendor cost exports were read: the figures are the vendor's own, with no token usage to price"
        )
    if request.fmt is OutputFormat.json:
        usage_view.write_document(env, report, priced, comparison, request, sheet, costs_only)
        return
    for note in [*report.assumptions, *merged, *priced.notes, *seat_notes]:
        env.say(f"note: {note}")
    usage_view.write_results(env, report, priced, comparison, request, sheet, costs_only)


#: Malformed-record reasons shown on stderr (the rest are counted).
SHOWN_REASONS = 5


def _report_malformed(env: Environment, report: UsageReport) -> None:
    if not report.malformed:
        return
    env.warning(f"skipped {report.malformed:,} malformed record(s):")
    for reason in report.malformed_reasons[:SHOWN_REASONS]:
        env.write_err(f"  {reason}\n")
    if report.malformed > SHOWN_REASONS:
        env.write_err(f"  … and {report.malformed - SHOWN_REASONS:,} more\n")
