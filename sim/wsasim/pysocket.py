"""Simulator sockets with the ``socket.socket`` interface, behaving as CPython's on Windows.

This module owns :class:`SimSocket`, a socket object over one host's low-level Winsock
(:class:`wsasim.winsock.Winsock`), and the registry of the host ``SimSocket()`` makes sockets
on (:func:`push_winsock`, :func:`pop_winsock`, :func:`active_winsock`; ``wsasim.patch``
pushes its host, so that ``socket.socket`` can be :class:`SimSocket`). Code written for
``socket.socket`` runs on it unchanged and sees what Windows CPython gives: the exceptions of
:func:`wsaconnect.errors.raise_for_code` (``ConnectionRefusedError`` with ``winerror``
10061...), ``TimeoutError("timed out")`` when a socket timeout runs out, WSAEWOULDBLOCK
(10035) where Windows CPython reports its ``SOCK_TIMEOUT_ERR``.

Its sources are CPython's Modules/socketmodule.c (the ``MS_WINDOWS`` branches; each method
names its function) and Lib/socket.py (``socket.socket``'s Python half: ``accept``, ``dup``,
``close``, ``makefile``, ``__repr__``). Four modules hold a part each: the argument
conversions and the host OS's constants (:mod:`wsasim.pysocket_args`), waiting as
``sock_call_ex`` and ``internal_connect`` wait (:mod:`wsasim.pysocket_call`), the data methods
(:mod:`wsasim.pysocket_data`), the file objects (:mod:`wsasim.pysocket_io`).
"""

from __future__ import annotations

import functools
import operator
import socket as _socket
import sys
import warnings
from typing import IO, TYPE_CHECKING, Any

from wsaconnect import addresses as A
from wsaconnect import constants as C
from wsaconnect import errors as E
from wsaconnect.addresses import AddressTuple, Name
from wsaconnect.errors import raise_for_code
from wsasim import pysocket_io
from wsasim.pysocket_args import (
    c_int,
    c_uint_mask,
    parse_timeout,
    readable_buffer,
    timeout_seconds,
    to_host_family,
    to_windows_family,
    to_windows_option,
)
from wsasim.pysocket_call import internal_connect, run
from wsasim.pysocket_data import DataMethods

if TYPE_CHECKING:
    from wsasim.winsock import Winsock

__all__ = [
    "SimSocket",
    "active_winsock",
    "pop_winsock",
    "push_winsock",
    "to_host_family",
    "to_windows_family",
    "to_windows_option",
]

# --- the active host ------------------------------------------------------------------------

_ACTIVE: list[Winsock] = []


def push_winsock(ws: Winsock) -> None:
    """Make ``SimSocket()`` create its sockets on ``ws``'s host until :func:`pop_winsock`."""
    _ACTIVE.append(ws)


def pop_winsock(ws: Winsock) -> None:
    """Undo the last :func:`push_winsock` of ``ws``.

    Raises:
        ValueError: ``ws`` was not pushed.
    """
    for i in range(len(_ACTIVE) - 1, -1, -1):
        if _ACTIVE[i] is ws:
            del _ACTIVE[i]
            return
    raise ValueError(f"{ws!r} is not an active Winsock")


def active_winsock() -> Winsock:
    """The Winsock ``SimSocket()`` creates sockets on (the last pushed).

    Raises:
        RuntimeError: none is active.
    """
    if not _ACTIVE:
        raise RuntimeError(
            "socket.socket() on the simulator needs an active wsasim.patch(host) "
            "(or make the socket with host.socket())"
        )
    return _ACTIVE[-1]


def _probe_handle(ws: Winsock, fileno: object, family: int, type: int) -> tuple[int, int, int, int]:
    """``socket.socket(family, type, proto, fileno=...)``'s checks on Windows: ``(handle,
    family, type, proto)`` (Modules/socketmodule.c, ``sock_initobj``): getsockname gives the
    family (its failure only matters if the family is needed or the handle is no socket),
    SO_TYPE the type, and ``proto`` is 0, as Windows' headers have no SO_PROTOCOL."""
    number = operator.index(fileno)  # type: ignore[arg-type]  # PyLong_AsSocket_t (Win64:
    if not -(2**63) <= number < 2**63:  # PyLong_AsLongLong, socketmodule.h)
        raise OverflowError("int too big to convert")
    if number == -1:
        raise ValueError("negative file descriptor")
    handle = number % 2**64  # (SOCKET_T), unsigned
    rc, name = ws.getsockname(handle)
    if rc == 0:
        if family == -1:
            family = C.AF_INET6 if name is not None and len(name) == 4 else C.AF_INET
    elif family == -1 or ws.WSAGetLastError() == E.WSAENOTSOCK:
        raise_for_code(ws.WSAGetLastError())
    if type == -1:
        rc, value = ws.getsockopt(handle, C.SOL_SOCKET, C.SO_TYPE)
        if rc == C.SOCKET_ERROR:
            raise_for_code(ws.WSAGetLastError())
        type = int(value)
    return handle, to_windows_family(family), type, 0


