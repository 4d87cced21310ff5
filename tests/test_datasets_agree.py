"""Dataset mode counts a record exactly as ``estimate`` counts the same text as a file, for
every model of the packaged sheet (exact encodings, ratio and per-class estimates alike).

Claude rows: with the reconstruction off, both take the per-class path and must agree; with it
on, ``estimate`` reconstructs the file and dataset mode reconstructs every record of a dataset
this small (tokencalc.datasets.record_sample), and they must agree too."""

from __future__ import annotations

import json

from tokencalc.tokenizers import claude_reconstruction


def test_one_record_costs_what_estimate_says_for_every_model(cli, tmp_path, monkeypatch):
    monkeypatch.setattr(claude_reconstruction, "enabled", False)
    text = "Hello there! Ceci est un test. 这是一个测试。 def f(x): return x**2  # 12345\n" * 20
    (tmp_path / "one.txt").write_text(text, encoding="utf-8")
    (tmp_path / "one.jsonl").write_text(json.dumps({"text": text}) + "\n", encoding="utf-8")
    plain = cli(
        "estimate", str(tmp_path / "one.txt"), "--all", "--output-tokens", "100", "--format", "json"
    )
    data = cli(
        "estimate",
        str(tmp_path / "one.jsonl"),
        "--field",
        "text",
        "--all",
        "--output-tokens",
        "100",
        "--format",
        "json",
    )
    assert plain.exit_code == 0 and data.exit_code == 0, (plain.stderr, data.stderr)
    expected = {
        row["model"]: (row["input_tokens"], row["cost"]) for row in json.loads(plain.stdout)["rows"]
    }
    got = {
        row["model"]: (row["input_tokens"], row["cost"])
        for row in json.loads(data.stdout)["models"]
    }
    assert len(expected) > 20
    assert got == expected
    # ... and says how it counted, with estimate's words.
    plain_how = {row["model"]: row["how_counted"] for row in json.loads(plain.stdout)["rows"]}
    data_how = {row["model"]: row["how_counted"] for row in json.loads(data.stdout)["models"]}
    assert data_how == plain_how
    assert data_how["gemini-4-argon"].startswith("estimated (per-class, Gemma 3")
    assert data_how["mistral-large-4"] == "exact (tekken)"


def test_claude_reconstructed_alike_in_both_modes(cli, tmp_path):
    text = "Hello there! Ceci est un test. 这是一个测试。 def f(x): return x**2  # 12345\n" * 20
    (tmp_path / "one.txt").write_text(text, encoding="utf-8")
    (tmp_path / "one.jsonl").write_text(json.dumps({"text": text}) + "\n", encoding="utf-8")
    models = ["-m", "claude-haiku-5-5", "-m", "claude-sonnet-4-5", "--output-tokens", "100"]
    plain = cli("estimate", str(tmp_path / "one.txt"), *models, "--format", "json")
    data = cli(
        "estimate", str(tmp_path / "one.jsonl"), "--field", "text", *models, "--format", "json"
    )
    assert plain.exit_code == 0 and data.exit_code == 0, (plain.stderr, data.stderr)
    rows = {r["model"]: r for r in json.loads(plain.stdout)["rows"]}
    for row in json.loads(data.stdout)["models"]:
        assert rows[row["model"]]["count_method"] == row["count_method"] == "reconstructed"
        assert (row["input_tokens"], row["cost"]) == (
            rows[row["model"]]["input_tokens"],
            rows[row["model"]]["cost"],
        )
