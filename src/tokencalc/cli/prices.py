"""``tokencalc prices …``: see, correct, refresh and compare the price sheets.

Every write goes to the user sheet (``tokencalc prices path``), never to the packaged
default; the logic lives in :mod:`tokencalc.sheet.edit` and :mod:`tokencalc.sheet.imports`.
"""

from __future__ import annotations

import contextlib
import sys
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from tokencalc.cli.completion import complete_provider
from tokencalc.cli.options import parse_date, parse_decimal
from tokencalc.cli.options import today as _today
from tokencalc.render import OutputFormat

app = typer.Typer(
    name="prices",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def _prices() -> None:
    """See, correct, refresh and compare the price sheets.

    Changes go to your own sheet (a small TOML file that overlays the packaged
    default), never to the packaged one. Each write is checked first, written
    atomically, and the previous version is kept as pricing.toml.bak.

    Examples:

      tokencalc prices path

      tokencalc prices set gpt-5 --input 1.1 --output 9

      tokencalc prices import model_prices.json --provider anthropic --dry-run

      tokencalc prices diff
    """


class ExportFormat(str, Enum):
    toml = "toml"
    json = "json"
    csv = "csv"


#: The longest --timeout accepted for a download, in seconds (a day).
MAX_TIMEOUT = 86400.0


def _out(line: str = "") -> None:
    sys.stdout.write(line + "\n")


def _report(changes) -> None:
    from tokencalc.sheet.diff import show_value

    for change in changes:
        _out(
            f"{change.kind:<8} {change.where}: {show_value(change.old)} → {show_value(change.new)}"
        )


def _save(edit, *, report: bool = True, pin: bool = False, also: list[str] | None = None) -> None:
    """Write the edit, then say what changed (a failed write reports no changes).

    A ``set`` that would not change any effective price writes nothing (unless ``pin``);
    an ``unset`` always removes the override it names.
    """
    from tokencalc.sheet.user_sheet import write_edit

    if not edit.writes or (not edit.changes and not pin):
        _out(
            f"nothing to change: the effective price sheet already says so ({edit.user.path} left as it is)"
        )
        return
    backup = write_edit(edit)
    if report:
        _report(edit.changes)
        if not edit.changes:
            _out(
                "the effective prices are the same (the override you removed repeated the packaged value)"
            )
        for line in also or ():
            _out(line)
    kept = f" (previous version: {backup})" if backup else ""
    _out(f"saved {edit.user.path}{kept}")


def _editing():
    """The user sheet's edit lock, held from reading the sheet until the new one is in place."""
    from tokencalc.paths import user_sheet_path
    from tokencalc.sheet.lock import sheet_lock

    return sheet_lock(user_sheet_path())


# --- path ---------------------------------------------------------------------------------------


@app.command("path")
def path_command(
    user_only: Annotated[
        bool, typer.Option("--user", help="Print only the user sheet's path (for scripts).")
    ] = False,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)
    ] = OutputFormat.table,
) -> None:
    """Show where the packaged and user price sheets are, and which are in use.

    The user sheet lives in $TOKENCALC_HOME, else the platform's config
    directory; it overlays the packaged sheet when it exists.

    Examples:

      tokencalc prices path

      $EDITOR "$(tokencalc prices path --user)"

      tokencalc prices path --format json
    """
    from tokencalc.paths import user_sheet_path
    from tokencalc.render import Column, write_json, write_rows
    from tokencalc.sheet.load import packaged_sheet_location

    user = user_sheet_path()
    if user_only:
        _out(str(user))
        return
    exists = user.exists()
    rows = [
        {
            "sheet": "packaged",
            "path": packaged_sheet_location(),
            "exists": True,
            "in_use": True,
            "note": "read-only default",
        },
        {
            "sheet": "user",
            "path": str(user),
            "exists": exists,
            "in_use": exists,
            "note": "overlays the packaged sheet"
            if exists
            else "does not exist yet: 'tokencalc prices set' or 'import' creates it",
        },
    ]
    if fmt is OutputFormat.json:
        write_json({row["sheet"]: {k: v for k, v in row.items() if k != "sheet"} for row in rows})
        return
    if fmt is OutputFormat.table:
        # Two paths people copy: plain lines read better than a table squeezed to the terminal.
        packaged, mine = rows
        _out(f"packaged sheet: {packaged['path']}")
        _out("  read-only default, in use")
        _out(f"user sheet:     {mine['path']}")
        _out(f"  {'exists, in use: ' if exists else ''}{mine['note']}")
        _out("TOKENCALC_HOME moves the user sheet; --prices FILE overlays both for one command.")
        return
    columns = [Column(key, key) for key in rows[0]]
    write_rows(fmt, columns, rows)


