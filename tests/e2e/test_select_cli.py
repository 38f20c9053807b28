"""Selecting and acting by query from the real CLI, against the simulator on loopback.

Filters on ``tasks``, cancel by filter (what is sent is read from the simulator's own log
of task/cancel requests), dry runs, ``--from-file``, the wait contract and the report.
"""

from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path

import pytest

from tests.conftest import HOME, Sim

FOLDERS = ("run-a", "run-b", "run-c")
PER_FOLDER = 100


def make_files(root: Path, folder: str, count: int) -> list[str]:
    """``count`` small files under ``root/folder``; their remote paths."""
    (root / folder).mkdir()
    paths = []
    for i in range(count):
        (root / folder / f"f{i:03}.dat").write_bytes(b"x")
        paths.append(f"{HOME}/{folder}/f{i:03}.dat")
    return paths


@pytest.fixture
def slow(sim_factory) -> Sim:  # type: ignore[no-untyped-def]
    """A simulator whose tasks stay running (one file takes minutes)."""
    return sim_factory(seed=False, files_per_second=0.005, sync_threshold=0)


@pytest.fixture
def three_runs(slow: Sim) -> tuple[Sim, dict[str, list[str]]]:
    """300 running delete tasks, 100 under each of three folders; ids per folder."""
    ids: dict[str, list[str]] = {}
    for folder in FOLDERS:
        paths = make_files(slow.root, folder, PER_FOLDER)
        rm = slow.cli("rm", "--from-file", "-", "--yes", "--json", stdin="\n".join(paths))
        assert rm.code == 0, rm.err
        ids[folder] = [t["taskId"] for t in json.loads(rm.out)["fileOperTasks"]]
        assert len(ids[folder]) == PER_FOLDER
    return slow, ids


def server_status(sim: Sim) -> dict[str, str]:
    return {t["taskId"]: t["status"] for t in sim.server.tasks()}  # type: ignore[attr-defined]


def cancel_log(sim: Sim) -> list[list[str]]:
    """The task ids of each task/cancel request the simulator received."""
    sent = sim.server.requests("task/cancel")  # type: ignore[attr-defined]
    return [r["body"]["taskIds"] for r in sent]


def test_cancel_by_filter_cancels_exactly_the_matching_running_tasks(three_runs) -> None:  # type: ignore[no-untyped-def]
    sim, ids = three_runs
    glob = f"{HOME}/run-b*"

    dry = sim.cli("cancel", "--status", "running", "--source", glob, "--dry-run")
    assert dry.code == 0, dry.err
    assert "matched 100 task(s)" in dry.err and "nothing was sent" in dry.err
    assert sorted(line.split()[0] for line in dry.out.splitlines()) == sorted(ids["run-b"])
    assert cancel_log(sim) == []  # the dry run sent nothing

    refused = sim.cli("cancel", "--status", "running", "--source", glob)  # no tty, no --yes
    assert refused.code == 2 and "--yes" in refused.err
    assert cancel_log(sim) == []

    done = sim.cli("cancel", "--status", "running", "--source", glob, "--yes", "--json")
    assert done.code == 0, done.err
    assert "matched 100 task(s)" in done.err
    results = json.loads(done.out)
    assert sorted(r["taskId"] for r in results) == sorted(ids["run-b"])
    assert all(r["result"] for r in results)

    sent = cancel_log(sim)
    assert sent and all(len(batch) <= 100 for batch in sent)
    flat = [t for batch in sent for t in batch]
    assert sorted(flat) == sorted(ids["run-b"])  # each once, and no other id
    status = server_status(sim)
    assert {status[t] for t in ids["run-b"]} == {"cancel"}
    for other in ("run-a", "run-c"):
        assert {status[t] for t in ids[other]} <= {"waiting", "processing"}

    # The same filter again: everything it matches has ended, so nothing is sent.
    again = sim.cli("cancel", "--status", "running", "--source", glob, "--yes")
    assert again.code == 0 and "nothing to cancel" in again.err
    assert len(cancel_log(sim)) == len(sent)

    listed = sim.cli("tasks", "--status", "cancel", "--ids")
    assert sorted(listed.out.split()) == sorted(ids["run-b"])
    running = sim.cli("tasks", "--status", "running", "--source", f"{HOME}/run-[ac]", "--jsonl")
    rows = [json.loads(line) for line in running.out.splitlines()]
    rest = sorted(ids["run-a"] + ids["run-c"])
    assert sorted(r["taskId"] for r in rows) == rest

    # 200 matches go out in batches of at most 100, each id once.
    before = len(sent)
    done = sim.cli("cancel", "--status", "running", "--yes")
    assert done.code == 0 and "matched 200 task(s)" in done.err, done.err
    batches = cancel_log(sim)[before:]
    assert len(batches) >= 2 and all(len(batch) <= 100 for batch in batches)
    assert sorted(t for batch in batches for t in batch) == rest


