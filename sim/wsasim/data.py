"""The data path of the simulated Winsock: send, sendto, recv and recvfrom after the handle
was found.

This module owns what those calls do with a socket, in the order the checks apply (send, recv,
sendto and recvfrom documents):

1. the payload is bytes-like (TypeError otherwise) and the flags an int;
2. the state table (:mod:`wsasim._state`) says whether the call is legal: WSAENOTCONN,
   WSAESHUTDOWN, WSAECONNRESET, or WSAEINVAL for an unbound datagram socket;
3. a datagram larger than 65,507 bytes is WSAEMSGSIZE; a broadcast ``sendto`` needs
   SO_BROADCAST (WSAEACCES); an unbound datagram socket is bound implicitly by ``sendto``;
4. a stream send takes what the buffers hold (flow control: :func:`wsasim.readiness.room`);
   a blocking one waits for the rest (SO_SNDTIMEO bounds the wait), a non-blocking one sends
   what fits or gives WSAEWOULDBLOCK;
5. out-of-band data (MSG_OOB, stream sockets only: WSAEOPNOTSUPP otherwise, send and recv
   documents): the last byte of a send with MSG_OOB is urgent, as in BSD's reading of the
   urgent pointer, which Windows follows unless TCP_EXPEDITED_1122 is set ("TCP urgent data"
   in Microsoft's "Protocol-Independent Out-of-Band Data"); with SO_OOBINLINE off the receiver
   keeps it apart, for recv(MSG_OOB) only (:mod:`wsasim.tcp`); with it on, recv(MSG_OOB) is
   WSAEINVAL (Wine's sock.c, test_select);
6. recv on a stream joins queued chunks (a byte stream), and what it takes frees room for the
   peer; on a datagram socket it takes one datagram, truncated with WSAEMSGSIZE when the
   buffer is too small; a blocking recv waits (:mod:`wsasim.blocking`; SO_RCVTIMEO bounds the
   wait: WSAETIMEDOUT), a non-blocking one gives WSAEWOULDBLOCK; the FD_READ event is
   re-enabled, and posted again while data is left (WSAEventSelect document).

How bytes travel belongs to :mod:`wsasim.tcp` and :mod:`wsasim.udp`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from wsaconnect import addresses as A
from wsaconnect import checks
from wsaconnect import constants as C
from wsaconnect import errors as E
from wsaconnect.addresses import AddressTuple, SockAddr
from wsasim import blocking, events, readiness, tcp, udp
from wsasim import connect as _connect
from wsasim._state import CLOSED, RECEIVE, RECEIVE_FROM, RESET, SEND, SEND_TO, UNBOUND, transition
from wsasim.sockets import SHUT_RECEIVE, SHUT_SEND, Socket

if TYPE_CHECKING:
    from wsasim.winsock import Winsock

#: The largest UDP payload over IPv4 (65,535 - 8 - 20).
MAX_DATAGRAM = 65507

#: What recv and recvfrom return: (count or SOCKET_ERROR, data, source address).
Received = tuple[int, bytes, AddressTuple | None]


def payload(value: object, what: str = "data") -> bytes:
    """The bytes of a bytes-like argument.

    Raises:
        TypeError: not bytes, bytearray or memoryview.
    """
    if not isinstance(value, (bytes, bytearray, memoryview)):
        raise TypeError(f"{what} must be bytes-like, not {type(value).__name__}")
    return bytes(value)


def _flags(sock: Socket, flags: object) -> int:
    bits = checks.integer(flags, "flags")
    if bits & C.MSG_OOB and not sock.stream:
        raise E.error_for_code(E.WSAEOPNOTSUPP, "MSG_OOB on a datagram socket")
    return bits


def send(ws: Winsock, sock: Socket, data: object, flags: object) -> int:
    """send(): on a stream, or to a datagram socket's default destination."""
    raw, bits = payload(data), _flags(sock, flags)
    transition(sock.stream, sock.state, SEND)
    if sock.stream:
        return _send_stream(ws, sock, raw, urgent=bool(bits & C.MSG_OOB))
    assert sock.remote is not None  # the table: a datagram socket that may send is connected
    return _send_datagram(sock, sock.remote, raw, check_broadcast=False)


