"""shutdown, an abortive close (RST) and sending to a slow or idle peer.

Translated from Wine 8.0's ``dlls/ws2_32/tests/sock.c``: ``test_shutdown`` (line 8937),
``test_tcp_reset`` (13282) and ``test_send`` (5857). Each test names the lines it translates.
sock.c sends ``"test"`` with a length of 5, so the payload here is ``b"test\\0"``.

Where sock.c waits on overlapped I/O (a WSARecv or WSASend that is pending), the translation
uses the low-level API's equivalent: a blocking call in the test's own thread while
``env.later`` (another thread) acts, or a non-blocking loop. Windows implements a blocking
recv as an overlapped one and a wait, so the pending call sees what the overlapped one sees.
"""

from __future__ import annotations

import struct
from collections.abc import Callable

import pytest

from tests.conformance.harness import Env
from tests.conformance.sockc.helpers import DEADBEEF, fails_with
from wsaconnect import constants as C
from wsaconnect import errors as E
from wsaconnect.backend import SupportsShutdown, require

WAIT = 10.0  # seconds: generous; the simulator's time is virtual
TEST = b"test\0"  # sock.c's send(s, "test", 5, 0)


class Pair:
    """sock.c's setup: a loopback listener, a client connected to it and the accepted server."""

    def __init__(self, env: Env) -> None:
        self.listener, self.port = env.listener()
        self.client = env.socket()
        assert env.ws.connect(self.client, ("127.0.0.1", self.port)) == 0
        self.server = accept(env, self.listener)


def accept(env: Env, listener: int) -> int:
    """Accept one connection; the handle is closed at the end of the test."""
    server, _ = env.ws.accept(listener)
    assert server != C.INVALID_SOCKET, env.ws.WSAGetLastError()
    env._opened.append(server)
    return server


def sync_recv(env: Env, s: int, size: int) -> tuple[int, bytes]:
    """sock.c's sync_recv on a non-blocking socket: wait until readable, then recv."""
    assert env.ws.select([s], [], [], WAIT)[1] == [s]
    return env.ws.recv(s, size)


def shutdown(env: Env, s: int, how: int) -> int:
    """The backend's shutdown (a capability of the backend protocol, docs/api.md)."""
    return require(env.ws, SupportsShutdown).shutdown(s, how)


def recv_guard(env: Env, s: int) -> None:
    """A safety net, not part of sock.c: a blocking recv that Winsock never completed would hang
    the native run, so it gives up after WAIT seconds (WSAETIMEDOUT fails the test instead)."""
    assert env.ws.setsockopt(s, C.SOL_SOCKET, C.SO_RCVTIMEO, int(WAIT * 1000)) == 0
    assert env.ws.setsockopt(s, C.SOL_SOCKET, C.SO_SNDTIMEO, int(WAIT * 1000)) == 0


def wait_until(env: Env, condition: Callable[[], bool]) -> bool:
    for _ in range(int(WAIT / 0.01)):
        if condition():
            return True
        env.wait(0.01)
    return condition()


class Repeat:
    """Run ``step`` as another thread would, every ``interval`` seconds (``env.later``), until it
    returns True or :meth:`stop` is called. ``step`` must not block (on the simulator it runs
    inside the test's own blocking call). An exception ends the repetition and is kept."""

    def __init__(self, env: Env, step: Callable[[], bool], interval: float = 0.002) -> None:
        self.env, self.step, self.interval = env, step, interval
        self.stopped = self.finished = self.running = False
        self.errors: list[BaseException] = []
        env.later(0, self._run)

    def _run(self) -> None:
        if self.stopped:
            return
        self.running = True
        try:
            if self.step():
                self.finished = True
                return
        except Exception as exc:
            self.errors.append(exc)
            return
        finally:
            self.running = False
        self.env.later(self.interval, self._run)

    def stop(self) -> None:
        """Stop, and wait for a step in progress (so no step touches a closed handle)."""
        self.stopped = True
        wait_until(self.env, lambda: not self.running)


# --- test_shutdown ----------------------------------------------------------------------------


