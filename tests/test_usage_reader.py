"""read_usage as a whole: detection, forced sources, errors, progress, default dirs, grouping."""

from __future__ import annotations

import io
import json
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from tokencalc.errors import TokencalcError, UsageError, UsageRecordError
from tokencalc.usage import (
    UsageRecord,
    default_claude_code_dirs,
    default_codex_dirs,
    default_gemini_dirs,
    group_records,
    group_vendor_costs,
    read_usage,
    total_input_bytes,
)
from tokencalc.usage.detect import detect
from tokencalc.usage.files import InputFile
from tokencalc.usage.jsonstream import JsonStreamError, iter_array_items, iter_json_array

FIXTURES = Path(__file__).parent / "fixtures" / "usage"


def test_everything_at_once():
    report = read_usage([FIXTURES])
    assert report.sources == {
        "claude-code": 5,
        "codex": 4,
        "gemini-cli": 5,
        "chatgpt-export": 4,
        "claude-export": 2,
        "openai-usage": 5,
        "anthropic-usage": 5,
    }
    assert report.files_skipped == 1  # other/settings.json: found by walking, no known format
    assert (
        report.malformed == len(report.malformed_reasons) == 3 + 2 + 2 + 1 + 1
    )  # cc, codex, gemini, chatgpt, csv
    assert len(report.vendor_costs) == 3 + 4


@pytest.mark.parametrize(
    ("path", "source", "kind"),
    [
        ("claude_code/projects/-home-u-proj/sess-1.jsonl", "claude-code", "claude-code"),
        ("codex/sessions/2025/09/02", "codex", "codex"),
        (
            "gemini_cli/tmp/5f1c0ffee/chats/session-2025-09-01T10-00-abcd1234.json",
            "gemini-cli",
            "gemini-cli",
        ),
        (
            "gemini_cli/tmp/5f1c0ffee/chats/session-2025-09-01T10-00-abcd1234.jsonl",
            "gemini-cli",
            "gemini-cli",
        ),
        ("chatgpt_export/conversations.json", "chatgpt-export", "chatgpt-export"),
        ("claude_export/conversations.json", "claude-export", "claude-export"),
        ("openai_billing/usage_completions.json", "openai-usage", "openai-usage"),
        ("openai_billing/usage_dashboard.csv", "openai-usage", "openai-usage"),
        ("openai_billing/costs.json", "openai-usage", "openai-costs"),
        ("anthropic_billing/usage_report.json", "anthropic-usage", "anthropic-usage"),
        ("anthropic_billing/cost_report.json", "anthropic-usage", "anthropic-costs"),
        ("anthropic_billing/console_usage.csv", "anthropic-usage", "anthropic-usage"),
        ("anthropic_billing/console_usage_old.csv", "anthropic-usage", "anthropic-usage"),
        ("anthropic_billing/console_cost.csv", "anthropic-usage", "anthropic-costs"),
    ],
)
def test_detection_is_by_content_not_name(tmp_path, path, source, kind):
    original = FIXTURES / path
    if original.is_dir():
        original = next(original.glob("*.jsonl"))
    renamed = tmp_path / "download.dat"
    shutil.copy(original, renamed)
    detected = detect(InputFile(renamed))
    assert detected is not None
    assert (detected.source, detected.kind) == (source, kind)


def test_named_unrecognised_file_is_malformed_not_fatal():
    report = read_usage([FIXTURES / "other" / "notes.txt", FIXTURES / "claude_export"])
    assert report.malformed == 1
    assert report.malformed_reasons == [
        f"{FIXTURES / 'other' / 'notes.txt'}: not a usage format tokencalc recognises"
    ]
    assert report.sources == {"claude-export": 2}


def test_nothing_readable_is_an_error(tmp_path):
    with pytest.raises(UsageRecordError, match="not a recognised usage format"):
        read_usage([FIXTURES / "other" / "notes.txt"])
    with pytest.raises(UsageRecordError, match="no such file or directory"):
        read_usage([tmp_path / "missing"])
    with pytest.raises(UsageRecordError, match="no usage files found"):
        read_usage([tmp_path])
    with pytest.raises(UsageRecordError, match="none of the 1 file"):
        read_usage([FIXTURES / "other"])
    assert issubclass(UsageRecordError, TokencalcError)


