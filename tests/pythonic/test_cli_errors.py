"""The command line's ordinary mistakes: each is one clear line on stderr and exit status 2,
never a traceback, and nothing on stdout."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest
import wsasim
from wsasim.default import CLIENT_ADDRESSES

from wsaconnect import cli
from wsaconnect.cli import main

#: (the command line, a piece of the message that says what is wrong).
BAD_COMMAND_LINES: list[tuple[str, str]] = [
    # malformed endpoints
    ("probe 1.2.3:80", "'1.2.3' is not an IPv4 address"),
    ("probe 256.1.1.1:80", "is not an IPv4 address"),
    ("probe [::1:80", "no ']'"),
    ("probe [::1]80", "no ':PORT' after ']'"),
    ("probe [::1]", "no ':PORT' after ']'"),
    ("probe [192.0.2.1]:80", "brackets are for IPv6"),
    ("probe [2001:db8::zz]:80", "is not an IPv6 address"),
    ("probe ::1:80", "needs brackets"),
    ("probe host:", "no port after ':'"),
    ("probe host", "no port"),
    ("probe :80", "no host"),
    ("probe host:http", "the port 'http' is not a number"),
    ("probe host:+80", "the port '+80' is not a number"),
    ("probe bad_-.example:80", "is not a host name"),
    ("probe example.123:80", "is not a host name"),
    # ports out of range
    ("probe host:0", "the port must be 1-65535, not 0"),
    ("probe host:65536", "the port must be 1-65535, not 65536"),
    ("probe host:-1", "the port must be 1-65535, not -1"),
    ("probe host:99999999999999999999999", "the port must be 1-65535"),
    # not a destination
    ("probe --sim 0.0.0.0:80", "the unspecified address"),
    ("probe --sim [::]:80", "the unspecified address"),
    ("probe --sim 224.0.0.1:80", "multicast"),
    ("probe --sim [ff02::1]:80", "multicast"),
    ("probe --sim [::ffff:239.1.2.3]:80", "multicast"),
    ("probe --sim 255.255.255.255:80", "the broadcast address"),
    ("probe 224.0.0.1:80", "multicast"),  # natively too, before any network
    # what the simulated network says
    ("probe --sim 192.0.2.10:80", "192.0.2.10 is the simulated client's own address"),
    ("probe --sim [2001:db8::10]:443", "2001:db8::10 is the simulated client's own address"),
    ("probe --sim [::ffff:192.0.2.10]:80", "192.0.2.10 is the simulated client's own address"),
    ("probe --sim 192.0.2.255:80", "the broadcast address of the simulated client's subnet"),
    ("probe --sim app.example:443", "'app.example' does not resolve on the simulated network"),
    (
        "probe --sim --name app.example=192.0.2.10 app.example:80",
        "--name app.example: 192.0.2.10 is the simulated client's own address",
    ),
    (
        "probe --sim --name a.example=192.0.2.1 --name a.example=192.0.2.2 a.example:80",
        "given twice",
    ),
    ("probe --sim --dead 192.0.2.10 192.0.2.1:80", "--dead 192.0.2.10: 192.0.2.10 is the"),
    ("probe --sim --refuse 192.0.2.10:80 192.0.2.1:80", "--refuse 192.0.2.10:80: 192.0.2.10"),
    # --name, --dead, --refuse malformed
    ("probe --sim --name app.example app.example:80", "is not NAME=ADDR[,ADDR...]"),
    ("probe --sim --name app.example= app.example:80", "is not NAME=ADDR[,ADDR...]"),
    ("probe --sim --name 192.0.2.1=192.0.2.2 192.0.2.1:80", "is an address, not a name"),
    ("probe --sim --name localhost=192.0.2.1 localhost:80", "localhost is ::1 and 127.0.0.1"),
    ("probe --sim --name app.example=1.2.3 app.example:80", "'1.2.3' is not a numeric"),
    ("probe --sim --dead 1.2.3 192.0.2.1:80", "'1.2.3' is not a numeric IPv4 or IPv6 address"),
    ("probe --sim --dead 192.0.2.1:80 192.0.2.1:80", "is not a numeric IPv4 or IPv6 address"),
    ("probe --sim --dead ff02::1 192.0.2.1:80", "multicast"),
    ("probe --sim --dead ::1 [::1]:80", "--dead ::1: loopback never leaves the client"),
    ("probe --sim --refuse app.example:80 192.0.2.1:80", "a numeric address here, not a name"),
    # profiles and seconds
    ("probe --sim --profile nope 192.0.2.1:80", "invalid choice: 'nope'"),
    ("demo --profile nope", "invalid choice: 'nope'"),
    ("demo --staggered --delay -1", "'-1': the seconds must be >= 0"),
    ("demo --staggered --delay nan", "'nan' is not a finite number of seconds"),
    ("demo --staggered --delay inf", "'inf' is not a finite number of seconds"),
    ("demo --staggered --delay soon", "'soon' is not a number of seconds"),
    ("demo --staggered --delay", "expected one argument"),
    ("demo --timeout -5", "'-5': the seconds must be >= 0"),
    ("demo --timeout 1e10", "at most 2147483647 seconds"),
    # options that do not go together
    ("demo --delay 1", "--delay is staggered_connect's: add --staggered"),
    ("probe --dead 192.0.2.1 192.0.2.1:80", "--dead shapes the simulated network: add --sim"),
    ("probe --refuse 192.0.2.1:80 192.0.2.1:80", "--refuse shapes the simulated network"),
    ("probe --name a.example=192.0.2.1 a.example:80", "--name shapes the simulated network"),
    ("probe --profile windows 192.0.2.1:80", "--profile shapes the simulated network"),
    # the commands themselves
    ("", "the following arguments are required: COMMAND"),
    ("nope", "invalid choice: 'nope'"),
    ("probe", "the following arguments are required: HOST:PORT"),
    ("probe --sim", "the following arguments are required: HOST:PORT"),
    ("demo --frobnicate", "unrecognized arguments: --frobnicate"),
    ("demo --svg /nonexistent/dir/x.svg", "--svg: cannot write '/nonexistent/dir/x.svg'"),
]


def assert_one_line(err: str, piece: str) -> None:
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("python -m wsaconnect")
    assert ": error: " in lines[0]
    assert piece in lines[0]


@pytest.mark.parametrize(("command", "piece"), BAD_COMMAND_LINES)
def test_a_bad_command_line_is_one_line_and_exit_status_2(
    command: str, piece: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(command.split()) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert_one_line(captured.err, piece)


def test_the_message_names_the_command_and_its_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["probe", "1.2.3:80"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("python -m wsaconnect probe: error: argument HOST:PORT: '1.2.3:80'")
    assert err.endswith("(see python -m wsaconnect probe --help)\n")


@pytest.mark.parametrize("command", ["probe [::1:80", "probe --sim 192.0.2.10:80"])
def test_no_traceback_from_the_real_entry_point(command: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "wsaconnect", *command.split()], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert_one_line(result.stderr, "error")


def test_a_name_that_does_not_resolve_natively_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    net = wsasim.Network(profile="windows")
    client = net.add_host("client", list(CLIENT_ADDRESSES))
    monkeypatch.setattr(cli, "native_backend", lambda: client.winsock)  # Windows, simulated

    def no_such_name(*args: object, **kwargs: object) -> object:
        raise socket.gaierror(11001, "getaddrinfo failed")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_name)
    for policy in ([], ["--staggered"]):
        assert main(["probe", *policy, "nothing.example:443"]) == 2
        captured = capsys.readouterr()
        assert captured.out == ""
        assert_one_line(captured.err, "'nothing.example' does not resolve: [Errno 11001]")
    assert net.attempts == []  # nothing was tried


def test_a_failed_connect_is_exit_status_1_not_a_mistake(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    svg = tmp_path / "t.svg"
    argv = ["probe", "--sim", "--refuse", "192.0.2.1:80", "192.0.2.1:80", "--svg", str(svg)]
    assert main(argv) == 1
    captured = capsys.readouterr()
    assert captured.err == ""
    assert "failed: WSAECONNREFUSED after 2.120 s" in captured.out
    assert "failed: WSAECONNREFUSED after 2.120 s" in svg.read_text(encoding="utf-8")
