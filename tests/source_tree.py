"""What the tests that read tokencalc's source need of each module, parsed once a session: the
import rules (test_architecture.py), the scan of the core's strings
(test_core_names_no_flags.py) and of the process streams (``sys.stdout``: test_cli_edge.py)
each parsed the whole tree again, ~0.4 s of CPU a time.

The facts are kept, not the syntax trees: ~180,000 nodes kept alive for the session made every
later garbage collection slower than the parse they saved.
"""

from __future__ import annotations

import ast
import functools
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ImportStatement:
    line: int
    is_from: bool  # ``from M import a, b`` (else ``import a, b``)
    level: int  # the dots of a relative ``from`` (0: absolute)
    module: str | None  # M (None in ``from . import a`` and in ``import a, b``)
    names: tuple[str, ...]  # a, b: names, or modules for ``import a, b``


@dataclass(frozen=True)
class StringLiteral:
    line: int
    text: str
    docstring: bool  # the first statement of a module, class or function


@dataclass(frozen=True)
class SourceFacts:
    imports: tuple[ImportStatement, ...]  # every one: in functions, under TYPE_CHECKING too
    strings: tuple[StringLiteral, ...]  # every str constant, f-strings' literal parts included
    attributes: tuple[tuple[int, str, str], ...]  # (line, NAME, ATTR) of each ``NAME.ATTR``


@functools.cache
def source_facts(path: Path) -> SourceFacts:
    """The import statements and string literals of the module at ``path``, in the order
    :func:`ast.walk` meets them."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    imports: list[ImportStatement] = []
    strings: list[StringLiteral] = []
    attributes: list[tuple[int, str, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = tuple(a.name for a in node.names)
            imports.append(ImportStatement(node.lineno, False, 0, None, names))
        elif isinstance(node, ast.ImportFrom):
            names = tuple(a.name for a in node.names)
            imports.append(ImportStatement(node.lineno, True, node.level, node.module, names))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            strings.append(StringLiteral(node.lineno, node.value, id(node) in docstrings))
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            attributes.append((node.lineno, node.value.id, node.attr))
    return SourceFacts(tuple(imports), tuple(strings), tuple(attributes))
