"""``tokencalc usage`` through the CLI runner, on the fixtures and the small usage sheet."""

from __future__ import annotations

import functools
import json
import re
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from test_usage_pricing import usage_sheet_text

D = Decimal
FIXTURES = Path(__file__).parent / "fixtures" / "usage"
CLAUDE_CODE = FIXTURES / "claude_code"
# the Claude Code fixture on USAGE_SHEET (see test_usage_pricing.py): msg_A + msg_B + msg_F + msg_C
CLAUDE_CODE_COST = D("0.053306")


@pytest.fixture
def sample_sheet(packaged_sheet):
    """The usage sheet stands in for the packaged one."""
    packaged_sheet(usage_sheet_text())


@pytest.fixture(autouse=True)
def _no_real_logs(monkeypatch, tmp_path):
    """Default log dirs point at empty places unless a test says otherwise."""
    for name in ("CLAUDE_CONFIG_DIR", "CODEX_HOME", "GEMINI_CLI_HOME", "XDG_CONFIG_HOME"):
        monkeypatch.setenv(name, str(tmp_path / "nothing-here"))


def as_json(result):
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def groups(document):
    return {g["key"]: g for g in document["groups"]}


def usage(cli, *args):
    return cli("usage", *map(str, args))


# --- detection and sources ---------------------------------------------------------------------


@pytest.mark.usefixtures("sample_sheet")
def test_detects_every_format_in_the_fixture_tree(cli):
    document = as_json(usage(cli, FIXTURES, "--timezone", "UTC", "-f", "json"))
    assert document["sources"] == {
        "claude-code": 5,
        "codex": 4,
        "gemini-cli": 5,
        "chatgpt-export": 4,
        "claude-export": 2,
        "openai-usage": 5,
        "anthropic-usage": 5,
    }
    assert document["records"] == 30 and document["files_skipped"] == 1
    assert document["malformed"] == 9 and document["duplicates_dropped"] > 0


EXPECTED_KEYS = {
    "sources", "files_read", "files_skipped", "records", "records_in_view", "dimensions", "duplicates_dropped", "malformed",
    "malformed_reasons", "assumptions", "timezone", "by", "currency", "rate", "prices_as_of",
    "groups", "totals", "unknown_models", "unpriced_tiers", "plan", "costs_only", "merged_exports",
    "unpriced_extras", "chat_counting",
}  # fmt: skip
TOTAL_KEYS = {
    "requests", "uncounted_rows", "input_tokens", "cached_input_tokens", "cache_write_tokens",
    "output_tokens", "cost", "vendor_cost", "estimated", "long_context_requests", "long_context_uncounted_rows",
    "fees", "web_search_requests", "off_peak_requests", "residency_requests",
}  # fmt: skip
PLAN_KEYS = {
    "plan", "name", "monthly_price", "seats", "months", "first_month", "last_month", "plan_cost",
    "api_cost", "difference", "verdict", "notes",
}  # fmt: skip


@pytest.mark.usefixtures("sample_sheet")
def test_json_contract(cli):
    document = as_json(usage(cli, CLAUDE_CODE, "--timezone", "UTC", "-f", "json"))
    assert set(document) == EXPECTED_KEYS
    assert (document["by"], document["currency"], document["timezone"], document["plan"]) == (
        "day",
        "USD",
        "UTC",
        None,
    )
    assert document["sources"] == {"claude-code": 5}
    assert document["records"] == 5 and document["files_read"] == 2
    for group in document["groups"]:
        assert set(group) == {"key", "keys", *TOTAL_KEYS}
    assert set(document["totals"]) == TOTAL_KEYS
    assert groups(document)["2025-09-01"] == {
        "key": "2025-09-01",
        "keys": {"day": "2025-09-01"},
        "requests": 3,
        "uncounted_rows": 0,
        "input_tokens": 21003 + 24005 + 5207,
        "cached_input_tokens": 20000 + 21000 + 5000,
        "cache_write_tokens": 1000 + 3000 + 200,
        "output_tokens": 250 + 120 + 80,
        "cost": "0.040781",
        "vendor_cost": None,
        "estimated": False,
        "long_context_requests": 0,
        "long_context_uncounted_rows": 0,
        "fees": "0",
        "web_search_requests": 0,
        "off_peak_requests": 0,
        "residency_requests": 0,
    }
    assert D(document["totals"]["cost"]) == CLAUDE_CODE_COST
    assert document["unpriced_extras"] == []
    assert document["unpriced_tiers"] == []
    assert document["unknown_models"] == [
        {
            "model": "claude-3-5-sonnet-20241022",
            "requests": 1,
            "uncounted_rows": 0,
            "input_tokens": 100,
            "output_tokens": 50,
            "vendor_cost": "0.0123",
            "sources": ["claude-code"],
        }
    ]