def test_shutdown_of_an_unconnected_stream_socket_is_wsaenotconn(env: Env) -> None:
    """sock.c:8966-8974 test_shutdown: SD_SEND and SD_RECEIVE before connect."""
    client = env.socket()
    env.ws.WSASetLastError(DEADBEEF)
    assert shutdown(env, client, C.SD_SEND) == C.SOCKET_ERROR
    assert env.ws.WSAGetLastError() == E.WSAENOTCONN
    env.ws.WSASetLastError(DEADBEEF)
    assert shutdown(env, client, C.SD_RECEIVE) == C.SOCKET_ERROR
    assert env.ws.WSAGetLastError() == E.WSAENOTCONN


def test_shutdown_send_then_receive_on_each_side_in_turn(env: Env) -> None:
    """sock.c:8976-9065 test_shutdown (the script, without getpeername 9044-9055): SD_SEND
    twice on the client, the server reads end of stream, shuts its receiving side, still sends;
    the client shuts its receiving side, the server its sending side."""
    p = Pair(env)
    ws = env.ws
    assert ws.ioctlsocket(p.client, C.FIONBIO, 1) == 0  # set_blocking(client, FALSE)

    assert shutdown(env, p.client, C.SD_SEND) == 0
    assert shutdown(env, p.client, C.SD_SEND) == 0  # a second time is fine
    assert fails_with(env, ws.send(p.client, TEST), E.WSAESHUTDOWN)
    assert ws.recv(p.server, 5) == (0, b"")  # the FIN: end of stream
    assert ws.recv(p.server, 5) == (0, b"")  # and again

    assert shutdown(env, p.server, C.SD_RECEIVE) == 0
    assert fails_with(env, ws.recv(p.server, 5)[0], E.WSAESHUTDOWN)
    assert ws.send(p.server, TEST) == 5  # the other direction still works
    assert sync_recv(env, p.client, 5) == (5, TEST)

    assert shutdown(env, p.client, C.SD_RECEIVE) == 0
    assert fails_with(env, ws.recv(p.client, 5)[0], E.WSAESHUTDOWN)
    assert fails_with(env, ws.recv(p.client, 5)[0], E.WSAESHUTDOWN)

    assert shutdown(env, p.server, C.SD_SEND) == 0
    assert fails_with(env, ws.send(p.server, TEST), E.WSAESHUTDOWN)

    rc, client_addr = ws.getsockname(p.client)  # sock.c:9051
    assert rc == 0
    assert client_addr is not None
    assert fails_with(env, ws.connect(p.client, ("127.0.0.1", p.port)), E.WSAEISCONN)
    assert fails_with(env, shutdown(env, p.client, DEADBEEF), E.WSAEINVAL)  # how = 0xdeadbeef


@pytest.mark.wine_deviation("sock.c todo_wine: getpeername fails once both sides shut both ways")
def test_getpeername_still_works_after_each_side_shut_both_directions(env: Env) -> None:
    """sock.c:9044-9055 test_shutdown (todo_wine 9046-9047, 9054-9055): after the script
    above, getpeername on both sides still gives the peer's address."""
    p = Pair(env)
    ws = env.ws
    assert shutdown(env, p.client, C.SD_SEND) == 0
    assert ws.recv(p.server, 5) == (0, b"")
    assert shutdown(env, p.server, C.SD_RECEIVE) == 0
    assert ws.send(p.server, TEST) == 5
    assert ws.select([p.client], [], [], WAIT)[1] == [p.client]
    assert ws.recv(p.client, 5) == (5, TEST)
    assert shutdown(env, p.client, C.SD_RECEIVE) == 0
    assert shutdown(env, p.server, C.SD_SEND) == 0

    assert ws.getpeername(p.client) == (0, ("127.0.0.1", p.port))
    _, client_addr = ws.getsockname(p.client)
    assert ws.getpeername(p.server) == (0, client_addr)


def test_shutdown_both_stops_sends_and_receives_on_each_side(env: Env) -> None:
    """sock.c:9070-9110 test_shutdown, "Test SD_BOTH" (without getpeername 9112-9123)."""
    p = Pair(env)
    ws = env.ws
    assert shutdown(env, p.client, C.SD_BOTH) == 0
    assert fails_with(env, ws.recv(p.client, 5)[0], E.WSAESHUTDOWN)
    assert fails_with(env, ws.send(p.client, TEST), E.WSAESHUTDOWN)
    assert ws.recv(p.server, 5) == (0, b"")

    assert shutdown(env, p.server, C.SD_BOTH) == 0
    assert fails_with(env, ws.recv(p.server, 5)[0], E.WSAESHUTDOWN)
    assert fails_with(env, ws.send(p.server, TEST), E.WSAESHUTDOWN)
    rc, _ = ws.getsockname(p.client)  # sock.c:9119
    assert rc == 0


