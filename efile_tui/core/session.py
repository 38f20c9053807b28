"""Turn settings, environment and stored credentials into a ready connection.

Resolution order for the token (first hit wins; ``Connection.token_source`` says which):
``EFILE_TOKEN`` → the token store for the profile. The efile URL comes from ``--url`` /
``EFILE_URL`` or the profile (discovered at login).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from efile_tui.api.client import EfileClient
from efile_tui.api.errors import AuthError
from efile_tui.api.http import TokenRenewer


class NeedsLogin(AuthError):
    """No usable token or URL: the user must log in (exit code 4)."""

    def __init__(self, message: str) -> None:
        super().__init__("auth", "")
        self.title = "Login needed"
        self.message = message
        self.args = (message,)


@dataclass
class Connection:
    """Everything needed to talk to one region's efile service."""

    efile_url: str
    token: str = field(repr=False)
    token_source: str = "EFILE_TOKEN"
    profile: str | None = None
    home: str | None = None
    user: str | None = None
    region: str | None = None
    renew: TokenRenewer | None = field(default=None, repr=False)

    @property
    def label(self) -> str:
        """``user@region`` (or the URL) for headers and logs."""
        if self.user and self.region:
            return f"{self.user}@{self.region}"
        return self.efile_url

    def client(self, **kwargs: object) -> EfileClient:
        """A new EfileClient for this connection (renewal wired in)."""
        return EfileClient(self.efile_url, self.token, renew=self.renew, **kwargs)  # type: ignore[arg-type]


def resolve_connection(
    *,
    profile: str | None = None,
    url: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Connection:
    """Find the efile URL and token to use, or raise ``NeedsLogin`` saying what is missing."""
    env = os.environ if env is None else env
    efile_url = url or env.get("EFILE_URL")
    token = env.get("EFILE_TOKEN")
    if not efile_url:
        raise NeedsLogin(
            "no efile service configured: run `efile-tui login`, or set EFILE_URL and "
            "EFILE_TOKEN (try `efile-tui sim --seed DIR` for a local simulator)"
        )
    if not token:
        raise NeedsLogin(f"no token for {efile_url}: run `efile-tui login` or set EFILE_TOKEN")
    return Connection(efile_url=efile_url, token=token, profile=profile, home=env.get("EFILE_HOME"))
