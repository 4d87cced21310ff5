"""Benchmark ``tokencalc usage`` on a generated ChatGPT export priced on several models.

Usage (from the repository root, in the project's virtual environment):

    python bench/bench_chat_exports.py --mb 8
    python bench/bench_chat_exports.py --mb 8 --src /work/main/src   # another checkout, same file

The export is generated (seeded): ``conversations.json`` in ChatGPT's shape (a ``mapping`` tree,
``current_node``), conversations of 4-20 turns whose messages mix English prose, Chinese, code
and numbers. Each run is a fresh process (``tokencalc usage FILE --model M -f json``, no cache,
one worker), timed (the best of ``--repeat`` runs, trees interleaved); the models show each way chat text is counted:
``gpt-5`` exact o200k_base (the hot path), ``mistral-large-3`` exact tekken, ``claude-sonnet-4-5``
reconstructed (then per-class past the run's 1,000,000-character budget), ``gemini-4-argon``
per-class. With ``--src`` the same runs use another source tree (``PYTHONPATH``), to compare
before and after a change on one file, side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

MODELS = ("gpt-5", "mistral-large-3", "claude-sonnet-4-5", "gemini-4-argon")
ENGLISH = [
    "the",
    "model",
    "returns",
    "a",
    "summary",
    "of",
    "the",
    "report",
    "and",
    "the",
    "budget",
    "for",
    "next",
    "quarter",
    "was",
    "approved",
    "while",
    "the",
    "team",
    "reviewed",
    "every",
    "change",
    "before",
    "the",
    "release",
]
CHINESE = "人人生而自由在尊严和权利上一律平等他们赋有理性和良心并应以兄弟关系的精神相对待"
CODE = "def median(xs):\n    xs = sorted(xs)\n    n = len(xs)\n    return xs[n // 2]\n"


def message(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.6:
        return " ".join(rng.choice(ENGLISH) for _ in range(rng.randrange(10, 300))) + "."
    if kind < 0.8:
        start = rng.randrange(len(CHINESE) - 10)
        return CHINESE[start:] * rng.randrange(1, 8)
    if kind < 0.95:
        return CODE * rng.randrange(1, 6)
    return " ".join(str(rng.randrange(10**6)) for _ in range(rng.randrange(5, 60)))


def generate(path: Path, total_bytes: int, seed: int = 11) -> tuple[int, int]:
    """Write the export; returns (bytes, messages)."""
    rng = random.Random(seed)
    conversations: list[dict[str, Any]] = []
    size = messages = 0
    when = 1_780_000_000.0
    while size < total_bytes:
        mapping: dict[str, dict[str, Any]] = {
            "root": {"id": "root", "message": None, "parent": None, "children": []}
        }
        parent = "root"
        for turn in range(rng.randrange(4, 21)):
            for role in ("user", "assistant"):
                node = f"n{turn}{role[0]}"
                text = message(rng)
                when += rng.randrange(5, 300)
                mapping[parent]["children"] = [node]
                mapping[node] = {
                    "id": node,
                    "parent": parent,
                    "children": [],
                    "message": {
                        "id": node,
                        "author": {"role": role},
                        "create_time": when,
                        "content": {"content_type": "text", "parts": [text]},
                        "metadata": {"model_slug": "gpt-5"} if role == "assistant" else {},
                    },
                }
                parent = node
                size += len(text.encode()) + 200
                messages += 1
        conversations.append(
            {
                "title": f"c{len(conversations)}",
                "create_time": when,
                "mapping": mapping,
                "current_node": parent,
                "default_model_slug": "gpt-5",
                "id": f"conv-{len(conversations)}",
            }
        )
    data = json.dumps(conversations, ensure_ascii=False).encode()
    path.write_bytes(data)
    return len(data), messages


def run(src: str | None, export: Path, model: str, home: Path) -> tuple[float, dict[str, Any]]:
    env = {
        **os.environ,
        "TOKENCALC_HOME": str(home),
        "TOKENCALC_CACHE_DIR": str(home / "cache"),
        "TOKENCALC_USAGE_CACHE": "0",
        "TOKENCALC_WORKERS": "1",
    }
    if src:
        env["PYTHONPATH"] = src
    code = "import sys; from tokencalc.cli.entry import main; sys.argv[0] = 'tokencalc'; main()"
    args = [sys.executable, "-c", code, "usage", str(export), "--model", model, "-f", "json"]
    started = time.perf_counter()
    process = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = process.communicate()
    elapsed = time.perf_counter() - started
    if process.returncode != 0:
        return elapsed, {"error": err.decode().strip().splitlines()[-1][:160]}
    document: dict[str, Any] = json.loads(out)
    return elapsed, document


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=float, default=8.0, help="size of the export (MB)")
    parser.add_argument("--src", action="append", default=[], help="another source tree to run too")
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    trees = [None, *args.src]
    for tree in [str(Path(__file__).resolve().parents[1] / "src"), *args.src]:
        # PYTHONDONTWRITEBYTECODE may be set: compile every tree alike, so imports cost the same
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", tree], check=False, capture_output=True
        )
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        export = root / "conversations.json"
        size, messages = generate(export, int(args.mb * 1_000_000))
        print(f"export: {size / 1e6:.1f} MB, {messages:,} messages")
        for model in args.models.split(","):
            best: dict[str | None, float] = {}
            found: dict[str | None, dict[str, Any]] = {}
            for _ in range(args.repeat):
                for tree in trees:  # interleaved: load on the machine hits both alike
                    elapsed, document = run(tree, export, model, root / "home")
                    best[tree] = min(best.get(tree, elapsed), elapsed)
                    found[tree] = document
            for tree in trees:
                document = found[tree]
                label = tree or "this tree"
                if "error" in document:
                    print(f"{model:18} {label:24} {best[tree]:6.2f} s  failed: {document['error']}")
                    continue
                totals = document["totals"]
                how = [c.get("how_counted") for c in document.get("chat_counting", [])]
                print(
                    f"{model:18} {label:24} {best[tree]:6.2f} s  "
                    f"input {totals['input_tokens']:>13,}  "
                    f"output {totals['output_tokens']:>10,}  {how}"
                )


if __name__ == "__main__":
    main()
