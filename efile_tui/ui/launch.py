"""Starting the TUI: connection, profile settings, journal and audit log, then the app.

``launch`` is what ``efile-tui`` runs: it sets up the terminal (glyphs, encoding), builds
the app with ``create_app`` and closes what it opened with ``close_app``. Without a usable
token the app opens on its login form.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor

from efile_tui import i18n
from efile_tui.api.errors import EfileError
from efile_tui.core import terminal
from efile_tui.core.session import Connection
from efile_tui.store.audit import AuditLog
from efile_tui.store.journal import Journal
from efile_tui.ui.app import EfileApp, connection_args

REGION_DEADLINE = 3.0  # seconds the start may spend asking the platform for user@region


def _run_apart(coro: Coroutine[object, object, object]) -> None:
    """Run a coroutine to its end on its own loop in a helper thread (there may already be
    a loop running in this one, e.g. under a test)."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, coro).result()


async def _learn_home(conn: Connection) -> None:
    async with conn.client() as client:
        await conn.learn_home(client)


async def _learn_region(conn: Connection) -> None:
    await asyncio.wait_for(conn.learn_region(), REGION_DEADLINE)


def create_app(
    *,
    profile: str | None = None,
    url: str | None = None,
    interval: float | None = None,
    deadline: float | None = None,
    allow_http: bool = False,
) -> EfileApp:
    """The app exactly as ``efile-tui`` builds it: connection, profile settings (deny list,
    poll interval), home folder, journal and audit log. ``close_app`` releases them.

    Without a usable token the app opens on its login form.
    """
    from efile_tui.api.auth import DEFAULT_PLATFORM_URL
    from efile_tui.config import load_config
    from efile_tui.core.session import NeedsLogin, resolve_connection

    journal = Journal(defer=True)  # checked now, read by the app once it is on screen
    try:
        audit = AuditLog()
        try:
            conn: Connection | None = resolve_connection(
                profile=profile, url=url, deadline=deadline, allow_http=allow_http
            )
        except NeedsLogin:
            conn = None
        settings = load_config().get_profile(profile)
        i18n.setup(settings.language if settings else None)
        defaults = {
            "platform": os.environ.get("EFILE_PLATFORM_URL")
            or (settings.platform_url if settings else DEFAULT_PLATFORM_URL),
            "user": (settings.user or "") if settings else "",
            "org": (settings.org_id or "") if settings else "",
        }

        async def attempt(request):  # type: ignore[no-untyped-def]
            from efile_tui.core.login import login_and_connect  # the keyring: on a login

            request.allow_http = request.allow_http or allow_http
            return await login_and_connect(request, profile=profile, deadline=deadline)

        ctx = None
        if conn is not None:
            if not conn.home:
                with contextlib.suppress(EfileError):  # then the shallow-path rule protects
                    _run_apart(_learn_home(conn))
            if conn.settings is None:  # EFILE_URL/EFILE_TOKEN: user@region, as a profile
                with contextlib.suppress(EfileError, TimeoutError, asyncio.TimeoutError):
                    _run_apart(_learn_region(conn))
            ctx = conn.context(conn.client(), journal, audit)
        return EfileApp(
            ctx,
            **(connection_args(conn, interval) if conn else {"interval": interval}),
            login=attempt,
            login_defaults=defaults,
            state=(journal, audit),
        )
    except BaseException:
        journal.close()
        raise


def close_app(app: EfileApp) -> None:
    """Close what ``create_app`` opened (client, journal, audit log) once the app has ended."""
    try:
        if app.ctx is not None:
            with contextlib.suppress(RuntimeError):
                _run_apart(app.ctx.client.aclose())
    finally:
        if app.local_state is not None:
            journal, audit = app.local_state
            journal.close()
            audit.close()


def launch(
    *,
    profile: str | None = None,
    url: str | None = None,
    mouse: bool = True,
    interval: float | None = None,
    glyphs: str | None = None,
    encoding: str | None = None,
    deadline: float | None = None,
    allow_http: bool = False,
) -> int:
    """Resolve the connection in the terminal, then run the TUI; returns the exit code.

    Without a usable token the TUI opens on its login form. A keyring that cannot be used
    at all is explained in the terminal instead (exit 4), as by ``efile-tui login``.
    ``glyphs`` and ``encoding`` choose the symbols and output encoding (``core.terminal``,
    with the profile's ``glyphs`` setting); a bad value raises ``ValueError``.
    """
    from efile_tui.config import load_config

    settings = load_config().get_profile(profile)
    plan = terminal.plan(
        encoding=encoding,
        glyph_choice=glyphs,
        profile_glyphs=settings.glyphs if settings else None,
    )
    terminal.apply(plan)
    app = create_app(
        profile=profile, url=url, interval=interval, deadline=deadline, allow_http=allow_http
    )
    try:
        return int(app.run(mouse=mouse) or 0)
    finally:
        close_app(app)
