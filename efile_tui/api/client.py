"""EfileClient: the SCNet efile service (listing, async tasks, cancel).

One instance wraps one connection pool; use it as an async context manager::

    async with EfileClient(url, token) as client:
        page = await client.list_dir("/public/home/u")
        outcomes = await client.submit(Operation.DELETE, [SubmitItem("/public/home/u/tmp")])
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from efile_tui.api.errors import (
    AccessRefused,
    ApiError,
    AuthError,
    BadResponse,
    EfileError,
    ListingIncomplete,
    OutcomeUnknown,
    RateLimited,
    ServiceUnreachable,
    TransportError,
)
from efile_tui.api.http import (
    DEFAULT_DEADLINE,
    ApiTransport,
    RetryPolicy,
    TokenRenewer,
)
from efile_tui.api.models import (
    CancelResult,
    DirPage,
    EntryRefused,
    FileEntry,
    Operation,
    SubmitItem,
    SubmitOutcome,
    Task,
    as_int,
    bounded_repr,
    folder_path,
)
from efile_tui.api.task_answers import failed_outcome, match_tasks, task_objects, unique_ids
from efile_tui.i18n import N_, Msg

if TYPE_CHECKING:
    import httpx

API = "/efile/openapi/v2/file"
SUBMIT_BATCH = 100
TASK_BATCH = 100
TASK_BATCH_MAX = 500
TASK_CONCURRENCY = 4  # task/list batches in flight at once
ORDER_BY = ("name", "size", "lastModifiedTime")
MAX_PAGES = 1000  # pages one listing may take (a million entries at 1000 a page)

# Errors after which the following batches of the same submit are not even tried.
_STOP_ERRORS = (ServiceUnreachable, AuthError, AccessRefused, RateLimited)


def normalise_efile_url(url: str) -> str:
    """Strip a trailing ``/efile`` (and slashes) from a region's efile URL."""
    url = url.strip().rstrip("/")
    if url.endswith("/efile"):
        url = url[: -len("/efile")]
    return url.rstrip("/")


def chunks(items: Sequence[Any], size: int) -> list[Sequence[Any]]:
    """Split ``items`` into consecutive slices of at most ``size``."""
    if size < 1:
        raise ValueError("batch size must be at least 1")
    return [items[i : i + size] for i in range(0, len(items), size)]


def unseen(entries: Iterable[FileEntry], seen: set[str]) -> list[FileEntry]:
    """The paging rule, one for every listing (:meth:`EfileClient.iter_pages` and the
    TUI's window, ``core.paging.Paging``): the entries of a page whose path is not in
    ``seen`` (added to it), since entries shift between pages as a folder changes.

    A page that brings nothing new before the listing's ``total`` is reached ends the
    listing: the service ignores the paging, or the folder shrank. A whole listing (``ls``,
    the walks behind a delete's preview and the deny list) must then fail rather than be
    taken as complete: ``iter_pages`` raises ``ListingIncomplete``. A browsing window
    stops asking for pages and keeps what it has.
    """
    fresh = []
    for entry in entries:
        if entry.path not in seen:
            seen.add(entry.path)
            fresh.append(entry)
    return fresh


