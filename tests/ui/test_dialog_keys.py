"""Every dialog shows its own keys on the bottom line, never the Tasks pane's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Button

from efile_tui.ui.modals.login import LoginScreen
from efile_tui.ui.widgets.keybar import KeyBar
from tests.ui.harness import HOME, wait_until
from tests.ui.test_snapshots import IDS, make_app, settle

PANE_KEYS = ("Cancel tasks", "Mark all", "Status filter", "Switch pane", "Delete")


async def on_task(pilot: Any, key: str) -> None:
    await pilot.press("tab")
    table = pilot.app.main.table
    table.move_cursor(table.get_row_index(IDS[0]))
    await pilot.press(key)


async def on_path(pilot: Any, key: str) -> None:
    pane = pilot.app.main.path_pane
    pane.table.move_cursor(pane.table.get_row_index(f"{HOME}/scratch"))
    await pilot.press(key)


async def login(pilot: Any, _key: str) -> None:
    async def attempt(_request: Any) -> Any:
        return None

    pilot.app.push_screen(LoginScreen(attempt, platform_url="https://x", user="u", org_id="o"))


# The dialog, how it is opened, and the keys its bottom line must show.
DIALOGS = [
    ("LabelScreen", on_task, "l", ["esc Back"]),
    ("TextScreen", on_task, "enter", ["esc Close", "y Copy"]),
    ("ConfirmCancelScreen", on_task, "c", ["esc Back"]),
    ("ImportIdsScreen", on_path, "I", ["esc Back"]),
    ("ConfirmDeleteScreen", on_path, "d", ["esc Cancel"]),
    ("TransferScreen", on_path, "C", ["esc Cancel"]),
    ("NotificationsScreen", on_path, "N", ["esc Close"]),
    ("LogScreen", on_path, "L", ["esc Back"]),
    ("HelpScreen", on_path, "question_mark", ["esc Close"]),
    ("LoginScreen", login, "", ["esc Back"]),
]


@pytest.mark.parametrize(("name", "opener", "key", "shown"), DIALOGS, ids=[d[0] for d in DIALOGS])
async def test_each_dialog_shows_its_own_keys(
    tmp_path: Path, name: str, opener: Any, key: str, shown: list[str]
) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await opener(pilot, key)
        screen = await wait_until(
            pilot, lambda: type(app.screen).__name__ == name and app.screen, what=name
        )
        await pilot.pause()
        bar = screen.query_one(KeyBar)  # type: ignore[union-attr]
        assert bar.region.y == 23 and bar.region.width == 80  # the bottom line, over the main one
        line = str(bar.render())
        for entry in shown:
            assert entry in line, (name, line)
        for pane_key in PANE_KEYS:
            assert pane_key not in line, (name, line)


async def all_tasks(pilot: Any, key: str) -> None:
    """Every task marked (two of five running, so the dialog has its notes too)."""
    await pilot.press("tab", "a", key)


# As DIALOGS, the cancel confirmation at its fullest.
FULL = [(n, all_tasks if n == "ConfirmCancelScreen" else o, k, s) for n, o, k, s in DIALOGS]


@pytest.mark.parametrize(("name", "opener", "key", "shown"), FULL, ids=[d[0] for d in FULL])
async def test_each_dialog_shows_its_buttons_labels_and_titles_at_60x15(
    tmp_path: Path, name: str, opener: Any, key: str, shown: list[str]
) -> None:
    """At 60x15 a dialog's buttons take one line each and their labels are on screen: the
    cell in the middle of each label is the button's own (not cut off by the dialog); its
    own lines of text (title, question) wrap inside it instead of running off its edge."""
    app = make_app(tmp_path)
    async with app.run_test(size=(60, 15)) as pilot:
        await settle(pilot)
        await opener(pilot, key)
        screen = await wait_until(
            pilot, lambda: type(app.screen).__name__ == name and app.screen, what=name
        )
        await pilot.pause()
        for button in screen.query(Button):  # type: ignore[union-attr]
            if not button.display:
                continue
            region = button.region
            assert region.height == 1, (name, button.label, region)
            middle = (region.x + region.width // 2, region.y)
            assert screen.get_widget_at(*middle)[0] is button, (name, button.label)  # type: ignore[union-attr]
        for label in screen.query("ModalScreen > Vertical > Label"):  # type: ignore[union-attr]
            inside = label.parent.content_region  # type: ignore[union-attr]
            assert label.region.right <= inside.right, (name, str(label.render()))


async def test_a_long_delete_preview_leaves_the_buttons_on_screen_at_60x15(
    tmp_path: Path,
) -> None:
    """Two folders of 35 files: the preview's details (deepest, five largest) scroll, and
    Cancel and Delete stay on screen above the dialog's bottom border."""
    from efile_tui.sim.config import SimConfig
    from efile_tui.sim.server import SimServer
    from efile_tui.ui.modals.confirm_delete import ConfirmDeleteScreen
    from tests.ui.harness import build_app

    root = tmp_path / "root"
    for run in ("run-0004", "run-0010"):
        for sub, files in (("output", 30), ("logs", 5)):
            (root / run / sub).mkdir(parents=True)
            for i in range(files):
                (root / run / sub / f"step-{i:05d}.dat").write_bytes(b"x" * (100 + 37 * i))
    server = SimServer(SimConfig(root=root)).start()
    try:
        app = build_app(server.url, server.token, tmp_path / "state")
        async with app.run_test(size=(60, 15)) as pilot:
            pane: Any = await wait_until(
                pilot, lambda: app.main.path_pane.table.row_count >= 3 and app.main.path_pane
            )
            for name in ("run-0004", "run-0010"):
                pane.table.move_cursor(pane.table.get_row_index(f"{HOME}/{name}"))
                await pilot.press("space")
            await pilot.press("d")
            modal: Any = await wait_until(
                pilot, lambda: isinstance(app.screen, ConfirmDeleteScreen) and app.screen
            )
            await wait_until(pilot, lambda: modal.preview_done, what="preview")
            await pilot.pause()
            assert "largest" in str(modal.query_one("#preview").render())
            for button in modal.query(Button):
                region = button.region
                middle = (region.x + region.width // 2, region.y)
                assert modal.get_widget_at(*middle)[0] is button, button.label
    finally:
        server.stop()
