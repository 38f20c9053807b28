"""The main screen's requests: what happens after a key asks for something to be done.

Listing a folder page, delete and copy/move (through the one pipeline of
``core.pipeline``: refused, confirmed, then sent), cancel (``core.cancelplan`` decides what
is sent; confirm, send, the per-task result sheet), dismiss and its undo, labels, checking
lost submits, importing task ids, the audit log and a task's details. Each runs in a worker
of the screen; the journal is read and written in threads. Nothing here decides a rule.

``MainScreen`` holds one ``RequestFlows`` (composition, not a base class) and hands it its
request messages.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine, Sequence
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec

from textual.worker import Worker

from efile_tui.api.errors import EfileError
from efile_tui.api.models import Operation, SubmitOutcome
from efile_tui.core import resolve, words
from efile_tui.core.operations import cancel_tracked
from efile_tui.core.pipeline import Confirmation, prepare, run
from efile_tui.core.preview import existing_names
from efile_tui.core.protect import Plan, Rules, refusals
from efile_tui.core.tasktext import detail_lines
from efile_tui.core.text import clean
from efile_tui.i18n import _, ngettext, shown
from efile_tui.ui.format import error_text, refused_note
from efile_tui.ui.messages import (
    CancelRequested,
    DeleteRequested,
    DismissRequested,
    LabelRequested,
    PageWanted,
    ResolveRequested,
    TransferRequested,
)
from efile_tui.ui.widgets.task_pane import TaskPane
from efile_tui.ui.widgets.task_table import TaskTable

if TYPE_CHECKING:
    from efile_tui.ui.modals.cancel import ResultAction
    from efile_tui.ui.modals.transfer import TransferChoice
    from efile_tui.ui.screens.main import MainScreen

P = ParamSpec("P")
Flow = Callable[Concatenate["RequestFlows", P], Coroutine[Any, Any, None]]


def on_screen(
    *, group: str, exclusive: bool = False
) -> Callable[[Flow[P]], Callable[Concatenate[RequestFlows, P], Worker[None]]]:
    """Run the decorated coroutine in a worker of the main screen (as Textual's ``work``
    does for a widget's own methods); the worker is named after it."""

    def wrap(flow: Flow[P]) -> Callable[Concatenate[RequestFlows, P], Worker[None]]:
        @functools.wraps(flow)
        def start(self: RequestFlows, *args: P.args, **kwargs: P.kwargs) -> Worker[None]:
            return self.screen.run_worker(
                flow(self, *args, **kwargs),
                name=flow.__name__,
                group=group,
                exclusive=exclusive,
                exit_on_error=False,
            )

        return start

    return wrap


AUDIT_SHOWN = 500  # events in the audit log screen


class RequestFlows:
    """The request handlers of the main screen, which it holds (``MainScreen.flows``) and
    hands its messages to. They use the screen's state (the connection context, the task
    view, the undo slot) and its journal → table path; workers run on the screen."""

    def __init__(self, screen: MainScreen) -> None:
        self.screen = screen

    # -- path pane -----------------------------------------------------------------------

    def page_wanted(self, message: PageWanted) -> None:
        self.load_page(message)

    @on_screen(group="list")
    async def load_page(self, msg: PageWanted) -> None:
        """Fetch one page for the path pane."""
        try:
            page = await self.screen.ctx.client.list_dir(
                msg.path,
                start=msg.start,
                limit=msg.limit,
                order_by=msg.order_by,
                order=msg.order,
                keyword=msg.keyword,
            )
        except EfileError as exc:
            self.screen.path_pane.show_error(msg.request_id, exc)
        else:
            if self.screen.path_pane.show_page(msg.request_id, page) and page.refused:
                self.screen.notify(
                    refused_note(page.refused), title=_("Refused"), severity="warning"
                )
        self.screen.relayout()  # the stacked panes share the rows by how many each has

    @property
    def rules(self) -> Rules:
        """What protects paths here: the home folder and the profile's deny list (and the
        profile's walk budget)."""
        home = None if self.screen.home == "/" else self.screen.home
        return Rules(home, tuple(self.screen.deny_paths), walk_seconds=self.screen.walk_budget)

    def delete(self, message: DeleteRequested) -> None:
        from efile_tui.ui.modals.confirm_delete import ConfirmDeleteScreen, RefusedScreen

        paths = message.paths
        if not paths:
            self.screen.notify(
                _("Nothing to delete: mark paths with space first"), severity="warning"
            )
            return
        plan = Plan.of(Operation.DELETE, paths)
        refused = refusals(plan, self.rules)
        if refused:
            self.screen.app.push_screen(RefusedScreen(refused))
            return
        client, rules, pane = self.screen.ctx.client, self.rules, self.screen.path_pane
        is_dir, sizes = pane.marking.known_dirs(paths), pane.marking.known_sizes(paths)

        async def check() -> Confirmation:
            return await prepare(client, plan, rules, preview=True, is_dir=is_dir, sizes=sizes)

        dialog = ConfirmDeleteScreen(paths, check)

        def confirmed(ok: bool | None) -> None:
            if ok and dialog.confirmation is not None:
                self.screen.path_pane.marking.clear_marks()
                self.submit(dialog.confirmation)

        self.screen.app.push_screen(dialog, confirmed)

    def transfer(self, message: TransferRequested) -> None:
        from efile_tui.ui.modals.confirm_delete import RefusedScreen
        from efile_tui.ui.modals.transfer import TransferScreen

        if not message.paths:
            self.screen.notify(_("Nothing marked: mark paths with space first"), severity="warning")
            return

        def chosen(choice: TransferChoice | None) -> None:
            if choice is None:
                return
            plan = Plan.of(message.operation, message.paths, choice.target, choice.on_conflict)
            refused = refusals(plan, self.rules)
            if refused:
                self.screen.app.push_screen(RefusedScreen(refused))
                return
            self.check_and_submit(plan)

        client = self.screen.ctx.client

        async def existing(target: str, names: list[str]) -> list[str]:
            return await existing_names(client, target, names)

        screen = TransferScreen(
            message.operation, message.paths, self.screen.path_pane.current_path, existing=existing
        )
        self.screen.app.push_screen(screen, chosen)

    @on_screen(group="submit")
    async def check_and_submit(self, plan: Plan) -> None:
        """Look at the service where a rule needs it (a walk for the deny list's wildcards,
        what a cover overwrites); refuse, or submit."""
        from efile_tui.ui.modals.confirm_delete import RefusedScreen

        try:
            prepared = await prepare(self.screen.ctx.client, plan, self.rules)
        except EfileError as exc:
            self.screen.notify(
                _("nothing was sent: {error}").format(error=exc),
                title=_("Check failed"),
                severity="error",
            )
            return
        if prepared.refused:
            self.screen.app.push_screen(RefusedScreen(prepared.refused))
            return  # the marks stay: unmark the refused paths, act on the others
        self.screen.path_pane.marking.clear_marks()
        await self.send(prepared)

    @on_screen(group="submit")
    async def submit(self, prepared: Confirmation) -> None:
        """Submit what the user confirmed (in a worker)."""
        await self.send(prepared)

    async def send(self, prepared: Confirmation) -> None:
        """Submit in batches; rows appear as each batch is answered."""

        def batch_done(local_ids: Sequence[int], _outcomes: list[SubmitOutcome]) -> None:
            self.show_keys([f"local:{i}" for i in local_ids])

        operation = prepared.plan.operation
        try:
            outcomes = await run(self.screen.ctx, prepared, on_batch=batch_done)
        except EfileError as exc:
            self.screen.notify(
                error_text(exc), title=_("Submit failed"), severity="error", timeout=10
            )
            return
        ok = sum(o.ok for o in outcomes)
        unknown = sum(o.unknown for o in outcomes)
        bad = len(outcomes) - ok - unknown
        text = _("{operation}: {ok} of {n} submitted").format(
            operation=words.operation(operation.value), ok=ok, n=len(outcomes)
        )
        if unknown:
            text += _("; {n} OUTCOME UNKNOWN (check before resubmitting)").format(n=unknown)
        if bad:
            text += _("; {n} rejected (see the error column)").format(n=bad)
        self.screen.notify(
            text,
            severity="error" if unknown or bad else "information",
            timeout=10 if unknown or bad else 5,
        )
        self.screen.path_pane.refresh_folder()
        self.screen.poll_now()

    # -- cancel ---------------------------------------------------------------------------

    def ask_cancel(self, message: CancelRequested) -> None:
        from efile_tui.ui.modals.cancel import ConfirmCancelScreen

        plan = message.plan
        if plan.empty:
            ended = (
                _("{n} marked task(s) already ended; ").format(n=plan.ended) if plan.ended else ""
            )
            self.screen.notify(
                _(
                    "No running task marked: {ended}mark tasks with space (finished tasks "
                    "cannot be cancelled)"
                ).format(ended=ended),
                severity="warning",
            )
            return

        def confirmed(ok: bool | None) -> None:
            if ok:
                self.screen.view.ended_marks.clear()  # reported: the next cancel starts afresh
                self.cancel(list(plan.send))

        self.screen.app.push_screen(ConfirmCancelScreen(plan, self.screen.view.rows), confirmed)

    @on_screen(group="cancel")
    async def cancel(self, ids: list[str]) -> None:
        """Send the cancels ("cancelling…" shows at once), then the per-task result sheet."""
        from efile_tui.ui.modals.cancel import CancelResultsScreen

        try:
            results = await cancel_tracked(
                self.screen.ctx, ids, on_intent=lambda: self.show_keys(ids)
            )
        except EfileError as exc:
            self.screen.notify(
                error_text(exc), title=_("Cancel failed"), severity="error", timeout=10
            )
            return
        finally:  # refused cancels are no longer "cancelling…"; lost ones say so
            self.screen.apply_entries(await asyncio.to_thread(self.screen.entries, ids))
        done = [r.task_id for r in results if r.result]
        self.screen.view.marks.difference_update(done)

        def closed(action: ResultAction | None) -> None:
            if action and action.retry:
                self.cancel(list(action.retry))

        # The result sheet first: the table under it is redrawn once the sheet is up.
        self.screen.app.push_screen(CancelResultsScreen(results, self.screen.view.rows), closed)
        self.screen.call_after_refresh(self.screen.table.refresh_marks, done)
        self.screen.call_after_refresh(self.screen.query_one(TaskPane).update_info)
        self.screen.poll_now()

    # -- other actions ---------------------------------------------------------------------

    @on_screen(group="dismiss")
    async def dismiss(self, message: DismissRequested) -> None:
        done = set(await asyncio.to_thread(self.screen.ctx.journal.dismiss, message.keys))
        if not done:
            self.screen.notify(
                _("Nothing dismissed: only finished, expired or outcome-unknown rows can be"),
                severity="warning",
            )
            return
        gone = [
            e.task_id or f"local:{e.local_id}"
            for e in await asyncio.to_thread(self.screen.entries, message.keys)
            if e.local_id in done
        ]
        if not self.screen.show_old:
            for key in gone:
                self.screen.view.rows.pop(key, None)
                self.screen.view.marks.discard(key)
            self.screen.table.sync()
            self.screen.query_one(TaskPane).update_info()
            self.screen.status.counts = self.screen.view.counts()

        def undo() -> None:
            self.undismiss(sorted(done))

        n = len(done)
        self.screen.undo.offer(
            ngettext(
                "Dismissed {n} entry; h shows dismissed",
                "Dismissed {n} entries; h shows dismissed",
                n,
            ).format(n=n),
            undo,
        )

    def ask_label(self, message: LabelRequested) -> None:
        from efile_tui.ui.modals.label import LabelScreen

        labels = [r.label for k in message.keys if (r := self.screen.view.rows.get(k))]

        def chosen(text: str | None) -> None:
            self.label_rows(message.keys, text)

        self.screen.app.push_screen(LabelScreen(len(message.keys), labels), chosen)

    @on_screen(group="label")
    async def label_rows(self, keys: list[str], label: str | None) -> None:
        """Store the label the form returned ("" clears, None: dismissed) and show it."""
        if label is not None:
            await asyncio.to_thread(self.screen.ctx.journal.set_label, keys, label or None)
            self.screen.apply_entries(await asyncio.to_thread(self.screen.entries, keys))

    @on_screen(group="resolve")
    async def resolve_lost(self, message: ResolveRequested) -> None:
        """Look at the paths of lost submits; record and show what they say."""
        from efile_tui.ui.modals.misc import TextScreen

        lost = [
            e
            for e in await asyncio.to_thread(self.screen.entries, message.keys)
            if e.outcome_unknown
        ]
        if not lost:
            self.screen.notify(
                _("No outcome-unknown row marked (R checks lost submits)"), severity="warning"
            )
            return
        verdicts = await resolve.check_all(self.screen.ctx.client, lost)
        await asyncio.to_thread(resolve.record, self.screen.ctx.journal, verdicts)
        self.screen.apply_entries(await asyncio.to_thread(self.screen.entries, message.keys))
        text = "\n".join(
            f"{v.entry.source_path}: {_(resolve.VERDICT_TEXT[v.verdict])} ({shown(v.reason)})"
            for v in verdicts
        )
        self.screen.app.push_screen(
            TextScreen(_("What the paths say"), clean(text, keep_newlines=True))
        )

    @on_screen(group="dismiss")
    async def undismiss(self, local_ids: list[int]) -> None:
        """Take a dismiss back and show the entries again."""
        await asyncio.to_thread(self.screen.ctx.journal.undismiss, local_ids)
        self.screen.reload_journal()

    @on_screen(group="show")
    async def show_keys(self, keys: list[str]) -> None:
        """Read these entries from the journal (in a thread) and show them."""
        self.screen.apply_entries(await asyncio.to_thread(self.screen.entries, keys))

    def ask_import(self) -> None:
        """Track task ids started elsewhere."""
        from efile_tui.ui.modals.misc import ImportIdsScreen

        def got(ids: list[str] | None) -> None:
            if ids:
                self.import_ids(ids)

        self.screen.app.push_screen(ImportIdsScreen(), got)

    @on_screen(group="import")
    async def import_ids(self, ids: list[str]) -> None:
        """Add ids to the journal, show them, and poll them."""
        added = await asyncio.to_thread(
            self.screen.ctx.journal.add_ids,
            ids,
            profile=self.screen.ctx.profile,
            region=self.screen.ctx.region,
        )
        await asyncio.to_thread(
            lambda: self.screen.ctx.audit.record(
                "import",
                profile=self.screen.ctx.profile,
                region=self.screen.ctx.region,
                count=len(added),
                items=[{"taskId": t} for t in added],
                exit="ok",
            )
        )
        self.screen.apply_entries(await asyncio.to_thread(self.screen.entries, ids))
        self.screen.notify(
            _("Tracking {n} new task(s); {known} already known").format(
                n=len(added), known=len(ids) - len(added)
            )
        )
        self.screen.poll_now()

    @on_screen(group="log", exclusive=True)
    async def show_log(self) -> None:
        """Open the audit log screen: its last events, read in a thread."""
        from efile_tui.ui.modals.misc import LogScreen

        events = await asyncio.to_thread(self.screen.ctx.audit.read, limit=AUDIT_SHOWN)
        self.screen.app.push_screen(LogScreen(events))

    @on_screen(group="show")
    async def show_task(self, event: TaskTable.RowSelected) -> None:
        from efile_tui.ui.modals.misc import TextScreen

        if not isinstance(event.table, TaskTable) or event.key is None:
            return
        entries = await asyncio.to_thread(self.screen.entries, [event.key])
        if entries:
            entry = entries[0]
            text = "\n".join(detail_lines(entry))
            title = _("Task {id}").format(id=entry.task_id or _("(no id)"))
            self.screen.app.push_screen(TextScreen(title, text))
