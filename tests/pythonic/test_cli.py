"""The command line: demo, probe, --json, --help."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from wsaconnect.cli import main, parse_endpoint


def test_demo_draws_a_dead_a_refused_and_a_live_attempt(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if "]:443" in line]
    assert [line.split()[0] for line in lines] == [
        "[2001:db8::20]:443",
        "[2001:db8::21]:443",
        "[::ffff:192.0.2.20]:443",
    ]
    assert "WSAETIMEDOUT (21.000 s)" in lines[0]
    assert "WSAECONNREFUSED (2.120 s)" in lines[1]
    assert "connected" in lines[2]


def test_demo_json_is_machine_readable(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--json", "--profile", "documented"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["connected"] is True
    assert report["remote"] == ["::ffff:192.0.2.20", 443, 0, 0]
    assert [a["outcome"] for a in report["attempts"]] == [
        "WSAETIMEDOUT",
        "WSAECONNREFUSED",
        "connected",
    ]
    assert report["attempts"][1]["started"] == 21.0
    assert report["seconds"] == pytest.approx(23.16)


def test_probe_on_the_simulator_reports_failure_with_exit_status_1(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status = main(["probe", "--sim", "--json", "--refuse", "192.0.2.1:443", "192.0.2.1:443"])
    assert status == 1
    report = json.loads(capsys.readouterr().out)
    assert report["error"] == "WSAECONNREFUSED"


@pytest.mark.skipif(sys.platform == "win32", reason="on Windows the native probe runs")
def test_probe_off_windows_explains_that_it_needs_windows(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["probe", "127.0.0.1:9"]) == 2
    err = capsys.readouterr().err
    assert "needs Windows" in err
    assert "--sim" in err


@pytest.mark.parametrize("text", ["nohost", "host:", "host:0", "host:70000", ":80"])
def test_bad_endpoints_are_rejected(text: str) -> None:
    with pytest.raises(Exception, match="HOST:PORT"):
        parse_endpoint(text)


def test_ipv6_endpoints_use_brackets() -> None:
    assert parse_endpoint("[2001:db8::1]:443") == ("2001:db8::1", 443)


def test_help_teaches_both_commands() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "wsaconnect", "--help"], capture_output=True, text=True, check=True
    )
    assert "demo" in result.stdout
    assert "probe" in result.stdout
    assert "--sim" in result.stdout
