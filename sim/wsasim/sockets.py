"""The simulator's socket: the kernel-side record of one socket, and only its data.

A :class:`Socket` holds what Winsock keeps for a socket: its kind, state (see
:mod:`wsasim._state`), addresses, options, pending connect, received data and notification
registration. It has no behaviour beyond small derived properties; the calls that change it
live in :mod:`wsasim.winsock`, :mod:`wsasim.tcp` and :mod:`wsasim.udp`.

It is kept small (``__slots__``, queues made on first use) because a benchmark holds 100,000
connections open at once.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from wsaconnect import constants as C
from wsaconnect.addresses import SockAddr
from wsasim._state import UNBOUND
from wsasim.options import OPTIONS

if TYPE_CHECKING:
    from wsasim.events import Registration
    from wsasim.host import Host
    from wsasim.tcp import Handshake


class Socket:
    """One simulated socket."""

    __slots__ = (
        "accept_queue",
        "backlog",
        "connect_failed",
        "connected_at",
        "deferred_options",
        "delay",
        "family",
        "fin_received",
        "handle",
        "handshake",
        "host",
        "inbox",
        "local",
        "nonblocking",
        "options",
        "peer",
        "protocol",
        "registration",
        "remote",
        "reset",
        "so_error",
        "state",
        "stream",
        "type",
    )

    def __init__(self, host: Host, family: int, type: int, protocol: int) -> None:
        self.host = host
        self.handle = 0
        self.family = family
        self.type = type
        #: True for a stream (TCP) socket, False for a datagram (UDP) one.
        self.stream = type == C.SOCK_STREAM
        self.protocol = protocol
        self.state = UNBOUND
        self.local: SockAddr | None = None
        self.remote: SockAddr | None = None
        self.nonblocking = False
        self.options: dict[tuple[int, int], int] | None = None
        #: Options set before WSAConnectByList, in force again after SO_UPDATE_CONNECT_CONTEXT.
        self.deferred_options: dict[tuple[int, int], int] | None = None
        self.so_error = 0
        self.connect_failed = False
        self.handshake: Handshake | None = None
        self.connected_at: float | None = None
        self.peer: Socket | None = None
        self.delay = 0.0
        #: Received data: (chunk, None) for TCP, (datagram, source) for UDP. Made on first use.
        self.inbox: deque[tuple[bytes, SockAddr | None]] | None = None
        self.fin_received = False
        self.reset = False
        self.backlog = 0
        self.accept_queue: deque[Socket] | None = None
        self.registration: Registration | None = None

    def option(self, level: int, optname: int) -> int:
        """The option's current value (its default if never set)."""
        if self.options is not None:
            value = self.options.get((level, optname))
            if value is not None:
                return value
        default = OPTIONS[(level, optname)].default
        assert default is not None
        return default

    def set_option(self, level: int, optname: int, value: int) -> None:
        """Set an option's value."""
        if self.options is None:
            self.options = {}
        self.options[(level, optname)] = value

    @property
    def v6only(self) -> bool:
        """IPV6_V6ONLY (on by default on Windows); False for an AF_INET socket."""
        return self.family == C.AF_INET6 and bool(self.option(C.IPPROTO_IPV6, C.IPV6_V6ONLY))

    def __repr__(self) -> str:
        kind = "stream" if self.stream else "datagram"
        return (
            f"<Socket {self.handle:#x} {kind} {self.state.value} "
            f"local={self.local} remote={self.remote}>"
        )
