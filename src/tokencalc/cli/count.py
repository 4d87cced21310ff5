"""``tokencalc count``: tokens, lines, words and characters of files, directories and stdin."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from tokencalc.render import OutputFormat


def count_command(
    paths: Annotated[
        Optional[list[str]],
        typer.Argument(help="Files, directories (recursive, .gitignore-aware), glob patterns, or - for stdin.", show_default=False),
    ] = None,
    encoding: Annotated[
        Optional[str],
        typer.Option("--encoding", "-e", help="Tokenizer: o200k_base (default), o200k_harmony or cl100k_base."),
    ] = None,
    model: Annotated[
        Optional[str],
        typer.Option("--model", "-m", help="Count with this model's tokenizer (e.g. gpt-4o, gpt-6, gpt-4)."),
    ] = None,
    total: Annotated[
        bool, typer.Option("--total", "-q", help="Print only the total number of tokens.")
    ] = False,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)
    ] = OutputFormat.table,
) -> None:
    """Count tokens exactly, wc-style, with lines, words and characters beside them.

    Counting is offline and exact for OpenAI tokenizers. Special-token strings such as
    <|endoftext|> are counted as the plain characters they are.

    Examples:

      tokencalc count README.md docs/

      git diff | tokencalc count -q

      tokencalc count 'src/**/*.py' --model gpt-4 --format json
    """
    from tokencalc.errors import UsageError

    if encoding and model:
        raise UsageError("give --encoding or --model, not both")
    if not paths and _stdin_is_terminal():
        raise UsageError(
            "nothing to count: name files or directories, or pipe text in "
            "(cat notes.md | tokencalc count)"
        )
    run_count(paths or [], encoding=encoding, model=model, quiet=total, fmt=fmt)


def _stdin_is_terminal() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def run_count(paths: list[str], *, encoding: str | None, model: str | None, quiet: bool, fmt: OutputFormat) -> None:
    """Resolve inputs, count them, report problems on stderr and render the result."""
    from tokencalc import encodings
    from tokencalc.cli.app import print_error, print_warning
    from tokencalc.cli.progress import LazyProgress, progress_allowed
    from tokencalc.counting import Counts, TokenCounter, count_inputs
    from tokencalc.errors import ExitCode
    from tokencalc.inputs import resolve_inputs

    if model:
        name = encodings.encoding_for_model(model)
    else:
        name = encoding or encodings.DEFAULT_ENCODING
        encodings.canonical_encoding(name)  # unknown names fail here, before any reading

    resolved = resolve_inputs(paths)
    for problem in resolved.problems:
        print_error(f"{problem.label}: {problem.message}")
    known_sizes = [s.size for s in resolved.sources]
    total_bytes = None if any(size is None for size in known_sizes) else sum(known_sizes)

    results = []
    total = Counts(tokens={name: 0})
    binary_skipped = 0
    failed = bool(resolved.problems)
    show_progress = progress_allowed(quiet=quiet, machine_output=fmt is not OutputFormat.table)
    with TokenCounter([name]) as counter, LazyProgress(
        enabled=show_progress, total_bytes=total_bytes, total_files=len(resolved.sources)
    ) as progress:
        for result in count_inputs(counter, resolved.sources, progress.advance):
            progress.file_done()
            results.append(result)
            if result.problem is not None:
                if result.problem.kind == "skipped":
                    binary_skipped += 1
                else:
                    failed = True
                    print_error(f"{result.problem.label}: {result.problem.message}")
                continue
            counts = result.counts
            if counts.replaced:
                print_warning(
                    f"{result.label}: invalid UTF-8: {counts.replaced:,} byte sequence(s) counted as U+FFFD"
                )
            total = total + counts

    skipped_note = _skipped_note(binary_skipped, resolved.hidden_skipped, resolved.ignored_skipped)
    if skipped_note and not quiet:
        sys.stderr.write(f"tokencalc: {skipped_note}\n")

    errors = [p for p in resolved.problems] + [r.problem for r in results if r.problem is not None]
    if quiet:
        sys.stdout.write(f"{total.tokens[name]}\n")
    elif fmt is OutputFormat.json:
        _write_json(name, results, resolved.problems, total)
    else:
        _write_rows(name, results, total, fmt)
    if failed and any(p.kind == "error" for p in errors):
        raise _exit(ExitCode.ERROR)


def _exit(code):
    return typer.Exit(int(code))


def _skipped_note(binary: int, hidden: int, ignored: int) -> str:
    parts = []
    if binary:
        parts.append(f"{binary} binary")
    if hidden:
        parts.append(f"{hidden} hidden")
    if ignored:
        parts.append(f"{ignored} git-ignored")
    if not parts:
        return ""
    listed = ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]
    return f"skipped {listed} file(s) or folder(s)"


def _figures(counts, name: str) -> dict:
    return {
        "tokens": counts.tokens[name],
        "chars": counts.chars,
        "words": counts.words,
        "lines": counts.lines,
    }


def _write_json(name, results, problems, total) -> None:
    from tokencalc.render import write_json

    inputs = []
    for problem in problems:
        inputs.append({"path": problem.label, "error": problem.message})
    for result in results:
        if result.problem is None:
            inputs.append({"path": result.label, **_figures(result.counts, name)})
        else:
            key = "skipped" if result.problem.kind == "skipped" else "error"
            inputs.append({"path": result.label, key: result.problem.message})
    write_json({"encoding": name, "inputs": inputs, "total": _figures(total, name)})


def _write_rows(name, results, total, fmt: OutputFormat) -> None:
    from tokencalc.render import Column, write_rows

    columns = [
        Column("tokens", "Tokens", numeric=True),
        Column("lines", "Lines", numeric=True),
        Column("words", "Words", numeric=True),
        Column("chars", "Chars", numeric=True),
        Column("path", "Input"),
    ]
    rows = [
        {**_figures(r.counts, name), "path": r.label} for r in results if r.problem is None
    ]
    footer = {**_figures(total, name), "path": "total"} if len(rows) > 1 else None
    write_rows(fmt, columns, rows, caption=f"{name}, exact" if fmt is OutputFormat.table else None, footer=footer)
