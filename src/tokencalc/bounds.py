"""The bounds of the arguments a request is priced with: one table, for every surface.

The command line gives these bounds to its options (Typer's ``min``/``max``) and the core and
the Python API check values against them, so ``--days`` and ``days=`` cannot disagree. Names
are the core's (``Assumptions`` fields and the API's parameters); a problem is raised as an
:class:`~tokencalc.errors.ArgumentError` carrying the name, which each edge words with its own
name for it (the CLI with its flag).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from tokencalc.errors import ArgumentError, Problem


@dataclass(frozen=True)
class Bound:
    """Values from ``low`` (exclusive when ``low_open``) to ``high`` (None: unbounded)."""

    low: int | Decimal
    high: int | Decimal | None = None
    low_open: bool = False
    #: a share from 0 to 1 ("must be a fraction")
    fraction: bool = False

    def holds(self, value: int | Decimal) -> bool:
        above = value > self.low if self.low_open else value >= self.low
        return above and (self.high is None or value <= self.high)

    def check(self, name: str, value: int | Decimal) -> None:
        """Raise :class:`ArgumentError` naming ``name`` when ``value`` is out of bounds."""
        if self.holds(value):
            return
        if self.fraction:
            raise ArgumentError(Problem.FRACTION, name, value=value)
        if self.low_open and self.low == 0 and value <= 0:
            raise ArgumentError(Problem.NOT_POSITIVE, name, value=value)
        if self.high is not None and self.low_open:  # "from 0 to" would let 0 in
            whole = self.high == int(self.high)  # 10,000,000 rather than 1E+7
            raise ArgumentError(
                Problem.AT_MOST, name, value=value, high=int(self.high) if whole else self.high
            )
        if self.high is not None:
            raise ArgumentError(
                Problem.OUT_OF_RANGE, name, value=value, low=self.low, high=self.high
            )
        if self.low == 0:
            raise ArgumentError(Problem.NEGATIVE, name, value=value)
        raise ArgumentError(Problem.AT_LEAST, name, value=value, low=self.low)


#: Output tokens per input token at most: a ratio above this is a typo.
MAX_OUTPUT_RATIO = Decimal(100)
#: A rate above this (units per US dollar) is a typo, not a currency.
MAX_RATE = Decimal("1e7")

BOUNDS: dict[str, Bound] = {
    "input_tokens": Bound(0),
    "output_tokens": Bound(0),
    "cached_tokens": Bound(0),
    "output_ratio": Bound(Decimal(0), MAX_OUTPUT_RATIO),
    "cached_fraction": Bound(Decimal(0), Decimal(1), fraction=True),
    "calls": Bound(1),
    "per_day": Bound(1),
    "days": Bound(1, 31),
    "web_searches": Bound(0),
    "rate": Bound(Decimal(0), MAX_RATE, low_open=True),
    "longest": Bound(0, 1000),
    "workers": Bound(1, 64),
}


def check(name: str, value: int | Decimal | None) -> None:
    """Check ``value`` (None: not given) against the bound of ``name``."""
    if value is not None:
        BOUNDS[name].check(name, value)
