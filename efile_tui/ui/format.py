"""Small text helpers shared by the widgets."""

from __future__ import annotations

from collections.abc import Sequence

from efile_tui import glyphs
from efile_tui.core.cells import Where, elide
from efile_tui.core.freshness import waited
from efile_tui.core.text import clean
from efile_tui.core.words import human_size
from efile_tui.i18n import _, shown_error

__all__ = [
    "ago",
    "dialog_cells",
    "fitted",
    "full_paths",
    "human_size",
    "listing",
    "refused_note",
]

SHOWN_PATHS = 500  # a dialog's list of paths ends with "… and N more" after these
DIALOG_WIDTH = 96  # the width of the delete, copy and move dialogs (their CSS says so too)
DIALOG_INSET = 8  # a dialog's border and padding, a list's bar and a scroll bar
FULL_CHARS = 200_000  # the full-path view shows paths while they fit in this many characters


def dialog_cells(screen_width: int, dialog: int = DIALOG_WIDTH) -> int:
    """The cells a line of a dialog's list has at this terminal width."""
    return max(10, min(dialog, screen_width) - DIALOG_INSET)


def fitted(text: str, cells: int, where: Where = "middle") -> str:
    """Untrusted ``text`` (a path, a line naming one) cleaned and elided to ``cells`` cells.

    Only its first and last ``2 × cells`` characters are looked at, so a name of 40,000
    characters costs what a short one does."""
    cells = max(cells, 1)
    if len(text) > 4 * cells + 1:
        text = text[: 2 * cells] + glyphs.current().ellipsis + text[-2 * cells :]
    return elide(clean(text), cells, where, ellipsis=glyphs.current().ellipsis)


def listing(paths: Sequence[str], cells: int, limit: int = SHOWN_PATHS) -> str:
    """Paths one a line for a dialog, each elided to ``cells`` cells; at most ``limit``,
    then "… and N more"."""
    lines = [fitted(path, cells) for path in paths[:limit]]
    if len(paths) > limit:
        lines.append(_("… and {n} more").format(n=f"{len(paths) - limit:,}"))
    return "\n".join(lines)


def full_paths(paths: Sequence[str], cells: int) -> tuple[str, str]:
    """The title and text of the view a dialog's list opens on a key: the paths its list of
    ``cells`` cells does not show whole (elided, or after the first ``SHOWN_PATHS``), in
    full, one a line — every path when all are shown whole. The first is always there;
    then as many as fit in ``FULL_CHARS`` characters, and a count of the rest."""
    hidden = [i for i, path in enumerate(paths[:SHOWN_PATHS]) if fitted(path, cells) != path]
    hidden += range(SHOWN_PATHS, len(paths))
    chosen = hidden or list(range(len(paths)))
    lines: list[str] = []
    used = 0
    for i in chosen:
        if lines and used + len(paths[i]) > FULL_CHARS:
            break
        lines.append(paths[i])
        used += len(paths[i]) + 1
    if len(lines) < len(chosen):
        lines.append(_("… and {n} more").format(n=f"{len(chosen) - len(lines):,}"))
    title = _("Full paths: {shown:,} of {n:,} not shown whole").format(
        shown=len(hidden), n=len(paths)
    )
    return (title if hidden else _("Full paths ({n:,})").format(n=len(paths))), "\n".join(lines)


def ago(seconds: float) -> str:
    """``3 s ago`` / ``4 min ago`` / ``2 h ago``."""
    return _("{time} ago").format(time=waited(seconds))


def refused_note(refused: Sequence[str]) -> str:
    """The toast for listing entries left out because their name or path was unsafe."""
    more = _(" (and {n} more)").format(n=len(refused) - 1) if len(refused) > 1 else ""
    return _("Not shown: {entry}{more}").format(entry=refused[0], more=more)


def error_text(exc: BaseException) -> str:
    """What to tell the user about ``exc``: an efile error's message, else its text or name."""
    return shown_error(exc) or type(exc).__name__
