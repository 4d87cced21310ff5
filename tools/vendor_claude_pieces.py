"""Rebuild the shipped Claude vocabularies (src/tokencalc/data/claude-*.pieces.json.gz) from ctok.

Run at development time only: ``python tools/vendor_claude_pieces.py PATH`` where PATH is a ctok
source distribution (``.tar.gz``) or wheel (``.whl``), e.g. from
``pip download ctok==1.3.0 --no-deps``. It reads ``ctok/data/pieces_v3.json`` and
``ctok/data/pieces_v4_7.json`` (MIT licence, Sander Land) and writes, for each, the pieces only:

* every piece of every group except ``bytes_fallback``, translated from ctok's public notation
  (``⟨bow⟩ ⟨eow⟩ ⟨shift⟩ ⟨caps⟩`` atoms, ``⟨0xNN⟩`` byte runs) into tokencalc's marker code points
  (tokencalc/tokenizers/claude_stream.py), plus each contraction followed by ⟨eow⟩ (how it is spelled when
  it closes a word);
* ``bytes_fallback``: the UTF-8 byte prefixes that are one token, as hex;
* the generation's normalisation scalars (``fold_quotes``, ``allcaps_min``) and frame size.

The witness records (the probe behind each piece) are left out. The output is gzip with a zero
timestamp, so a rebuild is byte-for-byte reproducible; the script prints each file's sha256 (of
the decompressed JSON, for tokencalc/tokenizers/claude_tiling.py) and each source file's sha256 (for
src/tokencalc/data/NOTICE).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
import sys
import tarfile
import zipfile
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "src" / "tokencalc" / "data"
SOURCES = {"claude-v3": "pieces_v3.json", "claude-v4.7": "pieces_v4_7.json"}
ATOMS = {"bow": "\ue000", "eow": "\ue001", "shift": "\ue002", "caps": "\ue003"}
ATOM = re.compile("⟨(bow|eow|shift|caps|0x[0-9A-Fa-f]{2})⟩")


def read_member(archive: Path, name: str) -> bytes:
    """``ctok/data/<name>`` from a wheel or an sdist (whose members sit under ``ctok-x.y.z/``)."""
    if archive.suffix == ".whl":
        with zipfile.ZipFile(archive) as wheel:
            return wheel.read(f"ctok/data/{name}")
    with tarfile.open(archive) as sdist:
        for member in sdist.getmembers():
            if member.name.endswith(f"/ctok/data/{name}"):
                handle = sdist.extractfile(member)
                assert handle is not None
                return handle.read()
    raise SystemExit(f"{archive}: no ctok/data/{name}")


def internal(public: str) -> str:
    """A piece in ctok's public notation → tokencalc's internal spelling."""
    out: list[str] = []
    pending = bytearray()
    position = 0
    for match in ATOM.finditer(public):
        if match.start() > position:
            if pending:
                out.append(pending.decode("utf-8"))
                pending.clear()
            out.append(public[position : match.start()])
        atom = match.group(1)
        if atom.startswith("0x"):
            pending.append(int(atom, 0))
        else:
            if pending:
                out.append(pending.decode("utf-8"))
                pending.clear()
            out.append(ATOMS[atom])
        position = match.end()
    if pending:
        out.append(pending.decode("utf-8"))
    out.append(public[position:])
    return "".join(out)


def convert(source: bytes, version: str, name: str) -> bytes:
    document = json.loads(source)
    meta, groups = document["meta"], document["tokens"]
    public = [
        piece for group, entries in groups.items() if group != "bytes_fallback" for piece in entries
    ]
    # The markers are BMP private-use code points, which normalisation removes from any text.
    assert not any("\ue000" <= c <= "\uf8ff" for piece in public for c in piece)
    pieces = {internal(piece) for piece in public}
    pieces |= {internal(piece) + ATOMS["eow"] for piece in groups["contractions"]}
    body = {
        "source": f"ctok {version}, ctok/data/{name}",
        "source_sha256": hashlib.sha256(source).hexdigest(),
        "licence": "MIT, Copyright (c) 2026 Sander Land",
        "family": meta["family"],
        "fold_quotes": meta["fold_quotes"],
        "allcaps_min": meta["allcaps_min"],
        "message_overhead": meta["message_overhead"],
        "byte_prefixes": sorted(groups["bytes_fallback"]),
        "pieces": sorted(pieces),
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True, indent=0).encode("utf-8")


def version_of(archive: Path) -> str:
    match = re.match(r"ctok-([0-9][^-]*?)(?:\.tar\.gz|-py3)", archive.name)
    if not match:
        raise SystemExit(f"{archive.name}: not a ctok sdist or wheel name")
    return match.group(1)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    archive = Path(argv[0])
    version = version_of(archive)
    for generation, name in SOURCES.items():
        source = read_member(archive, name)
        lines = convert(source, version, name)
        out = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0, compresslevel=9) as gz:
            gz.write(lines)
        target = DATA / f"{generation}.pieces.json.gz"
        target.write_bytes(out.getvalue())
        print(
            f"{target.name}: sha256 {hashlib.sha256(lines).hexdigest()} "
            f"({len(out.getvalue()):,} bytes); source {name} sha256 "
            f"{hashlib.sha256(source).hexdigest()}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
