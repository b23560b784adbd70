"""The Pythonic API: connect, connect_by_list, connect_by_name and create_connection.

This module owns what users touch first: each function takes a socket (a ``socket.socket``,
a simulator socket, or a raw handle), checks its Python arguments before anything is sent
(``TypeError``/``ValueError`` naming the argument), calls one low-level function of a
backend, and turns a failure into an exception through the one
:func:`wsaconnect.errors.raise_for_code`. It knows no backend in particular: the backend is
``backend=``, else the socket's own (a simulator socket knows its host), else the context's
(:func:`wsaconnect.use_backend`), else :func:`wsaconnect.get_backend`.

``create_connection`` does the dual-stack work the WSAConnectByList document asks of callers:
an AF_INET6 socket with IPV6_V6ONLY off, IPv4 destinations written IPv4-mapped, and
SO_UPDATE_CONNECT_CONTEXT set after success so the socket's options are in force.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from wsaconnect import addresses as A
from wsaconnect import checks, staggered
from wsaconnect import constants as C
from wsaconnect.addresses import AddressTuple, Name, SockAddr
from wsaconnect.backend import Backend, current_backend
from wsaconnect.errors import raise_for_code
from wsaconnect.structures import QOS, WSABUF


@runtime_checkable
class AttemptRecord(Protocol):
    """One connection attempt as a backend that records them reports it."""

    @property
    def local(self) -> SockAddr: ...
    @property
    def remote(self) -> SockAddr: ...
    @property
    def started(self) -> float: ...
    @property
    def ended(self) -> float | None: ...
    @property
    def outcome(self) -> str: ...


@runtime_checkable
class RecordsAttempts(Protocol):
    """A backend that records its connection attempts (the simulator does; Winsock doesn't)."""

    @property
    def attempts(self) -> Sequence[AttemptRecord]: ...


@dataclass(frozen=True)
class Connection:
    """The outcome of connect_by_list/connect_by_name/staggered_connect.

    Attributes:
        local: the local address (as getsockname gives it).
        remote: the remote address (as getpeername gives it).
        attempts: the attempts made, where the backend records them (the simulator), and
            always for staggered_connect (timed with the backend's clock); else ().
        socket: the connected socket staggered_connect made; None otherwise.
    """

    local: AddressTuple | None
    remote: AddressTuple | None
    attempts: tuple[AttemptRecord, ...] = ()
    #: The connected socket, which the caller owns (:func:`staggered_connect`); None for the
    #: calls that connect the caller's own socket.
    socket: Any = None


@runtime_checkable
class _OwnsBackend(Protocol):
    @property
    def backend(self) -> Backend: ...

    def fileno(self) -> int: ...


_started: weakref.WeakSet[Any] = weakref.WeakSet()


def _known(backend: object) -> bool:
    """True for a backend already checked and started (see :func:`_backend_for`)."""
    try:
        return backend in _started
    except TypeError:  # unhashable: never one of ours
        return False


def _backend_for(sock: object, backend: Backend | None) -> Backend:
    """The backend a call uses: ``backend``, else ``sock``'s own, else the context's.

    Raises:
        TypeError: ``backend``, or the ``backend`` attribute of ``sock``, is not a Backend.
    """
    if backend is not None:
        if not isinstance(backend, Backend):
            raise TypeError(f"backend must be a wsaconnect Backend, not {type(backend).__name__}")
        chosen = backend
    elif isinstance(sock, _OwnsBackend):
        chosen = sock.backend
        # Checked once per backend: every backend in _started has passed this test.
        if not _known(chosen) and not isinstance(chosen, Backend):
            raise TypeError(
                f"sock.backend must be a wsaconnect Backend, not {type(chosen).__name__} "
                f"(sock is a {type(sock).__name__})"
            )
    else:
        chosen = current_backend()
    if not _known(chosen):
        # A program using the Pythonic API need not call WSAStartup itself (Python's socket
        # module does the same on Windows); one reference per backend, for its lifetime.
        chosen.WSAStartup(C.WINSOCK_VERSION)
        _started.add(chosen)
    return chosen


def handle_of(sock: object) -> int:
    """The SOCKET handle of ``sock``: a socket object's ``fileno()``, or an int handle.

    Raises:
        TypeError: ``sock`` is neither.
    """
    if isinstance(sock, bool):
        raise TypeError("sock must be a socket or a socket handle, not bool")
    if isinstance(sock, int):
        return sock
    fileno = getattr(sock, "fileno", None)
    if callable(fileno):
        handle = fileno()
        if isinstance(handle, int):
            return handle
    raise TypeError(f"sock must be a socket or a socket handle, not {type(sock).__name__}")


def _check_address(address: object, argument: str) -> Name:
    if isinstance(address, (bytes, bytearray, memoryview)):
        return bytes(address)
    A.from_tuple(address, argument)  # TypeError / ValueError naming the argument
    return address  # type: ignore[return-value]


def _fail(backend: Backend) -> None:
    raise_for_code(backend.WSAGetLastError())


def _attempts_since(backend: Backend, start: int) -> tuple[AttemptRecord, ...]:
    if isinstance(backend, RecordsAttempts):
        return tuple(backend.attempts[start:])
    return ()


def _attempt_count(backend: Backend) -> int:
    return len(backend.attempts) if isinstance(backend, RecordsAttempts) else 0


def connect(
    sock: object,
    address: Name,
    *,
    caller_data: bytes | None = None,
    qos: QOS | None = None,
    backend: Backend | None = None,
) -> bytes:
    """Connect ``sock`` to ``address`` with WSAConnect.

    Args:
        sock: a ``socket.socket``, a simulator socket, or a SOCKET handle.
        address: ``(host, port)``, ``(host, port, flowinfo, scope_id)`` or a raw SOCKADDR.
        caller_data: connect data for the peer (TCP/IP carries none: WSAEPROTONOSUPPORT).
        qos: the socket's flow specs (lpSQOS).
        backend: the backend to use (see the module documentation).

    Returns:
        The callee data the peer sent back (always empty over TCP/IP).

    Raises:
        WinsockError: the connect failed (a subclass per code, also e.g.
            ``ConnectionRefusedError``, ``TimeoutError``, ``BlockingIOError``).
        TypeError, ValueError: an argument Winsock could not be given.
    """
    name = _check_address(address, "address")
    if caller_data is not None and not isinstance(caller_data, (bytes, bytearray)):
        raise TypeError(f"caller_data must be bytes or None, not {type(caller_data).__name__}")
    if qos is not None and not isinstance(qos, QOS):
        raise TypeError(f"qos must be a wsaconnect.QOS or None, not {type(qos).__name__}")
    chosen = _backend_for(sock, backend)
    callee = WSABUF(1024, bytearray(1024))
    rc = chosen.WSAConnect(handle_of(sock), name, None, caller_data, callee, qos, None)
    if rc == C.SOCKET_ERROR:
        _fail(chosen)
    assert callee.buf is not None
    return bytes(callee.buf[: callee.len])


def _check_addresses(addresses: object) -> list[Name]:
    if isinstance(addresses, (str, bytes, tuple)) or not isinstance(addresses, Iterable):
        raise TypeError(
            f"addresses must be a list of (host, port) tuples, not {type(addresses).__name__}"
        )
    checked = [_check_address(a, f"addresses[{i}]") for i, a in enumerate(addresses)]
    if not checked:
        raise ValueError("addresses must not be empty")
    return checked


def connect_by_list(
    sock: object,
    addresses: Iterable[Name],
    *,
    timeout: float | None = None,
    backend: Backend | None = None,
) -> Connection:
    """Connect ``sock`` (unbound) to the best reachable one of ``addresses``.

    WSAConnectByList: the pairs of every address with every local address are tried best first
    (see :func:`wsaconnect.ordering.address_pairs`); ``timeout`` is checked only between
    attempts, so the call can take longer. On an AF_INET6 socket IPv4 addresses must be
    IPv4-mapped and IPV6_V6ONLY off (:func:`create_connection` does that for you).

    Raises:
        WinsockError: the last attempt's error, or WSAETIMEDOUT once the timeout has passed.
        TypeError, ValueError: an argument Winsock could not be given (an empty list, ...).
    """
    names = _check_addresses(addresses)
    seconds = checks.timeout(timeout)
    chosen = _backend_for(sock, backend)
    before = _attempt_count(chosen)
    ok, local, remote = chosen.WSAConnectByList(handle_of(sock), names, seconds)
    if not ok:
        _fail(chosen)
    return Connection(local, remote, _attempts_since(chosen, before))


def connect_by_name(
    sock: object,
    host: str,
    service: str | int,
    *,
    timeout: float | None = None,
    backend: Backend | None = None,
) -> Connection:
    """Resolve ``host`` and ``service`` and connect ``sock`` (unbound) with WSAConnectByName.

    Args:
        host: a name or a numeric address.
        service: a service name (``"https"``) or a port number.

    Raises:
        WinsockError: WSAHOST_NOT_FOUND, WSATYPE_NOT_FOUND, or the connect's error.
        TypeError, ValueError: an argument Winsock could not be given.
    """
    if not isinstance(host, str):
        raise TypeError(f"host must be a str, not {type(host).__name__}")
    if not host:
        raise ValueError("host must not be empty")
    if isinstance(service, int) and not isinstance(service, bool):
        if not 0 <= service <= 0xFFFF:
            raise ValueError(f"service: port must be 0-65535, not {service}")
        service = str(service)
    elif not isinstance(service, str):
        raise TypeError(f"service must be a str or an int port, not {type(service).__name__}")
    seconds = checks.timeout(timeout)
    chosen = _backend_for(sock, backend)
    before = _attempt_count(chosen)
    ok, local, remote = chosen.WSAConnectByName(handle_of(sock), host, service, seconds)
    if not ok:
        _fail(chosen)
    return Connection(local, remote, _attempts_since(chosen, before))


def create_connection(
    addresses: Iterable[AddressTuple],
    *,
    timeout: float | None = None,
    backend: Backend | None = None,
) -> Any:
    """A connected dual-stack TCP socket to the best reachable one of ``addresses``.

    Makes an AF_INET6 socket with IPV6_V6ONLY off, writes IPv4 destinations IPv4-mapped, calls
    WSAConnectByList, and sets SO_UPDATE_CONNECT_CONTEXT on success. The caller owns the
    returned socket: a ``socket.socket`` on the native backend, a simulator socket on the
    simulator.

    Raises:
        WinsockError: as :func:`connect_by_list`; the socket is closed first.
        TypeError, ValueError: an argument Winsock could not be given.
    """
    names = _check_addresses(addresses)
    mapped: list[Name] = [
        n if isinstance(n, bytes) else A.v4_mapped(A.from_tuple(n)).to_tuple() for n in names
    ]
    seconds = checks.timeout(timeout)
    chosen = _backend_for(None, backend)
    s = chosen.socket(C.AF_INET6, C.SOCK_STREAM, C.IPPROTO_TCP)
    if s == C.INVALID_SOCKET:
        _fail(chosen)
    try:
        if chosen.setsockopt(s, C.IPPROTO_IPV6, C.IPV6_V6ONLY, 0) == C.SOCKET_ERROR:
            _fail(chosen)
        ok, _, _ = chosen.WSAConnectByList(s, mapped, seconds)
        if not ok:
            _fail(chosen)
        if chosen.setsockopt(s, C.SOL_SOCKET, C.SO_UPDATE_CONNECT_CONTEXT, None) != 0:
            _fail(chosen)
    except BaseException:
        code = chosen.WSAGetLastError()
        chosen.closesocket(s)
        chosen.WSASetLastError(code)
        raise
    return chosen.socket_object(s, C.AF_INET6, C.SOCK_STREAM, C.IPPROTO_TCP)


def staggered_connect(
    addresses: Iterable[AddressTuple],
    *,
    delay: float = staggered.DEFAULT_DELAY,
    timeout: float | None = None,
    interleave: int = 1,
    all_errors: bool = False,
    backend: Backend | None = None,
) -> Connection:
    """Happy Eyeballs (RFC 8305) over non-blocking WSAConnect: the first of ``addresses`` to
    connect (see :mod:`wsaconnect.staggered` for the algorithm and its sources).

    ``addresses`` are ``(host, port)`` tuples; a host that is a name is resolved through the
    backend's getaddrinfo. A new attempt starts every ``delay`` seconds or as soon as the last
    one fails; ``timeout`` is a hard deadline for the whole call; ``interleave`` is how many
    addresses of the first family come before the other family's first.

    Returns:
        a :class:`Connection` whose ``socket`` is the connected socket (the caller owns it: a
        ``socket.socket`` natively, a simulator socket on the simulator) and whose
        ``attempts`` are every attempt, timed with the backend's clock.

    Raises:
        TimeoutError: WSAETIMEDOUT, the deadline passed (every attempt is closed).
        WinsockError: every attempt failed: the first attempt's error.
        ExceptionGroup: every attempt failed, with ``all_errors=True``: all their errors.
        TypeError, ValueError: a bad argument, named.
    """
    seconds = checks.seconds(delay, "delay")
    deadline = None if timeout is None else checks.seconds(timeout, "timeout")
    first_count = checks.integer(interleave, "interleave", 1)
    if not isinstance(all_errors, bool):
        raise TypeError(f"all_errors must be a bool, not {type(all_errors).__name__}")
    if isinstance(addresses, (str, bytes)) or not isinstance(addresses, Iterable):
        raise TypeError("addresses must be an iterable of (host, port) tuples")
    chosen = _backend_for(None, backend)
    destinations = staggered.resolve(chosen, list(addresses))
    handle, remote, attempts = staggered.race(
        chosen,
        destinations,
        delay=seconds,
        deadline=deadline,
        interleave=first_count,
        all_errors=all_errors,
    )
    sock = chosen.socket_object(handle, remote.family, C.SOCK_STREAM, C.IPPROTO_TCP)
    rc, local = chosen.getsockname(handle)
    return Connection(local if rc == 0 else None, remote.to_tuple(), tuple(attempts), sock)
