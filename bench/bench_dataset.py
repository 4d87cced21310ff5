"""Benchmark dataset mode against a bare two-process tiktoken loop over the same records.

Usage (from the repository root, in the project's virtual environment):

    python bench/bench_dataset.py --gb 1          # generate bench/out/dataset-1gb.jsonl once, then measure

The data set is generated (seeded): JSONL records of mixed shape — short chat messages, medium
tickets, long documents (English prose, Python-like code, Chinese), with an id, a few metadata
fields and a nested object — plus one malformed line in 10,000 (bad JSON, a missing field, a
number where text should be). Both sides count the ``text`` field with o200k_base:

* baseline: two processes, each reading its half of the file (split at a line end), decoding
  each line with ``json.loads`` and summing ``len(encoding.encode_ordinary(text))`` — tiktoken's
  own ``get_encoding``, from a temporary cache seeded with tokencalc's verified rank file;
* tokencalc: ``tokencalc estimate FILE --field text -m gpt-6-luna --format json`` (one exact
  model; default workers = one per core); with ``--claude``, once more with
  ``-m claude-haiku-5-5`` too (its per-class count of every record and the reconstructed sample
  that scales it: what a Claude row costs, and its label).

Wall time and the peak resident memory of each side's process tree (sampled every 50 ms from
/proc, summed over the processes alive at that moment) are reported; the script fails if the
totals differ.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_count import _CJK, _CODE, _WORDS, TIKTOKEN_CACHE_NAMES


def _paragraphs(rng: random.Random, count: int) -> list[str]:
    pool = []
    for _ in range(count):
        kind = rng.randrange(3)
        if kind == 0:
            words = rng.choices(_WORDS, k=rng.randint(20, 120))
            pool.append(" ".join(words).capitalize() + ".")
        elif kind == 1:
            name = "".join(rng.choices("abcdefghijklmnop", k=rng.randint(4, 10)))
            pool.append(
                rng.choice(_CODE).format(name=name, Name=name.capitalize(), n=rng.randint(1, 999))
            )
        else:
            start = rng.randrange(len(_CJK) - 60)
            pool.append(_CJK[start : start + rng.randint(20, 60)])
    return pool


def generate(path: Path, gigabytes: float, seed: int = 11) -> None:
    rng = random.Random(seed)
    pool = _paragraphs(rng, 5000)
    target = int(gigabytes * 1_000_000_000)
    written = 0
    n = 0
    with open(path, "w", encoding="utf-8") as out:
        while written < target:
            n += 1
            size = rng.random()
            parts = 1 if size < 0.5 else rng.randint(3, 20) if size < 0.9 else rng.randint(40, 200)
            text = "\n\n".join(rng.choices(pool, k=parts))
            if n % 10_000 == 0:
                line = rng.choice(
                    [
                        f'{{"id": {n}, "text": "cut off',
                        f'{{"id": {n}, "title": "no text"}}',
                        f'{{"id": {n}, "text": 12345}}',
                    ]
                )
            else:
                record = {
                    "id": n,
                    "lang": rng.choice(["en", "zh", "code"]),
                    "text": text,
                    "meta": {"source": rng.choice(["mail", "chat", "web"]), "score": rng.random()},
                }
                line = json.dumps(record, ensure_ascii=rng.random() < 0.3)
            out.write(line + "\n")
            written += len(line) + 1


BASELINE = r"""
import json, sys, tiktoken
path, start, end = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
enc = tiktoken.get_encoding("o200k_base")
total = records = 0
with open(path, "rb") as f:
    f.seek(start)
    while f.tell() < end:
        line = f.readline()
        if not line:
            break
        try:
            text = json.loads(line)["text"]
        except (ValueError, KeyError):
            continue
        if isinstance(text, str):
            total += len(enc.encode_ordinary(text))
            records += 1
print(total, records)
"""


def _tree_memory(root: int) -> tuple[int, int]:
    """Resident and proportional (shared pages split between sharers) kB of ``root`` and its
    descendants now. Forked workers share the parent's tokenizer pages: RSS counts them once per
    process, PSS once in all."""
    rss = pss = 0
    stack = [root]
    while stack:
        pid = stack.pop()
        try:
            with open(f"/proc/{pid}/smaps_rollup") as rollup:
                for line in rollup:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1])
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as children:
                    stack.extend(int(c) for c in children.read().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
    return rss, pss


@dataclass
class Measured:
    outputs: list[str]
    wall: float
    cpu: float  # user + system seconds of every process in the tree
    rss: float  # peak MB, summed over the processes alive at once
    pss: float


def run_measured(commands: list[list[str]], env: dict[str, str]) -> Measured:
    """Start commands together; measure wall and CPU time and peak memory of the whole tree."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    processes = [subprocess.Popen(c, stdout=subprocess.PIPE, env=env) for c in commands]
    peak_rss = peak_pss = 0
    while any(p.poll() is None for p in processes):
        sizes = [_tree_memory(p.pid) for p in processes if p.poll() is None]
        peak_rss = max(peak_rss, sum(r for r, _ in sizes))
        peak_pss = max(peak_pss, sum(p for _, p in sizes))
        time.sleep(0.05)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    outputs = []
    for p in processes:
        assert p.stdout is not None
        out = p.stdout.read().decode()
        if p.returncode != 0:
            raise SystemExit(f"{commands[0][:3]} failed with status {p.returncode}")
        outputs.append(out)
    return Measured(outputs, wall, cpu, peak_rss / 1024, peak_pss / 1024)


