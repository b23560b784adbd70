"""TCP on the simulated network: the connect handshake with Windows' timing, and the bytes after.

This module owns how a connect attempt unfolds in virtual time (docs/simulator.md, docs/windows.md
section 4, the numbers in :mod:`wsasim.timing`):

* a SYN that reaches a listener with room in its backlog is answered with SYN-ACK; the client
  is connected one round trip after the SYN left, and the listener queues the connection for
  accept when the client's final ACK reaches it, half a round trip later (RFC 9293, section
  3.5: the server's side is SYN-RECEIVED until then); data the client sends at once arrives
  with that ACK;
* a SYN that reaches a host with no listener, or a listener whose backlog is full, is answered
  with RST (listen document: a full backlog refuses with WSAECONNREFUSED); Windows sends the
  SYN again 1 s after each RST, twice, then fails with WSAECONNREFUSED;
* a SYN that is lost (a blackhole, an address nobody has, a host that is down) is sent again
  after 3 s and 6 s, and the connect fails with WSAETIMEDOUT 21 s after the first SYN;
* an ICMP host unreachable is ignored (the SYNs go on until the timeout) unless the socket
  set TCP_FAIL_CONNECT_ON_ICMP_ERROR, which fails the connect with WSAEHOSTUNREACH at once.

The numbers are the socket's own :class:`~wsasim.timing.TcpTiming` (the network's unless an
option changed them: :mod:`wsasim.connect_controls`), taken when the attempt starts; with a
``connect_limit`` (TCP_MAXRT) the attempt fails with WSAETIMEDOUT that long after its first
SYN, whatever its SYNs are doing. A route is computed for every SYN, so a fault set or lifted
during an attempt takes effect on the next retransmission. After the handshake, :func:`send`,
:func:`shutdown` and :func:`close` move bytes and FIN between the two sockets (what the
buffers may hold is :func:`wsasim.readiness.room`; :func:`consumed` frees it); a socket whose
receiving side was shut down resets the connection when data is queued or arrives (shutdown
document: "the connection is reset, since the data cannot be delivered to the user"), unless a
recv was already waiting (Wine's sock.c, test_shutdown: the pending recv gets the data).

It does not check arguments or states; :mod:`wsasim.winsock` does, before calling here.
"""

from __future__ import annotations

from collections import deque
from functools import partial
from typing import TYPE_CHECKING

from wsaconnect import addresses as A
from wsaconnect import constants as C
from wsaconnect import errors as E
from wsaconnect.addresses import SockAddr
from wsasim import events
from wsasim._state import (
    CLOSED,
    CONNECT_FAILED,
    ESTABLISHED,
    FAILED_BLOCKING,
    FIN,
    FIN_BOTH,
    FIN_SENT,
    INCOMING,
    LISTENING_STATES,
    PEER_RESET,
    RECEIVE_SHUTDOWN,
    RESET,
    SHUTDOWN,
    SHUTDOWN_RECEIVE,
    SHUTDOWN_SEND,
    transition,
)
from wsasim.network import DELIVER, UNREACHABLE
from wsasim.sockets import Socket

if TYPE_CHECKING:
    from wsasim.clock import Timer
    from wsasim.host import Host


