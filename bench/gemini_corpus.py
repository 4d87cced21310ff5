"""The documents Gemini's per-class model is fitted on and evaluated on, split in two.

Development-time only (used by bench/fit_token_classes.py). Every document has a ``kind``
(English, Chinese, Japanese, Korean, Arabic, Russian, code, JSON, or "other" / "JSON-other" for
the rest of the world's languages) and a ``split``: the model is fitted on ``train`` only and its
errors are reported on ``test`` — text it never saw:

* UDHR translations (ctok's tests/fixtures, 501 languages): even-numbered paragraphs train, odd
  ones test; each paragraph alone (short texts) and all of a split's paragraphs together, plus
  JSON documents holding them (escaped and not);
* code: Rosetta Code tasks train; ctok's Rosetta hold-out tasks, the 22 MultiPL-E programs and
  80 files of this Python's standard library test (whole, and a few lines cut from each);
* the machine's gettext catalogues (translated user-interface messages, /usr/share/locale): each
  catalogue file is train or test by the CRC-32 of its name, so no package is in both; messages
  alone, in blocks of 20, and as JSON.
"""

from __future__ import annotations

import gettext
import gzip
import json
import random
import sysconfig
import zlib
from pathlib import Path
from typing import Any

TARGET_KINDS = ("English", "code", "JSON", "Chinese", "Japanese", "Korean", "Arabic", "Russian")
UDHR_NAMED = {
    "eng": "English",
    "cmn_hans": "Chinese",
    "cmn_hant": "Chinese",
    "jpn": "Japanese",
    "kor": "Korean",
    "arb": "Arabic",
    "rus": "Russian",
    # reported (and weighted in the fit) on their own, outside the 8% target
    "vie": "Vietnamese",
    "hin": "Hindi",
    "tha": "Thai",
    "spa": "Spanish",
    "deu_1996": "German",
    "fra": "French",
}
OTHER_NAMED = ("Vietnamese", "Hindi", "Thai", "Spanish", "German", "French")
#: gettext locale → kind (English: the msgids of the German catalogues).
LOCALES = {
    "zh_CN": "Chinese",
    "zh_TW": "Chinese",
    "ja": "Japanese",
    "ko": "Korean",
    "ar": "Arabic",
    "ru": "Russian",
    "en": "English",
}


def _rows(fixtures: Path, name: str) -> list[dict[str, Any]]:
    with gzip.open(fixtures / f"{name}.jsonl.gz", "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _stable(text: str) -> int:
    return zlib.crc32(text.encode("utf-8"))


def documents(fixtures: Path, locale_dir: Path = Path("/usr/share/locale")) -> list[dict[str, Any]]:
    """Every document: {kind, split, source, text}."""
    out: list[dict[str, Any]] = []

    def add(kind: str, split: str, text: str, source: str) -> None:
        if text.strip():
            out.append({"kind": kind, "split": split, "text": text, "source": source})

    for row in _rows(fixtures, "udhr"):
        kind = UDHR_NAMED.get(row["f"], "other")
        lines = [line for line in row["text"].split("\n") if line.strip()]
        for split, part in (("train", lines[0::2]), ("test", lines[1::2])):
            add(kind, split, "\n".join(part), f"udhr:{row['f']}:{split}")
            if kind in TARGET_KINDS:
                for i, line in enumerate(part):
                    if len(line) >= 20:
                        add(kind, split, line, f"udhr:{row['f']}:{split}:{i}")
            if kind != "other" or _stable(row["f"]) % 8 == 0:
                for ascii_only in (False, True):
                    body = json.dumps(
                        {"id": row["f"], "lang": row["bcp47"], "articles": part[:10]},
                        ensure_ascii=ascii_only,
                        indent=2,
                    )
                    add(
                        "JSON" if kind in TARGET_KINDS else "JSON-other",
                        split,
                        body,
                        f"json:udhr:{row['f']}:{split}:{'ascii' if ascii_only else 'utf8'}",
                    )
    rnd = random.Random(8)
    for name, split in (("rosetta", "train"), ("rosetta_holdout", "test"), ("multipl_e", "test")):
        for row in _rows(fixtures, name):
            key = row.get("id") or row.get("lang")
            add("code", split, row["text"], f"{name}:{key}")
            lines = row["text"].split("\n")
            if len(row["text"]) > 800:
                start = rnd.randrange(len(lines))
                add("code", split, "\n".join(lines[start : start + 6]), f"{name}:{key}:lines")
    stdlib = sorted(Path(sysconfig.get_paths()["stdlib"]).glob("*.py"))
    for path in rnd.sample(stdlib, min(80, len(stdlib))):
        text = path.read_text(encoding="utf-8", errors="replace")[:20_000]
        add("code", "test", text, f"stdlib:{path.name}")
        lines = text.split("\n")
        start = rnd.randrange(len(lines))
        add("code", "test", "\n".join(lines[start : start + 8]), f"stdlib:{path.name}:lines")
    for locale, kind in LOCALES.items():
        messages: dict[str, list[str]] = {"train": [], "test": []}
        catalogue_dir = locale_dir / ("de" if locale == "en" else locale) / "LC_MESSAGES"
        for mo in sorted(catalogue_dir.glob("*.mo")):
            split = "train" if _stable(mo.name) % 2 == 0 else "test"
            try:
                with mo.open("rb") as handle:
                    catalogue = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
            except (OSError, ValueError, UnicodeDecodeError):
                continue  # an unreadable catalogue: the corpus is what can be read
            for key, value in catalogue.items():
                msgid = key[0] if isinstance(key, tuple) else key
                text = msgid if locale == "en" else value
                if (
                    isinstance(text, str)
                    and 30 <= len(text) <= 600
                    and (locale == "en" or text != msgid)
                ):
                    messages[split].append(text)
        for split, found in messages.items():
            found = sorted(set(found))
            rnd.shuffle(found)
            for i, message in enumerate(found[:150]):
                add(kind, split, message, f"gettext:{locale}:{split}:{i}")
            for j in range(10):
                block = "\n".join(found[150 + 20 * j : 170 + 20 * j])
                add(kind, split, block, f"gettext:{locale}:{split}:block{j}")
            for ascii_only, chunk in ((False, found[400:420]), (True, found[420:440])):
                body = json.dumps(
                    {"locale": locale, "messages": chunk},
                    ensure_ascii=ascii_only,
                    indent=None if ascii_only else 2,
                )
                add("JSON", split, body, f"json:gettext:{locale}:{split}:{ascii_only}")
    return out
