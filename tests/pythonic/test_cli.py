"""The command line: demo and probe with both policies, names, --json, --help.

Every time here is virtual (the simulator's clock, 20 ms one way): exact, never wall-clock.
The bad command lines are tests/pythonic/test_cli_errors.py's; the pictures test_cli_svg.py's.
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
from typing import Any

import pytest
import wsasim
from wsasim.default import CLIENT_ADDRESSES

from wsaconnect import cli, cli_sim
from wsaconnect.cli import main, parse_endpoint
from wsaconnect.cli_report import address_text


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    status = main([*argv, "--json"])
    captured = capsys.readouterr()
    assert captured.err == ""
    report: dict[str, Any] = json.loads(captured.out)
    return status, report


def timeline(report: dict[str, Any]) -> list[tuple[str, float, float | None, str]]:
    return [(a["remote"], a["started"], a["ended"], a["outcome"]) for a in report["attempts"]]


# --- demo -------------------------------------------------------------------------------------


def test_demo_draws_a_dead_a_refused_and_a_live_attempt(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("WSAConnectByList on the simulator")
    lines = [line for line in out.splitlines() if line.startswith("  [")]
    assert [line.split()[0] for line in lines] == [
        "[2001:db8::20]:443",
        "[2001:db8::21]:443",
        "[::ffff:192.0.2.20]:443",
    ]
    assert "WSAETIMEDOUT (21.000 s)" in lines[0]
    assert "WSAECONNREFUSED (2.120 s)" in lines[1]
    assert "connected (0.040 s)" in lines[2]
    assert "after 23.160 s" in out


def test_demo_json_is_machine_readable(capsys: pytest.CaptureFixture[str]) -> None:
    status, report = run_json(capsys, "demo", "--profile", "documented")
    assert status == 0
    assert report["connected"] is True
    assert report["policy"] == "WSAConnectByList"
    assert report["delay"] is None
    assert report["remote"] == "[::ffff:192.0.2.20]:443"
    assert timeline(report) == [
        ("[2001:db8::20]:443", 0.0, 21.0, "WSAETIMEDOUT"),
        ("[2001:db8::21]:443", 21.0, 23.12, "WSAECONNREFUSED"),
        ("[::ffff:192.0.2.20]:443", 23.12, 23.16, "connected"),
    ]
    assert report["seconds"] == 23.16


def test_demo_staggered_races_the_same_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    status, report = run_json(capsys, "demo", "--staggered")
    assert status == 0
    assert report["policy"] == "staggered_connect"
    assert report["delay"] == 0.25
    # RFC 8305: IPv4 second, one delay after the dead IPv6; the refusing one is never tried.
    assert timeline(report) == [
        ("[2001:db8::20]:443", 0.0, 0.29, "cancelled"),
        ("192.0.2.20:443", 0.25, 0.29, "connected"),
    ]
    assert report["seconds"] == 0.29
    assert report["remote"] == "192.0.2.20:443"


def test_demo_staggered_with_a_delay_draws_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--staggered", "--delay", "1.5"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("staggered_connect (delay 1.5 s) on the simulator")
    assert "after 1.540 s" in out


def test_demo_timeout_is_looked_at_only_between_attempts(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, report = run_json(capsys, "demo", "--timeout", "5")
    assert status == 1
    assert report["error"] == "WSAETIMEDOUT"
    assert report["seconds"] == 21.0  # the first attempt overran the 5 s
    assert report["local"] is None
    assert report["remote"] is None


def test_every_address_in_the_json_is_one_string_form(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["demo"], ["demo", "--staggered"]):
        _, report = run_json(capsys, *argv)
        written = [report["local"], report["remote"]]
        written += [a[key] for a in report["attempts"] for key in ("local", "remote")]
        for text in written:
            assert isinstance(text, str)
            host, _, port = text.rpartition(":")
            assert port.isdigit()
            assert (host.startswith("[") and host.endswith("]")) == (":" in host)


def test_address_text_writes_scopes_and_brackets() -> None:
    assert address_text(("192.0.2.1", 443)) == "192.0.2.1:443"
    assert address_text(("2001:db8::1", 443, 0, 0)) == "[2001:db8::1]:443"
    assert address_text(("fe80::1", 80, 0, 3)) == "[fe80::1%3]:80"
    assert address_text(None) is None


# --- probe on the simulator -----------------------------------------------------------------


def test_probe_on_the_simulator_reports_failure_with_exit_status_1(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, report = run_json(
        capsys, "probe", "--sim", "--refuse", "192.0.2.1:443", "192.0.2.1:443"
    )
    assert status == 1
    assert report["error"] == "WSAECONNREFUSED"
    # Windows sends the SYN again twice after an RST, 1 s apart: three round trips and 2 s.
    assert timeline(report) == [("[::ffff:192.0.2.1]:443", 0.0, 2.12, "WSAECONNREFUSED")]


NAME = ["--name", "app.example=2001:db8::1,192.0.2.1", "--dead", "2001:db8::1"]


def test_probe_resolves_names_given_with_name(capsys: pytest.CaptureFixture[str]) -> None:
    status, report = run_json(capsys, "probe", "--sim", *NAME, "app.example:443")
    assert status == 0
    assert timeline(report) == [
        ("[2001:db8::1]:443", 0.0, 21.0, "WSAETIMEDOUT"),
        ("[::ffff:192.0.2.1]:443", 21.0, 21.04, "connected"),
    ]


def test_probe_staggered_resolves_the_same_names(capsys: pytest.CaptureFixture[str]) -> None:
    status, report = run_json(capsys, "probe", "--sim", "--staggered", *NAME, "APP.example.:443")
    assert status == 0
    assert timeline(report) == [
        ("[2001:db8::1]:443", 0.0, 0.29, "cancelled"),
        ("192.0.2.1:443", 0.25, 0.29, "connected"),
    ]
    # The network's log gives the attempts' local addresses.
    assert [a["local"].rpartition(":")[0] for a in report["attempts"]] == [
        "[2001:db8::10]",
        "192.0.2.10",
    ]


def test_probe_staggered_deadline_is_exact_and_closes_every_attempt(
    capsys: pytest.CaptureFixture[str],
) -> None:
    dead = ["--dead", "2001:db8::1", "--dead", "192.0.2.1"]
    argv = ["probe", "--sim", "--staggered", "--timeout", "5", *dead]
    status, report = run_json(capsys, *argv, "[2001:db8::1]:443", "192.0.2.1:443")
    assert status == 1
    assert report["error"] == "WSAETIMEDOUT"
    assert report["seconds"] == 5.0
    assert timeline(report) == [
        ("[2001:db8::1]:443", 0.0, 5.0, "cancelled"),
        ("192.0.2.1:443", 0.25, 5.0, "cancelled"),
    ]


def test_probe_staggered_delay_zero_starts_everything_at_once(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["probe", "--sim", "--staggered", "--delay", "0", "--dead", "2001:db8::1"]
    _, report = run_json(capsys, *argv, "[2001:db8::1]:443", "192.0.2.1:443")
    assert [(a["started"], a["outcome"]) for a in report["attempts"]] == [
        (0.0, "cancelled"),
        (0.0, "connected"),
    ]
    assert report["seconds"] == 0.04


def test_probe_localhost_is_the_client_itself(capsys: pytest.CaptureFixture[str]) -> None:
    refuse = ["--refuse", "[::1]:8080"]
    _, by_list = run_json(capsys, "probe", "--sim", *refuse, "localhost:8080")
    assert timeline(by_list) == [
        ("[::1]:8080", 0.0, 2.0, "WSAECONNREFUSED"),  # Windows retries a refused SYN for 2 s
        ("[::ffff:127.0.0.1]:8080", 2.0, 2.0, "connected"),
    ]
    _, staggered = run_json(capsys, "probe", "--sim", "--staggered", *refuse, "localhost:8080")
    assert timeline(staggered) == [  # SIO_TCP_INITIAL_RTO: the refusal is at once
        ("[::1]:8080", 0.0, 0.0, "WSAECONNREFUSED"),
        ("127.0.0.1:8080", 0.0, 0.0, "connected"),
    ]


def test_probe_repeated_destinations_are_tried_once(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["probe", "--sim", "192.0.2.1:80", "192.0.2.1:80", "[::ffff:192.0.2.1]:80"]
    status, report = run_json(capsys, *argv)
    assert status == 0
    assert timeline(report) == [("[::ffff:192.0.2.1]:80", 0.0, 0.04, "connected")]


def test_the_simulated_client_is_the_plugins() -> None:
    assert tuple(CLIENT_ADDRESSES) == cli_sim.CLIENT_ADDRESSES


# --- probe natively (the simulator's Winsock standing in for Windows') ----------------------


@pytest.fixture
def fake_windows(monkeypatch: pytest.MonkeyPatch) -> wsasim.Network:
    """``native_backend()`` gives a simulated client's Winsock; 192.0.2.20 listens on 443."""
    net = wsasim.Network(profile="windows", latency=0.020)
    client = net.add_host("client", list(CLIENT_ADDRESSES))
    net.add_host("server", ["192.0.2.20/24"]).listen(443)
    monkeypatch.setattr(cli, "native_backend", lambda: client.winsock)
    return net


