"""The task query: every condition, groups, globs, times, and option parsing."""

from __future__ import annotations

from datetime import datetime

import pytest

from efile_tui.core.query import TaskFacts, TaskQuery, glob_regex, parse_status, parse_time
from efile_tui.core.validate import InputError

NOW = datetime(2026, 12, 1, 12, 0).timestamp()


def facts(**kw: object) -> TaskFacts:
    base: dict[str, object] = {
        "state": "processing",
        "operation": "delete",
        "source": "/public/home/me/run-1/out",
        "submitted": NOW - 3600,
        "task_id": "a" * 32,
    }
    base.update(kw)
    return TaskFacts(**base)  # type: ignore[arg-type]


def q(**kw: object) -> TaskQuery:
    return TaskQuery.from_options(now=NOW, **kw)  # type: ignore[arg-type]


def test_empty_query_matches_everything() -> None:
    query = q()
    assert not query.active
    assert query.matches(facts()) and query.matches(facts(state="rejected", source=""))
    assert query.describe() == ""


@pytest.mark.parametrize(
    ("status", "running", "final"),
    [
        ("waiting", True, False),
        ("processing", True, False),
        ("complete", False, True),
        ("fail", False, True),
        ("cancel", False, True),
        ("rejected", False, True),
        ("submitting", False, False),
        ("unknown", False, False),
        ("vanished", False, False),
    ],
)
def test_status_groups(status: str, running: bool, final: bool) -> None:
    assert q(statuses=["running"]).matches(facts(state=status)) is running
    assert q(statuses=["final"]).matches(facts(state=status)) is final
    assert q(statuses=[status]).matches(facts(state=status))


def test_statuses_repeat_and_comma_and_aliases() -> None:
    query = q(statuses=["waiting,cancelled", "FAILED"])
    assert query.statuses == {"waiting", "cancel", "fail"}
    assert parse_status("running") == {"waiting", "processing"}
    assert q(statuses=["running", "fail"]).describe() == "status=running,fail"


def test_failed_flag_covers_fail_and_rejected_only() -> None:
    query = q(failed=True)
    assert query.matches(facts(state="fail")) and query.matches(facts(state="rejected"))
    assert not query.matches(facts(state="cancel"))
    assert not query.matches(facts(state="complete"))


def test_operations() -> None:
    query = q(operations=["cp", "move"])
    assert query.matches(facts(operation="copy")) and query.matches(facts(operation="move"))
    assert not query.matches(facts(operation="delete"))


@pytest.mark.parametrize(
    ("glob", "path", "hit"),
    [
        ("/public/home/me/run-*", "/public/home/me/run-1", True),
        ("/public/home/me/run-*", "/public/home/me/run-1/deep/file", True),
        ("/public/home/me/run-*/", "/public/home/me/run-22/x", True),
        ("/public/home/me/run-*", "/public/home/me/other/run-1", False),
        ("/public/home/me/run-*", "/public/home/me/run", False),
        ("/public/home/*/run-1", "/public/home/you/run-1/x", True),
        ("/public/home/*", "/public/home/a/b", True),
        ("*.dat", "/public/home/me/x.dat", False),  # * never crosses '/'
        ("**.dat", "/public/home/me/x.dat", True),
        ("/public/**/x.dat", "/public/home/me/x.dat", True),
        ("/p/run-[12]", "/p/run-2/f", True),
        ("/p/run-[!12]", "/p/run-2/f", False),
        ("/p/run-?", "/p/run-10", False),
        ("/p/a+b(c)", "/p/a+b(c)/d", True),  # regex characters are literal
    ],
)
def test_path_globs(glob: str, path: str, hit: bool) -> None:
    assert q(sources=[glob]).matches(facts(source=path)) is hit


def test_target_glob_and_empty_paths() -> None:
    query = q(targets=["/public/home/me/backup"])
    assert query.matches(facts(operation="copy", target="/public/home/me/backup"))
    assert not query.matches(facts(target=""))
    assert not q(sources=["/**"]).matches(facts(source=""))


def test_several_source_globs_are_alternatives() -> None:
    query = q(sources=["/a/x-*", "/b/*"])
    assert query.matches(facts(source="/a/x-1")) and query.matches(facts(source="/b/c"))
    assert not query.matches(facts(source="/c/d"))


