"""Options and option parsing shared by the commands that price things."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tokencalc.bounds import BOUNDS, MAX_RATE
from tokencalc.cli.env import Environment
from tokencalc.cli.views.render import OutputFormat

if TYPE_CHECKING:  # pragma: no cover
    from tokencalc.sheet.price_sheet import PriceSheet

PricesOption = Annotated[
    Path | None,
    typer.Option(
        "--prices", help="A price sheet overlaid on the default and your own.", show_default=False
    ),
]
FormatOption = Annotated[
    OutputFormat, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)
]
CurrencyOption = Annotated[str, typer.Option("--currency", help="Currency code for costs.")]
RateOption = Annotated[
    str | None,
    typer.Option(
        "--rate",
        help="Units of --currency per US dollar (default: the rate in your price sheet).",
        show_default=False,
    ),
]
DateOption = Annotated[
    str | None,
    typer.Option(
        "--date",
        help="Use the prices in force on this day, YYYY-MM-DD (default: today).",
        show_default=False,
    ),
]


def parse_decimal(option: str, text: str, *, positive: bool = False) -> Decimal:
    """A non-negative (or positive) decimal from an option's text, or a usage error.

    The value must also survive a price sheet, which stores numbers as TOML floats: ``1e400``
    (infinite there) and ``1e-400`` (zero there) are refused, naming what was typed.
    """
    import math
    import sys

    from tokencalc.errors import UsageError

    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        value = None
    kind = "a positive number" if positive else "a non-negative number"
    if value is None or not value.is_finite() or value < 0 or (positive and value == 0):
        raise UsageError(f"{option} must be {kind}, got {text!r}")
    as_float = float(value)
    if not math.isfinite(as_float):
        raise UsageError(
            f"{option} must be {kind} no larger than {sys.float_info.max:.1e}, got {text!r}"
        )
    if value != 0 and as_float == 0:
        raise UsageError(f"{option} is too small to store (it would be 0), got {text!r}")
    return value


#: Pins "today" (YYYY-MM-DD) for reproducible output: the documentation examples are rendered
#: with it (tests/docs_examples.py). Unset, today is the system's date.
TODAY_VARIABLE = "TOKENCALC_TODAY"


def today() -> date:
    """Today's date, or the one ``TOKENCALC_TODAY`` pins (a usage error when malformed)."""
    import os

    from tokencalc.errors import UsageError

    pinned = os.environ.get(TODAY_VARIABLE, "").strip()
    if not pinned:
        return date.today()
    try:
        return date.fromisoformat(pinned)
    except ValueError:
        raise UsageError(
            f"{TODAY_VARIABLE} must be a date like 2026-11-22, got {pinned!r}"
        ) from None


def parse_date(option: str, text: str | None) -> date:
    """An ISO date from an option's text (None: today), or a usage error."""
    from tokencalc.errors import UsageError

    if text is None:
        return today()
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"{option} must be a date like 2026-11-22, got {text!r}") from None


def parse_currency(currency: str, rate: str | None) -> tuple[str, Decimal | None]:
    """The currency code and the explicit ``--rate`` (None: the sheet's), or a usage error."""
    import re

    from tokencalc.errors import UsageError

    code = currency.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise UsageError(f"--currency must be a three-letter code like EUR, got {currency!r}")
    if rate is None:
        return code, None
    value = parse_decimal("--rate", rate, positive=True)
    if not BOUNDS["rate"].holds(value):
        raise UsageError(f"--rate must be at most {MAX_RATE:,f} units per US dollar, got {rate!r}")
    if code == "USD":
        raise UsageError("--rate needs --currency (the code the rate converts to)")
    return code, value


def load_sheet(env: Environment, prices: Path | None) -> PriceSheet:
    """The effective price sheet, with a warning on stderr when it is over 90 days old."""
    from tokencalc.sheet.load import load_price_sheet

    sheet = load_price_sheet(prices)
    warning = sheet.age_warning(today())
    if warning:
        env.warning(warning)
    return sheet
