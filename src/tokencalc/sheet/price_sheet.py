"""The merged, validated price sheet: its entries, and how to look models and prices up in it.

Looking up by name is :mod:`tokencalc.sheet.lookup`; prices on a day and tier are
:mod:`tokencalc.sheet.price_resolution`. Nothing here prints, exits, or builds a tokenizer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from tokencalc.counting.encodings import EXACT_ENCODINGS, TokenizerRef
from tokencalc.errors import TokencalcError
from tokencalc.paths import user_sheet_path
from tokencalc.sheet.lookup import ModelLookup
from tokencalc.sheet.model import (
    STALE_AFTER_DAYS,
    USD,
    ModelEntry,
    Plan,
    Provider,
    SheetLayer,
    TokenizerFamily,
)
from tokencalc.sheet.price_resolution import PriceResolution
from tokencalc.wording import Arg


@dataclass(frozen=True)
class PriceSheet(ModelLookup, PriceResolution):
    """The merged, validated price sheet."""

    models: Mapping[str, ModelEntry]
    aliases: Mapping[str, str]  # alias (as written) → model id
    providers: Mapping[str, Provider]
    tokenizers: Mapping[str, TokenizerFamily]
    plans: Mapping[str, Plan]
    default_models: tuple[str, ...]
    currencies: Mapping[str, Decimal]
    as_of: date
    files: tuple[str, ...]
    #: the parsed files, default first, as they were merged (see :func:`merge_layers`)
    layers: tuple[SheetLayer, ...] = field(default=(), repr=False, compare=False)

    # -- tokenizers

    def tokenizer_for(self, model: ModelEntry) -> TokenizerRef:
        """How to count ``model``'s tokens: an exact encoding, or a family's estimate."""
        if model.tokenizer in EXACT_ENCODINGS:
            return TokenizerRef(family=model.tokenizer, base=model.tokenizer)
        family = self.tokenizers[model.tokenizer]
        return TokenizerRef(
            family=family.id,
            base=family.base,
            ratio=family.ratio,
            estimated=True,
            counting=family.counting,
        )

    # -- currencies and age

    def exchange_rate(self, currency: str, rate: Decimal | None = None) -> Decimal:
        """Units of ``currency`` per US dollar: ``rate`` if given, else the sheet's ``[currencies]``."""
        code = currency.strip().upper()
        if rate is not None:
            if rate <= 0:
                raise TokencalcError(f"exchange rate must be positive, got {rate}")
            return rate
        if code == USD:
            return Decimal(1)
        if code in self.currencies:
            return self.currencies[code]
        raise TokencalcError.naming(
            f"no exchange rate for {code}: give ",
            Arg("rate"),
            f" (units per US dollar) or add 'currencies.{code} = …' to {user_sheet_path()}",
        )

    def age_warning(self, today: date | None = None) -> str | None:
        """A message when the sheet's ``as_of`` is more than 90 days before ``today``."""
        age = ((today or date.today()) - self.as_of).days
        if age <= STALE_AFTER_DAYS:
            return None
        return (
            f"the price sheet is {age} days old (as of {self.as_of.isoformat()}); prices may have "
            "changed: upgrade tokencalc or override prices in your own sheet"
        )
