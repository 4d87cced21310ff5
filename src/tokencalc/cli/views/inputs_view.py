"""Reading a command's inputs the same way everywhere: resolve, count, report problems.

``count`` and ``estimate`` both take files, directories, globs and stdin. This module resolves
them, counts each once for the encodings asked for (or only characters when no exact
encoding is needed), shows a progress bar for long work on a terminal, and reports every
unreadable, binary or badly encoded input on stderr as it goes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tokencalc.cli.env import Environment
from tokencalc.cli.views.progress import LazyProgress, progress_allowed
from tokencalc.counting import counter as counting
from tokencalc.counting import fast_backend
from tokencalc.counting.counter import Counts
from tokencalc.counting.input_counts import InputResult, count_inputs
from tokencalc.counting.inputs import InputProblem, resolve_inputs
from tokencalc.safe_text import escape


@dataclass
class CountedInputs:
    """Every input's outcome, the problems met on the way and the total of what was counted."""

    results: list[InputResult] = field(default_factory=list)
    resolution_problems: list[InputProblem] = field(default_factory=list)
    total: Counts = field(default_factory=Counts)
    binary_skipped: int = 0
    hidden_skipped: int = 0
    ignored_skipped: int = 0

    @property
    def counted(self) -> list[tuple[str, Counts]]:
        """(label, counts) of each input that was counted, in order."""
        return [(r.label, r.counts) for r in self.results if r.counts is not None]

    @property
    def problems(self) -> list[InputProblem]:
        return [
            *self.resolution_problems,
            *(r.problem for r in self.results if r.problem is not None),
        ]

    @property
    def failed(self) -> bool:
        """True when an input could not be read (skipped binary files found by walking are fine)."""
        return any(p.kind == "error" for p in self.problems)

    def skipped_note(self) -> str:
        parts = []
        if self.binary_skipped:
            parts.append(f"{self.binary_skipped} binary")
        if self.hidden_skipped:
            parts.append(f"{self.hidden_skipped} hidden")
        if self.ignored_skipped:
            parts.append(f"{self.ignored_skipped} git-ignored")
        if not parts:
            return ""
        listed = ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]
        return f"skipped {listed} file(s) or folder(s)"


def count_paths(
    env: Environment,
    paths: list[str],
    encoding_names: Sequence[str],
    *,
    quiet: bool = False,
    machine_output: bool = False,
    label: str = "Counting",
    classes: bool = False,
    keep_text: int = 0,
    sample: Sequence[str] = (),
    text_windows: bool = False,
    tokens_only: bool = False,
) -> CountedInputs:
    """Resolve and count inputs for ``encoding_names`` (none: characters only), reporting problems.

    ``sample`` and ``text_windows`` are the counter's (sampled counts of big inputs).

    Errors go to stderr as they are found; the note about skipped files is printed unless
    ``quiet``. The caller decides the exit code from :attr:`CountedInputs.failed`. Words and
    lines are counted unless ``quiet`` or ``tokens_only`` says nobody will read them (splitting
    a big input into words costs about as much CPU as counting its tokens with a fast backend).

    A command that counts has built a tokenizer and a thread pool: it leaves without the
    interpreter's teardown once its output is flushed (``env.leave_quickly``, tokencalc.cli.entry),
    and the fast backend may tune the allocator for its vocabulary build
    (``fast_backend.tune_allocator``).
    """
    resolved = resolve_inputs(paths)
    for problem in resolved.problems:
        env.error(f"{escape(problem.label)}: {problem.message}")
    known_sizes = [s.size for s in resolved.sources if s.size is not None]
    total_bytes = sum(known_sizes) if len(known_sizes) == len(resolved.sources) else None

    outcome = CountedInputs(
        resolution_problems=list(resolved.problems),
        total=Counts(tokens=dict.fromkeys(encoding_names, 0)),
        hidden_skipped=resolved.hidden_skipped,
        ignored_skipped=resolved.ignored_skipped,
    )
    env.leave_quickly = True
    fast_backend.tune_allocator = True  # this process is ours: see fast_backend.roomier_heap
    counter = counting.TokenCounter(
        list(encoding_names),
        tokens_only=quiet or tokens_only,
        classes=classes,
        keep_text=keep_text,
        sample=sample,
        text_windows=text_windows,
    )
    show_progress = progress_allowed(env, quiet=quiet, machine_output=machine_output)
    with (
        counter,
        LazyProgress(
            enabled=show_progress,
            total_bytes=total_bytes,
            total_files=len(resolved.sources),
            label=label,
            env=env,
        ) as progress,
    ):
        for result in count_inputs(counter, resolved.sources, progress.advance, env.stdin_bytes):
            progress.file_done()
            outcome.results.append(result)
            if result.problem is not None:
                if result.problem.kind == "skipped":
                    outcome.binary_skipped += 1
                else:
                    env.error(f"{escape(result.problem.label)}: {result.problem.message}")
                continue
            counts = result.counts
            assert counts is not None  # a result without a problem has its counts
            if counts.replaced:
                env.warning(
                    f"{escape(result.label)}: invalid UTF-8: {counts.replaced:,} byte sequence(s) counted as U+FFFD"
                )
            outcome.total = outcome.total + counts

    note = outcome.skipped_note()
    if note and not quiet:
        env.say(note)
    return outcome


def input_entries(
    outcome: CountedInputs, figures: Callable[[str, Counts], dict[str, Any]]
) -> list[dict[str, Any]]:
    """The ``inputs`` list of a JSON document: figures per counted input, or its problem."""
    entries: list[dict[str, Any]] = [
        {"path": p.label, "error": p.message} for p in outcome.resolution_problems
    ]
    for result in outcome.results:
        if result.problem is None:
            assert result.counts is not None  # a result without a problem has its counts
            entries.append({"path": result.label, **figures(result.label, result.counts)})
        else:
            key = "skipped" if result.problem.kind == "skipped" else "error"
            entries.append({"path": result.label, key: result.problem.message})
    return entries
