"""Small terminals and the operator's flows: key bar, layout, undo, history, dialogs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Static

from efile_tui.api.models import Operation
from efile_tui.ui.layout import MIN_PATH_ROWS, PATH_CHROME, split_heights, too_small
from efile_tui.ui.modals.confirm_delete import ConfirmDeleteScreen
from efile_tui.ui.modals.notifications import NotificationsScreen
from efile_tui.ui.modals.transfer import TransferScreen
from efile_tui.ui.widgets.keybar import KeyBar, fit_entries
from efile_tui.ui.widgets.path_bar import PathBar
from efile_tui.ui.widgets.status_bar import Part, fit_parts
from tests.ui.harness import HOME, wait_until
from tests.ui.test_confirm_delete import Gate, ModalApp, small
from tests.ui.test_snapshots import IDS, make_app, settle

ENTRIES = [
    ("space", "Mark"),
    ("d", "Delete"),
    ("C", "Copy…"),
    ("M", "Move…"),
    ("tab", "Switch pane"),
    ("enter", "Open"),
    ("?", "Help"),
]


@pytest.mark.parametrize("width", [20, 40, 60, 80, 120])
def test_key_bar_keeps_whole_entries_and_help(width: int) -> None:
    chosen = fit_entries(ENTRIES, width)
    line = "  ".join(f"{k} {d}" for k, d in chosen)
    assert len(line) <= width
    assert all(e in ENTRIES for e in chosen)  # nothing shortened
    if width >= 6:
        assert chosen[-1] == ("?", "Help")


def test_header_leaves_out_whole_parts() -> None:
    texts = ["demo@simulated-region", "updated 0 s ago", "▶1 …2 ✓3 ✗0 ⊘0", "poll 2 s"]
    parts = [Part(texts[0], 3), Part(texts[1], 2), Part(texts[2], 5, by_word=True)]
    parts.append(Part(texts[3], 6))
    for width in range(10, 90):
        line = fit_parts(parts, " · ", width)
        assert len(line) <= width
        for piece in line.split(" · "):
            assert piece in texts or all(w in texts[2].split() for w in piece.split())
    assert fit_parts(parts, " · ", 58) == "demo@simulated-region · updated 0 s ago · ▶1 …2 ✓3 ✗0 ⊘0"


def test_space_goes_to_the_pane_with_content() -> None:
    # 80x24: 22 rows between the header and the key bar.
    path, task = split_heights(22, path_rows=7, task_rows=0)
    assert path == 15 and task == 7  # every entry shown; the empty table gets a share only
    path, task = split_heights(22, path_rows=200, task_rows=0)
    assert task == 4 and path == 18  # a big folder takes what the empty table leaves
    path, task = split_heights(22, path_rows=3, task_rows=40)
    assert path == PATH_CHROME + MIN_PATH_ROWS + 1 and task == 22 - path
    path, task = split_heights(13, path_rows=200, task_rows=0)  # 60x15
    assert path - PATH_CHROME == 4 and task == 4  # ../ and three entries; an empty table
    path, task = split_heights(13, path_rows=1, task_rows=200)  # and the other way round
    assert path == PATH_CHROME + MIN_PATH_ROWS and task == 13 - path
    path, task = split_heights(38, path_rows=200, task_rows=200, focus_tasks=True)
    assert task > path


def test_too_small_message_below_the_floor() -> None:
    assert too_small(60, 15) is None
    message = too_small(39, 9)
    assert message and "39x9" in message and "q" in message


def rows_shown(table: Any) -> int:
    """Rows of ``table`` on screen (its height less its column header)."""
    return min(table.row_count, table.scrollable_content_region.height - table.header_height)


@pytest.mark.parametrize("tasks", [0, 1, 2])
async def test_a_nearly_empty_task_table_gives_its_rows_to_the_paths(
    tmp_path: Path, tasks: int
) -> None:
    """At 60x15 the home folder (../ and five entries) shows ../ and at least three
    entries with no, one or two tasks tracked, every task shows too, and the panes' own
    header lines are in their borders: nothing they said is lost."""
    app = make_app(tmp_path, tasks=bool(tasks), ids=IDS[:tasks])
    async with app.run_test(size=(60, 15)) as pilot:
        await settle(pilot)
        main = app.main
        paths, table = main.path_pane, main.table
        await wait_until(pilot, lambda: table.row_count == tasks, what="the tasks")
        await wait_until(pilot, lambda: rows_shown(paths.table) >= 4, what="../ and 3 entries")
        assert rows_shown(table) == tasks
        task_pane = main.query_one("#task-pane")
        assert paths.border_title == f"Paths · {HOME}"
        assert "5 entries" in str(paths.border_subtitle), paths.border_subtitle
        assert f"{tasks} of {tasks} tasks" in str(task_pane.border_subtitle)
        assert not paths.query_one("#path-info").display
        # g brings the path bar back to be typed in; leaving it folds it again.
        bar = paths.query_one(PathBar)
        assert not bar.display
        await pilot.press("g")
        await wait_until(pilot, lambda: bar.display and bar.field.has_focus, what="path bar")
        await pilot.press("escape")
        await wait_until(pilot, lambda: not bar.display, what="path bar folded again")
        assert rows_shown(paths.table) >= 4


async def test_few_paths_give_their_rows_to_many_tasks(tmp_path: Path) -> None:
    """The other way round: in an empty folder at 60x15 all five tasks show."""
    app = make_app(tmp_path)
    async with app.run_test(size=(60, 15)) as pilot:
        await settle(pilot)
        main = app.main
        main.path_pane.open(f"{HOME}/scratch")
        await wait_until(pilot, lambda: main.path_pane.table.row_count == 1, what="empty folder")
        await wait_until(pilot, lambda: rows_shown(main.table) == 5, what="every task")
        assert main.path_pane.border_title == f"Paths · {HOME}/scratch"


async def test_room_enough_keeps_the_header_lines(tmp_path: Path) -> None:
    """At 80x24 with five tasks and a small folder nothing is short: nothing folds."""
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        main = app.main
        await wait_until(pilot, lambda: rows_shown(main.table) == 5, what="every task")
        assert main.path_pane.query_one(PathBar).display
        assert main.path_pane.border_title == "Paths" and not main.path_pane.border_subtitle


async def test_small_terminal_main_screen(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(60, 15)) as pilot:
        await settle(pilot)
        pane = app.main.path_pane
        await wait_until(pilot, lambda: pane.outer_size.height >= PATH_CHROME + MIN_PATH_ROWS)
        bar = app.main.query_one(KeyBar)
        text = str(bar.render())
        assert text.endswith("? Help") and len(text) <= 60
        await pilot.resize_terminal(39, 9)
        await wait_until(pilot, lambda: app.main.query_one("#too-small").display)
        assert "Terminal too small" in str(app.main.query_one("#too-small", Static).render())
        await pilot.resize_terminal(80, 24)
        await wait_until(pilot, lambda: not app.main.query_one("#too-small").display)


async def test_first_tab_puts_the_cursor_on_the_top_row(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.main.table
        table.move_cursor(3)  # an old row, as if new rows had arrived above it
        await pilot.press("tab")
        assert table.has_focus and table.cursor_key == table.key_at(0)


async def test_dismiss_undo_and_h_brings_dismissed_back(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        main = app.main
        done = IDS[2]  # complete
        await pilot.press("tab")
        table = main.table
        table.move_cursor(table.get_row_index(done))
        await pilot.press("x")
        await wait_until(pilot, lambda: done not in main.view.rows, what="dismissed")
        assert any("z undoes" in n.message for n in app.notes)
        await pilot.press("z")
        await wait_until(pilot, lambda: done in main.view.rows, what="undo")
        table.move_cursor(table.get_row_index(done))
        await pilot.press("x")
        await wait_until(pilot, lambda: done not in main.view.rows)
        await pilot.press("h")
        await wait_until(pilot, lambda: done in main.view.rows, what="h shows dismissed")


async def test_esc_clears_marks_with_count_and_undo(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        pane = app.main.path_pane
        pane.focus_table()
        pane.marking.marks[f"{HOME}/elsewhere/x"] = pane.marking.known_entry(f"{HOME}/scratch")  # type: ignore[assignment]
        pane.table.move_cursor(pane.table.get_row_index(f"{HOME}/scratch"))
        await pilot.press("space")
        assert len(pane.marking.marks) == 2
        await pilot.press("escape")
        assert not pane.marking.marks
        info = pane.query_one("#path-info", Static)
        assert "marked" not in str(info.render())
        note = app.notes[-1].message
        assert "Cleared 2 path marks, 1 of them in other folders" in note and "z" in note
        await pilot.press("z")
        assert set(pane.marking.marks) == {f"{HOME}/elsewhere/x", f"{HOME}/scratch"}
        assert "2 marked (1 in other folders)" in str(info.render())  # the info line follows


async def test_notification_history_keeps_every_toast_literally(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.notify("[b]bold?[/b] \x1b[31m", severity="error", markup=False)
        app.notify("second")
        await pilot.press("N")
        screen = await wait_until(
            pilot, lambda: isinstance(app.screen, NotificationsScreen) and app.screen
        )
        lines = [str(s.render()) for s in screen.query("#notes Static")]  # type: ignore[union-attr]
        assert "second" in lines[0]  # newest first
        assert "[b]bold?[/b] ␛[31m" in lines[1]  # literal, control made visible
        # Severities are whole words in one column (never "infor"/"warni").
        assert lines[0][9:18] == "info    s" and lines[1][9:18] == "error   [", lines


async def test_delete_confirmation_at_60x15_shows_paths_and_totals_first() -> None:
    paths = [f"{HOME}/d{i:02d}" for i in range(12)]  # more than 10: typing required
    gate = Gate(small())
    gate.event.set()
    screen = ConfirmDeleteScreen(paths, gate)
    app = ModalApp(screen)
    async with app.run_test(size=(60, 15)) as pilot:
        await wait_until(pilot, lambda: screen.preview_done)
        await pilot.pause()
        for wid in ("#title", "#paths", "#totals", "#typed", "#delete"):
            region = screen.query_one(wid).region
            assert region.height and 0 <= region.y < 15, wid
        assert screen.query_one("#paths").region.y < screen.query_one("#totals").region.y
        field = screen.query_one("#typed", Input)
        assert field.placeholder != screen.expected_text  # not mistaken for a value
        assert app.focused is field
        await pilot.press("enter")
        said = str(screen.query_one("#typed-error", Static).render())
        assert "empty" in said and "12" in said
        await pilot.press("1", "3", "enter")
        assert "does not match" in str(screen.query_one("#typed-error", Static).render())
        assert app.results == []


async def test_transfer_says_which_names_exist_in_the_target() -> None:
    asked: list[tuple[str, list[str]]] = []

    async def existing(target: str, names: list[str]) -> list[str]:
        asked.append((target, names))
        return [n for n in names if n == "data"]

    screen = TransferScreen(
        Operation.COPY, [f"{HOME}/proj/data", f"{HOME}/proj/x"], f"{HOME}/proj", existing=existing
    )
    app = ModalApp(screen)
    async with app.run_test(size=(80, 24)) as pilot:
        field = screen.query_one("#target", Input)
        assert app.focused is field
        field.value = f"{HOME}/backup"
        note = screen.query_one("#target-note", Static)
        await wait_until(pilot, lambda: "Already in" in str(note.render()), what="note")
        assert "data" in str(note.render()) and asked[-1] == (f"{HOME}/backup", ["data", "x"])


async def test_header_shows_user_at_region_for_an_efile_url_connection(
    sim: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from efile_tui.ui.launch import close_app, create_app

    for name in ("EFILE_URL", "EFILE_TOKEN", "EFILE_HOME"):
        monkeypatch.setenv(name, sim.env[name])
    monkeypatch.setenv("EFILE_PLATFORM_URL", sim.server.url)  # as the demo does
    app = create_app()
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            main = await wait_until(pilot, lambda: app.main)
            await wait_until(pilot, lambda: main.status.endpoint)
            assert main.status.endpoint == "demo@simulated-region"
            assert str(main.status.render()).startswith("demo@simulated-region · ")
    finally:
        close_app(app)
