"""How the stacked panes share the rows: the space goes to what has content.

Below 160 columns the path pane sits above the task table. Each pane asks for its rows
plus its chrome. When both fit, they share the slack evenly; when not, a pane that needs
little gets it, each keeps a floor, and when both need more the focused pane gets more.
Where rows are short (a pane would show fewer than ``FOLD_ROWS`` of its rows), both panes
fold their own header lines into their borders: the folder joins the Paths title, each
info line becomes its pane's bottom border (the path bar comes back while it is typed in
or shows a problem), and the rows are shared again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.widgets import Static

from efile_tui.i18n import _
from efile_tui.ui.widgets.folding import FOLDED
from efile_tui.ui.widgets.path_bar import PathBar
from efile_tui.ui.widgets.path_pane import PathPane
from efile_tui.ui.widgets.task_pane import TaskPane
from efile_tui.ui.widgets.vtable import VirtualTable

if TYPE_CHECKING:
    from efile_tui.ui.screens.main import MainScreen

PATH_CHROME = 5  # border (2), path bar, info line, column header
TASK_CHROME = 4  # border (2), info line, column header
MIN_PATH_ROWS = 2  # rows of entries always visible, so marking is never blind
MIN_TASK_ROWS = 1
PATH_FOLD, TASK_FOLD = 2, 1  # lines a folded pane's border takes over (path bar, info)
FOLD_ROWS = 6  # a pane that would show fewer of its rows than this folds both panes
MIN_WIDTH, MIN_HEIGHT = 40, 10  # below this the screen says it is too small


@dataclass(frozen=True)
class Split:
    """The stacked panes' heights, and whether their header lines fold into the borders."""

    path: int
    task: int
    folded: bool = False


def plan_panes(
    available: int, path_rows: int, task_rows: int, *, focus_tasks: bool = False
) -> Split:
    """Heights for ``available`` rows, folded where a pane would be short of rows."""
    path, task = split_heights(available, path_rows, task_rows, focus_tasks=focus_tasks)
    if not (
        short(path - PATH_CHROME, max(MIN_PATH_ROWS, path_rows))
        or short(task - TASK_CHROME, task_rows)
    ):
        return Split(path, task)
    path, task = split_heights(
        available,
        path_rows,
        task_rows,
        focus_tasks=focus_tasks,
        chrome=(PATH_CHROME - PATH_FOLD, TASK_CHROME - TASK_FOLD),
    )
    return Split(path, task, folded=True)


def short(room: int, rows: int) -> bool:
    """True when ``room`` lines show fewer of a pane's ``rows`` than it has and than
    ``FOLD_ROWS``."""
    return room < min(rows, FOLD_ROWS)


def split_heights(
    available: int,
    path_rows: int,
    task_rows: int,
    *,
    focus_tasks: bool = False,
    chrome: tuple[int, int] = (PATH_CHROME, TASK_CHROME),
) -> tuple[int, int]:
    """Heights (path pane, task pane) for ``available`` rows.

    ``path_rows`` and ``task_rows`` are how many table rows each pane has to show;
    ``chrome``: the lines each pane takes besides its rows.
    """
    path_chrome, task_chrome = chrome
    min_path = path_chrome + MIN_PATH_ROWS
    # An empty task table needs no row of its own: its info line says "0 of 0 tasks", and
    # its rows go to the paths (at 60x15 the home folder shows ../ and three entries).
    min_task = task_chrome + (MIN_TASK_ROWS if task_rows else 0)
    want_path = path_chrome + max(MIN_PATH_ROWS, path_rows)
    want_task = task_chrome + task_rows
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
    available = max(0, height - 2)  # the header and the key bar
    path_rows = screen.path_pane.query_one("#path-table", VirtualTable).row_count
    task_rows = screen.table.row_count
    heights: tuple[int | str, int | str] = ("1fr", "1fr")
    if wide:  # side by side: each pane has every row
        folded = short(available - PATH_CHROME, path_rows) or short(
            available - TASK_CHROME, task_rows
        )
    else:
        split = plan_panes(available, path_rows, task_rows, focus_tasks=screen.table.has_focus)
        heights, folded = (split.path, split.task), split.folded
    panes: tuple[PathPane | TaskPane, ...] = (screen.path_pane, screen.query_one(TaskPane))
    for pane, rows in zip(panes, heights, strict=True):
        if str(pane.styles.height) != str(rows):
            pane.styles.height = rows
        if pane.has_class(FOLDED) != folded:
            pane.set_class(folded, FOLDED)
            pane.update_info()  # the info line moves into the border, or back
    bar = screen.path_pane.query_one(PathBar)
    shown = not folded or bar.has_focus_within or bar.has_problem
    if bar.display != shown:
        bar.display = shown
