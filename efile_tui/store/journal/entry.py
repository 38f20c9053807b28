"""One journal entry as a value (:class:`JournalEntry`) and its states.

Kept apart from :mod:`efile_tui.store.journal` (the files on disk) so the table and the CLI can
use entries without caring how they are stored. Import from ``efile_tui.store.journal``,
which re-exports everything here.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, NamedTuple

from efile_tui.api.models import FINAL_STATUSES, Operation, Task, TaskStatus

SUBMITTING = "submitting"
OUTCOME_UNKNOWN = "unknown"
REJECTED = "rejected"
ORIGIN_SUBMITTED = "submitted"
ORIGIN_IMPORTED = "imported"
# The error code of a task whose cancel was sent but never answered ("cancel sent, answer
# lost"): a poll's answer replaces it with the service's view of the task.
CANCEL_LOST = "cancel-answer-lost"

VANISHED = "vanished"

TASK_FINAL = frozenset(s.value for s in FINAL_STATUSES)
FINAL_STATES = TASK_FINAL | {REJECTED}


def unfinished(task_id: str | None, state: str, expired: bool) -> bool:
    """The one rule for what is still worth asking the service about: a task (it has an id)
    not in a final state and not expired on the server. The poller asks only about these
    (:meth:`Journal.pollable_ids` also leaves out dismissed entries); only these can be
    cancelled or waited for."""
    return task_id is not None and not expired and state not in FINAL_STATES


def iso_time(ts: float | None) -> str | None:
    """Render epoch seconds as ISO 8601 in local time with its UTC offset."""
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, tz=timezone.utc).astimezone().isoformat(timespec="seconds")


class JournalEntry(NamedTuple):
    """One journal entry: a task (or an item that never became one) and its last known state.

    ``state`` is ``"submitting"`` (intent written, no answer yet), ``"unknown"`` with no task id
    (the answer was lost), ``"rejected"`` (refused before a task existed) or a
    :class:`TaskStatus` value as last reported by the service. ``expired`` is set once the
    service no longer returns the task: for a final task that is its normal end (the
    service forgets it 24 h after), for any other it has :attr:`vanished` (see
    :class:`VanishRule`); ``last_seen_at`` is when the service last reported it and
    ``missed_since``/``misses`` count the answers that left it out since. ``dismissed_at`` is
    set when the operator dismissed the entry: it is hidden and no longer polled. ``label`` is the
    operator's own name for the task (or the batch it came with). ``resubmitted_as`` is the
    local id of the entry that submitted the same item again.

    A compact immutable record (a named tuple): the journal holds 100,000 of them.
    """

    local_id: int
    task_id: str | None
    operation: Operation
    source_path: str
    target_path: str | None
    conflict: str | None
    profile: str | None
    region: str | None
    origin: str
    state: str
    submitted_at: float
    updated_at: float
    final_at: float | None
    expired: bool
    cancel_requested_at: float | None
    error_code: str | None
    error_msg: str | None
    total_num: int
    processed_num: int
    total_size: int
    processed_size: int
    progress: str | None
    server_submit_time: str | None
    server_update_time: str | None
    dismissed_at: float | None = None
    label: str | None = None
    resubmitted_as: int | None = None
    last_seen_at: float | None = None
    missed_since: float | None = None
    misses: int = 0

    @property
    def is_final(self) -> bool:
        """True for a final task status (complete, fail, cancel) and for rejected items."""
        return self.state in FINAL_STATES

    @property
    def unfinished(self) -> bool:
        """A task that may still change (see :func:`unfinished`)."""
        return unfinished(self.task_id, self.state, self.expired)

    @property
    def outcome_unknown(self) -> bool:
        """True when the submit was sent but its answer was lost: the task may exist."""
        return self.task_id is None and self.state == OUTCOME_UNKNOWN

    @property
    def cancel_lost(self) -> bool:
        """A cancel was sent and its answer lost; no poll has shown the task since."""
        return bool(self.cancel_requested_at) and self.error_code == CANCEL_LOST

    @property
    def vanished(self) -> bool:
        """True when the service stopped returning the task before it was seen to end.

        Final for every purpose (not polled, not running, dismissable); ``state`` keeps
        the last state the service reported.
        """
        return self.expired and self.state not in FINAL_STATES

    @property
    def ended(self) -> bool:
        """Nothing more is expected of it: final, or vanished."""
        return self.is_final or self.vanished

    @property
    def status(self) -> str:
        """The state a user and a program read: ``vanished`` for a vanished task, else
        ``state``."""
        return VANISHED if self.vanished else self.state

    @property
    def dismissed(self) -> bool:
        """True once the operator dismissed the entry."""
        return self.dismissed_at is not None

    @property
    def dismissable(self) -> bool:
        """True when nothing more can be learned from the service about it.

        An item without a task id (answer lost, rejected), a final task or one expired on the
        server. A running task and a submit still waiting for its answer are not.
        """
        if self.state == SUBMITTING:
            return False
        return self.task_id is None or self.expired or self.state in FINAL_STATES

    def to_task(self) -> Task:
        """A :class:`Task` with the last known fields, for display.

        A rejected item shows as FAIL; "submitting" and "unknown" show as UNKNOWN.
        """
        status = TaskStatus.FAIL if self.state == REJECTED else TaskStatus.parse(self.state)
        return Task(
            task_id=self.task_id or "",
            operation=self.operation,
            status=status,
            source_path=self.source_path or None,
            target_path=self.target_path,
            duplicate_handle_type=self.conflict,
            error_code=self.error_code,
            error_msg=self.error_msg,
            total_size=self.total_size,
            total_num=self.total_num,
            processed_size=self.processed_size,
            processed_num=self.processed_num,
            progress=self.progress,
            submit_time=self.server_submit_time,
            update_time=self.server_update_time,
        )

    def to_json(self) -> dict[str, Any]:
        """Render with the API's field names where they exist, plus the journal's own."""
        return {
            "journalId": self.local_id,
            "taskId": self.task_id,
            "operationType": self.operation.value,
            "sourcePath": self.source_path,
            "targetPath": self.target_path,
            "duplicateHandleType": self.conflict,
            "status": self.status,
            "lastState": self.state,
            "errorCode": self.error_code,
            "errorMsg": self.error_msg,
            "totalSize": self.total_size,
            "totalNum": self.total_num,
            "processedSize": self.processed_size,
            "processedNum": self.processed_num,
            "progress": self.progress,
            "submitTime": self.server_submit_time,
            "updateTime": self.server_update_time,
            "origin": self.origin,
            "profile": self.profile,
            "region": self.region,
            "submittedAt": iso_time(self.submitted_at),
            "updatedAt": iso_time(self.updated_at),
            "finalAt": iso_time(self.final_at),
            "cancelRequestedAt": iso_time(self.cancel_requested_at),
            "dismissedAt": iso_time(self.dismissed_at),
            "expiredOnServer": self.expired,
            "vanished": self.vanished,
            "lastSeenAt": iso_time(self.last_seen_at),
            "missingSince": iso_time(self.missed_since),
            "outcomeUnknown": self.outcome_unknown,
            "label": self.label,
            "resubmittedAs": None
            if self.resubmitted_as is None
            else f"local:{self.resubmitted_as}",
        }
