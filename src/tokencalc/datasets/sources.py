"""Reading a dataset as batches of records: JSONL, JSON arrays, CSV/TSV (standard library) and
Parquet (pyarrow, the ``tokencalc[data]`` extra), optionally ``.gz`` or ``.zst`` compressed.

A batch is either raw JSONL bytes with the number of its first line — the worker that counts
it also decodes it, so the reading process only cuts the file at line ends — or records
already parsed (CSV rows, array items, Parquet rows). A record that cannot be parsed travels
as its reason, so it is counted and listed, never dropped. Records are numbered from 1: by
line in JSONL, by item in a JSON array, by data row (header not counted) in CSV and Parquet.
"""

from __future__ import annotations

import csv
import gzip
import io
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from tokencalc.errors import InputError, UsageError
from tokencalc.wording import Arg

#: Bytes of JSONL handed to a worker at a time (cut at a line end).
LINE_BATCH_BYTES = 1 << 22
#: Parsed records handed to a worker at a time.
ROW_BATCH = 2048
FORMATS = ("jsonl", "json", "csv", "tsv", "parquet")
UNITS = {"jsonl": "line", "json": "item", "csv": "row", "tsv": "row", "parquet": "row"}
_SUFFIXES = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".jsonlines": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
}
DATA_EXTRA_HINT = "pip install 'tokencalc[data]'"


@dataclass(frozen=True)
class LineBatch:
    """Whole JSONL lines; ``first`` is the number of the first one."""

    first: int
    data: bytes


@dataclass(frozen=True)
class RowBatch:
    """Parsed records: (position, the record's needed fields, or why it is malformed)."""

    rows: list[tuple[int, Mapping[str, Any] | str]]


Batch = LineBatch | RowBatch


def _compression(path: Path) -> tuple[str | None, str]:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in (".gz", ".zst"):
        return suffixes[-1][1:], (suffixes[-2] if len(suffixes) > 1 else "")
    return None, (suffixes[-1] if suffixes else "")


def open_binary(path: Path) -> IO[bytes]:
    """The file's bytes, decompressed when it ends in ``.gz`` or ``.zst``."""
    compression, _inner = _compression(path)
    try:
        raw = open(path, "rb")  # noqa: SIM115 - returned; the caller closes it
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if compression == "gz":
        return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    if compression == "zst":
        try:
            import zstandard
        except ImportError:
            raw.close()
            raise InputError(
                f"{path}: reading .zst needs the zstandard package: {DATA_EXTRA_HINT}"
            ) from None
        return io.BufferedReader(zstandard.ZstdDecompressor().stream_reader(raw, closefd=True))
    return raw


def detect_format(path: Path, given: str | None = None) -> str:
    """The format named by ``given`` or the file's suffix; ``.json`` and unknown suffixes are sniffed."""
    if given is not None:
        if given not in FORMATS:
            raise UsageError(f"unknown data format {given!r} (formats: {', '.join(FORMATS)})")
        return given
    _compression_kind, inner = _compression(path)
    kind = _SUFFIXES.get(inner)
    if kind in ("jsonl", "csv", "tsv", "parquet"):
        return kind
    with open_binary(path) as handle:
        try:
            head = handle.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
        except (OSError, EOFError) as exc:
            raise InputError(f"{path}: cannot read: {exc}") from None
    if head.startswith(b"["):
        return "json"
    if head.startswith(b"{") or (kind == "json" and not head):
        return "jsonl"
    if head.startswith(b"PAR1"):
        return "parquet"
    raise UsageError.naming(
        f"{path}: cannot tell the data format from its name; give ",
        Arg("data_format"),
        f" ({', '.join(FORMATS)})",
    )


def read_batches(path: Path, fmt: str, needed: tuple[str, ...]) -> Iterator[Batch]:
    """The dataset at ``path`` as batches, in file order."""
    if fmt == "jsonl":
        yield from _jsonl_batches(path)
    elif fmt == "json":
        yield from _array_batches(path, needed)
    elif fmt in ("csv", "tsv"):
        yield from _csv_batches(path, needed, "\t" if fmt == "tsv" else ",")
    else:
        yield from _parquet_batches(path, needed)


