"""Incremental UTF-8 decoding of input bytes that replaces what is not UTF-8 and says how much."""

from __future__ import annotations

import codecs
import threading

_replacements = threading.local()


def _replace_and_count(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):  # registered for decoding only
        raise error
    _replacements.count = getattr(_replacements, "count", 0) + 1
    return "\ufffd", error.end


codecs.register_error("tokencalc.replace", _replace_and_count)


class Utf8Decoder:
    """Incremental UTF-8 decoding that replaces invalid bytes with U+FFFD and counts them.

    Each maximal invalid sequence becomes one U+FFFD, as Python's ``errors="replace"`` does.
    """

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")("tokencalc.replace")
        self.replaced = 0

    def decode(self, data: bytes, final: bool = False) -> str:
        before = getattr(_replacements, "count", 0)
        text = self._decoder.decode(data, final)
        self.replaced += getattr(_replacements, "count", 0) - before
        return text
