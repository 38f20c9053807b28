"""Credential commands on the command line: ``login``, ``logout`` and ``auth status``.

This module only defines their arguments; ``cli.login`` runs a login and ``cli.auth_status``
logout and status. Secrets are never accepted as arguments: ``--password`` and friends are
refused without echoing the value.
"""

from __future__ import annotations

import argparse
import sys

from efile_tui.api.auth import DEFAULT_PLATFORM_URL
from efile_tui.cli.auth_status import cmd_logout, cmd_status
from efile_tui.cli.common import EXIT_USAGE, add_http_arg
from efile_tui.cli.login import cmd_login
from efile_tui.config import TOKEN_STORES
from efile_tui.i18n import _


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``login``, ``logout`` and ``auth status`` (plus ``auth login|logout``)."""
    _login_parser(sub)
    _logout_parser(sub)
    p = sub.add_parser("auth", help=_("credentials: status, login, logout"))
    p.set_defaults(handler=lambda args: _auth_usage(p))
    asub = p.add_subparsers(dest="auth_command", metavar="SUBCOMMAND")
    s = asub.add_parser(
        "status",
        help=_("show the profile, the keyring backend and where the token comes from"),
        description=_(
            "Show the profile, region, efile URL and home, which keyring backend is "
            "in use and why others are not, where the token comes from and when it expires. "
            "Never prints the token. Exit 4 when there is no token."
        ),
    )
    s.add_argument("--profile", help=_("profile to show (default: the default profile)"))
    s.add_argument("--json", action="store_true", help=_("print the report as JSON on stdout"))
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
        help=_("log in, pick a region and store the token"),
        description=_(
            "Log in with user + password + org id, an access key pair, or a pasted "
            "token; pick the region; discover its efile URL and home; save the profile (no "
            "secrets) and keep the token in the OS keyring (or, opted in, a plain-text file). "
            "Secrets are read from a hidden prompt or standard input, never from the command line."
        ),
    )
    p.add_argument(
        "--platform-url",
        metavar="URL",
        help=_("platform URL (default: $EFILE_PLATFORM_URL, the profile's, or {url})").format(
            url=DEFAULT_PLATFORM_URL
        ),
    )
    p.add_argument("--user", metavar="NAME", help=_("platform user name"))
    p.add_argument("--org-id", metavar="ORG", help=_("organisation id (password login)"))
    p.add_argument("--region", metavar="ID|NAME", help=_("region to use (asked when several)"))
    p.add_argument(
        "--profile", metavar="NAME", help=_("profile to save (default: the default one)")
    )
    p.add_argument("--default", action="store_true", help=_("make this the default profile"))
    how = p.add_mutually_exclusive_group()
    how.add_argument(
        "--password-stdin", action="store_true", help=_("read the password from standard input")
    )
    how.add_argument(
        "--secret-key-stdin",
        action="store_true",
        help=_("read the secret key (with --access-key) from standard input"),
    )
    how.add_argument(
        "--token-stdin", action="store_true", help=_("read an existing token from standard input")
    )
    p.add_argument("--access-key", metavar="AK", help=_("log in with this access key (AK/SK)"))
    p.add_argument("--url", metavar="URL", help=_("efile URL (skips discovery; for --token-stdin)"))
    p.add_argument("--home", metavar="PATH", help=_("home folder (default: discovered)"))
    p.add_argument(
        "--token-store",
        choices=TOKEN_STORES,
        help=_("where to keep the token: the OS keyring (default) or a plain-text file (opt-in)"),
    )
    p.add_argument(
        "--remember-password",
        action="store_true",
        help=_(
            "keep the password / secret key in the keyring (never a file) to log in again "
            "automatically when the token can no longer be renewed"
        ),
    )
    add_http_arg(p)
    _refuse(p, "--password", "--password-stdin")
    _refuse(p, "--secret-key", "--secret-key-stdin")
    _refuse(p, "--token", "--token-stdin")
    p.set_defaults(handler=cmd_login)


def _logout_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "logout",
        help=_("remove the stored token from every store holding it"),
        description=_(
            "Remove the token (and any remembered password) of a profile from the "
            "keyring and the plain-text file store. The profile's settings are kept."
        ),
    )
    which = p.add_mutually_exclusive_group()
    which.add_argument("--profile", metavar="NAME", help=_("profile (default: the default one)"))
    which.add_argument("--all", action="store_true", help=_("every profile"))
    p.set_defaults(handler=cmd_logout)
