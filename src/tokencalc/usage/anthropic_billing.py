"""Anthropic billing exports: Admin API usage and cost reports (JSON), Console CSVs.

Usage report results: ``uncached_input_tokens``, ``cache_creation {ephemeral_5m_input_tokens,
ephemeral_1h_input_tokens}``, ``cache_read_input_tokens``, ``output_tokens``, ``model``.
They carry no request count (records have ``requests=0``). The cost report's ``amount`` is a
decimal string in cents. Console usage CSVs have ``usage_input_tokens_no_cache``,
``…_cache_write_5m``, ``…_cache_write_1h``, ``…_cache_read``, ``usage_output_tokens`` (older
exports one ``usage_input_tokens_cache_write``, taken as 5-minute writes) and
``web_search_count`` (the report's ``server_tool_use.web_search_requests``: searches billed per
call); cost CSVs have ``cost_usd`` in dollars and may name models by display name ("Claude
Sonnet 4.5"), which pricing resolves through the sheet.

The tier comes from the report's ``service_tier`` (the CSV's ``service_tier`` or
``usage_type``): ``batch`` → ``"batch"``, ``priority`` and ``priority_on_demand`` →
``"priority"``, ``flex`` and ``flex_discount`` → ``"flex"``; ``standard``, empty or unknown
values are standard (None). ``context_window`` says whether long-context prices applied:
``0-200k`` (the CSV writes ``≤ 200k``) → False, ``200k-1M`` (``> 200k``) → True, absent or
unknown → None (decided from the prompt size when priced).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import IO, Any

from tokencalc.usage import billing
from tokencalc.usage.dedup import Candidate, CostCandidate
from tokencalc.usage.files import FileLog, InputFile
from tokencalc.usage.options import ReadOptions
from tokencalc.usage.records import UsageRecord, VendorCost
from tokencalc.usage.usage_format import UsageFormat, nowhere
from tokencalc.usage.values import BadValue, json_object, money, timestamp, token_count

SOURCE = "anthropic-usage"
COST_SOURCE = "anthropic-costs"
CENTS = Decimal(100)
_GROUPS = ("model", "service_tier", "context_window", "workspace_id", "api_key_id")
_CSV_GROUPS = ("workspace", "api_key", "usage_type", "service_tier", "context_window")
_TIERS = {
    "batch": "batch",
    "priority": "priority",
    "priority_on_demand": "priority",
    "flex": "flex",
    "flex_discount": "flex",
}


def _tier(value: Any) -> str | None:
    """The record tier of a ``service_tier``/``usage_type`` value (None: standard)."""
    return _TIERS.get(value.strip().lower()) if isinstance(value, str) else None


def _long_context(value: Any) -> bool | None:
    """Whether a ``context_window`` value (``0-200k``, ``200k-1M``, ``≤ 200k``, …) is the long one."""
    if not isinstance(value, str):
        return None
    text = value.replace(" ", "").lower()
    if text.startswith(("0-", "≤", "<")):
        return False
    if text.startswith((">", "≥")) or re.match(r"[1-9]\d*k-", text):
        return True
    return None


def classify_json(document: Any) -> str | None:
    bucket, result = billing.first_result(document)
    if bucket is None or "starting_at" not in bucket:
        return None
    if result is None:
        return SOURCE
    if "amount" in result and not isinstance(result.get("amount"), dict):
        return COST_SOURCE
    if (
        "uncached_input_tokens" in result
        or "cache_read_input_tokens" in result
        or "output_tokens" in result
    ):
        return SOURCE
    return None


def classify_csv(header: list[str]) -> str | None:
    columns = set(header)
    if (
        any(name.startswith("usage_input_tokens") for name in columns)
        or "usage_output_tokens" in columns
    ):
        return SOURCE
    if "cost_usd" in columns:
        return COST_SOURCE
    return None


def _record(
    when: datetime,
    model: Any,
    uncached: int,
    write_5m: int,
    write_1h: int,
    read: int,
    output: int,
    *,
    session: str | None,
    tier: Any,
    context_window: Any,
    web_searches: int = 0,
) -> UsageRecord | None:
    if not (uncached or write_5m or write_1h or read or output or web_searches):
        return None
    return UsageRecord(
        timestamp=when,
        source=SOURCE,
        model=billing.text_or_none(model),
        input_tokens=uncached + write_5m + write_1h + read,
        output_tokens=output,
        cache_read_tokens=read,
        cache_write_5m_tokens=write_5m,
        cache_write_1h_tokens=write_1h,
        requests=0,
        session=session,
        tier=_tier(tier),
        long_context=_long_context(context_window),
        web_search_requests=web_searches,
    )


def _key(record: UsageRecord, groups: tuple[Any, ...]) -> tuple[Any, ...]:
    counts = (
        record.input_tokens,
        record.cache_read_tokens,
        record.cache_write_5m_tokens,
        record.cache_write_1h_tokens,
        record.output_tokens,
        record.web_search_requests,
    )
    return (SOURCE, record.timestamp, groups, counts)


def read_json(
    handle: IO[bytes], file: InputFile, log: FileLog, options: ReadOptions
) -> Iterator[Candidate | CostCandidate]:
    document = billing.read_api_document(handle, log)
    if document is None:
        return
    costs = classify_json(document) == COST_SOURCE
    for where, when, result in billing.iter_api_results(document, log, "starting_at"):
        try:
            if costs:
                billing.require_usd(result.get("currency"))
                amount = money(result.get("amount"), "amount") / CENTS
                line_item = (
                    billing.text_or_none(result.get("description"))
                    or " ".join(
                        str(result[k]) for k in ("cost_type", "token_type") if result.get(k)
                    )
                    or None
                )
                cost = VendorCost(
                    when, COST_SOURCE, billing.text_or_none(result.get("model")), amount, line_item
                )
                groups = tuple(
                    str(result.get(k) or "")
                    for k in (*_GROUPS, "cost_type", "token_type", "description")
                )
                yield CostCandidate(cost, (COST_SOURCE, when, groups, amount))
                continue
            creation = json_object(result, "cache_creation")
            tools = json_object(result, "server_tool_use")
            record = _record(
                when,
                result.get("model"),
                token_count(result.get("uncached_input_tokens"), "uncached_input_tokens"),
                token_count(creation.get("ephemeral_5m_input_tokens"), "ephemeral_5m_input_tokens"),
                token_count(creation.get("ephemeral_1h_input_tokens"), "ephemeral_1h_input_tokens"),
                token_count(result.get("cache_read_input_tokens"), "cache_read_input_tokens"),
                token_count(result.get("output_tokens"), "output_tokens"),
                session=billing.text_or_none(result.get("workspace_id")),
                tier=result.get("service_tier"),
                context_window=result.get("context_window"),
                web_searches=token_count(
                    tools.get("web_search_requests"), "server_tool_use.web_search_requests"
                ),
            )
        except BadValue as exc:
            log.bad(where, str(exc))
            continue
        if record is not None:
            yield Candidate(record, _key(record, tuple(str(result.get(k) or "") for k in _GROUPS)))


def read_csv(
    handle: IO[bytes], file: InputFile, log: FileLog, options: ReadOptions
) -> Iterator[Candidate | CostCandidate]:
    costs = None
    for number, row in billing.iter_csv(handle, log):
        log.seen()
        if costs is None:
            costs = classify_csv(list(row)) == COST_SOURCE
        try:
            when = timestamp(
                billing.column(row, "usage_date_utc", "date", "usage_date"), "usage_date_utc"
            )
            model = billing.column(row, "model_version", "model") or None
            groups = tuple(row.get(k, "") for k in _CSV_GROUPS)
            if costs:
                if not row.get("cost_usd"):
                    continue
                amount = money(row["cost_usd"], "cost_usd")
                line_item = (
                    billing.column(row, "description")
                    or " ".join(row[k] for k in ("cost_type", "token_type") if row.get(k))
                    or None
                )
                cost = VendorCost(when, COST_SOURCE, model, amount, line_item)
                yield CostCandidate(cost, (COST_SOURCE, when, model, line_item, groups, amount))
                continue
            if (
                "usage_input_tokens_cache_write_5m" in row
                or "usage_input_tokens_cache_write_1h" in row
            ):
                write_5m = token_count(
                    row.get("usage_input_tokens_cache_write_5m"),
                    "usage_input_tokens_cache_write_5m",
                )
                write_1h = token_count(
                    row.get("usage_input_tokens_cache_write_1h"),
                    "usage_input_tokens_cache_write_1h",
                )
            else:
                write_5m = token_count(
                    row.get("usage_input_tokens_cache_write"), "usage_input_tokens_cache_write"
                )
                write_1h = 0
            record = _record(
                when,
                model,
                token_count(row.get("usage_input_tokens_no_cache"), "usage_input_tokens_no_cache"),
                write_5m,
                write_1h,
                token_count(
                    row.get("usage_input_tokens_cache_read"), "usage_input_tokens_cache_read"
                ),
                token_count(row.get("usage_output_tokens"), "usage_output_tokens"),
                session=row.get("workspace") or None,
                tier=billing.column(row, "service_tier", "usage_type"),
                context_window=row.get("context_window"),
                web_searches=token_count(row.get("web_search_count"), "web_search_count"),
            )
        except BadValue as exc:
            log.bad(number, str(exc))
            continue
        if record is not None:
            yield Candidate(record, _key(record, (model or "", *groups)))


def _api_document(document: object) -> str | None:
    return classify_json(document) if billing.is_api_page(document) else None


FORMAT = UsageFormat(
    SOURCE,
    "Anthropic usage export",
    nowhere,
    (".json", ".csv"),
    detect_document=_api_document,
    detect_header=classify_csv,
    detect_order=6,
    readers={"json": read_json, "csv": read_csv},
)
