"""Exact virtual times: Windows' connect timing model, select timeouts, determinism, deadlock.

Written in the style of trio's test_highlevel_open_tcp_stream.py: each scenario asserts the
virtual instant at which things happen. Sources: docs/simulator.md, docs/windows.md.
"""

from __future__ import annotations

import pytest
import wsasim

from tests.sim.conftest import LATENCY, Lab, make_lab
from tests.world import add_client
from wsaconnect import constants as C
from wsaconnect import errors as E

RTT = 2 * LATENCY


def syn_times(net: wsasim.Network) -> list[float]:
    assert net.trace is not None
    return [t for t, _, what in net.trace if what.startswith("SYN")]


def test_unanswered_connect_sends_syns_at_0_3_9_and_fails_at_21_seconds() -> None:
    lab = make_lab(trace=True)
    s = lab.tcp()
    assert lab.ws.connect(s, ("192.0.2.99", 80)) == C.SOCKET_ERROR
    assert lab.error() == E.WSAETIMEDOUT
    assert syn_times(lab.net) == [0.0, 3.0, 9.0]
    assert lab.net.now == 21.0
    attempt = lab.net.attempts[-1]
    assert (attempt.started, attempt.ended, attempt.outcome) == (0.0, 21.0, "WSAETIMEDOUT")


def test_refused_connect_takes_two_seconds_plus_three_round_trips(lab: Lab) -> None:
    s = lab.tcp()
    assert lab.ws.connect(s, ("192.0.2.20", 81)) == C.SOCKET_ERROR
    assert lab.error() == E.WSAECONNREFUSED
    assert lab.net.now == pytest.approx(2.0 + 3 * RTT)


def test_refused_on_loopback_takes_exactly_two_seconds(lab: Lab) -> None:
    s = lab.tcp()
    assert lab.ws.connect(s, ("127.0.0.1", 81)) == C.SOCKET_ERROR
    assert lab.error() == E.WSAECONNREFUSED
    assert lab.net.now == 2.0


def test_listener_appearing_between_refusals_accepts_the_retried_syn(lab: Lab) -> None:
    s = lab.tcp()
    lab.net.call_at(0.5, lambda: lab.listen(81))
    assert lab.ws.connect(s, ("192.0.2.20", 81)) == 0
    # SYN at 0 refused (RST back at 1 RTT), SYN again 1 s later, answered 1 RTT after that.
    assert lab.net.now == pytest.approx(1.0 + 2 * RTT)


def test_connect_completes_after_one_round_trip(lab: Lab) -> None:
    lab.listen(80)
    lab.net.set_latency(lab.client, lab.server, 0.050)
    s = lab.tcp()
    assert lab.ws.connect(s, ("192.0.2.20", 80)) == 0
    assert lab.net.now == pytest.approx(0.100)


def test_blackhole_lifted_during_the_attempt_lets_a_retransmission_through(lab: Lab) -> None:
    lab.listen(80)
    lab.net.blackhole("192.0.2.20")
    lab.net.call_at(5.0, lambda: lab.net.restore("192.0.2.20"))
    s = lab.tcp()
    assert lab.ws.connect(s, ("192.0.2.20", 80)) == 0
    assert lab.net.now == pytest.approx(9.0 + RTT)  # the third SYN, sent at 9 s


def test_timing_is_a_parameter_of_the_network() -> None:
    timing = wsasim.TcpTiming(initial_rto=1.0, syn_retransmissions=4)
    lab = make_lab(timing=timing)
    assert timing.connect_timeout == 31.0
    s = lab.tcp()
    assert lab.ws.connect(s, ("192.0.2.99", 80)) == C.SOCKET_ERROR
    assert lab.net.now == 31.0


def test_select_timeout_is_exact_in_virtual_time(lab: Lab) -> None:
    listener = lab.listen(80)
    assert lab.srv.select([listener], [], [], 2.5) == (0, [], [], [])
    assert lab.net.now == 2.5


def test_select_wakes_when_the_nonblocking_connect_fails(lab: Lab) -> None:
    s = lab.tcp()
    lab.ws.ioctlsocket(s, C.FIONBIO, 1)
    assert lab.ws.connect(s, ("192.0.2.99", 80)) == C.SOCKET_ERROR
    assert lab.error() == E.WSAEWOULDBLOCK
    assert lab.ws.select([], [s], [s], 10.0) == (0, [], [], [])
    assert lab.net.now == 10.0
    assert lab.ws.select([], [s], [s], None) == (1, [], [], [s])
    assert lab.net.now == 21.0


