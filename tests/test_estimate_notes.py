"""The words of every kind of ``estimate`` row note, as the JSON contract and the table carry them.

The core gives notes as data (a kind and its fields); the CLI phrases them. These tests pin
the phrasing, written out by hand from the packaged sheet's limits: gpt-4o has a 128,000-token
context window and a 16,384-token max output; gpt-6-sol long-context prices start above
272,000 input tokens; chat-latest has no service tiers and gpt-5.3-codex only priority;
deepseek-flash bills off-peak prices at 18:00 UTC.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

DAY = "2026-11-22"


def rows(cli, *args: str) -> dict[tuple[str, str | None], Any]:
    result = cli("estimate", "-f", "json", "--date", DAY, *args)
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    return {
        (row["model"], row.get("input")): row for row in document["rows"] + document["per_file"]
    }


def notes_of(cli, *args: str) -> list[str]:
    (row,) = rows(cli, *args).values()
    notes: list[str] = row["notes"]
    return notes


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        # 25% of 100,000 is 25,000, more than the 16,384 max output
        (["--input-tokens", "100000", "-m", "gpt-4o"], ["output capped at its max 16,384"]),
        (
            ["--input-tokens", "127001", "--output-tokens", "1000", "-m", "gpt-4o"],
            ["too long: 128,001 > 128,000 context"],
        ),
        (
            ["--input-tokens", "10", "--output-tokens", "20000", "-m", "gpt-4o"],
            ["output 20,000 > 16,384 max"],
        ),
        (
            ["--input-tokens", "300000", "--output-tokens", "10", "-m", "gpt-6-sol"],
            ["long-context price"],
        ),
        (
            ["--input-tokens", "10", "-m", "gpt-5.3-codex", "--tier", "priority", "--batch"],
            None,  # a usage error, see below
        ),
        (
            [
                "--input-tokens",
                "10",
                "--output-tokens",
                "1",
                "-m",
                "deepseek-flash",
                "--at",
                "18:00",
            ],
            ["off-peak at 18:00 UTC on 1 of 1 day(s)"],
        ),
        (
            [
                "--input-tokens",
                "10",
                "--output-tokens",
                "1",
                "-m",
                "deepseek-flash",
                "--at",
                "18:00",
                "--per-day",
                "10",
                "--days",
                "3",
            ],
            ["off-peak at 18:00 UTC on 3 of 3 day(s)"],
        ),
    ],
)
def test_single_request_notes(cli, args, expected):
    if expected is None:
        result = cli("estimate", "--date", DAY, *args)
        assert result.exit_code == 2
        assert "give --batch or --tier, not both" in result.stderr
        return
    assert notes_of(cli, *args) == expected


def test_tier_notes_say_which_tiers_a_model_has(cli):
    found = rows(
        cli,
        "--input-tokens",
        "10",
        "-m",
        "chat-latest",
        "-m",
        "gpt-5.3-codex",
        "-m",
        "gpt-6-luna",
        "--batch",
    )
    assert found[("chat-latest", None)]["notes"] == ["no batch tier"]
    assert found[("gpt-5.3-codex", None)]["notes"] == ["no batch tier (has priority)"]


def test_notes_join_in_the_table_and_csv(cli):
    result = cli(
        "estimate",
        "--date",
        DAY,
        "--input-tokens",
        "127001",
        "--output-tokens",
        "20000",
        "-m",
        "gpt-4o",
        "-f",
        "csv",
    )
    assert result.exit_code == 0, result.stderr
    assert "too long: 147,001 > 128,000 context; output 20,000 > 16,384 max" in result.stdout


@pytest.fixture
def texts(tmp_path):
    """Files of ``hello`` repeated: one o200k_base token a word."""

    def make(name: str, words: int) -> str:
        path = tmp_path / name
        path.write_text("hello " * words, encoding="utf-8")
        return str(path)

    return make


#: Two small models, so that a few thousand tokens cap, overflow and go long-context.
SMALL_MODELS = """
[models.tiny-cap]
provider = "openai"
name = "Tiny (capped)"
tokenizer = "o200k_base"
input = 1.0
output = 2.0
context_window = 3000
max_output = 200

[models.tiny-long]
provider = "openai"
name = "Tiny (long context)"
tokenizer = "o200k_base"
input = 1.0
output = 2.0
context_window = 100000

