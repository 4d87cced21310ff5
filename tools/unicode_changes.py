"""Derive ``unicode_guard.NEWER_THAN_TIKTOKEN``: the code points whose General_Category differs
between Unicode 16.0 (tiktoken 0.14's tables) and a later version (the fast backends' and the
``regex`` module's).

Run at development time only. Each Unicode version's table comes from a package that carries it,
each in its own virtual environment (``unicodedata2`` keeps one version per release):

    venv16/bin/pip install unicodedataplus==16.0.0.post1
    venv17/bin/pip install unicodedata2==17.0.0
    venv18/bin/pip install unicodedata2==18.0.0
    venv16/bin/python tools/unicode_changes.py dump unicodedataplus cat16.txt
    venv17/bin/python tools/unicode_changes.py dump unicodedata2 cat17.txt
    venv18/bin/python tools/unicode_changes.py dump unicodedata2 cat18.txt
    python tools/unicode_changes.py ranges cat16.txt cat17.txt cat18.txt

``dump`` writes one category per code point (U+0000 to U+10FFFF, one per line); ``ranges``
prints, as Python source, the ranges of code points whose category is not the same in every
file given (characters assigned after the first version, and any whose category changed).
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path


def dump(module_name: str, path: Path) -> None:
    module = importlib.import_module(module_name)
    print(f"{module_name}: Unicode {module.unidata_version}")
    path.write_text("\n".join(module.category(chr(code)) for code in range(0x110000)) + "\n")


def ranges(paths: list[Path]) -> list[tuple[int, int]]:
    tables = [path.read_text().split("\n")[:0x110000] for path in paths]
    found: list[list[int]] = []
    for code in range(0x110000):
        if len({table[code] for table in tables}) > 1:
            if found and found[-1][1] == code - 1:
                found[-1][1] = code
            else:
                found.append([code, code])
    return [(low, high) for low, high in found]


def main(argv: list[str]) -> None:
    if argv[:1] == ["dump"] and len(argv) == 3:
        dump(argv[1], Path(argv[2]))
    elif argv[:1] == ["ranges"] and len(argv) >= 3:
        found = ranges([Path(p) for p in argv[1:]])
        print(f"# {sum(high - low + 1 for low, high in found)} code points")
        for index in range(0, len(found), 4):
            print(
                "    "
                + " ".join(
                    f"(0x{low:05X}, 0x{high:05X})," for low, high in found[index : index + 4]
                )
            )
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
