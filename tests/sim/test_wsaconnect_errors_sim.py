"""The WSAConnect error codes only a simulated network can produce on demand.

Together with tests/conformance/test_wsaconnect_errors.py, every code of the WSAConnect
document's table is produced here by a scenario matching its documented meaning.
"""

from __future__ import annotations

import pytest
import wsasim

from tests.sim.conftest import Lab, make_lab
from wsaconnect import constants as C
from wsaconnect import errors as E


def test_wsanotinitialised_before_wsastartup() -> None:
    net = wsasim.Network()
    ws = net.add_host("h", ["192.0.2.1/24"]).winsock
    assert ws.socket(C.AF_INET, C.SOCK_STREAM) == C.INVALID_SOCKET
    assert ws.WSAGetLastError() == E.WSANOTINITIALISED
    assert ws.WSAConnect(0x100, ("192.0.2.2", 80)) == C.SOCKET_ERROR
    assert ws.WSAGetLastError() == E.WSANOTINITIALISED


def test_wsanotinitialised_after_the_last_wsacleanup(lab: Lab) -> None:
    s = lab.tcp()
    assert lab.ws.WSACleanup() == 0
    assert lab.ws.WSAConnect(s, ("192.0.2.20", 80)) == C.SOCKET_ERROR
    assert lab.error() == E.WSANOTINITIALISED


def test_wsaenetdown_when_the_network_subsystem_has_failed(lab: Lab) -> None:
    lab.listen(80)
    s = lab.tcp()
    lab.client.set_network_down(True)
    assert lab.ws.WSAConnect(s, ("192.0.2.20", 80)) == C.SOCKET_ERROR
    assert lab.error() == E.WSAENETDOWN
    lab.client.set_network_down(False)
    assert lab.ws.WSAConnect(s, ("192.0.2.20", 80)) == 0


def test_wsaenetdown_ends_a_connect_in_progress(lab: Lab) -> None:
    lab.net.blackhole("192.0.2.99")
    s = lab.tcp()
    lab.net.call_at(5.0, lambda: lab.client.set_network_down(True))
    assert lab.ws.WSAConnect(s, ("192.0.2.99", 80)) == C.SOCKET_ERROR
    assert lab.error() == E.WSAENETDOWN
    assert lab.net.now == 5.0


def test_wsaeintr_when_wsacancelblockingcall_cancels_a_winsock_1_1_connect() -> None:
    lab = make_lab()
    assert lab.ws.WSAStartup(0x0101) == 0  # a second reference; the version stays 2.2
    assert lab.ws.WSACleanup() == 0
    assert lab.ws.WSACleanup() == 0
    assert lab.ws.WSAStartup(0x0101) == 0
    assert lab.ws.version == 0x0101
    lab.net.blackhole("192.0.2.99")
    s = lab.tcp()
    results: list[int] = []
    lab.net.call_at(4.0, lambda: results.append(lab.ws.WSACancelBlockingCall()))
    assert lab.ws.WSAConnect(s, ("192.0.2.99", 80)) == C.SOCKET_ERROR
    assert lab.error() == E.WSAEINTR
    assert results == [0]
    assert lab.net.now == 4.0


def test_wsaeinprogress_for_any_call_during_a_winsock_1_1_blocking_call() -> None:
    lab = make_lab()
    lab.ws.WSACleanup()
    assert lab.ws.WSAStartup(0x0101) == 0
    lab.net.blackhole("192.0.2.99")
    s, other = lab.tcp(), lab.tcp()
    seen: list[tuple[int, int]] = []

    def meanwhile() -> None:
        seen.append((lab.ws.WSAConnect(other, ("192.0.2.20", 80)), lab.ws.WSAGetLastError()))
        seen.append((lab.ws.socket(C.AF_INET, C.SOCK_STREAM), lab.ws.WSAGetLastError()))

    lab.net.call_at(1.0, meanwhile)
    assert lab.ws.WSAConnect(s, ("192.0.2.99", 80)) == C.SOCKET_ERROR
    assert lab.error() == E.WSAETIMEDOUT
    assert seen == [(C.SOCKET_ERROR, E.WSAEINPROGRESS), (C.INVALID_SOCKET, E.WSAEINPROGRESS)]


