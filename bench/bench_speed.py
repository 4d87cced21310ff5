"""Issue 13's targets, side by side in one run: tokencalc (with and without the fast backend) vs ttok.

Usage (from the repository root, in the project's virtual environment, with the ``bench`` and
``fast`` extras installed):

    python bench/bench_speed.py                      # 20 MB and 200 MB corpora, 3 rounds
    python bench/bench_speed.py --sizes 20 --rounds 5 --pipe-gb 1

Measured, each as wall time and peak RSS of the process alone (``os.wait4``):

* ``tokencalc count -q FILE`` with the fast backend (``TOKENCALC_BACKEND=auto``), with tiktoken
  only (``TOKENCALC_BACKEND=tiktoken``), and ``ttok -m gpt-5 < FILE``; rounds interleave the
  three so that changing machine load hits them alike. Every count must equal ttok's (tiktoken's).
* ``echo hello | tokencalc count -q`` against ``echo hello | ttok``: the median of many runs.
* The Python API: ``count_tokens`` on one ~100-character string (µs per call after the first,
  best of five loops) and ``count_tokens_batch`` on a million short strings, in fresh processes.
* Optionally a pipe of ``--pipe-gb`` GB into ``tokencalc count -q`` (peak RSS must stay < 200 MB).
* The Unicode guards on the first corpus, in this process (ms per MB).

The corpus is bench_count.py's (seeded English prose, Python-like code and Chinese prose).
tiktoken and ttok read their rank files from a temporary ``TIKTOKEN_CACHE_DIR`` seeded with
tokencalc's verified copies. Bytecode is compiled first and ``PYTHONDONTWRITEBYTECODE`` dropped, as
on an installed system. The machine's load average is printed before and after: on a shared
machine, report the ranges.
"""

from __future__ import annotations

import argparse
import compileall
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_count import generate_corpus, measure, seed_tiktoken_cache

_API_SCRIPT = """
import random, sys, time, tokencalc
from tokencalc.counting import fast_backend
text = ("The quick brown fox jumps over the lazy dog; it's 2026 and prices are $1.25/M. " * 2)[:100]
tokencalc.count_tokens(text)
best = min(
    (lambda t0: (sum(tokencalc.count_tokens(text) for _ in range(20000)), time.perf_counter() - t0)[1])(time.perf_counter())
    for _ in range(5)
) / 20000 * 1e6
rng = random.Random(1)
words = "alpha beta gamma delta cost token model 中文 日本語 émigré 42 3.14 don't".split()
texts = [" ".join(rng.choices(words, k=rng.randint(3, 15))) for _ in range(1_000_000)]
t0 = time.perf_counter()
total = sum(tokencalc.count_tokens_batch(texts))
batch = time.perf_counter() - t0
print(fast_backend.active_backend("o200k_base"), f"{best:.2f}", f"{batch:.2f}", total)
"""


def run_api(env: dict[str, str]) -> tuple[str, float, float, int]:
    out = subprocess.run(
        [sys.executable, "-c", _API_SCRIPT], env=env, capture_output=True, text=True, check=True
    )
    backend, per_call, batch, total = out.stdout.split()
    return backend, float(per_call), float(batch), int(total)


def tiny_ratio(
    tokencalc: list[str], ttok: list[str], env: dict[str, str], runs: int
) -> tuple[float, float, float]:
    ours: list[float] = []
    theirs: list[float] = []
    for _ in range(runs):
        for command, times in ((tokencalc, ours), (ttok, theirs)):
            start = time.perf_counter()
            subprocess.run(
                command, input=b"hello\n", stdout=subprocess.DEVNULL, env=env, check=True
            )
            times.append(time.perf_counter() - start)
    a, b = statistics.median(ours), statistics.median(theirs)
    return a, b, a / b


def guard_costs(corpus: Path) -> None:
    """The Unicode guards on one corpus, in this process (best of 3, ms per MB): the per-text
    check the regex-module consumers use, the fast backend's on text, and its screening of the
    bytes as read (what ``count`` pays), next to decoding the bytes for scale."""
    from tokencalc.counting import unicode_guard

    data = corpus.read_bytes()
    text = data.decode("utf-8")
    mb = len(data) / 1e6
    unicode_guard.tables_agree_on("é")
    unicode_guard.utf8_holds_newer("é😀—，".encode())
    figures = []
    for name, call in (
        ("tables_agree_on(text)", lambda: unicode_guard.tables_agree_on(text)),
        ("backend_agrees_on(text)", lambda: unicode_guard.backend_agrees_on(text)),
        ("utf8_holds_newer(bytes)", lambda: unicode_guard.utf8_holds_newer(data)),
        ("bytes.decode (for scale)", lambda: data.decode("utf-8")),
    ):
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            call()
            best = min(best, time.perf_counter() - start)
        figures.append(f"{name} {best * 1000 / mb:.2f}")
    print(f"guards on {corpus.name}, ms/MB: " + "; ".join(figures))


