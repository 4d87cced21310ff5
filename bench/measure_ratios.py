"""Tokens per o200k_base token, per language, for every exact encoding tokencalc ships.

Usage (from the repository root, in the project's virtual environment):

    python bench/measure_ratios.py                 # UDHR texts in tests/fixtures/multilingual
    python bench/measure_ratios.py --gettext       # also the machine's gettext catalogs

Two corpora, both real text:

* ``udhr``: the Universal Declaration of Human Rights excerpts in tests/fixtures/multilingual
  (small: one or two articles per language) and, for code, this repository's own Python source;
* ``gettext`` (``--gettext``): every message catalogue under /usr/share/locale (the translated
  user-interface strings of the installed Debian packages): English is the catalogues' msgids,
  the other languages their msgstrs; code is the Python standard library's source. Larger and
  nearer to what the product notes measured, but it depends on what the machine has installed.

Counts are exact (tokencalc's own counters, which tests/test_vendor_encodings.py checks against
the vendors' tokenizers); a ratio is the language's total tokens in one encoding over its total
in o200k_base.
"""

from __future__ import annotations

import argparse
import gettext
import os
import sys
from pathlib import Path

from tokencalc.counting import counter as counting

ROOT = Path(__file__).resolve().parent.parent
ENCODINGS = ["cl100k_base", "tekken", "qwen2.5", "qwen3.6", "deepseek-v3"]
LANGUAGES = ["en", "code", "zh", "ja", "ko", "ar", "ru"]
_LOCALES = {"zh": "zh_CN", "ja": "ja", "ko": "ko", "ar": "ar", "ru": "ru"}


def udhr_corpus() -> dict[str, str]:
    fixtures = ROOT / "tests" / "fixtures" / "multilingual"
    corpus = {
        lang: (fixtures / f"{lang}.txt").read_text("utf-8") for lang in LANGUAGES if lang != "code"
    }
    corpus["code"] = "".join(
        p.read_text("utf-8") for p in sorted((ROOT / "src" / "tokencalc").rglob("*.py"))
    )
    return corpus


def _catalogue_pairs(locale: str) -> list[tuple[str, str]]:
    pairs = []
    for mo in sorted(Path("/usr/share/locale", locale, "LC_MESSAGES").glob("*.mo")):
        try:
            with open(mo, "rb") as handle:
                catalog = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
        except (OSError, UnicodeDecodeError):
            continue
        except Exception:  # noqa: BLE001 - a damaged or oddly encoded catalogue: skip it
            continue
        for key, value in catalog.items():
            msgid = key[0] if isinstance(key, tuple) else key
            if msgid and isinstance(value, str) and value:
                pairs.append((msgid, value))
    return pairs


def gettext_corpus() -> dict[str, str]:
    corpus: dict[str, str] = {}
    english: list[str] = []
    for lang, locale in _LOCALES.items():
        pairs = _catalogue_pairs(locale)
        corpus[lang] = "\n".join(value for _, value in pairs)
        if lang == "ru":  # one language's msgids stand for English
            english = [msgid for msgid, _ in pairs]
    corpus["en"] = "\n".join(english)
    stdlib = Path(os.__file__).parent
    corpus["code"] = "".join(
        p.read_text("utf-8", "replace") for p in sorted(stdlib.glob("*.py"))[:120]
    )
    return corpus


def ratios(corpus: dict[str, str]) -> tuple[dict[str, dict[str, float]], dict[str, int]]:
    table: dict[str, dict[str, float]] = {}
    sizes: dict[str, int] = {}
    with counting.TokenCounter(["o200k_base", *ENCODINGS]) as counter:
        for lang in LANGUAGES:
            tokens = counter.count_text(corpus[lang]).tokens
            sizes[lang] = tokens["o200k_base"]
            for name in ENCODINGS:
                table.setdefault(name, {})[lang] = tokens[name] / tokens["o200k_base"]
    return table, sizes


def show(title: str, corpus: dict[str, str]) -> None:
    table, sizes = ratios(corpus)
    print(
        f"\n{title} (o200k_base tokens: "
        + ", ".join(f"{lang} {sizes[lang]:,}" for lang in LANGUAGES)
        + ")"
    )
    print(f"{'encoding':<12} " + " ".join(f"{lang:>5}" for lang in LANGUAGES))
    for name in ENCODINGS:
        print(f"{name:<12} " + " ".join(f"{table[name][lang]:5.2f}" for lang in LANGUAGES))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--gettext", action="store_true", help="also measure the machine's gettext catalogues"
    )
    options = parser.parse_args()
    show("UDHR excerpts + tokencalc source", udhr_corpus())
    if options.gettext:
        show("gettext catalogues + Python stdlib source", gettext_corpus())
    return 0


if __name__ == "__main__":
    sys.exit(main())
