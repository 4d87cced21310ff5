"""How ``tokencalc estimate`` shows its results: the table of models and the JSON document."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tokencalc.cli.env import Environment
from tokencalc.cli.phrasing import estimate_notes, timing_note
from tokencalc.cli.views.inputs_view import CountedInputs, input_entries
from tokencalc.cli.views.render import (
    Column,
    OutputFormat,
    bar,
    pictures_wanted,
    write_json,
    write_rows,
)
from tokencalc.counting.counter import Counts
from tokencalc.pricing.assumptions import Assumptions
from tokencalc.pricing.costs import decimal_text, format_money
from tokencalc.pricing.estimate import Estimate, EstimateRow, sort_rows
from tokencalc.pricing.estimate_dates import peak_note
from tokencalc.sheet.price_sheet import PriceSheet
from tokencalc.tokenizers import claude_reconstruction
from tokencalc.tokenizers.model_counts import FRAME_NOTE


def _tokens_shown(row: EstimateRow) -> str:
    return (
        f"{row.input_tokens:,}" if row.method in ("exact", "online") else f"≈{row.input_tokens:,}"
    )


def _count_basis(row: EstimateRow) -> str:
    """How the input was counted: ``exact (o200k_base)``, ``reconstructed (claude-v3, ctok 1.3.0)``,
    ``per-class (gemini)``, ``×1.1 o200k_base, unmeasured`` or ``online (anthropic)``; JSON says more."""
    return row.how_short


def _json_row(row: EstimateRow, tier: str | None) -> dict[str, Any]:

    cost = row.cost
    document: dict[str, Any] = {
        "model": row.model.id,
        "name": row.model.name,
        "provider": row.model.provider,
        "input_tokens": row.input_tokens,
        "output_tokens": row.output_tokens,
        "cached_tokens": row.cached_tokens,
        "estimated": row.method not in ("exact", "online"),
        "count_method": row.method,
        "how_counted": row.how,
        "tokenizer": row.tokenizer.family,
        "base_encoding": row.tokenizer.base,
        "ratio": float(row.tokenizer.ratio),
        "fits_context": row.fits_context,
        "context_window": row.model.context_window,
        "long_context": bool(cost and cost.long_context),
        "tier": tier or "standard",
        "tier_offered": row.tier_offered,
        "input_cost": decimal_text(cost.prompt) if cost else None,
        "output_cost": decimal_text(cost.output) if cost else None,
        "fees_cost": decimal_text(cost.fees) if cost else None,
        "cost": decimal_text(cost.total) if cost else None,
        "cheapest": row.cheapest,
        "output_capped": row.output_capped,
        "notes": estimate_notes(row.notes),
    }
    if row.input_label is not None:
        document = {"input": row.input_label, **document}
    return document


def _per_file_in_row_order(estimate: Estimate, sort: str) -> list[EstimateRow]:
    """Per-file rows grouped by model in the order of the model rows, inputs in given order."""

    order = {row.model.id: index for index, row in enumerate(sort_rows(estimate.rows, sort))}
    return sorted(estimate.per_file, key=lambda row: order[row.model.id])


def write_document(
    env: Environment, sheet: PriceSheet, estimate: Estimate, outcome: CountedInputs, sort: str
) -> None:

    a = estimate.assumptions
    cheapest = estimate.cheapest
    write_json(
        env,
        {
            "date": a.on,
            "currency": a.currency,
            "rate": decimal_text(a.rate),
            "assumptions": {
                "requests": _requests_text(a),
                "input_tokens_given": estimate.rows[0].measured if estimate.rows else False,
                "cached_tokens": a.cached_tokens,
                "output_tokens": a.output_tokens,
                "output_ratio": float(a.effective_output_ratio)
                if a.effective_output_ratio is not None
                else None,
                "output_default": a.output_is_default,
                "cached_fraction": float(a.cached_fraction),
                "tier": a.tier or "standard",
                "calls": a.calls,
                "per_day": a.per_day,
                "days": a.days if a.per_day is not None else None,
                "at_utc": a.at.strftime("%H:%M") if a.at is not None else None,
                "web_searches": a.web_searches,
            },
            "sheet": {"as_of": sheet.as_of, "files": list(sheet.files)},
            "input_tokens_are": FRAME_NOTE,
            "inputs": input_entries(
                outcome,
                lambda _label, c: {
                    "chars": c.chars,
                    "words": c.words,
                    "lines": c.lines,
                    "bytes": c.bytes,
                    "tokens": dict(c.tokens),
                    **({"sampled": _sampled_entry(c)} if c.sampled else {}),
                },
            ),
            "cheapest": cheapest.model.id if cheapest else None,
            "rows": [_json_row(row, a.tier) for row in sort_rows(estimate.rows, sort)],
            "per_file": [_json_row(row, a.tier) for row in _per_file_in_row_order(estimate, sort)],
        },
    )


def _sampled_entry(counts: Counts) -> dict[str, dict[str, Any]]:
    """How each sampled encoding's ``tokens`` of an input was estimated (tokencalc.counting.sampling)."""
    return {
        name: {
            "windows": sample.windows,
            "sampled_chars": sample.sampled_chars,
            "standard_error": round(sample.se, 1),
        }
        for name, sample in counts.sampled.items()
    }


