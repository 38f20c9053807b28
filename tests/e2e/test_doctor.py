"""``doctor`` as a health check, from the entry point against the simulator on loopback."""

from __future__ import annotations

import json
import socket

from tests.conftest import Sim

NO_KEYRING = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}


def camel_only(data: object) -> bool:
    """Every key of every object is camelCase (no ``_``)."""
    if isinstance(data, dict):
        return all("_" not in k and camel_only(v) for k, v in data.items())
    if isinstance(data, list):
        return all(camel_only(v) for v in data)
    return True


def test_healthy_with_only_efile_token_and_no_keyring(sim: Sim) -> None:
    before = len(sim.server.requests())  # type: ignore[attr-defined]
    result = sim.cli("doctor", "--json", env=NO_KEYRING)
    assert result.code == 0, (result.out, result.err)
    report = json.loads(result.out)
    assert report["healthy"] is True and report["problems"] == []
    assert any("no usable keyring" in n and "EFILE_TOKEN" in n for n in report["notes"])
    assert report["keyring"]["usable"] is False and "chosenBy" in report["keyring"]
    service = report["connection"]["service"]
    assert service["answered"] is True and service["tokenAccepted"] is True
    assert report["connection"]["tokenSource"] == "EFILE_TOKEN"
    assert camel_only(report)
    sent = sim.server.requests()[before:]  # type: ignore[attr-defined]
    assert len(sent) == 1 and sent[0]["path"].endswith("file/list")  # one cheap request
    human = sim.cli("doctor", env=NO_KEYRING)
    assert human.code == 0 and "healthy" in human.out and "accepts the token" in human.out
    assert sim.env["EFILE_TOKEN"] not in human.out + human.err + result.out


def test_a_rejected_token_is_named_with_what_to_do(sim: Sim) -> None:
    bad = {**NO_KEYRING, "EFILE_TOKEN": "not-a-token-the-service-issued"}
    result = sim.cli("doctor", "--json", env=bad)
    assert result.code == 4  # the CLI's "authentication needed"
    report = json.loads(result.out)
    [problem] = report["problems"]
    assert problem["check"] == "connection" and "refused the token" in problem["problem"]
    assert problem["exitCode"] == 4
    assert "efile-tui login" in problem["fix"]
    assert report["connection"]["service"] == {
        **report["connection"]["service"],
        "answered": True,
        "tokenAccepted": False,
    }
    assert "not-a-token" not in result.out + result.err


def test_an_unreachable_service_is_named_within_the_short_deadline(sim: Sim) -> None:
    with socket.socket() as sock:  # a loopback port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**NO_KEYRING, "EFILE_URL": f"http://127.0.0.1:{port}"}
    result = sim.cli("doctor", "--json", env=env)
    assert result.code == 3  # the CLI's "service unreachable"
    report = json.loads(result.out)
    [problem] = report["problems"]
    assert "did not answer" in problem["problem"] and str(port) in problem["problem"]
    assert problem["exitCode"] == 3
    assert report["connection"]["service"]["answered"] is False
    assert report["connection"]["service"]["seconds"] < 10
    human = sim.cli("doctor", env=env)
    assert human.code == 3 and "did NOT answer" in human.out and "what to do:" in human.out


def test_no_token_and_no_keyring_is_an_authentication_problem(sim: Sim) -> None:
    """Neither EFILE_TOKEN nor a usable keyring: the CLI's "authentication needed" (4),
    with the keyring named and nothing sent to the service."""
    before = len(sim.server.requests())  # type: ignore[attr-defined]
    result = sim.cli("doctor", "--json", env={**NO_KEYRING, "EFILE_TOKEN": ""})
    assert result.code == 4, (result.out, result.err)
    report = json.loads(result.out)
    assert {p["check"] for p in report["problems"]} >= {"keyring"}
    assert {p["exitCode"] for p in report["problems"]} == {4}
    assert report["healthy"] is False
    assert sim.server.requests()[before:] == []  # type: ignore[attr-defined]


def test_an_option_with_control_characters_is_a_problem_and_nothing_is_sent(sim: Sim) -> None:
    before = len(sim.server.requests())  # type: ignore[attr-defined]
    result = sim.cli("doctor", "--json", "--url", "https://efile.example/\x1b[2J")
    assert result.code != 0, (result.out, result.err)  # the highest problem code (keyring: 4)
    problems = json.loads(result.out)["problems"]
    assert any("--url" in p["problem"] and p["exitCode"] == 2 for p in problems), problems
    assert sim.server.requests()[before:] == []  # type: ignore[attr-defined]
