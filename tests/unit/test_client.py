"""EfileClient request shapes, parsing, batching and retries (on httpx.MockTransport)."""

from __future__ import annotations

import json

import httpx
import pytest

from efile_tui.api.client import EfileClient, chunks, normalise_efile_url
from efile_tui.api.errors import (
    BadResponse,
    NotFound,
    OutcomeUnknown,
    RateLimited,
    ServiceUnreachable,
    TokenExpired,
)
from efile_tui.api.http import RetryPolicy
from efile_tui.api.models import Operation, SubmitItem, TaskStatus
from tests.unit.fakeservice import Recorder, fail, no_sleep, ok, task

TOKEN = "tok-SECRET-123"


def make(rec: Recorder, **kw: object) -> EfileClient:
    return EfileClient(
        "https://efile.test/efile/", TOKEN, transport=rec.transport, sleep=no_sleep, **kw
    )  # type: ignore[arg-type]


def echo_tasks(request: httpx.Request) -> httpx.Response:
    body = json.loads(request.content)
    if request.url.path.endswith("/task/list"):
        return ok([task(t) for t in body["taskIds"]])
    if request.url.path.endswith("/task/cancel"):
        return ok([{"taskId": t, "result": True, "status": "cancel"} for t in body["taskIds"]])
    tasks = [task(f"id-{e['sourcePath']}", "waiting", sourcePath=e["sourcePath"]) for e in body]
    return ok(
        {
            "fileOperDuplicateFileVos": None,
            "fileOperTasks": tasks,
            "execResult": "asyncSubmitSuccess",
        }
    )


def test_normalise_url_and_chunks() -> None:
    assert normalise_efile_url("https://h:65103/efile/") == "https://h:65103"
    assert normalise_efile_url("https://h:65103") == "https://h:65103"
    assert [len(c) for c in chunks(list(range(201)), 100)] == [100, 100, 1]
    with pytest.raises(ValueError):
        chunks([1], 0)


async def test_list_dir_request_shape_and_parsing() -> None:
    rec = Recorder(
        lambda r: ok(
            {
                "total": "3",
                "path": "/h/u",
                "keyWord": "a",
                "fileList": [
                    {
                        "name": "a",
                        "path": "/h/u/a",
                        "size": "12",
                        "isDirectory": "false",
                        "lastModifiedTime": "2025-01-01 00:00:00",
                        "unknownField": 1,
                    },
                    {"name": "d", "type": "dir", "isDirectory": None, "size": None},
                ],
            }
        )
    )
    async with make(rec) as client:
        page = await client.list_dir(
            "/h/u", start=10, limit=2, order_by="size", order="desc", keyword="a"
        )
    req = rec.requests[0]
    assert req.method == "GET" and req.url.path == "/efile/openapi/v2/file/list"
    assert dict(req.url.params) == {
        "path": "/h/u",
        "start": "10",
        "limit": "2",
        "orderBy": "size",
        "order": "desc",
        "keyWord": "a",
    }
    assert req.headers["token"] == TOKEN
    assert page.total == 3 and page.start == 10
    assert page.entries[0].size == 12 and not page.entries[0].is_dir
    assert page.entries[1].is_dir and page.entries[1].path == "/h/u/d"


async def test_iter_dir_pages_lazily() -> None:
    names = [f"f{i}" for i in range(25)]

    def handler(r: httpx.Request) -> httpx.Response:
        start, limit = int(r.url.params["start"]), int(r.url.params["limit"])
        return ok({"total": 25, "fileList": [{"name": n} for n in names[start : start + limit]]})

    rec = Recorder(handler)
    async with make(rec) as client:
        got = [e.name async for e in client.iter_dir("/d", page_size=10)]
    assert got == names
    assert [r.url.params["start"] for r in rec.requests] == ["0", "10", "20"]


async def test_mkdir_uses_query_params() -> None:
    rec = Recorder(lambda r: ok(""))
    async with make(rec) as client:
        await client.mkdir("/h/u/new", create_parents=True)
    req = rec.requests[0]
    assert req.method == "POST" and req.url.path.endswith("/file/mkdir")
    assert req.url.params["createParents"] == "true" and req.content == b""


