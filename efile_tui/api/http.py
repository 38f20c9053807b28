"""The request core shared by the efile and platform clients.

It owns the one long-lived ``httpx.AsyncClient``, decodes the ``{code, msg, data}``
envelope, retries what is safe to retry and turns every failure into an ``EfileError``.

Retry rules:

* reads (and idempotent calls such as cancel) are retried with exponential backoff and
  full jitter on transport errors, timeouts, 5xx, unreadable bodies and ``911048``;
* a write is retried only when it certainly did not run: the connection was never made,
  or the service answered ``911048`` (throttled requests are rejected before they run).
  Anything else after the request left this machine raises ``OutcomeUnknown``;
* the deadline bounds the whole call, its retries and their waits included: a hung
  service is "timed out" after one deadline, not after one per-read timeout per attempt.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import random
import threading
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from efile_tui import __version__
from efile_tui.api.decode import (
    MAX_BODY,
    BodyRefused,
    bounded,
    decode_json,
    read_capped,
    too_big,
)
from efile_tui.api.errors import (
    AccessRefused,
    BadResponse,
    EfileError,
    RateLimited,
    TokenExpired,
    error_for,
)
from efile_tui.api.http_errors import (
    bad_answer,
    cannot_connect,
    connection_failed,
    deadline_passed,
    http_status,
    no_code,
    not_json,
    outcome_lost,
    scheme_refused,
)

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)

USER_AGENT = f"efile-tui/{__version__}"
READ_TIMEOUT = 20.0  # seconds: the default per-read timeout (the deadline bounds a request)
CONNECT_TIMEOUT = 5.0  # seconds: the default timeout for making a connection
DEFAULT_DEADLINE = 60.0  # seconds for a whole request: connect, headers and body
MAX_DEADLINE = 3600.0
PREVIEW_WINDOW = 64 * 1024  # bytes of an unusable body searched for the token before showing

TokenRenewer = Callable[[], Awaitable[str | None]]
"""Called once when the service rejects the token; returns a new token or None."""


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently retryable failures are retried."""

    attempts: int = 5
    base_delay: float = 0.25
    max_delay: float = 8.0

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Full-jitter exponential backoff for the given 1-based attempt."""
        cap = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return (rng or random).uniform(cap / 2, cap)


class _Retryable(Exception):
    """Internal: a failure that may be retried, carrying the error to raise at the end."""

    def __init__(self, error: EfileError, *, safe_for_writes: bool, wait: float | None = None):
        super().__init__(error.message)
        self.error = error
        self.safe_for_writes = safe_for_writes
        self.wait = wait


class ApiTransport:
    """Sends API requests; knows the envelope, retries and token renewal.

    The token lives only here and travels only in the ``token`` header.
    """

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout | float | None = None,
        retry: RetryPolicy | None = None,
        renew: TokenRenewer | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        deadline: float = DEFAULT_DEADLINE,
        max_body: int = MAX_BODY,
        allow_http: bool = False,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        check_scheme(self.base_url, allow_http=allow_http)
        if not 0 < deadline <= MAX_DEADLINE:
            raise ValueError(f"the request deadline must be between 0 and {MAX_DEADLINE:g} s")
        self.deadline = deadline
        self.max_body = max_body
        self._token = token
        self.retry = retry or RetryPolicy()
        self.renew = renew
        self._sleep = sleep
        self.request_count = 0
        self._transport = transport
        self._timeout = timeout
        self._pool: httpx.AsyncClient | None = None  # made by the first request
        self._pool_lock = threading.Lock()
        self._making: asyncio.Task[None] | None = None  # the first request's making of it

    def __repr__(self) -> str:
        return f"ApiTransport({self.base_url!r}, token={'set' if self._token else 'unset'})"

    @property
    def token(self) -> str | None:
        """The current token (after any renewal)."""
        return self._token

    @token.setter
    def token(self, value: str | None) -> None:
        self._token = value

    async def _http(self) -> httpx.AsyncClient:
        """The connection pool, made by the first request in a thread: making it loads the
        HTTP machinery (httpcore) and the CA certificates, half a second under load, which
        would hold up the TUI's paints if done on its event loop."""
        if self._pool is None:
            # One thread for the requests that wait together; they go on in the order they
            # came (batches are sent in order).
            loop = asyncio.get_running_loop()
            making = self._making
            if making is None or making.done() or making.get_loop() is not loop:
                making = self._making = loop.create_task(asyncio.to_thread(self._make_pool))
            await asyncio.shield(making)
        assert self._pool is not None
        return self._pool

    def _make_pool(self) -> None:
        """Make the connection pool once (the first requests may ask together). httpx
        itself is loaded here: a TUI paints its first frame before anything is sent."""
        import httpx

        with self._pool_lock:
            if self._pool is None:
                timeout = self._timeout
                self._pool = httpx.AsyncClient(
                    base_url=self.base_url,
                    transport=self._transport,
                    timeout=httpx.Timeout(READ_TIMEOUT, connect=CONNECT_TIMEOUT)
                    if timeout is None
                    else timeout,
                    # Only encodings whose inflated size read_capped can bound.
                    headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"},
                    follow_redirects=False,
                )

    async def aclose(self) -> None:
        """Close the connection pool (if a request made one)."""
        if self._pool is not None:
            await self._pool.aclose()

    async def call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool,
        context: str = "",
        paths: Sequence[str] = (),
        authenticated: bool = True,
    ) -> Any:
        """Send one API request and return the envelope's ``data``.

        ``idempotent`` marks calls that may be re-sent after an unknown outcome. ``paths``
        names what a write carries, for the ``OutcomeUnknown`` message.
        """
        renewed = False
        attempt = 0
        clock = asyncio.get_running_loop().time
        end = clock() + self.deadline
        while True:
            attempt += 1
            try:
                return await self._once(
                    method,
                    path,
                    params,
                    json_body,
                    headers,
                    idempotent,
                    context,
                    paths,
                    authenticated,
                    max(0.0, end - clock()),
                )
            except _Retryable as exc:
                retry_ok = idempotent or exc.safe_for_writes
                wait = exc.wait if exc.wait is not None else self.retry.delay(attempt)
                if not retry_ok or attempt >= self.retry.attempts or clock() + wait >= end:
                    raise exc.error from exc.__cause__
                log.info("retrying %s after %.2fs (%s)", path, wait, exc.error.title)
                await self._sleep(wait)
            except TokenExpired:
                if renewed or self.renew is None or not authenticated:
                    raise
                renewed = True
                new = await self.renew()
                if not new:
                    raise
                self._token = new

    async def _exchange(
        self, http: httpx.AsyncClient, request: httpx.Request
    ) -> tuple[httpx.Response, bytes]:
        """Send ``request`` and read its body under the size cap (no deadline here)."""
        resp = await http.send(request, stream=True)
        try:
            if resp.is_stream_consumed:  # built in memory by a test transport: already whole
                body = resp.content
                if len(body) > self.max_body:
                    raise BodyRefused(too_big(self.max_body))
            else:
                encoding = resp.headers.get("Content-Encoding", "")
                body = await read_capped(resp.aiter_raw(), encoding, self.max_body)
        finally:
            await resp.aclose()
        return resp, body

    async def _once(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        json_body: Any,
        headers: Mapping[str, str] | None,
        idempotent: bool,
        context: str,
        paths: Sequence[str],
        authenticated: bool,
        budget: float,
    ) -> Any:
        """One attempt, cut off after ``budget`` seconds (what is left of the deadline)."""
        send_headers = dict(headers or {})
        if authenticated and self._token:
            send_headers["token"] = self._token
        where = context or path
        self.request_count += 1
        http = await self._http()
        import httpx  # loaded by the pool's making (in a thread), just above

        request = http.build_request(
            method, path, params=params, json=json_body, headers=send_headers
        )
        try:
            resp, content = await asyncio.wait_for(self._exchange(http, request), budget)
        except asyncio.TimeoutError:
            # A stalled or drip-feeding service: the deadline is the bound, retries included.
            late = deadline_passed(where, self.base_url, self.deadline)
            raise self._final(where, late, idempotent, paths) from None
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            # The connection was never made: nothing reached the service.
            unreachable = cannot_connect(where, self.base_url, exc)
            raise _Retryable(unreachable, safe_for_writes=True) from exc
        except BodyRefused as exc:
            raise self._final(where, bad_answer(where, exc), idempotent, paths) from None
        except httpx.HTTPError as exc:
            raise self._lost(where, exc, idempotent, paths) from exc

        if resp.status_code != 200:
            text = http_status(where, resp.status_code, self._preview(content, prefix="; body "))
            denied = resp.status_code in (401, 403)
            err = AccessRefused(text, resp.status_code) if denied else BadResponse(text)
            if resp.status_code >= 500 or resp.status_code == 429:
                raise self._lost(where, err, idempotent, paths)
            raise err
        try:
            body = decode_json(content, self._token)
        except BodyRefused as exc:
            raise self._final(where, bad_answer(where, exc), idempotent, paths) from None
        except ValueError:
            start = self._preview(content, prefix=" (starts with ", suffix=")")
            err = not_json(where, content, start)
            raise self._lost(where, err, idempotent, paths) from None
        if not isinstance(body, dict) or "code" not in body:
            err = no_code(where, empty=False)
            raise self._lost(where, err, idempotent, paths)
        code = _code_text(body.get("code"))
        if not code:
            err = no_code(where, empty=True)
            raise self._lost(where, err, idempotent, paths)
        if code == "0":
            return body.get("data")
        msg = body.get("msg")
        api_err = error_for(code, None if msg is None else bounded(str(msg)), context=where)
        if isinstance(api_err, RateLimited):
            raise _Retryable(api_err, safe_for_writes=True, wait=_retry_after(resp))
        raise api_err

    def _final(
        self, where: str, err: EfileError, idempotent: bool, paths: Sequence[str]
    ) -> EfileError:
        """A failure that is not retried: as is for reads, an unknown outcome for writes."""
        if idempotent:
            return err
        lost = self._lost(where, err, False, paths)
        assert isinstance(lost, EfileError)
        return lost

    def _redact(self, text: str, *, cut: bool = False) -> str:
        """Server-sent text with the token blanked out (some proxies echo request headers).

        ``cut``: the text is the start of a longer body, so a token cut off at its end is
        blanked too.
        """
        token = self._token
        if not token or len(token) < 4:
            return text
        text = text.replace(token, "***")
        if cut:
            for size in range(len(token) - 1, 3, -1):
                if text.endswith(token[:size]):
                    return text[:-size] + "***"
        return text

    def _preview(self, content: bytes, *, prefix: str, suffix: str = "") -> str:
        """The start of a body for a message (token blanked; empty when there is no body)."""
        window = content[:PREVIEW_WINDOW]
        text = window.decode("utf-8", "replace")
        text = self._redact(text, cut=len(content) > len(window))
        text = " ".join(text.split())[:60]
        return f"{prefix}{text!r}{suffix}" if text else ""

    def _lost(
        self, where: str, cause: Exception, idempotent: bool, paths: Sequence[str]
    ) -> Exception:
        """The request may have reached the service but its answer is lost or unusable."""
        if isinstance(cause, EfileError):
            err: EfileError = cause
        else:
            err = connection_failed(where, self.base_url, cause)
        if idempotent:
            return _Retryable(err, safe_for_writes=False)
        return outcome_lost(where, err, paths)


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1)."""
    host = host.strip("[]").lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_scheme(url: str, *, allow_http: bool) -> None:
    """Refuse a URL that would send the token or a password in clear text.

    ``https://`` is always fine; ``http://`` only to this machine (loopback) unless the user
    opted in. Raises ``PlainHttpRefused`` naming the host and the way to opt in. The URL is
    read by the standard library (httpx is loaded with the first request, after the TUI's
    first frame); a tested table holds it to the host httpx would connect to.
    """
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
    except ValueError:  # e.g. an unbalanced "[": no host anybody could trust
        raise scheme_refused(url, None) from None
    scheme = parts.scheme.lower()
    if scheme == "https" or (scheme == "http" and allow_http):
        return
    if scheme == "http" and is_loopback(host):
        return
    raise scheme_refused(url, host if scheme == "http" else None)


def _code_text(code: object) -> str:
    """The envelope's ``code`` as text: ``0``, ``0.0`` and ``"0"`` are all ``"0"``."""
    if code is None:
        return ""
    if isinstance(code, float) and code.is_integer():
        code = int(code)
    return str(code).strip()


def _retry_after(resp: httpx.Response) -> float | None:
    value = resp.headers.get("Retry-After")
    try:
        return min(30.0, max(0.0, float(value))) if value else None
    except ValueError:
        return None
