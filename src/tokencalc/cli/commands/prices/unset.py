"""``tokencalc prices unset``, ``set-rate`` and ``unset-rate``: remove an override, set or remove an exchange rate."""

from __future__ import annotations

from typing import Annotated

import typer

from tokencalc.cli.commands.prices.editing import (
    editing,
    no_user_sheet,
    save_edit,
)
from tokencalc.cli.env import Environment
from tokencalc.cli.options import parse_decimal
from tokencalc.errors import PriceSheetError
from tokencalc.sheet import edit as sheet_edit
from tokencalc.sheet import user_sheet
from tokencalc.sheet.load import read_sheet_layer


def unset_command(
    ctx: typer.Context,
    model: Annotated[str, typer.Argument(help="Model id or alias.", show_default=False)],
    field: Annotated[
        str | None,
        typer.Argument(
            help="One field to stop overriding (input, cached_input, batch, long_context.input, …); default: the whole model.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Remove your override of a model, or of one of its fields.

    The packaged price comes back. A model you added is removed. Unsetting
    something your sheet does not set is an error that lists what it does set.

    Examples:

      tokencalc prices unset gpt-5 input

      tokencalc prices unset gpt-5

      tokencalc prices unset claude-sonnet-5-5 batch
    """
    env: Environment = ctx.obj

    with editing():
        user = user_sheet.read_user_sheet()
        if not user.exists:
            raise no_user_sheet(user.path)
        merged = user_sheet.effective_data(user)
        data, model_id = sheet_edit.unset_model_value(user, merged, model, field)
        try:
            edit = user_sheet.plan_edit(user, data)
        except PriceSheetError as exc:
            if (
                field is not None
                and sheet_edit.find_model_id(read_sheet_layer().data, model_id) is None
            ):
                raise PriceSheetError(
                    f"{exc.message}\n{model_id} is a model you added: 'tokencalc prices unset {model_id}' removes it whole",
                    exc.problems,
                ) from None
            raise
        save_edit(env, edit, pin=True)


def set_rate_command(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Currency code, e.g. EUR.", show_default=False)],
    rate: Annotated[
        str,
        typer.Argument(help="Units of that currency per US dollar, e.g. 0.87.", show_default=False),
    ],
) -> None:
    """Store an exchange rate, used by --currency CODE.

    Examples:

      tokencalc prices set-rate EUR 0.87

      tokencalc estimate notes.md --currency EUR
    """
    env: Environment = ctx.obj

    value = parse_decimal("RATE", rate, positive=True)
    with editing():
        user = user_sheet.read_user_sheet()
        edit = user_sheet.plan_edit(user, sheet_edit.set_currency_rate(user, code, value))
        save_edit(env, edit)


def unset_rate_command(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Currency code, e.g. EUR.", show_default=False)],
) -> None:
    """Remove a stored exchange rate.

    Examples:

      tokencalc prices unset-rate EUR
    """
    env: Environment = ctx.obj

    with editing():
        user = user_sheet.read_user_sheet()
        if not user.exists:
            raise no_user_sheet(user.path)
        edit = user_sheet.plan_edit(user, sheet_edit.unset_currency_rate(user, code))
        save_edit(env, edit, pin=True)
