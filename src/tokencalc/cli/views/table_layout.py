"""Fitting a table into a width without ever cutting a figure: the layout, as plain lines.

Cells arrive as text. Columns are *whole* (numbers and ids: never broken, never cut), *prose*
(wrap on words), or *fold* prose (notes: kept as a column while it has room, else written on
an indented line under its row). When the whole columns alone are too wide, the columns with
the highest ``priority`` (0 = never) are left out, one at a time, and one line says which; when
even the essential ones do not fit, every row becomes a stacked block of ``header  value``
lines. Every value of every cell is in the output, whole, in all but the dropped case, and the
dropped columns are named.

Pure: widths are terminal cells (``rich.cells.cell_len``: CJK counts two); no printing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.cells import cell_len

#: Spaces between two columns (Rich's simple box: padding, divider, padding).
GAP = 3
#: A fold column stays a column only while it gets this many cells (or its natural width).
FOLD_MIN = 24
#: Prose never wraps narrower than this (or its longest word, if shorter).
PROSE_MIN = 12
#: A prose word longer than this may be broken across lines (URLs) rather than widen the column.
PROSE_WORD = 16
#: Where a folded note starts under its row.
FOLD_INDENT = "   ↳ "


@dataclass(frozen=True)
class Spec:
    """How one column behaves when room runs out."""

    header: str
    numeric: bool = False
    whole: bool = True  # never wrapped or cut
    fold: bool = False  # prose that may move under its row
    priority: int = 0  # 0: always shown; higher: left out first
    decoration: bool = False  # a picture of figures shown elsewhere (bars): dropped first


@dataclass
class Layout:
    """The lines of a laid-out table (without title and caption) and what gave way."""

    lines: list[str]
    #: index into ``lines`` -> index of the row it shows (for row styles); -1 header/rule
    line_rows: list[int]
    width: int
    folded: list[int] | None = None
    stacked: bool = False


def _lines_of(text: str) -> list[str]:
    return text.split("\n") if text else [""]


def _longest_word(text: str) -> int:
    return max((cell_len(word) for line in _lines_of(text) for word in line.split()), default=0)


def _natural(text: str) -> int:
    return max(cell_len(line) for line in _lines_of(text))


def wrap(text: str, width: int) -> list[str]:
    """Word-wrap to ``width`` cells; a word longer than the width is broken, never dropped."""
    width = max(width, 1)
    out: list[str] = []
    for paragraph in _lines_of(text):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if cell_len(candidate) <= width:
                line = candidate
                continue
            if line:
                out.append(line)
            while cell_len(word) > width:
                piece = _take(word, width)
                out.append(piece)
                word = word[len(piece) :]
            line = word
        out.append(line)
    return out


def _take(word: str, width: int) -> str:
    taken = ""
    for char in word:
        if cell_len(taken + char) > width:
            break
        taken += char
    return taken or word[0]


def _pad(text: str, width: int, right: bool) -> str:
    space = " " * max(width - cell_len(text), 0)
    return space + text if right else text + space


def _grid_width(widths: Sequence[int]) -> int:
    return sum(widths) + GAP * (len(widths) - 1) + 2 if widths else 0


def lay_out(
    specs: Sequence[Spec],
    rows: Sequence[Sequence[str]],
    footer: Sequence[str] | None,
    width: int,
) -> Layout:
    """Lay ``rows`` (cells in ``specs`` order) out in at most ``width`` cells where possible."""
    everything = [*rows, *([footer] if footer is not None else [])]
    natural = [max([_natural(r[i]) for r in everything] + [0]) for i in range(len(specs))]
    header_min = [_longest_word(s.header) for s in specs]
    header_natural = [_natural(s.header) for s in specs]

    def need(i: int) -> int:
        # whole columns: their widest cell; prose: down to its longest word (or PROSE_MIN)
        if specs[i].whole:
            return max(natural[i], header_min[i])
        words = max([_longest_word(r[i]) for r in everything] + [0])
        return max(min(natural[i], max(PROSE_MIN, min(words, PROSE_WORD))), header_min[i])

    shown = list(range(len(specs)))
    # pictures repeat figures the row shows in words: without room for them, they go
    if _fit(specs, shown, natural, header_natural, need, width) is None:
        shown = [i for i in shown if not specs[i].decoration]
    folded: list[int] = []
    # 1. everything at its natural width; 2. prose narrowed; 3. folds under their rows;
    # 4. lowest-priority columns under their rows too; 5. stacked blocks.
    while True:
        widths = _fit(specs, shown, natural, header_natural, need, width)
        if widths is not None:
            # a more important column moved under the rows may fit back in now
            for i in sorted(
                (i for i in folded if not specs[i].fold), key=lambda i: specs[i].priority
            ):
                trial = sorted([*shown, i])
                trial_widths = _fit(specs, trial, natural, header_natural, need, width)
                if trial_widths is not None:
                    shown, widths = trial, trial_widths
                    folded.remove(i)
            return _grid(specs, rows, footer, shown, widths, sorted(folded), width)
        prose_fold = [i for i in shown if specs[i].fold]
        if prose_fold:
            folded.extend(prose_fold)
            shown = [i for i in shown if i not in prose_fold]
            continue
        optional = [i for i in shown if specs[i].priority > 0]
        if optional:
            worst = max(optional, key=lambda i: (specs[i].priority, i))
            folded.append(worst)
            shown.remove(worst)
            continue
        return _stacked(specs, rows, footer, width)


def _fit(
    specs: Sequence[Spec],
    shown: list[int],
    natural: list[int],
    header_natural: list[int],
    need: Callable[[int], int],
    width: int,
) -> list[int] | None:
    """Column widths for ``shown`` within ``width``, or None when they cannot fit."""
    full = [max(natural[i], header_natural[i]) for i in shown]
    if _grid_width(full) <= width:
        return full
    minimum = [max(need(i), 1) for i in shown]
    for position, i in enumerate(shown):
        if specs[i].fold:
            minimum[position] = max(minimum[position], min(natural[i], FOLD_MIN))
    if _grid_width(minimum) > width:
        return None
    # spare cells go first to headers of whole columns (one line reads better), then to
    # the prose columns, in order, up to their natural width
    spare = width - _grid_width(minimum)
    widths = list(minimum)
    for position, i in enumerate(shown):
        if specs[i].whole and spare > 0 and widths[position] < header_natural[i]:
            extra = min(spare, header_natural[i] - widths[position])
            widths[position] += extra
            spare -= extra
    for position, i in enumerate(shown):
        if not specs[i].whole and spare > 0:
            extra = min(spare, full[position] - widths[position])
            widths[position] += extra
            spare -= extra
    return widths


def _cell_lines(spec: Spec, text: str, width: int) -> list[str]:
    if spec.whole:
        return _lines_of(text)
    return wrap(text, width)


def _grid(
    specs: Sequence[Spec],
    rows: Sequence[Sequence[str]],
    footer: Sequence[str] | None,
    shown: list[int],
    widths: list[int],
    folded: list[int],
    width: int,
) -> Layout:
    lines: list[str] = []
    owners: list[int] = []

    def emit(cells: Sequence[str], owner: int, header: bool = False) -> None:
        stacks = [
            wrap(cells[i], w) if header else _cell_lines(specs[i], cells[i], w)
            for i, w in zip(shown, widths, strict=True)
        ]
        if header:  # headers sit on the rule, like Rich's: pad them at the top
            height = max(len(s) for s in stacks)
            stacks = [[""] * (height - len(s)) + s for s in stacks]
        for k in range(max(len(s) for s in stacks)):
            parts = [
                _pad(s[k] if k < len(s) else "", w, specs[i].numeric)
                for s, i, w in zip(stacks, shown, widths, strict=True)
            ]
            lines.append((" " + (" " * GAP).join(parts)).rstrip())
            owners.append(owner)

    emit([s.header for s in specs], -1, header=True)
    grid_width = _grid_width(widths)
    lines.append(" " + "─" * (grid_width - 2))
    owners.append(-1)

    def emit_folded(row: Sequence[str], index: int) -> None:
        parts = [
            row[i] if specs[i].fold else f"{_label(specs[i])}: {row[i]}" for i in folded if row[i]
        ]
        if parts:
            for k, line in enumerate(
                wrap(" · ".join(parts), max(width - cell_len(FOLD_INDENT), 20))
            ):
                lines.append((FOLD_INDENT if k == 0 else " " * cell_len(FOLD_INDENT)) + line)
                owners.append(index)

    for index, row in enumerate(rows):
        emit(row, index)
        emit_folded(row, index)
    if footer is not None:
        lines.append("")
        owners.append(-1)
        emit(footer, len(rows))
        emit_folded(footer, len(rows))
    return Layout(lines, owners, grid_width, folded=folded)


def _label(spec: Spec) -> str:
    return " ".join(spec.header.split())


def _stacked(
    specs: Sequence[Spec], rows: Sequence[Sequence[str]], footer: Sequence[str] | None, width: int
) -> Layout:
    """Each row as a block: its first cell, then ``header  value`` lines (values whole)."""
    labels = [_label(s) for s in specs]
    label_width = max((cell_len(label) for label in labels[1:]), default=0)
    value_width = width - 2 - label_width - 2
    lines: list[str] = []
    owners: list[int] = []
    keep = [i for i in range(len(specs)) if not specs[i].decoration]
    specs = [specs[i] for i in keep]
    labels = [labels[i] for i in keep]
    rows = [[row[i] for i in keep] for row in rows]
    footer = [footer[i] for i in keep] if footer is not None else None
    for index, row in enumerate([*rows, *([footer] if footer is not None else [])]):
        if index:
            lines.append("")
            owners.append(-1)
        lines.append(row[0] if row[0] else labels[0])
        owners.append(index)
        for i in range(1, len(specs)):
            if not row[i]:
                continue
            values = (
                _lines_of(row[i]) if specs[i].whole else wrap(row[i], max(value_width, PROSE_MIN))
            )
            if any(cell_len(value) > value_width for value in values):
                # too long beside its label: the label, then the value whole on its own line
                lines.append(f"  {labels[i]}")
                owners.append(index)
                lines.extend(f"    {value}" for value in values)
                owners.extend(index for _ in values)
                continue
            for k, value in enumerate(values):
                label = _pad(labels[i] if k == 0 else "", label_width, False)
                lines.append(f"  {label}  {value}".rstrip())
                owners.append(index)
    return Layout(
        lines, owners, min(width, max((cell_len(line) for line in lines), default=0)), stacked=True
    )
