"""Turn settings, environment and stored credentials into a ready connection.

Resolution order for the token (first hit wins; ``Connection.token_source`` says which):
``EFILE_TOKEN`` → the token store of the profile (keyring, or the opt-in file). The efile URL
comes from ``--url`` / ``EFILE_URL`` / the profile (discovered at login); the home folder from
``EFILE_HOME`` / the profile.

``Connection.renew`` renews an expired token with ``tokens/next`` (and, if the user asked for
it at login, falls back to a fresh login with the password kept in the keyring), stores the
new token where the old one came from and returns it; None when renewal is impossible.

Keyring calls are blocking: from an event loop use ``resolve_connection_async``.

The steps of logging in (for the CLI and the TUI's login form) are in ``core.login_steps``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from efile_tui.api.auth import (
    PlatformClient,
    pick_region_token,
    token_claims,
)
from efile_tui.api.client import EfileClient
from efile_tui.api.errors import ApiError, AuthError, BadResponse, SettingError
from efile_tui.api.http import DEFAULT_DEADLINE, TokenRenewer
from efile_tui.config import (
    DEFAULT_POLL_INTERVAL,
    Config,
    Profile,
    deadline_problem,
    load_config,
)
from efile_tui.core.validate import normalise_path, path_problem, shown
from efile_tui.i18n import N_, Msg
from efile_tui.vanish import DEFAULT_VANISH, VanishRule

if TYPE_CHECKING:  # the keyring is imported only where a token is read from it
    import httpx

    from efile_tui.core.operations import Context
    from efile_tui.store.audit import AuditLog
    from efile_tui.store.journal import Journal
    from efile_tui.store.tokens import TokenStore

log = logging.getLogger(__name__)

ENV_SOURCE = "EFILE_TOKEN"


class NeedsLogin(AuthError):
    """No usable token or URL: the user must log in (exit code 4)."""

    def __init__(self, message: str) -> None:
        super().__init__("auth", "")
        self.title = Msg(N_("Login needed"))
        self.message = message
        self.args = (message,)


@dataclass
class Connection:
    """Everything needed to talk to one region's efile service."""

    efile_url: str
    token: str = field(repr=False)
    token_source: str = ENV_SOURCE
    profile: str | None = None
    home: str | None = None
    user: str | None = None
    region: str | None = None
    renew: TokenRenewer | None = field(default=None, repr=False)
    platform_url: str | None = None
    region_id: str | None = None
    settings: Profile | None = field(default=None, repr=False)
    deny_paths: tuple[str, ...] = ()  # never deleted, moved away or overwritten
    poll_interval: float = DEFAULT_POLL_INTERVAL  # seconds between polls (TUI, watch, --wait)
    walk_budget: float | None = None  # seconds a preview walk may take (None: by the paths)
    bell: bool = False  # the TUI rings the bell when every watched task has ended
    vanish: VanishRule = DEFAULT_VANISH  # when a task the service stopped returning vanished
    deadline: float = DEFAULT_DEADLINE
    allow_http: bool = False

    @property
    def label(self) -> str:
        """``user@region`` (or the URL) for headers and logs."""
        if self.user and self.region:
            return f"{self.user}@{self.region}"
        return self.efile_url

    def context(self, client: EfileClient, journal: Journal, audit: AuditLog) -> Context:
        """What operations need for this connection: its profile, region, poll interval
        and vanish rule, with ``client``, ``journal`` and ``audit``."""
        from efile_tui.core.operations import Context

        return Context(
            client=client,
            journal=journal,
            audit=audit,
            profile=self.profile,
            region=self.region,
            poll_interval=self.poll_interval,
            vanish=self.vanish,
        )

    def client(self, **kwargs: object) -> EfileClient:
        """A new EfileClient for this connection (renewal wired in)."""
        return EfileClient(
            self.efile_url,
            self.token,
            renew=self.renew,
            deadline=self.deadline,
            allow_http=self.allow_http,
            **kwargs,  # type: ignore[arg-type]
        )

    async def learn_home(self, client: EfileClient) -> str:
        """The home folder: ``EFILE_HOME`` / the profile's, else asked of the service once.

        The safety rules need it whatever the connection mode (a profile, or only
        ``EFILE_URL``/``EFILE_TOKEN``). An answer that is not a plain absolute path is
        refused (``BadResponse``).
        """
        if self.home:
            return self.home
        home = await client.home_folder()
        if path_problem(home) or normalise_path(home) == "/":
            raise BadResponse(f"the service named an unusable home folder ({shown(home)})")
        self.home = normalise_path(home)
        return self.home

    async def learn_region(self) -> None:
        """Name the user and region from the platform (``center``), for the header.

        Only when a platform URL is known (the profile's, or ``EFILE_PLATFORM_URL``).
        """
        if not self.platform_url:
            return
        from efile_tui.core.login_steps import region_info  # with the keyring: not at import

        region = await region_info(self.platform_url, self.token)
        self.user = region.user_name or self.user
        self.region = region.name or self.region


