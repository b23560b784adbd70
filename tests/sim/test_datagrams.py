"""Datagram sockets as Windows has them: a bound socket that never connected may recv,
loopback delivers before send returns, and a disconnected socket refuses send and recv.

Wine's sock.c (Wine 8.0), test_connect_udp (line 13572), whose plain ok() pass on Windows.
"""

from __future__ import annotations

from tests.sim.conftest import Lab
from wsaconnect import constants as C
from wsaconnect import errors as E


def bound_udp(lab: Lab, host: str = "127.0.0.1") -> tuple[int, tuple[str, int]]:
    s = lab.ws.socket(C.AF_INET, C.SOCK_DGRAM)
    assert lab.ws.ioctlsocket(s, C.FIONBIO, 1) == 0
    assert lab.ws.bind(s, (host, 0)) == 0
    rc, name = lab.ws.getsockname(s)
    assert rc == 0
    assert name is not None
    return s, (name[0], name[1])


def test_a_bound_socket_that_never_connected_may_recv(lab: Lab) -> None:
    server, address = bound_udp(lab)
    assert lab.ws.recv(server, 5) == (C.SOCKET_ERROR, b"")
    assert lab.error() == E.WSAEWOULDBLOCK  # not WSAENOTCONN: recv is legal, nothing is queued
    client = lab.ws.socket(C.AF_INET, C.SOCK_DGRAM)
    assert lab.ws.connect(client, address) == 0
    assert lab.ws.send(client, b"data") == 4
    # Loopback: the datagram is there before the clock moves.
    assert lab.ws.recv(server, 5) == (4, b"data")
    assert lab.net.now == 0.0
    assert lab.ws.send(server, b"data") == C.SOCKET_ERROR
    assert lab.error() == E.WSAENOTCONN


def test_a_disconnected_socket_refuses_send_and_recv_but_not_sendto(lab: Lab) -> None:
    server, address = bound_udp(lab)
    client, _ = bound_udp(lab)
    assert lab.ws.connect(client, address) == 0
    assert lab.ws.connect(client, bytes(16)) == 0  # an all-zero name disconnects
    assert lab.ws.send(client, b"x") == C.SOCKET_ERROR
    assert lab.error() == E.WSAENOTCONN
    assert lab.ws.recv(client, 5) == (C.SOCKET_ERROR, b"")
    assert lab.error() == E.WSAENOTCONN
    assert lab.ws.getpeername(client) == (C.SOCKET_ERROR, None)
    assert lab.ws.sendto(client, b"still", 0, address) == 5
    assert lab.ws.recvfrom(server, 10)[:2] == (5, b"still")


def test_a_datagram_between_hosts_takes_the_latency(lab: Lab) -> None:
    receiver = lab.srv.socket(C.AF_INET, C.SOCK_DGRAM)
    assert lab.srv.bind(receiver, ("192.0.2.20", 9)) == 0
    assert lab.srv.ioctlsocket(receiver, C.FIONBIO, 1) == 0
    sender = lab.ws.socket(C.AF_INET, C.SOCK_DGRAM)
    assert lab.ws.sendto(sender, b"x", 0, ("192.0.2.20", 9)) == 1
    assert lab.srv.recv(receiver, 5) == (C.SOCKET_ERROR, b"")
    assert lab.srv.select([receiver], [], [], 1.0)[0] == 1
    assert lab.srv.recv(receiver, 5) == (1, b"x")
