"""One exception tree for everything the SCNet client can raise.

::

    EfileError                      base; every error has .title and a human message
    ├── TransportError              the request failed below the API (network, HTTP status, body)
    │   ├── ServiceUnreachable      could not connect / timed out / connection dropped
    │   └── BadResponse             non-200 status, non-JSON or malformed body
    │       ├── AccessRefused       HTTP 401/403: refused before reaching the API
    │       └── ListingIncomplete   paging stopped: the pages did not add up
    ├── PlainHttpRefused            http:// to a host that is not this machine, not opted in
    ├── SettingError                a setting (environment, flag) has an invalid value
    ├── OutcomeUnknown              a submit was sent but no answer came back; never re-sent
    └── ApiError(code, msg)         the service answered with a code other than "0"
        ├── InternalError           10001, 1001
        ├── InvalidArgument         10003, 10004, 911029, 911700
        ├── UnsupportedVersion      10009 (also "verification failed" on login pages)
        ├── AuthError               10007, 10008, 911406, 911404, 911009
        │   ├── TokenExpired        10008, 911406
        │   └── AccountFrozen       10007
        ├── NotFound                911020
        ├── AlreadyExists           911021, 911025
        ├── NotAFolder              911022
        ├── PermissionDenied        911030
        ├── StorageFull             911501
        ├── ConflictError           911502, 911507, 911031, 911034
        ├── ServerTimeout           911504
        ├── PreviewRefused          911505, 911506
        └── RateLimited             911048

The token never appears in any message: errors are built from codes, messages sent by
the server and paths, never from request headers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from efile_tui.i18n import N_, Msg, _

# code -> (short title, human explanation with the usual fix)
CODE_TABLE: dict[str, tuple[str, str]] = {
    "1001": (
        N_("Unknown exception"),
        N_("the service did not recognise the request (route or method)"),
    ),
    "10001": (N_("Internal error"), N_("the service failed internally; try again later")),
    "10003": (N_("Parameters incomplete"), N_("a required parameter was missing")),
    "10004": (N_("Parameter invalid"), N_("a parameter had an invalid value")),
    "10007": (
        N_("Account frozen"),
        N_("the user account is frozen; contact the SCNet support desk"),
    ),
    "10008": (
        N_("Token expired"),
        N_("the token is no longer valid; run `efile-tui login` to get a new one"),
    ),
    "10009": (
        N_("Unsupported version or verification failed"),
        N_("the API version is not supported or the credentials were rejected"),
    ),
    "911009": (N_("Regional user does not exist"), N_("this account has no user in the region")),
    "911020": (N_("File does not exist"), N_("check the path; it may have been removed already")),
    "911021": (N_("File already exists"), N_("choose another name or a conflict policy")),
    "911022": (N_("Target is not a folder"), N_("the target path must be an existing folder")),
    "911025": (N_("Share already exists"), N_("rename the file before sharing it")),
    "911029": (
        N_("Path contains special characters"),
        N_("rename the file to remove special characters, then try again"),
    ),
    "911030": (N_("Permission denied"), N_("you are not allowed to operate on this path")),
    "911031": (N_("Rename failed"), N_("the file could not be renamed")),
    "911034": (N_("Share link creation failed"), N_("try sharing again")),
    "911404": (
        N_("Authentication server unreachable"),
        N_("the service could not reach the AC authentication server; try again later"),
    ),
    "911406": (
        N_("Token not accepted"),
        N_("the service found no user for this token; run `efile-tui login` again"),
    ),
    "911501": (N_("Storage full"), N_("not enough storage space; free some space first")),
    "911502": (N_("Directory not empty"), N_("the directory is not empty")),
    "911504": (N_("Command timed out"), N_("the service timed out running the command; try again")),
    "911505": (N_("File too large to preview"), N_("the file exceeds the preview size limit")),
    "911506": (N_("File type not allowed"), N_("this file type cannot be opened")),
    "911507": (
        N_("Source and target are the same"),
        N_("the source and target must differ (and the target may not be inside the source)"),
    ),
    "911700": (
        N_("Illegal characters in file name"),
        N_("rename the file to remove illegal characters, then try again"),
    ),
    "911048": (
        N_("Service busy (rate limited)"),
        N_("the service throttled the request; retry later"),
    ),
}


class EfileError(Exception):
    """Base of every error raised by the efile client."""

    title = N_("efile error")

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TransportError(EfileError):
    """The request failed below the API layer."""

    title = N_("Transport error")


class ServiceUnreachable(TransportError):
    """The service could not be reached, timed out or dropped the connection.

    ``reason`` says which in a few words: ``refused`` (no connection was made),
    ``timed out`` (no complete answer in time) or ``connection lost``.
    """

    title = N_("Service unreachable")

    def __init__(self, message: str, reason: str = "unreachable") -> None:
        super().__init__(message)
        self.reason = reason


class BadResponse(TransportError):
    """The service answered with a non-200 status or a body that is not the API envelope."""

    title = N_("Bad response")


class ListingIncomplete(BadResponse):
    """Paging stopped before the end: the service's pages did not add up."""

    title = N_("Listing incomplete")


