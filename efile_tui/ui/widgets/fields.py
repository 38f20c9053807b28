"""Input fields inside a pane (the filter box, the path bar): whether one has the focus,
its Enter and Esc, and keys typed in a burst right after the key that opens it."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from textual import events
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Input


def opened_field(pane: Widget, field_id: str, placeholder: str, before: Widget) -> Input:
    """The pane's input ``field_id``, mounted above ``before`` if it is not there yet. The
    first frame does without the filter boxes (each input is several style parts to make);
    the main screen makes them right after it, so ``/`` focuses one at once and the keys
    typed after it (a burst, even right after ``tab``) go into it."""
    for field in pane.query(f"#{field_id}").results(Input):
        return field
    field = Input(id=field_id, placeholder=placeholder)
    pane.mount(field, before=before)
    return field


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
