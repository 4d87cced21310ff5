"""Loading the price sheet: the packaged ``pricing.toml``, overlaid by the user's sheet and then
``--prices FILE`` (docs/price-sheet.md). Every problem found in any of them is collected and
raised together as one :class:`~tokencalc.errors.PriceSheetError`, each naming the file, the
entry and the field at fault. TOML floats are read through ``str`` so ``0.1`` stays ``0.1``.
"""

from __future__ import annotations

import copy
import functools
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tokencalc.errors import PriceSheetError
from tokencalc.limits import SHEET_SIZE, FileLimitError, read_limited
from tokencalc.paths import packaged_sheet, user_sheet_path
from tokencalc.sheet.checks import sheet_error
from tokencalc.sheet.merge import merge_layers
from tokencalc.sheet.model import PACKAGED_LABEL, SheetLayer
from tokencalc.sheet.price_sheet import PriceSheet
from tokencalc.sheet.validate import build_price_sheet

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def load_price_sheet(
    prices_file: Path | None = None,
    *,
    user_sheet: bool = True,
    base_sheet: Path | None = None,
) -> PriceSheet:
    """The packaged sheet, overlaid by the user sheet (if it exists) and then ``prices_file``.

    ``base_sheet`` replaces the packaged default (to validate a complete sheet of one's
    own, and in tests). The result keeps the parsed files as :attr:`PriceSheet.layers`.
    Raises :class:`PriceSheetError` listing every problem in every file.
    """
    texts: list[tuple[str, str | None, str | None]] = []  # label, text, read problem
    if base_sheet is None:
        texts.append(_read_packaged())
    else:
        texts.append(_read_file(base_sheet))
    if user_sheet:
        path = user_sheet_path()
        if path.exists():
            texts.append(_read_file(path))
    if prices_file is not None:
        texts.append(_read_file(prices_file))
    return _built_sheet(tuple(texts))


#: Sheets built in this process, by the files' labels and texts. A PriceSheet is immutable
#: (frozen entries, read-only mappings; merging copies the layers' data), so files read again
#: with the same text are not parsed and validated again (~20 ms each time: a process that
#: runs the CLI in-process many times, like the test suite, paid it per run). Any change to a
#: file's text is a new key; a sheet with problems raises every time (errors are not cached).
_BUILT_SHEETS = 8


@functools.lru_cache(maxsize=_BUILT_SHEETS)
def _built_sheet(texts: tuple[tuple[str, str | None, str | None], ...]) -> PriceSheet:
    problems: list[str] = []
    layers: list[SheetLayer] = []
    for label, text, problem in texts:
        if problem is not None:
            problems.append(problem)
            continue
        assert text is not None
        try:
            layers.append(SheetLayer(label, _parsed_text(text, label)))
        except PriceSheetError as exc:
            problems.extend(exc.problems)
    try:
        if problems:
            raise sheet_error(problems)
        return build_price_sheet(layers)
    except PriceSheetError as exc:
        raise _with_user_sheet_hint(exc) from None


def _parsed_text(text: str, label: str) -> dict[str, Any]:
    """:func:`parse_sheet_text` without the copy, for layers of a built sheet, whose data nothing
    changes (merging copies it): the packaged sheet under a user sheet or ``--prices`` file that
    changed is not parsed again."""
    try:
        return _parsed_once(text)
    except (RecursionError, ValueError) as exc:  # TOMLDecodeError is a ValueError
        raise _toml_error(exc, text, label) from None


#: Texts parsed in this process (the packaged sheet above all: a process that runs the CLI
#: in-process many times, like the test suite, read and parsed its ~100 KB at every command
#: that reads the sheet's layers, ~12 ms each time). A parse that fails is not kept.
_PARSED_TEXTS = 16


@functools.lru_cache(maxsize=_PARSED_TEXTS)
def _parsed_once(text: str) -> dict[str, Any]:
    return tomllib.loads(text)


def user_sheet_hint(path: Path) -> str:
    """How to repair a broken user sheet (appended to errors that name it)."""
    return (
        f"{path} is your own price sheet: 'tokencalc prices validate {path}' lists every problem; "
        f"fix them, or move the file aside (mv {path} {path}.broken) to use the packaged prices"
    )


def _with_user_sheet_hint(exc: PriceSheetError) -> PriceSheetError:
    # Every command that loads the sheet fails on a broken user sheet; say how to get out.
    path = user_sheet_path()
    if not any(problem.startswith(f"{path}:") for problem in exc.problems):
        return exc
    joiner = "\n  " if "\n" in exc.message else "; "
    return PriceSheetError(f"{exc.message}{joiner}{user_sheet_hint(path)}", exc.problems)


def read_sheet_layer(path: Path | None = None) -> SheetLayer:
    """One sheet file, parsed but not validated (None: the packaged default).

    Raises :class:`PriceSheetError` when it cannot be read or is not TOML.
    """
    label, text, problem = _read_packaged() if path is None else _read_file(path)
    if problem is not None:
        raise sheet_error([problem])
    assert text is not None
    return SheetLayer(label, parse_sheet_text(text, label))


