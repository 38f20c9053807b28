"""The audit log: event shape, exit status, no credentials, concurrent appends, bad lines."""

from __future__ import annotations

import itertools
import json
import multiprocessing
import stat
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from efile_tui.api.models import (
    CancelResult,
    Operation,
    SubmitItem,
    SubmitOutcome,
    Task,
    TaskStatus,
)
from efile_tui.store.audit import AuditLog, exit_status
from efile_tui.store.journal import Journal

PER_WORKER = 1000  # enough that the two writers really overlap
FAKE_TOKEN = "tok-3f9a1c77e2b54d0e9c1a-NEVER-WRITE-ME"


def outcomes() -> list[SubmitOutcome]:
    a, b, c = SubmitItem("/a"), SubmitItem("/b", "/dst", "both"), SubmitItem("/c")
    return [
        SubmitOutcome(a, task=Task("t-a", Operation.COPY, TaskStatus.WAITING)),
        SubmitOutcome(b, error="read timed out", unknown=True),
        SubmitOutcome(c, error="no such file", error_code="10011"),
    ]


def test_record_submit_writes_one_event(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "state" / "audit")
    event = log.record_submit(Operation.COPY, outcomes(), profile="p", region="r1")
    assert event["event"] == "submit" and event["operation"] == "copy"
    assert event["count"] == 3 and event["exit"] == "partial"
    assert event["profile"] == "p" and event["region"] == "r1" and "note" not in event
    assert datetime.fromisoformat(event["time"]).tzinfo is not None
    first, second, third = event["items"]
    assert first == {
        "path": "/a",
        "answer": {"taskId": "t-a", "status": "waiting", "errorCode": None, "errorMsg": None},
    }
    assert second["target"] == "/dst" and second["conflict"] == "both"
    assert second["answer"]["outcomeUnknown"] is True
    assert third["answer"] == {
        "outcomeUnknown": False,
        "errorCode": "10011",
        "errorMsg": "no such file",
    }
    assert log.read() == [event]
    assert stat.S_IMODE((log.path / "0000001.log").stat().st_mode) == 0o600
    assert stat.S_IMODE(log.path.stat().st_mode) == 0o700
    assert stat.S_IMODE(log.path.parent.stat().st_mode) == 0o700


