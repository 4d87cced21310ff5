"""A model's tokens from base counts: one rule, whichever surface computes it.

``estimate``, ``count --model`` and the Python API take a model's tokens from
:func:`tokencalc.tokenizers.model_counts.model_count`; dataset mode's workers redo the same
arithmetic in whole numbers for speed (:class:`tokencalc.datasets.pricing.PricedModel`). These
properties hold the two to the same answer, for every estimated family of the packaged sheet:
``ceil(base × ratio)`` and ``ceil(Σ class tokens × class ratio)``.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_CEILING, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tokencalc.counting.counter import Counts
from tokencalc.datasets.pricing import priced_models
from tokencalc.pricing.assumptions import Assumptions
from tokencalc.sheet.load import load_price_sheet
from tokencalc.tokenizers.model_counts import model_count
from tokencalc.tokenizers.token_classes import CLASSES, HISTOGRAM_SIZE, PIECE_CODES, estimate_tokens

SHEET = load_price_sheet(user_sheet=False)
MODELS = [m for m in SHEET.models.values() if not m.deprecated]
_, PRICED = priced_models(SHEET, MODELS, Assumptions(on=date(2026, 11, 22)), Decimal(1))
BY_ID = {p.id: p for p in PRICED}
RATIO_MODELS = [m for m in MODELS if SHEET.tokenizer_for(m).estimated and not BY_ID[m.id].per_class]
CLASS_MODELS = [m for m in MODELS if BY_ID[m.id].per_class]


def test_the_sheet_has_both_kinds_of_estimate():
    assert RATIO_MODELS and CLASS_MODELS
    assert 6 * len(CLASSES) == PIECE_CODES  # the layout the by-hand sums below assume


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(RATIO_MODELS), st.integers(min_value=0, max_value=10**12))
def test_ratio_estimates_agree(model, base):
    ref = SHEET.tokenizer_for(model)
    by_hand = int((Decimal(base) * ref.ratio).to_integral_value(rounding=ROUND_CEILING))
    assert BY_ID[model.id].tokens(base) == ref.tokens_from(base) == by_hand
    counts = Counts(chars=base, tokens={ref.base: base}) if ref.counted_with else Counts(chars=base)
    assert model_count(ref, counts).tokens == by_hand


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(CLASS_MODELS),
    st.lists(
        st.integers(min_value=0, max_value=10**9), min_size=HISTOGRAM_SIZE, max_size=HISTOGRAM_SIZE
    ),
)
def test_per_class_estimates_agree(model, histogram):
    # a histogram is tokens per class, then tokens per piece code (6 codes a class)
    counting = SHEET.tokenizer_for(model).counting
    if counting.pieces is not None:
        fine = histogram[len(CLASSES) :]
        by_hand = sum(
            Decimal(n) * counting.pieces[CLASSES[code // 6]][code % 6]
            for code, n in enumerate(fine)
        )
    else:
        by_hand = sum(
            Decimal(n) * counting.classes[name] for name, n in zip(CLASSES, histogram, strict=False)
        )
    expected = int(Decimal(by_hand).to_integral_value(rounding=ROUND_CEILING))
    assert BY_ID[model.id].tokens_from_classes(tuple(histogram)) == expected
    assert estimate_tokens(histogram, counting.classes, counting.pieces) == expected


@pytest.mark.parametrize("model", [m for m in MODELS if not SHEET.tokenizer_for(m).estimated][:3])
def test_exact_models_take_the_base_count(model):
    assert BY_ID[model.id].tokens(12_345) == 12_345
