"""How requests are formed: --as-one, --input-tokens, the capped output default, dated changes.

Costs are worked out by hand from the sample sheet (tests/test_sheet.py): alpha has a
1,000-token context, a 500-token max output and long-context prices (input 4, output 12 $/M)
above 100 input tokens; claude-x is estimated (×1.5) at 3 / 0.3 cached / 15 $/M; gem
(2 / 10 $/M) changes price on 2026-12-01.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal

import pytest

from test_sheet import sample_text
from tokencalc.counting.counter import count_text

D = Decimal


@pytest.fixture(autouse=True)
def sample_sheet(packaged_sheet):
    packaged_sheet(sample_text())


def run(cli, *args):
    result = cli("estimate", *args, "--date", "2026-11-22", "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def only_row(document):
    (row,) = document["rows"]
    return row


def test_input_tokens_prices_a_measured_request_exactly_on_an_estimated_model(cli):
    row = only_row(
        run(
            cli,
            "--input-tokens",
            "12000",
            "--output-tokens",
            "800",
            "--cached-tokens",
            "10000",
            "-m",
            "claude-x",
        )
    )
    # 2,000 uncached × 3 + 10,000 cached × 0.3 + 800 output × 15, per million
    assert (row["input_tokens"], row["output_tokens"], row["cached_tokens"]) == (12000, 800, 10000)
    assert D(row["cost"]) == D("0.021")


def test_input_tokens_with_default_output_and_long_context(cli):
    row = only_row(run(cli, "--input-tokens", "800", "-m", "alpha"))
    # output 25% = 200; 800 > 100: every token at long-context prices (4 and 12 $/M)
    assert (row["output_tokens"], row["fits_context"], row["long_context"]) == (200, True, True)
    assert D(row["cost"]) == D("0.0056")


def test_input_tokens_table_says_given_and_not_estimated(cli):
    result = cli("estimate", "--input-tokens", "1000", "-m", "claude-x", "--date", "2026-11-22")
    assert result.exit_code == 0
    assert "given" in result.stdout and "≈" not in result.stdout
    assert "one request of the given input tokens" in " ".join(result.stdout.split())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["x.txt", "--input-tokens", "5"], "give inputs or --input-tokens, not both"),
        (
            ["--input-tokens", "5", "--cached-tokens", "6"],
            "--cached-tokens 6 is more than --input-tokens 5",
        ),
        (["--cached-tokens", "6"], "--cached-tokens needs --input-tokens"),
        (
            ["--input-tokens", "5", "--cached-tokens", "1", "--cached", "0.5"],
            "give --cached or --cached-tokens, not both",
        ),
        (["x.txt", "--as-one", "--per-file"], "--as-one prices the inputs as one prompt"),
    ],
)
def test_request_options_that_contradict_each_other(cli, args, message):
    result = cli("estimate", *args)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"tokencalc: error: {message}")


def test_default_output_is_capped_at_max_output_and_says_so(cli, tmp_path):
    overlay = tmp_path / "overlay.toml"
    overlay.write_text("[models.gem]\nmax_output = 1000\n", encoding="utf-8")
    row = only_row(run(cli, "--input-tokens", "8000", "-m", "gem", "--prices", str(overlay)))
    # 25% would be 2,000 > 1,000 max: 1,000; (8,000 × 2 + 1,000 × 10) / 1M
    assert (row["output_tokens"], row["output_capped"], row["fits_context"]) == (1000, True, True)
    assert D(row["cost"]) == D("0.026")
    assert "output capped at its max 1,000" in row["notes"]
    table = cli(
        "estimate",
        "--input-tokens",
        "8000",
        "-m",
        "gem",
        "--prices",
        str(overlay),
        "--date",
        "2026-11-22",
    ).stdout
    assert "at most each model's max output" in " ".join(table.split())
    # an explicit ratio is the user's: not capped, and then it does not fit
    row = only_row(
        run(
            cli,
            "--input-tokens",
            "8000",
            "-m",
            "gem",
            "--prices",
            str(overlay),
            "--output-ratio",
            "0.25",
        )
    )
    assert (row["output_tokens"], row["output_capped"], row["fits_context"]) == (2000, False, False)


def _file_of(tmp_path, name, tokens_wanted):
    text = "hello" + " there" * (tokens_wanted - 1)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path, count_text(text, "o200k_base")


def test_as_one_prices_the_sum_as_one_request(cli, tmp_path):
    a, n_a = _file_of(tmp_path, "a.txt", 60)
    b, n_b = _file_of(tmp_path, "b.txt", 60)
    assert (
        n_a <= 100 and n_b <= 100 < n_a + n_b
    )  # each alone under alpha's threshold, together over
    apart = only_row(run(cli, str(a), str(b), "-m", "alpha"))
    out_a, out_b = math.ceil(n_a / 4), math.ceil(n_b / 4)
    assert D(apart["cost"]) == (D(n_a) * 2 + out_a * 8 + D(n_b) * 2 + out_b * 8) / 1_000_000
    assert apart["long_context"] is False
    joined = run(cli, str(a), str(b), "-m", "alpha", "--as-one")
    row = only_row(joined)
    n, out = n_a + n_b, math.ceil((n_a + n_b) / 4)
    assert (row["input_tokens"], row["output_tokens"], row["long_context"]) == (n, out, True)
    assert D(row["cost"]) == (D(n) * 4 + out * 12) / 1_000_000
    assert joined["assumptions"]["requests"].startswith("all inputs as one prompt")


def test_inputs_that_fit_alone_but_not_together_say_so(cli, tmp_path):
    a, n_a = _file_of(tmp_path, "a.txt", 600)
    b, n_b = _file_of(tmp_path, "b.txt", 600)
    together = n_a + math.ceil(n_a / 4) + n_b + math.ceil(n_b / 4)
    assert n_a + math.ceil(n_a / 4) <= 1000 < together
    row = only_row(run(cli, str(a), str(b), "-m", "alpha"))
    assert row["fits_context"] is True
    assert f"together {together:,} > 1,000 context (each input fits alone)" in row["notes"]
    table = cli("estimate", str(a), str(b), "-m", "alpha", "--date", "2026-11-22").stdout
    assert "each input is one request" in " ".join(table.split())
    row = only_row(run(cli, str(a), str(b), "-m", "alpha", "--as-one"))
    assert row["fits_context"] is False and row["cheapest"] is False


def test_per_day_month_crossing_a_dated_price_change_says_so(cli):
    row = only_row(run(cli, "--input-tokens", "1000", "-m", "gem", "--per-day", "10"))
    assert "prices change on 2026-12-01: each day priced at its own prices" in row["notes"]
    # 1,000 in + 250 out a request: 2/10 $/M to 2026-11-30 = $0.0045, 4/20 from 2026-12-01 = $0.009;
    # 10 a day from 2026-11-22 for 30 days: 9 days old + 21 days new = 10 × (0.0405 + 0.189) = $2.295
    assert Decimal(row["cost"]) == Decimal("2.295")
    result = cli(
        "estimate",
        "--input-tokens",
        "1000",
        "-m",
        "gem",
        "--per-day",
        "10",
        "--date",
        "2026-11-01",
        "--format",
        "json",
    )
    assert not any("prices change" in n for n in json.loads(result.stdout)["rows"][0]["notes"])