class Handshake:
    """One connect attempt in flight for ``sock``.

    ``result`` is None while in progress, then 0 (connected) or the error code.
    """

    __slots__ = (
        "attempt",
        "blocking",
        "deadline",
        "result",
        "rsts",
        "sock",
        "syns",
        "target",
        "timer",
        "timing",
    )

    def __init__(self, sock: Socket, target: SockAddr, *, blocking: bool) -> None:
        """Record the attempt and make it the socket's; :meth:`send_syn` starts it."""
        assert sock.local is not None
        assert sock.remote is not None
        sock.handshake = self
        self.sock = sock
        #: The destination as the network routes it (IPv4-mapped addresses unmapped).
        self.target = target
        self.blocking = blocking
        self.syns = 0
        self.rsts = 0
        self.timer: Timer | None = None
        self.result: int | None = None
        #: The socket's timing when the attempt started: a later change is for the next one.
        self.timing = timing = sock.timing
        network = sock.host.network
        self.attempt = network.new_attempt(sock.host, sock.local, sock.remote)
        #: TCP_MAXRT's limit on the whole attempt; scheduled before the first SYN, so that it
        #: wins a tie with an RTO or a refused retry due at the same instant.
        self.deadline: Timer | None = None
        if timing.connect_limit is not None:
            at = network.clock.now + timing.connect_limit
            self.deadline = network.clock.call_at(at, partial(self.finish, E.WSAETIMEDOUT))

    # --- the client's side -------------------------------------------------------------------

    def send_syn(self) -> None:
        """Send the next SYN (the first one starts the attempt)."""
        if self.result is not None:
            return
        host = self.sock.host
        network = host.network
        target = self.target
        index = self.syns
        self.syns += 1
        route = network.route(host, target.packed)
        if network.trace is not None:
            network.record(host, "SYN {} -> {} ({})", self.sock.local, target, route.kind.value)
        if route.kind is DELIVER:
            assert route.target is not None
            # The retransmission timer starts only if the SYN arrives and goes unanswered
            # (see _syn_arrives): an answered SYN costs no timer.
            network.clock.schedule(
                route.delay, partial(self._syn_arrives, route.target, route.delay, index)
            )
            return
        if route.kind is UNREACHABLE:
            network.clock.schedule(route.delay, self._icmp_arrives)
        self._start_rto(index, network.clock.now)

    def _start_rto(self, index: int, sent_at: float) -> None:
        """Time out SYN number ``index``, sent at ``sent_at``, one RTO after it left."""
        network = self.sock.host.network
        rto = self.timing.rto(index)
        self.timer = network.clock.call_at(sent_at + rto, self._rto_expired)

    def _rto_expired(self) -> None:
        if self.syns <= self.timing.syn_retransmissions:
            self.send_syn()
        else:
            self.finish(E.WSAETIMEDOUT)

    def _rst_arrives(self) -> None:
        if self.result is not None:
            return
        network = self.sock.host.network
        network.record(self.sock.host, "RST from {}", self.target)
        self._cancel_timer()
        self.rsts += 1
        timing = self.timing
        if self.rsts > timing.refused_retries:
            self.finish(E.WSAECONNREFUSED)
        else:
            interval = timing.refused_retry_interval
            self.timer = network.clock.call_later(interval, self.send_syn)

    def _icmp_arrives(self) -> None:
        if self.result is not None:
            return
        sock = self.sock
        sock.host.network.record(sock.host, "ICMP host unreachable from {}", self.target)
        # mstcpip.h, TCP_FAIL_CONNECT_ON_ICMP_ERROR; otherwise Windows ignores ICMP errors
        # during a connect (docs/windows.md).
        if sock.option(C.IPPROTO_TCP, C.TCP_FAIL_CONNECT_ON_ICMP_ERROR):
            self.finish(E.WSAEHOSTUNREACH)

    def _synack_arrives(self, listener: Socket, server: Socket, delay: float) -> None:
        if self.result is not None:
            # The client gave up (closed, cancelled) while the SYN-ACK was on its way: the
            # server's half-open connection is dropped (its RST reaches no application).
            _forget(server)
            return
        sock = self.sock
        sock.peer, server.peer = server, sock
        sock.delay = delay
        self.finish(0)
        sock.host.network.clock.schedule(delay, partial(_ack_arrives, listener, server))

    # --- the server's side -------------------------------------------------------------------

    def _syn_arrives(self, host: Host, delay: float, index: int) -> None:
        if self.result is not None:
            return
        if host.network_down:  # lost: the SYN's retransmission timer runs from when it left
            self._start_rto(index, host.network.clock.now - delay)
            return
        listener = host.find_listener(self.target)
        queue = None if listener is None else listener.accept_queue  # a listener has one
        if listener is None or queue is None or len(queue) >= listener.backlog:
            host.network.clock.schedule(delay, self._rst_arrives)
            return
        client = self.sock
        assert client.local is not None
        remote = A.unmapped(client.local)
        if listener.family == C.AF_INET6:
            local, remote = A.v4_mapped(self.target), A.v4_mapped(remote)
        else:
            local = self.target
        if (local, remote) in host.connections:
            # The server still has a connection with these four addresses (the client reused
            # its port; Windows' TIME_WAIT, not modelled, would have kept it from doing so):
            # the SYN cannot open a second one, and is answered with RST.
            host.network.clock.schedule(delay, self._rst_arrives)
            return
        server = Socket(host, listener.family, C.SOCK_STREAM, listener.protocol)
        server.fire(INCOMING)
        server.local, server.remote = local, remote
        host.connections[local, remote] = server
        server.delay = delay
        host.network.clock.schedule(delay, partial(self._synack_arrives, listener, server, delay))

    # --- outcome ----------------------------------------------------------------------------

    def _cancel_timer(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None

    def abort(self, code: int) -> None:
        """End the attempt without touching the socket's state (closesocket, cancel)."""
        if self.result is not None:
            return
        if self.timer is not None:
            self._cancel_timer()
        if self.deadline is not None:
            self.deadline.cancel()
            self.deadline = None
        self.result = code
        self.attempt.ended = self.sock.host.network.clock.now
        self.attempt.error = code
        if self.sock.handshake is self:
            self.sock.handshake = None

    def finish(self, code: int) -> None:
        """End the attempt with ``code`` (0: connected) and update the socket."""
        if self.result is not None:
            return
        self.abort(code)
        sock = self.sock
        network = sock.host.network
        if code == 0:
            sock.so_error = 0
            sock.connected_at = network.clock.now
            sock.fire(ESTABLISHED)
            if sock.registration is not None:
                # FD_CONNECT is posted before FD_WRITE (docs/windows.md).
                events.post(sock, C.FD_CONNECT_BIT, 0)
                events.post(sock, C.FD_WRITE_BIT, 0)
        else:
            cleared = self.blocking and network.profile.so_error_zero_after_blocking_failure
            sock.so_error = 0 if cleared else code
            # select reports a failed non-blocking connect in exceptfds (select document);
            # Windows also reports a failed blocking one (Wine's sock.c, test_connect).
            reported = not self.blocking or network.profile.exceptfds_after_blocking_failure
            sock.fire(CONNECT_FAILED if reported else FAILED_BLOCKING)
            events.post(sock, C.FD_CONNECT_BIT, code)


# --- established connections -----------------------------------------------------------------

#: States in which the socket has sent its FIN (or has no connection left to send one on).
_FIN_GONE = frozenset({FIN_SENT, FIN_BOTH, SHUTDOWN, RESET})
#: States in which data that arrives cannot be delivered (shutdown(SD_RECEIVE)).
_RECEIVE_REFUSED = frozenset({RECEIVE_SHUTDOWN, SHUTDOWN})


def _deliver(receiver: Socket, data: bytes, urgent: bool = False) -> None:
    if receiver.state is CLOSED:
        return
    if receiver.state in _RECEIVE_REFUSED and not receiver.receiving:
        # A recv pending when SD_RECEIVE came still completes with the data (Wine's sock.c,
        # test_shutdown, "shutting down with async I/O pending").
        _abort(receiver)
        return
    if urgent and not receiver.option(C.SOL_SOCKET, C.SO_OOBINLINE):
        # Out-of-band data, kept apart: select reports it in exceptfds, FD_OOB (never FD_READ)
        # announces it (Microsoft's "Protocol-Independent Out-of-Band Data").
        if receiver.urgent is None:
            receiver.urgent = bytearray()
        receiver.urgent += data
        receiver.host.network.notify(receiver)
        events.post(receiver, C.FD_OOB_BIT)
        return
    if receiver.inbox is None:
        receiver.inbox = deque()
    receiver.inbox.append((data, None))
    receiver.host.network.notify(receiver)
    events.post(receiver, C.FD_READ_BIT)


def _fin_arrives(receiver: Socket) -> None:
    if receiver.state is CLOSED:
        return
    receiver.fire(FIN)
    events.post(receiver, C.FD_CLOSE_BIT)


def reset(sock: Socket) -> None:
    """The connection of ``sock`` is reset by its peer: recv gives WSAECONNRESET, and FD_CLOSE
    carries WSAECONNABORTED (Wine's sock.c, test_close_events: "Trigger RST")."""
    if sock.state is CLOSED:
        return
    sock.fire(PEER_RESET)
    events.post(sock, C.FD_CLOSE_BIT, E.WSAECONNABORTED)


def _abort(sock: Socket) -> None:
    """``sock`` resets its connection: queued data is dropped and the peer sees RST."""
    if sock.inbox:
        sock.inbox.clear()
    sock.urgent = None
    sock.queued = 0
    peer = sock.peer
    if peer is not None:
        sock.host.network.clock.schedule(sock.delay, partial(reset, peer))
        sock.peer = None
    reset(sock)


def _send_fin(sock: Socket) -> None:
    peer = sock.peer
    if peer is not None and peer.state is not CLOSED:
        sock.host.network.clock.schedule(sock.delay, partial(_fin_arrives, peer))


def send(sock: Socket, data: bytes, *, urgent: bool = False) -> None:
    """Carry ``data`` to the peer, arriving one one-way delay from now (within a host, before
    send returns: Wine's sock.c, test_write_events, reads it back at once); ``urgent`` for
    out-of-band data (see wsasim.data)."""
    peer = sock.peer
    if peer is not None and data:
        peer.queued += len(data)
        if sock.delay:
            sock.host.network.clock.schedule(sock.delay, partial(_deliver, peer, data, urgent))
        else:  # loopback has no latency: the data is there before send returns
            _deliver(peer, data, urgent)


def consumed(sock: Socket, count: int) -> None:
    """The application read ``count`` bytes of ``sock``: its peer has that much more room (a
    waiter on the peer looks again, and FD_WRITE comes back if a send was refused)."""
    sock.queued -= count
    peer = sock.peer
    if peer is not None and count:
        peer.host.network.notify(peer)
        events.post(peer, C.FD_WRITE_BIT)


def shutdown(sock: Socket, receive: bool, send: bool) -> None:
    """shutdown(SD_RECEIVE / SD_SEND / SD_BOTH) on a stream socket.

    Raises:
        WinsockError: the table's code (WSAENOTCONN when not connected); nothing changes.
    """
    state = sock.state
    if receive:
        state = transition(True, state, SHUTDOWN_RECEIVE)
    if send:
        transition(True, state, SHUTDOWN_SEND)  # both are legal before either happens
    fin_was_sent = sock.state in _FIN_GONE
    if receive:
        sock.fire(SHUTDOWN_RECEIVE)
        if sock.inbox:  # "if there is still data queued on the socket ... the connection is reset"
            _abort(sock)
            return
    if send:
        sock.fire(SHUTDOWN_SEND)
        if not fin_was_sent:
            _send_fin(sock)


def _forget(server: Socket) -> None:
    """A half-open connection ends before the listener queued it: its addresses are free."""
    assert server.local is not None
    assert server.remote is not None
    connections = server.host.connections
    if connections.get((server.local, server.remote)) is server:
        del connections[server.local, server.remote]


def _ack_arrives(listener: Socket, server: Socket) -> None:
    """The handshake's last ACK reaches the server: the connection is established there, and
    only now does the listener queue it for accept (RFC 9293, section 3.5: the server's side
    is SYN-RECEIVED until this ACK; an accept returns established connections only, which is
    also why a server cannot send before it: the connection is not its yet)."""
    queue = listener.accept_queue
    if listener.state not in LISTENING_STATES or queue is None or len(queue) >= listener.backlog:
        # The listener was closed, or filled up, meanwhile: the client is reset.
        _forget(server)
        client = server.peer
        server.peer = None
        if client is not None:
            server.host.network.clock.schedule(server.delay, partial(reset, client))
        return
    server.connected_at = server.host.network.clock.now
    queue.append(server)
    server.host.network.notify(listener)
    if listener.registration is not None:
        events.post(listener, C.FD_ACCEPT_BIT)


def close(sock: Socket, *, abortive: bool = False) -> None:
    """The application closed ``sock``: its peer sees FIN, or RST for an ``abortive`` close
    (SO_LINGER on with a zero timeout: the closesocket document, "abortive shutdown");
    un-accepted connections are reset."""
    network = sock.host.network
    if sock.peer is not None:
        if abortive and sock.state is not RESET:
            network.clock.schedule(sock.delay, partial(reset, sock.peer))
        elif sock.state not in _FIN_GONE:
            _send_fin(sock)
        sock.peer = None
    if sock.accept_queue:
        for pending in sock.accept_queue:
            client = pending.peer
            assert pending.local is not None
            assert pending.remote is not None
            del sock.host.connections[pending.local, pending.remote]
            if client is not None:
                network.clock.schedule(pending.delay, partial(reset, client))
            else:
                reset(pending)
        sock.accept_queue.clear()
    if sock.handshake is not None:
        sock.handshake.abort(E.WSAEINTR)
