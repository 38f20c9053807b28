"""The token store: keyring policy, file store permissions, timeouts, remembered logins."""

from __future__ import annotations

import contextlib
import json
import os
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backend
import keyring.core
import keyring.errors
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null
from keyrings.alt.file import PlaintextKeyring

from efile_tui.cli.auth_status import describe_backends
from efile_tui.cli.common import EXIT_AUTH, error_exit_code
from efile_tui.store.keyring_backends import KeyringTimeout, NoUsableKeyring, explain_no_keyring
from efile_tui.store.token_file import TokenFileError, token_dir
from efile_tui.store.tokens import SERVICE, RememberedLogin, TokenStore

TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyIjoiZGVtbyJ9.c2lnbmF0dXJlLXRlc3Q"

_TEST_BACKENDS_ON = False


def _test_priority(value: float) -> float:
    # Test backends are registered globally by keyring's metaclass; they must never win
    # keyring's own auto-detection in another test, so they are "not viable" outside a fixture.
    if not _TEST_BACKENDS_ON:
        raise RuntimeError("test backend (only inside a test)")
    return value


class _ClassPriority:
    """A class-level ``priority`` that raises outside tests (like a non-viable backend)."""

    def __init__(self, value: float) -> None:
        self.value = value

    def __get__(self, obj: object, owner: type) -> float:
        return _test_priority(self.value)


class MemoryKeyring(KeyringBackend):
    """A keyring in a dict: a secure backend for tests."""

    priority = _ClassPriority(1.5)

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}
        self.calls: list[str] = []

    def get_password(self, service: str, username: str) -> str | None:
        self.calls.append(f"get {username}")
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.calls.append(f"set {username}")
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.calls.append(f"delete {username}")
        if (service, username) not in self.items:
            raise keyring.errors.PasswordDeleteError("not found")
        del self.items[(service, username)]


class SlowKeyring(MemoryKeyring):
    """Blocks like a locked Secret Service with no prompter, until released."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def get_password(self, service: str, username: str) -> str | None:
        self.release.wait(10)
        return None

    set_password = get_password  # type: ignore[assignment]


class LockedKeyring(MemoryKeyring):
    """Fails like a Secret Service whose collection cannot be unlocked."""

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("Failed to unlock the collection!")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.KeyringLocked(f"cannot store {password}")


class FakeEncryptedKeyring(MemoryKeyring):
    """Stands for keyrings.alt EncryptedKeyring: its first use would call getpass."""

    priority = _ClassPriority(0.6)

    def get_password(self, service: str, username: str) -> str | None:
        raise AssertionError("a prompting backend was called")


@contextlib.contextmanager
def keyring_sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Temp XDG dirs and HOME; no keyring choice, no D-Bus, no EFILE_* from the caller;
    the process-wide keyring backend is restored afterwards."""
    for var in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME"):
        monkeypatch.setenv(var, str(tmp_path / var.lower()))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for var in (
        "PYTHON_KEYRING_BACKEND",
        "DBUS_SESSION_BUS_ADDRESS",
        "EFILE_TOKEN",
        "EFILE_URL",
        "EFILE_HOME",
        "EFILE_PROFILE",
        "EFILE_PLATFORM_URL",
    ):
        monkeypatch.delenv(var, raising=False)
    global _TEST_BACKENDS_ON
    previous = keyring.core._keyring_backend
    keyring.backend.get_all_keyring()  # cached now, while the test backends are not viable
    _TEST_BACKENDS_ON = True
    try:
        yield tmp_path
    finally:
        _TEST_BACKENDS_ON = False
        keyring.core._keyring_backend = previous


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    with keyring_sandbox(tmp_path, monkeypatch) as path:
        yield path


def use(backend: KeyringBackend) -> KeyringBackend:
    keyring.set_keyring(backend)
    return backend


@pytest.fixture
def memory() -> MemoryKeyring:
    backend = MemoryKeyring()
    use(backend)
    return backend


def files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


# -- keyring: store, load, delete ----------------------------------------------------------


def test_store_load_delete_in_keyring(memory: MemoryKeyring) -> None:
    store = TokenStore()
    outcome = store.set("default", TOKEN)
    assert outcome.location == "keyring (MemoryKeyring)"
    assert outcome.warning is None
    assert memory.items == {(SERVICE, "default"): TOKEN}
    assert store.get("default") == (TOKEN, "keyring (MemoryKeyring)")
    assert store.get("other") == (None, "keyring (MemoryKeyring)")
    assert store.delete("default") == ["keyring (MemoryKeyring)"]
    assert store.get("default")[0] is None
    assert store.delete("default") == []


def test_profiles_are_separate_entries(memory: MemoryKeyring) -> None:
    store = TokenStore()
    store.set("a", "token-a")
    store.set("b", "token-b")
    assert store.get("a")[0] == "token-a"
    assert store.get("b")[0] == "token-b"
    assert set(memory.items) == {(SERVICE, "a"), (SERVICE, "b")}


def test_keyring_mode_never_writes_a_file(memory: MemoryKeyring, isolated: Path) -> None:
    TokenStore().set("default", TOKEN)
    assert files_under(isolated) == []


