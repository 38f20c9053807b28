"""The demo's seeding: every folder shows up in the served root whole, never half-written."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from efile_tui.sim.seed import seed_staged, seed_tree


def count(folder: Path) -> int:
    return sum(len(files) for _, _, files in os.walk(folder))


def test_each_folder_arrives_whole(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    expected = tmp_path / "expected"
    seed_tree(expected, small_files=100, many_files=1000)
    whole = {p.name: count(p) for p in expected.iterdir() if p.is_dir()}
    root, staging = tmp_path / "root", tmp_path / "staging"
    root.mkdir()
    staging.mkdir()
    seen: dict[str, set[int]] = {}
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            for entry in os.scandir(root):
                if entry.is_dir():
                    seen.setdefault(entry.name, set()).add(count(Path(entry.path)))

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        seed_staged(root, staging, many_files=1000, small_files=100)
    finally:
        done.set()
        watcher.join()
    assert {p.name: count(p) for p in root.iterdir() if p.is_dir()} == whole
    assert all(sizes == {whole[name]} for name, sizes in seen.items()), seen
    lines = capsys.readouterr().out.split("\n")
    assert lines[-3:] == [f"tree {sum(whole.values()) - 1000 + 1}", "big 1000", ""]
