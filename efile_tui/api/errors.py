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

from collections.abc import Sequence

# code -> (short title, human explanation with the usual fix)
CODE_TABLE: dict[str, tuple[str, str]] = {
    "1001": ("Unknown exception", "the service did not recognise the request (route or method)"),
    "10001": ("Internal error", "the service failed internally; try again later"),
    "10003": ("Parameters incomplete", "a required parameter was missing"),
    "10004": ("Parameter invalid", "a parameter had an invalid value"),
    "10007": ("Account frozen", "the user account is frozen; contact the SCNet support desk"),
    "10008": (
        "Token expired",
        "the token is no longer valid; run `efile-tui login` to get a new one",
    ),
    "10009": (
        "Unsupported version or verification failed",
        "the API version is not supported or the credentials were rejected",
    ),
    "911009": ("Regional user does not exist", "this account has no user in the region"),
    "911020": ("File does not exist", "check the path; it may have been removed already"),
    "911021": ("File already exists", "choose another name or a conflict policy"),
    "911022": ("Target is not a folder", "the target path must be an existing folder"),
    "911025": ("Share already exists", "rename the file before sharing it"),
    "911029": (
        "Path contains special characters",
        "rename the file to remove special characters, then try again",
    ),
    "911030": ("Permission denied", "you are not allowed to operate on this path"),
    "911031": ("Rename failed", "the file could not be renamed"),
    "911034": ("Share link creation failed", "try sharing again"),
    "911404": (
        "Authentication server unreachable",
        "the service could not reach the AC authentication server; try again later",
    ),
    "911406": (
        "Token not accepted",
        "the service found no user for this token; run `efile-tui login` again",
    ),
    "911501": ("Storage full", "not enough storage space; free some space first"),
    "911502": ("Directory not empty", "the directory is not empty"),
    "911504": ("Command timed out", "the service timed out running the command; try again"),
    "911505": ("File too large to preview", "the file exceeds the preview size limit"),
    "911506": ("File type not allowed", "this file type cannot be opened"),
    "911507": (
        "Source and target are the same",
        "the source and target must differ (and the target may not be inside the source)",
    ),
    "911700": (
        "Illegal characters in file name",
        "rename the file to remove illegal characters, then try again",
    ),
    "911048": ("Service busy (rate limited)", "the service throttled the request; retry later"),
}


class EfileError(Exception):
    """Base of every error raised by the efile client."""

    title = "efile error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TransportError(EfileError):
    """The request failed below the API layer."""

    title = "Transport error"


class ServiceUnreachable(TransportError):
    """The service could not be reached, timed out or dropped the connection.

    ``reason`` says which in a few words: ``refused`` (no connection was made),
    ``timed out`` (no complete answer in time) or ``connection lost``.
    """

    title = "Service unreachable"

    def __init__(self, message: str, reason: str = "unreachable") -> None:
        super().__init__(message)
        self.reason = reason


class BadResponse(TransportError):
    """The service answered with a non-200 status or a body that is not the API envelope."""

    title = "Bad response"


class ListingIncomplete(BadResponse):
    """Paging stopped before the end: the service's pages did not add up."""

    title = "Listing incomplete"


class AccessRefused(BadResponse):
    """HTTP 401/403: a gateway refused the request before it reached the API.

    ``code`` (``http-401`` / ``http-403``) stands where an API error code would.
    """

    title = "Access refused"

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.code = f"http-{status}"


class PlainHttpRefused(EfileError):
    """The URL would send the token unencrypted over the network; nothing was sent."""

    title = "Plain http refused"


class SettingError(EfileError):
    """A setting from the environment or a flag has an invalid value; nothing was sent."""

    title = "Invalid setting"


class OutcomeUnknown(EfileError):
    """A submit was sent but its answer was lost: the tasks may or may not exist.

    Such a request is never re-sent automatically; ``paths`` names what it carried so the
    operator can check and resubmit on purpose.
    """

    title = "Outcome unknown"

    def __init__(self, message: str, paths: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.paths = tuple(paths)


class ApiError(EfileError):
    """The service answered with a business error code."""

    title = "API error"

    def __init__(self, code: str, msg: str = "", *, context: str = "") -> None:
        self.code = code
        self.context = context
        title, hint = CODE_TABLE.get(code, (f"Error {code}", "unrecognised error code"))
        self.title = title
        where = f" ({context})" if context else ""
        said = f" — service said: {msg}" if msg and msg not in ("success", title) else ""
        super().__init__(f"[{code}] {title}{where}: {hint}{said}")


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


def error_for(code: object, msg: object = "", *, context: str = "") -> ApiError:
    """Build the ApiError subclass that matches ``code`` (unknown codes give ApiError)."""
    code_s = str(code).strip()
    cls = _CLASS_BY_CODE.get(code_s, ApiError)
    return cls(code_s, "" if msg is None else str(msg), context=context)
