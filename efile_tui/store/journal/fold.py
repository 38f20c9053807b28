"""Journal events and how they fold into task state.

Each writer appends events (one JSON array per line) to its own file; readers merge every
file and apply the events in time order. An event names its entry by local id (an int) or,
for what the service reports about a task, by task id (a string) — so two entries that hold
the same task id (imported on two hosts at once) stay in step, and only one of them is shown.

=====  =====================================================================================
kind   fields after ``[kind, time, ref``
=====  =====================================================================================
``I``  intent / import: task id, operation, source, target, conflict, profile, region,
       origin, state, label, writer (``host:pid:start``, until the answer is recorded)
``T``  the service's view of the task: task id, status, operation, source, target, conflict,
       error code, error message, total/processed num, total/processed size, progress,
       server submit/update time
``O``  an outcome without a task (rejected, answer lost): state, error code, error message,
       only-if-still-submitting
``M``  left out of an answer of the service (counted towards vanishing)
``X``  expired on the server (vanished, when not final) · ``C`` cancel requested ·
       ``D`` dismissed · ``U`` shown again
``K``  a cancel's answer was lost: the message (null: an answer came after all)
``L``  label set (or cleared with null)
``R``  submitted again: the local id of the new entry
``B``  a batch ``["B", [event, …]]``: the events of one call, read whole or not at all
=====  =====================================================================================

The rules make the result the same whatever order hosts' events arrive in, wherever it
matters: a final task state never goes back to a running one, the first cancel time is kept,
operation and paths already known win over what the service reports.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from efile_tui import gcpause
from efile_tui.api.models import Operation
from efile_tui.store.journal.entry import (
    CANCEL_LOST,
    ORIGIN_SUBMITTED,
    OUTCOME_UNKNOWN,
    REJECTED,
    SUBMITTING,
    TASK_FINAL,
    JournalEntry,
)
from efile_tui.store.journal.rows import changed, new_row, operation

BATCH = "B"

Event = list[Any]
Ref = int | str
Changes = dict[str, Any]


@contextmanager
def bulk() -> Iterator[None]:
    """Pause the cycle collector while building many rows or entries at once: they hold no
    cycles, and its passes over 100,000 fresh containers would cost more than the work."""
    with gcpause.paused():
        yield


class JournalState:
    """Entries folded from events: rows by local id, the task id index, events waiting."""

    def __init__(self) -> None:
        self.rows: dict[int, JournalEntry] = {}
        # The writer (``host:pid:start``) of each intent still waiting for its answer.
        self.writers: dict[int, str] = {}
        # Task id -> the local id holding it, or a list of them when several entries do.
        self.by_task: dict[str, int | list[int]] = {}
        # Events for an entry not seen yet (another host's clock, or a file not read yet).
        self.pending: dict[Ref, list[Event]] = {}
        self._order: list[int] | None = None

    # -- building -------------------------------------------------------------------------

    def add_rows(self, rows: Iterable[JournalEntry], writers: dict[int, str]) -> None:
        """Put whole rows in (from a snapshot or an import), with their intents' writers."""
        for row in rows:
            self.rows[row.local_id] = row
            if row.task_id is not None:
                self._link(row.local_id, row.task_id)
        self.writers.update(writers)
        self._order = None

    def apply_all(self, events: Iterable[Event]) -> set[int]:
        """Apply events in time order (stable: a file's own order is kept); changed ids."""
        changed: set[int] = set()
        for ev in sorted(unbatched(events), key=_event_time):
            changed.update(self.apply(ev))
        return changed

    def apply_streams(self, streams: Iterable[Iterable[Event]]) -> set[int]:
        """Apply the events of several files, merged in time order; each file's own order
        is kept (a writer's records are in the order it made them). Changed ids."""
        changed: set[int] = set()
        for ev in heapq.merge(*streams, key=_event_time):
            changed.update(self.apply(ev))
        return changed

    def apply(self, ev: Event) -> list[int]:
        """Apply one event; return the local ids it changed. Malformed events are ignored."""
        try:
            kind, ref = ev[0], ev[2]
            if kind == "I":
                return self._intent(ev)
            targets = self._targets(ref)
            if not targets:
                self.pending.setdefault(ref, []).append(ev)
                return []
            handler = _HANDLERS.get(kind)
            if handler is None:
                return []
            done = [(lid, fields) for lid in targets if (fields := handler(self, lid, ev))]
        except (IndexError, TypeError, KeyError, AttributeError):
            return []
        rows = self.rows
        for lid, fields in done:
            row = rows[lid]
            rows[lid] = changed(row, updated_at=max(row.updated_at, ev[1]), **fields)
        return [lid for lid, _ in done]

    def _targets(self, ref: object) -> list[int]:
        if isinstance(ref, int):
            return [ref] if ref in self.rows else []
        if isinstance(ref, str):
            return self.task_lids(ref)
        raise TypeError("bad reference")

    def _intent(self, ev: Event) -> list[int]:
        lid = ev[2]
        if not isinstance(lid, int) or lid in self.rows:
            return []
        row = self.rows[lid] = new_row(ev)
        if ev[13] is not None:
            self.writers[lid] = ev[13]
        self._order = None
        done = [lid]
        if row.task_id is not None:
            done += self._index(lid, row.task_id)
        return done + self._replay(lid)

    def _index(self, lid: int, task_id: str) -> list[int]:
        self._link(lid, task_id)
        return self._replay(task_id)

    def _link(self, lid: int, task_id: str) -> None:
        held = self.by_task.get(task_id)
        if held is None:
            self.by_task[task_id] = lid  # the usual case: no list for one entry
        elif isinstance(held, int):
            self.by_task[task_id] = [held, lid]
        else:
            held.append(lid)

    def task_lids(self, task_id: str) -> list[int]:
        """The local ids of the entries holding ``task_id``."""
        held = self.by_task.get(task_id)
        if held is None:
            return []
        return [held] if isinstance(held, int) else held

    def _submitted_holder(self, task_id: str) -> int | None:
        """The local id of a submitted entry holding ``task_id``, if any."""
        rows = self.rows
        held = self.task_lids(task_id)
        return next((lid for lid in held if rows[lid].origin == ORIGIN_SUBMITTED), None)

    def _replay(self, ref: Ref) -> list[int]:
        changed: list[int] = []
        for ev in self.pending.pop(ref, []):
            changed += self.apply(ev)
        return changed

    def _task(self, lid: int, ev: Event) -> Changes | None:
        (task_id, state, op, src, tgt, conflict) = ev[3:9]
        row = self.rows[lid]
        if row.state in TASK_FINAL and state not in TASK_FINAL:
            return None  # a stale answer: a final state never goes back
        if task_id and row.task_id is None:
            holder = self._submitted_holder(task_id)
            if holder is not None and row.origin == ORIGIN_SUBMITTED:
                # The service answered a submit with a task another submit already got.
                self.writers.pop(lid, None)
                message = f"the service answered with task {task_id}, already journal entry "
                return {
                    "state": OUTCOME_UNKNOWN,
                    "error_code": None,
                    "error_msg": f"{message}{holder}",
                }
            self.rows[lid] = changed(row, task_id=task_id)
            self._index(lid, task_id)  # what waited for this task id applies first
            row = self.rows[lid]
        self.writers.pop(lid, None)
        (ecode, emsg, total_num, done_num, total_size, done_size, progress, s_sub, s_upd) = ev[9:18]
        return {
            "state": state,
            "final_at": ev[1] if row.final_at is None and state in TASK_FINAL else row.final_at,
            "operation": operation(op) if row.operation is Operation.UNKNOWN else row.operation,
            "source_path": row.source_path or src or "",
            "target_path": row.target_path if row.target_path is not None else tgt,
            "conflict": row.conflict if row.conflict is not None else conflict,
            "error_code": ecode,
            "error_msg": emsg,
            "total_num": total_num,
            "processed_num": done_num,
            "total_size": total_size,
            "processed_size": done_size,
            "progress": progress,
            "server_submit_time": s_sub,
            "server_update_time": s_upd,
            "expired": False,
            "last_seen_at": ev[1],
            "missed_since": None,
            "misses": 0,
        }

    # -- reading --------------------------------------------------------------------------

    def canonical(self, task_id: str) -> int:
        """The one entry shown for a task id: a submitted one first, then the oldest."""
        lids = self.by_task[task_id]
        if isinstance(lids, int):
            return lids
        rows = self.rows
        return min(lids, key=lambda lid: (rows[lid].origin != ORIGIN_SUBMITTED, lid))

    def visible(self, lid: int) -> bool:
        """False for a second entry of a task id another entry shows."""
        task_id = self.rows[lid].task_id
        return (
            task_id is None
            or isinstance(self.by_task[task_id], int)
            or self.canonical(task_id) == lid
        )

    def entry(self, lid: int) -> JournalEntry:
        """The entry of a local id (the row itself: it is immutable)."""
        return self.rows[lid]

    def newest_first(self) -> list[int]:
        """Local ids, newest submit first."""
        if self._order is None:
            rows = self.rows
            self._order = sorted(rows, key=lambda lid: (rows[lid].submitted_at, lid), reverse=True)
        return self._order

    def select(self, keep: Callable[[JournalEntry], bool]) -> list[JournalEntry]:
        """Visible entries that pass ``keep``, newest first."""
        rows = self.rows
        return [rows[lid] for lid in self.select_ids(keep)]

    def select_ids(self, keep: Callable[[JournalEntry], bool]) -> list[int]:
        """The local ids of the visible entries whose row passes ``keep``, newest first."""
        rows, by_task = self.rows, self.by_task
        out: list[int] = []
        append = out.append
        for lid in self.newest_first():
            row = rows[lid]
            task_id = row.task_id
            if task_id is not None and type(by_task[task_id]) is list and not self.visible(lid):
                continue
            if keep(row):
                append(lid)
        return out

    def find(self, ref: Ref) -> JournalEntry | None:
        """The row shown for a local id or task id, or None."""
        if isinstance(ref, int):
            row = self.rows.get(ref)
            return row if row is not None and self.visible(ref) else None
        if ref in self.by_task:
            return self.rows[self.canonical(ref)]
        return None


