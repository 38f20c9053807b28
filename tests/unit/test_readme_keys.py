"""The README's key table is the bindings' own table (ui.keys), row for row."""

from __future__ import annotations

from pathlib import Path

from efile_tui.ui.keys import FIELD_KEYS, readme_table, sections

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_key_table_matches_the_bindings() -> None:
    text = README.read_text(encoding="utf-8")
    assert readme_table() in text, "README key table is stale: paste ui.keys.readme_table()"


def test_every_binding_of_each_pane_is_in_the_table() -> None:
    from efile_tui.ui.screens.main import MainScreen
    from efile_tui.ui.widgets.path_pane import PathPane
    from efile_tui.ui.widgets.task_table import TaskTable

    described = {what for _, rows in sections() for _, what in rows}
    for cls in (MainScreen, PathPane, TaskTable):
        for binding in cls.BINDINGS:
            if binding in FIELD_KEYS:
                continue  # a field's own enter/esc: the table's "dialogs" row
            assert binding.description in described, (cls.__name__, binding)  # type: ignore[union-attr]