@pytest.mark.parametrize(
    "n, batches",
    [(0, []), (1, [1]), (100, [100]), (101, [100, 1]), (500, [100] * 5), (501, [100] * 5 + [1])],
)
async def test_submit_batching_boundaries(n: int, batches: list[int]) -> None:
    rec = Recorder(echo_tasks)
    paths = [f"/h/u/p{i}" for i in range(n)]
    async with make(rec) as client:
        outcomes = await client.submit(Operation.DELETE, [SubmitItem(p) for p in paths])
    assert [len(b) for b in rec.bodies()] == batches
    assert [o.item.source_path for o in outcomes] == paths
    assert all(o.task and o.task.task_id == f"id-{o.item.source_path}" for o in outcomes)


async def test_copy_and_move_body_shape() -> None:
    rec = Recorder(echo_tasks)
    async with make(rec) as client:
        await client.submit(Operation.COPY, [SubmitItem("/a/b/c", "/a/b/t", "both")])
        await client.submit(Operation.MOVE, [SubmitItem("/a/b/d", "/a/b/t", "cover")])
    assert rec.requests[0].url.path.endswith("/async-copy")
    assert rec.requests[1].url.path.endswith("/async-move")
    assert rec.bodies()[0] == [
        {"sourcePath": "/a/b/c", "targetPath": "/a/b/t", "duplicateHandleType": "both"}
    ]


async def test_submit_sync_execution_and_per_item_failure() -> None:
    rec = Recorder(
        lambda r: ok(
            {
                "fileOperTasks": [
                    task("t1", "complete", synchronousExecution=True, sourcePath="/a/b/1"),
                    task(
                        "t2",
                        "fail",
                        errorCode="911020",
                        errorMsg="File does not exist",
                        sourcePath="/a/b/2",
                    ),
                ],
                "execResult": "syncExecHasError",
            }
        )
    )
    async with make(rec) as client:
        out = await client.submit(Operation.DELETE, [SubmitItem("/a/b/1"), SubmitItem("/a/b/2")])
    assert out[0].ok and out[0].task and out[0].task.synchronous_execution
    assert out[0].task.status is TaskStatus.COMPLETE
    assert not out[1].ok and out[1].task and out[1].task.error_code == "911020"


async def test_submit_matches_by_path_when_counts_differ() -> None:
    rec = Recorder(lambda r: ok({"fileOperTasks": [task("t2", sourcePath="/a/b/2")]}))
    async with make(rec) as client:
        out = await client.submit(Operation.DELETE, [SubmitItem("/a/b/1"), SubmitItem("/a/b/2")])
    assert out[1].task and out[1].task.task_id == "t2"
    assert out[0].task is None and out[0].unknown


async def test_submit_timeout_is_outcome_unknown_and_never_resent() -> None:
    rec = Recorder(echo_tasks)
    rec.queue.append(httpx.ReadTimeout("read timed out"))
    async with make(rec) as client:
        out = await client.submit(
            Operation.DELETE, [SubmitItem(p) for p in [f"/a/b/{i}" for i in range(150)]]
        )
    assert len(rec.requests) == 2  # the lost batch was not re-sent; the next batch went out
    assert all(o.unknown for o in out[:100]) and all(o.ok for o in out[100:])
    assert "/a/b/0" in (out[0].error or "")
    assert TOKEN not in (out[0].error or "")


async def test_submit_5xx_and_malformed_are_unknown_for_writes() -> None:
    for bad in (httpx.Response(503, text="<html>busy</html>"), httpx.Response(200, text="{oops")):
        rec = Recorder(echo_tasks)
        rec.queue.append(bad)
        async with make(rec) as client:
            out = await client.submit(Operation.DELETE, [SubmitItem(p) for p in ["/a/b/c"]])
        assert out[0].unknown and len(rec.requests) == 1


