"""Credential commands: ``login``, ``logout`` and ``auth status``.

Secrets never come from argv: the password, secret key or token is read from a hidden
prompt or, with ``--password-stdin`` / ``--secret-key-stdin`` / ``--token-stdin``, from
standard input. Narration goes to stderr; ``auth status`` prints its report on stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import datetime as dt
import getpass
import json
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from efile_tui.api.auth import DEFAULT_PLATFORM_URL, token_expiry
from efile_tui.api.client import normalise_efile_url
from efile_tui.api.errors import AuthError, InvalidArgument, UnsupportedVersion
from efile_tui.api.http import check_scheme
from efile_tui.api.models import RegionToken
from efile_tui.cli.common import (
    EXIT_AUTH,
    EXIT_FAILED,
    EXIT_USAGE,
    CliError,
    add_http_arg,
    emit_json,
    say,
)
from efile_tui.config import (
    TOKEN_STORES,
    Config,
    ConfigError,
    check_profile_name,
    load_config,
    save_config,
)
from efile_tui.core.session import (
    LoginRequest,
    login_profile,
    region_info,
    request_tokens,
    save_login,
)
from efile_tui.store.tokens import (
    SECURE,
    BackendReport,
    NoUsableKeyring,
    TokenFileError,
    TokenStore,
)


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``login``, ``logout`` and ``auth status`` (plus ``auth login|logout``)."""
    _login_parser(sub)
    _logout_parser(sub)
    p = sub.add_parser("auth", help="credentials: status, login, logout")
    p.set_defaults(handler=lambda args: _auth_usage(p))
    asub = p.add_subparsers(dest="auth_command", metavar="SUBCOMMAND")
    s = asub.add_parser(
        "status",
        help="show the profile, the keyring backend and where the token comes from",
        description="Show the profile, region, efile URL and home, which keyring backend is "
        "in use and why others are not, where the token comes from and when it expires. "
        "Never prints the token. Exit 4 when there is no token.",
    )
    s.add_argument("--profile", help="profile to show (default: the default profile)")
    s.add_argument("--json", action="store_true", help="print the report as JSON on stdout")
    s.set_defaults(handler=cmd_status)
    _login_parser(asub)
    _logout_parser(asub)


def _auth_usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return EXIT_USAGE


