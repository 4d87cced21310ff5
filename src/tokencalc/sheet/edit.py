"""Changing the user's price sheet safely, and comparing sheets.

The user sheet overlays the packaged default (docs/price-sheet.md). Every change here
works on the user sheet's raw TOML data: it changes only what was asked and keeps every
other entry as it was. Before anything is written, the would-be result (packaged sheet +
new user sheet) is validated exactly as the loader validates it, and an invalid result is
refused with the problems named. Writes are atomic (a temporary file in the same
directory, flushed and renamed) and the previous user sheet is kept as ``pricing.toml.bak``.

TOML comments in the user sheet are not kept (``tomli-w`` writes data only); the backup
keeps the previous text. Nothing here prints or exits.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from tokencalc.errors import (
    PriceSheetError,
    TokencalcError,
    UnknownModelError,
    UsageError,
)
from tokencalc.sheet.load import (
    decode_sheet,
    os_reason,
    parse_sheet_text,
    read_sheet_layer,
    user_sheet_hint,
)
from tokencalc.sheet.merge import merge_layers
from tokencalc.sheet.model import MODEL_NAME, MODEL_NAME_RULE, PRICE_FIELDS, TIERS, SheetLayer
from tokencalc.sheet.price_sheet import PriceSheet
from tokencalc.sheet.validate import build_price_sheet, shape_problems

#: Written at the top of the user sheet, because tomli-w cannot keep comments.
HEADER = (
    "# tokencalc user price sheet: overlays the packaged default (see docs/price-sheet.md).\n"
    "# Written by 'tokencalc prices'; comments are not kept (the previous version is in the .bak file).\n"
)
#: What a model the packaged sheet does not have must be given (``name`` defaults to the id).
NEW_MODEL_FIELDS = ("provider", "tokenizer", "input", "output", "context_window")
#: The fields of a model ``tokencalc prices set`` can change, in display order.
MODEL_FIELDS = (
    "provider",
    "name",
    "tokenizer",
    *PRICE_FIELDS,
    "context_window",
    "max_output",
    "aliases",
    "source",
    "as_of",
    "notes",
    "deprecated",
)
SECTIONS = ("providers", "tokenizers", "models", "plans")


# --- reading the user sheet ---------------------------------------------------------------


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
        from tokencalc.paths import user_sheet_path

        path = user_sheet_path()
    from tokencalc.limits import SHEET_SIZE, FileLimitError, read_limited

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
    return merge_layers(_layers(user.data, user.label, base))


def _layers(data: dict[str, Any] | None, label: str, base: SheetLayer | None) -> list[SheetLayer]:
    layers = [base if base is not None else read_sheet_layer()]
    if data:
        layers.append(SheetLayer(label, data))
    return layers


# --- comparing sheets -----------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    """One field that differs between two sheets. ``old``/``new`` None: absent on that side."""

    section: str  # "models", "providers", "tokenizers", "plans", "currencies", or "" (top level)
    entry: str | None  # the entry id; None for currencies and top-level keys
    field: str  # dotted path inside the entry ("input", "batch.multiplier"), a currency code or a top-level key
    old: Any
    new: Any

    @property
    def kind(self) -> str:
        if self.old is None:
            return "added"
        if self.new is None:
            return "removed"
        return "changed"

    @property
    def where(self) -> str:
        """The field as validation messages name it: ``models."gpt-5".input``."""
        if self.entry is None:
            return f"{self.section}.{self.field}" if self.section else self.field
        return f"{self.section}.{json.dumps(self.entry, ensure_ascii=False)}.{self.field}"


def flatten(entry: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """A table's values by dotted path (``{"batch": {"multiplier": 0.5}}`` → ``batch.multiplier``)."""
    flat: dict[str, Any] = {}
    for key, value in entry.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{path}."))
        else:
            flat[path] = value
    return flat


def same_value(a: Any, b: Any) -> bool:
    """Equal as the sheet means them: ``2``, ``2.0`` and ``Decimal("2")`` are one price."""
    if _is_number(a) and _is_number(b):
        return Decimal(str(a)) == Decimal(str(b))
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def diff_entries(
    section: str, entry: str | None, old: Mapping[str, Any] | None, new: Mapping[str, Any] | None
) -> list[FieldChange]:
    """Field-by-field differences of one entry (either side may be absent, or not a table)."""
    before, after = _fields(old), _fields(new)
    changes = []
    for key in [*before, *(k for k in after if k not in before)]:
        a, b = before.get(key), after.get(key)
        if a is None or b is None or not same_value(a, b):
            changes.append(FieldChange(section, entry, key, a, b))
    return changes


#: How a broken entry (``models."gpt-5" = 3``) shows in a diff: one field standing for it.
NOT_A_TABLE = "(not a table)"


def _fields(entry: Any) -> dict[str, Any]:
    if entry is None:
        return {}
    if isinstance(entry, Mapping):
        return flatten(entry)
    return {NOT_A_TABLE: entry}


