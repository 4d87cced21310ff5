"""Print README's measured error table from tests/fixtures/accuracy/reference_counts.json.gz.

    python bench/accuracy_table.py

Per kind of text: the signed error of the largest miss (estimate / reference − 1) and the mean
absolute error, for Gemini's per-class table against Gemma 3's tokenizer, for the two Claude
per-class tables and for ctok's reconstruction (when installed) against the counts recorded
from Anthropic's count_tokens (content tokens), and for the ratios these replaced.
"""

from __future__ import annotations

import gzip
import json
import math
import statistics
from pathlib import Path

from tokencalc.counting.counter import classes_with_tiktoken
from tokencalc.sheet.load import load_price_sheet
from tokencalc.tokenizers import claude_reconstruction
from tokencalc.tokenizers.token_classes import estimate_tokens

FIXTURE = (
    Path(__file__).resolve().parents[1]
    / "tests"
    / "fixtures"
    / "accuracy"
    / "reference_counts.json.gz"
)
ORDER = [
    "English",
    "code",
    "JSON",
    "Chinese",
    "Japanese",
    "Korean",
    "Arabic",
    "Russian",
    "Hindi",
    "Thai",
    "Vietnamese",
    "Spanish",
    "French",
    "German",
    "Portuguese",
    "Turkish",
    "Indonesian",
    "Ukrainian",
    "Greek",
    "Hebrew",
]


def cell(errors: list[float]) -> str:
    if not errors:
        return "—"
    worst = max(errors, key=abs)
    return f"{statistics.fmean(map(abs, errors)) * 100:.1f}% ({worst * 100:+.0f}%)"


def main() -> None:
    data = json.loads(gzip.decompress(FIXTURE.read_bytes()))
    frames = data["claude_frames"]
    sheet = load_price_sheet(user_sheet=False)
    tables = {
        name: sheet.tokenizers[name].counting.classes
        for name in ("gemini", "claude-legacy", "claude-5")
    }
    gemini_pieces = sheet.tokenizers["gemini"].counting.pieces
    rows: dict[str, dict[str, list[float]]] = {}
    for doc in data["documents"]:
        o200k, histogram = classes_with_tiktoken(doc["text"])
        errs = rows.setdefault(doc["kind"], {})
        gemma = doc["gemma3"]
        errs.setdefault("gemini", []).append(
            estimate_tokens(histogram, tables["gemini"], gemini_pieces) / gemma - 1
        )
        errs.setdefault("gemini_old", []).append(math.ceil(len(doc["text"]) / 4) / gemma - 1)
        if "claude_recorded" not in doc:
            continue
        for family, generation, old in (("claude-legacy", "v3", 1.05), ("claude-5", "v5", 1.5)):
            reference = doc["claude_recorded"][generation] - frames[generation]
            errs.setdefault(family, []).append(
                estimate_tokens(histogram, tables[family]) / reference - 1
            )
            errs.setdefault(family + "_old", []).append(math.ceil(o200k * old) / reference - 1)
            if claude_reconstruction.available():
                claude_reconstruction.reset_budget()
                rebuilt = claude_reconstruction.content_tokens(
                    "claude-v3" if generation == "v3" else "claude-v4.8", doc["text"]
                )
                errs.setdefault(family + "_ctok", []).append(rebuilt / reference - 1)
    print(
        "| text | Gemini per-class vs Gemma 3 | (was chars ÷ 4) | Claude 3–4.6 per-class | (was ×1.05) | Claude 4.7+/5 per-class | (was ×1.5) | Claude, ctok reconstruction |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for kind in ORDER:
        e = rows.get(kind)
        if not e:
            continue
        ctok = (
            cell(e.get("claude-legacy_ctok", []) + e.get("claude-5_ctok", []))
            if claude_reconstruction.available()
            else "not measured"
        )
        print(
            f"| {kind} | {cell(e['gemini'])} | {cell(e['gemini_old'])} | {cell(e.get('claude-legacy', []))} | {cell(e.get('claude-legacy_old', []))} "
            f"| {cell(e.get('claude-5', []))} | {cell(e.get('claude-5_old', []))} | {ctok if 'claude-legacy' in e else '—'} |"
        )


def heldout() -> None:
    """Gemini on texts its tables were not fitted on (tests/fixtures/accuracy/gemini_heldout)."""
    docs = json.loads(gzip.decompress(FIXTURE.with_name("gemini_heldout.json.gz").read_bytes()))
    counting = load_price_sheet(user_sheet=False).tokenizers["gemini"].counting
    rows: dict[tuple[str, bool], list[float]] = {}
    for doc in docs["documents"]:
        _, histogram = classes_with_tiktoken(doc["text"])
        estimate = estimate_tokens(histogram, counting.classes, counting.pieces)
        key = (doc["kind"], len(doc["text"]) >= 200)
        rows.setdefault(key, []).append(estimate / doc["gemma3"] - 1)
    print("\n| text (held out) | texts of 200+ characters | shorter texts (paragraphs) |")
    print("|---|---:|---:|")
    for kind in ORDER:
        if (kind, True) in rows or (kind, False) in rows:
            long_, short = rows.get((kind, True), []), rows.get((kind, False), [])
            print(f"| {kind} | {cell(long_)} ({len(long_)}) | {cell(short)} ({len(short)}) |")


if __name__ == "__main__":
    main()
    heldout()
