"""Create a realistic sample home directory for demos and tests."""

from __future__ import annotations

import os
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

PROJECT_NAMES = ("climate", "genomics", "cfd", "ml-train", "astro", "materials", "seismic")
LOG_LEVELS = ("INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR")
BIG_FOLDER = "big-folder"


POOL_SIZE = 48  # distinct bodies per kind; files pick one and add a unique header


def _text(rng: random.Random, kind: str) -> bytes:
    """A few hundred bytes to a few KB of plausible text."""
    lines: list[str] = []
    if kind == "log":
        for n in range(rng.randint(8, 60)):
            level = rng.choice(LOG_LEVELS)
            lines.append(f"2025-08-05 15:{n % 60:02d}:{rng.randint(0, 59):02d} {level} step {n}")
    elif kind == "csv":
        lines.append("step,time,energy,residual")
        for n in range(rng.randint(10, 80)):
            lines.append(f"{n},{n * 0.5:.2f},{rng.uniform(-1, 1):.6f},{rng.random():.3e}")
    else:
        for _ in range(rng.randint(6, 50)):
            values = " ".join(f"{rng.gauss(0, 1):+.5f}" for _ in range(6))
            lines.append(values)
    return ("\n".join(lines) + "\n").encode()


README = "README.txt"
README_TEXT = b"Sample home directory created by the efile simulator.\n"


def project_names(projects: int) -> list[str]:
    """The sample tree's project folders (``proj-climate`` …)."""
    return [
        f"proj-{PROJECT_NAMES[i % len(PROJECT_NAMES)]}"
        + (f"-{i // len(PROJECT_NAMES)}" if i >= len(PROJECT_NAMES) else "")
        for i in range(max(1, projects))
    ]


@dataclass(frozen=True)
class SampleFile:
    """One file of the sample tree: its path below the root and its content."""

    rel: str  # "/"-separated, below the root
    data: bytes
    size: int  # apparent size: len(data), or more for a sparse file


def sample_files(
    *,
    projects: int = 4,
    small_files: int = 3000,
    large_files: int = 3,
    large_size: int = 50 * 2**20,
    rng_seed: int = 0,
) -> list[SampleFile]:
    """The sample tree's files (no big folder), made in memory: project folders of small
    text files and sparse large checkpoints. Deterministic for a given ``rng_seed``."""
    rng = random.Random(rng_seed)
    pools = {k: [_text(rng, k) for _ in range(POOL_SIZE)] for k in ("log", "csv", "dat")}
    files: list[SampleFile] = []

    def add(rel: str, data: bytes) -> None:
        files.append(SampleFile(rel, data, len(data)))

    def body(kind: str, index: int) -> bytes:
        return f"# {kind} block {index}\n".encode() + rng.choice(pools[kind])

    names = project_names(projects)
    add(README, README_TEXT)
    per_project = small_files // len(names)
    for p, name in enumerate(names):
        budget = per_project + (small_files % len(names) if p == 0 else 0)
        run = rng.randint(1, 20)
        while budget > 0:
            run_dir = f"{name}/run-{run:04d}"
            steps = min(budget, rng.randint(20, 120))
            for step in range(steps):
                if step % 10 == 9:
                    add(f"{run_dir}/logs/rank-{step // 10:03d}.log", body("log", step))
                elif step % 10 == 4:
                    add(f"{run_dir}/output/stats-{step:05d}.csv", body("csv", step))
                else:
                    add(f"{run_dir}/output/step-{step:05d}.dat", body("dat", step))
            budget -= steps
            run += rng.randint(1, 5)
        add(f"{name}/scratch/tmp-{rng.getrandbits(24):06x}/core.txt", b"scratch data\n")
    for n in range(large_files):
        rel = f"{names[n % len(names)]}/checkpoints/ckpt-{n:04d}.pt"
        files.append(SampleFile(rel, b"", large_size))  # sparse: fast to create, large to copy
    return files


def write_files(
    root: Path,
    files: Iterable[SampleFile],
    progress: Callable[[int], None] | None = None,
    stopped: Callable[[], bool] = lambda: False,
) -> dict[str, int]:
    """Write ``files`` below ``root`` (made if missing); ``{"files", "dirs", "bytes"}``
    written. ``progress`` hears the files written so far every 200 files; ``stopped``
    is asked before each file (True: stop there)."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    counts = {"files": 0, "dirs": 0, "bytes": 0}
    made_dirs: set[Path] = set()
    for file in files:
        if stopped():
            break
        path = root / file.rel
        parent = path.parent
        if parent not in made_dirs:
            for p in [parent, *parent.parents]:
                if p == root or p in made_dirs:
                    break
                if not p.exists():
                    counts["dirs"] += 1
                made_dirs.add(p)
            parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(file.data)
        if file.size > len(file.data):
            os.truncate(path, file.size)
        counts["files"] += 1
        counts["bytes"] += file.size
        if progress is not None and counts["files"] % 200 == 0:
            progress(counts["files"])
    return counts


def seed_tree(
    root: Path,
    *,
    projects: int = 4,
    small_files: int = 3000,
    large_files: int = 3,
    large_size: int = 50 * 2**20,
    many_files: int = 0,
    rng_seed: int = 0,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Fill ``root`` with project folders, small text files, sparse large files and,
    if ``many_files`` > 0, a ``big-folder/`` of that many empty files.

    Returns ``{"files": n, "dirs": n, "bytes": n}`` (bytes are apparent sizes).
    ``progress`` is called with the number of files written so far, every 200 files.
    """
    files = sample_files(
        projects=projects,
        small_files=small_files,
        large_files=large_files,
        large_size=large_size,
        rng_seed=rng_seed,
    )
    counts = write_files(root, files, progress)
    if many_files > 0:
        big_folder(Path(root) / BIG_FOLDER, many_files)
        counts["dirs"] += 1
        counts["files"] += many_files
    return counts


def big_folder(path: Path, entries: int, stopped: Callable[[], bool] = lambda: False) -> None:
    """A folder of ``entries`` empty files (``item-000000.txt`` …); ``stopped`` is asked
    every 500 files (True: stop there)."""
    path.mkdir(exist_ok=True)
    flags = os.O_CREAT | os.O_WRONLY
    for n in range(entries):
        if n % 500 == 0 and stopped():
            return
        os.close(os.open(path / f"item-{n:06d}.txt", flags, 0o644))
