"""The network's one wait: handles across hosts, polls that run what is due, re-entry refused,
readiness looked at again after the instant of waking, and wakes only on a change.

Each test here failed before the wait belonged to the network (the defects it fixed are named).
"""

from __future__ import annotations

import os
import select as real_select
from collections.abc import Callable

import pytest
import wsasim
from wsasim import readiness
from wsasim.network import FIRST_HANDLE

from tests.sim.conftest import LATENCY, Lab
from wsaconnect import constants as C
from wsaconnect import errors as E
from wsaconnect.errors import WinsockError


def connected_pair(lab: Lab, port: int = 80) -> tuple[int, int]:
    """A client socket connected to an accepted server socket: ``(client, server)``."""
    listener = lab.listen(port)
    s = lab.tcp()
    assert lab.ws.connect(s, ("192.0.2.20", port)) == 0
    conn, _ = lab.srv.accept(listener)
    assert conn != C.INVALID_SOCKET
    return s, conn


# --- handles ------------------------------------------------------------------------------------


def test_handles_are_unique_across_hosts(lab: Lab) -> None:
    handles = [lab.ws.socket(C.AF_INET, C.SOCK_STREAM), lab.srv.socket(C.AF_INET, C.SOCK_STREAM)]
    handles += [lab.ws.WSACreateEvent(), lab.srv.WSACreateEvent(), lab.ws.create_message_window()]
    assert len(set(handles)) == len(handles)
    assert min(handles) >= FIRST_HANDLE


def test_another_hosts_socket_handle_is_not_a_socket_here(lab: Lab) -> None:
    theirs = lab.srv.socket(C.AF_INET, C.SOCK_STREAM)
    assert lab.ws.bind(theirs, ("192.0.2.10", 0)) == C.SOCKET_ERROR
    assert lab.error() == E.WSAENOTSOCK
    assert lab.ws.WSASetEvent(lab.srv.WSACreateEvent()) is False
    assert lab.error() == E.WSA_INVALID_HANDLE


def test_the_real_select_and_fstat_reject_a_simulator_handle(lab: Lab) -> None:
    s = lab.tcp()
    with pytest.raises((ValueError, OverflowError, OSError)):
        real_select.select([s], [], [], 0)
    with pytest.raises((ValueError, OverflowError, OSError)):
        os.fstat(s)
    sock = lab.client.socket(C.AF_INET, C.SOCK_STREAM)
    with pytest.raises((ValueError, OverflowError, OSError)):
        real_select.select([sock], [], [], 0)  # through fileno()
    sock.close()


# --- a poll runs what is due --------------------------------------------------------------------


def test_select_zero_completes_a_loopback_connect_that_is_due_now(lab: Lab) -> None:
    listener = lab.ws.socket(C.AF_INET, C.SOCK_STREAM)
    assert lab.ws.bind(listener, ("127.0.0.1", 0)) == 0
    assert lab.ws.listen(listener, 5) == 0
    _, name = lab.ws.getsockname(listener)
    assert name is not None
    s = lab.tcp()
    assert lab.ws.ioctlsocket(s, C.FIONBIO, 1) == 0
    assert lab.ws.connect(s, name) == C.SOCKET_ERROR
    assert lab.error() == E.WSAEWOULDBLOCK
    # Loopback has no latency: the handshake is due now, and a poll lets it happen.
    assert lab.ws.select([], [s], [], 0) == (1, [], [s], [])
    assert lab.net.now == 0.0


# --- re-entry -----------------------------------------------------------------------------------


def test_advancing_the_clock_inside_a_callback_is_refused(lab: Lab) -> None:
    errors: list[Exception] = []

    def callback() -> None:
        try:
            lab.net.advance(1.0)
        except wsasim.ReentrantWait as exc:
            errors.append(exc)

    lab.net.call_at(1.0, callback)
    lab.net.advance(5.0)
    assert len(errors) == 1
    assert lab.net.now == 5.0


def test_a_poll_inside_a_callback_is_allowed_and_waits_for_nothing(lab: Lab) -> None:
    s, _ = connected_pair(lab)
    seen: list[object] = []
    lab.net.call_at(1.0, lambda: seen.append(lab.ws.select([s], [], [], 0)))
    lab.net.advance(2.0)
    assert seen == [(0, [], [], [])]


# --- the same instant ---------------------------------------------------------------------------


