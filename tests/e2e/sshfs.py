"""One folder mounted twice with sshfs over loopback: two "login nodes" sharing one home.

An ``sshd`` on 127.0.0.1 (a free port, host and client keys made for the test) serves the
folder; each mount has its own FUSE caches and no lock is shared between them — like two
hosts on NFS, Lustre or GPFS. Commands run as a node with :meth:`SharedHome.run_as`, in
their own UTS namespace (``unshare -u``) with their own hostname.

sshfs's own directory and attribute cache (20 s, kept even across ``open``) is turned off
(``dir_cache=no``); the kernel's one-second FUSE caches stay, which is about what NFS's
close-to-open consistency gives.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

NEEDED = ("sshfs", "ssh-keygen", "fusermount3", "unshare", "hostname")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"sshd ended at start (exit {proc.returncode})")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"sshd did not listen on 127.0.0.1:{port}")


@dataclass
class SharedHome:
    """The exported folder and its two mounts (one per node)."""

    export: Path
    mounts: dict[str, Path]

    def run_as(
        self, node: str, argv: list[str], env: dict[str, str], **kw: object
    ) -> subprocess.Popen[str]:
        """Start ``argv`` as ``node``: its own hostname; its state folder on its own mount."""
        script = 'hostname "$1" && shift && exec "$@"'
        return subprocess.Popen(  # type: ignore[call-overload, no-any-return]
            ["unshare", "-u", "sh", "-c", script, "sh", node, *argv],
            env={**env, "EFILE_TUI_STATE_DIR": str(self.state(node))},
            text=True,
            **kw,
        )

    def state(self, node: str) -> Path:
        """The state folder as ``node`` sees it."""
        return self.mounts[node] / "state"


@contextmanager
def shared_home(base: Path, nodes: tuple[str, ...] = ("nodeA", "nodeB")) -> Iterator[SharedHome]:
    """sshd + one sshfs mount per node; everything is unmounted and stopped at the end."""
    missing = [tool for tool in NEEDED if shutil.which(tool) is None]
    if not os.path.exists("/usr/sbin/sshd"):
        missing.append("sshd (openssh-server)")
    if missing or os.geteuid() != 0 or not os.path.exists("/dev/fuse"):
        pytest.skip(f"sshfs end-to-end needs root, /dev/fuse and {', '.join(NEEDED)}, sshd")
    keys = base / "keys"
    keys.mkdir(mode=0o700, parents=True)
    for name in ("host", "client"):
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(keys / name)], check=True
        )
    shutil.copy(keys / "client.pub", keys / "authorized_keys")
    port = _free_port()
    config = keys / "sshd_config"
    config.write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {keys / 'host'}\n"
        f"PidFile {keys / 'sshd.pid'}\nPermitRootLogin prohibit-password\n"
        "PasswordAuthentication no\nKbdInteractiveAuthentication no\n"
        f"AuthorizedKeysFile {keys / 'authorized_keys'}\nStrictModes no\nUsePAM no\n"
        "Subsystem sftp internal-sftp\n"
    )
    export = base / "export"
    export.mkdir(mode=0o700)
    os.makedirs("/run/sshd", exist_ok=True)
    sshd = subprocess.Popen(["/usr/sbin/sshd", "-D", "-e", "-f", str(config)])
    mounted: list[tuple[Path, subprocess.Popen[bytes]]] = []
    try:
        _wait_port(port, sshd)
        mounts = {}
        for node in nodes:
            point = base / "mnt" / node
            point.mkdir(parents=True)
            options = (
                f"IdentityFile={keys / 'client'},StrictHostKeyChecking=no,"
                "UserKnownHostsFile=/dev/null,BatchMode=yes,dir_cache=no,LogLevel=ERROR"
            )
            # In the foreground, as our child: stopped and reaped by us at the end.
            sshfs = subprocess.Popen(
                [
                    "sshfs",
                    "-f",
                    "-p",
                    str(port),
                    "-o",
                    options,
                    f"root@127.0.0.1:{export}",
                    str(point),
                ]
            )
            mounted.append((point, sshfs))
            _wait_mounted(point, sshfs)
            mounts[node] = point
        yield SharedHome(export, mounts)
    finally:
        for point, sshfs in mounted:
            _stop(sshfs)  # a foreground sshfs unmounts when it ends
            if os.path.ismount(point):
                subprocess.run(["fusermount3", "-u", "-z", str(point)], check=False)
        _stop(sshd)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _wait_mounted(point: Path, proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not os.path.ismount(point):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"sshfs did not mount {point} (exit {proc.poll()})")
        time.sleep(0.05)
