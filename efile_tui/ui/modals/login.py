"""The login form: shown when no token is usable, and when renewal has become impossible."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from efile_tui.api.errors import EfileError
from efile_tui.core import cells
from efile_tui.core.login_steps import LoginRequest
from efile_tui.core.session import Connection
from efile_tui.core.text import clean, literal
from efile_tui.i18n import N_, _
from efile_tui.ui.widgets.keybar import KeyBar

LoginAttempt = Callable[[LoginRequest], Awaitable[Connection]]


class LoginScreen(ModalScreen[Connection | None]):
    """User, organisation and password; returns the new connection (None: gave up).

    A failed attempt shows the reason and keeps every field except the password.
    """

    DEFAULT_CSS = """
    LoginScreen { align: center middle; }
    LoginScreen > Vertical {
        width: 80; max-width: 95%; height: auto;
        border: thick $primary 60%; background: $surface; padding: 0 1;
    }
    LoginScreen .title { text-style: bold; padding: 0 0 1 0; }
    LoginScreen #login-error { color: $error; height: auto; }
    LoginScreen Horizontal { height: auto; }
    LoginScreen #login-buttons { align-horizontal: right; }
    LoginScreen Horizontal > Input { width: 1fr; }
    LoginScreen .field-name { padding: 1 1 0 0; color: $text-muted; }
    LoginScreen.-short .field-name { padding: 0 1 0 0; }
    LoginScreen Button { margin: 0 0 0 2; }
    """
    # Each field's name stays beside it: a filled-in field shows no placeholder.
    FIELDS = (
        ("platform", N_("platform URL")),
        ("user", N_("user name")),
        ("org", N_("organisation id (orgId)")),
        ("password", N_("password")),
    )
    BINDINGS = [Binding("escape", "dismiss(None)", N_("Back"))]

    def __init__(
        self,
        attempt: LoginAttempt,
        *,
        platform_url: str,
        user: str = "",
        org_id: str = "",
        reason: str = "",
    ) -> None:
        super().__init__()
        self.attempt = attempt
        # Read from the config file: shown cleaned, like any text this program did not write.
        self.defaults = {"platform": clean(platform_url), "user": clean(user), "org": clean(org_id)}
        self.reason = reason

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(_("Log in to SCNet"), classes="title")
            if self.reason:
                yield Static(literal(self.reason, keep_newlines=True))
            names = {key: _(name) for key, name in self.FIELDS}
            name_cells = max(cells.width(name) for name in names.values()) + 1
            for key, name in names.items():
                with Horizontal():
                    label = Label(name, classes="field-name")
                    label.styles.width = name_cells
                    yield label
                    yield Input(
                        self.defaults.get(key, ""),
                        placeholder=name,
                        password=key == "password",
                        id=key,
                    )
            yield Static("", id="login-error")
            with Horizontal(id="login-buttons"):
                yield Button(_("Quit"), id="quit")
                yield Button(_("Log in"), id="login", variant="primary")
        yield KeyBar(dialog=True)

    def on_mount(self) -> None:
        empty = next((i for i in self.query(Input) if not i.value), None)
        (empty or self.query_one("#password", Input)).focus()

    def on_input_submitted(self) -> None:
        self.submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "login":
            self.submit()
        else:
            self.dismiss(None)

    def submit(self) -> None:
        """Check the fields, then try to log in in a worker."""
        values = {i.id: i.value.strip() for i in self.query(Input) if i.id}
        missing = [k for k in ("platform", "user", "org", "password") if not values[k]]
        if missing:
            names = {"platform": N_("platform"), "user": N_("user"), "org": N_("org")}
            shown = ", ".join(_(names.get(k, k)) for k in missing)
            self.query_one("#login-error", Static).update(
                _("Missing: {fields}").format(fields=shown)
            )
            self.query_one(f"#{missing[0]}", Input).focus()
            return
        request = LoginRequest(
            platform_url=values["platform"],
            method="password",
            user=values["user"],
            org_id=values["org"],
            secret=self.query_one("#password", Input).value,
        )
        self.query_one("#login", Button).disabled = True
        self.query_one("#login-error", Static).update(_("Logging in…"))
        self.run_login(request)

    @work(exclusive=True, exit_on_error=False)
    async def run_login(self, request: LoginRequest) -> None:
        """Call the login; on failure say why and let the user try again."""
        try:
            connection = await self.attempt(request)
        except EfileError as exc:
            self.query_one("#login-error", Static).update(literal(exc, keep_newlines=True))
            password = self.query_one("#password", Input)
            password.value = ""
            password.focus()
            self.query_one("#login", Button).disabled = False
            return
        self.dismiss(connection)
