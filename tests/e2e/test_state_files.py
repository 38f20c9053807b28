"""State files through the real CLI: unsafe files refused before any request, a read-only or
corrupt state folder explained (no traceback), and the state folder moved by env or config."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from efile_tui.store.journal import Journal
from tests.conftest import HOME, Sim
from tests.e2e.test_journal_e2e import REMOVE, make_files

SimFactory = Callable[..., Sim]


def state(sim: Sim) -> Path:
    return Path(sim.env["XDG_STATE_HOME"]) / "efile-tui"


def removes(sim: Sim) -> int:
    return len(sim.server.requests(REMOVE))  # type: ignore[attr-defined]


@pytest.fixture
def used(sim_factory: SimFactory) -> Sim:
    """A simulator, and a state folder holding a journal and an audit log from one rm."""
    return _used(sim_factory, in_process=True)


@pytest.fixture
def used_by_process(sim_factory: SimFactory) -> Sim:
    """``used``, the rm run by a process of its own (gone when the test starts)."""
    return _used(sim_factory, in_process=False)


def _used(sim_factory: SimFactory, *, in_process: bool) -> Sim:
    sim = sim_factory(seed=False)
    make_files(sim.root / "d", ["a", "b", "c"])
    run = sim.cli if in_process else sim.cli_process
    first = run("rm", f"{HOME}/d/a", "--yes")
    assert first.code == 0, first.err
    assert (state(sim) / "journal" / "0000001.log").is_file()
    assert (state(sim) / "audit" / "0000001.log").is_file()
    return sim


def _link(path: Path, outside: Path) -> Path:
    outside.write_text("not yours\n")
    path.unlink(missing_ok=True)
    path.symlink_to(outside)
    return outside


def _plant(kind: str, base: Path, outside: Path) -> tuple[Path, str]:
    """Make one state file unsafe; return the path the message must name and a word of it."""
    journal, audit = base / "journal" / "0000001.log", base / "audit" / "0000001.log"
    if kind == "audit-link":
        _link(audit, outside)
        return audit, "symbolic link"
    if kind == "old-audit-link":
        _link(base / "audit.jsonl", outside)
        return base / "audit.jsonl", "symbolic link"
    if kind == "journal-link":
        _link(base / "journal" / "0000009.log", outside)
        return base / "journal" / "0000009.log", "symbolic link"
    if kind == "journal-other-owner":
        os.chown(journal, 54321, -1)
        return journal, "another user"
    if kind == "audit-group-writable":
        os.chmod(audit, 0o620)
        return audit, "chmod go-w"
    if kind == "folder-world-writable":
        os.chmod(base / "journal", 0o777)
        return base / "journal", "chmod go-w"
    raise AssertionError(kind)


@pytest.mark.parametrize(
    "kind",
    [
        "audit-link",
        "old-audit-link",
        "journal-link",
        "journal-other-owner",
        "audit-group-writable",
        "folder-world-writable",
    ],
)
def test_unsafe_state_file_is_refused_before_any_request(
    used: Sim, tmp_path: Path, kind: str
) -> None:
    outside = tmp_path / "outside.txt"
    named, word = _plant(kind, state(used), outside)
    before = removes(used)
    rm = used.cli("rm", f"{HOME}/d/b", "--yes")
    assert rm.code == 1, (rm.code, rm.err)
    assert str(named) in rm.err and word in rm.err, rm.err
    assert "Traceback" not in rm.err
    assert removes(used) == before  # refused before the delete was sent
    assert (used.root / "d" / "b").exists()
    if outside.exists():
        assert outside.read_text() == "not yours\n"  # never written through the link
        assert (outside.stat().st_mode & 0o777) != 0o600


@pytest.fixture
def read_only_state(used: Sim) -> Iterator[Path]:
    """The state folder on a filesystem mounted read-only (root can write anything else)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a read-only filesystem needs root")
    base = state(used)
    saved = base.with_name("saved")
    base.rename(saved)
    base.mkdir(mode=0o700)
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m,mode=0700", "tmpfs", str(base)], check=True
    )
    try:
        subprocess.run(["cp", "-a", f"{saved}/.", str(base)], check=True)
        subprocess.run(["mount", "-o", "remount,ro", str(base)], check=True)
        yield base
    finally:
        subprocess.run(["umount", "-l", str(base)], check=False)


def test_read_only_state_folder_is_explained_and_nothing_is_sent(
    used: Sim, read_only_state: Path
) -> None:
    before = removes(used)
    rm = used.cli("rm", f"{HOME}/d/b", "--yes")
    assert rm.code == 1 and "Traceback" not in rm.err, rm.err
    assert "Read-only file system" in rm.err and "EFILE_TUI_STATE_DIR" in rm.err, rm.err
    assert str(read_only_state) in rm.err
    assert removes(used) == before and (used.root / "d" / "b").exists()
    listed = used.cli("tasks", "--json")  # reading still works
    assert listed.code == 0, listed.err
    assert [row["sourcePath"] for row in json.loads(listed.out)] == [f"{HOME}/d/a"]


def test_corrupt_journal_lines_are_reported_and_nothing_else_is_lost(
    used_by_process: Sim,
) -> None:
    used = used_by_process
    log = state(used) / "journal" / "0000001.log"
    with log.open("ab") as handle:
        handle.write(b"\x00\x00garbage from a disk fault\n")
    # Processes of their own: a writer file is read to its end and folded in once the
    # process that wrote it is gone, which an in-process run (this pid, alive) never is.
    second = used.cli_process("rm", f"{HOME}/d/b", "--yes")
    assert second.code == 0, second.err
    listed = used.cli_process("tasks", "--json")
    assert listed.code == 0 and "Traceback" not in listed.err
    assert "1 unreadable line(s) skipped" in listed.err and str(log) in listed.err
    assert sorted(row["sourcePath"] for row in json.loads(listed.out)) == [
        f"{HOME}/d/a",
        f"{HOME}/d/b",
    ]
    assert log.read_bytes().count(b"garbage") == 1  # the file is kept as it was


