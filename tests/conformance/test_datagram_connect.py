"""WSAConnect on datagram sockets: a default destination, not a connection.

WSAConnect document, remarks on connectionless sockets: connect sets the default destination
for send/recv; datagrams from other addresses are discarded; connecting again changes the
destination and, when the name differs, discards queued datagrams; an all-zero name
disconnects, after which send/recv give WSAENOTCONN while sendto/recvfrom keep working.
"""

from __future__ import annotations

import pytest

from tests.conformance.harness import Env
from wsaconnect import constants as C
from wsaconnect import errors as E

AF_UNSPEC_ZERO = bytes(16)  # the whole sockaddr zero, family included
WAIT = 2.0


def udp_bound(env: Env) -> tuple[int, tuple[str, int]]:
    s = env.socket(C.AF_INET, C.SOCK_DGRAM)
    assert env.ws.bind(s, ("127.0.0.1", 0)) == 0
    rc, name = env.ws.getsockname(s)
    assert rc == 0
    assert name is not None
    return s, (name[0], name[1])


def receive(env: Env, s: int) -> tuple[bytes, object]:
    assert env.ws.select([s], [], [], WAIT)[1] == [s], "nothing arrived"
    count, data, source = env.ws.recvfrom(s, 2048)
    assert count == len(data)
    return data, source


def test_connect_sets_the_default_destination_for_send(env: Env) -> None:
    server, address = udp_bound(env)
    client = env.socket(C.AF_INET, C.SOCK_DGRAM)
    assert env.ws.WSAConnect(client, address) == 0
    assert env.ws.send(client, b"ping") == 4
    data, source = receive(env, server)
    assert data == b"ping"
    assert source == env.ws.getsockname(client)[1]


def test_connected_socket_discards_datagrams_from_other_addresses(env: Env) -> None:
    receiver, receiver_address = udp_bound(env)
    peer, peer_address = udp_bound(env)
    stranger, _ = udp_bound(env)
    assert env.ws.WSAConnect(receiver, peer_address) == 0
    assert env.ws.sendto(stranger, b"stranger", 0, receiver_address) == 8
    assert env.ws.sendto(peer, b"peer", 0, receiver_address) == 4
    data, _ = receive(env, receiver)
    assert data == b"peer"
    assert env.ws.select([receiver], [], [], 0.2)[0] == 0


@pytest.mark.wine_deviation(
    "reconnecting a UDP socket elsewhere keeps the datagrams already queued (Linux semantics)"
)
def test_connecting_elsewhere_discards_queued_datagrams(env: Env) -> None:
    receiver, receiver_address = udp_bound(env)
    first, first_address = udp_bound(env)
    _, second_address = udp_bound(env)
    assert env.ws.WSAConnect(receiver, first_address) == 0
    assert env.ws.sendto(first, b"queued", 0, receiver_address) == 6
    env.wait(0.2)
    assert env.ws.WSAConnect(receiver, second_address) == 0
    assert env.ws.select([receiver], [], [], 0.2)[0] == 0


@pytest.mark.wine_deviation("send after an AF_UNSPEC disconnect gives WSAEINVAL, not WSAENOTCONN")
def test_all_zero_name_disconnects_then_send_and_recv_fail_but_sendto_works(env: Env) -> None:
    server, address = udp_bound(env)
    client, client_address = udp_bound(env)
    assert env.ws.WSAConnect(client, address) == 0
    assert env.ws.WSAConnect(client, AF_UNSPEC_ZERO) == 0
    assert env.ws.send(client, b"x") == C.SOCKET_ERROR
    assert env.ws.WSAGetLastError() == E.WSAENOTCONN
    assert env.ws.recv(client, 16)[0] == C.SOCKET_ERROR
    assert env.ws.WSAGetLastError() == E.WSAENOTCONN
    assert env.ws.sendto(client, b"still", 0, address) == 5
    assert receive(env, server)[0] == b"still"
    assert env.ws.sendto(server, b"back", 0, client_address) == 4
    assert receive(env, client)[0] == b"back"


def test_udp_connect_to_a_port_where_nothing_listens_succeeds(env: Env) -> None:
    # docs/windows.md: UDP connect to a closed port succeeds and later sends succeed.
    port = env.closed_port()
    s = env.socket(C.AF_INET, C.SOCK_DGRAM)
    assert env.ws.WSAConnect(s, ("127.0.0.1", port)) == 0
    assert env.ws.send(s, b"into the void") == 13


def test_udp_connect_ignores_connect_data(env: Env) -> None:
    # "On connectionless sockets ... the corresponding parameters are silently ignored."
    _, address = udp_bound(env)
    s = env.socket(C.AF_INET, C.SOCK_DGRAM)
    assert env.ws.WSAConnect(s, address, caller_data=b"ignored") == 0


def test_sendto_broadcast_without_so_broadcast_is_wsaeacces(env: Env) -> None:
    s = env.socket(C.AF_INET, C.SOCK_DGRAM)
    assert env.ws.sendto(s, b"all", 0, ("255.255.255.255", 9)) == C.SOCKET_ERROR
    assert env.ws.WSAGetLastError() == E.WSAEACCES
