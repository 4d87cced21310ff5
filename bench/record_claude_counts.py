"""Build tests/fixtures/claude/recorded_counts.json.xz: every count_tokens answer ctok publishes.

Development-time only. Reads a checkout of ctok's repository (github.com/sanderland/ctok, MIT;
``git clone`` or the ``fetch`` of its snapshot) and writes, unchanged:

* its four corpora (UDHR in 501 languages, Rosetta Code 1,741 documents and a held-out 250,
  MultiPL-E's HumanEval in 22 languages), each document's text with the ``count_tokens`` answers
  recorded for claude-opus-4-5 (v3), claude-opus-4-7 (v4.7) and claude-opus-5 (v5) — one user
  message, frame included (7, 11 and 6 tokens);
* its short recorded probes (``tests/test_api.py``: the apostrophe, space-run, contraction,
  symbol, piece and combining-mark rows), each with its content tokens.

Nothing here is computed by tokencalc: the fixture is the reference the reconstruction is tested
against (tests/test_claude_reconstruction.py).

    python bench/record_claude_counts.py --ctok PATH_TO_CTOK_CHECKOUT
"""

from __future__ import annotations

import argparse
import ast
import gzip
import json
import lzma
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "fixtures" / "claude" / "recorded_counts.json.xz"
CORPORA = {"udhr": "f", "multipl_e": "lang", "rosetta": "id", "rosetta_holdout": "id"}
MODELS = {"v3": "claude-opus-4-5", "v4.7": "claude-opus-4-7", "v5": "claude-opus-5"}
FRAMES = {"v3": 7, "v4.7": 11, "v5": 6}
SHORT_TABLES = (
    "APOSTROPHE_ROWS",
    "SPACE_RUN_ROWS",
    "CONTRACTION_ROWS",
    "SYMBOL_ROWS",
    "PIECE_ROWS",
    "MARK_ROWS",
)
VERSIONS = {"3.0": "v3", "4.7": "v4.7"}


def short_rows(test_api: Path) -> list[dict[str, object]]:
    """The recorded probe rows of ctok's tests (the tables only; nothing of ctok is run)."""
    tree = ast.parse(test_api.read_text("utf-8"))
    rows: list[dict[str, object]] = []
    for node in tree.body:
        if not isinstance(node, ast.Assign) or not isinstance(node.targets[0], ast.Name):
            continue
        name = node.targets[0].id
        if name not in SHORT_TABLES:
            continue
        # Constant expressions ("a" + " " * 17 + "b"): evaluated with no names or builtins.
        expression = compile(ast.Expression(node.value), str(test_api), "eval")
        for row in eval(expression, {"__builtins__": {}}):
            if name == "MARK_ROWS":  # (text, stream, content): the same in both families
                text, _stream, content = row
                if content is not None:
                    rows += [
                        {"model": m, "text": text, "content": content, "table": name}
                        for m in ("v3", "v4.7")
                    ]
            else:
                version, text, content = row
                rows.append(
                    {"model": VERSIONS[version], "text": text, "content": content, "table": name}
                )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ctok", type=Path, required=True, help="a checkout of ctok's repository")
    args = parser.parse_args()
    fixtures = args.ctok / "tests" / "fixtures"
    documents = []
    for corpus, key in CORPORA.items():
        recorded = json.loads((fixtures / f"{corpus}_counts.json").read_text("utf-8"))
        assert {recorded[m]["model"] for m in MODELS} == set(MODELS.values())
        assert all(recorded[m]["model"] == model for m, model in MODELS.items())
        with gzip.open(fixtures / f"{corpus}.jsonl.gz", "rt", encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    row = json.loads(line)
                    counts = {m: recorded[m]["counts"][row[key]] for m in MODELS}
                    documents.append(
                        {"corpus": corpus, "id": row[key], "text": row["text"], "recorded": counts}
                    )
    try:
        commit = subprocess.run(
            ["git", "-C", str(args.ctok), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    fixture = {
        "source": (
            "count_tokens answers recorded and published by ctok (github.com/sanderland/ctok, "
            f"MIT, Sander Land), tests/fixtures and tests/test_api.py at commit {commit}"
        ),
        "models": MODELS,
        "frames": FRAMES,
        "documents": documents,
        "short": short_rows(args.ctok / "tests" / "test_api.py"),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps(fixture, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    OUT.write_bytes(lzma.compress(data, preset=9 | lzma.PRESET_EXTREME))
    print(
        f"{OUT.relative_to(ROOT)}: {len(documents)} documents, {len(fixture['short'])} short rows"
    )


if __name__ == "__main__":
    main()
