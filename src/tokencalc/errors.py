"""The one exception family of tokencalc, and the exit codes it maps to.

The core raises these; only the CLI edge (``tokencalc.cli.app``) turns them into a
line on stderr and an exit code. Library users catch :class:`TokencalcError`.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit codes of the ``tokencalc`` command (documented in the README)."""

    OK = 0
    ERROR = 1  # bad data or input: missing file, broken price sheet, unknown model
    USAGE = 2  # bad command line (Typer/Click uses 2 as well)
    BUDGET = 3  # estimate --max-cost: the cheapest selected model costs more than the budget
    INTERRUPTED = 130  # Ctrl-C


class TokencalcError(Exception):
    """Base class: a message meant for the user and the exit code it deserves."""

    exit_code: ExitCode = ExitCode.ERROR

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(TokencalcError):
    """The command line asks for something contradictory or out of range."""

    exit_code = ExitCode.USAGE


class InputError(TokencalcError):
    """An input path or stream cannot be read as text."""


class EncodingDataError(TokencalcError):
    """A shipped tokenizer file is missing or does not match its expected hash."""


class PriceSheetError(TokencalcError):
    """A price sheet cannot be read or does not validate."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or [message]


class UnknownModelError(TokencalcError):
    """A model id that neither the price sheet nor tiktoken knows."""

    def __init__(self, model: str, suggestions: list[str] | None = None) -> None:
        self.model = model
        self.suggestions = suggestions or []
        hint = f" (did you mean {', '.join(self.suggestions)}?)" if self.suggestions else ""
        super().__init__(f"unknown model {model!r}{hint}")


class BudgetExceeded(TokencalcError):
    """The cheapest selected option costs more than ``--max-cost`` allows."""

    exit_code = ExitCode.BUDGET


class UsageRecordError(TokencalcError):
    """Usage records cannot be read or their format cannot be recognised."""
