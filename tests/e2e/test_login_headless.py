"""Login on a host with no keyring (the usual SSH case), against the simulator.

The real CLI runs in subprocesses with temp XDG dirs and no D-Bus session. Every captured
output, every file the runs leave and every command line seen while they ran is searched
for the token and the password (the leak test).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from efile_tui.sim.config import SimConfig
from efile_tui.sim.server import SimServer

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "demo-password"
HOME_PATH = "/public/home/demo"
FAIL_BACKEND = "keyring.backends.fail.Keyring"


@dataclass
class Run:
    """One finished CLI run."""

    argv: list[str]
    code: int
    out: str
    err: str


class ArgvWatch:
    """Records the command line of every process while it runs (what ``ps`` would show)."""

    def __init__(self) -> None:
        self.seen: set[bytes] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self) -> None:
        # A pass over /proc every ~45 ms, as before, at half the CPU (os.listdir and open
        # instead of Path.glob): the tests beside this one run on the same cores.
        while not self._stop.is_set():
            for pid in os.listdir("/proc"):
                if pid.isdigit():
                    with contextlib.suppress(OSError), open(f"/proc/{pid}/cmdline", "rb") as f:
                        self.seen.add(f.read())
            self._stop.wait(0.03)

    def __enter__(self) -> ArgvWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class Sandbox:
    """Temp home and XDG dirs, and a way to run the CLI inside them."""

    root: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    runs: list[Run] = field(default_factory=list)

    @property
    def config_dir(self) -> Path:
        return self.root / "config" / "efile-tui"

    @property
    def token_file(self) -> Path:
        return self.config_dir / "tokens" / "default"

    def env(self, **more: str) -> dict[str, str]:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "PYTHONPATH": str(REPO),
            "HOME": str(self.root / "home"),
            "XDG_CONFIG_HOME": str(self.root / "config"),
            "XDG_STATE_HOME": str(self.root / "state"),
            "XDG_DATA_HOME": str(self.root / "data"),
            "XDG_CACHE_HOME": str(self.root / "cache"),
            "LANG": "C.UTF-8",
            **self.extra_env,
            **more,
        }
        return env

    def cli(self, *args: str, stdin: str = "", env: dict[str, str] | None = None) -> Run:
        argv = [sys.executable, "-m", "efile_tui", *args]
        proc = subprocess.run(
            argv,
            input=stdin,
            capture_output=True,
            text=True,
            env=env or self.env(),
            timeout=60,
        )
        run = Run(argv, proc.returncode, proc.stdout, proc.stderr)
        self.runs.append(run)
        return run


def make_sandbox(tmp_path: Path, **extra_env: str) -> Sandbox:
    root = tmp_path / "sandbox"
    for sub in ("home", "config", "state", "data", "cache"):
        (root / sub).mkdir(parents=True)
    return Sandbox(root, dict(extra_env))


def assert_no_leak(
    secrets: Sequence[str],
    *,
    outputs: Sequence[str],
    roots: Sequence[Path],
    argv_seen: set[bytes],
    allowed_files: Sequence[Path] = (),
) -> None:
    """No secret in any output, file (but the opted-in token file) or command line."""
    needles = [s for s in secrets if s]
    assert needles
    assert any(b"efile_tui" in c for c in argv_seen), "the argv watch saw no CLI run"
    for secret in needles:
        for text in outputs:
            assert secret not in text, "a secret appeared in captured output"
        encoded = base64.b64encode(secret.encode()).decode()
        allowed = {p.resolve() for p in allowed_files}
        for root in roots:
            for path in root.rglob("*"):
                if path.is_file() and not path.is_symlink() and path.resolve() not in allowed:
                    data = path.read_bytes()
                    assert secret.encode() not in data, f"a secret appeared in {path}"
                    assert encoded.encode() not in data, f"a secret (base64) appeared in {path}"
        for cmdline in argv_seen:
            assert secret.encode() not in cmdline, "a secret appeared in a command line"


@contextlib.contextmanager
def simulator(tmp_path: Path) -> Iterator[SimServer]:
    """The simulator over a folder holding hello.txt."""
    root = tmp_path / "remote"
    root.mkdir()
    (root / "hello.txt").write_text("hello\n")
    with SimServer(SimConfig(root=root)) as srv:
        yield srv


@pytest.fixture
def server(tmp_path: Path) -> Iterator[SimServer]:
    with simulator(tmp_path) as srv:
        yield srv


def login_args(url: str, *more: str) -> list[str]:
    return [
        "login",
        "--platform-url",
        url,
        "--user",
        "demo",
        "--org-id",
        "demo-org",
        "--password-stdin",
        *more,
    ]


@pytest.mark.parametrize(
    "backend",
    [FAIL_BACKEND, None],
    ids=["fail-backend", "auto-detected-plaintext"],
)
def test_login_without_keyring_explains_and_exits_4(
    tmp_path: Path, server: SimServer, backend: str | None
) -> None:
    box = make_sandbox(tmp_path, **({"PYTHON_KEYRING_BACKEND": backend} if backend else {}))
    with ArgvWatch() as watch:
        run = box.cli(*login_args(server.url), stdin=PASSWORD + "\n")
    assert run.code == 4, run.err
    assert "no usable keyring" in run.err
    for hint in (
        "dbus-run-session",
        "gnome-keyring-daemon",
        "read -rs EFILE_TOKEN",
        "efile-tui login --token-store file",
    ):
        assert hint in run.err
    assert "Traceback" not in run.err
    assert run.out == ""
    assert not (box.config_dir / "tokens").exists()
    leftovers = [p for p in box.root.rglob("*") if p.is_file()]
    assert leftovers == []  # no token file, no plain-text keyring file, nothing at all
    assert_no_leak([PASSWORD], outputs=[run.out, run.err], roots=[box.root], argv_seen=watch.seen)


def test_file_store_opt_in_end_to_end(tmp_path: Path, server: SimServer) -> None:
    box = make_sandbox(tmp_path, PYTHON_KEYRING_BACKEND=FAIL_BACKEND)
    tokens: list[str] = []
    with ArgvWatch() as watch:
        login = box.cli(*login_args(server.url, "--token-store", "file"), stdin=PASSWORD)
        assert login.code == 0, login.err
        assert f"stored in plain text at {box.token_file}" in login.err
        assert "Logged in as demo@simulated-region" in login.err
        assert f"efile URL: {server.url}" in login.err
        assert f"home: {HOME_PATH}" in login.err
        assert stat.S_IMODE(box.token_file.stat().st_mode) == 0o600
        assert stat.S_IMODE(box.token_file.parent.stat().st_mode) == 0o700
        tokens.append(box.token_file.read_text().strip())

        config = (box.config_dir / "config.toml").read_text()
        assert 'token_store = "file"' in config and PASSWORD not in config

        status = box.cli("auth", "status", "--json")
        assert status.code == 0, status.err
        report = json.loads(status.out)
        assert report["token"]["source"] == f"file {box.token_file} (plain text)"
        assert report["token"]["expires"].startswith("in ")
        assert report["efile_url"] == server.url and report["home"] == HOME_PATH
        assert report["keyring"]["usable"] is False

        human = box.cli("auth", "status")
        assert human.code == 0 and "expires:" in human.out

        ls = box.cli("ls", "--json")
        assert ls.code == 0, ls.err
        assert "hello.txt" in ls.out

        # the token expires: ls renews it via tokens/next and the file gets the new one
        httpx.post(f"{server.url}/_sim/tokens/expire").raise_for_status()
        ls = box.cli("--debug", "ls", "--json")
        assert ls.code == 0, ls.err
        tokens.append(box.token_file.read_text().strip())
        assert tokens[1] != tokens[0]
        assert stat.S_IMODE(box.token_file.stat().st_mode) == 0o600

        # widened permissions are refused with the fix
        box.token_file.chmod(0o644)
        refused = box.cli("ls")
        assert refused.code == 4 and f"chmod 600 {box.token_file}" in refused.err
        box.token_file.chmod(0o600)

        logout = box.cli("logout")
        assert logout.code == 0, logout.err
        assert f"file {box.token_file}" in logout.err
        assert not box.token_file.exists()
        after = box.cli("auth", "status")
        assert after.code == 4

    outputs = [text for run in box.runs for text in (run.out, run.err)]
    assert_no_leak([PASSWORD, *tokens], outputs=outputs, roots=[box.root], argv_seen=watch.seen)
    for run in box.runs:
        assert not any(t in arg for t in tokens for arg in run.argv)


def test_token_stdin_with_url(tmp_path: Path, server: SimServer) -> None:
    box = make_sandbox(tmp_path, PYTHON_KEYRING_BACKEND=FAIL_BACKEND)
    token = server.issue_token()
    login = box.cli(
        "login",
        "--token-stdin",
        "--token-store",
        "file",
        "--url",
        server.url,
        "--home",
        HOME_PATH,
        "--platform-url",
        server.url,
        stdin=token + "\n",
    )
    assert login.code == 0, login.err
    assert box.token_file.read_text().strip() == token
    ls = box.cli("ls", "--json")
    assert ls.code == 0, ls.err
    assert token not in login.err + login.out + ls.out + ls.err


def test_wrong_password_is_exit_4(tmp_path: Path, server: SimServer) -> None:
    box = make_sandbox(tmp_path, PYTHON_KEYRING_BACKEND=FAIL_BACKEND)
    run = box.cli(*login_args(server.url, "--token-store", "file"), stdin="wrong-pw\n")
    assert run.code == 4
    assert "login refused" in run.err and "wrong-pw" not in run.err
    assert not box.token_file.exists()


def test_password_is_never_taken_from_argv(tmp_path: Path, server: SimServer) -> None:
    box = make_sandbox(tmp_path, PYTHON_KEYRING_BACKEND=FAIL_BACKEND)
    for flag in ("--password", "--secret-key", "--token"):
        run = box.cli("login", "--platform-url", server.url, flag, PASSWORD)
        assert run.code == 2
        assert PASSWORD not in run.err + run.out  # refused without echoing it
        assert "-stdin" in run.err
    no_tty = box.cli(*login_args(server.url, "--token-store", "file")[:-1])  # no --password-stdin
    assert no_tty.code == 2 and "--password-stdin" in no_tty.err
