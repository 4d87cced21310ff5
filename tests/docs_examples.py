"""The ```console examples of README.md and docs/*.md, rendered again by the tool itself.

Every ``$ command`` line of a console block is run through bash in a sandbox — a temporary
directory holding links to the repository's examples/, tests/ and docs/, a temporary HOME,
``COLUMNS`` = :data:`WIDTH`, ``NO_COLOR``, and ``TOKENCALC_TODAY`` = :data:`TODAY` — and its
output (stdout and stderr, as a terminal shows them) replaces the lines under it. The test
(tests/test_docs_examples.py) fails when a file would change; this script rewrites them:

    .venv/bin/python tests/docs_examples.py            # rewrite README.md and docs/*.md
    .venv/bin/python tests/docs_examples.py --check    # exit 1 and show a diff on drift

Directives, on the line(s) just before a block (HTML comments, invisible on GitHub):

    <!-- docs: skip (why) -->          not rendered (needs the reader's own files, …)
    <!-- docs: setup COMMAND -->       a shell command run in the sandbox before the block
    <!-- docs: needs PROGRAM -->       rendered only where PROGRAM is installed (else skipped)
    <!-- docs: file NAME -->           before any fenced block (```json …): its text is the file
                                       NAME in the sandbox of every console block of that document

The commands of one document share one sandbox and run in order (a ``prices set`` in one block
is what a ``prices diff`` further down shows).
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The width and the date every example is rendered at.
WIDTH = 100
TODAY = "2026-11-30"
#: What the sandbox links to (read-only use by the examples).
LINKED = ("examples", "tests", "docs", "src", "pricing.toml", "README.md")
#: The directory the documents show the examples running in. A path the tool prints whole is
#: written back as "." (the work directory) or "~" (home); one that a table folds over lines is
#: shown as it prints, so every run must look as if it ran here.
DOCUMENTED_SANDBOX = "/tmp/tokencalc-docs"


def sandbox_for(root: Path) -> Path:
    """Where the examples of the checkout at ``root`` run: a directory of its own, so that
    checkouts side by side do not wait for each other, named with as many characters as
    :data:`DOCUMENTED_SANDBOX` so that a table folds its paths at the same places
    (:func:`as_documented` puts the documented name back)."""
    tag = hashlib.sha256(str(root).encode()).hexdigest()
    return Path("/tmp/tcdocs-" + tag[: len(DOCUMENTED_SANDBOX) - len("/tmp/tcdocs-")])


SANDBOX = sandbox_for(ROOT)
DIRECTIVE = re.compile(r"^<!--\s*docs:\s*(skip|setup|needs|file)\b\s*(.*?)\s*-->\s*$")


@dataclass
class Block:
    """One console block: where it is, its commands and the directives before it."""

    path: Path
    start: int  # index of the first line inside the fence
    end: int  # index of the closing fence
    lines: list[str]
    skip: str | None = None
    setup: list[str] = field(default_factory=list)
    needs: list[str] = field(default_factory=list)

    @property
    def where(self) -> str:
        return f"{_name(self.path)}:{self.start}"


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def documents() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def files(path: Path) -> dict[str, str]:
    """The files a document declares (``<!-- docs: file NAME -->`` before a fenced block)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    found = {}
    for index, line in enumerate(lines[:-1]):
        match = DIRECTIVE.match(line)
        if match and match.group(1) == "file" and lines[index + 1].startswith("```"):
            end = index + 2
            while end < len(lines) and lines[end].strip() != "```":
                end += 1
            found[match.group(2)] = "\n".join(lines[index + 2 : end]) + "\n"
    return found


def blocks(path: Path) -> Iterator[Block]:
    lines = path.read_text(encoding="utf-8").split("\n")
    index = 0
    while index < len(lines):
        if lines[index].strip() != "```console":
            index += 1
            continue
        end = index + 1
        while end < len(lines) and lines[end].strip() != "```":
            end += 1
        block = Block(path, index + 1, end, lines[index + 1 : end])
        back = index - 1
        while back >= 0 and DIRECTIVE.match(lines[back]):
            kind, argument = DIRECTIVE.match(lines[back]).groups()  # type: ignore[union-attr]
            if kind == "skip":
                block.skip = argument or "skipped"
            elif kind == "setup":
                block.setup.insert(0, argument)
            elif kind == "needs":
                block.needs.append(argument)
            back -= 1
        yield block
        index = end + 1


