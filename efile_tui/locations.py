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


STATE_DIR_ENV = "EFILE_TUI_STATE_DIR"  # the state folder, first choice (``config.state_dir``)


def default_state_dir() -> Path:
    """The task journal and the audit log when nothing else is chosen
    (``$XDG_STATE_HOME/efile-tui``); ``config.state_dir`` is the folder in use."""
    return Path(platformdirs.user_state_dir(APP, appauthor=False))


def expand(text: str) -> Path:
    """A folder as written by a user: a leading ``~`` and ``$VARS`` expanded, absolute."""
    return Path(os.path.expandvars(os.path.expanduser(text))).absolute()


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) if needed and make it 0700."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    return path
