"""The README's key table is the bindings' own table (ui.keys), row for row, and that table
holds every binding of every pane, the main screen and every dialog."""

from __future__ import annotations

from pathlib import Path

from textual.binding import Binding

from efile_tui.ui.keys import SCREEN_KEYS, dialogs, readme_table, sections
from efile_tui.ui.widgets.fields import FIELD_KEYS
from efile_tui.ui.widgets.keybar import key_label

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_key_table_matches_the_bindings() -> None:
    text = README.read_text(encoding="utf-8")
    assert readme_table() in text, "README key table is stale: paste ui.keys.readme_table()"


def test_every_binding_of_each_pane_and_dialog_is_in_the_table() -> None:
    from efile_tui.ui.screens.main import MainScreen
    from efile_tui.ui.widgets.path_pane import PathPane
    from efile_tui.ui.widgets.task_pane import TaskPane
    from efile_tui.ui.widgets.task_table import TaskTable

    assert MainScreen.BINDINGS is SCREEN_KEYS
    rows = [row for _, section in sections() for row in section]
    owners = [MainScreen, PathPane, TaskPane, TaskTable, *(screen for _, screen in dialogs())]
    for cls in owners:
        for binding in cls.BINDINGS:
            assert isinstance(binding, Binding)
            if binding in FIELD_KEYS:
                continue  # a field's own enter/esc: the table's "dialogs" row
            keys = "/".join(dict.fromkeys(key_label(k) for k in binding.key.split(",")))
            found = [w for k, w in rows if k == keys and w.startswith(binding.description)]
            assert found, (cls.__name__, binding.key, binding.description)