[models.tiny-long.long_context]
threshold = 1000
input = 2.0
output = 4.0
"""


@pytest.fixture
def small(tmp_path):
    path = tmp_path / "small-models.toml"
    path.write_text(SMALL_MODELS, encoding="utf-8")
    return ["--prices", str(path)]


def test_notes_over_several_inputs(cli, texts, small):
    big, little = texts("big.txt", 1000), texts("little.txt", 10)
    found = rows(cli, big, little, "-m", "tiny-cap", "--per-file", *small)
    # the big input's 25% default output (250) is over the 200 max: capped; the little one's not
    assert found[("tiny-cap", None)]["notes"] == ["output capped at its max 200: 1 of 2 inputs"]
    assert found[("tiny-cap", big)]["notes"] == ["output capped at its max 200"]
    assert found[("tiny-cap", little)]["notes"] == []

    huge = texts("huge.txt", 3100)
    found = rows(cli, huge, little, "-m", "tiny-cap", "--output-tokens", "10", "--per-file", *small)
    n = found[("tiny-cap", huge)]["input_tokens"]
    assert n > 3000
    assert found[("tiny-cap", None)]["notes"] == ["does not fit: 1 of 2 inputs"]
    assert found[("tiny-cap", huge)]["notes"] == [f"too long: {n + 10:,} > 3,000 context"]

    one, other = texts("one.txt", 1400), texts("other.txt", 1401)
    found = rows(cli, one, other, "-m", "tiny-cap", "--output-tokens", "100", *small)
    (total,) = found.values()
    together = total["input_tokens"] + total["output_tokens"]
    assert together > 3000
    assert total["notes"] == [f"together {together:,} > 3,000 context (each input fits alone)"]


def test_long_context_over_several_inputs(cli, texts, small):
    long, little = texts("long.txt", 1100), texts("little.txt", 10)
    found = rows(cli, long, little, "-m", "tiny-long", "--output-tokens", "1", "--per-file", *small)
    assert found[("tiny-long", None)]["notes"] == ["long-context price: 1 of 2 inputs"]
    assert found[("tiny-long", long)]["notes"] == ["long-context price"]
    assert found[("tiny-long", little)]["notes"] == []


def test_dated_notes_are_said_once_over_several_inputs(cli, texts):
    # xAI has no web_search fee in the sheet: each input's searches are named, once on the total
    a, b = texts("a.txt", 5), texts("b.txt", 6)
    found = rows(cli, a, b, "-m", "grok-4", "--web-searches", "2", "--per-file")
    note = "2 web searches not priced (no web_search fee for xai in the sheet)"
    assert [row["notes"] for row in found.values()] == [[note], [note], [note]]


def test_unpriced_web_searches_are_named_on_a_single_request(cli, texts):
    # The total row used to pick its dated notes by their first words, and "2 web searches …"
    # did not start with "web searches not": one input's unpriced searches went unsaid.
    assert notes_of(cli, "--input-tokens", "10", "-m", "grok-4", "--web-searches", "2") == [
        "2 web searches not priced (no web_search fee for xai in the sheet)"
    ]
    # 2 a request × 3 requests a day × 2 days
    assert notes_of(
        cli,
        texts("a.txt", 5),
        "-m",
        "grok-4",
        "--web-searches",
        "2",
        "--per-day",
        "3",
        "--days",
        "2",
    ) == ["12 web searches not priced (no web_search fee for xai in the sheet)"]


def test_a_request_both_capped_and_too_long_says_each_once(cli):
    # 25% of 120,000 = 30,000, capped at 16,384; 120,000 + 16,384 = 136,384 > 128,000. The
    # total row used to pick "output …" notes by their first words and said the cap twice.
    assert notes_of(cli, "--input-tokens", "120000", "-m", "gpt-4o") == [
        "output capped at its max 16,384",
        "too long: 136,384 > 128,000 context",
    ]


def test_the_as_one_prompt_keeps_its_notes(cli, texts, small):
    half = texts("half.txt", 1500)
    (row,) = rows(cli, half, half, "-m", "tiny-cap", "--as-one", *small).values()
    # one prompt of twice the input: 25% output capped at 200, and 3,000 + 200 > 3,000
    assert row["notes"] == [
        "output capped at its max 200",
        f"too long: {row['input_tokens'] + 200:,} > 3,000 context",
    ]


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        ([], "peak prices for deepseek-flash (off-peak hours not assumed; give --at HH:MM, UTC)"),
        (
            ["--at", "18:00"],
            "requests at 18:00 UTC: off-peak prices where deepseek-flash bill them",
        ),
    ],
)
def test_the_caption_says_the_time_of_day_assumed(cli, at, expected):
    result = cli(
        "estimate",
        "--input-tokens",
        "10",
        "-m",
        "deepseek-flash",
        "--date",
        DAY,
        "-f",
        "markdown",
        *at,
    )
    assert result.exit_code == 0, result.stderr
    caption = result.stdout.strip().splitlines()[-1]
    assert f" · {expected} · " in caption
