"""De-duplication of records that several lines or files describe more than once.

Each reader yields :class:`Candidate` records with a key naming the API call they describe;
a collector per source keeps one record per key and counts the rest as duplicates.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from tokencalc.usage.records import UsageRecord, VendorCost

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Candidate:
    """A record a reader found, with what de-duplication needs to know about it."""

    record: UsageRecord
    key: Hashable | None = None  # None: nothing to match it with, always kept
    rank: tuple[Any, ...] = ()  # KeepLargest keeps the highest rank; ties keep the first seen
    #: KeepLargest: records under different keys that may still be one call (Claude Code: the
    #: same ``message.id`` written with another ``requestId``); see :meth:`KeepLargest.records`
    group: Hashable | None = None
    #: a copy replayed by another transcript (a Claude Code sidechain), not the original
    replica: bool = False


@dataclass(frozen=True)
class CostCandidate:
    """A vendor cost row a reader found, keyed so the same export read twice counts once."""

    cost: VendorCost
    key: Hashable


class KeepFirst:
    """One record per key, the first one seen (exports and billing rows given twice)."""

    def __init__(self) -> None:
        self._seen: set[Hashable] = set()
        self._records: list[UsageRecord] = []
        self.duplicates = 0

    def add(self, candidate: Candidate) -> None:
        if candidate.key is not None:
            if candidate.key in self._seen:
                self.duplicates += 1
                return
            self._seen.add(candidate.key)
        self._records.append(candidate.record)

    def records(self) -> list[UsageRecord]:
        return self._records


class KeepLargest:
    """One record per key, the one with the highest rank (e.g. the final streamed counts).

    Then, among the kept records of one ``group`` (different keys that may name one call):
    when any of them is a ``replica``, the group is one call replayed — the originals are kept
    (the best-ranked replica if there is no original) and the other replicas count as
    duplicates. A group of originals only is left alone: distinct keys there mean distinct
    calls. The outcome does not depend on the order files are read in.
    """

    def __init__(self) -> None:
        self._best: dict[Hashable, Candidate] = {}
        self._unkeyed: list[UsageRecord] = []
        self._kept: list[UsageRecord] | None = None
        self.duplicates = 0

    def add(self, candidate: Candidate) -> None:
        if candidate.key is None:
            self._unkeyed.append(candidate.record)
            return
        best = self._best.get(candidate.key)
        if best is None:
            self._best[candidate.key] = candidate
            return
        self.duplicates += 1
        if candidate.rank > best.rank:
            self._best[candidate.key] = candidate

    def records(self) -> list[UsageRecord]:
        if self._kept is None:
            self._kept = self._settle()
        return self._kept

    def _settle(self) -> list[UsageRecord]:
        kept, dropped = settle_groups(
            self._best.values(),
            group=lambda c: c.group,
            replica=lambda c: c.replica,
            rank=lambda c: c.rank,
        )
        self.duplicates += dropped
        return [c.record for c in kept] + self._unkeyed


def settle_groups(
    best: Iterable[T],
    *,
    group: Callable[[T], Hashable | None],
    replica: Callable[[T], bool],
    rank: Callable[[T], Any],
) -> tuple[list[T], int]:
    """:class:`KeepLargest`'s group rule on the best item of each key, whatever the items are.

    Items of no group are kept. Within a group with any ``replica``, the group is one call
    replayed: its originals are kept (the best-ranked replica if there is none) and the others
    dropped; a group of originals only is kept whole. Returns the kept items (ungrouped first,
    then group by group, each in the order given) and how many were dropped. The status line
    runs it on its compact index entries (:mod:`tokencalc.usage.claude_index`).
    """
    kept: list[T] = []
    groups: dict[Hashable, list[T]] = {}
    for item in best:
        name = group(item)
        if name is None:
            kept.append(item)
        else:
            groups.setdefault(name, []).append(item)
    dropped = 0
    for members in groups.values():
        originals = [m for m in members if not replica(m)]
        if len(members) == 1 or len(originals) == len(members):
            kept.extend(members)
            continue
        survivors = originals or [max(members, key=rank)]
        dropped += len(members) - len(survivors)
        kept.extend(survivors)
    return kept, dropped


def settle_within_file(
    found: list[Any], keeps_largest: Callable[[str], bool]
) -> tuple[list[Any], int]:
    """One file's reader output with each key's candidates settled as its collector would settle them.

    Returns the reduced list and the number of candidates dropped (duplicates within the file).
    Feeding the reduced list of each file, in file order, to :class:`KeepFirst`/:class:`KeepLargest`
    gives the same kept records, in the same order, and the same duplicate total as feeding every
    candidate: a key keeps its position of first appearance; "first" keeps the first candidate,
    "largest" the first of the highest rank (a later one replaces it only when strictly higher).
    Objects other than keyed candidates are passed through in place.
    """
    return settle_keys(
        found,
        key=lambda item: item.key if isinstance(item, Candidate) else None,
        rank=lambda item: item.rank,
        largest=lambda item: keeps_largest(item.record.source),
    )


def settle_keys(
    items: Iterable[T],
    *,
    key: Callable[[T], Hashable | None],
    rank: Callable[[T], Any],
    largest: Callable[[T], bool],
) -> tuple[list[T], int]:
    """Items with one per key: the first, or (``largest``) the first of the highest rank.

    A key keeps the position of its first item; items whose key is None pass through in place.
    Returns the reduced list and how many items were dropped.
    """
    kept: list[T] = []
    slots: dict[Hashable, int] = {}
    dropped = 0
    for item in items:
        name = key(item)
        if name is None:
            kept.append(item)
            continue
        index = slots.get(name)
        if index is None:
            slots[name] = len(kept)
            kept.append(item)
            continue
        dropped += 1
        if largest(item) and rank(item) > rank(kept[index]):
            kept[index] = item
    return kept, dropped
