"""Shared pieces of the benchmarks: a simulator on loopback, memory readings, RESULTS.md.

Every benchmark measures efile-tui and a naive baseline in the same run and reports both
with their ratio; ``write_section`` replaces that benchmark's section of ``RESULTS.md`` and
leaves the others as they are. Run a benchmark from the repository root, e.g.
``python bench/polling.py``; ``python bench/run_all.py`` runs them all.
"""

from __future__ import annotations

import datetime
import os
import platform
import re
import resource
import statistics
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "RESULTS.md"

# Measure the checkout, not whatever copy of the package is installed.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from efile_tui.sim.config import SimConfig  # noqa: E402
from efile_tui.sim.server import SimServer  # noqa: E402

LOAD_AT_START = os.getloadavg()[0]  # the machine's load when the benchmark started

HEADER = """# Benchmark results

Each figure is measured next to the baseline a competent engineer would write (a plain
`DataTable` with `update_cell(update_width=False)`, ids batched by 100, the same UI path),
and where it helps next to the floor (a minimal Textual app, or the bare Line-API table
with no app around it), in the same run, on the same machine. Where a figure has several
rounds it is shown as median (min–max). The ratio is efile-tui ÷ baseline everywhere (below 1:
efile-tui is cheaper). Regenerate one section with its command, or all
of them with `python bench/run_all.py`. Machines here are shared and noisy (the figures
below were taken on a 2-core machine with other jobs running): compare within a row.
"""


@dataclass
class Figure:
    """One measured quantity, efile-tui next to its baseline."""

    name: str
    value: float
    unit: str
    baseline: float | None = None
    target: str = ""
    met: bool | None = None
    runs: list[float] | None = None  # every round of the value, to show its noise
    base_runs: list[float] | None = None  # … and of the baseline

    @property
    def ratio(self) -> float | None:
        """efile-tui ÷ baseline (below 1: efile-tui is cheaper); None without a baseline."""
        if self.baseline is None:
            return None
        if self.baseline == 0:
            return float("inf") if self.value > 0 else 1.0
        return self.value / self.baseline


def fmt(number: float | None) -> str:
    """A number with sensible precision for a table cell."""
    if number is None:
        return "–"
    if number == float("inf"):
        return "∞"
    if number == int(number) and abs(number) >= 1:
        return f"{int(number):,}"
    if abs(number) >= 100:
        return f"{number:,.0f}"
    if abs(number) >= 1:
        return f"{number:.2f}"
    return f"{number:.3g}"


def table(figures: list[Figure]) -> str:
    """The figures as a Markdown table."""
    lines = [
        "| measure | efile-tui | naive baseline | efile-tui ÷ baseline | target | met |",
        "|---|---:|---:|---:|---|---|",
    ]
    for f in figures:
        ratio = f.ratio
        ratio_text = "–" if ratio is None else f"{fmt(ratio)}×"
        met = "–" if f.met is None else ("yes" if f.met else "**no**")
        value = f"{fmt(f.value)}{spread(f.runs)} {f.unit}"
        baseline = "–" if f.baseline is None else f"{fmt(f.baseline)}{spread(f.base_runs)} {f.unit}"
        lines.append(
            f"| {f.name} | {value} | {baseline} | {ratio_text} | {f.target or '–'} | {met} |"
        )
    if any(f.runs or f.base_runs for f in figures):
        lines.append("")
        lines.append("Where a cell shows a range, it is the median (min–max) over the rounds.")
    return "\n".join(lines)


def spread(runs: list[float] | None) -> str:
    """`` (min–max)`` of several rounds, or nothing for fewer than two."""
    if not runs or len(runs) < 2:
        return ""
    return f" ({fmt(min(runs))}–{fmt(max(runs))})"


def machine() -> str:
    """One line describing where the figures were measured."""
    cpus = os.cpu_count() or 0
    system = f"{platform.system()} {platform.machine()}"
    return f"{system}, {cpus} CPUs, Python {platform.python_version()}"


def write_section(
    key: str, title: str, command: str, figures: list[Figure], notes: str = ""
) -> str:
    """Print the figures and put them into ``RESULTS.md`` under ``key``; return the text."""
    notes = notes.strip()
    return write_text_section(
        key, title, command, table(figures) + "\n" + (f"\n{notes}\n" if notes else "")
    )


def write_text_section(key: str, title: str, command: str, text: str) -> str:
    """Print ``text`` under a dated heading and put it into ``RESULTS.md`` under ``key``."""
    today = datetime.date.today().isoformat()
    now = os.getloadavg()[0]
    load = f"Load average (1 min) {LOAD_AT_START:.1f} when it started, {now:.1f} at the end."
    body = f"## {title}\n\nMeasured {today} on {machine()} with `{command}`. {load}\n\n{text}"
    print(body)
    start, end = f"<!-- bench:{key} -->", f"<!-- /bench:{key} -->"
    block = f"{start}\n{body}{end}"
    current = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else HEADER
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    if pattern.search(current):
        current = pattern.sub(lambda _m: block, current)
    else:
        current = current.rstrip("\n") + "\n\n" + block + "\n"
    RESULTS.write_text(current, encoding="utf-8")
    return body


@contextmanager
def simulator(**config: Any) -> Iterator[SimServer]:
    """A simulator on 127.0.0.1 over a fresh, empty temporary home (``config`` → SimConfig)."""
    with tempfile.TemporaryDirectory(prefix="efile-bench-") as tmp:
        root = Path(tmp) / "home"
        root.mkdir()
        server = SimServer(SimConfig(root=root, **config)).start()
        try:
            yield server
        finally:
            server.stop()


def peak_rss_mb(pid: int | None = None) -> float:
    """Peak resident memory so far of this process (or of the running process ``pid``), in MB.

    On Linux this is VmHWM: getrusage's ru_maxrss survives exec, so a child started by a
    larger parent would report the parent's size (the memory benchmark's children did)."""
    try:
        for line in Path(f"/proc/{pid or 'self'}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        if pid is not None:
            raise
    if pid is not None:
        return 0.0
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kib / 1024 if sys.platform != "darwin" else kib / 2**20


def current_rss_mb() -> float:
    """Resident memory of this process now, in MB."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except OSError:
        return peak_rss_mb()
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def compile_checkout() -> None:
    """Compile the checkout's modules, as ``pip install`` does for an installed copy: a
    start-up figure then measures what a user runs, not a first run's compiling (an
    environment with PYTHONDONTWRITEBYTECODE, which spawned processes inherit, would
    otherwise compile about 90 modules on every start)."""
    import compileall

    compileall.compile_dir(ROOT / "efile_tui", quiet=1)


def median(values: list[float]) -> float:
    """The median of a non-empty list."""
    return statistics.median(values)
