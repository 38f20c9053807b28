"""What a cancel from the task table sends and must say, decided once (the TUI's
confirmation shows it; the CLI's ``cancel`` asks the journal the same way).

Only running marked tasks are sent. Marked tasks that have ended are counted (their marks
were dropped as they ended, see :class:`~efile_tui.core.taskview.TaskView`), and the
running marked ones the filter hides are named by id, so nothing is cancelled unseen.
Without any mark, the task under the cursor is the one meant.
"""

from __future__ import annotations

from dataclasses import dataclass

from efile_tui.core.taskview import TaskView


@dataclass(frozen=True)
class CancelPlan:
    """The ids to send and what the confirmation must say about the marks."""

    send: tuple[str, ...]  # running tasks: table order, then those the filter hides
    hidden: tuple[str, ...] = ()  # ids among ``send`` that the filter hides
    ended: int = 0  # marked tasks that had already ended: not sent

    @property
    def empty(self) -> bool:
        """Nothing can be cancelled."""
        return not self.send


def plan_cancel(view: TaskView, cursor_key: str | None = None) -> CancelPlan:
    """The cancel of the marked tasks (or, with no mark at all, of the cursor's task)."""
    rows = view.rows
    if not view.marks and not view.ended_marks:
        row = rows.get(cursor_key) if cursor_key else None
        return CancelPlan((row.task_id,) if row and row.cancellable and row.task_id else ())
    send = view.cancellable_marked()
    ended = len(view.ended_marks) + sum(
        1 for k in view.marks if (row := rows.get(k)) is not None and row.is_final
    )
    visible = set(view.visible_keys())
    hidden = tuple(t for t in send if t not in visible)
    return CancelPlan(tuple(send), hidden, ended)
