"""Run every benchmark (and the soak), each in its own process, refreshing RESULTS.md.

    python bench/run_all.py [NAME ...]     # e.g. python bench/run_all.py polling cancel

Exit status is 1 if any script failed.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ORDER = ["polling", "table", "startup", "cancel", "bigfolder", "memory", "bulk", "soak"]


def main(names: list[str]) -> int:
    """Run the named scripts (all by default) one after another; report each one's time."""
    failed = []
    for name in names or ORDER:
        started = time.monotonic()
        code = subprocess.call([sys.executable, str(BENCH / f"{name}.py")], cwd=BENCH.parent)
        took = time.monotonic() - started
        print(f"--- {name}: exit {code} in {took:.0f} s", file=sys.stderr)
        if code:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