@pytest.mark.usefixtures("sample_sheet")
def test_forced_source_reads_only_that_format(cli):
    document = as_json(usage(cli, FIXTURES, "--source", "codex", "--tz", "UTC", "-f", "json"))
    assert document["sources"] == {"codex": 4}
    assert D(document["totals"]["cost"]) == D("0.0066875") + D("0.00685")


@pytest.mark.usefixtures("sample_sheet")
def test_default_is_claude_code_under_claude_config_dir(cli, tmp_path, monkeypatch):
    config = tmp_path / "claude-config"
    shutil.copytree(CLAUDE_CODE, config)
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", f"{tmp_path / 'absent'},{config}")
    document = as_json(usage(cli, "--timezone", "UTC", "-f", "json"))
    assert document["sources"] == {"claude-code": 5}
    assert D(document["totals"]["cost"]) == CLAUDE_CODE_COST


@pytest.mark.usefixtures("sample_sheet")
def test_source_codex_without_path_reads_codex_home(cli, tmp_path, monkeypatch):
    home = tmp_path / "codex-home"
    shutil.copytree(FIXTURES / "codex", home)
    monkeypatch.setenv("CODEX_HOME", str(home))
    document = as_json(usage(cli, "--source", "codex", "--tz", "UTC", "-f", "json"))
    assert document["sources"] == {"codex": 4}


@pytest.mark.usefixtures("sample_sheet")
def test_no_default_logs_is_a_clear_error(cli):
    result = usage(cli)
    assert result.exit_code == 1
    assert "no coding-agent logs found" in result.stderr and "CLAUDE_CONFIG_DIR" in result.stderr
    assert "Claude Code: " in result.stderr and "Codex: " in result.stderr
    result = usage(cli, "--source", "chatgpt-export")
    assert result.exit_code == 2 and "needs a path" in result.stderr


# --- grouping, time zones, plans ----------------------------------------------------------------


@pytest.mark.usefixtures("sample_sheet")
@pytest.mark.parametrize(
    ("by", "keys"),
    [
        ("day", ["2025-09-01", "2025-09-02"]),
        ("month", ["2025-09"]),
        ("model", ["sonnet", "opus", "haiku"]),  # by cost, highest first
    ],
)
def test_by(cli, by, keys):
    document = as_json(usage(cli, CLAUDE_CODE, "--by", by, "--tz", "UTC", "-f", "json"))
    assert [g["key"] for g in document["groups"]] == keys
    assert D(document["totals"]["cost"]) == CLAUDE_CODE_COST


@pytest.mark.usefixtures("sample_sheet")
def test_timezone_moves_days_and_invalid_names_are_usage_errors(cli):
    berlin = as_json(usage(cli, CLAUDE_CODE, "--timezone", "Europe/Berlin", "-f", "json"))
    assert berlin["timezone"] == "Europe/Berlin"
    assert [g["key"] for g in berlin["groups"]] == ["2025-09-01", "2025-09-03"]
    result = usage(cli, CLAUDE_CODE, "--timezone", "Mars/Olympus_Mons")
    assert result.exit_code == 2
    assert "--timezone" in result.stderr and "Mars/Olympus_Mons" in result.stderr


@pytest.mark.usefixtures("sample_sheet")
def test_default_timezone_is_local_time(cli):
    import os
    import time

    saved = os.environ.get("TZ")
    os.environ["TZ"] = "Asia/Tokyo"
    time.tzset()
    try:
        document = as_json(usage(cli, CLAUDE_CODE, "-f", "json"))
    finally:
        if saved is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = saved
        time.tzset()
    assert document["timezone"] == "Asia/Tokyo"
    # msg_C at 23:30 UTC on the 2nd is 08:30 on the 3rd in Tokyo
    assert [g["key"] for g in document["groups"]] == ["2025-09-01", "2025-09-03"]


