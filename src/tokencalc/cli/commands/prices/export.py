"""``tokencalc prices export``: the effective price sheet as TOML, JSON or CSV."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import tomli_w
import typer

from tokencalc.cli.env import Environment
from tokencalc.cli.views.render import Column, write_csv, write_json
from tokencalc.pricing.costs import decimal_text
from tokencalc.sheet.load import load_price_sheet
from tokencalc.sheet.merge import merge_layers
from tokencalc.sheet.model import PRICE_FIELDS, TIERS
from tokencalc.sheet.price_sheet import PriceSheet


class ExportFormat(str, Enum):
    toml = "toml"
    json = "json"
    csv = "csv"


#: The longest --timeout accepted for a download, in seconds (a day).


def export_command(
    ctx: typer.Context,
    fmt: Annotated[
        ExportFormat,
        typer.Option(
            "--format",
            "-f",
            help="toml (a complete sheet), json, or csv (one row per model).",
            case_sensitive=False,
        ),
    ] = ExportFormat.toml,
    prices: Annotated[
        Path | None,
        typer.Option(
            "--prices",
            help="A price sheet overlaid on the default and your own.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Write the effective price sheet (packaged + yours) to stdout.

    toml and json hold the whole sheet (a toml export is itself a complete
    sheet: 'prices validate FILE --standalone' accepts it); csv has one row
    per model with its declared prices.

    Examples:

      tokencalc prices export > my-pricing.toml

      tokencalc prices export --format json | jq '.models["gpt-5"]'

      tokencalc prices export --format csv > models.csv
    """
    env: Environment = ctx.obj

    sheet = load_price_sheet(prices)  # validates
    data = merge_layers(sheet.layers)  # the very files that were validated, read once
    if fmt is ExportFormat.toml:
        env.write(
            f"# tokencalc price sheet exported {date.today().isoformat()} from: {', '.join(sheet.files)}\n\n"
        )
        env.write(tomli_w.dumps(data))
    elif fmt is ExportFormat.json:
        write_json(env, data)
    else:
        _export_csv(env, sheet)


def _export_csv(env: Environment, sheet: PriceSheet) -> None:

    def money(value: Decimal | None) -> str | None:
        return decimal_text(value) if value is not None else None

    rows = []
    for model in sheet.models.values():
        row: dict[str, Any] = {
            "id": model.id,
            "name": model.name,
            "provider": model.provider,
            "tokenizer": model.tokenizer,
            **{name: money(getattr(model, name)) for name in PRICE_FIELDS},
            "context_window": model.context_window,
            "max_output": model.max_output,
            "long_context_threshold": model.long_context.threshold if model.long_context else None,
            "long_context_input": money(model.long_context.input) if model.long_context else None,
            "long_context_output": money(model.long_context.output) if model.long_context else None,
        }
        for tier_name in TIERS:
            tier = model.tiers.get(tier_name)
            row[f"{tier_name}_multiplier"] = money(tier.multiplier) if tier else None
            row[f"{tier_name}_input"] = money(tier.input) if tier else None
            row[f"{tier_name}_output"] = money(tier.output) if tier else None
        row.update(
            aliases=" ".join(model.aliases),
            deprecated=model.deprecated,
            source=model.source,
            as_of=model.as_of,
        )
        rows.append(row)
    write_csv(env, [Column(key, key) for key in rows[0]] if rows else [], rows)
