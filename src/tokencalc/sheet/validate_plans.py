"""Validating subscription plans (and naming an unknown model the way every section does)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from tokencalc.sheet.checks import Validator, show
from tokencalc.sheet.model import Plan, PlanLimit

_PLAN_REQUIRED = ("vendor", "name", "monthly_price", "models", "caps", "source", "as_of")
_PLAN_OPTIONAL = (
    "annual_monthly_price",
    "per_seat",
    "min_seats",
    "messages_per_day_cap",
    "notes",
    "aliases",
    "limits",
)
_LIMIT_KEYS = ("messages", "hours", "scope", "source")


def report_unknown_model(
    check: Validator,
    path: tuple[Any, ...],
    name: str,
    model_ids: Iterable[str],
    aliases: Mapping[str, str],
) -> None:
    target = {alias.lower(): model_id for alias, model_id in aliases.items()}.get(name.lower())
    if target is not None:
        check.problem(path, f"{name!r} is an alias; use the model id {target!r}")
        return
    close = difflib.get_close_matches(name, list(model_ids), n=3)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    check.problem(path, f"unknown model {name!r}{hint}")


def check_plan(
    check: Validator,
    plan_id: str,
    body: Mapping[str, Any],
    provider_ids: Sequence[str] | None,
    model_ids: Sequence[str] | None,
    aliases: Mapping[str, str],
) -> Plan | None:
    path = ("plans", plan_id)
    sound = check.keys(path, body, _PLAN_REQUIRED, _PLAN_OPTIONAL)
    vendor = body.get("vendor")
    if provider_ids is None:
        sound = False  # the providers section is broken (reported once)
    elif "vendor" in body and (not isinstance(vendor, str) or vendor not in provider_ids):
        check.problem(
            (*path, "vendor"),
            f"unknown provider {show(vendor)}; providers: {', '.join(sorted(provider_ids))}",
        )
        sound = False
    name = check.text((*path, "name"), body["name"]) if "name" in body else None
    monthly = (
        check.number((*path, "monthly_price"), body["monthly_price"])
        if "monthly_price" in body
        else None
    )
    annual = (
        check.number((*path, "annual_monthly_price"), body["annual_monthly_price"])
        if "annual_monthly_price" in body
        else None
    )
    per_seat = check.flag((*path, "per_seat"), body["per_seat"]) if "per_seat" in body else False
    min_seats = check.integer((*path, "min_seats"), body["min_seats"]) if "min_seats" in body else 1
    cap = (
        check.integer((*path, "messages_per_day_cap"), body["messages_per_day_cap"])
        if "messages_per_day_cap" in body
        else None
    )
    caps = check.text((*path, "caps"), body["caps"]) if "caps" in body else None
    source = check.text((*path, "source"), body["source"]) if "source" in body else None
    as_of = check.day((*path, "as_of"), body["as_of"]) if "as_of" in body else None
    notes = check.text((*path, "notes"), body["notes"]) if "notes" in body else None
    plan_aliases = check.strings((*path, "aliases"), body["aliases"]) if "aliases" in body else ()
    limits = _plan_limits(check, (*path, "limits"), body["limits"]) if "limits" in body else ()
    models = check.strings((*path, "models"), body["models"]) if "models" in body else None
    if models is not None and not models:
        check.problem((*path, "models"), "must name at least one model")
        models = None
    for index, model_id in enumerate(models or ()):
        if model_ids is None:
            sound = False  # the models section is broken (reported once)
        elif model_id not in model_ids:
            report_unknown_model(check, (*path, "models", index), model_id, model_ids, aliases)
            sound = False
    optional_bad = any(
        k in body and v is None
        for k, v in (
            ("annual_monthly_price", annual),
            ("messages_per_day_cap", cap),
            ("notes", notes),
        )
    )
    if (
        not sound
        or optional_bad
        or not isinstance(vendor, str)
        or name is None
        or monthly is None
        or per_seat is None
        or min_seats is None
        or caps is None
        or source is None
        or as_of is None
        or models is None
        or plan_aliases is None
        or limits is None
    ):
        return None
    return Plan(
        id=plan_id,
        vendor=vendor,
        name=name,
        monthly_price=monthly,
        models=models,
        caps=caps,
        source=source,
        as_of=as_of,
        annual_monthly_price=annual,
        per_seat=per_seat,
        min_seats=min_seats,
        messages_per_day_cap=cap,
        notes=notes,
        aliases=tuple(plan_aliases or ()),
        limits=limits,
    )


def _plan_limits(
    check: Validator, path: tuple[Any, ...], value: Any
) -> tuple[PlanLimit, ...] | None:
    """``limits = [{messages = 160, hours = 3, scope = "…", source = "…"}, …]`` of a plan."""
    if not isinstance(value, list):
        check.problem(path, f"must be a list of tables, got {show(value)}")
        return None
    limits = []
    for index, entry in enumerate(value):
        where = (*path, index)
        body = check.table(where, entry)
        if body is None or not check.keys(where, body, _LIMIT_KEYS):
            return None
        messages = check.integer((*where, "messages"), body["messages"])
        hours = check.integer((*where, "hours"), body["hours"])
        scope = check.text((*where, "scope"), body["scope"])
        source = check.text((*where, "source"), body["source"])
        if messages is None or hours is None or scope is None or source is None:
            return None
        limits.append(PlanLimit(messages, hours, scope, source))
    return tuple(limits)
