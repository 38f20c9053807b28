"""JWT-shaped tokens (HS256) issued and verified by the simulator.

A token is ``base64url(header).base64url(payload).base64url(signature)`` signed with a
per-server secret. The server also remembers every token it issued (by ``jti``) so it can
expire them all on request; a token it did not issue is refused with 911406.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
from dataclasses import dataclass
from typing import Any

from efile_tui.sim.clock import SimClock
from efile_tui.sim.config import SimConfig
from efile_tui.sim.errors import SimError

PLATFORM_CLUSTER = "0"
RENEW_GRACE = 86400.0  # an expired token may still be renewed for this long


@dataclass
class TokenRecord:
    """Server-side state of one issued token."""

    cluster_id: str
    expires_at: float  # epoch seconds by the sim clock


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenAuthority:
    """Issue, verify, renew and expire tokens for one simulated user."""

    def __init__(self, config: SimConfig, clock: SimClock, secret: bytes | None = None) -> None:
        self._config = config
        self._clock = clock
        self._secret = secret if secret is not None else secrets.token_bytes(32)
        self._lock = threading.Lock()  # tests issue tokens from their own thread
        self._issued: dict[str, TokenRecord] = {}
        self._fixed: dict[str, TokenRecord] = {}
        if config.token:
            expires = clock.now() + config.token_ttl
            self._fixed[config.token] = TokenRecord(config.region_id, expires)

    def issue(self, cluster_id: str) -> str:
        """Issue a new token for ``cluster_id`` ("0" is the platform) and remember it."""
        cfg = self._config
        jti = secrets.token_hex(16)
        expires = self._clock.now() + cfg.token_ttl
        header = {"alg": "HS256", "typ": "JWT"}
        payload = {
            "computeUser": cfg.user,
            "accountStatus": "Normal",
            "creator": "ac",
            "role": "1",
            "expireTime": str(int(expires * 1000)),
            "clusterId": cluster_id,
            "invoker": "openapi",
            "user": cfg.user,
            "userId": cfg.user_id,
            "jti": jti,
        }
        signing_input = _b64(_json(header)) + "." + _b64(_json(payload))
        signature = hmac.new(self._secret, signing_input.encode("ascii"), hashlib.sha256)
        with self._lock:
            self._issued[jti] = TokenRecord(cluster_id, expires)
        return signing_input + "." + _b64(signature.digest())

    def login_entries(self) -> list[dict[str, Any]]:
        """Return the per-region array answered by the login endpoints (fresh tokens)."""
        cfg = self._config
        return [
            {"clusterId": PLATFORM_CLUSTER, "clusterName": "ac", "token": self.issue("0")},
            {
                "clusterId": cfg.region_id,
                "clusterName": cfg.region_name,
                "token": self.issue(cfg.region_id),
            },
        ]

    def lookup(self, token: str | None) -> TokenRecord:
        """Return the record of a token this server issued; raise 911406 otherwise."""
        if not token:
            raise SimError("911406")
        fixed = self._fixed.get(token)
        if fixed is not None:
            return fixed
        parts = token.split(".")
        if len(parts) != 3:
            raise SimError("911406")
        signing_input = (parts[0] + "." + parts[1]).encode("ascii", "replace")
        expected = _b64(hmac.new(self._secret, signing_input, hashlib.sha256).digest())
        if not hmac.compare_digest(expected, parts[2]):
            raise SimError("911406")
        try:
            payload = json.loads(_unb64(parts[1]))
            with self._lock:
                record = self._issued.get(str(payload["jti"]))
        except (ValueError, KeyError, TypeError):
            record = None
        if record is None:
            raise SimError("911406")
        return record

    def verify(self, token: str | None, *, grace: float = 0.0) -> TokenRecord:
        """Return the record of a valid token; 911406 if unknown, 10008 if expired.

        ``grace`` seconds of expiry are tolerated (used by renewal).
        """
        record = self.lookup(token)
        if self._clock.now() >= record.expires_at + grace:
            raise SimError("10008")
        return record

    def renew(self, token: str | None) -> list[dict[str, Any]]:
        """Renew a token expired for less than 24 h; answer the login-shaped array."""
        self.verify(token, grace=RENEW_GRACE)
        return self.login_entries()

    def expire_all(self) -> int:
        """Make every token issued so far (and the fixed one) expired now; return the count."""
        now = self._clock.now()
        with self._lock:
            records = [*self._issued.values(), *self._fixed.values()]
        for record in records:
            record.expires_at = min(record.expires_at, now)
        return len(records)


def _json(obj: dict[str, Any]) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode("utf-8")


def aksk_signature(secret_key: str, access_key: str, timestamp: str, user: str) -> str:
    """Return the lowercase hex HMAC-SHA256 signature expected by ``/api/user/v3/tokens``."""
    message = json.dumps(
        {"accessKey": access_key, "timestamp": timestamp, "user": user},
        sort_keys=True,
        separators=(",", ":"),
    )
    return hmac.new(secret_key.encode(), message.encode(), hashlib.sha256).hexdigest()
