"""One record's tokens and cost for one model, in plain integers until money is asked for.

A :class:`PricedModel` carries everything a worker needs to price a record for a model —
how its tokens come from the base counts, its context window and the prices in force for the
chosen date and tier — with no reference to the sheet, so it pickles small and the same code
runs in the CLI's worker processes and on a Spark executor.

A record's input is the system prompt plus the record's prompt, counted as two messages (the
sum of their base counts); an estimated family rounds ``ceil(base × ratio)`` on that sum, as
``estimate`` does per input. Output is a fixed count, a ratio of the input (rounded up), or the
count of the record's output field.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from tokencalc.counting.encodings import canonical_encoding
from tokencalc.errors import UsageError
from tokencalc.pricing.assumptions import Assumptions
from tokencalc.pricing.costs import MILLION
from tokencalc.pricing.request_rules import fits_limits, tier_offered
from tokencalc.sheet.model import ModelEntry, Prices
from tokencalc.sheet.price_sheet import PriceSheet
from tokencalc.tokenizers import claude_reconstruction
from tokencalc.tokenizers.model_counts import class_or_ratio_label
from tokencalc.tokenizers.token_classes import CLASSES, PIECE_CODES

#: A base the records are counted with: an exact encoding name, or "characters".
CHARACTERS = "characters"


@dataclass(frozen=True)
class PricedModel:
    """A model as a worker prices it: base to count, ratio, limits and resolved prices."""

    id: str
    provider: str
    base_index: int  # into the record's base counts
    ratio: Decimal
    estimated: bool
    context_window: int
    max_output: int | None
    prices: Prices | None  # None: the model does not offer the tier
    rate: Decimal  # currency units per US dollar
    #: per-class estimate: a ratio per entry of a class histogram (token_classes.piece_histogram:
    #: the classes, then the piece codes; zeros where the family's table does not apply)
    class_ratios: tuple[Decimal, ...] | None = None
    #: how the records' tokens are counted (tokencalc.tokenizers.model_counts labels)
    count_method: str = "exact"
    how_counted: str = ""
    how_short: str = ""
    #: Claude's reconstruction (its generation) that a sample of the records is counted with to
    #: scale this per-class model's totals (tokencalc.datasets.record_sample); None: none
    reconstruct: str | None = None

    def __post_init__(self) -> None:
        # Whole-number forms of the hot per-record arithmetic (exact: a Decimal is a ratio of ints).
        numerator, denominator = self.ratio.as_integer_ratio()
        object.__setattr__(self, "_ratio", (numerator, denominator))
        prices = self.prices
        threshold = None
        if (
            prices is not None
            and prices.long_context is not None
            and prices.long_context_threshold is not None
        ):
            threshold = prices.long_context_threshold
        object.__setattr__(self, "_threshold", threshold)
        if self.class_ratios is not None:
            # ceil(Σ n × ratio) in whole numbers: every ratio over one common denominator
            pairs = [ratio.as_integer_ratio() for ratio in self.class_ratios]
            common = 1
            for _numerator, denominator in pairs:
                common = common * denominator // math.gcd(common, denominator)
            scaled = tuple(numerator * (common // denominator) for numerator, denominator in pairs)
            object.__setattr__(self, "_classes", (scaled, common))

    @property
    def per_class(self) -> bool:
        return self.class_ratios is not None

    def tokens_from_classes(self, histogram: tuple[int, ...]) -> int:
        """``ceil(Σ tokens of class × ratio of class)`` (as tokencalc.tokenizers.token_classes.estimate_tokens)."""
        scaled, common = self._classes  # type: ignore[attr-defined]
        total = sum(n * r for n, r in zip(histogram, scaled, strict=True))
        return int(-(-total // common))

    def tokens(self, base_count: int) -> int:
        """The model's tokens from the base count: ``ceil(base × ratio)`` when estimated."""
        if not self.estimated:
            return base_count
        numerator, denominator = self._ratio  # type: ignore[attr-defined]
        return int(-(-base_count * numerator // denominator))

    def fits(self, tokens_in: int, tokens_out: int) -> bool:
        return fits_limits(tokens_in, tokens_out, self.context_window, self.max_output)

    def truncated(self, tokens_in: int, tokens_out: int, cached: int) -> tuple[int, int, int]:
        """The request cut to fit: output capped at max output, input at what the window leaves."""
        out = tokens_out if self.max_output is None else min(tokens_out, self.max_output)
        out = min(out, self.context_window)
        cut_in = max(0, min(tokens_in, self.context_window - out))
        return cut_in, out, min(cached, cut_in)

    def is_long(self, tokens_in: int) -> bool:
        threshold: int | None = self._threshold  # type: ignore[attr-defined]
        return threshold is not None and tokens_in > threshold

    def cost(self, uncached: int, cached: int, output: int, *, long: bool) -> Decimal:
        """Money for these token totals, all at normal or all at long-context prices."""
        prices = self.prices
        if prices is None:
            return Decimal(0)
        if long and prices.long_context is not None:
            prices = prices.long_context
        dollars = (
            Decimal(uncached) * prices.input
            + Decimal(cached) * prices.cached_input
            + Decimal(output) * prices.output
        ) / MILLION
        return dollars * self.rate


@dataclass(frozen=True)
class OutputRule:
    """How many output tokens a record's request has."""

    tokens: int | None = None
    ratio: Decimal | None = None
    from_field: bool = False
    #: the default ratio (none was given) never asks for more than the model's max output
    capped: bool = False

    def for_request(
        self, model: PricedModel, tokens_in: int, output_base: int | None, *, counted: bool = False
    ) -> int:
        """``ceil(input × ratio)``, the fixed count, or the model's count of the output field
        (``output_base`` is the base count, or the model's own count when ``counted``)."""
        if self.from_field:
            assert output_base is not None
            return output_base if counted else model.tokens(output_base)
        if self.tokens is not None:
            return self.tokens
        assert self.ratio is not None
        numerator, denominator = self.ratio.as_integer_ratio()
        tokens = -(-tokens_in * numerator // denominator)
        if self.capped and model.max_output is not None:
            return min(tokens, model.max_output)
        return tokens


@dataclass(frozen=True)
class CacheRule:
    """Which input tokens are billed at the cache-read price."""

    fraction: Decimal = Decimal(0)
    system: bool = False  # the shared system prompt's tokens, on every record

    def cached(self, tokens_in: int, system_tokens: int) -> int:
        """The system prompt's tokens, or ``input × fraction`` rounded half up."""
        if self.system:
            return min(system_tokens, tokens_in)
        if not self.fraction:
            return 0
        numerator, denominator = self.fraction.as_integer_ratio()
        return (2 * tokens_in * numerator + denominator) // (2 * denominator)


def bases_for(sheet: PriceSheet, models: Sequence[ModelEntry]) -> list[str]:
    """The base counts the records need, in first-use order (exact encodings or characters)."""
    bases: list[str] = []
    for model in models:
        base = sheet.tokenizer_for(model).counted_with
        bases.append(CHARACTERS if base is None else canonical_encoding(base))
    return list(dict.fromkeys(bases))


def priced_models(
    sheet: PriceSheet, models: Sequence[ModelEntry], assumptions: Assumptions, rate: Decimal
) -> tuple[list[str], list[PricedModel]]:
    """The bases to count and each model ready for a worker, prices resolved for the date and tier."""
    if not models:
        raise UsageError("no models selected")
    bases = bases_for(sheet, models)
    priced = []
    for model in models:
        ref = sheet.tokenizer_for(model)
        base = CHARACTERS if ref.counted_with is None else canonical_encoding(ref.counted_with)
        counting = ref.counting
        class_ratios = None
        if (
            ref.estimated
            and counting is not None
            and counting.per_class
            and counting.classes is not None
        ):
            if counting.pieces is not None:
                by_code = tuple(r for name in CLASSES for r in counting.pieces[name])
                class_ratios = (Decimal(0),) * len(CLASSES) + by_code
            else:
                by_class = tuple(counting.classes[name] for name in CLASSES)
                class_ratios = by_class + (Decimal(0),) * PIECE_CODES
        offered = tier_offered(sheet, model, assumptions.tier, [assumptions.on])
        prices = sheet.prices_on(model, assumptions.on, assumptions.tier) if offered else None
        method, how, short = class_or_ratio_label(ref)
        reconstruct = (
            counting.reconstruct
            if counting is not None
            and class_ratios is not None
            and counting.reconstruct
            and claude_reconstruction.available()
            else None
        )
        priced.append(
            PricedModel(
                id=model.id,
                provider=model.provider,
                base_index=bases.index(base),
                ratio=ref.ratio,
                estimated=ref.estimated,
                context_window=model.context_window,
                max_output=model.max_output,
                prices=prices,
                rate=rate,
                class_ratios=class_ratios,
                count_method=method,
                how_counted=how,
                how_short=short,
                reconstruct=reconstruct,
            )
        )
    return bases, priced
