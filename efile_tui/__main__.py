"""Allow ``python -m efile_tui``."""

from efile_tui.cli import main

raise SystemExit(main())