def thief_at_arrival(lab: Lab, conn: int, at: float, steal: Callable[[], object]) -> None:
    """At ``at``, server socket ``conn`` sends b"first"; a callback due at the instant it
    arrives, after the arrival, calls ``steal`` (another thread taking what woke the waiter)."""

    def send() -> None:
        assert lab.srv.send(conn, b"first") == 5
        lab.net.call_at(lab.net.now + LATENCY, steal)

    lab.net.call_at(at, send)


def test_blocking_recv_waits_on_when_a_callback_takes_the_data_at_the_instant_it_woke(
    lab: Lab,
) -> None:
    s, conn = connected_pair(lab)
    stolen: list[tuple[int, bytes]] = []
    assert lab.ws.ioctlsocket(s, C.FIONBIO, 0) == 0

    def steal() -> None:
        assert lab.ws.ioctlsocket(s, C.FIONBIO, 1) == 0
        stolen.append(lab.ws.recv(s, 100))
        assert lab.ws.ioctlsocket(s, C.FIONBIO, 0) == 0

    thief_at_arrival(lab, conn, 1.0, steal)
    lab.net.call_at(2.0, lambda: lab.srv.send(conn, b"second"))
    # Before: the recv woke at the arrival, the thief took the data, and recv returned (0, b""),
    # a fake end of stream.
    assert lab.ws.recv(s, 100) == (6, b"second")
    assert stolen == [(5, b"first")]
    assert lab.net.now == pytest.approx(2.0 + LATENCY)


def test_select_without_timeout_does_not_return_zero_when_the_data_was_taken(lab: Lab) -> None:
    s, conn = connected_pair(lab)
    assert lab.ws.ioctlsocket(s, C.FIONBIO, 1) == 0
    thief_at_arrival(lab, conn, 1.0, lambda: lab.ws.recv(s, 100))
    lab.net.call_at(3.0, lambda: lab.srv.send(conn, b"second"))
    assert lab.ws.select([s], [], [], None) == (1, [s], [], [])
    assert lab.net.now == pytest.approx(3.0 + LATENCY)


def test_blocking_accept_waits_on_when_a_callback_accepts_first(lab: Lab) -> None:
    listener = lab.listen(80)
    taken: list[int] = []
    early, late = lab.tcp(), lab.tcp()
    for s in (early, late):
        assert lab.ws.ioctlsocket(s, C.FIONBIO, 1) == 0

    def connect_early() -> None:
        lab.ws.connect(early, ("192.0.2.20", 80))
        # The handshake's last ACK reaches the listener three latencies later (SYN, SYN-ACK,
        # ACK); steal right after it arrives: one hop per segment, each scheduled just after
        # the segment's own event at the same instant (and the same float sum).
        hop(3)

    def hop(left: int) -> None:
        lab.net.call_at(lab.net.now + LATENCY, steal if left == 1 else lambda: hop(left - 1))

    def steal() -> None:
        assert lab.srv.ioctlsocket(listener, C.FIONBIO, 1) == 0
        taken.append(lab.srv.accept(listener)[0])
        assert lab.srv.ioctlsocket(listener, C.FIONBIO, 0) == 0

    lab.net.call_at(1.0, connect_early)
    lab.net.call_at(2.0, lambda: lab.ws.connect(late, ("192.0.2.20", 80)))
    conn, _ = lab.srv.accept(listener)  # before: IndexError from an empty queue
    assert conn != C.INVALID_SOCKET
    assert len(taken) == 1
    assert taken[0] != C.INVALID_SOCKET
    assert lab.net.now == pytest.approx(2.0 + 3 * LATENCY)


def test_blocking_recvfrom_waits_on_when_a_callback_takes_the_datagram(lab: Lab) -> None:
    receiver = lab.srv.socket(C.AF_INET, C.SOCK_DGRAM)
    assert lab.srv.bind(receiver, ("192.0.2.20", 5353)) == 0
    sender = lab.ws.socket(C.AF_INET, C.SOCK_DGRAM)
    stolen: list[object] = []

    def steal() -> None:
        assert lab.srv.ioctlsocket(receiver, C.FIONBIO, 1) == 0
        stolen.append(lab.srv.recvfrom(receiver, 100)[1])
        assert lab.srv.ioctlsocket(receiver, C.FIONBIO, 0) == 0

    def send_first() -> None:
        lab.ws.sendto(sender, b"first", 0, ("192.0.2.20", 5353))
        lab.net.call_at(lab.net.now + LATENCY, steal)

    lab.net.call_at(1.0, send_first)
    lab.net.call_at(2.0, lambda: lab.ws.sendto(sender, b"second", 0, ("192.0.2.20", 5353)))
    count, data, _ = lab.srv.recvfrom(receiver, 100)  # before: an AssertionError
    assert (count, data) == (6, b"second")
    assert stolen == [b"first"]


