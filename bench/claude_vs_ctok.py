"""Development-time proof that tokencalc's Claude reconstruction agrees with ctok, document for document.

    pip download ctok==1.3.0 --no-deps -d /tmp/ctok && unzip -q /tmp/ctok/ctok-1.3.0-*.whl -d /tmp/ctok/whl
    python bench/claude_vs_ctok.py --ctok /tmp/ctok/whl

ctok's wheel declares Python >= 3.12, but its code runs on 3.11 when imported from the unpacked
wheel (or sdist), which is all this script does; nothing in tokencalc or its tests imports ctok.
For every document and short probe of tests/fixtures/claude/recorded_counts.json.xz and each
generation (ctok "3.0", "4.7", "4.8" ↔ tokencalc claude-v3, claude-v4.7, claude-v4.8), it prints
how many content counts differ between the two (ctok's count minus its frame of ⟨pad⟩ tokens), how
many match the recorded count_tokens answer, and both programs' time.
"""

from __future__ import annotations

import argparse
import json
import lzma
import sys
import time
from pathlib import Path

from tokencalc.tokenizers import claude_tiling

FIXTURE = Path(__file__).resolve().parents[1] / "tests/fixtures/claude/recorded_counts.json.xz"
#: recorded model → (ctok version, tokencalc generation)
MODELS = {"v3": ("3.0", "claude-v3"), "v4.7": ("4.7", "claude-v4.7"), "v5": ("4.8", "claude-v4.8")}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ctok", type=Path, required=True, help="an unpacked ctok wheel or sdist")
    args = parser.parse_args()
    sys.path.insert(0, str(args.ctok))
    import ctok

    data = json.loads(lzma.decompress(FIXTURE.read_bytes()))
    frames = data["frames"]
    for model, (version, generation) in MODELS.items():
        texts = [(d["text"], d["recorded"][model] - frames[model]) for d in data["documents"]]
        texts += [(r["text"], r["content"]) for r in data["short"] if r["model"] == model]
        frame = len(ctok.tokenize("x", version)) - len(
            [t for t in ctok.tokenize("x", version) if t != "⟨pad⟩"]
        )
        differ = recorded = 0
        ours_s = theirs_s = 0.0
        for text, reference in texts:
            started = time.perf_counter()
            ours = claude_tiling.content_tokens(generation, text)
            middle = time.perf_counter()
            theirs = ctok.token_count(text, version) - frame
            ours_s += middle - started
            theirs_s += time.perf_counter() - middle
            differ += ours != theirs
            recorded += ours == reference
        print(
            f"{data['models'][model]:16} {len(texts):5} texts: differ from ctok {differ}, "
            f"equal to the recorded count {recorded}; tokencalc {ours_s:.1f} s, ctok {theirs_s:.1f} s"
        )


if __name__ == "__main__":
    main()
