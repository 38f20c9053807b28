"""Small text helpers shared by the widgets."""

from __future__ import annotations

from collections.abc import Sequence

from efile_tui import glyphs
from efile_tui.api.errors import EfileError
from efile_tui.core.freshness import waited
from efile_tui.core.preview import human_size
from efile_tui.i18n import _

__all__ = ["ago", "human_size", "refused_note", "shorten_left"]


def shorten_left(text: str, width: int) -> str:
    """Keep the end of a long path (the part that tells paths apart): ``…/run-7/out``."""
    if width <= 1 or len(text) <= width:
        return text
    return glyphs.current().ellipsis + text[-(width - 1) :]


def ago(seconds: float) -> str:
    """``3 s ago`` / ``4 min ago`` / ``2 h ago``."""
    return _("{time} ago").format(time=waited(seconds))


def refused_note(refused: Sequence[str]) -> str:
    """The toast for listing entries left out because their name or path was unsafe."""
    more = _(" (and {n} more)").format(n=len(refused) - 1) if len(refused) > 1 else ""
    return _("Not shown: {entry}{more}").format(entry=refused[0], more=more)


def error_text(exc: BaseException) -> str:
    """What to tell the user about ``exc``: an efile error's message, else its text or name."""
    if isinstance(exc, EfileError):
        return exc.message
    return str(exc) or type(exc).__name__
