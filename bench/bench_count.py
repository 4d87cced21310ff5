"""Benchmark ``tokencalc count`` against a single-call tiktoken count and the ``ttok`` CLI.

Usage (from the repository root, in the project's virtual environment):

    python bench/bench_count.py --mb 20          # 20 MB mixed corpus + tiny input
    python bench/bench_count.py --mb 20 --pipe-gb 1   # also stream 1 GB through a pipe
    python bench/bench_count.py --mb 20 --encodings tekken,qwen2.5,qwen3.6,deepseek-v3

The corpus is generated (seeded, so every run sees the same text): English prose, Python-like
code and Chinese prose in roughly equal parts. Every tool counts with o200k_base. tiktoken and
ttok read their rank files from a temporary ``TIKTOKEN_CACHE_DIR`` seeded with tokencalc's
verified copies, so nothing is downloaded. Wall time and peak RSS are measured per process
(``os.wait4``). The script fails if any count differs from tiktoken's.
"""

from __future__ import annotations

import argparse
import gzip
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path
from typing import IO

# tiktoken's cache file names: the sha1 of each rank file's download URL (product notes §3).
TIKTOKEN_CACHE_NAMES = {
    "o200k_base.tiktoken.gz": "fb374d419588a4632f3f557e76b4b70aebbca790",
    "cl100k_base.tiktoken.gz": "9b5ad71b2ce5302211f9c61530b329a4922fc6a4",
}

_WORDS = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "is",
    "that",
    "for",
    "it",
    "as",
    "with",
    "was",
    "on",
    "be",
    "by",
    "this",
    "are",
    "from",
    "at",
    "or",
    "an",
    "have",
    "not",
    "which",
    "but",
    "they",
    "you",
    "were",
    "all",
    "one",
    "their",
    "there",
    "can",
    "has",
    "more",
    "when",
    "will",
    "would",
    "about",
    "if",
    "no",
    "been",
    "what",
    "model",
    "token",
    "price",
    "cost",
    "input",
    "output",
    "cache",
    "context",
    "window",
    "budget",
    "estimate",
    "request",
    "response",
    "developer",
    "analyst",
    "document",
    "report",
    "summary",
    "invoice",
    "contract",
    "language",
    "english",
    "chinese",
    "count",
]
_CJK = (
    "我们今天讨论大语言模型的成本问题。每个词元的价格不同，输入和输出分别计费。"
    "中文和英文的分词方式差别很大，同样的意思在不同模型上花费不同。"
    "长对话每一轮都会重新发送全部历史，所以费用随着长度的平方增长。"
)
_CODE = [
    "def {name}(items, limit={n}):\n    total = 0\n    for item in items[:limit]:\n        total += item.price * item.quantity\n    return total\n",
    'class {Name}:\n    def __init__(self, value):\n        self.value = value  # keep the raw value\n\n    def __repr__(self):\n        return f"{Name}({{self.value!r}})"\n',
    'if __name__ == "__main__":\n    results = [{name}(x) for x in range({n})]\n    print(sum(results) / len(results))\n',
]


def generate_corpus(path: Path, megabytes: float, seed: int = 7) -> None:
    rng = random.Random(seed)
    target = int(megabytes * 1_000_000)
    written = 0
    with open(path, "w", encoding="utf-8") as out:
        while written < target:
            kind = rng.randrange(3)
            if kind == 0:
                sentences = []
                for _ in range(rng.randint(3, 8)):
                    words = rng.choices(_WORDS, k=rng.randint(6, 18))
                    sentences.append(
                        " ".join(words).capitalize() + rng.choice([".", ".", "?", "!"])
                    )
                block = " ".join(sentences) + "\n\n"
            elif kind == 1:
                name = "".join(rng.choices("abcdefghijklmnop", k=rng.randint(4, 10)))
                block = (
                    rng.choice(_CODE).format(
                        name=name, Name=name.capitalize(), n=rng.randint(1, 999)
                    )
                    + "\n"
                )
            else:
                start = rng.randrange(len(_CJK) - 40)
                block = _CJK[start : start + rng.randint(20, 40)] + "\n"
            out.write(block)
            written += len(block.encode("utf-8"))


def seed_tiktoken_cache(directory: Path) -> None:
    for name, cache_name in TIKTOKEN_CACHE_NAMES.items():
        packed = (resources.files("tokencalc.data") / name).read_bytes()
        (directory / cache_name).write_bytes(gzip.decompress(packed))


def measure(
    args: list[str], *, stdin_path: Path | None = None, stdin_cmd: list[str] | None = None, env=None
):
    """Run a command; (stdout, wall s, CPU s = user + system, peak RSS MB) of that process alone."""
    feeder = None
    stdin: IO[bytes] | None = None
    if stdin_path is not None:
        stdin = open(stdin_path, "rb")  # noqa: SIM115 - closed after the run below
    elif stdin_cmd is not None:
        feeder = subprocess.Popen(stdin_cmd, stdout=subprocess.PIPE)
        stdin = feeder.stdout
    start = time.perf_counter()
    process = subprocess.Popen(args, stdin=stdin, stdout=subprocess.PIPE, env=env)
    assert process.stdout is not None
    out = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if stdin is not None:
        stdin.close()
    if feeder is not None:
        feeder.wait()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{args[0]} failed with status {status}")
    return out.decode().strip(), wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def _without_cpu(measured: tuple[str, float, float, float]) -> tuple[str, float, float]:
    out, wall, _, rss = measured
    return out, wall, rss


