"""Typed settings: profiles and the token-store choice, kept in a TOML file.

The file lives at ``locations.config_dir()/config.toml``::

    default_profile = "default"
    token_store = "keyring"          # or "file" (plain text, opt-in)

    [profiles.default]
    platform_url = "https://www.scnet.cn"
    user = "alice"
    org_id = "..."
    region_id = "11112"
    region_name = "..."
    efile_url = "https://..."
    home_path = "/public/home/alice"
    auth_method = "password"         # "password" | "aksk" | "token"
    auto_relogin = true              # a password is remembered in the keyring (opt-in)
    deny_paths = ["/public/home/alice/keep"]
    poll_interval = 2.0
    walk_budget = 120                # seconds a preview / protection walk may take (default:
                                     # 5 s, and 2 ms more per further listed path)
    glyphs = "ascii"                 # TUI symbols: "auto" (default) | "unicode" | "ascii"
    bell = true                      # TUI: ring the bell when every watched task has ended
    language = "zh_CN"               # "en" | "zh_CN" (default: LANGUAGE, LC_ALL, LANG…)

It never holds a secret (tokens live in the token store, see ``efile_tui.store.tokens``).
Keys this module does not know are kept and written back unchanged, so other parts of the
program (or a newer version) can add settings. Nothing is created at import time.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w

from efile_tui import locations
from efile_tui.config.profile import AUTH_METHODS, DEFAULT_POLL_INTERVAL, TOKEN_STORES, Profile
from efile_tui.config.values import (
    SECRET_KEYS,
    ConfigError,
    Reader,
    check_profile_name,
    deadline_problem,
    join,
    secret_written,
)
from efile_tui.i18n import N_, Msg

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

CONFIG_FILE = "config.toml"
DEFAULT_PROFILE = "default"


def config_path() -> Path:
    """Where the config file lives (``$XDG_CONFIG_HOME/efile-tui/config.toml``)."""
    return locations.config_dir() / CONFIG_FILE


def state_dir() -> Path:
    """The task journal and the audit log.

    ``$EFILE_TUI_STATE_DIR`` if set, else ``state_dir`` in the config file, else
    ``$XDG_STATE_HOME/efile-tui``. A leading ``~`` and ``$VARS`` are expanded.
    """
    return state_dir_source()[0]


def state_dir_source() -> tuple[Path, str]:
    """The state folder and what chose it (for ``efile-tui doctor``)."""
    chosen = os.environ.get(locations.STATE_DIR_ENV, "").strip()
    if chosen:
        return locations.expand(chosen), f"${locations.STATE_DIR_ENV}"
    configured = load_config().extra.get("state_dir")
    if isinstance(configured, str) and configured.strip():
        chosen_by = Msg(N_("state_dir in {path}"), path=str(config_path()))
        return locations.expand(configured.strip()), chosen_by
    return locations.default_state_dir(), Msg(N_("the XDG default"))


@dataclass
class Config:
    """All settings: the profiles, which one is the default and where tokens are kept."""

    profiles: dict[str, Profile] = field(default_factory=dict)
    default_profile: str = DEFAULT_PROFILE
    token_store: str = "keyring"
    extra: dict[str, Any] = field(default_factory=dict, repr=False)
    path: Path | None = field(default=None, compare=False, repr=False)

    def get_profile(self, name: str | None = None) -> Profile | None:
        """The named profile (default: the default profile), or None if not saved."""
        return self.profiles.get(name or self.default_profile)

    def set_profile(self, profile: Profile, *, make_default: bool = False) -> None:
        """Add or replace a profile; it becomes the default if asked or if none exists."""
        check_profile_name(profile.name)
        self.profiles[profile.name] = profile
        if make_default or self.default_profile not in self.profiles:
            self.default_profile = profile.name

    def store_for(self, name: str | None = None) -> str:
        """The token store ("keyring" or "file") for a profile."""
        profile = self.get_profile(name)
        if profile is not None and profile.token_store:
            return profile.token_store
        return self.token_store

    def to_toml(self) -> dict[str, Any]:
        """The whole configuration as a TOML document."""
        data: dict[str, Any] = dict(self.extra)
        data["default_profile"] = self.default_profile
        data["token_store"] = self.token_store
        data["profiles"] = {name: p.to_toml() for name, p in sorted(self.profiles.items())}
        return data


# -- reading -------------------------------------------------------------------------------


def load_config(path: Path | str | None = None) -> Config:
    """Read the config file; a missing file gives an empty Config.

    Raises ``ConfigError`` (naming the file and the line or key) when the file is not
    valid TOML or a value has the wrong type. The file is never rewritten here.
    """
    path = Path(path) if path is not None else config_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Config(path=path)
    except OSError as exc:
        raise ConfigError(
            path, Msg(N_("cannot be read ({reason})"), reason=exc.strerror or str(exc))
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(path, Msg(N_("is not UTF-8 text (byte {n})"), n=exc.start)) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            path,
            Msg(
                N_("is not valid TOML: {problem}; fix or move the file, it was left untouched"),
                problem=str(exc),
            ),
        ) from None
    config = _parse(path, data)
    config.path = path
    return config


def _parse(path: Path, data: Mapping[str, Any]) -> Config:
    reader = Reader(path)
    extra = {
        k: v for k, v in data.items() if k not in ("default_profile", "token_store", "profiles")
    }
    token_store = reader.choice(data, "token_store", TOKEN_STORES, "keyring")
    default = reader.string(data, "default_profile") or DEFAULT_PROFILE
    profiles = reader.profiles(data)
    return Config(profiles=profiles, default_profile=default, token_store=token_store, extra=extra)


# -- writing -------------------------------------------------------------------------------


def save_config(config: Config, path: Path | str | None = None) -> Path:
    """Write the config atomically (temp file + rename); returns the path written.

    Refuses (``ConfigError``) to write anything that looks like a secret.
    """
    path = Path(path) if path is not None else (config.path or config_path())
    data = config.to_toml()
    _refuse_secrets(path, data)
    text = tomli_w.dumps(data)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(prefix=".config-", suffix=".toml", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    config.path = path
    return path


def _refuse_secrets(path: Path, data: Mapping[str, Any], where: str = "") -> None:
    for key, value in data.items():
        if key.lower() in SECRET_KEYS:
            raise ConfigError(path, secret_written(join(where, key)))
        if isinstance(value, Mapping):
            _refuse_secrets(path, value, join(where, key))


__all__ = [
    "AUTH_METHODS",
    "DEFAULT_POLL_INTERVAL",
    "DEFAULT_PROFILE",
    "TOKEN_STORES",
    "Config",
    "ConfigError",
    "Profile",
    "check_profile_name",
    "config_path",
    "deadline_problem",
    "load_config",
    "save_config",
]