class _RefuseSecret(argparse.Action):
    """``--password X`` and friends: refused without echoing the value."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        parser.error(
            f"{option_string} is not accepted: a secret on the command line shows in `ps` "
            f"and the shell history; use {self.help_flag} or the hidden prompt"
        )

    help_flag = ""


def _refuse(p: argparse.ArgumentParser, flag: str, instead: str) -> None:
    action = p.add_argument(flag, nargs="?", action=_RefuseSecret, help=argparse.SUPPRESS)
    action.help_flag = instead  # type: ignore[attr-defined]


def _login_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "login",
        allow_abbrev=False,
        help="log in, pick a region and store the token",
        description="Log in with user + password + org id, an access key pair, or a pasted "
        "token; pick the region; discover its efile URL and home; save the profile (no "
        "secrets) and keep the token in the OS keyring (or, opted in, a plain-text file). "
        "Secrets are read from a hidden prompt or standard input, never from the command line.",
    )
    p.add_argument(
        "--platform-url",
        metavar="URL",
        help="platform URL (default: $EFILE_PLATFORM_URL, the profile's, or "
        f"{DEFAULT_PLATFORM_URL})",
    )
    p.add_argument("--user", metavar="NAME", help="platform user name")
    p.add_argument("--org-id", metavar="ORG", help="organisation id (password login)")
    p.add_argument("--region", metavar="ID|NAME", help="region to use (asked when several)")
    p.add_argument("--profile", metavar="NAME", help="profile to save (default: the default one)")
    p.add_argument("--default", action="store_true", help="make this the default profile")
    how = p.add_mutually_exclusive_group()
    how.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    how.add_argument(
        "--secret-key-stdin",
        action="store_true",
        help="read the secret key (with --access-key) from standard input",
    )
    how.add_argument(
        "--token-stdin", action="store_true", help="read an existing token from standard input"
    )
    p.add_argument("--access-key", metavar="AK", help="log in with this access key (AK/SK)")
    p.add_argument("--url", metavar="URL", help="efile URL (skips discovery; for --token-stdin)")
    p.add_argument("--home", metavar="PATH", help="home folder (default: discovered)")
    p.add_argument(
        "--token-store",
        choices=TOKEN_STORES,
        help="where to keep the token: the OS keyring (default) or a plain-text file (opt-in)",
    )
    p.add_argument(
        "--remember-password",
        action="store_true",
        help="keep the password / secret key in the keyring (never a file) to log in again "
        "automatically when the token can no longer be renewed",
    )
    add_http_arg(p)
    _refuse(p, "--password", "--password-stdin")
    _refuse(p, "--secret-key", "--secret-key-stdin")
    _refuse(p, "--token", "--token-stdin")
    p.set_defaults(handler=cmd_login)


def _logout_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "logout",
        help="remove the stored token from every store holding it",
        description="Remove the token (and any remembered password) of a profile from the "
        "keyring and the plain-text file store. The profile's settings are kept.",
    )
    which = p.add_mutually_exclusive_group()
    which.add_argument("--profile", metavar="NAME", help="profile (default: the default one)")
    which.add_argument("--all", action="store_true", help="every profile")
    p.set_defaults(handler=cmd_logout)


# -- login -----------------------------------------------------------------------------------


@dataclass
class _Login:
    """What a successful authentication produced (the token is kept out of repr)."""

    token: str = field(repr=False)
    region_id: str | None = None
    region_name: str | None = None
    efile_url: str = ""
    home: str | None = None
    user: str | None = None


def cmd_login(args: argparse.Namespace) -> int:
    """Authenticate, choose the region, save the profile and store the token."""
    config = load_config()
    name = _profile_name(args.profile or config.default_profile)
    old = config.get_profile(name)
    method = "token" if args.token_stdin else "aksk" if args.access_key else "password"
    if args.secret_key_stdin and not args.access_key:
        raise CliError("--secret-key-stdin needs --access-key AK", EXIT_USAGE)
    if args.remember_password and method == "token":
        raise CliError("--remember-password needs a password or secret key login", EXIT_USAGE)
    platform_url = (
        args.platform_url
        or os.environ.get("EFILE_PLATFORM_URL")
        or (old.platform_url if old else None)
        or DEFAULT_PLATFORM_URL
    ).rstrip("/")
    mode = args.token_store or (old.token_store if old else None) or config.token_store
    store = TokenStore(mode)
    # Fail before asking for a password when the token could not be kept anyway.
    store.check()
    if args.remember_password:
        _check_remember()

    request = LoginRequest(
        platform_url,
        method,
        user=args.user or (old.user if old else None),
        org_id=args.org_id or (old.org_id if old else None),
        access_key=args.access_key,
        allow_http=args.allow_http or bool(old and old.allow_plain_http),
    )
    # Refuse a plain-http platform before the password is typed, not after.
    check_scheme(platform_url, allow_http=request.allow_http)
    if args.url:
        check_scheme(args.url, allow_http=request.allow_http)
    if method != "token":
        request.user = request.user or _ask("User")
    if method == "password":
        request.org_id = request.org_id or _ask("Organisation id (orgId)")
        request.secret = _secret(args.password_stdin, "Password", "--password-stdin")
    elif method == "aksk":
        request.secret = _secret(args.secret_key_stdin, "Secret key", "--secret-key-stdin")
    else:
        request.secret = _secret(True, "Token", "--token-stdin")

    login = _authenticate(args, request)
    profile = login_profile(
        name,
        request,
        region_id=login.region_id,
        region_name=login.region_name,
        efile_url=login.efile_url,
        home=login.home,
        user=login.user,
        previous=old,
        token_store=args.token_store,
        auto_relogin=bool(args.remember_password),
    )
    outcome = save_login(
        config,
        profile,
        login.token,
        store=store,
        remember=request.remembered() if args.remember_password else None,
        make_default=args.default,
    )
    for note in outcome.notes:
        say(note)
    say(f"Logged in as {profile.user or '?'}@{profile.region or '?'} (profile {name})")
    say(f"  efile URL: {profile.efile_url}")
    say(f"  home: {profile.home_path or '(unknown)'}")
    say(f"  token stored in {outcome.stored.location}")
    return 0


def _profile_name(name: str) -> str:
    try:
        return check_profile_name(name)
    except ValueError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None


def _check_remember() -> None:
    try:
        report = TokenStore("keyring").keyring_report()
    except NoUsableKeyring as exc:
        raise CliError(
            f"--remember-password needs a keyring: {exc.problem} The password is never kept "
            "in a file; log in without --remember-password.",
            EXIT_AUTH,
        ) from None
    if report.active.kind != SECURE:
        raise CliError(
            f"--remember-password needs a secure keyring; {report.active.label} is not one "
            "(passwords are never kept in a file)",
            EXIT_AUTH,
        )


def _interactive() -> bool:
    return bool(sys.stdin and sys.stdin.isatty() and sys.stderr.isatty())


def _ask(what: str) -> str:
    if not _interactive():
        flag = {"User": "--user NAME", "Organisation id (orgId)": "--org-id ORG"}.get(what, what)
        raise CliError(f"{what.lower()} missing and no terminal to ask: pass {flag}", EXIT_USAGE)
    sys.stderr.write(f"{what}: ")
    sys.stderr.flush()
    value = sys.stdin.readline().strip()
    if not value:
        raise CliError(f"no {what.lower()} given", EXIT_USAGE)
    return value


def _secret(from_stdin: bool, what: str, flag: str) -> str:
    """A secret from standard input (one line) or a hidden prompt; never echoed."""
    if sys.stdin is not None and sys.stdin.isatty():
        value = getpass.getpass(f"{what}: ")
    elif from_stdin and sys.stdin is not None:
        value = sys.stdin.read()
        value = value[:-1] if value.endswith("\n") else value
        value = value[:-1] if value.endswith("\r") else value
        if "\n" in value:
            raise CliError(f"{what.lower()} on standard input must be one line", EXIT_USAGE)
    else:
        raise CliError(
            f"no terminal to ask for the {what.lower()}: pass {flag} and give it on standard input",
            EXIT_USAGE,
        )
    if not value:
        raise CliError(f"no {what.lower()} given", EXIT_USAGE)
    return value


def _authenticate(args: argparse.Namespace, request: LoginRequest) -> _Login:
    chosen: RegionToken | None = None
    try:
        if request.method == "token":
            token = request.secret
        else:
            tokens = asyncio.run(request_tokens(request))
            chosen = choose_region(tokens, args.region, interactive=_interactive())
            token = chosen.token or ""
        claims = _claims(token)
        if args.url:
            return _Login(
                token,
                (chosen.cluster_id if chosen else None) or _opt(claims.get("clusterId")),
                chosen.cluster_name if chosen else None,
                normalise_efile_url(args.url),
                args.home,
                request.user or _opt(claims.get("user")),
            )
        region = asyncio.run(
            region_info(request.platform_url, token, allow_http=request.allow_http)
        )
    except (AuthError, UnsupportedVersion, InvalidArgument) as exc:
        raise CliError(f"login refused: {exc}", EXIT_AUTH) from None
    if not region.efile_url:
        raise CliError(
            f"region {region.name or region.id} lists no enabled efile URL; pass --url",
            EXIT_FAILED,
        )
    return _Login(
        token,
        region.id or (chosen.cluster_id if chosen else None),
        region.name or (chosen.cluster_name if chosen else None),
        region.efile_url,
        args.home or region.home_path,
        request.user or _opt(claims.get("user")) or region.user_name,
    )


def _opt(value: object) -> str | None:
    return str(value) if value not in (None, "") else None


def _claims(token: str) -> dict[str, Any]:
    """The JWT's claims, unverified (only to name the user and region)."""
    parts = token.split(".")
    if len(parts) != 3:
        return {}
    try:
        data = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def choose_region(
    tokens: Sequence[RegionToken], wanted: str | None, *, interactive: bool
) -> RegionToken:
    """The regional token to use: ``wanted`` (id or name), the only one, or the user's pick."""
    regional = [t for t in tokens if not t.is_platform]
    listing = "\n".join(
        f"  {t.cluster_id:>8}  {t.cluster_name}{'' if t.token else '  (disabled)'}"
        for t in regional
    )
    if wanted:
        for t in regional:
            if wanted in (t.cluster_id, t.cluster_name):
                if not t.token:
                    raise CliError(f"your account is disabled in region {wanted}", EXIT_AUTH)
                return t
        raise CliError(f"no region {wanted!r}; the account has:\n{listing}", EXIT_USAGE)
    usable = [t for t in regional if t.token]
    if not usable:
        raise CliError("the platform returned no usable regional token", EXIT_AUTH)
    if len(usable) == 1:
        return usable[0]
    if not interactive:
        raise CliError(f"several regions; pass --region ID|NAME:\n{listing}", EXIT_USAGE)
    for i, t in enumerate(usable, 1):
        sys.stderr.write(f"  {i}) {t.cluster_name} ({t.cluster_id})\n")
    for _ in range(3):
        sys.stderr.write(f"Region [1-{len(usable)}]: ")
        sys.stderr.flush()
        answer = sys.stdin.readline().strip()
        if answer.isdigit() and 1 <= int(answer) <= len(usable):
            return usable[int(answer) - 1]
        matches = [t for t in usable if answer in (t.cluster_id, t.cluster_name)]
        if matches:
            return matches[0]
    raise CliError("no region chosen", EXIT_USAGE)


