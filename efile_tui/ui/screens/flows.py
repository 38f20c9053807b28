"""The main screen's requests: what happens after a key asks for something to be done.

Listing a folder page, delete and copy/move (protected paths refused, a preview or a
target asked for, then the submit), cancel (confirm, send, the per-task result sheet),
dismiss and its undo, labels, checking lost submits, importing task ids, the audit log
and a task's details. Each runs in a worker; the journal is read and written in threads.

``RequestFlows`` is the base class of ``MainScreen``, which owns the state these use
(the connection context, the task view, the undo slot) and the journal → table path.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable, Sequence

from textual import work
from textual.screen import Screen
from textual.worker import Worker

from efile_tui.api.errors import EfileError
from efile_tui.api.models import Operation, SubmitOutcome
from efile_tui.core import resolve
from efile_tui.core.operations import Context, cancel_tracked
from efile_tui.core.pipeline import Confirmation, prepare, run
from efile_tui.core.preview import existing_names
from efile_tui.core.protect import Plan, Rules, refusals
from efile_tui.core.taskview import TaskView
from efile_tui.core.text import clean
from efile_tui.i18n import _
from efile_tui.store.journal import JournalEntry
from efile_tui.ui.format import refused_note
from efile_tui.ui.messages import (
    CancelRequested,
    DeleteRequested,
    DismissRequested,
    LabelRequested,
    PageWanted,
    ResolveRequested,
    TransferRequested,
)
from efile_tui.ui.modals.cancel import CancelResultsScreen, ConfirmCancelScreen, ResultAction
from efile_tui.ui.modals.confirm_delete import ConfirmDeleteScreen, RefusedScreen
from efile_tui.ui.modals.label import LabelScreen
from efile_tui.ui.modals.misc import ImportIdsScreen, LogScreen, TextScreen
from efile_tui.ui.modals.transfer import TransferChoice, TransferScreen
from efile_tui.ui.undo import UndoSlot
from efile_tui.ui.widgets.path_pane import PathPane
from efile_tui.ui.widgets.status_bar import StatusBar
from efile_tui.ui.widgets.task_pane import TaskPane
from efile_tui.ui.widgets.task_table import TaskTable

AUDIT_SHOWN = 500  # events in the audit log screen


class RequestFlows(Screen[None]):
    """The request handlers of the main screen (its base class)."""

    # Set by MainScreen.__init__.
    ctx: Context
    view: TaskView
    home: str
    deny_paths: list[str]
    show_old: bool
    undo: UndoSlot

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

    # -- defined by MainScreen (the journal → table path and polling) ------------------

    def _entries(self, keys: Iterable[str]) -> list[JournalEntry]:
        """Journal entries for table keys (MainScreen's)."""
        raise NotImplementedError

    def apply_entries(self, entries: Sequence[JournalEntry]) -> None:
        """Put journal entries into the view and the table (MainScreen's)."""
        raise NotImplementedError

    def reload_journal(self) -> Worker[None]:
        """Reload the task table from the journal (MainScreen's)."""
        raise NotImplementedError

    def poll_now(self) -> None:
        """Poll at once (MainScreen's)."""
        raise NotImplementedError

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
                self.notify(refused_note(page.refused), title=_("Refused"), severity="warning")

    @property
    def rules(self) -> Rules:
        """What protects paths here: the home folder and the profile's deny list."""
        return Rules(None if self.home == "/" else self.home, tuple(self.deny_paths))

    def on_delete_requested(self, message: DeleteRequested) -> None:
        paths = message.paths
        if not paths:
            self.notify(_("Nothing to delete: mark paths with space first"), severity="warning")
            return
        plan = Plan.of(Operation.DELETE, paths)
        refused = refusals(plan, self.rules)
        if refused:
            self.app.push_screen(RefusedScreen(refused))
            return
        client, rules, pane = self.ctx.client, self.rules, self.path_pane
        is_dir, sizes = pane.known_dirs(paths), pane.known_sizes(paths)

        async def check() -> Confirmation:
            return await prepare(client, plan, rules, preview=True, is_dir=is_dir, sizes=sizes)

        dialog = ConfirmDeleteScreen(paths, check)

        def confirmed(ok: bool | None) -> None:
            if ok and dialog.confirmation is not None:
                self.path_pane.clear_marks()
                self.submit(dialog.confirmation)

        self.app.push_screen(dialog, confirmed)

    def on_transfer_requested(self, message: TransferRequested) -> None:
        if not message.paths:
            self.notify(_("Nothing marked: mark paths with space first"), severity="warning")
            return

        def chosen(choice: TransferChoice | None) -> None:
            if choice is None:
                return
            plan = Plan.of(message.operation, message.paths, choice.target, choice.on_conflict)
            refused = refusals(plan, self.rules)
            if refused:
                self.app.push_screen(RefusedScreen(refused))
                return
            self.path_pane.clear_marks()
            self.check_and_submit(plan)

        client = self.ctx.client

        async def existing(target: str, names: list[str]) -> list[str]:
            return await existing_names(client, target, names)

        screen = TransferScreen(
            message.operation, message.paths, self.path_pane.current_path, existing=existing
        )
        self.app.push_screen(screen, chosen)

    @work(group="submit", exit_on_error=False)
    async def check_and_submit(self, plan: Plan) -> None:
        """Look at the service where a rule needs it (a walk for the deny list's wildcards,
        what a cover overwrites); refuse, or submit."""
        try:
            prepared = await prepare(self.ctx.client, plan, self.rules)
        except EfileError as exc:
            self.notify(f"nothing was sent: {exc}", title=_("Check failed"), severity="error")
            return
        if prepared.refused:
            self.app.push_screen(RefusedScreen(prepared.refused))
            return
        self.submit(prepared)

    @work(group="submit", exit_on_error=False)
    async def submit(self, prepared: Confirmation) -> None:
        """Submit in batches; rows appear as each batch is answered."""

        def batch_done(local_ids: Sequence[int], _outcomes: list[SubmitOutcome]) -> None:
            self.show_keys([f"local:{i}" for i in local_ids])

        operation = prepared.plan.operation
        try:
            outcomes = await run(self.ctx, prepared, on_batch=batch_done)
        except EfileError as exc:
            self.notify(str(exc), title=_("Submit failed"), severity="error", timeout=10)
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
        plan = message.plan
        if plan.empty:
            ended = (
                _("{n} marked task(s) already ended; ").format(n=plan.ended) if plan.ended else ""
            )
            self.notify(
                _(
                    "No running task marked: {ended}mark tasks with space (finished tasks "
                    "cannot be cancelled)"
                ).format(ended=ended),
                severity="warning",
            )
            return

        def confirmed(ok: bool | None) -> None:
            if ok:
                self.view.ended_marks.clear()  # reported: the next cancel starts afresh
                self.cancel(list(plan.send))

        self.app.push_screen(ConfirmCancelScreen(plan, self.view.rows), confirmed)

    @work(group="cancel", exit_on_error=False)
    async def cancel(self, ids: list[str]) -> None:
        """Send the cancels ("cancelling…" shows at once), then the per-task result sheet."""
        try:
            results = await cancel_tracked(self.ctx, ids, on_intent=lambda: self.show_keys(ids))
        except EfileError as exc:
            self.notify(str(exc), title=_("Cancel failed"), severity="error", timeout=10)
            return
        finally:  # refused cancels are no longer "cancelling…"; lost ones say so
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
                _("Nothing dismissed: only finished, expired or outcome-unknown rows can be"),
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
            self.notify(
                _("No outcome-unknown row marked (R checks lost submits)"), severity="warning"
            )
            return
        verdicts = await resolve.check_all(self.ctx.client, lost)
        await asyncio.to_thread(resolve.record, self.ctx.journal, verdicts)
        self.apply_entries(await asyncio.to_thread(self._entries, message.keys))
        text = "\n".join(
            f"{v.entry.source_path}: {resolve.VERDICT_TEXT[v.verdict]} ({v.reason})"
            for v in verdicts
        )
        self.app.push_screen(TextScreen(_("What the paths say"), clean(text, keep_newlines=True)))

    @work(group="dismiss", exit_on_error=False)
    async def undismiss(self, local_ids: list[int]) -> None:
        """Take a dismiss back and show the entries again."""
        await asyncio.to_thread(self.ctx.journal.undismiss, local_ids)
        self.reload_journal()

    @work(group="show", exit_on_error=False)
    async def show_keys(self, keys: list[str]) -> None:
        """Read these entries from the journal (in a thread) and show them."""
        self.apply_entries(await asyncio.to_thread(self._entries, keys))

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
