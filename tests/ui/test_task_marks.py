"""Task marks: ``u`` says what it cleared (hidden ones too) and ``z`` marks them again."""

from __future__ import annotations

from pathlib import Path

from tests.ui.harness import wait_until
from tests.ui.test_main_screen import shown_marks
from tests.ui.test_snapshots import IDS, make_app, settle


async def test_u_says_what_it_cleared_and_z_restores_it(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        main = app.main
        view, table = main.view, main.table
        await pilot.press("tab")
        table.move_cursor(table.get_row_index(IDS[0]))
        await pilot.press("space")
        table.move_cursor(table.get_row_index(IDS[2]))
        await pilot.press("space")
        table.move_cursor(table.get_row_index(IDS[3]))
        await pilot.press("space")
        # Hide one marked row behind a filter: u clears it too, and says so.
        await pilot.press("f")  # running and waiting only
        await wait_until(
            pilot, lambda: set(table.row_keys) == {IDS[0], IDS[1]}, what="status filter"
        )
        await pilot.press("u")
        assert not view.marks
        note = app.notes[-1].message
        assert note == "Cleared 3 task marks, 2 of them hidden by the filter (z undoes)"
        info = str(main.query_one("#task-info").render())
        assert "marked" not in info
        await pilot.press("z")
        assert view.marks == {IDS[0], IDS[2], IDS[3]}
        assert app.notes[-1].message.startswith("Undone: Cleared 3 task marks")
        info = str(main.query_one("#task-info").render())
        assert "3 marked (2 hidden by filter)" in info
        assert shown_marks(table) == {IDS[0]: True, IDS[1]: False}  # as painted
