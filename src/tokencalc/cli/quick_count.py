"""``tokencalc count -q`` without Typer: parse the few arguments it takes, count, print one number.

It behaves as the full ``count -q`` does (tests/test_quick_count.py runs both and compares):
the same inputs, the same error and warning lines on stderr, the same exit codes. It imports
only the counting core; building a tokenizer is left to the counter, which does it only for
input large enough to need one (``echo hello`` is counted by the pure-Python tokenizer).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

#: The reader of our stdout went away (``| head``): 128 + SIGPIPE, as the shell reports it.
EXIT_BROKEN_PIPE = 141
_TOTAL_FLAGS = ("-q", "--total")
_ENCODING_FLAGS = ("-e", "--encoding")


@dataclass(frozen=True)
class QuickCount:
    """A ``count -q`` command line the quick path can run exactly."""

    paths: list[str] = field(default_factory=list)
    encoding: str | None = None


def parse(argv: list[str]) -> QuickCount | None:
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
    if not paths and _stdin_is_terminal():
        return None  # the full CLI explains what to do
    if encoding is not None and not _known_encoding(encoding):
        return None  # the full CLI reports it, in its words
    return QuickCount(paths, encoding)


def _stdin_is_terminal() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def _known_encoding(name: str) -> bool:
    from tokencalc.counting import encodings
    from tokencalc.errors import TokencalcError

    try:
        encodings.canonical_encoding(name)
    except TokencalcError:
        return False
    return True


def run(request: QuickCount) -> int:
    """Count and print the total; the exit code, as the full CLI's contract gives it
    (``cli.app``: ``TokencalcGroup.invoke`` and ``main``)."""
    from tokencalc.cli import streams
    from tokencalc.cli.messages import debug_enabled, print_error
    from tokencalc.errors import ExitCode, TokencalcError

    streams.install()
    try:
        code = _count_and_print(request)
    except TokencalcError as exc:
        print_error(exc.message)
        code = int(exc.exit_code)
    except KeyboardInterrupt:
        streams.write_stderr("tokencalc: interrupted\n")
        code = int(ExitCode.INTERRUPTED)
    except BrokenPipeError:
        streams.silence_stdout()
        code = EXIT_BROKEN_PIPE
    except RecursionError:
        if debug_enabled():
            raise
        print_error("an input is nested too deeply to be read (a price sheet, JSON or TOML file?)")
        code = int(ExitCode.ERROR)
    except Exception as exc:
        if debug_enabled():
            raise
        print_error(
            f"internal error: {type(exc).__name__}: {exc} (set TOKENCALC_DEBUG=1 for details)"
        )
        code = int(ExitCode.ERROR)
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        streams.silence_stdout()
        code = EXIT_BROKEN_PIPE
    except TokencalcError as exc:  # streams.OutputError: disk full, closed stdout
        print_error(exc.message)
        code = int(ExitCode.ERROR)
    return code


def _count_and_print(request: QuickCount) -> int:
    from tokencalc.cli.inputs_view import count_paths
    from tokencalc.counting import encodings
    from tokencalc.errors import ExitCode

    name = request.encoding or encodings.DEFAULT_ENCODING
    outcome = count_paths(request.paths, [name], quiet=True, machine_output=False)
    total = sum(counts.tokens[name] for _, counts in outcome.counted)
    sys.stdout.write(f"{total}\n")
    return int(ExitCode.ERROR) if outcome.failed else int(ExitCode.OK)
