"""``doctor``'s connection check: where the token comes from, and one request to the service.

The request is the cheapest one that needs the token (the first entry of the home folder),
sent once under a short deadline, with no retry and no token renewal: its answer says
whether the service answers at all and whether it accepts the token. Nothing is stored.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import time
from typing import Any

from efile_tui.api.errors import AuthError, EfileError, PlainHttpRefused
from efile_tui.api.http import RetryPolicy
from efile_tui.cli.common import (
    EXIT_AUTH,
    EXIT_FAILED,
    EXIT_UNREACHABLE,
    EXIT_USAGE,
    CliError,
    check_connection_text,
    error_exit_code,
)
from efile_tui.core.validate import text_problem
from efile_tui.i18n import N_, Msg, _

LOGIN_FIX = Msg(N_("run `efile-tui login` (or export a fresh EFILE_TOKEN)"))


def _problem(problem: object, fix: str, code: int) -> dict[str, Any]:
    """A problem, what to do about it, and the exit code the CLI uses for its kind (an
    exception's message as a :class:`Msg` where it is one: English in JSON, translated
    where shown)."""
    if isinstance(problem, BaseException):
        problem = (
            problem.args[0]
            if len(problem.args) == 1 and isinstance(problem.args[0], Msg)
            else str(problem)
        )
    return {"problem": problem, "fix": fix, "exitCode": code}


async def connection_report(args: argparse.Namespace, deadline: float) -> dict[str, Any]:
    """The connection in use (URL, profile, token source — never the token) and what the
    service said; ``problems`` lists what to fix."""
    from efile_tui.config import ConfigError
    from efile_tui.core.session import NeedsLogin, resolve_connection
    from efile_tui.store.keyring_backends import NoUsableKeyring
    from efile_tui.store.token_file import TokenFileError

    out: dict[str, Any] = {"problems": []}
    for name, value in (("profile", args.profile), ("url", args.url)):
        bad = text_problem(value, f"--{name}") if value else None
        if bad:
            out["problems"].append(_problem(bad, Msg(N_("correct the option")), EXIT_USAGE))
            return out
    try:
        conn = await asyncio.to_thread(
            lambda: resolve_connection(
                profile=args.profile,
                url=args.url,
                deadline=args.deadline,
                allow_http=args.allow_http,
                allow_prompting=False,
            )
        )
        check_connection_text(conn)
    except NeedsLogin as exc:
        out["problems"].append(_problem(exc, LOGIN_FIX, EXIT_AUTH))
        return out
    except (NoUsableKeyring, TokenFileError) as exc:
        fix = Msg(N_("{fix}, or see `efile-tui auth status`"), fix=LOGIN_FIX)
        out["problems"].append(_problem(exc, fix, EXIT_AUTH))
        return out
    except (ConfigError, CliError) as exc:
        code = exc.exit_code if isinstance(exc, CliError) else EXIT_USAGE
        out["problems"].append(
            _problem(exc, Msg(N_("correct the setting named in the message")), code)
        )
        return out
    out.update(url=conn.efile_url, profile=conn.profile, tokenSource=conn.token_source)
    out["service"] = await _ask(dataclasses.replace(conn, renew=None), deadline, out["problems"])
    return out


async def _ask(conn: Any, deadline: float, problems: list[dict[str, Any]]) -> dict[str, Any]:
    """One request under ``deadline`` seconds; what it showed."""
    short = dataclasses.replace(conn, deadline=min(conn.deadline, deadline))
    started = time.monotonic()
    result: dict[str, Any] = {"answered": False, "tokenAccepted": None}
    try:
        async with short.client(retry=RetryPolicy(attempts=1)) as client:
            result["home"] = await asyncio.wait_for(client.home_folder(), deadline)
        result.update(answered=True, tokenAccepted=True)
    except AuthError as exc:
        result.update(answered=True, tokenAccepted=False)
        problems.append(
            _problem(
                Msg(
                    N_("the service refused the token from {source}: {why}"),
                    source=conn.token_source,
                    why=exc.message,
                ),
                LOGIN_FIX,
                EXIT_AUTH,
            )
        )
    except PlainHttpRefused as exc:
        https = Msg(N_("use https, or pass --allow-http on purpose"))
        problems.append(_problem(exc, https, EXIT_USAGE))
    except (EfileError, asyncio.TimeoutError, TimeoutError) as exc:
        reason: str | None = exc.message if isinstance(exc, EfileError) else None
        reason = reason or Msg(N_("no answer within {seconds} s"), seconds=f"{deadline:g}")
        fix = N_(
            "check the URL (EFILE_URL, --url or the profile's efile_url), the network and the "
            "service's status page; `efile-tui doctor` asks again"
        )
        problems.append(
            _problem(
                Msg(
                    N_("the service at {url} did not answer: {why}"),
                    url=conn.efile_url,
                    why=reason,
                ),
                Msg(fix),
                (error_exit_code(exc) or EXIT_FAILED)
                if isinstance(exc, EfileError)
                else EXIT_UNREACHABLE,
            )
        )
    result["seconds"] = round(time.monotonic() - started, 3)
    return result


def connection_lines(c: dict[str, Any]) -> list[str]:
    """The connection part of doctor's screen."""
    if "url" not in c:
        return [_("connection: not configured")]
    lines = [
        _("connection: {url} (profile {profile}), token from {source}").format(
            url=c["url"], profile=c["profile"] or _("none"), source=c["tokenSource"]
        )
    ]
    s = c["service"]
    seconds = f"{s['seconds']:.2f}"
    if s["tokenAccepted"]:
        text = _("service answered in {seconds} s and accepts the token")
    elif s["answered"]:
        text = _("service answered in {seconds} s but REFUSED the token")
    else:
        text = _("service did NOT answer (after {seconds} s)")
    return [*lines, "  " + text.format(seconds=seconds)]


__all__ = ["connection_lines", "connection_report"]
