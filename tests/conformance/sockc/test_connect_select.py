"""Wine's sock.c test_select (line 3946) in the low-level API: select's readfds, writefds and
exceptfds through a connection's life, invalid handles, closing a socket another thread selects
on, and failed connects.

sock.c's "another thread" is ``env.later`` here (a ``net.call_at`` callback on the simulator, a
real thread natively); the roles are swapped where needed: the test's own call selects and the
other thread closes. APCs, overlapping fd_set pointers, an fd_set at the end of a page and the
timeval left unchanged have no equivalent in this API (see the report of the translation).
"""

from __future__ import annotations

import pytest

from tests.conformance.harness import Env
from tests.conformance.sockc.helpers import (
    DEADBEEF,
    fails_with,
    own,
    setup_server_socket,
    tcp_socketpair,
)
from wsaconnect import constants as C
from wsaconnect import errors as E

WAIT = 10.0  # seconds: generous; a refusal takes about 2 s on Windows (docs/windows.md)
TIMEOUT = 1.25  # sock.c's select_timeout {1, 250000}


def setup_nonblocking_connector(env: Env, port: int) -> int:
    """sock.c:4604 setup_connector_socket(nonblock=TRUE)."""
    s = env.socket()
    assert env.ws.ioctlsocket(s, C.FIONBIO, 1) == 0
    if env.ws.connect(s, ("127.0.0.1", port)) == C.SOCKET_ERROR:
        assert env.ws.WSAGetLastError() == E.WSAEWOULDBLOCK
    return s


def all_sets(*sockets: int) -> tuple[list[int], list[int], list[int]]:
    """FD_SET_ALL: each socket in readfds, writefds and exceptfds."""
    return list(sockets), list(sockets), list(sockets)


# --- unconnected sockets ----------------------------------------------------------------------


def test_unconnected_sockets_are_in_no_set_and_cannot_listen_unbound(env: Env) -> None:
    # sock.c:3946 test_select (3963-4003): two new TCP sockets in every set, timeout 0 and
    # 500 us; then listen on an unbound socket fails.
    fd_read, fd_write = env.socket(), env.socket()
    for timeout in (0.0, 0.0005):
        assert env.ws.select(*all_sets(fd_read, fd_write), timeout) == (0, [], [], [])
    assert env.ws.listen(fd_write, C.SOMAXCONN) == C.SOCKET_ERROR
    assert env.ws.closesocket(fd_write) == 0


def test_closing_a_listener_wakes_a_select_waiting_on_it(env: Env) -> None:
    # sock.c:3946 test_select (4005-4019) with sock.c:3764 SelectReadThread: one thread waits
    # in select on a listener, another closes the listener 200 ms later; select returns 1.
    fd_read = env.socket()
    assert env.ws.bind(fd_read, ("127.0.0.1", 0)) == 0
    assert env.ws.listen(fd_read, C.SOMAXCONN) == 0
    env.later(0.2, lambda: env.ws.closesocket(fd_read))
    rc, *_ = env.ws.select([fd_read], [], [], 5.0)
    assert rc == 1  # ReadKilled
    assert env.ws.recv(fd_read, 1, C.MSG_PEEK)[0] == C.SOCKET_ERROR


# --- invalid arguments ------------------------------------------------------------------------


def test_select_with_no_socket_in_any_set_is_wsaeinval(env: Env) -> None:
    # sock.c:3946 test_select (4021-4032): NULL sets, then three empty sets (our API has
    # only lists: both are empty lists).
    for _ in range(2):
        env.ws.WSASetLastError(0)
        rc, *_ = env.ws.select([], [], [], 0.0005)
        fails_with(env, rc, E.WSAEINVAL)


@pytest.mark.parametrize("which", ["readfds", "writefds", "exceptfds"])
def test_select_with_invalid_socket_in_a_set_is_wsaenotsock(env: Env, which: str) -> None:
    # sock.c:3946 test_select (4034-4055): INVALID_SOCKET alone in one of the sets.
    sets: dict[str, list[int]] = {"readfds": [], "writefds": [], "exceptfds": []}
    sets[which] = [C.INVALID_SOCKET]
    env.ws.WSASetLastError(0)
    rc, readable, writable, failed = env.ws.select(
        sets["readfds"], sets["writefds"], sets["exceptfds"], 0.0005
    )
    fails_with(env, rc, E.WSAENOTSOCK)
    assert (readable, writable, failed) == ([], [], [])


# --- a connected pair -------------------------------------------------------------------------


