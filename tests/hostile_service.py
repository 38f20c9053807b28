"""A hostile fake of the efile service: a real HTTP server on loopback, bounded in time.

Each test picks a ``mode``; the server then answers every efile route the way a broken or
malicious service (or a proxy in front of it) could: drip-feeding bytes, a gzip bomb, JSON
nested 200,000 deep, non-finite and absurd numbers, a listing whose ``total`` never ends,
markup and terminal control sequences in every text field, entries whose ``path`` is not
their name, the token echoed back, HTTP 401/403, a submit that never answers. Every request
is recorded (method, path, body) so tests can assert on what was really sent.
"""

from __future__ import annotations

import contextlib
import json
import struct
import threading
import time
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from tests.hostile import CORPUS, EVERYTHING, NAMES

TOKEN = "hostile-token-5f2b9c1e7d"
HOME = "/public/home/demo"
API = "/efile/openapi/v2/file"
MAX_HANDLER_SECONDS = 30.0  # no handler outlives this, whatever the client does

MODES = (
    "ok",
    "drip",
    "gzip-bomb",
    "big-body",
    "deep-json",
    "numbers",
    "runaway",
    "markup",
    "mismatch",
    "echo-token",
    "http401",
    "http403",
    "stall-submit",
    "hang",
    "duplicate-tasks",
    "error-msg",
)


def bomb() -> bytes:
    """gzip of 1 GiB of JSON (about 1 MB on the wire), built once in well under a second.

    One 1 MiB block is compressed after a full flush, so its bytes can be repeated 1,024
    times; an empty final block and the true CRC and length close a valid gzip member.
    """
    global _BOMB
    if _BOMB is None:
        head, block, tail = b'{"code": "0", "data": {"x": "', b" " * (1 << 20), b'"}}'
        z = zlib.compressobj(9, zlib.DEFLATED, 31)
        start = z.compress(head) + z.flush(zlib.Z_FULL_FLUSH)
        middle = z.compress(block) + z.flush(zlib.Z_FULL_FLUSH)
        end = z.compress(tail) + z.flush(zlib.Z_FULL_FLUSH) + b"\x03\x00"
        crc = zlib.crc32(head)
        for _ in range(1024):
            crc = zlib.crc32(block, crc)
        crc = zlib.crc32(tail, crc)
        size = len(head) + 1024 * len(block) + len(tail)
        _BOMB = start + middle * 1024 + end + struct.pack("<II", crc, size & 0xFFFFFFFF)
    return _BOMB


_BOMB: bytes | None = None


@dataclass
class Seen:
    """One request as the server received it."""

    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    token: str | None


