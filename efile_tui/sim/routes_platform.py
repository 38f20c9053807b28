"""Platform ("ac") routes: login, AK/SK login, renewal, token state, center, user."""

from __future__ import annotations

import hmac
from typing import Any

from starlette.requests import Request
from starlette.routing import Route

from efile_tui.sim.errors import SimError
from efile_tui.sim.tokens import aksk_signature
from efile_tui.sim.web import ANY_TOKEN, NO_AUTH, api, state_of

TIMESTAMP_SKEW = 300  # seconds an AK/SK timestamp may differ from the server clock


def _headers(request: Request, *names: str) -> list[str]:
    values = [request.headers.get(name, "") for name in names]
    missing = [n for n, v in zip(names, values, strict=True) if not v]
    if missing:
        raise SimError("10003", f"缺少请求头: {', '.join(missing)}")
    return values


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


async def login(request: Request) -> Any:
    """``POST /ac/openapi/v2/tokens`` with headers user, password, orgId."""
    state = state_of(request)
    cfg = state.config
    user, password, org_id = _headers(request, "user", "password", "orgId")
    ok = _same(user, cfg.user) & _same(password, cfg.password) & _same(org_id, cfg.org_id)
    if not ok:
        raise SimError("10009", "用户名、密码或机构ID验证失败")
    return state.tokens.login_entries()


async def login_aksk(request: Request) -> Any:
    """``POST /api/user/v3/tokens`` with headers user, accessKey, timestamp, signature."""
    state = state_of(request)
    cfg = state.config
    user, access_key, timestamp, signature = _headers(
        request, "user", "accessKey", "timestamp", "signature"
    )
    try:
        stamp = int(timestamp)
    except ValueError:
        raise SimError("10004", "timestamp必须是Unix秒") from None
    if abs(state.clock.now() - stamp) > TIMESTAMP_SKEW:
        raise SimError("10004", "timestamp已过期")
    if user != cfg.user:
        raise SimError("10009", "用户不存在")
    expected = aksk_signature(cfg.secret_key, cfg.access_key, timestamp, user)
    if not (_same(access_key, cfg.access_key) and _same(signature.lower(), expected)):
        raise SimError("10009", "AK/SK签名校验失败")
    return state.tokens.login_entries()


async def renew(request: Request) -> Any:
    """``POST /ac/openapi/v2/tokens/next``: new tokens while expired for less than 24 h."""
    return state_of(request).tokens.renew(request.headers.get("token"))


async def token_state(request: Request) -> Any:
    """``GET /ac/openapi/v2/tokens/state``."""
    return "token is valid"


async def center(request: Request) -> Any:
    """``GET /ac/openapi/v2/center``: region info with the efile URLs of this server."""
    cfg = state_of(request).config
    host = request.headers.get("host") or f"{request.url.hostname}:{request.url.port}"
    base = f"{request.url.scheme}://{host}"
    try:
        region_id: int | str = int(cfg.region_id)
    except ValueError:
        region_id = cfg.region_id
    return {
        "id": region_id,
        "name": cfg.region_name,
        "description": "efile simulator region",
        "clusterUserInfo": {"userName": cfg.user, "homePath": cfg.home},
        "efileUrls": [
            {"nodeName": "n0", "enable": "false", "url": "http://127.0.0.1:1"},
            {
                "nodeName": "n1",
                "enable": "true",
                "fastTransEnable": "false",
                "udpPort": "",
                "version": "v2",
                "url": f"{base}/efile",
            },
        ],
        "hpcUrls": [],
        "ingressUrls": [],
        "eshellUrls": [],
        "aiUrls": [],
    }


async def user_info(request: Request) -> Any:
    """``GET /ac/openapi/v2/user``: basic account information."""
    cfg = state_of(request).config
    return {
        "userName": cfg.user,
        "fullName": cfg.user,
        "accountName": cfg.user,
        "accountStatus": "Normal",
        "accountBalance": "100.00",
        "country": "CN",
        "timeZone": "Asia/Shanghai",
        "language": "zh_CN",
        "address": "",
        "computerCenter": cfg.region_name,
    }


routes = [
    Route("/ac/openapi/v2/tokens", api(login, NO_AUTH), methods=["POST"]),
    Route("/api/user/v3/tokens", api(login_aksk, NO_AUTH), methods=["POST"]),
    Route("/ac/openapi/v2/tokens/next", api(renew, NO_AUTH), methods=["POST"]),
    Route("/ac/openapi/v2/tokens/state", api(token_state, ANY_TOKEN), methods=["GET"]),
    Route("/ac/openapi/v2/center", api(center), methods=["GET"]),
    Route("/ac/openapi/v2/user", api(user_info, ANY_TOKEN), methods=["GET"]),
]
