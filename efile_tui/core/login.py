"""Log in from the TUI: tokens → region → profile and token store → a ready connection.

The same steps as ``efile-tui login`` (``core.login_steps``), without any terminal prompt:
the TUI asks for the fields in a form and calls this from a worker.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from efile_tui.api.auth import pick_region_token
from efile_tui.config import load_config
from efile_tui.core.login_steps import (
    LoginRequest,
    login_profile,
    region_info,
    request_tokens,
    save_login,
)
from efile_tui.core.session import Connection, NeedsLogin, resolve_connection_async
from efile_tui.store.tokens import TokenStore

if TYPE_CHECKING:
    import httpx


async def login_and_connect(
    request: LoginRequest,
    *,
    profile: str | None = None,
    region: str | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    deadline: float | None = None,
) -> Connection:
    """Log in, save the profile (no secrets) and the token, and return the connection.

    ``region`` picks a region by id or name; without it the first regional token is used.
    Raises the client's errors (wrong password → an ``AuthError``) or ``NeedsLogin``.
    """
    tokens = await request_tokens(request, transport=transport)
    token = pick_region_token(tokens, region)
    chosen = next(t for t in tokens if t.token == token)
    info = await region_info(
        request.platform_url, token, transport=transport, allow_http=request.allow_http
    )
    if not info.efile_url:
        raise NeedsLogin(f"region {chosen.cluster_name} has no enabled efile service")
    config = await asyncio.to_thread(load_config)
    name = profile or config.default_profile
    settings = login_profile(
        name,
        request,
        region_id=chosen.cluster_id,
        region_name=chosen.cluster_name,
        efile_url=info.efile_url,
        home=info.home_path,
        user=info.user_name,
        previous=config.get_profile(name),
    )
    store = TokenStore(config.store_for(name), allow_prompting=False)
    await asyncio.to_thread(save_login, config, settings, token, store=store)
    return await resolve_connection_async(
        profile=name, deadline=deadline, allow_http=request.allow_http
    )
