"""``tokencalc count``: tokens, lines, words and characters of files, directories and stdin."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from tokencalc.cli.completion import complete_encoding, complete_model
from tokencalc.cli.env import Environment
from tokencalc.cli.views.inputs_view import CountedInputs, count_paths, input_entries
from tokencalc.cli.views.online_view import OnlineOption, count_online, online_text_limit
from tokencalc.cli.views.render import Column, OutputFormat, write_json, write_rows
from tokencalc.counting import encodings
from tokencalc.counting.counter import Counts
from tokencalc.errors import ExitCode, UnknownModelError, UsageError
from tokencalc.tokenizers.model_counts import ModelCount, combined_label, model_count, needs

if TYPE_CHECKING:  # start-up: the price sheet is imported only for a model tiktoken does not know
    from tokencalc.sheet.model import ModelEntry
    from tokencalc.sheet.price_sheet import PriceSheet


def count_command(
    ctx: typer.Context,
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            help="Files, directories (recursive, .gitignore-aware), glob patterns, or - for stdin.",
            show_default=False,
        ),
    ] = None,
    encoding: Annotated[
        str | None,
        typer.Option(
            "--encoding",
            "-e",
            help="Tokenizer: o200k_base (default), o200k_harmony, cl100k_base, tekken (Mistral), qwen2.5, qwen3.6 or deepseek-v3.",
            autocompletion=complete_encoding,
        ),
    ] = None,
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            "-m",
            help="Count with this model's tokenizer (e.g. gpt-4o, gpt-4); models without a public "
            "tokenizer (Claude, Gemini, …) are estimated (≈) with the price sheet's ratio.",
            autocompletion=complete_model,
        ),
    ] = None,
    total: Annotated[
        bool, typer.Option("--total", "-q", help="Print only the total number of tokens.")
    ] = False,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)
    ] = OutputFormat.table,
    online: OnlineOption = False,
) -> int:
    """Count tokens exactly, wc-style, with lines, words and characters beside them.

    Counting is offline and exact for OpenAI tokenizers. Special-token strings such as
    <|endoftext|> are counted as the plain characters they are.

    Examples:

      tokencalc count README.md docs/

      git diff | tokencalc count -q

      tokencalc count 'src/**/*.py' --model gpt-4 --format json

      tokencalc count notes.md --model claude-sonnet-5-5   (≈ estimate)
    """
    env: Environment = ctx.obj
    if encoding and model:
        raise UsageError("give --encoding or --model, not both")
    if not paths and env.stdin_isatty:
        raise UsageError(
            "nothing to count: name files or directories, or pipe text in "
            "(cat notes.md | tokencalc count)"
        )
    if online and not model:
        raise UsageError(
            "--online counts with a vendor's endpoint: give --model (e.g. --model claude-sonnet-5-5)"
        )
    return run_count(
        env, paths or [], encoding=encoding, model=model, quiet=total, fmt=fmt, online=online
    )


def _base_count(tokenizer: encodings.TokenizerRef, counts: Counts) -> int:
    return counts.tokens[tokenizer.counted_with] if tokenizer.counted_with else counts.chars


def _made(
    tokenizer: encodings.TokenizerRef,
    outcome: CountedInputs,
    online: dict[str, ModelCount] | None = None,
) -> dict[str, ModelCount]:
    """Input label → ModelCount: how each input's tokens were made (tokencalc.tokenizers.model_counts)."""

    online = online or {}
    return {
        label: online.get(label) or model_count(tokenizer, counts)
        for label, counts in outcome.counted
    }


def _how(tokenizer: encodings.TokenizerRef, made: dict[str, ModelCount]) -> tuple[str, str]:
    """(method, label) of the total."""

    if not made:
        return ("estimated" if tokenizer.estimated else "exact"), ""
    method, label, _ = combined_label([(m.method, m.label, m.short) for m in made.values()])
    return method, label


def _sheet_model(model: str) -> tuple[PriceSheet, ModelEntry]:
    # start-up: only a model tiktoken does not know pays for importing the price sheet
    from tokencalc.sheet.load import load_price_sheet

    sheet = load_price_sheet()
    return sheet, sheet.resolve(model)


