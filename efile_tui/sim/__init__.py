"""Local simulator of the SCNet efile service (platform + efile endpoints, task engine, faults).

Public entry points: ``config.SimConfig`` / ``config.Faults``, ``server.SimServer``,
``seed.seed_tree`` and ``cli`` (``add_arguments`` / ``run``). Imports nothing from the rest
of ``efile_tui``.
"""