class AccessRefused(BadResponse):
    """HTTP 401/403: a gateway refused the request before it reached the API.

    ``code`` (``http-401`` / ``http-403``) stands where an API error code would.
    """

    title = N_("Access refused")

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.code = f"http-{status}"


class PlainHttpRefused(EfileError):
    """The URL would send the token unencrypted over the network; nothing was sent."""

    title = N_("Plain http refused")


class SettingError(EfileError):
    """A setting from the environment or a flag has an invalid value; nothing was sent."""

    title = N_("Invalid setting")


class OutcomeUnknown(EfileError):
    """A submit was sent but its answer was lost: the tasks may or may not exist.

    Such a request is never re-sent automatically; ``paths`` names what it carried so the
    operator can check and resubmit on purpose.
    """

    title = N_("Outcome unknown")

    def __init__(self, message: str, paths: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.paths = tuple(paths)


class ApiError(EfileError):
    """The service answered with a business error code."""

    title = N_("API error")

    def __init__(self, code: str, msg: str = "", *, context: str = "") -> None:
        self.code = code
        self.context = context
        title, hint = CODE_TABLE.get(code, (N_("Error {code}"), N_("unrecognised error code")))
        self.title = Msg(title, code=code)
        where = Msg(N_(" ({context})"), context=context) if context else ""
        said = ""
        if msg and msg not in ("success", self.title):
            said = Msg(N_(" — service said: {msg}"), msg=msg)
        super().__init__(
            Msg(
                N_("[{code}] {title}{where}: {hint}{said}"),
                code=code,
                title=self.title,
                where=where,
                hint=Msg(hint),
                said=said,
            )
        )


class InternalError(ApiError):
    """10001/1001: the service failed internally."""


class InvalidArgument(ApiError):
    """10003/10004/911029/911700: the request carried a missing or invalid value."""


class UnsupportedVersion(ApiError):
    """10009: version not supported, or credentials rejected by a login endpoint."""


class AuthError(ApiError):
    """The credential is not (or no longer) usable."""


class TokenExpired(AuthError):
    """10008/911406: the token expired or is unknown; renew or log in again."""


class AccountFrozen(AuthError):
    """10007: the account is frozen."""


class NotFound(ApiError):
    """911020: the path does not exist."""


class AlreadyExists(ApiError):
    """911021/911025: the target exists already."""


class NotAFolder(ApiError):
    """911022: the target is not a folder."""


class PermissionDenied(ApiError):
    """911030: not allowed on this path."""


class StorageFull(ApiError):
    """911501: out of storage space."""


class ConflictError(ApiError):
    """911502/911507/911031/911034: the operation conflicts with the current state."""


class ServerTimeout(ApiError):
    """911504: the service timed out running the command."""


class PreviewRefused(ApiError):
    """911505/911506: the file cannot be previewed."""


class RateLimited(ApiError):
    """911048: the service throttled the request."""


_CLASS_BY_CODE: dict[str, type[ApiError]] = {
    "1001": InternalError,
    "10001": InternalError,
    "10003": InvalidArgument,
    "10004": InvalidArgument,
    "10007": AccountFrozen,
    "10008": TokenExpired,
    "10009": UnsupportedVersion,
    "911009": AuthError,
    "911020": NotFound,
    "911021": AlreadyExists,
    "911022": NotAFolder,
    "911025": AlreadyExists,
    "911029": InvalidArgument,
    "911030": PermissionDenied,
    "911031": ConflictError,
    "911034": ConflictError,
    "911404": AuthError,
    "911406": TokenExpired,
    "911501": StorageFull,
    "911502": ConflictError,
    "911504": ServerTimeout,
    "911505": PreviewRefused,
    "911506": PreviewRefused,
    "911507": ConflictError,
    "911700": InvalidArgument,
    "911048": RateLimited,
}


def shown_message(code: str | None, text: str) -> str:
    """A stored error message for a person: the English message of an :class:`ApiError`
    (as the journal keeps it) given in the language in use; any other text as it is."""
    if not isinstance(text, Msg) and code in CODE_TABLE:
        title, hint = CODE_TABLE[code]
        said = re.escape(" — service said: ")
        found = re.fullmatch(
            rf"\[{re.escape(code)}\] {re.escape(title)}(?: \((.*)\))?: {re.escape(hint)}"
            rf"(?:{said}(.*))?",
            text,
            re.S,
        )
        if found:
            text = error_for(code, found[2] or "", context=_(found[1]) if found[1] else "").message
    return text.shown() if isinstance(text, Msg) else text


def error_for(code: object, msg: object = "", *, context: str = "") -> ApiError:
    """Build the ApiError subclass that matches ``code`` (unknown codes give ApiError)."""
    code_s = str(code).strip()
    cls = _CLASS_BY_CODE.get(code_s, ApiError)
    return cls(code_s, "" if msg is None else str(msg), context=context)
