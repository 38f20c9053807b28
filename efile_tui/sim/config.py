"""Configuration of the simulator: service identity, throughput and injected faults."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any


@dataclass
class Faults:
    """Faults injected on every non-control route; all off by default, mutable at runtime."""

    latency: float = 0.0  # seconds added to every request
    submit_latency: float = 0.0  # seconds added to submits (async-remove/copy/move) only
    refuse_cancel: float = 0.0  # fraction of task/cancel requests refused with 911030
    error_rate: float = 0.0  # fraction answered HTTP 503 with an HTML body
    drop_rate: float = 0.0  # fraction whose connection is dropped mid-body
    malformed_rate: float = 0.0  # fraction answered HTTP 200 with a non-JSON body
    throttle_rps: float | None = None  # above N accepted requests per sliding second: 911048
    seed: int | None = None  # random seed for reproducibility

    def update(self, values: dict[str, Any]) -> None:
        """Set the given fields after validating them; raise ValueError on a bad value."""
        known = {f.name for f in fields(self)}
        for key in values:
            if key not in known:
                raise ValueError(f"unknown fault {key!r}")
        staged: dict[str, Any] = {}
        for key, value in values.items():
            if key in ("throttle_rps", "seed") and value is None:
                staged[key] = None
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"{key} must be a number")
            if key == "seed":
                staged[key] = int(value)
                continue
            number = float(value)
            if number < 0:
                raise ValueError(f"{key} must not be negative")
            if key.endswith("_rate") and number > 1:
                raise ValueError(f"{key} must be within [0, 1]")
            staged[key] = number
        for key, value in staged.items():
            setattr(self, key, value)

    def as_dict(self) -> dict[str, Any]:
        """Return the current settings as a JSON-friendly dict."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass
class SimConfig:
    """Everything that defines one simulated user, region and service behaviour."""

    root: Path  # on-disk directory that IS the user's home
    token: str | None = None  # fixed token to accept in addition to issued ones
    home: str = "/public/home/demo"  # virtual absolute path mapped onto root
    user: str = "demo"
    password: str = "demo-password"
    org_id: str = "demo-org"
    access_key: str = "demo-ak"
    secret_key: str = "demo-sk"
    region_id: str = "11112"
    region_name: str = "simulated-region"
    user_id: str = "10000000001"
    token_ttl: float = 86400.0  # seconds until an issued token expires
    files_per_second: float = 200.0  # per-task throughput (files)
    bytes_per_second: float = 50e6  # per-task throughput (bytes)
    sync_threshold: int = 1  # tasks touching <= this many files run synchronously; 0 disables
    retention: float = 86400.0  # seconds a finished task is remembered
    workers: int = 4  # tasks processed concurrently; the others wait
    faults: Faults = field(default_factory=Faults)
    # called with each on-disk path below the root before it is used (sim.lazy.LazyTree)
    settle: Callable[[Path], None] | None = None

    def __post_init__(self) -> None:
        self.root = Path(self.root)
        home = "/" + self.home.strip("/")
        self.home = home
