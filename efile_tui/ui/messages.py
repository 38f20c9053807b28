"""Messages that widgets post to ask the screen for I/O or an action.

Widgets never talk to the service: they post one of these, and the main screen (which
owns the client, journal and workers) does the work and calls back into the widget.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from efile_tui.api.models import FileEntry, Operation
from efile_tui.core.cancelplan import CancelPlan


@dataclass
class PageWanted(Message):
    """The path pane needs entries ``start`` … ``start+limit`` of ``path``.

    The screen answers with ``PathPane.show_page(request_id, page)`` or
    ``PathPane.show_error(request_id, error)``; ``request_id`` lets the pane drop answers
    for a folder it has already left.
    """

    request_id: int
    path: str
    start: int
    limit: int
    order_by: str | None = None
    order: str | None = None
    keyword: str | None = None


@dataclass
class LoginNeeded(Message):
    """The service no longer accepts the token: the app shows its login form."""

    reason: str


@dataclass
class DeleteRequested(Message):
    """The user asked to delete these (marked) paths."""

    paths: list[str]


@dataclass
class TransferRequested(Message):
    """The user asked to copy or move these paths (the target is asked for next)."""

    operation: Operation
    paths: list[str]


@dataclass
class CancelRequested(Message):
    """The user asked to cancel the marked tasks (or the cursor's): what core decided."""

    plan: CancelPlan


@dataclass
class DismissRequested(Message):
    """Hide these journal rows (``local:N`` keys or task ids) the operator has dealt with."""

    keys: list[str]


@dataclass
class LabelRequested(Message):
    """Give these journal rows (``local:N`` keys or task ids) a label the user will type."""

    keys: list[str]


@dataclass
class ResolveRequested(Message):
    """Check the paths of these rows' lost submits (``local:N`` keys) and record a verdict."""

    keys: list[str]


@dataclass
class CopyText(Message):
    """Put ``text`` on the clipboard (OSC 52), with ``label`` for the notification."""

    text: str
    label: str


@dataclass
class MarksCleared(Message):
    """The path pane cleared these marks (path -> entry last seen), e.g. on Esc: undoable."""

    marks: dict[str, FileEntry]


@dataclass
class TaskMarksCleared(Message):
    """The task table cleared these marks (``u``); ``hidden``: how many of them the filter
    hid. Undoable (``z``)."""

    keys: frozenset[str]
    hidden: int