def test_empty_match_exits_0_and_sends_nothing(slow: Sim) -> None:
    paths = make_files(slow.root, "run-x", 2)
    assert slow.cli("rm", *paths, "--yes").code == 0
    empty = slow.cli("cancel", "--status", "running", "--source", "/public/home/nobody/*")
    assert empty.code == 0, empty.err
    assert "matched 0 task(s)" in empty.err and "nothing to cancel" in empty.err
    assert cancel_log(slow) == []
    both = slow.cli("cancel", "0" * 32, "--status", "running")
    assert both.code == 2 and "not both" in both.err
    bad = slow.cli("tasks", "--status", "runing", "--since", "yesterday")
    assert bad.code == 2 and "'runing'" in bad.err and "'yesterday'" in bad.err


def test_from_file_names_every_bad_line_and_sends_nothing(sim: Sim, tmp_path: Path) -> None:
    lines = [f"{HOME}/bulk/file-{i:04}.dat" for i in range(1000)]
    lines[16] = "relative/path.dat"  # line 17
    lines[802] = f"{HOME}/bulk/bad\x1bname"  # line 803
    listing = tmp_path / "paths.txt"
    listing.write_text("\n".join(lines) + "\n")
    before = sim.server.stats()["requests"]  # type: ignore[attr-defined]
    result = sim.cli("rm", "--from-file", str(listing), "--yes")
    assert result.code == 2
    assert "line 17:" in result.err and "relative/path.dat" in result.err
    assert "line 803:" in result.err and "control character" in result.err
    assert result.err.count("line ") == 2
    assert sim.server.stats()["requests"] == before  # type: ignore[attr-defined]

    nul = sim.cli("rm", "--from-file", "-", "-0", "--dry-run", stdin=f"{HOME}/a\0{HOME}/a\0")
    assert nul.code == 2 and "record 2:" in nul.err and "repeats record 1" in nul.err


def test_rm_dry_run_previews_and_sends_nothing(sim: Sim) -> None:
    project = sorted(p.name for p in sim.root.iterdir() if p.is_dir())[0]
    files = sum(1 for p in (sim.root / project).rglob("*") if p.is_file())
    dry = sim.cli("rm", f"{HOME}/{project}", HOME, "--dry-run", "--json")
    assert dry.code == 2  # the home folder would be refused
    data = json.loads(dry.out)
    assert data["dryRun"] and data["preview"]["files"] == files
    assert [r["path"] for r in data["refused"]] == [HOME]
    assert "async-remove" not in json.dumps(sim.server.stats())  # type: ignore[attr-defined]
    assert (sim.root / project).exists()

    text = sim.cli("rm", f"{HOME}/{project}", "--dry-run")
    assert text.code == 0 and f"files: {files:,}" in text.out and "largest:" in text.out

    cp = sim.cli("cp", f"{HOME}/{project}", f"{HOME}/no-such-folder", "--dry-run")
    assert cp.code == 2 and "does not exist" in cp.out
    assert "async-copy" not in json.dumps(sim.server.stats())  # type: ignore[attr-defined]


def test_watch_timeout_exits_with_the_chosen_code(slow: Sim) -> None:
    paths = make_files(slow.root, "run-w", 3)
    rm = slow.cli("rm", *paths, "--yes", "--json")
    ids = [t["taskId"] for t in json.loads(rm.out)["fileOperTasks"]]
    chosen = slow.cli(
        "watch",
        *ids,
        "--timeout",
        "1",
        "--timeout-exit-code",
        "7",
        "--heartbeat",
        "--interval",
        "0.2",
    )
    assert chosen.code == 7, chosen.err
    assert "timed out after 1 s: 3 task(s) not ended yet" in chosen.err
    assert "processing" in chosen.err or "waiting" in chosen.err  # the heartbeat
    default = slow.cli("watch", "--source", f"{HOME}/run-w", "--timeout", "0.5")
    assert default.code == 124, default.err
    waited = slow.cli("rm", f"{HOME}/run-w", "--yes", "--wait", "--timeout", "0.5")
    assert waited.code == 124, waited.err


