"""Text from files and records made safe for a terminal line.

File names, record fields and model ids come from outside: an escape sequence in a file name
would drive the terminal, a newline would split a one-line error in two, a right-to-left
override would reorder what people read. Every human-facing line shows such characters
escaped (``\\x1b``, ``\\n``, ``\\u202e``), the way Python writes them in a string literal.
Machine formats (JSON, CSV) carry the text as it is, in their own quoting.
"""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, and the Unicode bidirectional and line/paragraph separators.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_UNSAFE_KEEP_NEWLINES = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def _escaped(match: re.Match[str]) -> str:
    char = match.group()
    if char == "\n":
        return "\\n"
    if char == "\r":
        return "\\r"
    if char == "\t":
        return "\\t"
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape(text: str) -> str:
    """``text`` with every control character escaped: safe inside one terminal line."""
    return _UNSAFE.sub(_escaped, text)


def one_line(message: str) -> str:
    """A message with control characters escaped, keeping only its own line breaks.

    Messages that list several problems put each on a line of its own, indented by two spaces;
    names inside them should be :func:`escape`-d where the message is made.
    """
    return _UNSAFE_KEEP_NEWLINES.sub(_escaped, message)
