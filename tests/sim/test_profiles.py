"""Where the "documented" and "windows" profiles differ, each difference shown both ways.

Sources: wsasim.profiles (each flag cites the documentation and docs/windows.md).
"""

from __future__ import annotations

import pytest
import wsasim

from tests.sim.conftest import Lab, make_lab
from wsaconnect import constants as C
from wsaconnect import errors as E


def failed_nonblocking_connect(profile: str) -> tuple[Lab, int]:
    lab = make_lab(profile)
    s = lab.tcp()
    lab.ws.ioctlsocket(s, C.FIONBIO, 1)
    lab.ws.connect(s, ("192.0.2.20", 81))
    assert lab.ws.select([], [], [s], None) == (1, [], [], [s])
    return lab, s


@pytest.mark.parametrize(("profile", "second_read"), [("documented", 0), ("windows", 10061)])
def test_reading_so_error_clears_it_only_in_the_documented_profile(
    profile: str, second_read: int
) -> None:
    lab, s = failed_nonblocking_connect(profile)
    ws = lab.ws
    assert ws.getsockopt(s, C.SOL_SOCKET, C.SO_ERROR) == (0, E.WSAECONNREFUSED)
    assert ws.getsockopt(s, C.SOL_SOCKET, C.SO_ERROR) == (0, second_read)


def test_windows_keeps_so_error_until_a_connection_succeeds() -> None:
    lab, s = failed_nonblocking_connect("windows")
    ws = lab.ws
    lab.listen(81)
    ws.connect(s, ("192.0.2.20", 81))
    assert ws.getsockopt(s, C.SOL_SOCKET, C.SO_ERROR) == (0, E.WSAECONNREFUSED)
    assert ws.select([], [s], [], None)[2] == [s]
    assert ws.getsockopt(s, C.SOL_SOCKET, C.SO_ERROR) == (0, 0)


@pytest.mark.parametrize(("profile", "reported"), [("documented", False), ("windows", True)])
def test_exceptfds_after_a_failed_blocking_connect(profile: str, reported: bool) -> None:
    lab = make_lab(profile)
    s = lab.tcp()
    assert lab.ws.connect(s, ("192.0.2.20", 81)) == C.SOCKET_ERROR
    assert (lab.ws.select([], [], [s], 0)[3] == [s]) is reported


@pytest.mark.parametrize(("profile", "visible"), [("documented", False), ("windows", True)])
def test_getpeername_while_a_connect_is_pending(profile: str, visible: bool) -> None:
    lab = make_lab(profile)
    s = lab.tcp()
    lab.ws.ioctlsocket(s, C.FIONBIO, 1)
    lab.ws.connect(s, ("192.0.2.99", 80))
    rc, peer = lab.ws.getpeername(s)
    if visible:
        assert (rc, peer) == (0, ("192.0.2.99", 80))
    else:
        assert (rc, lab.error()) == (C.SOCKET_ERROR, E.WSAENOTCONN)
    # Both: the ephemeral port is visible, and send gives WSAENOTCONN (docs/windows.md).
    assert lab.ws.getsockname(s)[0] == 0
    assert lab.ws.send(s, b"x") == C.SOCKET_ERROR
    assert lab.error() == E.WSAENOTCONN


def test_windows_udp_broadcast_connect_then_send_works_but_sendto_fails() -> None:
    lab = make_lab("windows")
    listener = lab.srv.socket(C.AF_INET, C.SOCK_DGRAM)
    assert lab.srv.bind(listener, ("0.0.0.0", 9)) == 0
    s = lab.ws.socket(C.AF_INET, C.SOCK_DGRAM)
    assert lab.ws.connect(s, ("192.0.2.255", 9)) == 0
    assert lab.ws.send(s, b"hello all") == 9
    lab.net.run_until_idle()
    assert lab.srv.recvfrom(listener, 100)[:2] == (9, b"hello all")
    assert lab.ws.sendto(s, b"again", 0, ("192.0.2.255", 9)) == C.SOCKET_ERROR
    assert lab.error() == E.WSAEACCES


def test_documented_udp_broadcast_connect_needs_so_broadcast() -> None:
    lab = make_lab("documented")
    s = lab.ws.socket(C.AF_INET, C.SOCK_DGRAM)
    assert lab.ws.connect(s, ("192.0.2.255", 9)) == C.SOCKET_ERROR
    assert lab.error() == E.WSAEACCES


def test_unknown_profile_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown profile 'linux'"):
        wsasim.Network(profile="linux")