def test_watch_exit_code_summarises_end_states(sim_factory) -> None:  # type: ignore[no-untyped-def]
    sim = sim_factory(seed=False, files_per_second=2, sync_threshold=0)
    ok = make_files(sim.root, "ok", 1)
    slow = make_files(sim.root, "slow", 40)
    first = sim.cli("rm", *ok, "--yes", "--wait", "--interval", "0.2")
    assert first.code == 0, first.err
    assert "all 1 task(s) ended: 1 complete" in first.err
    rm = sim.cli("rm", f"{HOME}/slow", "--yes", "--json")
    tid = json.loads(rm.out)["fileOperTasks"][0]["taskId"]
    assert sim.cli("cancel", tid, "--yes").code == 0
    watched = sim.cli("watch", "--source", f"{HOME}/*", "--interval", "0.2")
    assert watched.code == 1  # one complete, one cancelled
    assert "1 cancel" in watched.err and "1 complete" in watched.err
    assert len(slow) == 40


def test_report_csv_and_json(sim: Sim) -> None:
    project = sorted(p.name for p in sim.root.iterdir() if p.is_dir())[0]
    sim.cli("rm", f"{HOME}/{project}", f"{HOME}/missing-thing", "--yes", "--wait")
    report = sim.cli("tasks", "report", "--format", "csv")
    assert report.code == 0, report.err
    rows = list(csv.DictReader(io.StringIO(report.out)))
    by_path = {r["sourcePath"]: r for r in rows}
    assert by_path[f"{HOME}/{project}"]["status"] == "complete"
    failed = by_path[f"{HOME}/missing-thing"]
    assert failed["status"] == "fail" and failed["errorCode"] == "911020" and failed["errorMsg"]
    as_json = json.loads(sim.cli("tasks", "report", "--format", "json", "--failed").out)
    assert [r["sourcePath"] for r in as_json] == [f"{HOME}/missing-thing"]


def run_with_tty_stderr(sim: Sim, *args: str, env: dict[str, str]) -> tuple[int, bytes]:
    """Run the CLI with stderr on a pseudo-terminal; (exit code, bytes the terminal got)."""
    import os
    import pty
    import subprocess
    import sys

    leader, follower = pty.openpty()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "efile_tui", *args],
            env={**sim.env, **env},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=follower,
        )
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # EIO: the child closed its end
                break
            if not chunk:
                break
            chunks.append(chunk)
        return proc.wait(timeout=60), b"".join(chunks)
    finally:
        os.close(leader)


@pytest.mark.parametrize("inside_tmux", [False, True])
def test_bell_and_desktop_notification_when_all_ended(sim: Sim, inside_tmux: bool) -> None:
    project = sorted(p.name for p in sim.root.iterdir() if p.is_dir())[0]
    rm = sim.cli("rm", f"{HOME}/{project}", "--yes", "--json")
    tid = json.loads(rm.out)["fileOperTasks"][0]["taskId"]
    env = {"TMUX": "/tmp/tmux-0/default,1,0"} if inside_tmux else {"TMUX": ""}
    code, seen = run_with_tty_stderr(sim, "watch", tid, "--bell", "--interval", "0.2", env=env)
    assert code == 0
    osc9 = b"\x1b]9;efile-tui: 1 task(s) ended, 0 not complete\x07"
    osc777 = b"\x1b]777;notify;efile-tui;1 task(s) ended, 0 not complete\x07"
    if inside_tmux:
        for seq in (osc9, osc777):
            assert b"\x1bPtmux;" + seq.replace(b"\x1b", b"\x1b\x1b") + b"\x1b\\" in seen
    else:
        assert b"\x07" + osc9 + osc777 in seen
    # Without --bell (or without a terminal) nothing is rung.
    code, quiet = run_with_tty_stderr(sim, "watch", tid, "--interval", "0.2", env=env)
    assert code == 0 and b"\x07" not in quiet and b"\x1b]" not in quiet


