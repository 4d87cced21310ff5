"""The fields of a model entry in a price sheet: one schema for the validator and the editor.

The sheet's validator (``[models.ID]`` keys it requires and allows) and ``tokencalc prices
set`` (what a new model must be given, which fields it may change and in what order it writes
them) both read these tuples, so a field added here is known to both.
"""

from __future__ import annotations

from tokencalc.sheet.model import PRICE_FIELDS, TIERS

#: Fields every model must have.
MODEL_REQUIRED = ("provider", "name", "tokenizer", "input", "output", "context_window")
#: Fields holding one value (not a table), in the order an edited entry is written and shown.
MODEL_VALUES = (
    "provider",
    "name",
    "tokenizer",
    *PRICE_FIELDS,
    "context_window",
    "max_output",
    "aliases",
    "source",
    "as_of",
    "notes",
    "deprecated",
)
#: Fields holding tables: long-context prices, service tiers, dated prices, off-peak rules.
MODEL_TABLES = ("long_context", *TIERS, "schedule", "off_peak")
#: Fields a model may have beyond the required ones.
MODEL_OPTIONAL = (*(f for f in MODEL_VALUES if f not in MODEL_REQUIRED), *MODEL_TABLES)
#: What a model the sheet does not have yet must be given to be added (``name`` defaults to the id).
NEW_MODEL_REQUIRED = tuple(f for f in MODEL_REQUIRED if f != "name")
