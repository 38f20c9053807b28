"""The steps of logging in, shared by ``efile-tui login`` and the TUI's login form.

``request_tokens`` (password or access key pair → one token per region) → pick a region →
``region_info`` (the region's efile URL and the user's home) → ``login_profile`` (the
profile to save, the user's own settings kept) → ``save_login`` (the profile without
secrets, the token in the token store, and the password kept or forgotten for automatic
re-login; blocking: run it in a thread from a UI).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from efile_tui.api.auth import DEFAULT_PLATFORM_URL, PlatformClient
from efile_tui.api.models import Region, RegionToken
from efile_tui.config import DEFAULT_POLL_INTERVAL, Config, Profile, save_config

if TYPE_CHECKING:  # the keyring loads only where a secret is stored (not for the TUI's form)
    import httpx

    from efile_tui.store.tokens import RememberedLogin, StoreOutcome, TokenStore

AKSK_DEFAULT_URL = "https://api.scnet.cn"  # the v3 AK/SK endpoint of the public platform


@dataclass
class LoginRequest:
    """What the user gave to log in; the secret (password, secret key or token) stays out
    of ``repr``."""

    platform_url: str
    method: str  # "password" | "aksk" | "token"
    user: str | None = None
    org_id: str | None = None
    access_key: str | None = field(default=None, repr=False)
    secret: str = field(default="", repr=False)
    allow_http: bool = False  # the user opted in to plain http to a non-loopback platform

    def remembered(self) -> RememberedLogin:
        """The login to keep in the keyring for automatic re-login."""
        from efile_tui.store.tokens import RememberedLogin

        return RememberedLogin(
            method=self.method,
            user=self.user or "",
            secret=self.secret,
            org_id=self.org_id,
            access_key=self.access_key,
        )


async def request_tokens(
    request: LoginRequest, *, transport: httpx.AsyncBaseTransport | None = None
) -> list[RegionToken]:
    """Log in with a password or an access key pair; one token per region."""
    if request.method == "aksk":
        url = request.platform_url
        if url.rstrip("/") == DEFAULT_PLATFORM_URL:
            url = AKSK_DEFAULT_URL
        async with PlatformClient(
            url, transport=transport, allow_http=request.allow_http
        ) as platform:
            return await platform.login_aksk(
                request.user or "", request.access_key or "", request.secret
            )
    async with PlatformClient(
        request.platform_url, transport=transport, allow_http=request.allow_http
    ) as platform:
        return await platform.login_password(
            request.user or "", request.secret, request.org_id or ""
        )


async def region_info(
    platform_url: str,
    token: str,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    allow_http: bool = False,
) -> Region:
    """Where a regional token's efile service lives, and the user's home there."""
    async with PlatformClient(platform_url, transport=transport, allow_http=allow_http) as platform:
        return await platform.center(token)


def login_profile(
    name: str,
    request: LoginRequest,
    *,
    region_id: str | None,
    region_name: str | None,
    efile_url: str,
    home: str | None,
    user: str | None,
    previous: Profile | None = None,
    token_store: str | None = None,
    auto_relogin: bool = False,
) -> Profile:
    """The profile to save after a login (the user's own settings of ``previous`` kept)."""
    return Profile(
        name=name,
        platform_url=request.platform_url,
        user=user or request.user,
        org_id=request.org_id or (previous.org_id if previous else None),
        region_id=region_id,
        region_name=region_name,
        efile_url=efile_url,
        home_path=home,
        auth_method=request.method,
        deny_paths=list(previous.deny_paths) if previous else [],
        poll_interval=previous.poll_interval if previous else DEFAULT_POLL_INTERVAL,
        token_store=token_store or (previous.token_store if previous else None),
        auto_relogin=auto_relogin,
        request_deadline=previous.request_deadline if previous else None,
        allow_plain_http=request.allow_http or bool(previous and previous.allow_plain_http),
        extra=dict(previous.extra) if previous else {},
    )


@dataclass
class LoginOutcome:
    """Where the token went, plus what else happened (lines to show the user)."""

    profile: Profile
    stored: StoreOutcome
    notes: list[str] = field(default_factory=list)


def save_login(
    config: Config,
    profile: Profile,
    token: str,
    *,
    store: TokenStore,
    remember: RememberedLogin | None = None,
    make_default: bool = False,
) -> LoginOutcome:
    """Save the profile (no secrets), store the token and keep or forget the password.

    Blocking (keyring): from an event loop run it with ``asyncio.to_thread``.
    """
    previous = config.get_profile(profile.name)
    config.set_profile(profile, make_default=make_default)
    save_config(config)
    stored = store.set(profile.name, token)
    notes: list[str] = []
    if stored.warning:
        notes.append(f"warning: {stored.warning}")
    if store.mode == "keyring":
        stale = store.file_path(profile.name)
        if stale.exists():
            stale.unlink()
            notes.append(f"removed the old plain-text token file {stale}")
    from efile_tui.store.tokens import TokenStore

    keyring_store = TokenStore("keyring", allow_prompting=store.allow_prompting)
    if remember is not None:
        kept = keyring_store.remember(profile.name, remember)
        what = "password" if remember.method == "password" else "secret key"
        notes.append(f"{what} kept in {kept.location} for automatic re-login")
    elif previous is not None and previous.auto_relogin and keyring_store.forget(profile.name):
        notes.append("forgot the previously remembered password")
    return LoginOutcome(profile, stored, notes)
