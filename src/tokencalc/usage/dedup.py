"""De-duplication of records that several lines or files describe more than once.

Each reader yields :class:`Candidate` records with a key naming the API call they describe;
a collector per source keeps one record per key and counts the rest as duplicates.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from tokencalc.usage.records import UsageRecord, VendorCost


@dataclass(frozen=True)
class Candidate:
    """A record a reader found, with what de-duplication needs to know about it."""

    record: UsageRecord
    key: Hashable | None = None  # None: nothing to match it with, always kept
    rank: tuple = ()  # KeepLargest keeps the highest rank; ties keep the first seen


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
    """One record per key, the one with the highest rank (e.g. the final streamed counts)."""

    def __init__(self) -> None:
        self._best: dict[Hashable, Candidate] = {}
        self._unkeyed: list[UsageRecord] = []
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
        return [c.record for c in self._best.values()] + self._unkeyed


class VendorCosts:
    """Cost rows, one per (source, bucket, model, line item, amount, …) key."""

    def __init__(self) -> None:
        self._seen: set[Hashable] = set()
        self.costs: list[VendorCost] = []
        self.duplicates = 0

    def add(self, candidate: CostCandidate) -> None:
        if candidate.key in self._seen:
            self.duplicates += 1
            return
        self._seen.add(candidate.key)
        self.costs.append(candidate.cost)