# --- set / unset ----------------------------------------------------------------------------


@app.command("set")
def set_command(
    model: Annotated[
        str, typer.Argument(help="Model id or alias; a new id adds a model.", show_default=False)
    ],
    input_price: Annotated[
        str | None,
        typer.Option("--input", help="Input price, $ per million tokens.", show_default=False),
    ] = None,
    cached_input: Annotated[
        str | None,
        typer.Option("--cached-input", help="Cache-read price, $/M.", show_default=False),
    ] = None,
    cache_write_5m: Annotated[
        str | None,
        typer.Option(
            "--cache-write-5m", help="5-minute cache-write price, $/M.", show_default=False
        ),
    ] = None,
    cache_write_1h: Annotated[
        str | None,
        typer.Option("--cache-write-1h", help="1-hour cache-write price, $/M.", show_default=False),
    ] = None,
    output_price: Annotated[
        str | None, typer.Option("--output", help="Output price, $/M.", show_default=False)
    ] = None,
    context_window: Annotated[
        int | None,
        typer.Option(
            "--context-window",
            min=1,
            help="Tokens of input + output the model accepts.",
            show_default=False,
        ),
    ] = None,
    max_output: Annotated[
        int | None,
        typer.Option("--max-output", min=1, help="Largest output per request.", show_default=False),
    ] = None,
    provider: Annotated[
        str | None,
        typer.Option("--provider", help="Provider id (a new model needs one).", show_default=False),
    ] = None,
    name: Annotated[
        str | None,
        typer.Option(
            "--name", help="Display name (a new model: default the id).", show_default=False
        ),
    ] = None,
    tokenizer: Annotated[
        str | None,
        typer.Option(
            "--tokenizer",
            help="An exact encoding (o200k_base, cl100k_base, tekken, qwen2.5, qwen3.6, deepseek-v3, …) or an estimate family (claude-5, gemini, …).",
            show_default=False,
        ),
    ] = None,
    alias: Annotated[
        list[str] | None,
        typer.Option(
            "--alias",
            help="Another name for the model; repeatable; replaces the list.",
            show_default=False,
        ),
    ] = None,
    long_context_threshold: Annotated[
        int | None,
        typer.Option(
            "--long-context-threshold",
            min=1,
            help="Input tokens above which the long-context prices bill the whole request.",
            show_default=False,
        ),
    ] = None,
    long_context_input: Annotated[
        str | None,
        typer.Option(
            "--long-context-input", help="Long-context input price, $/M.", show_default=False
        ),
    ] = None,
    long_context_output: Annotated[
        str | None,
        typer.Option(
            "--long-context-output", help="Long-context output price, $/M.", show_default=False
        ),
    ] = None,
    batch: Annotated[
        str | None,
        typer.Option(
            "--batch-multiplier",
            help="Batch prices as a multiple of standard (0.5 = half).",
            show_default=False,
        ),
    ] = None,
    flex: Annotated[
        str | None,
        typer.Option(
            "--flex-multiplier", help="Flex prices as a multiple of standard.", show_default=False
        ),
    ] = None,
    priority: Annotated[
        str | None,
        typer.Option(
            "--priority-multiplier",
            help="Priority prices as a multiple of standard.",
            show_default=False,
        ),
    ] = None,
    source: Annotated[
        str | None,
        typer.Option("--source", help="Where the prices come from (URL).", show_default=False),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="When they were checked, YYYY-MM-DD.", show_default=False),
    ] = None,
    notes: Annotated[
        str | None,
        typer.Option("--notes", help="Anything a reader should know.", show_default=False),
    ] = None,
    deprecated: Annotated[
        bool | None,
        typer.Option(
            "--deprecated/--current",
            help="Mark the model deprecated, or current again.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Change or add one model in your price sheet.

    Only the fields given change; everything else keeps its value. A model the
    sheet does not know is added, and then needs --provider, --tokenizer,
    --input, --output and --context-window (--name defaults to the id).
    Prices are US dollars per million tokens.

    Examples:

      tokencalc prices set gpt-5 --input 1.1 --output 9

      tokencalc prices set claude-sonnet-5-5 --batch-multiplier 0.5

      tokencalc prices set my-llama --provider groq --tokenizer llama3 --input 0.2 --output 0.6 --context-window 131072
    """
    from tokencalc.sheet import edit as sheet_edit
    from tokencalc.sheet import user_sheet

    values: dict[str, Any] = {}
    for option, key, text in (
        ("--input", "input", input_price),
        ("--cached-input", "cached_input", cached_input),
        ("--cache-write-5m", "cache_write_5m", cache_write_5m),
        ("--cache-write-1h", "cache_write_1h", cache_write_1h),
        ("--output", "output", output_price),
        ("--long-context-input", "long_context.input", long_context_input),
        ("--long-context-output", "long_context.output", long_context_output),
        ("--batch-multiplier", "batch.multiplier", batch),
        ("--flex-multiplier", "flex.multiplier", flex),
        ("--priority-multiplier", "priority.multiplier", priority),
    ):
        if text is not None:
            values[key] = parse_decimal(option, text)
    for key, value in (
        ("context_window", context_window),
        ("max_output", max_output),
        ("long_context.threshold", long_context_threshold),
        ("provider", provider),
        ("name", name),
        ("tokenizer", tokenizer),
        ("source", source),
        ("notes", notes),
        ("deprecated", deprecated),
    ):
        if value is not None:
            values[key] = value
    if alias is not None:
        values["aliases"] = list(alias)
    if as_of is not None:
        values["as_of"] = parse_date("--as-of", as_of)

    with _editing():
        user = user_sheet.read_user_sheet()
        import copy

        before = user_sheet.effective_data(user)
        data, model_id = sheet_edit.set_model_values(user, copy.deepcopy(before), model, values)
        edit = user_sheet.plan_edit(user, data)
        if model_id.lower() != model.strip().lower():
            _out(f"note     {model} is an alias of {model_id}; changing {model_id}")
        old_model = before.get("models", {}).get(model_id)
        new_model = {**old_model, **values} if isinstance(old_model, dict) else None
        _save(edit, also=_dependent_prices(model_id, old_model, new_model))


_DEPENDENT_TABLES = ("long_context", "batch", "flex", "priority")


def _dependent_prices(model_id: str, old: Any, new: Any) -> list[str]:
    """What a changed price does to the long-context and tier prices beside it.

    A tier given as a multiplier follows by itself; an explicit price stays as it was, and when
    it was a round multiple of the old price (2× input for long context) the line says so, so
    that nobody is left with a long-context price that no longer means what it did.
    """
    from decimal import Decimal

    if not isinstance(old, dict) or not isinstance(new, dict):
        return []
    lines = []
    for field in ("input", "cached_input", "output"):
        if field not in old or field not in new or old[field] == new[field]:
            continue
        old_base, new_base = Decimal(str(old[field])), Decimal(str(new[field]))
        for table in _DEPENDENT_TABLES:
            part = new.get(table)
            if not isinstance(part, dict):
                continue
            where = f'models."{model_id}".{table}'
            if field in part and old_base:  # (a tier given as a multiplier follows by itself)
                price = Decimal(str(part[field]))
                ratio = price / old_base
                if ratio == ratio.quantize(Decimal("0.01")):
                    now = (price / new_base).quantize(Decimal("0.01")) if new_base else None
                    lines.append(
                        f"left     {where}.{field}: {price.normalize():f}, {ratio.normalize():f}× the old {field} "
                        f"({'now ' + format(now.normalize(), 'f') + '×' if now is not None else 'the new one is 0'}); "
                        f"set it too if it should follow"
                    )
    return lines


@app.command("unset")
def unset_command(
    model: Annotated[str, typer.Argument(help="Model id or alias.", show_default=False)],
    field: Annotated[
        str | None,
        typer.Argument(
            help="One field to stop overriding (input, cached_input, batch, long_context.input, …); default: the whole model.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Remove your override of a model, or of one of its fields.

    The packaged price comes back. A model you added is removed. Unsetting
    something your sheet does not set is an error that lists what it does set.

    Examples:

      tokencalc prices unset gpt-5 input

      tokencalc prices unset gpt-5

      tokencalc prices unset claude-sonnet-5-5 batch
    """
    from tokencalc.errors import PriceSheetError
    from tokencalc.sheet import edit as sheet_edit
    from tokencalc.sheet import user_sheet
    from tokencalc.sheet.load import read_sheet_layer

    with _editing():
        user = user_sheet.read_user_sheet()
        if not user.exists:
            raise _no_user_sheet(user.path)
        merged = user_sheet.effective_data(user)
        data, model_id = sheet_edit.unset_model_value(user, merged, model, field)
        try:
            edit = user_sheet.plan_edit(user, data)
        except PriceSheetError as exc:
            if (
                field is not None
                and sheet_edit.find_model_id(read_sheet_layer().data, model_id) is None
            ):
                raise PriceSheetError(
                    f"{exc.message}\n{model_id} is a model you added: 'tokencalc prices unset {model_id}' removes it whole",
                    exc.problems,
                ) from None
            raise
        _save(edit, pin=True)


def _no_user_sheet(path: Path):
    from tokencalc.errors import TokencalcError

    return TokencalcError(f"you have no price sheet of your own yet ({path}); nothing to unset")


@app.command("set-rate")
def set_rate_command(
    code: Annotated[str, typer.Argument(help="Currency code, e.g. EUR.", show_default=False)],
    rate: Annotated[
        str,
        typer.Argument(help="Units of that currency per US dollar, e.g. 0.87.", show_default=False),
    ],
) -> None:
    """Store an exchange rate, used by --currency CODE.

    Examples:

      tokencalc prices set-rate EUR 0.87

      tokencalc estimate notes.md --currency EUR
    """
    from tokencalc.sheet import edit as sheet_edit
    from tokencalc.sheet import user_sheet

    value = parse_decimal("RATE", rate, positive=True)
    with _editing():
        user = user_sheet.read_user_sheet()
        edit = user_sheet.plan_edit(user, sheet_edit.set_currency_rate(user, code, value))
        _save(edit)


@app.command("unset-rate")
def unset_rate_command(
    code: Annotated[str, typer.Argument(help="Currency code, e.g. EUR.", show_default=False)],
) -> None:
    """Remove a stored exchange rate.

    Examples:

      tokencalc prices unset-rate EUR
    """
    from tokencalc.sheet import edit as sheet_edit
    from tokencalc.sheet import user_sheet

    with _editing():
        user = user_sheet.read_user_sheet()
        if not user.exists:
            raise _no_user_sheet(user.path)
        edit = user_sheet.plan_edit(user, sheet_edit.unset_currency_rate(user, code))
        _save(edit, pin=True)


# --- import ---------------------------------------------------------------------------------


@app.command("import")
def import_command(
    source: Annotated[
        str,
        typer.Argument(
            help="A LiteLLM-style price JSON file, or an http(s) URL.", show_default=False
        ),
    ],
    provider: Annotated[
        list[str] | None,
        typer.Option(
            "--provider",
            "-p",
            help="Only this provider's models (LiteLLM's name or the sheet's id); repeatable.",
            show_default=False,
            autocompletion=complete_provider,
        ),
    ] = None,
    match: Annotated[
        list[str] | None,
        typer.Option(
            "--match",
            help="Only models whose LiteLLM name matches this glob; repeatable.",
            show_default=False,
        ),
    ] = None,
    tokenizer: Annotated[
        str | None,
        typer.Option(
            "--tokenizer",
            help="Tokenizer for new models (default: chosen from the provider and name).",
            show_default=False,
        ),
    ] = None,
    update_limits: Annotated[
        bool,
        typer.Option(
            "--update-limits",
            help="Also replace the context window and max output of models the sheet already has.",
        ),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", "-n", help="Show what would change; write nothing.")
    ] = False,
    timeout: Annotated[
        float, typer.Option("--timeout", min=0.1, help="Seconds to wait for a URL.")
    ] = 20.0,
) -> None:
    """Merge prices from a LiteLLM-style model price JSON into your sheet.

    Reads LiteLLM's model_prices_and_context_window.json format (per-token
    prices, converted exactly to $ per million tokens). Only chat, completion
    and responses models are imported. Models the sheet has get the prices
    that differ; new models get everything, and a tokenizer chosen from their
    provider and name (openai → o200k_base, anthropic → claude-5 or
    claude-legacy, gemini/vertex → gemini, …) unless --tokenizer says. The
    changes are printed first; --dry-run stops there.

    Examples:

      tokencalc prices import model_prices_and_context_window.json --dry-run

      tokencalc prices import prices.json --provider openai --match 'gpt-5*'

      tokencalc prices import https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json -p anthropic
    """
    from tokencalc.errors import TokencalcError
    from tokencalc.sheet import user_sheet
    from tokencalc.sheet.imports import fetch
    from tokencalc.sheet.imports import litellm as litellm_import
    from tokencalc.sheet.imports import plan as import_plan

    if not (0.1 <= timeout <= MAX_TIMEOUT):  # also false for nan
        from tokencalc.errors import UsageError

        raise UsageError(
            f"--timeout must be a number of seconds from 0.1 to {MAX_TIMEOUT:g}, got {timeout!r}"
        )
    is_url = source.lower().startswith(("http://", "https://"))
    label = source if is_url else str(Path(source).expanduser().resolve())
    catalog = litellm_import.parse_catalog(fetch.read_source(source, timeout=timeout), label)
    selected = import_plan.select_models(catalog, provider or [], match or [])
    if not selected:
        providers = sorted({m.litellm_provider for m in catalog.models})
        asked = " and ".join(
            part
            for part in (
                f"--provider {', '.join(provider)}" if provider else "",
                f"--match {', '.join(match)}" if match else "",
            )
            if part
        )
        what = f"matches {asked}" if asked else "can be imported"
        listed = f" (its providers: {', '.join(providers)})" if providers else ""
        why = "; ".join(
            f"skipped {', '.join(group.keys[:3])}{', …' if len(group.keys) > 3 else ''}: {group.reason}"
            for group in litellm_import.summarize_skipped(catalog.skipped)
            if group.named
        )
        raise TokencalcError(
            f"no chat, completion or responses model in {source} {what}{listed}"
            + (f"; {why}" if why else "")
        )
    with contextlib.nullcontext() if dry_run else _editing():
        user = user_sheet.read_user_sheet()
        plan = import_plan.plan_import(
            user,
            catalog,
            selected,
            tokenizer=tokenizer,
            update_limits=update_limits,
            today=_today(),
        )
        _report_import(plan)
        if dry_run:
            _out("dry run: nothing written")
            return
        if not (plan.of_kind("added") or plan.of_kind("changed")):
            _out("nothing to write: your sheet already has these prices")
            return
        _save(plan.edit, report=False)


def _report_import(plan) -> None:
    from tokencalc.sheet.diff import show_value
    from tokencalc.sheet.imports.litellm import summarize_skipped

    catalog = plan.catalog
    _out(
        f"{catalog.source}: {catalog.entries} entries, {len(catalog.models)} chat/completion/responses models, {plan.selected} selected"
    )
    for update in plan.of_kind("added"):
        fields = ", ".join(
            f"{c.field} {show_value(c.new)}"
            for c in update.changes
            if c.field not in ("provider", "name", "tokenizer", "source", "as_of")
        )
        _out(
            f"added     {update.model_id} ({update.provider}, tokenizer {update.tokenizer}): {fields}"
        )
    for update in plan.of_kind("changed"):
        fields = ", ".join(
            f"{c.field} {show_value(c.old)} → {show_value(c.new)}" for c in update.changes
        )
        _out(f"changed   {update.model_id}: {fields}")
    for update in plan.updates:
        for note in update.notes if update.kind != "unchanged" else ():
            _out(f"note      {update.model_id}: {note}")
    for provider in plan.new_providers:
        _out(f"provider  {provider}: added (the sheet had no such provider)")
    for group in summarize_skipped(plan.skipped):
        shown = ""
        if group.named:
            names = ", ".join(group.keys[:8]) + (", …" if len(group.keys) > 8 else "")
            shown = f": {names}"
        _out(f"skipped   {len(group.keys)}: {group.reason}{shown}")
    added, changed, unchanged = (len(plan.of_kind(k)) for k in ("added", "changed", "unchanged"))
    _out(f"{added} added, {changed} changed, {unchanged} unchanged")


# --- diff / validate / export ------------------------------------------------------------


@app.command("diff")
def diff_command(
    old: Annotated[
        str | None,
        typer.Argument(
            help="A sheet file, 'default' or 'effective' (default: default).", show_default=False
        ),
    ] = None,
    new: Annotated[
        str | None,
        typer.Argument(
            help="A sheet file, 'default' or 'effective' (default: effective).", show_default=False
        ),
    ] = None,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)
    ] = OutputFormat.table,
) -> None:
    """Show how two price sheets differ, per model and field (old → new).

    With no arguments: the packaged sheet against the effective one (the
    packaged sheet with yours overlaid), i.e. what your sheet changes. A
    complete sheet file is compared as it is; a partial one (an overlay, like
    your own sheet) as the packaged sheet with it overlaid.

    Examples:

      tokencalc prices diff

      tokencalc prices diff old-pricing.toml pricing.toml

      tokencalc prices diff default team-prices.toml --format json
    """
    from tokencalc.render import Column, write_json, write_rows
    from tokencalc.sheet.diff import diff_sheets, show_value
    from tokencalc.sheet.load import sheet_data

    old_data, old_label = sheet_data(old or "default")
    new_data, new_label = sheet_data(new or "effective")
    changes = diff_sheets(old_data, new_data)
    if fmt is OutputFormat.json:
        write_json(
            {
                "old": old_label,
                "new": new_label,
                "changes": [
                    {
                        "change": c.kind,
                        "section": c.section,
                        "entry": c.entry,
                        "field": c.field,
                        "old": _json_value(c.old),
                        "new": _json_value(c.new),
                    }
                    for c in changes
                ],
            }
        )
        return
    if not changes and fmt is OutputFormat.table:
        _out(f"no differences: {old_label} and {new_label} say the same")
        return
    rows = [
        {
            "change": c.kind,
            "section": c.section,
            "entry": c.entry or "",
            "field": c.field,
            "old": show_value(c.old),
            "new": show_value(c.new),
        }
        for c in changes
    ]
    columns = [
        Column("change", "Change", no_wrap=True),
        Column("section", "Section", no_wrap=True, priority=1),
        Column("entry", "Entry", no_wrap=True),
        Column("field", "Field", no_wrap=True),
        Column("old", "Old"),
        Column("new", "New"),
    ]
    caption = (
        f"{old_label} → {new_label}: {len(changes)} difference{'s' if len(changes) != 1 else ''}"
    )
    write_rows(fmt, columns, rows, caption=caption if fmt is not OutputFormat.csv else None)


