"""What the vendor billing exports share: API pages of time buckets, and CSV rows by header."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import IO, Any

from tokencalc.usage.values import BadValue


def load_json(handle: IO[bytes]) -> Any:
    """A whole (small) API response; floats become Decimal so amounts stay exact."""
    return json.loads(handle.read().decode("utf-8-sig", errors="replace"), parse_float=Decimal)


def iter_buckets(document: Any) -> Iterator[dict]:
    """Time buckets of one API page, a list of pages, or a bare list of buckets."""
    pages = document if isinstance(document, list) else [document]
    for page in pages:
        if isinstance(page, dict) and isinstance(page.get("data"), list):
            for bucket in page["data"]:
                if isinstance(bucket, dict):
                    yield bucket
        elif isinstance(page, dict) and isinstance(page.get("results"), list):
            yield page


def first_result(document: Any) -> tuple[dict | None, dict | None]:
    """(first bucket, first result in any bucket) — what format detection looks at."""
    first_bucket = None
    for bucket in iter_buckets(document):
        first_bucket = first_bucket or bucket
        for result in bucket.get("results") or []:
            if isinstance(result, dict):
                return bucket, result
    return first_bucket, None


def is_api_page(document: Any) -> bool:
    return next(iter_buckets(document), None) is not None


def read_header(handle: IO[bytes]) -> list[str]:
    """The normalized column names of a CSV file's first line."""
    line = handle.readline().decode("utf-8-sig", errors="replace")
    return [name.strip().lower() for name in next(csv.reader([line]), [])]


def iter_csv(handle: IO[bytes]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row by lower-case header name) for every data row, streaming."""
    lines = (
        raw.decode("utf-8-sig" if number == 0 else "utf-8", errors="replace")
        for number, raw in enumerate(handle)
    )
    reader = csv.reader(lines)
    header = [name.strip().lower() for name in next(reader, [])]
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        yield (
            reader.line_num,
            {name: (row[i].strip() if i < len(row) else "") for i, name in enumerate(header)},
        )


def column(row: dict[str, str], *names: str) -> str:
    """The first of ``names`` present and non-empty in ``row`` ('' if none)."""
    for name in names:
        value = row.get(name)
        if value:
            return value
    return ""


def text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def require_usd(currency: Any) -> None:
    if isinstance(currency, str) and currency and currency.lower() != "usd":
        raise BadValue(f"amount in {currency}, not USD")
