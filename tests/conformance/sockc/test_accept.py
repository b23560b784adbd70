"""Wine's sock.c on listen, accept, what an accepted socket inherits, bind and IPV6_V6ONLY.

Translated from Wine 8.0's ``dlls/ws2_32/tests/sock.c``: test_listen (3835), test_accept
(4624), test_accept_inheritance (4765), the inheritance block of test_accept_events (6247),
test_bind (12122) and test_ipv6only (6937). SO_REUSEADDR and SO_EXCLUSIVEADDRUSE
(test_reuseaddr) are in test_accept_reuseaddr.py. Fixed ports of sock.c (SERVERPORT) are
replaced by loopback ports found free when the test runs.
"""

from __future__ import annotations

import pytest

from tests.conformance.harness import Env
from tests.conformance.sockc.helpers import DEADBEEF, free_port, setup_server_socket
from wsaconnect import constants as C
from wsaconnect import errors as E
from wsaconnect.addresses import AddressTuple

WAIT = 10.0  # seconds, for select and event waits (virtual on the simulator)


def accept(env: Env, listener: int) -> tuple[int, AddressTuple | None]:
    """accept(), with the new socket closed at the end of the test like env.socket()'s."""
    s, peer = env.ws.accept(listener)
    if s != C.INVALID_SOCKET:
        env._opened.append(s)  # the harness's own cleanup list
    return s, peer


def connected_pair(env: Env, listener: int, port: int) -> tuple[int, int]:
    """A client connected to ``listener`` (a blocking connect) and the accepted socket."""
    client = env.socket()
    assert env.ws.connect(client, ("127.0.0.1", port)) == 0, env.ws.WSAGetLastError()
    server, _ = accept(env, listener)
    assert server != C.INVALID_SOCKET, env.ws.WSAGetLastError()
    return client, server


# --- test_listen ---------------------------------------------------------------------------


def test_listen_on_a_handle_that_is_no_socket_is_wsaenotsock(env: Env) -> None:
    """sock.c:3846-3856 test_listen: listen(0, 0) and listen(0xdeadbeef, 0)."""
    for handle in (0, 0xDEADBEEF):
        env.ws.WSASetLastError(DEADBEEF)
        assert env.ws.listen(handle, 0) == C.SOCKET_ERROR
        assert env.ws.WSAGetLastError() == E.WSAENOTSOCK


def test_listen_on_an_unbound_socket_is_wsaeinval_whatever_the_backlog(env: Env) -> None:
    """sock.c:3864-3877 test_listen: backlog -2, 1 and SOMAXCONN on an unbound TCP socket."""
    s = env.socket()
    for backlog in (-2, 1, C.SOMAXCONN):
        env.ws.WSASetLastError(DEADBEEF)
        assert env.ws.listen(s, backlog) == C.SOCKET_ERROR
        assert env.ws.WSAGetLastError() == E.WSAEINVAL


def test_so_acceptconn_follows_listen_and_is_read_only(env: Env) -> None:
    """sock.c:3885-3920 test_listen: SO_ACCEPTCONN is 0 on a bound socket and 1 once it
    listens; setting it (1 or 0) is WSAENOPROTOOPT before and after; listen twice (backlog 0,
    then SOMAXCONN) succeeds."""
    a = env.socket()
    port = env.closed_port()
    assert env.ws.bind(a, ("127.0.0.1", port)) == 0
    assert env.ws.getsockopt(a, C.SOL_SOCKET, C.SO_ACCEPTCONN) == (0, 0)
    for value in (1, 0):
        env.ws.WSASetLastError(DEADBEEF)
        assert env.ws.setsockopt(a, C.SOL_SOCKET, C.SO_ACCEPTCONN, value) == C.SOCKET_ERROR
        assert env.ws.WSAGetLastError() == E.WSAENOPROTOOPT
    assert env.ws.listen(a, 0) == 0
    assert env.ws.listen(a, C.SOMAXCONN) == 0  # a second listen
    assert env.ws.getsockopt(a, C.SOL_SOCKET, C.SO_ACCEPTCONN) == (0, 1)
    for value in (1, 0):
        env.ws.WSASetLastError(DEADBEEF)
        assert env.ws.setsockopt(a, C.SOL_SOCKET, C.SO_ACCEPTCONN, value) == C.SOCKET_ERROR
        assert env.ws.WSAGetLastError() == E.WSAENOPROTOOPT


