"""Sampled counts of big inputs (tokencalc.counting.sampling): the encodings only tiktoken counts,
and Claude's reconstruction past its limit.

The reference counts are tiktoken's own (``Encoding.encode_ordinary`` on the whole text, in the
test) and the full reconstruction; the sampled estimate must fall within a stated tolerance
of them, and an input up to the limit must be counted exactly as before.

The default run checks all of it on inputs of tens of KB, with the limits lowered to an eighth
or less of their size (:func:`lower_limits`: the code reads them where they apply); the same
tests at the real limits (inputs past a million characters) are in the slow set.
"""

from __future__ import annotations

import gzip
import json
import random
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from tokencalc.counting import counter, encodings, sampling
from tokencalc.counting.counter import Counts, TokenCounter
from tokencalc.counting.sampling import (
    TIKTOKEN_WINDOWS,
    SampledCount,
    WindowPlan,
    WindowSampler,
    ratio_estimate,
    trim,
)
from tokencalc.tokenizers import claude_reconstruction

FIXTURE = Path(__file__).parent / "fixtures" / "accuracy" / "reference_counts.json.gz"
SLOW = ["tekken", "deepseek-v3"]


@dataclass(frozen=True)
class Limits:
    """The sampling limits a test runs at (as the code reads them when it counts)."""

    #: sampling.EXACT_UP_TO: longer inputs have their tiktoken-only encodings sampled
    exact_up_to: int
    #: claude_reconstruction.MAX_CHARS: longer inputs are reconstructed on a sample
    claude_max: int
    tiktoken_windows: WindowPlan
    claude_windows: WindowPlan

    @classmethod
    def current(cls) -> Limits:
        return cls(
            sampling.EXACT_UP_TO,
            claude_reconstruction.MAX_CHARS,
            sampling.TIKTOKEN_WINDOWS,
            sampling.CLAUDE_WINDOWS,
        )


#: The limits of the default run: 1,000,000 → 40,000 characters (parts of 8 Ki characters
#: instead of 256 Ki, so that such an input is cut into parts as a big one is), Claude's
#: 200,000 → 25,000, and windows an eighth of their size and number with the same share of
#: the text. Measured on 24 inputs of 48,000 characters (tekken, deepseek-v3) and 30 of 32,000
#: (Claude v4.8): within 1.3% and 1.6 SE, and 2.7% and 2.6 SE.
SMALL = Limits(
    exact_up_to=40_000,
    claude_max=25_000,
    tiktoken_windows=WindowPlan(chars=256, stride=1024, most=64),
    claude_windows=WindowPlan(chars=256, stride=1024, most=64),
)
SMALL_PART_CHARS = 1 << 13


def lower_limits(monkeypatch: pytest.MonkeyPatch) -> Limits:
    """Lower the sampling limits to :data:`SMALL` for one test."""
    monkeypatch.setattr(sampling, "EXACT_UP_TO", SMALL.exact_up_to)
    monkeypatch.setattr(sampling, "TIKTOKEN_WINDOWS", SMALL.tiktoken_windows)
    monkeypatch.setattr(sampling, "CLAUDE_WINDOWS", SMALL.claude_windows)
    monkeypatch.setattr(claude_reconstruction, "MAX_CHARS", SMALL.claude_max)
    monkeypatch.setattr(counter, "PART_CHARS", SMALL_PART_CHARS)
    assert Limits.current() == SMALL
    return SMALL


@pytest.fixture(params=["small", pytest.param("real", marks=pytest.mark.slow)])
def limits(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Limits:
    """The limits a test runs at: lowered (the default run), or the real ones (slow)."""
    if request.param == "small":
        return lower_limits(monkeypatch)
    return Limits.current()


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
    with TokenCounter(["o200k_base", *names], sample=names) as counting:
        return counting.count_text(text)


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


def test_an_input_at_the_limit_is_counted_exactly_as_before(limits):
    text = fill(texts_of(), limits.exact_up_to, seed=11)
    assert len(text) == limits.exact_up_to
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
    block = min(65_536, len(data) // 10)  # as files are read; ten blocks or more
    with TokenCounter(["o200k_base", "tekken"], sample=["tekken"]) as counting:
        streamed = counting.count_stream(data[i : i + block] for i in range(0, len(data), block))
    assert streamed.sampled == {} and streamed.tokens == before.tokens


def test_one_character_over_the_limit_is_sampled(limits):
    text = fill(texts_of(), limits.exact_up_to + 1, seed=12)
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
def test_sampled_estimate_is_close_to_tiktoken(kinds, seed, names, limits):
    text = fill(texts_of(*kinds), limits.exact_up_to * 11 // 10, seed)
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
    with TokenCounter(["o200k_base", "tekken"], sample=["tekken"]) as counting:
        found = counting.count_stream(data for _ in range(repeats))
    estimate = found.sampled["tekken"]
    assert estimate.windows <= TIKTOKEN_WINDOWS.most
    assert estimate.sampled_chars <= TIKTOKEN_WINDOWS.most * TIKTOKEN_WINDOWS.chars
    assert found.tokens["o200k_base"] == repeats * tiktoken_count("o200k_base", block)
    exact = repeats * tiktoken_count("tekken", block)
    assert abs(estimate.tokens - exact) <= TOLERANCE * exact