def batched(events: list[Event]) -> Event:
    """One record holding several events: written as one line, it is read whole or not at
    all, so a writer killed mid-write never leaves half a batch (e.g. half a submit's intents)."""
    return events[0] if len(events) == 1 else [BATCH, events]


def unbatched(events: Iterable[Event]) -> Iterator[Event]:
    """The events of ``events`` with batch records opened up."""
    for ev in events:
        if isinstance(ev, list) and len(ev) == 2 and ev[0] == BATCH and isinstance(ev[1], list):
            yield from ev[1]
        else:
            yield ev


def _event_time(ev: Event) -> float:
    try:
        return float(ev[1])
    except (IndexError, TypeError, ValueError):
        return 0.0


def _outcome(state: JournalState, lid: int, ev: Event) -> Changes | None:
    row = state.rows[lid]
    if ev[6] and row.state != SUBMITTING:
        return None
    state.writers.pop(lid, None)
    final_at = ev[1] if ev[3] == REJECTED and row.final_at is None else row.final_at
    return {"state": ev[3], "error_code": ev[4], "error_msg": ev[5], "final_at": final_at}


def _expired(state: JournalState, lid: int, ev: Event) -> Changes | None:
    return None if state.rows[lid].expired else {"expired": True}


def _missed(state: JournalState, lid: int, ev: Event) -> Changes | None:
    row = state.rows[lid]
    since = ev[1] if row.missed_since is None else row.missed_since
    return {"missed_since": since, "misses": row.misses + 1}


