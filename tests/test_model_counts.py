"""How each model count is made and labelled; the reconstruction's limits; sheet keys for it."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from tokencalc.counting.counter import Counts, TokenCounter
from tokencalc.counting.encodings import TokenizerRef
from tokencalc.sheet.load import load_price_sheet
from tokencalc.tokenizers import claude_reconstruction
from tokencalc.tokenizers.model_counts import combined_label, model_count, needs
from tokencalc.tokenizers.token_classes import CLASSES
from tokencalc.tokenizers.tokenizer_families import FamilyCounting

RATIOS = {name: Decimal(2) for name in CLASSES}


@pytest.fixture
def budget():
    claude_reconstruction.reset_budget()
    yield
    claude_reconstruction.reset_budget()


@pytest.fixture
def no_reconstruction(monkeypatch):
    monkeypatch.setattr(claude_reconstruction, "enabled", False)


def claude_ref(**extra) -> TokenizerRef:
    counting = FamilyCounting(
        classes=RATIOS,
        reference="test table",
        measured=__import__("datetime").date(2026, 11, 30),
        reconstruct="claude-v3",
        **extra,
    )
    return TokenizerRef(
        family="claude-legacy",
        base="o200k_base",
        ratio=Decimal("1.05"),
        estimated=True,
        counting=counting,
    )


def counts_of(text: str, keep: int = 1000) -> Counts:
    with TokenCounter(["o200k_base"], classes=True, keep_text=keep) as counter:
        return counter.count_text(text)


def test_exact_label():
    ref = TokenizerRef(family="o200k_base", base="o200k_base")
    made = model_count(ref, counts_of("hello world"))
    assert (made.tokens, made.method, made.label, made.short) == (
        2,
        "exact",
        "exact (o200k_base)",
        "exact (o200k_base)",
    )


def test_reconstructed_leaves_the_frame_out(budget):
    made = model_count(claude_ref(), counts_of("hello, world"))
    # ctok's README: "hello, world" on v3 is "content 3 + frame 7 = 10" (count_tokens' answer)
    assert made.tokens == 3
    assert made.label == "reconstructed (claude-v3, ctok 1.3.0)" and made.method == "reconstructed"
    assert made.short == "reconstructed (claude-v3)"


def test_long_inputs_fall_back_to_the_per_class_table(budget, monkeypatch):
    monkeypatch.setattr(claude_reconstruction, "MAX_CHARS", 5)
    made = model_count(claude_ref(), counts_of("hello world"))
    # o200k_base: "hello" " world": 2 Latin tokens × 2
    assert (made.tokens, made.method) == (4, "estimated")
    assert made.label == "estimated (per-class, test table, fitted 2026-11-30)"


def test_the_run_budget_is_shared(budget, monkeypatch):
    monkeypatch.setattr(claude_reconstruction, "RUN_BUDGET", 15)
    first = model_count(claude_ref(), counts_of("hello world"))  # 11 characters
    second = model_count(claude_ref(), counts_of("hello world"))  # 22 > 15: per-class
    assert (first.method, second.method) == ("reconstructed", "estimated")


def test_text_not_kept_means_per_class(budget):
    made = model_count(claude_ref(), counts_of("hello world", keep=0))
    assert made.method == "estimated"


def test_reconstruction_off_means_per_class(no_reconstruction):
    made = model_count(claude_ref(), counts_of("hello world"))
    assert made.method == "estimated" and made.tokens == 4
    assert needs([claude_ref()]).keep_text == 0


def test_needs(budget):
    need = needs([claude_ref(), TokenizerRef(family="cl100k_base", base="cl100k_base")])
    assert need.classes and need.keep_text == claude_reconstruction.MAX_CHARS
    assert set(need.encodings) == {"cl100k_base", "o200k_base"}


def test_ratio_labels_say_unmeasured():
    unmeasured = TokenizerRef(
        family="grok",
        base="o200k_base",
        ratio=Decimal("1.1"),
        estimated=True,
        counting=FamilyCounting(unmeasured=True),
    )
    made = model_count(unmeasured, counts_of("hello world"))
    assert (made.tokens, made.label) == (
        3,
        "estimated (ratio ×1.1 o200k_base, unmeasured)",
    )  # ceil(2 × 1.1)


def test_mixed_rows():
    rows = [
        ("reconstructed", "reconstructed (a)", "r"),
        ("estimated", "estimated (b)", "e"),
        ("reconstructed", "reconstructed (a)", "r"),
    ]
    assert combined_label(rows) == (
        "mixed",
        "2× reconstructed (a); 1× estimated (b)",
        "mixed: 2× r, 1× e",
    )
    assert combined_label(rows[:1]) == rows[0]


def test_the_packaged_sheet_declares_its_families():
    sheet = load_price_sheet(user_sheet=False)
    gemini = sheet.tokenizers["gemini"].counting
    assert gemini.measured is not None and gemini.reference is not None
    assert (
        gemini.per_class
        and gemini.measured.isoformat() == "2026-11-30"
        and "Gemma 3" in gemini.reference
    )
    assert sheet.tokenizers["claude-legacy"].counting.reconstruct == "claude-v3"
    assert sheet.tokenizers["claude-5"].counting.reconstruct == "claude-v4.8"
    assert sheet.tokenizers["grok"].counting.unmeasured


BAD_FAMILIES = [
    ('classes = { latin = 1 }\nreference = "r"\nmeasured = 2026-01-01', "missing"),
    (
        "classes = { "
        + ", ".join(f"{c} = 1" for c in CLASSES)
        + ', klingon = 2 }\nreference = "r"\nmeasured = 2026-01-01',
        "unknown class",
    ),
    (
        "classes = { "
        + ", ".join(f"{c} = {0 if c == 'han' else 1}" for c in CLASSES)
        + ' }\nreference = "r"\nmeasured = 2026-01-01',
        "han must be a positive number",
    ),
    ("classes = { " + ", ".join(f"{c} = 1" for c in CLASSES) + " }", "needs reference"),
    ('reconstruct = "claude-v9"', "must be one of claude-v3"),
    ('measured = "yesterday"', "must be a date"),
    ("tokenizer_file = 3", "tokenizer.json"),
]


@pytest.mark.parametrize(("lines", "message"), BAD_FAMILIES)
def test_bad_family_keys_are_sheet_problems(tmp_path, lines, message):
    from tokencalc.errors import PriceSheetError

    path = tmp_path / "mine.toml"
    path.write_text(
        f'[tokenizers.mine]\nbase = "o200k_base"\nratio = 1\nsource = "me"\n{lines}\n',
        encoding="utf-8",
    )
    with pytest.raises(PriceSheetError, match=message):
        load_price_sheet(path, user_sheet=False)


def test_user_family_with_a_table_counts_per_class(tmp_path, no_reconstruction):
    path = tmp_path / "mine.toml"
    table = ", ".join(f"{c} = {3 if c == 'latin' else 1}" for c in CLASSES)
    path.write_text(
        '[tokenizers.mine]\nbase = "o200k_base"\nratio = 1\nsource = "me"\n'
        f'reference = "my tokenizer"\nmeasured = 2026-11-01\nclasses = {{ {table} }}\n'
        '[models.my-model]\nprovider = "openai"\nname = "Mine"\ntokenizer = "mine"\ninput = 1\noutput = 1\ncontext_window = 1000\n',
        encoding="utf-8",
    )
    sheet = load_price_sheet(path, user_sheet=False)
    ref = sheet.tokenizer_for(sheet.models["my-model"])
    made = model_count(ref, counts_of("hello world"))
    assert (
        made.tokens == 6 and made.label == "estimated (per-class, my tokenizer, fitted 2026-11-01)"
    )


def test_user_tokenizer_file_counts_exactly(tmp_path):
    tokenizers = pytest.importorskip("tokenizers")
    from tokenizers import models, pre_tokenizers

    # A word-level tokenizer.json written here: one token per whitespace-separated word.
    vocab = {"[UNK]": 0, "hello": 1, "world": 2}
    tok = tokenizers.Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    path = tmp_path / "tokenizer.json"
    tok.save(str(path))
    sheet_path = tmp_path / "mine.toml"
    sheet_path.write_text(
        f'[tokenizers.mine]\nbase = "o200k_base"\nratio = 1\nsource = "me"\ntokenizer_file = "{path}"\n'
        '[models.my-model]\nprovider = "openai"\nname = "Mine"\ntokenizer = "mine"\ninput = 1\noutput = 1\ncontext_window = 1000\n',
        encoding="utf-8",
    )
    sheet = load_price_sheet(sheet_path, user_sheet=False)
    ref = sheet.tokenizer_for(sheet.models["my-model"])
    need = needs([ref])
    with TokenCounter(need.encodings, classes=need.classes, keep_text=need.keep_text) as counter:
        counts = counter.count_text("hello big wide world")
    made = model_count(ref, counts)
    assert (made.tokens, made.method, made.label) == (
        4,
        "exact",
        "exact (mine, tokenizer_file tokenizer.json)",
    )


def test_missing_user_tokenizer_file_is_a_clear_error(tmp_path):
    from tokencalc.errors import TokencalcError

    pytest.importorskip("tokenizers")
    ref = TokenizerRef(
        family="mine",
        base="o200k_base",
        estimated=True,
        counting=FamilyCounting(tokenizer_file=str(tmp_path / "nope.json")),
    )
    with pytest.raises(TokencalcError, match=r"nope\.json: no such file"):
        model_count(ref, counts_of("hello"))


def test_an_encoding_counted_under_its_own_name(cli, tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("hello world", encoding="utf-8")
    result = cli("count", "--encoding", "o200k_harmony", str(path), "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["total"]["tokens"] == 2