def test_wsawaitformultipleevents_timeout_is_in_virtual_milliseconds(lab: Lab) -> None:
    event = lab.ws.WSACreateEvent()
    assert lab.ws.WSAWaitForMultipleEvents([event], False, 1500) == C.WSA_WAIT_TIMEOUT
    assert lab.net.now == 1.5


def test_so_connect_time_counts_virtual_seconds(lab: Lab) -> None:
    lab.listen(80)
    s = lab.tcp()
    assert lab.ws.getsockopt(s, C.SOL_SOCKET, C.SO_CONNECT_TIME) == (0, 0xFFFFFFFF)
    assert lab.ws.connect(s, ("192.0.2.20", 80)) == 0
    lab.net.advance(42.0)
    assert lab.ws.getsockopt(s, C.SOL_SOCKET, C.SO_CONNECT_TIME) == (0, 42)


def scenario(seed: int) -> list[tuple[float, str, str]]:
    net = wsasim.Network(seed=seed, trace=True)
    client = add_client(net)
    server = net.add_host("server", ["192.0.2.20/24"])
    ws, srv = client.winsock, server.winsock
    ws.WSAStartup()
    srv.WSAStartup()
    listener = srv.socket(C.AF_INET, C.SOCK_STREAM)
    srv.bind(listener, ("0.0.0.0", 80))
    srv.listen(listener, 5)
    net.unreachable("192.0.2.30")
    for target in (("192.0.2.20", 80), ("192.0.2.20", 81), ("192.0.2.30", 80)):
        s = ws.socket(C.AF_INET, C.SOCK_STREAM)
        ws.ioctlsocket(s, C.FIONBIO, 1)
        ws.connect(s, target)
    net.run_until_idle()
    assert net.trace is not None
    return net.trace + [(a.started, a.host, repr(a)) for a in net.attempts]


def test_same_scenario_same_seed_gives_the_same_event_log() -> None:
    assert scenario(7) == scenario(7)


def test_the_seed_changes_the_ephemeral_ports_only() -> None:
    first, second = scenario(1), scenario(2)
    assert first != second
    assert [(t, h) for t, h, _ in first] == [(t, h) for t, h, _ in second]


def test_blocking_accept_with_no_connector_raises_deadlock(lab: Lab) -> None:
    listener = lab.listen(80)
    with pytest.raises(wsasim.Deadlock, match="accept on host 'server'"):
        lab.srv.accept(listener)
    # The network is still usable afterwards.
    s = lab.tcp()
    assert lab.ws.connect(s, ("192.0.2.20", 80)) == 0
    assert lab.srv.accept(listener)[0] != C.INVALID_SOCKET


def test_blocking_accept_completes_when_a_connect_is_scheduled(lab: Lab) -> None:
    listener = lab.listen(80)
    s = lab.tcp()
    lab.ws.ioctlsocket(s, C.FIONBIO, 1)
    lab.net.call_at(3.0, lambda: lab.ws.connect(s, ("192.0.2.20", 80)))
    conn, peer = lab.srv.accept(listener)
    assert conn != C.INVALID_SOCKET
    assert peer == lab.ws.getsockname(s)[1]
    # SYN, SYN-ACK, then the ACK that establishes the server's side (RFC 9293, 3.5).
    assert lab.net.now == pytest.approx(3.0 + 3 * LATENCY)


def test_blocking_recv_with_nothing_coming_raises_deadlock(lab: Lab) -> None:
    listener = lab.listen(80)
    s = lab.tcp()
    assert lab.ws.connect(s, ("192.0.2.20", 80)) == 0
    with pytest.raises(wsasim.Deadlock):
        lab.ws.recv(s, 100)
    conn, _ = lab.srv.accept(listener)
    assert lab.srv.send(conn, b"hello") == 5
    assert lab.ws.recv(s, 100) == (5, b"hello")


def test_select_forever_with_nothing_pending_raises_deadlock(lab: Lab) -> None:
    listener = lab.listen(80)
    with pytest.raises(wsasim.Deadlock):
        lab.srv.select([listener], [], [], None)
