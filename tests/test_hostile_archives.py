"""ZIP archives read within limits (issue 10 §3): members, size, ratio; errors name the member."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from tokencalc.usage.zip_limits import ArchiveLimitError, LimitedMember

#: A real ChatGPT export's conversations (the usage tests' fixture).
CONVERSATIONS = json.loads(
    (Path(__file__).parent / "fixtures/usage/chatgpt_export/conversations.json").read_text(
        encoding="utf-8"
    )
)

#: 1.25 MiB of spaces (→ ~2.7 KB compressed, ~480 to 1): past the 1 MiB below which no ratio is
#: checked (usage/zip_limits.py) and well over the default 100 to 1.
BOMB_PADDING = 5 << 18


def _export(path, conversations, extra_members=0, padding=0):
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        text = json.dumps(conversations)
        if padding:
            text = text[:-1] + " " * padding + text[-1]  # JSON whitespace: still the same document
        archive.writestr("conversations.json", text)
        for i in range(extra_members):
            archive.writestr(f"file-{i}.txt", "x")
    return path


def test_zip_bomb_member_is_refused_naming_it(cli, tmp_path):
    bomb = _export(tmp_path / "export.zip", CONVERSATIONS, padding=BOMB_PADDING)
    result = cli("usage", str(bomb), "-m", "gpt-5")
    assert result.exit_code == 1
    assert f"{bomb}!conversations.json: compressed" in result.stderr
    assert "TOKENCALC_MAX_ARCHIVE_RATIO" in result.stderr


def test_raising_the_ratio_lets_it_through(cli, tmp_path, monkeypatch):
    bomb = _export(tmp_path / "export.zip", CONVERSATIONS, padding=BOMB_PADDING)
    monkeypatch.setenv("TOKENCALC_MAX_ARCHIVE_RATIO", "100000")
    result = cli("usage", str(bomb), "-m", "gpt-5", "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["records"] >= 1


def test_too_many_members(cli, tmp_path, monkeypatch):
    archive = _export(tmp_path / "export.zip", CONVERSATIONS, extra_members=10)
    monkeypatch.setenv("TOKENCALC_MAX_ARCHIVE_MEMBERS", "5")
    result = cli("usage", str(archive), "-m", "gpt-5")
    assert result.exit_code == 1
    assert "11 members, more than the 5 allowed" in result.stderr


def test_member_larger_than_the_size_limit(cli, tmp_path, monkeypatch):
    archive = _export(tmp_path / "export.zip", CONVERSATIONS * 200)
    monkeypatch.setenv("TOKENCALC_MAX_ARCHIVE_MB", "0.01")
    result = cli("usage", str(archive), "-m", "gpt-5")
    assert result.exit_code == 1
    assert "conversations.json:" in result.stderr and "TOKENCALC_MAX_ARCHIVE_MB" in result.stderr


def test_a_member_inflating_beyond_its_declared_size_is_stopped():
    stream = LimitedMember(io.BytesIO(b"x" * 5000), "a.zip!m", declared=1000)
    reader = io.BufferedReader(stream, 256)
    with pytest.raises(ArchiveLimitError, match=r"a.zip!m: inflates to more than"):
        reader.read()
