"""``efile-tui login``: authenticate, pick the region, save the profile, store the token.

Secrets never come from argv: the password, secret key or token is read from a hidden
prompt or, with ``--password-stdin`` / ``--secret-key-stdin`` / ``--token-stdin``, from
standard input. The token store is checked before any password is asked for.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import getpass
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from efile_tui.api.auth import DEFAULT_PLATFORM_URL
from efile_tui.api.client import normalise_efile_url
from efile_tui.api.errors import AuthError, InvalidArgument, UnsupportedVersion
from efile_tui.api.http import check_scheme
from efile_tui.api.models import RegionToken
from efile_tui.cli.common import EXIT_AUTH, EXIT_FAILED, EXIT_USAGE, CliError, profile_name, say
from efile_tui.config import load_config
from efile_tui.core.login_steps import (
    LoginRequest,
    login_profile,
    region_info,
    request_tokens,
    save_login,
)
from efile_tui.i18n import N_, _, shown, shown_error
from efile_tui.store.keyring_backends import SECURE, NoUsableKeyring
from efile_tui.store.tokens import TokenStore


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
    name = profile_name(args.profile or config.default_profile)
    old = config.get_profile(name)
    method = "token" if args.token_stdin else "aksk" if args.access_key else "password"
    if args.secret_key_stdin and not args.access_key:
        raise CliError(_("--secret-key-stdin needs --access-key AK"), EXIT_USAGE)
    if args.remember_password and method == "token":
        raise CliError(_("--remember-password needs a password or secret key login"), EXIT_USAGE)
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
        request.user = request.user or _ask(N_("User"))
    if method == "password":
        request.org_id = request.org_id or _ask(N_("Organisation id (orgId)"))
        request.secret = _secret(args.password_stdin, N_("Password"), "--password-stdin")
    elif method == "aksk":
        request.secret = _secret(args.secret_key_stdin, N_("Secret key"), "--secret-key-stdin")
    else:
        request.secret = _secret(True, N_("Token"), "--token-stdin")

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
    who = f"{profile.user or '?'}@{profile.region or '?'}"
    say(_("Logged in as {who} (profile {name})").format(who=who, name=name))
    say("  " + _("efile URL: {url}").format(url=profile.efile_url))
    say("  " + _("home: {path}").format(path=profile.home_path or _("(unknown)")))
    say("  " + _("token stored in {where}").format(where=shown(outcome.stored.location)))
    return 0


def _check_remember() -> None:
    try:
        report = TokenStore("keyring").keyring_report()
    except NoUsableKeyring as exc:
        raise CliError(
            _(
                "--remember-password needs a keyring: {problem} The password is never kept in a "
                "file; log in without --remember-password."
            ).format(problem=shown(exc.problem)),
            EXIT_AUTH,
        ) from None
    if report.active.kind != SECURE:
        raise CliError(
            _(
                "--remember-password needs a secure keyring; {name} is not one (passwords are "
                "never kept in a file)"
            ).format(name=report.active.label),
            EXIT_AUTH,
        )


def _interactive() -> bool:
    return bool(sys.stdin and sys.stdin.isatty() and sys.stderr.isatty())


def _ask(what: str) -> str:
    if not _interactive():
        flag = {"User": "--user NAME", "Organisation id (orgId)": "--org-id ORG"}.get(what, what)
        raise CliError(
            _("{what} missing and no terminal to ask: pass {flag}").format(
                what=_(what).lower(), flag=flag
            ),
            EXIT_USAGE,
        )
    sys.stderr.write(_("{what}: ").format(what=_(what)))
    sys.stderr.flush()
    value = sys.stdin.readline().strip()
    if not value:
        raise CliError(_("no {what} given").format(what=_(what).lower()), EXIT_USAGE)
    return value


def _secret(from_stdin: bool, what: str, flag: str) -> str:
    """A secret from standard input (one line) or a hidden prompt; never echoed."""
    if sys.stdin is not None and sys.stdin.isatty():
        value = getpass.getpass(_("{what}: ").format(what=_(what)))
    elif from_stdin and sys.stdin is not None:
        value = sys.stdin.read()
        value = value[:-1] if value.endswith("\n") else value
        value = value[:-1] if value.endswith("\r") else value
        if "\n" in value:
            raise CliError(
                _("{what} on standard input must be one line").format(what=_(what).lower()),
                EXIT_USAGE,
            )
    else:
        raise CliError(
            _(
                "no terminal to ask for the {what}: pass {flag} and give it on standard input"
            ).format(what=_(what).lower(), flag=flag),
            EXIT_USAGE,
        )
    if not value:
        raise CliError(_("no {what} given").format(what=_(what).lower()), EXIT_USAGE)
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
        raise CliError(
            _("login refused: {problem}").format(problem=shown_error(exc)), EXIT_AUTH
        ) from None
    if not region.efile_url:
        raise CliError(
            _("region {name} lists no enabled efile URL; pass --url").format(
                name=region.name or region.id
            ),
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
    disabled = "  " + _("(disabled)")
    listing = "\n".join(
        f"  {t.cluster_id:>8}  {t.cluster_name}{'' if t.token else disabled}" for t in regional
    )
    if wanted:
        for t in regional:
            if wanted in (t.cluster_id, t.cluster_name):
                if not t.token:
                    raise CliError(
                        _("your account is disabled in region {name}").format(name=wanted),
                        EXIT_AUTH,
                    )
                return t
        raise CliError(
            _("no region {name}; the account has:").format(name=repr(wanted)) + f"\n{listing}",
            EXIT_USAGE,
        )
    usable = [t for t in regional if t.token]
    if not usable:
        raise CliError(_("the platform returned no usable regional token"), EXIT_AUTH)
    if len(usable) == 1:
        return usable[0]
    if not interactive:
        raise CliError(_("several regions; pass --region ID|NAME:") + f"\n{listing}", EXIT_USAGE)
    for i, t in enumerate(usable, 1):
        sys.stderr.write(f"  {i}) {t.cluster_name} ({t.cluster_id})\n")
    for _attempt in range(3):
        sys.stderr.write(_("Region [1-{n}]: ").format(n=len(usable)))
        sys.stderr.flush()
        answer = sys.stdin.readline().strip()
        if answer.isdigit() and 1 <= int(answer) <= len(usable):
            return usable[int(answer) - 1]
        matches = [t for t in usable if answer in (t.cluster_id, t.cluster_name)]
        if matches:
            return matches[0]
    raise CliError(_("no region chosen"), EXIT_USAGE)
