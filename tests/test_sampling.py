"""Sampled counts of big inputs (tokencalc.counting.sampling): the encodings only tiktoken counts,
and Claude's reconstruction past its limit.

The reference counts are tiktoken's own (``Encoding.encode_ordinary`` on the whole text, in the
test) and the full reconstruction; the sampled estimate must fall within a stated tolerance
of them, and an input up to the limit must be counted exactly as before.
"""

from __future__ import annotations

import gzip
import json
import random
from functools import cache
from pathlib import Path

import pytest

from tokencalc.counting import encodings
from tokencalc.counting.counter import Counts, TokenCounter
from tokencalc.counting.sampling import (
    EXACT_UP_TO,
    TIKTOKEN_WINDOWS,
    SampledCount,
    WindowPlan,
    WindowSampler,
    ratio_estimate,
    trim,
)

FIXTURE = Path(__file__).parent / "fixtures" / "accuracy" / "reference_counts.json.gz"
SLOW = ["tekken", "deepseek-v3"]


@cache
def documents() -> tuple[tuple[str, str], ...]:
    docs = json.loads(gzip.decompress(FIXTURE.read_bytes()))["documents"]
    return tuple((doc["kind"], doc["text"]) for doc in docs)


def texts_of(*kinds: str) -> list[str]:
    return [text for kind, text in documents() if not kinds or kind in kinds]


def fill(texts: list[str], chars: int, seed: int) -> str:
    """Documents drawn at random, joined by blank lines, to ``chars`` characters."""
    rng = random.Random(seed)
    out: list[str] = []
    size = 0
    while size < chars:
        out.append(rng.choice(texts))
        size += len(out[-1]) + 2
    return "\n\n".join(out)[:chars]


@cache
def tiktoken_count(name: str, text: str) -> int:
    """tiktoken's own count of the whole text (remembered: several tests share a text)."""
    return len(encodings.get_encoding(name).encode_ordinary(text))


def sampled_counts(text: str, names: list[str] = SLOW) -> Counts:
    with TokenCounter(["o200k_base", *names], sample=names) as counter:
        return counter.count_text(text)


# ---- the sampler -----------------------------------------------------------------------------


