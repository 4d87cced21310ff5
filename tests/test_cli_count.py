"""``tokencalc count`` through Typer's runner: outputs, stdin, and every bad input."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tokencalc.counting import encodings


def exact(text: str, name: str = "o200k_base") -> int:
    return len(encodings.get_encoding(name).encode_ordinary(text))


@pytest.fixture
def files(tmp_path):
    (tmp_path / "en.txt").write_text("The quick brown fox jumps over the lazy dog.\n")
    (tmp_path / "zh.txt").write_text("敏捷的棕色狐狸跳过了懒狗。\n")
    return tmp_path


def test_quiet_prints_only_the_total(cli):
    text = "hello world\n"
    result = cli("count", "-q", input=text)
    assert (result.exit_code, result.stdout, result.stderr) == (0, f"{exact(text)}\n", "")


def test_table_lists_each_input_and_the_total(cli, files):
    result = cli("count", str(files / "en.txt"), str(files / "zh.txt"))
    assert result.exit_code == 0
    en, zh = exact((files / "en.txt").read_text()), exact((files / "zh.txt").read_text())
    assert "en.txt" in result.stdout and "zh.txt" in result.stdout
    total_line = next(line for line in result.stdout.splitlines() if "total" in line)
    assert f"{en + zh:,}" in total_line
    assert "o200k_base, exact" in result.stdout


def test_json_contract(cli, files):
    result = cli("count", str(files / "en.txt"), "--format", "json")
    document = json.loads(result.stdout)
    text = (files / "en.txt").read_text()
    figures = {"tokens": exact(text), "chars": len(text), "words": len(text.split()), "lines": 1}
    assert document == {
        "encoding": "o200k_base",
        "inputs": [{"path": str(files / "en.txt"), **figures}],
        "total": figures,
    }


def test_csv_has_a_header_rows_and_total(cli, files):
    result = cli("count", str(files), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["path"].rsplit("/", 1)[-1] for r in rows] == ["en.txt", "zh.txt", "total"]
    assert int(rows[-1]["tokens"]) == int(rows[0]["tokens"]) + int(rows[1]["tokens"])


@pytest.mark.parametrize(
    ("option", "name"), [("--encoding", "cl100k_base"), ("--model", "gpt-4"), ("--model", "gpt-6")]
)
def test_tokenizer_choice(cli, option, name):
    expected_encoding = {"gpt-4": "cl100k_base", "gpt-6": "o200k_base"}.get(name, name)
    text = "中文和English混合 text\n"
    result = cli("count", "-q", option, name, input=text)
    assert result.stdout == f"{exact(text, expected_encoding)}\n"


def test_special_token_text_is_counted_as_characters(cli):
    assert cli("count", "-q", input="<|endoftext|>").stdout == "7\n"


def test_empty_stdin_and_empty_file_count_zero(cli, tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    assert cli("count", "-q", input="").stdout == "0\n"
    result = cli("count", "-q", str(tmp_path / "empty.txt"))
    assert (result.exit_code, result.stdout) == (0, "0\n")


def test_missing_file_is_reported_and_the_rest_counted(cli, files):
    result = cli("count", "-q", str(files / "en.txt"), str(files / "missing.txt"))
    assert result.exit_code == 1
    assert result.stdout == f"{exact((files / 'en.txt').read_text())}\n"
    assert (
        result.stderr == f"tokencalc: error: {files / 'missing.txt'}: no such file or directory\n"
    )


def test_named_binary_file_is_an_error_but_found_ones_are_skipped(cli, tmp_path):
    (tmp_path / "img.png").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0")
    (tmp_path / "a.txt").write_text("abc")
    named = cli("count", "-q", str(tmp_path / "img.png"))
    assert named.exit_code == 1
    assert named.stderr == f"tokencalc: error: {tmp_path / 'img.png'}: binary file, not counted\n"
    walked = cli("count", str(tmp_path), "--format", "json")
    assert walked.exit_code == 0
    assert "skipped 1 binary file(s)" in walked.stderr
    inputs = json.loads(walked.stdout)["inputs"]
    assert {"path": str(tmp_path / "img.png"), "skipped": "binary file, not counted"} in inputs


def test_invalid_utf8_warns_once_per_file_and_counts_replacements(cli, tmp_path):
    (tmp_path / "bad.txt").write_bytes(b"ok \xff\xfe and \xc3")
    result = cli("count", "-q", str(tmp_path / "bad.txt"))
    assert result.exit_code == 0
    expected = exact("ok \ufffd\ufffd and \ufffd")
    assert result.stdout == f"{expected}\n"
    assert result.stderr.count("invalid UTF-8") == 1


def test_directory_loop_is_an_error_after_counting_the_rest(cli, tmp_path):
    import os

    (tmp_path / "f.txt").write_text("hello")
    os.symlink(tmp_path, tmp_path / "loop")
    result = cli("count", "-q", str(tmp_path))
    assert result.exit_code == 1
    assert result.stdout == "1\n"
    assert "directory loop" in result.stderr


def test_both_encoding_and_model_is_a_usage_error(cli):
    result = cli("count", "--encoding", "cl100k_base", "--model", "gpt-4o", input="x")
    assert result.exit_code == 2
    assert result.stderr == "tokencalc: error: give --encoding or --model, not both\n"


def test_unknown_encoding_and_model(cli):
    bad_encoding = cli("count", "--encoding", "p50k_base", input="x")
    assert bad_encoding.exit_code == 1
    assert bad_encoding.stderr.startswith("tokencalc: error: unknown encoding 'p50k_base'")
    bad_model = cli("count", "--model", "no-such-model-xyz", input="x")
    assert bad_model.exit_code == 1
    assert bad_model.stderr.startswith("tokencalc: error: unknown model 'no-such-model-xyz'")
    assert "Traceback" not in bad_model.stderr


def test_glob_without_matches(cli, tmp_path):
    result = cli("count", str(tmp_path / "*.none"))
    assert result.exit_code == 1
    assert "no files match this pattern" in result.stderr


def test_version(cli):
    from tokencalc import __version__

    assert cli("--version").stdout == f"tokencalc {__version__}\n"


def test_unreadable_file_is_reported_and_the_rest_counted(cli, files, monkeypatch):
    import builtins

    import tokencalc.counting.inputs as inputs

    real_open = builtins.open

    def guarded_open(path, *args, **kwargs):
        if str(path).endswith("zh.txt"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(inputs, "open", guarded_open, raising=False)
    result = cli("count", "-q", str(files / "en.txt"), str(files / "zh.txt"))
    assert result.exit_code == 1
    assert result.stdout == f"{exact((files / 'en.txt').read_text())}\n"
    assert result.stderr == f"tokencalc: error: {files / 'zh.txt'}: permission denied\n"
