"""Build the real app against a simulator on loopback, for Pilot tests and screenshots."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from textual import events
from textual.app import App

from efile_tui import i18n
from efile_tui.api.client import EfileClient
from efile_tui.core.operations import Context
from efile_tui.store.audit import AuditLog
from efile_tui.store.journal import Journal
from efile_tui.ui.app import EfileApp

HOME = "/public/home/demo"
_CHARACTERS = {"slash": "/", "space": " ", "enter": "\r", "escape": "\x1b"}


def use_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chinese as a Chinese operator's login node chooses it: ``LANG=zh_CN.UTF-8`` (the
    locale need not be installed), no ``EFILE_TUI_LANG``."""
    monkeypatch.delenv("EFILE_TUI_LANG", raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    i18n.setup()
    assert i18n.current() == "zh_CN"


def queue_keys(app: App[object], *keys: str) -> None:
    """Post key presses all at once, before any is handled: a burst (fast typing, a paste,
    tmux). Keys by Textual's names (``slash``, ``enter``, ``down``, ``a``)."""
    for key in keys:
        character = _CHARACTERS.get(key, key if len(key) == 1 else None)
        app.post_message(events.Key(key, character))


def build_app(
    url: str,
    token: str,
    state: Path,
    *,
    interval: float = 0.3,
    deny: tuple[str, ...] = (),
    **client_kw: object,
) -> EfileApp:
    """An EfileApp with its own journal and audit log under ``state``."""
    client = EfileClient(url, token, **client_kw)  # type: ignore[arg-type]
    ctx = Context(
        client=client,
        journal=Journal(state / "journal"),
        audit=AuditLog(state / "audit"),
        profile=None,
        region=None,
    )
    return EfileApp(
        ctx, endpoint="demo@simulated-region", home=HOME, deny_paths=deny, interval=interval
    )


async def wait_until(
    pilot: object, predicate: Callable[[], object], timeout: float = 15.0, what: str = "condition"
) -> object:
    """Let the app run until ``predicate()`` is truthy (no fixed sleeps)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        await pilot.pause(0.05)  # type: ignore[attr-defined]
    raise AssertionError(f"timed out waiting for {what}")
