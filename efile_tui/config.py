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
import re
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import tomli_w

from efile_tui import locations
from efile_tui.api.auth import DEFAULT_PLATFORM_URL
from efile_tui.api.errors import EfileError
from efile_tui.api.http import MAX_DEADLINE
from efile_tui.glyphs import CHOICES as GLYPH_CHOICES
from efile_tui.i18n import LANGUAGES, N_, Msg
from efile_tui.vanish import DEFAULT_VANISH, VANISH_KEYS, VanishRule

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

CONFIG_FILE = "config.toml"
AUTH_METHODS = ("password", "aksk", "token")
TOKEN_STORES = ("keyring", "file")
DEFAULT_PROFILE = "default"
DEFAULT_POLL_INTERVAL = 2.0  # seconds

_PROFILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
# Keys that must never be written to the config file, wherever they appear.
_SECRET_KEYS = frozenset({"token", "password", "secret", "secret_key", "sk", "access_token"})


class ConfigError(EfileError):
    """The config file cannot be read or holds an invalid value."""

    title = "Configuration error"

    def __init__(self, path: Path | str, problem: str) -> None:
        self.path = Path(path)
        self.problem = problem
        super().__init__(
            Msg(N_("config file {path}: {problem}"), path=str(self.path), problem=problem)
        )


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
        return locations.expand(configured.strip()), f"state_dir in {config_path()}"
    return locations.default_state_dir(), "the XDG default"


def check_profile_name(name: str) -> str:
    """Return ``name`` if it is a valid profile name (used as a file and keyring name)."""
    if not _PROFILE_NAME.match(name or ""):
        raise ValueError(
            f"invalid profile name {name!r}: use letters, digits, '.', '_' or '-' "
            "(up to 64, starting with a letter or digit)"
        )
    return name


@dataclass
class Profile:
    """One saved login: where the platform and the region's efile service are."""

    name: str
    platform_url: str = DEFAULT_PLATFORM_URL
    user: str | None = None
    org_id: str | None = None
    region_id: str | None = None
    region_name: str | None = None
    efile_url: str | None = None
    home_path: str | None = None
    auth_method: str = "password"
    deny_paths: list[str] = field(default_factory=list)
    poll_interval: float = DEFAULT_POLL_INTERVAL
    walk_budget: float | None = None  # seconds a walk may take; None: grows with the paths
    token_store: str | None = None  # None: follow Config.token_store
    auto_relogin: bool = False  # a password / secret key is remembered in the keyring
    glyphs: str | None = None  # "auto" | "unicode" | "ascii" (the TUI's symbols)
    request_deadline: float | None = None  # seconds per request; None: the built-in default
    allow_plain_http: bool = False  # send the token over http:// to a non-loopback host
    bell: bool = False  # the TUI rings the terminal bell when every watched task has ended
    language: str | None = None  # "en" | "zh_CN"; None: EFILE_TUI_LANG or the locale decides
    vanish: VanishRule = DEFAULT_VANISH  # vanish_after_misses / vanish_after_seconds
    extra: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def region(self) -> str | None:
        """The region's name, else its id."""
        return self.region_name or self.region_id

    def to_toml(self) -> dict[str, Any]:
        """The profile as a TOML table (None values left out, unknown keys kept)."""
        data: dict[str, Any] = dict(self.extra)
        values: dict[str, Any] = {
            "platform_url": self.platform_url,
            "user": self.user,
            "org_id": self.org_id,
            "region_id": self.region_id,
            "region_name": self.region_name,
            "efile_url": self.efile_url,
            "home_path": self.home_path,
            "auth_method": self.auth_method,
            "deny_paths": list(self.deny_paths),
            "poll_interval": float(self.poll_interval),
            "walk_budget": self.walk_budget,
            "token_store": self.token_store,
            "auto_relogin": self.auto_relogin or None,
            "glyphs": self.glyphs,
            "request_deadline": self.request_deadline,
            "allow_plain_http": self.allow_plain_http or None,
            "bell": self.bell or None,
            "language": self.language,
            **self.vanish.to_toml(),
        }
        data.update({k: v for k, v in values.items() if v is not None})
        return data


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
    reader = _Reader(path)
    extra = {
        k: v for k, v in data.items() if k not in ("default_profile", "token_store", "profiles")
    }
    token_store = reader.choice(data, "token_store", TOKEN_STORES, "keyring")
    default = reader.string(data, "default_profile") or DEFAULT_PROFILE
    profiles_raw = data.get("profiles", {})
    if not isinstance(profiles_raw, Mapping):
        raise ConfigError(path, "'profiles' must be a table ([profiles.NAME] sections)")
    profiles: dict[str, Profile] = {}
    for name, table in profiles_raw.items():
        where = f"profiles.{name}"
        if not _PROFILE_NAME.match(name):
            raise ConfigError(path, f"[{where}]: invalid profile name {name!r}")
        if not isinstance(table, Mapping):
            raise ConfigError(path, f"'{where}' must be a table")
        profiles[name] = reader.profile(name, table, where)
    return Config(profiles=profiles, default_profile=default, token_store=token_store, extra=extra)