def test_wsacancelblockingcall_is_gone_in_winsock_2(lab: Lab) -> None:
    assert lab.ws.WSACancelBlockingCall() == C.SOCKET_ERROR
    assert lab.error() == E.WSAEOPNOTSUPP


def test_winsock_2_calls_during_a_blocking_call_proceed(lab: Lab) -> None:
    lab.listen(80)
    lab.net.blackhole("192.0.2.99")
    s, other = lab.tcp(), lab.tcp()
    assert lab.ws.ioctlsocket(other, C.FIONBIO, 1) == 0
    seen: list[tuple[int, int]] = []
    lab.net.call_at(
        1.0,
        lambda: seen.append(
            (lab.ws.WSAConnect(other, ("192.0.2.20", 80)), lab.ws.WSAGetLastError())
        ),
    )
    assert lab.ws.WSAConnect(s, ("192.0.2.99", 80)) == C.SOCKET_ERROR
    # Not WSAEINPROGRESS (Winsock 1.1's answer): the other "thread"'s connect went ahead.
    assert seen == [(C.SOCKET_ERROR, E.WSAEWOULDBLOCK)]
    assert lab.ws.select([], [other], [], 0) == (1, [], [other], [])


def test_a_blocking_call_inside_a_callback_is_refused_not_run_inside_the_outer_wait(
    lab: Lab,
) -> None:
    # A callback stands for another thread but runs on the waiting call's stack: if it could
    # block, the outer select (5 s) would return when the inner connect ended (21 s).
    lab.net.blackhole("192.0.2.99")
    s, other = lab.tcp(), lab.tcp()
    lab.net.call_at(1.0, lambda: lab.ws.WSAConnect(other, ("192.0.2.99", 80)))
    assert lab.ws.ioctlsocket(s, C.FIONBIO, 1) == 0
    assert lab.ws.connect(s, ("192.0.2.99", 80)) == C.SOCKET_ERROR
    with pytest.raises(wsasim.ReentrantWait, match="connect on host 'client' would block"):
        lab.ws.select([s], [], [], 5.0)
    assert lab.net.now == 1.0
    # The network is still usable: the outer wait was unwound, not left half-run.
    assert lab.ws.select([], [s], [s], 30.0)[0] == 1
    assert lab.net.now == pytest.approx(21.0)


def test_wsaealready_for_a_second_call_while_a_blocking_connect_is_in_progress(lab: Lab) -> None:
    lab.net.blackhole("192.0.2.99")
    s = lab.tcp()
    seen: list[tuple[int, int]] = []
    lab.net.call_at(
        1.0,
        lambda: seen.append((lab.ws.WSAConnect(s, ("192.0.2.99", 80)), lab.ws.WSAGetLastError())),
    )
    assert lab.ws.WSAConnect(s, ("192.0.2.99", 80)) == C.SOCKET_ERROR
    assert seen == [(C.SOCKET_ERROR, E.WSAEALREADY)]


def test_wsaenetunreach_at_once_without_an_address_of_the_family() -> None:
    net = wsasim.Network()
    v4only = net.add_host("v4only", ["192.0.2.10/24"])
    net.add_host("dual", ["192.0.2.20/24", "2001:db8::20/64"])
    ws = v4only.winsock
    ws.WSAStartup()
    s = ws.socket(C.AF_INET6, C.SOCK_STREAM)
    assert ws.WSAConnect(s, ("2001:db8::20", 80, 0, 0)) == C.SOCKET_ERROR
    assert ws.WSAGetLastError() == E.WSAENETUNREACH
    assert net.now == 0.0
    # "the application can call WSAConnect again for the same socket"
    assert ws.WSAConnect(s, ("::1", 80, 0, 0)) == C.SOCKET_ERROR
    assert ws.WSAGetLastError() == E.WSAECONNREFUSED


