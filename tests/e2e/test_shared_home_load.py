"""A busy shared home: two login nodes (two sshfs mounts of one state folder), six job
scripts per node submitting at once (each deletes ten paths, one ``rm`` at a time), a reader
per node listing tasks and the audit log in a loop, a ``watch``, and a TUI on one node.
Every command succeeds, every task is listed from both nodes and audited once, no path is
sent twice, and the TUI never reports a state-file problem and ends up showing every task
(while the processes compact the journal under each other)."""

from __future__ import annotations

import asyncio
import io
import json
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from efile_tui.sim.server import SimServer
from tests.conftest import HOME, Sim
from tests.e2e.sshfs import SharedHome, shared_home
from tests.e2e.test_journal_e2e import make_files
from tests.e2e.test_shared_home import NODES, SimFactory

# About two minutes (120 CLI processes and ~40 readers' ones): not in the default run;
# CI runs it with -m load. Every wait has a deadline and fails saying what it waited for.
pytestmark = pytest.mark.load

WRITERS = 6  # per node
PATHS = 10  # per writer, one submit each
LABEL = "load"

# A job script: ``efile-tui rm PATH --yes --json --label load`` for each path in turn; one
# JSON line per command (exit code, output, error output).
WRITER = """
import json, subprocess, sys
for path in sys.argv[1:]:
    try:
        done = subprocess.run([sys.executable, "-m", "efile_tui", "rm", path, "--yes",
                               "--json", "--label", "load"], capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=120)
    except subprocess.TimeoutExpired:
        print(json.dumps({"rc": "timeout", "out": "", "err": f"rm {path}: no end in 120 s"}),
              flush=True)
        continue
    print(json.dumps({"rc": done.returncode, "out": done.stdout, "err": done.stderr}),
          flush=True)
"""

# Runs ``efile-tui tasks --json --all`` and ``log --json`` in turn until ``stop`` exists;
# one JSON line per command: its exit code, and its error output when it failed.
READER = """
import json, os, subprocess, sys
stop, out = sys.argv[1], sys.argv[2]
commands = (["tasks", "--json", "--all"], ["log", "--limit", "0", "--json"])
with open(out, "w") as log:
    n = 0
    while not os.path.exists(stop):
        args = commands[n % 2]
        n += 1
        try:
            done = subprocess.run([sys.executable, "-m", "efile_tui", *args],
                                  capture_output=True, text=True, stdin=subprocess.DEVNULL,
                                  timeout=120)
        except subprocess.TimeoutExpired:
            rc, err = "timeout", "no answer within 120 s"
        else:
            rc, err = done.returncode, done.stderr[-2000:]
            if rc == 0 and "Traceback" not in err:
                try:
                    json.loads(done.stdout)
                    err = ""
                except ValueError as exc:
                    rc, err = "not JSON", f"{exc}: {done.stdout[:500]!r}"
        log.write(json.dumps({"cmd": args[0], "rc": rc, "err": err}) + "\\n")
        log.flush()
"""


# Deadlines (s): each wait fails with what it waited for instead of hanging the run.
WRITERS_DONE = 600  # 120 submits over sshfs on a loaded 2-core machine take ~1-2 min
VISIBLE = 30  # one node sees what the other wrote (the mounts cache sizes for a second)
WATCH_DONE = 120  # ``watch --timeout 60`` must have ended by then
TUI_COUNTS = 60  # the TUI shows every task
READERS_DONE = 150  # a reader finishes the command it is in (each is cut at 120 s)
TUI_SHUTDOWN = 60
CLI_DONE = 120  # one command run after the load (the checks)


@pytest.fixture
def home(tmp_path: Path) -> Iterator[SharedHome]:
    with shared_home(tmp_path / "shared", NODES) as shared:
        yield shared


class Job:
    """A process whose output goes to files, never to a pipe: a pipe nobody reads while
    waiting blocks its writer once it holds 64 KiB (``watch`` prints a line per change)."""

    def __init__(self, what: str, folder: Path, start: Callable[..., subprocess.Popen[str]]):
        self.what = what
        self.out, self.err = folder / f"{what}.out", folder / f"{what}.err"
        with self.out.open("w") as out, self.err.open("w") as err:
            self.proc = start(stdin=subprocess.DEVNULL, stdout=out, stderr=err)

    def done(self) -> bool:
        return self.proc.poll() is not None

    def result(self) -> tuple[int, str, str]:
        """Exit code, output, error output of the ended process."""
        assert self.done(), f"{self.what} is still running"
        return self.proc.returncode, self.out.read_text(), self.err.read_text()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(30)

    def tail(self) -> str:
        return f"{self.what}: {self.err.read_text()[-1500:]!r}"