# -- logout ----------------------------------------------------------------------------------


def cmd_logout(args: argparse.Namespace) -> int:
    """Remove the token (and a remembered password) from every store holding it."""
    try:
        config = load_config()
    except ConfigError as exc:
        say(f"warning: {exc}; removing tokens anyway")
        config = Config()
    if args.all:
        names = sorted(set(config.profiles) | {config.default_profile})
    else:
        names = [_profile_name(args.profile or config.default_profile)]
    store = TokenStore("keyring")
    status = 0
    changed = False
    for name in names:
        report = store.delete_report(name)
        if report.removed:
            say(f"{name}: token removed from {', '.join(report.removed)}")
        else:
            say(f"{name}: no stored token found")
        if store.forget(name):
            say(f"{name}: remembered password removed from the keyring")
        profile = config.get_profile(name)
        if profile is not None and profile.auto_relogin:
            profile.auto_relogin = False
            changed = True
        for problem in report.problems:
            say(f"{name}: could not check: {problem}")
            status = EXIT_FAILED
    if changed and config.path is not None:
        save_config(config)
    if os.environ.get("EFILE_TOKEN"):
        say("note: EFILE_TOKEN is still set in this environment (unset EFILE_TOKEN)")
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
        problem = f"no profile {name!r}: run `efile-tui login`"
    else:
        try:
            token, source = store.get(name)
        except NoUsableKeyring as exc:
            problem, explanation = exc.problem, exc.message
        except TokenFileError as exc:
            problem = exc.message
        if token is None and problem is None:
            problem = f"no token in {source}: run `efile-tui login`"
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
    state = "usable" if report.usable else "NOT usable"
    lines = [
        f"keyring backend: {report.active.label} ({report.active.name}), {state}",
        f"  chosen by: {report.chosen_by}; {report.reason}",
    ]
    lines += [f"  warning: {report.warning}"] if report.warning else []
    return lines + [f"  not used: {info.label}: {info.reason}" for info in report.rejected]