def packaged_sheet_location() -> str:
    """Where the packaged default sheet is installed (for people to read, not to edit)."""
    return str(packaged_sheet())


def _read_packaged() -> tuple[str, str | None, str | None]:
    try:
        data = packaged_sheet().read_bytes()
    except OSError as exc:
        return (
            PACKAGED_LABEL,
            None,
            f"{PACKAGED_LABEL}: cannot read the packaged price sheet: {os_reason(exc)}; reinstall tokencalc",
        )
    return _decode(PACKAGED_LABEL, data)


def _read_file(path: Path) -> tuple[str, str | None, str | None]:
    label = str(path)
    try:
        data = read_limited(Path(path), SHEET_SIZE, "price sheet")
    except FileLimitError as exc:
        return label, None, exc.message
    except OSError as exc:
        return label, None, f"{label}: cannot read: {os_reason(exc)}"
    return _decode(label, data)


def _decode(label: str, data: bytes) -> tuple[str, str | None, str | None]:
    try:
        return label, decode_sheet(data), None
    except UnicodeDecodeError as exc:
        return label, None, f"{label}: not UTF-8 text (invalid byte at offset {exc.start})"


def decode_sheet(data: bytes) -> str:
    """A sheet file's text: UTF-8, with or without the byte-order mark some editors write."""
    return data.decode("utf-8-sig")


def os_reason(exc: OSError) -> str:
    """Why a file could not be read or written, in a few lower-case words."""
    if isinstance(exc, FileNotFoundError):
        return "no such file or directory"
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, IsADirectoryError):
        return "is a directory"
    if isinstance(exc, (NotADirectoryError, FileExistsError)):
        return "a path component is a file, not a directory"
    return (exc.strerror or str(exc)).lower()


_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


def parse_sheet_text(text: str, label: str) -> dict[str, Any]:
    """Parse TOML; a syntax error becomes a :class:`PriceSheetError` naming file, line and column.

    The data is the caller's own to change: a deep copy of the parse (kept by text, see
    ``_parsed_once``)."""
    data: dict[str, Any] = copy.deepcopy(_parsed_text(text, label))
    return data


def _toml_error(exc: RecursionError | ValueError, text: str, label: str) -> PriceSheetError:
    """What is wrong with a text TOML could not parse, naming file, line and column."""
    if isinstance(exc, RecursionError):
        return PriceSheetError(f"{label}: invalid TOML: arrays or tables nested too deeply")
    if isinstance(exc, tomllib.TOMLDecodeError):
        message = str(getattr(exc, "msg", None) or exc)
        line, column = getattr(exc, "lineno", None), getattr(exc, "colno", None)
        found = _TOML_POSITION.search(message)
        if found:
            line, column = int(found.group(1)), int(found.group(2))
            message = message[: found.start()]
        elif message.endswith("(at end of document)"):
            message = message[: -len("(at end of document)")].rstrip()
            line = text.count("\n") + 1
            column = len(text.rsplit("\n", 1)[-1]) + 1
        where = f"line {line}, column {column}: " if line else ""
        return PriceSheetError(f"{label}: {where}invalid TOML: {message}")
    # An integer of more than 4,300 digits (Python's limit on int from text), and the like.
    reason = str(exc).split(";")[0]
    return PriceSheetError(f"{label}: invalid TOML: a value cannot be read ({reason})")


# --- sheets named on the command line --------------------------------------------------------


def sheet_data(name: str | None, *, user: bool = True) -> tuple[dict[str, Any], str]:
    """Raw data of a sheet named on the command line, validated, and how to call it.

    ``default`` (or ``packaged``) is the packaged sheet; ``effective`` (or None) the
    packaged sheet with the user sheet overlaid; anything else is a file: a complete sheet
    is taken as it is, a partial one (an overlay) on top of the packaged sheet.
    """
    if name in ("default", "packaged"):
        base = read_sheet_layer()
        build_price_sheet([base])
        return base.data, "packaged sheet"
    if name in (None, "effective"):
        layers = [read_sheet_layer()]
        path = user_sheet_path()
        if user and path.exists():
            layers.append(read_sheet_layer(path))
        build_price_sheet(layers)
        return merge_layers(layers), "effective sheet" if len(
            layers
        ) > 1 else "packaged sheet (no user sheet)"
    path = Path(name)
    layer = read_sheet_layer(path)
    if is_complete(layer):
        return layer.data, str(path)
    layers = [read_sheet_layer(), layer]
    build_price_sheet(layers)
    return merge_layers(layers), f"packaged sheet + {path}"


def is_complete(layer: SheetLayer) -> bool:
    """True when the file is a whole, valid sheet on its own (not only an overlay)."""
    try:
        build_price_sheet([layer])
    except PriceSheetError:
        return False
    return True


def count_entries(data: Mapping[str, Any]) -> tuple[int, int]:
    """(models, plans) in raw sheet data."""
    return len(data.get("models") or {}), len(data.get("plans") or {})
