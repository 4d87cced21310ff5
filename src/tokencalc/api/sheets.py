"""Which price sheet and which tokenizer a Python API call uses, cached across calls."""

from __future__ import annotations

import functools
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Union

from tokencalc.api.arguments import name_argument, path_argument
from tokencalc.errors import UsageError

if TYPE_CHECKING:  # pragma: no cover
    from tokencalc.counting.encodings import TokenizerRef
    from tokencalc.sheet.price_sheet import PriceSheet

#: A price sheet, or a sheet file overlaid on the default one (like ``--prices FILE``).
Prices = Union["PriceSheet", str, Path, None]

_lock = threading.Lock()
_sheet_cache: dict[str, tuple[tuple[int, ...], PriceSheet]] = {}
#: model name → tokenizer, for the cached default sheet only (cleared when it is reloaded)
_refs: dict[tuple[str, str], TokenizerRef] = {}
#: (model, encoding) → canonical exact encoding, for calls already resolved without the sheet:
#: :func:`count_tokens` and :func:`count_tokens_batch` count those texts directly.
_exact_calls: dict[tuple[str | None, str | None], str] = {}


def resolved_exact(model: object, encoding: object) -> str | None:
    """The exact encoding of an earlier, identical call resolved without the sheet, or None."""
    if (model is None or type(model) is str) and (encoding is None or type(encoding) is str):
        return _exact_calls.get((model, encoding))
    return None


def load_prices(path: str | Path | None = None, *, user: bool = True) -> PriceSheet:
    """The price sheet: the packaged default, overlaid by your own sheet (unless
    ``user=False``) and then by ``path`` (a sheet file, like ``--prices FILE``).

    Raises :class:`~tokencalc.errors.PriceSheetError` listing every problem.

    >>> sheet = tokencalc.load_prices()
    >>> sheet.resolve("gpt-5").input  # US dollars per million input tokens
    Decimal('1.25')
    """
    from tokencalc.sheet.load import load_price_sheet

    return load_price_sheet(path_argument("path", path, optional=True), user_sheet=user)


def default_sheet() -> PriceSheet:
    from tokencalc.paths import user_sheet_path
    from tokencalc.sheet.load import load_price_sheet

    path = user_sheet_path()
    try:
        info = path.stat()
        state: tuple[int, ...] = (info.st_mtime_ns, info.st_size)
    except OSError:
        state = ()
    with _lock:
        cached = _sheet_cache.get(str(path))
        if cached is not None and cached[0] == state:
            return cached[1]
    sheet = load_price_sheet()
    with _lock:
        _sheet_cache[str(path)] = (state, sheet)
        for key in [k for k in _refs if k[0] == str(path)]:
            del _refs[key]
    return sheet


def sheet_for(prices: Prices) -> PriceSheet:
    if prices is None:
        return default_sheet()
    if isinstance(prices, (str, os.PathLike)):
        return load_prices(prices)
    from tokencalc.sheet.price_sheet import PriceSheet

    if not isinstance(prices, PriceSheet):
        raise UsageError(
            f"prices must be a PriceSheet, a sheet file's path or None, got {prices!r}"
        )
    return prices


@functools.lru_cache(maxsize=1024)
def exact_encoding(model: str) -> str | None:
    """The exact encoding tiktoken's table gives an OpenAI model name, or None."""
    from tokencalc.counting import encodings
    from tokencalc.errors import UnknownModelError

    try:
        return encodings.encoding_for_model(model)
    except UnknownModelError:
        return None


def tokenizer_ref(model: str | None, encoding: str | None, prices: Prices) -> TokenizerRef:
    """How to count: as ``tokencalc count --model/--encoding`` decides."""
    from tokencalc.counting import encodings
    from tokencalc.counting.encodings import TokenizerRef

    name_argument("model", model)
    name_argument("encoding", encoding)
    if prices is not None and not isinstance(prices, (str, os.PathLike)):
        sheet_for(prices)  # raises for anything that is not a sheet
    if model is not None and encoding is not None:
        raise UsageError("give model or encoding, not both")
    if model is None:
        name = encoding or encodings.DEFAULT_ENCODING
        _exact_calls[(None, encoding)] = encodings.canonical_encoding(name)  # unknown names raise
        return TokenizerRef(family=name, base=name)
    exact = exact_encoding(model)
    if exact is None:
        sheet = sheet_for(prices)
        if prices is not None:
            return sheet.tokenizer_for(sheet.resolve(model))
        # Looking a model up scans the sheet: remember the answer for the next row.
        from tokencalc.paths import user_sheet_path

        key = (str(user_sheet_path()), model)
        ref = _refs.get(key)
        if ref is None:
            ref = _refs[key] = sheet.tokenizer_for(sheet.resolve(model))
        return ref
    _exact_calls[(model, None)] = encodings.canonical_encoding(exact)
    return TokenizerRef(family=exact, base=exact)
