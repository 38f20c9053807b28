"""``python -m efile_tui.sim``: run the simulator stand-alone."""

from __future__ import annotations

import argparse
import sys

from efile_tui.sim import cli


def main(argv: list[str] | None = None) -> int:
    """Parse the simulator options and serve until interrupted."""
    parser = argparse.ArgumentParser(
        prog="python -m efile_tui.sim", description="Local simulator of the SCNet efile service."
    )
    cli.add_arguments(parser)
    return cli.run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