def test_bad_zip_is_reported(tmp_path):
    bad = tmp_path / "export.zip"
    bad.write_bytes(b"PK not really a zip")
    report = read_usage([bad, FIXTURES / "claude_export"])
    assert report.malformed == 1 and "not a readable ZIP archive" in report.malformed_reasons[0]


def test_forced_source_reads_only_that_source():
    report = read_usage([FIXTURES], source="codex")
    assert report.sources == {"codex": 4}
    assert report.files_read == 2


def test_forced_source_parses_an_unrecognisable_named_file(tmp_path):
    # gemini records stripped of their content are not recognisable, but can be forced
    line = {
        "id": "g",
        "type": "gemini",
        "timestamp": "2025-09-01T00:00:00Z",
        "model": "gemini-2.5-pro",
        "tokens": {"input": 4, "output": 2, "cached": 0, "thoughts": 1, "tool": 0, "total": 7},
    }
    path = tmp_path / "bare.jsonl"
    path.write_text(json.dumps(line) + "\n")
    with pytest.raises(UsageRecordError):
        read_usage([path])
    report = read_usage([path], source="gemini-cli")
    assert [(r.input_tokens, r.output_tokens) for r in report.records] == [(4, 3)]


def test_malformed_reasons_are_capped_but_all_counted(tmp_path):
    path = tmp_path / "session.jsonl"
    good = {
        "type": "user",
        "sessionId": "s",
        "uuid": "u",
        "message": {"role": "user", "content": "hi"},
    }
    path.write_text(json.dumps(good) + "\n" + "not json\n" * 25)
    report = read_usage([path])
    assert report.malformed == 25 and len(report.malformed_reasons) == 10
    assert report.malformed_reasons[0] == f"{path}:2: invalid JSON"


def test_bad_arguments_are_usage_errors():
    with pytest.raises(UsageError):
        read_usage([FIXTURES], source="cursor")
    with pytest.raises(UsageError):
        read_usage([FIXTURES], reasoning_tokens_per_reply=-1)


def test_progress_adds_up_to_file_sizes(tmp_path):
    seen: list[int] = []
    paths = [FIXTURES / "codex", FIXTURES / "chatgpt_export", FIXTURES / "gemini_cli"]
    read_usage(paths, progress=seen.append)
    expected = sum(p.stat().st_size for d in paths for p in d.rglob("*") if p.is_file())
    assert sum(seen) == expected and len(seen) > 3


def test_progress_matches_total_input_bytes_with_skipped_and_bad_files(tmp_path):
    shutil.copytree(FIXTURES, tmp_path / "all")
    (tmp_path / "all" / "broken.zip").write_bytes(b"PK nope")
    seen: list[int] = []
    read_usage([tmp_path / "all", FIXTURES / "other" / "notes.txt"], progress=seen.append)
    assert sum(seen) == total_input_bytes([tmp_path / "all", FIXTURES / "other" / "notes.txt"])
    assert total_input_bytes([FIXTURES / "codex"], source="codex") == sum(
        p.stat().st_size for p in (FIXTURES / "codex").rglob("*.jsonl")
    )


@pytest.mark.parametrize("source", [None, "codex", "chatgpt-export", "openai-usage"])
def test_total_input_bytes_counts_exactly_the_files_expand_paths_considers(tmp_path, source):
    from tokencalc.usage.discovery import Unreadable, expand_paths

    tree = {
        "a/rollout.jsonl": 10,
        "a/.hidden.jsonl": 20,
        "a/b/UPPER.JSONL": 30,
        "a/b/c/usage.csv": 40,
        "a/notes.txt": 50,
        "a/export.json": 60,
        "a/.dir/inside.json": 70,
        "named.txt": 80,
    }
    for name, size in tree.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x" * size)
    (tmp_path / "a" / "not-a.zip").write_bytes(b"PK" + b"y" * 88)
    paths = [tmp_path / "a", tmp_path / "named.txt", tmp_path / "missing"]
    considered = [item.path for item in expand_paths(paths, source)]
    assert total_input_bytes(paths, source=source) == sum(
        p.stat().st_size for p in considered if p.exists()
    )
    assert any(isinstance(item, Unreadable) for item in expand_paths(paths, source))


