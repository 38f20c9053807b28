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
``X``  expired on the server · ``C`` cancel requested · ``D`` dismissed · ``U`` shown again
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

import gc
import heapq
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from efile_tui.api.models import Operation
from efile_tui.store.journal.entry import (
    CANCEL_LOST,
    ORIGIN_SUBMITTED,
    REJECTED,
    SUBMITTING,
    TASK_FINAL,
    JournalEntry,
)
from efile_tui.store.journal.rows import (
    CANCEL_AT,
    CONFLICT,
    DISMISSED,
    ECODE,
    EMSG,
    EXPIRED,
    FINAL_AT,
    LABEL,
    LID,
    OP,
    ORIGIN,
    RESUBMITTED,
    SRC,
    STATE,
    SUBMITTED,
    TASK_ID,
    TGT,
    UPDATED,
    WRITER,
    new_row,
    operation,
    share,
)

BATCH = "B"

Event = list[Any]
Ref = int | str
_new_entry = tuple.__new__


@contextmanager
def bulk() -> Iterator[None]:
    """Pause the cycle collector while building many rows or entries at once: they hold no
    cycles, and its passes over 100,000 fresh containers would cost more than the work."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class JournalState:
    """Entries folded from events: rows by local id, the task id index, events waiting."""

    def __init__(self) -> None:
        self.rows: dict[int, list[Any]] = {}
        # Task id -> the local id holding it, or a list of them when several entries do.
        self.by_task: dict[str, int | list[int]] = {}
        # Events for an entry not seen yet (another host's clock, or a file not read yet).
        self.pending: dict[Ref, list[Event]] = {}
        self._order: list[int] | None = None

    # -- building -------------------------------------------------------------------------

    def add_rows(self, rows: Iterable[list[Any]]) -> None:
        """Put whole rows in (from a snapshot or an import)."""
        for row in rows:
            self.rows[row[LID]] = row
            if row[TASK_ID] is not None:
                self._link(row[LID], row[TASK_ID])
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
            done = [lid for lid in targets if handler(self, self.rows[lid], ev)]
        except (IndexError, TypeError, KeyError, AttributeError):
            return []
        for lid in done:
            self.rows[lid][UPDATED] = max(self.rows[lid][UPDATED], ev[1])
        return done

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
        row = new_row(ev)
        self.rows[lid] = row
        self._order = None
        changed = [lid]
        if row[TASK_ID] is not None:
            changed += self._index(lid, row[TASK_ID])
        return changed + self._replay(lid)

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

    def _replay(self, ref: Ref) -> list[int]:
        changed: list[int] = []
        for ev in self.pending.pop(ref, []):
            changed += self.apply(ev)
        return changed

    def _task(self, row: list[Any], ev: Event) -> bool:
        (task_id, state, op, src, tgt, conflict) = ev[3:9]
        if row[STATE] in TASK_FINAL and state not in TASK_FINAL:
            return False  # a stale answer: a final state never goes back
        if task_id and row[TASK_ID] is None:
            row[TASK_ID] = task_id
            self._index(row[LID], task_id)
        row[STATE] = state
        if row[FINAL_AT] is None and state in TASK_FINAL:
            row[FINAL_AT] = ev[1]
        if row[OP] is Operation.UNKNOWN:
            row[OP] = operation(op)
        row[SRC] = row[SRC] or src or ""
        row[TGT] = row[TGT] if row[TGT] is not None else tgt
        row[CONFLICT] = row[CONFLICT] if row[CONFLICT] is not None else conflict
        row[ECODE:DISMISSED] = ev[9:18]
        row[EXPIRED] = False
        row[WRITER] = None
        share(row)
        return True

    # -- reading --------------------------------------------------------------------------

    def canonical(self, task_id: str) -> int:
        """The one entry shown for a task id: a submitted one first, then the oldest."""
        lids = self.by_task[task_id]
        if isinstance(lids, int):
            return lids
        rows = self.rows
        return min(lids, key=lambda lid: (rows[lid][ORIGIN] != ORIGIN_SUBMITTED, lid))

    def visible(self, lid: int) -> bool:
        """False for a second entry of a task id another entry shows."""
        task_id = self.rows[lid][TASK_ID]
        return (
            task_id is None
            or isinstance(self.by_task[task_id], int)
            or self.canonical(task_id) == lid
        )

    def entry(self, lid: int) -> JournalEntry:
        """The entry of a local id: a fresh value, nothing is kept (a journal of 100,000
        entries would otherwise hold every row twice)."""
        return _new_entry(JournalEntry, self.rows[lid][:WRITER])

    def newest_first(self) -> list[int]:
        """Local ids, newest submit first."""
        if self._order is None:
            rows = self.rows
            self._order = sorted(rows, key=lambda lid: (rows[lid][SUBMITTED], lid), reverse=True)
        return self._order

    def select(self, keep: Callable[[list[Any]], bool]) -> list[JournalEntry]:
        """Visible entries whose row passes ``keep``, newest first."""
        rows = self.rows
        with bulk():
            return [_new_entry(JournalEntry, rows[lid][:WRITER]) for lid in self.select_ids(keep)]

    def select_ids(self, keep: Callable[[list[Any]], bool]) -> list[int]:
        """The local ids of the visible entries whose row passes ``keep``, newest first."""
        rows, by_task = self.rows, self.by_task
        out: list[int] = []
        append = out.append
        for lid in self.newest_first():
            row = rows[lid]
            task_id = row[TASK_ID]
            if task_id is not None and type(by_task[task_id]) is list and not self.visible(lid):
                continue
            if keep(row):
                append(lid)
        return out

    def find(self, ref: Ref) -> list[Any] | None:
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


def _outcome(state: JournalState, row: list[Any], ev: Event) -> bool:
    if ev[6] and row[STATE] != SUBMITTING:
        return False
    row[STATE], row[ECODE], row[EMSG] = ev[3], ev[4], ev[5]
    if ev[3] == REJECTED and row[FINAL_AT] is None:
        row[FINAL_AT] = ev[1]
    row[WRITER] = None
    return True


def _expired(state: JournalState, row: list[Any], ev: Event) -> bool:
    if row[EXPIRED]:
        return False
    row[EXPIRED] = True
    return True


def _cancel(state: JournalState, row: list[Any], ev: Event) -> bool:
    if row[CANCEL_AT] is not None and row[CANCEL_AT] <= ev[1]:
        return False
    row[CANCEL_AT] = ev[1]
    return True


def _cancel_refused(state: JournalState, row: list[Any], ev: Event) -> bool:
    if row[CANCEL_AT] is None or row[CANCEL_AT] > ev[1]:
        return False
    row[CANCEL_AT] = None
    if row[ECODE] == CANCEL_LOST:
        row[ECODE] = row[EMSG] = None
    return True


def _cancel_lost(state: JournalState, row: list[Any], ev: Event) -> bool:
    """The cancel was sent but its answer lost: shown until a poll brings the task's
    state (which replaces the error columns), or a later answer clears it."""
    message = ev[3] if len(ev) > 3 else None
    if message is None:
        if row[ECODE] != CANCEL_LOST:
            return False
        row[ECODE] = row[EMSG] = None
        return True
    if row[CANCEL_AT] is None or row[STATE] in TASK_FINAL:
        return False
    row[ECODE], row[EMSG] = CANCEL_LOST, str(message)
    return True


def _dismiss(state: JournalState, row: list[Any], ev: Event) -> bool:
    if row[DISMISSED] is not None:
        return False
    row[DISMISSED] = ev[1]
    return True


def _undismiss(state: JournalState, row: list[Any], ev: Event) -> bool:
    if row[DISMISSED] is None:
        return False
    row[DISMISSED] = None
    return True


def _label(state: JournalState, row: list[Any], ev: Event) -> bool:
    label = ev[3]
    if row[LABEL] == label or not (label is None or isinstance(label, str)):
        return False
    row[LABEL] = label
    return True


def _resubmitted(state: JournalState, row: list[Any], ev: Event) -> bool:
    new = ev[3]
    if not isinstance(new, int) or isinstance(new, bool) or row[RESUBMITTED] == new:
        return False
    row[RESUBMITTED] = new
    return True


_HANDLERS: dict[str, Callable[[JournalState, list[Any], Event], bool]] = {
    "T": JournalState._task,
    "O": _outcome,
    "X": _expired,
    "C": _cancel,
    "N": _cancel_refused,
    "K": _cancel_lost,
    "D": _dismiss,
    "U": _undismiss,
    "L": _label,
    "R": _resubmitted,
}