def test_since_until() -> None:
    query = q(since="2h", until="30m")
    assert query.matches(facts(submitted=NOW - 3600))
    assert not query.matches(facts(submitted=NOW - 3 * 3600))
    assert not query.matches(facts(submitted=NOW - 60))
    assert q(since="2026-12-01").matches(facts(submitted=NOW))
    assert not q(until="2026-12-01").matches(facts(submitted=NOW))


@pytest.mark.parametrize(
    ("text", "seconds_back"),
    [
        ("45s", 45),
        ("30m", 1800),
        ("2h", 7200),
        ("3d", 3 * 86400),
        ("1w", 7 * 86400),
        ("1.5h", 5400),
        ("2h ago", 7200),
        ("2 H", 7200),
    ],
)
def test_relative_times(text: str, seconds_back: float) -> None:
    assert parse_time(text, now=NOW) == NOW - seconds_back


def test_absolute_times() -> None:
    assert parse_time("2026-12-01T12:00", now=0) == NOW
    assert parse_time("2026-12-01 12:00:00", now=0) == NOW
    assert (
        parse_time("2026-12-01T12:00:00+00:00", now=0)
        == datetime.fromisoformat("2026-12-01T12:00:00+00:00").timestamp()
    )


def test_labels_exact_or_glob() -> None:
    assert q(labels=["nightly"]).matches(facts(label="nightly"))
    assert not q(labels=["nightly"]).matches(facts(label="nightly-2"))
    assert q(labels=["nightly*"]).matches(facts(label="nightly-2"))
    assert not q(labels=["nightly"]).matches(facts(label=None))


def test_origin_and_text() -> None:
    assert q(origin="imported").matches(facts(origin="imported"))
    assert not q(origin="imported").matches(facts())
    assert q(text="RUN-1").matches(facts())
    assert q(text="911020").matches(facts(error="911020 parent missing"))
    assert not q(text="zzz").matches(facts())


def test_every_bad_option_is_named_at_once() -> None:
    with pytest.raises(InputError) as err:
        q(
            statuses=["runing"],
            operations=["copyy"],
            since="yesterday",
            origin="elsewhere",
            sources=["/a/\x1b[31m"],
        )
    text = "\n".join(err.value.problems)
    assert len(err.value.problems) == 5
    for needle in (
        "'runing'",
        "running",
        "'copyy'",
        "delete, copy, move",
        "'yesterday'",
        "2h",
        "'elsewhere'",
        "control character",
    ):
        assert needle in text


def test_describe_names_every_condition() -> None:
    text = q(
        statuses=["running"],
        operations=["delete"],
        sources=["/a/*"],
        labels=["x"],
        origin="submitted",
        failed=True,
        text="t",
        since="2026-12-01",
    ).describe()
    for part in (
        "status=running",
        "op=delete",
        "source=/a/*",
        "label=x",
        "origin=submitted",
        "failed",
        "text='t'",
        "since=2026-12-01 00:00",
    ):
        assert part in text


def test_glob_regex_unclosed_bracket_is_literal() -> None:
    assert glob_regex("/a/[x").fullmatch("/a/[x")


def test_matches_journal_entries(tmp_path: object) -> None:
    from pathlib import Path

    from efile_tui.api.models import Operation, SubmitItem, SubmitOutcome, Task, TaskStatus
    from efile_tui.store.journal import Journal

    with Journal(Path(str(tmp_path)) / "j.sqlite3") as journal:
        ids = journal.begin_submit(
            Operation.DELETE,
            [SubmitItem("/p/run-1/a"), SubmitItem("/p/run-2/b")],
            profile=None,
            region=None,
        )
        journal.finish_submit(
            ids,
            [
                SubmitOutcome(SubmitItem("/p/run-1/a"), task=Task("t1", status=TaskStatus.WAITING)),
                SubmitOutcome(SubmitItem("/p/run-2/b"), error="lost", unknown=True),
            ],
        )
        entries = journal.entries()
    assert [e.task_id for e in q(statuses=["running"]).select(entries)] == ["t1"]
    assert [e.source_path for e in q(statuses=["unknown"]).select(entries)] == ["/p/run-2/b"]
    assert [e.task_id for e in q(sources=["/p/run-1"]).select(entries)] == ["t1"]


def test_label_problem_names_what_is_wrong() -> None:
    from efile_tui.core.query import MAX_LABEL, label_problem

    assert label_problem("run-42 新") is None
    assert "empty" in (label_problem("  ") or "")
    assert f"at most {MAX_LABEL}" in (label_problem("x" * (MAX_LABEL + 1)) or "")
    assert "control character" in (label_problem("a\x1b[31mb") or "")
