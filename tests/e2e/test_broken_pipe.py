"""`efile-tui … | head`: when stdout's reader goes away the CLI stops quietly (exit 141),
never with a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import HOME, Sim

COMMANDS = [
    ("tasks",),
    ("tasks", "--json"),
    ("tasks", "--all"),
    ("log",),
    ("log", "--json"),
    ("watch", "--json", "--interval", "0.2"),
    ("watch", "--interval", "0.2"),
    ("ls",),
    ("ls", "--json"),
    ("ls", f"{HOME}/big"),
    ("--help",),
    ("tasks", "--help"),
]


@pytest.fixture
def busy_sim(sim_factory) -> Sim:  # type: ignore[no-untyped-def]
    """A simulator with a big folder, a finished task and a slow running one."""
    sim = sim_factory(files_per_second=2)
    big = sim.root / "big"
    big.mkdir()
    empty = sim.root.parent / "empty"  # beside the served tree: 3,000 links to it are
    empty.touch()  # 3,000 empty files, made with one system call each
    for i in range(3000):
        os.link(empty, big / f"entry-{i:05d}.dat")
    projects = sorted(p.name for p in sim.root.iterdir() if p.is_dir() and p.name != "big")
    done = sim.cli("rm", f"{HOME}/{projects[0]}", f"{HOME}/{projects[1]}", "--yes", "--json")
    assert done.code == 0, done.err
    assert json.loads(done.out)["fileOperTasks"]
    return sim


def reader_gone(sim: Sim, args: tuple[str, ...]) -> subprocess.Popen[bytes]:
    """Start with stdout a pipe whose reader has gone: every write to it fails with EPIPE."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "efile_tui", *args],
        env=sim.env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    proc.stdout.close()
    return proc


def test_reader_gone_before_the_first_write(busy_sim: Sim) -> None:
    failures = []
    procs = [(args, reader_gone(busy_sim, args)) for args in COMMANDS]  # all at once
    for args, proc in procs:
        _, err_bytes = proc.communicate(timeout=60)
        code, err = proc.returncode, err_bytes.decode()
        noisy = any(word in err for word in ("Traceback", "BrokenPipe", "Exception ignored"))
        # argparse's own --help ignores a closed stdout (exit 0); everything else stops at 141.
        expected = (0, 141) if "--help" in args else (141,)
        if noisy or code not in expected:
            failures.append(f"{' '.join(args)}: exit {code}: {err[-300:]}")
    assert not failures, "\n".join(failures)


def test_piped_into_head(busy_sim: Sim) -> None:
    for args in (("ls", f"{HOME}/big"), ("ls", f"{HOME}/big", "--json")):
        cmd = " ".join([sys.executable, "-m", "efile_tui", *args])
        done = subprocess.run(
            ["bash", "-c", f"set -o pipefail; {cmd} | head -1"],
            env=busy_sim.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert len(done.stdout.splitlines()) == 1
        assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr, done.stderr
        assert done.returncode == 141, done.stderr  # 3,000 entries do not fit the pipe
