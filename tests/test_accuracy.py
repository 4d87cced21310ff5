"""Accuracy of the counts that are not exact, against recorded and reference counts.

The fixture (tests/fixtures/accuracy/reference_counts.json.gz, built by
bench/record_reference_counts.py) holds UDHR translations and MultiPL-E programs with the token
counts recorded from Anthropic's ``count_tokens`` endpoint as published with ctok (MIT), and
every text's count with Gemma 3's tokenizer (what Gemini 2.0–3.0 count with), recorded at
development time because that tokenizer may not ship with tokencalc. Texts are compared as
content tokens: a recorded count minus the one-message frame the fixture states.

Gemini's tables were fitted on texts of which none is in gemini_heldout.json.gz (odd UDHR
paragraphs, MultiPL-E, Python's standard library: the test split of bench/gemini_corpus.py), so
the held-out tests below measure the model on text it never saw; reference_counts.json.gz shares
languages and programs with the fit and is the in-sample check.
"""

from __future__ import annotations

import gzip
import json
import statistics
from pathlib import Path

import pytest

from tokencalc.counting.part_counts import classes_with_tiktoken
from tokencalc.sheet.load import load_price_sheet
from tokencalc.tokenizers import claude_reconstruction
from tokencalc.tokenizers.token_classes import estimate_tokens

FIXTURE = Path(__file__).parent / "fixtures" / "accuracy" / "reference_counts.json.gz"
REFERENCE = json.loads(gzip.decompress(FIXTURE.read_bytes()))
HELDOUT = json.loads(gzip.decompress((FIXTURE.parent / "gemini_heldout.json.gz").read_bytes()))[
    "documents"
]
DOCS = REFERENCE["documents"]
FRAMES = REFERENCE["claude_frames"]
#: The kinds of text with an 8% target for Gemini (issue 8).
GEMINI_TARGET_KINDS = (
    "English",
    "code",
    "JSON",
    "Chinese",
    "Japanese",
    "Korean",
    "Arabic",
    "Russian",
)


@pytest.fixture(scope="module")
def sheet():
    return load_price_sheet()


def per_class(sheet, family: str, text: str) -> int:
    """The family's estimate as tokencalc makes it (Gemini: by piece code)."""
    _, histogram = classes_with_tiktoken(text)
    counting = sheet.tokenizers[family].counting
    return estimate_tokens(histogram, counting.classes, counting.pieces)


def relative_errors(pairs):
    return [(estimate - reference) / reference for estimate, reference in pairs]


def test_fixture_is_what_it_says():
    kinds = {doc["kind"] for doc in DOCS}
    assert set(GEMINI_TARGET_KINDS) <= kinds
    assert (
        sum(1 for doc in DOCS if "claude_recorded" in doc) == 41
    )  # 19 UDHR translations + 22 programs
    assert all(doc["gemma3"] > 0 for doc in DOCS)


def _gemini_target_docs():
    # JSON of Greek/Hebrew/… text counts as that language, not as "JSON" in the target.
    def in_target(doc):
        if doc["kind"] != "JSON":
            return doc["kind"] in GEMINI_TARGET_KINDS
        lang = doc["id"].split(":")[2] if doc["id"].startswith("json:udhr:") else "eng"
        return lang in ("eng", "cmn_hans", "cmn_hant", "jpn", "kor", "arb", "rus")

    return [doc for doc in DOCS if in_target(doc)]


def _misses(sheet, docs, allowed):
    misses = []
    for doc in docs:
        estimate = per_class(sheet, "gemini", doc["text"])
        if abs(estimate - doc["gemma3"]) > allowed(doc):
            misses.append((doc["id"], estimate, doc["gemma3"]))
    return misses


def test_gemini_within_8_percent_on_texts_it_was_fitted_on(sheet):
    """In-sample: every document of 200+ characters in the target kinds within 8%."""
    docs = [doc for doc in _gemini_target_docs() if len(doc["text"]) >= 200]
    assert len(docs) >= 50
    assert not _misses(sheet, docs, lambda doc: 0.08 * doc["gemma3"])


def test_gemini_within_8_percent_on_held_out_texts(sheet):
    """Held out: every text of 200+ characters in the target kinds within 8% (worst measured:
    +5.9%, a Scala excerpt)."""
    docs = [doc for doc in HELDOUT if len(doc["text"]) >= 200]
    assert {doc["kind"] for doc in docs} >= {"English", "code", "JSON", "Chinese", "Russian"}
    assert len(docs) >= 150
    assert not _misses(sheet, docs, lambda doc: 0.08 * doc["gemma3"])


