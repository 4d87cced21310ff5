"""Benchmark ``tokencalc usage`` and ``tokencalc statusline`` on generated Claude Code logs.

Usage (from the repository root, in the project's virtual environment):

    python bench/bench_usage.py --gb 1            # 1 GB of logs (the README figures)
    python bench/bench_usage.py --gb 0.1 --files 100

The logs are generated (seeded): a month of sessions under ``<tmp>/claude/projects/<project>/``,
each assistant response written the way Claude Code writes it — a streaming placeholder line,
then the final lines repeating ``message.id``/``requestId`` — with user lines and long content
in between, the last records minutes before now (so today and the 5-hour window are not empty).

Runs, each in a fresh process (wall time and peak RSS from ``os.wait4``):

- ``usage`` first read: empty cache, workers as chosen by default (the idle cores);
- ``usage`` first read on one core with no cache (``TOKENCALC_WORKERS=1 TOKENCALC_USAGE_CACHE=0``);
- ``usage`` first read with two worker processes and no cache (``TOKENCALC_WORKERS=2``);
- ``usage`` warm read: the per-file cache from the first read;
- ``statusline`` first run (builds the index) and warm runs (median of 5), against
  ``python -c pass`` for the interpreter's own start-up.

The script fails if the runs disagree on the total cost.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

WORDS = [
    "the",
    "a",
    "function",
    "returns",
    "value",
    "error",
    "file",
    "test",
    "code",
    "change",
    "model",
    "request",
    "token",
    "cache",
    "window",
]


def generate(root: Path, total_bytes: int, files: int, seed: int = 7) -> tuple[int, int]:
    """Write ``files`` transcripts of about ``total_bytes`` in all; returns (bytes, responses)."""
    rng = random.Random(seed)
    now = datetime.now(timezone.utc)
    per_file = max(total_bytes // files, 10_000)
    written = responses = 0
    for index in range(files):
        project = root / "claude" / "projects" / f"-home-dev-project-{index % 12}"
        project.mkdir(parents=True, exist_ok=True)
        session = f"{index:08d}-0000-4000-8000-{rng.randrange(16**12):012x}"
        # sessions spread over 30 days; the last one ends minutes before now
        start = now - timedelta(days=30) + timedelta(days=30) * index / files
        when = start
        lines = []
        size = 0
        n = 0
        while size < per_file:
            text = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(50, 400)))
            when += timedelta(seconds=rng.randrange(5, 90))
            stamp = when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"
            user = {"type": "user", "timestamp": stamp, "sessionId": session, "cwd": str(project), "uuid": f"u{n}",
                    "message": {"role": "user", "content": text}}  # fmt: skip
            usage = {"input_tokens": rng.randrange(1, 50), "cache_read_input_tokens": rng.randrange(0, 150_000),
                     "cache_creation_input_tokens": rng.randrange(0, 8_000), "output_tokens": rng.randrange(20, 3_000)}  # fmt: skip
            base = {"type": "assistant", "timestamp": stamp, "sessionId": session, "cwd": str(project),
                    "requestId": f"req_{session[:8]}_{n}"}  # fmt: skip
            message = {
                "id": f"msg_{session[:8]}_{n}",
                "model": "claude-sonnet-4-5-20250929",
                "role": "assistant",
            }
            placeholder = {**base, "message": {**message, "content": [{"type": "text", "text": text[:80]}],
                                                "stop_reason": None, "usage": {**usage, "output_tokens": 2}}}  # fmt: skip
            final = {**base, "message": {**message, "content": [{"type": "text", "text": text}],
                                          "stop_reason": "end_turn", "usage": usage}}  # fmt: skip
            for record in (user, placeholder, final, final):
                line = json.dumps(record, separators=(",", ":")) + "\n"
                lines.append(line)
                size += len(line)
            n += 1
        responses += n
        if index == files - 1:  # the latest session ends now
            shift = now - timedelta(minutes=3) - when
            lines = [_shift(line, shift) for line in lines]
        data = "".join(lines).encode()
        (project / f"{session}.jsonl").write_bytes(data)
        written += len(data)
    return written, responses


def _shift(line: str, shift: timedelta) -> str:
    record = json.loads(line)
    when = datetime.fromisoformat(record["timestamp"].replace("Z", "+00:00")) + shift
    record["timestamp"] = when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"
    return json.dumps(record, separators=(",", ":")) + "\n"


def run_measured(
    args: list[str], env: dict[str, str], stdin: bytes | None = None
) -> tuple[float, int, bytes]:
    started = time.perf_counter()
    process = subprocess.Popen(
        args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    if stdin is not None:
        process.stdin.write(stdin)  # type: ignore[union-attr]
    process.stdin.close()  # type: ignore[union-attr]
    out = process.stdout.read()  # type: ignore[union-attr]
    err = process.stderr.read()  # type: ignore[union-attr]
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"{' '.join(args)} failed: {err.decode(errors='replace')[-2000:]}")
    return elapsed, usage.ru_maxrss // 1024, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--gb", type=float, default=1.0, help="size of the generated logs (default 1)"
    )
    parser.add_argument(
        "--files", type=int, default=600, help="number of transcripts (default 600)"
    )
    parser.add_argument("--keep", type=Path, help="generate into this directory and keep it")
    options = parser.parse_args()
    root = options.keep or Path(tempfile.mkdtemp(prefix="tokencalc-bench-usage-"))
    try:
        started = time.perf_counter()
        size, responses = generate(root, int(options.gb * (1 << 30)), options.files)
        print(f"generated {size / (1 << 30):.2f} GiB, {options.files} files, {responses:,} responses "
              f"in {time.perf_counter() - started:.0f} s", flush=True)  # fmt: skip
        tokencalc = [sys.executable, "-m", "tokencalc"]
        base = {**os.environ, "TZ": "UTC", "CLAUDE_CONFIG_DIR": str(root / "claude")}
        cache = root / "cache"
        env = {**base, "TOKENCALC_CACHE_DIR": str(cache)}
        logs = str(root / "claude" / "projects")
        rows = []

        def usage_run(label: str, run_env: dict[str, str]) -> str:
            elapsed, peak, out = run_measured(
                [*tokencalc, "usage", logs, "-f", "json", "--tz", "UTC"], run_env
            )
            total: str = json.loads(out)["totals"]["cost"]
            rows.append((label, elapsed, peak))
            print(f"{label}: {elapsed:.1f} s, peak {peak} MB, total ${total}", flush=True)
            return total

        first = usage_run("usage, first read (workers chosen by load, empty cache)", env)
        serial = usage_run(
            "usage, first read (1 process, no cache)",
            {**base, "TOKENCALC_WORKERS": "1", "TOKENCALC_USAGE_CACHE": "0"},
        )
        pool = usage_run(
            "usage, first read (2 worker processes, no cache)",
            {**base, "TOKENCALC_WORKERS": "2", "TOKENCALC_USAGE_CACHE": "0"},
        )
        warm = usage_run("usage, warm read (per-file cache)", env)
        if not first == serial == pool == warm:
            raise SystemExit(f"totals differ: {first} {serial} {pool} {warm}")
        status = json.dumps(
            {
                "session_id": "bench",
                "model": {"display_name": "Sonnet 4.5"},
                "cost": {"total_cost_usd": 1.0},
            }
        ).encode()
        elapsed, peak, out = run_measured([*tokencalc, "statusline"], env, status)
        rows.append(("statusline, first run (builds the index)", elapsed, peak))
        print(out.decode().strip())
        warm_runs = [run_measured([*tokencalc, "statusline"], env, status) for _ in range(5)]
        rows.append(
            (
                "statusline, warm (median of 5)",
                statistics.median(r[0] for r in warm_runs),
                max(r[1] for r in warm_runs),
            )
        )
        bare = [run_measured([sys.executable, "-c", "pass"], base)[0] for _ in range(5)]
        rows.append(("python -c pass (median of 5)", statistics.median(bare), 0))
        print(
            f"\n| run ({size / (1 << 30):.2f} GiB, {options.files} files, os.cpu_count()={os.cpu_count()}) | wall | peak RSS |"
        )
        print("|---|---|---|")
        for label, seconds, peak in rows:
            wall = f"{seconds * 1000:.0f} ms" if seconds < 2 else f"{seconds:.1f} s"
            print(f"| {label} | {wall} | {peak} MB |" if peak else f"| {label} | {wall} | — |")
    finally:
        if options.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
