"""The main screen: path pane and task table; owns every request and the poll loop.

Widgets post intent messages (``ui.messages``); this screen runs the workers, talks to
the service through ``core.operations`` and calls back into the widgets.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterable, Sequence

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from efile_tui.api.errors import EfileError
from efile_tui.api.models import CancelResult, Operation, SubmitItem, SubmitOutcome
from efile_tui.core import resolve
from efile_tui.core.operations import Context, cancel_tracked, submit_tracked
from efile_tui.core.preview import existing_names, preview_delete
from efile_tui.core.taskrow import Batch, bulk_load
from efile_tui.core.taskview import TaskView
from efile_tui.core.text import clean
from efile_tui.core.validate import denied_reason, refused_items
from efile_tui.store.journal import JournalEntry
from efile_tui.ui.end_bell import EndBell
from efile_tui.ui.format import refused_note
from efile_tui.ui.layout import fit_panes
from efile_tui.ui.messages import (
    CancelRequested,
    DeleteRequested,
    DismissRequested,
    LabelRequested,
    MarksCleared,
    PageWanted,
    ResolveRequested,
    TransferRequested,
)
from efile_tui.ui.modals.cancel import CancelResultsScreen, ConfirmCancelScreen, ResultAction
from efile_tui.ui.modals.confirm_delete import ConfirmDeleteScreen, RefusedScreen
from efile_tui.ui.modals.label import LabelScreen
from efile_tui.ui.modals.misc import HelpScreen, ImportIdsScreen, LogScreen, TextScreen
from efile_tui.ui.modals.notifications import NotesKeeper, NotificationsScreen
from efile_tui.ui.modals.transfer import TransferChoice, TransferScreen
from efile_tui.ui.screens.polling import table_poller
from efile_tui.ui.undo import UndoSlot, cleared_text
from efile_tui.ui.widgets.keybar import KeyBar
from efile_tui.ui.widgets.path_pane import PathPane
from efile_tui.ui.widgets.status_bar import StatusBar
from efile_tui.ui.widgets.task_pane import TaskPane
from efile_tui.ui.widgets.task_table import TaskTable

DAY = 24 * 3600.0
AUDIT_SHOWN = 500  # events in the audit log screen
WIDE = 160  # columns from which the panes sit side by side
FIRST_SCREEN = 200  # rows shown first while a large journal loads


class MainScreen(Screen[None]):
    """Path pane beside (or above) the live task table."""

    BINDINGS = [
        Binding("tab", "switch_pane", "Switch pane"),
        Binding("p", "toggle_pause", "Pause"),
        Binding("r", "refresh_now", "Refresh"),
        Binding("plus,equals_sign", "interval(1)", "Slower", show=False),
        Binding("minus", "interval(-1)", "Faster", show=False),
        Binding("h", "toggle_old", "Old and dismissed tasks", show=False),
        Binding("z", "undo", "Undo", show=False),
        Binding("N", "notifications", "Notifications", show=False),
        Binding("I", "import_ids", "Import ids", show=False),
        Binding("L", "show_log", "Audit log", show=False),
        Binding("question_mark,f1", "help", "Help"),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(
        self,
        ctx: Context,
        *,
        endpoint: str,
        home: str,
        deny_paths: Sequence[str] = (),
        interval: float = 2.0,
        bell: bool = False,
    ) -> None:
        super().__init__()
        self.end_bell = EndBell(self, enabled=bell)
        self.ctx = ctx
        self.endpoint = endpoint
        self.home = home
        self.deny_paths = list(deny_paths)
        self.view = TaskView()
        self.show_old = False
        self.worker_errors = 0  # workers that ended on an unexpected exception
        self.undo = UndoSlot(self.notify)
        self._visited_tasks = False  # the task table has had focus
        self.poller = table_poller(self, interval)

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        with Container(id="panes"):
            paths = PathPane(self.home, id="path-pane")
            paths.border_title = "Paths"
            yield paths
            tasks = TaskPane(self.view, id="task-pane")
            tasks.border_title = "Tasks"
            yield tasks
        yield Static("", id="too-small", markup=False)
        yield KeyBar()

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

    def on_mount(self) -> None:
        self.status.endpoint = self.endpoint
        self.status.interval = self.interval
        self.path_pane.focus_table()
        self.run_worker(self.poller.run(), name="polling", group="poll", exit_on_error=False)
        self.reload_journal()
        self.set_interval(0.3, self.relayout)  # listings and filters change the rows

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
            f"{event.worker.name or 'background work'} stopped: {type(error).__name__}: {error}",
            title="Internal error",
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
        with bulk_load():
            try:
                entries = await asyncio.to_thread(
                    self.ctx.journal.entries,
                    profile=self.ctx.profile,
                    hide_finished_older_than=hide,
                    include_dismissed=self.show_old,
                )
                if not view.rows and len(entries) > FIRST_SCREEN:
                    first = entries[:FIRST_SCREEN]  # newest first, as the table starts sorted
                    self.apply_batch(await asyncio.to_thread(Batch.prepare, first, view.rows))
                held = list(view.rows)
                batch, gone = await asyncio.to_thread(Batch.reload, entries, view.rows, held)
                for key in gone:
                    view.rows.pop(key, None)
                    view.marks.discard(key)
            finally:
                view.loading = False
            self.apply_batch(batch)
        self.poll_now()

    def _entries(self, keys: Iterable[str]) -> list[JournalEntry]:
        """Journal entries for table keys: task ids or ``local:<journal id>``."""
        task_ids: list[str] = []
        local_ids: list[int] = []
        for key in keys:
            if key.startswith("local:"):
                local_ids.append(int(key.split(":", 1)[1]))
            elif key:
                task_ids.append(key)
        return self.ctx.journal.get_many(task_ids, local_ids)

    def apply_entries(self, entries: Sequence[JournalEntry]) -> None:
        """Put a few journal entries into the view and the table (only changed rows)."""
        self.apply_batch(Batch.prepare(entries, self.view.rows))

    def apply_batch(self, batch: Batch) -> None:
        """Put prepared rows into the view and the table (only changed rows repainted)."""
        _added, changed = self.view.add_batch(batch)
        self.table.sync(changed)
        self.query_one(TaskPane).update_info()
        self.status.counts = counts = self.view.counts()
        self.end_bell.update(counts)

    def _poll_entries(self, keys: Iterable[str]) -> tuple[list[JournalEntry], Batch]:
        """(In a thread.) The journal entries for ``keys`` and their rows."""
        entries = self._entries(keys)
        return entries, Batch.prepare(entries, self.view.rows)

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
            self.notify("Polling resumed")
        else:
            self.poller.pause()
            self.notify("Polling paused (p resumes)")
        self.status.paused = self.poller.paused

    def action_refresh_now(self) -> None:
        """Reload the journal and poll now."""
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
        self.notify(f"Polling every {self.interval:g} s")

    def action_toggle_old(self) -> None:
        """Show or hide tasks that finished over 24 h ago, and dismissed ones."""
        self.show_old = not self.show_old
        shown = "Showing" if self.show_old else "Hiding"
        self.notify(f"{shown} dismissed tasks and tasks finished over 24 h ago")
        self.reload_journal()

    # -- undo ------------------------------------------------------------------------------

    def action_undo(self) -> None:
        """Take back the last clear of marks or dismiss."""
        self.undo.run()

    def on_marks_cleared(self, message: MarksCleared) -> None:
        text = cleared_text(message.marks, self.path_pane.current_path)
        self.undo.offer(text, lambda: self.path_pane.restore_marks(message.marks))

    def action_notifications(self) -> None:
        """Every notification of this session (toasts vanish; these stay)."""
        notes = self.app.notes if isinstance(self.app, NotesKeeper) else []
        self.app.push_screen(NotificationsScreen(notes))

    # -- path pane -----------------------------------------------------------------------

    def on_page_wanted(self, message: PageWanted) -> None:
        self.load_page(message)

    @work(group="list", exit_on_error=False)
    async def load_page(self, msg: PageWanted) -> None:
        """Fetch one page for the path pane."""
        try:
            page = await self.ctx.client.list_dir(
                msg.path,
                start=msg.start,
                limit=msg.limit,
                order_by=msg.order_by,
                order=msg.order,
                keyword=msg.keyword,
            )
        except EfileError as exc:
            self.path_pane.show_error(msg.request_id, exc)
        else:
            if self.path_pane.show_page(msg.request_id, page) and page.refused:
                self.notify(refused_note(page.refused), title="Refused", severity="warning")

    def on_delete_requested(self, message: DeleteRequested) -> None:
        paths = message.paths
        if not paths:
            self.notify("Nothing to delete: mark paths with space first", severity="warning")
            return
        refused = self._refused(Operation.DELETE, [SubmitItem(p) for p in paths])
        if refused:
            self.app.push_screen(RefusedScreen(refused))
            return
        client = self.ctx.client

        async def preview():  # type: ignore[no-untyped-def]
            pane = self.path_pane
            return await preview_delete(
                client,
                paths,
                is_dir=pane.known_dirs(paths),
                sizes=pane.known_sizes(paths),
                protected=self._denied_inside(),
            )

        def confirmed(ok: bool | None) -> None:
            if ok:
                self.path_pane.clear_marks()
                self.submit(Operation.DELETE, [SubmitItem(p) for p in paths])

        self.app.push_screen(ConfirmDeleteScreen(paths, preview), confirmed)

    def on_transfer_requested(self, message: TransferRequested) -> None:
        if not message.paths:
            self.notify("Nothing marked: mark paths with space first", severity="warning")
            return

        def chosen(choice: TransferChoice | None) -> None:
            if choice is None:
                return
            items = [SubmitItem(p, choice.target, choice.on_conflict) for p in message.paths]
            refused = self._refused(message.operation, items)
            if refused:
                self.app.push_screen(RefusedScreen(refused))
                return
            self.path_pane.clear_marks()
            self.submit(message.operation, items)

        client = self.ctx.client

        async def existing(target: str, names: list[str]) -> list[str]:
            return await existing_names(client, target, names)

        screen = TransferScreen(
            message.operation, message.paths, self.path_pane.current_path, existing=existing
        )
        self.app.push_screen(screen, chosen)

    def _denied_inside(self) -> Callable[[str], str | None] | None:
        """The check a delete preview runs on every path it finds (deny-list wildcards)."""
        deny = self.deny_paths
        return (lambda path: denied_reason(path, deny)) if deny else None

    def _refused(self, operation: Operation, items: Sequence[SubmitItem]) -> dict[str, str]:
        """Protected paths the submit would destroy (home, shallow paths, the deny list)."""
        return refused_items(
            operation.value,
            [(i.source_path, i.target_path, i.duplicate_handle_type) for i in items],
            home=None if self.home == "/" else self.home,
            deny=self.deny_paths,
        )

    @work(group="submit", exit_on_error=False)
    async def submit(self, operation: Operation, items: list[SubmitItem]) -> None:
        """Submit in batches; rows appear as each batch is answered."""

        def batch_done(local_ids: Sequence[int], _outcomes: list[SubmitOutcome]) -> None:
            self.show_keys([f"local:{i}" for i in local_ids])

        try:
            outcomes = await submit_tracked(self.ctx, operation, items, on_batch=batch_done)
        except EfileError as exc:
            self.notify(str(exc), title="Submit failed", severity="error", timeout=10)
            return
        ok = sum(o.ok for o in outcomes)
        unknown = sum(o.unknown for o in outcomes)
        bad = len(outcomes) - ok - unknown
        text = f"{operation.value}: {ok} of {len(outcomes)} submitted"
        if unknown:
            text += f"; {unknown} OUTCOME UNKNOWN (check before resubmitting)"
        if bad:
            text += f"; {bad} rejected (see the error column)"
        self.notify(
            text,
            severity="error" if unknown or bad else "information",
            timeout=10 if unknown or bad else 5,
        )
        self.path_pane.refresh_folder()
        self.poll_now()

    # -- cancel ---------------------------------------------------------------------------

    def on_cancel_requested(self, message: CancelRequested) -> None:
        ids = message.task_ids
        if not ids:
            self.notify(
                "No running task marked: mark tasks with space (finished tasks "
                "cannot be cancelled)",
                severity="warning",
            )
            return
        visible = set(self.table.row_keys)
        hidden = sum(1 for t in ids if t not in visible)

        def confirmed(ok: bool | None) -> None:
            if ok:
                self.cancel(ids)

        self.app.push_screen(ConfirmCancelScreen(ids, self.view.rows, hidden), confirmed)

    @work(group="cancel", exit_on_error=False)
    async def cancel(self, ids: list[str]) -> None:
        """Send the cancels, show "cancelling…", then the per-task result sheet."""
        results: list[CancelResult] = []
        await asyncio.to_thread(self.ctx.journal.mark_cancel_requested, ids)
        self.apply_entries(await asyncio.to_thread(self._entries, ids))
        try:
            results = await cancel_tracked(self.ctx, ids, marked=True)
        except EfileError as exc:
            self.notify(str(exc), title="Cancel failed", severity="error", timeout=10)
            return
        finally:  # refused cancels are no longer "cancelling…"
            self.apply_entries(await asyncio.to_thread(self._entries, ids))
        done = [r.task_id for r in results if r.result]
        self.view.marks.difference_update(done)

        def closed(action: ResultAction | None) -> None:
            if action and action.retry:
                self.cancel(list(action.retry))

        # The result sheet first: the table under it is redrawn once the sheet is up.
        self.app.push_screen(CancelResultsScreen(results, self.view.rows), closed)
        self.call_after_refresh(self.table.refresh_marks, done)
        self.call_after_refresh(self.query_one(TaskPane).update_info)
        self.poll_now()

    # -- other actions ---------------------------------------------------------------------

    @work(group="dismiss", exit_on_error=False)
    async def on_dismiss_requested(self, message: DismissRequested) -> None:
        done = set(await asyncio.to_thread(self.ctx.journal.dismiss, message.keys))
        if not done:
            self.notify(
                "Nothing dismissed: only finished, expired or outcome-unknown rows can be",
                severity="warning",
            )
            return
        gone = [
            e.task_id or f"local:{e.local_id}"
            for e in await asyncio.to_thread(self._entries, message.keys)
            if e.local_id in done
        ]
        if not self.show_old:
            for key in gone:
                self.view.rows.pop(key, None)
                self.view.marks.discard(key)
            self.table.sync()
            self.query_one(TaskPane).update_info()
            self.status.counts = self.view.counts()

        def undo() -> None:
            self.undismiss(sorted(done))

        n = len(done)
        self.undo.offer(f"Dismissed {n} entr{'y' if n == 1 else 'ies'}; h shows dismissed", undo)

    def on_label_requested(self, message: LabelRequested) -> None:
        labels = [r.label for k in message.keys if (r := self.view.rows.get(k))]

        def chosen(text: str | None) -> None:
            self.label_rows(message.keys, text)

        self.app.push_screen(LabelScreen(len(message.keys), labels), chosen)

    @work(group="label", exit_on_error=False)
    async def label_rows(self, keys: list[str], label: str | None) -> None:
        """Store the label the form returned ("" clears, None: dismissed) and show it."""
        if label is not None:
            await asyncio.to_thread(self.ctx.journal.set_label, keys, label or None)
            self.apply_entries(await asyncio.to_thread(self._entries, keys))

    @work(group="resolve", exit_on_error=False)
    async def on_resolve_requested(self, message: ResolveRequested) -> None:
        """Look at the paths of lost submits; record and show what they say."""
        lost = [
            e for e in await asyncio.to_thread(self._entries, message.keys) if e.outcome_unknown
        ]
        if not lost:
            self.notify("No outcome-unknown row marked (R checks lost submits)", severity="warning")
            return
        verdicts = await resolve.check_all(self.ctx.client, lost)
        await asyncio.to_thread(resolve.record, self.ctx.journal, verdicts)
        self.apply_entries(await asyncio.to_thread(self._entries, message.keys))
        text = "\n".join(
            f"{v.entry.source_path}: {resolve.VERDICT_TEXT[v.verdict]} ({v.reason})"
            for v in verdicts
        )
        self.app.push_screen(TextScreen("What the paths say", clean(text, keep_newlines=True)))

    @work(group="dismiss", exit_on_error=False)
    async def undismiss(self, local_ids: list[int]) -> None:
        """Take a dismiss back and show the entries again."""
        await asyncio.to_thread(self.ctx.journal.undismiss, local_ids)
        self.reload_journal()

    @work(group="show", exit_on_error=False)
    async def show_keys(self, keys: list[str]) -> None:
        """Read these entries from the journal (in a thread) and show them."""
        self.apply_entries(await asyncio.to_thread(self._entries, keys))

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
        self.app.push_screen(HelpScreen())

    def action_import_ids(self) -> None:
        """Track task ids started elsewhere."""

        def got(ids: list[str] | None) -> None:
            if ids:
                self.import_ids(ids)

        self.app.push_screen(ImportIdsScreen(), got)

    @work(group="import", exit_on_error=False)
    async def import_ids(self, ids: list[str]) -> None:
        """Add ids to the journal, show them, and poll them."""
        added = await asyncio.to_thread(
            self.ctx.journal.add_ids, ids, profile=self.ctx.profile, region=self.ctx.region
        )
        await asyncio.to_thread(
            lambda: self.ctx.audit.record(
                "import",
                profile=self.ctx.profile,
                region=self.ctx.region,
                count=len(added),
                items=[{"taskId": t} for t in added],
                exit="ok",
            )
        )
        self.apply_entries(await asyncio.to_thread(self._entries, ids))
        self.notify(f"Tracking {len(added)} new task(s); {len(ids) - len(added)} already known")
        self.poll_now()

    @work(group="log", exclusive=True, exit_on_error=False)
    async def action_show_log(self) -> None:
        """Open the audit log screen: its last events, read in a thread."""
        events = await asyncio.to_thread(self.ctx.audit.read, limit=AUDIT_SHOWN)
        self.app.push_screen(LogScreen(events))

    @work(group="show", exit_on_error=False)
    async def on_virtual_table_row_selected(self, event: TaskTable.RowSelected) -> None:
        if not isinstance(event.table, TaskTable) or event.key is None:
            return
        entries = await asyncio.to_thread(self._entries, [event.key])
        if entries:
            entry = entries[0]
            text = json.dumps(entry.to_json(), indent=2, ensure_ascii=False)
            self.app.push_screen(TextScreen(f"Task {entry.task_id or '(no id)'}", text))