class Renewer:
    """``Connection.renew``: renew the token once, store it, and hand it back.

    Concurrent callers share one renewal: whoever waits on the lock and finds the token
    already changed, or renewed moments ago, takes the current one instead of renewing
    again (requests sent with the old token come back expired after the renewal).
    """

    cooldown = 10.0  # seconds after a renewal during which another is not attempted

    def __init__(
        self,
        connection: Connection,
        *,
        platform_url: str,
        store: TokenStore | None,
        relogin: bool = False,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.connection = connection
        self.platform_url = platform_url
        self.store = store  # None: the token came from EFILE_TOKEN, do not store it
        self.relogin = relogin
        self.transport = transport
        self._lock: asyncio.Lock | None = None
        self._renewed_at: float | None = None

    def __repr__(self) -> str:
        return f"Renewer({self.platform_url!r}, store={self.store!r})"

    async def __call__(self) -> str | None:
        before = self.connection.token
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            recent = self._renewed_at is not None and (
                time.monotonic() - self._renewed_at < self.cooldown
            )
            if self.connection.token != before or recent:
                return self.connection.token
            new = await self._renew(before) or await self._login_again()
            if not new:
                return None
            self._renewed_at = time.monotonic()
            self.connection.token = new
            await self._store(new)
            return new

    async def _renew(self, old: str) -> str | None:
        conn = self.connection
        try:
            async with PlatformClient(
                self.platform_url,
                transport=self.transport,
                deadline=conn.deadline,
                allow_http=conn.allow_http,
            ) as platform:
                return await platform.renew(old, conn.region_id or conn.region) or None
        except ApiError as exc:  # expired beyond the grace period, refused, ...
            log.info("token renewal refused: %s", exc.title)
            return None

    async def _login_again(self) -> str | None:
        """A fresh login with the remembered password / secret key, if the user asked for it."""
        conn = self.connection
        if not (self.relogin and self.store is not None and conn.profile):
            return None
        remembered = await asyncio.to_thread(self.store.recall, conn.profile)
        if remembered is None:
            return None
        from efile_tui.core.login_steps import LoginRequest, request_tokens

        request = LoginRequest(
            self.platform_url,
            "aksk" if remembered.method == "aksk" else "password",
            user=remembered.user,
            org_id=remembered.org_id,
            access_key=remembered.access_key,
            secret=remembered.secret,
            allow_http=conn.allow_http,
        )
        try:
            tokens = await request_tokens(request, transport=self.transport)
            return pick_region_token(tokens, conn.region_id or conn.region) or None
        except ApiError as exc:
            log.warning("automatic re-login failed: %s", exc.title)
            return None

    async def _store(self, token: str) -> None:
        conn = self.connection
        if self.store is None or not conn.profile:
            return
        try:
            outcome = await asyncio.to_thread(self.store.set, conn.profile, token)
        except Exception as exc:  # keep working with the new token even if storing fails
            log.warning("renewed token could not be stored: %s", type(exc).__name__)
            return
        if outcome.warning:
            log.info("%s", outcome.warning)


def resolve_connection(
    *,
    profile: str | None = None,
    url: str | None = None,
    env: Mapping[str, str] | None = None,
    store: TokenStore | None = None,
    config: Config | None = None,
    allow_prompting: bool = True,
    transport: httpx.AsyncBaseTransport | None = None,
    deadline: float | None = None,
    allow_http: bool = False,
) -> Connection:
    """Find the efile URL and token to use, or raise ``NeedsLogin`` saying what is missing.

    May raise ``NoUsableKeyring`` / ``TokenFileError`` (exit 4) from the token store and
    ``ConfigError`` for a malformed config file. Blocking (keyring): not on an event loop.
    ``transport`` is only for tests (the platform client used for renewal). The request
    deadline comes from ``deadline`` (a flag), ``EFILE_DEADLINE`` or the profile; plain
    http to another host is allowed by ``allow_http`` (a flag) or the profile.
    """
    env = os.environ if env is None else env
    config = load_config() if config is None else config
    name = profile or env.get("EFILE_PROFILE") or config.default_profile
    settings = config.get_profile(name)
    if profile and settings is None and not env.get("EFILE_TOKEN"):
        raise NeedsLogin(
            Msg(
                N_(
                    "no profile {name}: run `efile-tui login --profile {profile}` (or set "
                    "EFILE_URL and EFILE_TOKEN)"
                ),
                name=repr(profile),
                profile=profile,
            )
        )
    efile_url = url or env.get("EFILE_URL") or (settings.efile_url if settings else None)
    if not efile_url:
        raise NeedsLogin(
            Msg(
                N_(
                    "no efile service configured: run `efile-tui login`, or set EFILE_URL and "
                    "EFILE_TOKEN (try `efile-tui sim --seed DIR` for a local simulator)"
                )
            )
        )
    token = env.get("EFILE_TOKEN") or None
    source = ENV_SOURCE
    token_store: TokenStore | None = None
    if token is None and settings is not None:
        from efile_tui.store.tokens import TokenStore

        token_store = store or TokenStore(
            config.store_for(name), env=env, allow_prompting=allow_prompting
        )
        token, source = token_store.get(name)
    if not token:
        where = Msg(N_(" (looked in {source})"), source=source) if token_store is not None else ""
        command = "efile-tui login" + (
            "" if name == config.default_profile else f" --profile {name}"
        )
        raise NeedsLogin(
            Msg(
                N_("no token for {url}{where}: run `{command}` or set EFILE_TOKEN"),
                url=efile_url,
                where=where,
                command=command,
            )
        )
    conn = Connection(
        efile_url=efile_url,
        token=token,
        token_source=source,
        profile=name if settings is not None else profile,
        home=env.get("EFILE_HOME") or (settings.home_path if settings else None),
        # Without a profile (EFILE_URL/EFILE_TOKEN), the token says whose it is and for
        # which region (by id; learn_region asks the platform for the name).
        user=settings.user if settings else _claim(token, "user"),
        region=settings.region if settings else _claim(token, "clusterId"),
        platform_url=_platform_url(settings, efile_url, env),
        region_id=settings.region_id if settings else None,
        settings=settings,
        deny_paths=tuple(settings.deny_paths) if settings else (),
        poll_interval=settings.poll_interval if settings else DEFAULT_POLL_INTERVAL,
        walk_budget=settings.walk_budget if settings else None,
        bell=bool(settings and settings.bell),
        vanish=settings.vanish if settings else DEFAULT_VANISH,
        deadline=_deadline(deadline, env, settings),
        allow_http=allow_http or bool(settings and settings.allow_plain_http),
    )
    if conn.platform_url:
        conn.renew = Renewer(
            conn,
            platform_url=conn.platform_url,
            store=token_store,
            relogin=bool(settings and settings.auto_relogin),
            transport=transport,
        )
    return conn


def _claim(token: str, name: str) -> str | None:
    value = token_claims(token).get(name)
    return str(value) if isinstance(value, (str, int)) and str(value) else None


def _deadline(flag: float | None, env: Mapping[str, str], settings: Profile | None) -> float:
    """The request deadline: the flag, else ``EFILE_DEADLINE``, else the profile's."""
    if flag is not None:
        return flag
    raw = env.get("EFILE_DEADLINE")
    if raw:
        problem = deadline_problem(raw)
        if problem:
            raise SettingError(
                Msg(
                    N_("{name}={value} {problem}"),
                    name="EFILE_DEADLINE",
                    value=repr(raw[:20]),
                    problem=problem,
                )
            )
        return float(raw)
    if settings is not None and settings.request_deadline is not None:
        return settings.request_deadline
    return DEFAULT_DEADLINE


def _platform_url(settings: Profile | None, efile_url: str, env: Mapping[str, str]) -> str | None:
    """Where to renew: the profile's platform, unless the efile URL was pointed elsewhere."""
    if settings is not None and settings.efile_url in (None, efile_url):
        return settings.platform_url
    return env.get("EFILE_PLATFORM_URL") or None


async def resolve_connection_async(
    *,
    profile: str | None = None,
    url: str | None = None,
    env: Mapping[str, str] | None = None,
    store: TokenStore | None = None,
    config: Config | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    deadline: float | None = None,
    allow_http: bool = False,
) -> Connection:
    """``resolve_connection`` in a worker thread, for an event loop (the TUI).

    Keyring backends that would prompt on the terminal are refused here.
    """
    return await asyncio.to_thread(
        lambda: resolve_connection(
            profile=profile,
            url=url,
            env=env,
            store=store,
            config=config,
            allow_prompting=False,
            transport=transport,
            deadline=deadline,
            allow_http=allow_http,
        )
    )


__all__ = [
    "Connection",
    "NeedsLogin",
    "Renewer",
    "resolve_connection",
    "resolve_connection_async",
]