def _cancel(state: JournalState, lid: int, ev: Event) -> Changes | None:
    at = state.rows[lid].cancel_requested_at
    return None if at is not None and at <= ev[1] else {"cancel_requested_at": ev[1]}


def _cancel_refused(state: JournalState, lid: int, ev: Event) -> Changes | None:
    row = state.rows[lid]
    at = row.cancel_requested_at
    if at is None or at > ev[1]:
        return None
    if row.error_code == CANCEL_LOST:
        return {"cancel_requested_at": None, "error_code": None, "error_msg": None}
    return {"cancel_requested_at": None}


def _cancel_lost(state: JournalState, lid: int, ev: Event) -> Changes | None:
    """The cancel was sent but its answer lost: shown until a poll brings the task's
    state (which replaces the error fields), or a later answer clears it."""
    row = state.rows[lid]
    message = ev[3] if len(ev) > 3 else None
    if message is None:
        if row.error_code != CANCEL_LOST:
            return None
        return {"error_code": None, "error_msg": None}
    if row.cancel_requested_at is None or row.state in TASK_FINAL:
        return None
    return {"error_code": CANCEL_LOST, "error_msg": str(message)}


def _dismiss(state: JournalState, lid: int, ev: Event) -> Changes | None:
    return None if state.rows[lid].dismissed_at is not None else {"dismissed_at": ev[1]}


def _undismiss(state: JournalState, lid: int, ev: Event) -> Changes | None:
    return None if state.rows[lid].dismissed_at is None else {"dismissed_at": None}


def _label(state: JournalState, lid: int, ev: Event) -> Changes | None:
    label = ev[3]
    if state.rows[lid].label == label or not (label is None or isinstance(label, str)):
        return None
    return {"label": label}


def _resubmitted(state: JournalState, lid: int, ev: Event) -> Changes | None:
    new = ev[3]
    if not isinstance(new, int) or isinstance(new, bool) or state.rows[lid].resubmitted_as == new:
        return None
    return {"resubmitted_as": new}


_HANDLERS: dict[str, Callable[[JournalState, int, Event], Changes | None]] = {
    "T": JournalState._task,
    "O": _outcome,
    "M": _missed,
    "X": _expired,
    "C": _cancel,
    "N": _cancel_refused,
    "K": _cancel_lost,
    "D": _dismiss,
    "U": _undismiss,
    "L": _label,
    "R": _resubmitted,
}
