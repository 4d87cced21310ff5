"""The user's price sheet file: reading it, validating an edit of it as the loader would, and
writing it atomically with the previous version kept as ``pricing.toml.bak``.

The user sheet overlays the packaged default (docs/price-sheet.md). TOML comments in it are not
kept (``tomli-w`` writes data only); the backup keeps the previous text. Nothing here prints
or exits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import tomli_w

from tokencalc.atomic import NotARegularFile, existing_mode, resolved_target, write_bytes_atomic
from tokencalc.errors import (
    PriceSheetError,
    TokencalcError,
)
from tokencalc.limits import SHEET_SIZE, FileLimitError, read_limited
from tokencalc.paths import user_sheet_path
from tokencalc.sheet.diff import FieldChange, diff_sheets, same_value
from tokencalc.sheet.load import (
    decode_sheet,
    os_reason,
    parse_sheet_text,
    read_sheet_layer,
    user_sheet_hint,
)
from tokencalc.sheet.merge import merge_layers
from tokencalc.sheet.model import SheetLayer
from tokencalc.sheet.price_sheet import PriceSheet
from tokencalc.sheet.validate import build_price_sheet, shape_problems

#: Written at the top of the user sheet, because tomli-w cannot keep comments.
HEADER = (
    "# tokencalc user price sheet: overlays the packaged default (see docs/price-sheet.md).\n"
    "# Written by 'tokencalc prices'; comments are not kept (the previous version is in the .bak file).\n"
)


@dataclass(frozen=True)
class UserSheet:
    """The user sheet as it is on disk: its raw data (empty when the file does not exist)."""

    path: Path
    data: dict[str, Any]
    original: bytes | None  # the file's bytes, None when it does not exist

    @property
    def exists(self) -> bool:
        return self.original is not None

    @property
    def label(self) -> str:
        return str(self.path)


def read_user_sheet(path: Path | None = None) -> UserSheet:
    """Read the user sheet (default: :func:`tokencalc.paths.user_sheet_path`).

    A file that cannot be read or is not TOML raises :class:`PriceSheetError` naming it and
    saying how to get out (validate it, or move it aside).
    """
    if path is None:
        path = user_sheet_path()

    try:
        original = read_limited(path, SHEET_SIZE, "price sheet")
    except FileLimitError as exc:
        raise PriceSheetError(f"{exc.message}; {user_sheet_hint(path)}") from None
    except (FileNotFoundError, NotADirectoryError):
        return UserSheet(path, {}, None)  # as the loader sees it: no user sheet
    except IsADirectoryError:
        raise PriceSheetError(f"{path}: is a directory, not a price sheet; move it aside") from None
    except OSError as exc:
        raise PriceSheetError(f"{path}: cannot read: {os_reason(exc)}") from None
    try:
        text = decode_sheet(original)
        data = parse_sheet_text(text, str(path))
    except UnicodeDecodeError as exc:
        raise PriceSheetError(
            f"{path}: not UTF-8 text (invalid byte at offset {exc.start}); {user_sheet_hint(path)}"
        ) from None
    except PriceSheetError as exc:
        raise PriceSheetError(
            f"cannot change {exc.message}; {user_sheet_hint(path)}", exc.problems
        ) from None
    return UserSheet(path, data, original)


def require_shape(user: UserSheet, *, ignore: tuple[tuple[str, str], ...] = ()) -> None:
    """Refuse to edit a user sheet whose sections or entries are not tables (``models = 3``).

    Such a sheet cannot be changed key by key; the error names the file, the entry and the
    way out. ``ignore`` lists entries (section, id) the edit is about to remove whole.
    """
    problems = shape_problems(SheetLayer(user.label, user.data), ignore=ignore)
    if problems:
        intro = f"cannot change {user.path}: it is not valid now"
        raise PriceSheetError(_listed(intro, problems, user_sheet_hint(user.path)), problems)


def effective_data(user: UserSheet, base: SheetLayer | None = None) -> dict[str, Any]:
    """The packaged sheet (or ``base``) overlaid by the user sheet, as raw data."""
    return merge_layers(layers_over(user.data, user.label, base))


def layers_over(
    data: dict[str, Any] | None, label: str, base: SheetLayer | None
) -> list[SheetLayer]:
    layers = [base if base is not None else read_sheet_layer()]
    if data:
        layers.append(SheetLayer(label, data))
    return layers


@dataclass(frozen=True)
class SheetEdit:
    """A change to the user sheet, validated and not yet written."""

    user: UserSheet
    data: dict[str, Any]  # the new user-sheet data
    changes: tuple[FieldChange, ...]  # how the effective sheet changes
    sheet: PriceSheet  # the effective sheet after the change

    @property
    def writes(self) -> bool:
        """False when the user sheet would stay as it is (nothing to write)."""
        return not (self.user.exists and same_value(self.user.data, self.data))


def plan_edit(
    user: UserSheet, data: dict[str, Any], *, base: SheetLayer | None = None
) -> SheetEdit:
    """Validate the packaged sheet overlaid by ``data`` and describe what changes.

    Raises :class:`PriceSheetError` naming every problem when the result would be invalid:
    as a refusal, or — when the user sheet was already broken before this change — as a
    request to repair it first.
    """
    base = base if base is not None else read_sheet_layer()
    # Validate exactly what will be read back: the data as TOML text, parsed again.
    data = parse_sheet_text(render_sheet(data).decode("utf-8"), user.label)
    try:
        sheet = build_price_sheet(layers_over(data, user.label, base))
    except PriceSheetError as exc:
        try:
            build_price_sheet(layers_over(user.data, user.label, base))
            already_broken = False
        except PriceSheetError:
            already_broken = True
        if already_broken:
            intro = f"cannot change {user.path}: it is not valid now"
            outro = user_sheet_hint(user.path)
        else:
            intro = f"not written: the change would make {user.path} invalid"
            outro = "nothing was changed"
        raise PriceSheetError(_listed(intro, exc.problems, outro), exc.problems) from None
    before = merge_layers(layers_over(user.data, user.label, base))
    after = merge_layers(layers_over(data, user.label, base))
    return SheetEdit(user, data, tuple(diff_sheets(before, after)), sheet)


def _listed(intro: str, problems: list[str], outro: str) -> str:
    if len(problems) == 1:
        return f"{intro}: {problems[0]}; {outro}"
    lines = "\n  ".join(problems)
    return f"{intro}:\n  {lines}\n{outro}"


def render_sheet(data: Mapping[str, Any]) -> bytes:
    """The user sheet as TOML text (header comment first)."""
    return (HEADER + "\n" + tomli_w.dumps(_toml_ready(data))).encode("utf-8")


def _toml_ready(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _toml_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_toml_ready(v) for v in value]
    if isinstance(value, Decimal):
        return Decimal(f"{value.normalize():f}")  # plain digits, written as a TOML float
    return value


def backup_path(path: Path) -> Path:
    return path.with_name(path.name + ".bak")


def write_edit(edit: SheetEdit) -> Path | None:
    """Write the edited user sheet atomically, keeping the previous one as ``.bak``.

    Call it inside :func:`tokencalc.sheet.lock.sheet_lock` held since the sheet was read, so
    that concurrent edits serialise; a sheet changed on disk since it was read (by something
    that does not take the lock) is not overwritten. The ``.bak`` is the sheet as it was
    before this edit; both files keep the sheet's permission bits (a new sheet follows the
    umask), and anything at the path that is not a regular file is refused.

    Returns the backup's path (None when there was no previous sheet). Nothing is written
    when :attr:`SheetEdit.writes` is false. Any failure leaves the previous sheet as it was.
    """
    path = edit.user.path
    if not edit.writes:
        return None
    payload = render_sheet(edit.data)
    # The text must read back as the very data that was validated.
    if not same_value(parse_sheet_text(payload.decode("utf-8"), str(path)), edit.data):
        raise TokencalcError(
            f"internal error: {path} would not read back as written; nothing was changed"
        )
    backup = None
    # A user sheet that is a symbolic link (dotfiles kept in a repository) stays one: the
    # new text goes to the file it points to, and the backup beside that file.
    target = resolved_target(path)
    try:
        mode = existing_mode(target)  # None: a new file, made with the umask's mode
        on_disk = read_limited(target, SHEET_SIZE, "price sheet") if mode is not None else None
        if on_disk != edit.user.original:
            raise TokencalcError(
                f"{path} changed on disk while this edit was being prepared (by an editor?); "
                "nothing was changed: run the command again"
            )
        if edit.user.original is not None:
            backup = backup_path(target)
            write_bytes_atomic(backup, edit.user.original, mode=mode)
        write_bytes_atomic(target, payload, mode=mode)
    except NotARegularFile:
        raise TokencalcError(
            f"cannot write {path}: not a regular file (a device, FIFO or directory); nothing was changed"
        ) from None
    except FileLimitError as exc:
        raise TokencalcError(f"cannot write {path}: {exc.message}; nothing was changed") from None
    except OSError as exc:
        directory = target.parent
        raise TokencalcError(
            f"cannot write {path}: {os_reason(exc)}; nothing was changed "
            f"(make {directory} writable, or set TOKENCALC_HOME to a writable directory)"
        ) from None
    return backup