# --- waking -------------------------------------------------------------------------------------


def test_a_wait_looks_again_only_when_what_it_watches_changes(
    lab: Lab, monkeypatch: pytest.MonkeyPatch
) -> None:
    s, conn = connected_pair(lab)
    _, other_conn = connected_pair(lab, port=81)
    looks: list[int] = []
    real = readiness.ready_sets

    def counting(sets: object) -> object:
        looks.append(1)
        return real(sets)  # type: ignore[arg-type]

    monkeypatch.setattr(readiness, "ready_sets", counting)
    for i in range(200):  # traffic on another connection: not what the select watches
        lab.net.call_at(1.0 + i / 1000, lambda: lab.srv.send(other_conn, b"x"))
    lab.net.call_at(2.0, lambda: lab.srv.send(conn, b"wake"))
    assert lab.ws.select([s], [], [], None) == (1, [s], [], [])
    # One look before waiting, one after the data came; none for the 400 other events.
    assert len(looks) == 2


def test_select_with_nothing_scheduled_is_a_deadlock(lab: Lab) -> None:
    s, _ = connected_pair(lab)
    with pytest.raises(wsasim.Deadlock, match="select on host 'client' blocks forever"):
        lab.ws.select([s], [], [], None)


def test_network_select_waits_on_sockets_of_several_hosts(lab: Lab) -> None:
    s, conn = connected_pair(lab)
    lab.net.call_at(1.0, lambda: lab.ws.send(s, b"to the server"))
    assert lab.net.select([s, conn], [], [], 5.0) == ([conn], [], [])
    assert lab.net.now == pytest.approx(1.0 + LATENCY)
    assert lab.net.select([s], [], [], 0.5) == ([], [], [])
    assert lab.net.now == pytest.approx(1.5 + LATENCY)


def test_network_select_rejects_what_is_not_a_socket(lab: Lab) -> None:
    with pytest.raises(WinsockError) as info:
        lab.net.select([lab.ws.WSACreateEvent()], [], [], 0)
    assert info.value.winerror == E.WSAENOTSOCK
    with pytest.raises(ValueError, match="at least one socket"):
        lab.net.select([], [], [], 0)


# --- timing per socket ----------------------------------------------------------------------------


def test_one_sockets_timing_changes_only_its_own_syn_schedule(lab: Lab) -> None:
    lab.net.blackhole("192.0.2.99")
    quick, normal = lab.tcp(), lab.tcp()
    sock = lab.client.find_socket(quick)
    assert sock is not None
    sock.timing = wsasim.TcpTiming(initial_rto=1.0, syn_retransmissions=0)
    for s in (quick, normal):
        assert lab.ws.ioctlsocket(s, C.FIONBIO, 1) == 0
        assert lab.ws.connect(s, ("192.0.2.99", 80)) == C.SOCKET_ERROR
    assert lab.ws.select([], [], [quick, normal], None) == (1, [], [], [quick])
    assert lab.net.now == 1.0
    assert lab.ws.select([], [], [normal], None) == (1, [], [], [normal])
    assert lab.net.now == 21.0


# --- a socket closed while a select waits on it ------------------------------------------------


def test_closing_a_socket_in_readfds_ends_the_select_with_it_readable(lab: Lab) -> None:
    # sock.c:4517 test_select, "Close the socket currently being selected in a thread".
    s, _ = connected_pair(lab)
    lab.net.call_at(0.5, lambda: lab.ws.closesocket(s))
    assert lab.ws.select([s], [], [s], 5.0) == (1, [s], [], [])
    assert lab.net.now == 0.5


def test_closing_a_socket_only_in_exceptfds_fails_the_select_with_wsaenotsock(lab: Lab) -> None:
    # sock.c:4527 test_select, "test again with only the except descriptor".
    s, _ = connected_pair(lab)
    lab.net.call_at(0.5, lambda: lab.ws.closesocket(s))
    assert lab.ws.select([], [], [s], 5.0) == (C.SOCKET_ERROR, [], [], [])
    assert lab.error() == E.WSAENOTSOCK
    assert lab.net.now == 0.5
