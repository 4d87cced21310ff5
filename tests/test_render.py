"""Rendering rows: nothing a person or a script reads is ever cut short."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

from tokencalc.render import Column, OutputFormat, write_json, write_rows

COLUMNS = [
    Column("model", "Model", no_wrap=True),
    Column("cost", "Cost", numeric=True),
    Column("notes", "Notes"),
]
ROWS = [
    {"model": "claude-sonnet-4-5-20250929-extra-long-id", "cost": "$0.000123456", "notes": "a long note " * 8},
    {"model": "gpt-6-luna", "cost": "$12,345.67", "notes": "★ cheapest"},
]


def test_piped_table_keeps_ids_and_numbers_whole_however_narrow(monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "40")
    write_rows(OutputFormat.table, COLUMNS, ROWS, caption="caption")
    out = capsys.readouterr().out
    for text in ("claude-sonnet-4-5-20250929-extra-long-id", "$0.000123456", "$12,345.67", "★ cheapest"):
        assert text in out
    assert "…" not in out


def test_csv_markdown_and_json(capsys):
    write_rows(OutputFormat.csv, COLUMNS, ROWS)
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["model"] for r in rows] == ["claude-sonnet-4-5-20250929-extra-long-id", "gpt-6-luna"]
    write_rows(OutputFormat.markdown, COLUMNS, [{"model": "a|b", "cost": "1", "notes": "x"}])
    assert "| a\\|b | 1 | x |" in capsys.readouterr().out
    write_json({"cost": Decimal("0.10"), "n": 1})
    assert json.loads(capsys.readouterr().out) == {"cost": "0.10", "n": 1}
