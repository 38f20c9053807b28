"""The bottom line: the keys that matter where the focus is, never cut mid-word.

It lists the shown bindings of the focused widget first, then of its containers, the
screen and the app (the order Textual resolves keys in), one ``key Description`` entry at a
time while whole entries fit; ``? Help`` is kept at the right end whenever there is room.
Each screen (the main one and every dialog) has its own bar, so a dialog shows its keys.
"""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from efile_tui.core import cells
from efile_tui.i18n import _

KEY_NAMES = {
    "question_mark": "?",
    "slash": "/",
    "plus": "+",
    "minus": "-",
    "equals_sign": "=",
    "escape": "esc",
    "backspace": "bksp",
    "delete": "del",
    "space": "space",
    "enter": "enter",
    "tab": "tab",
    "up": "up",
    "down": "down",
    "home": "home",
    "end": "end",
    "pageup": "pgup",
    "pagedown": "pgdn",
}
GAP = "  "
# What an operator reaches for first; other shown keys follow in binding order.
FIRST = (
    "toggle_mark",
    "delete",
    "copy_marked",
    "move_marked",
    "cancel_marked",
    "switch_pane",
    "select_row",
    "up",
    "undo",
    "dismiss",
)
HELP_KEYS = ("question_mark", "f1")


def key_label(key: str) -> str:
    """How a key is written on screen: ``?``, ``^p``, ``shift+down``, ``esc``."""
    if key.startswith("ctrl+"):
        return "^" + key_label(key[5:])
    return KEY_NAMES.get(key, key)


def width_of(entry: tuple[str, str]) -> int:
    """Terminal cells taken by a ``key Description`` entry (Chinese counts two a character)."""
    return cells.width(entry[0]) + 1 + cells.width(entry[1])


def fit_entries(entries: list[tuple[str, str]], width: int) -> list[tuple[str, str]]:
    """The entries that fit ``width`` cells whole, in order (a Chinese description takes two
    cells a character); a help entry is kept last if it can."""
    help_entry = next((e for e in entries if e[0] == "?"), None)
    rest = [e for e in entries if e is not help_entry]
    reserve = (cells.width(f"{help_entry[0]} {help_entry[1]}") + len(GAP)) if help_entry else 0
    chosen: list[tuple[str, str]] = []
    used = 0
    for key, text in rest:
        size = cells.width(f"{key} {text}") + (len(GAP) if chosen else 0)
        if used + size + reserve > width:
            continue  # a shorter entry further on may still fit
        chosen.append((key, text))
        used += size
    if help_entry and used + reserve - (0 if chosen else len(GAP)) <= width:
        chosen.append(help_entry)
    return chosen


class KeyBar(Widget):
    """One line of ``key Description`` entries for the current focus.

    In a dialog (``dialog=True``) an action bound to esc and other keys shows as esc.
    """

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        background: $panel;
        color: $text;
        padding: 0 1;
    }
    """

    def __init__(self, *, dialog: bool = False) -> None:
        super().__init__()
        self.dialog = dialog

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, _screen: object) -> None:
        self.refresh()

    def entries(self) -> list[tuple[str, str]]:
        """``(key label, description)`` for each shown binding, nearest to the focus first.

        One entry per action: ``escape,u`` shows as the first key that is not esc. The
        descriptions (marked with ``N_`` in the bindings) are shown in the language in use.
        """
        grouped: dict[tuple[int, str], tuple[list[str], str]] = {}
        actions: dict[tuple[int, str], str] = {}
        for key, active in self.screen.active_bindings.items():
            binding = active.binding
            if not binding.show or not binding.description or not active.enabled:
                continue
            slot = (id(active.node), binding.action)
            keys, _description = grouped.setdefault(slot, ([], binding.description))
            keys.append(binding.key_display or key)
            actions[slot] = binding.action.rsplit(".", 1)[-1].split("(")[0]

        def rank(slot: tuple[int, str]) -> int:
            action = actions[slot]
            return FIRST.index(action) if action in FIRST else len(FIRST)

        out: list[tuple[str, str]] = []
        for slot in sorted(grouped, key=rank):  # stable: binding order within a rank
            keys, description = grouped[slot]
            if self.dialog and "escape" in keys:
                shown = "escape"
            else:
                shown = next((k for k in keys if k != "escape"), keys[0])
            label = "?" if shown in HELP_KEYS else key_label(shown)
            out.append((label, _(description)))
        return out

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="crop")
        width = self.size.width
        for i, (key, description) in enumerate(fit_entries(self.entries(), width)):
            if i:
                text.append(GAP)
            text.append(key, style="bold")
            text.append(" " + description)
        return text
