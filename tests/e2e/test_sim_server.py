"""The simulator over a real loopback socket, driven with httpx."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from efile_tui.sim.config import Faults, SimConfig
from efile_tui.sim.server import SimServer
from efile_tui.sim.tokens import aksk_signature

HOME = "/public/home/demo"
FILE_API = "/efile/openapi/v2/file"


def wait_for(predicate: Callable[[], Any], timeout: float = 10.0) -> Any:
    """Poll ``predicate`` until it returns something truthy, or fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.02)


def make_files(base: Path, count: int) -> None:
    base.mkdir(parents=True)
    for n in range(count):
        (base / f"f{n:04d}.txt").write_text(f"file {n}\n")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimServer]:
    root = tmp_path_factory.mktemp("simroot")
    with SimServer(SimConfig(root=root, files_per_second=2000)) as srv:
        yield srv


@pytest.fixture(autouse=True)
def clean_faults(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "server" in request.fixturenames:
        srv: SimServer = request.getfixturevalue("server")
        srv.config.faults.update(Faults().as_dict())
        srv.config.files_per_second = 2000


@pytest.fixture
def client(server: SimServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, headers={"token": server.token}, timeout=10) as c:
        yield c


def call(client: httpx.Client, method: str, path: str, **kw: Any) -> dict[str, Any]:
    response = client.request(method, path, **kw)
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    assert isinstance(body["code"], str)
    return body


def ok(client: httpx.Client, method: str, path: str, **kw: Any) -> Any:
    body = call(client, method, path, **kw)
    assert body["code"] == "0", body
    assert body["msg"] == "success"
    return body["data"]


def tasks(client: httpx.Client, ids: list[str]) -> list[dict[str, Any]]:
    return ok(client, "POST", f"{FILE_API}/task/list", json={"taskIds": ids})


def task_status(client: httpx.Client, task_id: str) -> str:
    return tasks(client, [task_id])[0]["status"]


# ---- platform ------------------------------------------------------------------------------


def test_password_login_and_center(server: SimServer) -> None:
    with httpx.Client(base_url=server.url) as c:
        creds = {"user": "demo", "password": "demo-password", "orgId": "demo-org"}
        data = ok(c, "POST", "/ac/openapi/v2/tokens", headers=creds)
        assert [(e["clusterId"], e["clusterName"]) for e in data] == [
            ("0", "ac"),
            ("11112", "simulated-region"),
        ]
        platform, regional = data[0]["token"], data[1]["token"]
        bad = call(c, "POST", "/ac/openapi/v2/tokens", headers={**creds, "password": "x"})
        assert bad["code"] == "10009"
        assert call(c, "POST", "/ac/openapi/v2/tokens", headers={"user": "demo"})["code"] == (
            "10003"
        )
        center = ok(c, "GET", "/ac/openapi/v2/center", headers={"token": regional})
        assert center["clusterUserInfo"]["homePath"] == HOME
        enabled = [u for u in center["efileUrls"] if u["enable"] == "true"]
        assert enabled[0]["url"] == server.url + "/efile"
        assert center["efileUrls"][0]["enable"] == "false"
        assert call(c, "GET", "/ac/openapi/v2/center", headers={"token": platform})["code"] == (
            "10001"
        )
        assert call(c, "GET", f"{FILE_API}/list", headers={"token": platform})["code"] == ("911406")
        state = ok(c, "GET", "/ac/openapi/v2/tokens/state", headers={"token": platform})
        assert state == "token is valid"
        ok(c, "GET", f"{FILE_API}/list", headers={"token": regional})


def test_aksk_login(server: SimServer) -> None:
    stamp = str(int(server.clock.now()))
    headers = {
        "user": "demo",
        "accessKey": "demo-ak",
        "timestamp": stamp,
        "signature": aksk_signature("demo-sk", "demo-ak", stamp, "demo"),
    }
    with httpx.Client(base_url=server.url) as c:
        data = ok(c, "POST", "/api/user/v3/tokens", headers=headers)
        assert data[1]["clusterId"] == "11112"
        bad = call(c, "POST", "/api/user/v3/tokens", headers={**headers, "signature": "0" * 64})
        assert (bad["code"], bad["msg"]) == ("10009", "AK/SK签名校验失败")
        old = str(int(stamp) - 301)
        stale = {
            **headers,
            "timestamp": old,
            "signature": aksk_signature("demo-sk", "demo-ak", old, "demo"),
        }
        assert call(c, "POST", "/api/user/v3/tokens", headers=stale)["code"] == "10004"


def test_missing_or_unknown_token_and_unknown_route(client: httpx.Client) -> None:
    assert call(client, "GET", f"{FILE_API}/list", headers={"token": ""})["code"] == "911406"
    assert call(client, "GET", f"{FILE_API}/list", headers={"token": "abc"})["code"] == "911406"
    assert call(client, "GET", "/efile/openapi/v2/file/nope")["code"] == "1001"
    assert call(client, "GET", f"{FILE_API}/async-remove")["code"] == "1001"  # wrong method


# ---- files ---------------------------------------------------------------------------------


def test_list_and_mkdir(server: SimServer, client: httpx.Client) -> None:
    base = f"{HOME}/mk"
    assert ok(client, "POST", f"{FILE_API}/mkdir", params={"path": base}) == ""
    exists = call(client, "POST", f"{FILE_API}/mkdir", params={"path": base})
    assert exists["code"] == "911021"
    deep = f"{base}/a/b/c"
    assert call(client, "POST", f"{FILE_API}/mkdir", params={"path": deep})["code"] == "911020"
    ok(client, "POST", f"{FILE_API}/mkdir", params={"path": deep, "createParents": "true"})
    outside = call(client, "POST", f"{FILE_API}/mkdir", params={"path": "/tmp/x"})
    assert outside["code"] == "911030"
    as_form = call(client, "POST", f"{FILE_API}/mkdir", data={"path": f"{base}/form"})
    assert as_form["code"] == "0" and (server.config.root / "mk" / "form").is_dir()
    assert call(client, "POST", f"{FILE_API}/mkdir")["code"] == "10003"
    (server.config.root / "mk" / "form").rmdir()
    data = ok(client, "GET", f"{FILE_API}/list", params={"path": base})
    assert data["total"] == 1 and data["fileList"][0]["name"] == "a"
    assert data["children"] == [{"id": f"{base}/a", "label": "a", "path": f"{base}/a"}]
    assert call(client, "GET", f"{FILE_API}/list", params={"start": "-1"})["code"] == "10004"
    missing = call(client, "GET", f"{FILE_API}/list", params={"path": f"{HOME}/none"})
    assert missing["code"] == "911020"


def test_async_remove_folder_until_complete(server: SimServer, client: httpx.Client) -> None:
    make_files(server.config.root / "rm-me" / "sub", 50)
    answer = ok(client, "POST", f"{FILE_API}/async-remove", json=[{"sourcePath": f"{HOME}/rm-me"}])
    assert answer["execResult"] == "asyncSubmitSuccess"
    task_id = answer["fileOperTasks"][0]["taskId"]
    wait_for(lambda: task_status(client, task_id) == "complete")
    task = tasks(client, [task_id])[0]
    assert task["processedNum"] == task["totalNum"] == 50
    assert not (server.config.root / "rm-me").exists()


def test_async_copy_and_move(server: SimServer, client: httpx.Client) -> None:
    make_files(server.config.root / "cm" / "src", 5)
    (server.config.root / "cm" / "dst").mkdir()
    element = {"sourcePath": f"{HOME}/cm/src", "targetPath": f"{HOME}/cm/dst"}
    copy = ok(client, "POST", f"{FILE_API}/async-copy", json=[element])["fileOperTasks"][0]
    wait_for(lambda: task_status(client, copy["taskId"]) == "complete")
    again = ok(client, "POST", f"{FILE_API}/async-copy", json=[element])
    assert again["execResult"] == "syncExecHasError"
    assert again["fileOperTasks"][0]["errorCode"] == "911021"
    moved = ok(
        client,
        "POST",
        f"{FILE_API}/async-move",
        json=[{**element, "duplicateHandleType": "both"}],
    )["fileOperTasks"][0]
    assert moved["operationType"] == "move"
    wait_for(lambda: task_status(client, moved["taskId"]) == "complete")
    dst = server.config.root / "cm" / "dst"
    assert sorted(p.name for p in dst.iterdir()) == ["src", "src(1)"]
    assert not (server.config.root / "cm" / "src").exists()


def test_cancel_mid_way(server: SimServer, client: httpx.Client) -> None:
    folder = server.config.root / "slow"
    make_files(folder, 200)
    server.config.files_per_second = 20
    answer = ok(client, "POST", f"{FILE_API}/async-remove", json=[{"sourcePath": f"{HOME}/slow"}])
    task_id = answer["fileOperTasks"][0]["taskId"]
    wait_for(lambda: tasks(client, [task_id])[0]["processedNum"] >= 3)
    result = ok(client, "POST", f"{FILE_API}/task/cancel", json={"taskIds": [task_id]})
    assert result == [{"taskId": task_id, "result": True, "status": "cancel"}]
    time.sleep(0.2)  # several file periods: nothing more may be deleted
    remaining = len(list(folder.iterdir()))
    task = tasks(client, [task_id])[0]
    assert task["status"] == "cancel"
    assert 0 < remaining < 200
    assert task["processedNum"] + remaining == 200
    again = ok(client, "POST", f"{FILE_API}/task/cancel", json={"taskIds": [task_id]})
    assert again == [{"taskId": task_id, "result": False, "status": "cancel"}]


def test_cancel_finished_and_unknown(server: SimServer, client: httpx.Client) -> None:
    (server.config.root / "one.txt").write_text("1")
    answer = ok(
        client, "POST", f"{FILE_API}/async-remove", json=[{"sourcePath": f"{HOME}/one.txt"}]
    )
    task = answer["fileOperTasks"][0]
    assert answer["execResult"] == "syncExecSuccess"
    assert task["synchronousExecution"] is True and task["status"] == "complete"
    unknown = "f" * 32
    result = ok(
        client, "POST", f"{FILE_API}/task/cancel", json={"taskIds": [task["taskId"], unknown]}
    )
    assert result == [
        {"taskId": task["taskId"], "result": False, "status": "complete"},
        {"taskId": unknown, "result": False, "status": None},
    ]
    listed = tasks(client, [unknown, task["taskId"]])
    assert [t["taskId"] for t in listed] == [task["taskId"]]


def test_request_validation(client: httpx.Client) -> None:
    remove = f"{FILE_API}/async-remove"
    assert call(client, "POST", remove, json=[])["code"] == "10003"
    assert call(client, "POST", remove, json={"sourcePath": "x"})["code"] == "10003"
    assert call(client, "POST", remove, content=b"")["code"] == "10003"
    assert call(client, "POST", remove, content=b"[{")["code"] == "10004"
    too_many = [{"sourcePath": f"{HOME}/x"}] * 1001
    assert call(client, "POST", remove, json=too_many)["code"] == "10004"
    for path in (f"{FILE_API}/task/list", f"{FILE_API}/task/cancel"):
        assert call(client, "POST", path, json={"taskIds": ["a"] * 501})["code"] == "10004"
        assert call(client, "POST", path, json={})["code"] == "10003"
        assert call(client, "POST", path, json={"taskIds": "a"})["code"] == "10004"
        assert call(client, "POST", path, json=["a"])["code"] == "10004"
    bad = ok(
        client, "POST", remove, json=[{"sourcePath": "relative"}, {"sourcePath": f"{HOME}/a\nb"}]
    )
    assert [t["errorCode"] for t in bad["fileOperTasks"]] == ["10004", "911029"]
    assert bad["execResult"] == "syncExecHasError"


# ---- faults --------------------------------------------------------------------------------


def test_throttle(server: SimServer, client: httpx.Client) -> None:
    before = server.stats()["throttled"]
    server.faults.throttle_rps = 5
    codes = [call(client, "GET", f"{FILE_API}/list")["code"] for _ in range(20)]
    assert codes.count("0") <= 6 and codes.count("911048") >= 14
    throttled = call(client, "GET", f"{FILE_API}/list")
    assert throttled == {"code": "911048", "msg": "服务繁忙,触发限流,请稍后再试", "data": None}
    stats = httpx.get(server.url + "/_sim/stats").json()["data"]
    assert stats["throttled"] - before >= 15
    assert stats["maxPerSecond"] >= 20
    assert stats["requests"][f"{FILE_API}/list"] >= 21


def test_throttled_write_does_not_execute(server: SimServer, client: httpx.Client) -> None:
    (server.config.root / "keep.txt").write_text("k")
    server.faults.throttle_rps = 0
    body = call(
        client, "POST", f"{FILE_API}/async-remove", json=[{"sourcePath": f"{HOME}/keep.txt"}]
    )
    assert body["code"] == "911048"
    assert (server.config.root / "keep.txt").exists()


def test_drop_raises_transport_error(server: SimServer, client: httpx.Client) -> None:
    server.faults.update({"drop_rate": 1.0, "seed": 7})
    before = server.stats()["dropped"]
    for _ in range(4):  # both variants: before and after the handler ran
        with pytest.raises(httpx.TransportError):
            client.get(f"{FILE_API}/list")
    assert server.stats()["dropped"] == before + 4
    server.faults.drop_rate = 0.0
    ok(client, "GET", f"{FILE_API}/list")  # the client recovers on a new connection


def test_faults_object_can_be_replaced(server: SimServer, client: httpx.Client) -> None:
    server.faults = Faults(error_rate=1.0)
    assert client.get(f"{FILE_API}/list").status_code == 503
    server.faults = Faults()
    ok(client, "GET", f"{FILE_API}/list")
    stats = server.stats()
    assert stats["requests"][f"{FILE_API}/list"] >= 2 and "tasks" in stats


def test_malformed_and_error_pages(server: SimServer, client: httpx.Client) -> None:
    server.faults.update({"malformed_rate": 1.0, "seed": 3})
    for _ in range(4):
        response = client.get(f"{FILE_API}/list")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/json")
        with pytest.raises(ValueError):
            response.json()
    server.faults.update({"malformed_rate": 0.0, "error_rate": 1.0})
    response = client.get(f"{FILE_API}/list")
    assert response.status_code == 503 and "text/html" in response.headers["content-type"]


def test_latency_and_control_endpoints(server: SimServer, client: httpx.Client) -> None:
    with httpx.Client(base_url=server.url) as control:
        faults = ok(control, "POST", "/_sim/faults", json={"latency": 0.3})
        assert faults["latency"] == 0.3 and server.faults.latency == 0.3
        assert call(control, "POST", "/_sim/faults", json={"error_rate": 2})["code"] == "10004"
        started = time.monotonic()
        ok(client, "GET", f"{FILE_API}/list")
        assert time.monotonic() - started >= 0.3
        started = time.monotonic()
        ok(control, "GET", "/_sim/stats")  # control routes are exempt from faults
        assert time.monotonic() - started < 0.3


# ---- tokens, clock, restart ----------------------------------------------------------------


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[SimServer]:
    root = tmp_path / "root"
    root.mkdir()
    with SimServer(SimConfig(root=root, token="fixed-sim-token", token_ttl=3600)) as srv:
        yield srv


def test_token_expiry_and_renewal(own_server: SimServer) -> None:
    srv = own_server
    assert srv.token == "fixed-sim-token"
    with httpx.Client(base_url=srv.url, headers={"token": srv.token}) as c:
        ok(c, "GET", f"{FILE_API}/list")
        srv.clock.advance(3601)
        assert call(c, "GET", f"{FILE_API}/list")["code"] == "10008"
        assert call(c, "GET", "/ac/openapi/v2/tokens/state")["code"] == "10008"
        renewed = ok(c, "POST", "/ac/openapi/v2/tokens/next")
        fresh = renewed[1]["token"]
        ok(c, "GET", f"{FILE_API}/list", headers={"token": fresh})
        ok(c, "POST", "/_sim/tokens/expire")
        assert call(c, "GET", f"{FILE_API}/list", headers={"token": fresh})["code"] == "10008"
        ok(c, "POST", "/_sim/clock/advance", params={"seconds": 86401})
        assert call(c, "POST", "/ac/openapi/v2/tokens/next")["code"] == "10008"
        ok(c, "GET", f"{FILE_API}/list", headers={"token": srv.issue_token()})


def test_retention_through_http(own_server: SimServer) -> None:
    srv = own_server
    (srv.config.root / "x.txt").write_text("x")
    with httpx.Client(base_url=srv.url, headers={"token": srv.token}) as c:
        answer = ok(c, "POST", f"{FILE_API}/async-remove", json=[{"sourcePath": f"{HOME}/x.txt"}])
        task_id = answer["fileOperTasks"][0]["taskId"]
        srv.clock.advance(86399)
        c.headers["token"] = srv.issue_token()
        assert len(tasks(c, [task_id])) == 1
        srv.clock.advance(2)
        c.headers["token"] = srv.issue_token()
        assert tasks(c, [task_id]) == []


def test_restart_keeps_tasks_and_resumes(own_server: SimServer) -> None:
    srv = own_server
    make_files(srv.config.root / "slow", 60)
    srv.config.files_per_second = 40
    port = srv.port
    with httpx.Client(base_url=srv.url, headers={"token": srv.token}) as c:
        done = ok(c, "POST", f"{FILE_API}/mkdir", params={"path": f"{HOME}/made"})
        assert done == ""
        answer = ok(c, "POST", f"{FILE_API}/async-remove", json=[{"sourcePath": f"{HOME}/slow"}])
        task_id = answer["fileOperTasks"][0]["taskId"]
        wait_for(lambda: tasks(c, [task_id])[0]["processedNum"] >= 2)
    srv.restart()
    assert srv.port == port and srv.running
    srv.config.files_per_second = 2000
    with httpx.Client(base_url=srv.url, headers={"token": srv.token}) as c:
        assert tasks(c, [task_id])[0]["status"] in ("processing", "complete")
        wait_for(lambda: task_status(c, task_id) == "complete")
    assert not (srv.config.root / "slow").exists()
    assert (srv.config.root / "made").is_dir()
