"""The task table's model, without Textual: rows, marks, filter and sort.

Rows and marks are keyed by task id, so marks survive re-sorting, filtering and polling.

The display order is computed in two cached steps: every row sorted by the sort key, then
the rows passing the filter, taken from that list in order. Changing or clearing the
filter therefore never sorts again (clearing it just shows the sorted list), and a poll
that only moves progress bars changes neither list. ``TaskView.rows`` counts its own
changes (adding, replacing or deleting a row, directly or through the methods here), so
a cache never outlives a change that could reorder or hide a row.

With many rows, the order can be worked out away from the UI thread: ``order_job()``
takes a snapshot of what the order depends on, ``OrderJob.run()`` (any thread) does the
work, and ``install()`` keeps the result when nothing changed meanwhile.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from efile_tui.api.models import Operation, Task
from efile_tui.core.query import TaskQuery
from efile_tui.core.taskrow import (
    OUTCOME_UNKNOWN,
    REJECTED,
    STATUS_ORDER,
    SUBMITTING,
    VANISHED,
    Batch,
    RowDict,
    TaskRow,
)

SORT_KEYS = ("submitted", "status", "operation", "source", "progress", "updated")


# What the table shows: the same query model as the command line's filters.
TaskFilter = TaskQuery


def sort_function(sort_key: str) -> Callable[[TaskRow], tuple[object, ...]]:
    """The value rows are ordered by for ``sort_key`` (ties by submit time, then key)."""
    if sort_key == "status":
        return lambda r: (
            STATUS_ORDER.get(VANISHED if r.vanished else r.status, 9),
            r.submitted,
            r.key,
        )
    if sort_key == "operation":
        return lambda r: (r.operation, r.submitted, r.key)
    if sort_key == "source":
        return lambda r: (r.source, r.submitted, r.key)
    if sort_key == "progress":
        return lambda r: (-1.0 if r.percent is None else r.percent, r.submitted, r.key)
    if sort_key == "updated":
        return lambda r: (r.updated_text, r.submitted, r.key)
    return lambda r: (r.submitted, r.key)


CONTENT = ("target", "label", "error")  # optional columns, shown while a row has one
SORT_CHUNK = 5000  # rows sorted in one go: a longer sort would hold the GIL too long


def has_content(rows: Iterable[TaskRow]) -> frozenset[str]:
    """Which of the optional columns (``CONTENT``) any of ``rows`` fills."""
    found: set[str] = set()
    for row in rows:
        if row.target:
            found.add("target")
        if row.label:
            found.add("label")
        if row.error:
            found.add("error")
        if len(found) == len(CONTENT):
            break
    return frozenset(found)


def sort_rows(
    rows: list[TaskRow], key: Callable[[TaskRow], tuple[object, ...]], reverse: bool
) -> list[TaskRow]:
    """``sorted(rows, key=key, reverse=reverse)``, in chunks merged in Python, so that the
    thread doing it never holds the interpreter for long (the UI keeps answering keys)."""
    if len(rows) <= SORT_CHUNK:
        return sorted(rows, key=key, reverse=reverse)
    parts = [
        sorted(rows[i : i + SORT_CHUNK], key=key, reverse=reverse)
        for i in range(0, len(rows), SORT_CHUNK)
    ]
    return list(heapq.merge(*parts, key=key, reverse=reverse))


# An order: the keys in display order and which optional columns they fill.
Order = tuple[list[str], frozenset[str]]


@dataclass
class OrderJob:
    """The display order to work out for a snapshot of the rows (safe in any thread)."""

    state: tuple[object, ...]
    rows: list[TaskRow]
    sort_key: str
    reverse: bool
    filter: TaskFilter
    known: Order | None  # every row in order, already known (only the filter changed)
    result: tuple[Order, Order] | None = None

    def run(self) -> OrderJob:
        """Sort (unless already sorted) and filter; returns itself."""
        everything = self.known
        if everything is None:
            rows = sort_rows(self.rows, sort_function(self.sort_key), self.reverse)
            everything = ([r.key for r in rows], has_content(rows))
        if self.filter.active:
            by_key = {r.key: r for r in self.rows}
            matches = self.filter.matches
            chosen = [row for k in everything[0] if matches(row := by_key[k])]
            shown = ([r.key for r in chosen], has_content(chosen))
        else:
            shown = everything
        self.result = (everything, shown)
        return self


@dataclass
class TaskView:
    """All rows known to the table plus marks, filter and sort order."""

    rows: RowDict = field(default_factory=RowDict)
    marks: set[str] = field(default_factory=set)
    ended_marks: set[str] = field(default_factory=set)  # marks dropped as their task ended
    filter: TaskFilter = field(default_factory=TaskFilter)
    sort_key: str = "submitted"
    reverse: bool = True
    loading: bool = False  # rows are being read from the journal
    # (rows version, sort key, reverse) -> every key in sort order.
    sorted_cache: tuple[tuple[object, ...], Order] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    # (the above + filter) -> the keys shown, in order.
    shown_cache: tuple[tuple[object, ...], Order] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "rows":
            # A plain dict is wrapped, so its changes are counted too.
            value = value if isinstance(value, RowDict) else RowDict(value)
            super().__setattr__("sorted_cache", None)
            super().__setattr__("shown_cache", None)
        super().__setattr__(name, value)

    def outdated(self, tasks: Iterable[Task]) -> list[str]:
        """Ids of tasks whose shown status or progress differs from what the service says."""
        out = []
        for task in tasks:
            row = self.rows.get(task.task_id)
            if (
                row is None
                or row.expired
                or row.cancelling
                or row.status != task.status.value
                or row.processed_num != task.processed_num
                or row.processed_size != task.processed_size
                or row.total_num != task.total_num
                or row.total_size != task.total_size
                or row.percent != task.percent
            ):
                out.append(task.task_id)
        return out

    def upsert(
        self, rows: Iterable[TaskRow], *, differ: bool = False
    ) -> tuple[list[str], list[str]]:
        """Add or replace rows; returns (added keys, changed keys). ``differ``: the rows are
        known to differ from the ones held (no need to compare them again)."""
        added, changed, quiet = [], [], []
        store = self.rows
        get = store.get
        sort_value = sort_function(self.sort_key)
        f = self.filter
        self.drop_caches_not_for_now()  # caches for another sort or filter could not tell
        marks = self.marks
        for row in rows:
            key = row.key
            old = get(key)
            if key in marks and old is not None and row.is_final and not old.is_final:
                marks.discard(key)  # a marked task ended: nothing is left to do to it
                self.ended_marks.add(key)
            if old is None:
                added.append(key)
                store[key] = row
            elif differ or (old is not row and old != row):
                changed.append(key)
                if sort_value(old) == sort_value(row) and (
                    not f.active or f.matches(old) == f.matches(row)
                ):
                    quiet.append(row)  # progress moved; order and filter unaffected
                    self.note_content(row)
                else:
                    store[key] = row
        store.set_quietly(quiet)
        return added, changed

    def note_content(self, row: TaskRow) -> None:
        """A row changed in place: the cached orders learn the optional columns it fills."""
        extra = has_content([row])
        if not extra:
            return
        if self.sorted_cache is not None and not extra <= self.sorted_cache[1][1]:
            state, (keys, has) = self.sorted_cache
            self.sorted_cache = (state, (keys, has | extra))
        shown = self.shown_cache
        if shown is not None and not extra <= shown[1][1] and self.filter.matches(row):
            state, (keys, has) = shown
            self.shown_cache = (state, (keys, has | extra))

    def drop_caches_not_for_now(self) -> None:
        """Forget cached orders computed for another sort or filter than the current one."""
        if self.sorted_cache is not None and self.sorted_cache[0][1:] != self.sort_settings():
            self.sorted_cache = None
        if self.shown_cache is not None and self.shown_cache[0][1:] != self.settings():
            self.shown_cache = None

    def replace_key(self, old_key: str, row: TaskRow) -> None:
        """A ``local:`` row learned its task id: move its mark to the new key."""
        self.rows.pop(old_key, None)
        if old_key in self.marks:
            self.marks.discard(old_key)
            self.marks.add(row.key)
        self.rows[row.key] = row

    def sort_value(self, row: TaskRow) -> tuple[object, ...]:
        """The value rows are ordered by for the current sort key (ties by submit time)."""
        return sort_function(self.sort_key)(row)

    def sort_settings(self) -> tuple[object, ...]:
        """Besides the rows, what the sorted list depends on."""
        return (self.sort_key, self.reverse)

    def settings(self) -> tuple[object, ...]:
        """Besides the rows, everything the display order depends on."""
        return (self.sort_key, self.reverse, self.filter)

    def order_ready(self) -> bool:
        """True when ``visible_keys()`` answers from its cache (no sorting or filtering)."""
        cache = self.shown_cache
        return cache is not None and cache[0] == (self.rows.version, *self.settings())

    def order_is_cheap(self) -> bool:
        """True when the display order needs no sorting or filtering (cached, or the
        sorted list shown as it is)."""
        if self.order_ready():
            return True
        cache = self.sorted_cache
        fresh = cache is not None and cache[0] == (self.rows.version, *self.sort_settings())
        return fresh and not self.filter.active

    def order_job(self) -> OrderJob:
        """A snapshot of what the display order depends on, to be worked out by ``run()``."""
        version = self.rows.version
        cache = self.sorted_cache
        fresh = cache is not None and cache[0] == (version, *self.sort_settings())
        known = cache[1] if cache is not None and fresh else None
        needs_rows = known is None or self.filter.active
        return OrderJob(
            (version, *self.settings()),
            list(self.rows.values()) if needs_rows else [],
            self.sort_key,
            self.reverse,
            self.filter,
            known,
        )

    def install(self, job: OrderJob) -> bool:
        """Keep a finished job's order; False when rows or settings changed meanwhile."""
        if job.result is None or job.state != (self.rows.version, *self.settings()):
            return False
        everything, shown = job.result
        self.sorted_cache = ((job.state[0], *self.sort_settings()), everything)
        self.shown_cache = (job.state, shown)
        return True

    def visible_order(self) -> Order:
        """The rows that pass the filter, in display order, and the optional columns they
        fill (``CONTENT``)."""
        if not self.order_ready():
            self.install(self.order_job().run())
        assert self.shown_cache is not None
        return self.shown_cache[1]

    def visible_keys(self) -> list[str]:
        """Keys of the rows that pass the filter, in display order (do not modify)."""
        return self.visible_order()[0]

    # -- marks -------------------------------------------------------------------------

    def toggle_mark(self, key: str) -> None:
        """Mark or unmark one row."""
        if key in self.marks:
            self.marks.discard(key)
        elif key in self.rows:
            self.marks.add(key)

    def mark(self, keys: Iterable[str]) -> None:
        """Mark every key given (a range, or all visible)."""
        self.marks.update(k for k in keys if k in self.rows)

    def invert(self, keys: Sequence[str]) -> None:
        """Invert the marks of the given (visible) keys."""
        marks = self.marks
        on = [k for k in keys if k not in marks and k in self.rows]
        marks.difference_update(keys)
        marks.update(on)

    def clear_marks(self) -> None:
        """Unmark everything, visible or not."""
        self.marks.clear()
        self.ended_marks.clear()

    def hidden_marked(self, visible: Sequence[str]) -> int:
        """How many marked rows the filter hides."""
        if not self.marks or (not self.filter.active and len(visible) == len(self.rows)):
            return 0
        return len(self.marks - set(visible))

    def cancellable_marked(self) -> list[str]:
        """Task ids of marked rows that can still be cancelled: in table order, then the
        ones hidden by the filter (oldest first)."""
        visible = self.visible_keys()
        marks = self.marks
        shown = [k for k in visible if k in marks]
        seen = set(shown)
        hidden = sorted(
            (k for k in marks if k not in seen and k in self.rows),
            key=lambda k: (self.rows[k].submitted, k),
        )
        return [
            r.task_id for k in [*shown, *hidden] if (r := self.rows[k]).cancellable and r.task_id
        ]

    def counts(self) -> Counter[str]:
        """Rows per display status (kept up to date as rows change)."""
        return Counter({k: n for k, n in self.rows.tally.items() if n > 0})

    def add_batch(self, batch: Batch) -> tuple[list[str], list[str]]:
        """Take rows prepared away from the UI thread (``Batch.prepare``): the new ones in
        one step, the others through ``upsert``; returns (added keys, changed keys)."""
        store = self.rows
        for old, row in batch.moves:
            if old in store:
                self.replace_key(old, row)
        meanwhile = batch.new.keys() & store.keys()  # added since the batch was prepared
        if meanwhile:
            batch.changed.extend(batch.new.pop(k) for k in meanwhile)
            batch.tally, batch.compared = None, False
        store.add_all(batch.new, batch.tally)
        added, changed = self.upsert(batch.changed, differ=batch.compared)
        return [*batch.new, *added], changed


__all__ = [
    "OUTCOME_UNKNOWN",
    "REJECTED",
    "SORT_KEYS",
    "SUBMITTING",
    "Operation",
    "TaskFilter",
    "TaskQuery",
    "TaskRow",
    "TaskView",
]