def test_a_second_bind_to_a_bound_then_listening_address_fails(env: Env) -> None:
    """sock.c:3879-3941 test_listen: a second socket cannot bind the address of a bound one
    (sock.c checks no code there: it reads a stale variable); it stays unbound, so its listen
    is WSAEINVAL; after it is closed, a new socket's bind to the now listening address is
    WSAEADDRINUSE; every closesocket succeeds."""
    a, b = env.socket(), env.ws.socket(C.AF_INET, C.SOCK_STREAM, 0)
    assert b != C.INVALID_SOCKET
    address = ("127.0.0.1", env.closed_port())
    assert env.ws.bind(a, address) == 0
    assert env.ws.bind(b, address) == C.SOCKET_ERROR
    assert env.ws.listen(a, 0) == 0
    assert env.ws.listen(a, C.SOMAXCONN) == 0
    env.ws.WSASetLastError(DEADBEEF)
    assert env.ws.listen(b, C.SOMAXCONN) == C.SOCKET_ERROR
    assert env.ws.WSAGetLastError() == E.WSAEINVAL
    assert env.ws.closesocket(b) == 0
    b = env.ws.socket(C.AF_INET, C.SOCK_STREAM, 0)
    assert b != C.INVALID_SOCKET
    env.ws.WSASetLastError(DEADBEEF)
    assert env.ws.bind(b, address) == C.SOCKET_ERROR
    assert env.ws.WSAGetLastError() == E.WSAEADDRINUSE
    assert env.ws.closesocket(b) == 0
    assert env.ws.closesocket(a) == 0


# --- test_accept ---------------------------------------------------------------------------


def test_closesocket_from_another_thread_ends_a_blocking_accept(env: Env) -> None:
    """sock.c:4650-4663 test_accept (AcceptKillThread): an accept blocked on a listener with
    no connection waiting fails (INVALID_SOCKET) when another thread closes the listener, and
    that closesocket succeeds. (sock.c blocks in the thread and closes from the main one; here
    the main thread blocks and the "other thread" closes.)"""
    listener, _ = setup_server_socket(env)
    closed: list[int] = []
    env.later(0.2, lambda: closed.append(env.ws.closesocket(listener)))
    s, _ = accept(env, listener)
    assert s == C.INVALID_SOCKET
    env.wait(0.5)  # natively the other thread may still be appending closesocket's result
    assert closed == [0]


def test_accept_fills_in_the_peer_address(env: Env) -> None:
    """sock.c:4726-4736 test_accept: accept with a SOCKADDR_STORAGE succeeds and writes an
    address with its family set (and a length shorter than the storage: a sockaddr_in); here
    it is the connector's own address."""
    listener, port = setup_server_socket(env)
    connector = env.socket()
    assert env.ws.connect(connector, ("127.0.0.1", port)) == 0
    s, peer = accept(env, listener)
    assert s != C.INVALID_SOCKET, env.ws.WSAGetLastError()
    assert env.ws.getsockname(connector) == (0, peer)
    assert peer is not None
    assert len(peer) == 2  # AF_INET: a sockaddr_in
    assert peer[0] == "127.0.0.1"


# --- test_accept_inheritance and test_accept_events ----------------------------------------

#: sock.c:4775 test_accept_inheritance's int_tests: (level, option, value).
INHERITED = [
    (C.SOL_SOCKET, C.SO_REUSEADDR, 1),
    (C.SOL_SOCKET, C.SO_KEEPALIVE, 1),
    (C.SOL_SOCKET, C.SO_OOBINLINE, 1),
    (C.SOL_SOCKET, C.SO_SNDBUF, 0x123),
    (C.SOL_SOCKET, C.SO_RCVBUF, 0x123),
    (C.SOL_SOCKET, C.SO_SNDTIMEO, 0x123),
    (C.SOL_SOCKET, C.SO_RCVTIMEO, 0x123),
    (C.IPPROTO_TCP, C.TCP_NODELAY, 1),
]


