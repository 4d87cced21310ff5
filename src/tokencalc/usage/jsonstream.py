"""Streaming the items of a top-level JSON array without loading the whole document.

Chat exports (``conversations.json``) can be hundreds of megabytes; only one conversation is
decoded and held at a time. The standard library decoder does the parsing: the buffer grows
until ``raw_decode`` can finish the next item, doubling the read size so a large item costs
linear time.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from typing import IO, Any

CHUNK = 1 << 16
_WHITESPACE = " \t\n\r"


class JsonStreamError(ValueError):
    """The document is not a JSON array, or an item in it is malformed."""


def iter_json_array(handle: IO[bytes], *, chunk_size: int = CHUNK) -> Iterator[Any]:
    """Yield each item of the JSON array that makes up ``handle``'s content."""
    decoder = json.JSONDecoder()
    text = codecs.getincrementaldecoder("utf-8-sig")(errors="replace")
    buffer = ""
    pos = 0
    eof = False
    want = chunk_size

    def fill() -> bool:
        nonlocal buffer, pos, eof, want
        if eof:
            return False
        data = handle.read(want)
        if not data:
            eof = True
            buffer += text.decode(b"", final=True)
            return False
        if pos > CHUNK and pos > len(buffer) // 2:
            buffer, pos = buffer[pos:], 0
        buffer += text.decode(data)
        return True

    def skip_whitespace() -> str:
        """The next significant character ('' at the end), reading more as needed."""
        nonlocal pos
        while True:
            while pos < len(buffer) and buffer[pos] in _WHITESPACE:
                pos += 1
            if pos < len(buffer):
                return buffer[pos]
            if not fill():
                return ""

    if skip_whitespace() != "[":
        raise JsonStreamError("not a JSON array")
    pos += 1
    if skip_whitespace() == "]":
        return
    index = 0
    while True:
        want = chunk_size
        while True:
            try:
                item, end = decoder.raw_decode(buffer, pos)
            except json.JSONDecodeError as exc:
                if fill():
                    want = min(want * 2, 1 << 26)
                    continue
                raise JsonStreamError(f"item {index}: {exc.msg}") from None
            if end >= len(buffer) and fill():
                continue  # a number or literal may go on in the next chunk
            break
        pos = end
        yield item
        index += 1
        following = skip_whitespace()
        if following == "]":
            return
        if following != ",":
            raise JsonStreamError(f"item {index}: expected ',' or ']'")
        pos += 1
        skip_whitespace()


def first_array_item(handle: IO[bytes]) -> Any:
    """The first item of a JSON array document (None for an empty array)."""
    return next(iter_json_array(handle), None)