@pytest.mark.wine_deviation("sock.c todo_wine: getpeername fails after shutdown(SD_BOTH)")
def test_getpeername_still_works_after_shutdown_both(env: Env) -> None:
    """sock.c:9112-9123 test_shutdown (todo_wine 9114-9115, 9122-9123): getpeername after
    SD_BOTH on both sides."""
    p = Pair(env)
    ws = env.ws
    assert shutdown(env, p.client, C.SD_BOTH) == 0
    assert ws.recv(p.server, 5) == (0, b"")
    assert shutdown(env, p.server, C.SD_BOTH) == 0
    assert ws.getpeername(p.client) == (0, ("127.0.0.1", p.port))
    _, client_addr = ws.getsockname(p.client)
    assert ws.getpeername(p.server) == (0, client_addr)


def test_successful_shutdowns_set_the_last_error_to_zero(env: Env) -> None:
    """sock.c:8985, 8990, 9005, 9022, 9037, 9082, 9100 test_shutdown:
    each successful shutdown of the scripts above leaves WSAGetLastError() at 0 (sock.c also
    accepts 0xdeadbeef, for Windows before 7)."""
    ws = env.ws

    def shut(s: int, how: int) -> int:
        ws.WSASetLastError(DEADBEEF)
        assert shutdown(env, s, how) == 0
        return ws.WSAGetLastError()

    p = Pair(env)
    assert shut(p.client, C.SD_SEND) == 0
    assert shut(p.client, C.SD_SEND) == 0
    assert ws.recv(p.server, 5) == (0, b"")
    assert shut(p.server, C.SD_RECEIVE) == 0
    assert shut(p.client, C.SD_RECEIVE) == 0
    assert shut(p.server, C.SD_SEND) == 0

    q = Pair(env)
    assert shut(q.client, C.SD_BOTH) == 0
    assert ws.recv(q.server, 5) == (0, b"")
    assert shut(q.server, C.SD_BOTH) == 0


def test_a_recv_pending_across_shutdown_receive_still_gets_the_data(env: Env) -> None:
    """sock.c:9128-9182 test_shutdown, "shutting down with async I/O pending": a recv pending
    when SD_RECEIVE is called still completes with the data the peer sends afterwards, while a
    new recv gives WSAESHUTDOWN; a recv pending on the peer completes with 0 when the client
    shuts its sending side. (sock.c's pending overlapped WSARecv is a blocking recv here.)"""
    p = Pair(env)
    ws = env.ws
    recv_guard(env, p.client)
    recv_guard(env, p.server)
    seen: list[tuple[str, int, int]] = []

    def meanwhile() -> None:
        rc = shutdown(env, p.client, C.SD_RECEIVE)
        seen.append(("shutdown", rc, 0 if rc == 0 else ws.WSAGetLastError()))
        rc = ws.recv(p.client, 5)[0]  # fails at once: it does not wait
        seen.append(("recv", rc, ws.WSAGetLastError() if rc == C.SOCKET_ERROR else 0))
        rc = ws.send(p.server, TEST)
        seen.append(("send", rc, 0 if rc == 5 else ws.WSAGetLastError()))

    env.later(0.1, meanwhile)
    assert ws.recv(p.client, 5) == (5, TEST)  # pending when SD_RECEIVE came
    env.wait(0.5)  # natively the other thread may still be appending what it saw
    assert seen == [
        ("shutdown", 0, 0),
        ("recv", C.SOCKET_ERROR, E.WSAESHUTDOWN),
        ("send", 5, 0),
    ]
    assert fails_with(env, ws.recv(p.client, 5)[0], E.WSAESHUTDOWN)

    done: list[int] = []
    env.later(0.1, lambda: done.append(shutdown(env, p.client, C.SD_SEND)))
    assert ws.recv(p.server, 5) == (0, b"")  # pending on the server: end of stream
    env.wait(0.5)  # natively the other thread may still be appending the result
    assert done == [0]


