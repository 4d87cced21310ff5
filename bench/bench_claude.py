"""How fast is the Claude reconstruction, and how much memory does it take?

    python bench/bench_claude.py [--mb 1]

For each generation (claude-v3, claude-v4.8), in a fresh process each: the vocabulary load
(sha256 check, parse, index), then content tokens of ``--mb`` MB of

* ``udhr``      — UDHR in 501 languages, concatenated: text never seen before (worst case);
* ``code``      — Rosetta Code programs, concatenated (never seen before);
* ``prose``     — README.md repeated to the size: words come back, as in real long documents;

from tests/fixtures/claude/recorded_counts.json.xz, one core, with MB/s and the process's peak
resident memory. The counts are the reconstruction's own (not compared here; the tests do that).
"""

from __future__ import annotations

import argparse
import json
import lzma
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "claude" / "recorded_counts.json.xz"


def texts(size: int) -> dict[str, str]:
    documents = json.loads(lzma.decompress(FIXTURE.read_bytes()))["documents"]

    def take(corpus: str) -> str:
        joined = "\n\n".join(d["text"] for d in documents if d["corpus"] == corpus)
        return joined.encode("utf-8")[:size].decode("utf-8", "ignore")

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    prose = (readme * (size // len(readme.encode("utf-8")) + 1)).encode("utf-8")[:size]
    return {"udhr": take("udhr"), "code": take("rosetta"), "prose": prose.decode("utf-8", "ignore")}


def child(generation: str, size: int) -> None:
    from tokencalc.tokenizers import claude_tiling

    samples = texts(size)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    claude_tiling.vocabulary(generation)
    load = time.perf_counter() - started
    loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{generation}: vocabulary load {load:.3f} s, +{loaded - base:.0f} MB")
    for name, text in samples.items():
        started = time.perf_counter()
        tokens = claude_tiling.content_tokens(generation, text)
        seconds = time.perf_counter() - started
        mb = len(text.encode("utf-8")) / 1e6
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"  {name:6} {mb:5.2f} MB  {seconds:6.2f} s  {mb / seconds:6.2f} MB/s  "
            f"{tokens:>9,} tokens  peak RSS {peak:.0f} MB"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=1)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    size = int(args.mb * 1_000_000)
    if args.child:
        child(args.child, size)
        return
    for generation in ("claude-v3", "claude-v4.8"):
        subprocess.run(
            [sys.executable, __file__, "--mb", str(args.mb), "--child", generation], check=True
        )


if __name__ == "__main__":
    main()
