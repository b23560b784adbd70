"""Simulator sockets with the ``socket.socket`` interface applications use.

This module owns :class:`SimSocket`: a socket object over one host's low-level Winsock
(:class:`wsasim.winsock.Winsock`), so that code written for ``socket.socket`` runs on the
simulator unchanged and sees the exceptions a Windows socket raises (``ConnectionRefusedError``
with ``winerror`` 10061, ``TimeoutError`` for a socket timeout, ``BlockingIOError`` with
WSAEWOULDBLOCK...). Every exception comes from :func:`wsaconnect.errors.raise_for_code`.

Timeouts follow CPython's socket module: ``settimeout(t)`` makes the socket non-blocking and
waits in select for at most ``t`` (virtual) seconds, raising ``TimeoutError("timed out")``.

The host OS's ``socket`` constants are accepted beside Windows' own: ``socket.AF_INET6`` is 10
on Linux and 23 on Windows; ``socket.SOL_SOCKET``/``SO_REUSEADDR`` are 1/2 on Linux and
0xFFFF/4 on Windows. Off Windows they are translated (:func:`to_windows_option`).
"""

from __future__ import annotations

import socket as _socket
import sys
from typing import TYPE_CHECKING, Any

from wsaconnect import checks
from wsaconnect import constants as C
from wsaconnect import errors as E
from wsaconnect.addresses import AddressTuple, Name
from wsaconnect.errors import raise_for_code

if TYPE_CHECKING:
    from wsasim.winsock import Winsock


def _host_options() -> dict[tuple[int, int], tuple[int, int]]:
    if sys.platform == "win32":
        return {}
    names = [
        ("SOL_SOCKET", "SO_REUSEADDR", C.SOL_SOCKET, C.SO_REUSEADDR),
        ("SOL_SOCKET", "SO_BROADCAST", C.SOL_SOCKET, C.SO_BROADCAST),
        ("SOL_SOCKET", "SO_KEEPALIVE", C.SOL_SOCKET, C.SO_KEEPALIVE),
        ("SOL_SOCKET", "SO_ERROR", C.SOL_SOCKET, C.SO_ERROR),
        ("SOL_SOCKET", "SO_TYPE", C.SOL_SOCKET, C.SO_TYPE),
        ("SOL_SOCKET", "SO_SNDBUF", C.SOL_SOCKET, C.SO_SNDBUF),
        ("SOL_SOCKET", "SO_RCVBUF", C.SOL_SOCKET, C.SO_RCVBUF),
        ("SOL_SOCKET", "SO_ACCEPTCONN", C.SOL_SOCKET, C.SO_ACCEPTCONN),
        ("IPPROTO_IPV6", "IPV6_V6ONLY", C.IPPROTO_IPV6, C.IPV6_V6ONLY),
    ]
    return {
        (getattr(_socket, level), getattr(_socket, option)): (win_level, win_option)
        for level, option, win_level, win_option in names
        if hasattr(_socket, level) and hasattr(_socket, option)
    }


_HOST_OPTIONS = _host_options()


def to_windows_family(family: int) -> int:
    """Windows' value for an address family given in the host OS's or Windows' numbering."""
    return C.AF_INET6 if family == _socket.AF_INET6 else family


def to_host_family(family: int) -> int:
    """The host OS's ``socket.AddressFamily`` for a Windows address family (what
    ``socket.socket().family`` reports here)."""
    host = _socket.AF_INET6 if family == C.AF_INET6 else family
    try:
        return _socket.AddressFamily(host)
    except ValueError:
        return host


def to_windows_option(level: int, optname: int) -> tuple[int, int]:
    """Windows' (level, optname) for an option given in the host OS's or Windows' numbering."""
    return _HOST_OPTIONS.get((level, optname), (level, optname))


