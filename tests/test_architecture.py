"""The import rules of docs/architecture.md, checked on the source: every import statement of
every module (function-level and ``TYPE_CHECKING`` ones included), read with :mod:`ast`.

A layer may import its own layer and the layers below it, never one above; only the CLI edge
imports typer, click or rich. The layers, lowest first, are the table in docs/architecture.md
("What may import what"); :data:`LAYERS` here is that table, and a test checks the two agree.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from source_tree import source_facts

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "tokencalc"
DOC = ROOT / "docs" / "architecture.md"

#: Each top-level module or package of ``tokencalc`` and its layer (0 is the lowest).
LAYERS = {
    "errors": 0,
    "paths": 0,
    "atomic": 0,
    "limits": 0,
    "safe_text": 0,
    "bounds": 0,
    "wording": 0,
    "data": 0,
    "counting": 1,
    "tokenizers": 1,
    "sheet": 2,
    "pricing": 3,
    "plans": 4,
    "usage": 5,
    "api": 6,
    "datasets": 7,
    "cli": 8,
    "__main__": 8,
}
#: Third-party packages only the CLI edge (layer 8) may import.
CLI_ONLY = {"typer", "click", "rich"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, package: str) -> list[tuple[int, str]]:
    """(line, module) of every import in ``path`` (a module of ``package``); relative ones resolved."""
    found: list[tuple[int, str]] = []
    for statement in source_facts(path).imports:
        if not statement.is_from:
            found.extend((statement.line, name) for name in statement.names)
            continue
        if statement.level:
            base = package.split(".")
            base = base[: len(base) - statement.level + 1]
            module = ".".join([*base, *([statement.module] if statement.module else [])])
        else:
            module = statement.module or ""
        found.append((statement.line, module))
        if module == "tokencalc":  # ``from tokencalc import api``: the names are modules too
            found.extend((statement.line, f"tokencalc.{name}") for name in statement.names)
    return found


def _part(module: str) -> str | None:
    """The top-level part of ``tokencalc`` a module belongs to (None: the package itself)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


SOURCES = sorted(SRC.rglob("*.py"))


def test_every_top_level_module_and_package_has_a_layer():
    parts = {p.stem for p in SRC.glob("*.py") if p.stem != "__init__"}
    parts |= {p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert parts - set(LAYERS) == set(), "add the new module to LAYERS and docs/architecture.md"
    assert set(LAYERS) - parts == set(), "a module in LAYERS no longer exists"


def test_the_layers_are_the_ones_docs_architecture_md_lists():
    """Each row ``| N | `a/`, `b.py` | … |`` of the document's table names the parts of layer N."""
    documented: dict[str, int] = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        row = re.match(r"^\|\s*(\d+)\s*\|([^|]*)\|", line)
        if row:
            for name in re.findall(r"`([a-z_]+)(?:/|\.py)?`", row.group(2)):
                documented[name] = int(row.group(1))
    assert documented == LAYERS


def _upward_imports(path: Path, package: str, here: str) -> list[str]:
    """The imports of ``path`` (in layer ``here``) that break the rules, one line each."""
    rank = LAYERS[here]
    wrong = []
    for line, module in _imports(path, package):
        top = module.split(".")[0]
        if top in CLI_ONLY and rank < LAYERS["cli"]:
            wrong.append(f"line {line}: {module} (only the CLI edge may use it)")
        if top != "tokencalc":
            continue
        there = _part(module)
        if there is None or there not in LAYERS:
            continue  # ``tokencalc`` itself (``__version__``); names checked above
        if LAYERS[there] > rank:
            wrong.append(f"line {line}: {module} (layer {LAYERS[there]} > {here}'s {rank})")
    return wrong


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(SRC)))
def test_no_module_imports_a_layer_above_its_own(path):
    name = _module_name(path)
    here = _part(name)
    if here is None:  # tokencalc/__init__.py: the lazy map of the public API, by name only
        return
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    wrong = _upward_imports(path, package, here)
    assert not wrong, f"{path.relative_to(SRC)} imports upwards:\n  " + "\n  ".join(wrong)


def test_the_rule_can_fail(tmp_path):
    """The checker sees a core module reaching for the CLI, at any depth and in any form."""
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from tokencalc import cli, errors\n"
        "from ..usage import reader\n"
        "def f():\n    from tokencalc.cli.app import run\n    import rich.console\n"
        "from tokencalc.counting.encodings import TokenizerRef\n"
    )
    wrong = _upward_imports(bad, "tokencalc.sheet", "sheet")
    assert [w.split(" ")[1] for w in wrong] == ["1:", "2:", "4:", "5:"], wrong
    assert "tokencalc.cli" in wrong[0] and "tokencalc.usage" in wrong[1]
    assert "rich.console" in wrong[3] and "only the CLI edge" in wrong[3]
