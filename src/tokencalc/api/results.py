"""What the Python API returns: a token count and how it was made, a request's cost."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class TokenCount:
    """A token count and how it was made.

    ``estimated`` is true for models whose vendor publishes no tokenizer. ``method`` says how
    ``tokens`` was made — ``exact`` (the model's own encoding), ``reconstructed`` (Claude) or
    ``estimated`` (a per-class table fitted against a reference, or ``ceil(count on base ×
    ratio)``; ``base`` is an exact encoding, or ``"characters"``), or ``sampled`` (a text over
    1,000,000 characters counted on a sample: ``estimate_tokens(..., exact=True)`` counts it in
    full; ``estimated`` is then true) — and ``how_counted`` says it
    in full, as ``estimate``'s JSON ``how_counted`` does (``exact (o200k_base)``,
    ``estimated (per-class, Gemma 3 tokenizer.json …, fitted 2026-11-30)``, …).
    """

    tokens: int
    estimated: bool
    tokenizer: str  # the exact encoding, or the estimate family's id
    base: str
    ratio: Decimal = Decimal(1)
    method: str = "exact"
    how_counted: str = ""


@dataclass(frozen=True)
class CostEstimate:
    """What requests to one model cost, in US dollars (unrounded ``Decimal``).

    ``input_cost`` is the uncached input; ``cached_input_cost`` the input billed at the
    cache-read price. ``long_context`` says the long-context prices applied (the prompt
    exceeded the model's threshold); ``fits_context`` that input + output fit the context
    window and output fits the model's max output. ``cheapest`` is set by
    :func:`compare_models` on the cheapest model that fits.
    """

    model: str
    name: str
    provider: str
    input_tokens: int
    output_tokens: int
    cached_input_tokens: int
    estimated: bool
    tier: str
    on: date
    input_cost: Decimal
    cached_input_cost: Decimal
    output_cost: Decimal
    total: Decimal
    long_context: bool
    fits_context: bool
    cheapest: bool = False
    #: how ``input_tokens`` was made (:attr:`TokenCount.how_counted`), or ``given`` when passed in
    how_counted: str = "given"
