"""The task filter box's small query language, read into the same :class:`TaskQuery` as the
command line's filter flags.

A word ``key:value`` sets the condition of the flag of that name: ``status:running``,
``op:copy``, ``source:/public/home/me/run-*``, ``target:GLOB``, ``label:GLOB``,
``since:2h``, ``until:2026-12-01``, ``origin:imported``, ``failed:yes``. Several values
may be given with commas (``status:fail,cancel``) or by repeating the key; they are
alternatives, as with a repeated flag. Every other word is free text, looked for in the
id, paths, label and error. A value with spaces is quoted: ``label:"run 42"``.
"""

from __future__ import annotations

import shlex
from datetime import datetime

from efile_tui.core.query import TaskQuery, group_names

# key -> the option of TaskQuery.from_options it fills (lists) or sets (single values).
LIST_KEYS = {
    "status": "statuses",
    "op": "operations",
    "source": "sources",
    "target": "targets",
    "label": "labels",
}
SINGLE_KEYS = ("since", "until", "origin", "failed")
YES = ("yes", "y", "true", "1", "on")
SYNTAX = "status:running op:copy label:NAME source:GLOB since:2h, or text"


def parse_query(text: str, *, now: float | None = None) -> TaskQuery:
    """The query a filter box text describes; raises ``InputError`` naming each bad value.

    A key with no value yet (``label:`` while it is typed) is left out.
    """
    lists: dict[str, list[str]] = {option: [] for option in LIST_KEYS.values()}
    single: dict[str, str] = {}
    free: list[str] = []
    for word in _words(text):
        key, colon, value = word.partition(":")
        name = key.lower()
        if colon and (name in LIST_KEYS or name in SINGLE_KEYS):
            if not value:
                continue
            if name in LIST_KEYS:
                lists[LIST_KEYS[name]].append(value)
            else:
                single[name] = value
        else:
            free.append(word)
    return TaskQuery.from_options(
        **lists,
        since=single.get("since"),
        until=single.get("until"),
        origin=single.get("origin"),
        failed=single.get("failed", "").lower() in YES,
        text=" ".join(free),
        now=now,
    )


def query_text(query: TaskQuery) -> str:
    """The filter box text for ``query`` (``parse_query`` reads it back to the same query,
    times to the second)."""
    words = []
    if query.statuses:
        words.append("status:" + ",".join(group_names(query.statuses)))
    if query.operations:
        words.append("op:" + ",".join(sorted(query.operations)))
    words += [f"source:{_quote(g)}" for g in query.sources]
    words += [f"target:{_quote(g)}" for g in query.targets]
    words += [f"label:{_quote(g)}" for g in query.labels]
    for name, when in (("since", query.since), ("until", query.until)):
        if when is not None:
            words.append(f"{name}:{datetime.fromtimestamp(when).isoformat(timespec='seconds')}")
    if query.origin:
        words.append(f"origin:{query.origin}")
    if query.failed:
        words.append("failed:yes")
    if query.text:
        words.append(query.text)
    return " ".join(words)


def _words(text: str) -> list[str]:
    """Shell-like words; a quote still open (the user is typing) is closed for them."""
    for attempt in (text, text + '"', text + "'"):
        try:
            return shlex.split(attempt)
        except ValueError:
            continue
    return text.split()


def _quote(value: str) -> str:
    return shlex.quote(value) if any(c.isspace() or c in "'\"\\" for c in value) else value


__all__ = ["SYNTAX", "parse_query", "query_text"]