async def test_submit_connect_error_is_retried_because_nothing_was_sent() -> None:
    rec = Recorder(echo_tasks)
    rec.queue.append(httpx.ConnectError("refused"))
    async with make(rec) as client:
        out = await client.submit(Operation.DELETE, [SubmitItem(p) for p in ["/a/b/c"]])
    assert out[0].ok and len(rec.requests) == 2


async def test_submit_throttled_is_retried_then_succeeds() -> None:
    rec = Recorder(echo_tasks)
    rec.queue += [fail("911048"), fail("911048")]
    async with make(rec) as client:
        out = await client.submit(Operation.DELETE, [SubmitItem(p) for p in ["/a/b/c"]])
    assert out[0].ok and len(rec.requests) == 3


async def test_submit_unreachable_stops_later_batches() -> None:
    rec = Recorder(lambda r: (_ for _ in ()).throw(httpx.ConnectError("refused")))
    async with make(rec, retry=RetryPolicy(attempts=2)) as client:
        out = await client.submit(
            Operation.DELETE, [SubmitItem(p) for p in [f"/a/b/{i}" for i in range(250)]]
        )
    assert len(rec.requests) == 2  # one batch, two attempts; batches 2 and 3 never sent
    assert all(o.error and not o.unknown for o in out)
    assert out[200].error and out[200].error.startswith("not sent")


async def test_task_list_batching_and_lenient_shapes() -> None:
    rec = Recorder(echo_tasks)
    ids = [f"{i:032x}" for i in range(501)]
    async with make(rec) as client:
        found = await client.task_list(ids + ids[:3])  # duplicates asked once
    assert [len(b["taskIds"]) for b in rec.bodies()] == [100] * 5 + [1]
    assert set(found) == set(ids)
    for shape in ({"fileOperTasks": [task("x")]}, [task("x")], {"x": task("x")}):
        rec = Recorder(lambda r, s=shape: ok(s))
        async with make(rec) as client:
            assert set(await client.task_list(["x"])) == {"x"}
    rec = Recorder(lambda r: ok(None))
    async with make(rec) as client:
        assert await client.task_list(["x"]) == {}


async def test_task_batch_size_limits() -> None:
    with pytest.raises(ValueError):
        EfileClient("https://x", "t", task_batch=501)
    rec = Recorder(echo_tasks)
    async with make(rec, task_batch=500) as client:
        await client.task_list([str(i) for i in range(501)])
    assert [len(b["taskIds"]) for b in rec.bodies()] == [500, 1]


async def test_task_list_retries_reads() -> None:
    rec = Recorder(echo_tasks)
    rec.queue += [
        httpx.Response(502),
        httpx.ReadTimeout("t"),
        httpx.Response(200, text="<html>"),
        fail("911048"),
    ]
    async with make(rec) as client:
        found = await client.task_list(["a"])
    assert "a" in found and len(rec.requests) == 5


async def test_reads_give_up_after_attempts() -> None:
    rec = Recorder(lambda r: httpx.Response(503))
    async with make(rec, retry=RetryPolicy(attempts=3)) as client:
        with pytest.raises(BadResponse):
            await client.task_list(["a"])
    assert len(rec.requests) == 3
    rec = Recorder(lambda r: fail("911048"))
    async with make(rec, retry=RetryPolicy(attempts=2)) as client:
        with pytest.raises(RateLimited):
            await client.list_dir("/a")
    rec = Recorder(lambda r: (_ for _ in ()).throw(httpx.ConnectError("no")))
    async with make(rec, retry=RetryPolicy(attempts=2)) as client:
        with pytest.raises(ServiceUnreachable) as info:
            await client.list_dir("/a")
    assert TOKEN not in str(info.value)


async def test_business_errors_are_not_retried() -> None:
    rec = Recorder(lambda r: fail("911020", "File does not exist"))
    async with make(rec) as client:
        with pytest.raises(NotFound) as info:
            await client.list_dir("/h/u/missing")
    assert len(rec.requests) == 1
    assert "/h/u/missing" in str(info.value) and "911020" in str(info.value)


