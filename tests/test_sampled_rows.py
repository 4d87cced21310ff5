"""Sampled counts as users see them: ``estimate``'s rows, JSON and caption, ``--exact``, ``count``
(never sampled), the Python API's ``exact`` keyword, and Claude's sampled reconstruction.

"Big" is relative to the limits: the default run lowers them (test_sampling.lower_limits) and
counts inputs of tens of KB; the slow set runs the same tests at the real limits.
"""

from __future__ import annotations

import functools
import json

import pytest

import tokencalc
from test_sampling import Limits, fill, limits, texts_of, tiktoken_count
from tokencalc.counting.counter import TokenCounter
from tokencalc.counting.sampling import EXACT_UP_TO
from tokencalc.errors import UsageError
from tokencalc.tokenizers import claude_reconstruction, claude_tiling
from tokencalc.tokenizers.model_counts import METHODS, SAMPLED

__all__ = ["limits"]  # the fixture, shared with test_sampling


@functools.cache
def _filled(kinds: tuple[str, ...], chars: int, seed: int) -> str:
    return fill(texts_of(*kinds), chars, seed)


@pytest.fixture
def big_text(limits: Limits) -> str:
    """A mixed text 20% longer than the limit (1,200,000 characters at the real one)."""
    return _filled((), limits.exact_up_to * 6 // 5, 21)


@pytest.fixture
def big_file(tmp_path, big_text):
    path = tmp_path / "big.txt"
    path.write_text(big_text, encoding="utf-8")
    return path


def test_sampled_is_a_method():
    assert SAMPLED == "sampled" and SAMPLED in METHODS


def test_estimate_samples_a_big_input_and_says_so(cli, big_file, big_text):
    result = cli(
        "estimate", str(big_file), "-m", "mistral-large-4", "-m", "gpt-6-luna", "--format", "json"
    )
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    rows = {row["model"]: row for row in document["rows"]}
    mistral, luna = rows["mistral-large-4"], rows["gpt-6-luna"]
    assert mistral["count_method"] == "sampled" and mistral["estimated"] is True
    assert mistral["how_counted"].startswith("sampled (tekken, ")
    assert "characters counted" in mistral["how_counted"] and "at 2 SE" in mistral["how_counted"]
    exact = tiktoken_count("tekken", big_text)
    assert abs(mistral["input_tokens"] - exact) <= 0.03 * exact
    # o200k_base is counted in full, as before
    assert luna["count_method"] == "exact" and luna["input_tokens"] == tiktoken_count(
        "o200k_base", big_text
    )
    (entry,) = document["inputs"]
    assert entry["tokens"]["tekken"] == mistral["input_tokens"]
    assert set(entry["sampled"]) == {"tekken"} and entry["sampled"]["tekken"]["windows"] > 2


def test_exact_counts_in_full(cli, big_file, big_text):
    result = cli(
        "estimate",
        str(big_file),
        "-m",
        "mistral-large-4",
        "-m",
        "deepseek-flash",
        "--exact",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.stderr
    rows = {row["model"]: row for row in json.loads(result.stdout)["rows"]}
    assert rows["mistral-large-4"]["input_tokens"] == tiktoken_count("tekken", big_text)
    assert rows["deepseek-flash"]["input_tokens"] == tiktoken_count("deepseek-v3", big_text)
    assert {row["count_method"] for row in rows.values()} == {"exact"}
    assert "sampled" not in json.loads(result.stdout)["inputs"][0]


def test_table_cell_and_caption(cli, big_file):
    result = cli("estimate", str(big_file), "-m", "mistral-large-4", "-m", "gpt-6-luna")
    assert result.exit_code == 0, result.stderr
    assert "sampled (tekken)" in result.stdout
    caption = " ".join(result.stdout.split())
    assert (
        "sampled: mistral-large-4 counted on a sample of big inputs (--exact counts in full)"
        in caption
    )
    exact = cli("estimate", str(big_file), "-m", "mistral-large-4", "--exact")
    assert "sampled" not in exact.stdout and "exact (tekken)" in exact.stdout


def test_small_inputs_are_not_sampled(cli, tmp_path, limits):
    path = tmp_path / "small.txt"
    path.write_text("Bonjour tout le monde. " * (limits.exact_up_to // 1000), encoding="utf-8")
    result = cli("estimate", str(path), "-m", "mistral-large-4", "--format", "json")
    (row,) = json.loads(result.stdout)["rows"]
    assert row["count_method"] == "exact"
    assert row["input_tokens"] == tiktoken_count("tekken", path.read_text(encoding="utf-8"))
    assert "sampled" not in cli("estimate", str(path), "-m", "mistral-large-4").stdout


def test_count_never_samples(cli, big_file, big_text):
    result = cli("count", str(big_file), "--model", "mistral-large-4", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["total"]["tokens"] == tiktoken_count("tekken", big_text)
    quick = cli("count", str(big_file), "-e", "tekken", "-q")
    assert quick.stdout.strip() == str(tiktoken_count("tekken", big_text))


def test_python_api_exact_keyword(big_text, limits):
    exact = tiktoken_count("deepseek-v3", big_text)
    sampled = tokencalc.estimate_tokens(big_text, model="deepseek-flash")
    assert sampled.method == "sampled" and sampled.estimated is True
    assert abs(sampled.tokens - exact) <= 0.03 * exact
    full = tokencalc.estimate_tokens(big_text, model="deepseek-flash", exact=True)
    assert (full.tokens, full.method, full.estimated) == (exact, "exact", False)
    assert tokencalc.count_tokens(big_text, model="deepseek-flash") == exact
    cost = tokencalc.estimate_cost("deepseek-flash", text=big_text, exact=True)
    assert cost.input_tokens == exact and cost.how_counted == "exact (deepseek-v3)"
    rows = tokencalc.compare_models(big_text, ["deepseek-flash"], exact=False)
    assert rows[0].how_counted.startswith("sampled (deepseek-v3, ")
    with pytest.raises(UsageError, match="exact must be True or False"):
        tokencalc.estimate_tokens("hi", model="deepseek-flash", exact="yes")  # type: ignore[arg-type]
    short = "hello world " * (limits.exact_up_to // 1000)
    assert len(short) <= limits.exact_up_to
    assert tokencalc.estimate_tokens(short, model="deepseek-flash").method == "exact"


# ---- Claude ----------------------------------------------------------------------------------

#: What the sampled reconstruction may be off by against the full one on a mixed text.
CLAUDE_TOLERANCE = 0.03


@pytest.mark.parametrize("generation", ["claude-v4.8"])
def test_claude_past_its_limit_is_reconstructed_on_a_sample(generation, limits):
    kinds = ("English", "French", "code", "JSON", "Chinese")
    text = fill(texts_of(*kinds), limits.claude_max * 13 // 10, seed=31)
    assert len(text) > claude_reconstruction.MAX_CHARS
    claude_reconstruction.reset_budget()
    with TokenCounter(
        ["o200k_base"], keep_text=claude_reconstruction.MAX_CHARS, text_windows=True
    ) as c:
        counts = c.count_text(text)
    assert counts.text is None and counts.text_sample is not None
    plan = limits.claude_windows  # 128 Ki characters at most at the real limits
    assert counts.text_sample.sampled_chars <= plan.most * plan.chars
    estimate = claude_reconstruction.sampled_tokens(generation, counts.text_sample)
    assert estimate is not None
    full = claude_tiling.content_tokens(generation, text)
    assert abs(estimate.tokens - full) <= CLAUDE_TOLERANCE * full
    assert abs(estimate.tokens - full) <= 4 * estimate.se + 1


def test_claude_rows_say_sampled(cli, tmp_path, limits):
    text = fill(texts_of("English", "code"), limits.claude_max * 23 // 20, seed=32)
    path = tmp_path / "claude.txt"
    path.write_text(text, encoding="utf-8")
    claude_reconstruction.reset_budget()
    result = cli("estimate", str(path), "-m", "claude-sonnet-5-5", "--format", "json")
    (row,) = json.loads(result.stdout)["rows"]
    assert row["count_method"] == "sampled"
    assert row["how_counted"].startswith("sampled (claude-v4.8 reconstruction, ctok ")
    claude_reconstruction.reset_budget()
    full = cli("estimate", str(path), "-m", "claude-sonnet-5-5", "--exact", "--format", "json")
    (exact_row,) = json.loads(full.stdout)["rows"]
    assert exact_row["count_method"] == "reconstructed"
    assert exact_row["input_tokens"] == claude_tiling.content_tokens("claude-v4.8", text)
    assert (
        abs(row["input_tokens"] - exact_row["input_tokens"])
        <= CLAUDE_TOLERANCE * exact_row["input_tokens"]
    )


def test_help_names_the_limits(cli):
    text = " ".join(cli("estimate", "--help").stdout.split())
    assert f"{EXACT_UP_TO:,} characters" in text
    assert f"{claude_reconstruction.EXACT_MAX_CHARS:,}" in text
    assert f"{claude_reconstruction.MAX_CHARS:,} characters" in text


def test_interrupt_while_windows_are_counted(cli, big_file, monkeypatch):
    """Ctrl-C while the windows are counted: one line, exit 130, as anywhere else."""
    from tokencalc.counting import sampling

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(sampling, "count_window", interrupted)
    result = cli("estimate", str(big_file), "-m", "mistral-large-4")
    assert result.exit_code == 130
    assert result.stderr.strip() == "tokencalc: interrupted"


def test_exact_caption_for_claude_past_the_whole_limit(cli, tmp_path, monkeypatch, limits):
    whole = limits.claude_max // 2  # 100,000 at the real limits
    monkeypatch.setattr(claude_reconstruction, "EXACT_MAX_CHARS", whole)
    path = tmp_path / "c.txt"
    path.write_text(
        fill(texts_of("English"), limits.claude_max * 6 // 5, seed=33), encoding="utf-8"
    )
    claude_reconstruction.reset_budget()
    result = cli("estimate", str(path), "-m", "claude-haiku-5-5", "--exact")
    caption = " ".join(result.stdout.split())
    assert "sampled (claude-v4.8)" in result.stdout
    assert f"on a sample of inputs over {whole:,} characters, even with --exact" in caption


def test_sampled_label_never_shows_an_exponent():
    from tokencalc.counting.sampling import SampledCount
    from tokencalc.tokenizers.model_counts import sampled_detail

    tiny = SampledCount(tokens=10_000_000, se=1.0, windows=3, sampled_chars=100, chars=10_000)
    assert sampled_detail("tekken", tiny) == (
        "tekken, 1.0% of 10,000 characters counted, ±<0.01% at 2 SE"
    )
    some = SampledCount(tokens=1_000, se=0.32, windows=3, sampled_chars=64, chars=100_000)
    assert sampled_detail("tekken", some) == (
        "tekken, 0.064% of 100,000 characters counted, ±0.064% at 2 SE"
    )


@pytest.mark.parametrize(
    ("flag", "message"),
    [
        ("--exact", "tokencalc: error: --exact counts text in full: not with --input-tokens"),
        (
            "--online",
            "tokencalc: error: --online counts text with the vendors: not with --input-tokens",
        ),
    ],
)
def test_a_counting_flag_with_given_token_counts_is_refused(cli, flag, message):
    # --input-tokens brings counts, no text: a flag about how text is counted cannot apply,
    # and accepting it silently would suggest it did.
    result = cli("estimate", "--input-tokens", "1000", "-m", "gpt-6-luna", flag)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(message)
