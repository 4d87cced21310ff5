"""The Python API (``import tokencalc``): its documented examples, its errors, and its cost."""

from __future__ import annotations

import doctest
import math
import subprocess
import sys
import textwrap
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

import tokencalc
from tokencalc.counting.counter import count_text

ROOT = Path(__file__).resolve().parent.parent
DAY = date(2026, 11, 22)


def test_the_docstring_examples_hold():
    import tokencalc.api.costs
    import tokencalc.api.counts
    import tokencalc.api.sheets

    attempted = 0
    for module in (tokencalc.api, tokencalc.api.counts, tokencalc.api.costs, tokencalc.api.sheets):
        result = doctest.testmod(
            module,
            extraglobs={"tokencalc": tokencalc, "date": date},
            optionflags=doctest.ELLIPSIS,
        )
        assert result.failed == 0, module.__name__
        attempted += result.attempted
    assert attempted >= 8


def _python_blocks(markdown: Path) -> list[str]:
    blocks: list[str] = []
    current: list[str] | None = None
    for line in markdown.read_text(encoding="utf-8").splitlines():
        if line.strip() == "```python":
            current = []
        elif line.strip() == "```" and current is not None:
            blocks.append("\n".join(current))
            current = None
        elif current is not None:
            current.append(line)
    return blocks


def test_the_documented_script_runs(tmp_path, monkeypatch):
    """docs/python-api.md's first example, run as written (pandas examples are tested below)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "report.txt").write_text("Quarterly results were strong. " * 50, encoding="utf-8")
    script = _python_blocks(ROOT / "docs" / "python-api.md")[0]
    assert "pandas" not in script
    exec(compile(script, "python-api.md", "exec"), {})


def test_count_tokens_maps_over_a_column_of_texts():
    """What the dataframe example below relies on, without pandas (importing it costs ~0.4 s of
    CPU, so the example itself is in the slow set): count_tokens as a one-argument function
    mapped over a column of texts, an empty one included."""
    texts = ["hello world", "The quick brown fox", ""]
    assert list(map(tokencalc.count_tokens, texts)) == [2, 4, 0]


@pytest.mark.slow
def test_the_documented_dataframe_example():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"text": ["hello world", "The quick brown fox", ""]})
    df["tokens"] = df["text"].map(tokencalc.count_tokens)
    assert df["tokens"].tolist() == [2, 4, 0]


def test_import_is_cheap_and_lazy():
    code = textwrap.dedent(
        """
        import sys
        import tokencalc
        assert tokencalc.__version__
        loaded = sorted(m for m in sys.modules if m.startswith(("tokencalc.", "tiktoken", "typer", "rich", "regex")))
        print(loaded)
        tokencalc.TokencalcError
        print("tiktoken" in sys.modules)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["[]", "False"]


def test_public_names():
    assert set(tokencalc.__all__) >= {
        "__version__", "count_tokens", "estimate_tokens", "count_file", "load_prices", "estimate_cost",
        "compare_models", "TokenCount", "CostEstimate", "PriceSheet", "TokencalcError", "PriceSheetError",
        "UnknownModelError", "InputError", "UsageError",
    }  # fmt: skip
    assert "count_tokens" in dir(tokencalc)
    assert issubclass(tokencalc.UnknownModelError, tokencalc.TokencalcError)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        tokencalc.nope  # noqa: B018


# --- counting -------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["o200k_base", "o200k_harmony", "cl100k_base"])
def test_count_tokens_is_exact(encoding):
    text = "Tokens, 中文 and code: def f(x): return x ** 2\n" * 40
    assert tokencalc.count_tokens(text, encoding=encoding) == count_text(text, encoding)


def test_a_large_text_is_counted_exactly_like_a_small_one():
    text = "word " * 200_000
    assert tokencalc.count_tokens(text) == count_text(text) > 200_000