def test_probe_natively_resolves_with_getaddrinfo(
    fake_windows: wsasim.Network,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    answers = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("192.0.2.20", 443))]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: answers)
    status, report = run_json(capsys, "probe", "--staggered", "www.example:443")
    assert status == 0
    assert timeline(report) == [("192.0.2.20:443", 0.0, 0.04, "connected")]
    assert fake_windows.now == 0.04


def test_probe_natively_with_wsaconnectbylist(
    fake_windows: wsasim.Network, capsys: pytest.CaptureFixture[str]
) -> None:
    status, report = run_json(capsys, "probe", "192.0.2.20:443")
    assert status == 0
    assert report["remote"] == "[::ffff:192.0.2.20]:443"
    assert report["seconds"] == 0.04


@pytest.mark.skipif(sys.platform == "win32", reason="on Windows the native probe runs")
@pytest.mark.parametrize("policy", [[], ["--staggered"]])
def test_probe_off_windows_explains_that_it_needs_windows(
    policy: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["probe", *policy, "127.0.0.1:9"]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1
    assert "needs Windows" in err
    assert "--sim" in err


# --- endpoints and help -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("[2001:db8::1]:443", ("2001:db8::1", 443)),
        ("[2001:DB8:0::1]:443", ("2001:db8::1", 443)),
        ("[::ffff:192.0.2.1]:80", ("192.0.2.1", 80)),
        ("192.0.2.1:65535", ("192.0.2.1", 65535)),
        ("Example.NET.:1", ("example.net", 1)),
        ("localhost:0080", ("localhost", 80)),
    ],
)
def test_endpoints_are_written_one_way(text: str, parsed: tuple[str, int]) -> None:
    assert parse_endpoint(text) == parsed


def help_of(*command: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "wsaconnect", *command, "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def test_help_teaches_both_commands_and_both_policies() -> None:
    out = help_of()
    for word in ("demo", "probe", "--staggered", "staggered_connect", "Exit status"):
        assert word in out


@pytest.mark.parametrize("command", ["demo", "probe"])
def test_every_option_has_help_text(command: str) -> None:
    parser = cli.build_parser()
    [commands] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    sub = commands.choices[command]
    for action in sub._actions:
        assert action.help, f"{command} {action.option_strings or action.dest} has no help"
    out = help_of(command)
    for action in sub._actions:
        for option in action.option_strings:
            assert option in out


def test_probe_help_names_the_simulated_options() -> None:
    out = help_of("probe")
    for word in ("--sim", "--dead", "--refuse", "--name", "--delay", "--svg", "NAME=ADDR"):
        assert word in out
