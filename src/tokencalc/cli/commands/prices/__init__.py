"""``tokencalc prices …``: see, correct, refresh and compare the price sheets.

Every write goes to the user sheet (``tokencalc prices path``), never to the packaged
default; the logic lives in :mod:`tokencalc.sheet.edit` and :mod:`tokencalc.sheet.imports`.
Each subcommand is a module of this package, registered here on :data:`app` in the order
``tokencalc prices --help`` lists them.
"""

from __future__ import annotations

from tokencalc.cli.commands.prices import (
    diff,
    export,
    import_prices,
    path,
    set_price,
    unset,
    validate,
)
from tokencalc.cli.commands.prices.group import app

app.command("path")(path.path_command)
app.command("set")(set_price.set_command)
app.command("unset")(unset.unset_command)
app.command("set-rate")(unset.set_rate_command)
app.command("unset-rate")(unset.unset_rate_command)
app.command("import")(import_prices.import_command)
app.command("diff")(diff.diff_command)
app.command("validate")(validate.validate_command)
app.command("export")(export.export_command)

__all__ = ["app"]