def diff_sheets(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[FieldChange]:
    """Every difference between two sheets' raw data: top-level keys, then entry by entry."""
    changes: list[FieldChange] = []
    top = [k for k in (*old, *new) if k not in (*SECTIONS, "currencies")]
    for key in dict.fromkeys(top):
        a, b = old.get(key), new.get(key)
        if a is None or b is None or not same_value(a, b):
            changes.append(FieldChange("", None, key, a, b))
    for section in SECTIONS:
        a_entries, b_entries = old.get(section) or {}, new.get(section) or {}
        for entry_id in dict.fromkeys([*a_entries, *b_entries]):
            changes.extend(
                diff_entries(section, entry_id, a_entries.get(entry_id), b_entries.get(entry_id))
            )
    changes.extend(
        FieldChange("currencies", None, c.field, c.old, c.new)
        for c in diff_entries("currencies", None, old.get("currencies"), new.get("currencies"))
    )
    return changes


def show_value(value: Any) -> str:
    """A sheet value for people: plain decimals, ISO dates, lists comma-separated."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if _is_number(value):
        text = f"{Decimal(str(value)).normalize():f}"
        return "0" if text in ("-0", "") else text
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(show_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {show_value(v)}" for k, v in value.items()) + "}"
    return str(value)


# --- finding models -------------------------------------------------------------------------


def find_model_id(merged: Mapping[str, Any], name: str) -> str | None:
    """The id of the model called ``name`` (an id or alias, any case) in raw sheet data."""
    models = merged.get("models")
    if not isinstance(models, dict):
        return None
    key = name.strip().lower()
    for model_id in models:
        if model_id.lower() == key:
            return model_id
    for model_id, body in models.items():
        aliases = body.get("aliases") if isinstance(body, dict) else None
        if isinstance(aliases, list) and any(
            isinstance(a, str) and a.strip().lower() == key for a in aliases
        ):
            return model_id
    return None


def _suggest(merged: Mapping[str, Any], name: str) -> list[str]:
    import difflib

    models = merged.get("models")
    names = list(models) if isinstance(models, dict) else []
    return difflib.get_close_matches(name.strip().lower(), names, n=3, cutoff=0.6)


# --- edits: pure functions from user-sheet data to new user-sheet data ----------------------


def set_dotted(table: dict[str, Any], path: str, value: Any) -> None:
    """Set ``a.b.c`` in nested dicts; a service tier drops the other form (multiplier vs prices)."""
    *parents, last = path.split(".")
    here = table
    for part in parents:
        child = here.get(part)
        if not isinstance(child, dict):
            child = here[part] = {}
        here = child
    if parents and parents[-1] in TIERS and len(parents) == 1:
        # A tier is a multiplier or explicit prices, never both in one file.
        if last == "multiplier":
            for name in PRICE_FIELDS:
                here.pop(name, None)
        elif last in PRICE_FIELDS:
            here.pop("multiplier", None)
    here[last] = value


def user_key(table: Mapping[str, Any], model_id: str) -> str:
    """The key the user sheet uses for ``model_id`` (ids are case-insensitive), else the id."""
    return next((key for key in table if key.lower() == model_id.lower()), model_id)


def set_model_values(
    user: UserSheet,
    merged: Mapping[str, Any],
    name: str,
    values: Mapping[str, Any],
) -> tuple[dict[str, Any], str]:
    """The user data with ``values`` (dotted field → value) set on model ``name``; and its id.

    ``name`` may be an id or alias of a model in the effective sheet (``merged``); a name the
    sheet does not know adds a new model, which needs every field in
    :data:`NEW_MODEL_FIELDS` (``name`` defaults to the id) and an id that can be named on
    a command line (no spaces, no glob characters).
    """
    if not values:
        raise UsageError("nothing to set: give at least one field, e.g. --input 2.5 (see --help)")
    require_shape(user)
    model_id = find_model_id(merged, name)
    data = copy.deepcopy(dict(user.data))
    if model_id is None:
        model_id = name.strip()
        if not MODEL_NAME.match(model_id):
            raise UsageError(f"{model_id!r} cannot be a model id: an id must {MODEL_NAME_RULE}")
        missing = [f for f in NEW_MODEL_FIELDS if f not in values]
        if missing:
            close = _suggest(merged, model_id)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            options = ", ".join("--" + f.replace("_", "-") for f in missing)
            raise UsageError(
                f"{model_id!r} is not in the price sheet{hint}; to add it as a new model also give {options} "
                "(a new model needs a provider, a tokenizer, input and output prices and a context window)"
            )
        values = {"name": model_id, **values}
        # A new entry reads best in the schema's order: provider, name, tokenizer, prices…
        order = {name: index for index, name in enumerate(MODEL_FIELDS)}
        values = dict(
            sorted(values.items(), key=lambda kv: order.get(kv[0].split(".")[0], len(order)))
        )
    models = data.setdefault("models", {})
    entry = models.setdefault(user_key(models, model_id), {})
    for path, value in values.items():
        set_dotted(entry, path, value)
    return data, model_id


def unset_model_value(
    user: UserSheet, merged: Mapping[str, Any], name: str, field: str | None = None
) -> tuple[dict[str, Any], str]:
    """The user data without its override of model ``name`` (or of one dotted ``field``).

    Removing a whole model works even when its entry is broken (``models."gpt-5" = 3``).
    """
    data = copy.deepcopy(dict(user.data))
    models = data.get("models") or {}
    if not isinstance(models, dict):
        require_shape(user)  # raises: the models section itself is broken
    resolved = find_model_id(merged, name)
    wanted = {name.strip().lower(), *([resolved.lower()] if resolved is not None else [])}
    model_id = next((m for m in models if m.lower() == name.strip().lower()), None)
    if model_id is None:
        model_id = next((m for m in models if m.lower() in wanted), None)
    require_shape(
        user, ignore=(("models", model_id),) if model_id is not None and field is None else ()
    )
    if model_id is None:
        if resolved is None:
            raise UnknownModelError(name, _suggest(merged, name))
        raise TokencalcError(
            f"model {resolved!r} has no override in your price sheet; nothing to unset "
            "(its prices come from the packaged sheet)"
        )
    if field is None:
        del models[model_id]
    else:
        path = field.strip().replace("-", "_")
        entry = models[model_id]
        if not _pop_dotted(entry, path):
            listed = ", ".join(flatten(entry)) or "nothing"
            raise TokencalcError(
                f"model {model_id!r} has no {path!r} override in your price sheet (it overrides: {listed})"
            )
        if not entry:
            del models[model_id]
    if not models:
        data.pop("models", None)
    return data, model_id


def _pop_dotted(table: dict[str, Any], path: str) -> bool:
    *parents, last = path.split(".")
    chain = [table]
    for part in parents:
        child = chain[-1].get(part)
        if not isinstance(child, dict):
            return False
        chain.append(child)
    if last not in chain[-1]:
        return False
    del chain[-1][last]
    for parent, part in zip(reversed(chain[:-1]), reversed(parents)):
        if parent[part]:
            break
        del parent[part]  # an emptied sub-table (batch, long_context) means nothing
    return True


def set_currency_rate(user: UserSheet, code: str, rate: Decimal) -> dict[str, Any]:
    """The user data with ``currencies.CODE = rate`` (units of CODE per US dollar)."""
    import re

    code = code.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise UsageError(f"currency code must be three letters like EUR, got {code!r}")
    if code == "USD":
        raise UsageError("USD is the sheet's own currency; its rate is always 1")
    if not rate.is_finite() or rate <= 0:
        raise UsageError(f"rate must be a positive number of {code} per US dollar, got {rate}")
    require_shape(user)
    data = copy.deepcopy(dict(user.data))
    data.setdefault("currencies", {})[code] = rate
    return data


def unset_currency_rate(user: UserSheet, code: str) -> dict[str, Any]:
    require_shape(user)
    data = copy.deepcopy(dict(user.data))
    code = code.strip().upper()
    rates = data.get("currencies") or {}
    if code not in rates:
        listed = ", ".join(rates) or "none"
        raise TokencalcError(f"your price sheet has no rate for {code} (it has: {listed})")
    del rates[code]
    if not rates:
        data.pop("currencies", None)
    return data


# --- checking and writing ---------------------------------------------------------------------


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
        sheet = build_price_sheet(_layers(data, user.label, base))
    except PriceSheetError as exc:
        try:
            build_price_sheet(_layers(user.data, user.label, base))
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
    before = merge_layers(_layers(user.data, user.label, base))
    after = merge_layers(_layers(data, user.label, base))
    return SheetEdit(user, data, tuple(diff_sheets(before, after)), sheet)


def _listed(intro: str, problems: list[str], outro: str) -> str:
    if len(problems) == 1:
        return f"{intro}: {problems[0]}; {outro}"
    lines = "\n  ".join(problems)
    return f"{intro}:\n  {lines}\n{outro}"


def render_sheet(data: Mapping[str, Any]) -> bytes:
    """The user sheet as TOML text (header comment first)."""
    import tomli_w

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
    from tokencalc.atomic import NotARegularFile, existing_mode, resolved_target, write_bytes_atomic
    from tokencalc.limits import SHEET_SIZE, FileLimitError, read_limited

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


# --- sheets named on the command line --------------------------------------------------------


def sheet_data(name: str | None, *, user: bool = True) -> tuple[dict[str, Any], str]:
    """Raw data of a sheet named on the command line, validated, and how to call it.

    ``default`` (or ``packaged``) is the packaged sheet; ``effective`` (or None) the
    packaged sheet with the user sheet overlaid; anything else is a file: a complete sheet
    is taken as it is, a partial one (an overlay) on top of the packaged sheet.
    """
    from tokencalc.paths import user_sheet_path

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
