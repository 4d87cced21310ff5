"""Recognising a usage file's format from its content (first records, JSON shape, CSV header).

File names are only a hint: a ``.json`` file may hold JSONL and a download may be renamed.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from typing import IO

from tokencalc.usage import billing, registry
from tokencalc.usage.files import JSON_ERRORS, InputFile
from tokencalc.usage.jsonstream import JsonStreamError, first_array_item
from tokencalc.usage.usage_format import UsageFormat

#: Lines and bytes of a JSONL file looked at before giving up on recognising it.
PROBE_LINES = 50
PROBE_BYTES = 16 << 20
#: Chat-export file name inside an export ZIP.
EXPORT_MEMBER = "conversations.json"


@dataclass(frozen=True)
class Detected:
    """A recognised format: the record source family it yields and how the file is laid out."""

    source: str  # a registered source (billing cost exports belong to their usage family)
    layout: str  # "jsonl", "json" or "csv"
    kind: str  # what exactly: the source, or "openai-costs"/"anthropic-costs"


def zip_member(file: InputFile) -> str | None:
    """The ``conversations.json`` inside a ZIP archive (raises zipfile.BadZipFile)."""
    from tokencalc.usage.zip_limits import check_members

    with zipfile.ZipFile(file.path) as archive:
        check_members(archive, str(file.path))
        names = [n for n in archive.namelist() if n.rsplit("/", 1)[-1] == EXPORT_MEMBER]
    return min(names, key=len) if names else None


def classify_line(record: object) -> str | None:
    """The agent log a single parsed JSONL line belongs to."""
    for fmt in _detected():
        if fmt.detect_line is not None and fmt.detect_line(record):
            return fmt.source
    return None


def classify_document(document: object) -> Detected | None:
    """The format of one whole parsed JSON document (an object or an array item)."""
    for fmt in _detected():
        kind = fmt.detect_document(document) if fmt.detect_document is not None else None
        if kind:
            return Detected(fmt.source, "json", kind)
    return None


def classify_header(header: list[str]) -> Detected | None:
    for fmt in _detected():
        kind = fmt.detect_header(header) if fmt.detect_header is not None else None
        if kind:
            return Detected(fmt.source, "csv", kind)
    return None


def _detected() -> tuple[UsageFormat, ...]:
    """The formats the content detector recognises, in the order it asks them."""
    return registry.DETECTED  # type: ignore[no-any-return]


def detect(file: InputFile) -> Detected | None:
    """The format of ``file``, or None when it holds nothing tokencalc reads.

    Raises OSError (and zipfile.BadZipFile) when the file cannot be read.
    """
    with file.open() as handle:
        first = _first_significant_byte(handle)
    if first is None:
        return None
    if first not in b"[{":
        with file.open() as handle:
            return classify_header(billing.read_header(handle))
    with file.open() as handle:
        if first == b"[":
            return _detect_array(handle)
        return _detect_object(handle, file)


def _first_significant_byte(handle: IO[bytes]) -> bytes | None:
    head = handle.read(4096)
    while head:
        stripped = head.lstrip(b" \t\r\n").removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")
        if stripped:
            return stripped[:1]
        head = handle.read(4096)
    return None


def _detect_array(handle: IO[bytes]) -> Detected | None:
    try:
        item = first_array_item(handle)
    except JsonStreamError:
        return None
    if item is None:
        return None
    return classify_document(item) or classify_document([item])


def _detect_object(handle: IO[bytes], file: InputFile) -> Detected | None:
    seen = 0
    for number, raw in enumerate(handle):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except JSON_ERRORS:
            if number == 0 or seen == 0:
                return _detect_document(file)  # a pretty-printed single document
            record = None  # a damaged line among good ones
        if number == 0 or seen == 0:
            whole = classify_document(record)
            if whole is not None:
                return whole  # a whole document written on one line
        kind = classify_line(record)
        if kind is not None:
            return Detected(kind, "jsonl", kind)
        seen += len(raw)
        if number + 1 >= PROBE_LINES or seen >= PROBE_BYTES:
            return None
    return None


def _detect_document(file: InputFile) -> Detected | None:
    with file.open() as handle:
        try:
            document = billing.load_json(handle)
        except JSON_ERRORS:
            return None
    return classify_document(document)
