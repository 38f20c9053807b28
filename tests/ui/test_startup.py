"""Start-up: no garbage collection until the first frame, and never left off; the journal
read once the first frame is up, without collection."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from efile_tui.api.client import EfileClient
from efile_tui.cli import main
from efile_tui.core.operations import Context
from efile_tui.core.taskrow import Batch
from efile_tui.sim.config import SimConfig
from efile_tui.sim.server import SimServer
from efile_tui.store.audit import AuditLog
from efile_tui.store.journal import Journal, files
from efile_tui.ui.app import EfileApp
from efile_tui.ui.screens.main import FIRST_SCREEN, MainScreen
from tests.ui.harness import HOME, build_app, wait_until


@pytest.fixture
def collection_off() -> Iterator[None]:
    """Collection off, as ``efile-tui`` starts the TUI; always back on afterwards."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


async def test_collection_resumes_once_the_first_frame_is_up(
    tmp_path: Path, collection_off: None
) -> None:
    root = tmp_path / "root"
    root.mkdir()
    server = SimServer(SimConfig(root=root)).start()
    try:
        app = build_app(server.url, server.token, tmp_path)
        assert not gc.isenabled()
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_until(pilot, gc.isenabled, what="collection to resume")
    finally:
        server.stop()


def test_collection_is_back_on_when_the_tui_cannot_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Whatever ends ``efile-tui`` before its first frame, collection is on again."""

    def fails(**_settings: object) -> int:
        assert not gc.isenabled()  # started as the TUI starts
        raise RuntimeError("no terminal")

    monkeypatch.setattr("efile_tui.ui.launch.launch", fails)
    with pytest.raises(RuntimeError):
        main([])
    assert gc.isenabled()


async def test_the_journal_is_read_after_the_first_frame_and_without_collection(
    tmp_path: Path, collection_off: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As ``launch`` opens it: checked before the app starts, read in a thread once the
    first frame is up (a read that began earlier slowed that frame), and collection stays
    off until every row is made, however the app's and the main screen's reads overlap."""
    count = FIRST_SCREEN + 50  # the first screen is shown before the rest are made
    ids = [f"{i:08d}{'b' * 24}" for i in range(count)]
    with Journal(tmp_path / "journal") as journal:
        journal.add_ids(ids, profile=None, region=None)
    seen: list[tuple[str, bool, bool]] = []
    read, reload = files.load, Batch.reload.__func__

    def spy_read(folder: Path) -> files.Loaded:
        seen.append(("read", app.first_frame_up.is_set(), gc.isenabled()))
        return read(folder)

    def spy_reload(cls: type[Batch], *args: object) -> object:
        seen.append(("rows", app.first_frame_up.is_set(), gc.isenabled()))
        return reload(cls, *args)

    monkeypatch.setattr(files, "load", spy_read)
    monkeypatch.setattr(Batch, "reload", classmethod(spy_reload))
    root = tmp_path / "root"
    root.mkdir()
    server = SimServer(SimConfig(root=root)).start()
    try:
        journal = Journal(tmp_path / "journal", defer=True)
        audit = AuditLog(tmp_path / "audit")
        ctx = Context(EfileClient(server.url, server.token), journal, audit, None, None)
        app = EfileApp(ctx, endpoint="demo", home=HOME, state=(journal, audit))
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await wait_until(
                pilot, lambda: isinstance(app.screen, MainScreen) and app.screen
            )
            assert isinstance(screen, MainScreen)
            await wait_until(pilot, lambda: len(screen.view.rows) == count, what="every row")
            await wait_until(pilot, gc.isenabled, what="collection to resume")
        journal.close()
    finally:
        server.stop()
    assert seen == [("read", True, False), ("rows", True, False)]
