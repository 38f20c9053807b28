"""The task engine: remembers tasks, runs them file by file, cancels and forgets them.

Tasks are kept in a dict by id; waiting tasks sit in a queue served by ``config.workers``
asyncio workers on whichever event loop the engine is attached to. Detaching (server stop)
puts in-flight tasks back at the head of the queue, still ``processing``; attaching again
(server restart) resumes them where they stopped. Throughput is per task: a file takes
``max(1/files_per_second, size/bytes_per_second)`` seconds of real time. Finished tasks are
forgotten ``retention`` seconds (by the sim clock) after they end, checked lazily.

A task runs synchronously inside the submit request (``synchronousExecution`` true, already
``complete`` or ``fail``) when it touches at most ``sync_threshold`` files, has a short plan,
and, for copy/move, at most 8 MiB. Like the documented example, such a task reports
``processedSize`` 0 and ``progress`` null. Elements that fail validation also come back
finished (``fail``, synchronous) and are remembered like any other task.
"""

from __future__ import annotations

import asyncio
import collections
import heapq
import secrets
import time
from typing import Any

from efile_tui.sim.clock import SimClock
from efile_tui.sim.config import SimConfig
from efile_tui.sim.errors import SimError
from efile_tui.sim.fs import Sandbox
from efile_tui.sim.ops import (
    apply_copy,
    apply_delete,
    apply_move,
    echo_fields,
    error_of,
    finish_move,
    prepare,
)
from efile_tui.sim.tasks import (
    ACTIVE,
    CANCEL,
    COMPLETE,
    FAIL,
    PROCESSING,
    WAITING,
    PlanItem,
    Task,
    build_plan,
    plan_totals,
    step_cost,
)

SYNC_MAX_ENTRIES = 1000  # never run a plan longer than this inside a request
SYNC_MAX_BYTES = 8 * 2**20  # copies/moves of more bytes always run asynchronously
THREAD_COPY_BYTES = 4 * 2**20  # copy bigger files in a thread to keep the loop responsive
YIELD_EVERY = 200  # give the event loop a turn this often when nothing needs pacing