def send_to(
    ws: Winsock, sock: Socket, data: object, flags: object, destination: SockAddr | None
) -> int:
    """sendto(): on a stream socket the destination is ignored, as in C."""
    raw, bits = payload(data), _flags(sock, flags)
    if sock.stream:
        transition(True, sock.state, SEND)
        return _send_stream(ws, sock, raw, urgent=bool(bits & C.MSG_OOB))
    if destination is None:
        raise E.error_for_code(E.WSAEAFNOSUPPORT, "AF_UNSPEC")
    transition(False, sock.state, SEND_TO)
    return _send_datagram(sock, destination, raw, check_broadcast=True)


def _send_stream(ws: Winsock, sock: Socket, raw: bytes, *, urgent: bool) -> int:
    """Send what the buffers take (:func:`wsasim.readiness.room`). A non-blocking socket sends
    what fits and returns its count, or WSAEWOULDBLOCK when nothing fits (FD_WRITE comes back
    when room frees up); a blocking one waits until everything is sent, at most SO_SNDTIMEO
    milliseconds (then WSAETIMEDOUT), as the send document says. With ``urgent`` (MSG_OOB)
    the last byte sent is out-of-band data."""
    sent, total = 0, len(raw)
    while True:
        room = readiness.room(sock)
        chunk = raw[sent:] if room is None else raw[sent : sent + room]
        if chunk:
            sent += len(chunk)
            if urgent and sent == total:
                tcp.send(sock, chunk[:-1])
                tcp.send(sock, chunk[-1:], urgent=True)
            else:
                tcp.send(sock, chunk)
        if sent == total:
            return total
        if sock.nonblocking:
            if sent:
                return sent
            events.rearm(sock, C.FD_WRITE_BIT)
            raise E.error_for_code(E.WSAEWOULDBLOCK)
        _block(ws, sock, readiness.writable, C.SO_SNDTIMEO, "send")
        transition(True, sock.state, SEND)  # a shutdown or a reset while waiting


def _block(
    ws: Winsock, sock: Socket, ready: Callable[[Socket], bool], option: int, what: str
) -> None:
    """Wait until ``ready(sock)``, at most SO_SNDTIMEO or SO_RCVTIMEO (``option``, in
    milliseconds; 0: no limit).

    Raises:
        WinsockError: WSAETIMEDOUT when the time passed (setsockopt document: "the blocking
            call fails with WSAETIMEDOUT"; Wine's sock.c, test_timeout); WSAEINTR when the
            socket was closed meanwhile (closesocket document).
    """
    milliseconds = sock.option(C.SOL_SOCKET, option)
    deadline = None if milliseconds <= 0 else sock.host.network.now + milliseconds / 1000
    if not blocking.wait(ws, lambda: ready(sock) or sock.state is CLOSED, (sock,), deadline, what):
        raise E.error_for_code(E.WSAETIMEDOUT, f"{what}: the socket's timeout passed")
    if sock.state is CLOSED:
        raise E.error_for_code(E.WSAEINTR, "the socket was closed")


def _send_datagram(sock: Socket, to: SockAddr, raw: bytes, *, check_broadcast: bool) -> int:
    udp.refuse_if_shut(sock, SHUT_SEND)
    if len(raw) > MAX_DATAGRAM:
        raise E.error_for_code(E.WSAEMSGSIZE, f"{len(raw)} bytes")
    target = _connect.route_target(sock, to)
    if A.is_unspecified(target) or target.port == 0:
        raise E.error_for_code(E.WSAEADDRNOTAVAIL, str(target))
    host = sock.host
    if (
        check_broadcast
        and target.family == C.AF_INET
        and host.network.is_broadcast(host, target.packed)
        and not sock.option(C.SOL_SOCKET, C.SO_BROADCAST)
    ):
        # sendto document: a broadcast address needs SO_BROADCAST (WSAEACCES); so does
        # Windows even where the connect succeeded (Wine's sock.c, test_UDP broadcast).
        raise E.error_for_code(E.WSAEACCES, "SO_BROADCAST is not set")
    if sock.state is UNBOUND:
        if not host.can_reach(target.family, target.packed):
            raise E.error_for_code(E.WSAENETUNREACH, str(target))
        _connect.implicit_bind(sock, bytes(16 if sock.family == C.AF_INET6 else 4))
    udp.send(sock, target, raw)
    return len(raw)


