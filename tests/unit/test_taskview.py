"""The task table model: marks keyed by id survive sort and filter."""

from __future__ import annotations

import pytest

from efile_tui.api.models import Task
from efile_tui.core import taskview
from efile_tui.core.taskview import TaskFilter, TaskRow, TaskView


def row(
    key: str, status: str = "processing", source: str = "/a/b/c", t: float = 0.0, **kw: object
) -> TaskRow:
    return TaskRow(
        key=key, task_id=key, operation="delete", status=status, source=source, submitted=t, **kw
    )  # type: ignore[arg-type]


def make_view() -> TaskView:
    view = TaskView()
    view.upsert(
        [
            row("t1", "processing", "/x/alpha", 1, percent=10.0),
            row("t2", "complete", "/x/beta", 2, percent=100.0),
            row("t3", "waiting", "/x/gamma", 3),
            row("t4", "fail", "/y/delta", 4),
        ]
    )
    return view


def test_upsert_reports_added_and_changed_only() -> None:
    view = make_view()
    added, changed = view.upsert(
        [
            row("t1", "processing", "/x/alpha", 1, percent=10.0),
            row("t3", "processing", "/x/gamma", 3),
            row("t5"),
        ]
    )
    assert added == ["t5"] and changed == ["t3"]


def test_sort_orders_and_marks_stay_on_ids() -> None:
    view = make_view()
    assert view.visible_keys() == ["t4", "t3", "t2", "t1"]  # newest first
    view.mark(["t1", "t3"])
    view.sort_key, view.reverse = "status", False
    assert view.visible_keys()[:2] == ["t1", "t3"]  # processing, then waiting
    view.sort_key = "source"
    assert view.visible_keys() == ["t1", "t2", "t3", "t4"]
    assert view.marks == {"t1", "t3"}


def test_filter_hides_but_keeps_marks_and_counts_hidden() -> None:
    view = make_view()
    view.mark(["t1", "t4"])
    view.filter = TaskFilter(text="/x/")
    visible = view.visible_keys()
    assert set(visible) == {"t1", "t2", "t3"}
    assert view.hidden_marked(visible) == 1
    view.filter = TaskFilter(statuses=frozenset({"processing", "waiting"}))
    assert set(view.visible_keys()) == {"t1", "t3"}
    assert view.marks == {"t1", "t4"}


def test_cancellable_marked_skips_finished_and_local_rows() -> None:
    view = make_view()
    view.upsert(
        [TaskRow(key="local:9", task_id=None, operation="delete", status="outcome unknown")]
    )
    view.mark(["t1", "t2", "t3", "t4", "local:9"])
    assert view.cancellable_marked() == ["t3", "t1"]  # table order: newest first
    view.filter = TaskFilter(text="gamma")
    assert view.cancellable_marked() == ["t3", "t1"]  # hidden ones after, oldest first


def test_invert_and_clear_and_replace_key() -> None:
    view = make_view()
    view.mark(["t1"])
    view.invert(["t1", "t2"])
    assert view.marks == {"t2"}
    view.upsert([TaskRow(key="local:1", task_id=None, operation="delete", status="submitting")])
    view.mark(["local:1"])
    view.replace_key("local:1", row("t9"))
    assert "t9" in view.marks and "local:1" not in view.rows
    view.clear_marks()
    assert not view.marks
    assert view.counts()["processing"] == 2


def test_outdated_names_only_tasks_whose_shown_values_moved() -> None:
    view = TaskView()
    same = Task.from_api({"taskId": "a", "status": "processing", "processedNum": 3, "totalNum": 10})
    moved = Task.from_api(
        {"taskId": "b", "status": "processing", "processedNum": 5, "totalNum": 10}
    )
    done = Task.from_api({"taskId": "c", "status": "complete", "processedNum": 10, "totalNum": 10})
    new = Task.from_api({"taskId": "d", "status": "waiting"})
    for task, shown in ((same, 3), (moved, 4), (done, 10)):
        view.rows[task.task_id] = TaskRow(
            key=task.task_id,
            task_id=task.task_id,
            operation="delete",
            status="processing",
            processed_num=shown,
            total_num=10,
            percent=Task.from_api({"taskId": "x", "processedNum": shown, "totalNum": 10}).percent,
        )
    assert sorted(view.outdated([same, moved, done, new])) == ["b", "c", "d"]


def test_tally_follows_every_change() -> None:
    view = make_view()
    assert view.counts() == {"processing": 1, "complete": 1, "waiting": 1, "fail": 1}
    view.upsert([row("t3", "processing", "/x/gamma", 3), row("t5", "cancel")])
    del view.rows["t2"]
    view.rows.pop("t4")
    assert view.counts() == {"processing": 2, "cancel": 1}
    view.upsert([row("t5", "cancel", expired=True)])
    assert view.counts() == {"processing": 2, "expired": 1}


def test_clearing_a_filter_reuses_the_sorted_order() -> None:
    view = make_view()
    everything = view.visible_keys()
    view.filter = TaskFilter(text="gamma")
    assert view.visible_keys() == ["t3"]
    view.filter = TaskFilter()
    assert view.order_ready() is False  # filter changed …
    assert view.visible_keys() is everything  # … but nothing is sorted again


def test_order_job_result_is_dropped_when_rows_changed_meanwhile() -> None:
    view = make_view()
    view.sort_key = "status"
    job = view.order_job()
    view.upsert([row("t9", "processing", t=9)])
    assert not view.install(job.run())
    assert "t9" in view.visible_keys()


def test_optional_columns_follow_rows_changed_in_place() -> None:
    view = make_view()
    assert view.visible_order()[1] == frozenset()
    view.upsert([row("t4", "fail", "/y/delta", 4, error="911030 Permission denied")])
    assert "error" in view.visible_order()[1]


def test_chunked_sort_equals_one_sort(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [
        row(f"k{i}", ("fail", "processing", "complete")[i % 3], f"/p/{i % 7}", i % 11)
        for i in range(500)
    ]
    key = taskview.sort_function("status")
    monkeypatch.setattr(taskview, "SORT_CHUNK", 37)
    for reverse in (False, True):
        assert taskview.sort_rows(rows, key, reverse) == sorted(rows, key=key, reverse=reverse)
