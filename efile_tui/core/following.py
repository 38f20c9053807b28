"""What a watch of a selection follows while it runs: the one rule for tasks joining it.

A selection (``watch --label run-7``, ``watch --status running``, a plain ``watch``) is not
a list of ids fixed when it starts: a campaign submitted in batches, or from another login
node sharing the state folder, adds tasks while it is watched.

- **Tasks join.** Before each poll the :class:`~efile_tui.core.poller.Poller` reads what
  other writers appended to the journal (:meth:`Journal.refresh` reads only the bytes
  appended since the last look) and hands the entries to :meth:`Following.take`: each one
  with a task id that matches the selection and is not followed yet joins.
- **Not done while a matching submit is in flight.** An entry whose intent is recorded and
  whose answer has not come yet, from a process that may still record it
  (:meth:`Journal.submits_in_flight`), holds the watch open: its tasks are about to join.
  It is matched without the state conditions (``--status``, ``--failed``), since the state
  its task will have is not known yet. A submit whose process died (or older than ten
  minutes) no longer holds it.

Explicit ids are not a selection: a watch of ids follows those ids only.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from efile_tui.core.query import TaskQuery
from efile_tui.store.journal import Journal, JournalEntry


class Following:
    """The tasks a selection ``query`` of ``profile``'s entries follows (see the module)."""

    def __init__(
        self, query: TaskQuery, profile: str | None, followed: Iterable[str], since: float
    ) -> None:
        """``followed``: the task ids the watch started with (ended ones too); ``since``:
        when it started (epoch seconds)."""
        self.query = query
        self.profile = profile
        self.since = since
        self.followed: set[str] = set(followed)
        self._submits = dataclasses.replace(query, statuses=frozenset(), failed=False)

    def _ours(self, entry: JournalEntry) -> bool:
        return self.profile is None or entry.profile == self.profile

    def take(self, entries: Iterable[JournalEntry]) -> list[JournalEntry]:
        """Of ``entries`` (new or changed in the journal), those that join the selection now:
        a task id not followed yet, this profile's, matching the query, and not ended
        before the watch started (an old task another process noted again stays out)."""
        joined = []
        for entry in entries:
            tid = entry.task_id
            if (
                tid
                and tid not in self.followed
                and (entry.unfinished or (entry.final_at or 0) >= self.since)
                and self._ours(entry)
                and self.query.matches(entry)
            ):
                self.followed.add(tid)
                joined.append(entry)
        return joined

    def submits_in_flight(self, journal: Journal) -> int:
        """How many matching submits are still awaiting their answer (reads no file: what
        the last :meth:`Journal.refresh` brought)."""
        return sum(self._submits.matches(e) for e in journal.submits_in_flight(self.profile))


__all__ = ["Following"]
