"""Create a realistic sample home directory for demos and tests."""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from pathlib import Path

PROJECT_NAMES = ("climate", "genomics", "cfd", "ml-train", "astro", "materials", "seismic")
LOG_LEVELS = ("INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR")


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
    rng = random.Random(rng_seed)
    pools = {k: [_text(rng, k) for _ in range(POOL_SIZE)] for k in ("log", "csv", "dat")}

    def body(kind: str, index: int) -> bytes:
        return f"# {kind} block {index}\n".encode() + rng.choice(pools[kind])

    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    counts = {"files": 0, "dirs": 0, "bytes": 0}
    made_dirs: set[Path] = set()

    def write(path: Path, data: bytes) -> None:
        parent = path.parent
        if parent not in made_dirs:
            for p in [parent, *parent.parents]:
                if p == root or p in made_dirs:
                    break
                if not p.exists():
                    counts["dirs"] += 1
                made_dirs.add(p)
            parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        counts["files"] += 1
        counts["bytes"] += len(data)
        if progress is not None and counts["files"] % 200 == 0:
            progress(counts["files"])

    names = [
        f"proj-{PROJECT_NAMES[i % len(PROJECT_NAMES)]}"
        + (f"-{i // len(PROJECT_NAMES)}" if i >= len(PROJECT_NAMES) else "")
        for i in range(max(1, projects))
    ]
    write(root / "README.txt", b"Sample home directory created by the efile simulator.\n")
    per_project = small_files // len(names)
    for p, name in enumerate(names):
        project = root / name
        budget = per_project + (small_files % len(names) if p == 0 else 0)
        run = rng.randint(1, 20)
        while budget > 0:
            run_dir = project / f"run-{run:04d}"
            steps = min(budget, rng.randint(20, 120))
            for step in range(steps):
                if step % 10 == 9:
                    write(run_dir / "logs" / f"rank-{step // 10:03d}.log", body("log", step))
                elif step % 10 == 4:
                    write(run_dir / "output" / f"stats-{step:05d}.csv", body("csv", step))
                else:
                    write(run_dir / "output" / f"step-{step:05d}.dat", body("dat", step))
            budget -= steps
            run += rng.randint(1, 5)
        scratch = project / "scratch" / f"tmp-{rng.getrandbits(24):06x}"
        write(scratch / "core.txt", b"scratch data\n")
    for n in range(large_files):
        path = root / names[n % len(names)] / "checkpoints" / f"ckpt-{n:04d}.pt"
        write(path, b"")
        with open(path, "r+b") as fh:
            fh.truncate(large_size)  # sparse: fast to create, large to copy
        counts["bytes"] += large_size
    if many_files > 0:
        big_folder(root / "big-folder", many_files)
        counts["dirs"] += 1
        counts["files"] += many_files
    return counts


def big_folder(path: Path, entries: int) -> None:
    """A folder of ``entries`` empty files (``item-000000.txt`` …)."""
    path.mkdir(exist_ok=True)
    flags = os.O_CREAT | os.O_WRONLY
    for n in range(entries):
        os.close(os.open(path / f"item-{n:06d}.txt", flags, 0o644))


def seed_staged(root: Path, staging: Path, *, many_files: int = 0, small_files: int = 3000) -> None:
    """Seed ``root`` without a half-written folder ever showing in it: the sample tree is
    written under ``staging`` (same file system) and each top-level entry is renamed into
    ``root`` whole; then the big folder, likewise. Prints ``tree`` and ``big`` (one line
    each, flushed, after ``files N`` progress lines) as each part is in place: the
    protocol of ``efile-tui demo``'s seeding process."""
    root, staging = Path(root), Path(staging)
    small = staging / "tree"
    counts = seed_tree(
        small, small_files=small_files, progress=lambda n: print("files", n, flush=True)
    )
    for entry in sorted(small.iterdir()):
        os.replace(entry, root / entry.name)
    print("tree", counts["files"], flush=True)
    if many_files > 0:
        big_folder(staging / "big-folder", many_files)
        os.replace(staging / "big-folder", root / "big-folder")
    print("big", many_files, flush=True)


if __name__ == "__main__":  # python -m efile_tui.sim.seed ROOT STAGING BIG_FOLDER_ENTRIES
    import sys

    seed_staged(Path(sys.argv[1]), Path(sys.argv[2]), many_files=int(sys.argv[3]))
