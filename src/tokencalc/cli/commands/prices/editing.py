"""What the prices subcommands share: printing, saving an edit and reporting it, the edit lock."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager
from pathlib import Path

from tokencalc.cli.env import Environment
from tokencalc.errors import TokencalcError
from tokencalc.paths import user_sheet_path
from tokencalc.sheet.diff import FieldChange, show_value
from tokencalc.sheet.lock import sheet_lock
from tokencalc.sheet.user_sheet import SheetEdit, write_edit


def out_line(env: Environment, line: str = "") -> None:
    env.write(line + "\n")


def report_changes(env: Environment, changes: Iterable[FieldChange]) -> None:

    for change in changes:
        out_line(
            env,
            f"{change.kind:<8} {change.where}: {show_value(change.old)} → {show_value(change.new)}",
        )


def save_edit(
    env: Environment,
    edit: SheetEdit,
    *,
    report: bool = True,
    pin: bool = False,
    also: list[str] | None = None,
) -> None:
    """Write the edit, then say what changed (a failed write reports no changes).

    A ``set`` that would not change any effective price writes nothing (unless ``pin``);
    an ``unset`` always removes the override it names.
    """

    if not edit.writes or (not edit.changes and not pin):
        out_line(
            env,
            f"nothing to change: the effective price sheet already says so ({edit.user.path} left as it is)",
        )
        return
    backup = write_edit(edit)
    if report:
        report_changes(env, edit.changes)
        if not edit.changes:
            out_line(
                env,
                "the effective prices are the same (the override you removed repeated the packaged value)",
            )
        for line in also or ():
            out_line(env, line)
    kept = f" (previous version: {backup})" if backup else ""
    out_line(env, f"saved {edit.user.path}{kept}")


def editing() -> AbstractContextManager[Path]:
    """The user sheet's edit lock, held from reading the sheet until the new one is in place."""

    return sheet_lock(user_sheet_path())


def no_user_sheet(path: Path) -> TokencalcError:

    return TokencalcError(f"you have no price sheet of your own yet ({path}); nothing to unset")