def test_label_and_filter_round_trip(sim_factory) -> None:  # type: ignore[no-untyped-def]
    sim = sim_factory(seed=False, files_per_second=50, sync_threshold=0)
    mine = make_files(sim.root, "mine", 3)
    theirs = make_files(sim.root, "theirs", 2)
    (sim.root / "backup").mkdir()
    a = sim.cli("rm", *mine, "--yes", "--json", "--label", "nightly-7")
    b = sim.cli("cp", *theirs, f"{HOME}/backup", "--json", "--label", "backup 新")
    assert a.code == 0 and b.code == 0, a.err + b.err
    ids_a = [t["taskId"] for t in json.loads(a.out)["fileOperTasks"]]
    ids_b = [t["taskId"] for t in json.loads(b.out)["fileOperTasks"]]

    shown = json.loads(sim.cli("tasks", "--label", "nightly-7", "--json").out)
    assert sorted(t["taskId"] for t in shown) == sorted(ids_a)
    assert {t["label"] for t in shown} == {"nightly-7"}
    assert sorted(sim.cli("tasks", "--label", "backup*", "--ids").out.split()) == sorted(ids_b)
    table = sim.cli("tasks", "--label", "backup 新", "--op", "copy")
    assert table.out.count("label: backup 新") == 2
    assert sim.cli("tasks", "--label", "nightly-7", "--op", "copy", "--ids").out == ""

    relabel = sim.cli("tasks", "label", "nightly-8", ids_a[0])
    assert relabel.code == 0 and "1 of 1" in relabel.err
    by_filter = sim.cli("tasks", "label", "moved", "--label", "backup*")
    assert by_filter.code == 0 and "2 of 2" in by_filter.err
    assert sorted(sim.cli("tasks", "--label", "moved", "--ids").out.split()) == sorted(ids_b)
    assert sim.cli("tasks", "--label", "nightly-8", "--ids").out.split() == [ids_a[0]]
    bad = sim.cli("rm", *mine, "--label", "x\x1by", "--yes")
    assert bad.code == 2 and "--label" in bad.err and "control character" in bad.err

    waited = sim.cli("watch", "--label", "nightly-*", "--interval", "0.2", "--timeout", "60")
    assert waited.code == 0, waited.err
    assert "all 3 task(s) ended: 3 complete" in waited.err


def lost_delete(sim: Sim, path: str, seed: int) -> str:
    """Delete ``path`` with its answer dropped (the seed picks before or after it ran)."""
    sim.server.faults.update({"drop_rate": 1.0, "seed": seed})  # type: ignore[attr-defined]
    try:
        rm = sim.cli("rm", path, "--yes")
    finally:
        sim.server.faults.update({"drop_rate": 0.0, "seed": None})  # type: ignore[attr-defined]
    assert rm.code == 1 and "OUTCOME UNKNOWN" in rm.out, rm.out + rm.err
    (entry,) = [e for e in json.loads(sim.cli("tasks", "--json").out) if e["sourcePath"] == path]
    assert entry["outcomeUnknown"] and entry["taskId"] is None
    return f"local:{entry['journalId']}"


def test_resolve_gives_a_verdict_for_a_dropped_answer_and_resubmit_follows(sim: Sim) -> None:
    projects = sorted(p.name for p in sim.root.iterdir() if p.is_dir())
    ran, not_ran = (f"{HOME}/{name}" for name in projects[:2])
    key_ran = lost_delete(sim, ran, seed=0)  # executed, then the answer was dropped
    key_not = lost_delete(sim, not_ran, seed=4)  # dropped before it was executed
    deadline = time.monotonic() + 30
    while (sim.root / projects[0]).exists() and time.monotonic() < deadline:
        time.sleep(0.05)  # the delete that ran may still be removing files
    assert not (sim.root / projects[0]).exists() and (sim.root / projects[1]).exists()
    unknown = sim.cli("tasks", "--status", "unknown", "--ids")
    assert sorted(unknown.out.split()) == sorted([key_ran, key_not])

    resolved = sim.cli("tasks", "resolve", "--json")
    assert resolved.code == 0, resolved.err
    verdicts = {v["journalKey"]: v["verdict"] for v in json.loads(resolved.out)}
    assert verdicts == {key_ran: "done", key_not: "not-done"}
    after = {f"local:{e['journalId']}": e for e in json.loads(sim.cli("tasks", "--json").out)}
    assert after[key_ran]["status"] == "complete"
    assert after[key_ran]["errorMsg"].startswith("done (by evidence)")
    assert after[key_not]["status"] == "rejected"
    assert sim.cli("tasks", "--status", "unknown", "--ids").out == ""

    again = sim.cli("tasks", "resubmit", "--yes")  # default: failed and not-done items
    assert again.code == 0, again.err
    assert again.out.startswith(f"{key_not} -> ✓ {not_ran}")
    after = {f"local:{e['journalId']}": e for e in json.loads(sim.cli("tasks", "--json").out)}
    new_key = after[key_not]["resubmittedAs"]
    assert new_key and after[new_key]["sourcePath"] == not_ran and after[new_key]["taskId"]
    assert after[key_ran]["resubmittedAs"] is None
    twice = sim.cli("tasks", "resubmit", key_not, "--yes")
    assert twice.code == 0 and "nothing to resubmit" in twice.err