def test_gemini_pretty_printed_file_after_a_blank_line(tmp_path):
    original = FIXTURES / "gemini_cli/tmp/5f1c0ffee/chats/session-2025-09-01T10-00-abcd1234.json"
    path = tmp_path / "session-old.json"
    path.write_text("\n" + original.read_text())
    report = read_usage([path])
    assert report.sources == {"gemini-cli": 2} and report.malformed == 0


def test_progress_for_a_zip_is_its_size(tmp_path):
    import zipfile

    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.write(FIXTURES / "chatgpt_export" / "conversations.json", "conversations.json")
    seen: list[int] = []
    read_usage([path], progress=seen.append)
    assert sum(seen) == path.stat().st_size


def test_all_timestamps_are_utc():
    report = read_usage([FIXTURES])
    assert all(r.timestamp.utcoffset() == timedelta(0) for r in report.records)
    assert [r.timestamp for r in report.records] == sorted(r.timestamp for r in report.records)


def test_large_jsonl_streams(tmp_path):
    """Thousands of lines, each usage line duplicated: read line by line, one record per key."""
    path = tmp_path / "big.jsonl"
    with path.open("w") as handle:
        for i in range(1500):
            line: dict[str, Any] = {
                "type": "assistant",
                "sessionId": "s",
                "timestamp": "2025-09-01T00:00:00Z",
                "requestId": f"req_{i}",
                "message": {
                    "id": f"msg_{i}",
                    "model": "claude-sonnet-4-5",
                    "usage": {"input_tokens": 1, "output_tokens": 1},
                },
            }
            handle.write(json.dumps(line) + "\n")
            line["message"]["usage"]["output_tokens"] = 3
            handle.write(json.dumps(line) + "\n")
    report = read_usage([path])
    assert len(report.records) == 1500 and report.duplicates_dropped == 1500
    assert sum(r.output_tokens for r in report.records) == 4500


# ---------------------------------------------------------------- streaming JSON arrays


@pytest.mark.parametrize("chunk", [1, 3, 7, 64, 1 << 16])
def test_iter_json_array_any_chunking(chunk):
    items = [{"a": i, "s": "x" * i, "n": [1.5, None, True]} for i in range(20)] + [
        12345,
        "tail",
        [],
    ]
    data = ("\ufeff \n" + json.dumps(items, indent=1)).encode("utf-8")
    assert list(iter_json_array(io.BytesIO(data), chunk_size=chunk)) == items


def test_iter_json_array_errors():
    with pytest.raises(JsonStreamError):
        list(iter_json_array(io.BytesIO(b'{"a": 1}')))
    with pytest.raises(JsonStreamError):
        list(iter_json_array(io.BytesIO(b'[{"a": 1}, {"b": ')))
    assert list(iter_json_array(io.BytesIO(b"  [ ] "))) == []


# An item that breaks the JSON, with structure-like characters inside its strings, between
# good items: commas, brackets and escaped quotes in strings must not end the skip early.
BAD_ITEM = '{"title": bad, "s": "a, ] } \\" [ {", "n": [1, {"x": "],"}], "t": "\\\\"}'


@pytest.mark.parametrize("chunk", [1, 5, 64, 1 << 16])
def test_malformed_item_is_reported_and_the_rest_is_read(chunk):
    good = [{"i": i, "text": f'x, ] {i} " [' * (i % 3)} for i in range(12)]
    rest = ", ".join(json.dumps(g) for g in good[1:])
    data = "[" + json.dumps(good[0]) + ",\n " + BAD_ITEM + ", " + rest + "]"
    items = list(iter_array_items(io.BytesIO(data.encode()), chunk_size=chunk))
    assert [i.index for i in items] == list(range(13))
    assert [i.value for i in items if i.error is None] == good
    (bad,) = [i for i in items if i.error is not None]
    assert bad.index == 1 and bad.error is not None
    assert bad.error.startswith("Expecting value at character ")


