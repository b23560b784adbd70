"""WSAConnect's checks and its two meanings: a TCP handshake, or a UDP default destination.

This module owns what WSAConnect (and connect) does after the socket handle was found, in the
order the checks apply; each failure names its source in the WSAConnect document (the error
table and the remarks), docs/simulator.md or docs/windows.md:

1. Argument buffers: a WSABUF whose ``len`` exceeds its buffer (lpCalleeData, the QOS
   provider-specific buffers) is WSAEFAULT; a non-NULL lpGQOS is WSAEINVAL.
2. The name (:func:`wsaconnect.addresses.decode`): NULL or too short is WSAEFAULT; another
   family is WSAEAFNOSUPPORT. An all-zero structure disconnects a datagram socket and is
   WSAEADDRNOTAVAIL on a stream socket.
3. The state (:mod:`wsasim._state`): WSAEINVAL listening, WSAEALREADY in progress,
   WSAEISCONN connected.
4. Stream sockets: connect data is WSAEPROTONOSUPPORT (TCP/IP carries none); a QOS asking for
   guaranteed or controlled-load service is WSAEOPNOTSUPP (the simulated network has no QoS
   provider); ADDR_ANY or port 0 is WSAEADDRNOTAVAIL; no route is WSAENETUNREACH at once;
   the same local address, port and destination as another connection is WSAEADDRINUSE
   (the delayed form the document describes for wildcard binds); then the implicit bind
   (WSAENOBUFS without ephemeral ports) and the handshake of :mod:`wsasim.tcp`.
5. Datagram sockets: connect data and QOS are ignored ("silently ignored" on connectionless
   sockets); a broadcast destination needs SO_BROADCAST (WSAEACCES) under the documented
   profile; the default destination is set at once, and queued datagrams are discarded when it
   changes.

Waiting for a blocking connect belongs to :class:`wsasim.winsock.Winsock`.
"""

from __future__ import annotations

from wsaconnect import addresses as A
from wsaconnect import constants as C
from wsaconnect import errors as E
from wsaconnect.addresses import SockAddr
from wsaconnect.memo import Memo
from wsaconnect.structures import QOS, WSABUF
from wsasim import events, udp
from wsasim._state import (
    BIND,
    CONNECT,
    CONNECTED,
    CONNECTING,
    DISCONNECT,
    UNBOUND,
    transition,
)
from wsasim.ports import Binding
from wsasim.sockets import Socket
from wsasim.tcp import Handshake

#: Service types a network without a QoS provider can honour (docs/simulator.md).
_NO_PROVIDER_NEEDED = frozenset(
    {
        C.SERVICETYPE_BESTEFFORT,
        C.SERVICETYPE_NOTRAFFIC,
        C.SERVICETYPE_NOCHANGE,
        C.QOS_NOT_SPECIFIED & ~(C.SERVICE_NO_QOS_SIGNALING | C.SERVICE_NO_TRAFFIC_CONTROL),
    }
)


def check_extras(caller_data: object, callee_data: object, sqos: object, gqos: object) -> None:
    """Type and buffer checks on WSAConnect's optional arguments (step 1)."""
    if caller_data is None and callee_data is None and sqos is None and gqos is None:
        return  # plain connect(): nothing to check
    if caller_data is not None and not isinstance(caller_data, (bytes, bytearray, memoryview)):
        raise TypeError(f"caller_data must be bytes or None, not {type(caller_data).__name__}")
    if callee_data is not None and not isinstance(callee_data, WSABUF):
        raise TypeError(f"callee_data must be a WSABUF or None, not {type(callee_data).__name__}")
    for what, qos in (("sqos", sqos), ("gqos", gqos)):
        if qos is not None and not isinstance(qos, QOS):
            raise TypeError(f"{what} must be a QOS or None, not {type(qos).__name__}")
    buffers = [callee_data] + [q.provider_specific for q in (sqos, gqos) if isinstance(q, QOS)]
    if any(isinstance(b, WSABUF) and b.overruns for b in buffers):
        raise E.error_for_code(E.WSAEFAULT, "a WSABUF's len exceeds its buffer")
    if gqos is not None:
        raise E.error_for_code(E.WSAEINVAL, "lpGQOS must be NULL")