def test_accepted_socket_inherits_the_listeners_options(env: Env) -> None:
    """sock.c:4790-4831 test_accept_inheritance: SO_REUSEADDR, SO_KEEPALIVE, SO_OOBINLINE,
    SO_SNDBUF, SO_RCVBUF, SO_SNDTIMEO, SO_RCVTIMEO and TCP_NODELAY set on the listener before
    bind are read back with the same values from the accepted socket."""
    listener = env.socket(C.AF_INET, C.SOCK_STREAM, C.IPPROTO_TCP)
    for level, option, value in INHERITED:
        assert env.ws.setsockopt(listener, level, option, value) == 0, (option, value)
    assert env.ws.bind(listener, ("127.0.0.1", 0)) == 0
    rc, name = env.ws.getsockname(listener)
    assert rc == 0
    assert name is not None
    assert env.ws.listen(listener, 1) == 0
    _, server = connected_pair(env, listener, name[1])
    got = [env.ws.getsockopt(server, level, option) for level, option, _ in INHERITED]
    assert got == [(0, value) for _, _, value in INHERITED]


def test_accepted_socket_inherits_the_listeners_linger(env: Env) -> None:
    """sock.c:4800-4839 test_accept_inheritance: SO_LINGER {1, 555} set on the listener is
    read back from the accepted socket."""
    listener = env.socket(C.AF_INET, C.SOCK_STREAM, C.IPPROTO_TCP)
    assert env.ws.setsockopt(listener, C.SOL_SOCKET, C.SO_LINGER, (1, 555)) == 0
    assert env.ws.bind(listener, ("127.0.0.1", 0)) == 0
    rc, name = env.ws.getsockname(listener)
    assert rc == 0
    assert name is not None
    assert env.ws.listen(listener, 1) == 0
    _, server = connected_pair(env, listener, name[1])
    assert env.ws.getsockopt(server, C.SOL_SOCKET, C.SO_LINGER) == (0, (1, 555))


EVENTS = C.FD_CONNECT | C.FD_READ | C.FD_OOB | C.FD_ACCEPT | C.FD_WRITE


def test_accepted_socket_inherits_the_listeners_event_select(env: Env) -> None:
    """sock.c:6247-6274 test_accept_events (event object): with a connection waiting, a
    listener's WSAEventSelect(FD_CONNECT|FD_READ|FD_OOB|FD_ACCEPT|FD_WRITE) signals FD_ACCEPT
    (code 0); the accepted socket is registered with the same event and mask, so the event is
    signalled again, and WSAEnumNetworkEvents on the accepted socket gives FD_WRITE alone;
    then nothing more."""
    listener, port = env.listener(backlog=2)
    client = env.socket()
    assert env.ws.connect(client, ("127.0.0.1", port)) == 0
    event = env.ws.WSACreateEvent()
    server = C.INVALID_SOCKET
    try:
        assert env.ws.WSAEventSelect(listener, event, EVENTS) == 0
        assert env.ws.WSAWaitForMultipleEvents([event], False, int(WAIT * 1000)) == 0
        rc, happened, codes = env.ws.WSAEnumNetworkEvents(listener, event)
        assert (rc, happened, codes[C.FD_ACCEPT_BIT]) == (0, C.FD_ACCEPT, 0)
        server, _ = accept(env, listener)
        assert server != C.INVALID_SOCKET
        assert env.ws.WSAWaitForMultipleEvents([event], False, int(WAIT * 1000)) == 0
        rc, happened, codes = env.ws.WSAEnumNetworkEvents(server, event)
        assert (rc, happened, codes[C.FD_WRITE_BIT]) == (0, C.FD_WRITE, 0)
        assert env.ws.WSAWaitForMultipleEvents([event], False, 0) == C.WSA_WAIT_TIMEOUT
        assert env.ws.WSAEnumNetworkEvents(server, event)[:2] == (0, 0)
    finally:
        for s in (listener, server):
            if s != C.INVALID_SOCKET:
                env.ws.WSAEventSelect(s, event, 0)
        env.ws.WSACloseEvent(event)


def pump(env: Env, hwnd: int, want: int) -> list[tuple[int, int, int]]:
    """The window's messages, collected until ``want`` of them arrived (or WAIT is over)."""
    messages: list[tuple[int, int, int]] = []
    for _ in range(int(WAIT / 0.05)):
        messages += env.ws.get_messages(hwnd)
        if len(messages) >= want:
            break
        env.wait(0.05)
    return messages


