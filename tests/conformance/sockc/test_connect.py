"""Wine's sock.c on connect: test_connect, test_connecting_socket, test_errors, test_connect_time,
test_timeout, test_WithoutWSAStartup and test_WithWSAStartup, in the low-level API.

Each test names the sock.c lines it translates. Wine's ConnectEx, AcceptEx, WSADuplicateSocket,
WSARecv and overlapped parts have no low-level equivalent here; they are listed in the report of
the translation, not silently dropped. sock.c's unanswered address 192.0.2.0 is replaced by a
loopback listener whose backlog is full (docs/wine.md, "Real sockets: loopback only").
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.conformance.harness import Env
from tests.conformance.sockc.helpers import DEADBEEF, fails_with, own, tcp_socketpair
from wsaconnect import constants as C
from wsaconnect import errors as E


def nonblocking(env: Env, s: int) -> int:
    assert env.ws.ioctlsocket(s, C.FIONBIO, 1) == 0
    return s


def full_backlog_port(env: Env) -> int:
    """A loopback port whose listener's backlog is full, so that a connect to it stays pending.

    Stands in for sock.c's unanswered 192.0.2.0: Linux drops a SYN to a full accept queue, and
    Windows (and the simulator) answer RST and retry for about 2 s; either way a non-blocking
    connect is in progress for a while. Connects are queued until one stays pending.
    """
    _, port = env.listener(backlog=1)
    for _ in range(16):
        c = nonblocking(env, env.socket())
        fails_with(env, env.ws.connect(c, ("127.0.0.1", port)), E.WSAEWOULDBLOCK)
        if env.ws.select([], [c], [c], 1.0)[0] == 0:
            return port  # still pending after 1 s: the backlog is full
    raise AssertionError("the listener's backlog never filled")


def drain_startups(env: Env) -> int:
    """WSACleanup until Winsock is no longer started; returns how many WSAStartups to redo.

    The native backend and the fixture each called WSAStartup; sock.c's startup tests run
    before any.
    """
    count = 0
    while env.ws.WSACleanup() == 0:
        count += 1
        assert count < 100
    assert env.ws.WSAGetLastError() == E.WSANOTINITIALISED
    return count


def restore_startups(env: Env, count: int) -> None:
    for _ in range(count):
        assert env.ws.WSAStartup(0x0202) == 0


# --- test_WithoutWSAStartup / test_WithWSAStartup ---------------------------------------------


def test_socket_before_wsastartup_fails_with_wsanotinitialised(env: Env) -> None:
    # sock.c:986 test_WithoutWSAStartup (990-993): WSASocketA(0, 0, 0) before WSAStartup.
    count = drain_startups(env)
    try:
        env.ws.WSASetLastError(DEADBEEF)
        assert env.ws.socket(0, 0, 0) == C.INVALID_SOCKET
        assert env.ws.WSAGetLastError() == E.WSANOTINITIALISED
    finally:
        restore_startups(env, count)


def test_the_last_wsacleanup_destroys_every_socket(env: Env) -> None:
    # sock.c:1001 test_WithWSAStartup (1012-1013, 1035-1036, 1039-1056, 1075-1080, 1093-1099),
    # without the WSADuplicateSocket copies.
    count = drain_startups(env)
    try:
        assert env.ws.WSAStartup(0x0202) == 0
        pairs = [tcp_socketpair(env) for _ in range(32)]
        assert env.ws.send(pairs[0][0], b"TEST") == 4

        env.ws.WSACleanup()
        assert env.ws.WSAStartup(0x0202) == 0

        for s in pairs[0]:
            env.ws.WSASetLastError(DEADBEEF)
            fails_with(env, env.ws.send(s, b"TEST"), E.WSAENOTSOCK)
        for pair in pairs:
            for s in pair:
                env.ws.WSASetLastError(DEADBEEF)
                rc, name = env.ws.getsockname(s)
                assert (rc, name) == (C.SOCKET_ERROR, None)
                assert env.ws.WSAGetLastError() == E.WSAENOTSOCK

        assert env.ws.WSACleanup() == 0
        env.ws.WSASetLastError(DEADBEEF)
        fails_with(env, env.ws.WSACleanup(), E.WSANOTINITIALISED)
    finally:
        restore_startups(env, count)


# --- test_errors --------------------------------------------------------------------------------


def test_refused_blocking_connect_then_select_writefds_times_out(env: Env) -> None:
    # sock.c:3798 test_errors (3806-3832); sock.c's port 6924 is a loopback port nothing
    # listens on.
    s = env.ws.socket(C.AF_INET, C.SOCK_STREAM, 0)
    assert s != C.INVALID_SOCKET
    fails_with(env, env.ws.connect(s, ("127.0.0.1", env.closed_port())), E.WSAECONNREFUSED)
    assert env.ws.select([], [s], [], 0.05) == (0, [], [], [])
    assert env.ws.closesocket(s) == 0


# --- test_connect -------------------------------------------------------------------------------


def test_connect_on_a_listening_socket_is_wsaeinval(env: Env) -> None:
    # sock.c:8162 test_connect (8186-8200, 8209-8212): the listener connects to its own address.
    listener = env.socket()
    assert env.ws.bind(listener, ("127.0.0.1", 0)) == 0
    rc, address = env.ws.getsockname(listener)
    assert rc == 0
    assert address is not None
    assert env.ws.listen(listener, 1) == 0
    assert env.ws.ioctlsocket(listener, C.FIONBIO, 0) == 0  # set_blocking(listener, TRUE)
    env.ws.WSASetLastError(DEADBEEF)
    fails_with(env, env.ws.connect(listener, address), E.WSAEINVAL)


def test_connect_on_an_accepted_socket_is_wsaeisconn(env: Env) -> None:
    # sock.c:8162 test_connect (8277-8278, 8295-8298): connect on the accepted end while the
    # listener is still there. sock.c's connector used ConnectEx; here it uses connect.
    listener, port = env.listener(backlog=1)
    connector = env.socket()
    assert env.ws.connect(connector, ("127.0.0.1", port)) == 0
    acceptor, _ = env.ws.accept(listener)
    own(env, acceptor)
    env.ws.WSASetLastError(DEADBEEF)
    fails_with(env, env.ws.connect(acceptor, ("127.0.0.1", port)), E.WSAEISCONN)


def test_connect_on_either_end_of_a_connected_pair_is_wsaeisconn(env: Env) -> None:
    # sock.c:8162 test_connect (8320-8332): tcp_socketpair, then connect on each end to the
    # old listener's (now closed) address.
    listener_port = env.closed_port()
    connector, acceptor = tcp_socketpair(env)
    for s in (connector, acceptor):
        env.ws.WSASetLastError(DEADBEEF)
        fails_with(env, env.ws.connect(s, ("127.0.0.1", listener_port)), E.WSAEISCONN)


# --- test_connecting_socket ---------------------------------------------------------------------


def connecting_client(env: Env) -> tuple[int, int]:
    """sock.c:12293-12303: a non-blocking socket bound to INADDR_ANY:0 whose connect is
    pending; returns ``(client, destination port)``."""
    client = nonblocking(env, env.socket(C.AF_INET, C.SOCK_STREAM, C.IPPROTO_TCP))
    assert env.ws.bind(client, ("0.0.0.0", 0)) == 0
    port = full_backlog_port(env)
    fails_with(env, env.ws.connect(client, ("127.0.0.1", port)), E.WSAEWOULDBLOCK)
    return client, port


def test_second_connect_while_connecting_is_wsaealready(env: Env) -> None:
    # sock.c:12275 test_connecting_socket (12293-12309, 12322-12326): "Mortal Kombat 11
    # connects to the same address twice and expects the second to return WSAEALREADY";
    # getsockname already shows the ephemeral port.
    client, port = connecting_client(env)
    fails_with(env, env.ws.connect(client, ("127.0.0.1", port)), E.WSAEALREADY)
    rc, name = env.ws.getsockname(client)
    assert rc == 0
    assert name is not None
    assert len(name) == 2  # AF_INET
    assert name[1] != 0


@pytest.mark.wine_deviation(
    "getpeername on a connecting socket fails with SOCKET_ERROR (sock.c:12330 todo_wine); "
    "Windows gives the destination"
)
def test_getpeername_while_connecting_gives_the_destination(env: Env) -> None:
    # sock.c:12275 test_connecting_socket (12328-12336).
    client, port = connecting_client(env)
    assert env.ws.getpeername(client) == (0, ("127.0.0.1", port))


@pytest.mark.wine_deviation(
    "recv on a connecting socket gives WSAEWOULDBLOCK, not WSAENOTCONN (sock.c:12340, "
    "12344 todo_wine, recv and send)"
)
def test_recv_and_send_while_connecting_are_wsaenotconn(env: Env) -> None:
    # sock.c:12275 test_connecting_socket (12338-12344).
    client, _ = connecting_client(env)
    rc, data = env.ws.recv(client, 4)
    assert (rc, data) == (C.SOCKET_ERROR, b"")
    assert env.ws.WSAGetLastError() == E.WSAENOTCONN
    fails_with(env, env.ws.send(client, b"data\0"), E.WSAENOTCONN)


# --- test_connect_time --------------------------------------------------------------------------


def test_so_connect_time_of_an_unconnected_tcp_socket_is_all_ones(env: Env) -> None:
    # sock.c:13501 test_connect_time (13508-13516).
    client = env.socket(C.AF_INET, C.SOCK_STREAM, C.IPPROTO_TCP)
    rc, value = env.ws.getsockopt(client, C.SOL_SOCKET, C.SO_CONNECT_TIME)
    assert (rc, value) == (0, 0xFFFFFFFF)


def test_so_connect_time_of_a_new_connection_is_zero_on_both_ends(env: Env) -> None:
    # sock.c:13501 test_connect_time (13520-13536).
    client, server = tcp_socketpair(env)
    assert env.ws.getsockopt(client, C.SOL_SOCKET, C.SO_CONNECT_TIME) == (0, 0)
    assert env.ws.getsockopt(server, C.SOL_SOCKET, C.SO_CONNECT_TIME) == (0, 0)


def test_so_connect_time_of_udp_sockets_is_all_ones_even_connected(env: Env) -> None:
    # sock.c:13501 test_connect_time (13541-13566).
    client = env.socket(C.AF_INET, C.SOCK_DGRAM, C.IPPROTO_UDP)
    server = env.socket(C.AF_INET, C.SOCK_DGRAM, C.IPPROTO_UDP)
    assert env.ws.bind(server, ("127.0.0.1", 0)) == 0
    rc, address = env.ws.getsockname(server)
    assert rc == 0
    assert address is not None
    assert env.ws.connect(client, address) == 0
    assert env.ws.getsockopt(client, C.SOL_SOCKET, C.SO_CONNECT_TIME) == (0, 0xFFFFFFFF)
    assert env.ws.getsockopt(server, C.SOL_SOCKET, C.SO_CONNECT_TIME) == (0, 0xFFFFFFFF)


# --- test_timeout -------------------------------------------------------------------------------


def test_so_rcvtimeo_defaults_to_zero_and_reads_back_what_was_set(env: Env) -> None:
    # sock.c:12849 test_timeout (12858-12882).
    client, _ = tcp_socketpair(env)
    assert env.ws.getsockopt(client, C.SOL_SOCKET, C.SO_RCVTIMEO) == (0, 0)
    assert env.ws.setsockopt(client, C.SOL_SOCKET, C.SO_RCVTIMEO, 100) == 0
    assert env.ws.getsockopt(client, C.SOL_SOCKET, C.SO_RCVTIMEO) == (0, 100)


def test_blocking_recv_with_so_rcvtimeo_fails_with_wsaetimedout(env: Env) -> None:
    # sock.c:12849 test_timeout (12870-12873, 12884-12887): nothing arrives within 100 ms.
    client, _ = tcp_socketpair(env)
    assert env.ws.setsockopt(client, C.SOL_SOCKET, C.SO_RCVTIMEO, 100) == 0
    env.ws.WSASetLastError(DEADBEEF)
    rc, data = env.ws.recv(client, 1)
    assert (rc, data) == (C.SOCKET_ERROR, b"")
    assert env.ws.WSAGetLastError() == E.WSAETIMEDOUT


# --- the last error after a success -------------------------------------------------------------


def test_a_successful_call_sets_the_last_error_to_zero(env: Env) -> None:
    # sock.c:13501 test_connect_time (13510-13514, 13522-13534, 13552-13564):
    # getsockopt(SO_CONNECT_TIME) after SetLastError(0xdeadbeef), on an unconnected TCP
    # socket, both ends of a connection and two UDP sockets; sock.c:12849 test_timeout
    # (12861-12866, 12870-12874, 12876-12881): getsockopt and setsockopt(SO_RCVTIMEO) after
    # WSASetLastError(0xdeadbeef); sock.c:12275 test_connecting_socket (12293-12299): socket,
    # FIONBIO and bind leave 0.
    def succeeds_and_clears(call: Callable[..., object], *args: object) -> None:
        env.ws.WSASetLastError(DEADBEEF)
        result = call(*args)
        assert (result[0] if isinstance(result, tuple) else result) == 0
        assert env.ws.WSAGetLastError() == 0

    unconnected = env.socket(C.AF_INET, C.SOCK_STREAM, C.IPPROTO_TCP)
    client, server = tcp_socketpair(env)
    udp_client = env.socket(C.AF_INET, C.SOCK_DGRAM, C.IPPROTO_UDP)
    udp_server = env.socket(C.AF_INET, C.SOCK_DGRAM, C.IPPROTO_UDP)
    assert env.ws.bind(udp_server, ("127.0.0.1", 0)) == 0
    rc, address = env.ws.getsockname(udp_server)
    assert rc == 0
    assert address is not None
    assert env.ws.connect(udp_client, address) == 0
    for s in (unconnected, client, server, udp_client, udp_server):
        succeeds_and_clears(env.ws.getsockopt, s, C.SOL_SOCKET, C.SO_CONNECT_TIME)

    succeeds_and_clears(env.ws.getsockopt, client, C.SOL_SOCKET, C.SO_RCVTIMEO)
    succeeds_and_clears(env.ws.setsockopt, client, C.SOL_SOCKET, C.SO_RCVTIMEO, 100)
    succeeds_and_clears(env.ws.getsockopt, client, C.SOL_SOCKET, C.SO_RCVTIMEO)

    env.ws.WSASetLastError(DEADBEEF)
    s = nonblocking(env, env.socket(C.AF_INET, C.SOCK_STREAM, C.IPPROTO_TCP))
    assert env.ws.bind(s, ("0.0.0.0", 0)) == 0
    assert env.ws.WSAGetLastError() == 0
