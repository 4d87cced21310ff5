"""Turning paths, directories and globs into inputs."""

from __future__ import annotations

import os

import pytest

from tokencalc.counting.inputs import resolve_inputs


@pytest.fixture
def tree(tmp_path):
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.md").write_text("b")
    (tmp_path / "sub" / "debug.log").write_text("ignored")
    (tmp_path / "sub" / "keep.log").write_text("kept by negation")
    (tmp_path / ".hidden").write_text("h")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("x")
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "out.txt").write_text("ignored dir")
    (tmp_path / ".gitignore").write_text("*.log\n!keep.log\nbuild/\n")
    (tmp_path / "sub" / ".gitignore").write_text("b.md\n")
    return tmp_path


def labels(resolved, root):
    return [os.path.relpath(s.label, root) for s in resolved.sources]


def test_directory_walk_honours_gitignore_and_skips_hidden(tree):
    resolved = resolve_inputs([str(tree)])
    assert labels(resolved, tree) == ["a.txt", os.path.join("sub", "keep.log")]
    assert resolved.hidden_skipped == 4  # .hidden, .git, .gitignore, sub/.gitignore
    assert resolved.ignored_skipped == 3  # build/, sub/b.md, sub/debug.log
    assert all(s.discovered for s in resolved.sources)
    assert not resolved.problems


def test_named_files_are_read_even_if_ignored_or_hidden(tree):
    resolved = resolve_inputs([str(tree / "sub" / "debug.log"), str(tree / ".hidden")])
    assert [s.path and s.path.name for s in resolved.sources] == ["debug.log", ".hidden"]
    assert not any(s.discovered for s in resolved.sources)


def test_glob_patterns(tree):
    resolved = resolve_inputs([str(tree / "**" / "*.md")])
    assert [s.path and s.path.name for s in resolved.sources] == ["b.md"]
    missing = resolve_inputs([str(tree / "*.nothing")])
    assert missing.problems[0].message == "no files match this pattern"


def test_missing_path_and_stdin(tree):
    resolved = resolve_inputs(["-", str(tree / "nope.txt")])
    assert resolved.sources[0].is_stdin
    assert resolved.problems[0].message == "no such file or directory"
    assert resolve_inputs([]).sources[0].is_stdin


def test_directory_loop_is_reported_not_followed(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "f.txt").write_text("x")
    os.symlink(tmp_path / "d", tmp_path / "d" / "loop")
    resolved = resolve_inputs([str(tmp_path / "d")])
    assert [s.path and s.path.name for s in resolved.sources] == ["f.txt"]
    assert "directory loop" in resolved.problems[0].message


def test_broken_symlink_is_reported(tmp_path):
    os.symlink(tmp_path / "gone", tmp_path / "dangling")
    resolved = resolve_inputs([str(tmp_path)])
    assert resolved.problems[0].message == "broken symbolic link"
    assert (
        resolve_inputs([str(tmp_path / "dangling")]).problems[0].message == "broken symbolic link"
    )


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads unreadable directories")
def test_unreadable_directory_is_a_problem(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0)
    try:
        resolved = resolve_inputs([str(tmp_path)])
        assert resolved.problems[0].message == "permission denied"
    finally:
        locked.chmod(0o755)
