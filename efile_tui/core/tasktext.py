"""A task's one-line message, built in one place for the CLI's lines and the TUI's table.

The message says what the service's status alone does not: the journal's facts — a lost submit
answer, an imported id not seen yet, a task that vanished or expired on the server and when
it was last seen, a cancel under way, a resubmit — then the error (its code, the code's
title, the service's text, each once). It is one line of literal text (control
characters made visible) and at most ``MESSAGE_MAX`` characters; the full texts are in the
JSON output and the task's details.
"""

from __future__ import annotations

import time

from efile_tui.api.errors import CODE_TABLE, shown_message
from efile_tui.core.text import clean
from efile_tui.i18n import _
from efile_tui.store.journal import ORIGIN_IMPORTED, OUTCOME_UNKNOWN, REJECTED, JournalEntry

MESSAGE_MAX = 200  # characters; longer messages keep their start and an ellipsis


def problem_text(code: str | None, message: str | None) -> str:
    """``911002 Not found: no such file`` — each of code, title and text once, as known."""
    title = _(CODE_TABLE[code][0]) if code in CODE_TABLE else ""
    text = clean(shown_message(code, message or "")).strip()
    parts = [clean(code), title]
    if text and text.lower() != title.lower():
        parts.append(text)
    joined = " ".join(p for p in parts[:2] if p)
    if len(parts) == 3:
        joined = f"{joined}: {parts[2]}" if joined else parts[2]
    return joined


def seen_text(ts: float | None) -> str:
    """``13:20:11`` today, ``2026-12-06 13:20`` before; ``never`` without a time."""
    if ts is None:
        return "never"
    if time.strftime("%Y-%m-%d", time.localtime(ts)) == time.strftime("%Y-%m-%d"):
        return time.strftime("%H:%M:%S", time.localtime(ts))
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ts))


def entry_notes(entry: JournalEntry, *, table: bool = False) -> list[str]:
    """The journal's facts about an entry, most important first (``table``: without the
    label and a cancel under way, which the TUI's table shows in their own cells)."""
    notes: list[str] = []
    imported_unseen = entry.origin == ORIGIN_IMPORTED and entry.last_seen_at is None
    if entry.outcome_unknown:
        notes.append("OUTCOME UNKNOWN: check before resubmitting")
    elif entry.vanished and imported_unseen:
        notes.append("never known to the service (vanished)")
    elif entry.vanished and table:  # the status cell says vanished, maybe not its state
        notes.append(f"{entry.state} when last seen {seen_text(entry.last_seen_at)}")
    elif entry.vanished:
        seen = seen_text(entry.last_seen_at)
        notes.append(f"last seen {seen}, then no longer returned by the service (vanished)")
    elif entry.state == OUTCOME_UNKNOWN and imported_unseen:
        notes.append("imported; not yet seen on the service")
    elif entry.state == REJECTED and not (entry.error_code or entry.error_msg):
        notes.append("rejected")
    if entry.expired and not entry.vanished:
        notes.append("expired on server")
    if entry.cancel_lost and not entry.ended and not table:
        notes.append("cancel sent, answer lost")
    elif entry.cancel_requested_at and not entry.ended and not table:
        notes.append("cancelling…")
    if entry.label and not table:
        notes.append(f"label: {clean(entry.label)}")
    if entry.resubmitted_as is not None:
        notes.append(f"resubmitted as local:{entry.resubmitted_as}")
    return notes


def entry_message(entry: JournalEntry, *, table: bool = False) -> str:
    """The one-line message of a journal entry: the journal's facts (``table``: as
    :func:`entry_notes`), then its error."""
    problem = problem_text(entry.error_code, entry.error_msg)
    return bounded("; ".join(x for x in (*entry_notes(entry, table=table), problem) if x))


def bounded(text: str, limit: int = MESSAGE_MAX) -> str:
    """``text`` cut to ``limit`` characters, with an ellipsis where it was cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


__all__ = [
    "MESSAGE_MAX",
    "bounded",
    "entry_message",
    "entry_notes",
    "problem_text",
    "seen_text",
]