def test_new_connection_is_writable_not_readable(env: Env) -> None:
    # sock.c:3946 test_select (4057-4077), without the APCs: on a new tcp_socketpair, fdRead
    # is not readable and fdWrite is writable.
    fd_read, fd_write = tcp_socketpair(env)
    assert env.ws.select([fd_read], [], [], 0.0005) == (0, [], [], [])
    assert env.ws.select([], [fd_write], [], 0.0005) == (1, [], [fd_write], [])


def test_a_socket_listed_twice_in_a_set_is_reported_once(env: Env) -> None:
    # sock.c:3946 test_select (4082-4089): writefds {fdWrite, fdWrite}.
    _, fd_write = tcp_socketpair(env)
    assert env.ws.select([], [fd_write, fd_write], [], 0.0005) == (1, [], [fd_write], [])


def test_data_sent_makes_the_peer_readable(env: Env) -> None:
    # sock.c:3946 test_select (4107-4112): send "test", fdRead is readable. (The selects
    # with readfds also passed as writefds, 4092-4105 and 4114-4120, need aliased fd_sets.)
    fd_read, fd_write = tcp_socketpair(env)
    assert env.ws.send(fd_write, b"test") == 4
    assert env.ws.select([fd_read], [], [], WAIT) == (1, [fd_read], [], [])


def test_a_socket_stops_being_writable_when_its_buffers_fill(env: Env) -> None:
    # sock.c:3946 test_select (4122-4128): send 1024 bytes while select says fdWrite is
    # writable; the loop ends (select returns 0) once the peer reads nothing.
    _, fd_write = tcp_socketpair(env)
    chunk = bytes(1024)
    for _ in range(64 * 1024):
        if env.ws.select([], [fd_write], [], 0.0005)[0] == 0:
            break
        assert env.ws.send(fd_write, chunk) > 0
    else:
        raise AssertionError("still writable after 64 MiB unread")


def test_select_reports_every_socket_of_a_large_set_in_order(env: Env) -> None:
    # sock.c:3946 test_select (4159-4174): 200 sockets (100 pairs) in writefds, more than
    # FD_SETSIZE; all are reported, in the order given.
    sockets = [s for _ in range(100) for s in tcp_socketpair(env)]
    rc, readable, writable, failed = env.ws.select([], sockets, [], 0.0005)
    assert rc == len(sockets) == 200
    assert (readable, writable, failed) == ([], sockets, [])


# --- the three states of select ---------------------------------------------------------------


def test_select_through_a_connections_life(env: Env) -> None:
    # sock.c:3946 test_select (4176-4243, 4282-4294): a pending connection makes the listener
    # readable; both ends of the connection are writable; data makes the receiver readable,
    # never exceptional; the peer's close makes the other end readable, and recv gives 0.
    fd_listen, port = setup_server_socket(env)
    assert env.ws.select(*all_sets(fd_listen), TIMEOUT) == (0, [], [], [])

    fd_write = setup_nonblocking_connector(env, port)
    assert env.ws.select(*all_sets(fd_listen), TIMEOUT) == (1, [fd_listen], [], [])
    fd_read, _ = env.ws.accept(fd_listen)
    own(env, fd_read)

    sets = all_sets(fd_listen, fd_read, fd_write)
    rc, readable, writable, failed = env.ws.select(*sets, TIMEOUT)
    assert rc == 2
    assert (readable, sorted(writable), failed) == ([], sorted([fd_write, fd_read]), [])
    assert env.ws.getsockopt(fd_write, C.SOL_SOCKET, C.SO_ERROR) == (0, 0)

    assert env.ws.send(fd_write, b"1234") == 4
    readers, writers, errors = all_sets(fd_listen)
    rc, *found = env.ws.select([*readers, fd_read], writers, [*errors, fd_read], TIMEOUT)
    assert (rc, found) == (1, [[fd_read], [], []])
    assert env.ws.select(*all_sets(fd_read), TIMEOUT) == (2, [fd_read], [fd_read], [])
    assert env.ws.recv(fd_read, 1024) == (4, b"1234")

    assert env.ws.closesocket(fd_read) == 0
    readers, writers, errors = all_sets(fd_listen)
    rc, *found = env.ws.select([*readers, fd_write], writers, errors, TIMEOUT)
    assert (rc, found) == (1, [[fd_write], [], []])
    assert env.ws.recv(fd_write, 1024) == (0, b"")
    assert env.ws.closesocket(fd_write) == 0
    assert env.ws.closesocket(fd_listen) == 0  # sock.c:4496-4497


