"""Bad input through the CLI's entry point against the simulator on loopback: in this
process where only the arguments are bad, in a subprocess where the locale decodes stdin
or the environment is what is bad.

``REJECTED`` is the whole list of command lines that must be refused before anything is
sent: exit 2, a message naming every bad item and saying how to fix it, no traceback, and
zero requests at the simulator. The tests after it cover amounts (0, 101, 501 items),
unknown ids and a service answering HTML to ``task/list``: every item gets an answer and
nothing the journal holds is lost. The same cases below the CLI are in
tests/unit/test_bad_input.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from efile_tui.sim.config import SimConfig
from efile_tui.sim.server import SimServer
from tests.cli_runner import run_in_process
from tests.conftest import HOME, CliResult

ROOT = Path(__file__).resolve().parents[2]
REMOVE = "/efile/openapi/v2/file/async-remove"
CANCEL = "/efile/openapi/v2/file/task/cancel"
TASK_LIST = "/efile/openapi/v2/file/task/list"
GOOD = f"{HOME}/keep.txt"
HEX = [f"{i:032x}" for i in range(600)]


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimServer]:
    """One simulator for the module (each test uses its own folders under the home)."""
    root = tmp_path_factory.mktemp("home")
    (root / "keep.txt").write_text("keep\n")
    server = SimServer(SimConfig(root=root)).start()
    yield server
    server.stop()


def run(
    server: SimServer, *args: str, stdin: bytes = b"", env: dict[str, str] | None = None
) -> CliResult:
    """The real entry point in a subprocess; argv may hold surrogate-escaped bytes.

    The environment is read at call time, so the per-test XDG folders (conftest's
    ``isolated_dirs``) apply even though the simulator is shared.
    """
    proc = subprocess.run(
        [sys.executable, "-m", "efile_tui", *args],
        env={**server_env(server), **(env or {})},
        input=stdin,
        capture_output=True,
        timeout=60,
    )
    decode = lambda b: b.decode("utf-8", "backslashreplace")  # noqa: E731
    return CliResult(proc.returncode, decode(proc.stdout), decode(proc.stderr))


def server_env(server: SimServer) -> dict[str, str]:
    """This process's environment pointed at ``server``."""
    return {
        **os.environ,
        "EFILE_URL": server.url,
        "EFILE_TOKEN": server.token,
        "EFILE_HOME": HOME,
        "PYTHONPATH": str(ROOT),
    }


def requests(server: SimServer) -> dict[str, int]:
    return dict(server.stats()["requests"])


def assert_clean(server: SimServer, *results: CliResult) -> None:
    """No traceback and no token in anything printed."""
    for result in results:
        text = result.out + result.err
        assert "Traceback" not in text, result.err
        assert server.token not in text


LONG = f"{HOME}/" + "漢字/" * 600 + "f"  # 1819 characters, 4219 bytes
NOT_UTF8 = b"0123456789abcdef0123456789abcdef\ncaf\xe9\n"  # latin-1 "café" on line 2
C_UTF8 = {"LC_ALL": "C.UTF-8"}  # stdin decodes strictly here: the bytes must be read raw
C_LOCALE = {"LC_ALL": "C"}  # ... and with surrogateescape here

G = GOOD  # short names keep the table on one screen
H = HOME
BAD_URL = "http://127.0.0.1:9/\udcff"
FILE = "FILE"  # replaced by a file holding NOT_UTF8
ADD_STDIN = ["tasks", "add", "--ids-file", "-"]
CANCEL_STDIN = ["cancel", "--ids-file", "-", "--yes"]
STDIN_LINE = "standard input line 2 'caf\\\\xe9'"

