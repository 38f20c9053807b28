"""efile-tui: a terminal task manager for the SCNet efile service."""

import sys

__version__ = "0.1.0"

# httpx imports its own command-line client (Rich, Pygments, Click: ~80 ms) when it is
# imported, only to offer ``httpx.main``, which nothing here runs. Marking that module
# absent before httpx is first imported makes httpx skip it (it catches the ImportError).
if "httpx" not in sys.modules:
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
