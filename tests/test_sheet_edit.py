"""``tokencalc.sheet.edit`` directly: diffs, dotted paths, model and rate edits, validation.

The CLI tests (test_prices.py) go through ``tokencalc prices``; these pin the pure functions
the commands are made of, with expectations written out by hand.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tokencalc.cli.flags import error_message
from tokencalc.errors import PriceSheetError, TokencalcError, UnknownModelError, UsageError
from tokencalc.sheet.diff import (
    NOT_A_TABLE,
    FieldChange,
    diff_entries,
    diff_sheets,
    flatten,
    same_value,
    show_value,
)
from tokencalc.sheet.edit import (
    find_model_id,
    set_currency_rate,
    set_dotted,
    set_model_values,
    unset_currency_rate,
    unset_model_value,
)
from tokencalc.sheet.load import parse_sheet_text
from tokencalc.sheet.model import SheetLayer
from tokencalc.sheet.user_sheet import UserSheet, plan_edit, render_sheet

D = Decimal

BASE_TEXT = """
schema_version = 1
as_of = 2026-11-01
default_models = ["m-one"]

[providers.acme]
name = "Acme"
source = "https://acme.example/pricing"
as_of = 2026-11-01

[models.m-one]
provider = "acme"
name = "M One"
tokenizer = "o200k_base"
input = 1.0
output = 4.0
context_window = 100000
aliases = ["m-one-2026-01-01"]

