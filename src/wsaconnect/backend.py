"""The backend protocol, how it grows, and how a backend is chosen.

A backend is an object with Winsock's low-level functions as methods: the native CFFI binding
on Windows, or one simulated host's ``winsock`` from :mod:`wsasim`. This module owns the
:class:`Backend` protocol they both satisfy, the capability protocols that extend it, and the
choice between backends: :func:`get_backend` by name or ``WSACONNECT_BACKEND``,
:func:`use_backend` for a context.

How the protocol grows. :class:`Backend` is a ``runtime_checkable`` Protocol, so a user's own
backend (a fake in a test, a recording wrapper) is a backend by its shape alone. Adding a
method to it would silently turn every such object written before into a non-backend
(``isinstance`` fails, and ``use_backend`` refuses it). So :class:`Backend` is frozen: its
methods are the core, pinned by a test, and it does not change. Each later function is a
*capability*: a small ``runtime_checkable`` Protocol of its own named ``Supports<Name>``
(:class:`SupportsShutdown` is the first, then :class:`SupportsWSAIoctl` and
:class:`SupportsGetaddrinfo`), listed in :data:`CAPABILITIES`. Both shipped backends
implement every capability. Code that needs one asks with :func:`require`, which returns the
backend or raises a TypeError naming the capability and the missing method; code that can do
without one tests ``isinstance(backend, SupportsX)`` and takes another way (docs/api.md,
"Functions added after the first release").

It never falls back silently: asking for the native backend where it cannot run raises
:class:`BackendUnavailable`; the simulator is used only when asked for. It imports neither
backend at import time.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol, TypeVar, cast, runtime_checkable

from wsaconnect.addresses import AddressTuple, Name
from wsaconnect.structures import QOS, WSABUF

#: Environment variable naming the default backend ("native" or "sim").
ENVIRONMENT_VARIABLE = "WSACONNECT_BACKEND"


class BackendUnavailable(RuntimeError):
    """The requested backend cannot run here (for example the native one off Windows)."""


@runtime_checkable
class Backend(Protocol):
    """Winsock's low-level functions, with the C names and argument order: the frozen core.

    Each returns what the C function returns; where C also writes through out-parameters, a
    tuple ``(C return value, out values...)``. Failures are reported as in C (SOCKET_ERROR,
    INVALID_SOCKET, FALSE) with the code in :meth:`WSAGetLastError`; only a Python value of the
    wrong type raises (TypeError), or one no C structure can carry (ValueError).

    Do not add a method here: add a capability protocol (see the module docstring).
    """

    def WSAStartup(self, version: int = 0x0202) -> int: ...
    def WSACleanup(self) -> int: ...
    def WSAGetLastError(self) -> int: ...
    def WSASetLastError(self, code: int) -> None: ...
    def WSACancelBlockingCall(self) -> int: ...

    def socket(self, af: int, type: int, protocol: int = 0) -> int: ...
    def closesocket(self, s: int) -> int: ...
    def bind(self, s: int, name: Name | None, namelen: int | None = None) -> int: ...
    def listen(self, s: int, backlog: int) -> int: ...
    def accept(self, s: int) -> tuple[int, AddressTuple | None]: ...
    def ioctlsocket(self, s: int, cmd: int, arg: int) -> int: ...
    def setsockopt(self, s: int, level: int, optname: int, value: object) -> int: ...
    def getsockopt(self, s: int, level: int, optname: int) -> tuple[int, Any]: ...
    def getsockname(self, s: int) -> tuple[int, AddressTuple | None]: ...
    def getpeername(self, s: int) -> tuple[int, AddressTuple | None]: ...

    def connect(self, s: int, name: Name | None, namelen: int | None = None) -> int: ...
    def WSAConnect(
        self,
        s: int,
        name: Name | None,
        namelen: int | None = None,
        caller_data: bytes | None = None,
        callee_data: WSABUF | None = None,
        sqos: QOS | None = None,
        gqos: QOS | None = None,
    ) -> int: ...

    def WSAConnectByList(
        self,
        s: int,
        addresses: Sequence[Name],
        timeout: float | None = None,
        reserved: object = None,
        *,
        local_address_length: int | None = ...,
        remote_address_length: int | None = ...,
    ) -> tuple[bool, AddressTuple | None, AddressTuple | None]: ...
    def WSAConnectByName(
        self,
        s: int,
        nodename: str | None,
        servicename: str | None,
        timeout: float | None = None,
        reserved: object = None,
        *,
        local_address_length: int | None = ...,
        remote_address_length: int | None = ...,
    ) -> tuple[bool, AddressTuple | None, AddressTuple | None]: ...

    def send(self, s: int, data: bytes, flags: int = 0) -> int: ...
    def recv(self, s: int, bufsize: int, flags: int = 0) -> tuple[int, bytes]: ...
    def sendto(
        self, s: int, data: bytes, flags: int, to: Name | None, tolen: int | None = None
    ) -> int: ...
    def recvfrom(
        self, s: int, bufsize: int, flags: int = 0
    ) -> tuple[int, bytes, AddressTuple | None]: ...

    def select(
        self,
        readfds: Sequence[int],
        writefds: Sequence[int],
        exceptfds: Sequence[int],
        timeout: float | None = None,
    ) -> tuple[int, list[int], list[int], list[int]]: ...

    def WSACreateEvent(self) -> int: ...
    def WSACloseEvent(self, h: int) -> bool: ...
    def WSASetEvent(self, h: int) -> bool: ...
    def WSAResetEvent(self, h: int) -> bool: ...
    def WSAEventSelect(self, s: int, h: int, mask: int) -> int: ...
    def WSAWaitForMultipleEvents(
        self, events: Sequence[int], wait_all: bool, timeout_ms: int, alertable: bool = False
    ) -> int: ...
    def WSAEnumNetworkEvents(self, s: int, h: int) -> tuple[int, int, list[int]]: ...

    def WSAAsyncSelect(self, s: int, hwnd: int, msg: int, mask: int) -> int: ...
    def create_message_window(self) -> int: ...
    def get_messages(self, hwnd: int) -> list[tuple[int, int, int]]: ...

    def socket_object(self, s: int, family: int, type: int, proto: int = 0) -> Any:
        """An object with the ``socket.socket`` interface that owns handle ``s``, a socket of
        ``family``/``type``/``proto`` (Windows values): a ``socket.socket`` natively, a
        ``wsasim.SimSocket`` on the simulator."""
        ...


# --- Capabilities: what a backend may have beyond the core --------------------------------


@runtime_checkable
class SupportsShutdown(Protocol):
    """Winsock's ``shutdown``: stop receiving, sending or both on a socket.

    ``how`` is SD_RECEIVE (0), SD_SEND (1) or SD_BOTH (2) (winsock2.h); returns 0 or
    SOCKET_ERROR with the code in WSAGetLastError (Microsoft's "shutdown function (winsock.h)"
    page: WSAENOTCONN on a stream socket that is not connected, WSAEINVAL for another ``how``).
    """

    def shutdown(self, s: int, how: int) -> int: ...


#: One getaddrinfo result: ``(family, socktype, protocol, canonname, sockaddr)``, with
#: Windows' AF_* numbers and the sockaddr as every other call returns one.
AddrInfo = tuple[int, int, int, str, AddressTuple]


@runtime_checkable
class SupportsWSAIoctl(Protocol):
    """Winsock's ``WSAIoctl`` without overlapped I/O: a control code on a socket.

    ``in_buffer`` is the input bytes (``lpvInBuffer``/``cbInBuffer``; None for NULL, 0 bytes),
    ``out_size`` the size of the output buffer (0: none). Returns ``(0, output bytes)``, the
    first ``lpcbBytesReturned`` bytes, or ``(SOCKET_ERROR, b"")`` with the code in
    WSAGetLastError (Microsoft's "WSAIoctl function (winsock2.h)" page: WSAEOPNOTSUPP for a code
    the provider does not support, WSAEINVAL for an input it refuses, WSAENOTSOCK, ...). Both
    backends know at least FIONBIO and SIO_TCP_INITIAL_RTO (docs/api.md).
    """

    def WSAIoctl(
        self, s: int, code: int, in_buffer: bytes | None, out_size: int = 0
    ) -> tuple[int, bytes]: ...


@runtime_checkable
class SupportsGetaddrinfo(Protocol):
    """Winsock's ``GetAddrInfoW``: a node and a service resolved to socket addresses.

    Takes the hints as arguments (``family``, ``socktype``, ``protocol``, ``flags``: the
    ``ADDRINFOW`` fields, Windows' AF_* and AI_* numbers). Returns what C returns with its
    out-parameter: ``(0, [AddrInfo, ...])``, or ``(code, [])`` with the Windows Sockets error
    code (the GetAddrInfoW page: "Failure returns a nonzero Windows Sockets error code":
    WSAHOST_NOT_FOUND for an unknown name, WSATYPE_NOT_FOUND for an unknown service, ...).
    """

    def getaddrinfo(
        self,
        nodename: str | None,
        servicename: str | None,
        family: int = 0,
        socktype: int = 0,
        protocol: int = 0,
        flags: int = 0,
    ) -> tuple[int, list[AddrInfo]]: ...


#: Every capability protocol, in the order they were added.
CAPABILITIES: tuple[type, ...] = (SupportsShutdown, SupportsWSAIoctl, SupportsGetaddrinfo)

_Capability = TypeVar("_Capability")


def protocol_methods(protocol: type) -> list[str]:
    """The names of the methods ``protocol`` declares (its own and its bases'), sorted."""
    names: set[str] = set()
    for cls in protocol.__mro__:
        if cls in (object, Protocol) or cls.__module__ == "typing":
            continue
        names.update(n for n, v in vars(cls).items() if callable(v) and not n.startswith("_"))
    return sorted(names)


def require(
    backend: object, capability: Callable[..., _Capability], what: str = "backend"
) -> _Capability:
    """Return ``backend`` if it has ``capability``; else raise, saying what it lacks.

    ``capability`` is typed as what a class is, a callable that makes its instances, because
    mypy refuses a Protocol where ``type[T]`` is expected (its "type-abstract" error).

    Args:
        backend: the backend a call is about to use.
        capability: a capability protocol (:class:`SupportsShutdown`, ...), or :class:`Backend`.
        what: how the caller names ``backend`` (an argument name), for the message.

    Returns:
        ``backend``, typed as the capability.

    Raises:
        TypeError: ``backend`` lacks a method of ``capability`` (the message names them both).
    """
    protocol = cast("type[Any]", capability)
    if isinstance(backend, protocol):
        return cast(_Capability, backend)
    missing = [n for n in protocol_methods(protocol) if not callable(getattr(backend, n, None))]
    lacks = ", ".join(f"{n}()" for n in missing[:3]) or "the methods"
    if len(missing) > 3:
        lacks += f" and {len(missing) - 3} more"
    raise TypeError(
        f"{what} ({type(backend).__name__}) has no {lacks}: this call needs "
        f"{protocol.__module__}.{protocol.__qualname__}, which the native backend and the "
        "simulator implement"
    )


# --- Choosing a backend ---------------------------------------------------------------------


def native_backend() -> Backend:
    """Return the CFFI binding to the real Winsock.

    Raises:
        BackendUnavailable: not on Windows, or the compiled module is missing.
    """
    if sys.platform != "win32":
        raise BackendUnavailable(
            f"the native backend needs Windows (this is {sys.platform}); to run on the "
            f'simulator instead, pass backend=wsaconnect.get_backend("sim"), use a '
            f"wsasim.Network host's .winsock, or set {ENVIRONMENT_VARIABLE}=sim"
        )
    try:
        import wsaconnect._native as _native
    except ImportError as exc:
        raise BackendUnavailable(
            "the compiled module wsaconnect._winsock is missing: reinstall wsaconnect from a "
            f"wheel for this platform, or build it with a C compiler ({exc})"
        ) from exc
    backend: Backend = _native.NativeBackend()
    return backend


def _sim_backend() -> Backend:
    from wsasim.default import default_client

    backend: Backend = default_client().winsock
    return backend


_FACTORIES = {"native": native_backend, "sim": _sim_backend}


def get_backend(name: str | None = None) -> Backend:
    """Return a backend by name.

    Args:
        name: ``"native"``, ``"sim"`` (the client host of the process-wide default simulated
            network, ``wsasim.default_network()``: every call gives the same one), or None for
            the value of ``WSACONNECT_BACKEND``, else ``"native"``.

    Raises:
        ValueError: an unknown name.
        BackendUnavailable: the native backend was chosen where it cannot run.
    """
    if name is None:
        name = os.environ.get(ENVIRONMENT_VARIABLE) or "native"
    if not isinstance(name, str):
        raise TypeError(f"name must be a str or None, not {type(name).__name__}")
    factory = _FACTORIES.get(name.strip().lower())
    if factory is None:
        raise ValueError(f"unknown backend {name!r}: choose 'native' or 'sim'")
    return factory()


_current: contextvars.ContextVar[Backend | None] = contextvars.ContextVar(
    "wsaconnect_backend", default=None
)


@contextlib.contextmanager
def use_backend(backend: Backend | str) -> Iterator[Backend]:
    """Make ``backend`` (a backend, or a name for :func:`get_backend`) the default of the
    Pythonic API in the current context.

    Raises:
        TypeError: ``backend`` does not look like a backend.
        ValueError: an unknown name.
        BackendUnavailable: the native backend was named where it cannot run.
    """
    if isinstance(backend, str):
        backend = get_backend(backend)
    if not isinstance(backend, Backend):
        raise TypeError(f"backend must be a wsaconnect Backend, not {type(backend).__name__}")
    token = _current.set(backend)
    try:
        yield backend
    finally:
        _current.reset(token)


def current_backend() -> Backend:
    """The backend of the current context (see :func:`use_backend`), else :func:`get_backend`."""
    backend = _current.get()
    return get_backend() if backend is None else backend