def loadavg() -> str:
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20,200", help="corpus sizes in MB (default 20,200)")
    parser.add_argument(
        "--rounds", type=int, default=3, help="interleaved rounds per size (default 3)"
    )
    parser.add_argument("--tiny-runs", type=int, default=21)
    parser.add_argument("--pipe-gb", type=float, default=0)
    parser.add_argument("--skip-api", action="store_true")
    parser.add_argument("--workdir", type=Path, default=Path("bench/out"))
    options = parser.parse_args()
    options.workdir.mkdir(parents=True, exist_ok=True)

    import tokencalc

    compileall.compile_dir(str(Path(tokencalc.__file__).parent), quiet=1)
    bindir = Path(sys.executable).parent
    tokencalc_cmd = [str(bindir / "tokencalc"), "count", "-q"]
    ttok_cmd = [str(bindir / "ttok"), "-m", "gpt-5"]

    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "tiktoken-cache"
        cache.mkdir()
        seed_tiktoken_cache(cache)
        base_env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        base_env.update(TIKTOKEN_CACHE_DIR=str(cache), TOKENCALC_HOME=str(Path(tmp) / "home"))
        fast_env = {**base_env, "TOKENCALC_BACKEND": "auto"}
        slow_env = {**base_env, "TOKENCALC_BACKEND": "tiktoken"}
        subprocess.run(
            tokencalc_cmd,
            input=b"warm up the rank-table cache",
            env=base_env,
            check=True,
            stdout=subprocess.DEVNULL,
        )

        from tokencalc.counting import fast_backend

        print(
            f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"load average {loadavg()} at start"
        )
        print(f"fast backend: {fast_backend.active_backend('o200k_base')}\n")

        for size in (float(s) for s in options.sizes.split(",")):
            corpus = options.workdir / f"corpus-{size:g}mb.txt"
            if not corpus.exists():
                generate_corpus(corpus, size)
            mb = corpus.stat().st_size / 1_000_000
            rows: dict[str, list[tuple[float, float, float]]] = {
                "ttok": [],
                "tokencalc (fast)": [],
                "tokencalc (tiktoken)": [],
            }
            counts: set[str] = set()
            for _ in range(options.rounds):
                for name, args, env, stdin in (
                    ("ttok", ttok_cmd, base_env, corpus),
                    ("tokencalc (fast)", [*tokencalc_cmd, str(corpus)], fast_env, None),
                    ("tokencalc (tiktoken)", [*tokencalc_cmd, str(corpus)], slow_env, None),
                ):
                    count, wall, cpu, rss = measure(args, stdin_path=stdin, env=env)
                    rows[name].append((wall, cpu, rss))
                    counts.add(count)
            if len(counts) != 1:
                raise SystemExit(f"{mb:.0f} MB: counts differ: {sorted(counts)}")
            print(f"corpus {mb:.1f} MB, {counts.pop()} o200k_base tokens, {options.rounds} rounds")
            print(
                f"  {'tool':<22}{'wall s':>14}{'CPU s':>14}{'peak RSS MB':>13}{'x ttok wall':>13}{'x ttok CPU':>12}"
            )
            for name, values in rows.items():
                walls = [w for w, _, _ in values]
                cpus = [c for _, c, _ in values]
                wall_ratios = [t[0] / w for t, w in zip(rows["ttok"], walls, strict=True)]
                cpu_ratios = [t[1] / c for t, c in zip(rows["ttok"], cpus, strict=True)]
                span = lambda xs, f: f"{min(xs):{f}}-{max(xs):{f}}"  # noqa: E731
                print(
                    f"  {name:<22}{span(walls, '.2f'):>14}{span(cpus, '.2f'):>14}{max(r for _, _, r in values):>13.0f}"
                    + (
                        ""
                        if name == "ttok"
                        else f"{span(wall_ratios, '.1f'):>13}{span(cpu_ratios, '.1f'):>12}"
                    )
                )
            print()

        guard_costs(options.workdir / f"corpus-{float(options.sizes.split(',')[0]):g}mb.txt")

        ours, theirs, ratio = tiny_ratio(tokencalc_cmd, ttok_cmd, base_env, options.tiny_runs)
        print(
            f"echo hello | …, median of {options.tiny_runs}: tokencalc {ours:.3f} s, ttok {theirs:.3f} s, ratio {ratio:.2f}"
        )

        if not options.skip_api:
            for env in (fast_env, slow_env):
                backend, per_call, batch, total = run_api(env)
                print(
                    f"API ({backend}): count_tokens ~100 chars {per_call:.2f} µs/call; "
                    f"count_tokens_batch 1,000,000 short strings {batch:.2f} s ({total} tokens)"
                )

        if options.pipe_gb:
            corpus = options.workdir / f"corpus-{float(options.sizes.split(',')[0]):g}mb.txt"
            repeats = max(1, round(options.pipe_gb * 1e9 / corpus.stat().st_size))
            feeder = ["sh", "-c", f'for i in $(seq {repeats}); do cat "$0"; done', str(corpus)]
            count, wall, _, rss = measure(tokencalc_cmd, stdin_cmd=feeder, env=fast_env)
            gb = corpus.stat().st_size * repeats / 1e9
            print(
                f"pipe {gb:.2f} GB: {wall:.1f} s, {gb * 1000 / wall:.0f} MB/s, peak RSS {rss:.0f} MB, {count} tokens"
            )
            # Cuts never join two copies differently (the corpus ends with a newline and starts
            # with a letter), so the pipe's count is exactly repeats x the corpus's.
            single, _, _, _ = measure([*tokencalc_cmd, str(corpus)], env=fast_env)
            if int(count) != repeats * int(single):
                raise SystemExit(f"pipe count {count} != {repeats} x {single}")
        print(f"\nload average {loadavg()} at end")


if __name__ == "__main__":
    main()
