"""Task engine on a real temporary tree: delete, copy, move, cancel, retention, resume."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from efile_tui.sim.clock import SimClock
from efile_tui.sim.config import SimConfig
from efile_tui.sim.engine import Engine
from efile_tui.sim.fs import Sandbox

HOME = "/public/home/demo"
T0 = 1_750_000_000.0


def make_tree(base: Path, files: int = 30) -> None:
    for i in range(files):
        sub = base / f"d{i % 3}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"f{i:03d}.txt").write_text("x" * (i + 1))
    (base / "empty").mkdir(parents=True, exist_ok=True)


def count_files(path: Path) -> int:
    return sum(1 for p in path.rglob("*") if p.is_file())


async def wait_for(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.01)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    r = tmp_path / "home"
    r.mkdir()
    make_tree(r / "data")
    (r / "dest").mkdir()
    (r / "note.txt").write_text("hello")
    return r


def make_engine(root: Path, **kw: Any) -> Engine:
    config = SimConfig(root=root, files_per_second=10_000, **kw)
    return Engine(config, SimClock(frozen_at=T0), Sandbox(root, HOME))


@pytest.fixture
async def engine(root: Path) -> AsyncIterator[Engine]:
    eng = make_engine(root)
    eng.attach()
    yield eng
    await eng.detach()


def status(engine: Engine, task_id: str) -> str:
    task = engine.get(task_id)
    assert task is not None
    return task.status


async def run_one(engine: Engine, op: str, element: dict[str, Any]) -> dict[str, Any]:
    answer = engine.submit(op, [element])
    task_id = answer["fileOperTasks"][0]["taskId"]
    await wait_for(lambda: status(engine, task_id) in ("complete", "fail", "cancel"))
    return engine.list_tasks([task_id])[0]


async def test_delete_folder_async(engine: Engine, root: Path) -> None:
    answer = engine.submit("delete", [{"sourcePath": f"{HOME}/data"}])
    assert answer["execResult"] == "asyncSubmitSuccess"
    assert answer["fileOperDuplicateFileVos"] is None
    task = answer["fileOperTasks"][0]
    assert task["status"] == "waiting" and task["synchronousExecution"] is False
    assert task["totalNum"] == 30 and task["totalSize"] == sum(range(1, 31))
    assert task["targetPath"] is None and task["duplicateHandleType"] is None
    assert len(task["taskId"]) == 32 and int(task["taskId"], 16) >= 0
    await wait_for(lambda: status(engine, task["taskId"]) == "complete")
    done = engine.list_tasks([task["taskId"]])[0]
    assert done["processedNum"] == 30 and done["progress"] == "100%"
    assert not (root / "data").exists()
    assert (root / "note.txt").exists()


def test_task_json_has_every_documented_field(root: Path) -> None:
    engine = make_engine(root)
    task = engine.submit("delete", [{"sourcePath": f"{HOME}/note.txt"}])["fileOperTasks"][0]
    assert list(task) == [
        "sourcePath", "targetPath", "duplicateHandleType", "clusterId", "clusterName",
        "taskId", "userId", "userName", "clusterUserName", "operationType",
        "synchronousExecution", "status", "errorCode", "errorMsg", "totalSize", "totalNum",
        "processedSize", "processedNum", "progress", "submitTime", "startTime", "updateTime",
    ]  # fmt: skip
    assert task["submitTime"] == time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(T0))


def test_small_delete_runs_synchronously(root: Path) -> None:
    engine = make_engine(root)  # never attached: nothing may need a worker
    answer = engine.submit("delete", [{"sourcePath": f"{HOME}/note.txt"}])
    task = answer["fileOperTasks"][0]
    assert answer["execResult"] == "syncExecSuccess"
    assert task["synchronousExecution"] is True and task["status"] == "complete"
    assert task["totalNum"] == 1 and task["processedNum"] == 1 and task["progress"] is None
    assert not (root / "note.txt").exists()


def test_bad_elements_fail_individually(root: Path) -> None:
    engine = make_engine(root, sync_threshold=0)
    answer = engine.submit(
        "delete",
        [
            {"sourcePath": "relative/path"},
            {},
            "not-an-object",
            {"sourcePath": f"{HOME}/missing"},
            {"sourcePath": "/etc/passwd"},
            {"sourcePath": f"{HOME}/bad\nname"},
            {"sourcePath": HOME},
            {"sourcePath": f"{HOME}/note.txt"},
        ],
    )
    tasks = answer["fileOperTasks"]
    codes = [t["errorCode"] for t in tasks]
    assert codes == ["10004", "10003", "10004", "911020", "911030", "911029", "911030", None]
    assert [t["status"] for t in tasks][:-1] == ["fail"] * 7
    assert tasks[-1]["status"] == "waiting"
    assert answer["execResult"] == "asyncSubmitSuccess"
    assert all(t["errorMsg"] for t in tasks[:-1])
    assert len(engine.list_tasks([t["taskId"] for t in tasks])) == 8  # failures remembered


def test_sync_batch_with_error(root: Path) -> None:
    engine = make_engine(root)
    answer = engine.submit(
        "delete", [{"sourcePath": f"{HOME}/note.txt"}, {"sourcePath": f"{HOME}/nope"}]
    )
    assert answer["execResult"] == "syncExecHasError"


async def test_copy_folder_and_duplicates(engine: Engine, root: Path) -> None:
    element = {"sourcePath": f"{HOME}/data", "targetPath": f"{HOME}/dest"}
    task = await run_one(engine, "copy", element)
    assert task["status"] == "complete" and task["operationType"] == "copy"
    assert task["targetPath"] == f"{HOME}/dest"
    assert count_files(root / "dest" / "data") == 30
    assert count_files(root / "data") == 30
    assert (root / "dest" / "data" / "empty").is_dir()

    again = engine.submit("copy", [element])["fileOperTasks"][0]
    assert again["status"] == "fail" and again["errorCode"] == "911021"

    both = await run_one(engine, "copy", {**element, "duplicateHandleType": "both"})
    assert both["status"] == "complete" and both["duplicateHandleType"] == "both"
    assert count_files(root / "dest" / "data(1)") == 30

    (root / "dest" / "data" / "d0" / "f000.txt").write_text("changed")
    cover = await run_one(engine, "copy", {**element, "duplicateHandleType": "cover"})
    assert cover["status"] == "complete"
    assert (root / "dest" / "data" / "d0" / "f000.txt").read_text() == "x"


def test_keep_both_file_name(root: Path) -> None:
    engine = make_engine(root)
    (root / "dest" / "note.txt").write_text("old")
    element = {
        "sourcePath": f"{HOME}/note.txt",
        "targetPath": f"{HOME}/dest",
        "duplicateHandleType": "both",
    }
    engine.submit("copy", [element])
    engine.submit("copy", [element])
    assert sorted(p.name for p in (root / "dest").iterdir()) == [
        "note(1).txt",
        "note(2).txt",
        "note.txt",
    ]


def test_copy_target_errors(root: Path) -> None:
    engine = make_engine(root)

    def code(element: dict[str, Any]) -> str | None:
        task = engine.submit("copy", [element])["fileOperTasks"][0]
        return task["errorCode"]

    src = f"{HOME}/data"
    assert code({"sourcePath": src, "targetPath": f"{HOME}/nowhere"}) == "911020"
    assert code({"sourcePath": src, "targetPath": f"{HOME}/note.txt"}) == "911022"
    assert code({"sourcePath": src, "targetPath": f"{HOME}/data/d0"}) == "911507"
    assert code({"sourcePath": src, "targetPath": src}) == "911507"
    assert code({"sourcePath": src}) == "10003"
    assert code({"sourcePath": src, "targetPath": HOME, "duplicateHandleType": "x"}) == "10004"
    assert code({"sourcePath": src, "targetPath": HOME, "duplicateHandleType": "cover"}) == (
        "911507"
    )


async def test_large_file_copy_runs_async(engine: Engine, root: Path) -> None:
    big = root / "big.bin"
    with open(big, "wb") as fh:
        fh.truncate(9 * 2**20)
        fh.seek(5 * 2**20)
        fh.write(b"marker")
    element = {"sourcePath": f"{HOME}/big.bin", "targetPath": f"{HOME}/dest"}
    answer = engine.submit("copy", [element])
    assert answer["execResult"] == "asyncSubmitSuccess"
    task_id = answer["fileOperTasks"][0]["taskId"]
    await wait_for(lambda: status(engine, task_id) == "complete")
    copied = (root / "dest" / "big.bin").read_bytes()
    assert len(copied) == 9 * 2**20 and copied[5 * 2**20 : 5 * 2**20 + 6] == b"marker"
    assert engine.list_tasks([task_id])[0]["processedSize"] == 9 * 2**20


async def test_move_folder(engine: Engine, root: Path) -> None:
    task = await run_one(
        engine, "move", {"sourcePath": f"{HOME}/data", "targetPath": f"{HOME}/dest"}
    )
    assert task["status"] == "complete" and task["processedNum"] == 30
    assert not (root / "data").exists()
    assert count_files(root / "dest" / "data") == 30
    assert (root / "dest" / "data" / "empty").is_dir()


async def test_cancel_mid_way_keeps_done_work(root: Path) -> None:
    engine = make_engine(root)
    engine.config.files_per_second = 100
    engine.attach()
    try:
        task_id = engine.submit("delete", [{"sourcePath": f"{HOME}/data"}])["fileOperTasks"][0][
            "taskId"
        ]
        await wait_for(lambda: (engine.get(task_id) or pytest.fail()).processed_num >= 3)
        result = engine.cancel([task_id, task_id, "0" * 32])
        assert result[0] == {"taskId": task_id, "result": True, "status": "cancel"}
        assert result[1] == {"taskId": task_id, "result": False, "status": "cancel"}
        assert result[2] == {"taskId": "0" * 32, "result": False, "status": None}
        await asyncio.sleep(0.1)  # the worker would have deleted ~10 more files by now
        task = engine.list_tasks([task_id])[0]
        assert task["status"] == "cancel"
        remaining = count_files(root / "data")
        assert 0 < remaining <= 30 - 3
        assert task["processedNum"] + remaining == 30
    finally:
        await engine.detach()


async def test_cancel_waiting_task(root: Path) -> None:
    engine = make_engine(root, sync_threshold=0)  # not attached: tasks stay waiting
    task_id = engine.submit("delete", [{"sourcePath": f"{HOME}/note.txt"}])["fileOperTasks"][0][
        "taskId"
    ]
    assert engine.cancel([task_id])[0]["result"] is True
    engine.attach()
    await asyncio.sleep(0.05)
    await engine.detach()
    assert (root / "note.txt").exists()


async def test_cancel_finished_task_is_refused(engine: Engine) -> None:
    task = engine.submit("delete", [{"sourcePath": f"{HOME}/note.txt"}])["fileOperTasks"][0]
    assert engine.cancel([task["taskId"]]) == [
        {"taskId": task["taskId"], "result": False, "status": "complete"}
    ]


async def test_detach_and_attach_resumes(root: Path) -> None:
    engine = make_engine(root)
    engine.config.files_per_second = 100
    engine.attach()
    task_id = engine.submit("delete", [{"sourcePath": f"{HOME}/data"}])["fileOperTasks"][0][
        "taskId"
    ]
    await wait_for(lambda: (engine.get(task_id) or pytest.fail()).processed_num >= 2)
    await engine.detach()
    paused = engine.get(task_id)
    assert paused is not None and paused.status == "processing"
    engine.config.files_per_second = 10_000
    engine.attach()
    try:
        await wait_for(lambda: status(engine, task_id) == "complete")
    finally:
        await engine.detach()
    assert not (root / "data").exists()


def test_retention_purge(root: Path) -> None:
    engine = make_engine(root)
    task_id = engine.submit("delete", [{"sourcePath": f"{HOME}/note.txt"}])["fileOperTasks"][0][
        "taskId"
    ]
    engine.clock.advance(86399)
    assert len(engine.list_tasks([task_id])) == 1
    engine.clock.advance(2)
    assert engine.list_tasks([task_id]) == []
    assert engine.cancel([task_id]) == [{"taskId": task_id, "result": False, "status": None}]


def test_many_remembered_tasks_stay_fast(root: Path) -> None:
    engine = make_engine(root, sync_threshold=0)
    ids: list[str] = []
    for _ in range(20):  # 20 batches of 500 = 10,000 waiting tasks
        answer = engine.submit("delete", [{"sourcePath": f"{HOME}/note.txt"}] * 500)
        ids.extend(t["taskId"] for t in answer["fileOperTasks"])
    started = time.perf_counter()
    for n in range(0, len(ids), 500):
        assert len(engine.list_tasks(ids[n : n + 500])) == 500
    assert time.perf_counter() - started < 1.0
    assert engine.counts() == {"waiting": 10_000}


async def test_symlink_is_deleted_not_followed(engine: Engine, root: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("keep")
    (root / "data" / "link").symlink_to(outside)
    task = await run_one(engine, "delete", {"sourcePath": f"{HOME}/data"})
    assert task["status"] == "complete"
    assert (outside / "keep.txt").read_text() == "keep"