async def wait_for(
    what: str, ready: Callable[[], object], timeout: float, pause: Callable[[], object]
) -> None:
    """Await ``pause()`` until ``ready()``; past ``timeout`` seconds, fail naming ``what``."""
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        await pause()  # type: ignore[misc]


def cli(home: SharedHome, sim: Sim, node: str, folder: Path, what: str, *args: str) -> Job:
    """``efile-tui ARGS`` as ``node``."""
    argv = [sys.executable, "-m", "efile_tui", *args]
    return Job(what, folder, lambda **kw: home.run_as(node, argv, sim.env, **kw))


def script(
    home: SharedHome, sim: Sim, node: str, folder: Path, what: str, code: str, *args: str
) -> Job:
    """``python -c CODE ARGS`` as ``node``."""
    argv = [sys.executable, "-c", code, *args]
    return Job(what, folder, lambda **kw: home.run_as(node, argv, sim.env, **kw))


def run_cli(
    home: SharedHome, sim: Sim, node: str, folder: Path, *args: str
) -> tuple[int, str, str]:
    """Run ``efile-tui ARGS`` as ``node`` to its end (at most ``CLI_DONE`` seconds)."""
    job = cli(home, sim, node, folder, f"{node}-{args[0]}", *args)
    try:
        job.proc.wait(CLI_DONE)
    except subprocess.TimeoutExpired:
        job.stop()
        raise AssertionError(
            f"efile-tui {' '.join(args)} on {node}: no end in {CLI_DONE} s"
        ) from None
    return job.result()


def _paths(node: str, writer: int) -> list[str]:
    return [f"{HOME}/load/{node}/w{writer}/f{i}" for i in range(PATHS)]


def _listed_everywhere(home: SharedHome, sim: Sim, folder: Path, submitted: set[str]) -> None:
    """Every task is listed by ``tasks`` and audited once, seen from either node."""
    for node in NODES:
        code, out, err = run_cli(home, sim, node, folder, "tasks", "--json", "--all")
        assert code == 0, err
        assert {row["taskId"] for row in json.loads(out)} == submitted, node
        code, out, err = run_cli(home, sim, node, folder, "log", "--limit", "0", "--json")
        assert code == 0, err
        events = [e for e in json.loads(out) if e["event"] == "submit"]
        assert len(events) == len(NODES) * WRITERS * PATHS, node  # one record per submit
        audited = [i["answer"]["taskId"] for e in events for i in e["items"]]
        assert sorted(audited) == sorted(submitted), node


def _submitted(writers: list[Job]) -> set[str]:
    """The task ids the job scripts were given; every command must have succeeded."""
    submitted: set[str] = set()
    failed = []
    for job in writers:
        code, out, _err = job.result()
        assert code == 0, job.tail()
        for line in out.splitlines():
            done = json.loads(line)
            if done["rc"] != 0 or "Traceback" in done["err"]:
                failed.append(f"exit {done['rc']}: {done['err']}")
                continue
            (task,) = json.loads(done["out"])["fileOperTasks"]
            submitted.add(task["taskId"])
    assert failed == [], failed
    assert len(submitted) == len(NODES) * WRITERS * PATHS
    return submitted


