"""efile-tui: a terminal task manager for the SCNet efile service."""

__version__ = "0.1.0"