[models.m-one.batch]
multiplier = 0.5
"""


@pytest.fixture
def base() -> SheetLayer:
    return SheetLayer("base.toml", parse_sheet_text(BASE_TEXT, "base.toml"))


def user(tmp_path: Path, data: dict[str, Any] | None = None) -> UserSheet:
    return UserSheet(tmp_path / "pricing.toml", data or {}, None if data is None else b"")


def merged(base: SheetLayer) -> dict[str, Any]:
    return base.data


# --- comparing -----------------------------------------------------------------------------------


def test_flatten_names_nested_values_by_dotted_path():
    assert flatten({"input": 1, "batch": {"multiplier": 0.5, "x": {"y": 2}}}) == {
        "input": 1,
        "batch.multiplier": 0.5,
        "batch.x.y": 2,
    }


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        (2, 2.0, True),
        (2, D("2.00"), True),
        (D("0.1"), 0.1, True),
        (1, True, False),  # a boolean is not the number 1
        ([1, 2.0], [1.0, 2], True),
        ([1], [1, 1], False),
        ({"a": 1}, {"a": 1.0}, True),
        ({"a": 1}, {"b": 1}, False),
        ("1", 1, False),
    ],
)
def test_same_value_compares_numbers_by_value(a, b, same):
    assert same_value(a, b) is same


def test_diff_entries_lists_added_removed_and_changed_fields_in_order():
    changes = diff_entries(
        "models",
        "m",
        {"input": 1, "output": 2, "batch": {"multiplier": 0.5}},
        {"input": 1.0, "output": 3, "name": "M"},
    )
    assert [(c.field, c.kind, c.old, c.new) for c in changes] == [
        ("output", "changed", 2, 3),
        ("batch.multiplier", "removed", 0.5, None),
        ("name", "added", None, "M"),
    ]
    assert changes[0].where == 'models."m".output'


def test_a_broken_entry_diffs_as_one_field():
    (change,) = diff_entries("models", "m", 3, None)  # type: ignore[arg-type]  # a broken entry on purpose
    assert (change.field, change.kind) == (NOT_A_TABLE, "removed")


def test_diff_sheets_covers_top_level_sections_and_currencies():
    old = {
        "as_of": date(2026, 1, 1),
        "models": {"a": {"input": 1}},
        "currencies": {"EUR": D("0.9")},
    }
    new = {
        "as_of": date(2026, 2, 1),
        "models": {"a": {"input": 1}, "b": {"input": 2}},
        "currencies": {},
    }
    changes = diff_sheets(old, new)
    assert [(c.section, c.entry, c.field, c.kind) for c in changes] == [
        ("", None, "as_of", "changed"),
        ("models", "b", "input", "added"),
        ("currencies", None, "EUR", "removed"),
    ]
    assert [c.where for c in changes] == ["as_of", 'models."b".input', "currencies.EUR"]


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "—"),
        (True, "true"),
        (D("2.50"), "2.5"),
        (1e-07, "0.0000001"),
        (D("-0"), "0"),
        (date(2026, 12, 1), "2026-12-01"),
        (["a", 1.0], "[a, 1]"),
        ({"multiplier": D("0.50")}, "{multiplier = 0.5}"),
    ],
)
def test_show_value_is_plain(value, shown):
    assert show_value(value) == shown


def test_field_change_kind():
    assert FieldChange("models", "m", "input", None, 1).kind == "added"
    assert FieldChange("models", "m", "input", 1, None).kind == "removed"
    assert FieldChange("models", "m", "input", 1, 2).kind == "changed"


# --- finding and setting ---------------------------------------------------------------------------


def test_find_model_id_by_id_or_alias_in_any_case(base):
    assert find_model_id(base.data, "M-ONE") == "m-one"
    assert find_model_id(base.data, " m-one-2026-01-01 ") == "m-one"
    assert find_model_id(base.data, "m-two") is None
    assert find_model_id({"models": 3}, "m-one") is None


def test_set_dotted_keeps_a_tier_one_form_or_the_other():
    entry: dict[str, Any] = {"batch": {"input": 0.5, "output": 2.0}}
    set_dotted(entry, "batch.multiplier", 0.5)
    assert entry == {"batch": {"multiplier": 0.5}}
    set_dotted(entry, "batch.input", 0.4)
    assert entry == {"batch": {"input": 0.4}}
    set_dotted(entry, "long_context.threshold", 200000)
    assert entry["long_context"] == {"threshold": 200000}


def test_set_model_values_overrides_one_field_and_leaves_the_rest(tmp_path, base):
    data, model_id = set_model_values(
        user(tmp_path), merged(base), "m-one-2026-01-01", {"input": D("1.5")}
    )
    assert model_id == "m-one" and data == {"models": {"m-one": {"input": D("1.5")}}}


def test_a_new_model_needs_every_required_field(tmp_path, base):
    with pytest.raises(UsageError) as caught:
        set_model_values(user(tmp_path), merged(base), "m-new", {"input": D(1)})
    # the core names the missing fields; the command line calls them by its flags
    assert "also give provider, tokenizer, output, context_window (" in str(caught.value)
    assert "also give --provider, --tokenizer, --output, --context-window (" in error_message(
        caught.value
    )
    values = {
        "provider": "acme",
        "tokenizer": "o200k_base",
        "input": D(1),
        "output": D(2),
        "context_window": 1000,
    }
    data, model_id = set_model_values(user(tmp_path), merged(base), "m-new", values)
    assert model_id == "m-new"
    assert list(data["models"]["m-new"])[:3] == ["provider", "name", "tokenizer"]  # schema order


@pytest.mark.parametrize("name", ["has space", "glob*", ""])
def test_a_new_model_id_must_be_nameable(tmp_path, base, name):
    with pytest.raises(UsageError):
        set_model_values(user(tmp_path), merged(base), name, {"input": D(1)})


def test_nothing_to_set_is_a_usage_error(tmp_path, base):
    with pytest.raises(UsageError, match="nothing to set"):
        set_model_values(user(tmp_path), merged(base), "m-one", {})


def test_unset_removes_one_field_and_empty_tables(tmp_path, base):
    mine = user(tmp_path, {"models": {"m-one": {"input": 2.0, "batch": {"multiplier": 0.4}}}})
    data, _ = unset_model_value(mine, merged(base), "m-one", "batch.multiplier")
    assert data == {"models": {"m-one": {"input": 2.0}}}
    data, _ = unset_model_value(mine, merged(base), "m-one")
    assert data == {}


def test_unset_what_is_not_overridden_says_so(tmp_path, base):
    mine = user(tmp_path, {"models": {"m-one": {"input": 2.0}}})
    with pytest.raises(TokencalcError, match="no 'output' override"):
        unset_model_value(mine, merged(base), "m-one", "output")
    with pytest.raises(TokencalcError, match="has no override"):
        unset_model_value(user(tmp_path, {}), merged(base), "m-one")
    with pytest.raises(UnknownModelError):
        unset_model_value(mine, merged(base), "nothing-like-it")


def test_currency_rates(tmp_path):
    data = set_currency_rate(user(tmp_path), " eur ", D("0.92"))
    assert data == {"currencies": {"EUR": D("0.92")}}
    assert unset_currency_rate(user(tmp_path, data), "EUR") == {}
    for code, rate in (("EURO", D(1)), ("USD", D(1)), ("EUR", D(0)), ("EUR", D("NaN"))):
        with pytest.raises(UsageError):
            set_currency_rate(user(tmp_path), code, rate)
    with pytest.raises(TokencalcError, match="no rate for GBP"):
        unset_currency_rate(user(tmp_path, data), "GBP")


# --- validating before writing ---------------------------------------------------------------------


def test_plan_edit_describes_the_change_on_the_effective_sheet(tmp_path, base):
    data, _ = set_model_values(user(tmp_path), merged(base), "m-one", {"output": D(5)})
    edit = plan_edit(user(tmp_path), data, base=base)
    assert [(c.where, c.old, c.new) for c in edit.changes] == [('models."m-one".output', 4.0, 5.0)]
    assert edit.sheet.models["m-one"].output == D(5)
    assert edit.writes


def test_plan_edit_refuses_a_result_that_would_not_validate(tmp_path, base):
    with pytest.raises(PriceSheetError, match=r"would make .* invalid") as caught:
        plan_edit(user(tmp_path), {"models": {"m-one": {"input": -1.0}}}, base=base)
    assert any("input" in problem for problem in caught.value.problems)


def test_rendered_sheets_read_back_to_the_same_data():
    data = {
        "models": {
            "m-one": {"input": D("0.10"), "aliases": ["a"], "batch": {"multiplier": D("0.5")}}
        }
    }
    text = render_sheet(data).decode("utf-8")
    assert text.startswith("#")  # the header comment
    assert same_value(parse_sheet_text(text, "x.toml"), data)