@functools.lru_cache(maxsize=1024)
def _numeric_family(host: str) -> int:
    """The (Windows) family of a numeric address, 0 for anything else (a name, ``""``)."""
    try:
        return A.parse_host(host)[0]
    except ValueError:
        return 0


class SimSocket(DataMethods):
    """A simulated socket with the ``socket.socket`` interface of Windows CPython.

    ``SimSocket(family=-1, type=-1, proto=-1, fileno=None)`` works as ``socket.socket()``
    does, on the host of :func:`active_winsock` (``wsasim.patch(host)``); ``host.socket()``
    makes one on a given host; :meth:`_adopt` wraps an existing handle.
    """

    __slots__ = (
        "__weakref__",
        "_closed",
        "_family",
        "_handle",
        "_inheritable",
        "_io_refs",
        "_proto",
        "_timeout_ns",
        "_type",
        "_warns",
        "_ws",
    )

    def __init__(
        self, family: int = -1, type: int = -1, proto: int = -1, fileno: object = None
    ) -> None:
        self._handle = -1  # until there is one: __del__ then has nothing to close
        ws = active_winsock()
        family, type, proto = c_int(family), c_int(type), c_int(proto)
        if not ws.started:
            # Modules/socketmodule.c, os_init: the module starts Winsock when it is imported.
            # CPython asks for 1.1; this starts 2.2, as the simulator's 1.1 rule refuses every
            # call made during a blocking call, where Windows refuses the calling thread's only.
            ws.WSAStartup()
        if fileno is not None:
            handle, family, type, proto = _probe_handle(ws, fileno, family, type)
        else:
            # Lib/socket.py, socket.__init__: -1 means AF_INET, SOCK_STREAM, 0.
            family = C.AF_INET if family == -1 else to_windows_family(family)
            type = C.SOCK_STREAM if type == -1 else type
            proto = 0 if proto == -1 else proto
            handle = ws.socket(family, type, proto)  # sock_initobj: WSASocketW
            if handle == C.INVALID_SOCKET:
                raise_for_code(ws.WSAGetLastError())
        self._init(ws, handle, family, type, proto)
        self._warns = True

    @classmethod
    def _adopt(cls, winsock: Winsock, handle: int, family: int, type: int, proto: int) -> SimSocket:
        """A socket object that owns ``handle`` of ``winsock``'s host (family in Windows'
        numbering), as ``init_sockobject`` makes one: with the default timeout."""
        self = cls.__new__(cls)
        self._handle = -1
        self._init(winsock, handle, family, type, proto)
        return self

    def _init(self, ws: Winsock, handle: int, family: int, type: int, proto: int) -> None:
        # Modules/socketmodule.c, init_sockobject: the default timeout is read now, and a
        # socket with one is made non-blocking (else it is left as it is).
        self._ws, self._family, self._type, self._proto = ws, family, type, proto
        self._io_refs, self._closed, self._inheritable, self._warns = 0, False, False, False
        self._timeout_ns = parse_timeout(_socket.getdefaulttimeout())
        if self._timeout_ns >= 0 and ws.ioctlsocket(handle, C.FIONBIO, 1) == C.SOCKET_ERROR:
            code = ws.WSAGetLastError()
            ws.closesocket(handle)  # sock_initobj: SOCKETCLOSE(fd) when init fails
            raise_for_code(code)
        self._handle = handle

    # --- plumbing -------------------------------------------------------------------------

    @property
    def backend(self) -> Winsock:
        """The low-level backend this socket lives on (its host's Winsock)."""
        return self._ws

    @property
    def family(self) -> int:
        """The address family, a ``socket.AddressFamily`` of this OS (Lib/socket.py)."""
        return to_host_family(self._family)

    @property
    def type(self) -> int:
        """The socket type, a ``socket.SocketKind`` (Lib/socket.py)."""
        try:
            return _socket.SocketKind(self._type)
        except ValueError:
            return self._type

    @property
    def proto(self) -> int:
        """The protocol given (0 for a socket made from a handle: Windows has no SO_PROTOCOL)."""
        return self._proto

    def fileno(self) -> int:
        """The SOCKET handle (-1 once closed). Handles are above 2**32, so the real ``select``
        and ``os.fstat`` refuse them, as they would refuse any non-descriptor."""
        return self._handle

    def _failed(self) -> None:
        raise_for_code(self._ws.WSAGetLastError())

    def _check(self, rc: int) -> int:
        if rc == C.SOCKET_ERROR:
            self._failed()
        return rc

    # --- blocking mode ----------------------------------------------------------------------

    def _set_blocking(self, block: bool) -> None:
        # internal_setblocking: ioctlsocket(FIONBIO) on Windows.
        self._check(self._ws.ioctlsocket(self._handle, C.FIONBIO, int(not block)))

    def setblocking(self, flag: bool) -> None:
        """``sock_setblocking``: a true flag is ``settimeout(None)``, else 0.0. Until 3.11 the
        flag goes through ``PyLong_AsLong`` (an integer); since 3.12 ``PyObject_IsTrue``."""
        block = bool(flag) if sys.version_info >= (3, 12) else bool(c_int(flag))
        self._timeout_ns = -1 if block else 0
        self._set_blocking(block)

    def getblocking(self) -> bool:
        """``sock_getblocking``: True unless the timeout is 0."""
        return self._timeout_ns != 0

    def settimeout(self, value: float | None) -> None:
        """``sock_settimeout``: seconds (virtual) for blocking operations, None for none, 0 for
        a non-blocking socket. A value ``socket_parse_timeout`` refuses changes nothing; the
        timeout is set before ``ioctlsocket``, which may still fail (then it raises)."""
        self._timeout_ns = parse_timeout(value)
        self._set_blocking(self._timeout_ns < 0)

    def gettimeout(self) -> float | None:
        """``sock_gettimeout``: the timeout in seconds, or None."""
        return timeout_seconds(self._timeout_ns)

    @property
    def timeout(self) -> float | None:
        """The socket timeout (``gettimeout()``)."""
        return timeout_seconds(self._timeout_ns)

    # --- addresses and options --------------------------------------------------------------

    def _sockaddr(self, address: object) -> Any:
        """``getsockaddrarg`` for AF_INET/AF_INET6 (Modules/socketmodule.c): a host name
        (str, or bytes in IDNA) becomes the numeric address ``setipaddr`` gives, from the
        simulated network's names (:meth:`wsasim.resolver.Resolver.setipaddr`: ``""`` is the
        wildcard, ``"<broadcast>"`` 255.255.255.255). Anything else is checked by the
        Winsock call it is passed to."""
        if not isinstance(address, tuple) or not address:
            return address
        if self._family not in (C.AF_INET, C.AF_INET6):
            return address
        host = address[0]
        if isinstance(host, (bytes, bytearray)):
            host = bytes(host).decode("idna")
        if not isinstance(host, str):
            return address
        # The shape first ("AF_INET address must be a pair (host, port)"): the Winsock call's
        # own check says so for a tuple of the wrong length.
        if not (len(address) == 2 if self._family == C.AF_INET else 2 <= len(address) <= 4):
            return address
        if _numeric_family(host) == self._family:
            return address  # setipaddr's first step: a numeric address of the family is itself
        from wsasim.resolver import Resolver  # it needs wsasim.host, which needs this module

        return (Resolver(self._ws.host).setipaddr(host, self._family), *address[1:])

    def bind(self, address: Name) -> None:
        """``sock_bind``."""
        self._check(self._ws.bind(self._handle, self._sockaddr(address)))

    def listen(self, *backlog: int) -> None:
        """``sock_listen``: the default backlog is ``min(SOMAXCONN, 128)`` (Windows'
        SOMAXCONN is 0x7FFFFFFF: 128); a negative one is 0."""
        if len(backlog) > 1:
            raise TypeError(f"listen() takes at most 1 argument ({len(backlog)} given)")
        number = c_int(backlog[0]) if backlog else min(C.SOMAXCONN, 128)
        self._check(self._ws.listen(self._handle, max(number, 0)))

    def _accept(self) -> tuple[int, AddressTuple | None]:
        """``sock_accept``: ``(handle, address)``, waiting as ``sock_call`` does."""
        got: list[tuple[int, AddressTuple | None]] = []

        def attempt() -> bool:
            handle, address = self._ws.accept(self._handle)
            got.append((handle, address))
            return handle != C.INVALID_SOCKET

        run(self, False, attempt, self.gettimeout())
        return got[-1]

    def accept(self) -> tuple[SimSocket, AddressTuple | None]:
        """Lib/socket.py, ``socket.accept``: the new socket is made from its handle (so with
        the default timeout, and proto 0), and if there is no default timeout but the listener
        has one, it is made blocking (issue #7995); otherwise it keeps what Winsock's accept
        gave it, the listener's blocking mode."""
        handle, address = self._accept()
        handle, family, kind, proto = _probe_handle(self._ws, handle, self._family, self._type)
        conn = SimSocket._adopt(self._ws, handle, family, kind, proto)
        conn._warns = self._warns
        if _socket.getdefaulttimeout() is None and self.gettimeout():
            conn.setblocking(True)
        return conn, address

    def getsockname(self) -> AddressTuple | None:
        """``sock_getsockname``."""
        rc, name = self._ws.getsockname(self._handle)
        self._check(rc)
        return name

    def getpeername(self) -> AddressTuple | None:
        """``sock_getpeername``."""
        rc, name = self._ws.getpeername(self._handle)
        self._check(rc)
        return name

    def setsockopt(self, *args: object) -> None:
        """``sock_setsockopt``: ``(level, optname, int)``, ``(level, optname, None, optlen)``
        (a NULL optval), or ``(level, optname, buffer)``, tried in that order; the last
        parse's error is the one raised. Host OS or Windows numbering."""
        value: int | bytes | None
        if len(args) == 4 and args[2] is None:
            try:
                level, optname = c_int(args[0]), c_int(args[1])
                c_uint_mask(args[3])  # optlen: the simulator's setsockopt takes no length
            except (TypeError, OverflowError):
                raise TypeError("setsockopt() takes exactly 3 arguments (4 given)") from None
            value = None
        else:
            if len(args) != 3:
                raise TypeError(f"setsockopt() takes exactly 3 arguments ({len(args)} given)")
            level, optname = c_int(args[0]), c_int(args[1])
            try:
                value = c_int(args[2])
            except (TypeError, OverflowError):
                value = bytes(readable_buffer(args[2]))
        level, optname = to_windows_option(level, optname)
        self._check(self._ws.setsockopt(self._handle, level, optname, value))

    def getsockopt(self, level: int, optname: int, buflen: int = 0) -> Any:
        """``sock_getsockopt``: an int (a C int, as a 4-byte optval reads), or with a
        ``buflen`` of 1 to 1024 the raw bytes (Host OS or Windows numbering)."""
        win_level, win_optname = to_windows_option(c_int(level), c_int(optname))
        size = c_int(buflen)
        if size != 0 and not 0 < size <= 1024:
            raise OSError("getsockopt buflen out of range")  # sock_getsockopt: no errno
        rc, value = self._ws.getsockopt(self._handle, win_level, win_optname)
        self._check(rc)
        if isinstance(value, tuple):  # SO_LINGER: struct linger {u_short l_onoff, l_linger}
            value = value[0] | value[1] << 16
        raw = (int(value) & 0xFFFFFFFF).to_bytes(4, "little")
        return int.from_bytes(raw, "little", signed=True) if size == 0 else raw[:size]

    # --- connecting -------------------------------------------------------------------------

    def connect(self, address: Name) -> None:
        """``sock_connect``: raises the Winsock error (``TimeoutError("timed out")`` when the
        socket's timeout runs out first)."""
        internal_connect(self, address, True)

    def connect_ex(self, address: Name) -> int:
        """``sock_connect_ex``: 0 or the Winsock code; WSAEWOULDBLOCK (10035) when the
        socket's timeout ran out (Windows' ``SOCK_TIMEOUT_ERR``)."""
        return internal_connect(self, address, False)

    # --- data (send, sendall, sendto, recv, recv_into, ...: DataMethods) ------------------

    def sendfile(self, file: Any, offset: int = 0, count: int | None = None) -> int:
        """Lib/socket.py, ``sendfile``: on Windows always ``send()`` (no ``os.sendfile``)."""
        return pysocket_io.sendfile(self, file, offset, count)

    def makefile(
        self,
        mode: str = "r",
        buffering: int | None = None,
        *,
        encoding: str | None = None,
        errors: str | None = None,
        newline: str | None = None,
    ) -> IO[Any]:
        """Lib/socket.py, ``makefile``: an I/O stream over the socket (see
        :mod:`wsasim.pysocket_io`)."""
        return pysocket_io.makefile(
            self, mode, buffering, encoding=encoding, errors=errors, newline=newline
        )

    def shutdown(self, how: int) -> None:
        """``sock_shutdown``: SHUT_RD/SHUT_WR/SHUT_RDWR (0/1/2), Winsock's SD_RECEIVE/SD_SEND/
        SD_BOTH."""
        flag = c_int(how, too_large="Python int too large to convert to C int")
        self._check(self._ws.shutdown(self._handle, flag))

    # --- handles ----------------------------------------------------------------------------

    def dup(self) -> SimSocket:
        """Lib/socket.py, ``dup``: a new socket object over a new handle to the same socket
        (``socket_dup``: WSADuplicateSocketW and WSASocketW), with this one's timeout."""
        handle = self._ws.duplicate_handle(self._handle)
        if handle == C.INVALID_SOCKET:
            self._failed()
        handle, family, kind, proto = _probe_handle(self._ws, handle, self._family, self._type)
        sock = type(self)._adopt(self._ws, handle, family, kind, proto)
        sock._warns = self._warns
        sock.settimeout(self.gettimeout())
        return sock

    def get_inheritable(self) -> bool:
        """Lib/socket.py on Windows (``os.get_handle_inheritable``): False for a new socket
        (WSA_FLAG_NO_HANDLE_INHERIT), else what :meth:`set_inheritable` set; the simulator has
        no child process to give it to."""
        if self._handle == -1:
            raise_for_code(E.WSA_INVALID_HANDLE)
        return self._inheritable

    def set_inheritable(self, inheritable: bool) -> None:
        """Lib/socket.py on Windows (``os.set_handle_inheritable``)."""
        if self._handle == -1:
            raise_for_code(E.WSA_INVALID_HANDLE)
        self._inheritable = bool(inheritable)

    # --- closing ----------------------------------------------------------------------------

    def _decref_socketios(self) -> None:
        # Lib/socket.py: a makefile object was closed; the socket closes with the last one.
        if self._io_refs > 0:
            self._io_refs -= 1
        if self._closed:
            self.close()

    def _real_close(self) -> None:
        # _socket_socket_close_impl: the handle is forgotten first, then closesocket, whose
        # failure raises (the socket object is closed either way).
        handle, self._handle = self._handle, -1
        if handle != -1 and self._ws.closesocket(handle) == C.SOCKET_ERROR:
            self._failed()

    def close(self) -> None:
        """Lib/socket.py, ``close``: closes the handle unless a makefile object is still open
        (then the last one to close does); a second close does nothing."""
        self._closed = True
        if self._io_refs <= 0:
            self._real_close()

    def detach(self) -> int:
        """``sock_detach``: forget the handle without closing it; returns it."""
        self._closed = True
        handle, self._handle = self._handle, -1
        return handle

    def __enter__(self) -> SimSocket:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if not self._closed:
            self.close()

    def __getstate__(self) -> object:
        """Lib/socket.py: a socket can't be pickled."""
        raise TypeError(f"cannot pickle {self.__class__.__name__!r} object")

    def __del__(self) -> None:
        # sock_finalize: an open socket warns (ResourceWarning "unclosed <...>", the socket its
        # source), then is closed, whatever the warning did. Only the sockets made as
        # socket.socket() makes them (SimSocket(...), and what their accept and dup give): a
        # socket of host.socket() or winsock.socket_object() belongs to the scenario, which
        # may go on using its handle (WSACleanup, or the network's end, closes it).
        handle = getattr(self, "_handle", -1)
        if handle == -1 or not getattr(self, "_warns", False):
            return
        try:
            warnings.warn(f"unclosed {self!r}", ResourceWarning, stacklevel=2, source=self)
        finally:
            self._handle = -1
            self._ws.closesocket(handle)  # its failure is not reported: (void) SOCKETCLOSE(fd)

    def __repr__(self) -> str:
        # Lib/socket.py, socket.__repr__, with the host's name as the simulator's hint.
        if not hasattr(self, "_ws"):
            return f"<{type(self).__module__}.{type(self).__qualname__} (not initialised)>"
        closed = getattr(self, "_closed", False)
        text = (
            f"<{type(self).__module__}.{type(self).__qualname__}"
            f"{' [closed]' if closed else ''} fd={self.fileno()}, family={self.family}, "
            f"type={self.type}, proto={self.proto}"
        )
        if not closed:
            for what, method in (("laddr", self.getsockname), ("raddr", self.getpeername)):
                try:
                    address = method()
                except OSError:
                    continue
                if address:
                    text += f", {what}={address}"
        return f"{text}, host={self._ws.host.name}>"
