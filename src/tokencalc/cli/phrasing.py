"""How the command line words what the core reports as data (notes with a kind and fields).

The core never words a note for a particular surface; this module is the CLI's wording, with
the CLI's flag names. The words here are part of the JSON contracts (``docs/estimate-json.md``)
and of the tables, so tests pin them.
"""

from __future__ import annotations

from collections.abc import Iterable

from tokencalc.cli.flags import flag
from tokencalc.plans.notes import (
    CapExceeded,
    ConversationDoesNotFit,
    LongContextTurns,
    NoAnnualPrice,
    PlanNote,
    PlanNoteWarning,
    PlanWarning,
    SeatsIgnored,
    SeatsRaised,
    StandInDeprecated,
)
from tokencalc.pricing.estimate_notes import (
    EstimateNote,
    LongContextPrice,
    NoSuchTier,
    OffPeak,
    OutputCapped,
    OutputOverMax,
    PeakAssumed,
    PricesChange,
    SearchesNotPriced,
    SomeDoNotFit,
    TierOutsideWindow,
    TimingNote,
    TogetherTooLong,
    TooLong,
)
from tokencalc.sheet.imports.litellm import SkipKind, Skipped, SkipSummary
from tokencalc.sheet.rules import window_text


def estimate_note(note: EstimateNote) -> str:
    """One estimate row note in the CLI's words."""
    if isinstance(note, OutputCapped):
        text = f"output capped at its max {note.max_output:,}"
        return text if note.inputs == 1 else f"{text}: {note.capped} of {note.inputs} inputs"
    if isinstance(note, TooLong):
        return f"too long: {note.tokens:,} > {note.context_window:,} context"
    if isinstance(note, OutputOverMax):
        return f"output {note.output:,} > {note.max_output:,} max"
    if isinstance(note, SomeDoNotFit):
        return f"does not fit: {note.count} of {note.inputs} inputs"
    if isinstance(note, TogetherTooLong):
        return f"together {note.tokens:,} > {note.context_window:,} context (each input fits alone)"
    if isinstance(note, LongContextPrice):
        text = "long-context price"
        return text if note.inputs == 1 else f"{text}: {note.count} of {note.inputs} inputs"
    if isinstance(note, NoSuchTier):
        return f"no {note.tier} tier" + (f" (has {', '.join(note.has)})" if note.has else "")
    if isinstance(note, TierOutsideWindow):
        return f"{note.tier} tier offered {window_text(note.start, note.end)} only"
    if isinstance(note, PricesChange):
        changes = ", ".join(day.isoformat() for day in note.days)
        return f"prices change on {changes}: each day priced at its own prices"
    if isinstance(note, OffPeak):
        at = note.at.strftime("%H:%M") if note.at else ""
        return f"off-peak at {at} UTC on {note.off_peak_days} of {note.days} day(s)"
    if isinstance(note, SearchesNotPriced):
        return (
            f"{note.searches:,} web searches not priced "
            f"(no web_search fee for {note.provider} in the sheet)"
        )
    raise TypeError(f"no wording for {note!r}")  # pragma: no cover - every kind is worded above


def estimate_notes(notes: Iterable[EstimateNote]) -> list[str]:
    return [estimate_note(note) for note in notes]


def timing_note(note: TimingNote) -> str:
    """The estimate caption's time-of-day assumption, naming ``--at``."""
    models = ", ".join(note.models)
    if isinstance(note, PeakAssumed):
        return f"peak prices for {models} (off-peak hours not assumed; give --at HH:MM, UTC)"
    return f"requests at {note.at.strftime('%H:%M')} UTC: off-peak prices where {models} bill them"


def plan_note(note: PlanNote) -> str:
    """One plan row note (``plans``, and ``usage --plan``'s seats) in the CLI's words."""
    if isinstance(note, SeatsRaised):
        return f"seats raised from {note.asked:,} to the plan's minimum of {note.minimum:,}"
    if isinstance(note, SeatsIgnored):
        return f"not sold per seat: one subscription priced, --seats {note.asked:,} ignored"
    if isinstance(note, NoAnnualPrice):
        return "no annual-billing price; monthly price used"
    if isinstance(note, ConversationDoesNotFit):
        return (
            f"the conversation does not fit {note.model}: its last turn needs {note.tokens:,} "
            f"tokens (context window {note.context_window:,})"
        )
    if isinstance(note, StandInDeprecated):
        return f"stand-in model {note.model} is deprecated; its last published prices are used"
    if isinstance(note, LongContextTurns):
        return f"long-context prices on {note.count} of {note.turns} turns"
    raise TypeError(f"no wording for {note!r}")  # pragma: no cover - every kind is worded above


def plan_notes(notes: Iterable[PlanNote]) -> list[str]:
    return [plan_note(note) for note in notes]


def plan_warning(warning: PlanWarning) -> str:
    """One warning of a plan comparison in the CLI's words."""
    if isinstance(warning, CapExceeded):
        return f"{warning.plan}: this use exceeds the plan's cap: {warning.cap}"
    if isinstance(warning, PlanNoteWarning):
        return f"{warning.plan}: {plan_note(warning.note)}"
    return (
        f"the conversation does not fit {warning.model} (stand-in for {', '.join(warning.plans)}): "
        f"its last turn needs {warning.tokens:,} tokens, the model takes "
        f"{warning.context_window:,}; chat apps trim or summarise long conversations instead"
    )


#: Why a LiteLLM entry was not imported, for the kinds whose words quote no figure.
_SKIP_REASONS = {
    SkipKind.NOT_AN_OBJECT: "not a JSON object",
    SkipKind.NO_PROVIDER: "no litellm_provider",
    SkipKind.NO_PRICES: "no input and output price per token",
    SkipKind.BAD_MODEL_ID: (
        "not a usable model id (spaces or other characters a sheet id cannot have)"
    ),
    SkipKind.ZERO_LONG_CONTEXT: (
        "long-context prices above 0 tokens (…_above_0k_tokens): not a usable threshold"
    ),
    SkipKind.NO_CONTEXT_WINDOW: (
        "no context window (max_input_tokens or max_tokens) for a new model"
    ),
}


def skip_reason(skipped: Skipped | SkipSummary) -> str:
    """Why ``prices import`` left an entry (or a group of entries) out, in the CLI's words."""
    kind, detail, tier = skipped.kind, skipped.detail, skipped.tier
    if kind in _SKIP_REASONS:
        return _SKIP_REASONS[kind]
    if kind is SkipKind.NOT_A_TEXT_MODEL:
        if isinstance(skipped, SkipSummary):  # every mode in one group
            return "not a chat, completion or responses model"
        return f"mode {detail}, not chat/completion/responses" if detail else "no mode"
    if kind is SkipKind.SAME_MODEL:
        if isinstance(skipped, SkipSummary):
            return "the same model as another entry"
        return f"same model as {detail}"
    if kind is SkipKind.BAD_PRICE:
        return f"{tier} price {detail} is not a non-negative number".lstrip()
    if kind is SkipKind.REJECTED:
        return f"the sheet would not accept it: {detail}"
    if kind is SkipKind.NO_TOKENIZER:
        return f"new model with no known tokenizer (give {flag('tokenizer')})"
    raise TypeError(f"no wording for {skipped!r}")  # pragma: no cover - every kind is worded
