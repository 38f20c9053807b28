"""The key table, read from the bindings themselves: the key bar, the help screen and the
README's key table all come from the bindings of the panes, the main screen and every
dialog (a test compares the README with it). The texts are English (the README's); they are
marked with ``N_`` and the help screen shows them translated.

The main screen's own keys are defined here (``SCREEN_KEYS``), so this table needs no import
of the screen, and the screen imports it to show the help.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from textual.binding import Binding, BindingType
from textual.screen import Screen

from efile_tui.i18n import N_
from efile_tui.ui.widgets.keybar import key_label
from efile_tui.ui.widgets.path_pane import PathPane
from efile_tui.ui.widgets.task_pane import TaskPane
from efile_tui.ui.widgets.task_table import TaskTable
from efile_tui.ui.widgets.vtable import VirtualTable

# The main screen's keys (MainScreen.BINDINGS): they work wherever the focus is.
SCREEN_KEYS: list[BindingType] = [
    Binding("tab", "switch_pane", N_("Switch pane")),
    Binding("p", "toggle_pause", N_("Pause")),
    Binding("r", "refresh_now", N_("Refresh")),
    Binding("plus,equals_sign", "interval(1)", N_("Slower"), show=False),
    Binding("minus", "interval(-1)", N_("Faster"), show=False),
    Binding("h", "toggle_old", N_("Old and dismissed tasks"), show=False),
    Binding("z", "undo", N_("Undo"), show=False),
    Binding("N", "notifications", N_("Notifications"), show=False),
    Binding("I", "import_ids", N_("Import ids"), show=False),
    Binding("L", "show_log", N_("Audit log"), show=False),
    Binding("question_mark,f1", "help", N_("Help")),
    Binding("q", "app.quit", N_("Quit")),
]


def dialogs() -> list[tuple[str, type[Screen[Any]]]]:
    """Every dialog, by the name the help gives it (loaded here, not at start: the TUI
    shows its first frame without them)."""
    from efile_tui.ui.modals.cancel import CancelResultsScreen, ConfirmCancelScreen
    from efile_tui.ui.modals.confirm_delete import ConfirmDeleteScreen, RefusedScreen
    from efile_tui.ui.modals.help import HelpScreen
    from efile_tui.ui.modals.label import LabelScreen
    from efile_tui.ui.modals.login import LoginScreen
    from efile_tui.ui.modals.misc import ImportIdsScreen, LogScreen, TextScreen
    from efile_tui.ui.modals.notifications import NotificationsScreen
    from efile_tui.ui.modals.transfer import TransferScreen

    return [
        (N_("delete"), ConfirmDeleteScreen),
        (N_("refused paths"), RefusedScreen),
        (N_("copy/move"), TransferScreen),
        (N_("cancel"), ConfirmCancelScreen),
        (N_("cancel results"), CancelResultsScreen),
        (N_("label"), LabelScreen),
        (N_("details"), TextScreen),
        (N_("import ids"), ImportIdsScreen),
        (N_("notifications"), NotificationsScreen),
        (N_("audit log"), LogScreen),
        (N_("login"), LoginScreen),
        (N_("help"), HelpScreen),
    ]


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


def dialog_rows() -> list[tuple[str, str, list[str]]]:
    """``(keys, what they do, [dialog, ...])``: each dialog key once, with the dialogs it
    works in (the English names)."""
    found: dict[tuple[str, str], list[str]] = {}
    for name, screen in dialogs():
        for keys, what in _rows(screen.BINDINGS):
            found.setdefault((keys, what), []).append(name)
    return [(keys, what, names) for (keys, what), names in found.items()]


def sections(tr: Callable[[str], str] = str) -> list[tuple[str, list[tuple[str, str]]]]:
    """``(pane, [(keys, what they do), ...])`` for every pane and the dialogs, in help order.

    The texts are the English sources (the README's); the help screen passes ``tr=_`` to
    show them translated. A dialog key's text ends with the dialogs it works in
    (``Back (label, login)``).
    """
    dialogs = [(k, f"{tr(w)} ({', '.join(map(tr, names))})") for k, w, names in dialog_rows()]
    moves = [
        b for b in VirtualTable.BINDINGS if isinstance(b, Binding) and b.action != "select_row"
    ]
    found = [
        (N_("Paths"), EXTRA["Paths"] + _rows(PathPane.BINDINGS)),
        (N_("Tasks"), _rows([*TaskTable.BINDINGS, *TaskPane.BINDINGS]) + EXTRA["Tasks"]),
        (N_("Lists"), _rows(moves)),
        (N_("Anywhere"), _rows(SCREEN_KEYS) + EXTRA["Anywhere"]),
        (N_("Dialogs"), EXTRA["Dialogs"]),
    ]
    out = [(tr(name), [(keys, tr(what)) for keys, what in rows]) for name, rows in found]
    out[-1][1].extend(dialogs)
    return out


def readme_table() -> str:
    """The README's "Keys (TUI)" table, one row per pane."""
    lines = ["| where | keys |", "|---|---|"]
    for name, rows in sections():
        cells = " · ".join(f"`{keys}` {what}" for keys, what in rows)
        lines.append(f"| {name.lower()} | {cells} |")
    return "\n".join(lines)