@pytest.mark.usefixtures("sample_sheet")
def test_plan_comparison(cli):
    document = as_json(
        usage(cli, CLAUDE_CODE, "--plan", "solo", "--by", "month", "--tz", "UTC", "-f", "json")
    )
    plan = document["plan"]
    assert set(plan) == PLAN_KEYS and plan["notes"] == []
    assert plan["plan"] == "solo" and plan["seats"] == 1 and plan["months"] == 1
    assert (plan["monthly_price"], plan["plan_cost"]) == ("20", "20")
    assert D(plan["api_cost"]) == CLAUDE_CODE_COST
    assert D(plan["difference"]) == 20 - CLAUDE_CODE_COST
    assert "the plan costs you $19.95 more" in plan["verdict"]

    table = usage(cli, CLAUDE_CODE, "--plan", "team", "--seats", "3", "--tz", "UTC")
    assert table.exit_code == 0, table.stderr
    assert "Plan: Acme Team $25.00/month × 3 seats × 1 month = $75.00" in table.stdout


@pytest.mark.usefixtures("sample_sheet")
@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--plan", "sola"], 1, "unknown plan 'sola' (did you mean solo?)"),
        (["--seats", "2"], 2, "--seats needs --plan"),
        (["--plan", "team", "--seats", "0"], 2, "--seats must be from 1 to 100,000, got 0"),
        (["--plan", "team", "--seats", "1" + "0" * 30], 2, "--seats must be from 1 to 100,000"),
        (
            ["--reasoning-tokens", "1" + "0" * 30],
            2,
            "--reasoning-tokens must be from 0 to 10,000,000",
        ),
        (["--model", "nonesuch"], 1, "unknown model 'nonesuch'"),
        (["--currency", "EUR"], 1, "no exchange rate for EUR"),
        (["--rate", "2"], 2, "--rate needs --currency"),
    ],
)
def test_option_errors(cli, args, code, message):
    result = usage(cli, CLAUDE_CODE, *args)
    assert result.exit_code == code
    assert message in result.stderr
    assert "internal error" not in result.stderr


@pytest.mark.usefixtures("sample_sheet")
def test_seats_follow_the_same_policy_as_plans(cli):
    # below the minimum: raised to it, with a warning (as `tokencalc plans --seats` does)
    raised = usage(cli, CLAUDE_CODE, "--plan", "team", "--seats", "1", "--tz", "UTC", "-f", "json")
    plan = as_json(raised)["plan"]
    assert plan["seats"] == 2 and plan["plan_cost"] == "50"
    assert plan["notes"] == ["seats raised from 1 to the plan's minimum of 2"]
    assert "tokencalc: warning: seats raised from 1 to the plan's minimum of 2\n" in raised.stderr
    # a plan not sold per seat: one subscription, with a note
    personal = usage(cli, CLAUDE_CODE, "--plan", "solo", "--seats", "3", "--tz", "UTC")
    assert personal.exit_code == 0, personal.stderr
    assert "Plan: Acme Solo $20.00/month × 1 month = $20.00" in personal.stdout
    assert (
        "tokencalc: note: not sold per seat: one subscription priced, --seats 3 ignored\n"
        in personal.stderr
    )
    assert "warning: seats" not in personal.stderr


@pytest.mark.usefixtures("sample_sheet")
def test_model_prices_chat_exports_that_name_none(cli):
    unpriced = as_json(usage(cli, FIXTURES / "claude_export", "--tz", "UTC", "-f", "json"))
    assert unpriced["groups"] == [] and unpriced["unknown_models"][0]["model"] is None
    priced = as_json(
        usage(cli, FIXTURES / "claude_export", "-m", "Sonnet", "--tz", "UTC", "-f", "json")
    )
    assert priced["unknown_models"] == []
    assert priced["totals"]["estimated"] is True and D(priced["totals"]["cost"]) > 0
    assert any("assumed sonnet" in line for line in priced["assumptions"])


