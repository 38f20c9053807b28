"""resolve_connection: where the token and URL come from; renewal and re-login."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from keyring.backends import fail

from efile_tui.api.errors import TokenExpired
from efile_tui.config import Config, Profile, save_config
from efile_tui.core.session import (
    Connection,
    NeedsLogin,
    resolve_connection,
    resolve_connection_async,
)
from efile_tui.store.keyring_backends import NoUsableKeyring
from efile_tui.store.tokens import SERVICE, RememberedLogin, TokenStore
from tests.unit.test_tokens import MemoryKeyring, SlowKeyring, keyring_sandbox, use

PLATFORM = "https://platform.test"
EFILE = "https://efile.test"
OLD, NEW, FRESH = "old-token", "new-token", "fresh-token"


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    with keyring_sandbox(tmp_path, monkeypatch) as path:
        yield path


@pytest.fixture
def memory() -> MemoryKeyring:
    backend = MemoryKeyring()
    use(backend)
    return backend


def config(**overrides: object) -> Config:
    cfg = Config()
    profile = Profile(
        name="default",
        platform_url=PLATFORM,
        user="demo",
        org_id="demo-org",
        region_id="11112",
        region_name="simulated-region",
        efile_url=EFILE,
        home_path="/public/home/demo",
    )
    for key, value in overrides.items():
        setattr(profile, key, value)
    cfg.set_profile(profile)
    return cfg


def envelope(data: object = None, code: str = "0") -> httpx.Response:
    return httpx.Response(200, json={"code": code, "msg": "x", "data": data})


class Service:
    """Fake platform + efile: the listing answers 10008 until the token is the new one."""

    def __init__(self, *, renew_code: str = "0", valid: tuple[str, ...] = (NEW,)) -> None:
        self.renew_code = renew_code
        self.valid = valid
        self.seen: list[tuple[str, str | None]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        token = request.headers.get("token")
        self.seen.append((path, token))
        if path == "/ac/openapi/v2/tokens/next":
            if self.renew_code != "0":
                return envelope(code=self.renew_code)
            return envelope(
                [
                    {"clusterId": "0", "clusterName": "ac", "token": "platform"},
                    {"clusterId": "11112", "clusterName": "simulated-region", "token": NEW},
                ]
            )
        if path == "/ac/openapi/v2/tokens":
            assert request.headers["password"] == "pw"
            return envelope([{"clusterId": "11112", "clusterName": "r", "token": FRESH}])
        if path.endswith("/file/list"):
            if token not in self.valid:
                return envelope(code="10008")
            return envelope({"path": "/public/home/demo", "total": 0, "fileList": []})
        raise AssertionError(f"unexpected {path}")

    def paths(self, suffix: str) -> list[str | None]:
        return [token for path, token in self.seen if path.endswith(suffix)]

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)


async def list_home(conn: Connection, service: Service) -> None:
    async with conn.client(transport=service.transport) as client:
        await client.list_dir("/public/home/demo")


# -- where things come from ----------------------------------------------------------------


def test_efile_token_wins(memory: MemoryKeyring) -> None:
    TokenStore().set("default", "stored")
    env = {"EFILE_TOKEN": "from-env", "EFILE_URL": "https://x"}
    conn = resolve_connection(env=env, config=config())
    assert conn.token == "from-env"
    assert conn.token_source == "EFILE_TOKEN"
    assert conn.efile_url == "https://x"


def test_env_only_without_config(memory: MemoryKeyring) -> None:
    env = {"EFILE_TOKEN": "t", "EFILE_URL": "https://x", "EFILE_HOME": "/h"}
    conn = resolve_connection(env=env, config=Config())
    assert (conn.token, conn.efile_url, conn.home, conn.renew) == ("t", "https://x", "/h", None)
    assert memory.calls == []


def test_token_from_keyring_and_profile(memory: MemoryKeyring) -> None:
    TokenStore().set("default", OLD)
    conn = resolve_connection(env={}, config=config())
    assert conn.token == OLD
    assert conn.token_source == "keyring (MemoryKeyring)"
    assert conn.efile_url == EFILE
    assert conn.home == "/public/home/demo"
    assert conn.label == "demo@simulated-region"
    assert conn.profile == "default"
    assert conn.renew is not None
    assert OLD not in repr(conn)


def test_url_and_home_overrides(memory: MemoryKeyring) -> None:
    TokenStore().set("default", OLD)
    conn = resolve_connection(url="https://arg", env={"EFILE_HOME": "/h"}, config=config())
    assert conn.efile_url == "https://arg"
    assert conn.home == "/h"
    assert conn.renew is None  # the profile's platform is not for this URL


def test_named_profile(memory: MemoryKeyring) -> None:
    cfg = config()
    cfg.set_profile(Profile(name="work", efile_url="https://work", platform_url=PLATFORM))
    TokenStore().set("work", "work-token")
    conn = resolve_connection(profile="work", env={}, config=cfg)
    assert (conn.token, conn.efile_url, conn.profile) == ("work-token", "https://work", "work")
    with pytest.raises(NeedsLogin, match="--profile nope"):
        resolve_connection(profile="nope", env={}, config=cfg)


def test_reads_the_saved_config(memory: MemoryKeyring) -> None:
    save_config(config())
    TokenStore().set("default", OLD)
    assert resolve_connection(env={}).efile_url == EFILE


def test_nothing_configured_needs_login(memory: MemoryKeyring) -> None:
    with pytest.raises(NeedsLogin, match="efile-tui login"):
        resolve_connection(env={}, config=Config())


def test_no_stored_token_needs_login(memory: MemoryKeyring) -> None:
    with pytest.raises(NeedsLogin) as caught:
        resolve_connection(env={}, config=config())
    assert "keyring (MemoryKeyring)" in str(caught.value)


def test_no_keyring_explains(isolated: Path) -> None:
    use(fail.Keyring())
    with pytest.raises(NoUsableKeyring):
        resolve_connection(env={}, config=config())


def test_file_store_profile(isolated: Path) -> None:
    use(fail.Keyring())
    cfg = config(token_store="file")
    TokenStore("file").set("default", OLD)
    conn = resolve_connection(env={}, config=cfg)
    assert conn.token == OLD
    assert conn.token_source.startswith("file ") and conn.token_source.endswith("(plain text)")


async def test_async_resolution_does_not_block_the_loop(isolated: Path) -> None:
    slow = SlowKeyring()
    use(slow)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    task = asyncio.create_task(ticker())
    started = time.monotonic()
    try:
        with pytest.raises(NoUsableKeyring, match="did not answer"):
            await resolve_connection_async(env={}, config=config(), store=TokenStore(timeout=0.3))
    finally:
        slow.release.set()
        task.cancel()
    assert time.monotonic() - started < 2
    assert ticks >= 10  # the loop kept running while the keyring hung


# -- renewal -------------------------------------------------------------------------------


async def test_renewal_retries_once_and_stores_the_new_token(memory: MemoryKeyring) -> None:
    TokenStore().set("default", OLD)
    service = Service()
    conn = resolve_connection(env={}, config=config(), transport=service.transport)
    await list_home(conn, service)
    assert service.paths("/file/list") == [OLD, NEW]
    assert service.paths("/tokens/next") == [OLD]
    assert conn.token == NEW
    assert memory.items[(SERVICE, "default")] == NEW


async def test_renewal_of_env_token_is_not_stored(memory: MemoryKeyring) -> None:
    TokenStore().set("default", "stored")
    service = Service()
    env = {"EFILE_TOKEN": OLD}
    conn = resolve_connection(env=env, config=config(), transport=service.transport)
    await list_home(conn, service)
    assert conn.token == NEW
    assert memory.items[(SERVICE, "default")] == "stored"


async def test_renewal_into_the_file_store(isolated: Path) -> None:
    use(fail.Keyring())
    TokenStore("file").set("default", OLD)
    service = Service()
    conn = resolve_connection(
        env={}, config=config(token_store="file"), transport=service.transport
    )
    await list_home(conn, service)
    assert TokenStore("file").get("default")[0] == NEW


async def test_renewal_impossible_surfaces_token_expired(memory: MemoryKeyring) -> None:
    TokenStore().set("default", OLD)
    service = Service(renew_code="10008")
    conn = resolve_connection(env={}, config=config(), transport=service.transport)
    with pytest.raises(TokenExpired):
        await list_home(conn, service)
    assert service.paths("/file/list") == [OLD]
    assert memory.items[(SERVICE, "default")] == OLD
    assert conn.renew is not None and await conn.renew() is None


async def test_no_platform_means_no_renewal(memory: MemoryKeyring) -> None:
    service = Service()
    conn = resolve_connection(env={"EFILE_TOKEN": OLD, "EFILE_URL": EFILE}, config=Config())
    assert conn.renew is None
    with pytest.raises(TokenExpired):
        await list_home(conn, service)


async def test_concurrent_expiries_renew_once(memory: MemoryKeyring) -> None:
    TokenStore().set("default", OLD)
    service = Service()
    conn = resolve_connection(env={}, config=config(), transport=service.transport)
    async with conn.client(transport=service.transport) as client:
        await asyncio.gather(*(client.list_dir("/public/home/demo") for _ in range(3)))
    assert service.paths("/tokens/next") == [OLD]


async def test_relogin_with_remembered_password(memory: MemoryKeyring) -> None:
    store = TokenStore()
    store.set("default", OLD)
    store.remember("default", RememberedLogin("password", "demo", "pw", "demo-org"))
    service = Service(renew_code="10008", valid=(FRESH,))
    conn = resolve_connection(env={}, config=config(auto_relogin=True), transport=service.transport)
    await list_home(conn, service)
    assert service.paths("/file/list") == [OLD, FRESH]
    assert memory.items[(SERVICE, "default")] == FRESH
    stored = json.loads(memory.items[(SERVICE, "default:login")])
    assert stored["secret"] == "pw"  # only ever in the keyring


async def test_no_relogin_unless_opted_in(memory: MemoryKeyring) -> None:
    store = TokenStore()
    store.set("default", OLD)
    store.remember("default", RememberedLogin("password", "demo", "pw", "demo-org"))
    service = Service(renew_code="10008", valid=(FRESH,))
    conn = resolve_connection(env={}, config=config(), transport=service.transport)
    with pytest.raises(TokenExpired):
        await list_home(conn, service)
    assert service.paths("/ac/openapi/v2/tokens") == []
