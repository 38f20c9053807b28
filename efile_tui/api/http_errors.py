"""The transport's errors, in words: each failure of a request (no answer in time, no
connection, a bad answer, a lost answer) as the exception it raises.

Every message is a :class:`~efile_tui.i18n.Msg` — English where it is stored (the journal
keeps a lost submit's message), translated where a person reads it — and begins with the
request it is about (``where``).
"""

from __future__ import annotations

from collections.abc import Sequence

from efile_tui.api.decode import BodyRefused
from efile_tui.api.errors import (
    BadResponse,
    EfileError,
    OutcomeUnknown,
    PlainHttpRefused,
    ServiceUnreachable,
)
from efile_tui.i18n import N_, Msg

AT = "{where}: {what}"  # a message about the request named ``where``


def at(where: str, template: str, /, **fields: object) -> Msg:
    """``where: what`` — the message ``template`` about the request named ``where``."""
    return Msg(AT, where=where, what=Msg(template, **fields))


def kind(exc: Exception) -> str:
    """Name an httpx error without echoing request details (headers carry the token)."""
    return type(exc).__name__


def deadline_passed(where: str, url: str, deadline: float) -> ServiceUnreachable:
    """No complete answer within the request deadline."""
    text = N_(
        "no complete answer from {url} within {seconds} s (the request deadline): the "
        "service is stalled or very slow; try again later, or raise the deadline "
        "(--deadline, EFILE_DEADLINE or the profile's request_deadline)"
    )
    return ServiceUnreachable(
        at(where, text, url=url, seconds=f"{deadline:g}"), reason=N_("timed out")
    )


def cannot_connect(where: str, url: str, exc: Exception) -> ServiceUnreachable:
    """The connection was never made."""
    import httpx  # loaded already: the error came from it

    timed_out = isinstance(exc, httpx.ConnectTimeout)
    return ServiceUnreachable(
        at(where, N_("cannot connect to {url} ({kind})"), url=url, kind=kind(exc)),
        reason=N_("timed out") if timed_out else N_("refused"),
    )


def connection_failed(where: str, url: str, exc: Exception) -> ServiceUnreachable:
    """The connection broke or timed out after the request may have been sent."""
    import httpx  # loaded already: the error came from it

    timed_out = isinstance(exc, httpx.TimeoutException)
    return ServiceUnreachable(
        at(where, N_("connection to {url} failed ({kind})"), url=url, kind=kind(exc)),
        reason=N_("timed out") if timed_out else N_("connection lost"),
    )


def status_hint(status: int) -> Msg:
    """What an HTTP status other than 200 usually means, and what to do."""
    if status in (401, 403):
        hint = N_("the request was refused before reaching the API; check the efile URL and log in")
    elif status == 404:
        hint = N_("no such API path; check the efile URL (it should be the region's efile address)")
    elif status == 429 or status >= 500:
        hint = N_("the service or a proxy in front of it is failing; try again later")
    else:
        hint = N_("check the efile URL")
    return Msg(hint)


def http_status(where: str, status: int, body: str) -> Msg:
    """The message for an HTTP status other than 200 (``body``: a preview of the body)."""
    text = N_("the service answered HTTP {status} instead of 200{body}: {hint}")
    return at(where, text, status=status, body=body, hint=status_hint(status))


def bad_answer(where: str, exc: BodyRefused) -> BadResponse:
    """An answer the decoder refused (too large, too deep, corrupt)."""
    why = exc.args[0] if exc.args else str(exc)
    text = N_("{why}: the service or a proxy sent a bad answer")
    return BadResponse(at(where, text, why=why))


def not_json(where: str, content: bytes, start: str) -> BadResponse:
    """An answer that is not the JSON envelope (``start``: a preview of the body)."""
    what = N_("an empty body") if not content.strip() else N_("a body that is not JSON")
    if content.lstrip()[:1] == b"<":
        what = N_("an HTML page")
    text = N_(
        "the service answered {what} instead of the JSON envelope{start}: a proxy or a "
        "login page may be in the way; check the efile URL, or try again later"
    )
    return BadResponse(at(where, text, what=Msg(what), start=start))


def no_code(where: str, *, empty: bool) -> BadResponse:
    """An answer without the envelope's ``code`` (or with an empty one)."""
    if empty:
        text = N_(
            "the service's answer has an empty 'code' field: check the efile URL, or try "
            "again later"
        )
    else:
        text = N_(
            "the service's answer has no 'code' field (not the efile API envelope): check "
            "the efile URL"
        )
    return BadResponse(at(where, text))


def outcome_lost(where: str, err: EfileError, paths: Sequence[str]) -> OutcomeUnknown:
    """A write whose answer is lost: the tasks may exist; never re-sent."""
    told = err.message  # it starts with the same "where: ": say it once
    what = told.fields["what"] if isinstance(told, Msg) and told.template == AT else None
    if isinstance(what, str) and told.startswith(f"{where}: "):
        told = what
    shown: str = ", ".join(paths[:3])
    if len(paths) > 3:
        shown = Msg(N_("{paths} and {n} more"), paths=shown, n=len(paths) - 3)
    text = N_(
        "the request was sent but its answer was lost ({cause}); the tasks may exist on the "
        "service. Not re-sent: check with `efile-tui tasks` and `efile-tui ls` before "
        "resubmitting. Paths: {paths}"
    )
    return OutcomeUnknown(at(where, text, cause=told, paths=shown), paths)


def scheme_refused(url: str, host: str | None) -> PlainHttpRefused:
    """A URL that is not http(s) (``host`` None), or plain http:// to another machine."""
    if host is None:
        text = N_("the service URL {url} is not an http(s) URL: give https://HOST/...")
        return PlainHttpRefused(Msg(text, url=repr(url)))
    text = N_(
        "refusing plain http:// to {host}: the token (and a password at login) would cross "
        "the network unencrypted and could be read or replayed by anyone on the path. Use "
        "the https:// address; to send it unencrypted anyway, pass --allow-http or set "
        "allow_plain_http = true in the profile"
    )
    return PlainHttpRefused(Msg(text, host=repr(host)))


__all__ = [
    "AT",
    "at",
    "bad_answer",
    "cannot_connect",
    "connection_failed",
    "deadline_passed",
    "http_status",
    "kind",
    "no_code",
    "not_json",
    "outcome_lost",
    "scheme_refused",
    "status_hint",
]
