"""Submit, cancel and poll with the journal and audit log kept in step.

The CLI and the TUI both go through these functions, so every task submitted from this
machine is journalled before it is sent and every answer is audited.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from efile_tui.api.client import EfileClient
from efile_tui.api.errors import EfileError
from efile_tui.api.models import CancelResult, Operation, SubmitItem, SubmitOutcome, Task
from efile_tui.config import DEFAULT_POLL_INTERVAL
from efile_tui.store.audit import AuditLog
from efile_tui.store.journal import DEFAULT_VANISH, Journal, VanishRule


@dataclass
class Context:
    """The pieces an operation needs: client, journal, audit log and who is acting."""

    client: EfileClient
    journal: Journal
    audit: AuditLog
    profile: str | None = None
    region: str | None = None
    poll_interval: float = DEFAULT_POLL_INTERVAL  # the profile's, for watch and --wait
    vanish: VanishRule = DEFAULT_VANISH  # the profile's: when a missing task has vanished


async def submit_tracked(
    ctx: Context,
    operation: Operation,
    items: Sequence[SubmitItem],
    *,
    on_batch: Callable[[Sequence[int], list[SubmitOutcome]], None] | None = None,
    label: str | None = None,
) -> list[SubmitOutcome]:
    """Journal the intent, submit in batches, journal and audit every outcome.

    ``on_batch`` gets the journal ids and outcomes of each batch as soon as they are
    recorded, so a UI can show the new tasks at once. ``label`` is stored with every item.

    If the submit is interrupted (task cancelled, process stopping) the items not yet
    answered are recorded as "outcome unknown" so they stay visible.
    """
    local_ids = await asyncio.to_thread(
        ctx.journal.begin_submit,
        operation,
        items,
        profile=ctx.profile,
        region=ctx.region,
        label=label,
    )
    done: list[SubmitOutcome] = []
    recording: list[asyncio.Task[None]] = []  # answers being written, in answer order

    async def record(
        batch_ids: list[int], outcomes: list[SubmitOutcome], before: asyncio.Task[None] | None
    ) -> None:
        if before is not None:
            await before
        await asyncio.to_thread(ctx.journal.finish_submit, batch_ids, outcomes)
        if on_batch:
            on_batch(batch_ids, outcomes)

    def batch_done(outcomes: list[SubmitOutcome]) -> None:
        start = len(done)
        done.extend(outcomes)
        # The journal is written in a thread (never on the caller's event loop).
        before = recording[-1] if recording else None
        task = asyncio.ensure_future(record(local_ids[start : len(done)], outcomes, before))
        recording.append(task)

    try:
        await ctx.client.submit(operation, items, on_batch=batch_done)
        await asyncio.gather(*recording)
    except BaseException:
        for task in recording:  # what was answered is recorded as answered
            if not task.done():
                with contextlib.suppress(BaseException):
                    await asyncio.shield(task)
        rest = [
            SubmitOutcome(i, error="interrupted before the answer arrived", unknown=True)
            for i in items[len(done) :]
        ]
        ctx.journal.finish_submit(local_ids[len(done) :], rest)
        ctx.audit.record_submit(operation, done + rest, profile=ctx.profile, region=ctx.region)
        raise
    await asyncio.to_thread(
        ctx.audit.record_submit, operation, done, profile=ctx.profile, region=ctx.region
    )
    return done


async def cancel_tracked(
    ctx: Context,
    task_ids: Sequence[str],
    *,
    on_intent: Callable[[], object] | None = None,
    on_batch: Callable[[list[CancelResult]], None] | None = None,
) -> list[CancelResult]:
    """Journal the intent ("cancel requested"), send in batches, record every answer,
    audit: the cancel's one path, whichever front end asks.

    ``on_intent`` is called once the intent is journalled (a UI shows "cancelling…").
    A cancel the service refused (``result: false``, or an error for the whole request)
    is taken back in the journal, so the task is not shown as "cancelling…" for ever. A
    cancel whose answer was lost stays requested, noted as "cancel sent, answer lost",
    until a poll shows the task's state.
    """
    await asyncio.to_thread(ctx.journal.mark_cancel_requested, task_ids)
    if on_intent:
        on_intent()
    answered_ids: set[str] = set()

    def batch_done(batch: list[CancelResult]) -> None:
        answered_ids.update(r.task_id for r in batch)
        if on_batch:
            on_batch(batch)

    try:
        results = await ctx.client.cancel(task_ids, on_batch=batch_done)
    except BaseException:  # stopped mid-way: what was sent but not answered is lost
        rest = [t for t in task_ids if t not in answered_ids]
        ctx.journal.note_cancel_lost(rest, "interrupted before the answer arrived")
        raise
    refused = [r.task_id for r in results if not r.result and not r.lost]
    lost = [r for r in results if r.lost]
    answered = [r.task_id for r in results if not r.lost]

    def record() -> None:
        if refused:
            ctx.journal.clear_cancel_requested(refused)
        why: dict[str, list[str]] = {}  # a batch's ids share their error
        for result in lost:
            why.setdefault(result.error or "no answer", []).append(result.task_id)
        for message, ids in why.items():
            ctx.journal.note_cancel_lost(ids, message)
        ctx.journal.note_cancel_lost(answered, None)  # a retry's answer came
        ctx.audit.record_cancel(results, profile=ctx.profile, region=ctx.region)

    await asyncio.to_thread(record)
    return results


@dataclass
class PollReport:
    """What one poll cycle learned."""

    asked: list[str] = field(default_factory=list)
    tasks: dict[str, Task] = field(default_factory=dict)
    changed: list[str] = field(default_factory=list)
    expired: list[str] = field(default_factory=list)  # newly expired, or vanished
    requests: int = 0


async def poll_once(ctx: Context, task_ids: Sequence[str] | None = None) -> PollReport:
    """Ask the service about unfinished tasks (or ``task_ids``) and update the journal.

    Only tasks not yet in a final state are asked for by default, in batches of at most
    100: a finished task costs nothing. Ids an answered batch left out are counted
    missing (``Journal.mark_missing`` under ``ctx.vanish``): a final task is then expired
    on the server, another one vanished once the rule says so. If a batch fails after its
    retries, what the other batches brought is still recorded before the error is raised.
    """
    if task_ids is None:
        task_ids = await asyncio.to_thread(ctx.journal.pollable_ids, ctx.profile)
    report = PollReport(asked=list(task_ids))
    if not task_ids:
        return report
    before = ctx.client.request_count
    answered: list[str] = []

    def batch_done(batch: Sequence[str], tasks: dict[str, Task]) -> None:
        answered.extend(batch)
        report.tasks.update(tasks)

    try:
        await ctx.client.task_list(task_ids, on_batch=batch_done)
    except EfileError:
        await _record(ctx, report, answered)
        raise
    await _record(ctx, report, answered)
    report.requests = ctx.client.request_count - before
    return report


async def _record(ctx: Context, report: PollReport, answered: Sequence[str]) -> None:
    """Store a poll's answers; ids asked in an answered batch but not returned are missing."""
    report.changed = await asyncio.to_thread(ctx.journal.record_tasks, report.tasks.values())
    missing = [t for t in answered if t not in report.tasks]
    if missing:
        report.expired = await asyncio.to_thread(ctx.journal.mark_missing, missing, rule=ctx.vanish)
