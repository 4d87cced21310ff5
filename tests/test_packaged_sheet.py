"""Where the default price sheet is read from: the repository in a checkout, the package when
installed (.ci/check_dist checks a real built wheel; here an installed layout is copied)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "tokencalc"

PROBE = (
    "from tokencalc.paths import packaged_sheet\n"
    "from tokencalc.sheet.load import _read_packaged\n"
    "print(packaged_sheet())\n"
    "label, text, problem = _read_packaged()\n"
    "print(problem if problem else len(text))\n"
)


def test_the_package_holds_no_copy_or_symlink_of_the_sheet():
    assert not (PACKAGE / "pricing.toml").exists()
    assert not (PACKAGE / "pricing.toml").is_symlink()


def test_a_checkout_reads_the_repository_sheet():
    from tokencalc.paths import packaged_sheet
    from tokencalc.sheet.load import _read_packaged, packaged_sheet_location

    assert Path(str(packaged_sheet())) == ROOT / "pricing.toml"
    assert packaged_sheet_location() == str(ROOT / "pricing.toml")
    label, text, problem = _read_packaged()
    assert (label, problem) == ("pricing.toml", None)
    assert text == (ROOT / "pricing.toml").read_text(encoding="utf-8")


def _installed_copy(site: Path, with_sheet: bool) -> None:
    shutil.copytree(PACKAGE, site / "tokencalc", ignore=shutil.ignore_patterns("__pycache__"))
    if with_sheet:
        shutil.copyfile(ROOT / "pricing.toml", site / "tokencalc" / "pricing.toml")


def _probe(site: Path, tmp_path: Path) -> list[str]:
    env = {**os.environ, "TOKENCALC_HOME": str(tmp_path / "home")}
    done = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(site)!r})\n{PROBE}"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=True,
    )
    return done.stdout.splitlines()


def test_an_installed_package_reads_its_own_sheet(tmp_path):
    site = tmp_path / "site-packages"
    _installed_copy(site, with_sheet=True)
    location, size = _probe(site, tmp_path)
    assert location == str(site / "tokencalc" / "pricing.toml")
    assert int(size) == len((ROOT / "pricing.toml").read_text(encoding="utf-8"))


def test_an_installed_package_without_its_sheet_says_so(tmp_path):
    site = tmp_path / "site-packages"
    _installed_copy(site, with_sheet=False)
    location, problem = _probe(site, tmp_path)
    assert location == str(site / "tokencalc" / "pricing.toml")
    assert problem == (
        "pricing.toml: cannot read the packaged price sheet: no such file or directory; "
        "reinstall tokencalc"
    )
