"""The journal rows of a submit: the intent before the request, the answer after, orphans.

Functions here run inside one of :class:`efile_tui.store.journal.Journal`'s write
transactions (``conn`` is in ``BEGIN IMMEDIATE``); the Journal methods of the same names
say what they mean for a caller.

Each intent row carries its writer (``host:pid``) until the answer is recorded, so a later
process can tell a submit still in flight from one whose process died before the answer
arrived, and turn only the latter into "outcome unknown".
"""

from __future__ import annotations

import os
import socket
import sqlite3
from collections.abc import Sequence

from efile_tui.api.models import Operation, SubmitItem, SubmitOutcome
from efile_tui.store.journal_entry import (
    ORIGIN_IMPORTED,
    ORIGIN_SUBMITTED,
    OUTCOME_UNKNOWN,
    REJECTED,
    SET_FROM_TASK,
    SUBMITTING,
    TASK_FINAL,
    task_values,
)

ORPHAN_MESSAGE = "efile-tui stopped before the service's answer was recorded"


def submitter() -> str:
    """This process as a submit's writer: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


def submitter_gone(writer: str | None) -> bool:
    """True only when the submitting process was on this host and no longer exists."""
    host, _, pid_text = (writer or "").rpartition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # EPERM: it exists but belongs to someone else
        return False
    return False


def insert_intents(
    conn: sqlite3.Connection,
    operation: Operation,
    items: Sequence[SubmitItem],
    *,
    profile: str | None,
    region: str | None,
    now: float,
) -> list[int]:
    """One "submitting" row per item, written by this process; their local ids in order."""
    who = submitter()
    ids: list[int] = []
    for item in items:
        cur = conn.execute(
            "INSERT INTO tasks (operation, source_path, target_path, conflict, profile,"
            " region, origin, state, submitted_at, updated_at, submitter)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                operation.value,
                item.source_path,
                item.target_path,
                item.duplicate_handle_type,
                profile,
                region,
                ORIGIN_SUBMITTED,
                SUBMITTING,
                now,
                now,
                who,
            ),
        )
        assert cur.lastrowid is not None
        ids.append(cur.lastrowid)
    return ids


def finish_row(conn: sqlite3.Connection, local_id: int, outcome: SubmitOutcome, now: float) -> None:
    """Complete one intent row with the service's answer for its item."""
    task = outcome.task
    if task is None:
        state = OUTCOME_UNKNOWN if outcome.unknown else REJECTED
        message = outcome.error or ("no answer from the service" if outcome.unknown else None)
        conn.execute(
            "UPDATE tasks SET state = ?, updated_at = ?, final_at = ?, error_code = ?,"
            " error_msg = ?, submitter = NULL WHERE local_id = ?",
            (
                state,
                now,
                now if state == REJECTED else None,
                outcome.error_code,
                message,
                local_id,
            ),
        )
        return
    task_id: str | None = task.task_id or None
    if task_id is not None:
        other = conn.execute(
            "SELECT local_id, origin FROM tasks WHERE task_id = ? AND local_id != ?",
            (task_id, local_id),
        ).fetchone()
        if other is not None and other[1] == ORIGIN_IMPORTED:
            # The same task was imported by hand meanwhile: this row knows more.
            conn.execute("DELETE FROM tasks WHERE local_id = ?", (other[0],))
        elif other is not None:
            conn.execute(
                "UPDATE tasks SET state = ?, updated_at = ?, error_msg = ?,"
                " submitter = NULL WHERE local_id = ?",
                (
                    OUTCOME_UNKNOWN,
                    now,
                    f"the service answered with task {task_id}, already journal entry {other[0]}",
                    local_id,
                ),
            )
            return
    row = conn.execute(
        "SELECT operation, source_path, target_path, conflict FROM tasks WHERE local_id = ?",
        (local_id,),
    ).fetchone()
    if row is None:
        return
    values = task_values(task, now, final_at=None, current=row)
    if task_id is None and values[0] not in TASK_FINAL:
        # A running task without an id can never be followed: say so.
        values = (OUTCOME_UNKNOWN, *values[1:])
    conn.execute(
        f"UPDATE tasks SET {SET_FROM_TASK}, task_id = ?, submitter = NULL WHERE local_id = ?",
        (*values, task_id, local_id),
    )


def reap_orphans(conn: sqlite3.Connection, *, now: float, older_than: float) -> list[int]:
    """Turn orphaned "submitting" rows into "outcome unknown"; return their local ids."""
    rows = conn.execute(
        "SELECT local_id, submitted_at, submitter FROM tasks WHERE state = ?",
        (SUBMITTING,),
    ).fetchall()
    orphans = [row[0] for row in rows if row[1] <= now - older_than or submitter_gone(row[2])]
    conn.executemany(
        "UPDATE tasks SET state = ?, updated_at = ?, error_msg = ?, submitter = NULL"
        " WHERE local_id = ? AND state = ?",
        [(OUTCOME_UNKNOWN, now, ORPHAN_MESSAGE, local_id, SUBMITTING) for local_id in orphans],
    )
    return orphans
