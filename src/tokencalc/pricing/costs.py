"""What requests cost: the per-request formula of product.md §4, in Decimal.

``uncached = input − cache_read − cache writes``, and::

    cost = (uncached × p_in + cache_read × p_cached + write_5m × p_write_5m
            + write_1h × p_write_1h + output × p_out) / 1,000,000

A request whose input exceeds the model's long-context threshold is billed entirely at the
long-context prices. Absent cache prices equal the input price (see :mod:`tokencalc.sheet.price_resolution`).
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date
from decimal import (
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)

from tokencalc.errors import TokencalcError
from tokencalc.sheet.model import ModelEntry, Prices
from tokencalc.sheet.price_sheet import PriceSheet

MILLION = Decimal(1_000_000)
ZERO = Decimal(0)

#: The decimal context of all money maths, whatever the caller's (``getcontext().prec = 3``
#: must not change a cost). 80 digits hold the largest cost a valid sheet allows exactly:
#: prices and multipliers are at most 1e6 (sheet.checks.MAX_SHEET_NUMBER) and rates 1e7
#: (bounds.MAX_RATE).
MONEY_CONTEXT = Context(
    prec=80,
    rounding=ROUND_HALF_EVEN,
    Emin=-999_999,
    Emax=999_999,
    traps=[InvalidOperation, DivisionByZero, Overflow],
)


def money_context() -> AbstractContextManager[Context]:
    """``with money_context(): …`` does decimal maths in MONEY_CONTEXT."""
    return localcontext(MONEY_CONTEXT)


@dataclass(frozen=True)
class RequestTokens:
    """The tokens of one request (or of many added up)."""

    input: int  # every prompt token, including cache reads and cache writes
    output: int  # including reasoning
    cache_read: int = 0
    cache_write_5m: int = 0
    cache_write_1h: int = 0

    def __post_init__(self) -> None:
        for name in ("input", "output", "cache_read", "cache_write_5m", "cache_write_1h"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise TokencalcError(f"token count {name} must be a whole number, got {value!r}")
            if value < 0:
                raise TokencalcError(f"token count {name} must not be negative, got {value:,}")
        cached = self.cache_read + self.cache_write_5m + self.cache_write_1h
        if cached > self.input:
            raise TokencalcError(
                f"cache reads and writes ({cached:,} tokens) exceed the input ({self.input:,} tokens) they are part of"
            )

    @property
    def uncached_input(self) -> int:
        return self.input - self.cache_read - self.cache_write_5m - self.cache_write_1h

    def __add__(self, other: RequestTokens) -> RequestTokens:
        return RequestTokens(
            self.input + other.input,
            self.output + other.output,
            self.cache_read + other.cache_read,
            self.cache_write_5m + other.cache_write_5m,
            self.cache_write_1h + other.cache_write_1h,
        )


@dataclass(frozen=True)
class CostBreakdown:
    """Money for one request or a sum of them, split by what it pays for.

    ``input`` is the uncached input; ``cache_write`` holds both cache-write durations.
    ``long_context`` is true when any request in the sum was billed at long-context prices.
    ``fees`` are per-call charges (web searches), part of ``total``.
    """

    input: Decimal
    cache_read: Decimal
    cache_write: Decimal
    output: Decimal
    long_context: bool = False
    fees: Decimal = ZERO

    @classmethod
    def zero(cls) -> CostBreakdown:
        return cls(ZERO, ZERO, ZERO, ZERO, False)

    @property
    def prompt(self) -> Decimal:
        """Everything paid for the input side: uncached input, cache reads and cache writes."""
        with money_context():
            return self.input + self.cache_read + self.cache_write

    @property
    def total(self) -> Decimal:
        with money_context():
            return self.input + self.cache_read + self.cache_write + self.output + self.fees

    def __add__(self, other: CostBreakdown) -> CostBreakdown:
        with money_context():
            return CostBreakdown(
                self.input + other.input,
                self.cache_read + other.cache_read,
                self.cache_write + other.cache_write,
                self.output + other.output,
                self.long_context or other.long_context,
                self.fees + other.fees,
            )

    def scaled(self, factor: Decimal | int) -> CostBreakdown:
        """The same costs times ``factor`` (a number of calls, or an exchange rate)."""
        factor = Decimal(factor)
        with money_context():
            return CostBreakdown(
                self.input * factor,
                self.cache_read * factor,
                self.cache_write * factor,
                self.output * factor,
                self.long_context,
                self.fees * factor,
            )


def request_cost(
    sheet: PriceSheet,
    model: ModelEntry,
    tokens: RequestTokens,
    *,
    on: date,
    tier: str | None = None,
    prompt_tokens: int | None = None,
) -> CostBreakdown:
    """What one request costs in US dollars on ``on`` (prices in force that day), in ``tier``.

    ``prompt_tokens`` is the prompt size that decides long-context pricing (default
    ``tokens.input``); for a sum of many requests, pass one request's size instead.
    Raises :class:`TokencalcError` for a tier the model does not offer.
    """
    return cost_at(sheet.prices_on(model, on, tier), tokens, prompt_tokens)


def cost_at(
    day_prices: Prices, tokens: RequestTokens, prompt_tokens: int | None = None
) -> CostBreakdown:
    """What a request costs at prices already resolved (a day's, off-peak, residency-scaled).

    ``prompt_tokens`` decides long-context pricing as in :func:`request_cost`.
    """
    size = tokens.input if prompt_tokens is None else prompt_tokens
    prices, long_context = day_prices.for_prompt(size)
    with money_context():
        return CostBreakdown(
            input=Decimal(tokens.uncached_input) * prices.input / MILLION,
            cache_read=Decimal(tokens.cache_read) * prices.cached_input / MILLION,
            cache_write=(
                Decimal(tokens.cache_write_5m) * prices.cache_write_5m
                + Decimal(tokens.cache_write_1h) * prices.cache_write_1h
            )
            / MILLION,
            output=Decimal(tokens.output) * prices.output / MILLION,
            long_context=long_context,
        )


_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹"}


def format_money(amount: Decimal, currency: str = "USD") -> str:
    """An amount for people: 2 decimals from 1 up, 4 from a cent, else 6 (never 0 for a cost > 0)."""
    if amount == 0 or abs(amount) >= 1:
        places = 2
    elif abs(amount) >= Decimal("0.01"):
        places = 4
    else:
        places = 6
    # Enough digits for any amount: quantizing never fails, whatever the caller's context.
    digits = max(MONEY_CONTEXT.prec, amount.adjusted() + places + 2)
    shown = amount.quantize(
        Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=Context(prec=digits)
    )
    if shown == 0 and amount != 0:
        text = f"<{Decimal(1).scaleb(-places):f}"
    else:
        text = f"{shown:,.{places}f}"
    symbol = _SYMBOLS.get(currency.upper())
    return f"{symbol}{text}" if symbol else f"{text} {currency.upper()}"


def decimal_text(value: Decimal) -> str:
    """A Decimal as a plain decimal string for JSON: no exponent, no trailing zeros."""
    text = f"{value.normalize():f}"
    return "0" if text in ("-0", "") else text