def _tokenizer_for(encoding: str | None, model: str | None) -> encodings.TokenizerRef:
    """The TokenizerRef to count with: exact unless the model is only in the price sheet."""

    if model:
        try:
            name = encodings.encoding_for_model(model)
        except UnknownModelError:
            # Only names tiktoken does not know pay for loading the price sheet.
            sheet, entry = _sheet_model(model)
            return sheet.tokenizer_for(entry)
    else:
        name = encoding or encodings.DEFAULT_ENCODING
        encodings.canonical_encoding(name)  # unknown names fail here, before any reading
    return encodings.TokenizerRef(family=name, base=name)


def run_count(
    env: Environment,
    paths: list[str],
    *,
    encoding: str | None,
    model: str | None,
    quiet: bool,
    fmt: OutputFormat,
    online: bool = False,
) -> int:
    """Resolve inputs, count them, report problems on stderr and render the result; the exit
    code (1 when an input could not be read)."""
    tokenizer = _tokenizer_for(encoding, model)
    if tokenizer.counting is not None:
        need = needs([tokenizer])  # counted in full (need.sample unused): count never samples
        encodings_, classes, keep = list(need.encodings), need.classes, need.keep_text
        windows = need.text_windows  # Claude past its limit: reconstructed on a sample
    else:
        windows = False
        encodings_, classes, keep = (
            ([tokenizer.counted_with] if tokenizer.counted_with else []),
            False,
            0,
        )
    outcome = count_paths(
        env,
        paths,
        encodings_,
        quiet=quiet,
        machine_output=fmt is not OutputFormat.table,
        classes=classes,
        keep_text=max(keep, online_text_limit(online and tokenizer.estimated)),
        text_windows=windows,
    )
    by_input = None
    if online and model and tokenizer.estimated:
        sheet, entry = _sheet_model(model)
        by_input = {
            label: made
            for (_, label), made in count_online(env, sheet, [entry], outcome.counted).items()
        }
    made = _made(tokenizer, outcome, by_input)
    total_tokens = sum(m.tokens for m in made.values())
    if quiet:
        env.write(f"{total_tokens}\n")
    elif fmt is OutputFormat.json:
        _write_json(env, tokenizer, outcome, total_tokens, made)
    else:
        _write_rows(env, tokenizer, outcome, total_tokens, fmt, made)
    return int(ExitCode.ERROR) if outcome.failed else int(ExitCode.OK)


def _figures(tokens: int, counts: Counts) -> dict[str, Any]:
    return {"tokens": tokens, "chars": counts.chars, "words": counts.words, "lines": counts.lines}


def _write_json(
    env: Environment,
    tokenizer: encodings.TokenizerRef,
    outcome: CountedInputs,
    total_tokens: int,
    made: dict[str, ModelCount],
) -> None:
    inputs = input_entries(outcome, lambda label, counts: _figures(made[label].tokens, counts))
    document: dict[str, Any] = {"encoding": tokenizer.family}
    if tokenizer.estimated:
        # Only estimates carry these keys: the exact-count contract stays as it was.
        method, label = _how(tokenizer, made)
        document.update(
            estimated=method not in ("exact", "online"),
            ratio=float(tokenizer.ratio),
            base_encoding=tokenizer.base,
            count_method=method,
            how_counted=label,
            tokens_are="content tokens: the per-message chat frame is not included",
        )
    write_json(env, {**document, "inputs": inputs, "total": _figures(total_tokens, outcome.total)})


def _write_rows(
    env: Environment,
    tokenizer: encodings.TokenizerRef,
    outcome: CountedInputs,
    total_tokens: int,
    fmt: OutputFormat,
    made: dict[str, ModelCount],
) -> None:
    approx = "≈" if _how(tokenizer, made)[0] not in ("exact", "online") else ""
    columns = [
        Column("tokens", "Tokens", numeric=True, display=lambda n: f"{approx}{n:,}"),
        Column("lines", "Lines", numeric=True, priority=1),
        Column("words", "Words", numeric=True, priority=2),
        Column("chars", "Chars", numeric=True, priority=3),
        Column("path", "Input", no_wrap=True),
    ]
    rows = [
        {**_figures(made[label].tokens, counts), "path": label} for label, counts in outcome.counted
    ]
    footer = {**_figures(total_tokens, outcome.total), "path": "total"} if len(rows) > 1 else None
    if tokenizer.estimated:
        caption = f"≈ {tokenizer.family}: {_how(tokenizer, made)[1]} · content tokens, chat frame not included"
    else:
        caption = f"{tokenizer.family}, exact"
    shown = fmt is OutputFormat.table or (fmt is OutputFormat.markdown and tokenizer.estimated)
    write_rows(env, fmt, columns, rows, caption=caption if shown else None, footer=footer)
