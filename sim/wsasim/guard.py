"""The real-network guard: while it is on, a real socket may reach loopback only.

A test on the simulator that reaches the real network by mistake (a library that made its own
socket before ``wsasim.patch``, a ``from socket import socket`` taken at import time, an asyncio
loop of the standard library) passes or fails by what the machine's network does, which is the
flakiness the simulator exists to remove. The pytest plugin's ``wsasim_network`` fixture (and
so every fixture of the plugin) turns the guard on for the test, the way pytest-socket's
``socket_allow_hosts`` does it: it wraps the standard library's ``socket.socket.connect``,
``connect_ex``, ``sendto`` and ``sendmsg``, and the name lookups ``getaddrinfo``,
``gethostbyname``, ``gethostbyname_ex``, which would ask a real DNS server. A destination
that is not loopback (127.0.0.0/8, ::1; other families pass) raises
:class:`RealNetworkBlocked` naming it (the socket is closed); a name other than
``localhost``, the machine's own, or a numeric address is refused the same way. It is a
``RuntimeError``, not an ``OSError``, so that code which retries on network errors cannot
swallow it.

Simulator sockets are not affected: they never touch the real ``socket`` module.
"""

from __future__ import annotations

import contextlib
import functools
import ipaddress
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

#: The standard library's socket class and lookups, as they were when wsasim was imported
#: (before any ``wsasim.patch`` could replace the module's names).
_REAL_SOCKET: type[socket.socket] = socket.socket
_SOCKET_METHODS = ("connect", "connect_ex", "sendto", "sendmsg")
_LOOKUPS = ("getaddrinfo", "gethostbyname", "gethostbyname_ex")


class RealNetworkBlocked(RuntimeError):
    """A test on the simulator tried to reach the real network."""

    def __init__(self, what: str, destination: object) -> None:
        super().__init__(
            f"wsasim: a test tried to reach the real network: {what} to {destination!r}. Only "
            "loopback is allowed while the simulator's fixtures are in use: run the code under "
            "wsasim.patch(host) (the wsasim_patch fixture), or give it a simulated host's "
            "sockets"
        )
        self.destination = destination


def _is_loopback_host(host: object) -> bool:
    if not isinstance(host, str):
        return False
    name = host.split("%", 1)[0].strip("[]")
    if name.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _allowed_destination(address: object) -> bool:
    return isinstance(address, tuple) and bool(address) and _is_loopback_host(address[0])


def _allowed_name(host: object) -> bool:
    if isinstance(host, (bytes, bytearray)):
        host = bytes(host).decode("idna")
    if not isinstance(host, str) or not host:
        return True  # None or "": the wildcard or loopback, no lookup
    bare = host.split("%", 1)[0].strip("[]")
    try:
        ipaddress.ip_address(bare)
        return True  # numeric: no lookup leaves the machine (connect checks the address)
    except ValueError:
        pass
    lowered = bare.lower().rstrip(".")
    return lowered == "localhost" or lowered == socket.gethostname().lower()


def _destination(method: str, args: tuple[Any, ...]) -> object:
    """The address argument of ``connect``/``connect_ex(address)``, ``sendto(data[, flags],
    address)`` or ``sendmsg(buffers[, ancdata[, flags[, address]]])``; None when absent."""
    if method == "sendto":
        return args[-1] if len(args) >= 2 else None
    if method == "sendmsg":
        return args[3] if len(args) >= 4 else None
    return args[0] if args else None


def _guard_method(name: str, original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def guarded(self: socket.socket, *args: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            address = _destination(name, args)
            if address is not None and not _allowed_destination(address):
                # Closed, so that nothing leaks: the standard library's create_connection
                # closes its socket on an OSError only.
                self.close()
                raise RealNetworkBlocked(f"socket.socket.{name}", address)
        return original(self, *args)

    return guarded


def _guard_lookup(name: str, original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def guarded(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not _allowed_name(host):
            raise RealNetworkBlocked(f"socket.{name}", host)
        return original(host, *args, **kwargs)

    return guarded


_lock = threading.Lock()
_depth = 0
_saved: dict[str, Any] = {}


@contextlib.contextmanager
def real_network_guard() -> Iterator[None]:
    """Allow real sockets to reach loopback only, for the duration (nests)."""
    global _depth
    with _lock:
        if _depth == 0:
            for name in _SOCKET_METHODS:
                if hasattr(_REAL_SOCKET, name):
                    original = getattr(_REAL_SOCKET, name)
                    _saved[f"socket.{name}"] = _REAL_SOCKET.__dict__.get(name)
                    setattr(_REAL_SOCKET, name, _guard_method(name, original))
            for name in _LOOKUPS:
                original = getattr(socket, name)
                _saved[name] = original
                setattr(socket, name, _guard_lookup(name, original))
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                for name in _SOCKET_METHODS:
                    key = f"socket.{name}"
                    if key in _saved:
                        before = _saved.pop(key)
                        if before is None:
                            delattr(_REAL_SOCKET, name)
                        else:
                            setattr(_REAL_SOCKET, name, before)
                for name in _LOOKUPS:
                    # A wsasim.patch left open would have replaced the name again; restore
                    # only what is still ours.
                    current = getattr(socket, name)
                    if getattr(current, "__wrapped__", None) is _saved[name]:
                        setattr(socket, name, _saved[name])
                    _saved.pop(name)


def guard_active() -> bool:
    """True while :func:`real_network_guard` is on."""
    return _depth > 0
