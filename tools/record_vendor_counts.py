"""Record the vendors' own token counts of test texts: tests/fixtures/vendor_counts.json.

The default test run compares tokencalc's exact vendor encodings (tekken, qwen2.5, qwen3.6,
deepseek-v3) with these recorded counts instead of loading the vendors' tokenizers (~2.5 s of
CPU); the slow set (``pytest -m slow``) checks that the recording still equals the live
tokenizers, and compares them with tokencalc on freshly generated text too.

Development-time only, with the ``test`` extra installed (it pins the reference packages)::

    python tools/record_vendor_counts.py

The references are tests/vendor_references.py's (the ones the slow tests use); their package
versions and the date are written into the file. The texts:

* ``generated``: GENERATED texts drawn from ``vendor_text``, the strategy of the live property
  test, by hypothesis with a derandomized seed (the same texts for the same hypothesis
  version; the file keeps them, so a later hypothesis changes nothing until re-recorded);
* ``fixed``: the special-token strings and the text the command-line test counts;
* ``file``: each text of tests/fixtures/multilingual, by name and sha256 (not copied).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
OUT = TESTS / "fixtures" / "vendor_counts.json"
MULTILINGUAL = TESTS / "fixtures" / "multilingual"
#: Examples drawn (the live property test draws 300 in the slow set; the default run checks
#: every distinct one recorded, which costs ~0.1 s once the encodings are loaded)
GENERATED = 600

sys.path.insert(0, str(TESTS))

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402

import vendor_references as refs  # noqa: E402  (tests/ is not a package)


def generated_texts(count: int) -> list[str]:
    """The distinct texts of ``count`` examples of the live property test's strategy, drawn
    reproducibly (the first are the smallest, as hypothesis begins with them)."""
    texts: dict[str, None] = {}

    @settings(
        derandomize=True,
        database=None,
        max_examples=count,
        phases=[Phase.generate],
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(refs.vendor_text)
    def collect(text: str) -> None:
        texts[text] = None

    collect()
    return list(texts)


def main() -> int:
    references = {name: refs.load_reference(name) for name in refs.VENDOR_ENCODINGS}

    def counts(text: str) -> dict[str, int]:
        return {name: reference(text) for name, reference in references.items()}

    entries: list[dict[str, Any]] = []
    for text in generated_texts(GENERATED):
        entries.append({"source": "generated", "text": text, "counts": counts(text)})
    for text in (refs.SPECIAL_TOKEN_TEXT, refs.CLI_TEXT):
        entries.append({"source": "fixed", "text": text, "counts": counts(text)})
    for path in sorted(MULTILINGUAL.glob("*.txt")):
        text = path.read_text("utf-8")
        entries.append(
            {
                "source": "file",
                "file": path.name,
                "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
                "counts": counts(text),
            }
        )
    recording = {
        "about": (
            "Token counts of ordinary text (no special tokens) by the vendors' own tokenizers, "
            "as tests/vendor_references.py loads them; recorded by tools/record_vendor_counts.py"
        ),
        "recorded_on": datetime.date.today().isoformat(),
        "python": sys.version.split()[0],
        "references": refs.reference_versions(),
        "encodings": refs.VENDOR_ENCODINGS,
        "texts": entries,
    }
    # one text a line, so that a re-recording shows as a readable diff
    head = json.dumps({**recording, "texts": []}, ensure_ascii=False, indent=1)
    lines = ",\n".join(json.dumps(entry, ensure_ascii=False) for entry in entries)
    OUT.write_text(head[: -len("[]\n}")] + "[\n" + lines + "\n ]\n}\n", encoding="utf-8")
    print(f"{OUT.relative_to(ROOT)}: {len(entries)} texts, {recording['references']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