@pytest.mark.usefixtures("sample_sheet")
def test_chat_exports_are_counted_in_the_priced_models_tokens(cli):
    plain = as_json(
        usage(cli, FIXTURES / "claude_export", "-m", "sonnet", "--tz", "UTC", "-f", "json")
    )["totals"]
    scaled = as_json(
        usage(cli, FIXTURES / "claude_export", "-m", "sonnet5", "--tz", "UTC", "-f", "json")
    )
    totals = scaled["totals"]
    # sonnet counts with o200k_base itself; sonnet5's estimated tokenizer is 1.5 × o200k_base,
    # applied to each message's count and rounded up, as estimate does per input: the inputs
    # repeat message counts 4 times (m1 twice, m2, m3), the outputs 3 (m2, m4 and its thinking)
    assert plain["input_tokens"] * 1.5 <= totals["input_tokens"] < plain["input_tokens"] * 1.5 + 4
    assert (
        plain["output_tokens"] * 1.5 <= totals["output_tokens"] < plain["output_tokens"] * 1.5 + 3
    )
    assert any(
        "chat-export tokens on sonnet5: estimated (ratio ×1.5 o200k_base)" in line
        for line in scaled["assumptions"]
    )
    (counting,) = scaled["chat_counting"]
    assert counting["model"] == "sonnet5" and counting["count_method"] == "estimated"


def _openai_usage(path: Path, results: list[tuple[str, int, int]]) -> Path:
    """An OpenAI usage-API page of one UTC day: (model, input tokens, requests) per result."""
    page = {
        "object": "page",
        "data": [
            {
                "object": "bucket",
                "start_time": 1756684800,
                "end_time": 1756771200,
                "results": [
                    {
                        "object": "organization.usage.completions.result",
                        "input_tokens": tokens,
                        "output_tokens": 100,
                        "input_cached_tokens": 0,
                        "num_model_requests": requests,
                        "model": model,
                        "batch": None,
                        "service_tier": None,
                    }
                    for model, tokens, requests in results
                ],
            }
        ],
    }
    path.write_text(json.dumps(page), encoding="utf-8")
    return path


@pytest.mark.usefixtures("sample_sheet")
def test_long_context_requests_are_shown(cli, tmp_path):
    # gpt-5's threshold is 40,000: 3 requests averaging 45,000 are long, 2 averaging 1,000 are not
    page = _openai_usage(tmp_path / "usage.json", [("gpt-5", 135_000, 3), ("sonnet", 2_000, 2)])
    document = as_json(usage(cli, page, "--by", "model", "--tz", "UTC", "-f", "json"))
    by_model = groups(document)
    assert (
        by_model["gpt-5"]["long_context_requests"],
        by_model["gpt-5"]["long_context_uncounted_rows"],
    ) == (3, 0)
    assert by_model["sonnet"]["long_context_requests"] == 0
    assert document["totals"]["long_context_requests"] == 3 and document["totals"]["requests"] == 5
    table = usage(cli, page, "--by", "model", "--tz", "UTC")
    assert table.exit_code == 0, table.stderr
    assert "Long" in table.stdout and "requests billed at long-context prices" in table.stdout
    gpt5 = next(line for line in table.stdout.splitlines() if line.strip().startswith("gpt-5"))
    assert gpt5.split()[1] == "3" and gpt5.split()[-1] == "3"  # requests … long-context requests
    csv = usage(cli, page, "--by", "model", "--tz", "UTC", "-f", "csv").stdout.splitlines()
    assert csv[1].startswith("group,gpt-5,3,0,") and csv[1].endswith(",false,3,0,,0,0,0,0")
    # without long-context records the column stays out of the way
    plain = usage(cli, CLAUDE_CODE, "--tz", "UTC")
    assert "Long" not in plain.stdout and "long-context" not in plain.stdout


@pytest.fixture
def records_read(monkeypatch):
    """Make ``usage`` read the records given instead of parsing files (for fields no fixture has yet)."""
    from tokencalc.usage import UsageReport

    def use(records):
        report = UsageReport(
            records=records, files_read=1, lines_read=len(records), duplicates_dropped=0, malformed=0,
            malformed_reasons=[], sources={"openai-usage": len(records)}, assumptions=[],
        )  # fmt: skip
        monkeypatch.setattr("tokencalc.usage.read_usage", lambda *args, **kwargs: report)

    return use


