"""The real CLI against a hostile service on loopback: bounded in time and memory, exact
exit codes and messages, nothing raw on the terminal, the token never shown or stored."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from efile_tui.api.client import EfileClient
from efile_tui.api.errors import ServiceUnreachable
from efile_tui.api.http import RetryPolicy
from tests.cli_runner import run_in_process
from tests.hostile import raw_controls
from tests.hostile_service import HOME, TOKEN, HostileService, bomb

ROOT = str(Path(__file__).resolve().parents[2])
ID1, ID2 = "0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210"


@dataclass
class Run:
    """A finished CLI process with what it cost."""

    code: int
    out: str
    err: str
    seconds: float
    rss_mb: float

    @property
    def both(self) -> str:
        return self.out + self.err


@pytest.fixture
def service() -> Iterator[HostileService]:
    server = HostileService().start()
    yield server
    server.stop()


# ``python -m efile_tui ARGS`` that writes its own peak RSS (VmHWM: this process only, not
# the parent it was forked from) to the file named by its first argument when it exits.
PEAK_RSS = """
import atexit, re, runpy, sys
out = sys.argv.pop(1)
def peak():
    status = open("/proc/self/status").read()
    open(out, "w").write(re.search(r"VmHWM:\\s+(\\d+)", status).group(1))
atexit.register(peak)
sys.argv[0] = "efile-tui"
runpy.run_module("efile_tui", run_name="__main__", alter_sys=True)
"""


def run(service: HostileService, *args: str, **env: str) -> Run:
    """Run ``efile-tui ARGS`` against ``service`` in this process; measures wall time."""
    began = time.monotonic()
    done = run_in_process(args, {**os.environ, **service.env(), **env})
    return Run(done.code, done.out, done.err, time.monotonic() - began, 0.0)


def run_process(service: HostileService, *args: str, timeout: float = 90, **env: str) -> Run:
    """Run ``efile-tui ARGS`` against ``service`` in a process of its own; measures wall
    time and the process's peak RSS."""
    full_env = {**os.environ, **service.env(), "PYTHONPATH": ROOT, **env}
    began = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        peak = Path(tmp) / "peak"
        try:
            proc = subprocess.run(
                [sys.executable, "-c", PEAK_RSS, str(peak), *args],
                env=full_env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired:
            raise AssertionError(f"efile-tui {args} ran over {timeout} s") from None
        return Run(
            proc.returncode,
            proc.stdout.decode("utf-8", "replace"),
            proc.stderr.decode("utf-8", "replace"),
            time.monotonic() - began,
            int(peak.read_text()) / 1024 if peak.exists() else 0.0,
        )


def assert_clean(result: Run) -> None:
    """No traceback and no raw control/bidi/invisible character on either stream."""
    assert "Traceback" not in result.both, result.err
    assert raw_controls(result.out.replace("\t", "")) == [], result.out
    assert raw_controls(result.err.replace("\t", "")) == [], result.err


def test_drip_feed_is_cut_at_the_overall_deadline(service: HostileService) -> None:
    service.mode = "drip"  # one byte a second: the per-read timeout never trips
    result = run(service, "ls", HOME, EFILE_DEADLINE="2")
    assert result.code == 3, result.err
    assert "within 2 s" in result.err and "deadline" in result.err
    assert result.seconds < 20, result.seconds  # was > 3 min before the deadline existed
    assert len(service.requests) == 1  # a stalled service is not asked again and again
    assert_clean(result)


def test_a_hung_service_times_out_after_one_deadline_retries_included(
    service: HostileService,
) -> None:
    """A service that takes the connection and never answers (a stopped process): each
    attempt ends at the per-read timeout and is retried, but the deadline bounds them all,
    so the poll's task/list says "timed out" after one deadline (it took five read timeouts
    and their back-off before)."""
    service.mode = "hang"
    read_timeout, deadline = 0.5, 1.5

    async def ask() -> ServiceUnreachable:
        client = EfileClient(
            service.url, TOKEN, timeout=httpx.Timeout(read_timeout, connect=5.0), deadline=deadline
        )
        try:
            await client.task_list([ID1])
        except ServiceUnreachable as exc:
            return exc
        finally:
            await client.aclose()
        raise AssertionError("a hung service answered")

    began = time.monotonic()
    error = asyncio.run(ask())
    took = time.monotonic() - began
    assert error.reason == "timed out", error
    assert took < 4.0, took  # five 0.5 s read timeouts and their back-off: at least 4.4 s
    assert 1 <= len(service.requests) < RetryPolicy().attempts, service.requests


def test_deadline_flag_and_profile_setting(service: HostileService, tmp_path: Path) -> None:
    service.mode = "drip"
    flag = run(service, "ls", HOME, "--deadline", "1.5")
    assert flag.code == 3 and "within 1.5 s" in flag.err
    config = Path(os.environ["XDG_CONFIG_HOME"]) / "efile-tui" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'[profiles.default]\nefile_url = "{service.url}"\nrequest_deadline = 1\n')
    profile = run(service, "ls", HOME, EFILE_URL="")
    assert profile.code == 3 and "within 1 s" in profile.err, profile.err
    bad = run(service, "ls", HOME, EFILE_DEADLINE="nan")
    assert bad.code == 2 and "EFILE_DEADLINE" in bad.err


