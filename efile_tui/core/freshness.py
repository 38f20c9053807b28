"""How fresh the task data on screen is, and why not, in a few words (no UI in here).

The header of the TUI shows a stale marker with its reason whenever polling has fallen
behind: ``STALE: no answer for 40 s`` while a request hangs, ``STALE: refused`` when the
service refuses connections, ``STALE: timed out`` when a request ran past its deadline,
``STALE: token rejected`` when the token is no longer accepted. The marker is words, so it
reads the same without colour (``NO_COLOR``) and at every width.
"""

from __future__ import annotations

from efile_tui.api.errors import (
    AccessRefused,
    AuthError,
    BadResponse,
    EfileError,
    RateLimited,
    ServiceUnreachable,
)
from efile_tui.i18n import N_, _

STALE_AMBER = 3.0  # missed intervals before "stale"
STALE_RED = 10.0  # missed intervals before "STALE"
AMBER_FLOOR, RED_FLOOR = 8.0, 30.0  # seconds: never stale sooner than these


def stale_level(age: float | None, interval: float, *, failed: bool = False) -> str:
    """``""``, ``"amber"`` or ``"red"`` for data last confirmed ``age`` seconds ago
    (None: never); ``failed``: the last poll failed (so never-confirmed data is stale)."""
    if age is None:
        if not failed:
            return ""
        age = float("inf")
    if age > max(RED_FLOOR, interval * STALE_RED):
        return "red"
    if age > max(AMBER_FLOOR, interval * STALE_AMBER):
        return "amber"
    return ""


# The causes failure_reason and ServiceUnreachable give, for the catalog (shown translated).
REASONS = (
    N_("refused"),
    N_("timed out"),
    N_("connection lost"),
    N_("token rejected"),
    N_("throttled"),
    N_("bad answer"),
    N_("internal error"),
)


def failure_reason(exc: BaseException) -> str:
    """A failed poll's cause in a few words: ``refused``, ``timed out``, ``token rejected``."""
    if isinstance(exc, (AuthError, AccessRefused)):
        return _("token rejected")
    if isinstance(exc, ServiceUnreachable):
        return exc.reason
    if isinstance(exc, RateLimited):
        return _("throttled")
    if isinstance(exc, BadResponse):
        return _("bad answer")
    if isinstance(exc, EfileError):
        return _(exc.title)
    return _("internal error")


def waited(seconds: float) -> str:
    """``40 s`` / ``3 min`` / ``2 h``: how long without an answer."""
    if seconds < 60:
        return _("{n} s").format(n=f"{seconds:.0f}")
    if seconds < 3600:
        return _("{n} min").format(n=f"{seconds / 60:.0f}")
    return _("{n} h").format(n=f"{seconds / 3600:.0f}")


def stale_marker(level: str, reason: str, age: float | None) -> str:
    """``STALE: refused`` / ``stale: no answer for 12 s`` (``""`` when fresh).

    ``reason``: why the last poll failed (``""`` while a poll is still waiting for its
    answer, which then is the reason).
    """
    if not level:
        return ""
    word = _("STALE") if level == "red" else _("stale")
    if not reason:
        reason = (
            _("no answer") if age is None else _("no answer for {time}").format(time=waited(age))
        )
    return _("{stale}: {reason}").format(stale=word, reason=_(reason))


__all__ = ["failure_reason", "stale_level", "stale_marker", "waited"]
