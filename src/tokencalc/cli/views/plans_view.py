"""How ``tokencalc plans`` shows its comparison: the table and the JSON document."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tokencalc.cli.env import Environment
from tokencalc.cli.flags import flag
from tokencalc.cli.phrasing import plan_notes, plan_warning
from tokencalc.cli.views.render import (
    Column,
    OutputFormat,
    bar,
    pictures_wanted,
    write_json,
    write_rows,
)
from tokencalc.plans.core import PlanComparison, PlanRow
from tokencalc.plans.notes import SAID_ONCE
from tokencalc.plans.profile import UsageProfile
from tokencalc.plans.sample_counts import row_counting
from tokencalc.pricing.costs import decimal_text, format_money
from tokencalc.sheet.price_sheet import PriceSheet
from tokencalc.wording import spell


def _count_value(value: Decimal | int) -> int | float:
    """A count for JSON: an integer when whole, else a float."""

    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def _profile_document(profile: UsageProfile) -> dict[str, Any]:
    return {
        "conversations_per_day": _count_value(profile.conversations_per_day),
        "turns": profile.turns,
        "messages_per_day": _count_value(profile.messages_per_day),
        "message_tokens": profile.message_tokens,
        "sample": profile.sample,
        "reply_tokens": profile.reply_tokens,
        "reasoning_tokens": profile.reasoning_tokens,
        "system_tokens": profile.system_tokens,
        "days": profile.days,
        "seats": profile.seats,
        "cache": profile.cache,
        "annual": profile.annual,
        "defaults": list(profile.defaulted),
    }


def _json_row(row: PlanRow, comparison: PlanComparison, sheet: PriceSheet) -> dict[str, Any]:

    cheapest = comparison.cheapest
    break_even = row.break_even_messages_per_day
    method, how = row_counting(row.api)
    family = sheet.tokenizers.get(row.api.tokenizer.family) if row.api.tokenizer.estimated else None
    return {
        "plan": row.plan.id,
        "name": row.plan.name,
        "vendor": row.plan.vendor,
        "monthly_price": decimal_text(row.monthly_price),
        "billing": "annual" if row.annual else "monthly",
        "seats": row.seats,
        "per_seat": row.plan.per_seat,
        "model": row.api.model.id,
        "count_method": method,
        "how_counted": how,
        "tokenizer_source": family.source if family is not None else None,
        "model_fits": row.api.fits,
        "api_cost_per_conversation": decimal_text(row.api.cost.total * comparison.rate),
        "api_monthly_cost": decimal_text(row.api_monthly_cost),
        "cheapest_model": cheapest.model.id if cheapest else None,
        "cheapest_api_monthly_cost": decimal_text(row.cheapest_monthly_cost)
        if row.cheapest_monthly_cost is not None
        else None,
        "break_even_messages_per_day": round(float(break_even), 2)
        if break_even is not None
        else None,
        "break_even_note": row.break_even_note,
        "verdict": row.verdict,
        "caps": row.plan.caps,
        "messages_per_day_cap": row.plan.messages_per_day_cap,
        "limits": [
            {
                "messages": limit.messages,
                "hours": limit.hours,
                "scope": limit.scope,
                "source": limit.source,
            }
            for limit in row.plan.limits
        ],
        "exceeds_cap": row.exceeds_cap,
        "caps_exceeded": list(row.caps_exceeded),
        "notes": plan_notes(row.notes),
    }


def write_document(env: Environment, sheet: PriceSheet, comparison: PlanComparison) -> None:

    write_json(
        env,
        {
            "date": comparison.on,
            "currency": comparison.currency,
            "rate": decimal_text(comparison.rate),
            "profile": _profile_document(comparison.profile),
            "assumptions": [spell(line, flag) for line in comparison.assumptions],
            "warnings": [plan_warning(warning) for warning in comparison.warnings],
            "sheet": {"as_of": sheet.as_of, "files": list(sheet.files)},
            "rows": [_json_row(row, comparison, sheet) for row in comparison.rows],
        },
    )


def _break_even_text(row: PlanRow) -> str:
    if row.break_even_messages_per_day is None:
        return "none"
    value = row.break_even_messages_per_day
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def _cheaper_text(row: PlanRow, currency: str) -> str:
    """The verdict in a few characters, for a table column."""

    difference = row.api_monthly_cost - row.monthly_price
    if row.exceeds_cap:
        return "over cap ⚠"  # a plan that cannot carry the use is never the cheaper one
    if difference > 0:
        text = f"plan {format_money(difference, currency)}"
    elif difference < 0:
        text = f"API {format_money(-difference, currency)}"
    else:
        text = "neither"
    return text + (" ⚠" if row.exceeds_cap or not row.api.fits else "")


def write_results(
    env: Environment, comparison: PlanComparison, fmt: OutputFormat, sheet: PriceSheet
) -> None:

    pictures = pictures_wanted(env, fmt)

    rows = comparison.rows
    if fmt is OutputFormat.csv:
        keys = list(_json_row(rows[0], comparison, sheet)) if rows else []
        records = [
            {**_json_row(row, comparison, sheet), "notes": "; ".join(plan_notes(row.notes))}
            for row in rows
        ]
        write_rows(env, fmt, [Column(key, key) for key in keys], records)
        return

    def money(value: Decimal | None) -> str:
        return "—" if value is None else format_money(value, comparison.currency)

    columns = [
        Column("plan", "Plan", no_wrap=True),
        Column(
            "price",
            "Plan ²\n/month" if any(row.plan.per_seat for row in rows) else "Plan\n/month",
            numeric=True,
        ),
        Column("model", "Stand-in", no_wrap=True, priority=1),
        Column("api", "API\n/month", numeric=True),
        Column("break_even", "Break-even\nmsgs/day", numeric=True, priority=2),
        Column("cheaper", "Cheaper\nby", no_wrap=True),
        *(
            [Column("bar", "API cost │ plan price", no_wrap=True, decoration=True)]
            if pictures
            else []
        ),
    ]
    top = max((max(row.api_monthly_cost, row.monthly_price) for row in rows), default=Decimal(0))
    records, styles = [], []
    for row in rows:
        records.append(
            {
                "plan": row.plan.id,
                "price": money(row.monthly_price) + (" ¹" if row.annual else ""),
                "model": row.api.model.id,
                "api": money(row.api_monthly_cost),
                "break_even": _break_even_text(row),
                "cheaper": _cheaper_text(row, comparison.currency),
                "bar": bar(row.api_monthly_cost, top, width=20, mark=row.monthly_price)
                if pictures
                else "",
            }
        )
        styles.append(
            "yellow"
            if row.exceeds_cap
            else ("green" if row.monthly_price < row.api_monthly_cost else None)
        )
    bullet = "" if fmt is OutputFormat.markdown else "· "
    notes = [f"{bullet}{spell(line, flag)}" for line in comparison.assumptions]
    if comparison.cheapest is not None:
        cost = money(comparison.cheapest_monthly_cost)
        notes.append(
            f"{bullet}this use on {comparison.cheapest.model.id}, the cheapest: {cost}/month a person"
        )
    if any(row.annual for row in rows):
        notes.append("¹ billed annually")
    if any(row.plan.per_seat for row in rows):
        notes.append("² per-seat plans: price and API cost for all seats")
    for row in rows:
        extra = (
            [row.break_even_note]
            if row.break_even_note and row.break_even_note != "free plan"
            else []
        )
        extra += [f"⚠ exceeds a published cap: {text}" for text in row.caps_exceeded]
        # whether each plan fits, and --seats on plans not sold per seat, are said once above
        extra += plan_notes(n for n in row.notes if not isinstance(n, SAID_ONCE))
        extra += ["does not fit the stand-in model"] if not row.api.fits else []
        if extra:
            notes.append(f"{row.plan.id}: " + "; ".join(extra))
    separator = " · " if fmt is OutputFormat.markdown else "\n"
    write_rows(
        env,
        fmt,
        columns,
        records,
        title="Plans vs API",
        caption=separator.join(notes),
        styles=styles,
    )
