"""Bad input, as tables: every case gets a clear message and nothing accepted is lost.

Four tables, read top to bottom for the whole list:

1. ``PATH_CASES`` — paths a user can type: empty, relative, ``..``, overlong, non-UTF-8,
   control characters. Each is rejected alone, naming the path and saying how to fix it.
   ``ACCEPTED_PATHS`` lists unusual paths that must still pass.
2. ``ID_CASES`` / ``LINE_CASES`` / ``KEY_CASES`` — task ids from argv, files and stdin.
3. ``SERVER_CASES`` — what a broken service (or a proxy) answers, for each endpoint: an
   HTML page (200 and 502), an empty body, ``code`` as a number, ``data`` null. Each either
   parses leniently or fails with a message naming the endpoint; the token never shows.
4. Batches and the journal: 0/101/501 items, a failure mid-way, duplicate and unknown ids,
   a poll answered with garbage — earlier results and journal rows are never lost.

The CLI end to end (exit codes, zero requests sent) is in tests/e2e/test_bad_input_cli.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from efile_tui.api.client import EfileClient
from efile_tui.api.errors import BadResponse, EfileError, TokenExpired
from efile_tui.api.http import RetryPolicy
from efile_tui.api.models import CancelResult, Operation, SubmitItem
from efile_tui.cli.output import cancel_line
from efile_tui.core.operations import Context, poll_once, submit_tracked
from efile_tui.core.validate import (
    MAX_PATH_LEN,
    InputError,
    check_journal_keys,
    check_paths,
    check_task_ids,
    decode_lines,
    read_ids,
)
from efile_tui.store.audit import AuditLog
from efile_tui.store.journal import Journal
from tests.unit.fakeservice import Recorder, fail, no_sleep, ok, task

TOKEN = "tok-SECRET-bad-input-42"
HOME = "/public/home/demo"
GOOD = f"{HOME}/good"

# -- 1. paths ----------------------------------------------------------------------------

LONG_ASCII = f"{HOME}/" + "d/" * 2100 + "f"  # 4219 characters, 4219 bytes
# 1819 characters but 4219 bytes: the limit is PATH_MAX, counted in bytes.
LONG_UTF8 = f"{HOME}/" + "漢字/" * 600 + "f"
LONG_NAME = f"{HOME}/" + "n" * 256
LONG_NAME_UTF8 = f"{HOME}/" + "é" * 128  # 128 characters, 256 bytes

# fmt: off
PATH_CASES = [
    # case id            bad path               message names             fix says
    ("empty",            "",                    "empty path",             "give an absolute path"),
    ("blank",            "   ",                 "empty path",             "give an absolute path"),
    ("relative",         "data/run1",           "'data/run1'",            "give the absolute path"),
    ("dot-relative",     "./run1",              "'./run1'",               "give the absolute path"),
    ("tilde",            "~/run1",              "'~/run1'",               "give the absolute path"),
    ("leading-space",    f" {HOME}/x",          f"' {HOME}/x'",           "leading space"),
    ("dotdot",           f"{HOME}/a/../b",      f"'{HOME}/a/../b'",       "give the resolved"),
    ("dotdot-last",      f"{HOME}/a/..",        f"'{HOME}/a/..'",         "give the resolved"),
    ("overlong",         LONG_ASCII,            "4219 bytes",             "give a shorter path"),
    ("overlong-utf8",    LONG_UTF8,             "4219 bytes",             "give a shorter path"),
    ("long-name",        LONG_NAME,             "256 bytes",              "shorten that name"),
    ("long-name-utf8",   LONG_NAME_UTF8,        "256 bytes",              "shorten that name"),
    ("non-utf8",         f"{HOME}/a\udcffb",    f"'{HOME}/a\\\\xffb'",    "not valid UTF-8"),
    ("newline",          f"{HOME}/a\nb",        f"'{HOME}/a\\nb'",        "remove the character"),
    ("carriage-return",  f"{HOME}/a\rb",        f"'{HOME}/a\\rb'",        "remove the character"),
    ("tab",              f"{HOME}/a\tb",        f"'{HOME}/a\\tb'",        "remove the character"),
    ("nul",              f"{HOME}/a\x00b",      f"'{HOME}/a\\x00b'",      "remove the character"),
    ("escape",           f"{HOME}/a\x1b[31mb",  f"'{HOME}/a\\x1b[31mb'",  "remove the character"),
    ("delete",           f"{HOME}/a\x7fb",      f"'{HOME}/a\\x7fb'",      "remove the character"),
    ("c1-csi",           f"{HOME}/a\x9bb",      f"'{HOME}/a\\x9bb'",      "remove the character"),
    ("line-separator",   f"{HOME}/a\u2028b",    f"'{HOME}/a\\u2028b'",    "remove the character"),
]
# fmt: on

ACCEPTED_PATHS = [
    # path as typed, accepted as
    (f"{HOME}/空 格/ファイル", f"{HOME}/空 格/ファイル"),
    (f"{HOME}/a&b;c|d$e*f?g[h]'i\"j", f"{HOME}/a&b;c|d$e*f?g[h]'i\"j"),
    (f"{HOME}/-rf", f"{HOME}/-rf"),
    (f"{HOME}/trailing space ", f"{HOME}/trailing space "),
    (f"{HOME}//a/./b/", f"{HOME}/a/b"),
    (f"{HOME}/...", f"{HOME}/..."),
    (f"{HOME}/" + "n" * 255, f"{HOME}/" + "n" * 255),  # a name of exactly 255 bytes
    ("/" + "p/" * 2047 + "f", "/" + "p/" * 2047 + "f"),  # exactly 4096 bytes
]


@pytest.mark.parametrize(
    "bad, named, fix", [c[1:] for c in PATH_CASES], ids=[c[0] for c in PATH_CASES]
)
def test_bad_path_is_named_with_a_fix(bad: str, named: str, fix: str) -> None:
    with pytest.raises(InputError) as info:
        check_paths([GOOD, bad, f"{HOME}/other"])
    [problem] = info.value.problems  # the good paths around it raise nothing
    assert named in problem and fix in problem, problem
    assert GOOD not in problem
    assert problem.isprintable(), "a control character would reach the terminal"
    assert len(problem) < 300, "an overlong path is shown shortened"


def test_every_bad_path_is_reported_at_once_in_order() -> None:
    bad = [c[1] for c in PATH_CASES]
    with pytest.raises(InputError) as info:
        check_paths([GOOD, *bad])
    assert len(info.value.problems) == len(bad)
    for (_, _, named, _), problem in zip(PATH_CASES, info.value.problems, strict=True):
        assert named in problem


def test_overlong_limit_is_linux_path_max_in_bytes() -> None:
    assert MAX_PATH_LEN == 4096
    assert len(LONG_UTF8) < MAX_PATH_LEN < len(LONG_UTF8.encode("utf-8"))


@pytest.mark.parametrize("typed, accepted", ACCEPTED_PATHS, ids=range(len(ACCEPTED_PATHS)))
def test_unusual_but_valid_paths_pass(typed: str, accepted: str) -> None:
    assert check_paths([typed]) == [accepted]


@pytest.mark.parametrize("count", [1, 101, 501])
def test_many_paths_are_all_kept_in_order(count: int) -> None:
    paths = [f"{HOME}/p{i}" for i in range(count)]
    assert check_paths(paths) == paths


def test_no_path_and_duplicate_paths() -> None:
    with pytest.raises(InputError, match="no path given: give at least one absolute path"):
        check_paths([])
    with pytest.raises(InputError) as info:
        check_paths([f"{HOME}/a", f"{HOME}//a/", f"{HOME}/b", f"{HOME}/b"])
    assert info.value.problems == [
        f"path '{HOME}//a/' is given twice (same as '{HOME}/a'): remove the duplicate",
        f"path '{HOME}/b' is given twice: remove the duplicate",
    ]


# -- 2. task ids, id files and journal keys ----------------------------------------------

HEX = [f"{i:032x}" for i in range(10_001)]

# fmt: off
ID_CASES = [
    # case id       ids given          message names                fix says
    ("none",        [],                "no task id given",          "at least one task id"),
    ("blank",       ["  "],            "empty task id",             "remove the blank"),
    ("bad-chars",   ["abc;rm"],        "'abc;rm'",                  "or remove it"),
    ("non-utf8",    ["ab\udcff"],      "'ab\\\\xff'",               "not valid UTF-8"),
    ("control",     ["ab\x1bc"],       "'ab\\x1bc'",                "remove it"),
    ("overlong",    ["a" * 65],        "'" + "a" * 53,              "or remove it"),
    ("duplicate",   [HEX[0], HEX[0]],  f"{HEX[0]} is given twice",  "remove"),
    ("over-limit",  HEX,               "10001 task ids given",      "split the list"),
]
# fmt: on


@pytest.mark.parametrize("ids, named, fix", [c[1:] for c in ID_CASES], ids=[c[0] for c in ID_CASES])
def test_bad_task_ids_are_named_with_a_fix(ids: list[str], named: str, fix: str) -> None:
    with pytest.raises(InputError) as info:
        check_task_ids(ids)
    [problem] = info.value.problems
    assert named in problem and fix in problem, problem
    assert problem.isprintable() and len(problem) < 300


@pytest.mark.parametrize("count", [1, 101, 501])
def test_many_ids_are_all_kept_in_order(count: int) -> None:
    assert check_task_ids([f" {t} " for t in HEX[:count]]) == HEX[:count]


LATIN_1 = "abc\ncafé-1\n".encode("latin-1")
TWO_BAD = b"\xff\nok\n\xfe\xfe\n"
UTF_16 = "a1\n".encode("utf-16")
BOM_CRLF = b"\xef\xbb\xbfa1\r\nb2 # note\r\n\r\nc3,d4\r\n"

# fmt: off
LINE_CASES = [
    # case id     bytes      lines named                                       or ids accepted
    ("latin-1",   LATIN_1,   ["line 2 'caf\\\\xe9-1'"],                        None),
    ("two-bad",   TWO_BAD,   ["line 1 '\\\\xff'", "line 3 '\\\\xfe\\\\xfe'"],  None),
    ("utf-16",    UTF_16,    ["line 1"],                                       None),
    ("bom-crlf",  BOM_CRLF,  [],                                               "a1 b2 c3 d4"),
]
# fmt: on


@pytest.mark.parametrize(
    "data, named, accepted", [c[1:] for c in LINE_CASES], ids=[c[0] for c in LINE_CASES]
)
def test_lines_from_a_file_must_be_utf8(
    data: bytes, named: list[str], accepted: str | None
) -> None:
    if accepted is not None:
        assert read_ids(decode_lines(data, source="--ids-file ids.txt")) == accepted.split()
        return
    with pytest.raises(InputError) as info:
        decode_lines(data, source="--ids-file ids.txt")
    assert len(info.value.problems) == len(named)
    for want, problem in zip(named, info.value.problems, strict=True):
        assert problem.startswith("--ids-file ids.txt " + want.split(" '")[0]), problem
        assert want in problem and "save the file as UTF-8" in problem
        assert problem.isprintable()


# fmt: off
KEY_CASES = [
    # case id          keys given                           ids kept, or the message
    ("ids-and-local",  [HEX[0], "local:7", f" {HEX[0]} "],  [HEX[0], "local:7"]),
    ("non-utf8",       ["\udcff"],                          "'\\\\xff' is neither"),
    ("bad-local",      ["local:x"],                         "'local:x' is neither"),
    ("nothing",        ["", " "],                           "give the task ids (or local:N keys"),
]
# fmt: on


@pytest.mark.parametrize("keys, want", [c[1:] for c in KEY_CASES], ids=[c[0] for c in KEY_CASES])
def test_journal_keys_for_dismiss(keys: list[str], want: list[str] | str) -> None:
    if isinstance(want, list):
        assert check_journal_keys(keys) == want  # duplicates kept once
        return
    with pytest.raises(InputError) as info:
        check_journal_keys(keys)
    assert want in info.value.problems[0]


# -- 3. what the service answers -----------------------------------------------------------

HTML = f"<html><body><h1>502 Bad Gateway</h1>request token: {TOKEN}</body></html>"

# One good answer per endpoint, used where a shape keeps ``data`` and changes the rest.
GOOD_DATA: dict[str, Any] = {
    "list": {"total": 1, "path": HOME, "fileList": [{"name": "a", "path": f"{HOME}/a"}]},
    "task/list": [task("t1")],
    "task/cancel": [{"taskId": "t1", "result": True, "status": "cancel"}],
    "async-remove": {"fileOperTasks": [task("t1", sourcePath=f"{HOME}/a")]},
}

SHAPES: dict[str, Callable[[str], httpx.Response]] = {
    "html-200": lambda ep: httpx.Response(200, text=HTML),
    "html-502": lambda ep: httpx.Response(502, text=HTML),
    "empty-body": lambda ep: httpx.Response(200, content=b""),
    "code-0-number": lambda ep: httpx.Response(200, json={"code": 0, "data": GOOD_DATA[ep]}),
    "code-0.0-number": lambda ep: httpx.Response(200, json={"code": 0.0, "data": GOOD_DATA[ep]}),
    "code-10008-number": lambda ep: httpx.Response(
        200, json={"code": 10008, "msg": f"token {TOKEN} expired", "data": None}
    ),
    "code-null": lambda ep: httpx.Response(200, json={"code": None, "data": GOOD_DATA[ep]}),
    "data-null": lambda ep: httpx.Response(200, json={"code": "0", "msg": "ok", "data": None}),
    "not-an-envelope": lambda ep: httpx.Response(200, json=[GOOD_DATA[ep]]),
}

# What each endpoint makes of each shape:
#   raises     the call raises an EfileError naming the endpoint (reads, retried first)
#   item-error every id / path gets an error naming the endpoint (cancel, submit refused)
#   unknown    every path is "outcome unknown", never re-sent (a submit's answer is lost)
#   ok         parsed: the good data comes through
#   empty      parsed leniently as "nothing": no entries / no tasks / no result
# fmt: off
SERVER_CASES = [
    # shape                list       task/list  task/cancel   async-remove
    ("html-200",           "raises",  "raises",  "item-error",  "unknown"),
    ("html-502",           "raises",  "raises",  "item-error",  "unknown"),
    ("empty-body",         "raises",  "raises",  "item-error",  "unknown"),
    ("code-0-number",      "ok",      "ok",      "ok",          "ok"),
    ("code-0.0-number",    "ok",      "ok",      "ok",          "ok"),
    ("code-10008-number",  "raises",  "raises",  "item-error",  "item-error"),
    ("code-null",          "raises",  "raises",  "item-error",  "unknown"),
    ("data-null",          "empty",   "empty",   "item-error",  "unknown"),
    ("not-an-envelope",    "raises",  "raises",  "item-error",  "unknown"),
]
# fmt: on
ENDPOINTS = ["list", "task/list", "task/cancel", "async-remove"]
# The fix each kind of failure suggests (one of these words must be in the message).
FIX_WORDS = (
    "try again later",
    "check the efile URL",
    "login",
    "before resubmitting",
    "efile-tui tasks",
)


@dataclass
class Seen:
    """What one call produced, reduced to what the table checks."""

    kind: str
    texts: list[str]  # error messages (exception, or one per item)
    everything: str  # repr of all results and errors, searched for the token
    requests: int


def client_for(handler: Callable[[httpx.Request], httpx.Response]) -> tuple[EfileClient, Recorder]:
    rec = Recorder(handler)
    client = EfileClient(
        "https://efile.test", TOKEN, transport=rec.transport, sleep=no_sleep,
        retry=RetryPolicy(attempts=2),
    )  # fmt: skip
    return client, rec


async def call_endpoint(endpoint: str, response: Callable[[str], httpx.Response]) -> Seen:
    client, rec = client_for(lambda r: response(endpoint))
    async with client:
        try:
            if endpoint == "list":
                page = await client.list_dir(HOME)
                kind = "ok" if page.entries else "empty"
                return Seen(kind, [], repr(page), len(rec.requests))
            if endpoint == "task/list":
                found = await client.task_list(["t1"])
                return Seen("ok" if found else "empty", [], repr(found), len(rec.requests))
            if endpoint == "task/cancel":
                [res] = await client.cancel(["t1"])
                assert res.task_id == "t1"  # the answer names the id asked about
                kind = "item-error" if res.error else "ok" if res.result else "empty"
                return Seen(kind, [res.error or ""], repr(res), len(rec.requests))
            [out] = await client.submit(Operation.DELETE, [SubmitItem(f"{HOME}/a")])
            assert out.item.source_path == f"{HOME}/a"  # the outcome names the path
            kind = "ok" if out.ok else "unknown" if out.unknown else "item-error"
            return Seen(kind, [out.error or ""], repr(out), len(rec.requests))
        except EfileError as exc:
            return Seen("raises", [str(exc)], repr(exc) + str(exc), len(rec.requests))


@pytest.mark.parametrize(
    "shape, endpoint, expected",
    [(c[0], ep, want) for c in SERVER_CASES for ep, want in zip(ENDPOINTS, c[1:], strict=True)],
    ids=[f"{c[0]}-{ep}" for c in SERVER_CASES for ep in ENDPOINTS],
)
async def test_service_answer_shapes(shape: str, endpoint: str, expected: str) -> None:
    seen = await call_endpoint(endpoint, SHAPES[shape])
    assert seen.kind == expected, seen.everything
    assert TOKEN not in seen.everything, "the token leaked into a message"
    if expected in ("raises", "item-error", "unknown"):
        [text] = seen.texts
        assert endpoint in text, text
        assert any(word in text for word in FIX_WORDS), text
        assert text.isprintable()
    if expected == "unknown" and shape != "data-null":
        assert seen.requests == 1, "a submit whose answer was lost is never re-sent"


async def test_numeric_10008_is_an_expired_token_and_html_a_bad_response() -> None:
    for shape, error in (("code-10008-number", TokenExpired), ("html-200", BadResponse)):
        client, _ = client_for(lambda r, s=shape: SHAPES[s]("list"))
        async with client:
            with pytest.raises(error):
                await client.list_dir(HOME)


async def test_token_cut_off_at_the_end_of_a_long_body_is_still_hidden() -> None:
    body = "<html>" + " " * (64 * 1024 - 6 - 8) + TOKEN  # the window ends inside the token
    client, _ = client_for(lambda r: httpx.Response(200, text=body))
    async with client:
        with pytest.raises(BadResponse) as info:
            await client.list_dir(HOME)
    assert TOKEN[:8] not in str(info.value) and "***" in str(info.value)


# -- 4. batches and the journal: nothing accepted is lost ---------------------------------


def echo(request: httpx.Request) -> httpx.Response:
    """A healthy service: every id is known and cancellable, every path becomes a task."""
    body = json.loads(request.content)
    if request.url.path.endswith("/task/list"):
        return ok([task(t, "processing") for t in body["taskIds"]])
    if request.url.path.endswith("/task/cancel"):
        return ok([{"taskId": t, "result": True, "status": "cancel"} for t in body["taskIds"]])
    return ok({"fileOperTasks": [task(f"{i['sourcePath'][-4:]:0>32}", "waiting",
                                      sourcePath=i["sourcePath"]) for i in body]})  # fmt: skip


def failing_batch(n: int, answer: Callable[[], httpx.Response]) -> Callable[..., httpx.Response]:
    """``echo``, except every attempt at the ``n``-th distinct batch gets ``answer()``."""
    firsts: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        first = json.dumps(body["taskIds"][0] if isinstance(body, dict) else body[0])
        if first not in firsts:
            firsts.append(first)
        return answer() if firsts.index(first) == n - 1 else echo(request)

    return handler


MIDWAY = {
    "html": lambda: httpx.Response(200, text=HTML),
    "html-502": lambda: httpx.Response(502, text=HTML),
    "empty-body": lambda: httpx.Response(200, content=b""),
    "throttled-911048": lambda: fail("911048", "服务繁忙,触发限流,请稍后再试"),
}


@pytest.mark.parametrize("count, batches", [(0, []), (101, [100, 1]), (501, [100] * 5 + [1])])
async def test_cancel_sends_every_id_in_batches_of_at_most_100(
    count: int, batches: list[int]
) -> None:
    ids = HEX[:count]
    client, rec = client_for(echo)
    per_batch: list[list[CancelResult]] = []
    async with client:
        results = await client.cancel(ids, on_batch=per_batch.append)
    assert [len(b["taskIds"]) for b in rec.bodies()] == batches
    assert [r.task_id for r in results] == ids and all(r.result for r in results)
    assert [len(b) for b in per_batch] == batches


@pytest.mark.parametrize("failure", MIDWAY)
async def test_cancel_failure_midway_keeps_the_other_batches(failure: str) -> None:
    ids = HEX[:301]
    client, rec = client_for(failing_batch(2, MIDWAY[failure]))
    async with client:
        results = await client.cancel(ids)
    assert [r.task_id for r in results] == ids  # every id answered, in order
    assert all(r.result for r in results[:100] + results[200:])
    for r in results[100:200]:
        assert not r.result and r.error and "task/cancel (100 ids)" in r.error
        assert TOKEN not in r.error
        # A refusal is the service's answer; a garbled one may hide a cancel that was done.
        assert r.lost == (failure != "throttled-911048")
        verdict = "cancel sent, answer lost" if r.lost else "error"
        assert r.task_id in cancel_line(r) and verdict in cancel_line(r)
    assert len(rec.requests) == 5  # batches of 100, 100, 100, 1; the failing one tried twice


def new_context(tmp_path: Path, client: EfileClient) -> Context:
    return Context(
        client=client,
        journal=Journal(tmp_path / "journal.db"),
        audit=AuditLog(tmp_path / "audit.jsonl"),
        profile="p",
    )


# fmt: off
SUBMIT_MIDWAY = [
    # failure at batch 2  batch 2 is   batch 3 is
    ("html",              "unknown",   "sent"),
    ("html-502",          "unknown",   "sent"),
    ("empty-body",        "unknown",   "sent"),
    ("throttled-911048",  "rejected",  "not sent"),
]
# fmt: on


@pytest.mark.parametrize("failure, second, third", SUBMIT_MIDWAY)
async def test_submit_failure_midway_keeps_earlier_batches_in_the_journal(
    tmp_path: Path, failure: str, second: str, third: str
) -> None:
    paths = [f"{HOME}/f{i:04}" for i in range(250)]
    client, rec = client_for(failing_batch(2, MIDWAY[failure]))
    async with client:
        ctx = new_context(tmp_path, client)
        outcomes = await submit_tracked(ctx, Operation.DELETE, [SubmitItem(p) for p in paths])
    assert [o.item.source_path for o in outcomes] == paths
    assert all(o.ok for o in outcomes[:100])  # the first batch's tasks are kept
    entries = {e.source_path: e for e in ctx.journal.entries()}
    assert set(entries) == set(paths)  # every item has its journal row
    assert all(entries[p].task_id for p in paths[:100])
    assert {entries[p].state for p in paths[100:200]} == {second}
    for o in outcomes[100:200]:
        assert o.error and "async-remove (100 items)" in o.error and TOKEN not in o.error
    if third == "sent":
        assert all(o.ok for o in outcomes[200:])
    else:
        assert all(o.error and o.error.startswith("not sent") for o in outcomes[200:])
        assert {entries[p].state for p in paths[200:]} == {"rejected"}
    firsts = {json.loads(r.content)[0]["sourcePath"] for r in rec.requests}
    assert len(firsts) == (3 if third == "sent" else 2)  # batch 3 is not even tried after 911048
    ctx.journal.close()


async def test_duplicate_ids_are_sent_once_and_reported_once() -> None:
    client, rec = client_for(echo)
    a, b = HEX[:2]
    async with client:
        results = await client.cancel([a, b, a, f" {b} "])
        found = await client.task_list([a, a, b])
    assert [body["taskIds"] for body in rec.bodies()] == [[a, b], [a, b]]
    assert [r.task_id for r in results] == [a, b]
    assert set(found) == {a, b}


async def test_unknown_ids_get_false_with_a_message_naming_the_id() -> None:
    known, unknown = HEX[:2]

    def handler(request: httpx.Request) -> httpx.Response:
        asked = json.loads(request.content)["taskIds"]
        if request.url.path.endswith("/task/list"):
            return ok([task(known)] if known in asked else [])
        return ok(
            [{"taskId": t, "result": t == known, "status": None if t != known else "cancel"}
             for t in asked]
        )  # fmt: skip

    client, _ = client_for(handler)
    async with client:
        results = await client.cancel([known, unknown])
        found = await client.task_list([known, unknown])
    assert [r.result for r in results] == [True, False]
    assert cancel_line(results[1]) == f"✗ {unknown}  unknown or expired"
    assert set(found) == {known}


@pytest.mark.parametrize("answer", ["html", "html-502", "empty-body", "data-null"])
async def test_a_bad_poll_keeps_every_task_and_the_next_poll_works(
    tmp_path: Path, answer: str
) -> None:
    paths = [f"{HOME}/f{i:04}" for i in range(150)]
    responses: dict[str, Callable[[], httpx.Response]] = {
        **MIDWAY,
        "data-null": lambda: ok(None),
    }
    broken = {"on": False}

    def handler(request: httpx.Request) -> httpx.Response:
        if broken["on"] and request.url.path.endswith("/task/list"):
            return responses[answer]()
        return echo(request)

    client, _ = client_for(handler)
    async with client:
        ctx = new_context(tmp_path, client)
        await submit_tracked(ctx, Operation.DELETE, [SubmitItem(p) for p in paths])
        before = {e.task_id: e.state for e in ctx.journal.entries()}
        assert len(before) == 150 and set(before.values()) == {"waiting"}

        broken["on"] = True
        if answer == "data-null":  # read leniently as "no tasks": nothing is marked gone
            report = await poll_once(ctx)
            assert report.tasks == {} and report.expired == []
        else:
            with pytest.raises(BadResponse) as info:
                await poll_once(ctx)
            assert str(info.value).startswith("task/list (100 ids)")
            assert TOKEN not in str(info.value)
        assert {e.task_id: e.state for e in ctx.journal.entries()} == before
        assert sorted(ctx.journal.pollable_ids("p")) == sorted(before)

        broken["on"] = False
        report = await poll_once(ctx)
        assert len(report.tasks) == 150
        assert {e.state for e in ctx.journal.entries()} == {"processing"}
    ctx.journal.close()
