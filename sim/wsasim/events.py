"""Network-event notification: WSAEventSelect's event objects and WSAAsyncSelect's messages.

This module owns how a network event (FD_CONNECT, FD_WRITE, ...) reaches an application that
asked for it, and Windows' re-enabling rule (WSAEventSelect and WSAAsyncSelect documents):
once an event has been reported, it is not reported again until the call that "re-enables"
it (recv for FD_READ, accept for FD_ACCEPT, connect for FD_CONNECT, send for FD_WRITE);
FD_CLOSE is reported once. A socket has at most one registration: WSAEventSelect and
WSAAsyncSelect cancel each other.

* WSAEventSelect records the event and its error code in the registration (read and cleared
  by WSAEnumNetworkEvents) and signals the event object (manual-reset, as WSACreateEvent
  makes it). Registering again reports no event already reported and not re-enabled, even
  after a cancelling zero mask; new data or a new connection is recorded again each time.
* WSAAsyncSelect posts ``(msg, wParam=socket, lParam=WSAMAKESELECTREPLY(event, error))`` to
  the window's queue; registering again posts the conditions that hold, reported or not.

Which events were reported and not re-enabled is the socket's (``Socket.reported``), not the
registration's: it outlives a new registration (Wine's sock.c, test_events in both modes).

It does not decide when an event happens; :mod:`wsasim.tcp`, :mod:`wsasim.udp` and
:mod:`wsasim.winsock` call :func:`post`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from wsaconnect import constants as C

if TYPE_CHECKING:
    from wsasim.host import Host
    from wsasim.sockets import Socket


class EventObject:
    """A manual-reset event object (WSACreateEvent) of one host."""

    __slots__ = ("host", "signaled")

    def __init__(self, host: Host) -> None:
        self.host = host
        self.signaled = False

    def set(self, signaled: bool) -> None:
        """Signal (True) or reset (False) the event; a waiter on it looks again."""
        self.signaled = signaled
        if signaled:
            self.host.network.notify(self)


class MessageWindow:
    """A message-only window of one host: a queue of posted messages.

    ``on_post``, when set, is called (with no argument) after each message :func:`post`
    appends: the simulator's stand-in for the window's thread waking up in GetMessage
    (:mod:`wsasim.serve` runs its message loop so). It is called in the middle of the event
    that posted the message, so it must only schedule work (``net.call_at(net.now, ...)``),
    never run it.
    """

    __slots__ = ("host", "messages", "on_post")

    def __init__(self, host: Host) -> None:
        self.host = host
        self.messages: list[tuple[int, int, int]] = []
        self.on_post: Callable[[], object] | None = None


class Registration:
    """What a socket asked to be told about, and how."""

    __slots__ = ("errors", "event", "mask", "msg", "recorded", "window")

    def __init__(
        self,
        mask: int,
        *,
        event: EventObject | None = None,
        window: MessageWindow | None = None,
        msg: int = 0,
    ) -> None:
        self.mask = mask
        self.event = event
        self.window = window
        self.msg = msg
        self.recorded = 0
        self.errors = [0] * C.FD_MAX_EVENTS


def inherit(registration: Registration) -> Registration:
    """The registration an accepted socket inherits from its listener: the same mask, event
    object or window and message, every event enabled (accept document)."""
    return Registration(
        registration.mask,
        event=registration.event,
        window=registration.window,
        msg=registration.msg,
    )


def make_select_reply(event: int, error: int) -> int:
    """WSAMAKESELECTREPLY: the lParam of a WSAAsyncSelect message."""
    return ((error & 0xFFFF) << 16) | (event & 0xFFFF)


#: Events that each new occurrence records again in event mode, re-enabled or not (a second
#: connection before accept, more data before recv: Wine's sock.c, test_accept_events and
#: test_read_events); a window gets no message for them until they are re-enabled.
_REPEATS = (1 << C.FD_READ_BIT) | (1 << C.FD_ACCEPT_BIT) | (1 << C.FD_OOB_BIT)


def post(sock: Socket, bit: int, error: int = 0) -> None:
    """Report network event number ``bit`` (FD_*_BIT) of ``sock`` with ``error`` to its
    registration, unless it was reported and not re-enabled since (``sock.reported``, which
    outlives registrations)."""
    registration = sock.registration
    if registration is None:
        return
    flag = 1 << bit
    if not registration.mask & flag:
        return
    if sock.reported & flag and not (registration.event is not None and flag & _REPEATS):
        return
    sock.reported |= flag
    if registration.event is not None:
        registration.recorded |= flag
        registration.errors[bit] = error
        registration.event.set(True)
    elif registration.window is not None:
        window = registration.window
        window.messages.append((registration.msg, sock.handle, make_select_reply(flag, error)))
        if window.on_post is not None:
            window.on_post()


def rearm(sock: Socket, bit: int) -> None:
    """Re-enable event number ``bit`` after the call that re-enables it."""
    sock.reported &= ~(1 << bit)
