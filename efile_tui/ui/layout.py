"""How the stacked panes share the rows: the space goes to what has content.

Below 160 columns the path pane sits above the task table. Each pane asks for its rows
plus its chrome. When both fit, they share the slack evenly; when not, a pane that needs
little gets it, each keeps a floor, and when both need more the focused pane gets more.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Static

from efile_tui.i18n import _
from efile_tui.ui.widgets.task_pane import TaskPane
from efile_tui.ui.widgets.vtable import VirtualTable

if TYPE_CHECKING:
    from efile_tui.ui.screens.main import MainScreen

PATH_CHROME = 5  # border (2), path bar, info line, column header
TASK_CHROME = 4  # border (2), info line, column header
MIN_PATH_ROWS = 2  # rows of entries always visible, so marking is never blind
MIN_TASK_ROWS = 1
MIN_WIDTH, MIN_HEIGHT = 40, 10  # below this the screen says it is too small


def split_heights(
    available: int, path_rows: int, task_rows: int, *, focus_tasks: bool = False
) -> tuple[int, int]:
    """Heights (path pane, task pane) for ``available`` rows.

    ``path_rows`` and ``task_rows`` are how many table rows each pane has to show.
    """
    min_path = PATH_CHROME + MIN_PATH_ROWS
    # An empty task table needs no row of its own: its info line says "0 of 0 tasks", and
    # its rows go to the paths (at 60x15 the home folder shows ../ and three entries).
    min_task = TASK_CHROME + (MIN_TASK_ROWS if task_rows else 0)
    want_path = PATH_CHROME + max(MIN_PATH_ROWS, path_rows)
    want_task = TASK_CHROME + task_rows
    if available <= min_path + min_task:
        task = max(0, min(min_task, available - min_path))
        return available - task, task
    if want_path + want_task <= available:
        # Both fit: the slack is shared, so neither pane is a sliver (and a toast in the
        # corner never hides the newest task).
        slack = available - want_path - want_task
        task = want_task + slack // 2
        return available - task, task
    # Not enough for both: a pane that needs little gets what it needs, the other the
    # rest; when both need more, the focused one gets three fifths.
    if want_task <= available // 2:
        return available - want_task, want_task
    if want_path <= available // 2:
        return want_path, available - want_path
    big = available * 3 // 5
    task = big if focus_tasks else available - big
    task = min(max(task, min_task), available - min_path)
    return available - task, task


def too_small(width: int, height: int) -> str | None:
    """The message to show instead of the panes, or None when the terminal is big enough."""
    if width >= MIN_WIDTH and height >= MIN_HEIGHT:
        return None
    return _(
        "Terminal too small: {width}x{height}.\n"
        "efile-tui needs at least {min_width}x{min_height}.\n"
        "Enlarge the window, or press q to quit."
    ).format(width=width, height=height, min_width=MIN_WIDTH, min_height=MIN_HEIGHT)


def fit_panes(screen: MainScreen, *, wide: bool) -> None:
    """Show the too-small message, or give the stacked panes their heights."""
    width, height = screen.size
    message = too_small(width, height)
    note = screen.query_one("#too-small", Static)
    note.display = message is not None
    screen.query_one("#panes").display = message is None
    if message is not None:
        if str(note.content) != message:
            note.update(message)
        return
    heights: tuple[int | str, int | str] = ("1fr", "1fr")
    if not wide:
        heights = split_heights(
            max(0, height - 2),  # the header and the key bar
            screen.path_pane.query_one("#path-table", VirtualTable).row_count,
            screen.table.row_count,
            focus_tasks=screen.table.has_focus,
        )
    for pane, rows in zip((screen.path_pane, screen.query_one(TaskPane)), heights, strict=True):
        if str(pane.styles.height) != str(rows):
            pane.styles.height = rows
