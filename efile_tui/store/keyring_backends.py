"""Which keyring backend the token may go to, and calling it without hanging.

``keyring.get_keyring()`` picks the backend (``PYTHON_KEYRING_BACKEND`` and ``keyringrc.cfg``
are respected); it is then classified. A backend that keeps the secret in plain text or would
prompt on the terminal is used only if the user chose it explicitly; ``fail``/``null`` never.
Otherwise ``NoUsableKeyring`` explains the ways on: nothing falls back to plain text silently.
Every keyring call runs in a daemon thread with a timeout instead of hanging on D-Bus.
"""

from __future__ import annotations

import configparser
import functools
import os
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

import keyring
import keyring.backend
from keyring.backends import chainer, fail, null
from keyring.util import platform_ as keyring_platform

from efile_tui.i18n import N_, Msg
from efile_tui.store.token_file import StoreError, token_dir

T = TypeVar("T")

# Kinds of backend, from the point of view of "may the token go there?"
SECURE, PLAINTEXT, PROMPTING, NONE, UNKNOWN = "secure", "plaintext", "prompting", "none", "unknown"

_LABELS = {
    "keyring.backends.SecretService.Keyring": "SecretService",
    "keyring.backends.libsecret.Keyring": "libsecret",
    "keyring.backends.kwallet.DBusKeyring": "KWallet",
    "keyring.backends.macOS.Keyring": "macOS Keychain",
    "keyring.backends.Windows.WinVaultKeyring": "Windows Credential Locker",
}
_OS_KEYRINGS = frozenset({*_LABELS, "keyring.backends.kwallet.DBusKeyringKWallet4"})
_PLAINTEXT = frozenset({"keyrings.alt.file.PlaintextKeyring"})
_PROMPTING_HINTS = ("Encrypted", "CryptFile")
_OTHER_PLATFORMS = {"Windows": "win32", "macOS": "darwin"}  # not worth a line elsewhere


class NoUsableKeyring(StoreError):
    """No keyring can hold the token; the message explains what is wrong and the ways on."""

    title = N_("No usable keyring")

    def __init__(self, problem: str) -> None:
        super().__init__(explain_no_keyring(problem))
        self.problem = problem


class KeyringTimeout(NoUsableKeyring):
    """A keyring call did not return in time (e.g. a locked collection with no prompter)."""


def explain_no_keyring(problem: str) -> Msg:
    """The one-screen explanation shown when no usable keyring exists."""
    return Msg(
        N_(
            """no usable keyring to keep the token in.

What is wrong: {problem}
efile-tui never falls back to storing the token in plain text on its own.

Ways on (pick one):
  1. Run under a Secret Service (GNOME Keyring works without a desktop, e.g. over SSH):
       sudo apt install gnome-keyring dbus      # once (Debian/Ubuntu)
       dbus-run-session -- bash                 # a shell with its own D-Bus session
       read -rs PW                              # type the keyring password (not echoed)
       printf %s "$PW" | gnome-keyring-daemon --unlock --components=secrets >/dev/null; unset PW
       efile-tui login ...                      # then run efile-tui from this shell
     (the keyring stays encrypted in ~/.local/share/keyrings; same password next time)
  2. Scripts and batch jobs: the token in the environment, read without echo (no history):
       read -rs EFILE_TOKEN && export EFILE_TOKEN
       export EFILE_URL=https://...             # the region's efile URL, or use a profile
  3. Opt in to a plain-text token file, mode 0600 in a 0700 folder (readable by your
     account and root; works on every login node sharing $HOME):
       efile-tui login --token-store file ...
     The file: {tokens}/<profile>

`efile-tui auth status` shows which keyring backends were tried and why they were not used."""
        ),
        problem=problem,
        tokens=str(token_dir()),
    )


@dataclass(frozen=True)
class BackendInfo:
    """One keyring backend and what efile-tui thinks of it."""

    name: str  # dotted class path
    label: str  # short name for humans
    kind: str  # secure | plaintext | prompting | none | unknown
    reason: str  # why it is (not) used


@dataclass(frozen=True)
class BackendReport:
    """Which keyring backend is active, whether efile-tui may use it, and the others."""

    active: BackendInfo
    chosen_by: str  # "PYTHON_KEYRING_BACKEND", "keyringrc.cfg (PATH)", "auto-detected", ...
    explicit: bool
    usable: bool
    reason: str
    warning: str | None = None
    rejected: tuple[BackendInfo, ...] = ()
    backend: keyring.backend.KeyringBackend | None = field(default=None, repr=False, compare=False)

    @property
    def location(self) -> str:
        """How a token held by this backend is described, e.g. ``keyring (SecretService)``."""
        return f"keyring ({self.active.label})"

    def to_json(self) -> dict[str, Any]:
        """JSON-friendly form (for ``auth status --json``)."""
        return asdict(replace(self, backend=None))


