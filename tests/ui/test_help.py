"""``?`` shows every binding of every pane and dialog with its whole description, wrapped to
the screen and scrollable, at 80x24 and 120x40."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.containers import VerticalScroll

from efile_tui.ui.keys import sections
from efile_tui.ui.modals.help import HelpScreen
from tests.ui.harness import wait_until
from tests.ui.test_snapshots import make_app, settle


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_help_shows_every_key_and_whole_description(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        screen = await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen) and app.screen)
        assert isinstance(screen, HelpScreen)
        await wait_until(pilot, lambda: screen.text, what="help laid out")
        lines = screen.text.splitlines()
        assert all(len(line) <= size[0] for line in lines)
        # Each key starts a line; its description follows, wrapped over the lines below.
        flat = " ".join(" ".join(lines).split())
        for name, rows in sections():
            assert name in lines
            for keys, what in rows:
                assert any(line.startswith(keys) for line in lines), keys
                assert f"{keys} {what}" in flat or what in flat, (keys, what)
        for every in ("y Copy path", "end/^end Last", "esc Back (cancel, label, import ids"):
            assert every in flat, every
        assert "label: since: until:" in flat  # a wrapped description, whole
        body = screen.query_one("#help-body", VerticalScroll)
        assert body.max_scroll_y > 0  # longer than the screen: it scrolls
        await pilot.press("end")
        await wait_until(pilot, lambda: body.scroll_y == body.max_scroll_y, what="scrolled")
