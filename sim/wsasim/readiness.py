"""When a socket is readable, writable or exceptional: what select and the FD_* events see.

This module owns the three readiness tests (select document) and the events a new
WSAEventSelect/WSAAsyncSelect registration reports at once because their condition already
holds (WSAAsyncSelect document: "FD_READ ... if there is data to read", "FD_WRITE when a
socket is first connected", "FD_ACCEPT when a connection is waiting").

* readable: a listener with a connection waiting; data queued; a stream whose peer closed or
  reset (recv would return at once).
* writable: a stream socket with a connection and room in its buffers (:func:`room`; a
  completed non-blocking connect is reported here; after a shutdown or a reset send fails at
  once, so those are writable too); any datagram socket.
* exceptional: the ``failed`` state, a failed connect (non-blocking; under the "windows"
  profile blocking too, see
  :attr:`wsasim.profiles.Profile.exceptfds_after_blocking_failure`), until the next connect.

:func:`ready_sets` applies the three to the sets a select waits on
(:meth:`wsasim.network.Network.select` and :meth:`wsasim.winsock.Winsock.select`).
"""

from __future__ import annotations

from collections.abc import Sequence

from wsaconnect import constants as C
from wsaconnect import errors as E
from wsasim import events
from wsasim._state import (
    CLOSED,
    CONNECTED,
    CONNECTION_STATES,
    FAILED,
    FIN_BOTH,
    FIN_RECEIVED,
    LISTENING_FAILED,
    LISTENING_STATES,
    RECEIVE_SHUTDOWN,
    RESET,
    UNBOUND,
)
from wsasim.sockets import Socket

#: Stream states in which recv returns at once with no data queued (0, or WSAECONNRESET).
_ENDED = frozenset({FIN_RECEIVED, FIN_BOTH, RESET})
#: Stream states in which send sends (the others refuse it at once).
_SENDING = frozenset({CONNECTED, FIN_RECEIVED, RECEIVE_SHUTDOWN})


def readable(sock: Socket) -> bool:
    """True if recv/accept on ``sock`` would not block."""
    if sock.state in LISTENING_STATES:
        return bool(sock.accept_queue)
    if sock.inbox:
        return True
    return sock.stream and sock.state in _ENDED


def writable(sock: Socket) -> bool:
    """True if send on ``sock`` would not block: a stream with a connection and room in the
    buffers (after a shutdown or a reset, send fails at once: writable too); any datagram
    socket (no flow control for UDP)."""
    if sock.stream:
        state = sock.state
        if state in _SENDING:
            return room(sock) != 0
        return state in CONNECTION_STATES
    return True


def room(sock: Socket) -> int | None:
    """How many more bytes stream socket ``sock`` may send before it waits for its peer to
    read: the peer's receive buffer and its own send buffer (SO_RCVBUF and SO_SNDBUF, 64 KiB
    each by default) less what is on its way or unread (Wine's sock.c, test_send and
    test_select: a peer that never reads stops the sender; send document: a blocking send
    waits for buffer space, a non-blocking one gives WSAEWOULDBLOCK). None when nothing limits
    it: no peer is left to hold the data (it is dropped, as the connection ends)."""
    peer = sock.peer
    if peer is None or peer.state is CLOSED:
        return None
    capacity = peer.option(C.SOL_SOCKET, C.SO_RCVBUF) + sock.option(C.SOL_SOCKET, C.SO_SNDBUF)
    return max(0, capacity - peer.queued)


def exceptional(sock: Socket) -> bool:
    """True after a failed connect, until the next connect (also once it listens), and while
    out-of-band data waits (select document: exceptfds, "OOB data is available for reading")."""
    return sock.state is FAILED or sock.state is LISTENING_FAILED or bool(sock.urgent)


def ready_sets(
    sets: Sequence[Sequence[Socket]],
) -> tuple[list[int], list[int], list[int]] | None:
    """The handles of ``(readers, writers, exceptional)`` that are ready, or None if none is.

    A socket closed while a select waits on it (by another thread) ends the wait: in readfds
    it is reported readable; in the other sets alone the select fails with WSAENOTSOCK
    (Wine's sock.c, test_select: "Close the socket currently being selected in a thread").

    Raises:
        WinsockError: WSAENOTSOCK, as above.
    """
    readers, writers, errors = sets
    found = (
        [s.handle for s in readers if readable(s) or s.state is CLOSED],
        [s.handle for s in writers if writable(s)],
        [s.handle for s in errors if exceptional(s)],
    )
    for group in (writers, errors):
        for sock in group:
            if sock.state is CLOSED and sock not in readers:
                raise E.error_for_code(E.WSAENOTSOCK, "a socket was closed during select")
    return found if found[0] or found[1] or found[2] else None


def _accepted(sock: Socket) -> bool:
    """True for a connection a listener made (it never reports FD_CONNECT)."""
    local, remote = sock.local, sock.remote
    return (
        local is not None
        and remote is not None
        and sock.host.connections.get((local, remote)) is sock
    )


def post_current(sock: Socket) -> None:
    """Report the events whose condition already holds to a new registration of ``sock``.

    A window is sent every one of them; an event object records only those not reported
    already (wsasim.events), plus FD_CONNECT for a socket that connected with connect()
    before it was selected, never for an accepted one (Wine's sock.c, test_connect_events).
    A datagram socket is writable for a window even unbound, for an event once bound
    (test_connect_events, the UDP part).
    """
    registration = sock.registration
    assert registration is not None
    message = registration.window is not None

    def report(bit: int, error: int = 0) -> None:
        flag = 1 << bit
        if message:
            sock.reported &= ~flag
        elif sock.reported & flag:
            return
        events.post(sock, bit, error)

    if sock.state in LISTENING_STATES and sock.accept_queue:
        report(C.FD_ACCEPT_BIT)
    if sock.inbox:
        report(C.FD_READ_BIT)
    if sock.urgent:
        report(C.FD_OOB_BIT)
    if sock.stream:
        if sock.state in CONNECTION_STATES:
            if not message and not _accepted(sock):
                report(C.FD_CONNECT_BIT)
            if writable(sock):
                report(C.FD_WRITE_BIT)
            if sock.state in _ENDED:
                report(C.FD_CLOSE_BIT, E.WSAECONNABORTED if sock.state is RESET else 0)
    elif message or sock.state is not UNBOUND:
        report(C.FD_WRITE_BIT)
