"""``tokencalc estimate DATA --field NAME``: price every record of a dataset as one request.

:func:`run_dataset` is the whole of the dataset path (``estimate`` hands over when --field or
--template is given; its options are in :mod:`.dataset_options`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from tokencalc.cli.env import Environment
from tokencalc.cli.options import load_sheet
from tokencalc.cli.views.dataset_view import write_json, write_table
from tokencalc.cli.views.render import OutputFormat
from tokencalc.datasets.duration import job_duration
from tokencalc.datasets.per_record import PerRecordWriter
from tokencalc.datasets.prompts import RecordSpec, Template
from tokencalc.datasets.run import DatasetPlan, open_dataset
from tokencalc.errors import BudgetExceeded, InputError, TokencalcError, UsageError
from tokencalc.pricing.costs import decimal_text, format_money
from tokencalc.sheet.merge import merge_layers
from tokencalc.sheet.ratelimits import RateLimits, limits_for, tier_name


def run_dataset(
    env: Environment,
    paths: list[str],
    assumptions: Any,
    *,
    field: str | None,
    template: Path | None,
    system: Path | None,
    output_field: str | None,
    key: str | None,
    per_record: Path | None,
    longest: int,
    cache_system: bool,
    data_format: str | None,
    workers: int | None,
    usage_tier: int | None = None,
    limits: dict[str, int | None] | None = None,
    models: Sequence[str] = (),
    providers: list[str],
    all_models: bool,
    rate: Decimal | None,
    max_cost: Decimal | None,
    prices: Path | None,
    fmt: OutputFormat,
    exact: bool = False,
) -> None:
    """Price a dataset and render it. Exit 1 when no record could be priced or no model offers
    the tier (after rendering), 3 over budget."""

    if len(paths) != 1 or paths[0] == "-":
        raise UsageError("dataset mode (--field/--template) reads one data file: name it")
    parsed_template = (
        Template.parse(_read_text(template, "--template"), label=str(template))
        if template
        else None
    )
    spec = RecordSpec(
        field=field, template=parsed_template, output_field=output_field, key_field=key or None
    )
    system_text = _read_text(system, "--system") if system else None
    sheet = load_sheet(env, prices)
    selected = sheet.select(models, providers, all_models)
    assumptions = replace(assumptions, rate=sheet.exchange_rate(assumptions.currency, rate))
    plan = DatasetPlan(
        spec=spec,
        assumptions=assumptions,
        system=system_text,
        output_from_field=output_field is not None,
        cache_system=cache_system,
        longest=longest,
        exact=exact,
    )
    run = open_dataset(
        sheet,
        selected,
        paths[0],
        plan,
        want_rows=per_record is not None,
        data_format=data_format,
        workers=workers,
    )
    if per_record is not None:
        with PerRecordWriter(per_record, run.unit, run.models) as writer:
            for row in run.rows:
                writer.write(row)
    summary = run.summary
    durations = job_durations(sheet, summary, usage_tier, limits or {})
    if fmt is OutputFormat.json:
        write_json(env, sheet, summary, plan, per_record, durations)
    else:
        write_table(env, summary, plan, fmt, durations)
    if summary.records == 0:
        raise TokencalcError(
            f"{summary.source}: no record could be priced ({summary.malformed:,} malformed)"
        )
    if assumptions.tier is not None and not any(m.model.prices is not None for m in summary.models):
        raise TokencalcError(f"none of the selected models offers the {assumptions.tier} tier")
    if max_cost is not None:
        best = summary.cheapest
        if best is not None and best.cost is not None and best.cost > max_cost:
            raise BudgetExceeded(
                f"over budget: the cheapest model, {best.model.id}, costs {format_money(best.cost, assumptions.currency)} "
                f"for the dataset, more than --max-cost {decimal_text(max_cost)} {assumptions.currency}"
            )


def _read_text(path: Path, option: str) -> str:

    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{option} {path}: not UTF-8 text") from None
    except OSError as exc:
        raise InputError(f"{option} {path}: cannot read: {exc.strerror or exc}") from None


def job_durations(
    sheet: Any, summary: Any, usage_tier: int | None, limits: dict[str, int | None]
) -> dict[str, Any] | None:
    """Each model's job duration at the usage tier and/or the limits given (None: not asked)."""

    given = {key: value for key, value in limits.items() if value is not None}
    if usage_tier is None and not given:
        return None
    raw = merge_layers(sheet.layers).get("rate_limits", {}) if sheet.layers else {}
    result: dict[str, Any] = {}
    for row in summary.models:
        model = row.model
        tier = tier_name(usage_tier) if usage_tier is not None else "given"
        published = (
            limits_for(raw, model.provider, tier, model.id) if usage_tier is not None else None
        )
        base = published or RateLimits(provider=model.provider, tier=tier, source="command line")
        chosen = base.with_overrides(**given)
        result[model.id] = (
            job_duration(
                chosen, row.requests, row.input_tokens, row.cached_tokens, row.output_tokens
            )
            if chosen.any
            else None
        )
    return result
