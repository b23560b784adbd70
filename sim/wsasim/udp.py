"""UDP on the simulated network: how a datagram travels and which socket takes it.

This module owns datagram delivery (WSAConnect document, remarks on connectionless sockets):

* a datagram reaches the socket bound to its destination port and address (or a wildcard of
  the family; an AF_INET6 wildcard with IPV6_V6ONLY off also takes IPv4), one one-way delay
  after it was sent, or before ``send`` returns within a host (loopback has no latency);
* a connected datagram socket discards datagrams from any address but its default
  destination ("all datagrams received from an address other than the specified destination
  are discarded");
* a broadcast reaches every host on the subnet, the sender included;
* shutdown on a datagram socket succeeds in any state and only refuses later calls in that
  direction with WSAESHUTDOWN (Wine's sock.c, test_shutdown, "shutting down UDP sockets":
  even on a socket never bound, and SD_SEND twice);
* a datagram to a port where nothing listens is dropped (Windows' ICMP port-unreachable reset
  of a later recv, SIO_UDP_CONNRESET, is not modelled).

Argument and permission checks (SO_BROADCAST, WSAENOTCONN) belong to :mod:`wsasim.winsock`.
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
from wsasim._state import CLOSED, SHUTDOWN_RECEIVE, SHUTDOWN_SEND
from wsasim.network import DELIVER, NO_ROUTE
from wsasim.sockets import SHUT_RECEIVE, SHUT_SEND, Socket

if TYPE_CHECKING:
    from wsasim.host import Host


def _receiver(host: Host, destination: SockAddr) -> Socket | None:
    exact: Socket | None = None
    wildcard: Socket | None = None
    for handle in host.ports.holders(C.SOCK_DGRAM, destination.port):
        sock = host.find_socket(handle)
        if sock is None or sock.local is None or sock.state is CLOSED:
            continue
        local = sock.local
        if local.family != destination.family:
            if destination.family != C.AF_INET or sock.v6only:
                continue
            local = A.unmapped(local)
        if local.packed == destination.packed:
            exact = exact or sock
        elif not any(local.packed) or A.is_limited_broadcast(destination):
            wildcard = wildcard or sock
    return exact or wildcard


def _arrive(host: Host, source: SockAddr, destination: SockAddr, data: bytes) -> None:
    sock = _receiver(host, destination)
    if sock is None:
        host.network.record(host, "UDP {} -> {} dropped: no socket", source, destination)
        return
    seen_from = A.v4_mapped(source) if sock.family == C.AF_INET6 else source
    if sock.remote is not None and (
        A.unmapped(sock.remote).packed != source.packed or sock.remote.port != source.port
    ):
        host.network.record(host, "UDP {} -> {} discarded: not the peer", source, destination)
        return
    if sock.inbox is None:
        sock.inbox = deque()
    sock.inbox.append((data, seen_from))
    host.network.notify(sock)
    events.post(sock, C.FD_READ_BIT)


def send(sock: Socket, destination: SockAddr, data: bytes) -> None:
    """Send a datagram from ``sock`` (already bound) to ``destination`` (unmapped).

    Raises:
        WinsockError: WSAENETUNREACH when the host has no route to the destination's family.
    """
    host = sock.host
    network = host.network
    assert sock.local is not None
    source_packed = (
        host.source_for(destination.family, destination.packed)
        if host.can_reach(destination.family, destination.packed)
        else None
    )
    targets = network.broadcast_targets(host, destination.packed)
    if targets is not None:
        assert source_packed is not None
        source = SockAddr(destination.family, source_packed, sock.local.port)
        for target in targets:
            _carry(host, target, network.delay(host, target), source, destination, data)
        return
    route = network.route(host, destination.packed)
    if route.kind is NO_ROUTE or source_packed is None:
        raise E.error_for_code(E.WSAENETUNREACH, str(destination))
    network.record(host, "UDP {} -> {} ({})", sock.local, destination, route.kind.value)
    if route.kind is DELIVER:
        assert route.target is not None
        source = SockAddr(destination.family, source_packed, sock.local.port)
        _carry(host, route.target, route.delay, source, destination, data)


def _carry(
    host: Host, target: Host, delay: float, source: SockAddr, destination: SockAddr, data: bytes
) -> None:
    """The datagram reaches ``target`` after ``delay``; within a host, before send returns:
    loopback has no latency, and a datagram sent to one of the host's own addresses can be
    read at once (Wine's sock.c, test_connect_udp: send, then a non-blocking recv gets it)."""
    if target is host:
        _arrive(target, source, destination, data)
    else:
        host.network.clock.schedule(delay, partial(_arrive, target, source, destination, data))


def discard_queued(sock: Socket, keep_from: SockAddr | None = None) -> None:
    """Drop queued datagrams, except those from ``keep_from`` when given."""
    if not sock.inbox:
        return
    if keep_from is None:
        sock.inbox.clear()
        return
    wanted = A.unmapped(keep_from)
    sock.inbox = deque(
        (data, src)
        for data, src in sock.inbox
        if src is not None and A.unmapped(src).packed == wanted.packed and src.port == wanted.port
    )


def shutdown(sock: Socket, receive: bool, send: bool) -> None:
    """shutdown(SD_RECEIVE / SD_SEND / SD_BOTH) on a datagram socket (see the module doc)."""
    sock.fire(SHUTDOWN_RECEIVE if receive else SHUTDOWN_SEND)  # legal in every state
    sock.shut |= (SHUT_RECEIVE if receive else 0) | (SHUT_SEND if send else 0)


def refuse_if_shut(sock: Socket, direction: int) -> None:
    """WSAESHUTDOWN when shutdown disabled ``direction`` (:data:`SHUT_RECEIVE` or
    :data:`SHUT_SEND`) on the datagram socket ``sock``."""
    if sock.shut & direction:
        raise E.error_for_code(E.WSAESHUTDOWN)
