"""Where efile-tui keeps its files (XDG directories via platformdirs).

Nothing is created at import time; callers create directories when they write.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "efile-tui"


def config_dir() -> Path:
    """Profiles and settings (``$XDG_CONFIG_HOME/efile-tui``)."""
    return Path(platformdirs.user_config_dir(APP, appauthor=False))


def state_dir() -> Path:
    """The task journal and the audit log (``$XDG_STATE_HOME/efile-tui``)."""
    return Path(platformdirs.user_state_dir(APP, appauthor=False))


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) if needed and make it 0700."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    return path
