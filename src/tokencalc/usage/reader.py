"""``read_usage``: every usage file under some paths, recognised, parsed and de-duplicated."""

from __future__ import annotations

import csv
import functools
import zipfile
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from tokencalc.errors import UsageError, UsageRecordError
from tokencalc.usage import anthropic_billing, chatgpt_export, claude_export, codex, registry
from tokencalc.usage.dedup import Candidate, CostCandidate, KeepFirst, KeepLargest
from tokencalc.usage.detect import Detected, detect
from tokencalc.usage.discovery import Unreadable, expand_paths, file_size
from tokencalc.usage.files import FileLog, InputFile, ProgressBudget, Tally
from tokencalc.usage.options import (
    CHAT_ENCODING,
    ChatTextCounter,
    ReadOptions,
    default_counter_factory,
)
from tokencalc.usage.overlap import ExportRows, merge_costs, merge_usage
from tokencalc.usage.prefetch import FileResult, prefetch
from tokencalc.usage.records import MergedExport, UsageRecord, UsageReport, VendorCost
from tokencalc.usage.registry import ALL_SOURCES, BILLING_SOURCES
from tokencalc.usage.usage_format import UsageFormat

if TYPE_CHECKING:  # pragma: no cover
    from tokencalc.counting.encodings import TokenizerRef

Reader = Callable[[IO[bytes], InputFile, FileLog, ReadOptions], Iterator[Any]]

#: (source, file layout) → the reader of a file the content detector recognised.
READERS: dict[tuple[str, str], Reader] = {
    (fmt.source, layout): reader
    for fmt in registry.DETECTED
    for layout, reader in fmt.readers.items()
}
#: Problems that make a whole file unreadable (a damaged line is never one of them; the CSV
#: readers catch csv.Error per row, so here it is only a backstop).
FILE_ERRORS = (OSError, EOFError, zipfile.BadZipFile, zlib.error, UnicodeDecodeError, csv.Error)