@pytest.mark.parametrize(
    ("document", "errors", "values"),
    [
        (b'[{"a": 1} {"b": 2}, {"c": 3}]', [(1, "expected ',' or ']'")], [{"a": 1}, {"c": 3}]),
        (b'[{"a": 1}, {"b": ', [(1, "unexpected end of file")], [{"a": 1}]),
        (b'[{"a": 1}, {"b": "no end', [(1, "Unterminated string")], [{"a": 1}]),
        (b'[{"a": 1}', [(1, "unexpected end of file")], [{"a": 1}]),
        (
            b'[nope, {"a": 1}, [1, }, {"b": 2}]',
            [(0, "Expecting value"), (2, "Expecting value")],
            [{"a": 1}, {"b": 2}],
        ),
        (b'["x\ny", 3]', [(0, "Invalid control character")], [3]),
        (
            b'[{"a": [1}, {"b": 2}, {"c": 3]}, 4]',
            [(0, "Expecting"), (2, "Expecting")],
            [{"b": 2}, 4],
        ),
        (b"[" + b"[" * 200_000 + b", 5]", [(0, "nested too deeply")], []),
        (b"[" + b"[" * 5000 + b"]" * 5000 + b", 5]", [(0, "nested too deeply")], [5]),
    ],
)
def test_array_items_report_broken_json_and_go_on(document, errors, values):
    items = list(iter_array_items(io.BytesIO(document), chunk_size=4))
    broken = [(i.index, i.error) for i in items if i.error is not None]
    assert len(broken) == len(errors)
    assert all(
        index == i and error.startswith(e)
        for (index, error), (i, e) in zip(broken, errors, strict=True)
    )
    assert [i.value for i in items if i.error is None] == values


class CountingReader(io.BytesIO):
    """Counts the bytes handed out, so a test can see how far ahead of an item reading got."""

    read_so_far = 0

    def read(self, size=-1):
        data = super().read(size)
        self.read_so_far += len(data)
        return data


def test_a_malformed_item_does_not_make_the_reader_read_ahead():
    """Reported as soon as it is seen, with the buffer no larger than an item plus a read."""
    from tokencalc.usage.jsonstream import CHUNK

    filler = {"text": "y" * 1000}
    body = ", ".join(json.dumps(filler) for _ in range(5000))  # about 5 MB after the bad item
    handle = CountingReader(f'[{{"ok": 0}}, {{"title": bad}}, {body}]'.encode())
    items = iter_array_items(handle)
    assert next(items).value == {"ok": 0}
    bad = next(items)
    assert bad.error is not None and handle.read_so_far <= CHUNK
    assert sum(1 for item in items if item.value == filler) == 5000


def test_a_broken_item_skipped_without_buffering_it():
    """An unclosed string swallows the file: skipped in chunk-sized steps, not held whole."""
    from tokencalc.usage import jsonstream

    sizes: list[int] = []
    original = jsonstream._ArrayReader.fill

    def fill(self, want):
        sizes.append(len(self.buffer))
        return original(self, want)

    data = b'[{"a": 1}, {"t": "x}, 7, [' + b"z" * (3 << 20) + b"]"
    reader = jsonstream._ArrayReader(io.BytesIO(data), jsonstream.CHUNK)
    reader.fill = fill.__get__(reader)  # type: ignore[method-assign]  # this reader's, spied on
    reader.pos = 1
    assert reader.decode_item() == {"a": 1}
    reader.pos += 1
    reader.peek()
    assert not reader.skip_item()  # the string never closes: the scan ends at the end of file
    assert max(sizes) <= 2 * jsonstream.CHUNK


def test_one_broken_conversation_loses_only_itself(tmp_path):
    conversations = json.loads((FIXTURES / "chatgpt_export" / "conversations.json").read_text())[:1]
    good = json.dumps(conversations[0])
    path = tmp_path / "conversations.json"
    with path.open("w") as handle:
        handle.write("[" + good + ', {"title": bad, "mapping": {}},\n')
        for i in range(300):
            copy = dict(conversations[0], conversation_id=f"copy-{i}")
            handle.write(json.dumps(copy) + (",\n" if i < 299 else "]"))
    report = read_usage([path])
    assert report.sources == {"chatgpt-export": 3 * 301}  # three calls in each conversation
    assert report.malformed == 1
    where = len(good) + len('[, {"title": ')
    assert report.malformed_reasons == [
        f"{path}:conversation 1: invalid JSON (Expecting value at character {where})"
    ]


def test_truncated_export_keeps_what_was_read(tmp_path):
    data = (FIXTURES / "chatgpt_export" / "conversations.json").read_bytes()
    cut = data.index(b'"title": "Biology"')
    path = tmp_path / "conversations.json"
    path.write_bytes(data[:cut])
    report = read_usage([path])
    assert report.sources == {"chatgpt-export": 3}
    assert report.malformed == 1 and "invalid JSON" in report.malformed_reasons[0]


