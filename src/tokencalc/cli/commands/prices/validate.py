"""``tokencalc prices validate``: check a price sheet and list every problem."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tokencalc.cli.commands.prices.editing import (
    out_line,
)
from tokencalc.cli.env import Environment
from tokencalc.errors import ExitCode, PriceSheetError, UsageError
from tokencalc.sheet.load import count_entries, load_price_sheet, read_sheet_layer


def validate_command(
    ctx: typer.Context,
    file: Annotated[
        Path | None,
        typer.Argument(
            help="The sheet to check (default: the effective sheet).", show_default=False
        ),
    ] = None,
    standalone: Annotated[
        bool,
        typer.Option(
            "--standalone",
            help="Check FILE as a complete sheet, not as an overlay on the packaged one.",
        ),
    ] = False,
) -> int:
    """Check a price sheet with the same rules the loader uses.

    FILE is checked as an overlay on the packaged sheet (as --prices FILE or
    your own sheet would be), or as a complete sheet with --standalone.
    Exits 1 listing every problem, one per line; prints "valid: N models,
    M plans" otherwise.

    Examples:

      tokencalc prices validate

      tokencalc prices validate "$(tokencalc prices path --user)"

      tokencalc prices validate my-pricing.toml --standalone
    """
    env: Environment = ctx.obj

    if standalone and file is None:
        raise UsageError("--standalone needs a FILE")
    try:
        if file is None:
            sheet = load_price_sheet()
            label, models, plans = " + ".join(sheet.files), len(sheet.models), len(sheet.plans)
            extra = ""
        elif standalone:
            sheet = load_price_sheet(user_sheet=False, base_sheet=file)
            label, models, plans, extra = str(file), len(sheet.models), len(sheet.plans), ""
        else:
            sheet = load_price_sheet(file, user_sheet=False)
            models, plans = count_entries(read_sheet_layer(file).data)
            label = str(file)
            extra = f" (overlaid on the packaged sheet: {_counted(len(sheet.models), len(sheet.plans))})"
    except PriceSheetError as exc:
        for problem in exc.problems:
            out_line(env, problem)
        count = len(exc.problems)
        env.error(f"{_label_of(file)}: {count} problem{'s' if count != 1 else ''}")
        return int(ExitCode.ERROR)
    out_line(env, f"{label}: valid: {_counted(models, plans)}{extra}")
    return int(ExitCode.OK)


def _counted(models: int, plans: int) -> str:
    return f"{models} model{'s' if models != 1 else ''}, {plans} plan{'s' if plans != 1 else ''}"


def _label_of(file: Path | None) -> str:
    return str(file) if file is not None else "the effective price sheet"
