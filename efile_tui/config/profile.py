"""A profile: one saved login and its settings, as a row of the config file's
``[profiles.NAME]`` tables (read and checked by :mod:`efile_tui.config.values`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from efile_tui.api.auth import DEFAULT_PLATFORM_URL
from efile_tui.vanish import DEFAULT_VANISH, VanishRule

AUTH_METHODS = ("password", "aksk", "token")
TOKEN_STORES = ("keyring", "file")
DEFAULT_POLL_INTERVAL = 2.0  # seconds


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


__all__ = ["AUTH_METHODS", "DEFAULT_POLL_INTERVAL", "TOKEN_STORES", "Profile"]