def _json_value(value):
    from tokencalc.sheet.diff import show_value

    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_value(v) for k, v in value.items()}
    return show_value(value)  # numbers as exact decimal strings, dates as ISO


@app.command("validate")
def validate_command(
    file: Annotated[
        Path | None,
        typer.Argument(
            help="The sheet to check (default: the effective sheet).", show_default=False
        ),
    ] = None,
    standalone: Annotated[
        bool,
        typer.Option(
            "--standalone",
            help="Check FILE as a complete sheet, not as an overlay on the packaged one.",
        ),
    ] = False,
) -> None:
    """Check a price sheet with the same rules the loader uses.

    FILE is checked as an overlay on the packaged sheet (as --prices FILE or
    your own sheet would be), or as a complete sheet with --standalone.
    Exits 1 listing every problem, one per line; prints "valid: N models,
    M plans" otherwise.

    Examples:

      tokencalc prices validate

      tokencalc prices validate "$(tokencalc prices path --user)"

      tokencalc prices validate my-pricing.toml --standalone
    """
    from tokencalc.errors import ExitCode, PriceSheetError, UsageError
    from tokencalc.sheet.load import count_entries, load_price_sheet, read_sheet_layer

    if standalone and file is None:
        raise UsageError("--standalone needs a FILE")
    try:
        if file is None:
            sheet = load_price_sheet()
            label, models, plans = " + ".join(sheet.files), len(sheet.models), len(sheet.plans)
            extra = ""
        elif standalone:
            sheet = load_price_sheet(user_sheet=False, base_sheet=file)
            label, models, plans, extra = str(file), len(sheet.models), len(sheet.plans), ""
        else:
            sheet = load_price_sheet(file, user_sheet=False)
            models, plans = count_entries(read_sheet_layer(file).data)
            label = str(file)
            extra = f" (overlaid on the packaged sheet: {_counted(len(sheet.models), len(sheet.plans))})"
    except PriceSheetError as exc:
        for problem in exc.problems:
            _out(problem)
        count = len(exc.problems)
        from tokencalc.cli.app import print_error

        print_error(f"{_label_of(file)}: {count} problem{'s' if count != 1 else ''}")
        raise typer.Exit(int(ExitCode.ERROR)) from None
    _out(f"{label}: valid: {_counted(models, plans)}{extra}")


