"""``tokencalc prices set``: change or add a model in the user sheet (dependent prices follow)."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Annotated, Any

import typer

from tokencalc.cli.commands.prices.editing import (
    editing,
    out_line,
    save_edit,
)
from tokencalc.cli.env import Environment
from tokencalc.cli.options import parse_date, parse_decimal
from tokencalc.sheet import edit as sheet_edit
from tokencalc.sheet import user_sheet


def set_command(
    ctx: typer.Context,
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
    env: Environment = ctx.obj

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

    with editing():
        user = user_sheet.read_user_sheet()

        before = user_sheet.effective_data(user)
        data, model_id = sheet_edit.set_model_values(user, copy.deepcopy(before), model, values)
        edit = user_sheet.plan_edit(user, data)
        if model_id.lower() != model.strip().lower():
            out_line(env, f"note     {model} is an alias of {model_id}; changing {model_id}")
        old_model = before.get("models", {}).get(model_id)
        new_model = {**old_model, **values} if isinstance(old_model, dict) else None
        save_edit(env, edit, also=_dependent_prices(model_id, old_model, new_model))


_DEPENDENT_TABLES = ("long_context", "batch", "flex", "priority")


def _dependent_prices(model_id: str, old: Any, new: Any) -> list[str]:
    """What a changed price does to the long-context and tier prices beside it.

    A tier given as a multiplier follows by itself; an explicit price stays as it was, and when
    it was a round multiple of the old price (2× input for long context) the line says so, so
    that nobody is left with a long-context price that no longer means what it did.
    """

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
