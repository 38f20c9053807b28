"""``python -m efile_tui.sim --seed DIR`` as a real process: prints exports, stops on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

TOKEN = "env-token-for-test"


def serve_once(home: Path) -> str:
    """Start the simulator on ``home``, list it over HTTP, SIGTERM it; return its stderr."""
    env = {**os.environ, "EFILE_SIM_TOKEN": TOKEN}
    cmd = [sys.executable, "-m", "efile_tui.sim", "--seed", str(home)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        exports: dict[str, str] = {}
        deadline = time.monotonic() + 20
        assert proc.stdout is not None
        while "EFILE_TOKEN" not in exports and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            if line.startswith("export "):
                key, _, value = line[len("export ") :].strip().partition("=")
                exports[key] = value
        assert exports.get("EFILE_TOKEN") == TOKEN, exports
        url = exports["EFILE_URL"]
        assert url.startswith("http://127.0.0.1:")
        body = httpx.get(url + "/efile/openapi/v2/file/list", headers={"token": TOKEN}).json()
        assert body["code"] == "0"
        assert any(item["name"].startswith("proj-") for item in body["data"]["fileList"])
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
        assert proc.stderr is not None
        return proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_seed_serve_and_stop(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert "seeded" in serve_once(home)
    marker = home / "proj-climate" / "marker.txt"
    marker.write_text("kept")
    assert "not reseeding" in serve_once(home)
    assert marker.read_text() == "kept"


def test_bad_option_exits_2(tmp_path: Path) -> None:
    cmd = [sys.executable, "-m", "efile_tui.sim", "--root", str(tmp_path), "--port", "70000"]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    assert result.returncode == 2 and "--port" in result.stderr
    assert result.stdout == ""