def _qualname(obj: object) -> str:
    cls = obj if isinstance(obj, type) else type(obj)
    return f"{cls.__module__}.{cls.__name__}"


def _label(name: str) -> str:
    if name in _LABELS:
        return _LABELS[name]
    module, _, cls = name.rpartition(".")
    return f"{module.rsplit('.', 1)[-1]}.{cls}" if cls == "Keyring" else cls


def classify(backend: keyring.backend.KeyringBackend) -> BackendInfo:
    """Say what kind of store a backend is (no keyring call is made)."""
    name = _qualname(backend)
    info = functools.partial(BackendInfo, name, _label(name))
    cls_name = type(backend).__name__
    if isinstance(backend, fail.Keyring):
        return info(
            NONE, Msg(N_("no backend: no D-Bus session or no Secret Service (typical over SSH)"))
        )
    if isinstance(backend, null.Keyring):
        return info(NONE, Msg(N_("keyring is disabled (the null backend stores nothing)")))
    if name in _PLAINTEXT or "no encyption" in str(getattr(type(backend), "scheme", "")):
        where = getattr(backend, "file_path", None) or Msg(N_("a file"))
        return info(PLAINTEXT, Msg(N_("stores base64 in {where}, not secret"), where=where))
    if any(h in cls_name for h in _PROMPTING_HINTS):
        if "keyring_key" in vars(backend):
            return info(SECURE, Msg(N_("encrypted file, key given in advance")))
        return info(PROMPTING, Msg(N_("would prompt for a password on the terminal")))
    if name in _OS_KEYRINGS:
        return info(SECURE, Msg(N_("OS keyring")))
    priority = _priority(type(backend))
    if isinstance(priority, float) and priority >= 1:
        return info(SECURE, Msg(N_("recommended backend (priority {n})"), n=f"{priority:g}"))
    return info(UNKNOWN, Msg(N_("not a recommended backend (priority below 1)")))


def _priority(cls: type) -> float | str:
    try:
        return float(cls.priority)  # type: ignore[attr-defined]
    except Exception as exc:  # every backend signals "not viable" by raising
        return f"{exc}"


def _explicit_choice(env: Mapping[str, str]) -> tuple[str, str] | None:
    """The backend the user named, and where: the env var wins over keyringrc.cfg."""
    name = (env.get("PYTHON_KEYRING_BACKEND") or "").strip()
    if name:
        return name, "PYTHON_KEYRING_BACKEND"
    try:
        path = Path(keyring_platform.config_root()) / "keyringrc.cfg"
        parser = configparser.RawConfigParser()
        if parser.read(path, encoding="utf-8") and parser.has_option("backend", "default-keyring"):
            return parser.get("backend", "default-keyring").strip(), f"keyringrc.cfg ({path})"
    except (configparser.Error, OSError, UnicodeDecodeError):
        pass
    return None


def _rejected_reason(cls: type, active: str) -> str | None:
    name = _qualname(cls)
    platform = _OTHER_PLATFORMS.get(cls.__module__.rsplit(".", 1)[-1], sys.platform)
    if name == active or cls in (chainer.ChainerBackend, null.Keyring, fail.Keyring):
        return None
    if not sys.platform.startswith(platform):
        return None
    priority = _priority(cls)
    if isinstance(priority, str):
        if "DBUS_SESSION_BUS_ADDRESS" in priority:
            return Msg(N_("no D-Bus session (DBUS_SESSION_BUS_ADDRESS is unset; typical over SSH)"))
        if name == "keyring.backends.SecretService.Keyring":
            return Msg(N_("no Secret Service: {error}"), error=priority)
        return Msg(N_("not available: {error}"), error=priority)
    if name in _PLAINTEXT:
        return Msg(N_("stores base64 in a file, not secret (used only if chosen explicitly)"))
    if any(h in cls.__name__ for h in _PROMPTING_HINTS):
        return Msg(
            N_("would prompt for a password on the terminal (used only if chosen explicitly)")
        )
    if priority <= 0:
        return None  # wrappers and placeholders
    return Msg(N_("lower priority ({n}) than the active backend"), n=f"{priority:g}")


