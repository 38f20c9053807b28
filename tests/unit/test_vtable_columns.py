"""Column widths and cell fitting of the task table (no app needed)."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from efile_tui import glyphs
from efile_tui.core.taskview import OUTCOME_UNKNOWN, REJECTED, SUBMITTING, TaskRow
from efile_tui.ui.widgets.task_columns import (
    CANCELLING,
    STATUS_GLYPH,
    status_text,
    task_columns,
)
from efile_tui.ui.widgets.vtable import fit

STATUSES = [*STATUS_GLYPH, OUTCOME_UNKNOWN, REJECTED, SUBMITTING]


def row(status: str, **kw: object) -> TaskRow:
    return TaskRow(key="t", task_id="t", operation="copy", status=status, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("width", [60, 80, 100, 119, 120, 160, 240])
def test_status_words_are_never_cut(width: int) -> None:
    (status,) = [c for c in task_columns(width, set()) if c.key == "status"]
    for name in STATUSES:
        for kw in ({}, {"expired": True}, {"cancelling": True}):
            text = status_text(row(name, **kw), status.width)
            assert cell_len(text) <= status.width, (width, text)
            # Every word shown is a whole word of the status or a whole marker.
            words = text.split(" ", 1)[1]
            assert words in {
                name,
                f"{name} (expired)",
                "expired",
                f"vanished ({name})",
                "vanished",
                CANCELLING,
            }, words


@pytest.mark.parametrize("name", STATUSES)
def test_the_status_glyph_is_the_legends_for_what_the_words_say(name: str) -> None:
    """One glyph table: an expired row shows the expired glyph, a vanished one the
    vanished glyph (never the glyph of the status it had, e.g. ``✓ expired``)."""
    for kw, shown in (({}, name), ({"expired": True}, None)):
        r = row(name, **kw)
        text = status_text(r, 40)
        expected = shown or ("vanished" if r.vanished else "expired")
        assert text.split(" ", 1)[0] == glyphs.current().of(expected), text
        assert expected in text


@pytest.mark.parametrize("width", [100, 120, 200])
def test_destination_shown_when_any_task_has_one_from_100_columns(width: int) -> None:
    keys = [c.key for c in task_columns(width, {"target"})]
    assert "target" in keys and "source" in keys
    assert "target" not in [c.key for c in task_columns(width, set())]
    assert sum(c.width + 2 for c in task_columns(width, {"target", "label", "error"})) <= width


def test_label_column_when_any_task_has_one() -> None:
    assert "label" in [c.key for c in task_columns(160, {"label"})]
    assert "label" not in [c.key for c in task_columns(160, set())]


def test_fit_counts_wide_characters_and_elides() -> None:
    assert fit("数据集", 6) == "数据集"
    assert cell_len(fit("数据集合", 7)) == 7 and fit("数据集合", 7).endswith("…")
    middle = fit("/public/home/demo/run-7/out", 12, elide="middle")
    assert cell_len(middle) == 12 and middle.startswith("/publ") and middle.endswith("7/out")
    start = fit("/public/home/demo/run-7/out", 12, elide="start")
    assert start == "…o/run-7/out"
    assert fit("ab", 5, justify="right") == "   ab"
    assert cell_len(fit("🙂🙂🙂", 5)) == 5


@pytest.mark.parametrize("width", [56, 60, 76])
def test_columns_fit_and_the_path_stays_readable_when_narrow(width: int) -> None:
    cols = task_columns(width, set())
    assert sum(c.width + 2 for c in cols) <= width + 2  # the last gap may hang over
    (source,) = [c for c in cols if c.key == "source"]
    assert source.width >= len("source")  # the header is never cut
    assert "status" in [c.key for c in cols] and "progress" in [c.key for c in cols]


def test_progress_has_one_form_per_column_width() -> None:
    from efile_tui.core.taskrow import TaskRow
    from efile_tui.ui.widgets.task_columns import (
        PROGRESS_BAR_COUNT,
        PROGRESS_NARROW,
        PROGRESS_WIDE,
        progress_text,
    )

    small = TaskRow("a", "a", "delete", "processing", processed_num=3, total_num=5, percent=60)
    big = TaskRow("b", "b", "delete", "processing", processed_num=436, total_num=20_000, percent=2)
    narrow = [progress_text(r, PROGRESS_NARROW) for r in (small, big)]
    assert narrow == ["▰▰▰▱▱  60%", "▱▱▱▱▱   2%"]  # no count on either row
    wide = [progress_text(r, PROGRESS_WIDE) for r in (small, big)]
    assert wide == [" 60% 3/5", "  2% 436/20,000"]  # no bar on either row
    widest = [progress_text(r, PROGRESS_BAR_COUNT) for r in (small, big)]
    assert widest == ["▰▰▰▱▱  60% 3/5", "▱▱▱▱▱   2% 436/20,000"]
