"""Servers on the virtual clock: ``host.serve(port, protocol_factory)``.

This module owns :class:`Server` and :class:`Transport`: a listening socket of one host whose
connections each run an :class:`asyncio.Protocol`, driven by the simulator's clock instead of
an event loop. A client in the same thread (``sock.connect``, ``sendall``, ``recv``: blocking
calls that run the clock while they wait) gets its answers in virtual time: no event loop, no
thread, no wall time.

How it runs. The server is an application of its host, written as a Windows program that uses
WSAAsyncSelect is (Microsoft's WSAAsyncSelect document):

* it makes a message window and selects FD_ACCEPT, FD_READ, FD_WRITE and FD_CLOSE on its
  listener, which makes the listener non-blocking; every accepted socket inherits the
  selection and the mode (accept document: "the same properties as socket s");
* :attr:`wsasim.events.MessageWindow.on_post`, the one hook this needs, tells the server a
  message was posted; it schedules its message loop at the same virtual instant
  (``net.call_at(net.now, ...)``), as a window's thread wakes from GetMessage, and the loop
  takes the messages (:meth:`~wsasim.winsock.Winsock.get_messages`) and dispatches them;
* every Winsock call it makes is non-blocking (accept, recv, send, shutdown, setsockopt,
  closesocket), so none of its callbacks ever waits (a wait there is ``ReentrantWait``); each
  callback saves and restores the host's WSAGetLastError, which is per thread on Windows: a
  client on the same host keeps its own.

The transport behaves as CPython's ``_SelectorSocketTransport`` (Lib/asyncio/selector_events.py)
with its flow control (``_FlowControlMixin``, Lib/asyncio/transports.py):

* ``connection_made`` is called when the connection is accepted; then each FD_READ is one recv
  of at most 256 KiB (``max_size``; the WSAAsyncSelect document: "a single recv in response
  to each FD_READ message is appropriate") given to ``data_received``; after FD_CLOSE it reads
  until recv returns 0 (the document: on FD_CLOSE "check for remaining data");
* recv returning 0 calls ``eof_received``: a true value keeps the transport half-open (it may
  still write), otherwise it closes (``_read_ready__on_eof``; Lib/asyncio/protocols.py);
* ``write`` sends at once what the socket's buffers take and keeps the rest, sent on FD_WRITE.
  FD_WRITE comes back only after a send failed with WSAEWOULDBLOCK (WSAAsyncSelect document),
  so every flush sends until everything is gone or a send gives WSAEWOULDBLOCK;
* above the high-water mark (64 KiB by default, low-water a quarter of it) ``pause_writing`` is
  called; ``resume_writing`` once the buffer is at or below low-water. Their exceptions are
  logged and kept (:attr:`Server.errors`) but do not close the transport, as in asyncio;
* ``close`` flushes the buffer, then closesocket sends FIN; ``write_eof`` flushes, then
  shutdown(SD_SEND); ``abort`` drops the buffer and closes with SO_LINGER (1, 0), which sends
  RST (closesocket document: an abortive close); ``connection_lost`` gets None for these and
  for the peer's FIN, the exception for a failed recv or send (``ConnectionResetError``,
  winerror 10054, when the peer reset the connection);
* ``pause_reading`` stops the reads (the data and the peer's FIN wait in the socket) and
  ``resume_reading`` starts them again.

Errors in a protocol's callbacks. asyncio logs them and closes the transport; so does this
module: an exception from ``connection_made``, ``data_received`` or ``eof_received`` (or from
the protocol factory) is logged with its traceback on the ``wsasim.serve`` logger (ERROR),
appended to :attr:`Server.errors`, and the transport is closed as ``_fatal_error`` does (buffer
dropped, FIN, ``connection_lost(exc)``). asyncio logs an ``OSError`` from a callback only in
debug mode; here any ``Exception`` counts (a ``BaseException`` that is not one, such as
``SystemExit``, propagates out of the blocking call that ran the clock). The ``with`` block
of a server re-raises the first one when it ends without an exception of its own, so a test
cannot miss it.

Time: the listener queues a connection when the handshake's last ACK reaches it (RFC 9293,
section 3.5; :mod:`wsasim.tcp`), one one-way delay after the client's connect returned, and
``connection_made`` runs then.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar, cast

from wsaconnect import checks
from wsaconnect import constants as C
from wsaconnect import errors as E
from wsaconnect.addresses import AddressTuple
from wsaconnect.errors import raise_for_code
from wsasim.events import MessageWindow
from wsasim.pysocket import SimSocket, to_host_family

if TYPE_CHECKING:
    from types import TracebackType

    from wsasim.host import Host
    from wsasim.network import Network
    from wsasim.sockets import Socket
    from wsasim.winsock import Winsock

#: Where protocol errors (ERROR) and transport failures (DEBUG) are logged.
logger = logging.getLogger("wsasim.serve")

#: What a server makes for each connection.
ProtocolFactory = Callable[[], asyncio.Protocol]

#: The message the server's window receives (WM_USER + 1, winuser.h's WM_USER is 0x0400).
WM_SOCKET = 0x0401
#: The events the listener selects; accepted sockets inherit them.
EVENTS = C.FD_ACCEPT | C.FD_READ | C.FD_WRITE | C.FD_CLOSE
#: The most one recv asks for (``_SelectorTransport.max_size``), and one send offers.
MAX_SIZE = 256 * 1024
#: ``loop.create_server``'s default backlog (Lib/asyncio/base_events.py).
DEFAULT_BACKLOG = 100
#: Writes after the connection was lost before each one logs a warning
#: (Lib/asyncio/constants.py, ``LOG_THRESHOLD_FOR_CONNLOST_WRITES``).
LOG_THRESHOLD_FOR_CONNLOST_WRITES = 5

T = TypeVar("T")


class _Failed:
    """What a guarded protocol call returns when the callback raised."""


FAILED = _Failed()


class Server:
    """A listening socket of one host that runs a protocol for each connection.

    Make one with :meth:`wsasim.Host.serve`; see the module's documentation for how it runs.
    Like :class:`asyncio.Server`, :meth:`close` stops listening and leaves the connections
    open. Used as a context manager it closes on exit, and re-raises the first error of
    :attr:`errors` if the block raised nothing itself.

    Raises:
        TypeError, ValueError: a port, address or backlog of the wrong type or value.
        WinsockError: the listener cannot be made (WSAEADDRINUSE for a port taken,
            WSAEADDRNOTAVAIL for an address not the host's, ...).
    """

    def __init__(
        self,
        host: Host,
        port: int,
        protocol_factory: ProtocolFactory,
        *,
        address: str | None = None,
        backlog: int = DEFAULT_BACKLOG,
    ) -> None:
        port = checks.integer(port, "port", 0, 0xFFFF)
        backlog = checks.integer(backlog, "backlog")
        if not callable(protocol_factory):
            raise TypeError(
                f"protocol_factory must be callable, not {type(protocol_factory).__name__}"
            )
        family, name = _listen_name(address, port)
        self.host = host
        #: The address asked for (None: every address of the host, dual-stack).
        self.address = address
        #: Exceptions raised by the protocols' callbacks (and the factory), oldest first.
        self.errors: list[Exception] = []
        self._factory = protocol_factory
        self._net: Network = host.network
        ws = self._ws = host.winsock
        if not ws.started:
            ws.WSAStartup()
        s = ws.socket(family, C.SOCK_STREAM)
        if s == C.INVALID_SOCKET:
            raise_for_code(ws.WSAGetLastError(), f"{host.name} cannot serve on port {port}")
        if address is None:
            ws.setsockopt(s, C.IPPROTO_IPV6, C.IPV6_V6ONLY, 0)  # dual-stack
        if ws.bind(s, name) or ws.listen(s, backlog):
            code = ws.WSAGetLastError()
            ws.closesocket(s)
            raise_for_code(code, f"{host.name} cannot serve on port {port}")
        self._hwnd = ws.create_message_window()
        window = self._net.handles[self._hwnd]
        assert isinstance(window, MessageWindow)
        window.on_post = self._wake
        ws.WSAAsyncSelect(s, self._hwnd, WM_SOCKET, EVENTS)  # a fresh listener: cannot fail
        self._listener: int | None = s
        self._listener_object = TransportSocket(ws, s)
        rc, sockname = ws.getsockname(s)
        assert rc == 0
        assert sockname is not None
        #: The listener's address, as getsockname gives it (kept after :meth:`close`).
        self.sockname: AddressTuple = sockname
        #: The port listened on (the one chosen, for port 0).
        self.port: int = sockname[1]
        self._transports: dict[int, Transport] = {}
        self._pumping = False

    # --- asyncio.Server's interface -----------------------------------------------------------

    @property
    def sockets(self) -> tuple[TransportSocket, ...]:
        """The listening socket, as a :class:`TransportSocket` (empty once closed)."""
        return () if self._listener is None else (self._listener_object,)

    @property
    def transports(self) -> list[Transport]:
        """The connections whose ``connection_lost`` has not been called yet."""
        return list(self._transports.values())

    def is_serving(self) -> bool:
        """True until :meth:`close`."""
        return self._listener is not None

    def close(self) -> None:
        """Stop listening (connections not yet accepted are reset); the accepted ones stay
        open (asyncio.Server.close). Closing again does nothing."""
        if self._listener is None:
            return
        listener, self._listener = self._listener, None
        self._as_thread(lambda: self._ws.closesocket(listener))

    def __enter__(self) -> Server:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
        if exc_type is None and self.errors:
            raise self.errors[0]

    def __repr__(self) -> str:
        state = "serving" if self.is_serving() else "closed"
        return (
            f"<wsasim.Server {self.host.name} {self.sockname} {state} "
            f"connections={len(self._transports)} errors={len(self.errors)}>"
        )

    # --- the message loop ---------------------------------------------------------------------

    def _wake(self) -> None:
        """A message was posted to the window: run the loop at this instant (once)."""
        if not self._pumping:
            self._pumping = True
            self._net.call_at(self._net.now, self._pump)

    def _pump(self) -> None:
        """Take the window's messages and dispatch them, until none is left."""
        saved = self._ws.WSAGetLastError()
        try:
            while True:
                messages = self._ws.get_messages(self._hwnd)
                if not messages:
                    return
                for _, handle, lparam in messages:
                    self._dispatch(handle, lparam & 0xFFFF)  # WSAGETSELECTEVENT
        finally:
            self._pumping = False
            self._ws.WSASetLastError(saved)

    def _dispatch(self, handle: int, event: int) -> None:
        if handle == self._listener:
            if event == C.FD_ACCEPT:
                self._accept_ready()
            return
        transport = self._transports.get(handle)
        if transport is not None:  # else a socket closed since the message was posted
            transport._network_event(event)

    def _soon(self, fn: Callable[[], object]) -> None:
        """Run ``fn`` at this virtual instant, after what is already due (``call_soon``)."""
        self._net.call_at(self._net.now, lambda: self._as_thread(fn))

    def _as_thread(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` as another thread of the host: the host's last error is kept."""
        saved = self._ws.WSAGetLastError()
        try:
            return fn()
        finally:
            self._ws.WSASetLastError(saved)

    # --- accepting ----------------------------------------------------------------------------

    def _accept_ready(self) -> None:
        """FD_ACCEPT: accept every queued connection."""
        ws = self._ws
        while self._listener is not None:
            handle, _ = ws.accept(self._listener)
            if handle == C.INVALID_SOCKET:
                code = ws.WSAGetLastError()
                if code != E.WSAEWOULDBLOCK:
                    self._report(E.error_for_code(code, "accept"), "accept() failed")
                return
            self._start(handle)

    def _start(self, handle: int) -> None:
        """A new connection: its protocol, its transport, ``connection_made``."""
        try:
            protocol = self._factory()
        except Exception as exc:
            self._report(exc, "protocol_factory() failed")
            self._ws.closesocket(handle)
            return
        transport = Transport(self, handle, protocol)
        self._transports[handle] = transport
        transport._connection_made()

    def _detach(self, transport: Transport) -> None:
        self._transports.pop(transport._handle, None)

    def _report(self, exc: Exception, message: str, transport: Transport | None = None) -> None:
        """Log ``exc`` with its traceback (asyncio's default exception handler does) and keep
        it on :attr:`errors`: an error of a protocol's callback, or of accept."""
        where = "" if transport is None else f" on {transport!r}"
        logger.error("%s%s", message, where, exc_info=exc)
        self.errors.append(exc)


class Transport(asyncio.Transport):
    """One accepted connection of a :class:`Server`, with asyncio's transport interface.

    ``get_extra_info`` knows ``"peername"``, ``"sockname"`` (the addresses as getpeername and
    getsockname give them) and ``"socket"`` (a :class:`TransportSocket` for the connection).
    """

    def __init__(self, server: Server, handle: int, protocol: asyncio.Protocol) -> None:
        ws = server._ws
        rc, sockname = ws.getsockname(handle)
        rc2, peername = ws.getpeername(handle)
        super().__init__(
            {
                "peername": peername if rc2 == 0 else None,
                "sockname": sockname if rc == 0 else None,
                "socket": TransportSocket(ws, handle),
            }
        )
        self._server = server
        self._ws: Winsock = ws
        self._handle = handle
        self._protocol = protocol
        self._buffer = bytearray()
        self._conn_lost = 0  # set when connection_lost is scheduled; counts later writes
        self._closing = False  # close() or a fatal error
        self._paused = False  # pause_reading()
        self._eof = False  # write_eof()
        self._eof_received = False  # recv returned 0
        self._peer_done = False  # FD_CLOSE arrived: read to the end
        self._abortive = False  # abort(): close with SO_LINGER (1, 0)
        self._closed = False  # the socket is closed
        self._protocol_paused = False
        self._high_water = 64 * 1024
        self._low_water = 16 * 1024

    def __repr__(self) -> str:
        state = "closed" if self._closed else "closing" if self._closing else "open"
        return (
            f"<wsasim.serve.Transport {state} fd={self._handle:#x} "
            f"peer={self.get_extra_info('peername')} bufsize={len(self._buffer)}>"
        )

    # --- events -------------------------------------------------------------------------------

    def _network_event(self, event: int) -> None:
        if event == C.FD_READ:
            self._read_ready()
        elif event == C.FD_WRITE:
            if self._buffer:
                self._write_ready()
        elif event == C.FD_CLOSE:
            self._peer_done = True
            self._read_ready()

    def _guard(self, call: Callable[[], T], name: str) -> T | _Failed:
        """Call a protocol method; after an exception, a fatal error (and FAILED)."""
        try:
            return call()
        except Exception as exc:
            self._fatal_error(exc, f"Fatal error: protocol.{name}() call failed.", protocol=True)
            return FAILED

    def _connection_made(self) -> None:
        self._guard(lambda: self._protocol.connection_made(self), "connection_made")

    # --- reading ------------------------------------------------------------------------------

    def _read_ready(self) -> None:
        """One recv (after FD_CLOSE: until the end), while reading is on."""
        ws, protocol = self._ws, self._protocol
        while self.is_reading() and not self._eof_received and not self._conn_lost:
            rc, data = ws.recv(self._handle, MAX_SIZE)
            if rc == C.SOCKET_ERROR:
                code = ws.WSAGetLastError()
                if code != E.WSAEWOULDBLOCK:
                    self._fatal_error(
                        E.error_for_code(code), "Fatal read error on socket transport"
                    )
                return
            if not data:
                self._read_eof()
                return
            if self._guard(partial(protocol.data_received, data), "data_received") is FAILED:
                return
            if not self._peer_done:
                return  # FD_READ comes again while data is left

    def _read_eof(self) -> None:
        self._eof_received = True
        keep_open = self._guard(self._protocol.eof_received, "eof_received")
        if keep_open is FAILED:
            return
        if not keep_open:
            self.close()

    def is_reading(self) -> bool:
        """True unless closing or paused (``_SelectorTransport.is_reading``)."""
        return not self._closing and not self._paused

    def pause_reading(self) -> None:
        """Stop reading: data and the peer's FIN wait in the socket until resumed."""
        if self.is_reading():
            self._paused = True

    def resume_reading(self) -> None:
        """Read again, from this virtual instant."""
        if self._closing or not self._paused:
            return
        self._paused = False
        self._server._soon(self._read_ready)

    # --- writing ------------------------------------------------------------------------------

    def _send(self, data: bytes | bytearray) -> int:
        """Send what the socket takes, until all or WSAEWOULDBLOCK (which re-enables FD_WRITE).

        Raises:
            WinsockError: the send failed otherwise (WSAECONNRESET, WSAESHUTDOWN, ...).
        """
        ws, sent = self._ws, 0
        while sent < len(data):
            rc = ws.send(self._handle, bytes(data[sent : sent + MAX_SIZE]))
            if rc == C.SOCKET_ERROR:
                code = ws.WSAGetLastError()
                if code == E.WSAEWOULDBLOCK:
                    break
                raise E.error_for_code(code)
            sent += rc
        return sent

    def write(self, data: bytes | bytearray | memoryview[Any]) -> None:
        """Send ``data`` now if the socket takes it, else buffer it (as
        ``_SelectorSocketTransport.write``).

        Raises:
            TypeError: ``data`` is not bytes-like.
            RuntimeError: after :meth:`write_eof`.
        """
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(
                f"data argument must be a bytes-like object, not {type(data).__name__!r}"
            )
        if self._eof:
            raise RuntimeError("Cannot call write() after write_eof()")
        raw = bytes(data)
        if not raw:
            return
        if self._conn_lost:
            if self._conn_lost >= LOG_THRESHOLD_FOR_CONNLOST_WRITES:
                logger.warning("socket.send() raised exception.")
            self._conn_lost += 1
            return
        if not self._buffer:
            try:
                sent = self._send(raw)
            except OSError as exc:
                self._fatal_error(exc, "Fatal write error on socket transport")
                return
            raw = raw[sent:]
            if not raw:
                return
        self._buffer.extend(raw)
        self._maybe_pause_protocol()

    def writelines(self, list_of_data: Iterable[bytes | bytearray | memoryview[Any]]) -> None:
        """Write the pieces joined (``WriteTransport.writelines``)."""
        self.write(b"".join(list_of_data))

    def _write_ready(self) -> None:
        """FD_WRITE: send what is buffered; then a close or a write_eof waiting for it."""
        if self._conn_lost:
            return
        try:
            sent = self._send(self._buffer)
        except OSError as exc:
            self._buffer.clear()
            self._fatal_error(exc, "Fatal write error on socket transport")
            return
        del self._buffer[:sent]
        self._maybe_resume_protocol()  # may write more
        if not self._buffer:
            if self._closing:
                self._conn_lost += 1
                self._call_connection_lost(None)
            elif self._eof:
                self._shutdown()

    def can_write_eof(self) -> bool:
        """True: a TCP connection can send FIN and keep receiving."""
        return True

    def write_eof(self) -> None:
        """Send FIN (shutdown SD_SEND) once the buffer is sent; receiving goes on."""
        if self._closing or self._eof:
            return
        self._eof = True
        if not self._buffer:
            self._shutdown()

    def _shutdown(self) -> None:
        if self._ws.shutdown(self._handle, C.SD_SEND) == C.SOCKET_ERROR:
            error = E.error_for_code(self._ws.WSAGetLastError(), "shutdown")
            self._fatal_error(error, "Fatal error on shutdown")

    def get_write_buffer_size(self) -> int:
        """Bytes written and not yet taken by the socket."""
        return len(self._buffer)

    def get_write_buffer_limits(self) -> tuple[int, int]:
        """``(low, high)``."""
        return self._low_water, self._high_water

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        """Set the marks for ``pause_writing``/``resume_writing`` (``_FlowControlMixin``):
        high defaults to 64 KiB, or 4 * low; low to high // 4.

        Raises:
            ValueError: not high >= low >= 0.
        """
        if high is None:
            high = 64 * 1024 if low is None else 4 * low
        if low is None:
            low = high // 4
        if not high >= low >= 0:
            raise ValueError(f"high ({high!r}) must be >= low ({low!r}) must be >= 0")
        self._high_water, self._low_water = high, low
        self._maybe_pause_protocol()

    def _maybe_pause_protocol(self) -> None:
        if len(self._buffer) <= self._high_water or self._protocol_paused:
            return
        self._protocol_paused = True
        self._flow_call(self._protocol.pause_writing, "pause_writing")

    def _maybe_resume_protocol(self) -> None:
        if self._protocol_paused and len(self._buffer) <= self._low_water:
            self._protocol_paused = False
            self._flow_call(self._protocol.resume_writing, "resume_writing")

    def _flow_call(self, call: Callable[[], None], name: str) -> None:
        """pause_writing/resume_writing: an exception is logged and kept, and the transport
        stays open (``_FlowControlMixin`` passes it to the exception handler only)."""
        try:
            call()
        except Exception as exc:
            self._server._report(exc, f"protocol.{name}() failed", self)

    # --- closing ------------------------------------------------------------------------------

    def is_closing(self) -> bool:
        """True once :meth:`close` or :meth:`abort` was called, or the connection failed."""
        return self._closing

    def close(self) -> None:
        """Stop reading, send what is buffered, then close (FIN); ``connection_lost(None)``."""
        if self._closing:
            return
        self._closing = True
        if not self._buffer:
            self._conn_lost += 1
            self._server._soon(lambda: self._call_connection_lost(None))

    def abort(self) -> None:
        """Close at once: the buffer is dropped and the peer gets RST (SO_LINGER (1, 0));
        ``connection_lost(None)``."""
        self._abortive = True
        self._force_close(None)

    def _fatal_error(self, exc: Exception, message: str, *, protocol: bool = False) -> None:
        """A failed call: log it (a protocol's error, or at DEBUG a socket's), then close."""
        if protocol:
            self._server._report(exc, message, self)
        else:
            logger.debug("%r: %s", self, message, exc_info=exc)
        self._force_close(exc)

    def _force_close(self, exc: Exception | None) -> None:
        if self._conn_lost:
            return
        self._buffer.clear()
        self._closing = True
        self._conn_lost += 1
        self._server._soon(lambda: self._call_connection_lost(exc))

    def _call_connection_lost(self, exc: Exception | None) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self._guard(lambda: self._protocol.connection_lost(exc), "connection_lost")
        finally:
            ws = self._ws
            if self._abortive:
                ws.setsockopt(self._handle, C.SOL_SOCKET, C.SO_LINGER, (1, 0))
            ws.closesocket(self._handle)
            self._server._detach(self)

    # --- the protocol -------------------------------------------------------------------------

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        """Give the connection to another protocol (its events from now on)."""
        self._protocol = cast("asyncio.Protocol", protocol)

    def get_protocol(self) -> asyncio.BaseProtocol:
        """The protocol the connection's events go to."""
        return self._protocol


class TransportSocket:
    """A socket of a server, as ``server.sockets`` and ``get_extra_info("socket")`` give it:
    the simulator's ``asyncio.trsock.TransportSocket`` (Lib/asyncio/trsock.py).

    It reads and sets what does not disturb the transport (addresses, options) and bans the
    rest: no close, no recv or send, no blocking mode. It does not own the handle (nothing is
    closed when it is collected; the transport closes the socket).
    """

    __slots__ = ("_handle", "_ws")

    def __init__(self, winsock: Winsock, handle: int) -> None:
        self._ws = winsock
        self._handle = handle

    def _socket(self) -> Socket:
        sock = self._ws.host.find_socket(self._handle)
        if sock is None:
            raise_for_code(E.WSAENOTSOCK, "the socket is closed")
        return sock

    @property
    def family(self) -> int:
        """The address family, in the host OS's numbering (as ``socket.socket`` reports it)."""
        return to_host_family(self._socket().family)

    @property
    def type(self) -> int:
        """SOCK_STREAM."""
        return int(self._socket().type)

    @property
    def proto(self) -> int:
        """IPPROTO_TCP."""
        return int(self._socket().protocol)

    def fileno(self) -> int:
        """The SOCKET handle (-1 once the socket is closed)."""
        return self._handle if self._ws.host.find_socket(self._handle) else -1

    def _sim(self) -> SimSocket:
        """The socket object behind: SimSocket's own methods, which do not own the handle
        (``_adopt`` makes no socket that closes itself when collected)."""
        sock = self._socket()
        return SimSocket._adopt(self._ws, self._handle, sock.family, sock.type, sock.protocol)

    def getsockname(self) -> AddressTuple | None:
        """The local address."""
        return self._sim().getsockname()

    def getpeername(self) -> AddressTuple | None:
        """The peer's address (WSAENOTCONN for a listener)."""
        return self._sim().getpeername()

    def getsockopt(self, level: int, optname: int, *buflen: int) -> Any:
        """An option's value, as ``socket.socket.getsockopt`` gives it (Lib/asyncio/trsock.py
        passes it on)."""
        return self._sim().getsockopt(level, optname, *buflen)

    def setsockopt(self, level: int, optname: int, value: Any) -> None:
        """Set an option, as ``socket.socket.setsockopt`` does."""
        self._sim().setsockopt(level, optname, value)

    def shutdown(self, how: int) -> None:
        """shutdown (asyncio allows it on a transport's socket, behind the transport's back)."""
        self._sim().shutdown(how)

    def settimeout(self, value: float | None) -> None:
        """Only 0: the socket is non-blocking, and stays so."""
        if value != 0:
            raise ValueError("settimeout(): only 0 timeout is allowed on transport sockets")

    def gettimeout(self) -> float:
        """0: non-blocking."""
        return 0

    def setblocking(self, flag: bool) -> None:
        """Only False."""
        if flag:
            raise ValueError("setblocking(): transport sockets cannot be blocking")

    def __getstate__(self) -> None:
        raise TypeError("Cannot serialize wsasim.serve.TransportSocket object")

    def __repr__(self) -> str:
        text = f"<wsasim.serve.TransportSocket fd={self.fileno():#x} host={self._ws.host.name}"
        for what, get in (("laddr", self._ws.getsockname), ("raddr", self._ws.getpeername)):
            rc, name = get(self._handle)
            if rc == 0 and name:
                text += f", {what}={name}"
        return text + ">"


def _listen_name(address: object, port: int) -> tuple[int, AddressTuple]:
    """The family and the bind name for ``address`` (None: the dual-stack wildcard).

    Raises:
        TypeError: ``address`` is not a str or None.
        ValueError: it is not a numeric IPv4 or IPv6 address.
    """
    if address is None:
        return C.AF_INET6, ("::", port, 0, 0)
    if not isinstance(address, str):
        raise TypeError(f"address must be a str or None, not {type(address).__name__}")
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        raise ValueError(f"address: {address!r} is not a numeric IP address") from None
    if ip.version == 4:
        return C.AF_INET, (str(ip), port)
    return C.AF_INET6, (str(ip), port, 0, 0)
