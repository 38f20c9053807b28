"""The fault-injection soak: the real TUI, headless, against a simulator having a bad day.

Faults are on all at once: latency on every request, HTTP 503s, dropped connections,
malformed bodies and ``911048`` above a request rate, plus one token expiry and one
simulator restart mid-run. Another client on the same account sends bursts of requests so
that the rate limit is really reached. The TUI submits deletes in batches and cancels a
hand-picked set of them; at the end the journal and the table are compared with what the
simulator knows (the truth), and a report is returned.

``tests/soak/test_soak.py`` runs it in the test suite (so in CI); ``python bench/soak.py``
runs it alone and writes the report to ``bench/RESULTS.md``.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from efile_tui.api.models import Operation
from efile_tui.core.operations import Context
from efile_tui.core.protect import Plan
from efile_tui.core.session import Connection, Renewer
from efile_tui.sim.config import Faults, SimConfig
from efile_tui.sim.server import SimServer
from efile_tui.store.audit import AuditLog
from efile_tui.store.journal import OUTCOME_UNKNOWN, Journal, JournalEntry
from efile_tui.ui.app import EfileApp
from efile_tui.ui.screens.main import MainScreen

HOME = "/public/home/demo"
FINAL = {"complete", "fail", "cancel"}


@dataclass
class SoakParams:
    """The size of the run and the faults injected."""

    deletes: int = 1000
    batch: int = 100  # deletes per submit (each submit is one user action)
    cancel: int = 200
    latency: float = 0.5
    error_rate: float = 0.10
    drop_rate: float = 0.05
    malformed_rate: float = 0.02
    throttle_rps: float = 20.0
    burst: int = 30  # requests per burst from the other client on the same account
    burst_every: float = 4.0  # seconds between its bursts
    files_per_task: int = 3
    files_per_second: float = 3.0  # per task, in the simulator
    workers: int = 16  # tasks the simulator runs at once
    interval: float = 1.0  # the TUI's poll interval
    seed: int = 7
    timeout: float = 420.0  # give up waiting for the final states after this long


@dataclass
class SoakReport:
    """What the soak measured. ``problems`` lists every required zero that was not zero."""

    params: SoakParams
    seconds: float = 0.0
    crashes: int = 0
    crash_details: list[str] = field(default_factory=list)
    submitted: int = 0
    journal_entries: int = 0
    with_task_id: int = 0
    outcome_unknown: int = 0
    not_sent: int = 0
    server_tasks: int = 0
    server_tasks_unnamed: int = 0  # created by an answer that was lost; covered by "unknown"
    lost: int = 0
    lost_details: list[str] = field(default_factory=list)
    cancel_marked: int = 0  # every other running row, marked
    cancel_asked: int = 0  # the running marked tasks the confirmation sent
    cancel_ended_first: int = 0  # marked tasks that ended before the confirmation
    cancel_sent: int = 0  # distinct ids in the simulator's task/cancel requests
    cancel_wrong: list[str] = field(default_factory=list)  # sent but not asked, or not sent
    cancel_ids: set[str] = field(default_factory=set)  # the ids asked
    cancelled: int = 0
    finished_before_cancel: int = 0
    shown: int = 0
    shown_correctly: int = 0
    wrong_details: list[str] = field(default_factory=list)
    token_renewed: bool = False
    restart_downtime: float = 0.0
    recovery_seconds: float | None = None
    requests_tui: int = 0
    faults_tui: dict[str, int] = field(default_factory=dict)
    max_rps_tui: int = 0
    max_rps_service: int = 0
    throttled: int = 0
    errors_injected: int = 0
    dropped: int = 0
    malformed: int = 0
    polls: int = 0

    @property
    def problems(self) -> list[str]:
        """Required figures that are off (empty when the soak passed)."""
        out = []
        if self.crashes:
            out.append(f"{self.crashes} crash(es): {self.crash_details[:3]}")
        if self.lost:
            out.append(f"{self.lost} task(s) lost: {self.lost_details[:3]}")
        if self.shown_correctly != self.shown:
            out.append(
                f"{self.shown - self.shown_correctly} of {self.shown} final states shown "
                f"wrongly: {self.wrong_details[:3]}"
            )
        if self.journal_entries < self.submitted:
            out.append(f"journal has {self.journal_entries} of {self.submitted} items")
        if not self.token_renewed:
            out.append("the token expiry was not survived by renewal")
        if self.recovery_seconds is None:
            out.append("the display did not recover after the restart")
        if self.cancel_wrong or self.cancel_sent != self.cancel_asked:
            out.append(
                f"cancel: {self.cancel_sent} ids sent for {self.cancel_asked} asked: "
                f"{self.cancel_wrong[:3]}"
            )
        if self.cancel_asked + self.cancel_ended_first != self.cancel_marked:
            out.append(
                f"cancel: {self.cancel_marked} marked, but {self.cancel_asked} asked and "
                f"{self.cancel_ended_first} ended first"
            )
        return out

    def lines(self) -> list[tuple[str, str]]:
        """The report as (measure, value) rows."""
        p = self.params
        return [
            (
                "faults",
                f"{p.latency * 1000:.0f} ms latency, {p.error_rate:.0%} HTTP 503, "
                f"{p.drop_rate:.0%} dropped, {p.malformed_rate:.0%} malformed, 911048 above "
                f"{p.throttle_rps:g} req/s, 1 token expiry, 1 restart",
            ),
            ("duration", f"{self.seconds:.0f} s, {self.polls} poll cycles"),
            ("crashes (must be 0)", str(self.crashes)),
            ("tasks lost from the journal (must be 0)", str(self.lost)),
            (
                "final states shown correctly (must be all)",
                f"{self.shown_correctly} of {self.shown}",
            ),
            (
                "items submitted / journalled",
                f"{self.submitted} / {self.journal_entries} ({self.with_task_id} with a task id, "
                f"{self.outcome_unknown} outcome unknown, {self.not_sent} not sent)",
            ),
            (
                "tasks on the service / named in the journal",
                f"{self.server_tasks} / {self.server_tasks - self.server_tasks_unnamed} (the "
                f"other {self.server_tasks_unnamed} came from answers lost in transit; their "
                "paths are shown as 'outcome unknown')",
            ),
            (
                "cancel",
                f"{self.cancel_marked} marked (every other running row), "
                f"{self.cancel_ended_first} ended before the confirmation; "
                f"{self.cancel_asked} asked, {self.cancel_sent} sent (simulator's request "
                f"log): {self.cancelled} cancelled, {self.finished_before_cancel} not (they "
                "finished first, or the service refused the request: 911048 throttled)",
            ),
            ("token expiry", "renewed without a prompt" if self.token_renewed else "NOT renewed"),
            (
                "display recovery after the restart",
                "never"
                if self.recovery_seconds is None
                else f"{self.recovery_seconds:.1f} s after the service was back "
                f"(down {self.restart_downtime:.1f} s)",
            ),
            (
                "request rate",
                f"efile-tui peaked at {self.max_rps_tui} req/s; the service saw up to "
                f"{self.max_rps_service} req/s with the other client's bursts",
            ),
            (
                "faults injected (all clients)",
                f"{self.throttled} throttled (911048), {self.errors_injected} HTTP 503, "
                f"{self.dropped} dropped, {self.malformed} malformed",
            ),
            (
                "faults met by efile-tui",
                ", ".join(f"{n} {kind}" for kind, n in sorted(self.faults_tui.items()))
                + f" in {self.requests_tui} requests",
            ),
        ]

    def text(self) -> str:
        """The report as plain text, one measure a line."""
        width = max(len(k) for k, _ in self.lines())
        return "\n".join(f"{k.ljust(width)}  {v}" for k, v in self.lines())


class RateMeter(httpx.AsyncBaseTransport):
    """Counts the requests efile-tui sends per wall-clock second, and the faults it meets."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.per_second: collections.Counter[int] = collections.Counter()
        self.faults: collections.Counter[str] = collections.Counter()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.per_second[int(time.monotonic())] += 1
        try:
            response = await self.inner.handle_async_request(request)
            body = await response.aread()
        except httpx.TransportError:
            self.faults["dropped or refused"] += 1
            raise
        if response.status_code != 200:
            self.faults[f"HTTP {response.status_code}"] += 1
        elif b"911048" in body[:200]:
            self.faults["throttled"] += 1
        else:
            try:
                json.loads(body)
            except ValueError:
                self.faults["malformed"] += 1
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