def _check_stream_extras(caller_data: bytes | None, sqos: QOS | None) -> None:
    if caller_data:
        # "Connect data is not supported by the TCP/IP protocol in Windows."
        raise E.error_for_code(E.WSAEPROTONOSUPPORT, "TCP/IP carries no connect data")
    if sqos is not None:
        for flow in (sqos.sending, sqos.receiving):
            if flow.base_service_type not in _NO_PROVIDER_NEEDED:
                raise E.error_for_code(
                    E.WSAEOPNOTSUPP, f"service type {flow.service_type:#x} needs a QoS provider"
                )


def route_target(sock: Socket, remote: SockAddr) -> SockAddr:
    """The destination as the network routes it: IPv4-mapped addresses unmapped.

    An AF_INET6 socket reaches IPv4 only through IPv4-mapped addresses with IPV6_V6ONLY off
    (WSAConnectByList document); with IPV6_V6ONLY on (Windows' default) such an address is not
    valid for the socket: WSAEADDRNOTAVAIL (our choice; the documents are silent).
    """
    if A.is_v4_mapped(remote):
        if sock.v6only:
            raise E.error_for_code(E.WSAEADDRNOTAVAIL, "IPv4-mapped address on an IPv6-only socket")
        return A.unmapped(remote)
    return remote


def _local_for(sock: Socket, target: SockAddr) -> bytes:
    """The local address the connection uses, in the socket's family."""
    host = sock.host
    if sock.local is not None and any(A.unmapped(sock.local).packed):
        source = A.unmapped(sock.local).packed
    else:
        source = host.source_for(target.family, target.packed)
    if sock.family == C.AF_INET6 and len(source) == 4:
        return A.v4_mapped(SockAddr(C.AF_INET, source, 0)).packed
    return source


#: Bindings with no sharing option, made once per (family, address): each connect needs one.
_PLAIN_BINDINGS: Memo[tuple[int, bytes], Binding] = Memo(
    lambda key: Binding(key[0], key[1], False, False, False)
)


def binding_of(sock: Socket, packed: bytes) -> Binding:
    """What ``sock`` claims when bound to ``packed``, with its sharing options."""
    if sock.options is None:  # the common case: Windows' defaults (IPV6_V6ONLY on, no sharing)
        return _PLAIN_BINDINGS[sock.family, packed]
    return Binding(
        sock.family,
        packed,
        sock.family == C.AF_INET6 and not sock.v6only,
        bool(sock.option(C.SOL_SOCKET, C.SO_REUSEADDR)),
        bool(sock.option(C.SOL_SOCKET, C.SO_EXCLUSIVEADDRUSE)),
    )


def implicit_bind(sock: Socket, source: bytes) -> None:
    """Bind an unbound socket to ``source`` and an ephemeral port (WSAConnect remarks)."""
    port = sock.host.ports.bind(sock.handle, sock.type, 0, binding_of(sock, source))
    sock.local = SockAddr(sock.family, source, port)
    sock.fire(BIND)


def _check_four_tuple(sock: Socket, local: SockAddr, remote: SockAddr) -> None:
    for handle in sock.host.ports.holders(sock.type, local.port):
        other = sock.host.find_socket(handle)
        if (
            other is not None
            and other is not sock
            and other.state in (CONNECTING, CONNECTED)
            and other.local == local
            and other.remote == remote
        ):
            raise E.error_for_code(E.WSAEADDRINUSE, f"{local} -> {remote} is already in use")


