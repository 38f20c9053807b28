"""The rulebook and the pipeline without a front end: rules a table of front-end cases
cannot tell apart, walks that cannot finish, and what a lost cancel answer leaves behind."""

from __future__ import annotations

from pathlib import Path

from efile_tui.api.models import CancelResult, FileEntry, Operation, Task, TaskStatus
from efile_tui.core.operations import Context, cancel_tracked
from efile_tui.core.pipeline import prepare
from efile_tui.core.protect import Plan, Rules, refusals
from efile_tui.store.audit import AuditLog
from efile_tui.store.journal import Journal
from tests.unit.test_preview import FakeLister

TID = "a" * 32


def folder(path: str) -> FileEntry:
    return FileEntry(path.rsplit("/", 1)[1], path, is_dir=True)


def test_the_parents_of_a_deep_home_are_refused_and_its_inside_is_not() -> None:
    home = "/data/groups/team/alice/me"
    rules = Rules(home)
    plan = Plan.of(Operation.DELETE, ["/data/groups/team/alice", home, f"{home}/run"])
    refused = refusals(plan, rules)
    assert refused == {
        "/data/groups/team/alice": "/data/groups/team/alice contains your home folder",
        home: f"{home} is your home folder",
    }


async def test_a_walk_that_cannot_finish_refuses_what_it_did_not_see() -> None:
    root = "/p/h/u/proj"
    tree = {root: [folder(f"{root}/d{i}") for i in range(5)]}
    tree |= {f"{root}/d{i}": [] for i in range(5)}
    lister = FakeLister(tree)
    lister.denied.add(f"{root}/d3")  # one folder cannot be listed
    plan = Plan.of(Operation.DELETE, [root])
    done = await prepare(lister, plan, Rules("/p/h/u", ("*/keep-me",)))
    assert list(done.refused) == [root]
    assert "could not be checked completely" in done.refused[root]
    # Without a wildcard, no rule needs the walk: the same delete is allowed.
    assert (await prepare(lister, plan, Rules("/p/h/u", ("/p/h/u/keep",)))).allowed


async def test_a_cover_walks_only_what_it_overwrites() -> None:
    src, dst = "/p/h/u/a/run", "/p/h/u/b"
    tree = {
        "/p/h/u/a": [folder(src)],
        src: [],
        dst: [folder(f"{dst}/run"), folder(f"{dst}/other")],
        f"{dst}/run": [folder(f"{dst}/run/keep-me")],
        f"{dst}/other": [folder(f"{dst}/other/keep-me")],
        f"{dst}/run/keep-me": [],
    }
    rules = Rules("/p/h/u", ("*/keep-me",))
    cover = await prepare(FakeLister(tree), Plan.of(Operation.COPY, [src], dst, "cover"), rules)
    assert cover.overwritten == [f"{dst}/run"]
    assert list(cover.refused) == [f"{dst}/run"] and cover.ask
    both = await prepare(FakeLister(tree), Plan.of(Operation.COPY, [src], dst, "both"), rules)
    assert both.allowed and not both.overwritten and not both.ask


class LosingClient:
    """A client whose cancel answers are lost (the request may have been done)."""

    async def cancel(self, task_ids, *, on_batch=None):  # type: ignore[no-untyped-def]
        results = [
            CancelResult(t, False, None, error="connection reset", lost=True) for t in task_ids
        ]
        if on_batch:
            on_batch(results)
        return results


async def test_a_lost_cancel_answer_is_kept_until_a_poll_shows_the_task(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal")
    journal.add_ids([TID], profile=None, region=None)
    ctx = Context(LosingClient(), journal, AuditLog(tmp_path / "audit"))  # type: ignore[arg-type]
    (result,) = await cancel_tracked(ctx, [TID])
    assert result.lost and result.verdict == "cancel sent, answer lost"
    (entry,) = journal.get_many([TID], [])
    assert entry.cancel_requested_at and entry.cancel_lost
    assert "connection reset" in (entry.error_msg or "")
    journal.record_tasks([Task(TID, Operation.DELETE, TaskStatus.PROCESSING)])
    (entry,) = journal.get_many([TID], [])
    assert entry.cancel_requested_at and not entry.cancel_lost  # still cancelling…
