"""Settling "outcome unknown": what the file system says about a submit whose answer was lost
(or a task that vanished from the service before it was seen to end).

The service cannot be asked about a task whose id never arrived, but the paths can be
looked at. A delete whose path is gone has been done ("done (by evidence)"); one whose path
is still there has not (or not yet: a task that is still running looks the same, and
deleting again is harmless). A move is done when its source is gone and its name is in the
target folder, not done when the source is there and the name is not. Anything else — a
copy whose name is in the target (it may have been there before), a move with both or
neither — is left undecided and says why.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import dataclass

from efile_tui.api.errors import EfileError, NotAFolder, NotFound
from efile_tui.api.models import Operation, SubmitItem, SubmitOutcome, Task, TaskStatus
from efile_tui.core.preview import DirLister
from efile_tui.i18n import N_, Msg
from efile_tui.store.journal import REJECTED, Journal, JournalEntry

DONE = "done"
NOT_DONE = "not-done"
UNDECIDED = "undecided"
GroupKey = tuple[Operation, str | None]
VERDICT_TEXT = {
    DONE: N_("done (by evidence)"),
    NOT_DONE: N_("not done"),
    UNDECIDED: N_("undecided"),
}


@dataclass(frozen=True)
class Verdict:
    """What the paths say about one lost submit: ``done``, ``not-done`` or ``undecided``."""

    entry: JournalEntry
    verdict: str
    reason: str


async def path_exists(client: DirLister, path: str) -> bool:
    """True when ``path`` exists (a folder, or a file); one listing request."""
    try:
        await client.list_dir(path, limit=1)
    except NotFound:
        return False
    except NotAFolder:
        return True
    return True


async def check(client: DirLister, entry: JournalEntry) -> Verdict:
    """The verdict for one lost submit (or vanished task); a failed check is ``undecided``
    with its error."""
    source = entry.source_path
    if not source or entry.operation is Operation.UNKNOWN:
        return Verdict(entry, UNDECIDED, Msg(N_("no paths known (an imported id never reported)")))
    try:
        src = await path_exists(client, source)
        if entry.operation is Operation.DELETE:
            if src:
                return Verdict(entry, NOT_DONE, Msg(N_("{path} is still there"), path=source))
            return Verdict(entry, DONE, Msg(N_("{path} is gone"), path=source))
        if not entry.target_path:
            return Verdict(entry, UNDECIDED, Msg(N_("no target folder recorded")))
        landed = posixpath.join(entry.target_path, posixpath.basename(source))
        dst = await path_exists(client, landed)
    except EfileError as exc:
        return Verdict(entry, UNDECIDED, Msg(N_("could not check: {why}"), why=exc.message))
    if entry.operation is Operation.MOVE:
        if not src and dst:
            return Verdict(
                entry,
                DONE,
                Msg(N_("{source} is gone and {target} exists"), source=source, target=landed),
            )
        if src and not dst:
            return Verdict(
                entry,
                NOT_DONE,
                Msg(
                    N_("{source} is still there and {target} is not"), source=source, target=landed
                ),
            )
        state = Msg(N_("both exist")) if src else Msg(N_("neither exists"))
        return Verdict(
            entry,
            UNDECIDED,
            Msg(N_("{source} and {target}: {state}"), source=source, target=landed, state=state),
        )
    if not dst:
        return Verdict(entry, NOT_DONE, Msg(N_("{path} does not exist"), path=landed))
    return Verdict(
        entry, UNDECIDED, Msg(N_("{path} exists, but it may have been there before"), path=landed)
    )


async def check_all(client: DirLister, entries: Sequence[JournalEntry]) -> list[Verdict]:
    """Verdicts for ``entries``, in order (one or two requests each, one at a time)."""
    return [await check(client, e) for e in entries]


def record(journal: Journal, verdicts: Sequence[Verdict]) -> None:
    """Store the verdicts as the answer the submit never got.

    "done" becomes a completed item and "not done" a rejected one (final, so it can be
    resubmitted), each with the evidence as its message; "undecided" stays "outcome unknown".
    """
    ids: list[int] = []
    outcomes: list[SubmitOutcome] = []
    for v in verdicts:
        e = v.entry
        item = SubmitItem(e.source_path, e.target_path, e.conflict)
        if v.verdict == DONE:
            task = Task(
                task_id="",
                operation=e.operation,
                status=TaskStatus.COMPLETE,
                source_path=e.source_path,
                target_path=e.target_path,
                error_msg=Msg(
                    "{verdict}: {reason}", verdict=Msg(VERDICT_TEXT[DONE]), reason=v.reason
                ),
            )
            outcomes.append(SubmitOutcome(item, task=task))
        elif v.verdict == NOT_DONE:
            outcomes.append(
                SubmitOutcome(
                    item,
                    error=Msg(
                        "{verdict}: {reason}", verdict=Msg(VERDICT_TEXT[NOT_DONE]), reason=v.reason
                    ),
                )
            )
        else:
            continue
        ids.append(e.local_id)
    journal.finish_submit(ids, outcomes)


def resubmittable(entry: JournalEntry) -> bool:
    """A failed task or a rejected / not-done item, not yet submitted again."""
    return (
        entry.resubmitted_as is None
        and entry.state in (TaskStatus.FAIL.value, REJECTED)
        and entry.operation is not Operation.UNKNOWN
        and bool(entry.source_path)
        and (entry.operation is Operation.DELETE or bool(entry.target_path))
    )


def groups(
    entries: Sequence[JournalEntry],
) -> dict[tuple[Operation, str | None], list[JournalEntry]]:
    """Entries by (operation, label): each group is one submit."""
    out: dict[tuple[Operation, str | None], list[JournalEntry]] = {}
    for e in entries:
        out.setdefault((e.operation, e.label), []).append(e)
    return out
