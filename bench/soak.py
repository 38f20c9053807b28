"""Soak: the real TUI, headless, through every fault at once; the report goes to RESULTS.md.

The run itself is ``tests/soak/driver.py`` (the test suite runs the same soak, so CI does
too). Faults: 500 ms latency, 10 % HTTP 503, 5 % dropped connections, 2 % malformed
bodies, ``911048`` above 20 requests/s (another client on the account sends bursts so the
limit is really reached), one token expiry and one simulator restart mid-run. The TUI
submits 1,000 deletes in batches of 100 and cancels 200 of them with ``c``.

    python bench/soak.py [--deletes N] [--cancel N] [--seed N]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

import common

from tests.soak.driver import SoakParams, run_soak


def main() -> int:
    """Run the soak once and record its report; exit 1 if a required zero is not zero."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deletes", type=int, default=1000)
    parser.add_argument("--cancel", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    params = SoakParams(deletes=args.deletes, cancel=args.cancel, seed=args.seed)
    with tempfile.TemporaryDirectory(prefix="efile-soak-") as tmp:
        report = asyncio.run(run_soak(params, Path(tmp)))
    rows = "\n".join(f"| {k} | {v} |" for k, v in report.lines())
    verdict = (
        "All required zeros are zero."
        if not report.problems
        else ("**Problems:** " + "; ".join(report.problems))
    )
    common.write_text_section(
        "soak",
        "Soak with every fault at once",
        "python bench/soak.py",
        f"| measure | result |\n|---|---|\n{rows}\n\n{verdict}\n",
    )
    return 1 if report.problems else 0


if __name__ == "__main__":
    sys.exit(main())