def _jsonl_batches(path: Path) -> Iterator[LineBatch]:
    line = 1
    rest = b""
    with open_binary(path) as handle:
        while True:
            try:
                block = handle.read(LINE_BATCH_BYTES)
            except (OSError, EOFError, ValueError) as exc:
                raise InputError(f"{path}: cannot read after line {line - 1:,}: {exc}") from None
            if not block:
                break
            data = rest + block
            end = data.rfind(b"\n")
            if end < 0:
                rest = data
                continue
            rest = data[end + 1 :]
            whole = data[: end + 1]
            yield LineBatch(line, whole)
            line += whole.count(b"\n")
    if rest:
        yield LineBatch(line, rest)


def _picked(record: Mapping[str, Any], needed: tuple[str, ...]) -> dict[str, Any]:
    return {name: record[name] for name in needed if name in record}


def _array_batches(path: Path, needed: tuple[str, ...]) -> Iterator[RowBatch]:
    from tokencalc.usage.jsonstream import JsonStreamError, iter_array_items

    rows: list[tuple[int, Mapping[str, Any] | str]] = []
    with open_binary(path) as handle:
        try:
            for item in iter_array_items(handle):
                position = item.index + 1
                if item.error is not None:
                    rows.append((position, f"bad JSON: {item.error}"))
                elif not isinstance(item.value, dict):
                    rows.append((position, "not a JSON object"))
                else:
                    rows.append((position, _picked(item.value, needed)))
                if len(rows) >= ROW_BATCH:
                    yield RowBatch(rows)
                    rows = []
        except JsonStreamError as exc:
            raise InputError(f"{path}: {exc}") from None
        except (OSError, EOFError) as exc:
            raise InputError(f"{path}: cannot read: {exc}") from None
    if rows:
        yield RowBatch(rows)


#: The csv module refuses fields over 128 KiB by default; a record's text may be far longer.
CSV_FIELD_LIMIT = min(sys.maxsize, 2**31 - 1)


def _next_row(reader: Iterator[list[str]]) -> list[str]:
    """The next CSV row with the field limit raised only while it is parsed (it is a global)."""
    previous = csv.field_size_limit(CSV_FIELD_LIMIT)
    try:
        return next(reader)
    finally:
        csv.field_size_limit(previous)


def _csv_batches(path: Path, needed: tuple[str, ...], delimiter: str) -> Iterator[RowBatch]:
    with open_binary(path) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")
        reader = csv.reader(text, delimiter=delimiter)
        try:
            header = _next_row(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputError(f"{path}: cannot read the header row: {exc}") from None
        absent = [name for name in needed if name not in header]
        if absent:
            raise InputError(f"{path}: no column {absent[0]!r} (columns: {', '.join(header[:20])})")
        index = {name: header.index(name) for name in needed}
        rows: list[tuple[int, Mapping[str, Any] | str]] = []
        position = 0
        while True:
            position += 1
            try:
                values = _next_row(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                rows.append((position, f"bad CSV: {exc}"))
                continue
            if not values:
                position -= 1  # a blank line is no record
                continue
            rows.append(
                (position, {name: values[at] for name, at in index.items() if at < len(values)})
            )
            if len(rows) >= ROW_BATCH:
                yield RowBatch(rows)
                rows = []
        if rows:
            yield RowBatch(rows)


def _parquet_batches(path: Path, needed: tuple[str, ...]) -> Iterator[RowBatch]:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError(f"{path}: reading Parquet needs pyarrow: {DATA_EXTRA_HINT}") from None
    try:
        parquet = pq.ParquetFile(path)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises its own ArrowInvalid / OSError kinds
        raise InputError(f"{path}: not a readable Parquet file: {exc}") from None
    columns = parquet.schema_arrow.names
    absent = [name for name in needed if name not in columns]
    if absent:
        raise InputError(f"{path}: no column {absent[0]!r} (columns: {', '.join(columns[:20])})")
    position = 0
    for batch in parquet.iter_batches(batch_size=ROW_BATCH, columns=list(needed)):
        rows: list[tuple[int, Mapping[str, Any] | str]] = []
        for record in batch.to_pylist():
            position += 1
            rows.append((position, record))
        yield RowBatch(rows)