def read_usage(
    paths: list[Path],
    *,
    source: str | None = None,
    model_override: str | None = None,
    counter_factory: Callable[[], Any] | None = None,
    reasoning_tokens_per_reply: int = 0,
    progress: Callable[[int], None] | None = None,
    chat_prompt_caching: bool = False,
    chat_encoding: str = CHAT_ENCODING,
    chat_model: tuple[str, TokenizerRef] | None = None,
) -> UsageReport:
    """Read the usage records in ``paths`` (files or directories, walked recursively).

    Each file's format is recognised from its content; ``source`` forces one of
    :data:`~tokencalc.usage.registry.ALL_SOURCES` instead (files found in a directory walk that are
    recognisably something else are then skipped). Duplicate records are dropped as each
    format requires, malformed lines are counted and skipped, and a file in no known format
    counts as malformed (or as skipped, if it was only found by walking a directory).

    Chat exports carry no token counts: their text is counted with ``chat_encoding`` (o200k_base
    unless the caller prices them on a model with another exact encoding, such as ``tekken``;
    ``counter_factory()`` must return an object with ``count_text(text).tokens[chat_encoding]``).
    ``chat_model`` (a sheet model id and its tokenizer, usually ``model_override``'s) counts
    the text in that model's own tokens instead, message by message, the way ``tokencalc
    estimate`` counts the model (its exact encoding, Claude's reconstruction, a per-class table
    or the ratio; see :mod:`tokencalc.usage.options`); the records say so (``chat_tokens``) and
    the report's ``chat_counting`` says how each message was counted.
    ``model_override`` names the model of chat-export records (logged usage keeps the model it
    logged); ``reasoning_tokens_per_reply`` adds assumed hidden reasoning to each chat reply;
    ``chat_prompt_caching`` assumes each chat call reads the previous call's prompt
    from the prompt cache and writes the rest of its prompt to it (a 5-minute cache write).
    ``progress`` is called with the number of bytes read, which add up to the sizes of all
    files considered (see :func:`total_input_bytes`).

    Raises UsageRecordError when no file at all could be read.
    """
    if source is not None and source not in ALL_SOURCES:
        raise UsageError(f"unknown usage source {source!r} (choose {', '.join(ALL_SOURCES)})")
    if reasoning_tokens_per_reply < 0:
        raise UsageError("reasoning tokens per reply cannot be negative")
    if chat_model is not None and not chat_model[1].estimated:
        chat_encoding = chat_model[1].base  # the model's exact encoding
    if counter_factory is None and chat_encoding != CHAT_ENCODING:
        counter_factory = functools.partial(ChatTextCounter, chat_encoding)
    options = ReadOptions(
        model_override=model_override or None,
        reasoning_tokens_per_reply=reasoning_tokens_per_reply,
        chat_prompt_caching=chat_prompt_caching,
        counter_factory=counter_factory or default_counter_factory,
        chat_encoding=chat_encoding,
        chat_model=chat_model,
    )
    tally = Tally()
    collectors: dict[str, KeepFirst | KeepLargest] = {
        name: KeepLargest() if _keeps_largest(name) else KeepFirst()
        for name in ALL_SOURCES
        if name not in BILLING_SOURCES
    }
    # Billing rows are kept per file: two exports of the same usage are settled at the end.
    exports: dict[str, ExportRows[UsageRecord]] = {name: ExportRows() for name in BILLING_SOURCES}
    costs: dict[str, ExportRows[VendorCost]] = defaultdict(ExportRows)
    increases = codex.CodexCollector()
    files_read = files_skipped = 0
    kinds_read: set[str] = set()
    problems: list[str] = []

    def dispatch(found: Any, label: str) -> None:
        if isinstance(found, Candidate):
            if found.record.source in exports:
                exports[found.record.source].add(found.record, found.key, label)
            else:
                collectors[found.record.source].add(found)
        elif isinstance(found, CostCandidate):
            costs[found.cost.source].add(found.cost, found.key, label)
        elif isinstance(found, codex.CodexIncrease):
            increases.add(found)
        elif isinstance(found, codex.CodexSession):
            increases.add_session(found)

    items = list(expand_paths(list(paths), source))
    ready = prefetch([i for i in items if isinstance(i, InputFile)], source)
    try:
        for item in items:
            if isinstance(item, Unreadable):
                ProgressBudget(file_size(item.path), progress).finish()
                if item.discovered:
                    files_skipped += 1
                else:
                    tally.add_malformed(f"{item.path}: {item.reason}")
                    problems.append(f"{item.path}: {item.reason}")
                continue
            budget = ProgressBudget(file_size(item.path), progress)
            done = ready.get(item.label)
            if done is not None:  # read ahead (cache or worker process): replay it in file order
                for found in done.found:
                    dispatch(found, item.label)
                _replay_tally(tally, done)
                if done.error is not None:
                    tally.add_malformed(f"{item.label}: {done.error}")
                budget.finish()
                files_read += 1
                kinds_read.add(done.kind)
                continue
            agent = registry.claimant(item.path, source) if item.member is None else None
            if agent is not None:
                _read_claimed(agent, item, tally, collectors, problems)
                budget.finish()
                files_read += 1
                kinds_read.add(agent.source)
                continue
            if not _detectable(item, source):
                budget.finish()
                if item.discovered:
                    files_skipped += 1
                else:
                    what = (
                        registry.BY_SOURCE[source].name if source in registry.BY_SOURCE else "usage"
                    )
                    tally.add_malformed(f"{item.label}: not a {what} file tokencalc recognises")
                    problems.append(f"{item.label}: not a recognised {what} file")
                continue
            try:
                chosen = _choose(detect(item), item, source)
            except FILE_ERRORS as exc:
                budget.finish()
                tally.add_malformed(f"{item.label}: cannot read ({exc})")
                problems.append(f"{item.label}: cannot read ({exc})")
                continue
            if chosen is None:
                budget.finish()
                if item.discovered:
                    files_skipped += 1
                else:
                    tally.add_malformed(f"{item.label}: not a usage format tokencalc recognises")
                    problems.append(f"{item.label}: not a recognised usage format")
                continue
            log = FileLog(item.label, tally)
            try:
                with item.open(budget if progress else None) as handle:
                    for found in READERS[(chosen.source, chosen.layout)](
                        handle, item, log, options
                    ):
                        dispatch(found, item.label)
            except FILE_ERRORS as exc:
                tally.add_malformed(f"{item.label}: cannot read ({exc})")
            finally:
                budget.finish()
            files_read += 1
            kinds_read.add(chosen.kind)
    finally:
        ready.close()
        options.close()
    if files_read == 0:
        raise UsageRecordError(_nothing_read_message(paths, problems, files_skipped))

    records: list[UsageRecord] = increases.records()
    for collector in collectors.values():
        records.extend(collector.records())
    merged: list[MergedExport] = []
    duplicates = tally.duplicates + increases.duplicates
    for name, rows in exports.items():
        kept, found, dropped = merge_usage(rows, name)
        records.extend(kept)
        merged.extend(found)
        duplicates += rows.duplicates + dropped
    vendor_costs: list[VendorCost] = []
    for name, cost_rows in sorted(costs.items()):
        kept_costs, found, dropped = merge_costs(cost_rows, name)
        vendor_costs.extend(kept_costs)
        merged.extend(found)
        duplicates += cost_rows.duplicates + dropped
    records.sort(key=lambda r: (r.timestamp, r.source, r.session or ""))
    duplicates += sum(c.duplicates for c in collectors.values())
    counts = Counter(r.source for r in records)
    return UsageReport(
        records=records,
        files_read=files_read,
        lines_read=tally.lines_read,
        duplicates_dropped=duplicates,
        malformed=tally.malformed,
        malformed_reasons=list(tally.reasons),
        sources={name: counts[name] for name in ALL_SOURCES if counts[name]},
        assumptions=_assumptions(kinds_read, options, increases.missing_parents()),
        vendor_costs=sorted(vendor_costs, key=lambda c: (c.timestamp, c.source, c.model or "")),
        files_skipped=files_skipped,
        merged_exports=merged,
        chat_counting=options.countings(),
    )


