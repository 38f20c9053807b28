"""Login against the simulator with a REAL Secret Service (GNOME Keyring under D-Bus).

``with_keyring.sh`` starts a private D-Bus session with an unlocked gnome-keyring-daemon;
inside it a small driver runs the real CLI as separate processes: ``login`` stores the
token, ``auth status`` and ``ls`` (new processes) read it, an expired token is renewed and
the new one stored, ``logout`` removes it. Then every output, file and command line is
searched for the token and the password.

Needs Debian's ``gnome-keyring`` and ``dbus``; skipped with the reason otherwise.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from efile_tui.sim.server import SimServer
from tests.e2e.test_login_headless import (
    HOME_PATH,
    PASSWORD,
    ArgvWatch,
    assert_no_leak,
    make_sandbox,
    simulator,
)

SCRIPT = Path(__file__).with_name("with_keyring.sh")
TOOLS = ("dbus-run-session", "dbus-send", "gnome-keyring-daemon")

pytestmark = pytest.mark.secret_service

# Runs inside the D-Bus session. Each step is a separate process; results (including the
# tokens, for the leak check) go to a harness file outside the sandbox, never to the CLI.
DRIVER = r"""
import json, os, subprocess, sys, urllib.request
out, url = sys.argv[1], sys.argv[2]
password = sys.stdin.read()
steps = {}

def cli(name, *args, stdin="", env=None):
    proc = subprocess.run([sys.executable, "-m", "efile_tui", *args], input=stdin,
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, **(env or {})})
    steps[name] = {"argv": proc.args, "code": proc.returncode, "out": proc.stdout,
                   "err": proc.stderr}

def stored(name):
    code = ("from efile_tui.store.tokens import TokenStore\n"
            "import json, sys\n"
            "token, source = TokenStore().get('default')\n"
            "sys.stdout.write(json.dumps([token, source]))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    steps[name] = {"code": proc.returncode, "value": proc.stdout, "err": proc.stderr}

cli("login", "login", "--platform-url", url, "--user", "demo", "--org-id", "demo-org",
    "--password-stdin", stdin=password)
stored("stored_after_login")
cli("status", "auth", "status", "--json")
cli("status_human", "auth", "status")
cli("status_explicit", "auth", "status", "--json",
    env={"PYTHON_KEYRING_BACKEND": "keyring.backends.SecretService.Keyring"})
cli("ls", "ls", "--json")
urllib.request.urlopen(urllib.request.Request(url + "/_sim/tokens/expire", method="POST"))
cli("ls_renewed", "ls", "--json")
stored("stored_after_renewal")
cli("logout", "logout")
stored("stored_after_logout")
cli("status_after_logout", "auth", "status", "--json")
# automatic re-login: the password is kept in the keyring; after 3 days tokens/next refuses
cli("login_remember", "login", "--platform-url", url, "--user", "demo", "--org-id",
    "demo-org", "--password-stdin", "--remember-password", stdin=password)
stored("stored_after_login_remember")
urllib.request.urlopen(urllib.request.Request(url + "/_sim/clock/advance?seconds=259200",
                                              method="POST"))
cli("ls_relogin", "ls", "--json")
stored("stored_after_relogin")
cli("logout_remember", "logout")
stored("stored_after_logout_remember")
with open(os.path.join(out, "results.json"), "w") as f:
    json.dump(steps, f)
"""

APP_STEPS = (
    "login",
    "status",
    "status_human",
    "status_explicit",
    "ls",
    "ls_renewed",
    "logout",
    "status_after_logout",
    "login_remember",
    "ls_relogin",
    "logout_remember",
)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[SimServer]:
    with simulator(tmp_path) as srv:
        yield srv


def test_secret_service_login_read_renew_logout(tmp_path: Path, server: SimServer) -> None:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (apt install gnome-keyring dbus)")
    box = make_sandbox(tmp_path)
    harness = tmp_path / "harness"
    harness.mkdir()
    env = box.env(WITH_KEYRING_DATA_HOME=str(box.root / "data"))
    argv = ["sh", str(SCRIPT), sys.executable, "-c", DRIVER, str(harness), server.url]
    with ArgvWatch() as watch:
        proc = subprocess.run(
            argv, input=PASSWORD, capture_output=True, text=True, env=env, timeout=120
        )
    assert proc.returncode == 0, proc.stderr
    steps = json.loads((harness / "results.json").read_text())

    login = steps["login"]
    assert login["code"] == 0, login["err"]
    assert "Logged in as demo@simulated-region" in login["err"]
    assert "token stored in keyring (SecretService)" in login["err"]
    assert "plain text" not in login["err"]

    token, source = json.loads(steps["stored_after_login"]["value"])
    assert token and source == "keyring (SecretService)"

    status = json.loads(steps["status"]["out"])
    assert steps["status"]["code"] == 0
    assert status["token"]["source"] == "keyring (SecretService)"
    assert status["token"]["expires"].startswith("in ")
    assert status["keyring"]["usable"] is True
    assert status["efile_url"] == server.url and status["home"] == HOME_PATH
    assert "token: from keyring (SecretService)" in steps["status_human"]["out"]

    explicit = json.loads(steps["status_explicit"]["out"])
    assert explicit["token"]["source"] == "keyring (SecretService)"
    assert explicit["keyring"]["chosen_by"] == "PYTHON_KEYRING_BACKEND"

    assert steps["ls"]["code"] == 0, steps["ls"]["err"]
    assert "hello.txt" in steps["ls"]["out"]

    assert steps["ls_renewed"]["code"] == 0, steps["ls_renewed"]["err"]
    renewed, _ = json.loads(steps["stored_after_renewal"]["value"])
    assert renewed and renewed != token  # the renewed token went back to the keyring

    assert steps["logout"]["code"] == 0
    assert "removed from keyring (SecretService)" in steps["logout"]["err"]
    assert json.loads(steps["stored_after_logout"]["value"])[0] is None
    assert steps["status_after_logout"]["code"] == 4

    assert steps["login_remember"]["code"] == 0, steps["login_remember"]["err"]
    assert "password kept in keyring (SecretService)" in steps["login_remember"]["err"]
    remembered, _ = json.loads(steps["stored_after_login_remember"]["value"])
    assert steps["ls_relogin"]["code"] == 0, steps["ls_relogin"]["err"]
    relogged, _ = json.loads(steps["stored_after_relogin"]["value"])
    assert relogged and relogged != remembered  # a fresh login replaced the dead token
    assert "remembered password removed" in steps["logout_remember"]["err"]
    assert json.loads(steps["stored_after_logout_remember"]["value"])[0] is None
    config = (box.config_dir / "config.toml").read_text()
    assert "auto_relogin" not in config  # logout turned it off again

    # the token stayed in the Secret Service: nothing under the config dir
    assert not (box.config_dir / "tokens").exists()
    outputs = [proc.stdout, proc.stderr]
    outputs += [steps[name][key] for name in APP_STEPS for key in ("out", "err")]
    assert_no_leak(
        [PASSWORD, token, renewed, remembered, relogged],
        outputs=outputs,
        roots=[box.root],
        argv_seen=watch.seen,
    )
    for name in APP_STEPS:
        secrets = (token, renewed, remembered, relogged, PASSWORD)
        assert not any(t in arg for t in secrets for arg in steps[name]["argv"])