def test_record_cancel(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit")
    results = [
        CancelResult("t1", True, TaskStatus.CANCEL),
        CancelResult("t2", False, TaskStatus.COMPLETE),
    ]
    event = log.record_cancel(results, profile="p", region=None, note="from the TUI")
    assert event["event"] == "cancel" and event["exit"] == "partial" and event["count"] == 2
    assert event["note"] == "from the TUI"
    assert event["items"][0] == {
        "taskId": "t1",
        "answer": {"taskId": "t1", "result": True, "status": "cancel", "verdict": "cancelled"},
    }
    assert event["items"][1]["answer"]["verdict"] == "already complete"
    ok = log.record_cancel([results[0]], profile="p", region=None)
    assert ok["exit"] == "ok"
    assert [e["exit"] for e in log.read()] == ["partial", "ok"]


def test_exit_status() -> None:
    assert exit_status(2, 0, 0) == "ok"
    assert exit_status(0, 2, 0) == "failed"
    assert exit_status(0, 0, 2) == "unknown"
    assert exit_status(1, 1, 0) == "partial"
    assert exit_status(0, 1, 1) == "partial"
    assert exit_status(0, 0, 0) == "ok"


def test_generic_record_and_limit(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit")
    assert log.read() == []  # no file yet
    for n in range(5):
        log.record("import", profile="p", count=n, items=[{"taskId": f"t{n}"}])
    log.record("login", profile="p", region="r1", operation=Operation.DELETE)
    events = log.read()
    assert [e["event"] for e in events] == ["import"] * 5 + ["login"]
    assert events[-1]["operation"] == "delete"
    assert [e.get("count") for e in log.read(limit=3)] == [3, 4, None]
    assert log.read(limit=0) == []
    with pytest.raises(ValueError):
        log.record("login", time="yesterday")
    with pytest.raises(TypeError):
        log.record("login", what=object())


@pytest.mark.parametrize(
    "fields",
    [
        {"token": "x"},
        {"Token": "x"},
        {"items": [{"answer": {"accessToken": "x"}}]},
        {"note": {"nested": {"PASSWORD": "x"}}},
        {"client_secret": "x"},
    ],
)
def test_record_refuses_credential_fields(tmp_path: Path, fields: dict[str, Any]) -> None:
    log = AuditLog(tmp_path / "audit")
    with pytest.raises(ValueError, match="credential"):
        log.record("login", **fields)
    assert log.read() == []


def test_token_never_reaches_the_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EFILE_TOKEN", FAKE_TOKEN)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    state = tmp_path / "xdg" / "efile-tui"
    log = AuditLog()
    with Journal() as journal:
        batch = outcomes()
        ids = journal.begin_submit(
            Operation.COPY, [o.item for o in batch], profile="p", region="r1"
        )
        journal.finish_submit(ids, batch)
        journal.add_ids(["t-imported"], profile="p", region="r1")
        journal.record_tasks([Task("t-a", Operation.COPY, TaskStatus.COMPLETE)])
        log.record_submit(Operation.COPY, batch, profile="p", region="r1")
        log.record_cancel(
            [CancelResult("t-a", False, TaskStatus.COMPLETE)], profile="p", region="r1"
        )
        log.record("login", profile="p", region="r1")
    with pytest.raises(ValueError):
        log.record("login", token=FAKE_TOKEN)
    files = sorted(p.name for p in state.iterdir())
    assert files == ["audit", "journal"]
    written = [p for p in state.rglob("*") if p.is_file()]
    assert len(written) >= 2
    for path in written:
        assert FAKE_TOKEN.encode() not in path.read_bytes(), path


def _append_many(path: str, worker: int, count: int, start: Any) -> None:
    start.wait(30)
    log = AuditLog(Path(path))
    for n in range(count):
        # Long lines make a torn or interleaved write easy to spot.
        log.record("import", worker=worker, n=n, items=[{"taskId": "x" * 2000 + str(n)}])


def test_two_processes_append_without_interleaving(tmp_path: Path) -> None:
    path = tmp_path / "audit"
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(2)
    procs = [
        ctx.Process(target=_append_many, args=(str(path), worker, PER_WORKER, start))
        for worker in range(2)
    ]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(timeout=60)
        assert proc.exitcode == 0
    files = sorted(path.iterdir())
    assert [p.name for p in files] == ["0000001.log", "0000002.log"]  # one file per writer
    for file in files:
        lines = file.read_bytes().split(b"\n")
        assert lines[-1] == b""
        assert all(json.loads(line) for line in lines[:-1])
    log = AuditLog(path)
    parsed = log.read()
    assert len(parsed) == 2 * PER_WORKER and log.skipped_lines == 0
    switches = sum(a["worker"] != b["worker"] for a, b in itertools.pairwise(parsed))
    assert switches >= 2  # the two really wrote at the same time, and reads merge by time
    for worker in range(2):
        assert [e["n"] for e in parsed if e["worker"] == worker] == list(range(PER_WORKER))


def test_read_skips_garbage_and_survives_a_torn_line(tmp_path: Path) -> None:
    path = tmp_path / "audit"
    log = AuditLog(path)
    log.record("login", profile="p")
    with (path / "0000001.log").open("ab") as handle:
        handle.write(b"not json at all\n[1, 2]\n\xff\xfe\n")
        handle.write(
            b'{"time": "torn',
        )  # a writer killed mid-line: no newline
    log.record("logout", profile="p")
    events = log.read()
    assert [e["event"] for e in events] == ["login", "logout"]
    assert log.skipped_lines == 4
