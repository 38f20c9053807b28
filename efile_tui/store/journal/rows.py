"""One journal entry folded in memory: a row, a list in ``JournalEntry``'s field order.

A list per entry (not an object) keeps 100,000 entries small and quick to update as events
are folded (:mod:`~efile_tui.store.journal.fold`); the positions are named here. Values
that repeat across rows are kept once (:func:`share`). Rows go to and from a snapshot as
JSON lists (:func:`row_to_json`, :func:`rows_from_json`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from efile_tui.api.models import Operation
from efile_tui.store.journal.entry import FINAL_STATES

# Positions in a row: JournalEntry's fields, then the writer of a pending intent.
(
    LID,
    TASK_ID,
    OP,
    SRC,
    TGT,
    CONFLICT,
    PROFILE,
    REGION,
    ORIGIN,
    STATE,
    SUBMITTED,
    UPDATED,
    FINAL_AT,
    EXPIRED,
    CANCEL_AT,
    ECODE,
    EMSG,
) = range(17)
PROGRESS, DISMISSED, LABEL, RESUBMITTED, WRITER = 21, 24, 25, 26, 27
ROW_SIZE = 28
SERVER_SUBMIT, SERVER_UPDATE = 22, 23
# Columns whose values repeat across rows (destinations, profiles, states, origins, error
# texts, and the times shared by every item of one submit): one object is kept per
# distinct value, not one per row.
_SHARED = (
    TGT, CONFLICT, PROFILE, REGION, ORIGIN, STATE, SUBMITTED, UPDATED, FINAL_AT, ECODE, EMSG,
    PROGRESS, SERVER_SUBMIT, SERVER_UPDATE, LABEL,
)  # fmt: skip
_SHARED_MAX = 50_000  # distinct values remembered; the memo starts over beyond it
_shared: dict[object, Any] = {}
_ROW_SIZE_WITHOUT_RESUBMITTED = 27  # snapshots written before resubmits were linked
_OPS = {op.value: op for op in Operation}


def operation(value: object) -> Operation:
    """An operation name as stored (a fast path for :meth:`Operation.parse`)."""
    found = _OPS.get(value)  # type: ignore[call-overload]
    return found if found is not None else Operation.parse(value)


def share(row: list[Any]) -> list[Any]:
    """Make the row's repeating values the one object kept for each; returns the row."""
    memo = _shared
    if len(memo) > _SHARED_MAX:
        memo.clear()
    one = memo.setdefault
    for column in _SHARED:
        value = row[column]
        if type(value) is str or type(value) is float:
            row[column] = one(value, value)
    return row


def new_row(ev: Sequence[Any]) -> list[Any]:
    """A row from an ``I`` event."""
    ts, lid = ev[1], ev[2]
    return share([
        lid, ev[3], operation(ev[4]), ev[5] or "", ev[6], ev[7], ev[8], ev[9], ev[10],
        ev[11], ts, ts, None, False, None, None, None, 0, 0, 0, 0, None, None, None, None,
        ev[12], None, ev[13],
    ])  # fmt: skip


def row_to_json(row: Sequence[Any]) -> list[Any]:
    """A row as JSON data (for a snapshot)."""
    out = list(row)
    out[OP] = row[OP].value
    return out


def rows_from_json(data: Any) -> list[list[Any]]:
    """Rows read back from a snapshot (the lists themselves, made usable); raises
    ValueError if they are not rows."""
    if type(data) is not list:
        raise ValueError("not journal rows")
    ops, parse = _OPS, operation
    for index, row in enumerate(data):
        if type(row) is list and len(row) == _ROW_SIZE_WITHOUT_RESUBMITTED:
            row = data[index] = [*row[:RESUBMITTED], None, *row[RESUBMITTED:]]
        if type(row) is not list or len(row) != ROW_SIZE or type(row[0]) is not int:
            raise ValueError("not a journal row")
        op = row[2]
        row[2] = ops.get(op) or parse(op)
        row[EXPIRED] = bool(row[EXPIRED])
        share(row)
    return data


def is_final(row: Sequence[Any]) -> bool:
    """A final task status, or rejected."""
    return row[STATE] in FINAL_STATES
