"""Lists of thousands of paths stay cheap: a dry run or a protection check lists each
parent folder once (in pages), whatever the number of paths in it (the simulator's
request log is the judge)."""

from __future__ import annotations

import json
import os
from urllib.parse import parse_qs

from efile_tui.sim.server import SimServer
from tests.conftest import HOME, Sim
from tests.e2e.test_protection import profile_env, run, save_profile, submits

FOLDERS, PER_FOLDER = 20, 1000
PAGE = 1000  # the walk's page size


def _campaign(sim: Sim, folders: int, per_folder: int) -> list[str]:
    """``folders`` folders of ``per_folder`` small files; the paths, as ``find`` prints them.

    File ``n`` holds ``n % 7 + 1`` bytes. The files are hard links to seven bodies (one
    system call each instead of a create and a write: 20,000 of them in a second, not
    ten); the service lists names and sizes, which links have like copies."""
    bodies = sim.root.parent / "bodies"  # beside the served tree, on the same disk
    bodies.mkdir(exist_ok=True)
    for size in range(1, 8):
        if not (bodies / str(size)).exists():
            (bodies / str(size)).write_bytes(b"x" * size)
    paths = []
    for i in range(folders):
        folder = sim.root / "campaign" / f"run{i:02d}"
        folder.mkdir(parents=True)
        for n in range(per_folder):
            os.link(bodies / str(n % 7 + 1), folder / f"out{n:05d}.dat")
            paths.append(f"{HOME}/campaign/run{i:02d}/out{n:05d}.dat")
    return paths


def _listed(server: object) -> list[str]:
    """The folder of every list request the service received, in order."""
    assert isinstance(server, SimServer)
    return [parse_qs(r["query"])["path"][0] for r in server.requests("/file/list")]


def test_a_dry_run_of_20000_listed_paths_lists_each_folder_once(sim: Sim, tmp_path) -> None:  # type: ignore[no-untyped-def]
    paths = _campaign(sim, FOLDERS, PER_FOLDER)
    listed = tmp_path / "found.txt"
    listed.write_text("\n".join(paths) + "\n")
    done = sim.cli("rm", "--from-file", str(listed), "--dry-run", "--json")
    assert done.code == 0, done.err
    preview = json.loads(done.out)["preview"]
    assert preview["complete"] is True and preview["stoppedBecause"] is None
    assert preview["files"] == FOLDERS * PER_FOLDER
    assert preview["bytes"] == FOLDERS * sum(n % 7 + 1 for n in range(PER_FOLDER))
    assert (preview["pathsWalked"], preview["pathsTotal"]) == (20_000, 20_000)
    lists = _listed(sim.server)
    pages = -(-PER_FOLDER // PAGE)
    assert len(lists) <= FOLDERS * pages + 2, len(lists)
    assert sorted(lists) == sorted(f"{HOME}/campaign/run{i:02d}" for i in range(FOLDERS))
    assert submits(sim.server) == []


def test_a_wildcard_deny_entry_checks_500_files_with_one_listing_per_folder(sim: Sim) -> None:
    paths = _campaign(sim, 5, 100)
    (sim.root / "campaign" / "run03" / "keep-me").mkdir()
    save_profile(sim.server, deny_paths=["*/keep-me"])  # type: ignore[arg-type]
    done = run(sim, profile_env(sim), "rm", *paths, f"{HOME}/campaign/run03", "--yes")
    assert done.code == 2 and "run03 holds a protected path" in done.err, done.err
    assert submits(sim.server) == []
    # four parents of files, the parent of run03, run03 itself (its files are inside it)
    # and keep-me: each folder once, not one request or two per path
    walked = sorted(_listed(sim.server))
    expected = [f"{HOME}/campaign/run{i:02d}" for i in (0, 1, 2, 4)]
    expected += [f"{HOME}/campaign", f"{HOME}/campaign/run03", f"{HOME}/campaign/run03/keep-me"]
    assert walked == sorted(expected)
    done = run(sim, profile_env(sim), "rm", *paths, "--yes", "--json")
    assert done.code == 0, done.err
    assert sum(len(r["body"]) for r in submits(sim.server)) == 500


def test_a_dry_run_counts_its_paths_with_the_thousands_separator(sim: Sim, tmp_path) -> None:  # type: ignore[no-untyped-def]
    listed = tmp_path / "found.txt"
    listed.write_text("\n".join(_campaign(sim, 2, 600)) + "\n")
    done = sim.cli("rm", "--from-file", str(listed), "--dry-run")
    assert done.code == 0, done.err
    assert done.out.splitlines()[0] == "would delete 1,200 path(s):", done.out[:200]
    assert submits(sim.server) == []
