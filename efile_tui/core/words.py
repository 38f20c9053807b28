"""The names people read for the words programs read: task states and operations (and
sizes in binary units).

JSON, ``--ids``, the journal and filters keep the program words (``processing``,
``delete``); what a person reads passes through :func:`status` / :func:`operation`,
which give the name in the language in use (the glossary's terms in Chinese).
"""

from __future__ import annotations

from efile_tui.i18n import N_, _

_STATUS = {
    "waiting": N_("waiting"),
    "processing": N_("processing"),
    "complete": N_("complete"),
    "fail": N_("fail"),
    "cancel": N_("cancel"),
    "unknown": N_("unknown"),
    "outcome unknown": N_("outcome unknown"),
    "rejected": N_("rejected"),
    "submitting": N_("submitting"),
    "expired": N_("expired"),
    "vanished": N_("vanished"),
    "running": N_("running"),
    "final": N_("final"),
}
_OPERATION = {
    "delete": N_("delete"),
    "copy": N_("copy"),
    "move": N_("move"),
    "unknown": N_("unknown"),
}

# CancelResult.verdict (the audit log keeps these English words)
_VERDICT = {
    "error": N_("error"),
    "cancelled": N_("cancelled"),
    "already complete": N_("already complete"),
    "already failed": N_("already failed"),
    "already cancelled": N_("already cancelled"),
    "unknown or expired": N_("unknown or expired"),
    "cancel sent, answer lost": N_("cancel sent, answer lost"),
}


# The audit log's events and results (the file keeps these English words)
_EVENT = {
    "submit": N_("submit"),
    "cancel": N_("cancel"),
    "import": N_("import"),
    "hangup": N_("hangup"),
}
_RESULT = {
    "ok": N_("ok"),
    "failed": N_("failed"),
    "unknown": N_("unknown"),
    "partial": N_("partial"),
}


def status(word: str) -> str:
    """A task state's name for people (an unknown word is shown as it is)."""
    return _(_STATUS[word]) if word in _STATUS else word


def operation(word: str) -> str:
    """An operation's name for people (an unknown word is shown as it is)."""
    return _(_OPERATION[word]) if word in _OPERATION else word


def verdict(word: str) -> str:
    """What the service said about a cancel, for people."""
    return _(_VERDICT[word]) if word in _VERDICT else word


def event(word: str) -> str:
    """An audit event's name for people."""
    return _(_EVENT[word]) if word in _EVENT else word


def result(word: str) -> str:
    """An audit event's result (``ok``, ``failed``, ``partial``…) for people."""
    return _(_RESULT[word]) if word in _RESULT else word


def human_size(n: int | None) -> str:
    """Bytes as a short human string (binary units); ``?`` when unknown (None)."""
    if n is None:
        return "?"
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(size) < 1024 or unit == "TiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"  # pragma: no cover - the loop always returns
