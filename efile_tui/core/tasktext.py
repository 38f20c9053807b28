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
from efile_tui.core import words
from efile_tui.core.text import clean
from efile_tui.core.words import human_size
from efile_tui.i18n import N_, _
from efile_tui.store.journal import ORIGIN_IMPORTED, OUTCOME_UNKNOWN, REJECTED, JournalEntry

MESSAGE_MAX = 200  # characters; longer messages keep their start and an ellipsis


def problem_text(code: str | None, message: str | None) -> str:
    """``911002 Not found: no such file`` — each of code, title and text once, as known."""
    english = CODE_TABLE[code][0] if code in CODE_TABLE else ""
    title = _(english) if english else ""
    text = clean(shown_message(code, message or "")).strip()
    parts = [clean(code), title]
    if text and text.lower() not in (title.lower(), english.lower()):  # the title, said again
        parts.append(text)
    joined = " ".join(p for p in parts[:2] if p)
    if len(parts) == 3:
        joined = f"{joined}: {parts[2]}" if joined else parts[2]
    return joined


def seen_text(ts: float | None) -> str:
    """``13:20:11`` today, ``2026-12-06 13:20`` before; ``never`` without a time."""
    if ts is None:
        return _("never")
    if time.strftime("%Y-%m-%d", time.localtime(ts)) == time.strftime("%Y-%m-%d"):
        return time.strftime("%H:%M:%S", time.localtime(ts))
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ts))


def entry_notes(entry: JournalEntry, *, table: bool = False) -> list[str]:
    """The journal's facts about an entry, most important first (``table``: without the
    label and a cancel under way, which the TUI's table shows in their own cells)."""
    notes: list[str] = []
    imported_unseen = entry.origin == ORIGIN_IMPORTED and entry.last_seen_at is None
    if entry.outcome_unknown:
        notes.append(_("OUTCOME UNKNOWN: check before resubmitting"))
    elif entry.vanished and imported_unseen:
        notes.append(_("never known to the service (vanished)"))
    elif entry.vanished and table:  # the status cell says vanished, maybe not its state
        notes.append(
            _("seen {time} ({state})").format(
                state=words.status(entry.state), time=seen_text(entry.last_seen_at)
            )
        )
    elif entry.vanished:
        seen = seen_text(entry.last_seen_at)
        notes.append(
            _("last seen {time}, then no longer returned by the service (vanished)").format(
                time=seen
            )
        )
    elif entry.state == OUTCOME_UNKNOWN and imported_unseen:
        notes.append(_("imported; not yet seen on the service"))
    elif entry.state == REJECTED and not (entry.error_code or entry.error_msg):
        notes.append(words.status("rejected"))
    if entry.expired and not entry.vanished:
        notes.append(_("expired on server"))
    if entry.cancel_lost and not entry.ended and not table:
        notes.append(words.verdict("cancel sent, answer lost"))
    elif entry.cancel_requested_at and not entry.ended and not table:
        notes.append(_("cancelling…"))
    if entry.label and not table:
        notes.append(_("label: {label}").format(label=clean(entry.label)))
    if entry.resubmitted_as is not None:
        notes.append(_("resubmitted as local:{n}").format(n=entry.resubmitted_as))
    return notes


def entry_message(entry: JournalEntry, *, table: bool = False) -> str:
    """The one-line message of a journal entry: the journal's facts (``table``: as
    :func:`entry_notes`), then its error."""
    problem = problem_text(entry.error_code, entry.error_msg)
    return bounded("; ".join(x for x in (*entry_notes(entry, table=table), problem) if x))


_CONFLICT = {"cover": N_("overwrite"), "both": N_("keep both")}


def detail_lines(entry: JournalEntry) -> list[str]:
    """A task's details for people (its details screen): each known fact, named and
    worded in the language in use. Programs read ``JournalEntry.to_json`` instead."""
    j = entry.to_json()
    conflict = entry.conflict
    progress = ""
    if entry.total_num:
        progress = _("{done}/{total} files").format(
            done=f"{entry.processed_num or 0:,}", total=f"{entry.total_num:,}"
        )
    if entry.total_size:
        size = f"{human_size(entry.processed_size or 0)}/{human_size(entry.total_size)}"
        progress = f"{progress}  {size}".strip()
    rows = [
        (N_("Task id"), entry.task_id or _("(no id)")),
        (N_("Journal key"), f"local:{entry.local_id}"),
        (N_("Operation"), words.operation(entry.operation.value)),
        (N_("Status"), words.status(entry.status)),
        (N_("Source"), entry.source_path),
        (N_("Target"), entry.target_path),
        (N_("On a name clash"), _(_CONFLICT[conflict]) if conflict in _CONFLICT else conflict),
        (N_("Progress"), progress),
        (N_("Submitted"), j["submitTime"] or j["submittedAt"]),
        (N_("Updated"), j["updateTime"] or j["updatedAt"]),
        (N_("Ended"), j["finalAt"]),
        (N_("Last seen"), j["lastSeenAt"]),
        (N_("Profile"), entry.profile),
        (N_("Region"), entry.region),
        (N_("Label"), entry.label),
        (N_("Message"), entry_message(entry)),
    ]
    return [
        _("{name}: {value}").format(name=_(name), value=clean(str(value)))
        for name, value in rows
        if value
    ]


def bounded(text: str, limit: int = MESSAGE_MAX) -> str:
    """``text`` cut to ``limit`` characters, with an ellipsis where it was cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


__all__ = [
    "MESSAGE_MAX",
    "bounded",
    "detail_lines",
    "entry_message",
    "entry_notes",
    "problem_text",
    "seen_text",
]
