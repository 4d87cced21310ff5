"""Shell completion of the names commands take: model ids, plan ids, providers, encodings.

Each completer reads the effective price sheet (the packaged one with the user's overlaid) and
offers the names that start with what was typed, with a short description where the shell
shows one. A sheet that cannot be read offers nothing: completion must never print an error
into the middle of someone's command line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from tokencalc.sheet.price_sheet import PriceSheet


def _sheet() -> PriceSheet | None:
    from tokencalc.sheet.load import load_price_sheet

    try:
        return load_price_sheet(None)
    except Exception:  # noqa: BLE001 - completion stays silent whatever is wrong
        return None


def _starting(incomplete: str, names: list[tuple[str, str]]) -> list[tuple[str, str]]:
    typed = incomplete.lower()
    return [(name, help_text) for name, help_text in names if name.lower().startswith(typed)]


def complete_model(incomplete: str) -> list[tuple[str, str]]:
    """Current model ids (deprecated ones too once their id is being typed)."""
    sheet = _sheet()
    if sheet is None:
        return []
    names = [(m.id, m.name) for m in sheet.models.values() if not m.deprecated]
    matches = _starting(incomplete, names)
    if matches or not incomplete:
        return matches
    return _starting(incomplete, [(m.id, f"{m.name} (deprecated)") for m in sheet.models.values()])


def complete_plan(incomplete: str) -> list[tuple[str, str]]:
    sheet = _sheet()
    if sheet is None:
        return []
    return _starting(incomplete, [(p.id, p.name) for p in sheet.plans.values()])


def complete_provider(incomplete: str) -> list[tuple[str, str]]:
    sheet = _sheet()
    if sheet is None:
        return []
    return _starting(incomplete, [(p, sheet.providers[p].name) for p in sheet.providers])


def complete_encoding(incomplete: str) -> list[tuple[str, str]]:
    from tokencalc.counting.encodings import EXACT_ENCODINGS

    return _starting(incomplete, [(name, "exact, offline") for name in EXACT_ENCODINGS])
