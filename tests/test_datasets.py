"""Dataset mode: every format, malformed records, templates, output fields, spreads, over-context
costs and the per-record file. Expectations are worked out here from tiktoken's own counts and
the sample sheet's prices (tests/test_sheet.py), not from the code under test."""

from __future__ import annotations

import csv
import gzip
import json
import math
from decimal import Decimal

import pytest

from test_sheet import sample_text
from tokencalc.counting.encodings import get_encoding

D = Decimal
O200K = get_encoding("o200k_base")


def tokens(text: str) -> int:
    return len(O200K.encode_ordinary(text))


@pytest.fixture(autouse=True)
def sample_sheet(packaged_sheet):
    packaged_sheet(sample_text())


TEXTS = [
    "Where is my order? It was due on Monday.",
    "Refund please. " * 30,
    "短い質問です。ありがとう！",
    "",
    "def f(x):\n    return x * 2  # a snippet\n" * 12,
    "Bonjour, je voudrais changer mon adresse de livraison.",
]


def alpha_cost(tokens_in: int, tokens_out: int) -> Decimal:
    """alpha: $2/M in, $8/M out; above 100 input tokens the whole request at $4/$12."""
    p_in, p_out = (D(4), D(12)) if tokens_in > 100 else (D(2), D(8))
    return (tokens_in * p_in + tokens_out * p_out) / D(1_000_000)


def default_output(tokens_in: int) -> int:
    return math.ceil(tokens_in * 0.25)


def as_json(result):
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def by_model(document):
    return {row["model"]: row for row in document["models"]}


def write_jsonl(path, records, extra_lines=()):
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    lines[1:1] = list(extra_lines)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def records():
    return [{"id": f"t{i}", "text": text} for i, text in enumerate(TEXTS)]


def test_jsonl_totals_and_malformed_lines(cli, tmp_path):
    data = tmp_path / "tickets.jsonl"
    bad = [
        '{"id": "x", "text": ',
        "",
        '["a list"]',
        '{"id": "n", "text": 42}',
        '{"id": "m"}',
        '{"id": "z", "text": null}',
    ]
    write_jsonl(data, records(), bad)
    doc = as_json(
        cli(
            "estimate",
            str(data),
            "--field",
            "text",
            "--key",
            "id",
            "-m",
            "alpha",
            "--format",
            "json",
        )
    )
    alpha = by_model(doc)["alpha"]
    ins = [tokens(t) for t in TEXTS]
    outs = [default_output(n) for n in ins]
    assert doc["dataset"]["records"] == len(TEXTS) == alpha["requests"]
    assert alpha["input_tokens"] == sum(ins)
    assert alpha["output_tokens"] == sum(outs)
    assert D(alpha["cost"]) == sum(alpha_cost(i, o) for i, o in zip(ins, outs, strict=True))
    # lines: 1 first record, 2-7 the bad ones (line 3 is blank: no record), 8.. the rest
    assert doc["dataset"]["malformed"] == 5
    problems = {p["line"]: p["reason"] for p in doc["dataset"]["problems"]}
    assert set(problems) == {2, 4, 5, 6, 7}
    assert problems[2].startswith("bad JSON")
    assert problems[4] == "not a JSON object"
    assert problems[5] == "field 'text' is a number, not text"
    assert problems[6] == "missing field 'text'"
    assert problems[7] == "field 'text' is null, not text"
    longest = doc["longest"][0]
    assert longest["key"] == f"t{ins.index(max(ins))}"


def _write_every_format(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq
    import zstandard

    rows = records()
    paths = {}
    paths["jsonl"] = tmp_path / "d.jsonl"
    write_jsonl(paths["jsonl"], rows)
    paths["json"] = tmp_path / "d.json"
    paths["json"].write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    for name, delimiter in (("csv", ","), ("tsv", "\t")):
        path = tmp_path / f"d.{name}"
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, ["id", "text"], delimiter=delimiter)
            writer.writeheader()
            writer.writerows(rows)
        paths[name] = path
    paths["gz"] = tmp_path / "d.jsonl.gz"
    paths["gz"].write_bytes(gzip.compress(paths["jsonl"].read_bytes()))
    paths["zst"] = tmp_path / "d.jsonl.zst"
    paths["zst"].write_bytes(zstandard.ZstdCompressor().compress(paths["jsonl"].read_bytes()))
    paths["csv.gz"] = tmp_path / "d.csv.gz"
    paths["csv.gz"].write_bytes(gzip.compress(paths["csv"].read_bytes()))
    paths["parquet"] = tmp_path / "d.parquet"
    pq.write_table(pa.Table.from_pylist(rows), paths["parquet"])
    return paths


