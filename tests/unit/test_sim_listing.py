"""Directory listing: paging, ordering, keyword filter, children, errors and speed."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from efile_tui.sim.errors import SimError
from efile_tui.sim.fs import Sandbox
from efile_tui.sim.listing import Lister

HOME = "/public/home/demo"


@pytest.fixture
def lister(tmp_path: Path) -> Lister:
    root = tmp_path / "root"
    root.mkdir()
    for name in ("beta", "Alpha", "gamma"):
        (root / name).mkdir()
    for n, name in enumerate(("b.txt", "a.log", "C.dat", "d-alpha.txt")):
        path = root / name
        path.write_bytes(b"x" * (10 * (4 - n)))
        os.utime(path, (1_700_000_000 + n, 1_700_000_000 + n))
    return Lister(Sandbox(root, HOME), "demo")


def names(data: dict[str, Any]) -> list[str]:
    return [item["name"] for item in data["fileList"]]


def test_default_order_dirs_first_then_name(lister: Lister) -> None:
    data = lister.page({"limit": "100"})
    assert names(data) == ["Alpha", "beta", "gamma", "a.log", "b.txt", "C.dat", "d-alpha.txt"]
    assert data["total"] == 7 and data["path"] == HOME and data["shareEnabled"] is False
    assert [c["label"] for c in data["children"]] == ["Alpha", "beta", "gamma"]
    assert data["children"][0] == {"id": f"{HOME}/Alpha", "label": "Alpha", "path": f"{HOME}/Alpha"}


def test_paging_and_default_limit(lister: Lister) -> None:
    assert len(lister.page({})["fileList"]) == 7  # default limit 10
    page = lister.page({"start": "2", "limit": "2"})
    assert names(page) == ["gamma", "a.log"] and page["total"] == 7
    assert lister.page({"start": "50"})["fileList"] == []


def test_order_by_size_and_time(lister: Lister) -> None:
    by_size = lister.page({"orderBy": "size", "order": "desc", "limit": "100"})
    assert names(by_size)[3:] == ["b.txt", "a.log", "C.dat", "d-alpha.txt"]
    by_time = lister.page({"orderBy": "lastModifiedTime", "limit": "100"})
    assert names(by_time)[3:] == ["b.txt", "a.log", "C.dat", "d-alpha.txt"]


def test_keyword_filter_case_insensitive(lister: Lister) -> None:
    data = lister.page({"keyWord": "ALPHA"})
    assert names(data) == ["Alpha", "d-alpha.txt"] and data["total"] == 2
    assert data["keyWord"] == "ALPHA"
    assert names(lister.page({"keyword": "log"})) == ["a.log"]


def test_item_fields(lister: Lister) -> None:
    items = {i["name"]: i for i in lister.page({"limit": "100"})["fileList"]}
    d, f = items["beta"], items["b.txt"]
    assert d["type"] == "dir" and d["isDirectory"] and d["size"] == 4096
    assert f["type"] == "file" and f["isRegularFile"] and f["size"] == 40
    assert f["path"] == f"{HOME}/b.txt" and len(f["permission"]) == 9
    assert f["lastModifiedTime"] == time.strftime(
        "%Y-%m-%d %H:%M:%S", time.localtime(1_700_000_000)
    )
    assert set(f["permissionAction"]) == {"read", "write", "execute", "allowed"}
    assert isinstance(f["fileKey"], str)


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"start": "-1"}, "10004"),
        ({"limit": "0"}, "10004"),
        ({"limit": "abc"}, "10004"),
        ({"orderBy": "colour"}, "10004"),
        ({"order": "up"}, "10004"),
        ({"path": f"{HOME}/missing"}, "911020"),
        ({"path": f"{HOME}/b.txt"}, "911022"),
        ({"path": "/etc"}, "911030"),
    ],
)
def test_errors(lister: Lister, params: dict[str, str], code: str) -> None:
    with pytest.raises(SimError) as info:
        lister.page(params)
    assert info.value.code == code


def test_sees_changes_right_away(lister: Lister) -> None:
    assert lister.page({})["total"] == 7
    (lister.sandbox.root / "new.txt").write_text("n")
    assert lister.page({})["total"] == 8
    (lister.sandbox.root / "new.txt").unlink()
    assert lister.page({})["total"] == 7


def _fill(directory: Path, wanted: int, budget: float) -> int:
    """Create 20,000 empty files, then more up to ``wanted`` while within ``budget`` s."""
    flags = os.O_CREAT | os.O_WRONLY
    deadline = time.monotonic() + budget
    for n in range(wanted):
        os.close(os.open(directory / f"file-{n:06d}.dat", flags, 0o644))
        if n >= 20_000 and n % 1000 == 999 and time.monotonic() > deadline:
            return n + 1
    return wanted


@pytest.fixture
def huge_root(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "root"
    yield root
    shutil.rmtree(root, ignore_errors=True)  # do not leave 100k files behind


def test_huge_folder_pages_fast(huge_root: Path) -> None:
    root = huge_root
    big = root / "big"
    big.mkdir(parents=True)
    count = _fill(big, 100_000, budget=2.5)
    (big / "sub").mkdir()
    lister = Lister(Sandbox(root, HOME), "demo")
    time.sleep(0.25)  # let the directory's mtime age so the sorted view is cacheable
    started = time.perf_counter()
    first = lister.page({"path": f"{HOME}/big", "limit": "100"})
    first_time = time.perf_counter() - started
    assert first["total"] == count + 1 and len(first["fileList"]) == 100
    assert names(first)[:2] == ["sub", "file-000000.dat"]
    assert first_time < 0.5, first_time
    started = time.perf_counter()
    for start in range(100, 2100, 100):
        page = lister.page({"path": f"{HOME}/big", "start": str(start), "limit": "100"})
        assert len(page["fileList"]) == 100
    per_page = (time.perf_counter() - started) / 20
    assert per_page < 0.05, per_page