class SimSocket:
    """A simulated socket with the ``socket.socket`` interface.

    Make one with ``host.socket(family, type)`` (or adopt a handle with
    ``winsock.socket_object(handle)``). Closing it closes the simulated socket.
    """

    def __init__(self, winsock: Winsock, handle: int, family: int, type: int, proto: int) -> None:
        self._ws = winsock
        self._handle = handle
        self.family = to_host_family(family)  # as socket.socket reports it on this OS
        self.type = type
        self.proto = proto
        self._timeout: float | None = None

    # --- plumbing -------------------------------------------------------------------------

    @property
    def backend(self) -> Winsock:
        """The low-level backend this socket lives on (its host's Winsock)."""
        return self._ws

    def fileno(self) -> int:
        """The SOCKET handle (-1 once closed, as ``socket.socket`` does)."""
        return self._handle

    def _check(self, rc: int) -> int:
        if rc == C.SOCKET_ERROR:
            raise_for_code(self._ws.WSAGetLastError())
        return rc

    def _live(self) -> int:
        if self._handle == -1:
            raise_for_code(E.WSAENOTSOCK, "the socket is closed")
        return self._handle

    def _wait(self, *, read: bool) -> None:
        """With a timeout set: wait until ready, else ``TimeoutError("timed out")``."""
        if self._timeout is None or self._timeout == 0.0:
            return
        s = self._live()
        sets: tuple[list[int], list[int]] = ([s], []) if read else ([], [s])
        rc, *_ = self._ws.select(sets[0], sets[1], [s], self._timeout)
        if rc == 0:
            raise TimeoutError("timed out")
        self._check(rc)

    # --- blocking mode ----------------------------------------------------------------------

    def setblocking(self, flag: bool) -> None:
        """``setblocking(False)`` is ``settimeout(0.0)``; ``True`` is ``settimeout(None)``."""
        self.settimeout(None if flag else 0.0)

    def getblocking(self) -> bool:
        """True unless the socket has a timeout of 0."""
        return self._timeout != 0.0

    def settimeout(self, value: float | None) -> None:
        """A timeout in (virtual) seconds for blocking operations; None blocks for ever."""
        if value is not None:
            # Modules/socketmodule.c, socket_parse_timeout: the same refusals, before anything
            # changes.
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise TypeError(f"timeout must be a number or None, not {type(value).__name__}")
            if value != value:
                raise ValueError("Invalid value NaN (not a number)")
            if value < 0:
                raise ValueError("Timeout value out of range")
            if value > checks.TIMEVAL_MAX:  # Windows waits in select, whose timeval must hold it
                raise OverflowError("timeout doesn't fit into C timeval")
        self._check(self._ws.ioctlsocket(self._live(), C.FIONBIO, int(value is not None)))
        self._timeout = None if value is None else float(value)

    def gettimeout(self) -> float | None:
        """The timeout set by :meth:`settimeout`."""
        return self._timeout

    # --- addresses and options --------------------------------------------------------------

    def bind(self, address: Name) -> None:
        """Bind to a local address."""
        self._check(self._ws.bind(self._live(), address))

    def listen(self, backlog: int = C.SOMAXCONN) -> None:
        """Accept connections."""
        self._check(self._ws.listen(self._live(), backlog))

    def accept(self) -> tuple[SimSocket, AddressTuple | None]:
        """A new connection: ``(socket, address)``."""
        self._wait(read=True)
        handle, address = self._ws.accept(self._live())
        if handle == C.INVALID_SOCKET:
            raise_for_code(self._ws.WSAGetLastError())
        conn = SimSocket(self._ws, handle, self.family, self.type, self.proto)
        conn.settimeout(self._timeout)
        return conn, address

    def getsockname(self) -> AddressTuple | None:
        """The local address."""
        rc, name = self._ws.getsockname(self._live())
        self._check(rc)
        return name

    def getpeername(self) -> AddressTuple | None:
        """The peer's address."""
        rc, name = self._ws.getpeername(self._live())
        self._check(rc)
        return name

    def setsockopt(self, level: int, optname: int, value: int | bytes | None) -> None:
        """Set an option (host OS or Windows numbering)."""
        level, optname = to_windows_option(
            checks.integer(level, "level"), checks.integer(optname, "optname")
        )
        self._check(self._ws.setsockopt(self._live(), level, optname, value))

    def getsockopt(self, level: int, optname: int, buflen: int | None = None) -> Any:
        """Read an option (host OS or Windows numbering); ``buflen`` gives raw bytes."""
        level, optname = to_windows_option(
            checks.integer(level, "level"), checks.integer(optname, "optname")
        )
        if buflen is not None:
            checks.integer(buflen, "buflen", 0)
        rc, value = self._ws.getsockopt(self._live(), level, optname)
        self._check(rc)
        if buflen is not None:
            return int(value).to_bytes(4, "little", signed=value < 0)[:buflen]
        return value

    # --- connecting -------------------------------------------------------------------------

    def connect_ex(self, address: Name) -> int:
        """Connect; return 0 or the Winsock error code instead of raising."""
        s = self._live()
        if self._ws.connect(s, address) == 0:
            return 0
        code = self._ws.WSAGetLastError()
        if code != E.WSAEWOULDBLOCK or not self._timeout:
            return code
        # CPython's sock_connect with a timeout: wait for writability, then read SO_ERROR.
        rc, _, writable, _ = self._ws.select([], [s], [s], self._timeout)
        if rc == 0:
            return E.WSAETIMEDOUT
        if writable:
            return 0
        rc, error = self._ws.getsockopt(s, C.SOL_SOCKET, C.SO_ERROR)
        self._check(rc)
        return int(error)

    def connect(self, address: Name) -> None:
        """Connect, raising the Winsock error as an exception (``TimeoutError("timed out")``
        when the socket's timeout runs out)."""
        code = self.connect_ex(address)
        if code == E.WSAETIMEDOUT and self._timeout:
            raise TimeoutError("timed out")
        if code:
            raise_for_code(code)

    # --- data -------------------------------------------------------------------------------

    def send(self, data: bytes, flags: int = 0) -> int:
        """Send; returns the number of bytes sent."""
        self._wait(read=False)
        return self._check(self._ws.send(self._live(), data, flags))

    def sendall(self, data: bytes, flags: int = 0) -> None:
        """Send everything (``data`` bytes-like, as CPython's sendall requires)."""
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"a bytes-like object is required, not '{type(data).__name__}'")
        view = memoryview(bytes(data))
        while view:
            view = view[self.send(view.tobytes(), flags) :]

    def recv(self, bufsize: int, flags: int = 0) -> bytes:
        """Receive up to ``bufsize`` bytes (b"" once the peer closed)."""
        self._wait(read=True)
        rc, data = self._ws.recv(self._live(), bufsize, flags)
        self._check(rc)
        return data

    def sendto(self, data: bytes, *args: Any) -> int:
        """``sendto(data, address)`` or ``sendto(data, flags, address)``, as CPython's."""
        if len(args) not in (1, 2):
            # Modules/socketmodule.c, sock_sendto: the same message, with the forms.
            raise TypeError(
                f"sendto() takes 2 or 3 arguments ({len(args) + 1} given): "
                "sendto(data, address) or sendto(data, flags, address)"
            )
        flags, address = (0, args[0]) if len(args) == 1 else (args[0], args[1])
        self._wait(read=False)
        return self._check(self._ws.sendto(self._live(), data, flags, address))

    def recvfrom(self, bufsize: int, flags: int = 0) -> tuple[bytes, AddressTuple | None]:
        """Receive a datagram: ``(data, address)``."""
        self._wait(read=True)
        rc, data, address = self._ws.recvfrom(self._live(), bufsize, flags)
        self._check(rc)
        return data, address

    # --- closing ----------------------------------------------------------------------------

    def close(self) -> None:
        """Close the socket (again: a no-op). A closesocket that fails raises, and the socket
        stays open (CPython's close raises the error too)."""
        if self._handle != -1:
            self._check(self._ws.closesocket(self._handle))
            self._handle = -1

    def detach(self) -> int:
        """Forget the handle without closing it; returns it."""
        handle, self._handle = self._handle, -1
        return handle

    def __enter__(self) -> SimSocket:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._handle == -1 else f"fd={self._handle:#x}"
        return (
            f"<wsasim.SimSocket {state} family={self.family} type={self.type} "
            f"host={self._ws.host.name}>"
        )