def test_accepted_socket_inherits_the_listeners_async_select(env: Env) -> None:
    """sock.c:6247-6274 test_accept_events (window messages): with a connection waiting, a
    listener's WSAAsyncSelect(FD_CONNECT|FD_READ|FD_OOB|FD_ACCEPT|FD_WRITE) posts FD_ACCEPT;
    the accepted socket inherits the window, message and mask: it posts FD_WRITE (wParam the
    accepted socket), and then no other message."""
    listener, port = env.listener(backlog=2)
    client = env.socket()
    assert env.ws.connect(client, ("127.0.0.1", port)) == 0
    hwnd = env.ws.create_message_window()
    assert env.ws.WSAAsyncSelect(listener, hwnd, C.WM_USER, EVENTS) == 0
    assert pump(env, hwnd, 1) == [(C.WM_USER, listener, C.FD_ACCEPT)]
    assert env.ws.get_messages(hwnd) == []
    server, _ = accept(env, listener)
    assert server != C.INVALID_SOCKET
    assert pump(env, hwnd, 1) == [(C.WM_USER, server, C.FD_WRITE)]
    assert env.ws.get_messages(hwnd) == []


# --- test_bind -----------------------------------------------------------------------------


def sockaddr_bytes(family: int) -> bytes:
    """A 16-byte SOCKADDR with ``family`` (little-endian) and zeros after it."""
    return family.to_bytes(2, "little") + bytes(14)


def test_bind_refuses_a_null_or_short_or_unknown_name(env: Env) -> None:
    """sock.c:12133-12160 test_bind: NULL with namelen 0 or 16, an AF_INET name with namelen
    0, and a sockaddr_in with namelen 15 are WSAEFAULT; family 0xdead is WSAEAFNOSUPPORT."""
    s = env.socket(C.AF_INET, C.SOCK_STREAM, C.IPPROTO_TCP)
    cases: list[tuple[object, int, int]] = [
        (None, 0, E.WSAEFAULT),
        (None, 16, E.WSAEFAULT),
        (sockaddr_bytes(C.AF_INET), 0, E.WSAEFAULT),
        (sockaddr_bytes(0xDEAD), 16, E.WSAEAFNOSUPPORT),
        (("127.0.0.1", 0), 15, E.WSAEFAULT),
    ]
    for name, namelen, code in cases:
        env.ws.WSASetLastError(DEADBEEF)
        assert env.ws.bind(s, name, namelen) == C.SOCKET_ERROR, (name, namelen)  # type: ignore[arg-type]
        assert env.ws.WSAGetLastError() == code, (name, namelen)


def test_bind_twice_is_wsaeinval_and_a_bound_address_is_wsaeaddrinuse(env: Env) -> None:
    """sock.c:12165-12186 test_bind: bind to 127.0.0.1:0 succeeds and clears the last error;
    a second bind of the same socket is WSAEINVAL; another socket's bind to the address
    getsockname gives is WSAEADDRINUSE."""
    s = env.socket(C.AF_INET, C.SOCK_STREAM, C.IPPROTO_TCP)
    env.ws.WSASetLastError(DEADBEEF)
    assert env.ws.bind(s, ("127.0.0.1", 0)) == 0
    assert env.ws.WSAGetLastError() == 0
    env.ws.WSASetLastError(DEADBEEF)
    assert env.ws.bind(s, ("127.0.0.1", 0)) == C.SOCKET_ERROR
    assert env.ws.WSAGetLastError() == E.WSAEINVAL
    rc, name = env.ws.getsockname(s)
    assert rc == 0
    assert name is not None
    s2 = env.socket(C.AF_INET, C.SOCK_STREAM, C.IPPROTO_TCP)
    env.ws.WSASetLastError(DEADBEEF)
    assert env.ws.bind(s2, name) == C.SOCKET_ERROR
    assert env.ws.WSAGetLastError() == E.WSAEADDRINUSE


def test_bind_a_udp_socket_clears_the_last_error(env: Env) -> None:
    """sock.c:12190-12197 test_bind: a UDP bind to 127.0.0.1:0 succeeds and sets the last
    error to 0."""
    s = env.socket(C.AF_INET, C.SOCK_DGRAM, C.IPPROTO_UDP)
    env.ws.WSASetLastError(DEADBEEF)
    assert env.ws.bind(s, ("127.0.0.1", 0)) == 0
    assert env.ws.WSAGetLastError() == 0