def split_point(path: Path) -> int:
    size = path.stat().st_size
    with open(path, "rb") as f:
        f.seek(size // 2)
        f.readline()
        return f.tell()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gb", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=Path("bench/out"))
    parser.add_argument(
        "--backend",
        default="auto",
        help="TOKENCALC_BACKEND for tokencalc: auto (the fast exact backend when installed) or tiktoken",
    )
    parser.add_argument(
        "--claude",
        action="store_true",
        help="also run with claude-haiku-5-5 beside gpt-6-luna: what a Claude row adds (its "
        "per-class count of every record and the reconstructed sample) and how it was counted",
    )
    options = parser.parse_args()
    options.workdir.mkdir(parents=True, exist_ok=True)
    data = options.workdir / f"dataset-{options.gb:g}gb.jsonl"
    if not data.exists():
        print(f"generating {data} …", flush=True)
        generate(data, options.gb)
    size_mb = data.stat().st_size / 1e6
    bindir = Path(sys.executable).parent
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp)
        for name, cache_name in TIKTOKEN_CACHE_NAMES.items():
            (cache / cache_name).write_bytes(
                gzip.decompress((resources.files("tokencalc.data") / name).read_bytes())
            )
        env = {
            **os.environ,
            "TIKTOKEN_CACHE_DIR": str(cache),
            "TOKENCALC_HOME": str(cache / "home"),
            "TOKENCALC_BACKEND": options.backend,
        }
        middle = split_point(data)
        end = data.stat().st_size
        script = cache / "baseline.py"
        script.write_text(BASELINE)
        for run in range(options.runs):
            base = run_measured(
                [
                    [sys.executable, str(script), str(data), "0", str(middle)],
                    [sys.executable, str(script), str(data), str(middle), str(end)],
                ],
                env,
            )
            base_tokens = sum(int(o.split()[0]) for o in base.outputs)
            base_records = sum(int(o.split()[1]) for o in base.outputs)
            ours = run_measured([estimate_json(bindir, data, ["gpt-6-luna"])], env)
            doc = json.loads(ours.outputs[0])
            ours_tokens = doc["models"][0]["input_tokens"]
            ours_records = doc["dataset"]["records"]
            print(
                f"run {run + 1}: {size_mb:,.0f} MB, {ours_records:,} records, {doc['dataset']['malformed']:,} malformed, "
                f"TOKENCALC_BACKEND={options.backend}"
            )
            for name, m, tokens in (
                ("baseline (2 processes)", base, base_tokens),
                ("tokencalc estimate", ours, ours_tokens),
            ):
                print(
                    f"  {name:<23} {m.wall:7.1f} s wall {size_mb / m.wall:6.1f} MB/s  {m.cpu:7.1f} s CPU  "
                    f"peak RSS {m.rss:4.0f} MB  PSS {m.pss:4.0f} MB  tokens {tokens:,}"
                )
            print(
                f"  throughput vs baseline: {100 * base.wall / ours.wall:.0f}% by wall time, "
                f"{100 * base.cpu / ours.cpu:.0f}% by CPU time   load average {os.getloadavg()[0]:.1f}"
            )
            if options.claude:
                both = run_measured(
                    [estimate_json(bindir, data, ["gpt-6-luna", "claude-haiku-5-5"])], env
                )
                claude = json.loads(both.outputs[0])["models"][1]
                print(
                    f"  {'with claude-haiku-5-5':<23} {both.wall:7.1f} s wall {size_mb / both.wall:6.1f} MB/s"
                    f"  {both.cpu:7.1f} s CPU  (+{both.cpu - ours.cpu:.1f} s CPU for the Claude row)\n"
                    f"    Claude row: {claude['input_tokens']:,} tokens, {claude['how_counted']}"
                )
            if (ours_tokens, ours_records) != (base_tokens, base_records):
                raise SystemExit("totals differ from the baseline")


def estimate_json(bindir: Path, data: Path, models: list[str]) -> list[str]:
    """``tokencalc estimate DATA --field text -m M… --format json``: the dataset-mode run timed."""
    return [
        str(bindir / "tokencalc"),
        "estimate",
        str(data),
        "--field",
        "text",
        *(arg for model in models for arg in ("-m", model)),
        "--format",
        "json",
    ]


if __name__ == "__main__":
    main()
