"""Dataset mode's Claude totals against Anthropic's own counts: the documents recorded with
``count_tokens`` (tests/fixtures/claude/recorded_counts.json.xz, claude-opus-5) written as
JSONL datasets, priced on claude-opus-5-5 (the same generation) with the reconstructed sample
(the default) and with the per-class table alone (reconstruction off).

Usage (from the repository root, in the project's virtual environment):

    python bench/dataset_claude_accuracy.py [--data FILE.jsonl --reference N]

Prints one line per dataset: the recorded sum of content tokens (recorded − the model's message
frame), the sampled estimate's error and stated margin, and the per-class table's error. With
``--data``, a JSONL file of your own (``text`` field) against ``--reference`` tokens, or against
``--exact`` when no reference is given.
"""

from __future__ import annotations

import argparse
import json
import lzma
import tempfile
import time
from pathlib import Path
from typing import Any

import tokencalc
from tokencalc.tokenizers import claude_reconstruction

FIXTURE = Path(__file__).resolve().parent.parent / "tests/fixtures/claude/recorded_counts.json.xz"
MODEL = "claude-opus-5-5"


def _row(path: Path, **arguments: Any) -> Any:
    run = tokencalc.estimate_dataset(
        path, field="text", models=[MODEL], rows=False, output_tokens=1, **arguments
    )
    return run.summary.models[0]


def measure(name: str, path: Path, reference: int | None) -> None:
    started = time.process_time()
    sampled = _row(path)
    seconds = time.process_time() - started
    if reference is None:
        reference = _row(path, exact=True).input_tokens
    claude_reconstruction.enabled = False
    try:
        per_class = _row(path).input_tokens
    finally:
        claude_reconstruction.enabled = True
    sample = sampled.sample
    said = f"said ±{100 * sample.margin:.1f}%, {sample.windows:,} records" if sample else "?"
    print(
        f"{name}: reference {reference:,}; sampled {100 * (sampled.input_tokens / reference - 1):+.2f}% "
        f"({said}; {sampled.model.count_method}); per-class alone "
        f"{100 * (per_class / reference - 1):+.2f}%; {seconds:.1f} s CPU in this process"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path)
    parser.add_argument("--reference", type=int)
    options = parser.parse_args()
    if options.data is not None:
        measure(str(options.data), options.data, options.reference)
        return
    recorded = json.loads(lzma.decompress(FIXTURE.read_bytes()))
    documents = recorded["documents"]
    frame = int(recorded["frames"]["v5"])
    sets = {
        "all 2,514 recorded documents": documents,
        "UDHR, 501 languages": [d for d in documents if d["corpus"] == "udhr"],
        "Rosetta Code, 1,991 programs": [d for d in documents if d["corpus"].startswith("rosetta")],
    }
    with tempfile.TemporaryDirectory() as tmp:
        for name, chosen in sets.items():
            path = Path(tmp) / "records.jsonl"
            path.write_text(
                "".join(json.dumps({"text": d["text"]}) + "\n" for d in chosen), encoding="utf-8"
            )
            reference = sum(int(d["recorded"]["v5"]) - frame for d in chosen)
            measure(name, path, reference)


if __name__ == "__main__":
    main()
