"""tokencalc: exact, offline token counts and LLM cost estimates.

The Python API (documented in docs/python-api.md) is imported on first use, so
``import tokencalc`` stays cheap (no tokenizer, no price sheet, no tiktoken)::

    import tokencalc

    tokencalc.count_tokens("hello world")                       # 2, exact (o200k_base)
    tokencalc.estimate_tokens("hello", model="claude-sonnet-5-5")   # value + estimated flag
    tokencalc.estimate_cost("gpt-5", text="…", output_tokens=500)   # Decimal US dollars
    tokencalc.compare_models("…", ["gpt-5", "claude-*"])          # cheapest first
"""

from __future__ import annotations

# Not `from typing import TYPE_CHECKING`: typing takes ~15 ms to import, and the command line's
# interrupt guard (tokencalc.cli.entry) can only be set up after this package is imported.
TYPE_CHECKING = False

__version__ = "0.1.0"

# name → module that defines it; loaded by __getattr__ on first use.
_EXPORTS = {
    "count_tokens": "tokencalc.api",
    "count_tokens_batch": "tokencalc.api",
    "estimate_tokens": "tokencalc.api",
    "count_file": "tokencalc.api",
    "load_prices": "tokencalc.api",
    "estimate_cost": "tokencalc.api",
    "compare_models": "tokencalc.api",
    "estimate_dataset": "tokencalc.datasets.api",
    "TokenCount": "tokencalc.api",
    "CostEstimate": "tokencalc.api",
    "PriceSheet": "tokencalc.sheet.price_sheet",
    "ModelEntry": "tokencalc.sheet.model",
    "TokencalcError": "tokencalc.errors",
    "PriceSheetError": "tokencalc.errors",
    "UnknownModelError": "tokencalc.errors",
    "InputError": "tokencalc.errors",
    "UsageError": "tokencalc.errors",
    "EncodingDataError": "tokencalc.errors",
}

__all__ = [  # spelled out, so that type checkers and linters see the public names
    "CostEstimate",
    "EncodingDataError",
    "InputError",
    "ModelEntry",
    "PriceSheet",
    "PriceSheetError",
    "TokenCount",
    "TokencalcError",
    "UnknownModelError",
    "UsageError",
    "__version__",
    "compare_models",
    "count_file",
    "count_tokens",
    "count_tokens_batch",
    "estimate_cost",
    "estimate_dataset",
    "estimate_tokens",
    "load_prices",
]

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable, Mapping
    from typing import Any

    from tokencalc.api import (
        CostEstimate,
        TokenCount,
        compare_models,
        count_file,
        count_tokens,
        count_tokens_batch,
        estimate_cost,
        estimate_tokens,
        load_prices,
    )
    from tokencalc.datasets.api import estimate_dataset
    from tokencalc.errors import (
        EncodingDataError,
        InputError,
        PriceSheetError,
        TokencalcError,
        UnknownModelError,
        UsageError,
    )
    from tokencalc.sheet.model import ModelEntry
    from tokencalc.sheet.price_sheet import PriceSheet


def lazy_exports(
    package: str, exports: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` (PEP 562) for ``package``, whose ``exports`` map name →
    module: a name is imported the first time it is looked up, then kept in the package
    (``tokencalc.usage`` uses it too).
    """

    import sys  # here, so that dir(tokencalc) lists only the package's own names

    def __getattr__(name: str) -> Any:
        # importlib on first use, not when the package is imported: the command line's
        # interrupt guard (tokencalc.cli.entry) can only be set once this package is imported
        import importlib

        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        setattr(sys.modules[package], name, value)  # later look-ups skip this function
        return value

    def __dir__() -> list[str]:
        return sorted({*vars(sys.modules[package]), *exports})

    return __getattr__, __dir__


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
