"""Staleness in words: the header keeps a stale marker and its reason at every width and
without colour; the first stale period of a session is told once (kept in ``N``)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from efile_tui.api.http import RetryPolicy
from efile_tui.sim.config import SimConfig
from efile_tui.sim.server import SimServer
from efile_tui.ui.widgets.status_bar import Part, fit_parts
from tests.ui.harness import build_app, wait_until
from tests.ui.test_hostile_text import screen_text
from tests.ui.test_main_screen import make_tree, submit_folders


@pytest.fixture
def server(tmp_path: Path):  # type: ignore[no-untyped-def]
    root = tmp_path / "root"
    make_tree(root, {"alpha": 400})
    srv = SimServer(SimConfig(root=root, files_per_second=5)).start()
    yield srv
    srv.stop()


def header(app: Any) -> str:
    status = app.main.status
    status._redraw()
    return str(status.render())


async def stale_after(pilot: Any, app: Any, seconds: float) -> None:
    """The header's clock moved on ``seconds`` past the last good poll."""
    status = app.main.status
    last = status.last_ok or time.monotonic()
    status._now = lambda: last + seconds
    await pilot.pause()


@pytest.mark.parametrize("size", [(60, 15), (80, 24), (120, 40)])
async def test_a_hung_service_shows_stale_with_its_reason_at_every_width(
    server: SimServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = build_app(server.url, server.token, tmp_path, interval=0.2)
    await submit_folders(app, ["alpha"])
    async with app.run_test(size=size) as pilot:
        assert app.no_color
        status = app.main.status
        await wait_until(pilot, lambda: status.last_ok is not None, what="first poll")
        server.faults.latency = 30.0  # the service stops answering; a poll hangs
        await wait_until(pilot, lambda: app.main.poller.in_flight, what="a hung poll")
        await stale_after(pilot, app, 40)
        line = header(app)
        assert line.startswith("STALE: no answer for 40 s"), line
        assert len(line) <= size[0] - 2
        if size[0] >= 120:
            assert "▶1" in line and "poll 0.2 s" in line  # room for everything
        notes = [n for n in app.notes if "no answer" in n.title]
        assert len(notes) == 1 and notes[0].severity == "warning"
        assert "last answer" in notes[0].message
        await stale_after(pilot, app, 80)
        assert header(app).startswith("STALE: no answer for 1 min")
        assert len([n for n in app.notes if "no answer" in n.title]) == 1  # told once
        server.faults.latency = 0.0


async def test_each_reason_in_words(server: SimServer, tmp_path: Path) -> None:
    app = build_app(server.url, server.token, tmp_path, interval=0.2, retry=RetryPolicy(attempts=1))
    await submit_folders(app, ["alpha"])
    async with app.run_test(size=(60, 15)) as pilot:
        main = app.main
        status = main.status
        await wait_until(pilot, lambda: status.last_ok is not None, what="first poll")
        server.stop()
        await wait_until(pilot, lambda: status.reason == "refused", what="refused")
        await stale_after(pilot, app, 40)
        assert header(app).startswith("STALE: refused")
        # The retry is counted down, then said to be under way (never a stale countdown).
        await pilot.resize_terminal(120, 40)  # room for the error's details
        status._now = lambda: status.retry_at - 1.5
        assert "Service unreachable; retry in 2 s" in header(app), header(app)
        status._now = lambda: status.retry_at + 5
        assert "Service unreachable; retrying" in header(app), header(app)
        status._now = time.monotonic
        await pilot.resize_terminal(60, 15)
        server.start()
        await wait_until(pilot, lambda: not status.reason, timeout=20, what="recovery")
        status._now = time.monotonic
        await wait_until(pilot, lambda: not status.marker, what="fresh again")
        assert "STALE" not in header(app) and "stale" not in header(app)
        server.state.tokens.expire_all()
        await wait_until(pilot, lambda: status.reason == "token rejected", what="rejected")
        await stale_after(pilot, app, 40)
        assert header(app).startswith("STALE: token rejected")


async def test_a_request_that_times_out_is_a_reason(server: SimServer, tmp_path: Path) -> None:
    app = build_app(
        server.url,
        server.token,
        tmp_path,
        interval=0.2,
        retry=RetryPolicy(attempts=1),
        deadline=0.5,
    )
    await submit_folders(app, ["alpha"])
    server.faults.latency = 2.0
    async with app.run_test(size=(60, 15)) as pilot:
        status = app.main.status
        await wait_until(pilot, lambda: status.reason == "timed out", what="a timeout")
        assert header(app).startswith("STALE: timed out")  # no good answer yet: stale at once
        server.faults.latency = 0.0


async def test_the_vanished_count_outlasts_the_endpoint_and_the_interval(
    server: SimServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stale at 60 and 80 columns without colour: the marker and its reason stay, and the
    counts that need a look (running, waiting, failed, vanished) outlast the endpoint and
    the poll interval; the counts of ended tasks (done, cancelled) give way first."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = build_app(server.url, server.token, tmp_path, interval=0.2)
    await submit_folders(app, ["alpha"])
    # An imported id the service never knew: vanished at its first answer.
    app.ctx.journal.add_ids(["0123456789abcdef0123456789abcdef"], profile=None, region=None)
    async with app.run_test(size=(60, 15)) as pilot:
        status = app.main.status
        await wait_until(pilot, lambda: status.counts.get("vanished") == 1, what="vanished")
        server.faults.latency = 30.0
        await wait_until(pilot, lambda: app.main.poller.in_flight, what="a hung poll")
        await stale_after(pilot, app, 40)
        line = header(app)
        assert line == "STALE: no answer for 40 s · updated 40 s ago · ▶1 …0 ✗0 ∅1", line
        await pilot.pause()
        assert line in screen_text(app)  # all of it on screen, uncropped
        await pilot.resize_terminal(80, 24)
        line = header(app)
        assert line.startswith("STALE: no answer for 40 s · updated 40 s ago · ▶1 …0 ✓0 ✗0")
        assert "∅1" in line and "demo@simulated-region" not in line, line
        server.faults.latency = 0.0


def test_the_marker_stays_and_counts_go_first() -> None:
    marker = "STALE: no answer for 40 s"
    parts = [
        Part(marker, 0),
        Part("demo@simulated-region", 3),
        Part("updated 40 s ago", 2),
        Part("▶1 …2 ✓3 ✗0 ⊘0", 5, by_word=True),
        Part("poll 2 s", 6),
    ]
    for width in range(len(marker), 120):
        line = fit_parts(parts, " · ", width)
        assert line.startswith(marker) and len(line) <= width
    assert fit_parts(parts, " · ", 60) == f"{marker} · updated 40 s ago · ▶1 …2 ✓3 ✗0"
    wide = fit_parts(parts, " · ", 80)
    assert wide == f"{marker} · demo@simulated-region · updated 40 s ago · ▶1 …2 ✓3"
    assert fit_parts(parts, " · ", 30) == f"{marker} · ▶1"  # whole counts still fit
    assert fit_parts(parts, " · ", 10) == marker  # kept whole even when it alone is wider


async def test_the_first_frame_has_the_header_line(
    server: SimServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The line is made on mount, before the first layout gives the bar its size: at the
    screen's width, so the first frame shows it instead of a blank bar."""
    from efile_tui.ui.screens.main import MainScreen

    seen: list[tuple[int, str]] = []
    mount = MainScreen.on_mount

    def on_mount(self: MainScreen) -> None:
        mount(self)
        seen.append((self.status.size.width, str(self.status.render())))

    monkeypatch.setattr(MainScreen, "on_mount", on_mount)
    app = build_app(server.url, server.token, tmp_path, interval=2)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: seen, what="the main screen's mount")
    ((width, line),) = seen
    assert width == 0  # not laid out yet
    assert line == "demo@simulated-region · connecting… · ▶0 …0 ✓0 ✗0 ⊘0 · poll 2 s"