def test_models_pick_their_tokenizer(monkeypatch):
    from tokencalc.tokenizers import claude_reconstruction

    monkeypatch.setattr(claude_reconstruction, "enabled", False)  # the per-class table
    text = "hello world, this is a test"
    assert tokencalc.count_tokens(text, model="gpt-4") == count_text(text, "cl100k_base")
    assert tokencalc.count_tokens(text, model="gpt-6-luna") == count_text(text, "o200k_base")
    estimate = tokencalc.estimate_tokens(text, model="claude-sonnet-5-5")
    assert (estimate.estimated, estimate.tokenizer, estimate.base, estimate.ratio) == (
        True,
        "claude-5",
        "o200k_base",
        Decimal("1.5"),
    )
    # o200k_base: hello| world|,| this| is| a| test = 6 Latin tokens and 1 punctuation token
    claude = tokencalc.load_prices().tokenizers["claude-5"].counting.classes
    assert claude is not None
    assert (
        estimate.tokens
        == math.ceil(6 * claude["latin"] + claude["punctuation"])
        == tokencalc.count_tokens(text, model="claude-sonnet-5-5")
    )
    # Gemini by piece code: "hello" (one Gemma 3 token alone, no space), five words with a
    # space (one Gemma token each), "," (one, no space): the first and second of six ratios.
    gemini_table = tokencalc.load_prices().tokenizers["gemini"].counting.pieces
    assert gemini_table is not None
    gemini = tokencalc.estimate_tokens(text, model="gemini-4-argon")
    assert (gemini.base, gemini.tokens) == (
        "o200k_base",
        math.ceil(
            gemini_table["latin"][0] + 5 * gemini_table["latin"][1] + gemini_table["punctuation"][0]
        ),
    )


def test_counting_errors_are_tokencalc_errors():
    with pytest.raises(
        tokencalc.UnknownModelError,
        match="unknown model 'clade-sonet-5-5' \\(did you mean claude-sonnet-5-5",
    ):
        tokencalc.count_tokens("x", model="clade-sonet-5-5")
    with pytest.raises(tokencalc.TokencalcError, match="unknown encoding 'p50k'"):
        tokencalc.count_tokens("x", encoding="p50k")
    with pytest.raises(tokencalc.UsageError, match="not both"):
        tokencalc.count_tokens("x", model="gpt-4", encoding="cl100k_base")
    with pytest.raises(tokencalc.UsageError, match="text must be a str, got bytes"):
        tokencalc.count_tokens(b"x")  # type: ignore[arg-type]  # a wrong type on purpose


def test_count_file(tmp_path):
    text = "Some notes.\n" * 1000
    path = tmp_path / "notes.txt"
    path.write_text(text, encoding="utf-8")
    assert tokencalc.count_file(path) == count_text(text)
    assert tokencalc.count_file(str(path), model="gpt-4") == count_text(text, "cl100k_base")
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\0\0\0")
    with pytest.raises(tokencalc.InputError, match=r"logo\.png: binary file, not counted"):
        tokencalc.count_file(tmp_path / "logo.png")
    with pytest.raises(tokencalc.InputError, match=r"missing\.txt: no such file or directory"):
        tokencalc.count_file(tmp_path / "missing.txt")


# --- prices ---------------------------------------------------------------------------------------


def test_estimate_cost_from_tokens_and_from_text():
    cost = tokencalc.estimate_cost(
        "gpt-5", input_tokens=10_000, output_tokens=2_000, cached_input_tokens=4_000, on=DAY
    )
    assert (cost.input_cost, cost.cached_input_cost, cost.output_cost) == (
        Decimal("0.0075"),
        Decimal("0.0005"),
        Decimal("0.02"),
    )
    assert cost.total == Decimal("0.028") and isinstance(cost.total, Decimal)
    batch = tokencalc.estimate_cost(
        "gpt-5", input_tokens=10_000, output_tokens=2_000, tier="batch", on=DAY
    )
    assert batch.total == Decimal("0.01625") and batch.tier == "batch"
    text = "hello world " * 100
    from_text = tokencalc.estimate_cost("claude-sonnet-5-5", text=text, on=DAY)
    assert from_text.estimated and from_text.input_tokens == tokencalc.count_tokens(
        text, model="claude-sonnet-5-5"
    )