@pytest.mark.usefixtures("sample_sheet")
def test_tiers_priced_and_tiers_the_sheet_lacks_reported(cli, records_read, tmp_path):
    from datetime import datetime, timezone

    from tokencalc.usage import UsageRecord

    day = datetime(2025, 9, 1, tzinfo=timezone.utc)
    records_read(
        [
            UsageRecord(day, "openai-usage", "gpt-5", 1_000_000, 0, requests=100, tier="batch"),
            UsageRecord(day, "openai-usage", "gpt-5", 2_000, 100, requests=3, tier="flex"),
        ]
    )
    document = as_json(usage(cli, tmp_path, "--tz", "UTC", "--plan", "solo", "-f", "json"))
    assert D(document["totals"]["cost"]) == D("0.625")  # 1M input at half of $1.25
    assert document["totals"]["requests"] == 100
    assert document["unknown_models"] == []
    assert document["unpriced_tiers"] == [
        {
            "model": "gpt-5", "tier": "flex", "requests": 3, "uncounted_rows": 0, "input_tokens": 2000,
            "output_tokens": 100, "vendor_cost": None, "sources": ["openai-usage"],
        }
    ]  # fmt: skip
    assert document["plan"]["verdict"].endswith(
        "(the API figure leaves out 3 requests at a tier the price sheet has no prices for (gpt-5 flex))"
    )
    table = usage(cli, tmp_path, "--tz", "UTC", "-f", "markdown")  # the caption on one line
    assert table.exit_code == 0, table.stderr
    assert (
        "each record priced on its UTC date, standard tier or the tier recorded (batch),"
        in table.stdout
    )
    assert (
        "gpt-5 at the flex tier: 3 requests, 2,000 input and 100 output tokens, not priced "
        "(the price sheet has no flex prices for gpt-5)"
    ) in table.stdout
    csv = usage(cli, tmp_path, "--tz", "UTC", "-f", "csv").stdout.splitlines()
    assert csv[-1] == "not_priced,gpt-5,3,0,2000,,,100,,,,,,flex,,,,"


@pytest.mark.usefixtures("sample_sheet")
def test_currency_and_rate(cli):
    document = as_json(
        usage(cli, CLAUDE_CODE, "--currency", "EUR", "--rate", "2", "--tz", "UTC", "-f", "json")
    )
    assert (document["currency"], document["rate"]) == ("EUR", "2")
    assert D(document["totals"]["cost"]) == 2 * CLAUDE_CODE_COST


# --- reporting -------------------------------------------------------------------------------------


@pytest.mark.usefixtures("sample_sheet")
def test_table_reports_bookkeeping_unknown_models_and_notes(cli):
    result = usage(cli, FIXTURES, "--tz", "UTC", "--model", "gpt-5")
    assert result.exit_code == 0, result.stderr
    out = " ".join(result.stdout.split())  # the caption wraps at the width: compare phrases
    assert "API-equivalent cost by day" in out
    assert "30 records" in out and "duplicates dropped" in out and "9 malformed skipped" in out
    assert "1 file(s) skipped" in out and "dates in UTC" in out
    assert "2025-09-01 ≈" in out and "includes tokens counted from chat text" in out
    assert "models not in the price sheet" in out and "not priced" in out
    assert "Vendor" in out  # a cost export was read
    # malformed records: a count and the first reasons, on stderr
    assert "skipped 9 malformed record(s)" in result.stderr
    assert "sess-1.jsonl:12: invalid JSON" in result.stderr
    assert "… and 4 more" in result.stderr
    # the readers' assumptions, as notes on stderr
    assert "tokencalc: note: ChatGPT export:" in result.stderr


