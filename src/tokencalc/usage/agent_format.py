"""What the registry (:mod:`tokencalc.usage.registry`) knows about one coding agent's logs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from tokencalc.usage.dedup import Candidate
from tokencalc.usage.files import FileLog

#: ``read(path, log)``: the candidates of one file (or database) an agent claimed.
FileReader = Callable[[Path, FileLog], Iterator[Candidate]]


@dataclass(frozen=True)
class AgentFormat:
    """Where one agent keeps its usage, and (for agents outside the content detector) how to read it."""

    source: str  # the records' source and the ``--source`` name
    name: str  # for people
    locations: Callable[[], list[Path]]  # default files/dirs, environment variables honoured
    suffixes: tuple[str, ...]  # file endings worth reading when walking a directory
    claims: Callable[[Path], bool] | None = None  # None: the content detector recognises it
    read: FileReader | None = None
    keep: str = "first"  # de-duplication: "first" record per key, or the "largest" rank
    note: str | None = None  # an assumption reported whenever this agent's logs were read
