"""``tokencalc.estimate_dataset``: dataset mode from Python (see docs/datasets.md)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from tokencalc.api.arguments import (
    day_argument,
    flag_argument,
    number_argument,
    tier_argument,
    token_argument,
)
from tokencalc.api.sheets import Prices, sheet_for
from tokencalc.bounds import BOUNDS
from tokencalc.datasets.prompts import RecordSpec, Template
from tokencalc.datasets.run import DatasetPlan, DatasetRun, open_dataset
from tokencalc.errors import ArgumentError, UsageError
from tokencalc.pricing.assumptions import Assumptions
from tokencalc.sheet.model import ModelEntry
from tokencalc.sheet.price_sheet import PriceSheet

__all__ = ["estimate_dataset"]

#: The core's names for arguments (``Assumptions`` fields) that ``estimate_dataset`` calls otherwise.
DATASET_PARAMETERS = {"cached_fraction": "cached"}


def estimate_dataset(
    data: str | Path | Iterable[Mapping[str, Any] | str],
    *,
    field: str | None = None,
    template: str | None = None,
    system: str | None = None,
    models: Sequence[str] | None = None,
    output_tokens: int | None = None,
    output_ratio: float | Decimal | str | None = None,
    output_field: str | None = None,
    key: str | None = None,
    tier: str | None = None,
    cached: float | Decimal | str = 0,
    cache_system: bool = False,
    on: date | str | None = None,
    currency: str = "USD",
    rate: float | Decimal | str | None = None,
    longest: int = 10,
    rows: bool = True,
    workers: int | None = None,
    data_format: str | None = None,
    prices: Prices = None,
    exact: bool = False,
) -> DatasetRun:
    """Price every record of a dataset as one request to each model.

    ``data`` is a file (JSONL, JSON array, CSV/TSV, Parquet; ``.gz``/``.zst``) or an iterable of
    mappings (records) or strings (each string is a prompt). The prompt is ``field``'s text or
    ``template`` (text with ``{field}`` placeholders); ``system`` is sent with every record.
    Claude's totals are scaled by its reconstruction of a sample of the records (all of them in
    a small dataset); ``exact=True`` reconstructs every record up to 10,000,000 characters in
    all, as ``estimate --exact`` (see docs/datasets.md).
    Returns a :class:`~tokencalc.datasets.run.DatasetRun`: iterate ``.rows`` for one
    :class:`~tokencalc.datasets.run.RecordRow` per record (when ``rows``), then read
    ``.summary``; reading ``.summary`` first runs the pass without keeping rows.

    >>> run = tokencalc.estimate_dataset(["hello world", "a longer prompt here"], models=["gpt-6-luna"])
    >>> run.summary.models[0].input_tokens
    6
    """
    if isinstance(data, (bytes, bytearray)):
        raise UsageError("data must be a path or an iterable of records, not bytes")
    if template is None and field is None and isinstance(data, (str, Path)):
        raise UsageError("give field= or template= to say which text of each record is the prompt")
    try:
        sheet, selected, plan = dataset_plan(
            field=field,
            template=template,
            system=system,
            models=models,
            output_tokens=output_tokens,
            output_ratio=output_ratio,
            output_field=output_field,
            key=key,
            tier=tier,
            cached=cached,
            cache_system=cache_system,
            on=on,
            currency=currency,
            rate=rate,
            longest=longest,
            prices=prices,
            exact=exact,
        )
        return open_dataset(
            sheet, selected, data, plan, want_rows=rows, data_format=data_format, workers=workers
        )
    except ArgumentError as exc:  # the core's names for arguments, as this function calls them
        raise exc.renamed(DATASET_PARAMETERS) from None


def dataset_plan(
    *,
    field: str | None,
    template: str | None,
    system: str | None,
    models: Sequence[str] | None,
    output_tokens: int | None,
    output_ratio: float | Decimal | str | None,
    output_field: str | None,
    key: str | None,
    tier: str | None,
    cached: float | Decimal | str,
    cache_system: bool,
    on: date | str | None,
    currency: str,
    rate: float | Decimal | str | None,
    longest: int,
    prices: Prices,
    exact: bool = False,
) -> tuple[PriceSheet, list[ModelEntry], DatasetPlan]:
    """The sheet, the selected models and the plan, from keyword arguments (checked)."""
    if template is not None and not isinstance(template, str):
        raise UsageError(
            f"template must be text with {{field}} placeholders, got {type(template).__name__}"
        )
    token_argument("output_tokens", output_tokens)
    bound = BOUNDS["longest"]
    if not isinstance(longest, int) or isinstance(longest, bool) or not bound.holds(longest):
        raise UsageError(
            f"longest must be an int from {bound.low} to {bound.high}, got {longest!r}"
        )
    if template is not None and field is not None:
        raise UsageError("give field= or template=, not both")
    spec = RecordSpec(
        field=None if template is not None else (field or "text"),
        template=Template.parse(template) if template is not None else None,
        output_field=output_field,
        key_field=key,
    )
    sheet = sheet_for(prices)
    code = currency.strip().upper() if isinstance(currency, str) else currency
    assumptions = Assumptions(
        on=day_argument(on),
        output_tokens=output_tokens,
        output_ratio=None
        if output_ratio is None
        else number_argument("output_ratio", output_ratio),
        cached_fraction=number_argument("cached", cached, bound="cached_fraction"),
        tier=tier_argument(tier),
        currency=code,
    )
    explicit = None if rate is None else number_argument("rate", rate)
    from dataclasses import replace

    assumptions = replace(assumptions, rate=sheet.exchange_rate(code, explicit))
    selected = sheet.select(list(models or []), [], False)
    plan = DatasetPlan(
        spec=spec,
        assumptions=assumptions,
        system=system,
        output_from_field=output_field is not None,
        cache_system=cache_system,
        longest=longest,
        exact=flag_argument("exact", exact),
    )
    return sheet, selected, plan
