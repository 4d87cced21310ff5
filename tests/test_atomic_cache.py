"""The cache writer shared by the usage prefetch cache and the status line's index shards."""

from __future__ import annotations

from pathlib import Path

from tokencalc.atomic import write_cache_atomic


def test_a_cache_file_is_created_and_replaced_whole(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "er" / "entry.bin"
    write_cache_atomic(target, b"first")
    assert target.read_bytes() == b"first"
    write_cache_atomic(target, b"second, longer")
    assert target.read_bytes() == b"second, longer"
    assert sorted(p.name for p in target.parent.iterdir()) == ["entry.bin"]  # no temporaries


def test_a_cache_that_cannot_be_written_is_skipped_silently(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_bytes(b"a file where the cache directory should be")
    write_cache_atomic(blocker / "entry.bin", b"data")  # no exception: a cache is optional
    assert blocker.read_bytes() == b"a file where the cache directory should be"


def test_a_failed_write_leaves_the_old_entry_and_no_temporary(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "entry.bin"
    write_cache_atomic(target, b"old")

    def refuse(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("tokencalc.atomic.os.replace", refuse)
    write_cache_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["entry.bin"]