def assess(
    backend: keyring.backend.KeyringBackend,
    env: Mapping[str, str] | None = None,
    *,
    allow_prompting: bool = True,
    full: bool = False,
) -> BackendReport:
    """Classify the active backend and decide whether the token may go there.

    Makes no keyring call; ``full`` also probes every other backend (for ``auth status``).
    """
    env = os.environ if env is None else env
    name = _qualname(backend)
    effective = backend
    info = classify(backend)
    rejected: list[BackendInfo] = []
    if isinstance(backend, chainer.ChainerBackend):  # only its first backend is used
        effective, *others = list(backend.backends) or [fail.Keyring()]
        first = classify(effective)
        chained = Msg(
            N_("chained; writes go to {label}: {reason}"), label=first.label, reason=first.reason
        )
        info = BackendInfo(name, first.label, first.kind, chained)
        skipped = Msg(N_("chained after {label}; not consulted"), label=first.label)
        for other in others:
            rejected.append(
                BackendInfo(_qualname(other), _label(_qualname(other)), "skipped", skipped)
            )
    choice = _explicit_choice(env)
    explicit = choice is not None and choice[0] == name
    chosen_by: str = (
        choice[1] if explicit and choice else Msg(N_("auto-detected (highest priority)"))
    )
    if choice is not None and not explicit:
        chosen_by = Msg(
            N_("set by the program (overrides {where}={name})"), where=choice[1], name=choice[0]
        )
    if info.kind in (SECURE, NONE):
        usable, reason = info.kind == SECURE, info.reason
    else:
        usable = explicit and (allow_prompting or info.kind != PROMPTING)
        why = (
            N_("allowed, you chose it")
            if usable
            else N_("not inside the TUI")
            if explicit
            else N_("not used unless chosen explicitly")
        )
        reason = Msg(N_("{reason}; {why}"), reason=info.reason, why=Msg(why))
    warning = None
    if usable and info.kind == PLAINTEXT:
        warning = Msg(
            N_("the token is stored in plain text by {label} ({reason})"),
            label=info.label,
            reason=info.reason,
        )
    if full:
        keyring.backend.get_all_keyring()  # loads plugin backends so they are listed too
        seen = {_qualname(effective), name} | {r.name for r in rejected}
        for cls in sorted(keyring.backend.KeyringBackend._classes, key=_qualname):
            if _qualname(cls) in seen:
                continue
            if not_used := _rejected_reason(cls, name):
                label = _label(_qualname(cls))
                rejected.append(BackendInfo(_qualname(cls), label, "rejected", not_used))
    return BackendReport(
        info, chosen_by, explicit, usable, reason, warning, tuple(rejected), backend=effective
    )


def no_keyring_problem(report: BackendReport) -> Msg:
    """The 'what is wrong' sentence for ``NoUsableKeyring``, from a full report."""
    info = report.active
    if info.kind == NONE and info.name == _qualname(fail.Keyring):
        secret = [r.reason for r in report.rejected if r.label == "SecretService"]
        extra = f" (SecretService: {secret[0]})" if secret else ""
        return Msg(
            N_("keyring found no backend it can use: no Secret Service on this host{extra}."),
            extra=extra,
        )
    if info.kind == NONE:
        return Msg(
            N_("the keyring backend {label} ({chosen_by}) cannot store: {reason}."),
            label=info.label,
            chosen_by=report.chosen_by,
            reason=info.reason,
        )
    what = (
        info.reason.fields.get("reason", info.reason)
        if isinstance(info.reason, Msg)
        else info.reason
    )
    if report.explicit:  # a prompting backend the user chose, inside the TUI
        return Msg(
            N_(
                "{label}, chosen by {chosen_by}, {what}, which cannot happen inside the TUI; "
                "run `efile-tui login` on the command line first."
            ),
            label=info.label,
            chosen_by=report.chosen_by,
            what=what,
        )
    return Msg(
        N_(
            "keyring picked {label}, which {what}; efile-tui uses such a backend only if you "
            "choose it (PYTHON_KEYRING_BACKEND={name})."
        ),
        label=info.label,
        what=what,
        name=info.name.split(" ")[0],
    )


def call_with_timeout(fn: Callable[[], T], timeout: float | None, what: Msg) -> T:
    """Run ``fn`` in a daemon thread (one stuck on D-Bus must not keep the process alive)."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed to the caller's thread below
            box["error"] = exc

    thread = threading.Thread(target=target, name="efile-tui-keyring", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise KeyringTimeout(
            Msg(
                N_(
                    "{what} did not answer within {seconds} s, as a locked Secret Service that "
                    "cannot show an unlock prompt does (typical over SSH); unlock it (see 1.) or "
                    "use 2. or 3."
                ),
                what=what,
                seconds=f"{timeout:g}",
            )
        )
    if "error" in box:
        raise box["error"]
    return box["value"]