class _Reader:
    """Typed access to TOML values with errors that name the key."""

    # Every field of a profile is a key of its table (the vanish rule is two keys).
    _KNOWN = frozenset(
        {
            *(f.name for f in fields(Profile) if f.name not in ("name", "vanish", "extra")),
            *VANISH_KEYS,
        }
    )

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, key: str, problem: str) -> ConfigError:
        return ConfigError(self.path, Msg(N_("'{key}' {problem}"), key=key, problem=problem))

    def string(self, table: Mapping[str, Any], key: str, where: str = "") -> str | None:
        value = table.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise self.fail(
                _join(where, key), Msg(N_("must be a string, not {kind}"), kind=_kind(value))
            )
        return str(value)

    def choice(
        self,
        table: Mapping[str, Any],
        key: str,
        allowed: tuple[str, ...],
        default: str | None,
        where: str = "",
    ) -> str:
        value = self.string(table, key, where)
        if value is None:
            return default or ""
        if value not in allowed:
            raise self.fail(_join(where, key), _not_one_of(allowed, value))
        return value

    def profile(self, name: str, table: Mapping[str, Any], where: str) -> Profile:
        deny = table.get("deny_paths", [])
        if not isinstance(deny, list) or not all(isinstance(p, str) for p in deny):
            raise self.fail(_join(where, "deny_paths"), "must be a list of strings")
        for entry in deny:
            if not entry.startswith(("/", "*")):
                raise self.fail(
                    _join(where, "deny_paths"),
                    f"entry {entry!r} is not an absolute path (start it with / or a * wildcard)",
                )
        poll = table.get("poll_interval", DEFAULT_POLL_INTERVAL)
        if isinstance(poll, bool) or not isinstance(poll, (int, float)) or poll <= 0:
            raise self.fail(_join(where, "poll_interval"), Msg(N_("must be a positive number")))
        budget = table.get("walk_budget")
        if budget is not None and deadline_problem(budget):
            raise self.fail(_join(where, "walk_budget"), str(deadline_problem(budget)))
        secrets = sorted(k for k in table if k.lower() in _SECRET_KEYS)
        if secrets:
            raise self.fail(
                _join(where, secrets[0]),
                "looks like a secret; secrets are never read from the config file "
                "(remove it; use `efile-tui login` or EFILE_TOKEN)",
            )
        store = self.string(table, "token_store", where)
        if store is not None and store not in TOKEN_STORES:
            raise self.fail(_join(where, "token_store"), _not_one_of(TOKEN_STORES, store))
        flags = {k: table.get(k, False) for k in ("auto_relogin", "allow_plain_http", "bell")}
        for key, flag in flags.items():
            if not isinstance(flag, bool):
                raise self.fail(_join(where, key), Msg(N_("must be true or false")))
        deadline = table.get("request_deadline")
        if deadline is not None and deadline_problem(deadline):
            raise self.fail(_join(where, "request_deadline"), str(deadline_problem(deadline)))
        return Profile(
            name=name,
            platform_url=self.string(table, "platform_url", where) or DEFAULT_PLATFORM_URL,
            user=self.string(table, "user", where),
            org_id=self.string(table, "org_id", where),
            region_id=self.string(table, "region_id", where),
            region_name=self.string(table, "region_name", where),
            efile_url=self.string(table, "efile_url", where),
            home_path=self.string(table, "home_path", where),
            auth_method=self.choice(table, "auth_method", AUTH_METHODS, "password", where),
            deny_paths=list(deny),
            poll_interval=float(poll),
            walk_budget=None if budget is None else float(budget),
            token_store=store,
            auto_relogin=flags["auto_relogin"],
            glyphs=self.choice(table, "glyphs", GLYPH_CHOICES, None, where) or None,
            request_deadline=None if deadline is None else float(deadline),
            allow_plain_http=flags["allow_plain_http"],
            bell=flags["bell"],
            language=self.choice(table, "language", LANGUAGES, None, where) or None,
            vanish=VanishRule.from_toml(table, lambda k, p: self.fail(_join(where, k), p)),
            extra={k: v for k, v in table.items() if k not in self._KNOWN},
        )


def deadline_problem(value: object) -> str | None:
    """Why ``value`` is not a usable request deadline (or walk budget) in seconds, or None:
    more than 0 and at most an hour."""
    most = MAX_DEADLINE
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return f"must be a number of seconds, not {_kind(value)}"
    try:
        seconds = float(value)
    except ValueError:
        return f"must be a number of seconds, not {str(value)[:20]!r}"
    if not 0 < seconds <= most:
        return f"must be more than 0 and at most {most:g} seconds"
    return None


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _not_one_of(names: tuple[str, ...], value: object) -> Msg:
    """The problem of ``value``, which is none of ``names``."""
    return Msg(N_("must be one of {names}, not {value}"), names=", ".join(names), value=repr(value))


def _kind(value: object) -> str:
    return {bool: "a boolean", list: "a list", dict: "a table", float: "a number"}.get(
        type(value), type(value).__name__
    )


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
        if key.lower() in _SECRET_KEYS:
            raise ConfigError(
                path, f"refusing to write '{_join(where, key)}': secrets never go here"
            )
        if isinstance(value, Mapping):
            _refuse_secrets(path, value, _join(where, key))


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
    "load_config",
    "save_config",
]