def _replay_tally(tally: Tally, done: FileResult) -> None:
    """Add a read-ahead file's line counts, malformed lines and duplicates to the totals."""
    tally.lines_read += done.lines
    for reason in done.reasons:
        tally.add_malformed(reason)
    tally.malformed += done.malformed - len(done.reasons)
    tally.duplicates += done.duplicates


def _keeps_largest(source: str) -> bool:
    agent = registry.BY_SOURCE.get(source)
    return agent is not None and agent.keep == "largest"


def _detectable(item: InputFile, source: str | None) -> bool:
    """Whether the content detector may look at ``item`` (not a claim-only agent's or a database)."""
    if (
        source is not None
        and source in registry.BY_SOURCE
        and registry.BY_SOURCE[source].claims is not None
    ):
        return False  # that agent's files are the ones it claims
    return (
        item.member is not None
        or item.suffix in (".jsonl", ".json", ".csv", ".zip")
        or not item.discovered
    )


def _read_claimed(
    agent: UsageFormat,
    item: InputFile,
    tally: Tally,
    collectors: dict[str, KeepFirst | KeepLargest],
    problems: list[str],
) -> None:
    """Read a file (or database) a registered agent claimed into the collectors."""
    assert agent.read is not None
    log = FileLog(item.label, tally)
    try:
        for found in agent.read(item.path, log):
            collectors[found.record.source].add(found)
    except FILE_ERRORS as exc:
        tally.add_malformed(f"{item.label}: cannot read ({exc})")
        problems.append(f"{item.label}: cannot read ({exc})")