def _iso(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch).astimezone().isoformat(timespec="seconds")


def _print_status(data: dict[str, Any], keyring_lines: list[str]) -> None:
    tok = data["token"]
    region = data["region_name"] or data["region_id"]
    lines = [
        f"profile: {data['profile']}"
        + (" (default)" if data["profile"] == data["default_profile"] else "")
        + ("" if data["profile_saved"] else " (not saved)"),
        f"platform: {data['platform_url'] or '-'}",
        f"user: {data['user'] or '-'}   region: {region or '-'}"
        + (f" ({data['region_id']})" if data["region_name"] and data["region_id"] else ""),
        f"efile URL: {data['efile_url'] or '-'}",
        f"home: {data['home'] or '-'}",
        f"token store: {data['token_store']}"
        + ("; automatic re-login on" if data["auto_relogin"] else ""),
        *keyring_lines,
    ]
    if tok["present"]:
        lines.append(f"token: from {tok['source']}")
        if tok["expires_at"]:
            lines.append(f"  expires: {tok['expires_at']} ({tok['expires']})")
        else:
            lines.append("  expires: unknown (no expireTime claim)")
        if str(tok["source"]).startswith("keyring"):
            lines.append(
                "  note: keyring entries live on this host's session; on other login nodes "
                "sharing $HOME use EFILE_TOKEN or --token-store file"
            )
    else:
        lines.append(f"token: none ({tok['problem']})")
    print("\n".join(lines), flush=True)


__all__ = [
    "choose_region",
    "cmd_login",
    "cmd_logout",
    "cmd_status",
    "expiry_phrase",
    "register",
]