# -- fallback policy -----------------------------------------------------------------------


def test_fail_backend_explains_and_exits_4(isolated: Path) -> None:
    use(fail.Keyring())
    store = TokenStore()
    with pytest.raises(NoUsableKeyring) as caught:
        store.set("default", TOKEN)
    message = str(caught.value)
    assert "no Secret Service" in message
    assert "dbus-run-session" in message and "gnome-keyring-daemon --unlock" in message
    assert "apt install gnome-keyring dbus" in message
    assert "read -rs EFILE_TOKEN" in message
    assert "efile-tui login --token-store file" in message
    assert TOKEN not in message
    assert error_exit_code(caught.value) == EXIT_AUTH
    with pytest.raises(NoUsableKeyring):
        store.get("default")
    assert files_under(isolated) == []  # never silently falls back to a file


def test_explanation_fits_one_screen() -> None:
    text = explain_no_keyring("keyring found no backend it can use.")
    lines = text.splitlines()
    assert len(lines) <= 30
    assert max(len(line) for line in lines if str(token_dir()) not in line) <= 100


def test_null_backend_is_no_keyring() -> None:
    use(null.Keyring())
    with pytest.raises(NoUsableKeyring, match="stores nothing"):
        TokenStore().set("default", TOKEN)


def test_plaintext_backend_not_used_silently(isolated: Path) -> None:
    backend = PlaintextKeyring()
    backend.file_path = str(isolated / "keyring_pass.cfg")
    use(backend)
    with pytest.raises(NoUsableKeyring) as caught:
        TokenStore().set("default", TOKEN)
    assert "PlaintextKeyring" in caught.value.problem
    assert "PYTHON_KEYRING_BACKEND=keyrings.alt.file.PlaintextKeyring" in caught.value.problem
    assert not (isolated / "keyring_pass.cfg").exists()


def test_plaintext_backend_allowed_when_chosen_with_env(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    backend = PlaintextKeyring()
    backend.file_path = str(isolated / "keyring_pass.cfg")
    use(backend)
    outcome = TokenStore().set("default", TOKEN)
    assert outcome.location == "keyring (PlaintextKeyring)"
    assert outcome.warning and "plain text" in outcome.warning
    assert TokenStore().get("default")[0] == TOKEN
    report = TokenStore().diagnose()
    assert report.explicit and report.usable and report.chosen_by == "PYTHON_KEYRING_BACKEND"


def test_plaintext_backend_allowed_when_chosen_in_keyringrc(isolated: Path) -> None:
    rc = isolated / "xdg_config_home" / "python_keyring" / "keyringrc.cfg"
    rc.parent.mkdir(parents=True)
    rc.write_text("[backend]\ndefault-keyring=keyrings.alt.file.PlaintextKeyring\n")
    backend = PlaintextKeyring()
    backend.file_path = str(isolated / "keyring_pass.cfg")
    use(backend)
    report = TokenStore().diagnose()
    assert report.explicit and report.usable
    assert report.chosen_by.startswith("keyringrc.cfg")
    assert TokenStore().set("default", TOKEN).warning


def test_prompting_backend_refused_unless_chosen(monkeypatch: pytest.MonkeyPatch) -> None:
    backend = use(FakeEncryptedKeyring())
    with pytest.raises(NoUsableKeyring, match="would prompt for a password"):
        TokenStore().get("default")
    name = f"{__name__}.FakeEncryptedKeyring"
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", name)
    # chosen, but inside the TUI (no prompting allowed): still refused, nothing called
    with pytest.raises(NoUsableKeyring, match="inside the TUI"):
        TokenStore(allow_prompting=False).get("default")
    # chosen, on the command line: used
    assert TokenStore().set("default", TOKEN).location == "keyring (FakeEncryptedKeyring)"
    assert backend.items[(SERVICE, "default")] == TOKEN  # type: ignore[attr-defined]


def test_chainer_uses_its_first_backend(monkeypatch: pytest.MonkeyPatch, isolated: Path) -> None:
    secure = MemoryKeyring()
    plain = PlaintextKeyring()
    plain.file_path = str(isolated / "keyring_pass.cfg")
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [secure, plain])
    use(chainer.ChainerBackend())
    store = TokenStore()
    assert store.set("default", TOKEN).location == "keyring (MemoryKeyring)"
    assert secure.items[(SERVICE, "default")] == TOKEN
    assert not (isolated / "keyring_pass.cfg").exists()
    report = store.diagnose()
    assert report.usable
    assert any(r.label == "PlaintextKeyring" for r in report.rejected)


def test_bad_backend_name_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    keyring.core._keyring_backend = None
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "no.such.Backend")
    with pytest.raises(NoUsableKeyring, match="cannot be loaded"):
        TokenStore().get("default")


