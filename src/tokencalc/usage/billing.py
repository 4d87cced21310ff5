"""What the vendor billing exports share: API pages of time buckets, and CSV rows by header."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import IO, Any

from tokencalc.usage.files import FileLog
from tokencalc.usage.values import BadValue


def load_json(handle: IO[bytes]) -> Any:
    """A whole (small) API response; floats become Decimal so amounts stay exact."""
    return json.loads(handle.read().decode("utf-8-sig", errors="replace"), parse_float=Decimal)


def iter_buckets(document: Any) -> Iterator[dict[str, Any]]:
    """Time buckets of one API page, a list of pages, or a bare list of buckets."""
    pages = document if isinstance(document, list) else [document]
    for page in pages:
        if isinstance(page, dict) and isinstance(page.get("data"), list):
            for bucket in page["data"]:
                if isinstance(bucket, dict):
                    yield bucket
        elif isinstance(page, dict) and isinstance(page.get("results"), list):
            yield page


def read_api_document(handle: IO[bytes], log: FileLog) -> Any | None:
    """The whole API response of a JSON export, or None (logged as malformed) when it is not JSON."""
    from tokencalc.usage.files import JSON_ERRORS

    try:
        return load_json(handle)
    except JSON_ERRORS:
        log.seen()
        log.bad(1, "invalid JSON")
        return None


def iter_api_results(
    document: Any, log: FileLog, start_key: str
) -> Iterator[tuple[str, datetime, dict[str, Any]]]:
    """``(where, bucket start, result)`` for every result of every bucket, each counted as seen.

    A result that is not an object, or whose bucket has no valid ``start_key`` time, is logged
    as malformed and passed over.
    """
    from tokencalc.usage.values import timestamp

    for b, bucket in enumerate(iter_buckets(document)):
        for r, result in enumerate(bucket.get("results") or []):
            log.seen()
            where = f"bucket {b} result {r}"
            try:
                if not isinstance(result, dict):
                    raise BadValue("result is not an object")
                when = timestamp(bucket.get(start_key), start_key)
            except BadValue as exc:
                log.bad(where, str(exc))
                continue
            yield where, when, result


def first_result(document: Any) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
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


#: Bytes of a file looked at for a CSV header; a real header is a few hundred.
HEADER_BYTES = 1 << 16


def read_header(handle: IO[bytes]) -> list[str]:
    """The normalized column names of a CSV file's first row ([] when it has none).

    Any line ending (LF, CRLF, CR alone) ends the row; a row the csv module cannot read gives
    no header, so the file is simply not recognised.
    """
    head = handle.read(HEADER_BYTES).decode("utf-8-sig", errors="replace")
    try:
        header = next(csv.reader(io.StringIO(head, newline="")), [])
    except csv.Error:
        return []
    return [name.strip().lower() for name in header]


def iter_csv(handle: IO[bytes], log: FileLog) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row by lower-case header name) for every data row, streaming.

    Rows end at LF, CRLF or a lone CR. A row the csv module rejects (a field past its size
    limit, …) is logged as malformed and reading goes on with the next line; so is a row with
    fewer fields than the header (or extra non-empty ones), which is what a line broken in two
    by a stray line ending looks like — its values would land under the wrong columns.
    """
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", errors="replace", newline="")
    try:
        reader = csv.reader(text)
        header: list[str] | None = None
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                log.seen()
                if header is None:
                    log.bad(reader.line_num, f"unreadable CSV header ({exc})")
                    return
                log.bad(reader.line_num, f"unreadable CSV row ({exc})")
                continue
            if header is None:
                header = [name.strip().lower() for name in row]
                continue
            if not any(cell.strip() for cell in row):
                continue
            if len(row) < len(header) or any(cell.strip() for cell in row[len(header) :]):
                log.seen()
                log.bad(reader.line_num, f"{len(row)} fields where the header has {len(header)}")
                continue
            yield reader.line_num, {name: row[i].strip() for i, name in enumerate(header)}
    finally:
        text.detach()  # the caller owns (and closes) the byte stream


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
