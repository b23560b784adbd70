"""When a socket is readable, writable or exceptional: what select and the FD_* events see.

This module owns the three readiness tests (select document) and the events a new
WSAEventSelect/WSAAsyncSelect registration reports at once because their condition already
holds (WSAAsyncSelect document: "FD_READ ... if there is data to read", "FD_WRITE when a
socket is first connected", "FD_ACCEPT when a connection is waiting").

* readable: a listener with a connection waiting; data queued; a stream whose peer closed or
  reset (recv would return at once).
* writable: a connected stream socket (a completed non-blocking connect is reported here);
  any datagram socket.
* exceptional: a failed connect (non-blocking; under the "windows" profile blocking too, see
  :attr:`wsasim.profiles.Profile.exceptfds_after_blocking_failure`), until the next connect.
"""

from __future__ import annotations

from wsaconnect import constants as C
from wsasim import events
from wsasim._state import CONNECTED, LISTENING, UNBOUND
from wsasim.sockets import Socket


def readable(sock: Socket) -> bool:
    """True if recv/accept on ``sock`` would not block."""
    if sock.state is LISTENING:
        return bool(sock.accept_queue)
    if sock.inbox:
        return True
    return sock.stream and sock.state is CONNECTED and (sock.fin_received or sock.reset)


def writable(sock: Socket) -> bool:
    """True if send on ``sock`` would not block (no flow control: connected means writable)."""
    if sock.stream:
        return sock.state is CONNECTED
    return True


def exceptional(sock: Socket) -> bool:
    """True after a failed connect, until the next connect."""
    return sock.connect_failed


def post_current(sock: Socket) -> None:
    """Report the events whose condition already holds to a new registration."""
    registration, handle = sock.registration, sock.handle
    if sock.state is LISTENING and sock.accept_queue:
        events.post(registration, handle, C.FD_ACCEPT_BIT)
    if sock.inbox:
        events.post(registration, handle, C.FD_READ_BIT)
    if sock.stream:
        if sock.state is CONNECTED:
            events.post(registration, handle, C.FD_WRITE_BIT)
            if sock.fin_received or sock.reset:
                events.post(registration, handle, C.FD_CLOSE_BIT)
    elif sock.state is not UNBOUND:
        events.post(registration, handle, C.FD_WRITE_BIT)