def _choose(detected: Detected | None, file: InputFile, source: str | None) -> Detected | None:
    """The format to read ``file`` as, honouring a forced ``source``."""
    if source is None or (detected is not None and detected.source == source):
        return detected
    if detected is not None and file.discovered:
        return None  # recognisably another tool's file inside a walked directory
    if file.suffix == ".csv" and (source, "csv") in READERS:
        layout = "csv"
    elif (source, "jsonl") in READERS and (
        file.suffix == ".jsonl" or (source, "json") not in READERS
    ):
        layout = "jsonl"
    else:
        layout = "json"
    return Detected(source, layout, source)


def _nothing_read_message(paths: list[Path], problems: list[str], skipped: int) -> str:
    where = ", ".join(str(p) for p in paths) or "(no paths given)"
    message = f"no usage records could be read from {where}"
    if problems:
        message += (
            ": "
            + "; ".join(problems[:3])
            + (f" (and {len(problems) - 3} more)" if len(problems) > 3 else "")
        )
    elif skipped:
        message += f": none of the {skipped} file(s) found is in a format tokencalc reads"
    else:
        message += ": no usage files found"
    return message


def _counted_with(options: ReadOptions) -> str:
    """How chat text is counted, for the assumptions: an encoding, or a model's own way."""
    if options.chat_model is not None and options.chat_model[1].estimated:
        from tokencalc.tokenizers.model_counts import FRAME_NOTE, family_method

        model, tokenizer = options.chat_model
        return (
            f"counted message by message as tokencalc estimate counts {model}: "
            f"{family_method(tokenizer)}; {FRAME_NOTE}"
        )
    return f"counted with {options.chat_encoding}"


def _assumptions(kinds: set[str], options: ReadOptions, missing_parents: int) -> list[str]:
    lines: list[str] = []
    reasoning = f"hidden reasoning is not in the export ({options.reasoning_tokens_per_reply} tokens/reply assumed)"
    caching = (
        "prompt caching assumed: each call reads the previous call's prompt from the "
        "cache and writes the rest of its prompt as a 5-minute cache write (priced as input where "
        "the model charges no cache writes)"
        if options.chat_prompt_caching
        else "no prompt caching assumed"
    )
    calls = "each assistant message is one API call whose input is all earlier messages"
    if chatgpt_export.SOURCE in kinds:
        lines += [
            (
                "ChatGPT export: counted the current branch of each conversation only "
                f"(edited or regenerated sibling branches are not counted); {reasoning}"
            ),
            (
                f"ChatGPT export: {calls} of the branch, {_counted_with(options)}; "
                f"images, files and per-message format tokens not counted; {caching}"
            ),
            f"ChatGPT export: model assumed to be {options.model_override}"
            if options.model_override
            else "ChatGPT export: models are ChatGPT product slugs (e.g. gpt-5-thinking, auto), "
            "not API model ids",
        ]
    if claude_export.SOURCE in kinds:
        lines += [
            f"Claude.ai export: {calls} (attachments' extracted text included), "
            + _counted_with(options)
            + (
                " (Claude's own tokenizer differs)"
                if options.chat_model is None and options.chat_encoding == CHAT_ENCODING
                else ""
            )
            + f"; images and files without extracted text not counted; {reasoning}; {caching}",
            f"Claude.ai export: the export names no model; assumed {options.model_override}"
            if options.model_override
            else "Claude.ai export: the export names no model (set one to price these records)",
        ]
    if missing_parents:
        lines.append(
            f"Codex: {missing_parents} forked or subagent session(s) replay a parent session whose "
            "log was not read; that history is counted once, at the fork's time"
        )
    for agent in registry.CLAIMING:
        if agent.source in kinds and agent.note:
            lines.append(f"{agent.name}: {agent.note}")
    if anthropic_billing.SOURCE in kinds:
        lines.append(
            "Anthropic usage export: no request counts in the export (requests shown as 0)"
        )
    return lines