@pytest.mark.usefixtures("sample_sheet")
def test_csv_and_markdown(cli):
    result = usage(cli, CLAUDE_CODE, "--tz", "UTC", "--plan", "solo", "-f", "csv")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "row,key,requests,uncounted_rows,input_tokens,cached_input_tokens,cache_write_tokens,"
        "output_tokens,cost,vendor_cost,estimated,long_context_requests,long_context_uncounted_rows,tier,"
        "fees,web_search_requests,off_peak_requests,residency_requests"
    )
    assert [line.split(",")[0] for line in lines[1:]] == [
        "group",
        "group",
        "total",
        "not_priced",
        "plan",
    ]
    assert lines[3].startswith("total,total,4,0,")
    markdown = usage(cli, CLAUDE_CODE, "--tz", "UTC", "-f", "markdown")
    assert (
        "| Day | Reqs | Input | Cache read | Cache write | Output | API cost |" in markdown.stdout
    )


@pytest.mark.usefixtures("sample_sheet")
def test_billing_rows_without_request_counts_are_shown_as_unknown(cli):
    result = usage(cli, FIXTURES / "anthropic_billing" / "usage_report.json", "--tz", "UTC")
    assert result.exit_code == 0, result.stderr
    assert "billing rows without a request count" in result.stdout
    row = next(line for line in result.stdout.splitlines() if line.strip().startswith("2025-09-01"))
    assert row.split()[1] == "?"


@pytest.mark.usefixtures("sample_sheet")
def test_no_records_is_an_error(cli, tmp_path):
    log = tmp_path / "session.jsonl"
    log.write_text(
        '{"type":"user","sessionId":"s","timestamp":"2025-09-01T10:00:00Z","message":{"role":"user","content":"hi"}}\n',
        encoding="utf-8",
    )
    result = usage(cli, log, "--source", "claude-code")
    assert result.exit_code == 1
    assert "no usage records found" in result.stderr


@pytest.mark.usefixtures("sample_sheet")
def test_missing_path_is_one_clear_line(cli, tmp_path):
    result = usage(cli, CLAUDE_CODE, tmp_path / "gone.jsonl")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"tokencalc: error: no such file or directory: {tmp_path / 'gone.jsonl'}"
    ]
    assert result.stdout == ""


def test_a_wrong_source_is_a_usage_error_listing_every_source(cli):
    result = usage(cli, FIXTURES, "--source", "nonesuch")
    assert result.exit_code == 2 and "unknown source 'nonesuch'" in result.stderr
    assert "claude-code" in result.stderr and "anthropic-usage" in result.stderr


# --- the real sheet, end to end ----------------------------------------------------------------


#: The Claude Code fixture's requests after deduplication, read off the JSONL by hand: model ->
#: (fresh input, cache reads, 5-minute cache writes, 1-hour cache writes, output). msg_A and
#: msg_B are logged three and two times (streamed; again in the subagent file): the largest
#: output counts once. msg_C's write has no TTL split (5 minutes). The synthetic message, the
#: negative, the unparsable and the usage-less lines are not requests.
CLAUDE_CODE_REQUESTS = {
    "claude-sonnet-4-5": [(3, 20_000, 1_000, 0, 250), (5, 21_000, 0, 3_000, 120)],  # msg_A, msg_B
    "claude-opus-4-1": [(10, 0, 500, 0, 40)],  # msg_C
    "claude-haiku-4-5": [(7, 5_000, 200, 0, 80)],  # msg_F (subagent)
    "claude-3-5-sonnet": [(100, 0, 0, 0, 50)],  # msg_E
}


@functools.cache
def _bundled_models() -> dict[str, Any]:
    """pricing.toml's models, read once (tomllib, not tokencalc)."""
    import tomllib

    root = Path(__file__).resolve().parents[1]
    with open(root / "pricing.toml", "rb") as sheet:
        models: dict[str, Any] = tomllib.load(sheet)["models"]
    return models


def _bundled_prices(model: str) -> dict[str, Decimal]:
    """A model's USD-per-million prices straight from pricing.toml (tomllib, not tokencalc)."""
    entry = _bundled_models()[model]
    return {
        k: Decimal(str(v))
        for k, v in entry.items()
        if isinstance(v, (int, float)) and not isinstance(v, bool)
    }


