"""The user sheet and the sheets named on the command line, with real files: reading the user
sheet, refusing broken shapes, writing an edit with its backup (sheet/user_sheet.py), and the
sheets ``prices diff``/``export`` name (sheet/load.py).

test_sheet_edit.py pins the pure functions; these pin the parts that touch the disk, called
directly (the CLI tests go through ``tokencalc prices``, test_hostile_sheet_edits.py through
concurrent processes). Every expectation is written out by hand.
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest

from tokencalc.errors import PriceSheetError, TokencalcError
from tokencalc.sheet.edit import set_model_values, unset_model_value
from tokencalc.sheet.load import count_entries, is_complete, parse_sheet_text, sheet_data
from tokencalc.sheet.model import SheetLayer
from tokencalc.sheet.user_sheet import (
    UserSheet,
    effective_data,
    plan_edit,
    read_user_sheet,
    require_shape,
    write_edit,
)

D = Decimal

PACKAGED = """
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

[models.m-two]
provider = "acme"
name = "M Two"
tokenizer = "o200k_base"
input = 3.0
output = 15.0
context_window = 200000
"""


@pytest.fixture
def packaged(packaged_sheet) -> SheetLayer:
    """The small sheet above stands in for the packaged one (sheet_data reads it)."""
    packaged_sheet(PACKAGED)
    return SheetLayer("pricing.toml", parse_sheet_text(PACKAGED, "pricing.toml"))


@pytest.fixture
def sheet_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user sheet's path, under its own TOKENCALC_HOME (not created)."""
    monkeypatch.setenv("TOKENCALC_HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    return tmp_path / "home" / "pricing.toml"


# --- reading the user sheet ------------------------------------------------------------------


def test_a_missing_user_sheet_reads_as_empty(sheet_path):
    user = read_user_sheet()
    assert (user.path, user.data, user.original, user.exists) == (sheet_path, {}, None, False)
    assert user.label == str(sheet_path)


def test_the_user_sheet_is_read_with_its_bytes(sheet_path):
    text = "[models.m-one]\ninput = 2.5\n"
    sheet_path.write_text(text, encoding="utf-8")
    user = read_user_sheet(sheet_path)
    assert user.exists and user.original == text.encode()
    assert user.data == {"models": {"m-one": {"input": D("2.5")}}}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"[models\n", "cannot change "),
        (b"input = \xff\n", "not UTF-8 text (invalid byte at offset 8)"),
    ],
)
def test_an_unreadable_user_sheet_is_one_error_naming_it(sheet_path, content, message):
    sheet_path.write_bytes(content)
    with pytest.raises(PriceSheetError) as caught:
        read_user_sheet(sheet_path)
    assert message in str(caught.value) and str(sheet_path) in str(caught.value)


def test_a_directory_in_place_of_the_user_sheet(sheet_path):
    sheet_path.mkdir()
    with pytest.raises(PriceSheetError, match="is a directory, not a price sheet; move it aside"):
        read_user_sheet(sheet_path)


def test_a_user_sheet_over_the_size_limit(sheet_path, monkeypatch):
    monkeypatch.setenv("TOKENCALC_MAX_SHEET_MB", "1")
    sheet_path.write_bytes(b"# " + b"x" * (1 << 20) + b"\n")
    with pytest.raises(PriceSheetError) as caught:
        read_user_sheet(sheet_path)
    assert "TOKENCALC_MAX_SHEET_MB" in str(caught.value)


# --- shapes and overlays ---------------------------------------------------------------------


def test_a_section_that_is_not_a_table_is_refused_before_any_edit(tmp_path):
    path = tmp_path / "pricing.toml"
    broken = UserSheet(path, {"models": 3}, b"models = 3\n")
    with pytest.raises(PriceSheetError, match="it is not valid now") as caught:
        require_shape(broken)
    assert caught.value.problems == [f"{path}: models: must be a table, got 3"]


def test_an_entry_about_to_be_removed_whole_may_be_broken(tmp_path, packaged):
    broken = UserSheet(
        tmp_path / "pricing.toml",
        {"models": {"m-one": 3, "m-two": {"input": 9}}},
        b"...",
    )
    with pytest.raises(PriceSheetError):
        require_shape(broken)
    require_shape(broken, ignore=(("models", "m-one"),))  # no error
    data, model_id = unset_model_value(broken, packaged.data, "M-ONE")
    assert (model_id, data) == ("m-one", {"models": {"m-two": {"input": 9}}})


def test_unset_in_a_models_section_that_is_not_a_table_is_refused(tmp_path, packaged):
    broken = UserSheet(tmp_path / "pricing.toml", {"models": [1]}, b"models = [1]\n")
    with pytest.raises(PriceSheetError, match="models: must be a table"):
        unset_model_value(broken, packaged.data, "m-one")


