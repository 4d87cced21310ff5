"""The one exception family of tokencalc, and the exit codes it maps to.

The core raises these; only the CLI edge (``tokencalc.cli.app``) turns them into a
line on stderr and an exit code. Library users catch :class:`TokencalcError`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from enum import Enum, IntEnum
from typing import Any, TypeVar

from tokencalc.wording import Arg, spell

_Error = TypeVar("_Error", bound="TokencalcError")


class ExitCode(IntEnum):
    """Exit codes of the ``tokencalc`` command (documented in the README)."""

    OK = 0
    ERROR = 1  # bad data or input: missing file, broken price sheet, unknown model
    USAGE = 2  # bad command line (Typer/Click uses 2 as well)
    BUDGET = 3  # estimate --max-cost: the cheapest selected model costs more than the budget
    INTERRUPTED = 130  # Ctrl-C


class TokencalcError(Exception):
    """Base class: a message meant for the user and the exit code it deserves.

    A message that names an argument is built with :meth:`naming` from text and :class:`Arg`
    parts: ``str()`` shows the core's (Python) names, and an edge words it with its own
    (:meth:`worded`: the command line with its flags).
    """

    exit_code: ExitCode = ExitCode.ERROR
    #: the message's text and named arguments, when it names some (see :meth:`naming`)
    parts: tuple[str | Arg, ...] = ()

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message

    @classmethod
    def naming(cls: type[_Error], *parts: str | Arg) -> _Error:
        """The error whose message is ``parts`` joined, each :class:`Arg` by its core name."""
        error = cls(spell(parts))
        error.parts = parts
        return error

    def worded(self, name_of: Callable[[str], str]) -> str:
        """The message with each named argument called ``name_of(name)``."""
        return spell(self.parts, name_of) if self.parts else self.message


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


class Problem(str, Enum):
    """What is wrong with some arguments: the kind an :class:`ArgumentError` carries."""

    NOT_BOTH = "not_both"  # names: a, b — give a or b, not both
    ONE_OF = "one_of"  # names: a, b, c — give one of them
    NEEDS = "needs"  # names: a, b — a needs b
    NEGATIVE = "negative"  # names: a; fields: value
    NOT_POSITIVE = "not_positive"  # names: a; fields: value
    AT_LEAST = "at_least"  # names: a; fields: value, low
    OUT_OF_RANGE = "out_of_range"  # names: a; fields: value, low, high
    FRACTION = "fraction"  # names: a; fields: value (a share from 0 to 1)
    MORE_THAN_INPUT = "more_than_input"  # names: a; fields: value, input
    NOT_PER_RECORD = "not_per_record"  # names: a, b — do not apply to a dataset
    NOT_WHOLE = "not_whole"  # names: a; fields: value
    ABOVE_ZERO = "above_zero"  # names: a; fields: value (must be more than 0)
    AT_MOST = "at_most"  # names: a; fields: value, high


def _number(value: Any) -> str:
    """Whole numbers with thousands separators; anything else as it prints."""
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def _worded(problem: Problem, names: Sequence[str], fields: Mapping[str, Any]) -> str:
    value = fields.get("value")
    if problem is Problem.NOT_BOTH:
        return f"give {names[0]} or {names[1]}, not both"
    if problem is Problem.ONE_OF:
        return f"give one of {', '.join(names[:-1])} and {names[-1]}"
    if problem is Problem.NEEDS:
        return f"{names[0]} needs {names[1]}"
    if problem is Problem.NEGATIVE:
        return f"{names[0]} must not be negative, got {value}"
    if problem is Problem.NOT_POSITIVE:
        return f"{names[0]} must be positive, got {value}"
    if problem is Problem.AT_LEAST:
        return f"{names[0]} must be at least {fields['low']}, got {value}"
    if problem is Problem.OUT_OF_RANGE:
        low, high = _number(fields["low"]), _number(fields["high"])
        return f"{names[0]} must be from {low} to {high}, got {_number(value)}"
    if problem is Problem.FRACTION:
        return f"{names[0]} must be a fraction from 0 to 1, got {value}"
    if problem is Problem.MORE_THAN_INPUT:
        return f"{names[0]} {value:,} is more than the {fields['input']:,} input tokens"
    if problem is Problem.NOT_PER_RECORD:
        return f"a dataset is priced once per record: {names[0]} and {names[1]} do not apply"
    if problem is Problem.NOT_WHOLE:
        return f"{names[0]} must be a whole number, got {value!r}"
    if problem is Problem.ABOVE_ZERO:
        return f"{names[0]} must be more than 0, got {value}"
    if problem is Problem.AT_MOST:
        return f"{names[0]} must be at most {_number(fields['high'])}, got {value}"
    raise AssertionError(problem)  # pragma: no cover - every kind is worded above


class ArgumentError(UsageError):
    """Arguments that contradict each other or are out of range, as data.

    ``problem`` says what is wrong and ``names`` which arguments, by the core's own names for
    them (the Python parameter and field names); ``fields`` holds the figures. Each edge words
    it with its own names for the arguments: :meth:`worded` with the CLI's flags at the command
    line, :meth:`renamed` where a Python function calls an argument differently. ``str()`` is
    the wording with the core's names.
    """

    def __init__(self, problem: Problem, *names: str, **fields: Any) -> None:
        self.problem = problem
        self.names = names
        self.fields = fields
        super().__init__(_worded(problem, names, fields))

    def __reduce__(self) -> tuple[Any, ...]:
        return (_argument_error, (self.problem, self.names, self.fields))

    def worded(self, name_of: Callable[[str], str]) -> str:
        """The message with each argument called ``name_of(name)``."""
        return _worded(self.problem, [name_of(name) for name in self.names], self.fields)

    def renamed(self, names: Mapping[str, str]) -> ArgumentError:
        """The same problem with some arguments called by other names (a function's parameters)."""
        return ArgumentError(
            self.problem, *(names.get(name, name) for name in self.names), **self.fields
        )


def _argument_error(
    problem: Problem, names: tuple[str, ...], fields: dict[str, Any]
) -> ArgumentError:
    return ArgumentError(problem, *names, **fields)
