"""OpenAI billing exports: the Usage API (completions) and Costs API, as JSON or dashboard CSV.

Usage results: ``input_tokens`` (cached and cache-write tokens included), ``input_cached_tokens``,
``input_cache_write_tokens`` (GPT-5.6 and later bill cache writes; OpenAI's default 30-minute
retention write, which the price sheet stores as ``cache_write_5m``), ``output_tokens``,
``num_model_requests``, and group-by fields (``model``, ``project_id``, …; null when not
grouped). Dashboard CSVs carry the same columns (matched by name) and write counts as floats
(``143.0``) and booleans as ``TRUE``/``FALSE``. Costs results: ``amount {value, currency}``
per day and ``line_item`` such as ``"gpt-5-2025-08-07, cached input"``; CSVs name these
``amount_value``/``amount_currency``.

The tier a usage row was billed at: ``batch`` true → ``"batch"``; otherwise ``service_tier``
(the request's tier: ``auto``, ``default``, ``flex``, ``scale``, ``priority``) ``flex`` →
``"flex"`` and ``priority`` → ``"priority"``; anything else (``default``, ``auto``,
``scale``, null when not grouped) is standard (None). The export says nothing about long
context, so ``long_context`` stays None.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import IO, Any

from tokencalc.usage import billing
from tokencalc.usage.dedup import Candidate, CostCandidate
from tokencalc.usage.files import FileLog, InputFile
from tokencalc.usage.options import ReadOptions
from tokencalc.usage.records import UsageRecord, VendorCost
from tokencalc.usage.usage_format import UsageFormat, nowhere
from tokencalc.usage.values import BadValue, money, timestamp, token_count

SOURCE = "openai-usage"
COST_SOURCE = "openai-costs"
_GROUPS = ("model", "project_id", "user_id", "api_key_id", "batch", "service_tier")
#: ``service_tier`` values priced apart from standard, and the record tier they map to.
_PRICED_TIERS = {"flex": "flex", "priority": "priority"}
_TRUE = {"true", "1", "yes"}


def _tier(result: dict[str, Any]) -> str | None:
    """The record tier of one usage result (None: standard; see the module docstring)."""
    batch = result.get("batch")
    if batch is True or (isinstance(batch, str) and batch.strip().lower() in _TRUE):
        return "batch"
    tier = result.get("service_tier")
    return _PRICED_TIERS.get(tier.strip().lower()) if isinstance(tier, str) else None


def classify_json(document: Any) -> str | None:
    """'openai-usage', 'openai-costs' or None for one parsed JSON document."""
    bucket, result = billing.first_result(document)
    if bucket is None or "start_time" not in bucket:
        return None
    if result is None:
        return SOURCE  # empty buckets: nothing to read either way
    if (
        isinstance(result.get("amount"), dict)
        or result.get("object") == "organization.costs.result"
    ):
        return COST_SOURCE
    if "input_tokens" in result or "num_model_requests" in result:
        return SOURCE
    return None


def classify_csv(header: list[str]) -> str | None:
    columns = set(header)
    if "amount_value" in columns:
        return COST_SOURCE
    if (
        "num_model_requests" in columns
        or {"input_tokens", "output_tokens", "input_cached_tokens"} <= columns
    ):
        return SOURCE
    return None


def _usage_record(when: datetime, result: dict[str, Any]) -> UsageRecord | None:
    input_tokens = token_count(result.get("input_tokens"), "input_tokens")
    cached = token_count(result.get("input_cached_tokens"), "input_cached_tokens")
    written = token_count(result.get("input_cache_write_tokens"), "input_cache_write_tokens")
    output = token_count(result.get("output_tokens"), "output_tokens")
    requests = token_count(result.get("num_model_requests"), "num_model_requests")
    if not (input_tokens or output or requests):
        return None  # an empty bucket
    if cached > input_tokens:
        raise BadValue("input_cached_tokens exceeds input_tokens")
    if cached + written > input_tokens:
        raise BadValue("input_cached_tokens plus input_cache_write_tokens exceed input_tokens")
    return UsageRecord(
        timestamp=when,
        source=SOURCE,
        model=billing.text_or_none(result.get("model")),
        input_tokens=input_tokens,
        output_tokens=output,
        cache_read_tokens=cached,
        cache_write_5m_tokens=written,
        requests=requests,
        session=billing.text_or_none(result.get("project_id")),
        tier=_tier(result),
    )


def _usage_key(record: UsageRecord, result: dict[str, Any]) -> tuple[Any, ...]:
    groups = tuple(str(result.get(name) or "") for name in _GROUPS)
    counts = (
        record.input_tokens,
        record.cache_read_tokens,
        record.cache_write_5m_tokens,
        record.output_tokens,
        record.requests,
    )
    return (SOURCE, record.timestamp, groups, counts)


def _line_item_model(line_item: str | None) -> str | None:
    """``"gpt-5-2025-08-07, cached input"`` → ``"gpt-5-2025-08-07"``; other items name no model."""
    if line_item and ", " in line_item:
        return line_item.split(", ", 1)[0].strip() or None
    return None


def _cost(when: datetime, value: Any, currency: Any, line_item: str | None) -> VendorCost:
    billing.require_usd(currency)
    return VendorCost(
        timestamp=when,
        source=COST_SOURCE,
        model=_line_item_model(line_item),
        amount_usd=money(value, "amount"),
        line_item=line_item,
    )


def read_json(
    handle: IO[bytes], file: InputFile, log: FileLog, options: ReadOptions
) -> Iterator[Candidate | CostCandidate]:
    document = billing.read_api_document(handle, log)
    if document is None:
        return
    costs = classify_json(document) == COST_SOURCE
    for where, when, result in billing.iter_api_results(document, log, "start_time"):
        try:
            if costs:
                amount = result.get("amount")
                if not isinstance(amount, dict) or amount.get("value") is None:
                    continue
                cost = _cost(
                    when,
                    amount.get("value"),
                    amount.get("currency"),
                    billing.text_or_none(result.get("line_item")),
                )
                yield CostCandidate(
                    cost,
                    (COST_SOURCE, when, cost.line_item, result.get("project_id"), cost.amount_usd),
                )
                continue
            record = _usage_record(when, result)
        except BadValue as exc:
            log.bad(where, str(exc))
            continue
        if record is not None:
            yield Candidate(record, _usage_key(record, result))


def read_csv(
    handle: IO[bytes], file: InputFile, log: FileLog, options: ReadOptions
) -> Iterator[Candidate | CostCandidate]:
    costs = None
    for number, row in billing.iter_csv(handle, log):
        log.seen()
        if costs is None:
            costs = classify_csv(list(row)) == COST_SOURCE
        try:
            when_text = billing.column(row, "start_time_iso", "start_time", "date", "timestamp")
            if costs:
                if not row.get("amount_value"):
                    continue  # a day without costs
                when = timestamp(when_text, "start_time")
                line_item = row.get("line_item") or None
                cost = _cost(when, row["amount_value"], row.get("amount_currency"), line_item)
                yield CostCandidate(
                    cost,
                    (COST_SOURCE, when, line_item, row.get("project_id") or None, cost.amount_usd),
                )
                continue
            if not any(
                row.get(name) for name in ("input_tokens", "output_tokens", "num_model_requests")
            ):
                continue  # an empty bucket
            when = timestamp(when_text, "start_time")
            result = {name: (value or None) for name, value in row.items()}
            record = _usage_record(when, result)
        except BadValue as exc:
            log.bad(number, str(exc))
            continue
        if record is not None:
            yield Candidate(record, _usage_key(record, result))


def _api_document(document: object) -> str | None:
    return classify_json(document) if billing.is_api_page(document) else None


FORMAT = UsageFormat(
    SOURCE,
    "OpenAI usage export",
    nowhere,
    (".json", ".csv"),
    detect_document=_api_document,
    detect_header=classify_csv,
    detect_order=5,
    readers={"json": read_json, "csv": read_csv},
)
