"""The task table's model, without Textual: rows, marks, filter and sort.

Rows and marks are keyed by task id, so marks survive re-sorting, filtering and polling.
Journal entries without a task id (a submit whose answer was lost) get the key
``local:<journal id>``; they are shown but cannot be cancelled.

The display order is cached: with 10,000 rows, sorting them costs several milliseconds,
and a poll that only moves progress bars does not change it. ``TaskView.rows`` counts its
own changes (adding, replacing or deleting a row, directly or through the methods here),
so the cache never outlives a change that could reorder or hide a row.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from efile_tui.api.models import Operation, Task, TaskStatus
from efile_tui.store.journal import JournalEntry

SORT_KEYS = ("submitted", "status", "operation", "source", "progress", "updated")

# Display state for rows that are not (yet) a server task.
OUTCOME_UNKNOWN = "outcome unknown"
REJECTED = "rejected"
SUBMITTING = "submitting"
EXPIRED = "expired"

# Journal states shown under another name (the rest show the task status).
_STATE_DISPLAY = {"unknown": OUTCOME_UNKNOWN, "rejected": REJECTED}

_STATUS_ORDER = {
    TaskStatus.PROCESSING.value: 0,
    TaskStatus.WAITING.value: 1,
    SUBMITTING: 2,
    OUTCOME_UNKNOWN: 3,
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

    @property
    def is_final(self) -> bool:
        """No further change is expected."""
        return self.status in ("complete", "fail", "cancel", REJECTED) or self.expired

    @property
    def cancellable(self) -> bool:
        """Only live server tasks can be cancelled."""
        return self.task_id is not None and not self.is_final

    @classmethod
    def from_entry(cls, entry: JournalEntry) -> TaskRow:
        """Build a row from the journal (the source of truth for the table)."""
        task = entry.to_task()
        status = _STATE_DISPLAY.get(entry.state) or task.status.value
        if entry.task_id is None and entry.state == "submitting":
            status = SUBMITTING
        code, msg = entry.error_code, entry.error_msg
        error = f"{code} {msg}" if code and msg else (code or msg or "")
        return cls(
            key=entry.task_id or f"local:{entry.local_id}",
            task_id=entry.task_id,
            operation=entry.operation.value,
            status=status,
            source=entry.source_path,
            target=entry.target_path or "",
            processed_num=task.processed_num,
            total_num=task.total_num,
            processed_size=task.processed_size,
            total_size=task.total_size,
            percent=task.percent,
            submitted=entry.submitted_at,
            submitted_text=entry.server_submit_time or _clock(entry.submitted_at),
            updated_text=entry.server_update_time or _clock(entry.updated_at),
            error=error,
            expired=entry.expired,
            cancelling=bool(entry.cancel_requested_at) and not entry.is_final,
        )


def _clock(ts: float) -> str:
    import time

    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ts)) if ts else ""


@dataclass
class TaskFilter:
    """What the table shows: text in id/paths, and optional status and operation sets."""

    text: str = ""
    statuses: frozenset[str] = frozenset()
    operations: frozenset[str] = frozenset()

    def matches(self, row: TaskRow) -> bool:
        """True when ``row`` passes every part of the filter."""
        if self.statuses and row.status not in self.statuses:
            return False
        if self.operations and row.operation not in self.operations:
            return False
        if self.text:
            needle = self.text.lower()
            hay = f"{row.task_id or ''} {row.source} {row.target} {row.error}".lower()
            return needle in hay
        return True

    @property
    def active(self) -> bool:
        """Any part of the filter is set."""
        return bool(self.text or self.statuses or self.operations)

    def describe(self) -> str:
        """Short text for the status line."""
        parts = []
        if self.text:
            parts.append(f"'{self.text}'")
        if self.statuses:
            parts.append("status=" + ",".join(sorted(self.statuses)))
        if self.operations:
            parts.append("op=" + ",".join(sorted(self.operations)))
        return " ".join(parts)


class RowDict(dict[str, TaskRow]):
    """The rows by key; ``version`` goes up with every change made through the dict."""

    version = 0

    def __setitem__(self, key: str, value: TaskRow) -> None:
        self.version += 1
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        self.version += 1
        super().__delitem__(key)

    def pop(self, *args: Any) -> Any:
        """Remove a key (see ``dict.pop``)."""
        self.version += 1
        return super().pop(*args)

    def popitem(self) -> tuple[str, TaskRow]:
        """Remove the last item (see ``dict.popitem``)."""
        self.version += 1
        return super().popitem()

    def clear(self) -> None:
        """Remove every row."""
        self.version += 1
        super().clear()

    def update(self, *args: Any, **kwargs: TaskRow) -> None:
        """Add or replace rows (see ``dict.update``)."""
        self.version += 1
        super().update(*args, **kwargs)

    def setdefault(self, key: str, default: Any = None) -> Any:
        """See ``dict.setdefault``."""
        self.version += 1
        return super().setdefault(key, default)

    def __ior__(self, other: Any) -> RowDict:  # type: ignore[misc,override]
        self.version += 1
        super().update(other)
        return self


@dataclass
class TaskView:
    """All rows known to the table plus marks, filter and sort order."""

    rows: RowDict = field(default_factory=RowDict)
    marks: set[str] = field(default_factory=set)
    filter: TaskFilter = field(default_factory=TaskFilter)
    sort_key: str = "submitted"
    reverse: bool = True
    # (state it was computed for, visible keys): see visible_keys().
    _order: tuple[tuple[object, ...], list[str]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "rows":
            # A plain dict is wrapped, so its changes are counted too.
            value = value if isinstance(value, RowDict) else RowDict(value)
            super().__setattr__("_order", None)
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

    def upsert(self, rows: Iterable[TaskRow]) -> tuple[list[str], list[str]]:
        """Add or replace rows; returns (added keys, changed keys)."""
        added, changed = [], []
        store = self.rows
        if self._order is not None and self._order[0][2:] != self._settings():
            self._order = None  # computed for another sort or filter: _same_place can't tell
        for row in rows:
            old = store.get(row.key)
            if old is None:
                added.append(row.key)
            elif old != row:
                changed.append(row.key)
                if self._same_place(old, row):
                    # Progress moved, order and filter unaffected: keep the cached order.
                    dict.__setitem__(store, row.key, row)
                    continue
            else:
                continue
            store[row.key] = row
        return added, changed

    def _same_place(self, old: TaskRow, new: TaskRow) -> bool:
        """True when ``new`` sorts and filters exactly like ``old`` (same display order)."""
        if self.sort_value(old) != self.sort_value(new):
            return False
        f = self.filter
        return not f.active or f.matches(old) == f.matches(new)

    def replace_key(self, old_key: str, row: TaskRow) -> None:
        """A ``local:`` row learned its task id: move its mark to the new key."""
        self.rows.pop(old_key, None)
        if old_key in self.marks:
            self.marks.discard(old_key)
            self.marks.add(row.key)
        self.rows[row.key] = row

    def sort_value(self, row: TaskRow) -> tuple[object, ...]:
        """The value rows are ordered by for the current sort key (ties by submit time)."""
        key = self.sort_key
        if key == "status":
            primary: object = _STATUS_ORDER.get(row.status, 9)
        elif key == "operation":
            primary = row.operation
        elif key == "source":
            primary = row.source
        elif key == "progress":
            primary = -1.0 if row.percent is None else row.percent
        elif key == "updated":
            primary = row.updated_text
        else:
            primary = row.submitted
        return (primary, row.submitted, row.key)

    def _settings(self) -> tuple[object, ...]:
        """Everything besides the rows that the display order depends on."""
        f = self.filter
        return (self.sort_key, self.reverse, f.text, f.statuses, f.operations)

    def visible_keys(self) -> list[str]:
        """Keys of the rows that pass the filter, in display order."""
        rows = self.rows
        state = (rows.version, len(rows), *self._settings())
        if self._order is not None and self._order[0] == state:
            return list(self._order[1])
        chosen = [r for r in rows.values() if self.filter.matches(r)]
        chosen.sort(key=self.sort_value, reverse=self.reverse)
        keys = [r.key for r in chosen]
        self._order = (state, keys)
        return list(keys)

    # -- marks -------------------------------------------------------------------------

    def toggle_mark(self, key: str) -> None:
        """Mark or unmark one row."""
        if key in self.marks:
            self.marks.discard(key)
        elif key in self.rows:
            self.marks.add(key)

    def mark(self, keys: Sequence[str]) -> None:
        """Mark every key given (a range, or all visible)."""
        self.marks.update(k for k in keys if k in self.rows)

    def invert(self, keys: Sequence[str]) -> None:
        """Invert the marks of the given (visible) keys."""
        for key in keys:
            self.toggle_mark(key)

    def clear_marks(self) -> None:
        """Unmark everything, visible or not."""
        self.marks.clear()

    def hidden_marked(self, visible: Sequence[str]) -> int:
        """How many marked rows the filter hides."""
        return len(self.marks - set(visible))

    def cancellable_marked(self) -> list[str]:
        """Task ids of marked rows that can still be cancelled: in table order, then the
        ones hidden by the filter (oldest first)."""
        visible = self.visible_keys()
        shown = set(visible)
        hidden = sorted(
            (k for k in self.marks if k not in shown and k in self.rows),
            key=lambda k: (self.rows[k].submitted, k),
        )
        return [
            r.task_id
            for k in [*visible, *hidden]
            if k in self.marks and (r := self.rows[k]).cancellable and r.task_id
        ]

    def counts(self) -> Counter[str]:
        """Rows per display status."""
        return Counter(r.status if not r.expired else EXPIRED for r in self.rows.values())


__all__ = ["SORT_KEYS", "Operation", "TaskFilter", "TaskRow", "TaskView"]