@pytest.mark.timeout(1500)
async def test_many_writers_and_readers_on_two_nodes_never_fail(
    sim_factory: SimFactory, home: SharedHome, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from efile_tui.ui.launch import close_app, create_app
    from tests.ui.harness import wait_until

    sim = sim_factory(seed=False)
    for node in NODES:
        for writer in range(WRITERS):
            make_files(sim.root / "load" / node / f"w{writer}", [f"f{i}" for i in range(PATHS)])
    for name, value in sim.env.items():
        if name.startswith("EFILE_") or name.startswith("XDG_"):
            monkeypatch.setenv(name, value)
    monkeypatch.setenv("EFILE_TUI_STATE_DIR", str(home.state("nodeB")))
    stop = tmp_path / "stop"
    problems: list[str] = []
    jobs: list[Job] = []
    phase = ["starting the TUI"]
    app = create_app(interval=1.0)

    async def with_tui() -> set[str]:
        async with app.run_test(size=(160, 50)) as pilot:
            main = await wait_until(pilot, lambda: getattr(app, "main", None), what="main")
            await wait_until(pilot, lambda: main.poll_count >= 1, what="first poll")

            async def look() -> None:  # what the TUI shows while the others work
                error = str(main.status.error)
                if "State file" in error and error not in problems:
                    problems.append(error)
                for reader in readers:  # a reader that ended early checks nothing
                    assert not reader.done() or stop.exists(), f"ended early: {reader.tail()}"
                await pilot.pause(0.05)

            readers = [
                script(home, sim, node, tmp_path, f"reader-{node}", READER, str(stop),
                       str(tmp_path / f"{node}.jsonl"))
                for node in NODES
            ]  # fmt: skip
            jobs.extend(readers)
            writers = [
                script(home, sim, node, tmp_path, f"writer-{node}-{w}", WRITER, *_paths(node, w))
                for w in range(WRITERS)
                for node in NODES
            ]  # all at once, both nodes
            jobs.extend(writers)
            phase[0] = "the job scripts"
            await wait_for(
                "the job scripts to end", lambda: all(w.done() for w in writers), WRITERS_DONE, look
            )
            submitted = _submitted(writers)

            phase[0] = "nodeA's view"

            async def listed(node: str) -> set[str]:
                job = cli(home, sim, node, tmp_path, f"tasks-{node}", "tasks", "--json", "--all")
                jobs.append(job)
                await wait_for(f"tasks --json --all on {node}", job.done, CLI_DONE, look)
                code, out, _err = job.result()
                assert code == 0, job.tail()
                return {row["taskId"] for row in json.loads(out)}

            # A mount caches file sizes for up to a second (as NFS does): the last submits of
            # nodeB show on nodeA once that expires. ``watch --label`` follows what it sees.
            deadline = time.monotonic() + VISIBLE
            while not submitted <= await listed("nodeA"):
                assert time.monotonic() < deadline, f"nodeA lists not all tasks after {VISIBLE} s"
            phase[0] = "watch"
            watch = cli(home, sim, "nodeA", tmp_path, "watch", "watch", "--label", LABEL,
                        "--interval", "0.5", "--timeout", "60")  # fmt: skip
            jobs.append(watch)
            await wait_for("watch --timeout 60 to end", watch.done, WATCH_DONE, look)
            code, _out, err = watch.result()
            assert code == 0, watch.tail()
            assert f"watching {len(submitted)} task(s)" in err, err

            phase[0] = "the TUI's count"

            def shown() -> bool:
                return submitted <= {r.task_id for r in main.view.rows.values()}

            try:
                await wait_for("every task in the TUI", shown, TUI_COUNTS, look)
            except AssertionError:
                keys = {r.task_id for r in main.view.rows.values()}
                missing = len(submitted - keys)
                raise AssertionError(
                    f"{missing} of {len(submitted)} tasks missing from the TUI after "
                    f"{main.poll_count} polls; status {main.status.error!r}"
                ) from None
            phase[0] = "the readers' last commands"
            stop.touch()
            await wait_for("the readers to stop", lambda: all(r.done() for r in readers),
                           READERS_DONE, lambda: pilot.pause(0.1))  # fmt: skip
            assert problems == []
            phase[0] = "the TUI's shutdown"
        return submitted

    try:
        body = asyncio.ensure_future(with_tui())
        # The phases' own deadlines, plus the TUI's shutdown (which nothing else bounds).
        phases = (WRITERS_DONE, VISIBLE + CLI_DONE, WATCH_DONE, TUI_COUNTS, READERS_DONE)
        limit = 60 + sum(phases) + TUI_SHUTDOWN
        await asyncio.wait({body}, timeout=limit)
        if not body.done():
            stack = io.StringIO()
            body.print_stack(file=stack)
            body.cancel()
            raise AssertionError(f"no end in {limit} s, during {phase[0]}:\n{stack.getvalue()}")
        submitted = body.result()
    finally:
        stop.touch()  # a failed run must not leave the readers looping
        for job in jobs:
            job.stop()
        await asyncio.wait_for(asyncio.to_thread(close_app, app), CLI_DONE)

    for node in NODES:
        runs = [json.loads(line) for line in (tmp_path / f"{node}.jsonl").read_text().splitlines()]
        failed = [r for r in runs if r["rc"] != 0 or r["err"]]
        assert failed == [], failed
        assert Counter(r["cmd"] for r in runs)["tasks"] >= 1, node
    # Each mount caches file sizes for up to a second, as NFS does: a record written on
    # one node shows on the other once that cache expires.
    deadline = time.monotonic() + 20
    while True:
        try:
            _listed_everywhere(home, sim, tmp_path, submitted)
            break
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)
    server = sim.server
    assert isinstance(server, SimServer)
    sent = [item["sourcePath"] for r in server.requests("/async-remove") for item in r["body"]]
    assert len(sent) == len(set(sent)) == len(submitted)  # no path sent twice
    snapshots = sorted((home.export / "state" / "journal").glob("snap-*.json"))
    reads = sum(len((tmp_path / f"{node}.jsonl").read_text().splitlines()) for node in NODES)
    print(f"\nshared home: {len(submitted)} tasks, {reads} reader commands, watch printed "
          f"{watch_bytes(tmp_path)} bytes, compacted up to "
          f"{snapshots[-1].name if snapshots else 'never'}")  # fmt: skip


def watch_bytes(folder: Path) -> int:
    """What ``watch`` wrote (more than a pipe holds: it must not be a pipe)."""
    return sum((folder / f"watch.{part}").stat().st_size for part in ("out", "err"))
