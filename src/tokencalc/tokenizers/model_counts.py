"""A model's token count for one counted input, and how it was made.

Every count says how it was made, for the row labels and the JSON contracts:

* ``exact``         — the model's own encoding, counted exactly (``exact (o200k_base)``);
* ``reconstructed`` — Claude, tokencalc's reconstruction (tokencalc.tokenizers.claude_tiling) over ctok's
  vocabulary measured with ``count_tokens`` (``reconstructed (claude-v3, ctok 1.3.0)``);
* ``estimated``     — a per-class table fitted against a reference (``estimated (per-class,
  <reference>, <day>)``), or a single ratio (``estimated (ratio ×1.1 o200k_base, unmeasured)``);
* ``online``        — the vendor's own counting endpoint (``tokencalc.tokenizers.online``), only when asked;
* ``sampled``       — a big input's count made on a sample of it (tokencalc.counting.sampling): an
  encoding only tiktoken counts (``sampled (tekken, 6.2% of 15,000,000 characters counted, ±0.5%
  at 2 SE)``), or Claude's reconstruction past its limits; ``--exact`` counts them in full.

All are **content tokens**: the fixed per-message frame a chat request adds is not included.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tokencalc.counting.counter import Counts
from tokencalc.counting.encodings import CHARACTERS, TokenizerRef, canonical_encoding
from tokencalc.counting.sampling import SampledCount, samplable
from tokencalc.tokenizers import claude_reconstruction, user_tokenizer
from tokencalc.tokenizers.token_classes import CLASS_BASE, estimate_tokens

EXACT, RECONSTRUCTED, ESTIMATED, ONLINE = "exact", "reconstructed", "estimated", "online"
SAMPLED = "sampled"
METHODS = (EXACT, RECONSTRUCTED, ESTIMATED, ONLINE, SAMPLED)
#: What the captions and docs say about the chat frame.
FRAME_NOTE = "content tokens: the per-message chat frame is not included"


@dataclass(frozen=True)
class ModelCount:
    tokens: int
    method: str  # one of METHODS
    detail: str  # the encoding, the reference, the generation…
    short: str = ""  # for a table cell: "exact (o200k_base)", "per-class (gemini)"

    @property
    def label(self) -> str:
        return f"{self.method} ({self.detail})"


@dataclass(frozen=True)
class CountNeeds:
    """What the counter must produce for these models' counts."""

    encodings: tuple[str, ...]
    classes: bool
    keep_text: int
    #: encodings that may be counted on a sample of a big input (tokencalc.counting.sampling)
    sample: tuple[str, ...] = ()
    #: windows of inputs too long to keep whole are wanted (Claude's sampled reconstruction)
    text_windows: bool = False


def needs(refs: Iterable[TokenizerRef], *, exact: bool = False) -> CountNeeds:
    """What to count for these tokenizers. ``exact=False`` (``estimate``) lets the encodings only
    tiktoken counts be sampled on big inputs; ``exact=True`` counts them in full and keeps texts
    for Claude's reconstruction up to ``claude_reconstruction.EXACT_MAX_CHARS``."""
    encodings: list[str] = []
    classes = False
    keep = 0
    windows = False
    for ref in refs:
        counting = ref.counting
        if counting is not None and counting.per_class:
            classes = True
        elif ref.counted_with is not None:
            encodings.append(canonical_encoding(ref.counted_with))
        if counting is not None and counting.reconstruct and claude_reconstruction.available():
            limit = (
                claude_reconstruction.EXACT_MAX_CHARS if exact else claude_reconstruction.MAX_CHARS
            )
            keep, windows = max(keep, limit), True
        if counting is not None and counting.tokenizer_file:
            keep = max(keep, user_tokenizer.MAX_CHARS)
    if classes:
        encodings.append(CLASS_BASE)
    unique = tuple(dict.fromkeys(encodings))
    sample = () if exact else tuple(name for name in unique if samplable(name))
    return CountNeeds(unique, classes, keep, sample, windows)


def sampled_detail(name: str, sample: SampledCount) -> str:
    """``tekken, 6.2% of 15,000,000 characters counted, ±0.4% at 2 SE``."""
    return (
        f"{name}, {_percent(sample.share)} of {sample.chars:,} characters counted, "
        f"±{_percent(sample.margin)} at 2 SE"
    )


def _percent(share: float) -> str:
    """``6.2%``, ``0.064%``, ``<0.01%``, ``0%``: never an exponent."""
    percent = 100 * share
    if percent >= 0.1:
        return f"{percent:.1f}%"
    if percent >= 0.01:
        return f"{percent:.2g}%"
    return "<0.01%" if percent > 0 else "0%"


def per_class_detail(ref: TokenizerRef) -> str:
    counting = ref.counting
    return f"per-class, {counting.reference}, fitted {counting.measured.isoformat()}"


def ratio_detail(ref: TokenizerRef) -> str:
    measured = ", unmeasured" if ref.counting is not None and ref.counting.unmeasured else ""
    ratio = f"{ref.ratio.normalize():f}"
    return f"ratio ×{ratio} {ref.base}{measured}"


def _tokens_of(counts: Counts, encoding: str) -> int:
    """The count of ``encoding``, under its own name or the name it counts like (o200k_harmony)."""
    found = counts.tokens.get(encoding)
    return found if found is not None else counts.tokens[canonical_encoding(encoding)]