def make_tree(root: Path, params: SoakParams) -> list[str]:
    """One folder of a few small files per delete; returns the folders' remote paths."""
    paths = []
    for n in range(params.deletes):
        folder = root / "soak" / f"run-{n:04d}"
        folder.mkdir(parents=True)
        for f in range(params.files_per_task):
            (folder / f"part-{f}.dat").write_bytes(b"x" * 64)
        paths.append(f"{HOME}/soak/run-{n:04d}")
    return paths


async def _bursts(url: str, token: str, params: SoakParams, stop: asyncio.Event) -> None:
    """Another client on the same account: a burst of cheap reads every few seconds."""
    async with httpx.AsyncClient(base_url=url, headers={"token": token}, timeout=30) as http:
        while not stop.is_set():
            body = {"taskIds": ["0" * 32]}
            await asyncio.gather(
                *(
                    http.post("/efile/openapi/v2/file/task/list", json=body)
                    for _ in range(params.burst)
                ),
                return_exceptions=True,
            )
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), params.burst_every)


async def _wait(predicate: Any, timeout: float, pause: Any) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        await pause(0.1)
    return bool(predicate())


async def run_soak(params: SoakParams, workdir: Path) -> SoakReport:
    """Run the whole soak in ``workdir`` and return its report."""
    report = SoakReport(params)
    root = workdir / "home"
    root.mkdir(parents=True)
    paths = make_tree(root, params)
    config = SimConfig(root=root, files_per_second=params.files_per_second, workers=params.workers)
    server = SimServer(config).start()
    stop_bursts = asyncio.Event()
    bursts: asyncio.Task[None] | None = None
    started = time.monotonic()
    try:
        conn = Connection(
            efile_url=server.url, token=server.token, region_id=config.region_id, home=HOME
        )
        conn.renew = Renewer(conn, platform_url=server.url, store=None)
        meter = RateMeter(httpx.AsyncHTTPTransport())
        ctx = Context(
            client=conn.client(transport=meter),
            journal=Journal(workdir / "journal"),
            audit=AuditLog(workdir / "audit.jsonl"),
        )
        app = EfileApp(ctx, endpoint="soak", home=HOME, interval=params.interval)
        async with app.run_test(size=(200, 50)) as pilot:
            screen = app.screen
            assert isinstance(screen, MainScreen)
            server.faults = Faults(
                latency=params.latency,
                error_rate=params.error_rate,
                drop_rate=params.drop_rate,
                malformed_rate=params.malformed_rate,
                throttle_rps=params.throttle_rps,
                seed=params.seed,
            )
            bursts = asyncio.create_task(_bursts(server.url, server.token, params, stop_bursts))
            await _submit_and_disrupt(params, paths, server, screen, conn, report)
            await _cancel_some(params, screen, pilot, report, server)
            await _wait(lambda: _all_final(server), params.timeout, pilot.pause)
            await _wait(lambda: _display_settled(screen, server), params.timeout, pilot.pause)
            stop_bursts.set()
            await bursts
            bursts = None
            report.crashes = screen.worker_errors
            if screen.worker_errors:
                report.crash_details.append(f"{screen.worker_errors} worker(s) failed")
            report.polls = screen.poll_count
            _compare(params, paths, server, screen, ctx.journal, report)
        if app.return_code not in (0, None):
            report.crashes += 1
            report.crash_details.append(f"app exited with code {app.return_code}")
    except Exception as exc:  # a crash of the app is a finding, not an error of the soak
        report.crashes += 1
        where = traceback.extract_tb(exc.__traceback__)[-1]
        report.crash_details.append(
            f"{type(exc).__name__}: {exc} at {Path(where.filename).name}:{where.lineno}"
        )
    finally:
        stop_bursts.set()
        if bursts is not None:
            await bursts
        stats = server.stats()
        server.stop()
    report.seconds = time.monotonic() - started
    report.requests_tui = sum(meter.per_second.values())
    report.max_rps_tui = max(meter.per_second.values(), default=0)
    report.faults_tui = dict(meter.faults)
    report.max_rps_service = int(stats["maxPerSecond"])
    report.throttled = int(stats["throttled"])
    report.errors_injected = int(stats["errors"])
    report.dropped = int(stats["dropped"])
    report.malformed = int(stats["malformed"])
    return report