# fmt: off
REJECTED = [
    # case id          command line                        names               fix says
    ("rm-relative",      ["rm", G, "data/x"],                "'data/x'",         "absolute path"),
    ("rm-empty",         ["rm", G, ""],                      "empty path",       "absolute path"),
    ("rm-dotdot",        ["rm", G, f"{H}/a/../keep.txt"],    "a/../keep.txt'",   "resolved"),
    ("rm-overlong",      ["rm", G, LONG],                    "4219 bytes",       "shorter path"),
    ("rm-long-name",     ["rm", G, f"{H}/{'n' * 256}"],      "256 bytes",        "shorten"),
    ("rm-not-utf8",      ["rm", G, f"{H}/a\udcffb"],         "a\\\\xffb'",       "UTF-8"),
    ("rm-newline",       ["rm", G, f"{H}/a\nb"],             "a\\nb'",           "remove the"),
    ("rm-tab",           ["rm", G, f"{H}/a\tb"],             "a\\tb'",           "remove the"),
    ("rm-escape",        ["rm", G, f"{H}/a\x1b[2Jb"],        "a\\x1b[2Jb'",      "remove the"),
    ("rm-c1-control",    ["rm", G, f"{H}/a\x9bb"],           "a\\x9bb'",         "remove the"),
    ("rm-duplicate",     ["rm", G, f"{H}//keep.txt/"],       "given twice",      "remove the dup"),
    ("rm-no-path",       ["rm"],                             "PATH",             "required"),
    ("cp-bad-source",    ["cp", "src", H],                   "'src'",            "absolute path"),
    ("cp-bad-target",    ["cp", G, f"{H}/d\udcfe"],          "target: path",     "UTF-8"),
    ("mv-bad-target",    ["mv", G, "dest"],                  "target: path",     "absolute"),
    ("mkdir-control",    ["mkdir", f"{H}/new\x07"],          "new\\x07'",        "remove the"),
    ("ls-not-utf8",      ["ls", f"{H}/\udcff"],              "\\\\xff'",         "UTF-8"),
    ("ls-filter",        ["ls", H, "--filter", "a\udcff"],   "--filter 'a\\\\",  "UTF-8"),
    ("ls-url",           ["ls", "--url", BAD_URL],           "--url 'http",      "UTF-8"),
    ("rm-profile",       ["rm", G, "--profile", "p\udcff"],  "--profile 'p",     "UTF-8"),
    ("cancel-no-id",     ["cancel"],                         "no task id",       "at least one"),
    ("cancel-twice",     ["cancel", HEX[0], HEX[0]],         f"{HEX[0]} is",     "remove the"),
    ("cancel-not-utf8",  ["cancel", "ab\udcff"],             "'ab\\\\xff'",      "UTF-8"),
    ("cancel-bad-file",  ["cancel", "--ids-file", FILE],     "line 2 'caf\\\\",  "save the file"),
    ("cancel-no-file",   ["cancel", "--ids-file", "nope"],   "'nope'",           "No such file"),
    ("dismiss-bad-key",  ["tasks", "dismiss", "\udcff"],     "'\\\\xff' is",     "fix or remove"),
    ("watch-bad-id",     ["watch", "x;y"],                   "'x;y'",            "or remove it"),
]
# fmt: on

# fmt: off
ENV_REJECTED = [
    # case id          environment (stdin: NOT_UTF8)  command line   exit names
    ("stdin-c-utf8",    C_UTF8,                        ADD_STDIN,     2,  STDIN_LINE),
    ("stdin-c-locale",  C_LOCALE,                      CANCEL_STDIN,  2,  STDIN_LINE),
    ("env-url",         {"EFILE_URL": BAD_URL},        ["ls"],        2,  "the efile URL 'http"),
    ("env-token",       {"EFILE_TOKEN": "tök-1"},      ["ls"],        4,  "token from EFILE_TOKEN"),
    ("env-home",        {"EFILE_HOME": f"{H}\udcff"},  ["ls"],        2,  "demo\\\\xff'"),
]
# fmt: on


@dataclass
class Batch:
    """The REJECTED and ENV_REJECTED command lines, run side by side once per module."""

    results: dict[str, CliResult]
    sent: dict[str, int]  # requests the simulator counted while they ran (must be none)


@pytest.fixture(scope="module")
def rejected(service: SimServer, tmp_path_factory: pytest.TempPathFactory) -> Batch:
    """Run every rejected command line concurrently (each is a separate process).

    They share one set of private XDG folders; none of them may write anything anyway.
    """
    base = tmp_path_factory.mktemp("rejected")
    (base / "ids.txt").write_bytes(NOT_UTF8)
    xdg = {}
    for name in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        xdg[name] = str(base / name.lower())
        Path(xdg[name]).mkdir()

    def one(case: tuple[Any, ...]) -> tuple[str, CliResult]:
        case_id, env, argv = case[:3]
        return case_id, run(service, *argv, stdin=NOT_UTF8, env={**xdg, **env})

    before = requests(service)
    with ThreadPoolExecutor(max_workers=4) as pool:  # the locale and environment: processes
        running = pool.map(one, ENV_REJECTED)
        results = {}
        for case in REJECTED:  # bad arguments: the entry function, in this process
            case_id = case[0]
            argv = [str(base / "ids.txt") if a == FILE else a for a in case[1]]
            yes = ["--yes"] if argv[0] in ("rm", "mv", "cancel") else []
            results[case_id] = run_in_process([*argv, *yes], {**server_env(service), **xdg})
        results.update(running)
    after = requests(service)
    sent = {k: n - before.get(k, 0) for k, n in after.items() if n != before.get(k, 0)}
    return Batch(results, sent)


@pytest.mark.parametrize("named, fix", [c[2:] for c in REJECTED], ids=[c[0] for c in REJECTED])
def test_rejected_before_anything_is_sent(
    service: SimServer, rejected: Batch, request: pytest.FixtureRequest, named: str, fix: str
) -> None:
    result = rejected.results[request.node.callspec.id]
    assert result.code == 2, result.err
    assert named in result.err and fix in result.err, result.err
    assert rejected.sent == {}, "a request was sent"
    assert (service.config.root / "keep.txt").exists()
    assert_clean(service, result)