def receive(ws: Winsock, sock: Socket, bufsize: object, flags: object, *, source: bool) -> Received:
    """recv() (``source`` False) or recvfrom() (True) on ``sock`` of ``ws``'s host."""
    size, flag_bits = checks.integer(bufsize, "bufsize", 0), _flags(sock, flags)
    peek = bool(flag_bits & C.MSG_PEEK)
    event = RECEIVE_FROM if source and not sock.stream else RECEIVE
    what = "recvfrom" if source else "recv"
    transition(sock.stream, sock.state, event)
    if not sock.stream:
        udp.refuse_if_shut(sock, SHUT_RECEIVE)
    elif flag_bits & C.MSG_OOB:
        return _receive_urgent(ws, sock, size, peek)
    if not readiness.readable(sock):
        if sock.nonblocking:
            raise E.error_for_code(E.WSAEWOULDBLOCK)
        sock.receiving = True
        try:
            _block(ws, sock, readiness.readable, C.SO_RCVTIMEO, what)
        finally:
            sock.receiving = False
    events.rearm(sock, C.FD_READ_BIT)
    inbox = sock.inbox
    if sock.stream:
        if not inbox:
            if sock.state is RESET:
                raise E.error_for_code(E.WSAECONNRESET)
            return 0, b"", None  # the peer's FIN: readable with nothing queued
        taken = _take(inbox, size, peek)
        if not peek:
            tcp.consumed(sock, len(taken))
        if inbox:
            events.post(sock, C.FD_READ_BIT)
        return len(taken), taken, None
    assert inbox  # readable, and a datagram socket has no end of stream
    datagram, sender = inbox[0] if peek else inbox.popleft()
    assert sender is not None
    if inbox:
        events.post(sock, C.FD_READ_BIT)
    if len(datagram) > size:
        # recv document: the datagram is truncated and the call fails with WSAEMSGSIZE.
        ws._last_error = E.WSAEMSGSIZE
        return C.SOCKET_ERROR, datagram[:size], sender.to_tuple()
    return len(datagram), datagram, sender.to_tuple()


def _receive_urgent(ws: Winsock, sock: Socket, size: int, peek: bool) -> Received:
    """recv(MSG_OOB): the out-of-band bytes, which "jump the queue" (Microsoft's
    "Protocol-Independent Out-of-Band Data"); FD_OOB is re-enabled, and posted again while
    some are left."""
    if sock.option(C.SOL_SOCKET, C.SO_OOBINLINE):
        raise E.error_for_code(E.WSAEINVAL, "MSG_OOB with SO_OOBINLINE on")
    if not sock.urgent:
        if sock.nonblocking:
            raise E.error_for_code(E.WSAEWOULDBLOCK)
        _block(ws, sock, lambda s: bool(s.urgent), C.SO_RCVTIMEO, "recv(MSG_OOB)")
    urgent = sock.urgent
    assert urgent
    taken = bytes(urgent[:size])
    events.rearm(sock, C.FD_OOB_BIT)
    if not peek:
        del urgent[:size]
        tcp.consumed(sock, len(taken))
    if urgent:
        events.post(sock, C.FD_OOB_BIT)
    return len(taken), taken, None


def _take(inbox: deque[tuple[bytes, SockAddr | None]], size: int, peek: bool) -> bytes:
    """Take up to ``size`` bytes from a stream's queue of chunks (a byte stream: chunks join)."""
    parts: list[bytes] = []
    wanted = size
    for chunk, _ in inbox:
        if wanted <= 0:
            break
        parts.append(chunk[:wanted])
        wanted -= len(parts[-1])
    taken = b"".join(parts)
    if not peek:
        left = len(taken)
        while left:
            chunk = inbox[0][0]
            if len(chunk) <= left:
                inbox.popleft()
                left -= len(chunk)
            else:
                inbox[0] = (chunk[left:], None)
                left = 0
    return taken