def test_unset_of_a_dotted_field_that_is_not_there_lists_what_is(tmp_path, packaged):
    mine = UserSheet(tmp_path / "p.toml", {"models": {"m-one": {"input": 2}}}, b"...")
    with pytest.raises(TokencalcError) as caught:
        unset_model_value(mine, packaged.data, "m-one", "batch.multiplier")
    assert str(caught.value) == (
        "model 'm-one' has no 'batch.multiplier' override in your price sheet (it overrides: input)"
    )


def test_unset_of_the_last_field_drops_the_model_and_the_section(tmp_path, packaged):
    mine = UserSheet(tmp_path / "p.toml", {"models": {"m-one": {"batch": {"input": 1}}}}, b".")
    data, _ = unset_model_value(mine, packaged.data, "m-one", "batch.input")
    assert data == {}


def test_effective_data_overlays_the_user_sheet_field_by_field(tmp_path, packaged):
    mine = UserSheet(tmp_path / "p.toml", {"models": {"m-two": {"output": 12}}}, b".")
    merged = effective_data(mine, packaged)
    assert merged["models"]["m-two"]["output"] == 12
    assert merged["models"]["m-two"]["input"] == D("3.0")  # kept from the packaged sheet
    assert merged["models"]["m-one"] == packaged.data["models"]["m-one"]
    assert effective_data(UserSheet(tmp_path / "p.toml", {}, None), packaged) == packaged.data


def test_an_edit_of_a_sheet_already_broken_asks_for_a_repair_first(tmp_path, packaged):
    path = tmp_path / "p.toml"
    broken = UserSheet(path, {"models": {"m-one": {"input": -1}}}, b".")
    with pytest.raises(PriceSheetError) as caught:
        plan_edit(
            broken, {"models": {"m-one": {"input": -1}, "m-two": {"output": -2}}}, base=packaged
        )
    message = str(caught.value)
    # two problems: listed one per line, between the intro and the way out
    assert message.startswith(f"cannot change {path}: it is not valid now:\n  ")
    assert len(caught.value.problems) == 2
    assert message.count("\n  ") == 2


# --- writing -----------------------------------------------------------------------------------


def _edit(user: UserSheet, packaged: SheetLayer, **values):
    data, _ = set_model_values(user, packaged.data, "m-one", {k: D(v) for k, v in values.items()})
    return plan_edit(user, data, base=packaged)


def test_the_first_edit_writes_a_new_sheet_and_no_backup(sheet_path, packaged):
    backup = write_edit(_edit(read_user_sheet(sheet_path), packaged, input="1.5"))
    assert backup is None
    assert not sheet_path.with_name("pricing.toml.bak").exists()
    assert read_user_sheet(sheet_path).data == {"models": {"m-one": {"input": D("1.5")}}}


def test_the_next_edit_keeps_the_sheet_before_it_as_the_backup(sheet_path, packaged):
    write_edit(_edit(read_user_sheet(sheet_path), packaged, input="1.5"))
    before = sheet_path.read_bytes()
    backup = write_edit(_edit(read_user_sheet(sheet_path), packaged, output="5"))
    assert backup == sheet_path.with_name("pricing.toml.bak")
    assert backup is not None and backup.read_bytes() == before
    assert read_user_sheet(sheet_path).data == {
        "models": {"m-one": {"input": D("1.5"), "output": D(5)}}
    }


def test_an_edit_that_changes_nothing_writes_nothing(sheet_path, packaged):
    write_edit(_edit(read_user_sheet(sheet_path), packaged, input="1.5"))
    stat = sheet_path.stat()
    edit = _edit(read_user_sheet(sheet_path), packaged, input="1.50")
    assert not edit.writes
    assert write_edit(edit) is None
    assert sheet_path.stat().st_mtime_ns == stat.st_mtime_ns
    assert not sheet_path.with_name("pricing.toml.bak").exists()


def test_a_sheet_changed_on_disk_after_it_was_read_is_not_overwritten(sheet_path, packaged):
    edit = _edit(read_user_sheet(sheet_path), packaged, input="1.5")
    sheet_path.write_text("# typed in an editor meanwhile\n", encoding="utf-8")
    with pytest.raises(TokencalcError, match="changed on disk while this edit was being prepared"):
        write_edit(edit)
    assert sheet_path.read_text(encoding="utf-8") == "# typed in an editor meanwhile\n"


def test_a_symlinked_sheet_stays_a_link_and_its_target_is_written(sheet_path, packaged, tmp_path):
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    (dotfiles / "pricing.toml").write_text("[models.m-one]\ninput = 2\n", encoding="utf-8")
    sheet_path.symlink_to(dotfiles / "pricing.toml")
    backup = write_edit(_edit(read_user_sheet(sheet_path), packaged, output="5"))
    assert sheet_path.is_symlink()
    assert backup == dotfiles / "pricing.toml.bak"
    assert backup is not None
    assert backup.read_text(encoding="utf-8") == "[models.m-one]\ninput = 2\n"
    assert read_user_sheet(dotfiles / "pricing.toml").data == {
        "models": {"m-one": {"input": 2, "output": D(5)}}
    }


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs a FIFO")
def test_a_fifo_in_place_of_the_sheet_is_refused(sheet_path, packaged):
    user = UserSheet(sheet_path, {}, None)
    edit = _edit(user, packaged, input="1.5")
    os.mkfifo(sheet_path)
    with pytest.raises(TokencalcError, match="not a regular file"):
        write_edit(edit)