def _sandbox(home: Path, work: Path) -> dict[str, str]:
    for name in LINKED:
        (work / name).symlink_to(ROOT / name)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TOKENCALC_", "XDG_", "CLAUDE_", "CODEX_", "GEMINI_"))
        and key not in ("COLUMNS", "LINES")
    }
    bin_dir = str(Path(sys.executable).parent)
    env.update(
        HOME=str(home),
        COLUMNS=str(WIDTH),
        NO_COLOR="1",
        TERM="dumb",
        TZ="UTC",
        LC_ALL="C.UTF-8",
        TOKENCALC_TODAY=TODAY,
        PATH=bin_dir + os.pathsep + env.get("PATH", ""),
    )
    return env


@contextlib.contextmanager
def _fixed_sandbox() -> Iterator[Path]:
    """An empty :data:`SANDBOX`, held under this checkout's lock (two runs in one checkout
    share the directory; runs in other checkouts have their own)."""
    import fcntl

    with open(f"{SANDBOX}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        shutil.rmtree(SANDBOX, ignore_errors=True)
        SANDBOX.mkdir(parents=True)
        try:
            yield SANDBOX
        finally:
            shutil.rmtree(SANDBOX, ignore_errors=True)


def render(block: Block, home: Path, work: Path, env: dict[str, str]) -> list[str]:
    """The block as the tool prints it today: each ``$`` line and the output under it."""
    commands = [line[2:] for line in block.lines if line.startswith("$ ")]
    out: list[str] = []
    for command in block.setup:
        subprocess.run(["bash", "-c", command], cwd=work, env=env, check=True, capture_output=True)
    for number, command in enumerate(commands):
        text = _in_process(command, work, env)
        if text is None:
            text = _shell(command, work, env)
        text = as_documented(text.replace(str(home), "~").replace(str(work), "."), str(SANDBOX))
        if number and _blank_between(block):
            out.append("")
        out.append(f"$ {command}")
        out.extend(line.rstrip() for line in text.rstrip("\n").split("\n") if text.strip() or line)
    return out


def _shell(command: str, work: Path, env: dict[str, str], stdin: bytes = b"") -> str:
    """What bash shows for ``command`` (both streams, as a terminal shows them)."""
    done = subprocess.run(
        # the braces: every command of a list or pipeline writes its errors where a terminal
        # shows them (a bare ``2>&1`` would apply to the last command only)
        ["bash", "-c", "{ " + command + "\n} 2>&1"],
        cwd=work,
        env=env,
        input=stdin,
        capture_output=True,
        timeout=300,
    )
    return done.stdout.decode("utf-8")


#: Characters that make a command the shell's business (pipes, redirections, globs, variables…).
_SHELL = set("|&;<>()$`\\*?[]{}~!#=")


def _unquoted(command: str) -> Iterator[tuple[int, str]]:
    """The characters of ``command`` outside quotes, with their places."""
    quote = None
    for at, ch in enumerate(command):
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        else:
            yield at, ch


def _plain_argv(command: str) -> list[str] | None:
    """``tokencalc ARGS`` with nothing for a shell to do (quotes aside): its arguments."""
    if any(ch in _SHELL for _, ch in _unquoted(command)):
        return None
    words = shlex.split(command)
    return words[1:] if words[:1] == ["tokencalc"] else None


def _piped(command: str) -> tuple[list[str], str] | None:
    """``tokencalc ARGS | REST`` (ARGS plain, one ``|``, not ``||``): ARGS and REST."""
    bars = [at for at, ch in _unquoted(command) if ch == "|"]
    if not bars or command[bars[0] + 1 : bars[0] + 2] == "|":
        return None
    argv = _plain_argv(command[: bars[0]].strip())
    return None if argv is None else (argv, command[bars[0] + 1 :].strip())


def _in_process(command: str, work: Path, env: dict[str, str]) -> str | None:
    """What ``tokencalc ARGS`` prints, run in this process through the CLI's edge (as the
    script runs it: same streams' contents, same exit path); None when the command needs a
    shell for more than a pipe. Standard output and standard error go to one buffer in the
    order they are written, as a terminal shows them (``bash -c '… 2>&1'`` shows the same
    lines: the tool flushes each message and each table as it writes them).

    ``tokencalc ARGS | REST``: tokencalc runs here, its standard output is REST's standard
    input in bash, and what the terminal shows is tokencalc's standard error, then REST's
    output."""
    piped = _piped(command)
    argv = piped[0] if piped else _plain_argv(command)
    if argv is None:
        return None
    import io
    import time

    from tokencalc.cli.app import run
    from tokencalc.cli.env import Environment

    shown, output = io.BytesIO(), io.BytesIO()
    environment = Environment(
        stdin=io.TextIOWrapper(io.BytesIO(b""), encoding="utf-8"),
        stdout=io.TextIOWrapper(output if piped else shown, encoding="utf-8", write_through=True),
        stderr=io.TextIOWrapper(shown, encoding="utf-8", write_through=True),
        stdin_isatty=False,
        stdout_isatty=False,
        stderr_isatty=False,
    )
    saved_environ, saved_cwd = dict(os.environ), os.getcwd()
    os.environ.clear()
    os.environ.update(env)
    time.tzset()
    os.chdir(work)
    try:
        run(argv, environment)
        for stream in (environment.stdout, environment.stderr):
            stream.flush()
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_environ)
        time.tzset()
    text = shown.getvalue().decode("utf-8")
    return text + _shell(piped[1], work, env, output.getvalue()) if piped else text


