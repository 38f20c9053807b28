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


STATE_DIR_ENV = "EFILE_TUI_STATE_DIR"


def state_dir() -> Path:
    """The task journal and the audit log.

    ``$EFILE_TUI_STATE_DIR`` if set, else ``state_dir`` in the config file, else
    ``$XDG_STATE_HOME/efile-tui``. A leading ``~`` and ``$VARS`` are expanded.
    """
    return state_dir_source()[0]


def state_dir_source() -> tuple[Path, str]:
    """The state folder and what chose it (for ``efile-tui doctor``)."""
    chosen = os.environ.get(STATE_DIR_ENV, "").strip()
    if chosen:
        return _expand(chosen), f"${STATE_DIR_ENV}"
    from efile_tui.config import config_path, load_config

    configured = load_config().extra.get("state_dir")
    if isinstance(configured, str) and configured.strip():
        return _expand(configured.strip()), f"state_dir in {config_path()}"
    return Path(platformdirs.user_state_dir(APP, appauthor=False)), "the XDG default"


def _expand(text: str) -> Path:
    return Path(os.path.expandvars(os.path.expanduser(text))).absolute()


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) if needed and make it 0700."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    return path
