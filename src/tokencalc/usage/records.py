"""The normalized shapes every usage reader produces: records, vendor costs and the report."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal

from tokencalc.usage.registry import EXPORT_AGENTS


@dataclass(frozen=True, slots=True)
class UsageRecord:
    """Tokens of one API call (or, for billing exports, one aggregated row), in common units.

    ``input_tokens`` is every prompt token, cache reads and cache writes included; the cache
    fields say how much of it was read from or written to the prompt cache. ``output_tokens``
    includes reasoning/thinking tokens.
    """

    timestamp: datetime  # timezone-aware UTC
    source: str
    model: str | None  # as recorded (raw); None when the format has none
    input_tokens: int
    output_tokens: int
    cache_read_tokens: int = 0
    cache_write_5m_tokens: int = 0
    cache_write_1h_tokens: int = 0
    requests: int = 1  # billing rows aggregate many requests; 0 means the export has no count
    vendor_cost_usd: Decimal | None = None
    estimated: bool = False  # True when tokens were counted from text (chat exports)
    session: str | None = None
    #: the service tier the export says the row was billed at: "batch", "flex", "priority",
    #: or None for standard (or not recorded)
    tier: str | None = None
    #: True/False when the export says whether long-context prices applied (Anthropic's
    #: ``context_window`` column); None: decide from the prompt size
    long_context: bool | None = None
    #: server-side web searches the record reports (Claude Code's
    #: ``server_tool_use.web_search_requests``, Anthropic's ``web_search_count``): billed per call
    web_search_requests: int = 0
    #: where the request was served when the record says so (Claude Code's ``inference_geo``);
    #: some vendors bill data-residency requests at a multiple of list price
    inference_geo: str | None = None
    #: the project (working directory, or the agent's project name) the record was made in
    project: str | None = None
    #: the coding agent that made the call when it differs from ``source`` (e.g. Kilo CLI read
    #: by the OpenCode reader); see :func:`agent_of`
    agent: str | None = None
    #: chat exports: the sheet model id whose own tokens the text was counted in (as
    #: ``tokencalc estimate`` counts that model); None: counted with the reader's chat encoding
    #: (o200k_base unless told otherwise)
    chat_tokens: str | None = None


def agent_of(record: UsageRecord) -> str:
    """The agent (or product) that made a record: its ``agent``, else derived from its source."""
    return record.agent or EXPORT_AGENTS.get(record.source, record.source)


@dataclass(frozen=True)
class ChatCounting:
    """How the chat-export text priced on one model was counted.

    ``model`` is the sheet model id the entry is about, or None for the plain count made
    without a model. ``ways`` holds, per way of counting (``method``, full label as
    ``estimate``'s ``how_counted``, short label), the texts counted that way (each message's
    text; a reply's thinking is a text of its own) and their tokens in the model's units — 0 and None when the records were converted after reading
    (a ratio applied to each record's counts). ``encoding``: the exact encoding the text was
    counted with when it was not counted in the model's own way (None when it was).
    """

    model: str | None
    ways: tuple[tuple[str, str, str, int, int | None], ...]
    encoding: str | None = None

    @property
    def method(self) -> str:
        """``exact``, ``reconstructed``, ``estimated`` — or ``mixed`` when texts differ."""
        methods = list(dict.fromkeys(way[0] for way in self.ways))
        return methods[0] if len(methods) == 1 else "mixed" if methods else "exact"

    @property
    def how_counted(self) -> str:
        """The label, or with several ways ``"<n> text(s): <label>; …"``."""
        if len(self.ways) == 1:
            return self.ways[0][1]
        return "; ".join(f"{n:,} text(s): {label}" for _, label, _, n, _ in self.ways)

    @property
    def short(self) -> str:
        if len(self.ways) == 1:
            return self.ways[0][2]
        return "mixed: " + ", ".join(f"{n:,}× {short}" for _, _, short, n, _ in self.ways)

    @property
    def texts(self) -> int:
        return sum(way[3] for way in self.ways)

    @property
    def tokens(self) -> int | None:
        counted = [way[4] for way in self.ways]
        return None if None in counted else sum(n for n in counted if n is not None)


@dataclass(frozen=True)
class VendorCost:
    """One amount from a vendor cost export (OpenAI Costs API/CSV, Anthropic cost report/CSV).

    Cost exports carry no tokens, so they are kept apart from the records; the CLI shows their
    sum as "the vendor's figure" next to the price-sheet estimate of the usage records.
    """

    timestamp: datetime  # start of the (UTC, usually daily) bucket
    source: str  # "openai-costs" or "anthropic-costs"
    model: str | None
    amount_usd: Decimal
    line_item: str | None = None

    @property
    def date(self) -> date:
        """The UTC day of the bucket (cost exports are daily UTC buckets)."""
        return self.timestamp.astimezone(timezone.utc).date()


@dataclass(frozen=True)
class UsageReport:
    """What :func:`tokencalc.usage.read_usage` found, with the bookkeeping the CLI reports."""

    records: list[UsageRecord]  # after de-duplication, sorted by time
    files_read: int  # files recognised and read (zip archives count once)
    lines_read: int  # raw lines (JSONL), rows (CSV), result items/messages (JSON) seen
    duplicates_dropped: int
    malformed: int
    malformed_reasons: list[str]  # the first few, each "file:line: reason"
    sources: dict[str, int]  # source → records
    assumptions: list[str]
    vendor_costs: list[VendorCost] = field(default_factory=list)
    files_skipped: int = 0  # files found while walking a directory that hold no known format
    #: export files whose rows were found to be the same usage as another file's (counted once)
    merged_exports: list[MergedExport] = field(default_factory=list)
    #: how chat-export text was counted (one entry per model counted in, see ChatCounting)
    chat_counting: tuple[ChatCounting, ...] = ()


@dataclass(frozen=True)
class MergedExport:
    """Two billing export files found to hold the same usage, and what was done about it.

    ``duplicate`` (read after ``kept``) holds the same usage: ``matching`` of the ``shared``
    (UTC day, model) totals both files have are identical, and those rows of ``duplicate`` were
    not counted; where the two differ (``differing``, e.g. a day still in progress when one
    export was taken) the larger figure was kept, whichever file it came from. ``dropped`` is
    the number of rows, of either file, not counted. ``kind`` is ``"usage"`` or ``"costs"``.
    """

    source: str
    kind: str
    kept: str
    duplicate: str
    shared: int
    matching: int
    differing: int
    dropped: int
    first_day: str
    last_day: str

    @property
    def reason(self) -> str:
        """One line for people: which files, and why they were taken as the same usage."""
        span = (
            self.first_day
            if self.first_day == self.last_day
            else f"{self.first_day}..{self.last_day}"
        )
        unit = "day×model totals" if self.kind == "usage" else "daily cost totals"
        why = f"{self.matching:,} of {self.shared:,} shared {unit} ({span}) are identical"
        if self.differing:
            why += f"; where the {self.differing:,} others differ the larger was kept"
        return (
            f"{self.duplicate} holds the same {self.source} {self.kind} as {self.kept}: {why}; "
            f"{self.dropped:,} row(s) not counted twice"
        )