def as_documented(text: str, sandbox: str) -> str:
    """``text`` as if it had run in :data:`DOCUMENTED_SANDBOX`: the ``sandbox`` path replaced
    where it is whole, and where a table folded it over lines (a head ending a cell, its rest
    in the same column of the lines below; the two names have the same length, so a table
    folds both at the same places)."""
    shown = DOCUMENTED_SANDBOX
    assert len(sandbox) == len(shown)
    lines = [line.replace(sandbox, shown) for line in text.split("\n")]
    for row, line in enumerate(lines):
        for cut in range(len(sandbox) - 1, 3, -1):  # the longest head first
            at = line.find(sandbox[:cut])
            while at != -1:
                end = at + cut
                if end == len(line) or line[end] == " ":  # the head ends its cell
                    line = line[:at] + shown[:cut] + line[end:]
                    done, below = cut, row + 1
                    while done < len(sandbox) and below < len(lines):
                        piece = sandbox[done : done + cut]
                        if lines[below][at : at + len(piece)] != piece:
                            break
                        lines[below] = (
                            lines[below][:at]
                            + shown[done : done + cut]
                            + lines[below][at + len(piece) :]
                        )
                        done, below = done + len(piece), below + 1
                at = line.find(sandbox[:cut], at + 1)
        lines[row] = line
    return "\n".join(lines)


def _blank_between(block: Block) -> bool:
    """Whether the block separates its commands' outputs with a blank line (kept as written)."""
    return any(not line and after.startswith("$ ") for line, after in pairwise(block.lines))


def rendered_document(path: Path) -> tuple[str, list[str]]:
    """The document with every checkable block rendered again, and the blocks skipped."""
    lines = path.read_text(encoding="utf-8").split("\n")
    skipped = []
    rendered = []
    with _fixed_sandbox() as tmp:
        home, work = tmp / "home", tmp / "work"
        home.mkdir()
        work.mkdir()
        env = _sandbox(home, work)
        for name, text in files(path).items():
            (work / name).write_text(text, encoding="utf-8")
        for block in blocks(path):
            missing = [program for program in block.needs if shutil.which(program) is None]
            if block.skip or missing:
                skipped.append(f"{block.where}: {block.skip or 'needs ' + ', '.join(missing)}")
                continue
            rendered.append((block, render(block, home, work, env)))
    for block, new_lines in reversed(rendered):
        lines[block.start : block.end] = new_lines
    return "\n".join(lines), skipped


def drift(path: Path) -> str:
    """A unified diff of the document against its rendering ('' when they agree)."""
    old = path.read_text(encoding="utf-8")
    new, _ = rendered_document(path)
    name = _name(path)
    return "".join(
        difflib.unified_diff(old.splitlines(True), new.splitlines(True), name, name + " (rendered)")
    )


def main(argv: list[str]) -> int:
    check = "--check" in argv
    status = 0
    for path in documents():
        new, skipped = rendered_document(path)
        for line in skipped:
            print(f"skipped {line}", file=sys.stderr)
        if new == path.read_text(encoding="utf-8"):
            continue
        if check:
            print(drift(path))
            status = 1
        else:
            path.write_text(new, encoding="utf-8")
            print(f"rewrote {_name(path)}", file=sys.stderr)
    return status


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