def test_out_of_band_data_is_exceptional_unless_oobinline(env: Env) -> None:
    # sock.c:3946 test_select (4245-4280): urgent data puts the receiver in exceptfds and is
    # read with MSG_OOB; with SO_OOBINLINE it is in readfds and read inline.
    fd_listen, port = setup_server_socket(env)
    fd_write = env.socket()
    assert env.ws.connect(fd_write, ("127.0.0.1", port)) == 0
    fd_read, _ = env.ws.accept(fd_listen)
    own(env, fd_read)
    readers, writers, errors = all_sets(fd_listen)

    assert env.ws.send(fd_write, b"A", C.MSG_OOB) == 1
    rc, _, _, failed = env.ws.select([*readers, fd_read], writers, [*errors, fd_read], TIMEOUT)
    assert rc == 1
    assert fd_read in failed
    assert env.ws.recv(fd_read, 1024, C.MSG_OOB) == (1, b"A")

    assert env.ws.setsockopt(fd_read, C.SOL_SOCKET, C.SO_OOBINLINE, 1) == 0
    assert env.ws.send(fd_write, b"A", C.MSG_OOB) == 1
    rc, readable, _, _ = env.ws.select([*readers, fd_read], writers, [*errors, fd_read], TIMEOUT)
    assert rc == 1
    assert fd_read in readable
    env.ws.WSASetLastError(DEADBEEF)
    rc, _ = env.ws.recv(fd_read, 1024, C.MSG_OOB)
    fails_with(env, rc, E.WSAEINVAL)
    assert env.ws.recv(fd_read, 1024) == (1, b"A")


# --- failed connects (sock.c runs these when winetest_interactive) ----------------------------


def refused_nonblocking(env: Env, bind: bool = False) -> int:
    s = env.socket(C.AF_INET, C.SOCK_STREAM, C.IPPROTO_TCP)
    assert env.ws.ioctlsocket(s, C.FIONBIO, 1) == 0
    if bind:
        assert env.ws.bind(s, ("127.0.0.1", 0)) == 0
    fails_with(env, env.ws.connect(s, ("127.0.0.1", env.closed_port())), E.WSAEWOULDBLOCK)
    return s


@pytest.mark.wine_deviation(
    "a new connect after a failed non-blocking one gives WSAECONNABORTED first "
    "(sock.c:4352, 4380 todo_wine); Windows starts the attempt (WSAEWOULDBLOCK)"
)
def test_failed_nonblocking_connect_keeps_so_error_until_a_connect_succeeds(env: Env) -> None:
    # sock.c:3946 test_select (4296-4403): a refused non-blocking connect is reported in
    # exceptfds (not writefds); SO_ERROR holds WSAECONNREFUSED however often it is read and
    # through a new attempt; a successful connect clears it.
    fd_listen, port = setup_server_socket(env)
    fd_write = refused_nonblocking(env)
    closed = ("127.0.0.1", env.closed_port())
    assert env.ws.select(*all_sets(fd_write), WAIT) == (1, [], [], [fd_write])
    for _ in range(2):
        assert env.ws.getsockopt(fd_write, C.SOL_SOCKET, C.SO_ERROR) == (0, E.WSAECONNREFUSED)
    assert env.ws.select(*all_sets(fd_write), WAIT) == (1, [], [], [fd_write])

    # "Calling connect() doesn't reset the socket error, but a successful connection does."
    fails_with(env, env.ws.connect(fd_write, closed), E.WSAEWOULDBLOCK)
    assert env.ws.getsockopt(fd_write, C.SOL_SOCKET, C.SO_ERROR) == (0, E.WSAECONNREFUSED)
    assert env.ws.select(*all_sets(fd_write), WAIT) == (1, [], [], [fd_write])

    assert env.ws.getsockname(fd_listen) == (0, ("127.0.0.1", port))
    fails_with(env, env.ws.connect(fd_write, ("127.0.0.1", port)), E.WSAEWOULDBLOCK)
    assert env.ws.select(*all_sets(fd_write), WAIT) == (1, [], [fd_write], [])
    assert env.ws.getsockopt(fd_write, C.SOL_SOCKET, C.SO_ERROR) == (0, 0)


