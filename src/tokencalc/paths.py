"""Where tokencalc keeps the user's price sheet and its caches.

Every location can be moved by an environment variable, so tests and scripts never touch
the real home directory: ``TOKENCALC_HOME`` (config: the user price sheet) and
``TOKENCALC_CACHE_DIR`` (derived tokenizer tables; safe to delete).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

APP_NAME = "tokencalc"
USER_SHEET_NAME = "pricing.toml"
#: the default sheet's file name, in the repository root and inside an installed package
PACKAGED_SHEET_NAME = "pricing.toml"


def config_dir() -> Path:
    """The directory holding the user's price sheet."""
    home = os.environ.get("TOKENCALC_HOME")
    if home:
        return Path(home).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def user_sheet_path() -> Path:
    """The user price sheet that overlays the packaged default (may not exist)."""
    return config_dir() / USER_SHEET_NAME


def cache_dir() -> Path:
    """The directory for derived caches (tokenizer lookup tables)."""
    explicit = os.environ.get("TOKENCALC_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    home = os.environ.get("TOKENCALC_HOME")
    if home:
        return Path(home).expanduser() / "cache"
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def packaged_sheet() -> Traversable:
    """The default price sheet shipped with tokencalc.

    In an installed wheel it is ``tokencalc/pricing.toml``, put there by the build backend
    (hatchling's force-include of the repository's ``pricing.toml``). A source checkout and an
    editable install have no copy inside the package: there it is the repository's own
    ``pricing.toml``, two levels above ``src/tokencalc``.
    """
    from importlib import resources

    packaged = resources.files(APP_NAME).joinpath(PACKAGED_SHEET_NAME)
    if packaged.is_file():
        return packaged
    package_dir = Path(__file__).resolve().parent
    if package_dir.parent.name == "src":
        checkout = package_dir.parent.parent / PACKAGED_SHEET_NAME
        if checkout.is_file():
            return checkout
    return packaged  # reading it fails with the OSError that says what is missing
