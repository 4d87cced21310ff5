"""Where tokencalc keeps the user's price sheet and its caches.

Every location can be moved by an environment variable, so tests and scripts never touch
the real home directory: ``TOKENCALC_HOME`` (config: the user price sheet) and
``TOKENCALC_CACHE_DIR`` (derived tokenizer tables; safe to delete).
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "tokencalc"
USER_SHEET_NAME = "pricing.toml"


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
