"""Print README's measured error table from tests/fixtures/accuracy/reference_counts.json.gz.

    python bench/accuracy_table.py

Per kind of text: the signed error of the largest miss (estimate / reference − 1) and the mean
absolute error, for Gemini's per-class table against Gemma 3's tokenizer, for the two Claude
per-class tables and for tokencalc's reconstruction against the counts recorded from
Anthropic's count_tokens (content tokens), and for the ratios these replaced.

A second table scores Claude on every count_tokens answer published with ctok
(tests/fixtures/claude/recorded_counts.json.xz: 2,514 documents on three models, 176 short
probes): the reconstruction and the per-class fallback, per corpus.
"""

from __future__ import annotations

import gzip
import json
import lzma
import math
import statistics
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from tokencalc.counting.part_counts import classes_with_tiktoken
from tokencalc.sheet.load import load_price_sheet
from tokencalc.tokenizers import claude_tiling
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


def _classes(table: Mapping[str, Decimal] | None) -> Mapping[str, Decimal]:
    """A family's per-class table; every family this table reports has one."""
    if table is None:
        raise SystemExit("the packaged sheet lost a per-class table")
    return table


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
        name: _classes(sheet.tokenizers[name].counting.classes)
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
            rebuilt = claude_tiling.content_tokens(
                "claude-v3" if generation == "v3" else "claude-v4.8", doc["text"]
            )
            errs.setdefault(family + "_rebuilt", []).append(rebuilt / reference - 1)
    print(
        "| text | Gemini per-class vs Gemma 3 | (was chars ÷ 4) | Claude 3–4.6 per-class | (was ×1.05) | Claude 4.7+/5 per-class | (was ×1.5) | Claude reconstructed (both) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for kind in ORDER:
        e = rows.get(kind)
        if not e:
            continue
        rebuilt_cell = cell(e.get("claude-legacy_rebuilt", []) + e.get("claude-5_rebuilt", []))
        print(
            f"| {kind} | {cell(e['gemini'])} | {cell(e['gemini_old'])} | {cell(e.get('claude-legacy', []))} | {cell(e.get('claude-legacy_old', []))} "
            f"| {cell(e.get('claude-5', []))} | {cell(e.get('claude-5_old', []))} | {rebuilt_cell if 'claude-legacy' in e else '—'} |"
        )
    print()
    recorded_table(sheet)


RECORDED = FIXTURE.parents[1] / "claude" / "recorded_counts.json.xz"
#: recorded model → (generation tokencalc reads it with, sheet family of its per-class table)
MODELS = {
    "v3": ("claude-v3", "claude-legacy"),
    "v4.7": ("claude-v4.7", "claude-5"),
    "v5": ("claude-v4.8", "claude-5"),
}


def recorded_table(sheet: object) -> None:
    """Per corpus and recorded model: documents exact, mean error and largest miss."""
    data = json.loads(lzma.decompress(RECORDED.read_bytes()))
    frames, names = data["frames"], data["models"]
    print(
        "| corpus | documents | model | reconstructed: exact | mean error (largest) "
        "| per-class fallback: mean error (largest) |"
    )
    print("|---|---:|---|---:|---:|---:|")
    corpora: dict[str, list[dict[str, Any]]] = {}
    for doc in data["documents"]:
        corpora.setdefault(doc["corpus"], []).append(doc)
    histograms = {id(d): classes_with_tiktoken(d["text"])[1] for d in data["documents"]}
    for corpus, docs in corpora.items():
        for model, (generation, family) in MODELS.items():
            table = sheet.tokenizers[family].counting.classes  # type: ignore[attr-defined]
            rebuilt, per_class, exact = [], [], 0
            for doc in docs:
                reference = doc["recorded"][model] - frames[model]
                ours = claude_tiling.content_tokens(generation, doc["text"])
                exact += ours == reference
                rebuilt.append(ours / reference - 1)
                per_class.append(estimate_tokens(histograms[id(doc)], table) / reference - 1)
            print(
                f"| {corpus} | {len(docs)} | {names[model]} | {exact} | {cell(rebuilt)} "
                f"| {cell(per_class)} |"
            )
    for model, (generation, _) in MODELS.items():
        rows = [row for row in data["short"] if row["model"] == model]
        if rows:
            exact = sum(
                claude_tiling.content_tokens(generation, r["text"]) == r["content"] for r in rows
            )
            print(f"| short probes | {len(rows)} | {names[model]} | {exact} | — | — |")


def heldout() -> None:
    """Gemini on texts its tables were not fitted on (tests/fixtures/accuracy/gemini_heldout)."""
    docs = json.loads(gzip.decompress(FIXTURE.with_name("gemini_heldout.json.gz").read_bytes()))
    counting = load_price_sheet(user_sheet=False).tokenizers["gemini"].counting
    rows: dict[tuple[str, bool], list[float]] = {}
    for doc in docs["documents"]:
        _, histogram = classes_with_tiktoken(doc["text"])
        estimate = estimate_tokens(histogram, _classes(counting.classes), counting.pieces)
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
