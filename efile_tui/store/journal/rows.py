"""One journal entry folded in memory: a row is the :class:`JournalEntry` itself.

Entries are immutable named tuples, so the folded state hands out its rows as they are
(nothing is copied for a reader, and 100,000 entries are held once); folding an event
replaces a row with a changed copy (:func:`changed`). The writer of an intent still waiting
for its answer is kept beside the rows (``JournalState.writers``), not in them. Values that
repeat across rows are kept once (:func:`share`). Rows go to and from a snapshot as JSON
lists: the entry's fields in order, then the writer (:func:`row_to_json`, :class:`RowReader`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from efile_tui.api.models import Operation
from efile_tui.i18n import N_, Msg
from efile_tui.store.journal.entry import JournalEntry

FIELDS: tuple[str, ...] = JournalEntry._fields
_INDEX = {name: i for i, name in enumerate(FIELDS)}
_OP, _EXPIRED, _RESUBMITTED = _INDEX["operation"], _INDEX["expired"], _INDEX["resubmitted_as"]
ROW_SIZE = len(FIELDS) + 1  # a snapshot's row: the entry's fields, then the writer
_ROW_SIZE_WITHOUT_RESUBMITTED = 27  # snapshots written before resubmits were linked
_ROW_SIZE_WITHOUT_SEEN = 28  # snapshots written before missing answers were counted
_SEEN, _STATE, _UPDATED = _INDEX["last_seen_at"], _INDEX["state"], _INDEX["updated_at"]
# Fields whose values repeat across rows (destinations, profiles, states, origins, error
# texts, and the times shared by every item of one submit): one object is kept per
# distinct value, not one per row.
_SHARED = tuple(
    _INDEX[name]
    for name in (
        "target_path", "conflict", "profile", "region", "origin", "state", "submitted_at",
        "updated_at", "final_at", "error_code", "error_msg", "progress", "server_submit_time",
        "server_update_time", "label",
    )
)  # fmt: skip
_SHARED_MAX = 50_000  # distinct values remembered; the memo starts over beyond it
_shared: dict[object, Any] = {}
_OPS = {op.value: op for op in Operation}
_new_entry = tuple.__new__


def operation(value: object) -> Operation:
    """An operation name as stored (a fast path for :meth:`Operation.parse`)."""
    found = _OPS.get(value)  # type: ignore[call-overload]
    return found if found is not None else Operation.parse(value)


def share(values: list[Any]) -> list[Any]:
    """Make the repeating values of a row's field list the one object kept for each."""
    memo = _shared
    if len(memo) > _SHARED_MAX:
        memo.clear()
    one = memo.setdefault
    for column in _SHARED:
        value = values[column]
        if type(value) is str or type(value) is float:
            values[column] = one(value, value)
    return values


def entry_of(values: list[Any]) -> JournalEntry:
    """The entry holding ``values`` (the fields in order, repeating values shared)."""
    return _new_entry(JournalEntry, share(values))


def changed(row: JournalEntry, **fields: Any) -> JournalEntry:
    """A copy of ``row`` with some fields changed (a quicker ``_replace``)."""
    values = list(row)
    for name, value in fields.items():
        values[_INDEX[name]] = value
    return entry_of(values)


def new_row(ev: list[Any]) -> JournalEntry:
    """The entry an ``I`` event starts (its writer is ``ev[13]``)."""
    ts, lid = ev[1], ev[2]
    return entry_of([
        lid, ev[3], operation(ev[4]), ev[5] or "", ev[6], ev[7], ev[8], ev[9], ev[10],
        ev[11], ts, ts, None, False, None, None, None, 0, 0, 0, 0, None, None, None, None,
        ev[12], None, None, None, 0,
    ])  # fmt: skip


def row_to_json(row: JournalEntry, writer: str | None) -> list[Any]:
    """A row and its writer as JSON data (for a snapshot)."""
    out = [*row, writer]
    out[_OP] = row.operation.value
    return out


class RowReader:
    """Turns a snapshot's JSON rows into entries, a slice at a time, keeping the writers of
    intents still waiting for their answer apart (in :attr:`writers`)."""

    def __init__(self) -> None:
        self.writers: dict[int, str] = {}

    def __call__(self, data: Any) -> list[JournalEntry]:
        """The entries of a slice of JSON rows; raises ValueError if they are not rows."""
        if type(data) is not list:
            raise ValueError(Msg(N_("not journal rows")))
        ops, parse, writers = _OPS, operation, self.writers
        for index, row in enumerate(data):
            if type(row) is list and len(row) == _ROW_SIZE_WITHOUT_RESUBMITTED:
                row.insert(_RESUBMITTED, None)
            if type(row) is list and len(row) == _ROW_SIZE_WITHOUT_SEEN:
                # A task with an id and a state from the service was seen when last updated.
                known = row[1] is not None and row[_STATE] != "unknown"
                row[_SEEN:_SEEN] = [row[_UPDATED] if known else None, None, 0]
            if type(row) is not list or len(row) != ROW_SIZE or type(row[0]) is not int:
                raise ValueError(Msg(N_("not a journal row")))
            writer = row.pop()
            if writer is not None:
                writers[row[0]] = writer
            op = row[_OP]
            row[_OP] = ops.get(op) or parse(op)
            row[_EXPIRED] = bool(row[_EXPIRED])
            data[index] = entry_of(row)
        return data


def rows_from_json(data: Iterable[list[Any]]) -> tuple[list[JournalEntry], dict[int, str]]:
    """Rows (JSON lists, e.g. from the old SQLite journal) as entries, and their writers."""
    reader = RowReader()
    return reader(list(data)), reader.writers
