"""Streaming the items of a top-level JSON array without loading the whole document.

Chat exports (``conversations.json``) can be hundreds of megabytes; only one conversation is
decoded and held at a time. The standard library decoder does the parsing: the buffer grows
until ``raw_decode`` can finish the next item, doubling the read size so a large item costs
linear time.

A malformed item does not end the file. An error at the end of the buffer means the item
goes on in data not read yet, so more is read; any other error is the item's own. That item
is reported and skipped: a small scanner that knows strings, escapes and nesting depth finds
the comma (or ``]``) that ends it, dropping what it has scanned as it goes, so memory stays
bounded by the largest well-formed item, never by the file.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

CHUNK = 1 << 16
#: The largest single read while an item grows (reads double from ``chunk_size`` up to this).
MAX_READ = 1 << 26
#: An error this close to the end of the buffer may be a token cut in half (``tru``, ``1e+``,
#: ``\\u12``): read more before calling the item malformed.
_LOOKAHEAD = 16
_WHITESPACE = " \t\n\r"
_STRUCTURE = re.compile(r'["\[\]{},]')
_NESTED_STRUCTURE = re.compile(r'["\[\]{}]')  # inside brackets commas do not matter
_OPENERS = {"]": ord("["), "}": ord("{")}
#: Open brackets whose kinds a skip remembers (one byte each); deeper ones are only counted.
MAX_TRACKED_DEPTH = 1 << 20
#: The rest of a string's body: stops at its closing quote, at a backslash that ends the
#: buffer (its escaped character is not read yet), or at the end of the buffer.
_STRING_BODY = re.compile(r'[^"\\]*(?:\\[\s\S][^"\\]*)*')


class JsonStreamError(ValueError):
    """The document is not a JSON array, or an item in it is malformed."""


@dataclass(frozen=True)
class ArrayItem:
    """One item of the array: its value, or (``error`` set) why it could not be decoded."""

    index: int
    value: Any = None
    error: str | None = None


class _Malformed(Exception):
    pass


class _ArrayReader:
    """A window on the decoded text: ``buffer[pos:]`` is what has not been consumed yet."""

    def __init__(self, handle: IO[bytes], chunk_size: int) -> None:
        self.handle = handle
        self.chunk_size = chunk_size
        self.text = codecs.getincrementaldecoder("utf-8-sig")(errors="replace")
        self.decoder = json.JSONDecoder()
        self.buffer = ""
        self.pos = 0
        self.offset = 0  # characters dropped from the front of the buffer so far
        self.eof = False

    def fill(self, want: int) -> bool:
        """Read up to ``want`` more bytes; False at the end of the file."""
        if self.eof:
            return False
        data = self.handle.read(want)
        if not data:
            self.eof = True
            self.buffer += self.text.decode(b"", final=True)
            return False
        if self.pos > CHUNK and self.pos > len(self.buffer) // 2:
            self.drop_consumed()
        self.buffer += self.text.decode(data)
        return True

    def drop_consumed(self) -> None:
        self.offset += self.pos
        self.buffer, self.pos = self.buffer[self.pos :], 0

    def peek(self) -> str:
        """The next significant character ('' at the end), reading more as needed."""
        while True:
            while self.pos < len(self.buffer) and self.buffer[self.pos] in _WHITESPACE:
                self.pos += 1
            if self.pos < len(self.buffer):
                return self.buffer[self.pos]
            if not self.fill(self.chunk_size):
                return ""

    def decode_item(self) -> Any:
        """The value starting at ``pos`` (consumed); raises _Malformed with the reason."""
        want = self.chunk_size
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buffer, self.pos)
            except json.JSONDecodeError as exc:
                near_end = exc.pos >= len(self.buffer) - _LOOKAHEAD
                cut_short = near_end or exc.msg.startswith("Unterminated string")
                if cut_short and self.fill(want):
                    want = min(want * 2, MAX_READ)
                    continue
                if self.eof and not self.buffer[exc.pos :].strip():
                    raise _Malformed("unexpected end of file") from None
                raise _Malformed(f"{exc.msg} at character {self.offset + exc.pos}") from None
            except RecursionError:
                raise _Malformed("nested too deeply") from None
            if end >= len(self.buffer) and self.fill(want):
                continue  # a number or literal may go on in the next chunk
            self.pos = end
            return value

    def skip_item(self) -> bool:
        """Move past the item at ``pos`` to the start of the next one; False at the array's end.

        Commas and brackets inside strings are not structure; a ``]`` with nothing open is the
        end of the array. A closing bracket closes the innermost open bracket of its kind and
        any left open inside it (``{"a": [1}`` ends at the ``}``); with none of its kind open
        it closes the innermost bracket (``[1}``). Scanned text is dropped as the scan goes.
        """
        open_brackets = bytearray()  # the kinds of the brackets open, innermost last
        deeper = 0  # levels past MAX_TRACKED_DEPTH, counted but not told apart
        in_string = False
        i = self.pos
        while True:
            if in_string:
                i = _STRING_BODY.match(self.buffer, i).end()  # type: ignore[union-attr]
                if i < len(self.buffer) and self.buffer[i] == '"':
                    in_string = False
                    i += 1
                    continue
                # the end of the buffer, or a final backslash kept until its character is read
            else:
                nested = deeper or open_brackets
                found = (_NESTED_STRUCTURE if nested else _STRUCTURE).search(self.buffer, i)
                if found is not None:
                    i = found.end()
                    char = found.group()
                    if char == '"':
                        in_string = True
                    elif char in "[{":
                        if len(open_brackets) < MAX_TRACKED_DEPTH:
                            open_brackets.append(ord(char))
                        else:
                            deeper += 1
                    elif deeper:
                        deeper -= 1
                    elif open_brackets:
                        match = open_brackets.rfind(_OPENERS[char])
                        del open_brackets[match if match >= 0 else -1 :]
                    elif char == ",":
                        self.pos = i
                        return True
                    elif char == "]":
                        self.pos = i
                        return False
                    continue  # a stray '}' with nothing open belongs to the broken item
                i = len(self.buffer)
            self.pos = i
            self.drop_consumed()
            i = 0
            if not self.fill(self.chunk_size):
                return False


def iter_array_items(handle: IO[bytes], *, chunk_size: int = CHUNK) -> Iterator[ArrayItem]:
    """Each item of the JSON array that makes up ``handle``'s content, malformed ones included.

    Raises :class:`JsonStreamError` only when the document is not a JSON array at all.
    """
    reader = _ArrayReader(handle, chunk_size)
    if reader.peek() != "[":
        raise JsonStreamError("not a JSON array")
    reader.pos += 1
    if reader.peek() == "]":
        return
    index = 0
    while True:
        if reader.peek() == "":
            yield ArrayItem(index, error="unexpected end of file")
            return
        try:
            value = reader.decode_item()
        except _Malformed as exc:
            yield ArrayItem(index, error=str(exc))
            if not reader.skip_item():
                return
        else:
            yield ArrayItem(index, value)
            following = reader.peek()
            if following == "]":
                return
            if following != ",":
                index += 1
                where = reader.offset + reader.pos
                reason = f"expected ',' or ']' at character {where}"
                yield ArrayItem(index, error=reason if following else "unexpected end of file")
                if not following or not reader.skip_item():
                    return
            else:
                reader.pos += 1
        index += 1


def iter_json_array(handle: IO[bytes], *, chunk_size: int = CHUNK) -> Iterator[Any]:
    """Yield each item of the JSON array that makes up ``handle``'s content.

    Raises :class:`JsonStreamError` at the first malformed item (see :func:`iter_array_items`
    to read past them).
    """
    for item in iter_array_items(handle, chunk_size=chunk_size):
        if item.error is not None:
            raise JsonStreamError(f"item {item.index}: {item.error}")
        yield item.value


def first_array_item(handle: IO[bytes], *, max_items: int = 50) -> Any:
    """The first well-formed item of a JSON array document.

    None for an empty array, or when the first ``max_items`` items are all malformed.
    """
    for item in iter_array_items(handle):
        if item.error is None:
            return item.value
        if item.index + 1 >= max_items:
            break
    return None