@pytest.mark.parametrize(("family", "host"), [(C.AF_INET, "127.0.0.1"), (C.AF_INET6, "::1")])
def test_bind_a_loopback_adapter_address(env: Env, family: int, host: str) -> None:
    """sock.c:12206-12221 test_bind: a TCP socket binds each unicast address of the adapters
    (here those of the loopback adapter, the only ones a test may use)."""
    s = env.socket(family, C.SOCK_STREAM, C.IPPROTO_TCP)
    assert env.ws.bind(s, (host, 0)) == 0, env.ws.WSAGetLastError()


@pytest.mark.wine_deviation(
    "bind to ::1 with sin6_scope_id 0xabacab succeeds (sock.c:12239 todo_wine_if for an "
    "address whose scope id is 0)"
)
def test_bind_ipv6_refuses_the_old_length_and_a_foreign_scope_id(env: Env) -> None:
    """sock.c:12223-12248 test_bind (an AF_INET6 adapter address, here ::1): namelen 24 (a
    sockaddr_in6_old) is WSAEFAULT; sin6_scope_id 0xabacab is WSAEADDRNOTAVAIL; with scope 0
    the bind succeeds."""
    s = env.socket(C.AF_INET6, C.SOCK_STREAM, C.IPPROTO_TCP)
    assert env.ws.bind(s, ("::1", 0, 0, 0), 24) == C.SOCKET_ERROR
    assert env.ws.WSAGetLastError() == E.WSAEFAULT
    assert env.ws.bind(s, ("::1", 0, 0, 0xABACAB)) == C.SOCKET_ERROR
    assert env.ws.WSAGetLastError() == E.WSAEADDRNOTAVAIL
    assert env.ws.bind(s, ("::1", 0, 0, 0)) == 0, env.ws.WSAGetLastError()


def test_getsockname_after_an_ipv6_bind(env: Env) -> None:
    """sock.c:12246-12264 test_bind: after the bind to the AF_INET6 adapter address (::1,
    scope 0), getsockname gives AF_INET6, a non-zero port, the address and its scope id."""
    s = env.socket(C.AF_INET6, C.SOCK_STREAM, C.IPPROTO_TCP)
    assert env.ws.bind(s, ("::1", 0, 0, 0)) == 0
    rc, name = env.ws.getsockname(s)
    assert rc == 0
    assert name is not None
    assert len(name) == 4  # a sockaddr_in6
    host, port, _, scope_id = name
    assert port != 0
    assert (host, scope_id) == ("::1", 0)


# --- test_ipv6only -------------------------------------------------------------------------


def test_ipv6_socket_is_v6only_by_default_so_its_wildcard_leaves_ipv4_free(env: Env) -> None:
    """sock.c:6955-6968, 6994-6996 test_ipv6only: a new AF_INET6 TCP socket has IPV6_V6ONLY
    1; it binds [::]:port, and an AF_INET socket can then bind 0.0.0.0:port."""
    port = free_port(env)
    v6 = env.socket(C.AF_INET6, C.SOCK_STREAM, C.IPPROTO_TCP)
    assert env.ws.getsockopt(v6, C.IPPROTO_IPV6, C.IPV6_V6ONLY) == (0, 1)
    assert env.ws.bind(v6, ("::", port)) == 0
    v4 = env.socket(C.AF_INET, C.SOCK_STREAM, C.IPPROTO_TCP)
    assert env.ws.bind(v4, ("0.0.0.0", port)) == 0, env.ws.WSAGetLastError()


