"""Putting rows on the screen or into a pipe: Rich tables for people, JSON/CSV/Markdown for tools.

Commands build plain data (lists of dicts) and hand it here with a list of :class:`Column`;
nothing in the core imports this module. Consoles are made per invocation, so colour and
width are decided by where the output goes (no colour when piped; ``NO_COLOR`` honoured).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any


class OutputFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


@dataclass(frozen=True)
class Column:
    """One column: ``key`` in the row dicts (and the CSV header), ``header`` for people."""

    key: str
    header: str
    numeric: bool = False
    display: Callable[[Any], str] | None = None
    #: keep on one line when the table can (ids people copy and paste)
    no_wrap: bool = False

    def show(self, value: Any) -> str:
        if value is None:
            return ""
        if self.display is not None:
            return self.display(value)
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, int):
            return f"{value:,}"
        return str(value)


#: The widest a table written to a file or pipe is allowed to grow.
TABLE_MAX_WIDTH = 160


def make_console(*, stderr: bool = False):
    """A Rich console for this invocation (stdout, or stderr for progress and notes)."""
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def write_json(document: Any) -> None:
    """Pretty JSON on stdout; Decimals become decimal strings, dates ISO strings."""
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False, default=json_default))
    sys.stdout.write("\n")


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def write_csv(columns: Sequence[Column], rows: Sequence[dict[str, Any]]) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow([c.key for c in columns])
    for row in rows:
        writer.writerow([_csv_value(row.get(c.key)) for c in columns])


def _markdown_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def write_markdown(
    columns: Sequence[Column],
    rows: Sequence[dict[str, Any]],
    *,
    title: str | None = None,
    caption: str | None = None,
) -> None:
    out = sys.stdout
    if title:
        out.write(f"**{_markdown_cell(title)}**\n\n")
    out.write("| " + " | ".join(_markdown_cell(c.header) for c in columns) + " |\n")
    out.write("|" + "|".join("---:" if c.numeric else "---" for c in columns) + "|\n")
    for row in rows:
        out.write("| " + " | ".join(_markdown_cell(c.show(row.get(c.key))) for c in columns) + " |\n")
    if caption:
        out.write(f"\n{_markdown_cell(caption)}\n")


def write_table(
    columns: Sequence[Column],
    rows: Sequence[dict[str, Any]],
    *,
    title: str | None = None,
    caption: str | None = None,
    styles: Sequence[str | None] | None = None,
    footer: dict[str, Any] | None = None,
    console=None,
) -> None:
    """A Rich table; ``styles`` gives a style per row (e.g. to highlight the cheapest)."""
    from rich import box
    from rich.table import Table

    table = Table(
        title=title,
        caption=caption,
        show_footer=footer is not None,
        caption_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    shown = [[column.show(row.get(column.key)) for column in columns] for row in rows]
    footer_cells = [column.show(footer.get(column.key)) if footer else "" for column in columns]
    for index, column in enumerate(columns):
        table.add_column(
            column.header,
            justify="right" if column.numeric else "left",
            footer=footer_cells[index],
            # Numbers and ids stay on one line; prose folds rather than lose characters.
            no_wrap=column.no_wrap or column.numeric,
            overflow="fold",
        )
    for index, cells in enumerate(shown):
        table.add_row(*cells, style=styles[index] if styles else None)
    console = console or make_console()
    if not console.is_terminal:
        # A file or pipe has no width of its own: give the table the room it needs (within
        # reason) instead of squeezing it into 80 columns and cutting numbers short.
        from rich.measure import Measurement

        natural = Measurement.get(console, console.options.update(width=TABLE_MAX_WIDTH), table).maximum
        console.width = max(console.width, min(natural, TABLE_MAX_WIDTH))
    console.print(table)


def write_rows(
    fmt: OutputFormat,
    columns: Sequence[Column],
    rows: Sequence[dict[str, Any]],
    *,
    title: str | None = None,
    caption: str | None = None,
    styles: Sequence[str | None] | None = None,
    footer: dict[str, Any] | None = None,
) -> None:
    """Rows as a table, CSV or Markdown (JSON documents are command-specific: use write_json)."""
    if fmt is OutputFormat.csv:
        write_csv(columns, [*rows, footer] if footer else rows)
    elif fmt is OutputFormat.markdown:
        write_markdown(columns, [*rows, footer] if footer else rows, title=title, caption=caption)
    else:
        write_table(columns, rows, title=title, caption=caption, styles=styles, footer=footer)