def sampled_note(rows: list[EstimateRow], exact: bool) -> str:
    """The caption's word on sampled rows: which, and how to count them in full."""
    models = [row.model.id for row in rows if row.sampled and row.input_label is None]
    if not models:
        return ""
    shown = ", ".join(models[:4]) + (f" and {len(models) - 4} more" if len(models) > 4 else "")
    if exact:
        return (
            f"sampled: {shown}: Claude's reconstruction (about 0.5 MB/s) on a sample of inputs "
            f"over {claude_reconstruction.EXACT_MAX_CHARS:,} characters, even with --exact"
        )
    return f"sampled: {shown} counted on a sample of big inputs (--exact counts in full)"


def _requests_text(a: Assumptions) -> str:
    if a.as_one:
        return "all inputs as one prompt: one request, repeated 'calls' times"
    return "each input is one request, repeated 'calls' times"


def write_results(env: Environment, estimate: Estimate, sort: str, fmt: OutputFormat) -> None:

    pictures = pictures_wanted(env, fmt)

    a = estimate.assumptions
    per_file = bool(estimate.per_file)
    file_rows = _per_file_in_row_order(estimate, sort)
    ordered = []
    for row in sort_rows(estimate.rows, sort):
        ordered.append(row)
        ordered.extend(r for r in file_rows if r.model.id == row.model.id)

    if fmt is OutputFormat.csv:
        columns = [Column(key, key) for key in _json_row(ordered[0], a.tier)] if ordered else []
        if per_file and ordered:
            columns = [Column("input", "input"), *(c for c in columns if c.key != "input")]
        records = [
            {**_json_row(row, a.tier), "notes": "; ".join(estimate_notes(row.notes))}
            for row in ordered
        ]
        write_rows(env, fmt, columns, records)
        return

    def money(value: Decimal | None) -> str:
        return "—" if value is None else format_money(value, a.currency)

    columns = [
        Column("model", "Model", no_wrap=True),
        *([Column("input", "Input", no_wrap=True)] if per_file else []),
        Column("input_tokens", "Input tokens", numeric=True),
        Column("output_tokens", "Output tokens", numeric=True, priority=1),
        Column("cost", "Cost", numeric=True),
        *([Column("bar", "", no_wrap=True, decoration=True)] if pictures else []),
        Column("basis", "Count", no_wrap=True, priority=2),
        Column("notes", "Notes", fold=True),
    ]
    dearest = max(
        (row.cost.total for row in ordered if row.cost is not None and row.input_label is None),
        default=Decimal(0),
    )
    rows: list[dict[str, str]] = []
    styles: list[str | None] = []
    for row in ordered:
        cost = row.cost
        notes = (["★ cheapest"] if row.cheapest else []) + estimate_notes(row.notes)
        rows.append(
            {
                "model": row.model.id if row.input_label is None else "",
                "input": "all inputs" if row.input_label is None else row.input_label,
                "input_tokens": _tokens_shown(row),
                "basis": _count_basis(row),
                "output_tokens": f"{row.output_tokens:,}",
                "cost": money(cost.total if cost else None),
                "bar": bar(cost.total if cost and row.input_label is None else None, dearest),
                "notes": "; ".join(notes),
            }
        )
        if row.cheapest:
            styles.append("bold green")
        elif not row.eligible:
            styles.append("dim")
        else:
            styles.append(None)

    timing = peak_note(None, [row.model for row in estimate.rows], a.at)
    sampled = sampled_note(sort_rows(estimate.rows, sort), estimate.exact)
    caption = (
        a.describe()
        + (f" · {timing_note(timing)}" if timing else "")
        + ("" if a.measured else " · ≈ not exact")
        + (f" · {sampled}" if sampled else "")
        + f" · {FRAME_NOTE} · ★ cheapest that fits"
    )
    write_rows(env, fmt, columns, rows, title="Estimated cost", caption=caption, styles=styles)