@dataclass
class HostileService:
    """The server; ``mode`` may be changed between requests."""

    mode: str = "ok"
    requests: list[Seen] = field(default_factory=list)
    released: threading.Event = field(default_factory=threading.Event)
    submit_seen: threading.Event = field(default_factory=threading.Event)

    def start(self) -> HostileService:
        """Listen on a free loopback port, serving from a daemon thread."""
        service = self

        class Handler(_Handler):
            owner = service

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    @property
    def url(self) -> str:
        """The service's base URL (loopback, plain http is allowed there)."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        """Release stalled handlers and stop listening."""
        self.released.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def env(self, **extra: str) -> dict[str, str]:
        """The environment pointing the CLI at this service."""
        return {"EFILE_URL": self.url, "EFILE_TOKEN": TOKEN, "EFILE_HOME": HOME, **extra}


def hostile_task(task_id: str, text: str, *, op: str = "delete") -> dict[str, Any]:
    """A task object whose every text field is ``text``."""
    return {
        "taskId": task_id,
        "operationType": op,
        "status": "processing",
        "sourcePath": f"{HOME}/{text}",
        "targetPath": f"{HOME}/{text}",
        "errorCode": text[:20],
        "errorMsg": text,
        "totalSize": 10,
        "processedSize": 1,
        "submitTime": text,
        "updateTime": text,
    }


class _Handler(BaseHTTPRequestHandler):
    owner: HostileService
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests assert on ``requests`` instead."""

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    # -- plumbing ------------------------------------------------------------------------

    def _serve(self, method: str) -> None:
        url = urlparse(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        seen = Seen(method, url.path, parse_qs(url.query), body, self.headers.get("token"))
        self.owner.requests.append(seen)
        # A client that gives up mid-answer is exactly what a bounded client should do.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._answer(seen)

    def _send(self, data: bytes, *, status: int = 200, headers: dict[str, str] | None = None):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _json(self, data: Any, *, code: str = "0", msg: str = "success") -> None:
        self._send(json.dumps({"code": code, "msg": msg, "data": data}).encode())

    # -- what each mode answers ----------------------------------------------------------

    def _answer(self, seen: Seen) -> None:
        mode = self.owner.mode
        route = seen.path.removeprefix(API + "/")
        if mode in ("http401", "http403"):
            status = int(mode[4:])
            self._send(f"<html>{status} {EVERYTHING}</html>".encode(), status=status)
            return
        if mode == "drip":
            self._drip()
            return
        if mode == "hang":  # connected, never a byte back (a stopped process's backlog)
            self.owner.released.wait(MAX_HANDLER_SECONDS)
            return
        if mode == "error-msg":  # every route refused with a hostile message
            self._json(None, code="10001", msg=EVERYTHING)
            return
        if mode == "gzip-bomb":
            self._send(bomb(), headers={"Content-Encoding": "gzip"})
            return
        if mode == "big-body":
            self._send(b'{"code": "0", "data": "' + b"x" * (48 << 20) + b'"}')
            return
        if mode == "deep-json":
            self._send(b'{"code": "0", "data": ' + b"[" * 200_000 + b"]" * 200_000 + b"}")
            return
        if route == "list":
            self._list(seen, mode)
        elif route == "task/list":
            self._task_list(seen, mode)
        elif route == "task/cancel":
            ids = (seen.body or {}).get("taskIds", [])
            text = self._text(mode)
            self._json([{"taskId": t, "result": False, "status": text} for t in ids], msg=text)
        elif route in ("async-remove", "async-copy", "async-move"):
            self._submit(seen, mode)
        else:
            self._json(None, code="1001", msg=self._text(mode))

    def _text(self, mode: str) -> str:
        if mode == "echo-token":
            return f"echo {TOKEN} echo"
        if mode == "markup":
            return EVERYTHING
        return "success"

    def _drip(self) -> None:
        """Headers at once, then one byte of a valid body every second."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "100000")
        self.end_headers()
        deadline = time.monotonic() + MAX_HANDLER_SECONDS
        self.wfile.write(b'{"code": "0", "data": {"fileList": [], "x": "')
        self.wfile.flush()
        while time.monotonic() < deadline and not self.owner.released.is_set():
            self.wfile.write(b"x")
            self.wfile.flush()
            self.owner.released.wait(1.0)

    def _list(self, seen: Seen, mode: str) -> None:
        folder = (seen.query.get("path") or [HOME])[0].rstrip("/") or "/"
        names = ["a.txt", "b.txt", "c.txt"]
        extra: dict[str, Any] = {}
        if mode == "markup":
            names = NAMES
        entries = [{"name": n, "path": f"{folder}/{n}", "size": 5, "type": "file"} for n in names]
        total = len(entries)
        if mode == "numbers":
            sizes = [float("nan"), float("inf"), float("-inf"), -5, 10**300]
            for entry, size in zip(entries, sizes, strict=False):
                entry["size"] = size
            entries[-1]["size"] = "1e400"
            extra["total"] = float("inf")
        if mode == "runaway":
            total = 10**12  # and ``start`` is ignored: the same page every time
        if mode == "mismatch":
            entries[0]["path"] = folder  # shown as a.txt, but names the folder itself
            entries[1]["path"] = f"{folder}/../etc/b.txt"
        if mode == "echo-token":
            entries[0]["name"] = entries[0]["path"] = f"{TOKEN}"
            entries[0]["path"] = f"{folder}/{TOKEN}"
            entries[1]["owner"] = TOKEN
        data = {"path": folder, "total": total, "fileList": entries, **extra}
        if mode == "numbers":
            data["total"] = float("inf")
            text = json.dumps({"code": "0", "msg": "ok", "data": data})  # NaN/Infinity raw
            self._send(text.replace('"1e400"', "1e400").encode())
            return
        self._json(data, msg=self._text(mode))

    def _task_list(self, seen: Seen, mode: str) -> None:
        ids = (seen.body or {}).get("taskIds", [])
        text = self._text(mode)
        tasks = [hostile_task(t, text) for t in ids]
        tasks.append(hostile_task("not-asked-for", "extra"))  # must be ignored
        if mode == "numbers":
            for task in tasks:
                task["totalSize"] = float("inf")
                task["processedSize"] = float("nan")
                task["totalNum"] = -7
                task["progress"] = "NaN"
        self._send(json.dumps({"code": "0", "msg": text, "data": tasks}).encode())

    def _submit(self, seen: Seen, mode: str) -> None:
        items = seen.body if isinstance(seen.body, list) else []
        self.owner.submit_seen.set()
        if mode == "stall-submit":
            self.owner.released.wait(MAX_HANDLER_SECONDS)
            return
        text = self._text(mode)
        tasks = [
            {**hostile_task(f"task-{i}", text), "sourcePath": item.get("sourcePath")}
            for i, item in enumerate(items)
        ]
        if mode == "duplicate-tasks" and tasks:
            tasks = [tasks[0]] * len(tasks)  # the same task for every item
        if mode == "markup":
            tasks = [
                {**t, "taskId": f"t{i}-{CORPUS[i % len(CORPUS)]}"} for i, t in enumerate(tasks)
            ]
        self._json({"fileOperTasks": tasks}, msg=text)