def start_stream(
    sock: Socket,
    remote: SockAddr,
    caller_data: bytes | None = None,
    sqos: QOS | None = None,
    *,
    blocking: bool,
) -> Handshake:
    """Run the stream checks of step 4, bind if needed, and send the first SYN.

    Returns:
        The handshake in progress (the caller waits for it or returns WSAEWOULDBLOCK).
    """
    transition(True, sock.state, CONNECT)  # legal? (the state changes once the SYN can go)
    if caller_data or sqos is not None:
        _check_stream_extras(caller_data, sqos)
    if A.is_unspecified(remote) or remote.port == 0:
        # "If the address parameters of the name structure are all zero, WSAConnect will
        # return the error WSAEADDRNOTAVAIL"; port 0 is not a valid destination either.
        raise E.error_for_code(E.WSAEADDRNOTAVAIL, str(remote))
    # Only an AF_INET6 socket can name an IPv4-mapped address.
    target = remote if sock.family == C.AF_INET else route_target(sock, remote)
    host = sock.host
    if not host.can_reach(target.family, target.packed):
        # docs/simulator.md: no address of the family, no route: WSAENETUNREACH at once.
        local = sock.local or SockAddr(sock.family, bytes(len(remote.packed)), 0)
        attempt = host.network.new_attempt(host, local, remote)
        attempt.ended, attempt.error = attempt.started, E.WSAENETUNREACH
        raise E.error_for_code(E.WSAENETUNREACH, str(target))
    source = _local_for(sock, target)
    if sock.state is UNBOUND:
        implicit_bind(sock, source)  # a fresh ephemeral port: no other connection can have it
    else:
        assert sock.local is not None
        sock.local = SockAddr(sock.family, source, sock.local.port)
        _check_four_tuple(sock, sock.local, remote)
    sock.remote = remote
    sock.fire(CONNECT)
    if sock.registration is not None:
        events.rearm(sock, C.FD_CONNECT_BIT)
    handshake = Handshake(sock, target, blocking=blocking)
    handshake.send_syn()
    return handshake


def connect_datagram(sock: Socket, remote: SockAddr | None) -> None:
    """Set (or, for None, clear) the default destination of a datagram socket (step 5)."""
    if remote is None:
        # "If the name structure is all zeros ... the socket will be disconnected."
        sock.fire(DISCONNECT)
        sock.remote = None
        return
    if A.is_unspecified(remote):
        raise E.error_for_code(E.WSAEADDRNOTAVAIL, str(remote))
    target = route_target(sock, remote)
    host = sock.host
    if (
        target.family == C.AF_INET
        and host.network.is_broadcast(host, target.packed)
        and not sock.option(C.SOL_SOCKET, C.SO_BROADCAST)
        and not host.network.profile.udp_broadcast_connect_without_so_broadcast
    ):
        # "to connect to a broadcast address, a socket must use setsockopt to enable
        # SO_BROADCAST. Otherwise, WSAConnect will fail with the error code WSAEACCES."
        raise E.error_for_code(E.WSAEACCES, "SO_BROADCAST is not set")
    if not host.can_reach(target.family, target.packed):
        raise E.error_for_code(E.WSAENETUNREACH, str(target))
    transition(False, sock.state, CONNECT)  # legal? (checked before the implicit bind)
    if sock.state is UNBOUND:
        implicit_bind(sock, _local_for(sock, target))
    if sock.remote is None:
        # Datagrams from any other address are discarded from now on.
        udp.discard_queued(sock, keep_from=remote)
    elif sock.remote != remote:
        # "If the name is different from a previous WSAConnect, queued datagrams that are
        # waiting to be received are discarded."
        udp.discard_queued(sock)
    sock.remote = remote
    sock.fire(CONNECT)
    registration = sock.registration
    if registration is not None:
        # A UDP connect records FD_CONNECT and FD_WRITE for an event object, and posts FD_WRITE
        # to a window (Wine's sock.c, test_connect_events).
        for bit in (C.FD_CONNECT_BIT, C.FD_WRITE_BIT):
            events.rearm(sock, bit)
        if registration.event is not None:
            events.post(sock, C.FD_CONNECT_BIT)
        events.post(sock, C.FD_WRITE_BIT)
