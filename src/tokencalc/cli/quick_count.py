"""``tokencalc count -q`` without Typer: parse the few arguments it takes, count, print one number.

It behaves as the full ``count -q`` does (tests/test_quick_count.py runs both and compares):
the same inputs, the same error and warning lines on stderr, the same exit codes. It imports
only the counting core; building a tokenizer is left to the counter, which does it only for
input large enough to need one (``echo hello`` is counted by the pure-Python tokenizer).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tokencalc.cli.env import Environment
from tokencalc.errors import ExitCode, TokencalcError

_TOTAL_FLAGS = ("-q", "--total")
_ENCODING_FLAGS = ("-e", "--encoding")


@dataclass(frozen=True)
class QuickCount:
    """A ``count -q`` command line the quick path can run exactly."""

    paths: list[str] = field(default_factory=list)
    encoding: str | None = None


def parse(argv: list[str], env: Environment) -> QuickCount | None:
    """The request, when ``argv`` is ``count`` with -q/--total, optional -e NAME and inputs only."""
    if not argv or argv[0] != "count":
        return None
    paths: list[str] = []
    encoding: str | None = None
    total = False
    args = iter(argv[1:])
    for arg in args:
        if arg == "--":
            paths.extend(args)
            break
        if arg in _TOTAL_FLAGS:
            total = True
        elif arg in _ENCODING_FLAGS:
            value = next(args, None)
            if value is None or encoding is not None:
                return None
            encoding = value
        elif arg.startswith("--encoding="):
            if encoding is not None:
                return None
            encoding = arg.partition("=")[2]
        elif arg.startswith("-") and arg != "-":
            return None  # any other option: the full CLI parses it
        else:
            paths.append(arg)
    if not total:
        return None
    if not paths and env.stdin_isatty:
        return None  # the full CLI explains what to do
    if encoding is not None and not _known_encoding(encoding):
        return None  # the full CLI reports it, in its words
    return QuickCount(paths, encoding)


def _known_encoding(name: str) -> bool:
    from tokencalc.counting import encodings  # start-up: every command line is parsed here first

    try:
        encodings.canonical_encoding(name)
    except TokencalcError:
        return False
    return True


def run(request: QuickCount, env: Environment) -> int:
    """Count and print the total; the exit code (errors are mapped by the edge, ``cli.app``)."""
    # start-up: parse() runs for every command line; the counting core only for this one
    from tokencalc.cli.views.inputs_view import count_paths
    from tokencalc.counting import encodings

    name = request.encoding or encodings.DEFAULT_ENCODING
    outcome = count_paths(env, request.paths, [name], quiet=True, machine_output=False)
    total = sum(counts.tokens[name] for _, counts in outcome.counted)
    env.write(f"{total}\n")
    return int(ExitCode.ERROR) if outcome.failed else int(ExitCode.OK)