def test_end_to_end_with_the_bundled_sheet(cli):
    paths = [CLAUDE_CODE, FIXTURES / "chatgpt_export"]
    document = as_json(
        usage(cli, *paths, "--tz", "UTC", "--by", "model", "--plan", "claude-max", "-f", "json")
    )
    by_model = groups(document)
    total = Decimal(0)
    for model, requests in CLAUDE_CODE_REQUESTS.items():
        price = _bundled_prices(model)
        fresh, reads, writes_5m, writes_1h, output = (sum(r[i] for r in requests) for i in range(5))
        cost = (
            fresh * price["input"]
            + reads * price["cached_input"]
            + writes_5m * price["cache_write_5m"]
            + writes_1h * price["cache_write_1h"]
            + output * price["output"]
        ) / 1_000_000
        group = by_model[model]
        assert (group["requests"], group["estimated"]) == (len(requests), False), model
        assert group["input_tokens"] == fresh + reads + writes_5m + writes_1h, model
        assert group["cached_input_tokens"] == reads, model
        assert group["cache_write_tokens"] == writes_5m + writes_1h, model
        assert group["output_tokens"] == output, model
        assert D(group["cost"]) == cost, model
        total += cost
    # The ChatGPT export's calls, as test_usage_exports works them out from the conversations
    # (gpt-5-thinking is priced as gpt-5), at the bundled sheet's rates, no caching.
    from test_usage_exports import CHATGPT_CALLS

    for model in ("gpt-4o", "gpt-5"):
        calls = [c for c in CHATGPT_CALLS if c[2].startswith(model)]
        group, price = by_model[model], _bundled_prices(model)
        assert group["estimated"] is True and group["cached_input_tokens"] == 0
        assert group["requests"] == len(calls), model
        assert group["input_tokens"] == sum(c[0] for c in calls), model
        assert group["output_tokens"] == sum(c[1] for c in calls), model
        cost = group["input_tokens"] * price["input"] + group["output_tokens"] * price["output"]
        assert D(group["cost"]) == cost / 1_000_000, model
        total += cost / 1_000_000
    assert set(by_model) == {*CLAUDE_CODE_REQUESTS, "gpt-4o", "gpt-5"}
    assert D(document["totals"]["cost"]) == total
    assert any("gpt-5-thinking priced as gpt-5" in line for line in document["assumptions"])
    assert document["plan"]["monthly_price"] == "100" and document["plan"]["months"] == 1


@pytest.mark.usefixtures("sample_sheet")
def test_the_documented_json_has_the_real_keys(cli):
    docs = (Path(__file__).resolve().parents[1] / "docs" / "usage.md").read_text(encoding="utf-8")
    block = re.search(r"```json\n(.*?)```", docs, re.S)
    assert block is not None, "docs/usage.md has no JSON example"
    documented = json.loads(block.group(1))
    real = as_json(
        usage(
            cli,
            FIXTURES / "codex",
            "--by",
            "month",
            "--timezone",
            "UTC",
            "--plan",
            "solo",
            "-f",
            "json",
        )
    )
    assert set(documented) == set(real) == EXPECTED_KEYS
    assert set(documented["totals"]) == set(documented["groups"][0]) - {"key", "keys"} == TOTAL_KEYS
    assert set(documented["plan"]) == set(real["plan"]) == PLAN_KEYS


def test_billing_rows_are_priced_at_the_tier_the_export_records(cli, tmp_path):
    """An Anthropic usage row billed as batch costs half the same row billed as standard."""
    import json as _json
    from decimal import Decimal as _Decimal
    from pathlib import Path as _Path

    source = (
        _Path(__file__).parent / "fixtures" / "usage" / "anthropic_billing" / "usage_report.json"
    )
    document = _json.loads(source.read_text())
    costs = {}
    for tier in ("standard", "batch"):
        document["data"][0]["results"][0]["service_tier"] = tier
        path = tmp_path / f"usage_{tier}.json"
        path.write_text(_json.dumps(document))
        result = cli("usage", str(path), "--by", "day", "--timezone", "UTC", "-f", "json")
        assert result.exit_code == 0, result.stderr
        groups = {g["key"]: g for g in _json.loads(result.stdout)["groups"]}
        costs[tier] = _Decimal(groups["2025-09-01"]["cost"])
    assert costs["batch"] * 2 == costs["standard"] > 0
