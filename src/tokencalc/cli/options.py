"""Options and option parsing shared by the commands that price things."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from tokencalc.render import OutputFormat

if TYPE_CHECKING:  # pragma: no cover
    from tokencalc.sheet import PriceSheet

PricesOption = Annotated[
    Optional[Path],
    typer.Option("--prices", help="A price sheet overlaid on the default and your own.", show_default=False),
]
FormatOption = Annotated[
    OutputFormat, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)
]
CurrencyOption = Annotated[str, typer.Option("--currency", help="Currency code for costs.")]
RateOption = Annotated[
    Optional[str],
    typer.Option(
        "--rate",
        help="Units of --currency per US dollar (default: the rate in your price sheet).",
        show_default=False,
    ),
]
DateOption = Annotated[
    Optional[str],
    typer.Option(
        "--date",
        help="Use the prices in force on this day, YYYY-MM-DD (default: today).",
        show_default=False,
    ),
]


def parse_decimal(option: str, text: str, *, positive: bool = False) -> Decimal:
    """A non-negative (or positive) decimal from an option's text, or a usage error."""
    from tokencalc.errors import UsageError

    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value < 0 or (positive and value == 0):
        kind = "a positive number" if positive else "a non-negative number"
        raise UsageError(f"{option} must be {kind}, got {text!r}")
    return value


def parse_date(option: str, text: str | None) -> date:
    """An ISO date from an option's text (None: today), or a usage error."""
    from tokencalc.errors import UsageError

    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"{option} must be a date like 2026-11-22, got {text!r}") from None


def load_sheet(prices: Path | None) -> PriceSheet:
    """The effective price sheet, with a warning on stderr when it is over 90 days old."""
    from tokencalc.cli.app import print_warning
    from tokencalc.sheet import load_price_sheet

    sheet = load_price_sheet(prices)
    warning = sheet.age_warning(date.today())
    if warning:
        print_warning(warning)
    return sheet