async def _submit_and_disrupt(
    params: SoakParams,
    paths: list[str],
    server: SimServer,
    screen: MainScreen,
    conn: Connection,
    report: SoakReport,
) -> None:
    """Submit the deletes batch by batch; expire the token after a third of them and
    restart the simulator after two thirds."""
    batches = [paths[i : i + params.batch] for i in range(0, len(paths), params.batch)]
    expire_at, restart_at = len(batches) // 3, (2 * len(batches)) // 3
    for n, batch in enumerate(batches):
        if n == expire_at:
            token_before = conn.token
            async with httpx.AsyncClient(base_url=server.url) as control:
                (await control.post("/_sim/tokens/expire")).raise_for_status()
        if n == restart_at:
            down = time.monotonic()
            await asyncio.to_thread(server.restart)
            back = time.monotonic()
            report.restart_downtime = back - down
            ok_before = screen.status.last_ok
            screen.run_worker(_watch_recovery(screen, back, ok_before, report), group="soak")
        worker = screen.flows.check_and_submit(Plan.of(Operation.DELETE, batch))
        await worker.wait()
        report.submitted += len(batch)
    report.token_renewed = conn.token != token_before


async def _watch_recovery(
    screen: MainScreen, back: float, ok_before: float | None, report: SoakReport
) -> None:
    """Time from the service being back until the table shows data from a good poll."""
    while True:
        last = screen.status.last_ok
        if last is not None and last != ok_before and last >= back:
            report.recovery_seconds = last - back
            return
        await asyncio.sleep(0.05)