def test_shutdown_of_a_listening_socket_is_wsaenotconn(env: Env) -> None:
    """sock.c:9187-9197 test_shutdown: "shutting down a listening socket"."""
    listener, _ = env.listener()
    env.ws.WSASetLastError(DEADBEEF)
    assert shutdown(env, listener, C.SD_SEND) == C.SOCKET_ERROR
    assert env.ws.WSAGetLastError() == E.WSAENOTCONN
    env.ws.WSASetLastError(DEADBEEF)
    assert shutdown(env, listener, C.SD_RECEIVE) == C.SOCKET_ERROR
    assert env.ws.WSAGetLastError() == E.WSAENOTCONN


def test_shutdown_of_udp_sockets_stops_recvfrom_and_sendto(env: Env) -> None:
    """sock.c:9201-9241 test_shutdown: "shutting down UDP sockets"."""
    ws = env.ws
    client = env.socket(C.AF_INET, C.SOCK_DGRAM)
    server = env.socket(C.AF_INET, C.SOCK_DGRAM)
    assert ws.bind(server, ("127.0.0.1", 0)) == 0
    rc, server_addr = ws.getsockname(server)
    assert rc == 0
    assert server_addr is not None
    assert ws.ioctlsocket(server, C.FIONBIO, 1) == 0

    ws.WSASetLastError(DEADBEEF)
    assert shutdown(env, server, C.SD_RECEIVE) == 0
    assert ws.WSAGetLastError() == 0
    assert fails_with(env, ws.recvfrom(server, 5)[0], E.WSAESHUTDOWN)
    assert ws.sendto(client, TEST, 0, server_addr) == 5

    for _ in range(2):  # SD_SEND twice
        ws.WSASetLastError(DEADBEEF)
        assert shutdown(env, client, C.SD_SEND) == 0
        assert ws.WSAGetLastError() == 0
    assert fails_with(env, ws.sendto(client, TEST, 0, server_addr), E.WSAESHUTDOWN)


# --- test_tcp_reset ---------------------------------------------------------------------------

LINGER_RESET = struct.pack("<HH", 1, 0)  # close_with_rst: l_onoff 1, l_linger 0


def reset_while_receiving(env: Env) -> tuple[int, list[int]]:
    """sock.c:13296-13313 test_tcp_reset: a recv is pending on the client when the server
    closes with RST (close_with_rst, sock.c:212-222). Returns the client and close_with_rst's
    setsockopt result."""
    p = Pair(env)
    ws = env.ws
    recv_guard(env, p.client)
    linger_rc: list[int] = []

    def close_with_rst() -> None:
        linger_rc.append(ws.setsockopt(p.server, C.SOL_SOCKET, C.SO_LINGER, LINGER_RESET))
        ws.closesocket(p.server)

    env.later(0.1, close_with_rst)
    rc, data = ws.recv(p.client, 10)  # sock.c's pending WSARecv
    assert (rc, data) == (C.SOCKET_ERROR, b"")
    assert ws.WSAGetLastError() == E.WSAECONNRESET  # STATUS_CONNECTION_RESET
    return p.client, linger_rc


def test_a_reset_fails_the_pending_recv_and_leaves_so_error_zero(env: Env) -> None:
    """sock.c:13302-13318 and 13330-13346 test_tcp_reset: the pending recv fails with
    WSAECONNRESET, SO_ERROR is 0, select reports the socket readable and writable, not
    exceptional."""
    client, linger_rc = reset_while_receiving(env)
    assert linger_rc == [0]
    ws = env.ws
    assert ws.getsockopt(client, C.SOL_SOCKET, C.SO_ERROR) == (0, 0)
    assert ws.select([client], [client], [client], 0) == (2, [client], [client], [])
    assert ws.select([], [], [client], 0) == (0, [], [], [])


@pytest.mark.wine_deviation("sock.c todo_wine: a recv after the reported reset returns 0")
def test_a_recv_after_the_reset_was_reported_fails_with_wsaeconnreset_too(env: Env) -> None:
    """sock.c:13320-13326 test_tcp_reset (todo_wine 13325-13326): the next recv also fails
    with WSAECONNRESET."""
    client, _ = reset_while_receiving(env)
    # Non-blocking, so that a Winsock that waits here fails the test instead of hanging it.
    assert env.ws.ioctlsocket(client, C.FIONBIO, 1) == 0
    env.ws.WSASetLastError(DEADBEEF)
    assert env.ws.recv(client, 10) == (C.SOCKET_ERROR, b"")
    assert env.ws.WSAGetLastError() == E.WSAECONNRESET


