"""``tokencalc usage``: what real records (agent logs, chat exports, billing exports) cost on the API."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import tzinfo
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tokencalc.cli.completion import complete_model, complete_plan
from tokencalc.cli.options import (
    CurrencyOption,
    FormatOption,
    PricesOption,
    RateOption,
    load_sheet,
    parse_currency,
)
from tokencalc.render import OutputFormat

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
    from tokencalc.errors import UsageError
    from tokencalc.plans.profile import MAX_PROFILE_TOKENS

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
    from tokencalc.usage.views import make_filter

    run_usage(
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
        )
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
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from tokencalc.errors import UsageError

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
    import os
    import time

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
    from tokencalc.errors import UsageError
    from tokencalc.usage.reader import ALL_SOURCES

    name = source.strip().lower()
    if name not in ALL_SOURCES:
        raise UsageError(f"--source: unknown source {source!r} (choose {', '.join(ALL_SOURCES)})")
    return name


def _input_paths(request: UsageRequest) -> tuple[list[Path], str | None]:
    """The paths to read and the source to force: the named paths, or the agents' default places.

    With no path every registered agent whose logs exist is read (a note says which); with
    ``--source`` only that agent's.
    """
    from tokencalc.errors import InputError, UsageError, UsageRecordError
    from tokencalc.usage import registry

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
    _note(
        "reading "
        + "; ".join(f"{agent.name} ({', '.join(str(p) for p in paths)})" for agent, paths in found)
    )
    return [p for _, paths in found for p in paths], request.source


def run_usage(request: UsageRequest) -> None:
    """Read, price, compare and render; errors are raised for the CLI edge to report."""
    from tokencalc.cli.app import print_warning
    from tokencalc.cli.progress import LazyProgress, progress_allowed
    from tokencalc.errors import UsageRecordError
    from tokencalc.plans.profile import seats_for
    from tokencalc.usage import read_usage, total_input_bytes
    from tokencalc.usage.plan_compare import compare_plan
    from tokencalc.usage.pricing import price_usage

    sheet = load_sheet(request.prices)
    plan = sheet.resolve_plan(request.plan) if request.plan else None
    if plan is not None:
        seats_for(plan, request.seats)  # a bad --seats fails before the (maybe long) read
    override_model = sheet.resolve(request.model) if request.model else None
    override = override_model.id if override_model else None
    # Chat-export text priced on a model with an exact encoding is counted with that encoding.
    chat_tokenizer = sheet.tokenizer_for(override_model) if override_model else None
    chat_encoding = (
        chat_tokenizer.base
        if chat_tokenizer is not None and not chat_tokenizer.estimated
        else "o200k_base"
    )
    rate = sheet.exchange_rate(request.currency, request.rate)
    paths, source = _input_paths(request)

    show_bar = progress_allowed(machine_output=request.fmt is not OutputFormat.table)
    total = total_input_bytes(paths, source=source) if show_bar else None
    with LazyProgress(
        enabled=show_bar, total_bytes=total, total_files=0, label="Reading usage"
    ) as bar:
        report = read_usage(
            paths,
            source=source,
            model_override=override,
            reasoning_tokens_per_reply=request.reasoning_tokens,
            chat_prompt_caching=request.chat_caching,
            progress=bar.advance if show_bar else None,
            chat_encoding=chat_encoding,
        )
    _report_malformed(report)
    if not report.records and not report.vendor_costs:
        where = ", ".join(str(p) for p in paths)
        raise UsageRecordError(
            f"no usage records found in {where} ({report.files_read} file(s) read, "
            f"{report.malformed} malformed record(s) skipped)"
        )
    costs_only = not report.records  # a cost export alone: the vendor's figures, nothing to price
    if costs_only and plan is not None:
        print_warning(
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
    )
    comparison = compare_plan(plan, priced, seats=request.seats) if plan is not None else None
    seat_notes = []  # how --seats was applied (tokencalc.plans.profile.seats_for), as plans reports it:
    if comparison is not None and comparison.plan.per_seat:
        for message in comparison.notes:  # raised to the plan's minimum: a warning
            print_warning(message)
    elif comparison is not None:
        seat_notes = list(comparison.notes)  # ignored for a plan not sold per seat: a note
    merged = [m.reason for m in report.merged_exports]
    if costs_only:
        merged.append(
            "only vendor cost exports were read: the figures are the vendor's own, with no token usage to price"
        )
    if request.fmt is OutputFormat.json:
        _write_json(report, priced, comparison, request, sheet, costs_only)
        return
    for note in [*report.assumptions, *merged, *priced.notes, *seat_notes]:
        _note(note)
    _write_rows(report, priced, comparison, request, sheet, costs_only)


def _note(message: str) -> None:
    sys.stderr.write(f"tokencalc: note: {message}\n")


#: Malformed-record reasons shown on stderr (the rest are counted).
SHOWN_REASONS = 5


def _report_malformed(report) -> None:
    if not report.malformed:
        return
    from tokencalc.cli.app import print_warning

    print_warning(f"skipped {report.malformed:,} malformed record(s):")
    for reason in report.malformed_reasons[:SHOWN_REASONS]:
        sys.stderr.write(f"  {reason}\n")
    if report.malformed > SHOWN_REASONS:
        sys.stderr.write(f"  … and {report.malformed - SHOWN_REASONS:,} more\n")


# --- rendering -----------------------------------------------------------------------------------


def _money(value: Decimal | None) -> str | None:
    from tokencalc.pricing.costs import decimal_text

    return None if value is None else decimal_text(value)


def _totals_json(key: str | None, totals, costs_only: bool = False) -> dict:
    document = {} if key is None else {"key": key}
    document.update(
        requests=totals.requests,
        uncounted_rows=totals.uncounted_rows,
        input_tokens=totals.input_tokens,
        cached_input_tokens=totals.cached_input_tokens,
        cache_write_tokens=totals.cache_write_tokens,
        output_tokens=totals.output_tokens,
        cost=None if costs_only else _money(totals.cost),
        vendor_cost=_money(totals.vendor_cost),
        estimated=totals.estimated,
        long_context_requests=totals.long_context_requests,
        long_context_uncounted_rows=totals.long_context_uncounted_rows,
        fees=None if costs_only else _money(totals.fees),
        web_search_requests=totals.web_search_requests,
        off_peak_requests=totals.off_peak_requests,
        residency_requests=totals.residency_requests,
    )
    return document


def _unpriced_json(unpriced) -> dict:
    """An unknown model, or (with ``tier``) a sheet model at a tier the sheet has no prices for."""
    return {
        "model": unpriced.model,
        **({"tier": unpriced.tier} if unpriced.tier is not None else {}),
        "requests": unpriced.requests,
        "uncounted_rows": unpriced.uncounted_rows,
        "input_tokens": unpriced.input_tokens,
        "output_tokens": unpriced.output_tokens,
        "vendor_cost": _money(unpriced.vendor_cost),
        "sources": list(unpriced.sources),
    }


def _plan_json(comparison) -> dict | None:
    if comparison is None:
        return None
    return {
        "plan": comparison.plan.id,
        "name": comparison.plan.name,
        "monthly_price": _money(comparison.monthly_price),
        "seats": comparison.seats,
        "months": comparison.months,
        "first_month": comparison.first_month,
        "last_month": comparison.last_month,
        "plan_cost": _money(comparison.plan_cost),
        "api_cost": _money(comparison.api_cost),
        "difference": _money(comparison.difference),
        "verdict": comparison.verdict,
        "notes": list(comparison.notes),
    }


def _merged_json(merged) -> dict:
    return {
        "source": merged.source,
        "kind": merged.kind,
        "kept": merged.kept,
        "duplicate": merged.duplicate,
        "shared_totals": merged.shared,
        "matching_totals": merged.matching,
        "differing_totals": merged.differing,
        "rows_dropped": merged.dropped,
        "first_day": merged.first_day,
        "last_day": merged.last_day,
        "reason": merged.reason,
    }


def _write_json(
    report, priced, comparison, request: UsageRequest, sheet, costs_only: bool = False
) -> None:
    from tokencalc.render import write_json

    write_json(
        {
            "sources": dict(report.sources),
            "files_read": report.files_read,
            "files_skipped": report.files_skipped,
            "records": len(report.records),
            "costs_only": costs_only,
            "duplicates_dropped": report.duplicates_dropped,
            "merged_exports": [_merged_json(m) for m in report.merged_exports],
            "malformed": report.malformed,
            "malformed_reasons": list(report.malformed_reasons),
            "assumptions": [*report.assumptions, *priced.notes],
            "timezone": request.tz_label,
            "by": priced.by,
            "currency": priced.currency,
            "rate": _money(priced.rate),
            "prices_as_of": sheet.as_of,
            "dimensions": list(priced.dimensions),
            "records_in_view": _in_view(report, request),
            "groups": [
                {
                    **_totals_json(group.key, group.totals, costs_only),
                    "keys": dict(zip(priced.dimensions, group.keys, strict=True)),
                }
                for group in priced.groups
            ],
            "totals": _totals_json(None, priced.totals, costs_only),
            "unknown_models": [_unpriced_json(m) for m in priced.unknown_models],
            "unpriced_tiers": [_unpriced_json(m) for m in priced.unpriced_tiers],
            "unpriced_extras": [
                {"model": m.model, "what": m.what, "count": m.count, "reason": m.reason}
                for m in priced.unpriced_extras
            ],
            "plan": _plan_json(comparison),
        }
    )


_KEY_HEADERS = {
    "day": "Day",
    "week": "Week",
    "month": "Month",
    "session": "Session",
    "project": "Project",
    "model": "Model",
    "source": "Source",
    "agent": "Agent",
}


def _in_view(report, request: UsageRequest) -> int:
    """Records left after --since/--until/--project."""
    return (
        len(request.filter.records(report.records, request.tz))
        if request.filter.active
        else len(report.records)
    )


_CSV_KEYS = (
    "requests",
    "uncounted_rows",
    "input_tokens",
    "cached_input_tokens",
    "cache_write_tokens",
    "output_tokens",
    "cost",
    "vendor_cost",
    "estimated",
    "long_context_requests",
    "long_context_uncounted_rows",
    "tier",
    "fees",
    "web_search_requests",
    "off_peak_requests",
    "residency_requests",
)


def _requests_text(requests: int, uncounted: int) -> str:
    """Known requests; ``+`` (or ``?`` alone) when billing rows without a request count add an unknown number."""
    if not uncounted:
        return f"{requests:,}"
    return f"{requests:,}+" if requests else "?"


def _display_row(key: str, totals, currency: str, costs_only: bool = False) -> dict:
    from tokencalc.pricing.costs import format_money

    return {
        "key": f"{key} ≈" if totals.estimated else key,
        "requests": _requests_text(totals.requests, totals.uncounted_rows),
        "input_tokens": totals.input_tokens,
        "cached_input_tokens": totals.cached_input_tokens,
        "cache_write_tokens": totals.cache_write_tokens,
        "output_tokens": totals.output_tokens,
        "cost": "—" if costs_only else format_money(totals.cost, currency),
        "vendor_cost": "—"
        if totals.vendor_cost is None
        else format_money(totals.vendor_cost, currency),
        "long_context": _requests_text(
            totals.long_context_requests, totals.long_context_uncounted_rows
        ),
        "fees": "—" if costs_only else format_money(totals.fees, currency),
    }


def _unknown_line(priced) -> str | None:
    unknown = priced.unknown_models
    if not unknown:
        return None
    names = ", ".join(m.model or "(none recorded)" for m in unknown)
    requests = sum(m.requests for m in unknown)
    rows = sum(m.uncounted_rows for m in unknown)
    counted = f"{requests:,} request{'s' if requests != 1 else ''}"
    if rows:
        counted += f" + {rows:,} billing row{'s' if rows != 1 else ''} without a request count"
    tokens_in = sum(m.input_tokens for m in unknown)
    tokens_out = sum(m.output_tokens for m in unknown)
    line = (
        f"{len(unknown)} model{'s' if len(unknown) != 1 else ''} not in the price sheet: {names}; "
        f"{counted}, {tokens_in:,} input and {tokens_out:,} output tokens, not priced"
    )
    if any(m.model is None for m in unknown):
        line += " (--model prices chat exports that name no model)"
    return line


def _unpriced_tier_lines(priced) -> list[str]:
    lines = []
    for m in priced.unpriced_tiers:
        counted = f"{m.requests:,} request{'s' if m.requests != 1 else ''}"
        if m.uncounted_rows:
            counted += f" + {m.uncounted_rows:,} billing row{'s' if m.uncounted_rows != 1 else ''} without a request count"
        lines.append(
            f"{m.model} at the {m.tier} tier: {counted}, {m.input_tokens:,} input and {m.output_tokens:,} output "
            f"tokens, not priced (the price sheet has no {m.tier} prices for {m.model})"
        )
    return lines


def _unpriced_extra_lines(priced) -> list[str]:
    lines = []
    for m in priced.unpriced_extras:
        if m.what == "web_search":
            lines.append(
                f"{m.model}: {m.count:,} web search call{'s' if m.count != 1 else ''} not priced ({m.reason})"
            )
        else:
            lines.append(
                f"{m.model}: {m.count:,} request{'s' if m.count != 1 else ''} with {m.what}: {m.reason}"
            )
    return lines


def _caption(report, priced, request: UsageRequest, sheet) -> str:
    from tokencalc.usage import SOURCES

    sources = ", ".join(
        f"{name} {report.sources[name]:,}" for name in SOURCES if name in report.sources
    )
    # A cost export alone has no token records: nothing was priced from the sheet.
    priced_how = (
        f"each record priced on its UTC date, {_tier_text(priced)}, sheet as of {sheet.as_of.isoformat()}"
        if report.records
        else "the vendor's own figures, nothing priced from the sheet"
    )
    parts = [
        f"{report.files_read:,} file(s) read",
        f"{len(report.records):,} records ({sources})"
        if sources
        else f"{len(report.records):,} records",
        f"{report.duplicates_dropped:,} duplicates dropped",
        f"{report.malformed:,} malformed skipped",
        f"{report.files_skipped:,} file(s) skipped",
        f"dates in {request.tz_label}",
        priced_how,
        priced.currency
        if priced.rate == 1
        else f"{priced.currency} at {_money(priced.rate)} per USD",
    ]
    if priced.totals.estimated:
        parts.append("≈ includes tokens counted from chat text (estimates)")
    if priced.totals.uncounted_rows:
        parts.append("+ or ? billing rows without a request count")
    if priced.totals.long_context:
        parts.append("Long ctx: requests billed at long-context prices")
    if priced.totals.web_search_requests:
        parts.append(
            f"Fees: {priced.totals.web_search_requests:,} web search calls priced per call (in API cost)"
        )
    if priced.totals.off_peak_requests:
        parts.append(
            f"{priced.totals.off_peak_requests:,} requests at off-peak prices (their UTC time)"
        )
    if priced.totals.residency_requests:
        parts.append(
            f"{priced.totals.residency_requests:,} requests at a data-residency multiplier (inference_geo)"
        )
    return " · ".join(parts)


def _tier_text(priced) -> str:
    if not priced.tiers:
        return "standard tier"
    return f"standard tier or the tier recorded ({', '.join(priced.tiers)})"


def _write_rows(
    report, priced, comparison, request: UsageRequest, sheet, costs_only: bool = False
) -> None:
    from tokencalc.render import Column, write_csv, write_rows

    if request.fmt is OutputFormat.csv:
        columns = [Column("row", "row"), Column("key", "key"), *(Column(k, k) for k in _CSV_KEYS)]
        rows = [
            {"row": "group", **_totals_json(g.key, g.totals, costs_only)} for g in priced.groups
        ]
        rows.append({"row": "total", **_totals_json("total", priced.totals, costs_only)})
        for m in (*priced.unknown_models, *priced.unpriced_tiers):
            rows.append({**_unpriced_json(m), "row": "not_priced", "key": m.model or ""})
        if comparison is not None:
            rows.append(
                {"row": "plan", "key": comparison.plan.id, "cost": _money(comparison.plan_cost)}
            )
        write_csv(columns, rows)
        return

    has_vendor = priced.totals.vendor_cost is not None
    dims = priced.dimensions
    columns = [
        *(Column(f"key{i}", _KEY_HEADERS[name], no_wrap=True) for i, name in enumerate(dims[:-1])),
        Column("key", _KEY_HEADERS[dims[-1]], no_wrap=True),
        Column("requests", "Reqs", numeric=True),
        Column("input_tokens", "Input", numeric=True),
        Column("cached_input_tokens", "Cache\nread", numeric=True, priority=2),
        Column("cache_write_tokens", "Cache\nwrite", numeric=True, priority=3),
        Column("output_tokens", "Output", numeric=True),
        *([Column("fees", "Fees", numeric=True)] if priced.totals.web_search_requests else []),
        Column("cost", "API\ncost", numeric=True),
        *([Column("vendor_cost", "Vendor\ncost", numeric=True)] if has_vendor else []),
        *(
            [Column("long_context", "Long\nctx", numeric=True, priority=1)]
            if priced.totals.long_context
            else []
        ),
    ]
    if costs_only:  # nothing was priced: token and request columns would be all zeros
        columns = [*columns[: len(dims)], Column("vendor_cost", "Vendor\ncost", numeric=True)]
    from tokencalc.render import bar, pictures_wanted

    pictures = pictures_wanted(request.fmt) and not costs_only
    if pictures:  # a chart of cost by group beside the figures, on a terminal
        columns.append(Column("bar", "", no_wrap=True, decoration=True))
    dearest = max((g.totals.cost for g in priced.groups), default=0)
    rows = []
    for g in priced.groups:
        row = _display_row(g.keys[-1], g.totals, priced.currency, costs_only)
        row.update({f"key{i}": value for i, value in enumerate(g.keys[:-1])})
        if pictures:
            row["bar"] = bar(g.totals.cost, dearest)
        rows.append(row)
    footer = _display_row("Total", priced.totals, priced.currency, costs_only)
    if len(dims) > 1:  # "Total" goes in the first column
        footer.update({f"key{i}": "" for i in range(len(dims) - 1)}, key0="Total", key="")
        footer["key"] = "≈" if priced.totals.estimated else ""
    write_rows(
        request.fmt,
        columns,
        rows,
        title=f"{'Vendor-billed' if costs_only else 'API-equivalent'} cost by {' and '.join(dims)}",
        caption=_caption(report, priced, request, sheet),
        footer=footer,
    )
    lines = [
        line
        for line in (
            _unknown_line(priced),
            *_unpriced_tier_lines(priced),
            *_unpriced_extra_lines(priced),
        )
        if line
    ]
    if comparison is not None:
        lines.append(f"Plan: {comparison.verdict}")
    if lines:
        separator = "\n\n" if request.fmt is OutputFormat.markdown else "\n"
        sys.stdout.write(
            ("\n" if request.fmt is OutputFormat.markdown else "") + separator.join(lines) + "\n"
        )
