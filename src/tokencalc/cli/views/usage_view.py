"""How ``tokencalc usage`` shows its results: the grouped table, CSV and the JSON document.

Just over 400 lines: one command's three output formats and the caption lines that say what
was and was not priced, which belong together.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from tokencalc.cli.env import Environment
from tokencalc.cli.phrasing import plan_notes
from tokencalc.cli.views.render import (
    Column,
    OutputFormat,
    bar,
    pictures_wanted,
    write_csv,
    write_json,
    write_rows,
)
from tokencalc.pricing.costs import decimal_text, format_money
from tokencalc.sheet.price_sheet import PriceSheet
from tokencalc.usage import SOURCES
from tokencalc.usage.plan_compare import PlanVersusUsage
from tokencalc.usage.priced import PricedUsage, UnpricedModel, UsageTotals
from tokencalc.usage.records import ChatCounting, MergedExport, UsageReport

if TYPE_CHECKING:  # pragma: no cover
    from tokencalc.cli.commands.usage import UsageRequest


def _money(value: Decimal | None) -> str | None:

    return None if value is None else decimal_text(value)


def _totals_json(key: str | None, totals: UsageTotals, costs_only: bool = False) -> dict[str, Any]:
    document: dict[str, Any] = {} if key is None else {"key": key}
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


def _unpriced_json(unpriced: UnpricedModel) -> dict[str, Any]:
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


def _plan_json(comparison: PlanVersusUsage | None) -> dict[str, Any] | None:
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
        "notes": plan_notes(comparison.notes),
    }


def _merged_json(merged: MergedExport) -> dict[str, Any]:
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


def write_document(
    env: Environment,
    report: UsageReport,
    priced: PricedUsage,
    comparison: PlanVersusUsage | None,
    request: UsageRequest,
    sheet: PriceSheet,
    costs_only: bool = False,
) -> None:

    write_json(
        env,
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
            "chat_counting": [_chat_counting_json(c) for c in priced.chat_counting],
        },
    )


def _chat_counting_json(counting: ChatCounting) -> dict[str, Any]:
    """How the chat-export tokens priced on one model were counted (estimate's vocabulary)."""
    from tokencalc.tokenizers.model_counts import FRAME_NOTE  # with Claude's: not for agent logs

    return {
        "model": counting.model,
        "count_method": counting.method,
        "how_counted": counting.how_counted,
        "texts": counting.texts,
        "tokens": counting.tokens,
        "ways": [
            {"count_method": method, "how_counted": label, "texts": n, "tokens": tokens}
            for method, label, _, n, tokens in counting.ways
        ],
        "tokens_are": FRAME_NOTE,
    }


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


def _in_view(report: UsageReport, request: UsageRequest) -> int:
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


def _display_row(
    key: str, totals: UsageTotals, currency: str, costs_only: bool = False
) -> dict[str, Any]:

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


def _unknown_line(priced: PricedUsage) -> str | None:
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


def _unpriced_tier_lines(priced: PricedUsage) -> list[str]:
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


def _unpriced_extra_lines(priced: PricedUsage) -> list[str]:
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


def _caption(
    report: UsageReport, priced: PricedUsage, request: UsageRequest, sheet: PriceSheet
) -> str:

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
        how = "; ".join(f"{c.model} {c.short}" for c in priced.chat_counting if c.model)
        parts.append(
            "≈ includes tokens counted from chat text "
            + (f"({how}; content tokens, no chat frame)" if how else "(estimates)")
        )
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


def _tier_text(priced: PricedUsage) -> str:
    if not priced.tiers:
        return "standard tier"
    return f"standard tier or the tier recorded ({', '.join(priced.tiers)})"


def write_results(
    env: Environment,
    report: UsageReport,
    priced: PricedUsage,
    comparison: PlanVersusUsage | None,
    request: UsageRequest,
    sheet: PriceSheet,
    costs_only: bool = False,
) -> None:

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
        write_csv(env, columns, rows)
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

    pictures = pictures_wanted(env, request.fmt) and not costs_only
    if pictures:  # a chart of cost by group beside the figures, on a terminal
        columns.append(Column("bar", "", no_wrap=True, decoration=True))
    dearest = max((g.totals.cost for g in priced.groups), default=Decimal(0))
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
        env,
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
        env.write(
            ("\n" if request.fmt is OutputFormat.markdown else "") + separator.join(lines) + "\n"
        )
