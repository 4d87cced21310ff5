"""Rendering a dataset estimate: the per-model table, the longest and malformed records, and
the JSON document (its contract is in docs/estimate-json.md, "Dataset mode")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tokencalc.cli.env import Environment
from tokencalc.cli.views.render import Column, OutputFormat, write_rows
from tokencalc.cli.views.render import write_json as emit_json
from tokencalc.datasets.duration import describe_minutes
from tokencalc.datasets.run import DatasetPlan
from tokencalc.datasets.summary import DatasetSummary, ModelSummary, Spread
from tokencalc.pricing.costs import decimal_text, format_money
from tokencalc.sheet.price_sheet import PriceSheet
from tokencalc.sheet.ratelimits import LIMIT_KEYS

#: Malformed records shown in the table view (JSON lists up to MAX_PROBLEMS_LISTED).
PROBLEMS_SHOWN = 20


def _spread(spread: Spread) -> dict[str, int | None]:
    return {"min": spread.min, "median": spread.median, "p95": spread.p95, "max": spread.max}


def _money(value: Any) -> str | None:
    return None if value is None else decimal_text(value)


def _counted_text(rows: Any) -> str:
    """`` · counted: exact (o200k_base) for a, b; per-class (claude-5) for c`` (estimate's row
    labels, which dataset mode shows in its caption to keep the table narrow)."""
    by_label: dict[str, list[str]] = {}
    for row in rows:
        by_label.setdefault(row.model.how_short, []).append(row.model.id)
    parts = [f"{label} for {', '.join(models)}" for label, models in by_label.items() if label]
    text = " · counted: " + "; ".join(parts) if parts else ""
    if any(row.sample is not None and row.sample.se for row in rows):
        text += " · sampled: the totals; tokens per record, fit and longest per-class"
    return text


def _model_json(row: ModelSummary, cheapest: bool) -> dict[str, Any]:
    m = row.model
    return {
        "model": m.id,
        "provider": m.provider,
        "estimated": m.estimated,
        "count_method": m.count_method,
        "how_counted": m.how_counted,
        "ratio": float(m.ratio),
        "context_window": m.context_window,
        "max_output": m.max_output,
        "tier_offered": m.prices is not None,
        "requests": row.requests,
        "input_tokens": row.input_tokens,
        "cached_tokens": row.cached_tokens,
        "output_tokens": row.output_tokens,
        "long_context_requests": row.long_context_requests,
        "cost": _money(row.cost),
        "input_tokens_per_record": _spread(row.input_spread),
        "output_tokens_per_record": _spread(row.output_spread),
        "over_context": {
            "records": row.over_context,
            "input_tokens": row.over_input_tokens,
            "cost_if_skipped": _money(row.cost_if_skipped),
            "cost_if_truncated": _money(row.cost_if_truncated),
        },
        "cheapest": cheapest,
        **(
            {
                "sample": {
                    "records": row.sample.windows,
                    "sampled_chars": row.sample.sampled_chars,
                    "standard_error": round(row.sample.se, 1),
                }
            }
            if row.sample is not None
            else {}
        ),
    }


def _assumptions(plan: DatasetPlan) -> dict[str, Any]:
    a = plan.assumptions
    spec = plan.spec
    return {
        "requests": "each record is one request",
        "field": spec.field,
        "template_fields": list(spec.template.fields) if spec.template else None,
        "system_prompt": plan.system is not None,
        "output": (
            {"from_field": spec.output_field}
            if plan.output_from_field
            else {"tokens": a.output_tokens}
            if a.output_tokens is not None
            else {"ratio": float(a.effective_output_ratio or 0)}
        ),
        "cached_fraction": float(a.cached_fraction),
        "cache_system": plan.cache_system,
        "tier": a.tier or "standard",
    }


def _duration_json(duration: Any) -> dict[str, Any] | None:
    if duration is None:
        return None
    limits = duration.limits
    return {
        "usage_tier": limits.tier,
        "limits": {
            key: getattr(limits, key) for key in LIMIT_KEYS if getattr(limits, key) is not None
        },
        "cache_reads_count": limits.cache_reads_count,
        "source": limits.source,
        "as_of": limits.as_of,
        "minutes_per_limit": {key: float(value) for key, value in duration.minutes.items()},
        "binding": duration.binding,
        "minutes": float(duration.total_minutes) if duration.total_minutes is not None else None,
        "batch": {
            "submissions": duration.batch_submissions,
            "window_hours": duration.batch_window_hours,
            "worst_case_hours": duration.batch_worst_hours,
        },
    }


def _duration_text(duration: Any) -> str:
    if duration is None:
        return "no limits known"
    parts = []
    if duration.total_minutes is not None:
        limit = getattr(duration.limits, duration.binding)
        parts.append(
            f"{describe_minutes(duration.total_minutes)} ({duration.binding} {limit:,} binds)"
        )
    if duration.batch_submissions is not None:
        n = duration.batch_submissions
        parts.append(
            f"batch: {n:,} submission{'s' if n != 1 else ''}, ≤ {duration.batch_worst_hours:,} h"
        )
    return "; ".join(parts)


def write_json(
    env: Environment,
    sheet: PriceSheet,
    summary: DatasetSummary,
    plan: DatasetPlan,
    per_record: Path | None,
    durations: dict[str, Any] | None = None,
) -> None:
    a = plan.assumptions
    best = summary.cheapest
    emit_json(
        env,
        {
            "mode": "dataset",
            "date": a.on,
            "currency": a.currency,
            "rate": decimal_text(a.rate),
            "sheet": {"as_of": sheet.as_of, "files": list(sheet.files)},
            "dataset": {
                "source": summary.source,
                "unit": summary.unit,
                "records": summary.records,
                "malformed": summary.malformed,
                "problems": [
                    {summary.unit: position, "reason": reason}
                    for position, reason in summary.problems
                ],
                "per_record_file": str(per_record) if per_record else None,
            },
            "assumptions": _assumptions(plan),
            "cheapest": best.model.id if best else None,
            "models": [
                {
                    **_model_json(row, row is best),
                    **(
                        {"duration": _duration_json(durations.get(row.model.id))}
                        if durations is not None
                        else {}
                    ),
                }
                for row in summary.models
            ],
            "longest": [
                {
                    summary.unit: rec.position,
                    "key": rec.key,
                    "input_tokens": dict(
                        zip((m.model.id for m in summary.models), rec.input_tokens, strict=True)
                    ),
                }
                for rec in summary.longest
            ],
        },
    )


def _spread_text(spread: Spread) -> str:
    if spread.min is None:
        return "—"
    return f"{spread.min:,} · {spread.median:,} · {spread.p95:,} · {spread.max:,}"


def write_table(
    env: Environment,
    summary: DatasetSummary,
    plan: DatasetPlan,
    fmt: OutputFormat,
    durations: dict[str, Any] | None = None,
) -> None:
    a = plan.assumptions
    best = summary.cheapest
    ordered = sorted(summary.models, key=lambda r: (r.cost is None, r.cost or 0, r.model.id))

    def money(value: Any) -> str:
        return "—" if value is None else format_money(value, a.currency)

    rows, styles = [], []
    for row in ordered:
        notes = ["★ cheapest"] if row is best else []
        if row.model.prices is None:
            notes.append(f"no {a.tier} tier")
        if row.over_context:
            notes.append(
                f"{row.over_context:,} do not fit: {money(row.cost_if_skipped)} if skipped, {money(row.cost_if_truncated)} if truncated"
            )
        if row.long_context_requests:
            notes.append(f"{row.long_context_requests:,} at long-context price")
        tokens = f"≈{row.input_tokens:,}" if row.model.estimated else f"{row.input_tokens:,}"
        rows.append(
            {
                "model": row.model.id,
                "records": row.requests,
                "input_tokens": tokens,
                "output_tokens": row.output_tokens,
                "per_record": _spread_text(row.input_spread),
                "cost": money(row.cost),
                "notes": "; ".join(notes),
                "duration": _duration_text(durations.get(row.model.id))
                if durations is not None
                else None,
            }
        )
        styles.append(
            "bold green" if row is best else ("dim" if row.model.prices is None else None)
        )
    columns = [
        Column("model", "Model", no_wrap=True),
        Column("records", "Records", numeric=True),
        Column("input_tokens", "Input tokens", numeric=True),
        Column("output_tokens", "Output tokens", numeric=True),
        Column("per_record", "Input/record min·median·p95·max", no_wrap=True),
        Column("cost", "Cost", numeric=True),
        *([Column("duration", "Duration at rate limits")] if durations is not None else []),
        Column("notes", "Notes"),
    ]
    caption = (
        f"{summary.records:,} records from {summary.source} · {summary.malformed:,} malformed · "
        + _output_text(plan)
        + f" · {a.tier or 'standard'} tier · prices of {a.on.isoformat()} · costs in {a.currency}"
        + " · ≈ estimated tokenizer · p95 nearest-rank"
        + _counted_text(ordered)
    )
    write_rows(env, fmt, columns, rows, title="Dataset estimate", caption=caption, styles=styles)
    if fmt is not OutputFormat.table:
        return
    console = env.out
    if summary.longest:
        first = summary.models[0].model.id if summary.models else ""
        console.print(f"\nLongest records (input tokens for {first}):")
        for rec in summary.longest:
            key = f"  key {rec.key}" if rec.key is not None else ""
            console.print(
                f"  {summary.unit} {rec.position:,}{key}: {rec.input_tokens[0]:,} tokens",
                highlight=False,
            )
    if summary.problems:
        console.print(f"\nMalformed records ({summary.malformed:,}, not priced):")
        for position, reason in summary.problems[:PROBLEMS_SHOWN]:
            console.print(f"  {summary.unit} {position:,}: {reason}", highlight=False, markup=False)
        if summary.malformed > PROBLEMS_SHOWN:
            console.print(
                f"  … {summary.malformed - PROBLEMS_SHOWN:,} more (--format json lists the first 1,000)"
            )


def _output_text(plan: DatasetPlan) -> str:
    a = plan.assumptions
    if plan.output_from_field:
        return f"output = field {plan.spec.output_field!r}"
    return a.describe_output()