def model_count(ref: TokenizerRef, counts: Counts, *, exact: bool = False) -> ModelCount:
    """The model's content tokens for one input's counts (``exact``: a Claude text kept whole
    is reconstructed whatever the reconstruction's limits)."""
    if not ref.estimated:
        name = ref.counted_with or ref.base
        sample = counts.sampled.get(canonical_encoding(name))
        if sample is not None:
            detail = sampled_detail(ref.family, sample)
            return ModelCount(sample.tokens, SAMPLED, detail, f"sampled ({ref.family})")
        return ModelCount(_tokens_of(counts, name), EXACT, ref.family, f"exact ({ref.family})")
    counting = ref.counting
    if counting is not None and counting.tokenizer_file and counts.text is not None:
        tokens = user_tokenizer.count(counting.tokenizer_file, counts.text)
        name = user_tokenizer.label(counting.tokenizer_file)
        return ModelCount(tokens, EXACT, f"{ref.family}, tokenizer_file {name}", f"exact ({name})")
    if counting is not None and counting.reconstruct and counts.text is not None:
        rebuilt = claude_reconstruction.content_tokens(
            counting.reconstruct, counts.text, whole=exact
        )
        if rebuilt is not None:
            return ModelCount(
                rebuilt,
                RECONSTRUCTED,
                f"{counting.reconstruct}, ctok {claude_reconstruction.version()}",
                f"reconstructed ({counting.reconstruct})",
            )
    if counting is not None and counting.reconstruct and counts.text_sample is not None:
        windows = counts.text_sample
        auxiliary = None
        if counting.per_class and counts.classes and windows.classes:
            auxiliary = (
                [estimate_tokens(h, counting.classes, counting.pieces) for h in windows.classes],
                estimate_tokens(counts.classes, counting.classes, counting.pieces),
            )
        estimate = claude_reconstruction.sampled_tokens(
            counting.reconstruct, windows, whole=exact, auxiliary=auxiliary
        )
        if estimate is not None:
            what = f"{counting.reconstruct} reconstruction, ctok {claude_reconstruction.version()}"
            return ModelCount(
                estimate.tokens,
                SAMPLED,
                sampled_detail(what, estimate),
                f"sampled ({counting.reconstruct})",
            )
    if counting is not None and counting.per_class and (counts.classes or counts.chars == 0):
        tokens = (
            estimate_tokens(counts.classes, counting.classes, counting.pieces)
            if counts.classes
            else 0
        )
        return ModelCount(tokens, ESTIMATED, per_class_detail(ref), f"per-class ({ref.family})")
    base = counts.chars if ref.base == CHARACTERS else _tokens_of(counts, ref.base)
    short = f"×{ref.ratio.normalize():f} {ref.base}" + (
        ", unmeasured" if ref.counting is not None and ref.counting.unmeasured else ""
    )
    return ModelCount(ref.tokens_from(base), ESTIMATED, ratio_detail(ref), short)


def class_or_ratio_label(ref: TokenizerRef) -> tuple[str, str, str]:
    """(method, label, short) of counts made from o200k_base tokens alone — the per-class table
    or the ratio, never a reconstruction or a tokenizer file (dataset mode counts this way)."""
    if not ref.estimated:
        return EXACT, f"{EXACT} ({ref.family})", f"exact ({ref.family})"
    counting = ref.counting
    if counting is not None and counting.per_class:
        return ESTIMATED, f"{ESTIMATED} ({per_class_detail(ref)})", f"per-class ({ref.family})"
    short = f"×{ref.ratio.normalize():f} {ref.base}" + (
        ", unmeasured" if counting is not None and counting.unmeasured else ""
    )
    return ESTIMATED, f"{ESTIMATED} ({ratio_detail(ref)})", short


def family_method(ref: TokenizerRef) -> str:
    """How text is counted for models of ``ref``'s family, in one phrase (``tokencalc models``)."""
    if not ref.estimated:
        return f"exact ({ref.family})"
    counting = ref.counting
    if counting is not None and counting.tokenizer_file:
        return f"exact (tokenizer_file {user_tokenizer.label(counting.tokenizer_file)})"
    fallback = (
        per_class_detail(ref) if counting is not None and counting.per_class else ratio_detail(ref)
    )
    if counting is not None and counting.reconstruct and claude_reconstruction.available():
        return (
            f"reconstructed ({counting.reconstruct}, ctok {claude_reconstruction.version()}) up to "
            f"{claude_reconstruction.MAX_CHARS:,} characters an input and on a sample of longer "
            f"ones, {claude_reconstruction.RUN_BUDGET:,} characters a run; past that {fallback}"
        )
    return fallback


def combined_label(rows: Sequence[tuple[str, str, str]]) -> tuple[str, str, str]:
    """(method, label, short) of a row adding inputs counted as these (method, label, short)."""
    if not rows:
        return EXACT, "", ""
    labels = list(dict.fromkeys(label for _, label, _ in rows))
    if len(labels) == 1:
        return rows[0]
    methods = list(dict.fromkeys(method for method, _, _ in rows))
    parts = [f"{sum(1 for _, each, _ in rows if each == label)}× {label}" for label in labels]
    shorts = list(dict.fromkeys(short for _, _, short in rows))
    short_parts = [f"{sum(1 for _, _, each in rows if each == short)}× {short}" for short in shorts]
    return (
        (methods[0] if len(methods) == 1 else "mixed"),
        "; ".join(parts),
        "mixed: " + ", ".join(short_parts),
    )
