"""What the vendor billing exports share: API pages of time buckets, and CSV rows by header."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import IO, Any

from tokencalc.usage.files import FileLog
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