# ---------------------------------------------------------------- default directories


def test_default_claude_code_dirs(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("CLAUDE_CONFIG_DIR", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert default_claude_code_dirs(existing_only=False) == [
        tmp_path / "xdg/claude/projects",
        tmp_path / ".claude/projects",
    ]
    assert default_claude_code_dirs() == []
    (tmp_path / ".claude/projects").mkdir(parents=True)
    assert default_claude_code_dirs() == [tmp_path / ".claude/projects"]
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", f"{tmp_path / 'a'}, {tmp_path / 'b'}")
    assert default_claude_code_dirs(existing_only=False) == [
        tmp_path / "a/projects",
        tmp_path / "b/projects",
    ]


def test_default_codex_and_gemini_dirs(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("CODEX_HOME", raising=False)
    monkeypatch.delenv("GEMINI_CLI_HOME", raising=False)
    assert default_codex_dirs(existing_only=False) == [
        tmp_path / ".codex/sessions",
        tmp_path / ".codex/archived_sessions",
    ]
    assert default_gemini_dirs(existing_only=False) == [tmp_path / ".gemini/tmp"]
    monkeypatch.setenv("CODEX_HOME", str(tmp_path / "cx"))
    monkeypatch.setenv("GEMINI_CLI_HOME", str(tmp_path / "gh"))
    (tmp_path / "cx/archived_sessions").mkdir(parents=True)
    assert default_codex_dirs() == [tmp_path / "cx/archived_sessions"]
    assert default_gemini_dirs(existing_only=False) == [tmp_path / "gh/.gemini/tmp"]


# ---------------------------------------------------------------- grouping


def record(when: datetime, model: str | None = "m", source: str = "codex") -> UsageRecord:
    return UsageRecord(timestamp=when, source=source, model=model, input_tokens=1, output_tokens=1)


def test_group_records_by_day_in_a_time_zone():
    tz = timezone(timedelta(hours=-5))
    late = record(datetime(2025, 9, 2, 3, 0, tzinfo=timezone.utc))  # 22:00 on Sep 1 at UTC-5
    early = record(datetime(2025, 9, 2, 6, 0, tzinfo=timezone.utc))
    assert list(group_records([early, late], "day", tz)) == ["2025-09-01", "2025-09-02"]
    assert group_records([early, late], "day", timezone.utc) == {"2025-09-02": [late, early]}
    assert list(group_records([early, late], "month", tz)) == ["2025-09"]


def test_group_records_keeps_daily_billing_rows_on_their_utc_day():
    tz = timezone(timedelta(hours=-5))
    bucket = record(datetime(2025, 9, 2, tzinfo=timezone.utc), source="openai-usage")
    call = record(datetime(2025, 9, 2, tzinfo=timezone.utc), source="claude-code")
    assert group_records([bucket, call], "day", tz) == {
        "2025-09-01": [call],
        "2025-09-02": [bucket],
    }


def test_group_records_by_model_and_errors():
    a, b = (
        record(datetime(2025, 9, 1, tzinfo=timezone.utc), "zeta"),
        record(datetime(2025, 9, 1, tzinfo=timezone.utc), None),
    )
    assert list(group_records([a, b], "model", timezone.utc)) == ["unknown", "zeta"]
    with pytest.raises(UsageError):
        group_records([a], "week", timezone.utc)


def test_group_vendor_costs():
    report = read_usage(
        [FIXTURES / "anthropic_billing", FIXTURES / "openai_billing" / "costs.json"]
    )
    by_model = group_vendor_costs(report.vendor_costs, "model")
    assert list(by_model) == ["claude-sonnet-4-5-20250929", "gpt-5-2025-08-07", "unknown"]
    assert list(group_vendor_costs(report.vendor_costs, "month")) == ["2025-09"]


def test_export_whose_first_conversation_is_broken_is_still_recognised(tmp_path):
    good = (FIXTURES / "claude_export" / "conversations.json").read_text().strip()[1:-1]
    path = tmp_path / "conversations.json"
    path.write_text('[{"uuid": "x", "chat_messages": [}, ' + good + "]")
    report = read_usage([path])
    assert report.sources == {"claude-export": 2}
    assert report.malformed == 1 and "conversation 0: invalid JSON" in report.malformed_reasons[0]