def test_windows_are_bounded_on_a_huge_stream():
    """A GiB of text fed in parts: never more than ``most`` windows held, the stride doubles."""
    plan = TIKTOKEN_WINDOWS
    sampler = WindowSampler(plan)
    part = ("lorem ipsum dolor sit amet\n" * 10_000)[: 1 << 18]
    held = 0
    for _ in range((1 << 30) // len(part)):
        sampler.feed(part)
        held = max(held, len(sampler.windows))
    windows = sampler.finish()
    assert held <= plan.most + 1  # one over, for the moment before it is thinned
    assert plan.most // 2 <= len(windows) <= plan.most
    assert sum(map(len, windows)) <= plan.most * plan.chars
    assert sampler.stride >= (1 << 30) // plan.most // 2


def test_windows_are_spread_over_the_whole_input_and_fixed():
    """Windows come from every stretch of the input, whatever the feed sizes, run after run."""
    plan = WindowPlan(chars=100, stride=1000, most=8)
    text = "".join(f"{i:06d}\n" for i in range(20_000))  # 140,000 characters, each line unique
    whole = WindowSampler(plan)
    whole.feed(text)
    windows = whole.finish()
    pieces = WindowSampler(plan)
    for start in range(0, len(text), 777):
        pieces.feed(text[start : start + 777])
    assert pieces.finish() == windows
    positions = [text.index(window) for window in windows]
    assert positions == sorted(positions)
    assert positions[0] < len(text) // 4 and positions[-1] > len(text) * 3 // 4
    assert all(window.endswith("\n") and window in text for window in windows)


def test_trim_cuts_at_newlines_else_whitespace():
    assert trim("ab\ncdef gh\nij", 3) == "cdef gh\n"
    assert trim("abc def ghi jkl", 4) == "def ghi "
    assert trim("abcdefghij", 3) == "abcdefghij"


def test_ratio_estimate_by_hand():
    # X/O = 30/20 → 1.5 × 1,000; residuals 10-1.5*5=2.5, 20-1.5*15=-2.5: s² = 12.5, n = 2, Ō = 10
    found = ratio_estimate(1_000, [(10, 5), (20, 15)], sampled_chars=100, chars=1_000)
    assert found.tokens == 1_500
    assert found.se == pytest.approx(1_000 * ((1 - 0.1) * 12.5 / 2) ** 0.5 / 10)
    assert found.windows == 2 and found.share == pytest.approx(0.1)
    # one window: no error estimate, said as a ±200% margin
    assert ratio_estimate(100, [(3, 2)], 10, 100).margin == pytest.approx(2.0)


def test_sampled_counts_add_up():
    a = SampledCount(1_000, 30.0, 10, 500, 5_000)
    b = SampledCount.counted_in_full(200, 300)
    total = a + b
    assert (total.tokens, total.se, total.sampled_chars, total.chars) == (1_200, 30.0, 800, 5_300)


# ---- exactness at and below the limit --------------------------------------------------------


def test_an_input_at_the_limit_is_counted_exactly_as_before():
    text = fill(texts_of(), EXACT_UP_TO, seed=11)
    assert len(text) == EXACT_UP_TO
    with TokenCounter(["o200k_base", "tekken"]) as plain:
        before = plain.count_text(text)
    after = sampled_counts(text, ["tekken"])
    assert after.sampled == {}
    assert (
        after.tokens
        == before.tokens
        == {
            "o200k_base": tiktoken_count("o200k_base", text),
            "tekken": tiktoken_count("tekken", text),
        }
    )
    assert (after.chars, after.words, after.lines) == (before.chars, before.words, before.lines)
    # and streamed, in blocks, as files are read
    data = text.encode("utf-8")
    with TokenCounter(["o200k_base", "tekken"], sample=["tekken"]) as counter:
        streamed = counter.count_stream(data[i : i + 65_536] for i in range(0, len(data), 65_536))
    assert streamed.sampled == {} and streamed.tokens == before.tokens


def test_one_character_over_the_limit_is_sampled():
    text = fill(texts_of(), EXACT_UP_TO + 1, seed=12)
    found = sampled_counts(text)
    assert set(found.sampled) == set(SLOW)
    for name in SLOW:
        assert found.tokens[name] == found.sampled[name].tokens


# ---- sampled estimates against tiktoken ------------------------------------------------------

#: What a sampled count may be off by on these inputs: 3% (the margins said are 0.3–2.6%).
TOLERANCE = 0.03


@pytest.mark.parametrize(
    ("kinds", "seed", "names"),
    [
        pytest.param((), 1, SLOW, id="mixed"),
        pytest.param(("Chinese",), 2, ["deepseek-v3"], id="chinese", marks=pytest.mark.slow),
        pytest.param(("code",), 3, ["tekken"], id="code", marks=pytest.mark.slow),
    ],
)
def test_sampled_estimate_is_close_to_tiktoken(kinds, seed, names):
    text = fill(texts_of(*kinds), 1_100_000, seed)
    found = sampled_counts(text, names)
    for name in names:
        exact = tiktoken_count(name, text)
        estimate = found.sampled[name]
        assert abs(estimate.tokens - exact) <= TOLERANCE * exact, name
        # the error is within what the margin allows (4 SE: a check that can fail)
        assert abs(estimate.tokens - exact) <= 4 * estimate.se + 1, name
        assert estimate.sampled_chars < len(text) / 3


@pytest.mark.slow
def test_halves_in_different_languages():
    half = 700_000
    text = (
        fill(texts_of("English"), half, 4) + "\n" + fill(texts_of("Japanese", "Chinese"), half, 5)
    )
    found = sampled_counts(text, ["tekken"])
    exact = tiktoken_count("tekken", text)
    assert abs(found.tokens["tekken"] - exact) <= TOLERANCE * exact


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(6))
def test_sampled_estimates_sweep(seed):
    rng = random.Random(seed)
    kinds = rng.choice([(), ("JSON",), ("code",), ("Chinese", "Japanese", "Korean")])
    text = fill(texts_of(*kinds), rng.randrange(1_100_000, 6_000_000), seed)
    names = [*SLOW, "qwen2.5"]
    found = sampled_counts(text, names)
    for name in names:
        exact = tiktoken_count(name, text)
        assert abs(found.tokens[name] - exact) <= TOLERANCE * exact, (name, kinds)


@pytest.mark.slow
def test_a_long_stream_holds_a_bounded_sample():
    """64 MiB streamed: at most ``most`` windows, and the estimate matches the exact count (the
    stream repeats one block that starts with a letter and ends with a newline, so its exact
    count is the block's count times the repeats — a cut there cannot change a count)."""
    block = fill(texts_of(), 1 << 20, seed=51).replace("\n\n", "\n")
    block = "W" + block[: block.rindex("\n") + 1]
    data = block.encode("utf-8")
    repeats = (64 << 20) // len(data)
    with TokenCounter(["o200k_base", "tekken"], sample=["tekken"]) as counter:
        found = counter.count_stream(data for _ in range(repeats))
    estimate = found.sampled["tekken"]
    assert estimate.windows <= TIKTOKEN_WINDOWS.most
    assert estimate.sampled_chars <= TIKTOKEN_WINDOWS.most * TIKTOKEN_WINDOWS.chars
    assert found.tokens["o200k_base"] == repeats * tiktoken_count("o200k_base", block)
    exact = repeats * tiktoken_count("tekken", block)
    assert abs(estimate.tokens - exact) <= TOLERANCE * exact
