"""Argument problems come from the core as data and are worded by each edge with its own names.

The command line says ``--cached``, ``estimate_dataset`` says ``cached=`` and ``compare_models``
says ``cached_fraction=``; the bounds behind them are one table (``tokencalc.bounds``). The
expected messages are written out by hand.
"""

from __future__ import annotations

import json
import pickle
from decimal import Decimal

import pytest

import tokencalc
from tokencalc.bounds import BOUNDS
from tokencalc.errors import ArgumentError, Problem


@pytest.fixture
def data(tmp_path):
    path = tmp_path / "tickets.jsonl"
    path.write_text(
        '{"text": "hello world", "reply": "hi"}\n{"text": "a second ticket", "reply": "ok"}\n',
        encoding="utf-8",
    )
    return str(path)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--output-field", "reply", "--output-tokens", "5"],
            "give one of --output-field, --output-tokens and --output-ratio",
        ),
        (["--cache-system"], "--cache-system needs --system FILE"),
        (
            ["--calls", "3"],
            "a dataset is priced once per record: --calls and --per-day do not apply",
        ),
    ],
)
def test_dataset_mode_words_argument_problems_with_flags(cli, data, args, message):
    result = cli("estimate", data, "--field", "text", "-m", "gpt-6-luna", *args)
    assert result.exit_code == 2, result.stderr
    assert result.stderr.strip() == f"tokencalc: error: {message}"


def test_dataset_mode_cached_and_cache_system_together(cli, data, tmp_path):
    system = tmp_path / "system.txt"
    system.write_text("You are terse.", encoding="utf-8")
    args = ["--field", "text", "--system", str(system), "--cache-system", "--cached", "0.5"]
    result = cli("estimate", data, "-m", "gpt-6-luna", *args)
    assert result.exit_code == 2
    assert result.stderr.strip() == "tokencalc: error: give --cached or --cache-system, not both"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        # these used to name the command line's flags to a Python caller
        ({"output_tokens": 5, "output_ratio": 0.5}, "give output_tokens or output_ratio, not both"),
        (
            {"output_field": "reply", "output_tokens": 5},
            "give one of output_field, output_tokens and output_ratio",
        ),
        ({"cache_system": True}, "cache_system needs system"),
        (
            {"cached": 0.5, "cache_system": True, "system": "You are terse."},
            "give cached or cache_system, not both",
        ),
    ],
)
def test_the_dataset_api_words_argument_problems_with_its_parameters(kwargs, message):
    records = [{"text": "hello world", "reply": "hi"}]
    with pytest.raises(tokencalc.UsageError) as raised:
        _ = tokencalc.estimate_dataset(
            records, field="text", models=["gpt-6-luna"], **kwargs
        ).summary
    assert str(raised.value) == message
    assert "--" not in str(raised.value)


def test_an_argument_error_survives_pickling_with_its_kind():
    error = ArgumentError(Problem.OUT_OF_RANGE, "days", value=40, low=1, high=31)
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.problem, copy.names, copy.fields) == (
        Problem.OUT_OF_RANGE,
        ("days",),
        {"value": 40, "low": 1, "high": 31},
    )
    assert str(copy) == "days must be from 1 to 31, got 40"
    assert copy.renamed({"days": "--days"}).message == "--days must be from 1 to 31, got 40"


# --- one table of bounds: the CLI's options and the API accept and refuse the same values --------


def estimate(cli, *args: str):
    return cli("estimate", "--input-tokens", "100", "-m", "gpt-6-luna", "-f", "json", *args)


@pytest.mark.parametrize(("days", "ok"), [("31", True), ("32", False), ("1", True), ("0", False)])
def test_days_bound(cli, days, ok):
    assert BOUNDS["days"].holds(int(days)) is ok
    result = estimate(cli, "--per-day", "10", "--days", days)
    assert (result.exit_code == 0) is ok, result.stderr


@pytest.mark.parametrize(("ratio", "ok"), [("100", True), ("100.01", False), ("0", True)])
def test_output_ratio_bound_is_the_same_in_the_cli_and_the_api(cli, ratio, ok):
    result = estimate(cli, "--output-ratio", ratio)
    assert (result.exit_code == 0) is ok, result.stderr
    if ok:
        (row,) = json.loads(result.stdout)["rows"]
        (api,) = tokencalc.compare_models(100, "gpt-6-luna", output_ratio=ratio)
        # ceil(100 × ratio) output tokens in both
        assert row["output_tokens"] == api.output_tokens == int(Decimal(ratio) * 100)
    else:
        assert "--output-ratio must be from 0 to 100, got 100.01" in result.stderr
        with pytest.raises(
            tokencalc.UsageError, match="output_ratio must be a number from 0 to 100"
        ):
            tokencalc.compare_models(100, "gpt-6-luna", output_ratio=ratio)


@pytest.mark.parametrize(("rate", "ok"), [("10000000", True), ("10000001", False)])
def test_rate_bound_is_the_same_in_the_cli_and_the_dataset_api(cli, rate, ok):
    result = estimate(cli, "--currency", "EUR", "--rate", rate)
    assert (result.exit_code == 0) is ok, result.stderr

    def run():
        return tokencalc.estimate_dataset(
            ["hello"], models=["gpt-6-luna"], currency="EUR", rate=rate, rows=False
        ).summary

    if ok:
        assert run().models[0].model.rate == Decimal(rate)
    else:
        assert "--rate must be at most 10,000,000 units per US dollar" in result.stderr
        with pytest.raises(tokencalc.UsageError, match="rate must be a number above 0"):
            run()


@pytest.mark.parametrize(("longest", "ok"), [("1000", True), ("1001", False)])
def test_longest_bound_is_the_same_in_the_cli_and_the_dataset_api(cli, data, longest, ok):
    result = cli(
        "estimate", data, "--field", "text", "-m", "gpt-6-luna", "--longest", longest, "-f", "json"
    )
    assert (result.exit_code == 0) is ok, result.stderr
    records = [{"text": "hello"}]
    if ok:
        tokencalc.estimate_dataset(
            records, field="text", models=["gpt-6-luna"], longest=int(longest)
        )
    else:
        with pytest.raises(tokencalc.UsageError, match="longest must be an int from 0 to 1000"):
            tokencalc.estimate_dataset(
                records, field="text", models=["gpt-6-luna"], longest=int(longest)
            )


def test_an_unknown_data_format_names_the_option_or_the_parameter(cli, tmp_path):
    odd = tmp_path / "records.data"
    odd.write_text("plain text, not records\n", encoding="utf-8")
    formats = "jsonl, json, csv, tsv, parquet"
    result = cli("estimate", str(odd), "--field", "text", "-m", "gpt-6-luna")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"tokencalc: error: {odd}: cannot tell the data format from its name; "
        f"give --data-format ({formats})"
    )
    with pytest.raises(tokencalc.UsageError) as raised:
        _ = tokencalc.estimate_dataset(str(odd), field="text", models=["gpt-6-luna"]).summary
    assert str(raised.value) == (
        f"{odd}: cannot tell the data format from its name; give data_format ({formats})"
    )


def test_a_message_naming_an_argument_keeps_braces_in_its_text():
    from tokencalc.errors import UsageError
    from tokencalc.wording import Arg

    error = UsageError.naming("{odd} path: give ", Arg("data_format"), " please")
    assert str(error) == "{odd} path: give data_format please"
    assert error.worded(lambda name: "--data-format") == "{odd} path: give --data-format please"
    assert (
        pickle.loads(pickle.dumps(error)).worded(str.upper) == "{odd} path: give DATA_FORMAT please"
    )
