"""Putting rows on the screen or into a pipe: Rich tables for people, JSON/CSV/Markdown for tools.

Commands build plain data (lists of dicts) and hand it here with a list of :class:`Column` and
the invocation's :class:`~tokencalc.cli.env.Environment`; nothing in the core imports this
module. The environment's consoles decide colour and width by where the output goes (no colour
when piped; ``NO_COLOR`` honoured).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any

from tokencalc.cli.env import Environment
from tokencalc.safe_text import escape


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
    #: keep whole, on one line (ids people copy and paste); numbers always are
    no_wrap: bool = False
    #: prose that may go on a line under its row when the table has no room for it
    fold: bool = False
    #: 0: always a column; higher: moves first to a line under its row on a narrow screen
    priority: int = 0
    #: a picture (a bar) of figures the row gives in words: left out when there is no room
    decoration: bool = False

    def show(self, value: Any) -> str:
        """The cell as people read it; control characters (from file names, records) escaped."""
        if value is None:
            return ""
        if self.display is not None:
            return escape(self.display(value))
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, int):
            return f"{value:,}"
        return escape(str(value))


#: The widest a table written to a file or pipe grows when ``COLUMNS`` does not say.
TABLE_MAX_WIDTH = 160
#: Below this a table is laid out for this width anyway (the terminal wraps what is longer).
TABLE_MIN_WIDTH = 40


def table_width(env: Environment) -> int:
    """The width tables are fitted into: the environment's fixed width, else ``COLUMNS`` when
    set, else the terminal's, else 160."""
    if env.width is not None:
        return max(env.width, TABLE_MIN_WIDTH)
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return max(int(columns), TABLE_MIN_WIDTH)
    if env.out.is_terminal:
        return max(int(env.out.width), TABLE_MIN_WIDTH)
    return TABLE_MAX_WIDTH


BAR_WIDTH = 12
_EIGHTHS = " ▏▎▍▌▋▊▉"


def pictures_wanted(env: Environment, fmt: OutputFormat) -> bool:
    """Bars and charts only in a table on a terminal, and not with ``NO_COLOR``."""
    if fmt is not OutputFormat.table or os.environ.get("NO_COLOR"):
        return False
    return bool(env.out.is_terminal)


def bar(
    value: Decimal | None, maximum: Decimal, width: int = BAR_WIDTH, mark: Decimal | None = None
) -> str:
    """``value`` as a bar of up to ``width`` cells relative to ``maximum`` (eighths of a cell);
    ``mark`` puts a │ where that amount falls (a plan's price: the break-even point)."""
    if value is None or maximum <= 0:
        return ""
    eighths = int((value / maximum * width * 8).to_integral_value())
    if value > 0 and eighths == 0:
        eighths = 1
    cells = list("█" * (eighths // 8) + (_EIGHTHS[eighths % 8] if eighths % 8 else ""))
    cells += [" "] * (width - len(cells))
    if mark is not None and 0 <= mark <= maximum:
        at = min(int((mark / maximum * width).to_integral_value()), width - 1)
        cells[at] = "│" if cells[at] == " " else "┃"
    return "".join(cells).rstrip()


def json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def write_json(env: Environment, document: Any) -> None:
    """Pretty JSON on stdout; Decimals become decimal strings, dates ISO strings."""
    env.write(json.dumps(document, indent=2, ensure_ascii=False, default=json_default))
    env.write("\n")


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def write_csv(env: Environment, columns: Sequence[Column], rows: Sequence[dict[str, Any]]) -> None:
    writer = csv.writer(env.stdout, lineterminator="\n")
    writer.writerow([c.key for c in columns])
    for row in rows:
        writer.writerow([_csv_value(row.get(c.key)) for c in columns])


def _markdown_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def write_markdown(
    env: Environment,
    columns: Sequence[Column],
    rows: Sequence[dict[str, Any]],
    *,
    title: str | None = None,
    caption: str | None = None,
) -> None:
    out = env.stdout
    if title:
        out.write(f"**{_markdown_cell(title)}**\n\n")
    out.write("| " + " | ".join(_markdown_cell(c.header) for c in columns) + " |\n")
    out.write("|" + "|".join("---:" if c.numeric else "---" for c in columns) + "|\n")
    for row in rows:
        out.write(
            "| " + " | ".join(_markdown_cell(c.show(row.get(c.key))) for c in columns) + " |\n"
        )
    if caption:
        out.write(f"\n{_markdown_cell(caption)}\n")


def write_table(
    env: Environment,
    columns: Sequence[Column],
    rows: Sequence[dict[str, Any]],
    *,
    title: str | None = None,
    caption: str | None = None,
    styles: Sequence[str | None] | None = None,
    footer: dict[str, Any] | None = None,
) -> None:
    """A table fitted to :func:`table_width` without cutting a figure (see :mod:`table_layout`).

    ``styles`` gives a style per row (e.g. to highlight the cheapest); colour only on a terminal.
    """
    from rich.cells import cell_len
    from rich.text import Text

    from tokencalc.cli.views.table_layout import Spec, lay_out, wrap

    console = env.out
    width = table_width(env)
    specs = [
        Spec(
            header=c.header,
            numeric=c.numeric,
            whole=c.numeric or c.no_wrap,
            fold=c.fold,
            priority=c.priority,
            decoration=c.decoration,
        )
        for c in columns
    ]
    cells = [[c.show(row.get(c.key)) for c in columns] for row in rows]
    footer_cells = [c.show(footer.get(c.key)) for c in columns] if footer is not None else None
    layout = lay_out(specs, cells, footer_cells, width)
    # captions use the whole width a terminal or COLUMNS gives; in a plain pipe, the table's
    shown_width = (
        width if width != TABLE_MAX_WIDTH or console.is_terminal else max(layout.width, 80)
    )
    if title:
        pad = max((layout.width - cell_len(title)) // 2, 0)
        console.print(Text(" " * pad + title, style="italic"), soft_wrap=True)
        console.print(soft_wrap=True)
    for line, owner in zip(layout.lines, layout.line_rows, strict=True):
        style = None
        if owner == -1 and line and not line.startswith(" ─"):
            style = "bold"
        elif styles and 0 <= owner < len(styles):
            style = styles[owner]
        elif footer_cells is not None and owner == len(cells):
            style = "bold"
        console.print(Text(line, style=style or ""), soft_wrap=True)
    if caption:
        console.print(soft_wrap=True)
        for line in wrap(caption, shown_width):
            console.print(Text(line, style="dim"), soft_wrap=True)


def write_rows(
    env: Environment,
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
        write_csv(env, columns, [*rows, footer] if footer else rows)
    elif fmt is OutputFormat.markdown:
        write_markdown(
            env, columns, [*rows, footer] if footer else rows, title=title, caption=caption
        )
    else:
        write_table(env, columns, rows, title=title, caption=caption, styles=styles, footer=footer)
