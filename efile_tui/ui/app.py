"""The Textual application: a thin shell around the main screen.

It owns the clipboard (OSC 52, wrapped for tmux), the command palette entries, the
hang-up handling (SIGHUP/SIGTERM or a vanished terminal end the app within 2 s and stop
polling; the terminal checks are in ``ui.hangup``) and the fatal-error policy. Building
and running it from the command line is ``ui.launch``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from textual import work
from textual.app import App, SystemCommand
from textual.notifications import SeverityLevel
from textual.screen import Screen

from efile_tui import gcpause
from efile_tui.api.errors import EfileError
from efile_tui.config import DEFAULT_POLL_INTERVAL
from efile_tui.core.operations import Context
from efile_tui.core.session import Connection
from efile_tui.core.taskrow import bulk_load
from efile_tui.core.text import clean
from efile_tui.glyphs import ASCII, current
from efile_tui.i18n import N_, _, shown
from efile_tui.store.audit import AuditLog
from efile_tui.store.journal import Journal
from efile_tui.ui.first_frame import FirstFrame
from efile_tui.ui.hangup import (
    EXIT_GRACE,
    EXIT_HANGUP,
    WATCHDOG_PERIOD,
    forced_exit,
    terminal_fds,
    terminal_gone,
)
from efile_tui.ui.messages import CopyText, LoginNeeded
from efile_tui.ui.modals.notifications import NotesKeeper
from efile_tui.ui.screens.main import MainScreen
from efile_tui.ui.themes import THEMES
from efile_tui.ui.widgets.task_pane import TaskPane

if TYPE_CHECKING:
    from efile_tui.ui.modals.login import LoginAttempt

UI_SWITCH_INTERVAL = 0.001  # seconds; see EfileApp.on_mount


class EfileApp(NotesKeeper, FirstFrame, App[int]):
    """efile-tui: browse paths, delete, watch and cancel file tasks."""

    TITLE = "efile-tui"
    CSS_PATH = "app.tcss"
    ENABLE_COMMAND_PALETTE = True
    # Every screen under 24 rows (60x15 included) has the class -short: app.tcss gives its
    # dialogs one-line buttons there, so their labels stay on screen.
    VERTICAL_BREAKPOINTS = [(0, "-short"), (24, "-tall")]

    def __init__(
        self,
        ctx: Context | None,
        *,
        endpoint: str = "",
        home: str = "/",
        deny_paths: Sequence[str] = (),
        walk_budget: float | None = None,
        interval: float | None = None,
        bell: bool = False,
        login: LoginAttempt | None = None,
        login_defaults: dict[str, str] | None = None,
        state: tuple[Journal, AuditLog] | None = None,
    ) -> None:
        super().__init__()
        self.notes = []
        self.ctx = ctx
        self.interval_flag = interval  # --interval, which beats the profile's poll_interval
        self._main_args: dict[str, object] = {
            "endpoint": endpoint,
            "home": home,
            "deny_paths": deny_paths,
            "walk_budget": walk_budget,
            "interval": interval or DEFAULT_POLL_INTERVAL,
            "bell": bell,
        }
        self.login = login
        self.login_defaults = login_defaults or {}
        self.local_state = state  # journal and audit log, closed by close_app
        self.first_frame_up = asyncio.Event()  # the journal is read once it is set
        self._tty_fds: list[int] = []
        self.hangup_reason: str | None = None  # why the app was ended by a hang-up
        self.copied: list[str] = []  # what was copied, for tests and the fallback screen
        self.switch_interval_before = sys.getswitchinterval()  # given back on unmount
        for theme in THEMES:
            self.register_theme(theme)
        # 16 colours (TERM=xterm, PuTTY's default): the terminal's own palette, so the
        # focused pane is cyan and an error is red, instead of the nearest of 16 to each.
        # Chosen before the app runs: its style sheet is read once, with these colours.
        sixteen = self.console.color_system in ("standard", "windows")
        self.theme = "efile-ansi" if sixteen else "efile-dark"

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Show a toast, kept for the notification history (``N``); always literal text,
        never markup: messages often carry server text."""
        message, title = clean(message, keep_newlines=True), clean(title)
        self.keep_note(message, title, severity)
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def on_mount(self) -> None:
        # Worker threads (reading the journal, sorting 100,000 rows) share the interpreter
        # with the UI thread. By default a thread that gave the interpreter up (any system
        # call) may wait 5 ms to get it back, and those waits added up to 200 ms without an
        # answer to a key while a large journal loaded; at 1 ms they stay under 100 ms.
        sys.setswitchinterval(UI_SWITCH_INTERVAL)
        self.set_class(current() is ASCII, "-ascii")
        self._install_hangup_handlers()
        self.call_after_refresh(self.on_first_frame)  # before the journal's reading starts
        if self.local_state is not None:
            self.call_after_refresh(self.open_journal, self.local_state[0])
        if self.ctx is not None:
            self.push_screen(MainScreen(self.ctx, **self._main_args))  # type: ignore[arg-type]
        else:
            self.ask_login(_("No usable token: log in to continue."), first=True)

    def on_first_frame(self) -> None:
        """The first frame is up: the journal may be read now. If start-up ran without
        garbage collection (``efile-tui`` starts so), what it made lives as long as the app:
        it is left out of later collections and collection resumes (once no journal read
        holds it paused)."""
        gcpause.resume()
        self.first_frame_up.set()

    @work(group="journal-open", exit_on_error=False)
    async def open_journal(self, journal: Journal) -> None:
        """Read the journal in a thread once the first frame is up (its safety checks ran
        before the app started), turn dead processes' submits into "outcome unknown", and
        say what was wrong with its files. Whoever needs it first waits for it meanwhile."""

        def read() -> None:
            with bulk_load():  # a large journal is read without pausing for garbage collection
                journal.load()
            journal.reap_orphaned_submits()

        await asyncio.to_thread(read)
        for problem in journal.problems:
            self.notify(shown(problem), severity="warning", timeout=30, markup=False)

    # -- login -------------------------------------------------------------------------

    def on_unmount(self) -> None:
        sys.setswitchinterval(self.switch_interval_before)

    def on_login_needed(self, message: LoginNeeded) -> None:
        """A poll found the token refused: ask for a new login."""
        self.ask_login(message.reason)

    def ask_login(self, reason: str, *, first: bool = False) -> None:
        """Show the login form; after a login the main screen starts or resumes polling."""
        from efile_tui.ui.modals.login import LoginScreen

        if self.login is None or isinstance(self.screen, LoginScreen):
            return
        d = self.login_defaults
        screen = LoginScreen(
            self.login,
            platform_url=d.get("platform", ""),
            user=d.get("user", ""),
            org_id=d.get("org", ""),
            reason=reason,
        )
        self.push_screen(screen, self._first_login if first else self._relogin)

    def _first_login(self, conn: Connection | None) -> None:
        if conn is None or self.local_state is None:
            self.exit(4, message=_("efile-tui: not logged in"))
            return
        journal, audit = self.local_state
        self.ctx = conn.context(conn.client(), journal, audit)
        self._main_args.update(connection_args(conn, self.interval_flag))
        self.push_screen(MainScreen(self.ctx, **self._main_args))  # type: ignore[arg-type]

    def _relogin(self, conn: Connection | None) -> None:
        """The table, marks and path stay; only the credential changes."""
        if conn is None or self.ctx is None:
            return
        self.ctx.client.use_token(conn.token, conn.renew)
        self.notify(_("Logged in again; polling resumes"))
        self.main.poll_now()

    @property
    def main(self) -> MainScreen:
        """The main screen (below any modal)."""
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                return screen
        raise LookupError("main screen not mounted")

    # -- clipboard ---------------------------------------------------------------------

    def on_copy_text(self, message: CopyText) -> None:
        self.copy_text(message.text, message.label)

    def copy_text(self, text: str, label: str) -> None:
        """Copy with OSC 52 (under tmux also through tmux's own buffer, which passes it
        on to the outer terminal) and show it as a fallback."""
        self.copied.append(text)
        if not self.is_headless:
            self.copy_to_clipboard(text)
            if os.environ.get("TMUX"):
                self.tmux_copy(text)
        self.notify(
            _(
                "Copied {what} to the clipboard (OSC 52). If your terminal ignores OSC 52, "
                "press ctrl+p → '{command}'."
            ).format(what=label, command=_("Show last copied text")),
            timeout=4,
        )

    @work(thread=True, group="clipboard", exit_on_error=False)
    def tmux_copy(self, text: str) -> None:
        """Put ``text`` in tmux's buffer and the outer terminal's clipboard (``-w``)."""
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            command = ["tmux", "load-buffer", "-w", "-"]
            subprocess.run(
                command, input=text.encode(), timeout=5, check=False, capture_output=True
            )

    def action_show_copied(self) -> None:
        """Show the last copied text so it can be selected by hand."""
        from efile_tui.ui.modals.misc import TextScreen

        text = self.copied[-1] if self.copied else _("(nothing copied yet)")
        self.push_screen(TextScreen(_("Last copied text"), text))

    # -- command palette ---------------------------------------------------------------

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        main = next((s for s in self.screen_stack if isinstance(s, MainScreen)), None)
        if main is None:
            return
        pane = main.path_pane
        table = main.table
        commands = [
            (
                N_("Delete marked paths"),
                N_("Delete the marked paths (with preview)"),
                pane.action_delete,
            ),
            (
                N_("Copy marked paths…"),
                N_("Copy marked paths into a folder"),
                pane.action_copy_marked,
            ),
            (
                N_("Move marked paths…"),
                N_("Move marked paths into a folder"),
                pane.action_move_marked,
            ),
            (
                N_("Cancel marked tasks"),
                N_("Cancel the marked running tasks"),
                table.action_cancel_marked,
            ),
            (
                N_("Mark all visible tasks"),
                N_("Mark every task matching the filter"),
                table.action_mark_all,
            ),
            (
                N_("Invert task marks"),
                N_("Invert marks of tasks matching the filter"),
                table.action_invert_marks,
            ),
            (N_("Clear task marks"), N_("Unmark every task"), table.action_clear_marks),
            (N_("Pause / resume polling"), N_("Toggle polling"), main.action_toggle_pause),
            (N_("Refresh now"), N_("Reload the journal and poll"), main.action_refresh_now),
            (N_("Poll slower"), N_("Longer poll interval"), lambda: main.action_interval(1)),
            (N_("Poll faster"), N_("Shorter poll interval"), lambda: main.action_interval(-1)),
            (N_("Show/hide old tasks"), N_("Tasks finished over 24 h ago"), main.action_toggle_old),
            (N_("Import task ids…"), N_("Track tasks started elsewhere"), main.action_import_ids),
            (
                N_("Audit log"),
                N_("Every submit and cancel from this machine"),
                lambda: main.action_show_log(),
            ),
            (N_("Sort tasks"), N_("Cycle the task sort column"), table.action_cycle_sort),
            (
                N_("Filter tasks by status"),
                N_("Cycle the status filter"),
                main.query_one(TaskPane).action_cycle_status,
            ),
            (
                N_("Show last copied text"),
                N_("Fallback when OSC 52 is not supported"),
                self.action_show_copied,
            ),
            (N_("Help"), N_("All keys"), main.action_help),
        ]
        for title, help_text, callback in commands:
            yield SystemCommand(_(title), _(help_text), callback)

    # -- hang-up handling ----------------------------------------------------------------

    def _install_hangup_handlers(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGHUP, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, self.hang_up, sig.name)
        self._tty_fds = [] if self.is_headless else terminal_fds()
        if self._tty_fds:
            self.set_interval(WATCHDOG_PERIOD, self._check_terminal)

    def _check_terminal(self) -> None:
        """Quit when the terminal has gone (dropped SSH link, closed tmux pane), even if no
        SIGHUP arrived. Being re-parented to PID 1 says nothing: in a container it is normal."""
        if terminal_gone(self._tty_fds):
            self.hang_up("terminal gone")

    def hang_up(self, why: str) -> None:
        """Stop polling, record the hang-up in the audit log and exit now; a watchdog ends
        the process if the shutdown stalls (a hung-up terminal can make it slow)."""
        if self.hangup_reason:
            return  # SIGHUP and the watchdog may both see the same hang-up
        self.hangup_reason = why
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                screen.poller.stop()
            self.workers.cancel_node(screen)
        if self.local_state is not None:
            with contextlib.suppress(OSError, EfileError):  # the exit goes on regardless
                self.local_state[1].record("hangup", why=why, exit=EXIT_HANGUP)
        timer = threading.Timer(EXIT_GRACE, forced_exit, (why,))
        timer.daemon = True
        timer.start()
        # On a terminal that has gone, writing the message would fail (EIO).
        gone = not self._tty_fds or terminal_gone(self._tty_fds)
        self.exit(
            EXIT_HANGUP, message=None if gone else _("efile-tui: exiting ({why})").format(why=why)
        )


def connection_args(conn: Connection, interval: float | None) -> dict[str, object]:
    """The main screen's settings from a connection (its profile's deny list and interval)."""
    return {
        "endpoint": conn.label,
        "home": conn.home or "/",
        "deny_paths": conn.deny_paths,
        "walk_budget": conn.walk_budget,
        "interval": interval or conn.poll_interval,
        "bell": conn.bell,
    }
