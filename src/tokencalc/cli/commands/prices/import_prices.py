"""``tokencalc prices import``: merge LiteLLM's price list into the user sheet."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Annotated

import typer

from tokencalc.cli.commands.prices.editing import (
    editing,
    out_line,
    save_edit,
)
from tokencalc.cli.completion import complete_provider
from tokencalc.cli.env import Environment
from tokencalc.cli.options import today as _today
from tokencalc.cli.phrasing import skip_reason
from tokencalc.errors import TokencalcError, UsageError
from tokencalc.sheet import user_sheet
from tokencalc.sheet.diff import show_value
from tokencalc.sheet.imports import fetch
from tokencalc.sheet.imports import litellm as litellm_import
from tokencalc.sheet.imports import plan as import_plan
from tokencalc.sheet.imports.litellm import summarize_skipped

#: The longest --timeout accepted for a download, in seconds (a day).
MAX_TIMEOUT = 86400.0


def import_command(
    ctx: typer.Context,
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
    env: Environment = ctx.obj

    if not (0.1 <= timeout <= MAX_TIMEOUT):  # also false for nan
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
            f"skipped {', '.join(group.keys[:3])}{', …' if len(group.keys) > 3 else ''}: {skip_reason(group)}"
            for group in litellm_import.summarize_skipped(catalog.skipped)
            if group.named
        )
        raise TokencalcError(
            f"no chat, completion or responses model in {source} {what}{listed}"
            + (f"; {why}" if why else "")
        )
    with contextlib.nullcontext() if dry_run else editing():
        user = user_sheet.read_user_sheet()
        plan = import_plan.plan_import(
            user,
            catalog,
            selected,
            tokenizer=tokenizer,
            update_limits=update_limits,
            today=_today(),
        )
        _report_import(env, plan)
        if dry_run:
            out_line(env, "dry run: nothing written")
            return
        if not (plan.of_kind("added") or plan.of_kind("changed")):
            out_line(env, "nothing to write: your sheet already has these prices")
            return
        save_edit(env, plan.edit, report=False)


def _report_import(env: Environment, plan: import_plan.ImportPlan) -> None:

    catalog = plan.catalog
    out_line(
        env,
        f"{catalog.source}: {catalog.entries} entries, {len(catalog.models)} chat/completion/responses models, {plan.selected} selected",
    )
    for update in plan.of_kind("added"):
        fields = ", ".join(
            f"{c.field} {show_value(c.new)}"
            for c in update.changes
            if c.field not in ("provider", "name", "tokenizer", "source", "as_of")
        )
        out_line(
            env,
            f"added     {update.model_id} ({update.provider}, tokenizer {update.tokenizer}): {fields}",
        )
    for update in plan.of_kind("changed"):
        fields = ", ".join(
            f"{c.field} {show_value(c.old)} → {show_value(c.new)}" for c in update.changes
        )
        out_line(env, f"changed   {update.model_id}: {fields}")
    for update in plan.updates:
        for note in update.notes if update.kind != "unchanged" else ():
            out_line(env, f"note      {update.model_id}: {note}")
    for provider in plan.new_providers:
        out_line(env, f"provider  {provider}: added (the sheet had no such provider)")
    for group in summarize_skipped(plan.skipped):
        shown = ""
        if group.named:
            names = ", ".join(group.keys[:8]) + (", …" if len(group.keys) > 8 else "")
            shown = f": {names}"
        out_line(env, f"skipped   {len(group.keys)}: {skip_reason(group)}{shown}")
    added, changed, unchanged = (len(plan.of_kind(k)) for k in ("added", "changed", "unchanged"))
    out_line(env, f"{added} added, {changed} changed, {unchanged} unchanged")
