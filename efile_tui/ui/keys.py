"""The key table, read from the bindings themselves: the help screen and the README's key
table are both built from it (a test compares the README with it). The texts are English
(the README's); they are marked with ``N_`` and the help screen shows them translated."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from textual import events
from textual.binding import Binding, BindingType
from textual.widget import Widget
from textual.widgets import Input

from efile_tui.i18n import N_
from efile_tui.ui.widgets.keybar import key_label

# Keys that are not bindings of ours: the table widgets' own movement keys, and the
# dialogs' standard keys.
EXTRA: dict[str, list[tuple[str, str]]] = {
    "Anywhere": [("^p", N_("Command palette"))],
    "Paths": [("enter", N_("Open folder"))],
    "Tasks": [
        ("enter", N_("Details")),
        (
            "/ key:value",
            N_("Filter words as the CLI's: status: op: source: target: label: since: until:"),
        ),
    ],
    "Dialogs": [
        ("tab", N_("Next field or button")),
        ("enter", N_("Press the focused button")),
        ("esc", N_("Cancel / close (nothing is sent)")),
    ],
}
# The sections' names, for the catalog (the help screen shows them translated).
SECTION_NAMES = (N_("Paths"), N_("Tasks"), N_("Lists"), N_("Anywhere"), N_("Dialogs"))


def _rows(bindings: Iterable[BindingType]) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for b in bindings:
        if not isinstance(b, Binding) or b.action.startswith("app.command") or not b.description:
            continue  # no description: a field's own enter/esc (see FIELD_KEYS)
        keys = [key_label(k.strip()) for k in b.key.split(",")]
        rows.append(("/".join(dict.fromkeys(keys)), b.description or b.action))
    return rows


def sections() -> list[tuple[str, list[tuple[str, str]]]]:
    """``(pane, [(keys, what they do), ...])`` for every pane, in help order (the English
    source texts: pass them through ``_()`` to show them)."""
    from efile_tui.ui.screens.main import MainScreen
    from efile_tui.ui.widgets.path_pane import PathPane
    from efile_tui.ui.widgets.task_pane import TaskPane
    from efile_tui.ui.widgets.task_table import TaskTable
    from efile_tui.ui.widgets.vtable import VirtualTable

    moves = [
        b for b in VirtualTable.BINDINGS if isinstance(b, Binding) and b.action != "select_row"
    ]
    return [
        (N_("Paths"), EXTRA["Paths"] + _rows(PathPane.BINDINGS)),
        (N_("Tasks"), _rows([*TaskTable.BINDINGS, *TaskPane.BINDINGS]) + EXTRA["Tasks"]),
        (N_("Lists"), _rows(moves)),
        (N_("Anywhere"), _rows(MainScreen.BINDINGS) + EXTRA["Anywhere"]),
        (N_("Dialogs"), EXTRA["Dialogs"]),
    ]


def readme_table() -> str:
    """The README's "Keys (TUI)" table, one row per pane."""
    lines = ["| where | keys |", "|---|---|"]
    for name, rows in sections():
        cells = " · ".join(f"`{keys}` {what}" for keys, what in rows)
        lines.append(f"| {name.lower()} | {cells} |")
    return "\n".join(lines)


def field_has_focus(pane: Widget) -> bool:
    """True when an input field inside ``pane`` has the focus."""
    field = pane.screen.focused
    return isinstance(field, Input) and pane in field.ancestors


# Enter and Esc in a pane's field (filter box, path bar), as priority bindings: they run
# as the key arrives, so the focus is back on the table before the keys typed after them
# are handed on (a burst such as "label:x⏎ ␣" marks a row instead of typing into the field).
# The pane enables them only while one of its fields has the focus (``check_action``).
FIELD_KEYS = [
    Binding("enter", "field_enter", show=False, priority=True),
    Binding("escape", "field_escape", show=False, priority=True),
]


def keep_typeahead(
    pane: Widget, event: events.Key, openers: Mapping[str, Callable[[], None]]
) -> None:
    """Keys typed in a burst after a key that opens a field (``/``) go into that field.

    A burst (fast typing, a paste, tmux) is already queued for the table when ``/``
    arrives; bindings run too late to move the focus first, so ``/ i s`` would invert the
    marks and sort instead of typing "is". The pane calls this from ``on_key``: an opener
    key moves the focus at once, and printable keys that still reach the pane while its
    field has focus are typed into it.
    """
    field = pane.screen.focused
    in_field = field_has_focus(pane)
    if not in_field and event.key in openers:
        openers[event.key]()
    elif in_field and event.is_printable and event.character is not None:
        assert isinstance(field, Input)
        field.insert_text_at_cursor(event.character)
    else:
        return
    event.stop()
    event.prevent_default()