def test_every_format_gives_the_same_totals(cli, tmp_path):
    paths = _write_every_format(tmp_path)
    expected_in = sum(tokens(t) for t in TEXTS)
    for name, path in paths.items():
        doc = as_json(
            cli(
                "estimate",
                str(path),
                "--field",
                "text",
                "-m",
                "alpha",
                "-m",
                "gem",
                "--format",
                "json",
            )
        )
        rows = by_model(doc)
        assert doc["dataset"]["records"] == len(TEXTS), name
        assert doc["dataset"]["malformed"] == 0, name
        assert rows["alpha"]["input_tokens"] == expected_in, name
        # gem counts characters / 4, rounded up per record
        assert rows["gem"]["input_tokens"] == sum(math.ceil(len(t) / 4) for t in TEXTS), name


def test_malformed_rows_in_csv_json_array_and_parquet(cli, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    csv_path = tmp_path / "short.csv"
    csv_path.write_text("id,text\n1,hello\n2\n3,world\n", encoding="utf-8")
    doc = as_json(
        cli("estimate", str(csv_path), "--field", "text", "-m", "alpha", "--format", "json")
    )
    assert doc["dataset"]["records"] == 2
    assert doc["dataset"]["problems"] == [{"row": 2, "reason": "missing field 'text'"}]

    array = tmp_path / "items.json"
    array.write_text('[{"text": "a"}, 7, {"text": ["x"]}, {"text": "b"}]', encoding="utf-8")
    doc = as_json(cli("estimate", str(array), "--field", "text", "-m", "alpha", "--format", "json"))
    assert doc["dataset"]["unit"] == "item"
    assert doc["dataset"]["problems"] == [
        {"item": 2, "reason": "not a JSON object"},
        {"item": 3, "reason": "field 'text' is a list, not text"},
    ]

    parquet = tmp_path / "p.parquet"
    pq.write_table(pa.table({"text": ["one", None, "three"], "n": [1, 2, 3]}), parquet)
    doc = as_json(
        cli("estimate", str(parquet), "--field", "text", "-m", "alpha", "--format", "json")
    )
    assert doc["dataset"]["records"] == 2
    assert doc["dataset"]["problems"] == [{"row": 2, "reason": "field 'text' is null, not text"}]
    result = cli("estimate", str(parquet), "--field", "n", "-m", "alpha", "--format", "json")
    assert result.exit_code == 1
    assert "no record could be priced" in result.stderr


def test_template_with_several_fields_and_a_system_prompt(cli, tmp_path):
    data = tmp_path / "t.jsonl"
    rows = [
        {"customer": "Ana", "subject": "Late parcel", "body": "It has not arrived."},
        {"customer": "Bo", "subject": "Invoice", "body": "Please send the invoice again. " * 5},
    ]
    write_jsonl(data, rows)
    template = tmp_path / "prompt.txt"
    template.write_text(
        "Customer {customer} wrote about {subject}:\n\n{body}\n\nReply in {{JSON}}.",
        encoding="utf-8",
    )
    system = tmp_path / "system.txt"
    system.write_text("You are a careful support agent. Answer briefly.", encoding="utf-8")
    doc = as_json(
        cli(
            "estimate",
            str(data),
            "--template",
            str(template),
            "--system",
            str(system),
            "-m",
            "alpha",
            "-m",
            "claude-x",
            "--output-tokens",
            "50",
            "--format",
            "json",
        )
    )
    sys_tokens = tokens(system.read_text())
    prompts = [
        f"Customer {r['customer']} wrote about {r['subject']}:\n\n{r['body']}\n\nReply in {{JSON}}."
        for r in rows
    ]
    ins = [sys_tokens + tokens(p) for p in prompts]
    rows_out = by_model(doc)
    assert rows_out["alpha"]["input_tokens"] == sum(ins)
    assert rows_out["alpha"]["output_tokens"] == 100
    # claude-x: ceil(1.5 × base) per request (system + prompt)
    assert rows_out["claude-x"]["input_tokens"] == sum(math.ceil(n * 1.5) for n in ins)
    assert doc["assumptions"]["template_fields"] == ["customer", "subject", "body"]

    # the system prompt billed at the cached-input price: alpha $0.5/M cached (both requests short)
    doc = as_json(
        cli(
            "estimate",
            str(data),
            "--template",
            str(template),
            "--system",
            str(system),
            "--cache-system",
            "-m",
            "alpha",
            "--output-tokens",
            "50",
            "--format",
            "json",
        )
    )
    alpha = by_model(doc)["alpha"]
    assert alpha["cached_tokens"] == 2 * sys_tokens
    expected = sum(
        (
            (n - sys_tokens) * (D(4) if n > 100 else D(2))
            + sys_tokens * D("0.5")
            + 50 * (D(12) if n > 100 else D(8))
        )
        / D(10**6)
        for n in ins
    )
    assert D(alpha["cost"]) == expected


def test_a_template_missing_a_field_marks_the_record(cli, tmp_path):
    data = tmp_path / "t.jsonl"
    write_jsonl(data, [{"a": "x", "b": "y"}, {"a": "only a"}])
    template = tmp_path / "p.txt"
    template.write_text("{a} and {b}", encoding="utf-8")
    doc = as_json(
        cli("estimate", str(data), "--template", str(template), "-m", "alpha", "--format", "json")
    )
    assert doc["dataset"]["records"] == 1
    assert doc["dataset"]["problems"] == [{"line": 2, "reason": "missing field 'b'"}]


def test_output_measured_from_a_field(cli, tmp_path):
    data = tmp_path / "o.jsonl"
    rows = [
        {"q": "What is 2+2?", "a": "4"},
        {"q": "Name three colours.", "a": "Red, green and blue."},
    ]
    write_jsonl(data, rows)
    doc = as_json(
        cli(
            "estimate",
            str(data),
            "--field",
            "q",
            "--output-field",
            "a",
            "-m",
            "alpha",
            "-m",
            "claude-x",
            "--format",
            "json",
        )
    )
    out = by_model(doc)
    assert out["alpha"]["output_tokens"] == sum(tokens(r["a"]) for r in rows)
    assert out["claude-x"]["output_tokens"] == sum(math.ceil(tokens(r["a"]) * 1.5) for r in rows)
    assert doc["assumptions"]["output"] == {"from_field": "a"}


def nearest_rank(values, share):
    ordered = sorted(values)
    return ordered[math.ceil(share * len(ordered)) - 1]


def test_spreads_and_over_context_costs(cli, tmp_path):
    # alpha: 1,000-token window, 500 max output; output = 25% of input
    texts = [
        ("lorem ipsum dolor " * n).strip() for n in (1, 3, 10, 40, 90, 150, 250, 300, 5, 2, 400)
    ]
    data = tmp_path / "s.jsonl"
    write_jsonl(data, [{"text": t} for t in texts])
    doc = as_json(
        cli(
            "estimate",
            str(data),
            "--field",
            "text",
            "-m",
            "alpha",
            "--format",
            "json",
            "--longest",
            "3",
        )
    )
    alpha = by_model(doc)["alpha"]
    ins = [tokens(t) for t in texts]
    outs = [default_output(n) for n in ins]
    spread = alpha["input_tokens_per_record"]
    assert spread == {
        "min": min(ins),
        "median": nearest_rank(ins, 0.5),
        "p95": nearest_rank(ins, 0.95),
        "max": max(ins),
    }
    over = [(i, o) for i, o in zip(ins, outs, strict=True) if i + o > 1000]
    assert over, "the fixture must have records that do not fit"
    assert alpha["over_context"]["records"] == len(over)
    total = sum(alpha_cost(i, o) for i, o in zip(ins, outs, strict=True))
    skipped = total - sum(alpha_cost(i, o) for i, o in over)
    truncated = skipped + sum(alpha_cost(min(i, 1000 - min(o, 500)), min(o, 500)) for i, o in over)
    assert D(alpha["cost"]) == total
    assert D(alpha["over_context"]["cost_if_skipped"]) == skipped
    assert D(alpha["over_context"]["cost_if_truncated"]) == truncated
    assert [entry["line"] for entry in doc["longest"]] == sorted(
        range(1, len(ins) + 1), key=lambda k: -ins[k - 1]
    )[:3]


def test_per_record_csv_and_parquet(cli, tmp_path):
    import pyarrow.parquet as pq

    data = tmp_path / "d.jsonl"
    write_jsonl(data, records(), ['{"id": "bad"}'])
    out_csv = tmp_path / "out" / "rows.csv"
    result = cli(
        "estimate",
        str(data),
        "--field",
        "text",
        "--key",
        "id",
        "-m",
        "alpha",
        "--per-record",
        str(out_csv),
    )
    assert result.exit_code == 0, result.stderr
    with open(out_csv, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["line"] for r in rows] == [str(n) for n in range(1, len(TEXTS) + 2)]
    assert rows[1]["error"] == "missing field 'text'" and rows[1]["key"] == "bad"
    good = [r for r in rows if not r["error"]]
    for row, text in zip(good, TEXTS, strict=True):
        n = tokens(text)
        assert int(row["alpha.input_tokens"]) == n
        assert D(row["alpha.cost"]) == alpha_cost(n, default_output(n))

    out_pq = tmp_path / "rows.parquet"
    assert (
        cli(
            "estimate", str(data), "--field", "text", "-m", "alpha", "--per-record", str(out_pq)
        ).exit_code
        == 0
    )
    table = pq.read_table(out_pq).to_pylist()
    assert len(table) == len(TEXTS) + 1
    assert sum(r["alpha.input_tokens"] or 0 for r in table) == sum(tokens(t) for t in TEXTS)


def test_per_record_file_is_left_alone_when_the_run_fails(cli, tmp_path):
    data = tmp_path / "broken.jsonl.gz"
    payload = gzip.compress(
        ("\n".join(json.dumps({"text": "x" * 50}) for _ in range(2000)) + "\n").encode()
    )
    data.write_bytes(payload[: len(payload) // 2])  # cut short: the reader fails part-way
    out = tmp_path / "rows.csv"
    out.write_text("old\n", encoding="utf-8")
    result = cli("estimate", str(data), "--field", "text", "-m", "alpha", "--per-record", str(out))
    assert result.exit_code == 1
    assert "broken.jsonl.gz" in result.stderr and "Traceback" not in result.stderr
    assert out.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".rows")] == []


def test_budget_gate_and_tier(cli, tmp_path):
    data = tmp_path / "d.jsonl"
    write_jsonl(data, records())
    doc = as_json(
        cli("estimate", str(data), "--field", "text", "-m", "alpha", "--batch", "--format", "json")
    )
    ins = [tokens(t) for t in TEXTS]
    assert (
        D(by_model(doc)["alpha"]["cost"]) == sum(alpha_cost(i, default_output(i)) for i in ins) / 2
    )
    result = cli("estimate", str(data), "--field", "text", "-m", "alpha", "--max-cost", "0.000001")
    assert result.exit_code == 3
    assert "over budget" in result.stderr
    result = cli("estimate", str(data), "--field", "text", "-m", "legacy", "--tier", "flex")
    assert result.exit_code == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--field", "text", "--template", "t.txt"], "exactly one"),
        (["--system", "s.txt"], "dataset mode"),
        (["--field", "text", "--calls", "3"], "--calls"),
        (["--field", "text", "--output-field", "a", "--output-tokens", "3"], "--output-field"),
        (["--field", "nope"], None),
    ],
)
def test_bad_command_lines(cli, tmp_path, monkeypatch, args, message):
    data = tmp_path / "d.csv"
    data.write_text("text\nhello\n", encoding="utf-8")
    (tmp_path / "t.txt").write_text("{text}", encoding="utf-8")
    (tmp_path / "s.txt").write_text("system", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = cli("estimate", str(data), "-m", "alpha", *args)
    assert result.exit_code in (1, 2)
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    if message:
        assert message in result.stderr
    else:
        assert "no column 'nope'" in result.stderr


def test_worker_processes_agree_with_one_process(tmp_path, monkeypatch):
    import tokencalc
    from tokencalc.datasets import sources

    # Batches of 16 KiB instead of 4 MiB: the 300 records (~200 KB) come in a dozen batches,
    # shared by the two workers and put back in file order (3,000 records made one batch).
    monkeypatch.setattr(sources, "LINE_BATCH_BYTES", 1 << 14)
    data = tmp_path / "many.jsonl"
    lines = [json.dumps({"text": TEXTS[i % len(TEXTS)] * (1 + i % 7)}) for i in range(300)]
    lines[100] = "{broken"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert data.stat().st_size > 8 * sources.LINE_BATCH_BYTES
    one = tokencalc.estimate_dataset(
        data, field="text", models=["alpha", "gem", "legacy"], workers=1, rows=False
    ).summary
    two = tokencalc.estimate_dataset(
        data, field="text", models=["alpha", "gem", "legacy"], workers=2, rows=False
    ).summary
    assert one == two
    assert one.malformed == 1 and one.problems[0][0] == 101


def test_python_api_on_records_and_strings():
    import tokencalc

    run = tokencalc.estimate_dataset(
        [{"text": "hello world"}, "plain string prompt", 3],  # type: ignore[list-item]  # on purpose
        models=["alpha"],
        output_tokens=5,
    )
    rows = list(run.rows)
    assert [r.position for r in rows] == [1, 2, 3]
    assert rows[0].costs[0].input_tokens == tokens("hello world")
    assert rows[2].error == "not a record or text (int)"
    summary = run.summary
    assert summary.records == 2 and summary.malformed == 1
    assert summary.models[0].output_tokens == 10


def test_a_csv_field_longer_than_the_csv_module_default_limit(cli, tmp_path):
    import csv as csv_module

    long_text = "ab " * 100_000  # 300,000 characters, over the csv module's 131,072
    data = tmp_path / "long.csv"
    with open(data, "w", newline="", encoding="utf-8") as handle:
        csv_module.writer(handle).writerows([["text"], [long_text], ["short"]])
    before = csv_module.field_size_limit()
    doc = as_json(cli("estimate", str(data), "--field", "text", "-m", "legacy", "--format", "json"))
    assert csv_module.field_size_limit() == before  # the global limit is put back
    assert doc["dataset"]["records"] == 2
    cl100k = get_encoding("cl100k_base")
    assert by_model(doc)["legacy"]["input_tokens"] == len(cl100k.encode_ordinary(long_text)) + len(
        cl100k.encode_ordinary("short")
    )


def test_default_output_is_capped_at_max_output_but_a_given_ratio_is_not(cli, tmp_path):
    # alpha: max output 500. A record of ~2,400 tokens: 25% would be ~600 output tokens.
    data = tmp_path / "big.jsonl"
    text = "lorem ipsum dolor " * 800
    write_jsonl(data, [{"text": text}])
    n = tokens(text)
    assert default_output(n) > 500
    doc = as_json(cli("estimate", str(data), "--field", "text", "-m", "alpha", "--format", "json"))
    assert by_model(doc)["alpha"]["output_tokens"] == 500
    doc = as_json(
        cli(
            "estimate",
            str(data),
            "--field",
            "text",
            "-m",
            "alpha",
            "--output-ratio",
            "0.25",
            "--format",
            "json",
        )
    )
    assert by_model(doc)["alpha"]["output_tokens"] == default_output(n)


def test_missing_optional_readers_say_which_extra_to_install(cli, tmp_path, monkeypatch):
    import sys

    parquet = tmp_path / "d.parquet"
    parquet.write_bytes(b"PAR1 not really")
    zst = tmp_path / "d.jsonl.zst"
    zst.write_bytes(b"\x28\xb5\x2f\xfd")
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow → ImportError
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    monkeypatch.setitem(sys.modules, "zstandard", None)
    for path in (parquet, zst):
        result = cli("estimate", str(path), "--field", "text", "-m", "alpha")
        assert result.exit_code == 1
        assert "pip install 'tokencalc[data]'" in result.stderr and "Traceback" not in result.stderr
    # JSONL needs neither
    data = tmp_path / "d.jsonl"
    write_jsonl(data, records())
    assert cli("estimate", str(data), "--field", "text", "-m", "alpha").exit_code == 0
