"""``tokencalc prices``: the subcommand group and its help."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="prices",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def _prices() -> None:
    """See, correct, refresh and compare the price sheets.

    Changes go to your own sheet (a small TOML file that overlays the packaged
    default), never to the packaged one. Each write is checked first, written
    atomically, and the previous version is kept as pricing.toml.bak.

    Examples:

      tokencalc prices path

      tokencalc prices set gpt-5 --input 1.1 --output 9

      tokencalc prices import model_prices.json --provider anthropic --dry-run

      tokencalc prices diff
    """