def test_wsaehostunreach_when_the_socket_fails_on_icmp(lab: Lab) -> None:
    lab.net.unreachable("192.0.2.77")
    s = lab.tcp()
    assert lab.ws.setsockopt(s, C.IPPROTO_TCP, C.TCP_FAIL_CONNECT_ON_ICMP_ERROR, 1) == 0
    assert lab.ws.WSAConnect(s, ("192.0.2.77", 80)) == C.SOCKET_ERROR
    assert lab.error() == E.WSAEHOSTUNREACH
    assert lab.net.now == pytest.approx(0.002)  # one round trip to the router


def test_icmp_host_unreachable_is_ignored_by_default_and_the_connect_times_out(lab: Lab) -> None:
    lab.net.unreachable("192.0.2.77")
    s = lab.tcp()
    assert lab.ws.WSAConnect(s, ("192.0.2.77", 80)) == C.SOCKET_ERROR
    assert lab.error() == E.WSAETIMEDOUT
    assert lab.net.now == 21.0


def test_wsaenobufs_when_no_ephemeral_port_is_left() -> None:
    lab = make_lab(ephemeral_ports=range(50000, 50002))
    listener = lab.listen(80)
    first, second, third = lab.tcp(), lab.tcp(), lab.tcp()
    assert lab.ws.WSAConnect(first, ("192.0.2.20", 80)) == 0
    assert lab.ws.WSAConnect(second, ("192.0.2.20", 80)) == 0
    assert lab.ws.WSAConnect(third, ("192.0.2.20", 80)) == C.SOCKET_ERROR
    assert lab.error() == E.WSAENOBUFS
    lab.ws.closesocket(first)
    # Both ends of the first connection closed: its port and four addresses are free again.
    server_end, _ = lab.srv.accept(listener)
    assert lab.srv.closesocket(server_end) == 0
    assert lab.ws.WSAConnect(third, ("192.0.2.20", 80)) == 0


def test_wsaetimedout_when_nothing_answers(lab: Lab) -> None:
    s = lab.tcp()
    assert lab.ws.WSAConnect(s, ("192.0.2.99", 80)) == C.SOCKET_ERROR  # nobody has it
    assert lab.error() == E.WSAETIMEDOUT
    # "the application can call WSAConnect again for the same socket"
    lab.listen(80)
    assert lab.ws.WSAConnect(s, ("192.0.2.20", 80)) == 0


def test_wsaeconnrefused_when_the_backlog_is_full(lab: Lab) -> None:
    # listen document: with the backlog full, a connect is refused.
    lab.listen(80, backlog=1)
    first, second = lab.tcp(), lab.tcp()
    assert lab.ws.WSAConnect(first, ("192.0.2.20", 80)) == 0
    assert lab.ws.WSAConnect(second, ("192.0.2.20", 80)) == C.SOCKET_ERROR
    assert lab.error() == E.WSAECONNREFUSED


def test_v4_mapped_destination_on_a_v6only_socket_is_wsaeaddrnotavail(lab: Lab) -> None:
    lab.listen(80)
    s = lab.tcp(C.AF_INET6)
    assert lab.ws.WSAConnect(s, ("::ffff:192.0.2.20", 80, 0, 0)) == C.SOCKET_ERROR
    assert lab.error() == E.WSAEADDRNOTAVAIL


def test_v4_mapped_destination_on_a_dual_stack_socket_connects(lab: Lab) -> None:
    lab.listen(80)
    s = lab.tcp(C.AF_INET6)
    assert lab.ws.setsockopt(s, C.IPPROTO_IPV6, C.IPV6_V6ONLY, 0) == 0
    assert lab.ws.WSAConnect(s, ("::ffff:192.0.2.20", 80, 0, 0)) == 0
    assert lab.ws.getsockname(s)[1] == ("::ffff:192.0.2.10", lab.ws.getsockname(s)[1][1], 0, 0)  # type: ignore[index]


def test_closing_the_socket_ends_a_blocking_connect_with_wsaeintr(lab: Lab) -> None:
    lab.net.blackhole("192.0.2.99")
    s = lab.tcp()
    lab.net.call_at(2.0, lambda: lab.ws.closesocket(s))
    assert lab.ws.WSAConnect(s, ("192.0.2.99", 80)) == C.SOCKET_ERROR
    assert lab.error() == E.WSAEINTR
    assert lab.net.attempts[-1].error == E.WSAEINTR