def _counted(models: int, plans: int) -> str:
    return f"{models} model{'s' if models != 1 else ''}, {plans} plan{'s' if plans != 1 else ''}"


def _label_of(file: Path | None) -> str:
    return str(file) if file is not None else "the effective price sheet"


@app.command("export")
def export_command(
    fmt: Annotated[
        ExportFormat,
        typer.Option(
            "--format",
            "-f",
            help="toml (a complete sheet), json, or csv (one row per model).",
            case_sensitive=False,
        ),
    ] = ExportFormat.toml,
    prices: Annotated[
        Path | None,
        typer.Option(
            "--prices",
            help="A price sheet overlaid on the default and your own.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Write the effective price sheet (packaged + yours) to stdout.

    toml and json hold the whole sheet (a toml export is itself a complete
    sheet: 'prices validate FILE --standalone' accepts it); csv has one row
    per model with its declared prices.

    Examples:

      tokencalc prices export > my-pricing.toml

      tokencalc prices export --format json | jq '.models["gpt-5"]'

      tokencalc prices export --format csv > models.csv
    """
    from tokencalc.sheet.load import load_price_sheet
    from tokencalc.sheet.merge import merge_layers

    sheet = load_price_sheet(prices)  # validates
    data = merge_layers(sheet.layers)  # the very files that were validated, read once
    if fmt is ExportFormat.toml:
        import tomli_w

        sys.stdout.write(
            f"# tokencalc price sheet exported {date.today().isoformat()} from: {', '.join(sheet.files)}\n\n"
        )
        sys.stdout.write(tomli_w.dumps(data))
    elif fmt is ExportFormat.json:
        from tokencalc.render import write_json

        write_json(data)
    else:
        _export_csv(sheet)


def _export_csv(sheet) -> None:
    from tokencalc.pricing.costs import decimal_text
    from tokencalc.render import Column, write_csv
    from tokencalc.sheet.model import PRICE_FIELDS, TIERS

    def money(value):
        return decimal_text(value) if value is not None else None

    rows = []
    for model in sheet.models.values():
        row = {
            "id": model.id,
            "name": model.name,
            "provider": model.provider,
            "tokenizer": model.tokenizer,
            **{name: money(getattr(model, name)) for name in PRICE_FIELDS},
            "context_window": model.context_window,
            "max_output": model.max_output,
            "long_context_threshold": model.long_context.threshold if model.long_context else None,
            "long_context_input": money(model.long_context.input) if model.long_context else None,
            "long_context_output": money(model.long_context.output) if model.long_context else None,
        }
        for tier_name in TIERS:
            tier = model.tiers.get(tier_name)
            row[f"{tier_name}_multiplier"] = money(tier.multiplier) if tier else None
            row[f"{tier_name}_input"] = money(tier.input) if tier else None
            row[f"{tier_name}_output"] = money(tier.output) if tier else None
        row.update(
            aliases=" ".join(model.aliases),
            deprecated=model.deprecated,
            source=model.source,
            as_of=model.as_of,
        )
        rows.append(row)
    write_csv([Column(key, key) for key in rows[0]] if rows else [], rows)
