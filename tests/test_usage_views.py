"""Usage views: --by (combinable), --since/--until (dates and relative words), --project."""

from __future__ import annotations

import itertools
import json
from datetime import date, datetime, timezone
from decimal import Decimal as D
from pathlib import Path

import pytest

from tokencalc.cli.flags import error_message
from tokencalc.errors import UsageError
from tokencalc.usage.records import UsageRecord
from tokencalc.usage.views import (
    DIMENSIONS,
    RecordFilter,
    local_day,
    make_filter,
    parse_bound,
    record_key,
)

FIXTURES = Path(__file__).parent / "fixtures" / "usage"
MONDAY = date(2026, 11, 30)  # a Monday


@pytest.mark.parametrize(
    ("text", "end", "expected"),
    [
        ("2025-09-02", False, date(2025, 9, 2)),
        ("20250902", True, date(2025, 9, 2)),
        ("2025-02", False, date(2025, 2, 1)),
        ("2025-02", True, date(2025, 2, 28)),
        ("2024-02", True, date(2024, 2, 29)),
        ("2025-12", True, date(2025, 12, 31)),
        ("7d", False, date(2026, 11, 24)),  # the last 7 days: 24th..30th
        ("7d", True, date(2026, 11, 23)),  # everything before them
        ("1d", False, MONDAY),
        ("2w", False, date(2026, 11, 17)),
        ("1m", False, date(2026, 11, 1)),  # 30 days, today included
        ("today", True, MONDAY),
        ("yesterday", False, date(2026, 11, 29)),
        ("this-week", False, MONDAY),
        ("this-week", True, date(2026, 12, 6)),
        ("last-week", False, date(2026, 11, 23)),
        ("last-week", True, date(2026, 11, 29)),
        ("this-month", False, date(2026, 11, 1)),
        ("this-month", True, date(2026, 11, 30)),
        ("last-month", False, date(2026, 10, 1)),
        ("last-month", True, date(2026, 10, 31)),
        ("THIS-YEAR", False, date(2026, 1, 1)),
        ("last-year", True, date(2025, 12, 31)),
    ],
)
def test_bounds(text, end, expected):
    assert parse_bound(text, MONDAY, end=end, name="since") == expected


def test_last_month_from_january_wraps_the_year():
    assert parse_bound("last-month", date(2026, 1, 15), end=False, name="since") == date(
        2025, 12, 1
    )
    assert parse_bound("last-month", date(2026, 1, 15), end=True, name="until") == date(
        2025, 12, 31
    )


@pytest.mark.parametrize("text", ["2025-13-01", "2025-02-30", "0d", "soon", "7x", ""])
def test_bad_bounds_are_usage_errors(text):
    with pytest.raises(UsageError):
        parse_bound(text, MONDAY, end=False, name="since")


def test_since_after_until_is_a_usage_error():
    with pytest.raises(UsageError) as raised:
        make_filter("2025-09-03", "2025-09-02", None, timezone.utc)
    assert (
        str(raised.value) == "since 2025-09-03 (2025-09-03) is after until 2025-09-02 (2025-09-02)"
    )
    assert error_message(raised.value) == (
        "--since 2025-09-03 (2025-09-03) is after --until 2025-09-02 (2025-09-02)"
    )


def _record(when: datetime, **kw) -> UsageRecord:
    return UsageRecord(
        timestamp=when,
        source=kw.pop("source", "claude-code"),
        model="m",
        input_tokens=1,
        output_tokens=1,
        **kw,
    )


def test_filter_uses_the_local_day_and_the_project_substring():
    from zoneinfo import ZoneInfo

    tokyo = ZoneInfo("Asia/Tokyo")
    late = _record(datetime(2025, 9, 1, 20, 0, tzinfo=timezone.utc), project="/home/u/Shop-API")
    only_2nd = RecordFilter(date(2025, 9, 2), date(2025, 9, 2))
    assert only_2nd.keeps(late, tokyo) and not only_2nd.keeps(
        late, timezone.utc
    )  # 05:00 on the 2nd in Tokyo
    assert RecordFilter(project="shop-api").keeps(late, timezone.utc)
    assert not RecordFilter(project="shop-web").keeps(late, timezone.utc)
    assert not RecordFilter(project="x").keeps(
        _record(late.timestamp), timezone.utc
    )  # no project recorded


def test_record_keys_per_dimension():
    rec = _record(datetime(2025, 9, 1, 23, 30, tzinfo=timezone.utc), session="s1", source="codex")
    day = local_day(rec, timezone.utc)
    assert record_key(DIMENSIONS, rec, day, "gpt-5") == (
        "2025-09-01", "2025-W36", "2025-09", "s1", "(no project)", "gpt-5", "codex", "codex",
    )  # fmt: skip
    export = _record(
        datetime(2025, 12, 29, tzinfo=timezone.utc), source="openai-usage"
    )  # a UTC-day bucket
    from zoneinfo import ZoneInfo

    assert local_day(export, ZoneInfo("America/New_York")) == date(
        2025, 12, 29
    )  # stays on its UTC day
    assert record_key(("week", "agent"), export, date(2025, 12, 29), "x") == (
        "2026-W01",
        "openai-api",
    )