def test_diagnose_says_why_others_were_not_used() -> None:
    use(fail.Keyring())
    report = TokenStore().diagnose()
    assert not report.usable
    assert report.active.kind == "none"
    reasons = {r.label: r.reason for r in report.rejected}
    assert "D-Bus" in reasons["SecretService"] or "Secret Service" in reasons["SecretService"]
    assert "not secret" in reasons["PlaintextKeyring"]
    json.dumps(report.to_json())  # JSON-friendly
    assert describe_backends(report)[0].startswith("keyring backend: fail.Keyring")


# -- timeouts and errors -------------------------------------------------------------------


def test_keyring_call_times_out_instead_of_hanging() -> None:
    backend = SlowKeyring()
    use(backend)
    store = TokenStore(timeout=0.2)
    started = time.monotonic()
    try:
        with pytest.raises(KeyringTimeout) as caught:
            store.get("default")
    finally:
        backend.release.set()
    assert time.monotonic() - started < 2
    assert "did not answer within 0.2 s" in str(caught.value)
    assert error_exit_code(caught.value) == EXIT_AUTH


def test_keyring_error_is_clear_and_never_shows_the_token() -> None:
    use(LockedKeyring())
    with pytest.raises(NoUsableKeyring) as caught:
        TokenStore().set("default", TOKEN)
    assert "KeyringLocked" in str(caught.value)
    assert TOKEN not in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_delete_reports_unreachable_keyring_but_removes_the_file() -> None:
    backend = SlowKeyring()
    use(backend)
    TokenStore("file").set("default", TOKEN)
    try:
        report = TokenStore("file", timeout=0.2).delete_report("default")
    finally:
        backend.release.set()
    assert report.removed == [f"file {token_dir() / 'default'}"]
    assert report.problems and "did not answer" in report.problems[0]


# -- the opt-in file store -----------------------------------------------------------------


def test_file_store_is_private_and_warns(isolated: Path) -> None:
    use(fail.Keyring())
    store = TokenStore("file")
    outcome = store.set("default", TOKEN)
    path = token_dir() / "default"
    assert outcome.location == f"file {path} (plain text)"
    assert outcome.warning and f"stored in plain text at {path}" in outcome.warning
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert str(path).startswith(str(isolated / "xdg_config_home" / "efile-tui"))
    assert store.get("default") == (TOKEN, f"file {path} (plain text)")
    assert store.delete("default") == [f"file {path}"]
    assert not path.exists()


def test_file_store_honours_umask(monkeypatch: pytest.MonkeyPatch) -> None:
    old = os.umask(0)
    try:
        TokenStore("file").set("default", TOKEN)
    finally:
        os.umask(old)
    path = token_dir() / "default"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_file_store_refuses_widened_file() -> None:
    store = TokenStore("file")
    store.set("default", TOKEN)
    path = token_dir() / "default"
    path.chmod(0o644)
    with pytest.raises(TokenFileError) as caught:
        store.get("default")
    assert f"chmod 600 {path}" in str(caught.value)
    assert TOKEN not in str(caught.value)
    assert error_exit_code(caught.value) == EXIT_AUTH


def test_file_store_refuses_widened_folder() -> None:
    store = TokenStore("file")
    store.set("default", TOKEN)
    token_dir().chmod(0o755)
    with pytest.raises(TokenFileError, match=f"chmod 700 {token_dir()}"):
        store.get("default")


def test_file_store_refuses_symlink(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    target.write_text(TOKEN)
    target.chmod(0o600)
    token_dir().mkdir(parents=True, mode=0o700)
    (token_dir() / "default").symlink_to(target)
    with pytest.raises(TokenFileError):
        TokenStore("file").get("default")


def test_file_store_missing_is_none() -> None:
    assert TokenStore("file").get("default")[0] is None


def test_file_mode_never_touches_the_keyring() -> None:
    backend = use(FakeEncryptedKeyring())  # would raise if called
    store = TokenStore("file")
    store.set("default", TOKEN)
    assert store.get("default")[0] == TOKEN
    assert store.check().startswith("file ")
    assert backend.calls == []  # type: ignore[attr-defined]


def test_tokens_must_be_one_line(memory: MemoryKeyring) -> None:
    with pytest.raises(ValueError):
        TokenStore().set("default", "a\nb")


# -- remembered password (keyring only) ----------------------------------------------------


def test_remember_recall_forget(memory: MemoryKeyring) -> None:
    store = TokenStore("file")  # the token may be in a file; the password never is
    login = RememberedLogin(method="password", user="demo", secret="pw", org_id="org")
    store.remember("default", login)
    assert "pw" not in repr(login)
    assert store.recall("default") == login
    assert store.forget("default") is True
    assert store.recall("default") is None
    assert store.forget("default") is False


def test_remember_refused_in_plaintext_keyring(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    backend = PlaintextKeyring()
    backend.file_path = str(isolated / "keyring_pass.cfg")
    use(backend)
    with pytest.raises(NoUsableKeyring, match="only remembered in a secure keyring"):
        TokenStore().remember("default", RememberedLogin("password", "demo", "pw", "org"))
    assert TokenStore().recall("default") is None


def test_recall_without_keyring_is_none() -> None:
    use(fail.Keyring())
    assert TokenStore().recall("default") is None
    assert TokenStore().forget("default") is False
