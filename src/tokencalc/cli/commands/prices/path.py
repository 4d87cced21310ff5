"""``tokencalc prices path``: where the packaged and the user price sheets are."""

from __future__ import annotations

from typing import Annotated

import typer

from tokencalc.cli.commands.prices.editing import (
    out_line,
)
from tokencalc.cli.env import Environment
from tokencalc.cli.views.render import Column, OutputFormat, write_json, write_rows
from tokencalc.paths import user_sheet_path
from tokencalc.sheet.load import packaged_sheet_location


def path_command(
    ctx: typer.Context,
    user_only: Annotated[
        bool, typer.Option("--user", help="Print only the user sheet's path (for scripts).")
    ] = False,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)
    ] = OutputFormat.table,
) -> None:
    """Show where the packaged and user price sheets are, and which are in use.

    The user sheet lives in $TOKENCALC_HOME, else the platform's config
    directory; it overlays the packaged sheet when it exists.

    Examples:

      tokencalc prices path

      $EDITOR "$(tokencalc prices path --user)"

      tokencalc prices path --format json
    """
    env: Environment = ctx.obj

    user = user_sheet_path()
    if user_only:
        out_line(env, str(user))
        return
    exists = user.exists()
    rows = [
        {
            "sheet": "packaged",
            "path": packaged_sheet_location(),
            "exists": True,
            "in_use": True,
            "note": "read-only default",
        },
        {
            "sheet": "user",
            "path": str(user),
            "exists": exists,
            "in_use": exists,
            "note": "overlays the packaged sheet"
            if exists
            else "does not exist yet: 'tokencalc prices set' or 'import' creates it",
        },
    ]
    if fmt is OutputFormat.json:
        write_json(
            env, {row["sheet"]: {k: v for k, v in row.items() if k != "sheet"} for row in rows}
        )
        return
    if fmt is OutputFormat.table:
        # Two paths people copy: plain lines read better than a table squeezed to the terminal.
        packaged, mine = rows
        out_line(env, f"packaged sheet: {packaged['path']}")
        out_line(env, "  read-only default, in use")
        out_line(env, f"user sheet:     {mine['path']}")
        out_line(env, f"  {'exists, in use: ' if exists else ''}{mine['note']}")
        out_line(
            env, "TOKENCALC_HOME moves the user sheet; --prices FILE overlays both for one command."
        )
        return
    columns = [Column(key, key) for key in rows[0]]
    write_rows(env, fmt, columns, rows)
