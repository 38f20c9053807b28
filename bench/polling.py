"""Polling cost: one poll cycle with 10,000 tracked tasks of which 500 are still running.

Setup: 9,500 single files and 500 folders of 3 files are created in the simulator's home
and deleted through ``submit_tracked`` into a real journal (a temporary SQLite file), so
all 10,000 tasks are journalled. Single-file deletes finish inside the submit request
(``sync_threshold=1``); the folder deletes run at 0.001 files per second, so they stay
waiting/processing for the whole run.

Measured: the real code path ``poll_once(ctx)`` (it asks the journal for the pollable ids
only), against two baselines run the same way through ``poll_once`` with explicit ids:
(a) naive, one ``task/list`` request per tracked task (a client with ``task_batch=1``),
(b) every tracked task, finished ones included, in batches of 100. Requests and bytes are
counted by a wrapper around ``httpx.AsyncHTTPTransport`` (see ``CountingTransport``); wall
time is the median over several cycles. The wrapper also reads every ``task/list`` body to
check that no finished task id is sent.
"""

from __future__ import annotations

import asyncio
import json
import math
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import httpx
from common import Figure, median, simulator, write_section

from efile_tui.api.client import EfileClient
from efile_tui.api.models import Operation, SubmitItem
from efile_tui.core.operations import Context, poll_once, submit_tracked
from efile_tui.store.audit import AuditLog
from efile_tui.store.journal import Journal

HOME = "/public/home/demo"
FINISHED = 9_500
RUNNING = 500
FILES_PER_RUNNING = 3
BATCH = 100
CYCLES = 9  # efile-tui and baseline (b); median wall time
NAIVE_CYCLES = 3  # baseline (a) sends 10,000 requests per cycle
TASK_LIST = "/efile/openapi/v2/file/task/list"


class _CountingStream(httpx.AsyncByteStream):
    """A response body stream that adds the bytes it yields to its transport's counter."""

    def __init__(self, inner: httpx.AsyncByteStream, owner: CountingTransport) -> None:
        self.inner = inner
        self.owner = owner

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self.inner:
            self.owner.response_bytes += len(chunk)
            yield chunk

    async def aclose(self) -> None:
        await self.inner.aclose()


class CountingTransport(httpx.AsyncBaseTransport):
    """``httpx.AsyncHTTPTransport`` that counts requests and HTTP/1.1 bytes both ways.

    Request bytes: the request line, every header line as sent (``Host``, ``token``,
    ``Content-Length``...), the blank line and the body. Response bytes: the status line,
    the header lines, the blank line and the body as received (after HTTP/1.1 framing,
    before any content decoding; the simulator sends ``Content-Length`` bodies, no gzip).
    TCP/IP overhead and connection setup are not counted.
    """

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.requests = 0
        self.request_bytes = 0
        self.response_bytes = 0
        self.asked_ids: list[str] = []  # every id sent in a task/list body

    @property
    def total_bytes(self) -> int:
        """Request plus response bytes so far."""
        return self.request_bytes + self.response_bytes

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        target = request.url.raw_path.decode("ascii")
        head = f"{request.method} {target} HTTP/1.1\r\n".encode()
        self.requests += 1
        self.request_bytes += len(head) + _header_bytes(request.headers.raw) + len(body)
        if request.url.path == TASK_LIST and body:
            self.asked_ids.extend(json.loads(body).get("taskIds", []))
        response = await self.inner.handle_async_request(request)
        reason = response.extensions.get("reason_phrase", b"")
        status = f"HTTP/1.1 {response.status_code} ".encode() + reason + b"\r\n"
        self.response_bytes += len(status) + _header_bytes(response.headers.raw)
        assert isinstance(response.stream, httpx.AsyncByteStream)
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=_CountingStream(response.stream, self),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self.inner.aclose()


def _header_bytes(raw: Sequence[tuple[bytes, bytes]]) -> int:
    """Bytes of ``name: value\\r\\n`` lines plus the blank line ending the header block."""
    return sum(len(name) + 2 + len(value) + 2 for name, value in raw) + 2


def make_tree(root: Path) -> tuple[list[str], list[str]]:
    """Create the files to delete; return the virtual paths (single files, folders)."""
    files_dir = root / "done"
    files_dir.mkdir()
    singles = []
    for i in range(FINISHED):
        (files_dir / f"f{i:05d}.dat").write_bytes(b"x")
        singles.append(f"{HOME}/done/f{i:05d}.dat")
    folders = []
    for i in range(RUNNING):
        folder = root / "run" / f"r{i:03d}"
        folder.mkdir(parents=True)
        for j in range(FILES_PER_RUNNING):
            (folder / f"g{j}.dat").write_bytes(b"x")
        folders.append(f"{HOME}/run/r{i:03d}")
    return singles, folders


class Cycle:
    """What one poll cycle cost."""

    def __init__(self, requests: int, nbytes: int, seconds: float, finished_asked: int):
        self.requests = requests
        self.bytes = nbytes
        self.seconds = seconds
        self.finished_asked = finished_asked


async def measure(
    ctx: Context,
    counter: CountingTransport,
    ids: list[str] | None,
    finished: set[str],
    cycles: int,
) -> list[Cycle]:
    """Run ``cycles`` poll cycles of ``poll_once(ctx, ids)``; what each one cost."""
    out = []
    for _ in range(cycles):
        n0, b0, a0 = counter.requests, counter.total_bytes, len(counter.asked_ids)
        t0 = time.perf_counter()
        report = await poll_once(ctx, ids)
        seconds = time.perf_counter() - t0
        asked = counter.asked_ids[a0:]
        assert report.requests == counter.requests - n0
        out.append(
            Cycle(
                counter.requests - n0,
                counter.total_bytes - b0,
                seconds,
                sum(1 for t in asked if t in finished),
            )
        )
    return out