def test_a_sheet_that_cannot_be_written_says_how_to_get_out(tmp_path, packaged):
    """The directory is a file (so even root cannot write there): one error, nothing written."""
    (tmp_path / "home").write_text("not a directory", encoding="utf-8")
    path = tmp_path / "home" / "pricing.toml"
    edit = _edit(read_user_sheet(path), packaged, input="1.5")  # reads as no sheet at all
    with pytest.raises(TokencalcError) as caught:
        write_edit(edit)
    assert str(caught.value).startswith(f"cannot write {path}: ")
    assert str(caught.value).endswith(
        f"nothing was changed (make {tmp_path / 'home'} writable, "
        "or set TOKENCALC_HOME to a writable directory)"
    )
    assert (tmp_path / "home").read_text(encoding="utf-8") == "not a directory"


# --- sheets named on the command line ---------------------------------------------------------


def test_the_packaged_sheet_by_either_name(packaged, sheet_path):
    for name in ("default", "packaged"):
        assert sheet_data(name) == (packaged.data, "packaged sheet")


def test_the_effective_sheet_with_and_without_a_user_sheet(packaged, sheet_path):
    assert sheet_data(None) == (packaged.data, "packaged sheet (no user sheet)")
    sheet_path.write_text("[models.m-two]\noutput = 12\n", encoding="utf-8")
    data, label = sheet_data("effective")
    assert label == "effective sheet"
    assert data["models"]["m-two"]["output"] == 12 and data["models"]["m-two"]["input"] == D(3)
    assert sheet_data(None, user=False) == (packaged.data, "packaged sheet (no user sheet)")


def test_a_complete_file_is_taken_as_it_is_and_a_partial_one_as_an_overlay(packaged, tmp_path):
    whole = tmp_path / "whole.toml"
    whole.write_text(PACKAGED.replace("output = 15.0", "output = 16.0"), encoding="utf-8")
    data, label = sheet_data(str(whole))
    assert label == str(whole) and data["models"]["m-two"]["output"] == D(16)
    part = tmp_path / "part.toml"
    part.write_text("[models.m-one]\ninput = 0.5\n", encoding="utf-8")
    data, label = sheet_data(str(part))
    assert label == f"packaged sheet + {part}"
    assert data["models"]["m-one"]["input"] == D("0.5")
    assert data["models"]["m-one"]["output"] == D(4)


def test_a_partial_file_that_breaks_the_packaged_sheet_is_an_error(packaged, tmp_path):
    part = tmp_path / "part.toml"
    part.write_text("[models.m-one]\ninput = -1\n", encoding="utf-8")
    with pytest.raises(PriceSheetError):
        sheet_data(str(part))


def test_is_complete_and_count_entries(packaged):
    assert is_complete(packaged)
    assert not is_complete(SheetLayer("part.toml", {"models": {"m-one": {"input": 1}}}))
    assert count_entries(packaged.data) == (2, 0)
    assert count_entries({"plans": {"p": {}}, "models": {}}) == (0, 1)
    assert count_entries({}) == (0, 0)


def test_each_parse_is_the_callers_own_to_change(packaged):
    """The parse of a text is kept (the packaged sheet is read at every command); what each
    caller gets is its own copy, down to the arrays, and the sheets built from it keep theirs."""
    text = PACKAGED + "\n[models.m-one.tiers]\nbreaks = [[1, 2], [3]]\n"
    first = parse_sheet_text(text, "pricing.toml")
    first["models"]["m-one"]["input"] = 99
    first["models"]["m-one"]["tiers"]["breaks"][0].append(4)
    first["default_models"].clear()
    del first["models"]["m-two"]
    again = parse_sheet_text(text, "pricing.toml")
    assert again["models"]["m-one"]["input"] == 1.0
    assert again["models"]["m-one"]["tiers"]["breaks"] == [[1, 2], [3]]
    assert again["default_models"] == ["m-one"]
    assert set(again["models"]) == {"m-one", "m-two"}
    assert again is not first and again["models"] is not first["models"]
    # the layer the fixture parsed before any of this, and a sheet built now, are untouched
    packaged.data["models"]["m-one"]["output"] = 0
    assert sheet_data("packaged")[0]["models"]["m-one"]["output"] == 4.0


def test_a_broken_text_fails_the_same_way_every_time():
    for _ in range(2):  # a failed parse is not kept: the second fails with the same words
        with pytest.raises(PriceSheetError, match=r"^x\.toml: line 2, column 5: invalid TOML"):
            parse_sheet_text("a = 1\nb = \n", "x.toml")
    with pytest.raises(PriceSheetError, match="nested too deeply"):
        parse_sheet_text("a = " + "[" * 5000 + "]" * 5000, "deep.toml")
