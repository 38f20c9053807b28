"""One row of the task table, built from a journal entry: a compact record of plain values.

Rows are keyed by task id; ``RowDict`` holds them and keeps a tally per display status;
``Batch`` turns journal entries into rows away from the UI thread.

Rows are keyed by task id; journal entries without a task id (a submit whose answer was
lost) get the key ``local:<journal id>``.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from efile_tui import gcpause, glyphs
from efile_tui.api.models import TaskStatus, percent_of
from efile_tui.core import words
from efile_tui.core.cells import width as cell_len
from efile_tui.core.tasktext import entry_message
from efile_tui.i18n import _
from efile_tui.store.journal import ORIGIN_SUBMITTED, Journal, JournalEntry

# Display state for rows that are not (yet) a server task.
OUTCOME_UNKNOWN = "outcome unknown"
REJECTED = "rejected"
SUBMITTING = "submitting"
EXPIRED = "expired"
VANISHED = "vanished"

# Journal states shown under another name (the rest show the task status).
_STATE_DISPLAY = {"unknown": OUTCOME_UNKNOWN, "rejected": REJECTED}
_STATUS_VALUES = {s.value: s.value for s in TaskStatus}
_FINAL = frozenset({"complete", "fail", "cancel", REJECTED})
_QUERY_NAMES = {OUTCOME_UNKNOWN: "unknown"}

READ_PART = 5000  # journal entries read at a time while a journal is made into rows

STATUS_ORDER = {
    TaskStatus.PROCESSING.value: 0,
    TaskStatus.WAITING.value: 1,
    SUBMITTING: 2,
    OUTCOME_UNKNOWN: 3,
    VANISHED: 3,
    TaskStatus.FAIL.value: 4,
    REJECTED: 5,
    TaskStatus.CANCEL.value: 6,
    TaskStatus.COMPLETE.value: 7,
    TaskStatus.UNKNOWN.value: 8,
}


@dataclass(frozen=True, slots=True)
class TaskRow:
    """One row of the task table: everything it shows, as plain values."""

    key: str
    task_id: str | None
    operation: str
    status: str
    source: str = ""
    target: str = ""
    processed_num: int = 0
    total_num: int = 0
    processed_size: int = 0
    total_size: int = 0
    percent: float | None = None
    submitted: float = 0.0
    submitted_text: str = ""
    updated_text: str = ""
    error: str = ""
    expired: bool = False
    cancelling: bool = False
    label: str = ""
    origin: str = ORIGIN_SUBMITTED
    cancel_lost: bool = False  # "cancel sent, answer lost" until a poll shows the task
    seen_text: str = ""  # when the service last reported it ("" if never)

    @property
    def vanished(self) -> bool:
        """The service stopped returning the task before it was seen to end."""
        return self.expired and self.status not in _FINAL

    @property
    def state(self) -> str:
        """The status by the query's names (``efile_tui.core.query``): ``unknown`` for an
        outcome unknown, ``vanished`` for a task gone before it ended."""
        if self.vanished:
            return VANISHED
        return _QUERY_NAMES.get(self.status, self.status)

    @property
    def is_final(self) -> bool:
        """No further change is expected."""
        return self.status in _FINAL or self.expired

    @property
    def cancellable(self) -> bool:
        """Only live server tasks can be cancelled."""
        return self.task_id is not None and not self.is_final

    @classmethod
    def from_entry(cls, entry: JournalEntry) -> TaskRow:
        """Build a row from the journal (the source of truth for the table)."""
        state = entry.state
        status = _STATE_DISPLAY.get(state) or _STATUS_VALUES.get(state)
        if status is None:
            status = TaskStatus.parse(state).value
        if entry.task_id is None and state == "submitting":
            status = SUBMITTING
        elif entry.task_id is not None and state == "unknown":
            status = TaskStatus.UNKNOWN.value  # imported, not reported yet: no lost answer
        final = status in _FINAL
        return cls(
            entry.task_id or f"local:{entry.local_id}",
            entry.task_id,
            entry.operation.value,
            status,
            entry.source_path,
            entry.target_path or "",
            entry.processed_num,
            entry.total_num,
            entry.processed_size,
            entry.total_size,
            percent_of(
                status == "complete",
                entry.progress,
                entry.processed_num,
                entry.total_num,
                entry.processed_size,
                entry.total_size,
            ),
            entry.submitted_at,
            entry.server_submit_time or _clock(entry.submitted_at),
            entry.server_update_time or _clock(entry.updated_at),
            entry_message(entry, table=True),
            entry.expired,
            bool(entry.cancel_requested_at) and not final,
            entry.label or "",
            entry.origin,
            entry.cancel_lost and not final,
            _clock(entry.last_seen_at) if entry.last_seen_at else "",
        )


def status_text(row: TaskRow, room: int | None = None) -> str:
    """A status cell: the glyph of the state shown (as in the legend) and its words in the
    language in use, in at most ``room`` cells, never cut: ``∅ vanished (waiting)`` gives
    way to ``∅ vanished``, ``◌ complete (expired)`` to ``◌ expired``."""
    shown = display_status(row)
    glyph = glyphs.current().of(shown)
    if shown == row.status:
        return f"{glyph} {words.status(row.status)}"
    text = f"{glyph} {vanished_words(row.status) if row.vanished else expired_words(row.status)}"
    return text if room is None or cell_len(text) <= room else f"{glyph} {words.status(shown)}"


def expired_words(status: str) -> str:
    """``complete (expired)``, in the language in use."""
    return _("{status} (expired)").format(status=words.status(status))


def vanished_words(status: str) -> str:
    """``vanished (waiting)``, in the language in use."""
    return _("vanished ({status})").format(status=words.status(status))


def display_status(row: TaskRow) -> str:
    """The status a row is shown and counted under: "vanished" for a task gone before it
    ended, "expired" for one the service forgot after it ended, else its status."""
    if row.expired:
        return VANISHED if row.status not in _FINAL else EXPIRED
    return row.status


class RowDict(dict[str, TaskRow]):
    """The rows by key. ``version`` goes up with every change made through the dict (that
    could move a row); ``tally`` counts rows per display status."""

    version = 0

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.tally: Counter[str] = Counter(map(display_status, self.values()))

    def __setitem__(self, key: str, value: TaskRow) -> None:
        self.version += 1
        self.set_quietly([value])

    def __delitem__(self, key: str) -> None:
        self.version += 1
        self.tally[display_status(self[key])] -= 1
        super().__delitem__(key)

    def pop(self, key: str, *default: Any) -> Any:
        """Remove a key (see ``dict.pop``)."""
        if key in self:
            self.version += 1
            self.tally[display_status(self[key])] -= 1
        return super().pop(key, *default)

    def clear(self) -> None:
        """Remove every row."""
        self.version += 1
        self.tally.clear()
        super().clear()

    def set_quietly(self, rows: Iterable[TaskRow]) -> None:
        """Add or replace rows without counting a change (when their places in every order
        stay the same)."""
        get, tally, put = self.get, self.tally, super().__setitem__
        for row in rows:
            old = get(row.key)
            if old is None or old.status != row.status or old.expired != row.expired:
                if old is not None:
                    tally[display_status(old)] -= 1
                tally[display_status(row)] += 1
            put(row.key, row)

    def add_all(self, rows: dict[str, TaskRow], tally: Counter[str] | None = None) -> None:
        """Add rows whose keys are not held yet, in one step (``tally``: theirs, if known)."""
        if rows:
            self.version += 1
            super().update(rows)
            self.tally.update(tally if tally is not None else map(display_status, rows.values()))


@dataclass
class Batch:
    """Journal entries made into rows, sorted into new ones and others (any thread)."""

    new: dict[str, TaskRow] = field(default_factory=dict)
    tally: Counter[str] | None = None  # display statuses of ``new``
    changed: list[TaskRow] = field(default_factory=list)  # held rows that differ
    moves: list[tuple[str, TaskRow]] = field(default_factory=list)  # local: key -> task id
    compared: bool = False  # every row in ``changed`` is known to differ from the held one

    @classmethod
    def prepare(cls, entries: Sequence[JournalEntry], held: dict[str, TaskRow]) -> Batch:
        """Rows for ``entries``, compared with the rows ``held`` (read, never changed)."""
        batch = cls()
        batch.take(entries, held)
        batch.tally = Counter(map(display_status, batch.new.values()))
        batch.compared = True
        return batch

    def take(self, entries: Iterable[JournalEntry], held: dict[str, TaskRow]) -> None:
        """Make ``entries`` into rows and sort them in (see :meth:`prepare`)."""
        get = held.get
        for entry in entries:
            row = TaskRow.from_entry(entry)
            local = f"local:{entry.local_id}"
            if entry.task_id and local in held:
                self.moves.append((local, row))
            elif row.key not in held:
                self.new[row.key] = row
                continue
            if get(row.key) != row:
                self.changed.append(row)

    @classmethod
    def reload(
        cls,
        read: Callable[[list[int]], Sequence[JournalEntry]],
        ids: list[int],
        held: dict[str, TaskRow],
        keys: list[str],
    ) -> tuple[Batch, list[str]]:
        """``prepare`` for the entries of the journal ids ``ids``, read with ``read`` a part
        at a time (so 100,000 entries are never held at once besides their rows), plus
        which of the rows ``keys`` the entries no longer have."""
        batch = cls()
        wanted: set[str] = set()
        for start in range(0, len(ids), READ_PART):
            entries = read(ids[start : start + READ_PART])
            batch.take(entries, held)
            wanted.update(e.task_id or f"local:{e.local_id}" for e in entries)
        batch.tally = Counter(map(display_status, batch.new.values()))
        batch.compared = True
        return batch, [k for k in keys if k not in wanted]


def entries_for_keys(journal: Journal, keys: Iterable[str]) -> list[JournalEntry]:
    """(Reads the journal: call it in a thread.) The journal entries for table keys: task
    ids or ``local:<journal id>``; unknown keys are left out."""
    task_ids: list[str] = []
    local_ids: list[int] = []
    for key in keys:
        if key.startswith("local:"):
            local_ids.append(int(key.split(":", 1)[1]))
        elif key:
            task_ids.append(key)
    return journal.get_many(task_ids, local_ids)


@contextmanager
def bulk_load() -> Iterator[None]:
    """Around reading many rows: no garbage collection meanwhile, and what was read is
    frozen afterwards. A full collection walks every object; over 100,000 fresh rows it
    holds the interpreter for about half a second, and the UI could not answer a key."""
    with gcpause.paused(freeze=True):  # what is held then is left out of later collections
        yield


def _clock(ts: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ts)) if ts else ""


__all__ = [
    "EXPIRED",
    "OUTCOME_UNKNOWN",
    "REJECTED",
    "STATUS_ORDER",
    "SUBMITTING",
    "VANISHED",
    "Batch",
    "RowDict",
    "TaskRow",
    "bulk_load",
    "display_status",
    "expired_words",
    "status_text",
    "vanished_words",
]
