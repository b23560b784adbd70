"""Out-of-band data between two hosts: what the sock.c translation (tests/conformance/sockc)
checks over loopback, here across a link with latency, plus the cases sock.c leaves out
(docs/simulator.md, "Out-of-band data")."""

from __future__ import annotations

import pytest

from tests.sim.conftest import LATENCY, Lab
from tests.sim.test_waiting import connected_pair
from wsaconnect import constants as C
from wsaconnect import errors as E


def test_only_the_last_byte_of_an_oob_send_is_urgent(lab: Lab) -> None:
    s, conn = connected_pair(lab)
    start = lab.net.now
    assert lab.ws.send(s, b"abc", C.MSG_OOB) == 3
    assert lab.srv.select([], [], [conn], None) == (1, [], [], [conn])
    assert lab.net.now == pytest.approx(start + LATENCY)  # it travels like any segment
    assert lab.srv.recv(conn, 10, C.MSG_OOB) == (1, b"c")
    assert lab.srv.recv(conn, 10) == (2, b"ab")
    assert lab.srv.select([conn], [], [conn], 0) == (0, [], [], [])


def test_urgent_bytes_do_not_make_the_socket_readable(lab: Lab) -> None:
    s, conn = connected_pair(lab)
    assert lab.ws.send(s, b"!", C.MSG_OOB) == 1
    lab.net.advance(1)
    assert lab.srv.ioctlsocket(conn, C.FIONBIO, 1) == 0
    assert lab.srv.recv(conn, 10) == (C.SOCKET_ERROR, b"")
    assert lab.srv.WSAGetLastError() == E.WSAEWOULDBLOCK
    assert lab.srv.recv(conn, 10, C.MSG_OOB | C.MSG_PEEK) == (1, b"!")
    assert lab.srv.recv(conn, 10, C.MSG_OOB) == (1, b"!")
    assert lab.srv.recv(conn, 10, C.MSG_OOB) == (C.SOCKET_ERROR, b"")
    assert lab.srv.WSAGetLastError() == E.WSAEWOULDBLOCK


def test_a_blocking_recv_oob_waits_for_the_urgent_byte(lab: Lab) -> None:
    s, conn = connected_pair(lab)
    lab.net.call_at(lab.net.now + 2, lambda: lab.ws.send(s, b"u", C.MSG_OOB))
    start = lab.net.now
    assert lab.srv.recv(conn, 1, C.MSG_OOB) == (1, b"u")
    assert lab.net.now == pytest.approx(start + 2 + LATENCY)


def test_with_oobinline_the_urgent_byte_is_ordinary_data(lab: Lab) -> None:
    s, conn = connected_pair(lab)
    assert lab.srv.setsockopt(conn, C.SOL_SOCKET, C.SO_OOBINLINE, 1) == 0
    assert lab.ws.send(s, b"xy", C.MSG_OOB) == 2
    assert lab.srv.recv(conn, 10) == (2, b"xy")
    assert lab.srv.recv(conn, 10, C.MSG_OOB) == (C.SOCKET_ERROR, b"")
    assert lab.srv.WSAGetLastError() == E.WSAEINVAL


def test_msg_oob_on_a_datagram_socket_is_wsaeopnotsupp(lab: Lab) -> None:
    u = lab.ws.socket(C.AF_INET, C.SOCK_DGRAM)
    assert lab.ws.bind(u, ("192.0.2.10", 0)) == 0
    assert lab.ws.sendto(u, b"x", C.MSG_OOB, ("192.0.2.20", 9)) == C.SOCKET_ERROR
    assert lab.ws.WSAGetLastError() == E.WSAEOPNOTSUPP
    assert lab.ws.recv(u, 10, C.MSG_OOB) == (C.SOCKET_ERROR, b"")
    assert lab.ws.WSAGetLastError() == E.WSAEOPNOTSUPP


def test_a_reset_drops_urgent_bytes_not_read(lab: Lab) -> None:
    s, conn = connected_pair(lab)
    assert lab.ws.send(s, b"!", C.MSG_OOB) == 1
    lab.net.advance(1)
    assert lab.srv.select([], [], [conn], 0)[0] == 1
    assert lab.srv.shutdown(conn, C.SD_RECEIVE) == 0
    assert lab.ws.send(s, b"more") == 4  # arrives after SD_RECEIVE: the connection resets
    lab.net.advance(1)
    assert lab.srv.select([], [], [conn], 0) == (0, [], [], [])