async def test_cancel_results_in_input_order_with_unknown_and_errors() -> None:
    def handler(r: httpx.Request) -> httpx.Response:
        ids = json.loads(r.content)["taskIds"]
        answers = {
            "a": {"taskId": "a", "result": True, "status": "cancel"},
            "b": {"taskId": "b", "result": "false", "status": "complete"},
            "c": {"taskId": "c", "result": False, "status": None},
        }
        return ok([answers[i] for i in reversed(ids) if i in answers])

    rec = Recorder(handler)
    async with make(rec) as client:
        res = await client.cancel(["a", "b", "c", "d"])
    assert [r.task_id for r in res] == ["a", "b", "c", "d"]
    assert [r.verdict for r in res] == [
        "cancelled",
        "already complete",
        "unknown or expired",
        "unknown or expired",
    ]
    assert res[0].to_api() == {"taskId": "a", "result": True, "status": "cancel"}
    rec = Recorder(lambda r: fail("10004", "param_invalid"))
    async with make(rec) as client:
        res = await client.cancel(["a"])
    assert res[0].error and "10004" in res[0].error and res[0].verdict == "error"


async def test_cancel_batches_of_100() -> None:
    rec = Recorder(echo_tasks)
    async with make(rec) as client:
        res = await client.cancel([str(i) for i in range(1000)])
    assert len(rec.requests) == 10 and all(r.result for r in res)


async def test_token_renewal_once_then_retry() -> None:
    seen_tokens: list[str] = []

    def handler(r: httpx.Request) -> httpx.Response:
        seen_tokens.append(r.headers["token"])
        return fail("10008") if r.headers["token"] == TOKEN else ok([task("a")])

    async def renew() -> str:
        return "tok-NEW"

    rec = Recorder(handler)
    async with make(rec, renew=renew) as client:
        assert "a" in await client.task_list(["a"])
        assert client.http.token == "tok-NEW"
    assert seen_tokens == [TOKEN, "tok-NEW"]


async def test_token_expired_without_renewal_raises() -> None:
    async def renew() -> None:
        return None

    for kwargs in ({}, {"renew": renew}):
        rec = Recorder(lambda r: fail("10008", "insufficient permission"))
        async with make(rec, **kwargs) as client:
            with pytest.raises(TokenExpired) as info:
                await client.list_dir("/a")
        assert "login" in str(info.value) and TOKEN not in repr(info.value)


async def test_submit_with_expired_token_reports_not_sent() -> None:
    rec = Recorder(lambda r: fail("10008"))
    async with make(rec) as client:
        out = await client.submit(Operation.DELETE, [SubmitItem("/a/b/c")])
    assert out[0].error_code == "10008" and not out[0].unknown


async def test_non_envelope_json_is_bad_response() -> None:
    rec = Recorder(lambda r: httpx.Response(200, json={"hello": 1}))
    async with make(rec, retry=RetryPolicy(attempts=1)) as client:
        with pytest.raises(BadResponse, match="no 'code'"):
            await client.list_dir("/a")


async def test_numeric_code_is_accepted() -> None:
    rec = Recorder(lambda r: httpx.Response(200, json={"code": 0, "data": {"total": 0}}))
    async with make(rec) as client:
        assert (await client.list_dir("/a")).total == 0


def test_repr_never_shows_token() -> None:
    client = EfileClient("https://x", TOKEN)
    assert TOKEN not in repr(client) and TOKEN not in repr(client.http)


async def test_outcome_unknown_carries_paths() -> None:
    rec = Recorder(echo_tasks)
    rec.queue.append(httpx.RemoteProtocolError("peer closed"))
    async with make(rec) as client:
        with pytest.raises(OutcomeUnknown) as info:
            await client.http.call(
                "POST",
                "/efile/openapi/v2/file/async-remove",
                json_body=[],
                idempotent=False,
                paths=["/x/y/z"],
            )
    assert info.value.paths == ("/x/y/z",)