@pytest.mark.parametrize("mode", ["gzip-bomb", "big-body"])
def test_huge_bodies_are_refused_within_a_memory_bound(service: HostileService, mode: str) -> None:
    service.mode = mode  # 1 GiB once inflated (was 4.2 GB of RSS) / 48 MiB plain
    bomb()  # built before the clock starts
    result = run_process(service, "ls", HOME)
    assert result.code == 3, result.err
    assert "larger than 32 MiB" in result.err
    assert result.rss_mb < 250, f"peak RSS {result.rss_mb:.0f} MB"
    assert result.seconds < 60
    assert len(service.requests) == 1  # refused, not retried
    assert_clean(result)


def test_deep_json_is_refused(service: HostileService) -> None:
    service.mode = "deep-json"
    result = run(service, "ls", HOME)
    assert result.code == 3 and "nests deeper than 64 levels" in result.err, result.err
    assert_clean(result)


def test_absurd_numbers_become_unknown(service: HostileService) -> None:
    service.mode = "numbers"  # NaN, ±Infinity, 1e400, -5, a 301-digit size, total Infinity
    result = run(service, "ls", HOME)
    assert result.code == 0, result.err
    sizes = [line.split()[1] for line in result.out.splitlines()]
    assert sizes == ["?", "?", "?"], result.out
    assert "inf" not in result.out.lower() and "nan" not in result.out.lower()
    as_json = run(service, "ls", HOME, "--json")
    assert [e["size"] for e in json.loads(as_json.out)["fileList"]] == [None, None, None]
    tasks = run(service, "tasks", ID1)
    assert tasks.code == 0 and ID1 in tasks.out, tasks.err
    assert "%" not in tasks.out.split(ID1, 1)[1].split("\n")[0].split("/public")[0]
    assert_clean(tasks)


def test_runaway_paging_stops_and_says_so(service: HostileService) -> None:
    service.mode = "runaway"  # total 10**12 and ``start`` ignored
    result = run(service, "ls", HOME)
    assert result.code == 3, result.err
    assert "brought nothing new" in result.err and "incomplete" in result.err
    assert result.out.count("\n") == 3  # the entries that did come are shown once
    assert len(service.requests) == 2
    as_json = run(service, "ls", HOME, "--json")
    assert json.loads(as_json.out)["complete"] is False


def test_entries_whose_path_is_not_their_name_are_refused(service: HostileService) -> None:
    service.mode = "mismatch"
    result = run(service, "ls", HOME)
    assert result.code == 1
    assert "a.txt" not in result.out and "b.txt" not in result.out
    assert f"{HOME}/c.txt" in result.out
    assert "refused the entry 'a.txt' whose path" in result.err, result.err


def test_http_401_and_403_exit_4(service: HostileService) -> None:
    for mode in ("http401", "http403"):
        service.mode = mode
        result = run(service, "ls", HOME)
        assert result.code == 4, (mode, result.err)
        assert f"HTTP {mode[4:]}" in result.err
        assert_clean(result)
        submit = run(service, "rm", "--yes", f"{HOME}/x/a", "--json")
        assert submit.code == 4, (mode, submit.err)
        assert json.loads(submit.out)["fileOperTasks"][0]["errorCode"] == f"http-{mode[4:]}"
        cancel = run(service, "cancel", "--yes", "0123456789abcdef0123456789abcdef")
        assert cancel.code == 4, (mode, cancel.err)
        assert f"HTTP {mode[4:]}" in cancel.both