def test_estimate_cost_errors():
    with pytest.raises(tokencalc.UsageError, match="give input_tokens or text"):
        tokencalc.estimate_cost("gpt-5")
    with pytest.raises(tokencalc.UsageError, match="unknown tier 'cheap'"):
        tokencalc.estimate_cost("gpt-5", input_tokens=1, tier="cheap")
    with pytest.raises(tokencalc.UnknownModelError):
        tokencalc.estimate_cost("gpt-99", input_tokens=1)
    with pytest.raises(
        tokencalc.UsageError, match="input_tokens must be a non-negative int, got -1"
    ):
        tokencalc.estimate_cost("gpt-5", input_tokens=-1)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: tokencalc.estimate_cost("gpt-5", input_tokens=1, on=20270101),  # type: ignore[arg-type]  # a wrong type on purpose
            "on must be a datetime.date or a date string like '2026-11-22', got 20270101",
        ),
        (
            lambda: tokencalc.estimate_cost("gpt-5", input_tokens=1, on="next week"),
            "on must be a datetime.date or a date string",
        ),
        (
            lambda: tokencalc.estimate_cost("gpt-5", input_tokens="10"),  # type: ignore[arg-type]  # a wrong type on purpose
            "input_tokens must be a non-negative int, got '10'",
        ),
        (
            lambda: tokencalc.compare_models(100, ["gpt-5"], output_ratio="abc"),
            "output_ratio must be a number from 0 to 100, got 'abc'",
        ),
        (
            lambda: tokencalc.compare_models(100, ["gpt-5"], output_ratio=True),
            "output_ratio must be a number from 0 to 100, got True",
        ),
        (
            lambda: tokencalc.compare_models(100, ["gpt-5"], cached_fraction=float("nan")),
            "cached_fraction must be a number from 0 to 1, got nan",
        ),
        (
            lambda: tokencalc.compare_models(100, ["gpt-5"], cached_fraction=1.5),
            "cached_fraction must be a number from 0 to 1, got 1.5",
        ),
        (
            lambda: tokencalc.compare_models(100, ["gpt-5"], output_tokens=-2),
            "output_tokens must be a non-negative int, got -2",
        ),
        (
            lambda: tokencalc.compare_models(100, ["gpt-5"], output_tokens=5, output_ratio=1),
            "give output_tokens or output_ratio, not both",
        ),
        (
            lambda: tokencalc.compare_models(100, ["gpt-5"], on=[2026, 11, 22]),  # type: ignore[arg-type]  # a wrong type on purpose
            "on must be a datetime.date",
        ),
    ],
)
def test_bad_arguments_are_usage_errors_not_raw_exceptions(call, message):
    with pytest.raises(tokencalc.UsageError) as caught:
        call()
    assert message in str(caught.value)


def test_on_takes_a_date_an_iso_string_or_a_datetime():
    from datetime import datetime

    by_date = tokencalc.estimate_cost("gpt-5", input_tokens=1000, on=DAY)
    assert tokencalc.estimate_cost("gpt-5", input_tokens=1000, on="2026-11-22") == by_date
    assert (
        tokencalc.estimate_cost("gpt-5", input_tokens=1000, on=datetime(2026, 11, 22, 18, 30))
        == by_date
    )
    rows = tokencalc.compare_models(
        1000, ["gpt-5"], on="2026-11-22", output_ratio="0.5", cached_fraction="0.25"
    )
    assert rows[0].on == DAY and rows[0].output_tokens == 500 and rows[0].cached_input_tokens == 250


def test_long_context_and_fit():
    big = tokencalc.estimate_cost("gpt-6-astra", input_tokens=300_000, on=DAY)
    assert big.long_context and big.fits_context
    too_big = tokencalc.estimate_cost("gpt-6-astra", input_tokens=2_000_000, on=DAY)
    assert not too_big.fits_context


