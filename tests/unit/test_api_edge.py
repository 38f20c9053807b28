"""The API edge parses defensively: bounded bodies and JSON, tame numbers, checked entries,
paging that stops, task answers matched honestly, plain http refused off loopback."""

from __future__ import annotations

import json
import zlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from efile_tui.api.client import EfileClient
from efile_tui.api.decode import BodyRefused, decode_json, read_capped
from efile_tui.api.errors import ListingIncomplete, PlainHttpRefused
from efile_tui.api.http import check_scheme
from efile_tui.api.models import (
    EntryRefused,
    FileEntry,
    Operation,
    SubmitItem,
    Task,
    as_count,
)

TOKEN = "tok-0123456789"


async def chunks(data: bytes, size: int = 65536) -> AsyncIterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i : i + size]


async def test_gzip_is_inflated_only_up_to_the_cap() -> None:
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    bomb = z.compress(b"\0" * (64 << 20)) + z.flush()  # 64 MiB in ~64 KB
    with pytest.raises(BodyRefused, match="larger than 1 MiB once decompressed"):
        await read_capped(chunks(bomb), "gzip", cap=1 << 20)
    small = zlib.compress(b'{"a": 1}')
    assert await read_capped(chunks(small), "deflate") == b'{"a": 1}'
    with pytest.raises(BodyRefused, match="larger than 1 MiB"):
        await read_capped(chunks(b"x" * (2 << 20)), "", cap=1 << 20)
    with pytest.raises(BodyRefused, match="content encoding 'br'"):
        await read_capped(chunks(b"x"), "br")


def test_json_depth_numbers_and_echoed_token() -> None:
    with pytest.raises(BodyRefused, match="nests deeper"):
        decode_json(b"[" * 200_000 + b"]" * 200_000)
    with pytest.raises(BodyRefused, match="nests deeper"):
        decode_json(b"[" * 70 + b"]" * 70)
    assert decode_json(b"[" * 60 + b"]" * 60) is not None
    data = decode_json(b"[NaN, Infinity, -Infinity, 1e400, 1.5, 12, " + b"9" * 5000 + b"]")
    assert data == [None, None, None, None, 1.5, 12, None]
    body = json.dumps({f"k{TOKEN}": [f"a {TOKEN} b", {"x": TOKEN}]}).encode()
    assert decode_json(body, TOKEN) == {"k***": ["a *** b", {"x": "***"}]}


@pytest.mark.parametrize(
    "raw, want",
    [
        (5, 5),
        ("7", 7),
        (-1, None),
        (float("nan"), None),
        (float("inf"), None),
        ("1e400", None),
        (10**300, None),
        ("9" * 300, None),
        (True, None),
        ("abc", None),
        (None, None),
    ],
)
def test_counts_are_never_negative_or_absurd(raw: object, want: int | None) -> None:
    assert as_count(raw) == want


def test_task_numbers_become_unknown() -> None:
    task = Task.from_api(
        {"taskId": "t", "totalSize": float("inf"), "processedNum": -3, "progress": "NaN"}
    )
    assert (task.total_size, task.processed_num, task.percent) == (0, 0, None)


@pytest.mark.parametrize(
    "entry",
    [
        {"name": "a.txt", "path": "/h/u"},  # names the folder itself
        {"name": "a.txt", "path": "/h/u/../etc/a.txt"},
        {"name": "a.txt", "path": "/h/u/b.txt"},
        {"name": "../x"},
        {"name": ".."},
        {"name": ""},
        {"path": "/h/u/a.txt"},
    ],
)
def test_entries_whose_path_is_not_folder_plus_name_are_refused(entry: dict[str, Any]) -> None:
    with pytest.raises(EntryRefused):
        FileEntry.from_api(entry, "/h/u")


def test_entry_path_is_built_from_folder_and_name() -> None:
    entry = FileEntry.from_api({"name": "a.txt", "path": "/h/u//a.txt/"}, "/h/u/")
    assert entry.path == "/h/u/a.txt"