def test_ipv4_socket_takes_ipv6_v6only_before_bind_and_refuses_it_after(env: Env) -> None:
    """sock.c:6977-7020 test_ipv6only: on an AF_INET socket, setsockopt(IPV6_V6ONLY) with 0
    and with 1 succeeds before bind; after its bind (0.0.0.0:port) both fail."""
    port = free_port(env)
    v4 = env.socket(C.AF_INET, C.SOCK_STREAM, C.IPPROTO_TCP)
    assert env.ws.setsockopt(v4, C.IPPROTO_IPV6, C.IPV6_V6ONLY, 0) == 0
    assert env.ws.setsockopt(v4, C.IPPROTO_IPV6, C.IPV6_V6ONLY, 1) == 0
    assert env.ws.bind(v4, ("0.0.0.0", port)) == 0
    assert env.ws.setsockopt(v4, C.IPPROTO_IPV6, C.IPV6_V6ONLY, 0) == C.SOCKET_ERROR
    assert env.ws.setsockopt(v4, C.IPPROTO_IPV6, C.IPV6_V6ONLY, 1) == C.SOCKET_ERROR


@pytest.mark.wine_deviation(
    "getsockopt(IPV6_V6ONLY) on an AF_INET socket (sock.c:6970-7015 todo_wine)"
)
def test_ipv4_socket_reads_back_ipv6_v6only(env: Env) -> None:
    """sock.c:6970-7015 test_ipv6only (todo_wine): on an AF_INET socket getsockopt
    (IPV6_V6ONLY) succeeds: 1 when new, 0 after setting 0, 1 after setting 1 and binding, and
    still 1 after a refused setsockopt(0)."""
    port = free_port(env)
    v4 = env.socket(C.AF_INET, C.SOCK_STREAM, C.IPPROTO_TCP)
    assert env.ws.getsockopt(v4, C.IPPROTO_IPV6, C.IPV6_V6ONLY) == (0, 1)
    assert env.ws.setsockopt(v4, C.IPPROTO_IPV6, C.IPV6_V6ONLY, 0) == 0
    assert env.ws.getsockopt(v4, C.IPPROTO_IPV6, C.IPV6_V6ONLY) == (0, 0)
    assert env.ws.setsockopt(v4, C.IPPROTO_IPV6, C.IPV6_V6ONLY, 1) == 0
    assert env.ws.bind(v4, ("0.0.0.0", port)) == 0
    assert env.ws.getsockopt(v4, C.IPPROTO_IPV6, C.IPV6_V6ONLY) == (0, 1)
    assert env.ws.setsockopt(v4, C.IPPROTO_IPV6, C.IPV6_V6ONLY, 0) == C.SOCKET_ERROR
    assert env.ws.getsockopt(v4, C.IPPROTO_IPV6, C.IPV6_V6ONLY) == (0, 1)


def test_exclusive_dual_stack_wildcard_denies_an_ipv4_reuseaddr_bind(env: Env) -> None:
    """sock.c:7022-7073 test_ipv6only: an AF_INET6 socket with IPV6_V6ONLY set to 0 (read
    back 0) and SO_EXCLUSIVEADDRUSE binds [::]:port, and IPV6_V6ONLY still reads 0; an AF_INET
    socket with SO_REUSEADDR then binding 0.0.0.0:port fails with WSAEACCES. (Using
    SO_REUSEADDR and SO_EXCLUSIVEADDRUSE, Microsoft: a SO_REUSEADDR bind to an address held
    with SO_EXCLUSIVEADDRUSE is denied.)"""
    port = free_port(env)
    v6 = env.socket(C.AF_INET6, C.SOCK_STREAM, C.IPPROTO_TCP)
    assert env.ws.setsockopt(v6, C.IPPROTO_IPV6, C.IPV6_V6ONLY, 0) == 0
    assert env.ws.getsockopt(v6, C.IPPROTO_IPV6, C.IPV6_V6ONLY) == (0, 0)
    assert env.ws.setsockopt(v6, C.SOL_SOCKET, C.SO_EXCLUSIVEADDRUSE, 1) == 0
    assert env.ws.bind(v6, ("::", port)) == 0
    assert env.ws.getsockopt(v6, C.IPPROTO_IPV6, C.IPV6_V6ONLY) == (0, 0)
    v4 = env.socket(C.AF_INET, C.SOCK_STREAM, C.IPPROTO_TCP)
    assert env.ws.setsockopt(v4, C.SOL_SOCKET, C.SO_REUSEADDR, 1) == 0
    env.ws.WSASetLastError(DEADBEEF)
    assert env.ws.bind(v4, ("0.0.0.0", port)) == C.SOCKET_ERROR
    assert env.ws.WSAGetLastError() == E.WSAEACCES