def test_an_echoed_token_is_masked_everywhere(service: HostileService) -> None:
    service.mode = "echo-token"
    listing = run(service, "ls", HOME, "--json")
    submit = run(service, "rm", "--yes", f"{HOME}/x/y")
    tasks = run(service, "tasks", "--json")
    log = run(service, "log", "--json")
    for result in (listing, submit, tasks, log):
        assert TOKEN not in result.both
    assert "***" in listing.out and "***" in tasks.out
    state = Path(os.environ["XDG_STATE_HOME"])
    for path in state.rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path


def test_plain_http_to_another_host_is_refused_unless_opted_in(
    service: HostileService,
) -> None:
    # 0.0.0.0 is not a loopback address, but connecting to it stays on this machine.
    port = service.url.rsplit(":", 1)[1]
    remote = f"http://0.0.0.0:{port}"
    refused = run(service, "ls", HOME, EFILE_URL=remote)
    assert refused.code == 2, refused.err
    assert "refusing plain http://" in refused.err and "--allow-http" in refused.err
    assert "unencrypted" in refused.err
    assert service.requests == []  # nothing, the token least of all, was sent
    flag = run(service, "ls", HOME, "--allow-http", EFILE_URL=remote)
    assert flag.code == 0 and len(service.requests) == 1, flag.err
    config = Path(os.environ["XDG_CONFIG_HOME"]) / "efile-tui" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'[profiles.default]\nefile_url = "{remote}"\nallow_plain_http = true\n')
    profile = run(service, "ls", HOME, EFILE_URL="")
    assert profile.code == 0 and len(service.requests) == 2, profile.err


def test_duplicate_task_ids_are_reported_per_item(service: HostileService) -> None:
    service.mode = "duplicate-tasks"  # one task object repeated for three items
    paths = [f"{HOME}/x/a", f"{HOME}/x/b", f"{HOME}/x/c"]
    result = run(service, "rm", "--yes", *paths)
    lines = result.out.splitlines()
    assert len(lines) == 3
    assert sum(line.startswith(("✓", "✗")) for line in lines) == 1, result.out
    assert sum(line.startswith("?") for line in lines) == 2, result.out
    assert result.code == 1


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_and_sighup_during_a_submit_record_the_outcome(
    service: HostileService, signum: int
) -> None:
    service.mode = "stall-submit"
    env = {**os.environ, **service.env(), "PYTHONPATH": ROOT}
    proc = subprocess.Popen(
        [sys.executable, "-m", "efile_tui", "rm", "--yes", f"{HOME}/x/victim"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert service.submit_seen.wait(60), "the submit never reached the service"
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 128 + signum, err
    assert signal.Signals(signum).name in err
    service.mode = "ok"
    journal = run(service, "tasks", "--json")
    [entry] = json.loads(journal.out)
    assert entry["sourcePath"] == f"{HOME}/x/victim"
    assert entry.get("outcomeUnknown") or entry.get("state") == "outcome_unknown", entry
    log = json.loads(run(service, "log", "--json").out)
    assert any(ev.get("event") == "submit" for ev in log), log


def test_the_corpus_through_every_cli_command(service: HostileService) -> None:
    """Markup and control sequences in every field: shown inert by every command."""
    service.mode = "markup"
    submit = run(service, "rm", "--yes", f"{HOME}/x/one", f"{HOME}/x/two")
    ids = [line.split("task ", 1)[1].split(" (")[0] for line in submit.out.splitlines()]
    results = [
        submit,
        run(service, "ls", HOME),
        run(service, "ls", HOME, "--json"),
        run(service, "tasks"),
        run(service, "tasks", "--json"),
        run(service, "tasks", ID1, ID2),
        run(service, "cancel", "--yes", ID1),
        run(service, "cancel", "--yes", ID1, "--json"),
        run(service, "watch", ID1, "--timeout", "1"),
        run(service, "log"),
        run(service, "log", "--json"),
        run(service, "cp", "--yes", f"{HOME}/x/one", f"{HOME}/y"),
        run(service, "ls", f"{HOME}/nope[/]\x1b[2J"),  # bad input echoed back
    ]
    service.mode = "error-msg"  # the same text as the service's error message
    results += [
        run(service, "tasks"),  # a warning naming the error, then the journal
        run(service, "ls", HOME),
        run(service, "cancel", "--yes", ID1),
    ]
    for result in results:
        assert_clean(result)
        if result.out.startswith(("{", "[")):
            json.loads(result.out)  # --json stays valid JSON
    assert any("␛" in r.both for r in results)  # the sequences are shown, made visible
    assert ids and all(i.startswith("t") for i in ids), submit.out