@pytest.mark.parametrize(
    "code, named", [c[3:] for c in ENV_REJECTED], ids=[c[0] for c in ENV_REJECTED]
)
def test_bad_environment_or_stdin_is_rejected(
    service: SimServer, rejected: Batch, request: pytest.FixtureRequest, code: int, named: str
) -> None:
    result = rejected.results[request.node.callspec.id]
    assert result.code == code, result.err
    assert named in result.err, result.err
    assert any(fix in result.err for fix in ("save the file as UTF-8", "UTF-8", "login"))
    assert rejected.sent == {}
    assert_clean(service, result)


def test_every_bad_path_is_listed_and_the_good_ones_are_not_sent(service: SimServer) -> None:
    bad = ["data/x", "", f"{HOME}/a/../b", f"{HOME}/a\nb", f"{HOME}/a\udcffb", LONG]
    before = requests(service)
    result = run(service, "rm", GOOD, *bad, f"{HOME}/other", "--yes")
    assert result.code == 2
    problems = result.err.split("nothing was sent:\n")[1].splitlines()
    assert len(problems) == len(bad)  # one line per bad item, none for the good ones
    assert requests(service) == before
    assert (service.config.root / "keep.txt").exists()


@pytest.mark.parametrize("count, batches", [(101, 2), (501, 6)])
def test_many_paths_all_sent_in_batches_of_100(
    service: SimServer, count: int, batches: int
) -> None:
    folder = service.config.root / f"many{count}"
    folder.mkdir()
    names = [f"f{i:03}" for i in range(count)]
    for name in names:
        (folder / name).touch()
    paths = [f"{HOME}/many{count}/{n}" for n in names]
    before = requests(service).get(REMOVE, 0)
    result = run(service, "rm", *paths, "--yes", "--json")
    assert result.code == 0, result.err
    tasks = json.loads(result.out)["fileOperTasks"]
    assert [t["sourcePath"] for t in tasks] == paths  # every path answered once, in order
    assert requests(service)[REMOVE] - before == batches
    assert not any(folder.iterdir())
    assert_clean(service, result)


def test_501_unknown_ids_are_all_sent_and_each_named(service: SimServer) -> None:
    ids = HEX[:501]
    before = requests(service).get(CANCEL, 0)
    result = run(service, "cancel", "--ids-file", "-", "--yes", stdin="\n".join(ids).encode())
    assert result.code == 1
    assert requests(service)[CANCEL] - before == 6  # 100 × 5 + 1
    lines = result.out.splitlines()
    assert lines == [f"✗ {t}  unknown or expired" for t in ids]
    assert "0 of 501 cancelled" in result.err
    assert_clean(service, result)


def test_unknown_imported_id_is_named_and_not_mistaken_for_a_lost_submit(
    service: SimServer,
) -> None:
    tid = HEX[599]
    added = run(service, "tasks", "add", tid)
    assert added.code == 1
    assert f"warning: {tid} is not known to the service" in added.err
    shown = run(service, "tasks", tid)
    assert shown.code == 0, shown.out  # found: vanished is final (README's exit codes)
    assert tid in shown.out and "never known to the service (vanished)" in shown.out
    assert "OUTCOME UNKNOWN" not in shown.out  # that means a submit whose answer was lost
    dismissed = run(service, "tasks", "dismiss", tid, tid)
    assert "of 1 entry" in dismissed.err  # a duplicate key counts once
    assert_clean(service, added, shown, dismissed)


def test_html_answers_to_task_list_keep_the_journal_and_the_next_poll_works(
    sim_factory,  # type: ignore[no-untyped-def]
) -> None:
    sim = sim_factory(seed=False, files_per_second=1)
    for name in ("a", "b", "c"):
        (sim.root / name).mkdir()
        for i in range(20):
            (sim.root / name / f"{i}").touch()
    paths = [f"{HOME}/{n}" for n in ("a", "b", "c")]
    rm = sim.cli("rm", *paths, "--yes", "--json")
    assert rm.code == 0, rm.err
    ids = {t["taskId"] for t in json.loads(rm.out)["fileOperTasks"]}

    asked = sim.server.stats()["requests"].get(TASK_LIST, 0)
    sim.server.faults.update({"error_rate": 1.0})  # every answer: HTTP 503, an HTML page
    try:
        broken = sim.cli("tasks", "--json")
    finally:
        sim.server.faults.update({"error_rate": 0.0})
    assert sim.server.stats()["requests"][TASK_LIST] - asked > 1  # a read is retried
    assert broken.code == 0, broken.err
    assert "could not refresh from the service, showing last known state" in broken.err
    assert "task/list (3 ids): the service answered HTTP 503" in broken.err
    assert "try again later" in broken.err
    assert {t["taskId"] for t in json.loads(broken.out)} == ids  # the journal kept them all

    fixed = sim.cli("tasks", "--json")
    assert fixed.code == 0 and "warning" not in fixed.err
    rows = json.loads(fixed.out)
    assert {t["taskId"] for t in rows} == ids
    assert all(t["status"] in ("waiting", "processing", "complete") for t in rows)
    assert_clean(sim.server, broken, fixed)
