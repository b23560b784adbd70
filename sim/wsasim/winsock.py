"""The low-level Winsock API of one simulated host (docs/api.md).

This module owns the functions an application calls, with Winsock's names, argument order and
conventions: each returns what the C function returns (a tuple when C also writes through
out-parameters); a failure is SOCKET_ERROR, INVALID_SOCKET or FALSE with the code in
:meth:`Winsock.WSAGetLastError`. Only a Python value of the wrong type raises (TypeError), or
one no C structure can carry (ValueError); a blocking call that nothing can complete raises
:class:`wsasim.Deadlock`.

Every function passes through :func:`wsasim.calls.winsock_call`, which applies the rules that
come before any function's own checks (WSANOTINITIALISED, Winsock 1.1's WSAEINPROGRESS,
WSAENETDOWN) and turns a :class:`~wsaconnect.errors.WinsockError` raised inside into the
C-style failure; :data:`EXEMPT` lists the few that do not, each with its reason.

The facade keeps the API and little else: the connect checks are :mod:`wsasim.connect`'s and
:mod:`wsasim.by_list`'s, option rules :mod:`wsasim.options`'s, the data path
:mod:`wsasim.data`'s, waiting and WSACancelBlockingCall :mod:`wsasim.blocking`'s, readiness
:mod:`wsasim.readiness`'s, and the state table :mod:`wsasim._state`'s. It builds no object of
the layers above: :meth:`Winsock.socket_object` uses the socket class it was given.
WSAGetLastError is per host here (per thread on Windows).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol, cast

from wsaconnect import addresses as A
from wsaconnect import checks
from wsaconnect import constants as C
from wsaconnect import errors as E
from wsaconnect.addresses import AddressTuple, Name, SockAddr
from wsaconnect.ordering import LocalAddress
from wsaconnect.structures import QOS, WSABUF
from wsasim import blocking, by_list, events, ioctl, options, readiness, tcp, udp
from wsasim import connect as _connect
from wsasim import data as _data
from wsasim._state import (
    ACCEPT,
    BIND,
    CLOSE,
    CLOSED,
    CONNECTING,
    CONNECTION_STATES,
    LISTEN,
    transition,
)
from wsasim.calls import winsock_call
from wsasim.events import EventObject, MessageWindow, Registration
from wsasim.sockets import Socket

if TYPE_CHECKING:
    from wsasim.host import Host
    from wsasim.network import Attempt, Network

#: The protocol each socket type carries.
_PROTOCOL_OF_TYPE = {C.SOCK_STREAM: C.IPPROTO_TCP, C.SOCK_DGRAM: C.IPPROTO_UDP}


class SocketFactory(Protocol):
    """The socket class of the layer above: ``cls._adopt(winsock, handle, family, type,
    proto)`` wraps a handle (:meth:`wsasim.SimSocket._adopt`)."""

    def _adopt(self, winsock: Winsock, handle: int, family: int, type: int, proto: int) -> Any:
        """An object with the ``socket.socket`` interface that owns ``handle``."""


#: The functions the rules of :mod:`wsasim.calls` do not apply to, and why. Every other public
#: method goes through :func:`~wsasim.calls.winsock_call` (a test checks both lists).
EXEMPT = {
    "WSAStartup": "it is what starts Winsock; it returns its error instead of setting one",
    "WSAGetLastError": "it reads the last error, which any call may leave",
    "WSASetLastError": "it sets the last error",
    "WSACancelBlockingCall": "it is the call made while a blocking call is in progress",
    "socket_object": "not a Winsock function: wraps a handle for the layer above",
    "create_message_window": "not a Winsock function: a window of the simulated desktop",
    "get_messages": "not a Winsock function: the window's message queue",
    "now": "not a Winsock function: the clock of the layer above (the network's)",
    "local_addresses": "not a Winsock function: the host's addresses, for RFC 6724 ordering",
}


class Winsock:
    """Winsock for one :class:`~wsasim.host.Host`: the backend of docs/api.md.

    Args:
        host: the host whose Winsock this is.
        socket_class: what :meth:`socket_object` wraps a handle in (the layer above owns it:
            :class:`wsasim.SimSocket` for hosts made by ``net.add_host``).
    """

    def __init__(self, host: Host, socket_class: SocketFactory) -> None:
        self.host = host
        self._handles = host.network.handles
        self._socket_class = socket_class
        self._started = 0
        self._version = (2, 2)
        self._last_error = 0
        self._blocking = 0
        self._cancelled = False
        #: The sockets with more than one handle (:meth:`duplicate_handle`), and their open
        #: handles; a socket is closed when its last handle is.
        self._duplicates: dict[Socket, list[int]] = {}

    @property
    def network(self) -> Network:
        """The network the host is on."""
        return self.host.network

    @property
    def started(self) -> bool:
        """True between a successful WSAStartup and the last WSACleanup."""
        return self._started > 0

    @property
    def attempts(self) -> list[Attempt]:
        """This host's connection attempts, oldest first (see :class:`wsasim.Attempt`)."""
        return self.host.attempts

    def now(self) -> float:
        """The network's virtual time: the clock a layer above times itself with (what
        ``time.monotonic`` is natively)."""
        return self.host.network.now

    def local_addresses(self) -> list[LocalAddress]:
        """The host's addresses with their prefix lengths (what GetAdaptersAddresses gives
        natively), for RFC 6724 source and destination selection."""
        return self.host.local_addresses()

    def socket_object(
        self, s: int, family: int | None = None, type: int | None = None, proto: int = 0
    ) -> Any:
        """An object with the ``socket.socket`` interface that owns the socket handle ``s``.

        ``family``, ``type`` and ``proto`` are the protocol's; the simulator knows them and
        takes its own.

        Raises:
            WinsockError: WSAENOTSOCK when ``s`` is not a socket of this host.
        """
        sock = self._socket(s)
        return self._socket_class._adopt(self, s, sock.family, sock.type, sock.protocol)

    # --- helpers ----------------------------------------------------------------------------

    def _socket(self, s: object, what: str = "s") -> Socket:
        if type(s) is int:  # the hot path: one dict lookup
            sock = self._handles.get(s)
            if type(sock) is Socket and sock.host is self.host:
                return sock
        raise E.error_for_code(E.WSAENOTSOCK, f"handle {checks.integer(s, what)}")

    def _object(self, h: object, kind: type[Any], what: str) -> Any:
        obj = self._handles.get(checks.integer(h, what))
        return obj if isinstance(obj, kind) and obj.host is self.host else None

    # --- startup and errors -------------------------------------------------------------------

    def WSAStartup(self, version: int = 0x0202) -> int:
        """Start Winsock; returns 0 or the error code (not through WSAGetLastError)."""
        version = checks.integer(version, "version")
        major, minor = version & 0xFF, (version >> 8) & 0xFF
        if major < 1:
            return E.WSAVERNOTSUPPORTED
        if self.host.network_down:
            return E.WSASYSNOTREADY
        if not self._started:
            # Windows offers versions 1.0 to 2.2 and agrees to the highest not above the ask.
            self._version = min((major, minor), (2, 2))
        self._started += 1
        return 0

    @winsock_call(C.SOCKET_ERROR, needs_network=False)
    def WSACleanup(self) -> int:
        """Undo one WSAStartup; the last one closes every socket (WSACleanup document)."""
        self._started -= 1
        if not self._started:
            for sock in dict.fromkeys(self.host.sockets()):  # a duplicated socket once
                self._close(sock)
        return 0

    def WSAGetLastError(self) -> int:
        """The code of the last failure."""
        return self._last_error

    def WSASetLastError(self, code: int) -> None:
        """Set the code WSAGetLastError returns."""
        self._last_error = checks.integer(code, "code")

    def WSACancelBlockingCall(self) -> int:
        """End the blocking call in progress with WSAEINTR (Winsock 1.1 only).

        Winsock 2 removed it: after WSAStartup(2.x) it fails with WSAEOPNOTSUPP.
        """
        if not self._started:
            self._last_error = E.WSANOTINITIALISED
            return C.SOCKET_ERROR
        if self._version >= (2, 0):
            self._last_error = E.WSAEOPNOTSUPP
            return C.SOCKET_ERROR
        if not self._blocking:
            self._last_error = E.WSAEINVAL
            return C.SOCKET_ERROR
        blocking.cancel(self)
        return 0

    @property
    def version(self) -> int:
        """The negotiated version, as WSADATA.wVersion (0x0202 for 2.2, 0x0101 for 1.1)."""
        major, minor = self._version
        return (minor << 8) | major

    # --- sockets ----------------------------------------------------------------------------

    @winsock_call(C.INVALID_SOCKET)
    def socket(self, af: int, type: int, protocol: int = 0) -> int:
        """Make a socket: AF_INET or AF_INET6; SOCK_STREAM (TCP) or SOCK_DGRAM (UDP)."""
        # Three ints is the common case; otherwise checks.integer names the one that is not.
        if not (af.__class__ is type.__class__ is protocol.__class__ is int):
            af, type, protocol = (
                checks.integer(af, "af"),
                checks.integer(type, "type"),
                checks.integer(protocol, "protocol"),
            )
        if af not in (C.AF_INET, C.AF_INET6):
            raise E.error_for_code(E.WSAEAFNOSUPPORT, f"address family {af}")
        expected = _PROTOCOL_OF_TYPE.get(type)
        if expected is None:
            raise E.error_for_code(E.WSAESOCKTNOSUPPORT, f"socket type {type}")
        if protocol not in (0, expected):
            code = (
                E.WSAEPROTOTYPE
                if protocol in (C.IPPROTO_TCP, C.IPPROTO_UDP)
                else E.WSAEPROTONOSUPPORT
            )
            raise E.error_for_code(code, f"protocol {protocol} with socket type {type}")
        sock = Socket(self.host, af, type, expected)
        sock.handle = self.host.network.add_handle(sock)
        return sock.handle

    def _close(self, sock: Socket) -> None:
        # SO_LINGER on with a zero timeout: an abortive close (closesocket document). A socket
        # with no option set has Windows' default, lingering off.
        abortive = False
        if sock.options is not None and sock.stream:
            onoff, seconds = options.linger(sock)
            abortive = bool(onoff) and seconds == 0
        tcp.close(sock, abortive=abortive)
        local, remote = sock.local, sock.remote
        if remote is not None and local is not None and sock.stream:
            # A connection a listener made is gone: its four addresses may be used again.
            connections = self.host.connections
            if connections.get((local, remote)) is sock:
                del connections[local, remote]
        if sock.accept_queue is not None:
            self.host.remove_listener(sock)
        if sock.local is not None:
            self.host.ports.release(sock.handle, sock.type, sock.local.port)
        sock.registration = None
        for handle in self._duplicates.pop(sock, None) or (sock.handle,):
            del self._handles[handle]
        sock.fire(CLOSE)

    @winsock_call(C.SOCKET_ERROR, needs_network=False)
    def closesocket(self, s: int) -> int:
        """Close a socket. A blocking call on it ends with WSAEINTR (closesocket document)."""
        sock = self._socket(s)
        handles = self._duplicates.get(sock)
        if handles is not None and len(handles) > 1:
            # WSADuplicateSocket document: closesocket deallocates that descriptor; the socket
            # remains open until closesocket is called by the last remaining descriptor.
            handles.remove(s)
            del self._handles[s]
            return 0
        self._close(sock)
        return 0

    @winsock_call(C.INVALID_SOCKET)
    def duplicate_handle(self, s: int) -> int:
        """A second handle to socket ``s``: what WSADuplicateSocket for this process and then
        WSASocket(FROM_PROTOCOL_INFO) give (``socket.dup`` on Windows, Modules/socketmodule.c,
        ``socket_dup``). Both name the same socket, whose state, options and blocking mode
        they share; closing one leaves the other open. (select reports it by the handle it
        was given; WSAAsyncSelect messages name it by its first handle, its identity.)"""
        sock = self._socket(s)
        handle = self.host.network.add_handle(sock)
        self._duplicates.setdefault(sock, [sock.handle]).append(handle)
        return handle

    @winsock_call(C.SOCKET_ERROR)
    def bind(self, s: int, name: Name | None, namelen: int | None = None) -> int:
        """Give the socket a local address (port 0: an ephemeral port)."""
        sock = self._socket(s)
        local = A.decode(name, namelen, socket_family=sock.family)
        if local is None:
            raise E.error_for_code(E.WSAEAFNOSUPPORT, "AF_UNSPEC")
        transition(sock.stream, sock.state, BIND)  # legal? (before the port is claimed)
        packed = A.unmapped(local).packed
        if any(packed) and not self.host.owns(packed):
            raise E.error_for_code(E.WSAEADDRNOTAVAIL, f"{local.host} is not this host's")
        if A.is_v4_mapped(local) and sock.v6only:
            raise E.error_for_code(E.WSAEADDRNOTAVAIL, "IPv4-mapped address, IPV6_V6ONLY on")
        if local.scope_id:
            # A scope id names an interface; the simulated hosts' interfaces have none to give,
            # so any is foreign (Wine's sock.c, test_bind: ::1 with scope id 0xabacab).
            raise E.error_for_code(E.WSAEADDRNOTAVAIL, f"scope id {local.scope_id}")
        port = self.host.ports.bind(
            sock.handle, sock.type, local.port, _connect.binding_of(sock, local.packed)
        )
        sock.local = local.with_port(port)
        sock.fire(BIND)
        return 0

    @winsock_call(C.SOCKET_ERROR)
    def listen(self, s: int, backlog: int) -> int:
        """Make a bound stream socket accept connections."""
        sock = self._socket(s)
        backlog = checks.integer(backlog, "backlog")
        sock.fire(LISTEN)
        # Windows caps the backlog at SOMAXCONN's 200 and raises 0 or less to 1.
        sock.backlog = max(1, min(backlog, 200))
        if sock.accept_queue is None:  # the first listen
            sock.accept_queue = deque()
            self.host.add_listener(sock)
        return 0

    @winsock_call((C.INVALID_SOCKET, None))
    def accept(self, s: int) -> tuple[int, AddressTuple | None]:
        """Take a waiting connection: ``(new socket, peer address)``."""
        sock = self._socket(s)
        transition(sock.stream, sock.state, ACCEPT)
        queue = sock.accept_queue
        assert queue is not None  # listening
        if not queue:
            if sock.nonblocking:
                raise E.error_for_code(E.WSAEWOULDBLOCK)
            blocking.wait(
                self, lambda: bool(queue) or sock.state is CLOSED, (sock,), None, "accept"
            )
            if sock.state is CLOSED:
                raise E.error_for_code(E.WSAEINTR, "the socket was closed")
        conn = queue.popleft()
        conn.handle = self.host.network.add_handle(conn)
        # accept document: the new socket "has the same properties as socket s, including
        # asynchronous events registered with WSAAsyncSelect or WSAEventSelect"; its options
        # too (Wine's sock.c, test_accept_inheritance, and test_accept_events: FD_WRITE).
        conn.options = None if sock.options is None else dict(sock.options)
        conn.nonblocking = sock.nonblocking
        if sock.registration is not None:
            conn.registration = events.inherit(sock.registration)
            readiness.post_current(conn)
            events.rearm(sock, C.FD_ACCEPT_BIT)
            if queue:
                events.post(sock, C.FD_ACCEPT_BIT)
        assert conn.remote is not None
        return conn.handle, conn.remote.to_tuple()

    @winsock_call(C.SOCKET_ERROR)
    def shutdown(self, s: int, how: int) -> int:
        """Disable receives (SD_RECEIVE), sends (SD_SEND, which sends FIN) or both (SD_BOTH).

        shutdown document: WSAEINVAL for another ``how``; WSAENOTCONN on a stream socket that
        is not connected. On a datagram socket it only refuses later calls (wsasim.udp).
        """
        sock = self._socket(s)
        how = checks.integer(how, "how")
        if how not in (C.SD_RECEIVE, C.SD_SEND, C.SD_BOTH):
            raise E.error_for_code(E.WSAEINVAL, f"how {how}")
        receive, send = how != C.SD_SEND, how != C.SD_RECEIVE
        if sock.stream:
            tcp.shutdown(sock, receive=receive, send=send)
        else:
            udp.shutdown(sock, receive=receive, send=send)
        return 0

    @winsock_call(C.SOCKET_ERROR)
    def ioctlsocket(self, s: int, cmd: int, arg: int) -> int:
        """FIONBIO: ``arg`` non-zero makes the socket non-blocking (:mod:`wsasim.ioctl`)."""
        sock = self._socket(s)
        cmd, arg = checks.integer(cmd, "cmd"), checks.integer(arg, "arg")
        if cmd != C.FIONBIO:
            raise E.error_for_code(E.WSAEINVAL, f"ioctl {cmd:#x} is not supported here")
        ioctl.set_nonblocking(sock, bool(arg))
        return 0

    @winsock_call((C.SOCKET_ERROR, b""))
    def WSAIoctl(
        self, s: int, code: int, in_buffer: bytes | None, out_size: int = 0
    ) -> tuple[int, bytes]:
        """A control code: ``(0, output bytes)``; FIONBIO and SIO_TCP_INITIAL_RTO are known,
        any other code is WSAEOPNOTSUPP (the rules are :mod:`wsasim.ioctl`'s)."""
        code = ioctl.control_code(code, "code")
        data = ioctl.input_bytes(in_buffer)
        out_size = checks.integer(out_size, "out_size", 0, 0xFFFFFFFF)
        sock = self._socket(s)
        return 0, ioctl.wsaioctl(sock, code, data, out_size)

    @winsock_call(None, needs_network=False, failure_of=lambda code: (code, []))
    def getaddrinfo(
        self,
        nodename: str | None,
        servicename: str | None,
        family: int = C.AF_UNSPEC,
        socktype: int = 0,
        protocol: int = 0,
        flags: int = 0,
    ) -> tuple[int, list[tuple[int, int, int, str, AddressTuple]]]:
        """GetAddrInfoW over the network's names: ``(0, [(family, socktype, protocol,
        canonname, sockaddr), ...])``, or ``(code, [])`` with the code also in
        WSAGetLastError (:mod:`wsasim.addrinfo`). The names are answered as a hosts file
        would, without the network, so they resolve while it is down."""
        from wsasim import addrinfo  # the resolver imports the host, which imports this

        return 0, addrinfo.getaddrinfo(
            self.host, nodename, servicename, family, socktype, protocol, flags
        )

    # --- options ----------------------------------------------------------------------------

    @winsock_call(C.SOCKET_ERROR)
    def setsockopt(self, s: int, level: int, optname: int, value: object) -> int:
        """Set an option: ``value`` an int/bool, raw bytes, or None for a NULL ``optval``
        (the rules are :func:`wsasim.options.set_value`'s)."""
        sock = self._socket(s)
        level, optname = checks.integer(level, "level"), checks.integer(optname, "optname")
        options.set_value(sock, level, optname, value)
        return 0

    @winsock_call((C.SOCKET_ERROR, None))
    def getsockopt(self, s: int, level: int, optname: int) -> tuple[int, Any]:
        """Read an option: ``(0, value)`` (see :func:`wsasim.options.get_value`)."""
        sock = self._socket(s)
        level, optname = checks.integer(level, "level"), checks.integer(optname, "optname")
        return 0, options.get_value(sock, level, optname)

    @winsock_call((C.SOCKET_ERROR, None))
    def getsockname(self, s: int) -> tuple[int, AddressTuple | None]:
        """The socket's local address (WSAEINVAL before it is bound)."""
        sock = self._socket(s)
        if sock.local is None:
            raise E.error_for_code(E.WSAEINVAL, "the socket is not bound")
        return 0, sock.local.to_tuple()

    @winsock_call((C.SOCKET_ERROR, None))
    def getpeername(self, s: int) -> tuple[int, AddressTuple | None]:
        """The peer's address (WSAENOTCONN when not connected)."""
        sock = self._socket(s)
        pending = sock.state is CONNECTING and self.network.profile.getpeername_while_connecting
        connected = sock.state in CONNECTION_STATES if sock.stream else sock.remote is not None
        if sock.remote is None or not (connected or pending):
            raise E.error_for_code(E.WSAENOTCONN)
        return 0, sock.remote.to_tuple()

    # --- connecting ---------------------------------------------------------------------------

    @winsock_call(C.SOCKET_ERROR)
    def connect(self, s: int, name: Name | None, namelen: int | None = None) -> int:
        """connect: WSAConnect without connect data or QOS."""
        sock = self._socket(s)
        return self._connect(sock, A.decode(name, namelen, socket_family=sock.family))

    @winsock_call(C.SOCKET_ERROR)
    def WSAConnect(
        self,
        s: int,
        name: Name | None,
        namelen: int | None = None,
        caller_data: bytes | None = None,
        callee_data: WSABUF | None = None,
        sqos: QOS | None = None,
        gqos: QOS | None = None,
    ) -> int:
        """Connect a socket; see :mod:`wsasim.connect` for the checks and their sources."""
        sock = self._socket(s)
        _connect.check_extras(caller_data, callee_data, sqos, gqos)
        remote = A.decode(name, namelen, socket_family=sock.family)
        caller = None if caller_data is None else bytes(caller_data)
        return self._connect(sock, remote, caller, callee_data, sqos)

    def _connect(
        self,
        sock: Socket,
        remote: SockAddr | None,
        caller_data: bytes | None = None,
        callee_data: WSABUF | None = None,
        sqos: QOS | None = None,
    ) -> int:
        """Steps 3 to 5 of :mod:`wsasim.connect`, then wait for a blocking connect."""
        if not sock.stream:
            _connect.connect_datagram(sock, remote)
            return 0
        if remote is None:
            raise E.error_for_code(E.WSAEADDRNOTAVAIL, "all-zero name")
        handshake = _connect.start_stream(
            sock, remote, caller_data, sqos, blocking=not sock.nonblocking
        )
        if callee_data is not None:
            callee_data.len = 0  # "If no user data is passed back, len is set to 0."
        if not handshake.blocking:
            raise E.error_for_code(E.WSAEWOULDBLOCK)
        error = blocking.complete(self, handshake)
        if error:
            raise E.error_for_code(error)
        return 0

    @winsock_call((False, None, None))
    def WSAConnectByList(
        self,
        s: int,
        addresses: Sequence[Name],
        timeout: float | None = None,
        reserved: object = None,
        *,
        local_address_length: int | None = by_list.DEFAULT_LENGTH,
        remote_address_length: int | None = by_list.DEFAULT_LENGTH,
    ) -> tuple[bool, AddressTuple | None, AddressTuple | None]:
        """Connect to the best reachable one of ``addresses``: ``(True, local, remote)``.

        See :mod:`wsasim.by_list` for the document's rules and how they are applied.
        """
        sock = self._socket(s)
        seconds = checks.timeout(timeout)
        by_list.check_socket(sock, reserved)
        destinations = by_list.decode_addresses(addresses, sock.family)
        lengths = (local_address_length, remote_address_length)
        by_list.check_lengths(lengths, sock.family)
        return by_list.connect_pairs(self, sock, destinations, seconds, lengths)

    @winsock_call((False, None, None))
    def WSAConnectByName(
        self,
        s: int,
        nodename: str | None,
        servicename: str | None,
        timeout: float | None = None,
        reserved: object = None,
        *,
        local_address_length: int | None = by_list.DEFAULT_LENGTH,
        remote_address_length: int | None = by_list.DEFAULT_LENGTH,
    ) -> tuple[bool, AddressTuple | None, AddressTuple | None]:
        """Resolve ``nodename``/``servicename`` and connect as WSAConnectByList does."""
        for value, what in ((nodename, "nodename"), (servicename, "servicename")):
            if value is not None and not isinstance(value, str):
                raise TypeError(f"{what} must be a str or None, not {type(value).__name__}")
        if nodename is None or servicename is None:
            # docs/windows.md: checked before the socket is examined.
            raise E.error_for_code(E.WSAEINVAL, "nodename and servicename are required")
        sock = self._socket(s)
        seconds = checks.timeout(timeout)
        profile = self.network.profile
        udp_code = E.WSAEFAULT if profile.by_name_udp_gives_efault else E.WSAEINVAL
        by_list.check_socket(sock, reserved, udp_code=udp_code)
        lengths = (local_address_length, remote_address_length)
        by_list.check_lengths(lengths, sock.family)
        destinations = by_list.resolve_for(sock, nodename, servicename)
        ok, local, remote = by_list.connect_pairs(self, sock, destinations, seconds, lengths)
        if local is not None and profile.by_name_local_port_zero:
            local = A.from_tuple(local).with_port(0).to_tuple()
        return ok, local, remote

    # --- data (the rules are wsasim.data's) --------------------------------------------------

    @winsock_call(C.SOCKET_ERROR)
    def send(self, s: int, data: bytes, flags: int = 0) -> int:
        """Send on a connected socket (a datagram socket's default destination)."""
        return _data.send(self, self._socket(s), data, flags)

    @winsock_call((C.SOCKET_ERROR, b""))
    def recv(self, s: int, bufsize: int, flags: int = 0) -> tuple[int, bytes]:
        """Receive up to ``bufsize`` bytes: ``(count, data)``; ``(0, b"")`` after FIN."""
        count, received, _ = _data.receive(self, self._socket(s), bufsize, flags, source=False)
        return count, received

    @winsock_call((C.SOCKET_ERROR, b"", None))
    def recvfrom(
        self, s: int, bufsize: int, flags: int = 0
    ) -> tuple[int, bytes, AddressTuple | None]:
        """Receive a datagram and its source: ``(count, data, address)``."""
        return _data.receive(self, self._socket(s), bufsize, flags, source=True)

    @winsock_call(C.SOCKET_ERROR)
    def sendto(
        self, s: int, data: bytes, flags: int, to: Name | None, tolen: int | None = None
    ) -> int:
        """Send a datagram to ``to`` (on a stream socket ``to`` is ignored, as in C)."""
        sock = self._socket(s)
        destination = (
            None
            if sock.stream
            else A.decode(to, tolen, socket_family=sock.family, what=("to", "tolen"))
        )
        return _data.send_to(self, sock, data, flags, destination)

    # --- select -------------------------------------------------------------------------------

    @winsock_call((C.SOCKET_ERROR, [], [], []))
    def select(
        self,
        readfds: Sequence[int],
        writefds: Sequence[int],
        exceptfds: Sequence[int],
        timeout: float | None = None,
    ) -> tuple[int, list[int], list[int], list[int]]:
        """Wait until a socket is ready: ``(count, readable, writable, exceptional)``.

        ``timeout`` is seconds (None: wait for ever; 0: a poll, which first runs what is due);
        select document: WSAEINVAL when every set is empty or the timeout is negative,
        WSAENOTSOCK for a handle that is not a socket. The wait is the network's
        (:meth:`wsasim.network.Network.wait`).
        """
        sets = []
        for what, fds in (("readfds", readfds), ("writefds", writefds), ("exceptfds", exceptfds)):
            if fds is None:
                fds = []
            if isinstance(fds, (str, bytes)) or not isinstance(fds, Sequence):
                raise TypeError(
                    f"{what} must be a list of socket handles, not {type(fds).__name__}"
                )
            # A handle listed twice counts once (Wine's sock.c, test_select).
            sets.append(list(dict.fromkeys(self._socket(s, what) for s in fds)))
        seconds = checks.timeout(timeout, negative_ok=True)
        if not any(sets) or (seconds is not None and seconds < 0):
            raise E.error_for_code(E.WSAEINVAL, "no sockets, or a negative timeout")
        deadline = None if seconds is None else self.network.now + seconds
        watched = [s for group in sets for s in group]
        found = blocking.wait(self, lambda: readiness.ready_sets(sets), watched, deadline, "select")
        if found is None:
            return 0, [], [], []
        if self._duplicates:  # name a duplicated socket by the handle the caller gave
            passed = (readfds or (), writefds or (), exceptfds or ())
            named = [
                {getattr(self._handles.get(h), "handle", h): h for h in reversed(fds)}
                for fds in passed
            ]
            pairs = zip(named, found, strict=True)
            r, w, x = ([names.get(h, h) for h in group] for names, group in pairs)
            found = (r, w, x)
        return len(found[0]) + len(found[1]) + len(found[2]), *found

    # --- event objects and WSAEventSelect -----------------------------------------------------

    @winsock_call(C.WSA_INVALID_EVENT, needs_network=False)
    def WSACreateEvent(self) -> int:
        """Make a manual-reset, non-signaled event object."""
        return self.host.network.add_handle(EventObject(self.host))

    def _event(self, h: object) -> EventObject:
        event = self._object(h, EventObject, "h")
        if event is None:
            raise E.error_for_code(E.WSA_INVALID_HANDLE, f"handle {h!r} is not an event object")
        return cast("EventObject", event)

    @winsock_call(False, needs_network=False)
    def WSACloseEvent(self, h: int) -> bool:
        """Close an event object."""
        self._event(h)
        del self._handles[h]
        return True

    @winsock_call(False, needs_network=False)
    def WSASetEvent(self, h: int) -> bool:
        """Signal an event object."""
        self._event(h).set(True)
        return True

    @winsock_call(False, needs_network=False)
    def WSAResetEvent(self, h: int) -> bool:
        """Reset an event object to non-signaled."""
        self._event(h).set(False)
        return True

    @winsock_call(C.SOCKET_ERROR)
    def WSAEventSelect(self, s: int, h: int, mask: int) -> int:
        """Ask for network events on an event object; makes the socket non-blocking."""
        return self._register(
            s, mask, lambda: Registration(mask, event=self._object(h, EventObject, "h"))
        )

    def _register(self, s: int, mask: int, registration: Callable[[], Registration]) -> int:
        """WSAEventSelect/WSAAsyncSelect: a zero ``mask`` cancels; otherwise the socket goes
        non-blocking and the events whose condition already holds are reported at once.
        A registration without its event object or window is WSAEINVAL."""
        sock = self._socket(s)
        if not checks.integer(mask, "mask"):
            sock.registration = None
            return 0
        made = registration()
        if made.event is None and made.window is None:
            raise E.error_for_code(E.WSAEINVAL, "not an event object or a window")
        previous, sock.registration = sock.registration, made
        if made.event is not None and previous is not None and previous.event is not None:
            # The events recorded and not yet read by WSAEnumNetworkEvents stay the socket's:
            # a new selection that includes one signals its event at once (Wine's sock.c,
            # test_accept_events, "select on a subset containing FD_ACCEPT first").
            made.recorded, made.errors = previous.recorded, previous.errors
            if made.recorded & made.mask:
                made.event.set(True)
        sock.nonblocking = True
        readiness.post_current(sock)
        return 0

    @winsock_call((C.SOCKET_ERROR, 0, [0] * C.FD_MAX_EVENTS))
    def WSAEnumNetworkEvents(self, s: int, h: int) -> tuple[int, int, list[int]]:
        """Read and clear the recorded events: ``(0, lNetworkEvents, iErrorCode[10])``.

        ``h`` (0 for NULL) is reset when given.
        """
        sock = self._socket(s)
        if checks.integer(h, "h"):
            event = self._object(h, EventObject, "h")
            if event is None:
                raise E.error_for_code(E.WSAEINVAL, "h is not an event object")
            event.set(False)
        registration = sock.registration
        if registration is None:
            return 0, 0, [0] * C.FD_MAX_EVENTS
        recorded, codes = registration.recorded, list(registration.errors)
        registration.recorded = 0
        registration.errors = [0] * C.FD_MAX_EVENTS
        return 0, recorded, codes

    @winsock_call(C.WSA_WAIT_FAILED, needs_network=False)
    def WSAWaitForMultipleEvents(
        self, events: Sequence[int], wait_all: bool, timeout_ms: int, alertable: bool = False
    ) -> int:
        """Wait for one (or all) event objects: WSA_WAIT_EVENT_0 + index, or WSA_WAIT_TIMEOUT.

        ``timeout_ms`` is virtual milliseconds, WSA_INFINITE for ever. ``alertable`` is
        accepted; no APC is queued in the simulator, so it never returns WSA_WAIT_IO_COMPLETION.
        A failure is WSA_WAIT_FAILED with the code in WSAGetLastError (WSA_INVALID_PARAMETER,
        WSA_INVALID_HANDLE, or WSAEINTR when a Winsock 1.1 wait is cancelled).
        """
        if isinstance(events, (str, bytes)) or not isinstance(events, Sequence):
            raise TypeError(f"events must be a list of event handles, not {type(events).__name__}")
        timeout_ms = checks.integer(timeout_ms, "timeout_ms")
        if (
            not 0 < len(events) <= C.WSA_MAXIMUM_WAIT_EVENTS
            or not 0 <= timeout_ms <= C.WSA_INFINITE
        ):
            raise E.error_for_code(
                E.WSA_INVALID_PARAMETER, f"{len(events)} events, {timeout_ms} ms"
            )
        objects = [self._object(h, EventObject, "events") for h in events]
        if any(o is None for o in objects):
            raise E.error_for_code(E.WSA_INVALID_HANDLE, "events: not an event object")

        def signaled() -> int | None:
            flags = [o.signaled for o in objects]
            if wait_all:
                return C.WSA_WAIT_EVENT_0 if all(flags) else None
            return next((i for i, f in enumerate(flags) if f), None)

        infinite = timeout_ms == C.WSA_INFINITE
        deadline = None if infinite else self.network.now + timeout_ms / 1000
        blocking.wait(
            self, lambda: signaled() is not None, objects, deadline, "WSAWaitForMultipleEvents"
        )
        index = signaled()
        return C.WSA_WAIT_TIMEOUT if index is None else C.WSA_WAIT_EVENT_0 + index

    # --- WSAAsyncSelect and message windows -------------------------------------------------

    @winsock_call(C.SOCKET_ERROR)
    def WSAAsyncSelect(self, s: int, hwnd: int, msg: int, mask: int) -> int:
        """Ask for network events as window messages; makes the socket non-blocking."""
        msg = checks.integer(msg, "msg")
        return self._register(
            s,
            mask,
            lambda: Registration(mask, window=self._object(hwnd, MessageWindow, "hwnd"), msg=msg),
        )

    def create_message_window(self) -> int:
        """Make a message-only window for WSAAsyncSelect; returns its handle."""
        return self.host.network.add_handle(MessageWindow(self.host))

    def get_messages(self, hwnd: int) -> list[tuple[int, int, int]]:
        """Take the messages posted to a window: ``[(msg, wParam, lParam), ...]``.

        Raises:
            ValueError: ``hwnd`` is not a window made by :meth:`create_message_window`.
        """
        window = self._object(hwnd, MessageWindow, "hwnd")
        if window is None:
            raise ValueError(f"hwnd {hwnd!r} is not a window made by create_message_window()")
        messages, window.messages = window.messages, []
        return cast("list[tuple[int, int, int]]", messages)
