"""Starlette application factory: platform + efile routes, control routes, middleware."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from efile_tui.sim import routes_efile, routes_platform
from efile_tui.sim.errors import SimError
from efile_tui.sim.faults import FaultsMiddleware
from efile_tui.sim.state import SimState
from efile_tui.sim.web import NO_AUTH, api, envelope, json_body, state_of

LOOPBACK = ("127.0.0.1", "::1", "localhost")


def _loopback_only(request: Request) -> None:
    client = request.client.host if request.client else ""
    if client not in LOOPBACK and not client.startswith("127."):
        raise SimError("911030", "control endpoints answer loopback clients only")


async def advance_clock(request: Request) -> Any:
    """``POST /_sim/clock/advance?seconds=N``: move the simulated time forward."""
    _loopback_only(request)
    try:
        seconds = float(request.query_params.get("seconds", ""))
    except ValueError:
        raise SimError("10004", "seconds must be a number") from None
    state = state_of(request)
    try:
        state.clock.advance(seconds)
    except ValueError as exc:
        raise SimError("10004", str(exc)) from None
    return {"now": state.clock.now()}


async def set_faults(request: Request) -> Any:
    """``POST /_sim/faults`` with a JSON object of Faults fields; answers the new faults."""
    _loopback_only(request)
    faults = state_of(request).config.faults
    if request.method == "POST":
        body = await json_body(request)
        if not isinstance(body, dict):
            raise SimError("10004", "body must be a JSON object")
        try:
            faults.update(body)
        except ValueError as exc:
            raise SimError("10004", str(exc)) from None
    return faults.as_dict()


async def expire_tokens(request: Request) -> Any:
    """``POST /_sim/tokens/expire``: every token issued so far becomes expired."""
    _loopback_only(request)
    return {"expired": state_of(request).tokens.expire_all()}


async def stats(request: Request) -> Any:
    """``GET /_sim/stats``: request counters, throttling and task counts."""
    _loopback_only(request)
    state = state_of(request)
    return {
        **state.snapshot(),
        "faults": state.config.faults.as_dict(),
        "now": state.clock.now(),
    }


async def reset_stats(request: Request) -> Any:
    """``POST /_sim/stats/reset``: zero the request counters."""
    _loopback_only(request)
    state_of(request).stats.reset()
    return None


async def _unknown(request: Request, exc: Exception) -> Response:
    return envelope("1001", "未知异常")


def create_app(state: SimState) -> Starlette:
    """Build the ASGI app serving ``state``; its lifespan attaches the task engine."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        state.loop = asyncio.get_running_loop()
        state.engine.attach()
        try:
            yield
        finally:
            await state.engine.detach()
            state.loop = None

    control = [
        Route("/_sim/clock/advance", api(advance_clock, NO_AUTH), methods=["POST"]),
        Route("/_sim/faults", api(set_faults, NO_AUTH), methods=["GET", "POST"]),
        Route("/_sim/tokens/expire", api(expire_tokens, NO_AUTH), methods=["POST"]),
        Route("/_sim/stats", api(stats, NO_AUTH), methods=["GET"]),
        Route("/_sim/stats/reset", api(reset_stats, NO_AUTH), methods=["POST"]),
    ]
    app = Starlette(
        routes=[*routes_platform.routes, *routes_efile.routes, *control],
        middleware=[Middleware(FaultsMiddleware, state=state)],
        exception_handlers={HTTPException: _unknown},
        lifespan=lifespan,
    )
    app.state.sim = state
    return app