async def _cancel_some(
    params: SoakParams, screen: MainScreen, pilot: Any, report: SoakReport, server: SimServer
) -> None:
    """Mark every other running task in the table and cancel them the way the user does
    (c, confirm); then compare the ids the simulator received with those asked."""
    from efile_tui.ui.modals.cancel import CancelResultsScreen, ConfirmCancelScreen

    def running() -> list[str]:
        return [
            key
            for key, row in screen.view.rows.items()
            if row.task_id and not row.is_final and not key.startswith("local:")
        ]

    await _wait(lambda: len(running()) >= 2 * params.cancel, 60, pilot.pause)
    live = set(running())
    chosen = [k for k in screen.table.row_keys if k in live][::2][: params.cancel]
    report.cancel_marked = len(chosen)
    screen.view.marks.update(chosen)
    screen.table.refresh_marks(chosen)
    screen.table.focus()
    await pilot.press("c")
    await _wait(lambda: isinstance(screen.app.screen, ConfirmCancelScreen), 10, pilot.pause)
    confirm = screen.app.screen
    assert isinstance(confirm, ConfirmCancelScreen)
    asked = set(confirm.plan.send)
    report.cancel_asked = len(asked)
    report.cancel_ids = asked
    report.cancel_ended_first = confirm.plan.ended
    report.cancel_wrong += [f"{t}: asked but never marked" for t in asked - set(chosen)]
    await pilot.press("tab", "enter")  # focus starts on Back; the next button confirms
    await _wait(lambda: isinstance(screen.app.screen, CancelResultsScreen), 120, pilot.pause)
    await pilot.press("escape")
    sent = {t for r in server.requests("/task/cancel") for t in r["body"]["taskIds"]}
    report.cancel_sent = len(sent)
    report.cancel_wrong += [f"{t}: sent, not asked" for t in sent - asked]
    report.cancel_wrong += [f"{t}: asked, not sent" for t in asked - sent]


def _all_final(server: SimServer) -> bool:
    return all(t["status"] in FINAL for t in server.tasks())


def _display_settled(screen: MainScreen, server: SimServer) -> bool:
    truth = {t["taskId"]: t["status"] for t in server.tasks()}
    rows = screen.view.rows
    return all(rows[t].status == s for t, s in truth.items() if t in rows)


def _shown_status(screen: MainScreen, key: str) -> str:
    """The status cell as painted in the table (glyph and words)."""
    return screen.table.cell_text(key, "status")


def _compare(
    params: SoakParams,
    paths: list[str],
    server: SimServer,
    screen: MainScreen,
    journal: Journal,
    report: SoakReport,
) -> None:
    """Journal and table against the simulator's own record of every task."""
    entries: list[JournalEntry] = journal.entries(include_dismissed=True)
    truth = server.tasks()
    report.journal_entries = len(entries)
    report.with_task_id = sum(1 for e in entries if e.task_id)
    report.outcome_unknown = sum(1 for e in entries if e.state == OUTCOME_UNKNOWN)
    report.not_sent = sum(1 for e in entries if not e.task_id and e.state != OUTCOME_UNKNOWN)
    by_path = collections.defaultdict(list)
    for entry in entries:
        by_path[entry.source_path].append(entry)
    for path in paths:
        if not by_path.get(path):
            report.lost += 1
            report.lost_details.append(f"{path}: no journal entry")
    named = {e.task_id for e in entries if e.task_id}
    report.server_tasks = len(truth)
    for task in truth:
        if task["taskId"] in named:
            continue
        report.server_tasks_unnamed += 1
        flagged = any(e.state == OUTCOME_UNKNOWN for e in by_path.get(task["sourcePath"], []))
        if not flagged:
            report.lost += 1
            report.lost_details.append(f"{task['taskId']} ({task['sourcePath']}) not journalled")
    status = {t["taskId"]: t["status"] for t in truth}
    for entry in entries:
        key = entry.task_id or f"local:{entry.local_id}"
        expected = status.get(entry.task_id or "")
        if expected is None:
            # No task on the service by that id: shown as outcome unknown or not sent.
            expected = OUTCOME_UNKNOWN if entry.state == OUTCOME_UNKNOWN else "rejected"
        report.shown += 1
        shown = _shown_status(screen, key) if key in screen.view.rows else "(not in table)"
        if expected in shown:
            report.shown_correctly += 1
        else:
            report.wrong_details.append(f"{key}: shows {shown!r}, service says {expected!r}")
    report.cancelled = sum(1 for t in report.cancel_ids if status.get(t) == "cancel")
    report.finished_before_cancel = len(report.cancel_ids) - report.cancelled
