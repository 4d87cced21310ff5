"""Rendering rows: nothing a person or a script reads is ever cut short."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

from cli_harness import MockEnvironment
from tokencalc.cli.views.render import Column, OutputFormat, write_json, write_rows

COLUMNS = [
    Column("model", "Model", no_wrap=True),
    Column("cost", "Cost", numeric=True),
    Column("notes", "Notes"),
]
ROWS = [
    {
        "model": "claude-sonnet-4-5-20250929-extra-long-id",
        "cost": "$0.000123456",
        "notes": "a long note " * 8,
    },
    {"model": "gpt-6-luna", "cost": "$12,345.67", "notes": "★ cheapest"},
]


def _output(mock: MockEnvironment) -> str:
    return mock._out.getvalue().decode()


def test_piped_table_keeps_ids_and_numbers_whole_however_narrow(monkeypatch):
    monkeypatch.setenv("COLUMNS", "40")
    mock = MockEnvironment()
    write_rows(mock.env, OutputFormat.table, COLUMNS, ROWS, caption="caption")
    out = _output(mock)
    for text in (
        "claude-sonnet-4-5-20250929-extra-long-id",
        "$0.000123456",
        "$12,345.67",
        "★ cheapest",
    ):
        assert text in out
    assert "…" not in out


def test_csv_markdown_and_json():
    mock = MockEnvironment()
    write_rows(mock.env, OutputFormat.csv, COLUMNS, ROWS)
    rows = list(csv.DictReader(io.StringIO(_output(mock))))
    assert [r["model"] for r in rows] == ["claude-sonnet-4-5-20250929-extra-long-id", "gpt-6-luna"]
    mock = MockEnvironment()
    write_rows(
        mock.env, OutputFormat.markdown, COLUMNS, [{"model": "a|b", "cost": "1", "notes": "x"}]
    )
    assert "| a\\|b | 1 | x |" in _output(mock)
    mock = MockEnvironment()
    write_json(mock.env, {"cost": Decimal("0.10"), "n": 1})
    assert json.loads(_output(mock)) == {"cost": "0.10", "n": 1}


# --- the layout: nothing whole is ever broken, at any width ------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tokencalc.cli.views.table_layout import Spec, lay_out  # noqa: E402

_WORD = st.text(alphabet="abcxyz0123456789.,$-≈★漢", min_size=1, max_size=14)


@settings(max_examples=150, deadline=None)
@given(
    width=st.integers(min_value=40, max_value=200),
    rows=st.lists(
        st.tuples(_WORD, _WORD, st.lists(_WORD, max_size=8).map(" ".join), _WORD),
        min_size=1,
        max_size=5,
    ),
    priorities=st.tuples(st.integers(0, 3), st.integers(0, 3)),
)
def test_layout_keeps_every_whole_cell_whole_and_every_word(width, rows, priorities):
    specs = [
        Spec("Model"),
        Spec("Cost", numeric=True, priority=priorities[0]),
        Spec("Notes", whole=False, fold=True),
        Spec("Count words", priority=priorities[1]),
    ]
    layout = lay_out(specs, [list(r) for r in rows], None, width)
    text = "\n".join(layout.lines)
    tokens = set(text.split())
    for row in rows:
        for whole_cell in (row[0], row[1], row[3]):
            assert whole_cell in tokens  # a whole token of the output, not a piece of one
        for word in row[2].split():
            assert word in text
    if not layout.stacked:
        from rich.cells import cell_len

        assert all(cell_len(line) <= width for line in layout.lines)


def test_narrow_layout_folds_notes_then_low_priority_columns_then_stacks():
    specs = [
        Spec("Model"),
        Spec("Cost", numeric=True),
        Spec("Count", priority=1),
        Spec("Notes", whole=False, fold=True),
    ]
    rows = [["claude-sonnet-5-5", "$11.15", "×1.5 o200k", "★ cheapest; long-context price"]]
    wide = lay_out(specs, rows, None, 100)
    assert not wide.folded and len(wide.lines) == 3
    mid = lay_out(specs, rows, None, 44)
    assert mid.lines[-1].strip() == "↳ ★ cheapest; long-context price"
    narrow = lay_out(specs, rows, None, 40)
    assert (
        " ".join(line.strip() for line in narrow.lines[3:])
        == "↳ Count: ×1.5 o200k · ★ cheapest; long-context price"
    )
    stacked = lay_out(specs, [["x" * 38, "$11.15", "×1.5", "n"]], None, 40)
    assert stacked.stacked and stacked.lines[0] == "x" * 38 and "  Cost   $11.15" in stacked.lines
