"""Is `estimate` on a large file still about as fast as `count`?

    python bench/bench_estimate.py [--mb 20] [--runs 3]

Writes a mixed file (English prose, multilingual UDHR text, code and JSON from the accuracy
fixture, repeated to the size asked for), then times, best of ``--runs``, through the real
entry point:

* ``tokencalc count FILE -q``            (o200k_base, exact)
* ``tokencalc estimate FILE``            (the sheet's default models: exact, per-class, ratio)

and prints the ratio (issue 8 asks for at most 1.5). The Claude reconstruction's own speed:
bench/bench_claude.py.
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "accuracy" / "reference_counts.json.gz"


def sample_text() -> str:
    docs = json.loads(gzip.decompress(FIXTURE.read_bytes()))["documents"]
    return (
        "\n\n".join(doc["text"] for doc in docs)
        + "\n\n"
        + (ROOT / "README.md").read_text(encoding="utf-8")
    )


def best(command: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=20)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    text = sample_text()
    size = int(args.mb * 1_000_000)
    body = (text * (size // len(text.encode("utf-8")) + 1))[: size // 2]
    exe = [sys.executable, "-m", "tokencalc"]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.txt"
        path.write_text(body, encoding="utf-8")
        while path.stat().st_size < size:
            with path.open("a", encoding="utf-8") as handle:
                handle.write(body[: max(1, (size - path.stat().st_size) // 3)])
        mb = path.stat().st_size / 1e6
        count = best([*exe, "count", str(path), "-q"], args.runs)
        estimate = best([*exe, "estimate", str(path)], args.runs)
        # Where the time goes: the default models without the two vendor encodings that only
        # tiktoken counts (Mistral's tekken, DeepSeek's deepseek-v3), then each of them alone.
        parts = {
            "estimate, o200k_base + per-class models only": [
                "-m",
                "gpt-6-luna",
                "-m",
                "gemini-4-argon",
                "-m",
                "claude-sonnet-5-5",
                "-m",
                "grok-4.7",
            ],
            "estimate -m mistral-large-4 (tekken)": ["-m", "mistral-large-4"],
            "estimate -m deepseek-flash (deepseek-v3)": ["-m", "deepseek-flash"],
        }
        timed = {
            label: best([*exe, "estimate", str(path), *models], args.runs)
            for label, models in parts.items()
        }
    print(f"file: {mb:.1f} MB mixed text")
    print(f"count -q      {count:6.2f} s")
    print(f"estimate      {estimate:6.2f} s")
    print(f"ratio         {estimate / count:6.2f}x (target <= 1.5)")
    for label, seconds in timed.items():
        print(f"{label:48} {seconds:6.2f} s  {seconds / count:5.2f}x count")


if __name__ == "__main__":
    main()
