"""What the registry (:mod:`tokencalc.usage.registry`) knows about one usage format.

A format is read one of two ways. A coding agent that keeps its usage in files or databases of
its own (OpenCode, Amp, Crush, …) *claims* its files by path (``claims``) and reads them
(``read``). The formats recognised by their content — agent logs in JSONL (Claude Code, Codex,
Gemini CLI), chat exports and billing exports — give the content detector
(:mod:`tokencalc.usage.detect`) a check per shape (``detect_line``, ``detect_document``,
``detect_header``) and a reader per file layout (``readers``).

This module imports nothing at run time, so that the registry's light facts (which sources are
billing exports, …) cost nothing to the commands that only need those.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tokencalc.usage.dedup import Candidate
    from tokencalc.usage.files import FileLog, InputFile
    from tokencalc.usage.options import ReadOptions

    #: ``read(path, log)``: the candidates of one file (or database) a format claimed.
    FileReader = Callable[[Path, FileLog], Iterator[Candidate]]
    #: ``reader(handle, file, log, options)``: what a recognised file holds (records, costs, …).
    Reader = Callable[[IO[bytes], InputFile, FileLog, ReadOptions], Iterator[Any]]

#: What kind of records a format holds: one per API call logged by an agent, counted from a
#: chat export's text (estimated), or a vendor billing export's rows (many requests per row).
AGENT_LOG, CHAT_EXPORT, BILLING_EXPORT = "agent log", "chat export", "billing export"


def nowhere() -> list[Path]:
    """The default locations of a format that has none (exports are named on the command line)."""
    return []


@dataclass(frozen=True)
class UsageFormat:
    """Where one format's usage is kept and how it is recognised and read."""

    source: str  # the records' source and the ``--source`` name
    name: str  # for people
    locations: Callable[[], list[Path]]  # default files/dirs, environment variables honoured
    suffixes: tuple[str, ...]  # file endings worth reading when walking a directory
    claims: Callable[[Path], bool] | None = None  # None: the content detector recognises it
    read: FileReader | None = None
    keep: str = "first"  # de-duplication: "first" record per key, or the "largest" rank
    note: str | None = None  # an assumption reported whenever this format's files were read
    #: for the content detector: does one parsed JSONL line belong to this format?
    detect_line: Callable[[object], bool] | None = None
    #: … which of its kinds (its source, or a cost export's source) is one whole JSON document?
    detect_document: Callable[[object], str | None] | None = None
    #: … which is a CSV file with this header?
    detect_header: Callable[[list[str]], str | None] | None = None
    #: the order the detector asks formats in (lower first): a format whose records would also
    #: pass a looser format's check is asked before that one
    detect_order: int = 0
    #: file layout ("jsonl", "json", "csv") → the reader of a recognised file
    readers: Mapping[str, Reader] = field(default_factory=lambda: MappingProxyType({}))
