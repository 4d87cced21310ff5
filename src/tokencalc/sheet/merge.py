"""Overlaying sheet files: the user's sheet and ``--prices`` over the packaged one, key by key,
remembering which file set each key (so that a problem names the file at fault).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from tokencalc.sheet.model import ENTRY_TABLES, PACKAGED_LABEL, PRICE_FIELDS, TIERS, SheetLayer


def merge_layers(layers: Sequence[SheetLayer]) -> dict[str, Any]:
    """The raw data of sheet files overlaid as the loader overlays them (not validated).

    The layers' own data is left untouched.
    """
    merged: dict[str, Any] = {}
    origins = Origins(layers[0].label if layers else PACKAGED_LABEL)
    for layer in layers:
        merge_into(merged, layer.data, layer.label, origins)
    return merged


class Origins:
    """Which file set each key path of the merged sheet (the last one to set it)."""

    def __init__(self, default: str) -> None:
        self.default = default
        self._by_path: dict[tuple[Any, ...], str] = {}
        self._touched: dict[tuple[Any, ...], list[str]] = {}
        self._ranks: dict[str, int] = {}
        self._layers = 0

    def add_layer(self, label: str) -> None:
        """Note that ``label`` is merged next (later files rank higher)."""
        self._ranks[label] = self._layers
        self._layers += 1

    def record(self, path: tuple[Any, ...], value: Any, label: str) -> None:
        self._by_path[path] = label
        if len(path) == 2 and path[0] in ENTRY_TABLES:
            self.touch(path, label)
        if isinstance(value, dict):
            for key, item in value.items():
                self.record((*path, key), item, label)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self.record((*path, index), item, label)

    def claim(self, path: tuple[Any, ...], label: str) -> None:
        """Mark ``path`` as set by ``label`` (its keys are then re-recorded as they merge)."""
        self._by_path[path] = label

    def touch(self, path: tuple[Any, ...], label: str) -> None:
        labels = self._touched.setdefault(path, [])
        if label not in labels:
            labels.append(label)

    def of(self, path: tuple[Any, ...]) -> str:
        for end in range(len(path), 0, -1):
            label = self._by_path.get(path[:end])
            if label is not None:
                return label
        return self.default

    def files_of(self, path: tuple[Any, ...]) -> tuple[str, ...]:
        return tuple(self._touched.get(path, ()))

    def rank(self, path: tuple[Any, ...]) -> int:
        """How late in the overlay order the file that set ``path`` comes (default = 0)."""
        return self._ranks.get(self.of(path), 0)

    def latest(self, paths: Iterable[tuple[Any, ...]]) -> str:
        """The file, of those that set ``paths``, merged last."""
        return max(
            (self.of(path) for path in paths),
            key=lambda label: self._ranks.get(label, 0),
            default=self.default,
        )


def merge_into(
    target: dict[str, Any],
    overlay: Mapping[str, Any],
    label: str,
    origins: Origins,
    path: tuple[Any, ...] = (),
) -> None:
    if len(path) == 2 and path[0] in ENTRY_TABLES:
        origins.touch(path, label)
    # Model ids are case-insensitive: an overlay's [models."GPT-5"] changes the model gpt-5
    # (but two ids of one file that differ only in case stay two, and are reported).
    known = {k.lower(): k for k in target if isinstance(k, str)} if path == ("models",) else {}
    for key, value in overlay.items():
        if known and key not in target:
            key = known.get(key.lower(), key)
        here = (*path, key)
        current = target.get(key)
        if isinstance(value, dict) and isinstance(current, dict):
            if (
                len(path) == 2
                and path[0] == "models"
                and key in TIERS
                and _switch_tier_form(current, value)
            ):
                origins.claim(here, label)
            merge_into(current, value, label, origins, here)
        else:
            target[key] = copy.deepcopy(value)
            origins.record(here, value, label)


def _switch_tier_form(current: dict[str, Any], overlay: Mapping[str, Any]) -> bool:
    """A tier is a multiplier *or* explicit prices: an overlay giving one form replaces the other.

    Returns True when it did (the overlay then owns the whole tier table).
    """
    if "multiplier" in overlay and "multiplier" not in current:
        for name in PRICE_FIELDS:
            current.pop(name, None)
        current.pop("long_context", None)
        return True
    if (
        "multiplier" in current
        and "multiplier" not in overlay
        and any(name in overlay for name in PRICE_FIELDS)
    ):
        del current["multiplier"]
        return True
    return False
