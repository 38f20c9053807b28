"""The SCNet platform ("ac") API: tokens, renewal, token state and region discovery."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from efile_tui.api.client import normalise_efile_url
from efile_tui.api.errors import BadResponse
from efile_tui.api.http import DEFAULT_DEADLINE, ApiTransport, RetryPolicy
from efile_tui.api.models import Region, RegionToken, as_bool
from efile_tui.i18n import N_, Msg

if TYPE_CHECKING:
    import httpx

DEFAULT_PLATFORM_URL = "https://www.scnet.cn"
TOKENS = "/ac/openapi/v2/tokens"
AKSK_TOKENS = "/api/user/v3/tokens"


def aksk_signature(user: str, access_key: str, timestamp: str, secret_key: str) -> str:
    """HMAC-SHA256 (hex) of the compact, key-sorted JSON of accessKey, timestamp and user."""
    message = json.dumps(
        {"accessKey": access_key, "timestamp": timestamp, "user": user},
        separators=(",", ":"),
        sort_keys=True,
    )
    return hmac.new(secret_key.encode(), message.encode(), hashlib.sha256).hexdigest()


def token_claims(token: str) -> dict[str, object]:
    """The JWT payload's claims (``user``, ``clusterId``, ``expireTime`` …), or ``{}``.

    The signature is not checked: this only says whose token it is and when it runs out.
    """
    parts = token.split(".")
    if len(parts) != 3:
        return {}
    try:
        padded = parts[1] + "=" * (-len(parts[1]) % 4)
        claims = json.loads(base64.urlsafe_b64decode(padded))
    except (ValueError, TypeError):
        return {}
    return claims if isinstance(claims, dict) else {}


def token_expiry(token: str) -> float | None:
    """Epoch seconds from the JWT ``expireTime`` claim (milliseconds), if readable."""
    value = token_claims(token).get("expireTime")
    try:
        return float(value) / 1000.0 if isinstance(value, (int, float, str)) else None
    except ValueError:
        return None


def parse_region_tokens(data: object) -> list[RegionToken]:
    """Parse the per-region token array returned by the login and renewal endpoints."""
    if isinstance(data, Mapping):
        data = data.get("data") or data.get("tokens") or [data]
    if not isinstance(data, list):
        raise BadResponse(Msg(N_("the token answer is not a list of regions")))
    tokens = []
    for raw in data:
        if isinstance(raw, Mapping):
            tokens.append(
                RegionToken(
                    cluster_id=str(raw.get("clusterId") or ""),
                    cluster_name=str(raw.get("clusterName") or ""),
                    token=(str(raw["token"]) if raw.get("token") else None),
                )
            )
    return tokens


def parse_region(data: object) -> Region:
    """Parse ``/center`` data: pick the first enabled efile URL and normalise it."""
    if not isinstance(data, Mapping):
        raise BadResponse(Msg(N_("the region answer is not an object")))
    urls = []
    for raw in data.get("efileUrls") or []:
        if isinstance(raw, Mapping) and raw.get("url") and as_bool(raw.get("enable"), True):
            urls.append(normalise_efile_url(str(raw["url"])))
    user = data.get("clusterUserInfo")
    user = user if isinstance(user, Mapping) else {}
    return Region(
        id=str(data.get("id") or ""),
        name=str(data.get("name") or ""),
        user_name=(str(user["userName"]) if user.get("userName") else None),
        home_path=(str(user["homePath"]) if user.get("homePath") else None),
        efile_url=urls[0] if urls else None,
        efile_urls=tuple(urls),
    )


class PlatformClient:
    """Async client for the platform endpoints (one connection pool)."""

    def __init__(
        self,
        base_url: str = DEFAULT_PLATFORM_URL,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout | float | None = None,
        retry: RetryPolicy | None = None,
        deadline: float = DEFAULT_DEADLINE,
        allow_http: bool = False,
    ) -> None:
        self.http = ApiTransport(
            base_url,
            None,
            transport=transport,
            timeout=timeout,
            retry=retry,
            deadline=deadline,
            allow_http=allow_http,
        )

    def __repr__(self) -> str:
        return f"PlatformClient({self.http.base_url!r})"

    async def __aenter__(self) -> PlatformClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self.http.aclose()

    async def login_password(self, user: str, password: str, org_id: str) -> list[RegionToken]:
        """``POST /ac/openapi/v2/tokens`` with user, password and orgId headers."""
        data = await self.http.call(
            "POST",
            TOKENS,
            headers={"user": user, "password": password, "orgId": org_id},
            idempotent=True,
            authenticated=False,
            context=Msg(N_("login")),
        )
        return parse_region_tokens(data)

    async def login_aksk(
        self, user: str, access_key: str, secret_key: str, *, now: float | None = None
    ) -> list[RegionToken]:
        """``POST /api/user/v3/tokens`` signed with the access key pair."""
        timestamp = str(int(time.time() if now is None else now))
        headers = {
            "user": user,
            "accessKey": access_key,
            "timestamp": timestamp,
            "signature": aksk_signature(user, access_key, timestamp, secret_key),
        }
        data = await self.http.call(
            "POST",
            AKSK_TOKENS,
            headers=headers,
            idempotent=True,
            authenticated=False,
            context=Msg(N_("login with access key")),
        )
        return parse_region_tokens(data)

    async def renew(self, token: str, cluster_id: str | None = None) -> str:
        """``POST tokens/next``: a fresh token for the same region.

        The answer may be a bare token string or the per-region array; with the array, the
        entry for ``cluster_id`` (else the first regional one) is taken.
        """
        data = await self.http.call(
            "POST",
            f"{TOKENS}/next",
            headers={"token": token},
            idempotent=True,  # a second renewal only issues another token: safe to re-send
            authenticated=False,
            context=Msg(N_("token renewal")),
        )
        if isinstance(data, str) and data:
            return data
        if isinstance(data, Mapping) and isinstance(data.get("token"), str):
            return str(data["token"])
        return pick_region_token(parse_region_tokens(data), cluster_id)

    async def token_state(self, token: str) -> bool:
        """``GET tokens/state``: True when the service calls the token valid."""
        await self.http.call(
            "GET",
            f"{TOKENS}/state",
            headers={"token": token},
            idempotent=True,
            authenticated=False,
            context=Msg(N_("token state")),
        )
        return True

    async def center(self, token: str) -> Region:
        """``GET /ac/openapi/v2/center`` with a regional token: where its efile lives."""
        data: Any = await self.http.call(
            "GET",
            "/ac/openapi/v2/center",
            headers={"token": token},
            idempotent=True,
            authenticated=False,
            context=Msg(N_("region info")),
        )
        return parse_region(data)


def pick_region_token(tokens: Sequence[RegionToken], wanted: str | None = None) -> str:
    """The token of region ``wanted`` (id or name), else of the only regional entry."""
    regional = [t for t in tokens if not t.is_platform and t.token]
    if wanted:
        for t in regional:
            if wanted in (t.cluster_id, t.cluster_name):
                return t.token or ""
    if regional:
        return regional[0].token or ""
    raise BadResponse(Msg(N_("the service returned no usable regional token")))
