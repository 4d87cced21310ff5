"""Dataset mode's Claude rows: the per-class totals scaled by the reconstruction of a bounded
sample of the records (tokencalc.datasets.record_sample).

Expectations come from outside the code under test: the ``count_tokens`` answers Anthropic gave
for the recorded documents (tests/fixtures/claude/recorded_counts.json.xz), the reconstruction
of each record summed here, and the budget and sampling invariants written in the module's
docstring.

Generated datasets are sized against the sample's budget: the default run lowers it
(:data:`SMALL_BUDGET`, the code reads it where it applies) and prices a few hundred records; the
slow set runs the same tests at the real budget (thousands of records).
"""

from __future__ import annotations

import csv
import itertools
import json
import math
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import claude_recorded
import tokencalc
from tokencalc.datasets import record_sample
from tokencalc.datasets.record_sample import Drawn, RecordSample, SampleFloor, SamplePlan, level_of
from tokencalc.tokenizers import claude_reconstruction, claude_tiling

#: claude-opus-5 was recorded; the sheet's Claude 5 models are read with its generation
MODEL = "claude-opus-5-5"
GENERATION = "claude-v4.8"
#: record_sample.BUDGET in the default run: an eighth of the real one
SMALL_BUDGET = 1 << 14


@pytest.fixture(params=["small", pytest.param("real", marks=pytest.mark.slow)])
def budget(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """The sample's budget a test runs at: lowered (the default run) or the real one (slow)."""
    if request.param == "small":
        monkeypatch.setattr(record_sample, "BUDGET", SMALL_BUDGET)
    return record_sample.BUDGET


def _records(at_real_budget: int, budget: int) -> int:
    """A number of records that stands to ``budget`` as ``at_real_budget`` to the real one."""
    return at_real_budget * budget // (1 << 17)


def _recorded() -> tuple[list[dict[str, Any]], int]:
    recorded = claude_recorded.recorded()
    return recorded["documents"], int(recorded["frames"]["v5"])


def _write_jsonl(path: Path, texts: list[str]) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for number, text in enumerate(texts):
            out.write(json.dumps({"id": number, "text": text}) + "\n")
    return path


def _estimate(cli: Any, data: Path, *options: str, **flags: Any) -> Any:
    """``tokencalc estimate DATA --field text -m MODEL OPTIONS`` through the CLI fixture."""
    return cli("estimate", str(data), "--field", "text", "-m", MODEL, *options, **flags)


def _summary(data: Any, **arguments: Any) -> Any:
    models = arguments.pop("models", [MODEL])
    return tokencalc.estimate_dataset(
        data, field="text", models=models, rows=False, **arguments
    ).summary


def _check_against_recorded(documents: list[dict[str, Any]], frame: int, tmp_path: Path) -> None:
    data = _write_jsonl(tmp_path / "recorded.jsonl", [d["text"] for d in documents])
    recorded = sum(int(d["recorded"]["v5"]) - frame for d in documents)
    (row,) = _summary(data, output_tokens=1).models
    assert row.model.count_method == "sampled"
    assert row.sample is not None and 2 <= row.sample.windows <= len(documents)
    assert row.sample.sampled_chars <= record_sample.BUDGET
    error = row.input_tokens - recorded
    assert abs(error) <= 2 * row.sample.se, (row.input_tokens, recorded, row.sample.se)
    assert row.sample.margin < 0.05  # a useful margin, not a ±200% shrug


def test_sampled_estimate_is_within_its_margin_of_recorded_counts(tmp_path):
    documents, frame = _recorded()
    udhr = [d for d in documents if d["corpus"] == "udhr"][::20]
    chosen = [d for d in documents if d["corpus"] in ("multipl_e", "rosetta_holdout")] + udhr
    _check_against_recorded(chosen, frame, tmp_path)


@pytest.mark.slow
def test_sampled_estimate_on_every_recorded_document(tmp_path):
    documents, frame = _recorded()
    _check_against_recorded(documents, frame, tmp_path)


def test_small_dataset_is_reconstructed_in_full(tmp_path):
    texts = [
        "Where is my order? It was due on Monday.",
        "退货流程是什么？我上周买的耳机坏了。",
        "def f(x):\n    return x * 2  # a snippet\n" * 6,
        "Здравствуйте! Как изменить адрес доставки?",
        "",
        "مرحبا، أريد استرداد المبلغ من فضلك.",
    ]
    system = "You are a support agent. Answer in one short paragraph."
    data = _write_jsonl(tmp_path / "small.jsonl", texts)
    (row,) = _summary(data, system=system).models
    system_tokens = claude_tiling.content_tokens(GENERATION, system)
    assert _summary(data, system=system).system_tokens == (system_tokens,)
    inputs = [system_tokens + claude_tiling.content_tokens(GENERATION, t) for t in texts]
    assert row.input_tokens == sum(inputs)
    # the default output, 25% of each record's input rounded up
    assert row.output_tokens == sum(math.ceil(n / 4) for n in inputs)
    assert row.model.count_method == "reconstructed"
    assert row.model.how_counted == (
        f"reconstructed ({GENERATION}, ctok 1.3.0, all {len(texts)} records)"
    )
    assert row.sample is not None and row.sample.se == 0
    # every record reconstructed: the per-record figures are rebuilt from them too
    ranked = sorted(inputs)
    assert (row.input_spread.min, row.input_spread.max) == (ranked[0], ranked[-1])
    assert row.input_spread.median == ranked[(len(ranked) - 1) // 2]  # nearest-rank, lower middle
    assert row.output_spread.max == math.ceil(ranked[-1] / 4)


def test_per_record_file_of_a_small_dataset_is_reconstructed(cli, tmp_path):
    texts = ["Where is my order?", "包裹在哪里？" * 5, "Hi"]
    data = _write_jsonl(tmp_path / "three.jsonl", texts)
    (data.parent / "three.jsonl").open("a", encoding="utf-8").write("not json\n")
    out = tmp_path / "rows.csv"
    result = _estimate(cli, data, "--per-record", str(out), "--longest", "0")
    assert result.exit_code == 0, result.stderr
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["error"] for row in rows] == [
        "",
        "",
        "",
        "bad JSON: Expecting value: line 1 column 1 (char 0)",
    ]
    expected = [claude_tiling.content_tokens(GENERATION, t) for t in texts]
    assert [int(row[f"{MODEL}.input_tokens"]) for row in rows[:3]] == expected


def test_rows_of_a_sampled_dataset_keep_the_per_class_counts(monkeypatch, budget):
    texts = _generated(_records(3000, budget), seed=4)
    run = tokencalc.estimate_dataset(texts, models=[MODEL])
    rows = list(run.rows)
    assert run.summary.models[0].model.count_method == "sampled"
    monkeypatch.setattr(claude_reconstruction, "enabled", False)
    plain = tokencalc.estimate_dataset(texts, models=[MODEL])
    assert [r.costs for r in plain.rows] == [r.costs for r in rows]


def test_small_dataset_longest_and_fit_use_the_reconstruction(tmp_path):
    # the per-class table counts each of these otherwise (82, 42, 2 tokens)
    texts = ["退货流程是什么？我上周买的耳机坏了。" * 4, "Where is my order? " * 5, "Hi"]
    data = _write_jsonl(tmp_path / "rank.jsonl", texts)
    summary = _summary(data, longest=3)
    expected = [claude_tiling.content_tokens(GENERATION, t) for t in texts]
    got = {rec.position: rec.input_tokens[0] for rec in summary.longest}
    assert got == dict(enumerate(expected, start=1))
    assert [rec.input_tokens[0] for rec in summary.longest] == sorted(expected, reverse=True)
    assert summary.models[0].over_context == 0


def test_cost_follows_the_reconstructed_tokens(tmp_path):
    texts = ["Bonjour, je voudrais un remboursement.", "短い質問です。ありがとう！" * 3]
    data = _write_jsonl(tmp_path / "two.jsonl", texts)
    summary = _summary(data, output_tokens=10)
    (row,) = summary.models
    prices = row.model.prices
    assert prices is not None
    tokens_in = sum(claude_tiling.content_tokens(GENERATION, t) for t in texts)
    expected = (tokens_in * prices.input + 20 * prices.output) / 1_000_000
    assert (row.input_tokens, row.output_tokens, row.cost) == (tokens_in, 20, expected)


def test_output_field_and_cached_system_are_reconstructed(tmp_path):
    rows = [
        {"text": "Where is my parcel?", "reply": "It left our warehouse on Monday."},
        {"text": "包裹在哪里？", "reply": "包裹周一已从仓库发出。"},
        {"text": "Wo ist mein Paket?", "reply": "Es hat unser Lager am Montag verlassen."},
    ]
    data = tmp_path / "replies.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    system = "You are a courteous support agent for a parcel service."
    (row,) = _summary(data, system=system, output_field="reply", cache_system=True).models
    rebuilt = claude_tiling.content_tokens
    system_tokens = rebuilt(GENERATION, system)
    inputs = sum(system_tokens + rebuilt(GENERATION, r["text"]) for r in rows)
    outputs = sum(rebuilt(GENERATION, r["reply"]) for r in rows)
    assert (row.input_tokens, row.cached_tokens, row.output_tokens) == (
        inputs,
        3 * system_tokens,
        outputs,
    )
    prices = row.model.prices
    assert prices is not None
    uncached = inputs - 3 * system_tokens
    expected = (
        uncached * prices.input + 3 * system_tokens * prices.cached_input + outputs * prices.output
    ) / 1_000_000
    assert row.cost == expected
    assert row.model.count_method == "reconstructed"


def _generated(records: int, seed: int = 5) -> list[str]:
    rng = random.Random(seed)
    pieces = [
        "The parcel did not arrive and nobody answers the phone.",
        "Le colis n'est pas arrivé et personne ne répond au téléphone.",
        "包裹没有到，也没有人接电话。",
        "for item in basket:\n    total += item.price\n",
        "Посылка не пришла, и никто не отвечает на звонки.",
    ]
    return [" ".join(rng.choices(pieces, k=rng.randint(1, 8))) for _ in range(records)]


def test_large_dataset_reconstructs_a_bounded_sample(tmp_path, monkeypatch, budget):
    records = _records(2000, budget)
    texts = _generated(records)  # ~3x the sample budget: enough to be sampled, not reconstructed
    data = _write_jsonl(tmp_path / "large.jsonl", texts)
    reconstructed: list[int] = []
    real = claude_tiling.content_tokens

    def counting(generation: str, text: str) -> int:
        reconstructed.append(len(text))
        return real(generation, text)

    monkeypatch.setattr(claude_tiling, "content_tokens", counting)
    one = _summary(data, workers=1)
    assert sum(reconstructed) <= budget < sum(map(len, texts))
    (row,) = one.models
    assert row.model.count_method == "sampled"
    assert row.model.how_counted.startswith(
        f"sampled ({GENERATION} reconstruction, ctok 1.3.0, {row.sample.windows:,} of {records:,} "
        "records, ±"
    )
    # the same records are drawn however the file is split: two workers give the same answer
    two = _summary(data, workers=2)
    assert (two.models[0].input_tokens, two.models[0].sample) == (row.input_tokens, row.sample)
    # and the answer is near the full reconstruction (within its stated margin)
    full = sum(real(GENERATION, t) for t in texts)
    assert abs(row.input_tokens - full) <= 2 * row.sample.se


def test_exact_reconstructs_every_record(tmp_path, budget):
    texts = _generated(_records(1500, budget), seed=9)
    assert sum(map(len, texts)) > budget
    data = _write_jsonl(tmp_path / "exact.jsonl", texts)
    (row,) = _summary(data, exact=True, output_tokens=1).models
    assert row.model.count_method == "reconstructed"
    assert row.input_tokens == sum(claude_tiling.content_tokens(GENERATION, t) for t in texts)


def test_models_without_a_reconstruction_are_not_sampled(tmp_path):
    data = _write_jsonl(tmp_path / "mixed.jsonl", _generated(50))
    summary = _summary(data, models=["gpt-6-luna", "gemini-3.8-flash", MODEL])
    methods = {row.model.id: (row.model.count_method, row.sample) for row in summary.models}
    assert methods["gpt-6-luna"] == ("exact", None)
    assert methods["gemini-3.8-flash"] == ("estimated", None)
    assert methods[MODEL][0] == "reconstructed"


def test_cli_labels_and_json(cli, tmp_path, budget):
    records = _records(4000, budget)
    data = _write_jsonl(tmp_path / "big.jsonl", _generated(records, seed=3))
    result = _estimate(cli, data, "-f", "json")
    assert result.exit_code == 0, result.stderr
    (row,) = json.loads(result.stdout)["models"]
    assert row["count_method"] == "sampled"
    assert row["how_counted"].startswith(f"sampled ({GENERATION} reconstruction, ctok 1.3.0, ")
    assert row["how_counted"].endswith(" at 2 SE)")
    assert f"of {records:,} records" in row["how_counted"]
    assert set(row["sample"]) == {"records", "sampled_chars", "standard_error"}
    assert row["sample"]["sampled_chars"] <= budget
    table = _estimate(cli, data, width=300)
    assert table.exit_code == 0, table.stderr
    caption = " ".join(table.stdout.split())
    assert (
        f"sampled ({GENERATION}, {row['sample']['records']:,} of {records:,} records, ±" in caption
    )
    assert "sampled: the totals; tokens per record, fit and longest per-class" in caption
    small = _write_jsonl(tmp_path / "small.jsonl", ["Hello there", "General Kenobi"])
    exact = _estimate(cli, small, "--exact", "-f", "json")
    assert json.loads(exact.stdout)["models"][0]["count_method"] == "reconstructed"


def test_online_is_refused_in_dataset_mode(cli, tmp_path):
    data = _write_jsonl(tmp_path / "one.jsonl", ["Hello"])
    result = _estimate(cli, data, "--online")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "--online is not for dataset mode" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


# --- the sample's own invariants --------------------------------------------------------------

PLAN = SamplePlan(models=(0,), generations=(GENERATION,), system_tokens=(0,), budget=4000)


def _drawn(position: int, chars: int, whole: bool) -> Drawn:
    # a record of ``chars`` characters: whole while the sample holds every record whole, else
    # its piece (at most 50 characters here)
    return Drawn(
        position,
        level_of(position),
        "x" * min(chars, 50),
        chars <= 50,
        None,
        True,
        (1,),
        None,
        full=("x" * chars, None) if whole else None,
    )


def _fed(records: list[tuple[int, int]], floor: SampleFloor | None = None) -> RecordSample:
    sample = RecordSample(PLAN)
    if floor is not None:  # as a worker starts its next batch (tokencalc.datasets.work)
        sample.start_at(floor)
    for position, chars in records:
        sample.records += 1
        sample.seen_chars += chars
        if sample.wants(position):
            sample.add(_drawn(position, chars, sample.whole))
    if floor is not None:
        sample.raise_floor(floor)
    return sample


@settings(max_examples=80, deadline=None)
@given(
    lengths=st.lists(st.integers(0, 120), min_size=1, max_size=400),
    cuts=st.lists(st.integers(0, 400), max_size=6),
)
def test_merged_samples_equal_one_pass(lengths, cuts):
    records = list(enumerate(lengths, start=1))
    whole = _fed(records)
    bounds = sorted({0, len(records), *(min(c, len(records)) for c in cuts)})
    merged = RecordSample(PLAN)
    # two workers taking the batches in turn, each starting where its earlier batches got to
    floors = [SampleFloor(), SampleFloor()]
    for number, (start, end) in enumerate(itertools.pairwise(bounds)):
        merged.merge(_fed(records[start:end], floors[number % 2]))
    assert whole.weight <= PLAN.budget
    assert whole.weight == whole.chars + record_sample.RECORD_CHARS * len(whole.drawn)
    assert (merged.whole, merged.level, merged.records, merged.seen_chars, merged.chars) == (
        whole.whole,
        whole.level,
        whole.records,
        whole.seen_chars,
        whole.chars,
    )
    assert sorted(d.position for d in merged.drawn) == sorted(d.position for d in whole.drawn)
    # every record whole exactly when they all fit the budget
    held = sum(lengths) + record_sample.RECORD_CHARS * len(lengths)
    assert whole.whole == (held <= PLAN.budget)
    if whole.whole:
        assert len(whole.drawn) == len(records)
    # else the level is the lowest at which the pieces it draws fit the budget
    if whole.level:
        below = sum(
            min(chars, 50) + record_sample.RECORD_CHARS
            for position, chars in records
            if level_of(position) >= whole.level - 1
        )
        assert below > PLAN.budget


def test_empty_records_do_not_pile_up():
    sample = _fed([(position, 0) for position in range(1, 20_001)])
    assert not sample.whole and sample.level > 0
    assert len(sample.drawn) <= PLAN.budget // record_sample.RECORD_CHARS


def test_drawn_records_are_spread_over_the_file():
    # level 5: one record in 32, every stretch of 320 positions holds some
    positions = [p for p in range(1, 32_001) if level_of(p) >= 5]
    assert 900 <= len(positions) <= 1100
    gaps = [b - a for a, b in itertools.pairwise(positions)]
    assert max(gaps) <= 320
    # no period lines up with it: odd and even positions are drawn alike
    odd = sum(p % 2 for p in positions)
    assert abs(odd - len(positions) / 2) < 0.1 * len(positions)
