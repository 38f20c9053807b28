"""Start-up: no garbage collection until the first frame, and never left off."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from efile_tui.cli import main
from efile_tui.sim.config import SimConfig
from efile_tui.sim.server import SimServer
from tests.ui.harness import build_app, wait_until


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
