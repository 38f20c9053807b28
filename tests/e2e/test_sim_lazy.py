"""The demo's sample tree, written as it is used: before any request only the home's
top-level entries exist; through the service it lists, stats, deletes, copies and moves
exactly as the same tree written out in full, and a folder is never seen half-written."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from efile_tui.cli.common import CliError
from efile_tui.cli.demo import DemoSimulator
from efile_tui.sim.config import SimConfig
from efile_tui.sim.demo import sample_server
from efile_tui.sim.lazy import LazyTree
from efile_tui.sim.seed import seed_tree
from efile_tui.sim.server import SimServer
from tests.e2e.test_sim_server import FILE_API, HOME, ok, tasks, wait_for

SMALL, BIG = 120, 200


def files_below(folder: Path) -> int:
    return sum(len(files) for _, _, files in os.walk(folder))


def listing(client: httpx.Client, path: str) -> list[dict[str, Any]]:
    data = ok(client, "GET", f"{FILE_API}/list", params={"path": path, "limit": 100_000})
    return list(data["fileList"])


def walk(client: httpx.Client, path: str = HOME) -> dict[str, tuple[str, int]]:
    """Every entry below ``path`` as the service lists it: path → (type, size)."""
    seen = {}
    for item in listing(client, path):
        seen[item["path"]] = (item["type"], item["size"])
        if item["isDirectory"]:
            seen.update(walk(client, item["path"]))
    return seen


def serve(root: Path, **config: Any) -> SimServer:
    return SimServer(SimConfig(root=root, files_per_second=4000, **config)).start()


def client_of(server: SimServer) -> httpx.Client:
    return httpx.Client(base_url=server.url, headers={"token": server.token}, timeout=30)


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[httpx.Client, httpx.Client, LazyTree]]:
    """Clients of a simulator over the tree written in full and of one over the same
    tree written as it is used."""
    seed_tree(tmp_path / "full", small_files=SMALL, many_files=BIG)
    (tmp_path / "lazy").mkdir()
    (tmp_path / "staging").mkdir()
    tree = LazyTree(tmp_path / "lazy", tmp_path / "staging", big=BIG, small_files=SMALL)
    servers = [serve(tmp_path / "full"), serve(tmp_path / "lazy", settle=tree.settle)]
    clients = [client_of(s) for s in servers]
    try:
        yield clients[0], clients[1], tree
    finally:
        tree.stop()
        for c in clients:
            c.close()
        for s in servers:
            s.stop()


def test_nothing_below_the_top_level_is_written_before_use(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (tmp_path / "staging").mkdir()
    server, tree = sample_server(home, tmp_path / "staging", 20_000, 150.0)
    tops = sorted(p.name for p in home.iterdir())
    assert tops == ["README.txt", "big-folder", *sorted(tree.pending - {"big-folder"})]
    assert files_below(home) == 1  # the README; every folder an empty placeholder
    with server, client_of(server) as client:
        names = [item["name"] for item in listing(client, HOME)]
        assert sorted(names) == tops
        assert files_below(home) == 1  # listing the home writes nothing either
        project = next(n for n in names if n.startswith("proj-"))
        assert listing(client, f"{HOME}/{project}")  # opened: written whole, listed
        assert tree.pending == {n for n in tops if n not in ("README.txt", project)}
    tree.stop()


def test_lists_and_stats_as_the_tree_written_in_full(pair: Any) -> None:
    full, lazy, tree = pair
    whole = walk(full)
    assert len(whole) > SMALL + BIG
    assert walk(lazy) == whole
    assert tree.pending == set()


def test_tasks_over_sample_folders_do_what_they_do_on_the_full_tree(pair: Any) -> None:
    full, lazy, _tree = pair
    projects = sorted(p for p, (kind, _) in walk(full).items() if p.count("/") == 4)
    first, second = [p for p in projects if "/proj-" in p][:2]
    orders = [
        ("copy", f"{HOME}/big-folder", second),
        ("move", first, second),
        ("delete", f"{HOME}/README.txt", None),
    ]
    for client in (full, lazy):
        answers = []
        for operation, source, target in orders:
            element = {"sourcePath": source, **({"targetPath": target} if target else {})}
            path = {"copy": "async-copy", "move": "async-move", "delete": "async-remove"}
            answers += ok(client, "POST", f"{FILE_API}/{path[operation]}", json=[element])[
                "fileOperTasks"
            ]
        copy = answers[0]
        assert (copy["totalNum"], copy["synchronousExecution"]) == (BIG, False)  # takes time
        ids = [a["taskId"] for a in answers]
        wait_for(lambda c=client, i=ids: all(t["status"] == "complete" for t in tasks(c, i)))
    assert walk(lazy) == walk(full)
    assert f"{second}/big-folder/item-000199.txt" in walk(lazy)


def test_a_folder_is_never_listed_half_written(tmp_path: Path) -> None:
    (tmp_path / "home").mkdir()
    (tmp_path / "staging").mkdir()
    tree = LazyTree(tmp_path / "home", tmp_path / "staging", big=3000, small_files=SMALL)
    totals: set[int] = set()
    with serve(tmp_path / "home", settle=tree.settle) as server, client_of(server) as client:
        tree.fill_later(0)  # the background and the listing race for the folder
        while tree.pending:
            data = ok(client, "GET", f"{FILE_API}/list", params={"path": f"{HOME}/big-folder"})
            totals.add(data["total"])
    tree.stop()
    assert totals == {3000}


def test_stopping_leaves_an_unfinished_folder_unseen(tmp_path: Path) -> None:
    (tmp_path / "home").mkdir()
    (tmp_path / "staging").mkdir()
    tree = LazyTree(tmp_path / "home", tmp_path / "staging", big=200_000, small_files=0)
    tree.fill_later(0)
    wait_for(lambda: any((tmp_path / "staging").iterdir()))
    tree.stop()
    assert "big-folder" in tree.pending
    assert list((tmp_path / "home" / "big-folder").iterdir()) == []
    assert list((tmp_path / "staging").iterdir()) == []


def test_the_demo_simulator_serves_its_token_and_ends_when_its_input_closes(
    tmp_path: Path,
) -> None:
    (tmp_path / "home").mkdir()
    (tmp_path / "staging").mkdir()
    token = "demo-token-kept-off-the-command-line"
    argv = [str(tmp_path / "home"), str(tmp_path / "staging"), "50", "150"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "efile_tui.sim.demo", *argv],
        env={**os.environ, "EFILE_SIM_TOKEN": token},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None and proc.stdin is not None
        word, url, home = proc.stdout.readline().split()
        assert (word, home) == ("url", HOME)
        with httpx.Client(base_url=url, headers={"token": token}, timeout=30) as client:
            names = {item["name"] for item in listing(client, HOME)}
        assert {"README.txt", "big-folder", "proj-climate"} <= names
        assert token not in " ".join(proc.args)  # type: ignore[arg-type]
        proc.stdin.close()  # the demo ended (or died): the simulator goes too
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_a_demo_simulator_that_cannot_start_is_named_with_its_last_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\necho 'starting' >&2\necho 'OSError: address in use' >&2\nexit 3\n")
    fake.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(fake))
    sim = DemoSimulator(tmp_path, 10, 150.0)
    try:
        with pytest.raises(CliError) as caught:
            sim.wait_for_url()
    finally:
        sim.stop()
    assert str(caught.value) == (
        "the demo's simulator did not start (exit 3): OSError: address in use"
    )
