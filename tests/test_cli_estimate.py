"""``tokencalc estimate`` (and ``count --model`` through the sheet) on the sample sheet."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from test_sheet import sample_text
from tokencalc.counting.counter import count_text

D = Decimal
TEXT = "The quick brown fox jumps over the lazy dog.\n" * 3


@pytest.fixture(autouse=True)
def sample_sheet(packaged_sheet):
    """The sample sheet stands in for the packaged one."""
    packaged_sheet(sample_text())


@pytest.fixture
def files(tmp_path):
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "b.txt").write_text("hello world\n", encoding="utf-8")
    return tmp_path


def as_json(result):
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def rows_by_model(document):
    return {row["model"]: row for row in document["rows"]}


def test_json_contract_and_hand_computed_cost(cli, files):
    n = count_text(TEXT)
    assert n < 100  # below alpha's long-context threshold
    document = as_json(
        cli(
            "estimate",
            str(files / "a.txt"),
            "-m",
            "alpha",
            "--output-tokens",
            "10",
            "--format",
            "json",
        )
    )
    assert set(document) >= {
        "date",
        "currency",
        "assumptions",
        "inputs",
        "rows",
        "per_file",
        "cheapest",
    }
    assert document["currency"] == "USD"
    assert document["assumptions"]["output_tokens"] == 10 and document["assumptions"]["calls"] == 1
    assert document["inputs"] == [
        {
            "path": str(files / "a.txt"),
            "chars": len(TEXT),
            "words": 27,
            "lines": 3,
            "bytes": len(TEXT),
            "tokens": {"o200k_base": n},
        }
    ]
    (row,) = document["rows"]
    assert set(row) >= {
        "model",
        "provider",
        "input_tokens",
        "output_tokens",
        "estimated",
        "fits_context",
        "input_cost",
        "output_cost",
        "cost",
    }
    assert (row["model"], row["provider"], row["input_tokens"], row["output_tokens"]) == (
        "alpha",
        "acme",
        n,
        10,
    )
    assert row["estimated"] is False and row["fits_context"] is True and row["cheapest"] is True
    assert D(row["input_cost"]) == D(n) * 2 / 1_000_000
    assert D(row["output_cost"]) == D("0.00008")
    assert D(row["cost"]) == (D(n) * 2 + 80) / 1_000_000
    assert document["per_file"] == []


def test_default_models_and_estimated_marking(cli, files):
    n = count_text(TEXT)
    result = cli("estimate", str(files / "a.txt"))
    assert result.exit_code == 0, result.stderr
    claude = -(-n * 3 // 2)  # ceil(n × 1.5)
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if line.strip()}
    assert f"≈{claude:,}" in lines["claude-x"] and "×1.5 o200k" in lines["claude-x"]
    assert f"≈{-(-len(TEXT) // 4):,}" in lines["gem"] and "×0.25 characters" in lines["gem"]
    assert (
        "≈" not in lines["alpha"] and "exact" in lines["alpha"] and "★ cheapest" in lines["alpha"]
    )
    assert "output = 25% of input (default)" in result.stdout
    document = as_json(cli("estimate", str(files / "a.txt"), "-f", "json"))
    rows = rows_by_model(document)
    assert list(rows) == ["alpha", "gem", "claude-x"]  # sorted by cost
    assert rows["claude-x"]["estimated"] is True and rows["claude-x"]["ratio"] == 1.5
    assert rows["claude-x"]["input_tokens"] == claude
    assert rows["claude-x"]["output_tokens"] == -(-claude // 4)


def test_each_base_tokenizer_is_counted_once(cli, files, monkeypatch):
    import tokencalc.counting.counter as counting
    from tokencalc.counting import encodings

    made = []

    class Spy(counting.TokenCounter):
        def __init__(self, names, **kwargs):
            made.append(list(names))
            super().__init__(names, **kwargs)

    monkeypatch.setattr(counting, "TokenCounter", Spy)
    assert (
        cli(
            "estimate",
            str(files / "a.txt"),
            "-m",
            "alpha",
            "-m",
            "claude-x",
            "-m",
            "gem",
            "-f",
            "json",
        ).exit_code
        == 0
    )
    assert made == [["o200k_base"]]
    made.clear()

    def no_tokenizer(name):
        raise AssertionError(f"built tokenizer {name} for a characters-only estimate")

    monkeypatch.setattr(encodings, "rank_table", no_tokenizer)
    monkeypatch.setattr(encodings, "get_encoding", no_tokenizer)
    assert cli("estimate", str(files / "a.txt"), "-m", "gem", "-f", "json").exit_code == 0
    assert made == [[]]  # characters only: a counter with no tokenizer at all


def test_per_file_rows(cli, files):
    document = as_json(
        cli(
            "estimate",
            str(files / "a.txt"),
            str(files / "b.txt"),
            "-m",
            "alpha",
            "-m",
            "claude-x",
            "--per-file",
            "-f",
            "json",
        )
    )
    assert [(r["input"], r["model"]) for r in document["per_file"]] == [
        (str(files / "a.txt"), "alpha"),
        (str(files / "b.txt"), "alpha"),
        (str(files / "a.txt"), "claude-x"),
        (str(files / "b.txt"), "claude-x"),
    ]
    alpha = rows_by_model(document)["alpha"]
    per_file = [r for r in document["per_file"] if r["model"] == "alpha"]
    assert alpha["input_tokens"] == sum(r["input_tokens"] for r in per_file)
    assert D(alpha["cost"]) == sum(D(r["cost"]) for r in per_file)
    table = cli("estimate", str(files / "a.txt"), str(files / "b.txt"), "-m", "alpha", "--per-file")
    assert "all inputs" in table.stdout and str(files / "b.txt") in table.stdout


def test_glob_selection(cli, files):
    document = as_json(cli("estimate", str(files / "b.txt"), "-m", "claude-*", "-f", "json"))
    assert list(rows_by_model(document)) == ["claude-x"]
    result = cli("estimate", str(files / "b.txt"), "-m", "gpt-*")
    assert result.exit_code == 1
    assert "no model matches 'gpt-*'" in result.stderr


def test_unknown_model_suggests_and_exits_1(cli, files):
    result = cli("estimate", str(files / "b.txt"), "-m", "claude-z")
    assert result.exit_code == 1
    assert (
        result.stderr.strip()
        == "tokencalc: error: unknown model 'claude-z' (did you mean claude-x, claude-old?)"
    )


def test_budget_gate_exits_3_after_printing(cli, files):
    args = [
        "estimate",
        str(files / "a.txt"),
        "-m",
        "alpha",
        "-m",
        "claude-x",
        "--output-tokens",
        "0",
        "--calls",
        "1000",
    ]
    n = count_text(TEXT)
    cheapest = D(n) * 2 * 1000 / 1_000_000  # alpha
    ok = cli(*args, "--max-cost", str(cheapest))
    assert ok.exit_code == 0, ok.stderr
    over = cli(*args, "--max-cost", "0.01", "-f", "json")
    assert over.exit_code == 3
    assert json.loads(over.stdout)["cheapest"] == "alpha"
    assert (
        over.stderr.strip()
        == f"tokencalc: error: over budget: the cheapest model that fits, alpha, costs ${cheapest:.4f}, more than --max-cost 0.01 USD"
    )


def test_models_the_input_does_not_fit_are_excluded_from_cheapest(cli, tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("word " * 1200, encoding="utf-8")  # > 1,000 tokens: too long for alpha
    document = as_json(cli("estimate", str(big), "-m", "alpha", "-m", "claude-x", "-f", "json"))
    rows = rows_by_model(document)
    assert rows["alpha"]["fits_context"] is False and rows["alpha"]["notes"][0].startswith(
        "too long:"
    )
    assert D(rows["alpha"]["cost"]) < D(rows["claude-x"]["cost"])
    assert document["cheapest"] == "claude-x" and rows["claude-x"]["cheapest"] is True
    result = cli("estimate", str(big), "-m", "alpha", "--max-cost", "100")
    assert result.exit_code == 3 and "no selected model fits the input" in result.stderr


def test_dates_pick_the_prices_in_force(cli, tmp_path):
    text = tmp_path / "t.txt"
    text.write_text("x" * 4000, encoding="utf-8")  # gem: 1,000 tokens
    costs = []
    for day in ("2026-11-30", "2026-12-01"):
        document = as_json(
            cli(
                "estimate",
                str(text),
                "-m",
                "gem",
                "--output-tokens",
                "100",
                "--date",
                day,
                "-f",
                "json",
            )
        )
        assert document["date"] == day
        costs.append(document["rows"][0]["cost"])
    assert costs == ["0.003", "0.006"]


def test_tiers(cli, files):
    n = count_text(TEXT)
    document = as_json(
        cli(
            "estimate",
            str(files / "a.txt"),
            "-m",
            "alpha",
            "-m",
            "legacy",
            "--batch",
            "--output-tokens",
            "0",
            "-f",
            "json",
        )
    )
    rows = rows_by_model(document)
    assert D(rows["alpha"]["cost"]) == D(n) / 1_000_000  # half of $2/M
    assert rows["legacy"]["cost"] is None and rows["legacy"]["notes"] == ["no batch tier"]
    priority = as_json(
        cli(
            "estimate",
            str(files / "a.txt"),
            "-m",
            "alpha",
            "--tier",
            "priority",
            "--output-tokens",
            "0",
            "-f",
            "json",
        )
    )
    assert D(priority["rows"][0]["cost"]) == D(n) * 3 / 1_000_000


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_a_tier_no_selected_model_offers_exits_1_after_the_rows(cli, files, fmt):
    result = cli(
        "estimate",
        str(files / "a.txt"),
        "-m",
        "legacy",
        "-m",
        "claude-x",
        "--tier",
        "flex",
        "-f",
        fmt,
    )
    assert result.exit_code == 1
    assert (
        result.stderr
        == "tokencalc: error: none of the selected models offers the flex tier (models that do: gem)\n"
    )
    assert (
        "legacy" in result.stdout and "claude-x" in result.stdout
    )  # the rows are still shown, unpriced
    if fmt == "json":
        assert [row["cost"] for row in json.loads(result.stdout)["rows"]] == [None, None]


def test_a_tier_some_selected_models_offer_is_not_an_error(cli, files):
    document = as_json(
        cli(
            "estimate",
            str(files / "a.txt"),
            "-m",
            "legacy",
            "-m",
            "gem",
            "--tier",
            "flex",
            "-f",
            "json",
        )
    )
    assert [row["cost"] is None for row in document["rows"]] == [False, True]


def test_currency_conversion(cli, files, tmp_path):
    base = as_json(cli("estimate", str(files / "a.txt"), "-m", "alpha", "-f", "json"))["rows"][0][
        "cost"
    ]
    eur = as_json(
        cli(
            "estimate",
            str(files / "a.txt"),
            "-m",
            "alpha",
            "--currency",
            "eur",
            "--rate",
            "0.5",
            "-f",
            "json",
        )
    )
    assert eur["currency"] == "EUR" and D(eur["rows"][0]["cost"]) == D(base) / 2
    rates = tmp_path / "rates.toml"
    rates.write_text("[currencies]\nGBP = 0.8\n")
    gbp = as_json(
        cli(
            "estimate",
            str(files / "a.txt"),
            "-m",
            "alpha",
            "--currency",
            "GBP",
            "--prices",
            str(rates),
            "-f",
            "json",
        )
    )
    assert D(gbp["rows"][0]["cost"]) == D(base) * D("0.8")
    table = cli(
        "estimate", str(files / "a.txt"), "-m", "alpha", "--currency", "GBP", "--prices", str(rates)
    )
    assert "£" in table.stdout and "costs in GBP" in table.stdout
    unknown = cli("estimate", str(files / "a.txt"), "--currency", "JPY")
    assert unknown.exit_code == 1 and "no exchange rate for JPY" in unknown.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--output-ratio", "-1"], "--output-ratio must be a non-negative number, got '-1'"),
        (["--output-ratio", "200"], "--output-ratio must be from 0 to 100, got 200"),
        (
            ["--output-ratio", "0.5", "--output-tokens", "5"],
            "give --output-tokens or --output-ratio, not both",
        ),
        (["--cached", "1.5"], "--cached must be a fraction from 0 to 1, got 1.5"),
        (["--cached", "abc"], "--cached must be a non-negative number, got 'abc'"),
        (["--date", "2026-13-01"], "--date must be a date like 2026-11-22, got '2026-13-01'"),
        (["--max-cost", "-5"], "--max-cost must be a non-negative number, got '-5'"),
        (["--batch", "--tier", "flex"], "give --batch or --tier, not both"),
        (["--rate", "0.9"], "--rate needs --currency (the code the rate converts to)"),
        (["--currency", "EURO"], "--currency must be a three-letter code like EUR, got 'EURO'"),
    ],
)
def test_usage_errors_exit_2_with_one_line(cli, files, args, message):
    result = cli("estimate", str(files / "b.txt"), *args)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"tokencalc: error: {message}"
    assert result.stdout == ""


@pytest.mark.parametrize(
    "args", [["--calls", "0"], ["--output-tokens", "-3"], ["--tier", "turbo"], ["--sort", "price"]]
)
def test_out_of_range_options_are_usage_errors(cli, files, args):
    result = cli("estimate", str(files / "b.txt"), *args)
    assert result.exit_code == 2


def test_stale_sheet_warns_once(cli, files, tmp_path):
    old = tmp_path / "old.toml"
    old.write_text("as_of = 2020-01-01\n")
    result = cli("estimate", str(files / "b.txt"), "--prices", str(old), "-f", "json")
    assert result.exit_code == 0
    assert result.stderr.count("warning: the price sheet is") == 1
    assert "as of 2020-01-01" in result.stderr
    fresh = cli("estimate", str(files / "b.txt"), "-f", "json")
    assert "warning" not in fresh.stderr


def test_broken_prices_file_is_one_clear_error(cli, files, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[models.alpha]\ninput = "abc"\n')
    result = cli("estimate", str(files / "b.txt"), "--prices", str(bad))
    assert result.exit_code == 1
    assert (
        result.stderr.strip()
        == f'tokencalc: error: {bad}: models."alpha".input: must be a non-negative number, got "abc"'
    )


def test_inputs_like_count_stdin_and_problems(cli, files):
    piped = as_json(cli("estimate", "-m", "alpha", "-f", "json", input=TEXT))
    assert piped["inputs"][0]["path"] == "-" and piped["rows"][0]["input_tokens"] == count_text(
        TEXT
    )
    result = cli(
        "estimate", str(files / "missing.txt"), str(files / "b.txt"), "-m", "alpha", "-f", "json"
    )
    assert result.exit_code == 1
    assert f"tokencalc: error: {files / 'missing.txt'}: no such file or directory" in result.stderr
    document = json.loads(result.stdout)
    assert document["inputs"][0] == {
        "path": str(files / "missing.txt"),
        "error": "no such file or directory",
    }
    assert document["rows"][0]["input_tokens"] == 3
    only_missing = cli("estimate", str(files / "missing.txt"))
    assert only_missing.exit_code == 1 and only_missing.stdout == ""


def test_csv_and_markdown(cli, files):
    csv_out = cli("estimate", str(files / "b.txt"), "-m", "alpha", "-m", "claude-x", "-f", "csv")
    header, *lines = csv_out.stdout.strip().splitlines()
    assert header.startswith("model,name,provider,input_tokens,output_tokens")
    assert len(lines) == 2
    markdown = cli("estimate", str(files / "b.txt"), "-m", "claude-x", "-f", "markdown")
    row = next(line for line in markdown.stdout.splitlines() if line.startswith("| claude-x |"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert cells[1] == "≈5" and cells[4] == "×1.5 o200k_base"


# --- count --model through the sheet ----------------------------------------------------------


def test_count_estimates_models_only_the_sheet_knows(cli, files):
    result = cli("count", str(files / "b.txt"), "--model", "claude-x")
    assert result.exit_code == 0, result.stderr
    assert (
        "≈5" in result.stdout and "≈ anthro-est: estimated (ratio ×1.5 o200k_base)" in result.stdout
    )
    document = as_json(cli("count", str(files / "b.txt"), "--model", "claude-x", "-f", "json"))
    assert (
        document["estimated"] is True
        and document["ratio"] == 1.5
        and document["base_encoding"] == "o200k_base"
    )
    assert document["total"]["tokens"] == 5  # ceil(3 × 1.5)
    gem = as_json(cli("count", str(files / "b.txt"), "--model", "gem", "-f", "json"))
    assert gem["base_encoding"] == "characters" and gem["total"]["tokens"] == 3  # ceil(12 × 0.25)
    quiet = cli("count", "-q", "--model", "alpha-latest", input="hello world\n")
    assert quiet.stdout == "3\n"  # an exact tokenizer from the sheet: no ≈


def test_count_does_not_load_the_sheet_for_models_tiktoken_knows(cli, files, monkeypatch):
    import tokencalc.sheet.load as sheet_module

    def refuse(*args, **kwargs):
        raise AssertionError("the price sheet was loaded")

    monkeypatch.setattr(sheet_module, "load_price_sheet", refuse)
    result = cli("count", str(files / "b.txt"), "--model", "gpt-4o", "-f", "json")
    assert result.exit_code == 0 and "estimated" not in json.loads(result.stdout)


def test_count_unknown_model_suggests_sheet_names(cli, files):
    result = cli("count", str(files / "b.txt"), "--model", "claude-xx")
    assert result.exit_code == 1
    assert "did you mean claude-x" in result.stderr


def test_per_day_prices_a_month_of_calls(cli, files):
    month = as_json(
        cli("estimate", str(files / "a.txt"), "-m", "alpha", "--per-day", "100", "-f", "json")
    )
    same = as_json(
        cli("estimate", str(files / "a.txt"), "-m", "alpha", "--calls", "3000", "-f", "json")
    )
    assert month["rows"][0]["cost"] == same["rows"][0]["cost"]
    assert (
        month["assumptions"]["calls"],
        month["assumptions"]["per_day"],
        month["assumptions"]["days"],
    ) == (3000, 100, 30)
    short = as_json(
        cli(
            "estimate",
            str(files / "a.txt"),
            "-m",
            "alpha",
            "--per-day",
            "100",
            "--days",
            "28",
            "-f",
            "json",
        )
    )
    assert short["assumptions"]["calls"] == 2800
    table = cli("estimate", str(files / "a.txt"), "-m", "alpha", "--per-day", "100")
    assert "100 calls a day per input × 30 days = a month" in " ".join(table.stdout.split())
    both = cli("estimate", str(files / "a.txt"), "--per-day", "2", "--calls", "3")
    assert (both.exit_code, both.stderr) == (
        2,
        "tokencalc: error: give --calls or --per-day, not both\n",
    )
