"""Checking the config file's values: each problem names the key and the fix, stored in
English and shown in the language in use (an :class:`~efile_tui.i18n.Msg`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any

from efile_tui.api.auth import DEFAULT_PLATFORM_URL
from efile_tui.api.errors import EfileError
from efile_tui.api.http import MAX_DEADLINE
from efile_tui.config.profile import AUTH_METHODS, DEFAULT_POLL_INTERVAL, TOKEN_STORES, Profile
from efile_tui.glyphs import CHOICES as GLYPH_CHOICES
from efile_tui.i18n import LANGUAGES, N_, Msg
from efile_tui.vanish import VANISH_KEYS, VanishRule

PROFILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
# Keys that must never be written to the config file, wherever they appear.
SECRET_KEYS = frozenset({"token", "password", "secret", "secret_key", "sk", "access_token"})
_KINDS = {bool: N_("a boolean"), list: N_("a list"), dict: N_("a table"), float: N_("a number")}


class ConfigError(EfileError):
    """The config file cannot be read or holds an invalid value."""

    title = N_("Configuration error")

    def __init__(self, path: Path | str, problem: str) -> None:
        self.path = Path(path)
        self.problem = problem
        super().__init__(
            Msg(N_("config file {path}: {problem}"), path=str(self.path), problem=problem)
        )


def check_profile_name(name: str) -> str:
    """Return ``name`` if it is a valid profile name (used as a file and keyring name);
    else raise ValueError with a :class:`Msg` naming the rule."""
    if not PROFILE_NAME.match(name or ""):
        raise ValueError(
            Msg(
                N_(
                    "invalid profile name {name}: use letters, digits, '.', '_' or '-' "
                    "(up to 64, starting with a letter or digit)"
                ),
                name=repr(name),
            )
        )
    return name


def deadline_problem(value: object) -> Msg | None:
    """Why ``value`` is not a usable request deadline (or walk budget) in seconds, or None:
    more than 0 and at most an hour."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return Msg(N_("must be a number of seconds, not {kind}"), kind=kind(value))
    try:
        seconds = float(value)
    except ValueError:
        return Msg(N_("must be a number of seconds, not {value}"), value=repr(str(value)[:20]))
    if not 0 < seconds <= MAX_DEADLINE:
        return Msg(N_("must be more than 0 and at most {most} seconds"), most=f"{MAX_DEADLINE:g}")
    return None


def secret_written(key: str) -> Msg:
    """The problem with writing the secret-looking ``key`` to the config file."""
    return Msg(N_("refusing to write '{key}': secrets never go here"), key=key)


def join(where: str, key: str) -> str:
    """``where.key`` (just ``key`` at the top of the file)."""
    return f"{where}.{key}" if where else key


def not_one_of(names: tuple[str, ...], value: object) -> Msg:
    """The problem of ``value``, which is none of ``names``."""
    return Msg(N_("must be one of {names}, not {value}"), names=", ".join(names), value=repr(value))


def kind(value: object) -> str:
    """What a TOML value is, for a person (``a list``; shown translated as a field)."""
    named = _KINDS.get(type(value))
    return Msg(named) if named else type(value).__name__


class Reader:
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
        """The error for ``key``'s value (``problem``: what is wrong with it)."""
        return ConfigError(self.path, Msg(N_("'{key}' {problem}"), key=key, problem=problem))

    def string(self, table: Mapping[str, Any], key: str, where: str = "") -> str | None:
        """``table[key]`` as text (a number is taken as its digits), or None if unset."""
        value = table.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise self.fail(
                join(where, key), Msg(N_("must be a string, not {kind}"), kind=kind(value))
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
        """``table[key]``, one of ``allowed`` (``default`` if unset)."""
        value = self.string(table, key, where)
        if value is None:
            return default or ""
        if value not in allowed:
            raise self.fail(join(where, key), not_one_of(allowed, value))
        return value

    def profiles(self, data: Mapping[str, Any]) -> dict[str, Profile]:
        """Every ``[profiles.NAME]`` table of the file, read and checked."""
        tables = data.get("profiles", {})
        if not isinstance(tables, Mapping):
            problem = Msg(N_("'profiles' must be a table ([profiles.NAME] sections)"))
            raise ConfigError(self.path, problem)
        profiles: dict[str, Profile] = {}
        for name, table in tables.items():
            where = f"profiles.{name}"
            if not PROFILE_NAME.match(name):
                problem = Msg(
                    N_("[{where}]: invalid profile name {name}"), where=where, name=repr(name)
                )
                raise ConfigError(self.path, problem)
            if not isinstance(table, Mapping):
                raise ConfigError(self.path, Msg(N_("'{key}' must be a table"), key=where))
            profiles[name] = self.profile(name, table, where)
        return profiles

    def seconds(self, table: Mapping[str, Any], key: str, where: str) -> float | None:
        """``table[key]``, a number of seconds as a deadline is (None if unset)."""
        value = table.get(key)
        if value is None:
            return None
        problem = deadline_problem(value)
        if problem:
            raise self.fail(join(where, key), problem)
        return float(value)

    def profile(self, name: str, table: Mapping[str, Any], where: str) -> Profile:
        """The profile ``name`` its table sets, every value checked."""
        deny = table.get("deny_paths", [])
        if not isinstance(deny, list) or not all(isinstance(p, str) for p in deny):
            raise self.fail(join(where, "deny_paths"), Msg(N_("must be a list of strings")))
        for entry in deny:
            if not entry.startswith(("/", "*")):
                problem = N_(
                    "entry {entry} is not an absolute path (start it with / or a * wildcard)"
                )
                raise self.fail(join(where, "deny_paths"), Msg(problem, entry=repr(entry)))
        poll = table.get("poll_interval", DEFAULT_POLL_INTERVAL)
        if isinstance(poll, bool) or not isinstance(poll, (int, float)) or poll <= 0:
            raise self.fail(join(where, "poll_interval"), Msg(N_("must be a positive number")))
        budget = self.seconds(table, "walk_budget", where)
        secrets = sorted(k for k in table if k.lower() in SECRET_KEYS)
        if secrets:
            problem = N_(
                "looks like a secret; secrets are never read from the config file "
                "(remove it; use `efile-tui login` or EFILE_TOKEN)"
            )
            raise self.fail(join(where, secrets[0]), Msg(problem))
        store = self.string(table, "token_store", where)
        if store is not None and store not in TOKEN_STORES:
            raise self.fail(join(where, "token_store"), not_one_of(TOKEN_STORES, store))
        flags = {k: table.get(k, False) for k in ("auto_relogin", "allow_plain_http", "bell")}
        for key, flag in flags.items():
            if not isinstance(flag, bool):
                raise self.fail(join(where, key), Msg(N_("must be true or false")))
        deadline = self.seconds(table, "request_deadline", where)
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
            walk_budget=budget,
            token_store=store,
            auto_relogin=flags["auto_relogin"],
            glyphs=self.choice(table, "glyphs", GLYPH_CHOICES, None, where) or None,
            request_deadline=deadline,
            allow_plain_http=flags["allow_plain_http"],
            bell=flags["bell"],
            language=self.choice(table, "language", LANGUAGES, None, where) or None,
            vanish=VanishRule.from_toml(table, lambda k, p: self.fail(join(where, k), p)),
            extra={k: v for k, v in table.items() if k not in self._KNOWN},
        )


__all__ = [
    "PROFILE_NAME",
    "SECRET_KEYS",
    "ConfigError",
    "Reader",
    "check_profile_name",
    "deadline_problem",
    "join",
    "kind",
    "not_one_of",
    "secret_written",
]
