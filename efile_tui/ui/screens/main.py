"""The main screen: path pane and task table; owns every request and the poll loop.

Widgets post intent messages (``ui.messages``); this screen runs the workers, talks to
the service through ``core`` and calls back into the widgets. It hands the requests to the
``flows.RequestFlows`` it holds (``self.flows``, made with the first request: the delete,
copy and cancel machinery is not loaded before the first frame); this module keeps the
layout, the journal → table path, polling, undo and pane switching.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from functools import cached_property, partial
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.containers import Container
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from efile_tui.core.operations import Context
from efile_tui.core.poller import Poller
from efile_tui.core.taskrow import Batch, bulk_load, entries_for_keys
from efile_tui.core.taskview import TaskView
from efile_tui.i18n import _
from efile_tui.store.journal import JournalEntry
from efile_tui.ui.end_bell import EndBell
from efile_tui.ui.first_frame import after_first_frame
from efile_tui.ui.keys import SCREEN_KEYS, sections
from efile_tui.ui.layout import fit_panes
from efile_tui.ui.messages import (
    CancelRequested,
    DeleteRequested,
    DismissRequested,
    LabelRequested,
    MarksCleared,
    PageWanted,
    ResolveRequested,
    TaskMarksCleared,
    TransferRequested,
)
from efile_tui.ui.modals.notifications import NotesKeeper, NotificationsScreen
from efile_tui.ui.screens.polling import TableFeed
from efile_tui.ui.undo import UndoSlot, cleared_tasks_text, cleared_text
from efile_tui.ui.widgets.keybar import KeyBar
from efile_tui.ui.widgets.path_pane import PathPane
from efile_tui.ui.widgets.status_bar import StatusBar
from efile_tui.ui.widgets.task_pane import TaskPane
from efile_tui.ui.widgets.task_table import TaskTable

if TYPE_CHECKING:
    from efile_tui.ui.screens.flows import RequestFlows

DAY = 24 * 3600.0
WIDE = 160  # columns from which the panes sit side by side
FIRST_SCREEN = 200  # rows shown first while a large journal loads


class MainScreen(Screen[None]):
    """Path pane beside (or above) the live task table."""

    BINDINGS = SCREEN_KEYS
    # Its fields take one line at every height, so it needs no -short/-tall class (the
    # dialogs do, EfileApp.VERTICAL_BREAKPOINTS): a class change on the screen restyles
    # every pane, and that at its first resize held up the first frame.
    VERTICAL_BREAKPOINTS: list[tuple[int, str]] | None = []

    def __init__(
        self,
        ctx: Context,
        *,
        endpoint: str,
        home: str,
        deny_paths: Sequence[str] = (),
        walk_budget: float | None = None,
        interval: float = 2.0,
        bell: bool = False,
    ) -> None:
        super().__init__()
        self.end_bell = EndBell(self, enabled=bell)
        self.ctx = ctx
        self.endpoint = endpoint
        self.home = home
        self.deny_paths = list(deny_paths)
        self.walk_budget = walk_budget  # seconds a delete preview may walk (profile)
        self.view = TaskView()
        self.show_old = False
        self.worker_errors = 0  # workers that ended on an unexpected exception
        self.undo = UndoSlot(self.notify)
        self._visited_tasks = False  # the task table has had focus
        # The first poll follows the journal's rows (reload_journal calls poll_now).
        self.poller = Poller(ctx, TableFeed(self), interval=interval, at_once=False)

    @cached_property
    def flows(self) -> RequestFlows:
        """The request handlers (made, and their module loaded, by the first request)."""
        from efile_tui.ui.screens.flows import RequestFlows

        return RequestFlows(self)

    @property
    def status(self) -> StatusBar:
        """The header line."""
        return self.query_one(StatusBar)

    @property
    def table(self) -> TaskTable:
        """The task table."""
        return self.query_one(TaskTable)

    @property
    def path_pane(self) -> PathPane:
        """The path pane."""
        return self.query_one(PathPane)

    # -- requests, handed to the flows ---------------------------------------------------

    def on_page_wanted(self, message: PageWanted) -> None:
        self.flows.page_wanted(message)

    def on_delete_requested(self, message: DeleteRequested) -> None:
        self.flows.delete(message)

    def on_transfer_requested(self, message: TransferRequested) -> None:
        self.flows.transfer(message)

    def on_cancel_requested(self, message: CancelRequested) -> None:
        self.flows.ask_cancel(message)

    def on_dismiss_requested(self, message: DismissRequested) -> None:
        self.flows.dismiss(message)

    def on_label_requested(self, message: LabelRequested) -> None:
        self.flows.ask_label(message)

    def on_resolve_requested(self, message: ResolveRequested) -> None:
        self.flows.resolve_lost(message)

    def on_virtual_table_row_selected(self, event: TaskTable.RowSelected) -> None:
        self.flows.show_task(event)

    def action_import_ids(self) -> None:
        """Track task ids started elsewhere."""
        self.flows.ask_import()

    def action_show_log(self) -> None:
        """Open the audit log screen: its last events, read in a thread."""
        self.flows.show_log()

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status", endpoint=self.endpoint, interval=self.interval)
        # The layout as the terminal's width wants it from the first frame (a class set
        # later restyles every pane).
        with Container(id="panes", classes="-stacked" if self.app.size.width < WIDE else ""):
            paths = PathPane(self.home, id="path-pane")
            paths.border_title = _("Paths")
            yield paths
            tasks = TaskPane(self.view, id="task-pane")
            tasks.border_title = _("Tasks")
            yield tasks
        yield Static("", id="too-small", markup=False)
        yield KeyBar()

    def on_mount(self) -> None:
        self.path_pane.focus_table()
        self.call_after_refresh(self.start_polling)  # requests wait for the first frame
        self.call_after_refresh(self.reload_journal)
        self.set_interval(0.3, self.relayout)  # listings and filters change the rows

    def start_polling(self) -> None:
        """Run the poll loop in a worker of this screen."""
        self.run_worker(self.poller.run(), name="polling", group="poll", exit_on_error=False)

    def on_resize(self) -> None:
        self.query_one("#panes").set_class(self.size.width < WIDE, "-stacked")
        self.relayout()

    def on_descendant_focus(self) -> None:
        self.relayout()

    def relayout(self) -> None:
        """Show the too-small message, or share the rows between the stacked panes."""
        fit_panes(self, wide=self.size.width >= WIDE)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Say so when a worker ends on an unexpected exception (workers never take the app
        down: the table and the journal stay as they are)."""
        if event.state != WorkerState.ERROR:
            return
        self.worker_errors += 1
        error = event.worker.error
        self.notify(
            _("{work} stopped: {kind}: {error}").format(
                work=event.worker.name or _("background work"),
                kind=type(error).__name__,
                error=error,
            ),
            title=_("Internal error"),
            severity="error",
            timeout=15,
        )

    # -- journal → table ---------------------------------------------------------------

    @work(group="journal", exclusive=True, exit_on_error=False)
    async def reload_journal(self) -> None:
        """Load tasks from the journal (re-attach on start), then start polling.

        Everything heavy runs in a thread; the keys are answered throughout. On a first
        load, the newest rows (the first screen) are shown before the rest are made.
        """
        hide = None if self.show_old else DAY
        view = self.view
        view.loading = True
        self.query_one(TaskPane).update_info()
        await after_first_frame(self.app)  # a read in a thread would slow the first frame
        self.path_pane.filter_field()  # the filter inputs the first frame did without
        self.query_one(TaskPane).filter_box()
        journal = self.ctx.journal
        with bulk_load():
            try:
                ids = await asyncio.to_thread(
                    journal.entry_ids,
                    profile=self.ctx.profile,
                    hide_finished_older_than=hide,
                    include_dismissed=self.show_old,
                )
                if not view.rows and len(ids) > FIRST_SCREEN:  # newest first, as shown
                    first = await asyncio.to_thread(journal.get_many, (), ids[:FIRST_SCREEN])
                    self.apply_batch(await asyncio.to_thread(Batch.prepare, first, view.rows))
                read, held = partial(journal.get_many, ()), list(view.rows)
                batch, gone = await asyncio.to_thread(Batch.reload, read, ids, view.rows, held)
                for key in gone:
                    view.rows.pop(key, None)
                    view.marks.discard(key)
            finally:
                view.loading = False
            self.apply_batch(batch)
        self.poll_now()

    def entries(self, keys: Iterable[str]) -> list[JournalEntry]:
        """(In a thread.) Journal entries for table keys: task ids or ``local:<journal id>``."""
        return entries_for_keys(self.ctx.journal, keys)

    def apply_entries(self, entries: Sequence[JournalEntry]) -> None:
        """Put a few journal entries into the view and the table (only changed rows)."""
        self.apply_batch(Batch.prepare(entries, self.view.rows))

    def apply_batch(self, batch: Batch) -> None:
        """Put prepared rows into the view and the table (only changed rows repainted)."""
        added, changed = self.view.add_batch(batch)
        self.table.sync(changed)
        if added:  # the stacked panes share the rows by how many each has
            self.relayout()
        self.query_one(TaskPane).update_info()
        self.status.counts = counts = self.view.counts()
        self.end_bell.update(counts)

    # -- polling ---------------------------------------------------------------------------

    def poll_now(self) -> None:
        """Poll at once, or right after the poll under way (which is never cut short)."""
        self.poller.poll_now()

    @property
    def paused(self) -> bool:
        """Polling is paused."""
        return self.poller.paused

    @property
    def interval(self) -> float:
        """Seconds between polls."""
        return self.poller.interval

    @property
    def poll_count(self) -> int:
        """Polls completed so far."""
        return self.poller.polls

    @property
    def failures(self) -> int:
        """Consecutive failed polls."""
        return self.poller.failures

    def action_toggle_pause(self) -> None:
        """Pause or resume polling (a poll under way finishes)."""
        if self.poller.paused:
            self.poller.resume()
            self.notify(_("Polling resumed"))
        else:
            self.poller.pause()
            self.notify(_("Polling paused (p resumes)"))
        self.status.paused = self.poller.paused

    def action_refresh_now(self) -> None:
        """Reload the journal and poll now; vanished tasks get one more look."""
        vanished = [r.task_id for r in self.view.rows.values() if r.task_id and r.vanished]
        if vanished:
            self.poller.look_again(vanished)
        self.reload_journal()

    def action_interval(self, step: int) -> None:
        """Make polling slower (+) or faster (-)."""
        steps = [0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0]
        now = self.interval
        if step > 0:
            new = next((s for s in steps if s > now), steps[-1])
        else:
            new = next((s for s in reversed(steps) if s < now), steps[0])
        self.poller.set_interval(new)
        self.status.interval = self.interval
        self.notify(_("Polling every {seconds} s").format(seconds=f"{self.interval:g}"))

    def action_toggle_old(self) -> None:
        """Show or hide tasks that finished over 24 h ago, and dismissed ones."""
        self.show_old = not self.show_old
        if self.show_old:
            self.notify(_("Showing dismissed tasks and tasks finished over 24 h ago"))
        else:
            self.notify(_("Hiding dismissed tasks and tasks finished over 24 h ago"))
        self.reload_journal()

    # -- undo ------------------------------------------------------------------------------

    def action_undo(self) -> None:
        """Take back the last clear of marks or dismiss."""
        self.undo.run()

    def on_marks_cleared(self, message: MarksCleared) -> None:
        text = cleared_text(message.marks, self.path_pane.current_path)
        self.undo.offer(text, lambda: self.path_pane.marking.restore_marks(message.marks))

    def on_task_marks_cleared(self, message: TaskMarksCleared) -> None:
        text = cleared_tasks_text(len(message.keys), message.hidden)
        if not message.keys:
            self.notify(text)
            return
        self.undo.offer(text, lambda: self.table.restore_marks(message.keys))

    def action_notifications(self) -> None:
        """Every notification of this session (toasts vanish; these stay)."""
        notes = self.app.notes if isinstance(self.app, NotesKeeper) else []
        self.app.push_screen(NotificationsScreen(notes))

    def action_switch_pane(self) -> None:
        """Move focus between the panes; the first time, the task cursor goes to the top
        row (the newest task), not an old one that rows were added above."""
        if self.table.has_focus:
            self.path_pane.focus_table()
            return
        if not self._visited_tasks and self.table.row_count:
            self.table.move_cursor(0)
        self._visited_tasks = True
        self.table.focus()

    def action_help(self) -> None:
        """Show the keys."""
        from efile_tui.ui.modals.help import HelpScreen

        self.app.push_screen(HelpScreen(sections(_)))