def tiny_input_times(command: list[str], env, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, input=b"hello\n", stdout=subprocess.DEVNULL, env=env, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def time_encoding(name: str, corpus: Path, size_mb: float, tokencalc: list[str], env) -> None:
    """``tokencalc count -q --encoding NAME`` against one tiktoken call on the whole (normalised) text."""
    whole = [
        sys.executable,
        "-c",
        (
            "import sys; from tokencalc.counting import counter as counting; "
            "print(counting.count_with_tiktoken(sys.argv[2], open(sys.argv[1], encoding='utf-8').read()))"
        ),
        str(corpus),
        name,
    ]
    # Warm-up: the first run of an encoding builds its rank-table cache (a one-time cost).
    subprocess.run(
        [*tokencalc, "count", "-q", "--encoding", name],
        input=b"warm up",
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    expected, wall_one, _, rss_one = measure(whole, env=env)
    count, wall, _, rss = measure(
        [*tokencalc, "count", "-q", "--encoding", name, str(corpus)], env=env
    )
    print(
        f"\n{name}: one call {wall_one:.2f} s ({size_mb / wall_one:.1f} MB/s, {rss_one:.0f} MB); "
        f"tokencalc count -q {wall:.2f} s ({size_mb / wall:.1f} MB/s, {rss:.0f} MB); {count} tokens"
    )
    if count != expected:
        raise SystemExit(f"{name}: tokencalc counted {count}, one whole-text call {expected}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=20, help="corpus size in MB (default 20)")
    parser.add_argument(
        "--pipe-gb", type=float, default=0, help="also stream this many GB through stdin"
    )
    parser.add_argument(
        "--tiny-runs", type=int, default=15, help="runs of the tiny-input test (median)"
    )
    parser.add_argument("--workdir", type=Path, default=Path("bench/out"))
    parser.add_argument(
        "--encodings",
        default="",
        help="also time these encodings (comma-separated), each against one whole-text call",
    )
    options = parser.parse_args()

    options.workdir.mkdir(parents=True, exist_ok=True)
    corpus = options.workdir / f"corpus-{options.mb:g}mb.txt"
    if not corpus.exists():
        generate_corpus(corpus, options.mb)
    size_mb = corpus.stat().st_size / 1_000_000

    bindir = Path(sys.executable).parent
    tokencalc = [str(bindir / "tokencalc")]
    ttok = shutil.which("ttok", path=str(bindir)) or shutil.which("ttok")

    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "tiktoken-cache"
        cache.mkdir()
        seed_tiktoken_cache(cache)
        home = Path(tmp) / "tokencalc-home"
        env = {**os.environ, "TIKTOKEN_CACHE_DIR": str(cache), "TOKENCALC_HOME": str(home)}
        # Warm-up: the first tokencalc run builds its rank-table cache (a one-time cost).
        subprocess.run(
            [*tokencalc, "count", "-q"],
            input=b"warm up",
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )

        reference = [
            sys.executable,
            "-c",
            (
                "import sys, tiktoken; e = tiktoken.get_encoding('o200k_base'); "
                "print(len(e.encode_ordinary(open(sys.argv[1], encoding='utf-8').read())))"
            ),
            str(corpus),
        ]
        rows = [("tiktoken, one call", *_without_cpu(measure(reference, env=env)))]
        rows.append(
            (
                "tokencalc count -q",
                *_without_cpu(measure([*tokencalc, "count", "-q", str(corpus)], env=env)),
            )
        )
        if ttok:
            rows.append(
                ("ttok", *_without_cpu(measure([ttok, "-m", "gpt-5"], stdin_path=corpus, env=env)))
            )

        expected = rows[0][1]
        print(
            f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        )
        print(f"corpus: {corpus} ({size_mb:.1f} MB, {expected} o200k_base tokens)\n")
        print(f"{'tool':<22}{'wall s':>9}{'MB/s':>9}{'peak RSS MB':>13}  count")
        for name, count, wall, rss in rows:
            mark = "" if count == expected else "  MISMATCH"
            print(f"{name:<22}{wall:>9.2f}{size_mb / wall:>9.1f}{rss:>13.0f}  {count}{mark}")
        if any(count != expected for _, count, _, _ in rows):
            raise SystemExit("counts differ from tiktoken's")
        by_name = {name: wall for name, _, wall, _ in rows}
        if ttok:
            print(f"\nspeed-up over ttok: {by_name['ttok'] / by_name['tokencalc count -q']:.2f}x")

        for name in filter(None, options.encodings.split(",")):
            time_encoding(name, corpus, size_mb, tokencalc, env)

        tiny_ours = tiny_input_times([*tokencalc, "count", "-q"], env, options.tiny_runs)
        print(f"\ntiny input (echo hello | … -q), median of {options.tiny_runs}:")
        print(f"  tokencalc {tiny_ours:.3f} s")
        if ttok:
            tiny_ttok = tiny_input_times([ttok, "-m", "gpt-5"], env, options.tiny_runs)
            print(f"  ttok      {tiny_ttok:.3f} s  (tokencalc/ttok = {tiny_ours / tiny_ttok:.2f})")

        if options.pipe_gb:
            repeats = max(1, round(options.pipe_gb * 1000 / size_mb))
            feeder = ["sh", "-c", f'for i in $(seq {repeats}); do cat "$0"; done', str(corpus)]
            count, wall, _, rss = measure([*tokencalc, "count", "-q"], stdin_cmd=feeder, env=env)
            total_mb = size_mb * repeats
            print(
                f"\npipe: {total_mb / 1000:.2f} GB through stdin: {wall:.1f} s, {total_mb / wall:.1f} MB/s, "
                f"peak RSS {rss:.0f} MB, {count} tokens"
            )
            # Cuts never join the corpus copies differently: the file ends with a newline and
            # begins with a letter or digit, so each copy counts alone.
            if int(count) != int(expected) * repeats:
                raise SystemExit(f"pipe count {count} != {repeats} x {expected}")


if __name__ == "__main__":
    main()