def context(url: str, token: str, journal: Journal, audit: AuditLog, *, batch: int):
    """A Context whose client counts its traffic; returns (ctx, counter)."""
    counter = CountingTransport()
    client = EfileClient(url, token, transport=counter, task_batch=batch)
    return Context(client=client, journal=journal, audit=audit), counter


async def run(url: str, token: str, root: Path, state: Path) -> list[Figure]:
    """Set up the 10,000 tasks, measure efile-tui and both baselines, return figures."""
    singles, folders = make_tree(root)
    journal = Journal(state / "journal")
    audit = AuditLog(state / "audit")
    ctx, counter = context(url, token, journal, audit, batch=BATCH)
    naive_ctx, naive_counter = context(url, token, journal, audit, batch=1)
    batched_ctx, batched_counter = context(url, token, journal, audit, batch=BATCH)
    try:
        t0 = time.perf_counter()
        items = [SubmitItem(p) for p in singles + folders]
        outcomes = await submit_tracked(ctx, Operation.DELETE, items)
        setup = time.perf_counter() - t0
        ids = [o.task.task_id for o in outcomes if o.task and o.task.task_id]
        statuses = [o.task.status.value for o in outcomes if o.task]
        assert len(ids) == FINISHED + RUNNING, f"only {len(ids)} tasks submitted"
        finished = set(ids[:FINISHED])
        assert all(s == "complete" for s in statuses[:FINISHED])
        assert all(s in ("waiting", "processing") for s in statuses[FINISHED:])
        pollable = journal.pollable_ids()
        assert len(pollable) == RUNNING and not finished & set(pollable)

        ours = await measure(ctx, counter, None, finished, CYCLES)
        batched = await measure(batched_ctx, batched_counter, ids, finished, CYCLES)
        naive = await measure(naive_ctx, naive_counter, ids, finished, NAIVE_CYCLES)
        still = journal.pollable_ids()
        assert len(still) == RUNNING, f"{len(still)} running at the end (expected {RUNNING})"
    finally:
        for c in (ctx, naive_ctx, batched_ctx):
            await c.client.aclose()
        journal.close()

    def med(cycles: list[Cycle], attr: str) -> float:
        return median([getattr(c, attr) for c in cycles])

    req, nbytes = med(ours, "requests"), med(ours, "bytes") / 1024
    ms = med(ours, "seconds") * 1000
    want = math.ceil(RUNNING / BATCH)
    req_met = all(c.requests == want for c in ours)
    zero_met = all(c.finished_asked == 0 for c in ours)
    figures = []
    for label, base in (
        ("naive: 1 request per task", naive),
        ("all tasks, batches of 100", batched),
    ):
        figures += [
            Figure(
                f"task/list requests per cycle vs {label}",
                req,
                "req",
                med(base, "requests"),
                f"= ceil({RUNNING}/{BATCH}) = {want}",
                req_met,
            ),
            Figure(f"bytes per cycle vs {label}", nbytes, "KiB", med(base, "bytes") / 1024),
            Figure(
                f"wall time per cycle vs {label}",
                ms,
                "ms",
                med(base, "seconds") * 1000,
                runs=[c.seconds * 1000 for c in ours],
                base_runs=[c.seconds * 1000 for c in base],
            ),
        ]
    figures.append(
        Figure(
            "finished-task ids asked per cycle (vs all tasks batched)",
            max(c.finished_asked for c in ours),
            "ids",
            med(batched, "finished_asked"),
            "0",
            zero_met,
        )
    )
    print(
        f"setup: submitted {len(ids):,} deletes in {setup:.1f} s; cycles: efile-tui "
        f"{[round(c.seconds * 1000, 1) for c in ours]} ms, batched "
        f"{[round(c.seconds * 1000, 1) for c in batched]} ms, naive "
        f"{[round(c.seconds, 2) for c in naive]} s"
    )
    return figures


def main() -> None:
    """Run the benchmark and write its section of RESULTS.md."""
    with (
        simulator(files_per_second=0.001, sync_threshold=1) as server,
        tempfile.TemporaryDirectory(prefix="efile-bench-state-") as state,
    ):
        figures = asyncio.run(run(server.url, server.token, server.config.root, Path(state)))
    notes = (
        f"Setup: {FINISHED + RUNNING:,} deletes submitted through `submit_tracked` into a real "
        f"journal against the simulator on loopback: {FINISHED:,} single files that finish at "
        f"submit and {RUNNING} folders of {FILES_PER_RUNNING} files at 0.001 files/s that stay "
        "waiting/processing. One cycle is `poll_once(ctx)` (journal read, `task/list`, journal "
        "write); the baselines run `poll_once` with all 10,000 ids, with a client batching 1 "
        f"(naive) or 100 ids per request. Times are medians of {CYCLES} cycles ({NAIVE_CYCLES} "
        "for the naive one) and include the simulator, which runs in the same process. Bytes "
        "are HTTP/1.1 request line + headers + body and status line + headers + body, counted "
        "by a wrapper around `httpx.AsyncHTTPTransport` (no TCP/IP overhead)."
    )
    write_section("polling", "Polling cost", "python bench/polling.py", figures, notes)


if __name__ == "__main__":
    main()
