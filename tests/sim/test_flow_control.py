"""Flow control: a stream's send buffers hold SO_SNDBUF + the peer's SO_RCVBUF (64 KiB each by
default); a peer that never reads stops the sender, as on Windows (Wine's sock.c, test_send
and test_select; the send document: a blocking send waits for buffer space, a non-blocking
one gives WSAEWOULDBLOCK)."""

from __future__ import annotations

import pytest
import wsasim

from tests.sim.conftest import LATENCY, Lab
from tests.sim.test_waiting import connected_pair
from wsaconnect import constants as C
from wsaconnect import errors as E

CAPACITY = 2 * 65536  # the sender's SO_SNDBUF and the receiver's SO_RCVBUF, Windows' defaults


def test_a_blocking_send_to_a_peer_that_never_reads_is_a_deadlock(lab: Lab) -> None:
    s, _ = connected_pair(lab)
    # Before: 110 MB "sent" in no time. Now the buffers fill and nothing will ever empty them.
    with pytest.raises(wsasim.Deadlock, match="send on host 'client'"):
        lab.ws.send(s, bytes(CAPACITY + 1))


def test_a_blocking_send_finishes_when_the_peer_reads(lab: Lab) -> None:
    s, conn = connected_pair(lab)
    taken: list[int] = []
    lab.net.call_at(5.0, lambda: taken.append(lab.srv.recv(conn, 1000)[0]))
    assert lab.ws.send(s, bytes(CAPACITY + 1000)) == CAPACITY + 1000
    assert taken == [1000]
    assert lab.net.now == 5.0


def test_a_non_blocking_send_takes_what_fits_then_wouldblock_then_fd_write(lab: Lab) -> None:
    s, conn = connected_pair(lab)
    window = lab.ws.create_message_window()
    assert lab.ws.WSAAsyncSelect(s, window, 0x400, C.FD_WRITE) == 0
    assert lab.ws.get_messages(window) == [(0x400, s, C.FD_WRITE)]  # connected: room
    assert lab.ws.send(s, bytes(CAPACITY - 10)) == CAPACITY - 10
    assert lab.ws.send(s, bytes(100)) == 10  # what fits
    assert lab.ws.send(s, bytes(100)) == C.SOCKET_ERROR
    assert lab.error() == E.WSAEWOULDBLOCK
    assert lab.ws.select([], [s], [], 0) == (0, [], [], [])
    lab.net.advance(LATENCY)
    assert lab.srv.recv(conn, 500) == (500, bytes(500))
    assert lab.ws.get_messages(window) == [(0x400, s, C.FD_WRITE)]  # room again
    assert lab.ws.select([], [s], [], 0) == (1, [], [s], [])


def test_so_sndtimeo_ends_a_blocking_send_with_wsaetimedout(lab: Lab) -> None:
    s, _ = connected_pair(lab)
    assert lab.ws.setsockopt(s, C.SOL_SOCKET, C.SO_SNDTIMEO, 250) == 0
    start = lab.net.now
    assert lab.ws.send(s, bytes(CAPACITY + 1)) == C.SOCKET_ERROR
    assert lab.error() == E.WSAETIMEDOUT
    assert lab.net.now == pytest.approx(start + 0.25)


def test_so_rcvbuf_sets_how_much_the_peer_may_send_ahead(lab: Lab) -> None:
    s, conn = connected_pair(lab)
    assert lab.srv.setsockopt(conn, C.SOL_SOCKET, C.SO_RCVBUF, 1000) == 0
    assert lab.ws.setsockopt(s, C.SOL_SOCKET, C.SO_SNDBUF, 0) == 0
    assert lab.ws.ioctlsocket(s, C.FIONBIO, 1) == 0
    assert lab.ws.send(s, bytes(5000)) == 1000
