"""Command-line integration: ``add_arguments(parser)`` and ``run(args) -> int``.

Exit codes: 0 after a clean stop (Ctrl-C / SIGTERM), 2 for a usage error, 1 if the server
could not start.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from efile_tui.sim.config import Faults, SimConfig
from efile_tui.sim.seed import seed_tree

TOKEN_ENV = "EFILE_SIM_TOKEN"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the simulator's options to ``parser``."""
    where = parser.add_argument_group("files")
    where.add_argument("--root", metavar="DIR", help="directory served as the user's home")
    where.add_argument(
        "--seed",
        metavar="DIR",
        help="create a sample tree in DIR and serve it (an existing non-empty DIR is served as is)",
    )
    net = parser.add_argument_group("network")
    net.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    net.add_argument("--port", type=int, default=0, help="port to bind (default 0: a free one)")
    net.add_argument(
        "--token",
        help=f"fixed token to accept, for throwaway simulators only (visible in the process "
        f"list); prefer the {TOKEN_ENV} environment variable",
    )
    speed = parser.add_argument_group("behaviour")
    speed.add_argument(
        "--files-per-second",
        type=float,
        default=200.0,
        metavar="N",
        help="files per second each task processes (default 200; 0: unlimited)",
    )
    speed.add_argument(
        "--bytes-per-second",
        type=float,
        default=50e6,
        metavar="N",
        help="bytes per second each task processes (default 50e6; 0: unlimited)",
    )
    speed.add_argument(
        "--token-ttl",
        type=float,
        default=86400.0,
        metavar="SECONDS",
        help="lifetime of issued tokens (default 86400); expired tokens get code 10008",
    )
    faults = parser.add_argument_group("faults (all off by default)")
    add = faults.add_argument
    add("--latency", type=float, default=0.0, metavar="SECONDS", help="delay every request")
    add("--error-rate", type=float, default=0.0, metavar="F", help="fraction answered HTTP 503")
    add("--drop-rate", type=float, default=0.0, metavar="F", help="fraction of dropped connections")
    add("--malformed-rate", type=float, default=0.0, metavar="F", help="fraction of bad bodies")
    add(
        "--throttle-rps",
        type=float,
        default=None,
        metavar="N",
        help="answer 911048 above N requests per second",
    )


def _usage_error(message: str) -> int:
    print(f"efile-tui sim: {message}", file=sys.stderr)
    return 2


def _validate(args: argparse.Namespace) -> str | None:
    """Return a message naming the bad option, or None."""
    for option in ("error_rate", "drop_rate", "malformed_rate"):
        value = getattr(args, option)
        if not 0.0 <= value <= 1.0:
            return f"--{option.replace('_', '-')} must be between 0 and 1 (got {value})"
    if args.latency < 0:
        return "--latency must not be negative"
    if args.throttle_rps is not None and args.throttle_rps < 0:
        return "--throttle-rps must not be negative"
    if not 0 <= args.port <= 65535:
        return f"--port must be between 0 and 65535 (got {args.port})"
    if args.files_per_second < 0 or args.bytes_per_second < 0:
        return "--files-per-second and --bytes-per-second must not be negative (0: unlimited)"
    if args.token_ttl <= 0:
        return "--token-ttl must be positive"
    if args.root is None and args.seed is None:
        return "--root DIR or --seed DIR is required"
    if args.root is not None and args.seed is not None:
        return "use either --root or --seed, not both"
    if args.root is not None and not Path(args.root).is_dir():
        return f"--root {args.root}: not an existing directory"
    if args.seed is not None and Path(args.seed).exists() and not Path(args.seed).is_dir():
        return f"--seed {args.seed}: exists and is not a directory"
    return None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _prepare_root(args: argparse.Namespace) -> Path:
    if args.root is not None:
        return Path(args.root)
    root = Path(args.seed)
    if root.is_dir() and any(root.iterdir()):
        print(f"{root} is not empty: serving it as is (not reseeding)", file=sys.stderr)
    else:
        counts = seed_tree(root)
        print(
            f"seeded {root}: {counts['files']} files, {counts['dirs']} folders, "
            f"{counts['bytes'] / 2**20:.0f} MiB",
            file=sys.stderr,
        )
    return root


def run(args: argparse.Namespace) -> int:
    """Serve until Ctrl-C or SIGTERM; print the URL and token exports on stdout."""
    problem = _validate(args)
    if problem:
        return _usage_error(problem)
    if not _is_loopback(args.host):
        print(
            f"warning: binding {args.host}, which is not a loopback address: anyone who can "
            "reach it can use the simulator",
            file=sys.stderr,
        )
    token = args.token or os.environ.get(TOKEN_ENV) or None
    config = SimConfig(
        root=_prepare_root(args).resolve(),
        token=token,
        files_per_second=args.files_per_second,
        bytes_per_second=args.bytes_per_second,
        token_ttl=args.token_ttl,
        faults=Faults(
            latency=args.latency,
            error_rate=args.error_rate,
            drop_rate=args.drop_rate,
            malformed_rate=args.malformed_rate,
            throttle_rps=args.throttle_rps,
        ),
    )
    from efile_tui.sim.server import SimServer  # uvicorn and Starlette: only to serve

    server = SimServer(config, host=args.host, port=args.port)
    try:
        server.start()
    except RuntimeError as exc:
        print(f"efile-tui sim: {exc}", file=sys.stderr)
        return 1
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        print(f"efile simulator serving {config.root} as {config.home} at {server.url}")
        print(f"export EFILE_URL={server.url}")
        print(f"export EFILE_TOKEN={server.token}")
        print(f"export EFILE_HOME={config.home}")
        print("then try:  efile-tui ls   or   efile-tui")
        print("Ctrl-C stops the simulator", flush=True)
        while not stop.wait(0.5):
            if not server.running:
                print("efile-tui sim: server stopped unexpectedly", file=sys.stderr)
                return 1
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        server.stop()
    return 0
