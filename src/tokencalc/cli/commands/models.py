"""``tokencalc models``: browse the price sheet, or show everything about one model.

Never builds a tokenizer: listing models must stay instant.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

import typer

from tokencalc.cli.completion import complete_model, complete_provider
from tokencalc.cli.env import Environment
from tokencalc.cli.options import FormatOption, PricesOption, load_sheet, parse_date
from tokencalc.cli.views.render import Column, OutputFormat, write_json, write_rows
from tokencalc.counting.encodings import TokenizerRef
from tokencalc.errors import TokencalcError, UnknownModelError
from tokencalc.pricing.costs import decimal_text
from tokencalc.sheet.model import ModelEntry, Prices
from tokencalc.sheet.price_sheet import PriceSheet
from tokencalc.sheet.rules import window_text
from tokencalc.tokenizers.model_counts import family_method


def models_command(
    ctx: typer.Context,
    search: Annotated[
        str | None,
        typer.Argument(
            help="A model id or alias (shows that model), or text / a glob to filter by.",
            show_default=False,
            autocompletion=complete_model,
        ),
    ] = None,
    provider: Annotated[
        list[str] | None,
        typer.Option(
            "--provider",
            "-p",
            help="Only this provider's models; repeatable.",
            show_default=False,
            autocompletion=complete_provider,
        ),
    ] = None,
    on: Annotated[
        str | None,
        typer.Option(
            "--date",
            help="Show the prices in force on this day, YYYY-MM-DD (default: today).",
            show_default=False,
        ),
    ] = None,
    prices: PricesOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """List the models in the price sheet, or show every price of one model.

    Prices are US dollars per million tokens, in force today (or on --date).
    Tokenizers marked ≈ are estimates from an exact count (× ratio). Given an
    exact id or alias, shows that model's prices, tiers, long-context prices,
    dated changes, aliases, source and date; any other text filters the list
    (by id, name or alias; globs like 'gemini-*' work too).

    Examples:

      tokencalc models

      tokencalc models claude --provider anthropic

      tokencalc models 'gemini-*' --format json

      tokencalc models claude-sonnet-5-5
    """

    env: Environment = ctx.obj
    sheet = load_sheet(env, prices)
    today = parse_date("--date", on)
    if search and not any(ch in search for ch in "*?["):
        try:
            model = sheet.resolve(search)
        except UnknownModelError:
            model = None
        if model is not None:
            _show_model(env, sheet, model, today, fmt)
            return
    chosen = _filter(sheet, search, provider or [])
    if not chosen:
        suggestions = sheet.suggest(search) if search else []
        hint = f" (did you mean {', '.join(suggestions)}?)" if suggestions else ""
        raise TokencalcError(f"no model matches {search!r}{hint}")
    _list_models(env, sheet, chosen, today, fmt)


def _filter(sheet: PriceSheet, search: str | None, providers: list[str]) -> list[ModelEntry]:

    known = {p.lower(): p for p in sheet.providers}
    wanted = set()
    for name in providers:
        if name.strip().lower() not in known:
            raise TokencalcError(
                f"unknown provider {name!r} (known: {', '.join(sorted(sheet.providers))})"
            )
        wanted.add(known[name.strip().lower()])
    models = [m for m in sheet.models.values() if not wanted or m.provider in wanted]
    if not search:
        return models
    if any(ch in search for ch in "*?["):
        return [m for m in models if sheet.matches(m, search)]
    needle = search.strip().lower()
    return [m for m in models if any(needle in text.lower() for text in (m.id, m.name, *m.aliases))]


def _per_million(value: Decimal) -> str:

    return decimal_text(value)


def _tokenizer_text(ref: TokenizerRef) -> str:
    if not ref.estimated:
        return ref.family
    counting = ref.counting
    if counting is not None and counting.tokenizer_file:
        return f"exact file ({ref.family})"
    if counting is not None and counting.reconstruct:
        return f"≈ reconstructed/per-class ({ref.family})"
    if counting is not None and counting.per_class:
        return f"≈ per-class ({ref.family})"
    return f"≈ ×{_per_million(ref.ratio)} {ref.base} ({ref.family})"


def _list_models(
    env: Environment,
    sheet: PriceSheet,
    models: Sequence[ModelEntry],
    today: date,
    fmt: OutputFormat,
) -> None:

    rows: list[dict[str, Any]] = []
    for model in models:
        standard = sheet.prices_on(model, today)
        ref = sheet.tokenizer_for(model)
        rows.append(
            {
                "id": model.id,
                "name": model.name,
                "provider": model.provider,
                "input": _per_million(standard.input),
                "cached_input": _per_million(standard.cached_input),
                "output": _per_million(standard.output),
                "context_window": model.context_window,
                "max_output": model.max_output,
                "tokenizer": ref.family,
                "estimated": ref.estimated,
                "ratio": float(ref.ratio),
                "base_encoding": ref.base,
                "tiers": [name for name in model.tiers if sheet.offers_tier(model, name, today)],
                "long_context_threshold": standard.long_context_threshold,
                "aliases": list(model.aliases),
                "deprecated": model.deprecated,
                "as_of": model.as_of,
            }
        )
    if fmt is OutputFormat.json:
        write_json(env, rows)
        return
    if fmt is OutputFormat.csv:
        flat = [
            {**r, "tiers": " ".join(r["tiers"]), "aliases": " ".join(r["aliases"])} for r in rows
        ]
        write_rows(env, fmt, [Column(key, key) for key in rows[0]], flat)
        return
    for row, model in zip(rows, models, strict=True):
        row["tokenizer_shown"] = _tokenizer_text(sheet.tokenizer_for(model))
        row["notes"] = "; ".join(
            part
            for part in (
                "deprecated" if model.deprecated else "",
                f"long context > {model.long_context.threshold:,}" if model.long_context else "",
                " ".join(model.tiers),
            )
            if part
        )
    columns = [
        Column("id", "Model", no_wrap=True),
        Column("provider", "Provider", no_wrap=True, priority=3),
        Column("input", "In $/M", numeric=True),
        Column("cached_input", "Cached", numeric=True, priority=2),
        Column("output", "Out $/M", numeric=True),
        Column("context_window", "Context", numeric=True, priority=1),
        Column("tokenizer_shown", "Tokenizer", no_wrap=True, priority=4),
        Column("notes", "Tiers and notes", fold=True),
    ]
    caption = f"US dollars per million tokens in force on {today.isoformat()} · sheet as of {sheet.as_of.isoformat()}"
    styles = ["dim" if model.deprecated else None for model in models]
    write_rows(env, fmt, columns, rows, title=f"{len(rows)} models", caption=caption, styles=styles)


def _prices_dict(prices: Prices) -> dict[str, str]:
    return {
        "input": _per_million(prices.input),
        "cached_input": _per_million(prices.cached_input),
        "cache_write_5m": _per_million(prices.cache_write_5m),
        "cache_write_1h": _per_million(prices.cache_write_1h),
        "output": _per_million(prices.output),
    }


def price_rules(sheet: PriceSheet, model: ModelEntry, today: date) -> dict[str, Any]:
    """Dated windows, off-peak hours, per-call fees and residency rules, for ``models MODEL``."""
    provider = sheet.providers[model.provider]
    windows: dict[str, str] = {}
    if model.long_context and (model.long_context.start or model.long_context.end):
        windows["long_context"] = window_text(model.long_context.start, model.long_context.end)
    for name, tier in model.tiers.items():
        if tier.start or tier.end:
            windows[name] = window_text(tier.start, tier.end)
    return {
        "windows": windows,
        "off_peak": [rule.describe() for rule in model.off_peak],
        "fees": [
            {
                "kind": fee.kind,
                "per_1000": _per_million(fee.per_1000),
                "window": window_text(fee.start, fee.end) or None,
                "in_force": fee.covers(model.id, today),
                "source": fee.source,
            }
            for fee in provider.fees
            if not fee.models
            or any(fnmatch.fnmatchcase(model.id.lower(), g.lower()) for g in fee.models)
        ],
        "residency": [
            {
                "geo": list(rule.geos),
                "multiplier": _per_million(rule.multiplier),
                "source": rule.source,
            }
            for rule in provider.residency
            if any(rule.covers(model.id, geo, today) for geo in rule.geos)
        ],
    }


def price_rule_fields(details: dict[str, Any]) -> list[tuple[str, str]]:
    """The table rows of :func:`price_rules`."""
    fields = [
        (f"{name.replace('_', '-').capitalize()} offered", text)
        for name, text in details["windows"].items()
    ]
    fields += [("Off-peak", text) for text in details["off_peak"]]
    for fee in details["fees"]:
        when = f", {fee['window']}" if fee["window"] else ""
        fields.append(
            (f"Fee: {fee['kind'].replace('_', ' ')}", f"${fee['per_1000']} per 1,000 calls{when}")
        )
    for rule in details["residency"]:
        fields.append(
            (
                "Data residency",
                f"inference geo {', '.join(rule['geo'])}: × {rule['multiplier']} every price",
            )
        )
    return fields


def model_details(sheet: PriceSheet, model: ModelEntry, today: date) -> dict[str, Any]:
    """Everything the sheet says about one model, with prices resolved for ``today``."""

    standard = sheet.prices_on(model, today)
    ref = sheet.tokenizer_for(model)
    family = sheet.tokenizers.get(model.tokenizer)
    provider = sheet.providers[model.provider]
    return {
        "id": model.id,
        "name": model.name,
        "provider": model.provider,
        "provider_name": provider.name,
        "aliases": list(model.aliases),
        "deprecated": model.deprecated,
        "context_window": model.context_window,
        "max_output": model.max_output,
        "tokenizer": {
            "id": ref.family,
            "estimated": ref.estimated,
            "base_encoding": ref.base,
            "ratio": float(ref.ratio),
            "source": family.source if family else None,
            "notes": family.notes if family else None,
            "method": family_method(ref),
        },
        "prices_on": today,
        "prices": _prices_dict(standard),
        "long_context": (
            {"threshold": model.long_context.threshold, **_prices_dict(standard.long_context)}
            if standard.long_context and model.long_context
            else None
        ),
        "tiers": {
            name: {
                "multiplier": _per_million(tier.multiplier)
                if tier.multiplier is not None
                else None,
                **_prices_dict(sheet.prices_on(model, today, name)),
            }
            for name, tier in model.tiers.items()
            if sheet.offers_tier(model, name, today)
        },
        **price_rules(sheet, model, today),
        "schedule": [
            {
                "from": entry.start,
                **{
                    k: _per_million(getattr(entry, k))
                    for k in ("input", "cached_input", "cache_write_5m", "cache_write_1h", "output")
                    if getattr(entry, k) is not None
                },
                "notes": entry.notes,
            }
            for entry in model.schedule
        ],
        "source": model.source,
        "as_of": model.as_of,
        "notes": model.notes,
        "provider_notes": provider.notes,
        "sheet_files": list(model.files),
    }


def _show_model(
    env: Environment, sheet: PriceSheet, model: ModelEntry, today: date, fmt: OutputFormat
) -> None:

    details = model_details(sheet, model, today)
    if fmt is OutputFormat.json:
        write_json(env, details)
        return

    def prices_text(p: dict[str, str]) -> str:
        parts = [f"input {p['input']}", f"cached {p['cached_input']}"]
        if p["cache_write_5m"] != p["input"] or p["cache_write_1h"] != p["input"]:
            parts.append(f"write 5m {p['cache_write_5m']}, 1h {p['cache_write_1h']}")
        parts.append(f"output {p['output']}")
        return ", ".join(parts)

    tok = details["tokenizer"]
    fields = [
        ("Model", f"{model.id} ({model.name})"),
        ("Provider", f"{details['provider_name']} ({model.provider})"),
        ("Aliases", ", ".join(model.aliases) or "—"),
        ("Context window", f"{model.context_window:,} tokens"),
        ("Max output", f"{model.max_output:,} tokens" if model.max_output else "—"),
        (
            "Tokenizer",
            f"≈ {tok['method']} ({tok['id']}; {tok['source']})"
            if tok["estimated"]
            else f"{tok['id']} (exact)",
        ),
        (f"Prices on {today.isoformat()}", f"{prices_text(details['prices'])} $/M"),
    ]
    if details["long_context"]:
        lc = details["long_context"]
        fields.append(
            (f"Long context (input > {lc['threshold']:,})", f"{prices_text(lc)} $/M, whole request")
        )
    for name, tier in details["tiers"].items():
        how = f"× {tier['multiplier']}" if tier["multiplier"] is not None else "explicit prices"
        fields.append((f"{name.capitalize()} tier", f"{prices_text(tier)} $/M ({how})"))
    fields += price_rule_fields(details)
    for entry in details["schedule"]:
        changes = ", ".join(f"{k} {v}" for k, v in entry.items() if k not in ("from", "notes"))
        note = f" — {entry['notes']}" if entry["notes"] else ""
        fields.append((f"From {entry['from'].isoformat()}", f"{changes}{note}"))
    fields += [
        ("Deprecated", "yes" if model.deprecated else "no"),
        ("Source", model.source),
        ("As of", model.as_of.isoformat() if model.as_of else "—"),
        ("Notes", model.notes or "—"),
        ("Sheet files", ", ".join(model.files)),
    ]
    columns = [Column("field", "Field"), Column("value", "Value")]
    write_rows(env, fmt, columns, [{"field": k, "value": v} for k, v in fields], title=model.name)