class EfileClient:
    """Async client for the efile API of one region."""

    def __init__(
        self,
        base_url: str,
        token: str | None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout | float | None = None,
        retry: RetryPolicy | None = None,
        renew: TokenRenewer | None = None,
        task_batch: int = TASK_BATCH,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        deadline: float = DEFAULT_DEADLINE,
        allow_http: bool = False,
    ) -> None:
        if not 1 <= task_batch <= TASK_BATCH_MAX:
            raise ValueError(f"task_batch must be between 1 and {TASK_BATCH_MAX}")
        self.http = ApiTransport(
            normalise_efile_url(base_url),
            token,
            transport=transport,
            timeout=timeout,
            retry=retry,
            renew=renew,
            deadline=deadline,
            allow_http=allow_http,
            sleep=sleep or asyncio.sleep,
        )
        self.task_batch = task_batch

    def __repr__(self) -> str:
        return f"EfileClient({self.http.base_url!r})"

    @property
    def base_url(self) -> str:
        """The efile base URL (without ``/efile``)."""
        return self.http.base_url

    @property
    def request_count(self) -> int:
        """HTTP requests sent so far (each retry counts)."""
        return self.http.request_count

    def use_token(self, token: str | None, renew: TokenRenewer | None) -> None:
        """Send ``token`` from now on (after a new login), renewed with ``renew``."""
        self.http.token = token
        self.http.renew = renew

    async def __aenter__(self) -> EfileClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self.http.aclose()

    # -- listing ---------------------------------------------------------------------

    async def home_folder(self) -> str:
        """The user's home folder, as the service names it (a list without a path)."""
        page = await self.list_dir(None, limit=1)
        return page.path

    async def list_dir(
        self,
        path: str | None,
        *,
        start: int = 0,
        limit: int = 100,
        order_by: str | None = None,
        order: str | None = None,
        keyword: str | None = None,
    ) -> DirPage:
        """List one page of a folder (``GET file/list``); ``None``: the home folder."""
        params: dict[str, Any] = {"start": start, "limit": limit}
        if path is not None:
            params["path"] = path
        if order_by:
            if order_by not in ORDER_BY:
                raise ValueError(f"order_by must be one of {', '.join(ORDER_BY)}")
            params["orderBy"] = order_by
        if order:
            params["order"] = order
        if keyword:
            params["keyWord"] = keyword
        where = Msg(N_("list {path}"), path=path) if path else Msg(N_("list home"))
        data = await self.http.call(
            "GET", f"{API}/list", params=params, idempotent=True, context=where
        )
        data = data if isinstance(data, Mapping) else {}
        answered = data.get("path")
        if path is None:  # the home folder: the service names it
            if not isinstance(answered, str) or not answered.startswith("/"):
                return DirPage(path="", total=0, start=start)
            path = answered
        folder = folder_path(path)
        if answered is not None and folder_path(str(answered)) != folder:
            raise BadResponse(
                Msg(
                    N_(
                        "list {path}: the service answered for another folder ({other}); "
                        "refused: check the efile URL"
                    ),
                    path=path,
                    other=bounded_repr(answered),
                )
            )
        raw = data.get("fileList")
        entries: list[FileEntry] = []
        refused: list[str] = []
        for item in raw if isinstance(raw, list) else []:
            if not isinstance(item, Mapping):
                continue
            try:
                entries.append(FileEntry.from_api(item, folder))
            except EntryRefused as exc:
                refused.append(str(exc))
        return DirPage(
            path=folder,
            total=as_int(data.get("total"), len(entries)),
            start=start,
            entries=tuple(entries),
            refused=tuple(refused),
        )

    async def iter_dir(
        self, path: str, *, page_size: int = 1000, **kwargs: Any
    ) -> AsyncIterator[FileEntry]:
        """Yield every entry of a folder, one page at a time (see ``iter_pages``)."""
        async for page in self.iter_pages(path, page_size=page_size, **kwargs):
            for entry in page.entries:
                yield entry

    async def iter_pages(
        self, path: str, *, page_size: int = 1000, max_pages: int = MAX_PAGES, **kwargs: Any
    ) -> AsyncIterator[DirPage]:
        """Yield the pages of a folder, each with only entries not seen before.

        Paging cannot run away, whatever the service answers: it stops when ``start``
        reaches ``total``, and raises ``ListingIncomplete`` (after yielding what came) when
        a page brings nothing new before that (the rule of :func:`unseen`), or after
        ``max_pages`` pages.
        """
        start = 0
        seen: set[str] = set()
        for _ in range(max_pages):
            page = await self.list_dir(path, start=start, limit=page_size, **kwargs)
            fresh = tuple(unseen(page.entries, seen))
            yield replace(page, entries=fresh)
            start += len(page.entries) + len(page.refused)
            if start >= page.total:
                return
            if not fresh:
                raise ListingIncomplete(
                    Msg(
                        N_(
                            "list {path}: stopped after {n} entries: the service said there "
                            "are {total} but its page at {start} brought nothing new (it may "
                            "be ignoring the paging); the listing is incomplete"
                        ),
                        path=path,
                        n=len(seen),
                        total=page.total,
                        start=page.start,
                    )
                )
        raise ListingIncomplete(
            Msg(
                N_(
                    "list {path}: stopped after {pages} pages ({n} entries) although the "
                    "service said there are {total}; the listing is incomplete"
                ),
                path=path,
                pages=max_pages,
                n=len(seen),
                total=page.total,
            )
        )

    async def mkdir(self, path: str, *, create_parents: bool = False) -> None:
        """Create a folder (``POST file/mkdir``)."""
        params = {"path": path, "createParents": "true" if create_parents else "false"}
        await self.http.call(
            "POST",
            f"{API}/mkdir",
            params=params,
            idempotent=True,
            context=Msg(N_("mkdir {path}"), path=path),
        )

    # -- submitting tasks ----------------------------------------------------------------

    async def submit(
        self,
        operation: Operation,
        items: Sequence[SubmitItem],
        *,
        on_batch: Callable[[list[SubmitOutcome]], None] | None = None,
    ) -> list[SubmitOutcome]:
        """Submit ``items`` in requests of at most 100; outcomes come back in input order.

        A batch whose answer is lost yields outcomes with ``unknown=True``; it is never
        re-sent. After an error that would hit every later batch too (unreachable,
        throttled past the retries, authentication) the remaining items are reported as
        not sent. ``on_batch`` is called with each batch's outcomes as soon as they exist.
        """
        endpoint = {
            Operation.DELETE: "async-remove",
            Operation.COPY: "async-copy",
            Operation.MOVE: "async-move",
        }[operation]
        outcomes: list[SubmitOutcome] = []
        stop: EfileError | None = None
        for batch in chunks(list(items), SUBMIT_BATCH):
            if stop is not None:
                done = [
                    failed_outcome(i, Msg(N_("not sent: {why}"), why=stop.message), stop)
                    for i in batch
                ]
            else:
                try:
                    data = await self.http.call(
                        "POST",
                        f"{API}/{endpoint}",
                        json_body=[i.to_api() for i in batch],
                        idempotent=False,
                        context=Msg(N_("{endpoint} ({n} items)"), endpoint=endpoint, n=len(batch)),
                        paths=[i.source_path for i in batch],
                    )
                    done = match_tasks(batch, data, endpoint)
                except OutcomeUnknown as exc:
                    done = [SubmitOutcome(i, error=exc.message, unknown=True) for i in batch]
                except EfileError as exc:
                    if isinstance(exc, _STOP_ERRORS):
                        stop = exc
                    done = [failed_outcome(i, exc.message, exc) for i in batch]
            outcomes.extend(done)
            if on_batch:
                on_batch(done)
        return outcomes

    # -- task list and cancel -----------------------------------------------------------

    async def task_list(
        self,
        task_ids: Sequence[str],
        *,
        on_batch: Callable[[Sequence[str], dict[str, Task]], None] | None = None,
    ) -> dict[str, Task]:
        """Fetch tasks by id; ids the service no longer knows are absent.

        Batches of ``task_batch`` ids go out ``TASK_CONCURRENCY`` at a time (a slow link
        costs one round trip per few batches, not per batch). ``on_batch`` gets each batch's
        ids and tasks as soon as they arrive, so a batch that fails after its retries does
        not throw away the others: the first error is raised once all batches are done.
        """
        found: dict[str, Task] = {}
        gate = asyncio.Semaphore(TASK_CONCURRENCY)

        async def one(batch: Sequence[str]) -> None:
            async with gate:
                data = await self.http.call(
                    "POST",
                    f"{API}/task/list",
                    json_body={"taskIds": list(batch)},
                    idempotent=True,
                    context=Msg(N_("task/list ({n} ids)"), n=len(batch)),
                )
            asked = set(batch)
            tasks = {}
            for raw in task_objects(data):
                task = Task.from_api(raw)
                if task.task_id in asked:  # objects for ids not asked for are ignored
                    tasks[task.task_id] = task
            found.update(tasks)
            if on_batch:
                on_batch(batch, tasks)

        batches = chunks(unique_ids(task_ids), self.task_batch)
        results = await asyncio.gather(*(one(b) for b in batches), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return found

    async def cancel(
        self,
        task_ids: Sequence[str],
        *,
        on_batch: Callable[[list[CancelResult]], None] | None = None,
    ) -> list[CancelResult]:
        """Cancel tasks in batches; one result per id, in input order.

        Cancelling is idempotent, so a lost answer is retried. A batch that still fails
        gives results with ``error`` set instead of aborting the whole operation: ``lost``
        when the request may have reached the service but no answer came back (a transport
        failure), not when the service refused it.
        """
        results: list[CancelResult] = []
        for batch in chunks(unique_ids(task_ids), self.task_batch):
            try:
                data = await self.http.call(
                    "POST",
                    f"{API}/task/cancel",
                    json_body={"taskIds": list(batch)},
                    idempotent=True,
                    context=Msg(N_("task/cancel ({n} ids)"), n=len(batch)),
                )
                if not isinstance(data, list):
                    message = Msg(
                        N_(
                            "task/cancel ({n} ids): the service answered without a result "
                            "list; check the task with `efile-tui tasks ID`"
                        ),
                        n=len(batch),
                    )
                    done = [CancelResult(t, False, None, error=message, lost=True) for t in batch]
                else:
                    by_id = {}
                    for raw in data:
                        if isinstance(raw, Mapping):
                            parsed = CancelResult.from_api(raw)
                            by_id[parsed.task_id] = parsed
                    done = [by_id.get(t, CancelResult(t, False, None)) for t in batch]
            except EfileError as exc:
                code = exc.code if isinstance(exc, (ApiError, AccessRefused)) else None
                lost = isinstance(exc, TransportError) and not isinstance(exc, AccessRefused)
                done = [
                    CancelResult(t, False, None, error=exc.message, error_code=code, lost=lost)
                    for t in batch
                ]
            results.extend(done)
            if on_batch:
                on_batch(done)
        return results


__all__ = [
    "SUBMIT_BATCH",
    "TASK_BATCH",
    "TASK_BATCH_MAX",
    "EfileClient",
    "RetryPolicy",
    "chunks",
    "normalise_efile_url",
]
