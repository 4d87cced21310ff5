"""``tokencalc prices diff``: what differs between two price sheets."""

from __future__ import annotations

from typing import Annotated

import typer

from tokencalc.cli.commands.prices.editing import (
    out_line,
)
from tokencalc.cli.env import Environment
from tokencalc.cli.views.render import Column, OutputFormat, write_json, write_rows
from tokencalc.sheet.diff import diff_sheets, show_value
from tokencalc.sheet.load import sheet_data


def diff_command(
    ctx: typer.Context,
    old: Annotated[
        str | None,
        typer.Argument(
            help="A sheet file, 'default' or 'effective' (default: default).", show_default=False
        ),
    ] = None,
    new: Annotated[
        str | None,
        typer.Argument(
            help="A sheet file, 'default' or 'effective' (default: effective).", show_default=False
        ),
    ] = None,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)
    ] = OutputFormat.table,
) -> None:
    """Show how two price sheets differ, per model and field (old → new).

    With no arguments: the packaged sheet against the effective one (the
    packaged sheet with yours overlaid), i.e. what your sheet changes. A
    complete sheet file is compared as it is; a partial one (an overlay, like
    your own sheet) as the packaged sheet with it overlaid.

    Examples:

      tokencalc prices diff

      tokencalc prices diff old-pricing.toml pricing.toml

      tokencalc prices diff default team-prices.toml --format json
    """
    env: Environment = ctx.obj

    old_data, old_label = sheet_data(old or "default")
    new_data, new_label = sheet_data(new or "effective")
    changes = diff_sheets(old_data, new_data)
    if fmt is OutputFormat.json:
        write_json(
            env,
            {
                "old": old_label,
                "new": new_label,
                "changes": [
                    {
                        "change": c.kind,
                        "section": c.section,
                        "entry": c.entry,
                        "field": c.field,
                        "old": _json_value(c.old),
                        "new": _json_value(c.new),
                    }
                    for c in changes
                ],
            },
        )
        return
    if not changes and fmt is OutputFormat.table:
        out_line(env, f"no differences: {old_label} and {new_label} say the same")
        return
    rows = [
        {
            "change": c.kind,
            "section": c.section,
            "entry": c.entry or "",
            "field": c.field,
            "old": show_value(c.old),
            "new": show_value(c.new),
        }
        for c in changes
    ]
    columns = [
        Column("change", "Change", no_wrap=True),
        Column("section", "Section", no_wrap=True, priority=1),
        Column("entry", "Entry", no_wrap=True),
        Column("field", "Field", no_wrap=True),
        Column("old", "Old"),
        Column("new", "New"),
    ]
    caption = (
        f"{old_label} → {new_label}: {len(changes)} difference{'s' if len(changes) != 1 else ''}"
    )
    write_rows(env, fmt, columns, rows, caption=caption if fmt is not OutputFormat.csv else None)


def _json_value(value: object) -> object:

    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_value(v) for k, v in value.items()}
    return show_value(value)  # numbers as exact decimal strings, dates as ISO
