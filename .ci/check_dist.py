"""Check the built wheel and sdist against the source tree (run by .ci/check_dist).

Usage: python .ci/check_dist.py DIST_DIR

The wheel must hold every module and data file of src/tokencalc byte for byte (the
vocabularies with their NOTICE and licence texts), and the price sheet as a real file at
tokencalc/pricing.toml equal to the repository's pricing.toml (the build backend copies it;
the repository keeps no copy or symlink inside the package). The sdist must hold what a wheel
is built from (pricing.toml, src/tokencalc with its data) and the tests.
"""

from __future__ import annotations

import sys
import tarfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "tokencalc"
SKIP_PARTS = {"__pycache__"}


def source_files() -> dict[str, bytes]:
    """Package-relative path ("tokencalc/...") to bytes, for every file the wheel must hold."""
    files: dict[str, bytes] = {}
    for path in sorted(PACKAGE.rglob("*")):
        if not path.is_file() or SKIP_PARTS & set(path.parts) or path.suffix == ".pyc":
            continue
        files[path.relative_to(PACKAGE.parent).as_posix()] = path.read_bytes()
    return files


def check_wheel(wheel: Path, problems: list[str]) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        for name, data in source_files().items():
            if name not in names:
                problems.append(f"{wheel.name}: missing {name}")
            elif archive.read(name) != data:
                problems.append(f"{wheel.name}: {name} differs from the source tree")
        sheet = "tokencalc/pricing.toml"
        if sheet not in names:
            problems.append(f"{wheel.name}: missing {sheet} (the packaged price sheet)")
        else:
            info = archive.getinfo(sheet)
            if (info.external_attr >> 16) & 0o170000 == 0o120000:
                problems.append(f"{wheel.name}: {sheet} is a symlink")
            if archive.read(sheet) != (ROOT / "pricing.toml").read_bytes():
                problems.append(f"{wheel.name}: {sheet} is not the repository's pricing.toml")
        for needed in ("tokencalc/data/NOTICE", "tokencalc/data/LICENSE-Apache-2.0.txt"):
            if needed not in names:
                problems.append(f"{wheel.name}: missing {needed}")
        # tokencalc's own MIT licence, in the wheel's metadata (PEP 639 licence files)
        if not any(n.endswith(".dist-info/licenses/LICENSE") for n in names):
            problems.append(f"{wheel.name}: missing tokencalc's LICENSE in its .dist-info")
        vocabularies = [n for n in names if n.endswith(".tiktoken.gz")]
        if not vocabularies:
            problems.append(f"{wheel.name}: no vocabularies (*.tiktoken.gz)")
        notice_name = "tokencalc/data/NOTICE"
        notice = archive.read(notice_name).decode("utf-8") if notice_name in names else ""
        for name in vocabularies:
            if Path(name).name not in notice:
                problems.append(f"{wheel.name}: {name} is not described in data/NOTICE")
        print(f"{wheel.name}: {len(names)} files, {len(vocabularies)} vocabularies")


def check_sdist(sdist: Path, problems: list[str]) -> None:
    with tarfile.open(sdist) as archive:
        members = {m.name.split("/", 1)[1]: m for m in archive.getmembers() if "/" in m.name}
        for needed in (
            "pyproject.toml",
            "pricing.toml",
            "README.md",
            "LICENSE",
            "src/tokencalc/__init__.py",
            "src/tokencalc/data/NOTICE",
            "src/tokencalc/data/LICENSE-Apache-2.0.txt",
            "tests/conftest.py",
        ):
            member = members.get(needed)
            if member is None:
                problems.append(f"{sdist.name}: missing {needed}")
            elif not member.isfile():
                problems.append(f"{sdist.name}: {needed} is not a regular file")
        links = sorted(name for name, m in members.items() if m.issym() or m.islnk())
        if links:
            problems.append(f"{sdist.name}: links in the sdist: {', '.join(links[:5])}")
        if "src/tokencalc/pricing.toml" in members:
            problems.append(f"{sdist.name}: src/tokencalc/pricing.toml should not exist")
        print(f"{sdist.name}: {len(members)} files")


def main() -> int:
    dist = Path(sys.argv[1])
    wheels = sorted(dist.glob("tokencalc-*.whl"))
    sdists = sorted(dist.glob("tokencalc-*.tar.gz"))
    problems: list[str] = []
    if len(wheels) != 1 or len(sdists) != 1:
        problems.append(f"{dist}: expected one wheel and one sdist, found {wheels + sdists}")
    for wheel in wheels:
        check_wheel(wheel, problems)
    for sdist in sdists:
        check_sdist(sdist, problems)
    for problem in problems:
        print(f"check_dist: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
