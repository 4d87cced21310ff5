"""``tokencalc estimate``: count text once per tokenizer and compare what it costs across models.

Over 400 lines because the command declares about forty options (each with its help text) in
its signature, where Typer reads them; what it does with them is short (checking that they go
together, then :func:`run_estimate`). Rendering is in :mod:`tokencalc.cli.views.estimate_view`,
dataset mode in :mod:`.dataset`.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import time
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from tokencalc.bounds import BOUNDS
from tokencalc.cli.commands.dataset_options import (
    CacheSystemOption,
    DataFormatOption,
    FieldOption,
    KeyOption,
    LongestOption,
    OutputFieldOption,
    PerRecordOption,
    SystemOption,
    TemplateOption,
    UsageTierOption,
    WorkersOption,
)
from tokencalc.cli.completion import complete_model, complete_provider
from tokencalc.cli.env import Environment
from tokencalc.cli.options import (
    CurrencyOption,
    DateOption,
    FormatOption,
    PricesOption,
    RateOption,
    load_sheet,
    parse_currency,
    parse_date,
    parse_decimal,
)
from tokencalc.cli.views import estimate_view
from tokencalc.cli.views.inputs_view import CountedInputs, count_paths
from tokencalc.cli.views.online_view import OnlineOption, count_online, online_text_limit
from tokencalc.cli.views.render import OutputFormat
from tokencalc.counting.sampling import EXACT_UP_TO
from tokencalc.errors import ExitCode, UsageError
from tokencalc.pricing.assumptions import Assumptions
from tokencalc.pricing.estimate import (
    check_budget,
    check_tier_offered,
    count_needs,
    estimate_costs,
    estimate_measured,
)
from tokencalc.tokenizers import claude_reconstruction


class SortKey(str, Enum):
    cost = "cost"
    model = "model"
    provider = "provider"


class TierChoice(str, Enum):
    standard = "standard"
    batch = "batch"
    flex = "flex"
    priority = "priority"


def estimate_command(
    ctx: typer.Context,
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            help="Files, directories (recursive, .gitignore-aware), glob patterns, or - for stdin.",
            show_default=False,
        ),
    ] = None,
    model: Annotated[
        list[str] | None,
        typer.Option(
            "--model",
            "-m",
            help="Model id, alias or glob (claude-*: globs match ids, and aliases only when no id matches); repeatable.",
            show_default=False,
            autocompletion=complete_model,
        ),
    ] = None,
    provider: Annotated[
        list[str] | None,
        typer.Option(
            "--provider",
            "-p",
            help="Every current model of this provider; repeatable.",
            show_default=False,
            autocompletion=complete_provider,
        ),
    ] = None,
    all_models: Annotated[
        bool, typer.Option("--all", help="Every current (not deprecated) model in the sheet.")
    ] = False,
    output_tokens: Annotated[
        int | None,
        typer.Option(
            "--output-tokens",
            min=BOUNDS["output_tokens"].low,
            help="Output tokens per request.",
            show_default=False,
        ),
    ] = None,
    output_ratio: Annotated[
        str | None,
        typer.Option(
            "--output-ratio",
            help="Output tokens per input token (default 0.25).",
            show_default=False,
        ),
    ] = None,
    cached: Annotated[
        str | None,
        typer.Option(
            "--cached",
            help="Share of input billed at the cached-input price, 0 to 1.",
            show_default=False,
        ),
    ] = None,
    input_tokens: Annotated[
        int | None,
        typer.Option(
            "--input-tokens",
            min=BOUNDS["input_tokens"].low,
            help="Price a request of this many input tokens (measured elsewhere) instead of counting inputs.",
            show_default=False,
        ),
    ] = None,
    cached_tokens: Annotated[
        int | None,
        typer.Option(
            "--cached-tokens",
            min=BOUNDS["cached_tokens"].low,
            help="Input tokens per request read from the prompt cache (with --input-tokens).",
            show_default=False,
        ),
    ] = None,
    as_one: Annotated[
        bool,
        typer.Option(
            "--as-one",
            help="All inputs as one prompt: one request, context check and long-context prices on the sum.",
        ),
    ] = False,
    batch: Annotated[
        bool, typer.Option("--batch", help="Batch prices (same as --tier batch).")
    ] = False,
    tier: Annotated[
        TierChoice, typer.Option("--tier", help="Service tier.", case_sensitive=False)
    ] = TierChoice.standard,
    calls: Annotated[
        int,
        typer.Option("--calls", min=BOUNDS["calls"].low, help="Requests per input; costs scale."),
    ] = 1,
    per_day: Annotated[
        int | None,
        typer.Option(
            "--per-day",
            min=BOUNDS["per_day"].low,
            help="Requests per input a day: price a month of them (see --days).",
            show_default=False,
        ),
    ] = None,
    days: Annotated[
        int,
        typer.Option(
            "--days",
            min=BOUNDS["days"].low,
            max=BOUNDS["days"].high,
            help="Days in the month --per-day prices.",
        ),
    ] = 30,
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            help="UTC time of day the requests are made, HH:MM (off-peak prices; default: peak).",
            show_default=False,
        ),
    ] = None,
    web_searches: Annotated[
        int,
        typer.Option(
            "--web-searches",
            min=BOUNDS["web_searches"].low,
            help="Web searches each request makes, priced per call.",
        ),
    ] = 0,
    on: DateOption = None,
    currency: CurrencyOption = "USD",
    rate: RateOption = None,
    max_cost: Annotated[
        str | None,
        typer.Option(
            "--max-cost",
            help="Exit 3 if the cheapest model that fits costs more.",
            show_default=False,
        ),
    ] = None,
    per_file: Annotated[
        bool, typer.Option("--per-file", help="Add a row per input per model.")
    ] = False,
    sort: Annotated[
        SortKey, typer.Option("--sort", help="Row order.", case_sensitive=False)
    ] = SortKey.cost,
    prices: PricesOption = None,
    fmt: FormatOption = OutputFormat.table,
    online: OnlineOption = False,
    exact: Annotated[
        bool,
        typer.Option(
            "--exact",
            help=(
                "Count big inputs in full: no sampled counts (slower on inputs over "
                f"{EXACT_UP_TO:,} characters; Claude reconstructed whole up to "
                f"{claude_reconstruction.EXACT_MAX_CHARS:,}, an input or a dataset's records)."
            ),
        ),
    ] = False,
    field: FieldOption = None,
    template: TemplateOption = None,
    system: SystemOption = None,
    output_field: OutputFieldOption = None,
    key: KeyOption = None,
    per_record: PerRecordOption = None,
    longest: LongestOption = 10,
    cache_system: CacheSystemOption = False,
    data_format: DataFormatOption = None,
    workers: WorkersOption = None,
    usage_tier: UsageTierOption = None,
    rpm: Annotated[
        int | None,
        typer.Option(
            "--rpm", min=1, help="Dataset mode: your requests-per-minute limit.", show_default=False
        ),
    ] = None,
    rpd: Annotated[
        int | None,
        typer.Option(
            "--rpd", min=1, help="Dataset mode: your requests-per-day limit.", show_default=False
        ),
    ] = None,
    tpm: Annotated[
        int | None,
        typer.Option(
            "--tpm",
            min=1,
            help="Dataset mode: your input+output tokens-per-minute limit.",
            show_default=False,
        ),
    ] = None,
    itpm: Annotated[
        int | None,
        typer.Option(
            "--itpm",
            min=1,
            help="Dataset mode: your input tokens-per-minute limit.",
            show_default=False,
        ),
    ] = None,
    otpm: Annotated[
        int | None,
        typer.Option(
            "--otpm",
            min=1,
            help="Dataset mode: your output tokens-per-minute limit.",
            show_default=False,
        ),
    ] = None,
) -> int | None:
    """Estimate what text costs across models: one row per model.

    Counts once per tokenizer. Each input (a file, or stdin) is priced as one
    request, or all of them as one prompt with --as-one; --calls repeats it.
    --input-tokens N prices a request you measured already (no inputs, no
    tokenizer: exact for every model). Output is assumed to be 25% of the input
    unless --output-tokens or --output-ratio says otherwise. Counts marked ≈
    are estimates (the vendor's tokenizer is not public). Models the request
    does not fit are marked and never chosen as cheapest; long-context prices
    apply by themselves. Models without the --tier are listed unpriced; when
    none of the selected models offers it, the table is still printed and the
    exit code is 1. Exits 3 when the cheapest model that fits costs more than
    --max-cost. On an input over 1,000,000 characters, the encodings only
    tiktoken counts (Mistral, DeepSeek, Qwen) are counted on a sample, and
    Claude's reconstruction on a sample past 200,000 characters: such rows say
    "sampled" and their margin. --exact counts everything in full, Claude's
    reconstruction (about 0.5 MB/s) whole up to 10,000,000 characters an input.

    Examples:

      tokencalc estimate report.txt

      tokencalc estimate docs/ -m 'claude-*' -m gpt-6-luna --per-file

      cat prompt.md | tokencalc estimate --output-tokens 800 --calls 1000

      tokencalc estimate ticket.txt --per-day 5000 --cached 0.8   (a month of them)

      tokencalc estimate src/ prompt.md --as-one   (one prompt assembled from files)

      tokencalc estimate --input-tokens 12000 --output-tokens 800 --cached-tokens 10000

      tokencalc estimate ticket.txt -m deepseek-flash --per-day 5000 --at 18:00 --date 2026-12-01

      tokencalc estimate data/ --batch --max-cost 5 --format json

      tokencalc estimate notes.md --currency EUR --rate 0.87

      tokencalc estimate corpus.txt --exact   (no sampled counts on big inputs)

      tokencalc estimate tickets.jsonl --field body --batch --per-record costs.csv   (dataset mode)
    """

    env: Environment = ctx.obj
    if batch and tier not in (TierChoice.standard, TierChoice.batch):
        raise UsageError("give --batch or --tier, not both")
    chosen_tier = "batch" if batch else (None if tier is TierChoice.standard else tier.value)
    if per_day is not None and calls != 1:
        raise UsageError("give --calls or --per-day, not both")
    if input_tokens is not None and paths:
        raise UsageError("give inputs or --input-tokens, not both")
    if input_tokens is not None and online:
        raise UsageError("--online counts text with the vendors: not with --input-tokens")
    if input_tokens is not None and exact:
        raise UsageError("--exact counts text in full: not with --input-tokens (no text to count)")
    if cached_tokens is not None and input_tokens is None:
        raise UsageError(
            "--cached-tokens needs --input-tokens (with inputs, --cached gives the cached share)"
        )
    if cached_tokens is not None and cached is not None:
        raise UsageError("give --cached or --cached-tokens, not both")
    if cached_tokens is not None and input_tokens is not None and cached_tokens > input_tokens:
        raise UsageError(
            f"--cached-tokens {cached_tokens:,} is more than --input-tokens {input_tokens:,}"
        )
    if as_one and (per_file or input_tokens is not None):
        raise UsageError(
            "--as-one prices the inputs as one prompt: not with --per-file or --input-tokens"
        )
    code, explicit_rate = parse_currency(currency, rate)
    assumptions = Assumptions(
        on=parse_date("--date", on),
        output_tokens=output_tokens,
        output_ratio=parse_decimal("--output-ratio", output_ratio)
        if output_ratio is not None
        else None,
        cached_fraction=parse_decimal("--cached", cached) if cached is not None else Decimal(0),
        tier=chosen_tier,
        calls=calls if per_day is None else per_day * days,
        per_day=per_day,
        days=days,
        currency=code,
        cached_tokens=cached_tokens,
        as_one=as_one,
        measured=input_tokens is not None,
        at=parse_time_of_day(at) if at is not None else None,
        web_searches=web_searches,
    )
    budget = parse_decimal("--max-cost", max_cost) if max_cost is not None else None
    if (field is not None or template is not None) and as_one:
        raise UsageError(
            "--as-one joins whole inputs: dataset mode (--field/--template) prices each record as a request"
        )
    if (field is not None or template is not None) and online:
        raise UsageError(
            "--online is not for dataset mode (--field/--template): it would send every record "
            "to the vendors; dataset mode counts Claude offline, on a reconstructed sample"
        )
    if field is not None or template is not None:
        from tokencalc.cli.commands.dataset import (
            run_dataset,  # start-up: dataset mode's readers (Parquet, zstd) only when asked for
        )

        run_dataset(
            env,
            paths or [],
            assumptions,
            field=field,
            template=template,
            system=system,
            output_field=output_field,
            key=key,
            per_record=per_record,
            longest=longest,
            cache_system=cache_system,
            data_format=data_format,
            workers=workers,
            usage_tier=usage_tier,
            limits={"rpm": rpm, "rpd": rpd, "tpm": tpm, "itpm": itpm, "otpm": otpm},
            models=model or [],
            providers=provider or [],
            all_models=all_models,
            rate=explicit_rate,
            max_cost=budget,
            prices=prices,
            fmt=fmt,
            exact=exact,
        )
        return None
    dataset_only = {
        "--system": system,
        "--output-field": output_field,
        "--key": key,
        "--per-record": per_record,
        "--data-format": data_format,
        "--workers": workers,
        "--cache-system": cache_system or None,
        "--usage-tier": usage_tier,
        "--rpm": rpm,
        "--rpd": rpd,
        "--tpm": tpm,
        "--itpm": itpm,
        "--otpm": otpm,
    }
    given = [name for name, value in dataset_only.items() if value is not None]
    if given:
        raise UsageError(f"{given[0]} is for dataset mode: add --field NAME or --template FILE")
    if not paths and input_tokens is None and env.stdin_isatty:
        raise UsageError(
            "nothing to estimate: name files or directories, or pipe text in (cat notes.md | tokencalc estimate)"
        )
    return run_estimate(
        env,
        paths or [],
        assumptions,
        models=model or [],
        providers=provider or [],
        all_models=all_models,
        rate=explicit_rate,
        max_cost=budget,
        per_file=per_file,
        sort=sort.value,
        prices=prices,
        fmt=fmt,
        input_tokens=input_tokens,
        online=online,
        exact=exact,
    )


def run_estimate(
    env: Environment,
    paths: list[str],
    assumptions: Assumptions,
    *,
    models: list[str],
    providers: list[str],
    all_models: bool,
    rate: Decimal | None,
    max_cost: Decimal | None,
    per_file: bool,
    sort: str,
    prices: Path | None,
    fmt: OutputFormat,
    input_tokens: int | None = None,
    online: bool = False,
    exact: bool = False,
) -> int:
    """Load the sheet, count the inputs (or take ``input_tokens``), price them and render.

    The exit code: 1 on input errors and when no selected model offers the tier (after rendering),
    3 over budget.
    """

    sheet = load_sheet(env, prices)
    selected = sheet.select(models, providers, all_models)
    assumptions = replace(assumptions, rate=sheet.exchange_rate(assumptions.currency, rate))

    if input_tokens is not None:
        outcome = CountedInputs()
        estimate = estimate_measured(sheet, selected, input_tokens, assumptions)
    else:
        needed = count_needs(sheet, selected, exact=exact)
        outcome = count_paths(
            env,
            paths,
            needed.encodings,
            machine_output=fmt is not OutputFormat.table,
            classes=needed.classes,
            keep_text=max(needed.keep_text, online_text_limit(online)),
            sample=needed.sample,
            text_windows=needed.text_windows,
            tokens_only=fmt is not OutputFormat.json,  # only the JSON document has words and lines
        )
        if outcome.failed and not outcome.counted:
            return int(ExitCode.ERROR)
        overrides = count_online(env, sheet, selected, outcome.counted) if online else None
        estimate = estimate_costs(
            sheet,
            selected,
            outcome.counted,
            assumptions,
            per_file=per_file,
            overrides=overrides,
            exact=exact,
        )
    if fmt is OutputFormat.json:
        estimate_view.write_document(env, sheet, estimate, outcome, sort)
    else:
        estimate_view.write_results(env, estimate, sort, fmt)
    check_tier_offered(sheet, estimate)
    if outcome.failed:
        return int(ExitCode.ERROR)
    if max_cost is not None:
        check_budget(estimate, max_cost)
    return int(ExitCode.OK)


def parse_time_of_day(text: str) -> time:
    """``--at HH:MM`` as a UTC time of day; a clear usage error otherwise."""

    found = re.fullmatch(r"(\d{1,2}):(\d{2})", text.strip())
    if not found or int(found.group(1)) > 23 or int(found.group(2)) > 59:
        raise UsageError(f"--at must be a UTC time of day written HH:MM (e.g. 18:30), got {text!r}")
    return time(int(found.group(1)), int(found.group(2)))
