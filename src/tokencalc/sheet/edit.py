"""Changing the user's price sheet: pure functions from user-sheet data to new user-sheet data.

Each edit (set or unset a model's fields, set or unset a currency rate) changes only what was
asked and keeps every other entry as it was; a model is found by id or alias in the raw data.
:func:`tokencalc.sheet.user_sheet.plan_edit` then validates the would-be result exactly as the
loader would, and :func:`~tokencalc.sheet.user_sheet.write_edit` writes it. Nothing here prints
or exits.
"""

from __future__ import annotations

import copy
import difflib
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from tokencalc.errors import (
    TokencalcError,
    UnknownModelError,
    UsageError,
)
from tokencalc.sheet.diff import flatten
from tokencalc.sheet.model import MODEL_NAME, MODEL_NAME_RULE, PRICE_FIELDS, TIERS
from tokencalc.sheet.model_fields import MODEL_VALUES, NEW_MODEL_REQUIRED
from tokencalc.sheet.user_sheet import UserSheet, require_shape
from tokencalc.wording import Arg

# --- finding models -------------------------------------------------------------------------


def find_model_id(merged: Mapping[str, Any], name: str) -> str | None:
    """The id of the model called ``name`` (an id or alias, any case) in raw sheet data."""
    found = merged.get("models")
    if not isinstance(found, dict):
        return None
    models: dict[str, Any] = found
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
    :data:`NEW_MODEL_REQUIRED` (``name`` defaults to the id) and an id that can be named on
    a command line (no spaces, no glob characters).
    """
    if not values:
        raise UsageError.naming(
            "nothing to set: give at least one field, e.g. ", Arg("input"), " 2.5 (see ",
            Arg("help"), ")",
        )  # fmt: skip
    require_shape(user)
    model_id = find_model_id(merged, name)
    data = copy.deepcopy(dict(user.data))
    if model_id is None:
        model_id = name.strip()
        if not MODEL_NAME.match(model_id):
            raise UsageError(f"{model_id!r} cannot be a model id: an id must {MODEL_NAME_RULE}")
        missing = [f for f in NEW_MODEL_REQUIRED if f not in values]
        if missing:
            close = _suggest(merged, model_id)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            fields: list[str | Arg] = []
            for field in missing:
                fields += [", " if fields else "", Arg(field)]
            raise UsageError.naming(
                f"{model_id!r} is not in the price sheet{hint}; to add it as a new model also give ",
                *fields,
                " (a new model needs a provider, a tokenizer, input and output prices and a context window)",
            )
        values = {"name": model_id, **values}
        # A new entry reads best in the schema's order: provider, name, tokenizer, prices…
        order = {name: index for index, name in enumerate(MODEL_VALUES)}
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
    for parent, part in zip(reversed(chain[:-1]), reversed(parents), strict=True):
        if parent[part]:
            break
        del parent[part]  # an emptied sub-table (batch, long_context) means nothing
    return True


def set_currency_rate(user: UserSheet, code: str, rate: Decimal) -> dict[str, Any]:
    """The user data with ``currencies.CODE = rate`` (units of CODE per US dollar)."""
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
