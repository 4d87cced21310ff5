"""What an estimate assumes beyond the counted text: output per request, cached share, calls,
tier and day — validated on construction, and said back in the caption."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from tokencalc.bounds import check
from tokencalc.errors import ArgumentError, Problem, UsageError
from tokencalc.sheet.model import TIERS, USD

#: Output per request when neither an output token count nor a ratio is given.
DEFAULT_OUTPUT_RATIO = Decimal("0.25")


@dataclass(frozen=True)
class Assumptions:
    """Everything an estimate assumes beyond the counted text. Validated on construction."""

    on: date
    output_tokens: int | None = None  # per request
    output_ratio: Decimal | None = None  # of each request's input tokens
    cached_fraction: Decimal = Decimal(0)
    tier: str | None = None  # None = standard; else one of TIERS
    calls: int = 1  # requests per input for the whole job
    currency: str = USD
    rate: Decimal = Decimal(1)  # currency units per US dollar
    #: when the job is "so many calls a day" priced for a month: calls = per_day × days
    per_day: int | None = None
    days: int = 30
    #: the UTC time of day requests are made (off-peak prices); None: peak (the sheet's standard)
    at: time | None = None
    #: web searches (per-call fees) each request makes
    web_searches: int = 0
    #: input tokens of each request read from the cache, given as a count (measured requests)
    cached_tokens: int | None = None
    #: the inputs were joined into one prompt (``--as-one``) rather than priced one request each
    as_one: bool = False
    #: the input token count was given (``--input-tokens``), not counted
    measured: bool = False

    def __post_init__(self) -> None:
        if self.output_tokens is not None and self.output_ratio is not None:
            raise ArgumentError(Problem.NOT_BOTH, "output_tokens", "output_ratio")
        check("output_tokens", self.output_tokens)
        check("output_ratio", self.output_ratio)
        check("cached_fraction", self.cached_fraction)
        if self.tier is not None and self.tier not in TIERS:
            raise UsageError(f"unknown tier {self.tier!r} (tiers: {', '.join(TIERS)})")
        check("calls", self.calls)
        if self.per_day is not None and self.calls != self.per_day * self.days:
            raise ArgumentError(Problem.NOT_BOTH, "calls", "per_day")
        check("days", self.days)
        check("rate", self.rate)  # a sheet's own rates are held to the same bound
        check("web_searches", self.web_searches)
        if self.cached_tokens is not None and (self.cached_tokens < 0 or self.cached_fraction):
            raise ArgumentError(Problem.NOT_BOTH, "cached_fraction", "cached_tokens")

    @property
    def output_is_default(self) -> bool:
        return self.output_tokens is None and self.output_ratio is None

    @property
    def effective_output_ratio(self) -> Decimal | None:
        if self.output_tokens is not None:
            return None
        return DEFAULT_OUTPUT_RATIO if self.output_ratio is None else self.output_ratio

    def output_for(self, input_tokens: int) -> int:
        """Output tokens of one request with this many input tokens."""
        if self.output_tokens is not None:
            return self.output_tokens
        ratio = DEFAULT_OUTPUT_RATIO if self.output_ratio is None else self.output_ratio
        return int((Decimal(input_tokens) * ratio).to_integral_value(rounding=ROUND_CEILING))

    def cached_for(self, input_tokens: int) -> int:
        """Input tokens of one request billed at the cache-read price."""
        if self.cached_tokens is not None:
            return self.cached_tokens
        return int(
            (Decimal(input_tokens) * self.cached_fraction).to_integral_value(rounding=ROUND_HALF_UP)
        )

    def describe_output(self) -> str:
        if self.output_tokens is not None:
            return f"{self.output_tokens:,} output tokens per request"
        ratio = DEFAULT_OUTPUT_RATIO if self.output_ratio is None else self.output_ratio
        text = f"output = {_percent(ratio)} of input"
        return (
            text + " (default), at most each model's max output" if self.output_is_default else text
        )

    def describe(self) -> str:
        """One line for a table caption."""
        per = "call" if self.calls == 1 else "calls"
        volume = f"{self.calls:,} {per}" + ("" if self.measured or self.as_one else " per input")
        if self.per_day is not None:
            last = self.on + timedelta(days=self.days - 1)
            volume = (
                f"{self.per_day:,} calls a day{'' if self.measured or self.as_one else ' per input'} × {self.days} days = a month "
                f"({self.on.isoformat()} to {last.isoformat()}, each day at its own prices)"
            )
        cached = f"{_percent(self.cached_fraction)} of input cached"
        if self.cached_tokens is not None:
            cached = f"{self.cached_tokens:,} input tokens cached"
        return " · ".join(
            [
                _requests_text(self),
                self.describe_output(),
                cached,
                f"{self.tier or 'standard'} tier",
                *([f"{self.web_searches:,} web searches per request"] if self.web_searches else []),
                *([f"requests at {self.at.strftime('%H:%M')} UTC"] if self.at is not None else []),
                f"prices of {self.on.isoformat()}",
                volume,
                f"costs in {self.currency}",
            ]
        )


def _requests_text(a: Assumptions) -> str:
    if a.measured:
        return "one request of the given input tokens (no tokenizer: exact for every model)"
    return "all inputs as one prompt" if a.as_one else "each input is one request"


def _percent(fraction: Decimal) -> str:
    return f"{(fraction * 100).normalize():f}%"