def test_a_submit_records_its_intent_without_reading_the_journal(used: Sim) -> None:
    """``rm`` appends its intent and answer to a file of its own and reads nobody's records
    (a job script on a busy shared home never waits on them): a snapshot whose rows cannot
    be read is left as it is by the submit and found by the next reader. The new file's
    number is above every number the snapshot's header says was ever used."""
    folder = state(used) / "journal"
    snap = folder / "snap-00000001.json"
    head = {"v": 1, "max_writer": 41, "migrated": [], "covers": {}, "pending": []}
    snap.write_text(json.dumps(head) + "\n[[broken rows\n")
    snap.chmod(0o600)
    os.utime(snap, (1, 1))  # long ago: not a snapshot still being written
    rm = used.cli("rm", f"{HOME}/d/b", "--yes")
    assert rm.code == 0 and "warning" not in rm.err, rm.err
    assert removes(used) == 2
    assert snap.is_file()  # never read, so never found unreadable
    assert sorted(p.name for p in folder.glob("*.log")) == ["0000001.log", "0000042.log"]
    listed = used.cli("tasks", "--json")
    assert listed.code == 0, listed.err
    assert "unreadable journal snapshot" in listed.err and not snap.exists(), listed.err
    assert sorted(row["sourcePath"] for row in json.loads(listed.out)) == [
        f"{HOME}/d/a",
        f"{HOME}/d/b",
    ]


@pytest.mark.parametrize("how", ["env", "config"])
def test_state_folder_moves_with_env_or_config(
    sim_factory: SimFactory, tmp_path: Path, how: str
) -> None:
    sim = sim_factory(seed=False)
    make_files(sim.root / "d", ["a"])
    moved = tmp_path / "elsewhere" / "state"
    env = {}
    if how == "env":
        env["EFILE_TUI_STATE_DIR"] = str(moved)
    else:
        config = Path(sim.env["XDG_CONFIG_HOME"]) / "efile-tui" / "config.toml"
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(f'state_dir = "{moved}"\n')
    rm = sim.cli("rm", f"{HOME}/d/a", "--yes", env=env)
    assert rm.code == 0, rm.err
    assert not state(sim).exists()
    assert {p.name for p in moved.iterdir()} == {"journal", "audit"}
    with Journal(moved / "journal") as journal:
        assert [e.source_path for e in journal.entries()] == [f"{HOME}/d/a"]
    assert sim.cli("log", env=env).out.count("delete") == 1


def test_demo_keeps_its_own_state(monkeypatch: pytest.MonkeyPatch) -> None:
    from efile_tui import cli, config
    from efile_tui.cli import demo

    real = config.state_dir()
    seen: list[Path] = []

    def fake_tui(args: object) -> int:
        seen.append(config.state_dir())
        return 0

    monkeypatch.setattr(demo, "run_tui", fake_tui)
    for name in ("EFILE_TUI_STATE_DIR", "EFILE_URL", "EFILE_TOKEN", "EFILE_HOME"):
        monkeypatch.setenv(name, "")  # the demo sets them: restored (unset) after the test
        monkeypatch.delenv(name)
    assert cli.main(["demo", "--big-folder", "5"]) == 0
    [used] = seen
    assert used != real and "efile-tui-demo-" in str(used)
    assert not used.exists()  # gone with the demo


def test_doctor_names_the_state_folder_its_filesystem_and_each_problem(
    used: Sim, tmp_path: Path
) -> None:
    from efile_tui.store.fs import filesystem

    clean = used.cli("doctor", "--json")
    assert "Traceback" not in clean.err
    report = json.loads(clean.out)
    s = report["state"]
    assert s["folder"] == str(state(used)) and s["chosenBy"] == "the XDG default"
    assert s["filesystem"]["type"] == filesystem(state(used)).fstype
    assert s["journal"]["entries"] == 1 and s["journal"]["writerFiles"] >= 1
    assert s["audit"]["writerFiles"] == 1 and report["problems"] == []
    assert clean.code == 0 and report["healthy"] is True
    assert report["terminal"]["colours"] and report["keyring"]["active"]["label"]
    named, _ = _plant("audit-link", state(used), tmp_path / "outside.txt")
    human = used.cli("doctor")
    assert human.code == 1 and "Traceback" not in human.err
    assert str(named) in human.out and "what to do:" in human.out
    assert "EFILE_TUI_STATE_DIR" in human.out  # how to move it


@pytest.mark.parametrize("kind", ["journal-link", "journal-other-owner", "folder-world-writable"])
def test_tui_refuses_an_unsafe_journal_before_any_request(
    used: Sim, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    """The TUI reads its journal after the first frame, but checks it before anything."""
    from efile_tui.store.fs import StateFileError
    from efile_tui.ui.launch import create_app

    named, word = _plant(kind, state(used), tmp_path / "outside.txt")
    for key, value in used.env.items():
        monkeypatch.setenv(key, value)
    before = len(used.server.requests())  # type: ignore[attr-defined]
    with pytest.raises(StateFileError) as refused:
        create_app()
    assert str(named) in str(refused.value) and word in str(refused.value)
    assert len(used.server.requests()) == before  # type: ignore[attr-defined]