def test_compare_models_counts_once_and_marks_the_cheapest():
    rows = tokencalc.compare_models("hello world " * 1000, "claude-*", output_ratio=0.5, on=DAY)
    assert rows and all(row.model.startswith("claude-") and row.estimated for row in rows)
    assert [row.total for row in rows] == sorted(row.total for row in rows)
    assert sum(row.cheapest for row in rows) == 1 and rows[0].cheapest
    assert all(row.output_tokens == -(-row.input_tokens // 2) for row in rows)
    default = tokencalc.compare_models(1000, on=DAY)
    assert [row.model for row in default] and all(row.output_tokens == 0 for row in default)
    batch = tokencalc.compare_models(1000, tier="batch", on=DAY)
    assert all(row.tier == "batch" for row in batch) and len(batch) <= len(default)


def test_the_user_sheet_is_used_and_a_change_to_it_is_seen(_isolated_environment):
    first = tokencalc.estimate_cost("gpt-5", input_tokens=1_000_000, on=DAY).total
    assert first == Decimal("1.25")
    (_isolated_environment / "pricing.toml").write_text(
        '[models."gpt-5"]\ninput = 1.0\n', encoding="utf-8"
    )
    assert tokencalc.estimate_cost("gpt-5", input_tokens=1_000_000, on=DAY).total == Decimal("1.0")
    assert tokencalc.load_prices(user=False).resolve("gpt-5").input == Decimal("1.25")


def test_prices_can_be_a_sheet_or_a_file(tmp_path):
    overlay = tmp_path / "team.toml"
    overlay.write_text('[models."gpt-5"]\ninput = 2.0\n', encoding="utf-8")
    assert tokencalc.estimate_cost(
        "gpt-5", input_tokens=1_000_000, prices=overlay, on=DAY
    ).total == Decimal("2.0")
    sheet = tokencalc.load_prices(overlay)
    assert tokencalc.estimate_cost(
        "gpt-5", input_tokens=1_000_000, prices=sheet, on=DAY
    ).total == Decimal("2.0")
    (tmp_path / "bad.toml").write_text("[models.gpt-5\n", encoding="utf-8")
    with pytest.raises(
        tokencalc.PriceSheetError, match=r"bad\.toml: line 1, column 14: invalid TOML"
    ):
        tokencalc.load_prices(tmp_path / "bad.toml")


def test_all_lists_exactly_the_lazy_exports():
    assert set(tokencalc.__all__) == {"__version__", *tokencalc._EXPORTS}


def test_a_model_tokenizer_change_in_the_user_sheet_is_seen(_isolated_environment):
    import os

    text = "hello world " * 50
    assert tokencalc.estimate_tokens(text, model="claude-sonnet-5-5").tokenizer == "claude-5"
    sheet = _isolated_environment / "pricing.toml"
    sheet.write_text(
        '[models."claude-sonnet-5-5"]\ntokenizer = "claude-legacy"\n', encoding="utf-8"
    )
    os.utime(sheet, ns=(1, 1))  # a different mtime even on coarse clocks
    assert tokencalc.estimate_tokens(text, model="claude-sonnet-5-5").tokenizer == "claude-legacy"


def test_every_count_says_how_it_was_made():
    """TokenCount and CostEstimate carry estimate's per-row label (issue 8 §5)."""
    exact = tokencalc.estimate_tokens("hello world", model="mistral-large-4")
    assert (exact.method, exact.how_counted) == ("exact", "exact (tekken)")
    gemini = tokencalc.estimate_tokens("hello world", model="gemini-4-argon")
    reference = tokencalc.load_prices().tokenizers["gemini"].counting.reference
    assert gemini.method == "estimated"
    assert gemini.how_counted.startswith(f"estimated (per-class, {reference}, fitted ")
    grok = tokencalc.estimate_tokens("hello world", model="grok-4.7")
    assert grok.how_counted == "estimated (ratio ×1.1 o200k_base, unmeasured)"
    rows = tokencalc.compare_models("hello world", ["gemini-4-argon", "gpt-6-luna"])
    assert {row.model: row.how_counted for row in rows} == {
        "gemini-4-argon": gemini.how_counted,
        "gpt-6-luna": "exact (o200k_base)",
    }
    assert tokencalc.compare_models(1000, ["gpt-6-luna"])[0].how_counted == "given"
    one = tokencalc.estimate_cost("deepseek-flash", text="hello world")
    assert one.how_counted == "exact (deepseek-v3)"