def client_for(handler: Callable[[httpx.Request], dict[str, Any]]) -> tuple[EfileClient, list]:
    seen: list[httpx.Request] = []

    def reply(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"code": "0", "msg": "ok", "data": handler(request)})

    client = EfileClient("https://efile.test", TOKEN, transport=httpx.MockTransport(reply))
    return client, seen


async def test_paging_stops_when_a_page_brings_nothing_new() -> None:
    page = [{"name": f"f{i}", "path": f"/h/u/f{i}"} for i in range(3)]
    client, seen = client_for(lambda r: {"path": "/h/u", "total": 10**12, "fileList": page})
    async with client:
        got: list[str] = []
        with pytest.raises(ListingIncomplete, match="brought nothing new"):
            async for entry in client.iter_dir("/h/u", page_size=3):
                got.append(entry.name)
    assert got == ["f0", "f1", "f2"] and len(seen) == 2


async def test_paging_stops_at_the_page_cap() -> None:
    def page(request: httpx.Request) -> dict[str, Any]:
        start = int(request.url.params["start"])
        return {"total": 10**12, "fileList": [{"name": f"f{start}"}]}

    client, seen = client_for(page)
    async with client:
        with pytest.raises(ListingIncomplete, match="after 5 pages"):
            async for _ in client.iter_pages("/h/u", page_size=1, max_pages=5):
                pass
    assert len(seen) == 5


async def test_a_listing_for_another_folder_is_refused() -> None:
    client, _ = client_for(lambda r: {"path": "/", "total": 0, "fileList": []})
    async with client:
        with pytest.raises(Exception, match="answered for another folder"):
            await client.list_dir("/h/u")


async def test_task_objects_not_asked_for_are_ignored() -> None:
    client, _ = client_for(
        lambda r: [{"taskId": "a", "status": "complete"}, {"taskId": "zzz", "status": "fail"}]
    )
    async with client:
        assert set(await client.task_list(["a", "b"])) == {"a"}


async def test_a_submit_answer_with_repeated_tasks_is_reported_per_item() -> None:
    task = {"taskId": "t1", "status": "waiting", "sourcePath": "/h/u/a"}
    client, _ = client_for(lambda r: {"fileOperTasks": [task, task, task]})
    async with client:
        outcomes = await client.submit(
            Operation.DELETE, [SubmitItem(p) for p in ["/h/u/a", "/h/u/b", "/h/u/c"]]
        )
    assert [o.task.task_id if o.task else None for o in outcomes] == ["t1", None, None]
    assert [o.unknown for o in outcomes] == [False, True, True]
    bare = {"taskId": "t1", "status": "waiting"}  # no source path to tell items apart
    client, _ = client_for(lambda r: {"fileOperTasks": [bare, bare, bare]})
    async with client:
        outcomes = await client.submit(
            Operation.DELETE, [SubmitItem(p) for p in ["/h/u/a", "/h/u/b", "/h/u/c"]]
        )
    assert [o.unknown for o in outcomes] == [True, True, True]  # never ✓ three times
    client, _ = client_for(lambda r: {"fileOperTasks": [{**task, "sourcePath": "/h/u/b"}]})
    async with client:
        [a] = await client.submit(Operation.DELETE, [SubmitItem("/h/u/a")])
    assert a.unknown and a.task is None  # a task for another path is not this item's


@pytest.mark.parametrize(
    "url, allowed",
    [
        ("https://efile.example", True),
        ("http://127.0.0.1:8080", True),
        ("http://127.1.2.3", True),
        ("http://localhost:9", True),
        ("http://[::1]:9", True),
        ("http://efile.example", False),
        ("http://0.0.0.0:9", False),
        ("http://10.0.0.1", False),
        ("http://localhost.evil.example", False),
        ("ftp://efile.example", False),
    ],
)
def test_plain_http_only_to_loopback(url: str, allowed: bool) -> None:
    if allowed:
        check_scheme(url, allow_http=False)
    else:
        with pytest.raises(PlainHttpRefused):
            check_scheme(url, allow_http=False)
    if url.startswith("http://"):
        check_scheme(url, allow_http=True)  # the opt-in


