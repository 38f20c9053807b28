"""The token store: the OS keyring (service ``efile-tui``, one entry per profile) or, only
when the user opts in, a plain-text file (``config_dir()/tokens/<profile>``, 0600 in 0700).

Which keyring backend may hold the token, and the timeouts around every keyring call, are
in ``keyring_backends``; the plain-text file is in ``token_file``. A password or secret key
the user asks to keep for automatic re-login goes to a secure keyring only.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TypeVar

import keyring
import keyring.backend
import keyring.errors

from efile_tui.i18n import N_, Msg
from efile_tui.store.keyring_backends import (
    NONE,
    PLAINTEXT,
    PROMPTING,
    SECURE,
    UNKNOWN,
    BackendInfo,
    BackendReport,
    NoUsableKeyring,
    assess,
    call_with_timeout,
    no_keyring_problem,
)
from efile_tui.store.token_file import read_token_file, token_dir, write_token_file

SERVICE = "efile-tui"
DEFAULT_TIMEOUT = 5.0
PROMPT_TIMEOUT = 300.0  # a backend the user chose that asks for a password: give them time
_LOGIN_SUFFIX = ":login"  # keyring username of a remembered password / secret key

T = TypeVar("T")


@dataclass(frozen=True)
class StoreOutcome:
    """Where a secret was written, and a warning to show if it is not secret there."""

    location: str
    warning: str | None = None


@dataclass(frozen=True)
class DeleteReport:
    """What ``TokenStore.delete_report`` removed, and what it could not check."""

    removed: list[str]
    problems: list[str]


@dataclass(frozen=True)
class RememberedLogin:
    """A password or secret key the user asked to keep (keyring only) for automatic re-login."""

    method: str  # "password" | "aksk"
    user: str
    secret: str = field(repr=False)
    org_id: str | None = None
    access_key: str | None = field(default=None, repr=False)


class TokenStore:
    """Token per profile in the keyring, or in a plain-text file when opted in (``mode="file"``)."""

    def __init__(
        self,
        mode: str = "keyring",
        *,
        timeout: float = DEFAULT_TIMEOUT,
        allow_prompting: bool = True,
        env: Mapping[str, str] | None = None,
    ) -> None:
        if mode not in ("keyring", "file"):
            raise ValueError(f"token store must be 'keyring' or 'file', not {mode!r}")
        self.mode = mode
        self.timeout = timeout
        self.allow_prompting = allow_prompting
        self.env = os.environ if env is None else env

    def file_path(self, profile: str) -> Path:
        """The plain-text token file of a profile (used only in file mode)."""
        return token_dir() / profile

    def file_location(self, profile: str) -> str:
        """How a token in the file store is described."""
        return f"file {self.file_path(profile)} (plain text)"

    def _backend(self) -> keyring.backend.KeyringBackend:
        try:
            return call_with_timeout(
                keyring.get_keyring, self.timeout, Msg(N_("keyring detection"))
            )
        except NoUsableKeyring:
            raise
        except Exception as exc:  # a broken PYTHON_KEYRING_BACKEND / keyringrc.cfg
            raise NoUsableKeyring(
                Msg(N_("the chosen keyring backend cannot be loaded: {error}"), error=str(exc))
            ) from None

    def _assess(self, backend: keyring.backend.KeyringBackend, full: bool) -> BackendReport:
        def run() -> BackendReport:
            return assess(backend, self.env, allow_prompting=self.allow_prompting, full=full)

        # probing the other backends talks to D-Bus: that may hang too
        return call_with_timeout(run, self.timeout, Msg(N_("keyring diagnosis"))) if full else run()

    def diagnose(self) -> BackendReport:
        """Which keyring backend is active and why, and why the others are not used."""
        try:
            return self._assess(self._backend(), full=True)
        except NoUsableKeyring as exc:
            info = BackendInfo("?", "unknown", NONE, exc.problem)
            return BackendReport(info, "?", False, False, exc.problem)

    def keyring_report(self) -> BackendReport:
        """The active backend if it may hold the token; else ``NoUsableKeyring``."""
        backend = self._backend()
        report = self._assess(backend, full=False)
        if not report.usable:
            raise NoUsableKeyring(no_keyring_problem(self._assess(backend, full=True)))
        return report

    def _read(self, report: BackendReport, username: str, what: str) -> str | None:
        backend = report.backend
        assert backend is not None
        return self._call(report, what, lambda: backend.get_password(SERVICE, username))

    def _write(self, report: BackendReport, user: str, value: str, what: str, secret: str) -> None:
        backend = report.backend
        assert backend is not None
        self._call(report, what, lambda: backend.set_password(SERVICE, user, value), secret)

    def _call(self, report: BackendReport, what: str, fn: Callable[[], T], secret: str = "") -> T:
        timeout = PROMPT_TIMEOUT if report.active.kind == PROMPTING else self.timeout
        try:
            keyring_name = Msg(N_("the keyring ({label})"), label=report.active.label)
            return call_with_timeout(fn, timeout, keyring_name)
        except NoUsableKeyring:
            raise
        except Exception as exc:
            text = f"{type(exc).__name__}: {exc}".replace(secret or "\0", "***")
            label = report.active.label
            raise NoUsableKeyring(
                Msg(
                    N_("the keyring ({label}) failed to {what}: {error}"),
                    label=label,
                    what=Msg(what),
                    error=text,
                )
            ) from None

    def check(self) -> str:
        """Make sure a token could be stored (before asking for a password); its location."""
        if self.mode == "file":
            return f"file {token_dir()}/<profile> (plain text)"
        return self.keyring_report().location

    def get(self, profile: str) -> tuple[str | None, str]:
        """The stored token of a profile (None if absent) and where it was looked up."""
        if self.mode == "file":
            return read_token_file(self.file_path(profile)), self.file_location(profile)
        report = self.keyring_report()
        return (self._read(report, profile, N_("read the token")) or None), report.location

    def set(self, profile: str, token: str) -> StoreOutcome:
        """Store a profile's token; the outcome says where, with a warning if in plain text."""
        if not token or "\n" in token:
            raise ValueError("a token is one non-empty line")
        if self.mode == "file":
            path = self.file_path(profile)
            write_token_file(path, token)
            return StoreOutcome(
                self.file_location(profile),
                f"token stored in plain text at {path} (mode 0600, folder 0700): "
                "anyone with your account or root can read it",
            )
        report = self.keyring_report()
        self._write(report, profile, token, N_("store the token"), secret=token)
        return StoreOutcome(report.location, report.warning)

    def delete(self, profile: str) -> list[str]:
        """Remove a profile's token from every store holding it; names of those stores."""
        return self.delete_report(profile).removed

    def delete_report(self, profile: str) -> DeleteReport:
        """Like ``delete`` but also says which store could not be checked, and why."""
        removed: list[str] = []
        problems: list[str] = []
        path = self.file_path(profile)
        try:
            path.unlink()
            removed.append(Msg(N_("file {path}"), path=str(path)))
        except OSError as exc:
            if not isinstance(exc, FileNotFoundError):
                problems.append(
                    Msg(N_("file {path}: {reason}"), path=str(path), reason=exc.strerror or "")
                )
        try:
            report = self._cleanup_report()
            if report is not None and self._delete_entry(report, profile):
                removed.append(report.location)
        except NoUsableKeyring as exc:
            problems.append(exc.problem)
        return DeleteReport(removed, problems)

    def _cleanup_report(self) -> BackendReport | None:
        """A backend that may hold an entry and can be asked without a prompt, else None."""
        report = assess(self._backend(), self.env, allow_prompting=self.allow_prompting)
        if report.active.kind in (SECURE, PLAINTEXT, UNKNOWN) or report.usable:
            return report
        return None

    def _delete_entry(self, report: BackendReport, username: str) -> bool:
        backend = report.backend
        assert backend is not None

        def delete() -> bool:
            if backend.get_password(SERVICE, username) is None:
                return False
            with contextlib.suppress(keyring.errors.PasswordDeleteError):
                backend.delete_password(SERVICE, username)
            return True

        return self._call(report, N_("delete an entry"), delete)

    def remember(self, profile: str, login: RememberedLogin) -> StoreOutcome:
        """Keep a password or secret key in the keyring for automatic re-login."""
        report = self.keyring_report()
        if report.active.kind != SECURE:
            where = report.active.label
            raise NoUsableKeyring(
                Msg(
                    N_("a password is only remembered in a secure keyring, not {where}."),
                    where=where,
                )
            )
        value = json.dumps(asdict(login))
        self._write(report, profile + _LOGIN_SUFFIX, value, N_("store the password"), login.secret)
        return StoreOutcome(report.location)

    def recall(self, profile: str) -> RememberedLogin | None:
        """The remembered login of a profile, if any (None when the keyring is unusable)."""
        try:
            report = self.keyring_report()
            secure = report.active.kind == SECURE
            raw = (
                self._read(report, profile + _LOGIN_SUFFIX, N_("read the password"))
                if secure
                else None
            )
            return RememberedLogin(**json.loads(raw)) if raw else None
        except (NoUsableKeyring, ValueError, TypeError):
            return None

    def forget(self, profile: str) -> bool:
        """Remove a remembered password / secret key; True if one was there."""
        try:
            report = self._cleanup_report()
            return report is not None and self._delete_entry(report, profile + _LOGIN_SUFFIX)
        except NoUsableKeyring:
            return False
