"""Token issue, verification, expiry, renewal and the AK/SK signature."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from efile_tui.sim.clock import SimClock
from efile_tui.sim.config import SimConfig
from efile_tui.sim.errors import SimError
from efile_tui.sim.tokens import TokenAuthority, aksk_signature

T0 = 1_750_000_000.0


def make(tmp_path: Path, **kw: object) -> tuple[TokenAuthority, SimClock]:
    clock = SimClock(frozen_at=T0)
    config = SimConfig(root=tmp_path, token_ttl=3600, **kw)  # type: ignore[arg-type]
    return TokenAuthority(config, clock), clock


def payload(token: str) -> dict[str, str]:
    part = token.split(".")[1]
    data: dict[str, str] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return data


def code_of(authority: TokenAuthority, token: str | None, **kw: float) -> str:
    with pytest.raises(SimError) as info:
        authority.verify(token, **kw)
    return info.value.code


def test_issued_token_is_jwt_shaped(tmp_path: Path) -> None:
    auth, _ = make(tmp_path)
    token = auth.issue("11112")
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert header["alg"] == "HS256"
    claims = payload(token)
    assert claims["user"] == "demo"
    assert claims["clusterId"] == "11112"
    assert claims["creator"] == "ac"
    assert claims["expireTime"] == str(int((T0 + 3600) * 1000))
    assert {"userId", "computeUser", "jti"} <= claims.keys()
    assert auth.verify(token).cluster_id == "11112"


def test_unknown_tampered_and_missing_tokens(tmp_path: Path) -> None:
    auth, _ = make(tmp_path)
    other, _ = make(tmp_path)
    token = auth.issue("11112")
    head, body, sig = token.split(".")
    assert code_of(auth, None) == "911406"
    assert code_of(auth, "") == "911406"
    assert code_of(auth, "not-a-token") == "911406"
    assert code_of(auth, f"{head}.{body}.{sig[:-2]}AA") == "911406"
    assert code_of(auth, other.issue("11112")) == "911406"  # another server's secret


def test_expiry_and_renewal_window(tmp_path: Path) -> None:
    auth, clock = make(tmp_path)
    token = auth.issue("11112")
    clock.advance(3599)
    auth.verify(token)
    clock.advance(1)
    assert code_of(auth, token) == "10008"
    entries = auth.renew(token)  # expired for < 24 h: renewable
    assert [e["clusterId"] for e in entries] == ["0", "11112"]
    auth.verify(entries[1]["token"])
    clock.advance(86400)
    with pytest.raises(SimError) as info:
        auth.renew(token)
    assert info.value.code == "10008"


def test_fixed_token_and_expire_all(tmp_path: Path) -> None:
    auth, _ = make(tmp_path, token="fixed-token")
    issued = auth.issue("11112")
    assert auth.verify("fixed-token").cluster_id == "11112"
    assert auth.expire_all() == 2
    assert code_of(auth, "fixed-token") == "10008"
    assert code_of(auth, issued) == "10008"
    fresh = auth.renew(issued)[1]["token"]
    auth.verify(fresh)


def test_aksk_signature_matches_documented_recipe() -> None:
    import hashlib
    import hmac

    msg = '{"accessKey":"ak","timestamp":"1700000000","user":"u"}'
    expected = hmac.new(b"sk", msg.encode(), hashlib.sha256).hexdigest()
    assert aksk_signature("sk", "ak", "1700000000", "u") == expected