@pytest.mark.wine_deviation(
    "listen on a socket whose non-blocking connect failed fails with SOCKET_ERROR (sock.c:4432 "
    "todo_wine: Linux forbids it)"
)
def test_a_socket_can_listen_after_a_failed_connect_and_stays_exceptional(env: Env) -> None:
    # sock.c:3946 test_select (4405-4462): bound to 127.0.0.1:0, refused, then listen works,
    # a client connects to it and is accepted; SO_ERROR and exceptfds still show the refusal.
    fd_write = refused_nonblocking(env, bind=True)
    assert env.ws.select([], [], [fd_write], WAIT)[0] == 1
    rc, address = env.ws.getsockname(fd_write)
    assert rc == 0
    assert address is not None
    assert env.ws.listen(fd_write, 1) == 0

    client2 = env.socket(C.AF_INET, C.SOCK_STREAM, C.IPPROTO_TCP)
    assert env.ws.connect(client2, address) == 0
    server2, _ = env.ws.accept(fd_write)
    own(env, server2)

    assert env.ws.getsockopt(fd_write, C.SOL_SOCKET, C.SO_ERROR) == (0, E.WSAECONNREFUSED)
    assert env.ws.select(*all_sets(fd_write), 0) == (1, [], [], [fd_write])


def test_failed_blocking_connect_is_reported_in_exceptfds(env: Env) -> None:
    # sock.c:3946 test_select (4464-4485): "test polling after a (synchronous) failure".
    fd_write = env.socket(C.AF_INET, C.SOCK_STREAM, C.IPPROTO_TCP)
    fails_with(env, env.ws.connect(fd_write, ("127.0.0.1", env.closed_port())), E.WSAECONNREFUSED)
    assert env.ws.select(*all_sets(fd_write), 0) == (1, [], [], [fd_write])


@pytest.mark.wine_deviation(
    "SO_ERROR reads WSAECONNREFUSED after a failed blocking connect (sock.c:4476, 4491 todo_wine)"
)
def test_so_error_reads_zero_after_a_failed_blocking_connect(env: Env) -> None:
    # sock.c:3946 test_select (4464-4491).
    fd_write = env.socket(C.AF_INET, C.SOCK_STREAM, C.IPPROTO_TCP)
    fails_with(env, env.ws.connect(fd_write, ("127.0.0.1", env.closed_port())), E.WSAECONNREFUSED)
    assert env.ws.getsockopt(fd_write, C.SOL_SOCKET, C.SO_ERROR) == (0, 0)
    assert env.ws.select(*all_sets(fd_write), 0) == (1, [], [], [fd_write])
    assert env.ws.getsockopt(fd_write, C.SOL_SOCKET, C.SO_ERROR) == (0, 0)


# --- closed sockets ---------------------------------------------------------------------------


def test_select_with_a_closed_socket_in_a_set_is_wsaenotsock(env: Env) -> None:
    # sock.c:3946 test_select (4502-4511): one end of a pair closed, both in readfds and
    # exceptfds. (4512-4514, "descriptor sets are unchanged", has no equivalent: the sets come
    # back empty on failure.)
    fd_read, fd_write = tcp_socketpair(env)
    assert env.ws.closesocket(fd_read) == 0
    env.ws.WSASetLastError(DEADBEEF)
    rc, *_ = env.ws.select([fd_write, fd_read], [], [fd_write, fd_read], TIMEOUT)
    fails_with(env, rc, E.WSAENOTSOCK)


def test_closing_a_socket_another_thread_selects_on_makes_it_readable(env: Env) -> None:
    # sock.c:3946 test_select (4517-4527) with sock.c:3790 SelectCloseThread (Wine bug
    # 38399): another thread closes fdWrite 500 ms into a select on its readfds and exceptfds.
    _, fd_write = tcp_socketpair(env)
    env.later(0.5, lambda: env.ws.closesocket(fd_write))
    rc, readable, _, _ = env.ws.select([fd_write], [], [fd_write], WAIT)
    assert rc == 1
    assert fd_write in readable


def test_closing_a_socket_selected_for_exceptfds_only_fails_the_select(env: Env) -> None:
    # sock.c:3946 test_select (4528-4540): the same with only the except descriptor.
    _, fd_write = tcp_socketpair(env)
    env.later(0.5, lambda: env.ws.closesocket(fd_write))
    env.ws.WSASetLastError(DEADBEEF)
    rc, _, _, failed = env.ws.select([], [], [fd_write], WAIT)
    fails_with(env, rc, E.WSAENOTSOCK)
    assert fd_write not in failed


# --- UDP --------------------------------------------------------------------------------------


def test_unbound_udp_socket_is_writable_only(env: Env) -> None:
    # sock.c:3946 test_select (4542-4552).
    fd_write = env.socket(C.AF_INET, C.SOCK_DGRAM, C.IPPROTO_UDP)
    assert env.ws.select(*all_sets(fd_write), 0.25) == (1, [], [fd_write], [])
