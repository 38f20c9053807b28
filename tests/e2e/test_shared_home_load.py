"""A busy shared home: two login nodes (two sshfs mounts of one state folder), six job
scripts per node submitting at once (each deletes ten paths, one ``rm`` at a time), a reader
per node listing tasks and the audit log in a loop, a ``watch``, and a TUI on one node.
Every command succeeds, every task is listed from both nodes and audited once, no path is
sent twice, and the TUI never reports a state-file problem and ends up showing every task
(while the processes compact the journal under each other)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from efile_tui.sim.server import SimServer
from tests.conftest import HOME, Sim
from tests.e2e.sshfs import SharedHome, shared_home
from tests.e2e.test_journal_e2e import make_files
from tests.e2e.test_shared_home import NODES, SimFactory, cli_as, run

# Minutes long (120 CLI processes and ~40 readers' ones), and not yet reliable: a run on a
# quiet machine hung after its readers stopped. Run it on purpose with -m load; it is in
# neither the default run nor CI until that is understood.
pytestmark = pytest.mark.load

WRITERS = 6  # per node
PATHS = 10  # per writer, one submit each
LABEL = "load"

# A job script: ``efile-tui rm PATH --yes --json --label load`` for each path in turn; one
# JSON line per command (exit code, output, error output).
WRITER = """
import json, subprocess, sys
for path in sys.argv[1:]:
    done = subprocess.run([sys.executable, "-m", "efile_tui", "rm", path, "--yes", "--json",
                           "--label", "load"], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL)
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
        done = subprocess.run([sys.executable, "-m", "efile_tui", *args],
                              capture_output=True, text=True, stdin=subprocess.DEVNULL)
        ok = done.returncode == 0 and "Traceback" not in done.stderr
        if ok:
            json.loads(done.stdout)
        log.write(json.dumps({"cmd": args[0], "rc": done.returncode,
                              "err": "" if ok else done.stderr[-2000:]}) + "\\n")
        log.flush()
"""


@pytest.fixture
def home(tmp_path: Path) -> Iterator[SharedHome]:
    with shared_home(tmp_path / "shared", NODES) as shared:
        yield shared


def _paths(node: str, writer: int) -> list[str]:
    return [f"{HOME}/load/{node}/w{writer}/f{i}" for i in range(PATHS)]


def _listed_everywhere(home: SharedHome, sim: Sim, submitted: set[str]) -> None:
    """Every task is listed by ``tasks`` and audited once, seen from either node."""
    for node in NODES:
        code, out, err = run(cli_as(home, sim, node, "tasks", "--json", "--all"))
        assert code == 0, err
        assert {row["taskId"] for row in json.loads(out)} == submitted, node
        code, out, err = run(cli_as(home, sim, node, "log", "--limit", "0", "--json"))
        assert code == 0, err
        events = [e for e in json.loads(out) if e["event"] == "submit"]
        assert len(events) == len(NODES) * WRITERS * PATHS, node  # one record per submit
        audited = [i["answer"]["taskId"] for e in events for i in e["items"]]
        assert sorted(audited) == sorted(submitted), node


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
    readers: dict[str, subprocess.Popen[str]] = {}
    app = create_app(interval=1.0)
    try:
        async with app.run_test(size=(160, 50)) as pilot:
            main = await wait_until(pilot, lambda: getattr(app, "main", None), what="main")
            await wait_until(pilot, lambda: main.poll_count >= 1, what="first poll")

            def look() -> None:  # what the TUI shows while the others work
                error = str(main.status.error)
                if "State file" in error and error not in problems:
                    problems.append(error)

            readers |= {
                node: home.run_as(
                    node,
                    [sys.executable, "-c", READER, str(stop), str(tmp_path / f"{node}.jsonl")],
                    sim.env,
                    stdin=subprocess.DEVNULL,
                )
                for node in NODES
            }
            writers = [
                home.run_as(
                    node,
                    [sys.executable, "-c", WRITER, *_paths(node, w)],
                    sim.env,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                )
                for w in range(WRITERS)
                for node in NODES
            ]  # all at once, both nodes
            while any(p.poll() is None for p in writers):
                look()
                await pilot.pause(0.05)
            submitted: set[str] = set()
            failed = []
            for proc in writers:
                code, out, err = await asyncio.to_thread(run, proc)
                assert code == 0, err
                for line in out.splitlines():
                    done = json.loads(line)
                    if done["rc"] != 0 or "Traceback" in done["err"]:
                        failed.append(done["err"])
                        continue
                    (task,) = json.loads(done["out"])["fileOperTasks"]
                    submitted.add(task["taskId"])
            assert failed == [], failed
            assert len(submitted) == len(NODES) * WRITERS * PATHS

            watch = cli_as(home, sim, "nodeA", "watch", "--label", LABEL, "--interval", "0.5",
                           "--timeout", "60")  # fmt: skip
            while watch.poll() is None:
                look()
                await pilot.pause(0.05)
            code, out, err = await asyncio.to_thread(run, watch)
            assert code == 0, err
            assert f"watching {len(submitted)} task(s)" in err, err

            def shown() -> bool:
                look()
                keys = {r.task_id for r in main.view.rows.values()}
                return submitted <= keys

            try:
                await wait_until(pilot, shown, timeout=60, what="every task in the TUI")
            except AssertionError:
                keys = {r.task_id for r in main.view.rows.values()}
                missing = len(submitted - keys)
                raise AssertionError(
                    f"{missing} of {len(submitted)} tasks missing from the TUI after "
                    f"{main.poll_count} polls; status {main.status.error!r}"
                ) from None
            stop.touch()
            for proc in readers.values():
                await asyncio.to_thread(proc.wait, 60)
            assert problems == []
    finally:
        close_app(app)
        stop.touch()  # a failed run must not leave the readers looping
        for proc in readers.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait(30)

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
            _listed_everywhere(home, sim, submitted)
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
    print(f"\nshared home: {len(submitted)} tasks, {reads} reader commands, compacted up to "
          f"{snapshots[-1].name if snapshots else 'never'}")  # fmt: skip