# --- through the CLI -------------------------------------------------------------------------------


def usage(cli, *args):
    result = cli("usage", *map(str, args))
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


VIEWS = [[d] for d in DIMENSIONS] + [
    ["month", "model"],
    ["day", "source"],
    ["agent", "project", "week"],
]


@pytest.fixture
def every_view(cli):
    return {
        tuple(view): usage(
            cli,
            FIXTURES,
            "--tz",
            "Asia/Tokyo",
            "-f",
            "json",
            *itertools.chain(*(("--by", d) for d in view)),
        )
        for view in VIEWS
    }


def test_every_view_has_the_same_totals_and_its_groups_add_up_to_them(every_view):
    totals = {json.dumps(doc["totals"], sort_keys=True) for doc in every_view.values()}
    assert len(totals) == 1
    for view, doc in every_view.items():
        assert doc["dimensions"] == list(view)
        assert sum(D(g["cost"]) for g in doc["groups"]) == D(doc["totals"]["cost"]) > 0
        for field in (
            "requests",
            "input_tokens",
            "cached_input_tokens",
            "cache_write_tokens",
            "output_tokens",
        ):
            assert sum(g[field] for g in doc["groups"]) == doc["totals"][field], (view, field)
        for g in doc["groups"]:
            assert list(g["keys"]) == list(view) and g["key"] == " · ".join(g["keys"].values())


def test_combined_view_splits_the_single_views(every_view):
    combined = every_view[("month", "model")]
    by_model = {g["key"]: D(g["cost"]) for g in every_view[("model",)]["groups"]}
    summed: dict[str, D] = {}
    for g in combined["groups"]:
        summed[g["keys"]["model"]] = summed.get(g["keys"]["model"], D(0)) + D(g["cost"])
    assert summed == by_model
    agents = {g["key"] for g in every_view[("agent",)]["groups"]}
    # Claude.ai exports name no model, so they are unpriced and in no group
    assert {
        "claude-code",
        "codex",
        "gemini-cli",
        "chatgpt",
        "openai-api",
        "anthropic-api",
    } == agents


def test_since_until_keep_the_days_asked_for(cli):
    paths = (FIXTURES / "claude_code", FIXTURES / "codex")
    by_day = {g["key"]: g for g in usage(cli, *paths, "--tz", "UTC", "-f", "json")["groups"]}
    assert len(by_day) >= 2
    day = sorted(by_day)[1]
    one = usage(cli, *paths, "--tz", "UTC", "-f", "json", "--since", day, "--until", day)
    assert [g["key"] for g in one["groups"]] == [day]
    assert (
        one["totals"]["cost"] == by_day[day]["cost"]
        and one["records_in_view"] == by_day[day]["requests"]
    )
    later = usage(cli, *paths, "--tz", "UTC", "-f", "json", "--since", day)
    assert [g["key"] for g in later["groups"]] == [k for k in sorted(by_day) if k >= day]


def test_project_filter_and_empty_views(cli):
    paths = (FIXTURES / "claude_code", FIXTURES / "codex")
    everything = {
        g["key"]: g
        for g in usage(cli, *paths, "--tz", "UTC", "-f", "json", "--by", "project")["groups"]
    }
    # one Claude Code line has no cwd; every other record of both fixtures is in /home/u/proj
    assert (
        set(everything) == {"/home/u/proj", "(no project)"}
        and everything["(no project)"]["requests"] == 1
    )
    mine = usage(cli, *paths, "--tz", "UTC", "-f", "json", "--project", "U/PROJ", "--by", "project")
    assert [g["key"] for g in mine["groups"]] == ["/home/u/proj"]
    kept = {k: v for k, v in everything["/home/u/proj"].items() if k not in ("key", "keys")}
    assert mine["totals"] == kept
    assert mine["records_in_view"] == 8
    result = cli("usage", *map(str, paths), "--project", "elsewhere")
    assert result.exit_code == 1 and "no usage records left" in result.stderr
    result = cli("usage", *map(str, paths), "--since", "tomorrow")
    assert result.exit_code == 2 and "--since: cannot read 'tomorrow'" in result.stderr


def test_table_shows_one_column_per_dimension(cli):
    result = cli("usage", str(FIXTURES / "codex"), "--tz", "UTC", "--by", "month", "--by", "model")
    assert result.exit_code == 0, result.stderr
    assert "API-equivalent cost by month and model" in result.stdout
    header = next(line for line in result.stdout.splitlines() if "Month" in line)
    assert "Model" in header and header.index("Month") < header.index("Model")
    assert any(line.split()[:2] == ["2025-09", "gpt-5"] for line in result.stdout.splitlines())