class Engine:
    """Task store plus the workers that execute tasks on the files under the root."""

    def __init__(self, config: SimConfig, clock: SimClock, sandbox: Sandbox) -> None:
        self.config = config
        self.clock = clock
        self.sandbox = sandbox
        self._tasks: dict[str, Task] = {}
        self._queue: collections.deque[str] = collections.deque()
        self._ended: list[tuple[float, str]] = []  # heap of (end time, task id)
        self._workers: list[asyncio.Task[None]] = []
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._running: set[str] = set()  # ids being executed by a worker right now

    # ---- queries -------------------------------------------------------------------------

    def get(self, task_id: str) -> Task | None:
        """Return the remembered task with this id, if any (after purging expired ones)."""
        self.purge()
        return self._tasks.get(task_id)

    def list_tasks(self, task_ids: list[str]) -> list[dict[str, Any]]:
        """Return the JSON of the known tasks among ``task_ids`` (unknown ids omitted)."""
        self.purge()
        seen: set[str] = set()
        out: list[dict[str, Any]] = []
        for task_id in task_ids:
            task = self._tasks.get(task_id)
            if task is not None and task_id not in seen:
                seen.add(task_id)
                out.append(task.to_json())
        return out

    def all_tasks(self) -> list[dict[str, Any]]:
        """Return the JSON of every remembered task, oldest first."""
        self.purge()
        return [task.to_json() for task in self._tasks.values()]

    def counts(self) -> dict[str, int]:
        """Return how many remembered tasks are in each status."""
        self.purge()
        return dict(collections.Counter(t.status for t in self._tasks.values()))

    def __len__(self) -> int:
        return len(self._tasks)

    def purge(self) -> int:
        """Forget tasks that ended more than ``retention`` seconds ago; return how many."""
        horizon = self.clock.now() - self.config.retention
        purged = 0
        while self._ended and self._ended[0][0] <= horizon:
            _, task_id = heapq.heappop(self._ended)
            if self._tasks.pop(task_id, None) is not None:
                purged += 1
        return purged

    # ---- commands ------------------------------------------------------------------------

    def submit(self, operation: str, elements: list[Any]) -> dict[str, Any]:
        """Create one task per element (bad elements fail at once) and answer like the API."""
        self.purge()
        tasks = [self._create(operation, element) for element in elements]
        if any(not t.synchronous for t in tasks):
            result = "asyncSubmitSuccess"
        elif any(t.status == FAIL for t in tasks):
            result = "syncExecHasError"
        else:
            result = "syncExecSuccess"
        self._notify()
        return {
            "fileOperDuplicateFileVos": None,
            "fileOperTasks": [t.to_json() for t in tasks],
            "execResult": result,
        }

    def cancel(self, task_ids: list[str]) -> list[dict[str, Any]]:
        """Cancel waiting/processing tasks; answer ``{taskId, result, status}`` per id."""
        self.purge()
        out: list[dict[str, Any]] = []
        for task_id in task_ids:
            task = self._tasks.get(task_id)
            if task is None:
                out.append({"taskId": task_id, "result": False, "status": None})
            elif task.status in ACTIVE:
                self._finish(task, CANCEL)
                out.append({"taskId": task_id, "result": True, "status": CANCEL})
            else:
                out.append({"taskId": task_id, "result": False, "status": task.status})
        return out

    def _create(self, operation: str, element: object) -> Task:
        cfg = self.config
        now = self.clock.now()
        source, target, duplicate = echo_fields(element)
        task = Task(
            task_id=secrets.token_hex(16),
            operation=operation,
            source_path=source,
            target_path=target if operation != "delete" else None,
            duplicate=duplicate if operation != "delete" else None,
            user_id=cfg.user_id,
            user_name=cfg.user,
            submit_time=now,
            update_time=now,
        )
        self._tasks[task.task_id] = task
        try:
            prepared = prepare(operation, element, self.sandbox)
            task.source_path, task.src = prepared.source_path, prepared.src
            if operation != "delete":
                task.target_path = prepared.target_path
                task.duplicate = prepared.duplicate
                task.dest = prepared.dest
            task.plan = build_plan(
                prepared.src,
                post_order=operation == "delete",
                fps=cfg.files_per_second,
                bps=cfg.bytes_per_second,
            )
        except SimError as exc:
            task.synchronous = True
            task.start_time = now
            self._finish(task, FAIL, exc)
            return task
        except OSError as exc:
            task.synchronous = True
            task.start_time = now
            self._finish(task, FAIL, error_of(exc))
            return task
        task.total_num, task.total_size, task.total_cost = plan_totals(task.plan)
        sync = (
            cfg.sync_threshold > 0
            and task.total_num <= cfg.sync_threshold
            and len(task.plan) <= SYNC_MAX_ENTRIES
            and (operation == "delete" or task.total_size <= SYNC_MAX_BYTES)
        )
        if sync:
            self._run_sync(task)
        else:
            self._queue.append(task.task_id)
        return task

    def _run_sync(self, task: Task) -> None:
        # Mirrors the documented example: processedSize stays 0 and progress is null.
        task.synchronous = True
        task.status = PROCESSING
        task.start_time = self.clock.now()
        try:
            for item in task.plan:
                self._apply(task, item)
                task.cursor += 1
                if not item.is_dir:
                    task.processed_num += 1
            if task.operation == "move" and task.src is not None:
                finish_move(task.src, task.plan)
        except OSError as exc:
            self._finish(task, FAIL, error_of(exc))
            return
        self._finish(task, COMPLETE)

    def _apply(self, task: Task, item: PlanItem) -> None:
        assert task.src is not None
        if task.operation == "delete":
            apply_delete(task.src, item)
            return
        assert task.dest is not None
        if task.operation == "copy":
            apply_copy(task.src, task.dest, item)
        else:
            apply_move(task.src, task.dest, item)

    def _finish(self, task: Task, status: str, error: SimError | None = None) -> None:
        now = self.clock.now()
        task.status = status
        task.update_time = now
        task.end_time = now
        if error is not None:
            task.error_code, task.error_msg = error.code, error.msg
        task.plan = []  # a finished task no longer needs its (possibly huge) plan
        heapq.heappush(self._ended, (now, task.task_id))

    # ---- workers -------------------------------------------------------------------------

    def attach(self) -> None:
        """Start the workers on the running event loop (resumes queued/in-flight tasks)."""
        loop = asyncio.get_running_loop()
        if self._workers and self._loop is loop:
            return
        # Workers of a loop that died without detach (forced exit): resume their tasks.
        for task_id in self._running:
            if task_id not in self._queue:
                self._queue.appendleft(task_id)
        self._running.clear()
        self._loop = loop
        self._wake = asyncio.Event()
        self._workers = [
            asyncio.create_task(self._worker(), name=f"sim-worker-{n}")
            for n in range(max(1, self.config.workers))
        ]
        self._wake.set()

    async def detach(self) -> None:
        """Stop the workers; in-flight tasks stay ``processing`` and resume on attach."""
        workers, self._workers = self._workers, []
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        self._wake = None
        self._loop = None

    def _notify(self) -> None:
        if self._wake is not None and self._queue:
            self._wake.set()

    def _next(self) -> Task | None:
        while self._queue:
            task = self._tasks.get(self._queue.popleft())
            if task is not None and task.status in ACTIVE:
                return task
        return None

    async def _worker(self) -> None:
        while True:
            task = self._next()
            if task is None:
                assert self._wake is not None
                self._wake.clear()
                await self._wake.wait()
                continue
            self._running.add(task.task_id)
            try:
                await self._execute(task)
            except asyncio.CancelledError:
                if task.status in ACTIVE:
                    self._queue.appendleft(task.task_id)
                raise
            except Exception as exc:  # a bug must fail the task, not kill the worker
                if task.status in ACTIVE:
                    self._finish(task, FAIL, SimError("10001", f"内部异常: {exc}"))
            finally:
                self._running.discard(task.task_id)

    async def _execute(self, task: Task) -> None:
        if task.status == WAITING:
            task.status = PROCESSING
            task.start_time = task.update_time = self.clock.now()
        started = time.monotonic()
        budget = 0.0
        steps = 0
        while task.cursor < len(task.plan):
            if task.status != PROCESSING:
                return
            item = task.plan[task.cursor]
            if not item.is_dir:
                cfg = self.config
                budget += step_cost(item.size, cfg.files_per_second, cfg.bytes_per_second)
                if not await self._pace(task, started + budget):
                    return
            try:
                if not item.is_dir and item.size > THREAD_COPY_BYTES:
                    await asyncio.to_thread(self._apply, task, item)
                else:
                    self._apply(task, item)
            except OSError as exc:
                if task.status == PROCESSING:
                    self._finish(task, FAIL, error_of(exc))
                return
            task.cursor += 1
            if not item.is_dir:
                task.processed_num += 1
                task.processed_size += item.size
                task.done_cost += item.cost
                task.update_time = self.clock.now()
            steps += 1
            if steps % YIELD_EVERY == 0:
                await asyncio.sleep(0)
        if task.status != PROCESSING:
            return
        if task.operation == "move" and task.src is not None:
            finish_move(task.src, task.plan)
        self._finish(task, COMPLETE)

    @staticmethod
    async def _pace(task: Task, deadline: float) -> bool:
        """Sleep until ``deadline`` in short slices; False if the task was cancelled."""
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0.002:
                return task.status == PROCESSING
            await asyncio.sleep(min(remaining, 0.1))
            if task.status != PROCESSING:
                return False
