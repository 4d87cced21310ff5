"""The dataset-mode options of ``tokencalc estimate`` (--field, --template, …), declared apart from
the dataset runner (:mod:`.dataset`) so that plain ``estimate`` does not import the dataset readers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tokencalc.bounds import BOUNDS

FieldOption = Annotated[
    str | None,
    typer.Option(
        "--field",
        help="Dataset mode: each record is one request whose prompt is this field.",
        show_default=False,
    ),
]
TemplateOption = Annotated[
    Path | None,
    typer.Option(
        "--template",
        help="Dataset mode: prompt file with {field} placeholders, filled from each record.",
        show_default=False,
    ),
]
SystemOption = Annotated[
    Path | None,
    typer.Option(
        "--system", help="Dataset mode: a system prompt sent with every record.", show_default=False
    ),
]
OutputFieldOption = Annotated[
    str | None,
    typer.Option(
        "--output-field",
        help="Dataset mode: output tokens are this field's count (real outputs).",
        show_default=False,
    ),
]
KeyOption = Annotated[
    str | None,
    typer.Option(
        "--key",
        help="Dataset mode: field shown as each record's key (longest, per-record file).",
        show_default=False,
    ),
]
PerRecordOption = Annotated[
    Path | None,
    typer.Option(
        "--per-record",
        help="Dataset mode: write one row per record to this CSV or .parquet file.",
        show_default=False,
    ),
]
LongestOption = Annotated[
    int,
    typer.Option(
        "--longest",
        min=BOUNDS["longest"].low,
        max=BOUNDS["longest"].high,
        help="Dataset mode: list this many longest records.",
    ),
]
CacheSystemOption = Annotated[
    bool,
    typer.Option(
        "--cache-system", help="Dataset mode: bill the system prompt at the cached-input price."
    ),
]
DataFormatOption = Annotated[
    str | None,
    typer.Option(
        "--data-format",
        help="Dataset mode: jsonl, json, csv, tsv or parquet (default: from the name).",
        show_default=False,
    ),
]
UsageTierOption = Annotated[
    int | None,
    typer.Option(
        "--usage-tier",
        min=1,
        max=5,
        help="Dataset mode: your API usage tier; say how long the job takes under its rate limits.",
        show_default=False,
    ),
]
WorkersOption = Annotated[
    int | None,
    typer.Option(
        "--workers",
        min=BOUNDS["workers"].low,
        max=BOUNDS["workers"].high,
        help="Dataset mode: counting processes (default: one per core).",
        show_default=False,
    ),
]
