"""Job durations under rate limits: figures worked out by hand, the sheet section's checks, and
the CLI's --usage-tier / --rpm … options."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest

from test_sheet import sample_text
from tokencalc.datasets.duration import describe_minutes, job_duration
from tokencalc.errors import PriceSheetError
from tokencalc.sheet.load import load_price_sheet
from tokencalc.sheet.merge import merge_layers
from tokencalc.sheet.ratelimits import RateLimits, limits_for, problems


def test_anthropic_tier_2_by_hand():
    # 1,000,000 requests; 600M input of which 100M cached; 50M output.
    # rpm 1,000 → 1,000 min; itpm 450,000 on the 500M uncached → 1,111.1 min; otpm 90,000 → 555.6 min.
    limits = RateLimits(
        "anthropic",
        "tier-2",
        rpm=1000,
        itpm=450_000,
        otpm=90_000,
        batch_queue_requests=200_000,
        cache_reads_count=False,
    )
    d = job_duration(limits, 1_000_000, 600_000_000, 100_000_000, 50_000_000)
    assert d.binding == "itpm"
    assert d.total_minutes == Fraction(500_000_000, 450_000)
    assert describe_minutes(d.total_minutes) == "18 h 32 min"  # 1,111.1 → 1,112 min
    assert (d.batch_submissions, d.batch_worst_hours) == (
        5,
        120,
    )  # 1,000,000 / 200,000 queued requests, 24 h each


def test_openai_tier_1_by_hand():
    # 10,000 requests, 2M input + 0.5M output: rpm 500 → 20 min; tpm 500,000 on 2.5M → 5 min
    limits = RateLimits("openai", "tier-1", rpm=500, tpm=500_000, batch_queue_tokens=1_500_000)
    d = job_duration(limits, 10_000, 2_000_000, 0, 500_000)
    assert d.minutes == {"rpm": 20, "tpm": 5}
    assert d.total_minutes is not None
    assert d.binding == "rpm" and describe_minutes(d.total_minutes) == "20 min"
    assert (d.batch_submissions, d.batch_worst_hours) == (2, 48)  # 2M input tokens / 1.5M queue


def test_daily_request_limit_adds_whole_days():
    limits = RateLimits("google", "tier-1", rpm=150, rpd=10_000)
    d = job_duration(limits, 25_000, 1, 0, 1)
    assert d.minutes["rpm"] == Fraction(25_000, 150)
    assert d.minutes["rpd"] == 2 * 1440  # 3 days of quota: the job waits two midnights
    assert d.total_minutes is not None
    assert d.binding == "rpd" and describe_minutes(d.total_minutes) == "2 d 0 h"
    assert "rpd" not in job_duration(limits, 10_000, 1, 0, 1).minutes  # one day's quota: no wait


def test_packaged_sheet_rate_limits_are_valid_and_resolve_model_classes():
    sheet = load_price_sheet()
    raw = merge_layers(sheet.layers)["rate_limits"]
    assert set(raw) >= {"openai", "anthropic", "google"}
    for provider, tiers in (("openai", 5), ("anthropic", 4), ("google", 3)):
        for n in range(1, tiers + 1):
            limits = limits_for(raw, provider, f"tier-{n}", "x")
            assert limits is not None and limits.any
    haiku = limits_for(raw, "anthropic", "tier-1", "claude-haiku-5-5")
    sonnet = limits_for(raw, "anthropic", "tier-1", "claude-sonnet-5-5")
    assert haiku is not None and sonnet is not None
    assert (haiku.itpm, sonnet.itpm) == (50_000, 30_000)
    assert haiku.source.startswith("https://") and haiku.as_of is not None


def test_bad_rate_limit_sections_are_reported(packaged_sheet):
    found = dict(
        problems(
            {
                "acme": {
                    "tier-1": {"rpm": 0, "tmp": 5, "models": {"a*": {"itpm": "lots"}}},
                    "as_of": "soon",
                }
            },
            {"acme"},
        )
    )
    assert found[("acme", "tier-1", "rpm")] == "must be a whole number above 0"
    assert found[("acme", "tier-1", "tmp")].startswith("unknown key")
    assert found[("acme", "tier-1", "models", "a*", "itpm")] == "must be a whole number above 0"
    assert found[("acme", "as_of")].startswith("must be a date")
    packaged_sheet(sample_text() + "\n[rate_limits.nobody.tier-1]\nrpm = 5\n")
    with pytest.raises(PriceSheetError, match=r"rate_limits\.nobody"):
        load_price_sheet()


@pytest.fixture
def limited_sheet(packaged_sheet, tmp_path):
    packaged_sheet(sample_text())
    user = tmp_path / "limits.toml"
    user.write_text(
        'schema_version = 1\n[rate_limits.acme]\nsource = "https://acme.example/limits"\nas_of = 2026-11-01\n'
        "[rate_limits.acme.tier-2]\nrpm = 2\ntpm = 100\nbatch_queue_tokens = 40\n",
        encoding="utf-8",
    )
    return user


def test_cli_usage_tier_and_direct_limits(cli, tmp_path, limited_sheet):
    data = tmp_path / "d.jsonl"
    data.write_text(
        "\n".join(json.dumps({"text": f"record number {n} " * (n + 1)}) for n in range(7)) + "\n",
        encoding="utf-8",
    )
    result = cli(
        "estimate",
        str(data),
        "--field",
        "text",
        "-m",
        "alpha",
        "--output-tokens",
        "10",
        "--usage-tier",
        "2",
        "--prices",
        str(limited_sheet),
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.stderr
    row = json.loads(result.stdout)["models"][0]
    d = row["duration"]
    tokens_in, tokens_out = row["input_tokens"], row["output_tokens"]
    assert tokens_out == 70
    # rpm 2: 7 requests → 3.5 min; tpm 100 on input + output
    assert d["minutes_per_limit"] == {"rpm": 3.5, "tpm": (tokens_in + tokens_out) / 100}
    assert d["binding"] == ("tpm" if (tokens_in + tokens_out) / 100 > 3.5 else "rpm")
    assert d["batch"]["submissions"] == -(-tokens_in // 40)
    assert d["source"] == "https://acme.example/limits" and d["usage_tier"] == "tier-2"

    # a limit given on the command line replaces the published one
    result = cli(
        "estimate",
        str(data),
        "--field",
        "text",
        "-m",
        "alpha",
        "--output-tokens",
        "10",
        "--usage-tier",
        "2",
        "--rpm",
        "1",
        "--prices",
        str(limited_sheet),
        "--format",
        "json",
    )
    d = json.loads(result.stdout)["models"][0]["duration"]
    assert d["minutes_per_limit"]["rpm"] == 7.0

    # a tier the sheet has no figures for, and no limits given: said, not invented
    result = cli(
        "estimate",
        str(data),
        "--field",
        "text",
        "-m",
        "alpha",
        "--usage-tier",
        "4",
        "--prices",
        str(limited_sheet),
    )
    assert result.exit_code == 0
    assert "no limits known" in result.stdout
