"""The simulator of ``efile-tui demo``: a sample tree written as it is used, served from a
process of its own (``python -m efile_tui.sim.demo``) so that it starts beside the TUI
rather than before it.

Protocol: the token comes from ``EFILE_SIM_TOKEN`` (never the command line); once serving,
the process prints ``url URL HOME`` (one flushed line) and serves until its standard input is
closed (the demo ended, or died), then stops the background writing and the server.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from efile_tui.sim.cli import TOKEN_ENV
from efile_tui.sim.config import SimConfig
from efile_tui.sim.lazy import LazyTree
from efile_tui.sim.server import SimServer

FILL_AFTER = 3.0  # seconds after start the rest of the tree is written in the background


def sample_server(
    root: Path, staging: Path, big_folder: int, files_per_second: float, token: str | None = None
) -> tuple[SimServer, LazyTree]:
    """A simulator (not started) over a sample tree in ``root`` written as it is used;
    nothing but the home's top-level entries is written here."""
    tree = LazyTree(root, staging, big=big_folder)
    config = SimConfig(
        root=root,
        token=token,
        files_per_second=files_per_second,
        bytes_per_second=200e6,
        settle=tree.settle,
    )
    return SimServer(config), tree


def main(argv: list[str]) -> int:
    """``ROOT STAGING BIG_FOLDER FILES_PER_SECOND``: serve until standard input closes."""
    root, staging, big, fps = Path(argv[0]), Path(argv[1]), int(argv[2]), float(argv[3])
    server, tree = sample_server(root, staging, big, fps, os.environ.get(TOKEN_ENV) or None)
    try:
        with server:
            print("url", server.url, server.config.home, flush=True)
            tree.fill_later(FILL_AFTER)
            sys.stdin.read()  # until the demo closes it (or ends)
    finally:
        tree.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
