"""The key table, read from the bindings themselves: the help screen and the README's key
table are both built from it (a test compares the README with it)."""

from __future__ import annotations

from collections.abc import Iterable

from textual.binding import Binding, BindingType

from efile_tui.ui.widgets.keybar import key_label

# Keys that are not bindings of ours: the table widgets' own movement keys, and the
# dialogs' standard keys.
EXTRA: dict[str, list[tuple[str, str]]] = {
    "Anywhere": [("^p", "Command palette")],
    "Paths": [("enter", "Open folder")],
    "Tasks": [
        ("enter", "Details"),
        (
            "/ key:value",
            "Filter words as the CLI's: status: op: source: target: label: since: until:",
        ),
    ],
    "Dialogs": [
        ("tab", "Next field or button"),
        ("enter", "Press the focused button"),
        ("esc", "Cancel / close (nothing is sent)"),
    ],
}


def _rows(bindings: Iterable[BindingType]) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for b in bindings:
        if not isinstance(b, Binding) or b.action.startswith("app.command"):
            continue
        keys = [key_label(k.strip()) for k in b.key.split(",")]
        rows.append(("/".join(dict.fromkeys(keys)), b.description or b.action))
    return rows


def sections() -> list[tuple[str, list[tuple[str, str]]]]:
    """``(pane, [(keys, what they do), ...])`` for every pane, in help order."""
    from efile_tui.ui.screens.main import MainScreen
    from efile_tui.ui.widgets.path_pane import PathPane
    from efile_tui.ui.widgets.task_pane import TaskPane
    from efile_tui.ui.widgets.task_table import TaskTable
    from efile_tui.ui.widgets.vtable import VirtualTable

    moves = [
        b for b in VirtualTable.BINDINGS if isinstance(b, Binding) and b.action != "select_row"
    ]
    return [
        ("Paths", EXTRA["Paths"] + _rows(PathPane.BINDINGS)),
        ("Tasks", _rows([*TaskTable.BINDINGS, *TaskPane.BINDINGS]) + EXTRA["Tasks"]),
        ("Lists", _rows(moves)),
        ("Anywhere", _rows(MainScreen.BINDINGS) + EXTRA["Anywhere"]),
        ("Dialogs", EXTRA["Dialogs"]),
    ]


def readme_table() -> str:
    """The README's "Keys (TUI)" table, one row per pane."""
    lines = ["| where | keys |", "|---|---|"]
    for name, rows in sections():
        cells = " · ".join(f"`{keys}` {what}" for keys, what in rows)
        lines.append(f"| {name.lower()} | {cells} |")
    return "\n".join(lines)