def test_gemini_on_short_held_out_texts(sheet):
    """Held-out paragraphs under 200 characters (10-75 tokens): rounding alone moves these by
    several percent, and Gemma's vocabulary holds whole Japanese phrases that no per-token table
    sees. Measured: every kind but Japanese within max(3 tokens, 16%); Japanese paragraphs up
    to +29% (+7 of 24 tokens), mean 8%. README states these limits."""
    short = [doc for doc in HELDOUT if len(doc["text"]) < 200]
    assert len(short) >= 150
    others = [doc for doc in short if doc["kind"] != "Japanese"]
    assert not _misses(sheet, others, lambda doc: max(3, 0.16 * doc["gemma3"]))
    japanese = [doc for doc in short if doc["kind"] == "Japanese"]
    assert not _misses(sheet, japanese, lambda doc: max(3, 0.30 * doc["gemma3"]))
    errors = relative_errors((per_class(sheet, "gemini", d["text"]), d["gemma3"]) for d in japanese)
    assert statistics.fmean(map(abs, errors)) < 0.09
    assert (
        statistics.fmean(
            map(
                abs,
                relative_errors(
                    (per_class(sheet, "gemini", d["text"]), d["gemma3"]) for d in others
                ),
            )
        )
        < 0.04
    )


def test_gemini_pieces_beat_the_class_table_on_held_out_texts(sheet):
    """The piece codes are what makes the difference: the class table alone is worse."""
    counting = sheet.tokenizers["gemini"].counting
    by_pieces, by_classes = [], []
    for doc in HELDOUT:
        _, histogram = classes_with_tiktoken(doc["text"])
        by_pieces.append(
            (estimate_tokens(histogram, counting.classes, counting.pieces), doc["gemma3"])
        )
        by_classes.append((estimate_tokens(histogram, counting.classes), doc["gemma3"]))
    new = statistics.fmean(map(abs, relative_errors(by_pieces)))
    old = statistics.fmean(map(abs, relative_errors(by_classes)))
    assert new < 0.8 * old


def test_gemini_per_class_beats_the_old_character_rule(sheet):
    docs = _gemini_target_docs()
    new = relative_errors((per_class(sheet, "gemini", d["text"]), d["gemma3"]) for d in docs)
    old = relative_errors((-(-len(d["text"]) // 4), d["gemma3"]) for d in docs)
    assert statistics.fmean(map(abs, new)) < 0.04 < 0.2 < statistics.fmean(map(abs, old))


CLAUDE = (("claude-legacy", "v3"), ("claude-5", "v5"))


@pytest.mark.parametrize(("family", "generation"), CLAUDE)
def test_claude_per_class_fallback(sheet, family, generation):
    """The per-class table (inputs past the reconstruction's limits): mean error measured 6.8%
    (v3) and 7.6% (v5) on these 41 documents — not the 2% target, which only the reconstruction
    meets (README says so)."""
    docs = [d for d in DOCS if "claude_recorded" in d]
    errors = relative_errors(
        (per_class(sheet, family, d["text"]), d["claude_recorded"][generation] - FRAMES[generation])
        for d in docs
    )
    assert statistics.fmean(map(abs, errors)) < 0.085
    english = next(d for d in docs if d["id"] == "udhr:eng")
    reference = english["claude_recorded"][generation] - FRAMES[generation]
    assert abs(per_class(sheet, family, english["text"]) - reference) / reference < 0.06


#: The default run's share of the 41 documents: the UDHR languages of README's error table and
#: every third program (all in tests/test_claude_reconstruction.py's quick set); the slow set
#: checks all 41.
CLAUDE_QUICK = {
    *(f"udhr:{lang}" for lang in ("eng", "cmn_hans", "jpn", "kor", "arb", "rus", "hin", "tha")),
    *(f"udhr:{lang}" for lang in ("vie", "deu_1996")),
    *(f"multipl_e:{lang}" for lang in ("cpp", "elixir", "java", "lua", "pl", "rb", "rs", "ts")),
}


@pytest.mark.parametrize("documents", ["quick", pytest.param("all", marks=pytest.mark.slow)])
@pytest.mark.parametrize(
    ("generation", "recorded"),
    [("claude-v3", "v3"), ("claude-v4.7", "v4.7"), ("claude-v4.8", "v5")],
)
def test_claude_reconstruction_meets_the_target(generation, recorded, documents):
    """Mean absolute error ≤ 2%, none off by more than max(2 tokens, 6%), content tokens (all
    recorded documents: tests/test_claude_reconstruction.py)."""
    claude_reconstruction.reset_budget()
    docs = [d for d in DOCS if "claude_recorded" in d]
    if documents == "quick":
        docs = [d for d in docs if d["id"] in CLAUDE_QUICK]
        assert len(docs) == len(CLAUDE_QUICK)
    pairs = []
    for doc in docs:
        tokens = claude_reconstruction.content_tokens(generation, doc["text"])
        assert tokens is not None
        pairs.append((tokens, doc["claude_recorded"][recorded] - FRAMES[recorded]))
    claude_reconstruction.reset_budget()
    errors = relative_errors(pairs)
    assert statistics.fmean(map(abs, errors)) <= 0.02
    assert all(abs(est - ref) <= max(2, 0.06 * ref) for est, ref in pairs)