# --- test_send --------------------------------------------------------------------------------

BUFLEN = 1024 * 1024
PATTERN = bytes(range(256)) * (BUFLEN // 256)  # buffer[i] = (char)i
CHUNK = 65536


def test_send_of_a_megabyte_completes_while_the_peer_drains_it_and_arrives_in_order(
    env: Env,
) -> None:
    """sock.c:5857-5935 test_send: with SO_SNDBUF 0 on the non-blocking ``dst`` and a thread
    draining it, a blocking send of 1 MiB from ``src`` sends it all; then 1 MiB sent from
    ``dst`` (sock.c's overlapped WSASend, here another thread's non-blocking send loop)
    reaches the non-blocking ``src`` byte for byte, and all of it is sent."""
    p = Pair(env)
    ws = env.ws
    src, dst = p.client, p.server
    assert ws.ioctlsocket(dst, C.FIONBIO, 1) == 0
    assert ws.setsockopt(dst, C.SOL_SOCKET, C.SO_SNDBUF, 0) == 0
    recv_guard(env, src)

    def drain() -> bool:  # drain_socket_thread, sock.c:5834
        while True:
            rc, _ = ws.recv(dst, CHUNK)
            if rc > 0:
                continue
            return not (rc == C.SOCKET_ERROR and ws.WSAGetLastError() == E.WSAEWOULDBLOCK)

    sent = [0]
    errors: list[int] = []

    def write() -> bool:
        while sent[0] < BUFLEN:
            rc = ws.send(dst, PATTERN[sent[0] : sent[0] + CHUNK])
            if rc == C.SOCKET_ERROR:
                code = ws.WSAGetLastError()
                if code == E.WSAEWOULDBLOCK:
                    return False
                errors.append(code)
                return True
            sent[0] += rc
        return True

    drainer = Repeat(env, drain)
    writer: Repeat | None = None
    try:
        assert ws.send(src, PATTERN) == BUFLEN

        writer = Repeat(env, write)
        assert ws.ioctlsocket(src, C.FIONBIO, 1) == 0
        received = bytearray()
        while len(received) < BUFLEN:
            assert ws.select([src], [], [], WAIT)[1] == [src], len(received)
            rc, data = ws.recv(src, CHUNK)
            if rc == C.SOCKET_ERROR and ws.WSAGetLastError() == E.WSAEWOULDBLOCK:
                continue
            assert rc > 0, (rc, ws.WSAGetLastError(), len(received))
            received += data
        assert received == PATTERN
        assert wait_until(env, lambda: writer is not None and writer.finished)
        assert (sent[0], errors) == (BUFLEN, [])
    finally:
        drainer.stop()
        if writer is not None:
            writer.stop()
    assert drainer.errors == []
    assert writer.errors == []


def test_non_blocking_send_to_a_peer_that_never_reads_gives_wsaewouldblock(env: Env) -> None:
    """sock.c:5899-5904 test_send: with SO_SNDBUF 0 and a peer (``src``) that does not read, the
    1 MiB WSASend cannot complete (ERROR_IO_PENDING). A non-blocking send says so with
    WSAEWOULDBLOCK: it fails so before 64 MiB have been taken."""
    p = Pair(env)
    ws = env.ws
    dst = p.server
    assert ws.ioctlsocket(dst, C.FIONBIO, 1) == 0
    assert ws.setsockopt(dst, C.SOL_SOCKET, C.SO_SNDBUF, 0) == 0
    for _ in range(64):
        rc = ws.send(dst, PATTERN)
        if rc == C.SOCKET_ERROR:
            break
        assert 0 < rc <= BUFLEN
    assert rc == C.SOCKET_ERROR
    assert ws.WSAGetLastError() == E.WSAEWOULDBLOCK


def test_send_on_an_invalid_socket_is_wsaenotsock(env: Env) -> None:
    """sock.c:5936-5939 test_send: WSASend(INVALID_SOCKET, ...) fails with WSAENOTSOCK."""
    env.ws.WSASetLastError(12345)
    assert env.ws.send(C.INVALID_SOCKET, TEST) == C.SOCKET_ERROR
    assert env.ws.WSAGetLastError() == E.WSAENOTSOCK
