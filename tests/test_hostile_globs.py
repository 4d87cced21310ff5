"""Globs and walks that terminate and match each file once; empty paths (issue 10 §2)."""

from __future__ import annotations

import glob
import os

import pytest

from tokencalc.counting import globbing


@pytest.fixture
def tree(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in (
        "a.txt",
        "b.md",
        "d/c.txt",
        "d/e/f.txt",
        "d/e/g.md",
        ".hidden/h.txt",
        "d/.i.txt",
        "x/y/z/w.txt",
    ):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(name)
    return tmp_path


@pytest.mark.parametrize(
    "pattern",
    [
        "*.txt",
        "**/*.txt",
        "d/**",
        "d/**/*.md",
        "**",
        "*/e/*",
        "d/*",
        "x/**/w.txt",
        "**/e",
        "[ab].*",
        "?.txt",
        "d/.*",
        "nope/**/*.txt",
    ],
)
def test_same_matches_as_python_glob_without_links(tree, pattern):
    expected = sorted(glob.glob(pattern, recursive=True))
    # glob writes "d/" for "d/**"'s base directory; the same directory either way.
    assert [m.rstrip("/") for m in globbing.expand(pattern).matches] == [
        m.rstrip("/") for m in expected
    ]


def test_absolute_pattern(tree):
    assert globbing.expand(str(tree / "d" / "**" / "*.md")).matches == [
        str(tree / "d" / "e" / "g.md")
    ]


def test_self_link_loop_counts_once_and_is_reported(tree, cli):
    os.makedirs("L")
    os.symlink(".", "L/me")
    (tree / "L" / "a.txt").write_text("hi\n")
    result = globbing.expand("L/**/*.txt")
    assert result.matches == ["L/a.txt"] and result.loops == ["L/me"]
    out = cli("count", "-q", "L/**/*.txt")
    assert out.stdout == "2\n"  # "hi\n" is 2 tokens in o200k_base; the loop is not followed
    assert (
        out.stderr
        == "tokencalc: error: L/me: directory loop: links back to a directory being read; not followed\n"
    )
    assert out.exit_code == 1


def test_two_loop_links_terminate(tree, cli):
    os.makedirs("L")
    os.symlink(".", "L/me")
    os.symlink("..", "L/up")
    os.symlink(".", "L/me2")
    (tree / "L" / "a.txt").write_text("hi\n")
    result = globbing.expand("L/**/*.txt")
    # L/up is the tree's root: its files are found once through it; L/up/L leads back into L.
    assert result.matches == [
        "L/a.txt",
        "L/up/a.txt",
        "L/up/d/c.txt",
        "L/up/d/e/f.txt",
        "L/up/x/y/z/w.txt",
    ]
    assert sorted(result.loops) == ["L/me", "L/me2", "L/up/L"]


def test_a_file_reached_through_two_links_is_matched_once(tree):
    os.symlink("d", "alias")
    matches = globbing.expand("**/c.txt").matches
    assert matches == ["alias/c.txt"]  # sorted first; d/c.txt is the same file


@pytest.mark.parametrize("command", [("count",), ("estimate", "-m", "gpt-5")])
@pytest.mark.parametrize("arg", ["", " "])
def test_empty_path_is_a_usage_error(tree, cli, command, arg):
    out = cli(*command, arg)
    assert out.exit_code == 2
    assert out.stdout == ""
    assert (
        out.stderr.startswith("tokencalc: error: an empty path argument")
        and out.stderr.count("\n") == 1
    )
