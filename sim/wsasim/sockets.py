"""The simulator's socket: the kernel-side record of one socket, and only its data.

A :class:`Socket` holds what Winsock keeps for a socket: its kind, state (see
:mod:`wsasim._state`), addresses, options, connect timing, pending connect, received data and
notification registration. :meth:`Socket.fire` is the only writer of its state, and tells the
network that the socket's readiness may have changed (:meth:`wsasim.network.Network.notify`);
beyond that it has no behaviour but small derived properties. The calls that change it live in
:mod:`wsasim.winsock`, :mod:`wsasim.data`, :mod:`wsasim.tcp` and :mod:`wsasim.udp`.

It is kept small (``__slots__``, queues made on first use) because a benchmark holds 100,000
connections open at once.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from wsaconnect import constants as C
from wsaconnect.addresses import SockAddr
from wsasim._state import DATAGRAM, STREAM, UNBOUND, Event, State, transition
from wsasim.options import OPTIONS

if TYPE_CHECKING:
    from wsasim.events import Registration
    from wsasim.host import Host
    from wsasim.tcp import Handshake
    from wsasim.timing import TcpTiming


#: :attr:`Socket.shut` bits.
SHUT_RECEIVE = 1
SHUT_SEND = 2


class Socket:
    """One simulated socket."""

    __slots__ = (
        "accept_queue",
        "backlog",
        "connected_at",
        "deferred_options",
        "delay",
        "family",
        "handle",
        "handshake",
        "host",
        "inbox",
        "local",
        "nonblocking",
        "options",
        "peer",
        "protocol",
        "queued",
        "receiving",
        "registration",
        "remote",
        "reported",
        "shut",
        "so_error",
        "state",
        "stream",
        "timing",
        "type",
        "urgent",
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
        #: The connect timing model of this socket: the network's, until an option changes it.
        self.timing: TcpTiming = host.network.timing
        self.handshake: Handshake | None = None
        self.connected_at: float | None = None
        self.peer: Socket | None = None
        self.delay = 0.0
        #: Received data: (chunk, None) for TCP, (datagram, source) for UDP. Made on first use.
        self.inbox: deque[tuple[bytes, SockAddr | None]] | None = None
        #: Stream bytes on their way to this socket or in its inbox, not yet read: what its
        #: peer's flow control counts (see wsasim.data).
        self.queued = 0
        self.backlog = 0
        self.accept_queue: deque[Socket] | None = None
        self.registration: Registration | None = None
        #: FD_* events reported and not re-enabled since (see wsasim.events).
        self.reported = 0
        #: Datagram sockets: the directions shutdown disabled (:data:`SHUT_RECEIVE`,
        #: :data:`SHUT_SEND`). A datagram socket has no connection to shut, so this is no state
        #: of the table: it only refuses later calls (see :func:`wsasim.udp.shutdown`).
        self.shut = 0
        #: A blocking recv waits on this socket: data that arrives after shutdown(SD_RECEIVE)
        #: completes it instead of resetting the connection (see wsasim.tcp).
        self.receiving = False
        #: Out-of-band bytes received and not read with MSG_OOB (SO_OOBINLINE off). Made on
        #: first use.
        self.urgent: bytearray | None = None

    def fire(self, event: Event) -> State:
        """Apply ``event`` (the one writer of :attr:`state`) and return the new state.

        Raises:
            WinsockError: the event is an application call that is illegal in this state
                (the state is unchanged).
            StateError: an impossible network event (a simulator bug).
        """
        # transition(), with its legal case inline: this runs several times per connection.
        state = (STREAM if self.stream else DATAGRAM).get((self.state, event))
        if state.__class__ is not State:
            state = transition(self.stream, self.state, event)  # raises
        self.state = state
        network = self.host.network
        if network.watched is not None and self in network.watched:  # Network.notify, inline
            network.woken = True
        return state

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
