"""Snapshot tests of the main states at 60×15, 80×24 and 120×40 (fixed data, frozen clock),
plus one in ASCII mode, one in 16 colours, and the main screen and help in Chinese at 120×40
and 60×15."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from efile_tui import glyphs
from efile_tui.api.client import EfileClient
from efile_tui.core.operations import Context
from efile_tui.store.audit import AuditLog
from efile_tui.store.journal import Journal
from efile_tui.ui.app import EfileApp
from efile_tui.ui.modals.confirm_delete import ConfirmDeleteScreen
from tests.ui.harness import HOME, use_chinese, wait_until

IDS = [f"{i:x}" * 32 for i in range(1, 6)]
STATES = [
    ("processing", "alpha", 120, 400),
    ("waiting", "beta", 0, 250),
    ("complete", "gamma", 80, 80),
    ("fail", "delta", 3, 10),
    ("cancel", "epsilon", 40, 200),
]
TASKS = {
    tid: {
        "taskId": tid,
        "operationType": "delete",
        "status": status,
        "sourcePath": f"{HOME}/{name}",
        "totalNum": total,
        "processedNum": done,
        "totalSize": total * 1024,
        "processedSize": done * 1024,
        "submitTime": "2026-11-20 09:15:00",
        "updateTime": "2026-11-20 09:16:30",
        "errorCode": "911030" if status == "fail" else None,
        "errorMsg": "Permission denied" if status == "fail" else None,
    }
    for tid, (status, name, done, total) in zip(IDS, STATES, strict=True)
}
ENTRIES = [
    {
        "name": n,
        "path": f"{HOME}/{n}",
        "isDirectory": d,
        "size": s,
        "lastModifiedTime": "2026-11-19 18:00:00",
    }
    for n, d, s in [
        ("checkpoints", True, 4096),
        ("proj-climate", True, 4096),
        ("scratch", True, 4096),
        ("README.txt", False, 1234),
        ("results.tar", False, 734_003_200),
    ]
]


def handler(request: httpx.Request) -> httpx.Response:
    path = request.url.path
    if path.endswith("/file/list"):
        folder = request.url.params.get("path", HOME)
        entries = ENTRIES if folder in (HOME, HOME + "/") else []
        data: Any = {"total": len(entries), "path": folder, "fileList": entries}
    elif path.endswith("/task/list"):
        ids = json.loads(request.content)["taskIds"]
        data = [TASKS[t] for t in ids if t in TASKS]
    else:
        data = None
    return httpx.Response(200, json={"code": "0", "msg": "success", "data": data})


def make_app(tmp_path: Path, *, tasks: bool = True, ids: list[str] = IDS) -> EfileApp:
    journal = Journal(tmp_path / "journal", clock=lambda: 1_790_000_000.0)
    if tasks:
        journal.add_ids(ids, profile=None, region=None)
    client = EfileClient("https://efile.test", "t", transport=httpx.MockTransport(handler))
    ctx = Context(client=client, journal=journal, audit=AuditLog(tmp_path / "audit"))
    return EfileApp(ctx, endpoint="demo@simulated-region", home=HOME, interval=3600)


async def settle(pilot: Any) -> None:
    app = pilot.app
    main = app.main
    await wait_until(pilot, lambda: main.poll_count >= 1, what="first poll")
    await wait_until(
        pilot, lambda: main.path_pane.marking.known_entry(f"{HOME}/scratch"), what="listing"
    )
    status = main.status
    await wait_until(pilot, lambda: status.last_ok is not None, what="the header's first poll")
    status._now = lambda: status.last_ok  # "updated 0 s ago", whatever the machine's speed
    status._redraw()
    await pilot.pause()


SIZES = [(60, 15), (80, 24), (120, 40)]


@pytest.fixture(autouse=True)
def truecolour(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same colours whatever terminal runs the tests (the 16-colour test sets its own)."""
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("COLORTERM", "truecolor")
    monkeypatch.delenv("NO_COLOR", raising=False)


async def busy(pilot: Any) -> None:
    """Settled, with the task table focused and two tasks marked."""
    await settle(pilot)
    await pilot.press("tab", "space", "space")
    await pilot.pause(0.3)


@pytest.mark.parametrize("size", SIZES)
def test_main_busy(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(tmp_path), terminal_size=size, run_before=busy)


@pytest.mark.parametrize("size", SIZES)
def test_main_empty(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(tmp_path, tasks=False), terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", SIZES)
def test_cancel_confirmation(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("tab", "a")
        await pilot.pause(0.3)  # let the marked rows repaint before the modal dims them
        await pilot.press("c")
        app = pilot.app
        await wait_until(
            pilot,
            lambda: app.focused is not None and app.focused.id == "back",
            what="confirmation with focus on Back",
        )
        await pilot.pause()

    assert snap_compare(make_app(tmp_path), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_delete_confirmation(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        app = pilot.app
        pane = app.main.path_pane
        for name in ("README.txt", "results.tar"):
            pane.table.move_cursor(pane.table.get_row_index(f"{HOME}/{name}"))
            await pilot.press("space")
        await pilot.press("d")
        modal = await wait_until(
            pilot, lambda: isinstance(app.screen, ConfirmDeleteScreen) and app.screen
        )
        await wait_until(pilot, lambda: modal.preview_done, what="preview")  # type: ignore[union-attr]
        await pilot.pause()

    assert snap_compare(make_app(tmp_path), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("question_mark")
        app = pilot.app
        await wait_until(pilot, lambda: type(app.screen).__name__ == "HelpScreen", what="help")
        await pilot.pause()

    assert snap_compare(make_app(tmp_path), terminal_size=size, run_before=run_before)


def test_ascii_mode(snap_compare: Any, tmp_path: Path) -> None:
    saved = glyphs.current()
    glyphs.use(glyphs.ASCII)  # as on TERM=linux or a GB2312 output
    try:
        assert snap_compare(make_app(tmp_path), terminal_size=(80, 24), run_before=busy)
    finally:
        glyphs.use(saved)


def test_sixteen_colours(
    snap_compare: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TERM", "xterm")  # PuTTY's default: 16 colours
    monkeypatch.delenv("COLORTERM", raising=False)
    app = make_app(tmp_path)
    assert app.console.color_system == "standard"

    async def run_before(pilot: Any) -> None:
        await busy(pilot)
        assert pilot.app.theme == "efile-ansi"

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


CHINESE_SIZES = [(120, 40), (60, 15)]


@pytest.mark.parametrize("size", CHINESE_SIZES)
def test_chinese_main_busy(
    snap_compare: Any, tmp_path: Path, size: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    use_chinese(monkeypatch)
    assert snap_compare(make_app(tmp_path), terminal_size=size, run_before=busy)


@pytest.mark.parametrize("size", CHINESE_SIZES)
def test_chinese_help(
    snap_compare: Any, tmp_path: Path, size: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    use_chinese(monkeypatch)

    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("question_mark")
        app = pilot.app
        await wait_until(pilot, lambda: type(app.screen).__name__ == "HelpScreen", what="help")
        await pilot.pause()

    assert snap_compare(make_app(tmp_path), terminal_size=size, run_before=run_before)
