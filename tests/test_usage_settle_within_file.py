"""Settling each file's candidates before the collectors changes nothing the collectors keep or count."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tokencalc.usage.dedup import Candidate, KeepFirst, KeepLargest, settle_within_file

START = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _candidate(
    index: int, key: int | None, rank: int, group: int | None, replica: bool, source: str
) -> Candidate:
    from tokencalc.usage.records import UsageRecord

    record = UsageRecord(
        START + timedelta(seconds=index), source, "m", rank, index
    )  # index tells records apart
    return Candidate(
        record, None if key is None else (source, key), (rank,), group=group, replica=replica
    )


candidates = st.tuples(
    st.one_of(st.none(), st.integers(0, 6)),
    st.integers(0, 3),
    st.one_of(st.none(), st.integers(0, 2)),
    st.booleans(),
)
files = st.lists(st.lists(candidates, max_size=12), max_size=5)


def _outcome(collector, batches):
    for batch in batches:
        for candidate in batch:
            collector.add(candidate)
    return [id(r) for r in collector.records()], collector.duplicates


@settings(max_examples=300, deadline=None)
@given(files, st.booleans())
def test_same_records_same_order_same_duplicates(spec, largest):
    source = "claude-code" if largest else "amp"
    index = 0
    batches = []
    for file_spec in spec:
        batch = []
        for key, rank, group, replica in file_spec:
            batch.append(_candidate(index, key, rank, group, replica, source))
            index += 1
        batches.append(batch)
    make = KeepLargest if largest else KeepFirst
    plain = _outcome(make(), batches)
    settled_batches = []
    dropped_total = 0
    for batch in batches:
        settled, dropped = settle_within_file(batch, lambda name: name == "claude-code")
        settled_batches.append(settled)
        dropped_total += dropped
    records, duplicates = _outcome(make(), settled_batches)
    assert (records, duplicates + dropped_total) == plain


def test_a_streamed_response_becomes_its_final_line():
    placeholder = _candidate(0, 1, 2, 1, False, "claude-code")
    final = _candidate(1, 1, 900, 1, False, "claude-code")
    again = _candidate(2, 1, 900, 1, False, "claude-code")
    other = _candidate(3, None, 5, None, False, "claude-code")
    settled, dropped = settle_within_file([placeholder, final, other, again], lambda name: True)
    assert settled == [final, other] and dropped == 2


entries = st.lists(
    st.tuples(
        st.one_of(st.none(), st.integers(0, 6)),
        st.integers(0, 3),
        st.one_of(st.none(), st.integers(0, 2)),
        st.booleans(),
        st.floats(0, 100),
        st.sampled_from(["a", "b", None]),
    ),
    max_size=25,
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(entries, max_size=4),
    st.one_of(st.none(), st.floats(0, 100)),
    st.sampled_from(["a", None]),
)
def test_the_status_line_index_keeps_what_keep_largest_keeps(shards, since, session):
    from tokencalc.usage import claude_index

    class Wrapped:  # what KeepLargest reads, around one compact entry
        def __init__(self, entry):
            self.key, self.rank, self.group, self.replica, self.record = (
                entry[0],
                (entry[1],),
                entry[2],
                entry[3],
                entry,
            )

    rows = [[[None if k is None else ("claude-code", k), (r,), g, rep, ts, sess, i, None, ()]
             for i, (k, r, g, rep, ts, sess) in enumerate(shard)] for shard in shards]  # fmt: skip
    built = [[tuple(e) for e in shard] for shard in rows]
    keep = KeepLargest()
    for shard in built:
        for entry in shard:
            if since is None or entry[4] >= since or (session is not None and entry[5] == session):
                # a stand-in Candidate whose "record" is the index's compact entry
                keep.add(Wrapped(entry))  # type: ignore[arg-type]
    # so the records kept are those entries (tuples), not UsageRecords
    kept: list[Any] = keep.records()
    expected = [claude_index.Summary(e[4], e[5], e[6], e[7]) for e in kept]
    assert (
        claude_index._dedup([[None] * 4 + [shard] for shard in built], since, session) == expected
    )