# URLs that a reader could take for loopback while another takes them elsewhere.
TWO_WAY_URLS = [
    "http://127.0.0.1@evil.example",
    "http://127.0.0.1:80@evil.example",
    "http://localhost:x@evil.example/",
    "http://127.0.0.1\\@evil.example",
    "http://127.0.0.1%2f@evil.example",
    "http://localhost%2eevil.example",
    "http://evil.example#@127.0.0.1",
    "http://evil.example?@localhost",
    "http://[::1]@evil.example",
    "http://127.0.0.1 .evil.example",
    "http://127.0.0.1\t@evil.example",
    "http://user:pw@localhost:9",
    "http://LOCALHOST.:9",
    "HTTP://127.0.0.1:9",
    "http://127.0.0.1[evil.example/",
    "http://[::1",
]


@pytest.mark.parametrize("url", TWO_WAY_URLS)
def test_plain_http_passes_only_where_httpx_connects_to_this_machine(url: str) -> None:
    """The check reads URLs without httpx (not loaded before the TUI's first frame): a URL
    it lets through as loopback must be loopback to httpx too, and one it cannot read is
    refused as such, never an error of another kind."""
    import httpx

    from efile_tui.api.http import is_loopback

    try:
        check_scheme(url, allow_http=False)
    except PlainHttpRefused:
        return
    parsed = httpx.URL(url)
    assert parsed.scheme == "http" and is_loopback(parsed.host), url


def test_the_refusal_names_the_host_the_url_would_reach() -> None:
    with pytest.raises(PlainHttpRefused) as caught:
        check_scheme("http://127.0.0.1@evil.example/efile", allow_http=False)
    assert "evil.example" in str(caught.value)


def test_path_pane_paging_stops_on_repeats_in_both_directions() -> None:
    from efile_tui.core.paging import PageRequest, Paging

    page = [FileEntry(name=n, path=f"/h/u/{n}") for n in ("a", "b", "c")]
    paging = Paging("/h/u")
    jump = paging.ask(PageRequest(paging.query, start=10**12 - 200, at_end=True))
    # A jump to the end of a "huge" folder, then the page before it brings the same three.
    paging.accept(paging.take(jump.request_id), page, 10**12)  # type: ignore[arg-type]
    before = paging.more(0, 0, 1000)
    assert before is not None and before.before
    paging.accept(paging.take(before.request_id), page, 10**12)  # type: ignore[arg-type]
    assert paging.more(0, 0, 1000) is None and paging.more(0, 3, 4) is None
    after = Paging("/h/u")
    first = after.ask(PageRequest(after.query))
    after.accept(after.take(first.request_id), page, 10**12)  # type: ignore[arg-type]
    nxt = after.more(0, 3, 4)
    assert nxt is not None
    after.accept(after.take(nxt.request_id), page, 10**12)  # type: ignore[arg-type]
    assert after.more(0, 3, 4) is None and after.total == 3


async def test_the_delete_preview_stops_when_a_listing_repeats_itself() -> None:
    from efile_tui.core.preview import preview_delete

    page = [{"name": f"f{i}", "path": f"/h/u/d/f{i}", "size": 1} for i in range(3)]
    client, seen = client_for(lambda r: {"path": "/h/u/d", "total": 10**12, "fileList": page})
    async with client:
        result = await preview_delete(client, ["/h/u/d"], is_dir={"/h/u/d": True}, page_size=3)
    assert (result.files, result.complete) == (3, False)  # each file counted once
    assert result.stopped_because and "repeats itself" in result.stopped_because
    assert len(seen) == 2
