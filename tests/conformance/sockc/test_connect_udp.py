"""Wine's sock.c test_connect_udp (line 13572) and test_UDP (line 2944) in the low-level API:
connect on datagram sockets sets and clears a default destination; sendto and recvfrom between
bound peers.
"""

from __future__ import annotations

import pytest

from tests.conformance.harness import Env
from tests.conformance.sockc.helpers import DEADBEEF, fails_with
from wsaconnect import constants as C
from wsaconnect import errors as E

AF_UNSPEC_ZERO = bytes(16)  # memset(&addr, 0); addr.sin_family = AF_UNSPEC


def udp_nonblocking(env: Env) -> int:
    s = env.socket(C.AF_INET, C.SOCK_DGRAM, C.IPPROTO_UDP)
    assert env.ws.ioctlsocket(s, C.FIONBIO, 1) == 0
    return s


# --- test_connect_udp ---------------------------------------------------------------------------


@pytest.mark.wine_deviation(
    "send on an unbound UDP socket gives WSAEINVAL, not WSAENOTCONN (sock.c:13588 and, for "
    "recv's WSAEINVAL, 13593 todo_wine)"
)
def test_unbound_udp_send_is_wsaenotconn_and_recv_wsaeinval(env: Env) -> None:
    # sock.c:13572 test_connect_udp (13580-13593).
    client, server = udp_nonblocking(env), udp_nonblocking(env)
    env.ws.WSASetLastError(DEADBEEF)
    fails_with(env, env.ws.send(client, b"data"), E.WSAENOTCONN)
    env.ws.WSASetLastError(DEADBEEF)
    rc, data = env.ws.recv(server, 5)
    assert (rc, data) == (C.SOCKET_ERROR, b"")
    assert env.ws.WSAGetLastError() == E.WSAEINVAL


def test_udp_connect_sets_then_an_af_unspec_name_clears_the_default_destination(
    env: Env,
) -> None:
    # sock.c:13572 test_connect_udp (13595-13631, 13638-13651): connect sets the peer that
    # getpeername shows and send uses; the bound, unconnected server has no peer; connecting
    # again (same address, then the next port) succeeds; an all-zero AF_UNSPEC name
    # disconnects.
    client, server = udp_nonblocking(env), udp_nonblocking(env)
    assert env.ws.bind(server, ("127.0.0.1", 0)) == 0
    rc, addr = env.ws.getsockname(server)
    assert rc == 0
    assert addr is not None

    env.ws.WSASetLastError(DEADBEEF)
    rc, _ = env.ws.recv(server, 5)
    fails_with(env, rc, E.WSAEWOULDBLOCK)

    assert env.ws.connect(client, addr) == 0
    assert env.ws.getpeername(client) == (0, addr)
    assert env.ws.getsockname(client)[0] == 0

    env.ws.WSASetLastError(DEADBEEF)
    rc, name = env.ws.getpeername(server)
    assert (rc, name) == (C.SOCKET_ERROR, None)
    assert env.ws.WSAGetLastError() == E.WSAENOTCONN

    assert env.ws.send(client, b"data") == 4
    assert env.ws.recv(server, 5) == (4, b"data")
    env.ws.WSASetLastError(DEADBEEF)
    rc, _ = env.ws.recv(server, 5)
    fails_with(env, rc, E.WSAEWOULDBLOCK)

    assert env.ws.connect(client, addr) == 0
    assert env.ws.connect(client, (addr[0], addr[1] + 1)) == 0
    assert env.ws.connect(client, AF_UNSPEC_ZERO) == 0
    rc, name = env.ws.getpeername(client)
    assert (rc, name) == (C.SOCKET_ERROR, None)
    assert env.ws.WSAGetLastError() == E.WSAENOTCONN


@pytest.mark.wine_deviation(
    "send on a bound, unconnected UDP socket gives WSAEINVAL, not WSAENOTCONN (sock.c:13636 "
    "todo_wine)"
)
def test_send_on_a_bound_unconnected_udp_socket_is_wsaenotconn(env: Env) -> None:
    # sock.c:13572 test_connect_udp (13595-13596, 13633-13636).
    server = udp_nonblocking(env)
    assert env.ws.bind(server, ("127.0.0.1", 0)) == 0
    env.ws.WSASetLastError(DEADBEEF)
    fails_with(env, env.ws.send(server, b"data"), E.WSAENOTCONN)


# --- test_UDP -----------------------------------------------------------------------------------


def test_udp_peers_exchange_datagrams_with_sendto_and_recvfrom(env: Env) -> None:
    # sock.c:2944 test_UDP (2954-2989): peer 0 is bound to a chosen port (sock.c's
    # SERVERPORT), the others to port 0; each sends its port number to peer 0, which receives
    # every datagram from the right source. Port 0's bind must give a port.
    probe = env.ws.socket(C.AF_INET, C.SOCK_DGRAM, 0)
    assert env.ws.bind(probe, ("127.0.0.1", 0)) == 0
    rc, name = env.ws.getsockname(probe)
    assert rc == 0
    assert name is not None
    server_port = name[1]
    assert env.ws.closesocket(probe) == 0

    peers: list[tuple[int, tuple[str, int]]] = []
    for i in reversed(range(3)):
        s = env.socket(C.AF_INET, C.SOCK_DGRAM, 0)
        assert env.ws.bind(s, ("127.0.0.1", server_port if i == 0 else 0)) == 0
        rc, name = env.ws.getsockname(s)
        assert rc != C.SOCKET_ERROR
        assert name is not None
        assert name[1] != 0
        peers.insert(0, (s, (name[0], name[1])))
    assert peers[0][1][1] == server_port

    server, server_address = peers[0]
    for s, (_, port) in peers[1:]:
        buf = port.to_bytes(2, "big").ljust(16, b"\0")
        assert env.ws.sendto(s, buf, 0, server_address) == 16

    for _ in peers[1:]:
        n, data, source = env.ws.recvfrom(server, 16)
        assert n == 16
        assert source is not None
        assert data[:2] == source[1].to_bytes(2, "big")
