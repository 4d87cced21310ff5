"""Counting many inputs (files, stdin) on one counter: results in input order, while later
inputs are read ahead; a binary or unreadable input is a problem reported with its result,
never an error that stops the others.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from tokencalc.counting.counter import Counts, PendingCounts, TokenCounter
from tokencalc.counting.inputs import (
    BinaryInput,
    InputProblem,
    InputReadError,
    InputSource,
    open_source,
    read_blocks,
)


@dataclass(frozen=True)
class InputResult:
    """The outcome for one input: its counts, or the problem that stopped it."""

    label: str
    counts: Counts | None = None
    problem: InputProblem | None = None


#: Inputs read ahead while earlier ones finish counting (many small files count in parallel).
READ_AHEAD = 8


def count_inputs(
    counter: TokenCounter,
    sources: Iterable[InputSource],
    progress: Callable[[int], None] | None = None,
    stdin: BinaryIO | None = None,
) -> Iterator[InputResult]:
    """Count each input, yielding results in input order; a bad input is a problem, not an error.

    ``stdin`` is the byte stream a ``-`` input reads (the CLI passes its environment's).

    A file found by walking a directory that turns out to be binary (a NUL byte in the first
    8 KiB) is ``skipped``; one named on the command line is an ``error``. Up to READ_AHEAD
    inputs are read while earlier ones finish counting on the workers.
    """
    window: deque[tuple[InputSource, PendingCounts | InputProblem]] = deque()

    def finished(source: InputSource, outcome: PendingCounts | InputProblem) -> InputResult:
        if isinstance(outcome, InputProblem):
            return InputResult(source.label, problem=outcome)
        return InputResult(source.label, counts=outcome.result())

    for source in sources:
        try:
            with open_source(source, stdin) as handle:
                outcome: PendingCounts | InputProblem = counter.start_stream(
                    read_blocks(handle), progress
                )
        except BinaryInput:
            kind = "skipped" if source.discovered else "error"
            outcome = InputProblem(source.label, "binary file, not counted", kind)
        except InputReadError as exc:
            outcome = InputProblem(source.label, str(exc))
        window.append((source, outcome))
        if len(window) > READ_AHEAD:
            yield finished(*window.popleft())
    while window:
        yield finished(*window.popleft())
