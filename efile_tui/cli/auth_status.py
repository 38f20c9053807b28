"""``efile-tui logout`` and ``efile-tui auth status``.

Logout removes the token (and a remembered password) from every store that holds it and
keeps the profile's settings. Status reports the profile, which keyring backend is in use
and why the others are not, and where the token comes from and when it expires; it never
prints the token. Narration goes to stderr; the status report goes to stdout.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time
from typing import Any

from efile_tui.api.auth import token_expiry
from efile_tui.cli.common import EXIT_AUTH, EXIT_FAILED, emit_json, profile_name, say
from efile_tui.config import Config, ConfigError, load_config, save_config
from efile_tui.i18n import N_, Msg, _, shown, shown_error
from efile_tui.store.keyring_backends import BackendReport, NoUsableKeyring
from efile_tui.store.token_file import TokenFileError
from efile_tui.store.tokens import TokenStore


def cmd_logout(args: argparse.Namespace) -> int:
    """Remove the token (and a remembered password) from every store holding it."""
    try:
        config = load_config()
    except ConfigError as exc:
        say(_("warning: {problem}; removing tokens anyway").format(problem=shown_error(exc)))
        config = Config()
    if args.all:
        names = sorted(set(config.profiles) | {config.default_profile})
    else:
        names = [profile_name(args.profile or config.default_profile)]
    store = TokenStore("keyring")
    status = 0
    changed = False
    for name in names:
        report = store.delete_report(name)
        if report.removed:
            say(
                _("{name}: token removed from {where}").format(
                    name=name, where=", ".join(shown(where) for where in report.removed)
                )
            )
        else:
            say(_("{name}: no stored token found").format(name=name))
        if store.forget(name):
            say(_("{name}: remembered password removed from the keyring").format(name=name))
        profile = config.get_profile(name)
        if profile is not None and profile.auto_relogin:
            profile.auto_relogin = False
            changed = True
        for problem in report.problems:
            say(_("{name}: could not check: {problem}").format(name=name, problem=shown(problem)))
            status = EXIT_FAILED
    if changed and config.path is not None:
        save_config(config)
    if os.environ.get("EFILE_TOKEN"):
        say(_("note: EFILE_TOKEN is still set in this environment (unset EFILE_TOKEN)"))
    return status


# -- status ----------------------------------------------------------------------------------


def expiry_phrase(expires: float, now: float | None = None) -> str:
    """``in 3 h`` / ``expired 2 h ago``."""
    delta = expires - (time.time() if now is None else now)
    span = abs(delta)
    if span < 90:
        text = f"{span:.0f} s"
    elif span < 90 * 60:
        text = f"{span / 60:.0f} min"
    elif span < 48 * 3600:
        text = f"{span / 3600:.0f} h"
    else:
        text = f"{span / 86400:.0f} d"
    return f"in {text}" if delta >= 0 else f"expired {text} ago"


def cmd_status(args: argparse.Namespace) -> int:
    """Report the profile, keyring backend and token source; exit 4 without a token."""
    config = load_config()
    name = args.profile or os.environ.get("EFILE_PROFILE") or config.default_profile
    profile = config.get_profile(name)
    mode = config.store_for(name)
    store = TokenStore(mode)
    report = store.diagnose()
    token: str | None = None
    source: str | None = None
    problem: str | None = None
    explanation: str | None = None
    if os.environ.get("EFILE_TOKEN"):
        token, source = os.environ["EFILE_TOKEN"], "EFILE_TOKEN"
    elif profile is None:
        problem = Msg(N_("no profile {name}: run `efile-tui login`"), name=repr(name))
    else:
        try:
            token, source = store.get(name)
        except NoUsableKeyring as exc:
            problem, explanation = exc.problem, exc.message
        except TokenFileError as exc:
            problem = exc.message
        if token is None and problem is None:
            problem = Msg(N_("no token in {source}: run `efile-tui login`"), source=source)
    expires = token_expiry(token) if token else None
    data: dict[str, Any] = {
        "profile": name,
        "default_profile": config.default_profile,
        "profile_saved": profile is not None,
        "platform_url": profile.platform_url if profile else None,
        "user": profile.user if profile else None,
        "region_id": profile.region_id if profile else None,
        "region_name": profile.region_name if profile else None,
        "efile_url": os.environ.get("EFILE_URL") or (profile.efile_url if profile else None),
        "home": os.environ.get("EFILE_HOME") or (profile.home_path if profile else None),
        "auth_method": profile.auth_method if profile else None,
        "auto_relogin": bool(profile and profile.auto_relogin),
        "token_store": mode,
        "keyring": report.to_json(),
        "token": {
            "present": token is not None,
            "source": source,
            "problem": problem,
            "expires_at": _iso(expires) if expires else None,
            "expires": expiry_phrase(expires) if expires else None,
            "expired": (expires < time.time()) if expires else None,
        },
    }
    if args.json:
        emit_json(data)
    else:
        _print_status(data, describe_backends(report))
        if explanation:
            say(explanation)
    return 0 if token else EXIT_AUTH


def describe_backends(report: BackendReport) -> list[str]:
    """Lines for humans: the active keyring backend, why, and why others were not used."""
    state = _("usable") if report.usable else _("NOT usable")
    lines = [
        _("keyring backend: {label} ({name}), {state}").format(
            label=report.active.label, name=report.active.name, state=state
        ),
        "  "
        + _("chosen by: {how}; {why}").format(
            how=shown(report.chosen_by), why=shown(report.reason)
        ),
    ]
    lines += (
        ["  " + _("warning: {problem}").format(problem=shown(report.warning))]
        if report.warning
        else []
    )
    return lines + [
        "  " + _("not used: {label}: {why}").format(label=info.label, why=shown(info.reason))
        for info in report.rejected
    ]


def _iso(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch).astimezone().isoformat(timespec="seconds")


def _print_status(data: dict[str, Any], keyring_lines: list[str]) -> None:
    tok = data["token"]
    region = data["region_name"] or data["region_id"]
    if data["region_name"] and data["region_id"]:
        region = f"{region} ({data['region_id']})"
    profile = data["profile"]
    if profile == data["default_profile"]:
        profile += _(" (default)")
    if not data["profile_saved"]:
        profile += _(" (not saved)")
    store = data["token_store"]
    if data["auto_relogin"]:
        store += _("; automatic re-login on")
    lines = [
        _("profile: {name}").format(name=profile),
        _("platform: {url}").format(url=data["platform_url"] or "-"),
        _("user: {user}   region: {region}").format(user=data["user"] or "-", region=region or "-"),
        _("efile URL: {url}").format(url=data["efile_url"] or "-"),
        _("home: {path}").format(path=data["home"] or "-"),
        _("token store: {store}").format(store=store),
        *keyring_lines,
    ]
    if tok["present"]:
        lines.append(_("token: from {source}").format(source=tok["source"]))
        if tok["expires_at"]:
            lines.append(
                "  "
                + _("expires: {when} ({left})").format(when=tok["expires_at"], left=tok["expires"])
            )
        else:
            lines.append("  " + _("expires: unknown (no expireTime claim)"))
        if str(tok["source"]).startswith("keyring"):
            lines.append(
                "  "
                + _(
                    "note: keyring entries live on this host's session; on other login nodes "
                    "sharing $HOME use EFILE_TOKEN or --token-store file"
                )
            )
    else:
        lines.append(_("token: none ({problem})").format(problem=shown(tok["problem"] or "")))
    print("\n".join(lines), flush=True)
