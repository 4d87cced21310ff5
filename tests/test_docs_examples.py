"""Every console example of README.md and docs/ is what the tool prints (see docs_examples.py).

On failure: `.venv/bin/python tests/docs_examples.py` rewrites the examples; review the diff.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from docs_examples import (
    DOCUMENTED_SANDBOX,
    ROOT,
    SANDBOX,
    _in_process,
    _sandbox,
    as_documented,
    documents,
    drift,
    rendered_document,
    sandbox_for,
)

FIX = "the examples drifted from what the tool prints: run `.venv/bin/python tests/docs_examples.py` and review the diff"


@pytest.mark.parametrize("path", documents(), ids=lambda p: str(p.relative_to(ROOT)))
def test_console_examples_are_what_the_tool_prints(path):
    difference = drift(path)
    assert not difference, f"{FIX}\n{difference}"


def test_a_stale_example_is_caught_and_rewritten(tmp_path):
    doc = tmp_path / "doc.md"
    doc.write_text(
        "Intro.\n\n```console\n$ tokencalc count -q examples/en.txt\n110\n```\n\n"
        "<!-- docs: skip (not run) -->\n```console\n$ tokencalc usage\nwhatever\n```\n\n"
        "<!-- docs: file note.txt -->\n```text\nhello world\n```\n\n"
        "<!-- docs: setup printf 'x' > made.txt -->\n```console\n$ tokencalc count -q note.txt made.txt\n0\n```\n",
        encoding="utf-8",
    )
    assert "-110\n+109\n" in drift(doc)  # en.txt is 109 o200k_base tokens
    new, skipped = rendered_document(doc)
    assert "$ tokencalc usage\nwhatever\n" in new and skipped == [f"{doc}:9: (not run)"]
    assert "$ tokencalc count -q note.txt made.txt\n4\n" in new  # "hello", " world", "\\n" + "x"


def test_a_command_run_in_process_shows_what_a_process_shows(tmp_path, _isolated_environment):
    """The examples run in this process through the edge; real processes are the expectation:
    both streams in the order written (the full command line and the quick path), and a pipe
    whose left side, tokencalc, runs here and feeds the rest in bash."""
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    env = _sandbox(home, work)
    env["TOKENCALC_CACHE_DIR"] = str(_isolated_environment / "cache")  # the session's tables
    for command in (
        "tokencalc count examples/en.txt nothing.txt",
        "tokencalc count -q examples/en.txt nothing.txt | sed 's/^/total: /'",
    ):
        shown = subprocess.run(
            ["bash", "-c", f"{{ {command}; }} 2>&1"],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        ).stdout
        assert shown.startswith("tokencalc: error: nothing.txt: no such file or directory\n")
        assert "109" in shown  # en.txt: 109 o200k_base tokens
        assert _in_process(command, work, env) == shown


def test_each_checkout_renders_in_a_sandbox_of_its_own():
    # not the shared path the documents show, but as long, so tables fold at the same places
    assert str(SANDBOX) != DOCUMENTED_SANDBOX == "/tmp/tokencalc-docs"
    assert len(str(SANDBOX)) == len(DOCUMENTED_SANDBOX)
    assert sandbox_for(ROOT) == SANDBOX and SANDBOX.parent == Path("/tmp")
    other = sandbox_for(Path("/work/wt/another-checkout"))
    assert other != SANDBOX and len(str(other)) == len(DOCUMENTED_SANDBOX)


def test_a_folded_sandbox_path_is_written_as_documented():
    ours = "/tmp/tcdocs-0123abc"
    printed = (
        " changed   models  m-one   source   https://a.example   /tmp/tcdocs-0123\n"
        "                                    /b                  abc/work/prices.\n"
        "                                                        json\n"
        " see /tmp/tcdocs-0123abc/home/x and /tmp/tcdocs-0123x (no cell ends there: kept)"
    )
    assert as_documented(printed, ours) == (
        " changed   models  m-one   source   https://a.example   /tmp/tokencalc-d\n"
        "                                    /b                  ocs/work/prices.\n"
        "                                                        json\n"
        " see /tmp/tokencalc-docs/home/x and /tmp/tcdocs-0123x (no cell ends there: kept)"
    )
