"""The bounded delete preview walk: counts, depth, largest, bounds and errors."""

from __future__ import annotations

import asyncio
import posixpath

import httpx
import pytest

from efile_tui.api.client import EfileClient
from efile_tui.api.errors import NotAFolder, NotFound, PermissionDenied
from efile_tui.api.models import DirPage, FileEntry
from efile_tui.core.preview import DeletePreview, outermost, preview_delete
from efile_tui.core.words import human_size
from tests.unit.fakeservice import Recorder, no_sleep, ok


class FakeLister:
    """A folder tree in a dict: folder path -> list of entries; records every call."""

    def __init__(self, tree: dict[str, list[FileEntry]], *, delay: float = 0.0) -> None:
        self.tree = tree
        self.calls: list[tuple[str, int, str | None]] = []
        self.denied: set[str] = set()
        self.delay = delay

    async def list_dir(
        self, path: str, *, start: int = 0, limit: int = 100, keyword: str | None = None
    ) -> DirPage:
        self.calls.append((path, start, keyword))
        if self.delay:
            await asyncio.sleep(self.delay)
        if path in self.denied:
            raise PermissionDenied("911030", context=f"list {path}")
        if path not in self.tree:
            if posixpath.dirname(path) in self.tree:
                raise NotAFolder("911022")
            raise NotFound("911020")
        entries = [e for e in self.tree[path] if not keyword or keyword in e.name]
        return DirPage(path, len(entries), start, tuple(entries[start : start + limit]))


def f(folder: str, name: str, size: int) -> FileEntry:
    return FileEntry(name=name, path=f"{folder}/{name}", size=size)


def d(folder: str, name: str) -> FileEntry:
    return FileEntry(name=name, path=f"{folder}/{name}", is_dir=True)


ROOT = "/public/home/u/proj"


def sample_tree() -> dict[str, list[FileEntry]]:
    """proj: 2 files + sub/ (3 files + deep chain of 6 folders, file at the bottom)."""
    tree = {
        "/public/home/u": [d("/public/home/u", "proj"), f("/public/home/u", "x.bin", 77)],
        ROOT: [f(ROOT, "a", 100), f(ROOT, "b", 5), d(ROOT, "sub")],
        ROOT + "/sub": [f(ROOT + "/sub", n, s) for n, s in [("c", 900), ("e", 1), ("g", 50)]],
    }
    tree[ROOT + "/sub"].append(d(ROOT + "/sub", "l1"))
    folder = ROOT + "/sub/l1"
    for level in range(2, 7):
        tree[folder] = [d(folder, f"l{level}")]
        folder = f"{folder}/l{level}"
    tree[folder] = [f(folder, "bottom", 7)]
    return tree


async def test_counts_depth_and_largest() -> None:
    client = FakeLister(sample_tree())
    result = await preview_delete(client, [ROOT], is_dir={ROOT: True})
    assert isinstance(result, DeletePreview)
    assert result.complete and result.stopped_because is None and result.errors == ()
    assert result.files == 6
    assert result.dirs == 1 + 1 + 6  # proj itself, sub, l1..l6
    assert result.bytes == 100 + 5 + 900 + 1 + 50 + 7
    assert result.max_depth == 8
    assert result.deepest_path == ROOT + "/sub/l1/l2/l3/l4/l5/l6/bottom"
    assert result.largest[0] == (ROOT + "/sub/c", 900)
    assert [size for _, size in result.largest] == [900, 100, 50, 7, 5]
    text = "\n".join(result.summary_lines())
    assert "files: 6, folders: 8" in text and "depth 8" in text


async def test_plain_files_are_not_listed() -> None:
    client = FakeLister(sample_tree())
    path = "/public/home/u/x.bin"
    result = await preview_delete(client, [path], is_dir={path: False}, sizes={path: 77})
    assert (result.files, result.dirs, result.bytes, result.max_depth) == (1, 0, 77, 0)
    assert result.deepest_path == path
    assert client.calls == []


