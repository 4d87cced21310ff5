"""tokencalc from Python: count tokens and price text with the same core as the CLI.

The package holds the results (``results``), argument checks (``arguments``), the sheet and
tokenizer a call uses (``sheets``), counting (``counts``) and pricing (``costs``).

Everything here is re-exported by ``import tokencalc`` (lazily: importing the package
costs nothing until a function is called). Functions never print or exit; problems raise
:class:`~tokencalc.errors.TokencalcError` subclasses. Money is :class:`~decimal.Decimal`
US dollars, unrounded.

Counting reuses one counter per process and tokenizer, so calling :func:`count_tokens`
once per row of a large table is cheap: the tokenizer is built once, and small texts
are counted without starting worker threads. The default price sheet (packaged + your
own) is loaded once and reloaded only when your sheet changes on disk.

>>> import tokencalc
>>> tokencalc.count_tokens("hello world")
2
>>> tokencalc.count_tokens("hello world", encoding="cl100k_base")
2
"""

from tokencalc.api.costs import compare_models, estimate_cost
from tokencalc.api.counts import count_file, count_tokens, count_tokens_batch, estimate_tokens
from tokencalc.api.results import CostEstimate, TokenCount
from tokencalc.api.sheets import Prices, load_prices

__all__ = [
    "CostEstimate",
    "Prices",
    "TokenCount",
    "compare_models",
    "count_file",
    "count_tokens",
    "count_tokens_batch",
    "estimate_cost",
    "estimate_tokens",
    "load_prices",
]
