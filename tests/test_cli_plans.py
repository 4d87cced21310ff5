"""``tokencalc plans`` on the plans test sheet (and once on the real bundled sheet)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

import tokencalc.sheet.load as sheet_module
from test_plans import plan_sheet_text
from tokencalc.counting.counter import count_text

#: The packaged sheet's reader, for the one test that runs on the real sheet.
READ_PACKAGED = sheet_module._read_packaged

D = Decimal
SMALL = ["--system-tokens", "100", "--message-tokens", "10", "--reply-tokens", "20"]
ROW_KEYS = {
    "plan", "name", "vendor", "monthly_price", "billing", "seats", "per_seat", "model", "model_fits",
    "count_method", "how_counted", "tokenizer_source",
    "api_cost_per_conversation", "api_monthly_cost", "cheapest_model", "cheapest_api_monthly_cost",
    "break_even_messages_per_day", "break_even_note", "verdict", "caps", "messages_per_day_cap",
    "limits", "exceeds_cap", "caps_exceeded", "notes",
}  # fmt: skip


@pytest.fixture(autouse=True)
def plan_sheet(packaged_sheet):
    """The plans test sheet stands in for the packaged one."""
    packaged_sheet(plan_sheet_text())


def as_json(result):
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def rows_by_plan(document):
    return {row["plan"]: row for row in document["rows"]}


def test_json_contract(cli):
    document = as_json(cli("plans", "--format", "json"))
    assert set(document) == {
        "date",
        "currency",
        "rate",
        "profile",
        "assumptions",
        "warnings",
        "sheet",
        "rows",
    }
    assert document["currency"] == "USD" and document["rate"] == "1"
    assert document["profile"] == {
        "conversations_per_day": 5,
        "turns": 6,
        "messages_per_day": 30,
        "message_tokens": 150,
        "sample": None,
        "reply_tokens": 600,
        "reasoning_tokens": 0,
        "system_tokens": 1000,
        "days": 30,
        "seats": None,
        "cache": True,
        "annual": False,
        "defaults": [
            "conversations_per_day",
            "turns",
            "message_tokens",
            "reply_tokens",
            "system_tokens",
            "reasoning_tokens",
            "days",
        ],
    }
    assert all(isinstance(line, str) for line in document["assumptions"])
    assert [row["plan"] for row in document["rows"]] == [
        "acme-pro",
        "acme-free",
        "anthro-team",
        "acme-gratis",
    ]
    for row in document["rows"]:
        assert set(row) == ROW_KEYS
        for key in (
            "monthly_price",
            "api_monthly_cost",
            "cheapest_api_monthly_cost",
            "api_cost_per_conversation",
        ):
            assert isinstance(row[key], str) and D(row[key]) >= 0
        assert row["break_even_messages_per_day"] is None or isinstance(
            row["break_even_messages_per_day"], (int, float)
        )
        assert isinstance(row["exceeds_cap"], bool)
    rows = rows_by_plan(document)
    assert rows["acme-free"]["break_even_messages_per_day"] is None
    assert rows["acme-free"]["break_even_note"] == "free plan"
    assert rows["anthro-team"]["seats"] == 3 and rows["anthro-team"]["monthly_price"] == "75"
    assert (
        rows["acme-pro"]["caps"] == "100 messages a day"
        and rows["acme-pro"]["messages_per_day_cap"] == 100
    )


def test_hand_computed_costs_through_the_command(cli):
    document = as_json(
        cli("plans", "-P", "acme-pro", "-c", "2", "--turns", "1", *SMALL, "--format", "json")
    )
    (row,) = document["rows"]
    # one turn on cachy: 110 input × $2 + 20 output × $8 = $0.00038; × 2 a day × 30 days
    assert D(row["api_cost_per_conversation"]) == D("0.00038")
    assert D(row["api_monthly_cost"]) == D("0.0228")
    # break-even: $20 ÷ ($0.00038 × 30) conversations of one message a day
    assert row["break_even_messages_per_day"] == round(float(D(20) / (D("0.00038") * 30)), 2)
    assert row["model"] == "cachy" and row["cheapest_model"] == "tiny"
    assert row["verdict"] == "the API would cost $19.98/month less"
    assert document["profile"]["defaults"] == ["reasoning_tokens", "days"]


def test_no_cache_and_reasoning_change_the_cost(cli):
    base = ["plans", "-P", "acme-pro", "--turns", "10", *SMALL, "--format", "json"]
    cached = as_json(cli(*base))["rows"][0]
    uncached = as_json(cli(*base, "--no-cache"))["rows"][0]
    assert D(cached["api_cost_per_conversation"]) == D("0.003395")
    assert D(uncached["api_cost_per_conversation"]) == D("0.0065")
    reasoning = as_json(cli(*base, "--no-cache", "--reasoning-tokens", "50"))["rows"][0]
    assert D(reasoning["api_cost_per_conversation"]) == D("0.0065") + D(10 * 50 * 8) / 1_000_000


def test_sample_file_is_counted_exactly(cli, tmp_path):
    text = "Please summarise this contract and list every deadline in it.\n" * 4
    sample = tmp_path / "message.txt"
    sample.write_text(text, encoding="utf-8")
    document = as_json(cli("plans", "-P", "acme-pro", "--sample", str(sample), "--format", "json"))
    assert document["profile"]["message_tokens"] == count_text(text)
    assert document["profile"]["sample"] == str(sample)
    assert "message_tokens" not in document["profile"]["defaults"]
    assert any(f"counted in {sample}" in line for line in document["assumptions"])


def test_sample_from_stdin(cli):
    document = as_json(
        cli(
            "plans",
            "-P",
            "acme-pro",
            "--sample",
            "-",
            "--format",
            "json",
            input="hello there, model",
        )
    )
    assert document["profile"]["message_tokens"] == count_text("hello there, model")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00binary", "binary file, not counted"),
        (b"", "the file is empty"),
    ],
)
def test_unusable_samples_are_errors(cli, tmp_path, content, message):
    sample = tmp_path / "sample.bin"
    sample.write_bytes(content)
    result = cli("plans", "--sample", str(sample))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"tokencalc: error: --sample {sample}: {message}")
    assert result.stderr.count("\n") == 1
    assert result.stdout == ""


def test_a_sample_past_the_largest_message_is_an_error(cli, monkeypatch):
    import tokencalc.plans.profile

    monkeypatch.setattr(tokencalc.plans.profile, "MAX_PROFILE_TOKENS", 200)  # 10,000,000 in earnest
    result = cli("plans", "--sample", "-", *SMALL[:2], "--reply-tokens", "20", input=" word" * 201)
    assert result.exit_code == 1
    assert (
        result.stderr
        == "tokencalc: error: --sample -: 201 tokens, more than a message can be (200)\n"
    )


def test_a_missing_sample_is_an_error(cli, tmp_path):
    result = cli("plans", "--sample", str(tmp_path / "nope.txt"))
    assert result.exit_code == 1
    assert "no such file or directory" in result.stderr


def test_plan_selection_keeps_the_order_given(cli):
    document = as_json(
        cli(
            "plans",
            "-P",
            "anthro-team",
            "--plan",
            "ACME-PRO",
            "-P",
            "anthro-team",
            "--format",
            "json",
        )
    )
    assert [row["plan"] for row in document["rows"]] == ["anthro-team", "acme-pro"]


def test_unknown_plan_suggests_the_nearest(cli):
    result = cli("plans", "-P", "acme-prp")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "tokencalc: error: unknown plan 'acme-prp' (did you mean acme-pro"
    )
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--turns", "0"], 2, "--turns must be from 1 to 1,000"),
        (["--turns", "-3"], 2, "--turns must be from 1 to 1,000"),
        (["-c", "0"], 2, "--conversations-per-day must be a positive number"),
        (["-c", "lots"], 2, "--conversations-per-day must be a positive number"),
        (["-c", "-2"], 2, "--conversations-per-day must be a positive number"),
        (["--message-tokens", "0"], 2, "--message-tokens must be from 1 to 10,000,000"),
        (["--reply-tokens", "-1"], 2, "--reply-tokens must be from 1 to 10,000,000"),
        (["--days", "45"], 2, "--days must be from 1 to 31"),
        (["--seats", "0"], 2, "--seats must be from 1 to 100,000"),
        # absurd sizes: one clear line, not an internal error from rounding huge amounts
        (["-c", "1e30"], 2, "--conversations-per-day must be at most 1,000, got 1E+30"),
        (["-c", "1001"], 2, "--conversations-per-day must be at most 1,000"),
        (["--message-tokens", "1" + "0" * 30], 2, "--message-tokens must be from 1 to 10,000,000"),
        (["--reply-tokens", "99999999999"], 2, "--reply-tokens must be from 1 to 10,000,000"),
        (["--system-tokens", "99999999999"], 2, "--system-tokens must be from 0 to 10,000,000"),
        (
            ["--reasoning-tokens", "99999999999"],
            2,
            "--reasoning-tokens must be from 0 to 10,000,000",
        ),
        (["--seats", "1" + "0" * 27], 2, "--seats must be from 1 to 100,000"),
        (
            ["--sample", "x.txt", "--message-tokens", "5"],
            2,
            "give --sample or --message-tokens, not both",
        ),
        (["--currency", "EURO"], 2, "--currency must be a three-letter code"),
        (["--rate", "0.9"], 2, "--rate needs --currency"),
        (["--currency", "EUR"], 1, "no exchange rate for EUR"),
        (["--date", "tomorrow"], 2, "--date must be a date like"),
        (["--turns", "many"], 2, "Invalid value for '--turns'"),
    ],
)
def test_bad_options(cli, args, code, message):
    result = cli("plans", *args)
    assert result.exit_code == code, result.stderr
    assert message in result.stderr
    assert "internal error" not in result.stderr
    assert result.stdout == ""


def test_cap_warning_on_stderr_and_in_json(cli):
    result = cli("plans", "-P", "acme-pro", "-c", "11", "--turns", "10", "--format", "json")
    document = as_json(result)
    warning = "acme-pro: this use exceeds the plan's cap: 110 messages per day > cap 100 (messages)"
    assert document["warnings"] == [warning]
    assert document["rows"][0]["exceeds_cap"] is True
    assert f"tokencalc: warning: {warning}\n" in result.stderr


def test_seats_below_the_minimum_are_raised_with_a_warning(cli):
    result = cli("plans", "-P", "anthro-team", "--seats", "2", "--annual", "--format", "json")
    (row,) = as_json(result)["rows"]
    assert row["seats"] == 3 and row["monthly_price"] == "60" and row["billing"] == "annual"
    assert "seats raised from 2 to the plan's minimum of 3" in result.stderr


def test_seats_on_a_personal_plan_are_ignored_with_a_note(cli):
    result = cli("plans", "-P", "acme-pro", "--seats", "4", "--format", "json")
    (row,) = as_json(result)["rows"]
    assert row["seats"] == 1 and row["monthly_price"] == "20"
    assert row["notes"] == ["not sold per seat: one subscription priced, --seats 4 ignored"]
    assert "warning" not in result.stderr
    assert (
        "not sold per seat, so one subscription each, --seats ignored: acme-pro"
        in as_json(result)["assumptions"]
    )


def test_currency_with_rate(cli):
    (row,) = as_json(
        cli("plans", "-P", "acme-pro", "--currency", "eur", "--rate", "0.5", "--format", "json")
    )["rows"]
    assert row["monthly_price"] == "10"


def test_table_csv_and_markdown(cli):
    table = cli("plans", "-P", "acme-pro", "-P", "anthro-team")
    assert table.exit_code == 0, table.stderr
    assert "Plans vs API" in table.stdout and "defaults used:" in table.stdout
    lines = table.stdout.splitlines()
    pro = next(line for line in lines if line.lstrip().startswith("acme-pro"))
    # $20 plan, default profile on cachy: 6 turns of 1,000 system + 150 + 600 tokens
    assert pro.split()[:3] == ["acme-pro", "$20.00", "cachy"]
    assert "this use on cheap, the cheapest:" in table.stdout
    assert "² per-seat plans" in table.stdout
    csv = cli("plans", "-P", "acme-pro", "--format", "csv")
    header, line = csv.stdout.splitlines()
    assert header.split(",")[:4] == ["plan", "name", "vendor", "monthly_price"]
    assert line.startswith("acme-pro,Acme Pro,acme,20,")
    markdown = cli("plans", "-P", "acme-free", "--format", "markdown")
    assert (
        "| Plan | Plan /month | Stand-in | API /month | Break-even msgs/day | Cheaper by |"
        in markdown.stdout
    )
    assert "| acme-free | $0.00 | plain |" in markdown.stdout and "· ·" not in markdown.stdout


def test_help_is_the_documentation(cli):
    result = cli("plans", "--help")
    assert result.exit_code == 0
    for text in (
        "Examples:",
        "--conversations-per-day",
        "--sample",
        "--no-cache",
        "--seats",
        "break-even",
        "(default: 150)",
    ):
        assert text in result.stdout


def test_every_bundled_plan_against_the_real_sheet(cli, monkeypatch):
    monkeypatch.setattr(sheet_module, "_read_packaged", READ_PACKAGED)
    document = as_json(cli("plans", "--format", "json"))
    rows = rows_by_plan(document)
    required = {
        "chatgpt-free", "chatgpt-go", "chatgpt-plus", "chatgpt-pro-100", "chatgpt-pro-200", "chatgpt-business",
        "claude-free", "claude-pro", "claude-max", "claude-ultra", "claude-team-standard", "claude-team-premium",
        "google-ai-plus", "google-ai-pro", "google-ai-ultra", "google-ai-ultra-20x", "le-chat-pro", "perplexity-pro",
    }  # fmt: skip
    assert required <= set(rows)
    for row in document["rows"]:
        assert row["model_fits"] is True and row["cheapest_model"]
        assert D(row["api_monthly_cost"]) > 0
        assert row["verdict"]
        if D(row["monthly_price"]) == 0:
            assert row["break_even_messages_per_day"] is None
        else:
            assert 0 < row["break_even_messages_per_day"] < 10_000
    assert rows["chatgpt-plus"]["monthly_price"] == "20"
    assert rows["chatgpt-business"]["seats"] == 2 and rows["claude-team-standard"]["seats"] == 5
    # no stand-in should be a model that can no longer be bought
    assert not [w for w in document["warnings"] if "deprecated" in w]


def test_the_documented_json_has_the_real_keys(cli):
    import re
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[1] / "docs" / "plans.md").read_text(encoding="utf-8")
    example = re.search(r"```json\n(.*?)```", docs, re.S)
    assert example is not None, "docs/plans.md has no JSON example"
    documented = json.loads(example.group(1))
    real = as_json(cli("plans", "--format", "json"))
    assert set(documented) == set(real)
    assert set(documented["profile"]) == set(real["profile"])
    assert set(documented["rows"][0]) == ROW_KEYS
