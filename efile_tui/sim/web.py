"""Helpers shared by the simulator's routes: envelope, token check, JSON body parsing."""

from __future__ import annotations

import json
import logging
import urllib.parse
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response

from efile_tui.sim.errors import SimError
from efile_tui.sim.state import SimState
from efile_tui.sim.tokens import PLATFORM_CLUSTER, TokenRecord

log = logging.getLogger(__name__)

Handler = Callable[[Request], Awaitable[Any]]
Endpoint = Callable[[Request], Awaitable[Response]]

NO_AUTH = "none"
ANY_TOKEN = "any"
REGIONAL = "regional"  # platform routes needing a regional token (center)
EFILE = "efile"  # efile routes: regional token only


def envelope(code: str, msg: str, data: Any = None) -> JSONResponse:
    """Answer HTTP 200 with the service envelope ``{"code", "msg", "data"}``."""
    return JSONResponse({"code": code, "msg": msg, "data": data})


def state_of(request: Request) -> SimState:
    """Return the simulator state attached to the application."""
    state: SimState = request.app.state.sim
    return state


def check_token(request: Request, scope: str) -> TokenRecord:
    """Verify the ``token`` header; regional and efile routes refuse the platform token."""
    record = state_of(request).tokens.verify(request.headers.get("token"))
    if record.cluster_id == PLATFORM_CLUSTER:
        if scope == REGIONAL:  # observed on the real /center
            raise SimError("10001", "internal_error")
        if scope == EFILE:
            raise SimError("911406")
    return record


def api(handler: Handler, auth: str = REGIONAL) -> Endpoint:
    """Wrap a handler returning ``data`` into an endpoint answering the envelope."""

    async def endpoint(request: Request) -> Response:
        try:
            if auth != NO_AUTH:
                check_token(request, auth)
            data = await handler(request)
        except SimError as exc:
            return envelope(exc.code, exc.msg)
        except ClientDisconnect:  # the client gave up (cancelled poll, exit): nobody to answer
            return Response(status_code=499)
        except Exception as exc:  # answer like the service does, keep the server alive
            log.exception("simulator handler failed")
            return envelope("10001", f"内部异常: {exc}")
        return envelope("0", "success", data)

    return endpoint


async def json_body(request: Request) -> Any:
    """Parse the JSON body: empty → 10003, not JSON → 10004."""
    raw = await request.body()
    if not raw.strip():
        raise SimError("10003", "请求体不能为空")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise SimError("10004", "请求体不是合法的JSON") from None


async def params_of(request: Request) -> dict[str, str]:
    """Query parameters, plus fields of a url-encoded form body (lenient like the service)."""
    params = dict(request.query_params)
    ctype = request.headers.get("content-type", "")
    if ctype.startswith("application/x-www-form-urlencoded"):
        body = (await request.body()).decode("utf-8", "replace")
        for key, value in urllib.parse.parse_qsl(body, keep_blank_values=True):
            params.setdefault(key, value)
    return params


async def task_ids(request: Request, limit: int = 500) -> list[str]:
    """Read ``{"taskIds": [...]}``; missing → 10003, wrong type or > ``limit`` → 10004."""
    body = await json_body(request)
    if not isinstance(body, dict):
        raise SimError("10004", "请求体必须是JSON对象")
    ids = body.get("taskIds")
    if ids is None:
        raise SimError("10003", "taskIds不能为空")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise SimError("10004", "taskIds必须是字符串数组")
    if len(ids) > limit:
        raise SimError("10004", f"taskIds最多{limit}个")
    return ids