async def test_unknown_type_is_probed() -> None:
    client = FakeLister(sample_tree())
    result = await preview_delete(client, ["/public/home/u/x.bin", ROOT + "/sub"])
    assert result.complete
    assert result.files == 1 + 4  # x.bin found by its parent; sub has c, e, g, bottom
    assert result.bytes == 77 + 900 + 1 + 50 + 7
    assert result.dirs == 1 + 6  # sub and l1..l6


async def test_nested_and_duplicate_paths_counted_once() -> None:
    assert outermost(["/a/b/c", "/a/b", "/a/b/", "/a/bc"]) == ["/a/b", "/a/bc"]
    client = FakeLister(sample_tree())
    result = await preview_delete(client, [ROOT, ROOT + "/sub", ROOT + "/"], is_dir={ROOT: True})
    assert result.files == 6 and result.dirs == 8


async def test_entry_limit_stops_the_walk() -> None:
    big = "/public/home/u/big"
    tree = {big: [f(big, f"n{i:05d}", 1) for i in range(5000)]}
    client = FakeLister(tree)
    result = await preview_delete(
        client, [big], is_dir={big: True}, max_entries=1200, page_size=500
    )
    assert not result.complete
    assert result.stopped_because == "entry limit (1,200)"
    assert result.files == 1200
    assert len(client.calls) == 3  # never pages past the limit


async def test_time_limit_stops_the_walk() -> None:
    now = [0.0]

    def clock() -> float:
        now[0] += 1.0  # every look at the clock costs a second
        return now[0]

    client = FakeLister(sample_tree())
    result = await preview_delete(client, [ROOT], is_dir={ROOT: True}, max_seconds=3, clock=clock)
    assert not result.complete
    assert result.stopped_because == "time limit (3 s)"
    assert len(client.calls) < 8


async def test_slow_request_is_cut_off() -> None:
    client = FakeLister(sample_tree(), delay=5.0)
    result = await preview_delete(client, [ROOT], is_dir={ROOT: True}, max_seconds=0.05)
    assert result.stopped_because == "time limit (0.05 s)"
    assert result.dirs == 1 and result.files == 0


async def test_unlistable_folder_is_reported_and_walk_continues() -> None:
    client = FakeLister(sample_tree())
    client.denied.add(ROOT + "/sub")
    result = await preview_delete(client, [ROOT], is_dir={ROOT: True})
    assert not result.complete
    assert result.stopped_because == "1 folder could not be listed"
    assert result.files == 2 and result.dirs == 2
    assert result.errors and result.errors[0].startswith(ROOT + "/sub: [911030]")


async def test_missing_root_is_an_error() -> None:
    client = FakeLister(sample_tree())
    result = await preview_delete(client, ["/nope/x/y"])
    assert not result.complete and result.files == 0
    assert "911020" in result.errors[0]


async def test_unexpected_exception_propagates() -> None:
    class Broken:
        async def list_dir(
            self, path: str, *, start: int = 0, limit: int = 100, keyword: str | None = None
        ) -> DirPage:
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await preview_delete(Broken(), [ROOT], is_dir={ROOT: True})


async def test_with_real_client_on_mock_transport() -> None:
    """EfileClient fits the walk's protocol; pages follow start/limit."""
    tree = sample_tree()

    def handler(request: httpx.Request) -> httpx.Response:
        params = request.url.params
        path, start, limit = params["path"], int(params["start"]), int(params["limit"])
        entries = tree[path]
        return ok(
            {
                "path": path,
                "total": len(entries),
                "fileList": [e.to_api() for e in entries[start : start + limit]],
            }
        )

    rec = Recorder(handler)
    client = EfileClient(
        "https://efile.test/efile/", "tok", transport=rec.transport, sleep=no_sleep
    )
    async with client:
        result = await preview_delete(client, [ROOT], is_dir={ROOT: True}, page_size=2)
    assert result.complete and result.files == 6 and result.dirs == 8
    assert len(rec.requests) == 2 + 2 + 6  # proj and sub take two pages of 2


def test_human_size() -> None:
    assert human_size(0) == "0 B"
    assert human_size(1536) == "1.5 KiB"
    assert human_size(int(1.2 * 1024**3)) == "1.2 GiB"
