"""``wsasim.patch(host)``: unmodified ``socket``-module code runs on the simulator.

This module owns the context manager that makes the standard library's networking names
stand for one simulated host, and puts them back::

    net = wsasim.Network(profile="windows")
    client = net.add_host("client", ["192.0.2.10/24", "2001:db8::10/64"])
    server = net.add_host("server", ["192.0.2.20/24", "2001:db8::20/64"])
    server.listen(443)
    net.add_name("server.example", ["2001:db8::20", "192.0.2.20"])
    net.blackhole("2001:db8::20")
    with wsasim.patch(client):
        sock = socket.create_connection(("server.example", 443))   # Lib/socket.py, unchanged
    # net.now is 21.001: the IPv6 attempt's 21 s SYN timeout, then IPv4's round trip

While it is active, on the thread that entered it:

* ``socket.socket`` and ``socket.SocketType`` are :class:`wsasim.SimSocket`, whose sockets
  live on the patched host (:func:`wsasim.pysocket.push_winsock`): so ``isinstance(s,
  socket.socket)`` holds for them, and Lib/socket.py's own ``create_connection``,
  ``create_server``, ``has_dualstack_ipv6`` and ``getfqdn``, which look ``socket``,
  ``getaddrinfo``, ``gethostname`` and ``gethostbyaddr`` up as module globals at call time,
  run unchanged on the simulator. ``socket.socketpair`` is Windows CPython's (the pure-Python
  one of Lib/socket.py, over a loopback listener) on the simulated host; ``socket.fromfd``
  duplicates a simulator handle (a real descriptor is refused). No real socket is made
  through the socket module.
* ``getaddrinfo``, ``gethostbyname``, ``gethostbyname_ex``, ``gethostbyaddr``,
  ``gethostname`` and ``getnameinfo`` answer from the simulated network's names, in Windows'
  order (:class:`wsasim.resolver.Resolver`).
* ``select.select``, ``selectors.SelectSelector`` and ``selectors.DefaultSelector`` wait on
  simulator sockets in virtual time, and what Windows CPython lacks (``select.poll``,
  ``epoll``, ``selectors.PollSelector``...) is hidden (:mod:`wsasim.patch_select`).
* With ``clock=True`` (the default), ``time.time``, ``time.time_ns``, ``time.monotonic``,
  ``time.monotonic_ns``, ``time.perf_counter`` and ``time.perf_counter_ns`` follow the
  network's virtual clock: ``time.time()`` is the wall-clock time at entry plus the virtual
  seconds elapsed since; the monotonic clocks are ``net.now`` plus a fixed base (a whole
  number of seconds, so that whole virtual seconds subtract exactly). ``time.sleep(s)`` runs
  the network for ``s`` virtual seconds (``net.advance``), with CPython's refusals
  (Modules/timemodule.c and Python/pytime.c: ValueError "sleep length must be non-negative",
  TypeError for a non-number).

Everything is put back on exit, after an exception too. Patches nest: an inner
``patch(other_host)`` makes that host the active one until it exits. They belong to one
thread: entering a patch from another thread while one is active raises RuntimeError, and so
does a call of a patched socket function or a wait on simulator sockets from another thread.
Other threads keep the real clock (``time.*`` delegate to the replaced functions there), and
a select over real descriptors only goes to the real one.

Only module attributes are patched (as ``unittest.mock.patch`` and pytest-socket do): a module
that ran ``from socket import socket`` or ``from time import monotonic`` before the patch keeps
the real objects (``threading``, ``queue``, ``subprocess`` and pytest's own timing do exactly
that, and so stay on real time). Neither are the C-level clocks ``time.localtime()``,
``datetime.now()`` or ``_socket.socket`` touched, nor is ``ssl`` (it needs a real descriptor).
"""

from __future__ import annotations

import contextlib
import math
import select as select_module
import selectors
import socket as _socket
import threading
import time as time_module
from collections.abc import Callable
from types import TracebackType
from typing import Any

from wsaconnect import constants as C
from wsaconnect.errors import raise_for_code
from wsasim.host import Host
from wsasim.network import FIRST_HANDLE
from wsasim.patch_select import HIDDEN, SimSelectSelector, Waits, index
from wsasim.pysocket import SimSocket, pop_winsock, push_winsock
from wsasim.resolver import Resolver

__all__ = ["Patch", "patch"]

_NS_MAX = 2**63 - 1  # _PyTime_t: int64 nanoseconds (Python/pytime.c)
_ACTIVE: list[Patch] = []
_LOCK = threading.Lock()
_MISSING = object()


class Patch:
    """The context manager :func:`patch` returns (see the module's documentation).

    One object is one activation: entering it while it is active is a RuntimeError; once it
    has exited it may be entered again.
    """

    def __init__(self, host: Host, *, clock: bool = True) -> None:
        if not isinstance(host, Host):
            raise TypeError(f"host must be a wsasim.Host, not {type(host).__name__}")
        if not isinstance(clock, bool):
            raise TypeError(f"clock must be a bool, not {type(clock).__name__}")
        self.host = host
        self.network = host.network
        self.clock = clock
        self.names = Resolver(host)
        self._thread: int | None = None
        self._thread_name = ""
        self._saved: list[tuple[object, str, object]] = []

    @property
    def active(self) -> bool:
        """True between ``__enter__`` and ``__exit__``."""
        return self._thread is not None

    # --- entering and leaving ---------------------------------------------------------------

    def __enter__(self) -> Host:
        me = threading.current_thread()
        with _LOCK:
            if self.active:
                raise RuntimeError("this wsasim.patch is already active (make another to nest)")
            if _ACTIVE and _ACTIVE[0]._thread != me.ident:
                raise RuntimeError(
                    f"wsasim.patch is active in thread {_ACTIVE[0]._thread_name!r}: it cannot be "
                    f"entered from thread {me.name!r} (the simulator runs on one thread; "
                    "leave the other patch first)"
                )
            self._thread, self._thread_name = me.ident, me.name
            ws = self.host.winsock
            # CPython's socket module starts Winsock when it is imported (Modules/socketmodule.c,
            # os_init: WSAStartup) and keeps it started: so does the patch, for the host.
            if not ws.started:
                ws.WSAStartup()
            push_winsock(ws)
            try:
                self._install()
            except BaseException:
                self._restore()
                pop_winsock(ws)
                self._thread = None
                raise
            _ACTIVE.append(self)
        return self.host

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        with _LOCK:
            if not self.active:
                raise RuntimeError("this wsasim.patch is not active")
            if _ACTIVE[-1] is not self:
                raise RuntimeError(
                    "wsasim.patch: patches must be left in the reverse order of entering them "
                    "(an inner patch is still active)"
                )
            _ACTIVE.pop()
            try:
                self._restore()
            finally:
                pop_winsock(self.host.winsock)
                self._thread = None

    def _set(self, module: object, name: str, value: object) -> None:
        self._saved.append((module, name, vars(module).get(name, _MISSING)))
        setattr(module, name, value)

    def _hide(self, module: object, name: str) -> None:
        self._saved.append((module, name, vars(module)[name]))
        delattr(module, name)

    def _restore(self) -> None:
        while self._saved:
            module, name, value = self._saved.pop()
            if value is _MISSING:
                delattr(module, name)
            else:
                setattr(module, name, value)

    def _install(self) -> None:
        s = _socket
        waits = Waits(self.network, self.check_thread, self.on_patch_thread, select_module.select)
        for name, value in (
            ("socket", SimSocket),
            ("SocketType", SimSocket),
            ("socketpair", self.socketpair),
            ("fromfd", self.fromfd),
            ("getaddrinfo", self.getaddrinfo),
            ("gethostbyname", self.gethostbyname),
            ("gethostbyname_ex", self.gethostbyname_ex),
            ("gethostbyaddr", self.gethostbyaddr),
            ("gethostname", self.gethostname),
            ("getnameinfo", self.getnameinfo),
        ):
            self._set(s, name, value)
        self._set(select_module, "select", waits.select)
        self._set(selectors, "SelectSelector", SimSelectSelector)
        self._set(selectors, "DefaultSelector", SimSelectSelector)
        for module in (select_module, selectors):
            for name in HIDDEN[module.__name__]:
                if name in vars(module):
                    self._hide(module, name)
        if self.clock:
            self._install_clock()

    # --- threads ----------------------------------------------------------------------------

    def on_patch_thread(self) -> bool:
        """True on the thread that entered the patch."""
        return threading.get_ident() == self._thread

    def check_thread(self, what: str) -> None:
        """Raise RuntimeError unless called on the thread that entered the patch."""
        if threading.get_ident() != self._thread:
            raise RuntimeError(
                f"{what} was called from thread {threading.current_thread().name!r} while "
                f"wsasim.patch is active in thread {self._thread_name!r}: the simulator runs "
                "on the thread that entered the patch"
            )

    # --- the virtual clock ------------------------------------------------------------------

    def _install_clock(self) -> None:
        net = self.network
        start = net.now
        t = time_module
        previous: dict[str, Callable[..., Any]] = {
            name: getattr(t, name)
            for name in (
                "time",
                "time_ns",
                "monotonic",
                "monotonic_ns",
                "perf_counter",
                "perf_counter_ns",
                "sleep",
            )
        }
        # The bases, read from the clocks in place (an outer patch's, when nested): time.time()
        # goes on from the wall-clock time at entry; the monotonic clocks from the next whole
        # second, so that they do not go back and whole virtual seconds subtract exactly.
        wall, wall_ns = float(previous["time"]()), int(previous["time_ns"]())
        mono = math.ceil(float(previous["monotonic"]()))
        perf = math.ceil(float(previous["perf_counter"]()))
        on_thread = self.on_patch_thread

        def elapsed_ns() -> int:
            return round((net.now - start) * 1e9)

        def time() -> float:
            """``time.time()`` in virtual time: the wall clock at entry plus virtual seconds."""
            return wall + (net.now - start) if on_thread() else float(previous["time"]())

        def time_ns() -> int:
            """``time.time_ns()`` in virtual time."""
            return wall_ns + elapsed_ns() if on_thread() else int(previous["time_ns"]())

        def monotonic() -> float:
            """``time.monotonic()``: ``net.now`` plus a fixed base."""
            return mono + (net.now - start) if on_thread() else float(previous["monotonic"]())

        def monotonic_ns() -> int:
            """``time.monotonic_ns()``: ``net.now`` plus a fixed base, in nanoseconds."""
            if on_thread():
                return mono * 1_000_000_000 + elapsed_ns()
            return int(previous["monotonic_ns"]())

        def perf_counter() -> float:
            """``time.perf_counter()``: ``net.now`` plus a fixed base."""
            return perf + (net.now - start) if on_thread() else float(previous["perf_counter"]())

        def perf_counter_ns() -> int:
            """``time.perf_counter_ns()``: ``net.now`` plus a fixed base, in nanoseconds."""
            if on_thread():
                return perf * 1_000_000_000 + elapsed_ns()
            return int(previous["perf_counter_ns"]())

        def sleep(secs: float) -> None:
            """``time.sleep(secs)``: run the network for ``secs`` virtual seconds."""
            if not on_thread():
                previous["sleep"](secs)
                return
            net.advance(_sleep_seconds(secs))

        for function in (time, time_ns, monotonic, monotonic_ns, perf_counter, perf_counter_ns):
            self._set(t, function.__name__, function)
        self._set(t, "sleep", sleep)

    # --- sockets ----------------------------------------------------------------------------

    def socketpair(
        self, family: int = _socket.AF_INET, type: int = _socket.SOCK_STREAM, proto: int = 0
    ) -> tuple[SimSocket, SimSocket]:
        """Windows CPython's ``socket.socketpair``, on the simulated host.

        Windows' ``_socket`` has no socketpair, so Lib/socket.py defines it in Python: a
        listener on the loopback address, a non-blocking connect to it, an accept (the
        defaults: AF_INET, SOCK_STREAM, 0). This is that algorithm with SimSocket, including
        the check that the accepted connection is the one just made (gh-122133).
        """
        self.check_thread("socket.socketpair")
        if family == _socket.AF_INET:
            host = "127.0.0.1"
        elif family in (_socket.AF_INET6, C.AF_INET6):
            host = "::1"
        else:
            raise ValueError("Only AF_INET and AF_INET6 socket address families are supported")
        if type != _socket.SOCK_STREAM:
            raise ValueError("Only SOCK_STREAM socket type is supported")
        if proto != 0:
            raise ValueError("Only protocol zero is supported")
        lsock = SimSocket(family, type, proto)
        try:
            lsock.bind((host, 0))
            lsock.listen()
            addr, port = lsock.getsockname()[:2]  # type: ignore[index]
            csock = SimSocket(family, type, proto)
            try:
                csock.setblocking(False)
                with contextlib.suppress(BlockingIOError, InterruptedError):
                    csock.connect((addr, port))
                csock.setblocking(True)
                ssock, _ = lsock.accept()
            except BaseException:
                csock.close()
                raise
        finally:
            lsock.close()
        try:
            if (
                ssock.getsockname() != csock.getpeername()
                or csock.getsockname() != ssock.getpeername()
            ):
                raise ConnectionError("Unexpected peer connection")
        except BaseException:
            ssock.close()
            csock.close()
            raise
        return ssock, csock

    def fromfd(self, fd: Any, family: int, type: int, proto: int = 0) -> SimSocket:
        """Lib/socket.py's ``fromfd``: a new socket over a duplicate of ``fd`` (``_socket.dup``,
        which on Windows is WSADuplicateSocket: Modules/socketmodule.c, ``_socket_dup``), for a
        simulator handle; a real descriptor is refused, since it would make a real socket."""
        self.check_thread("socket.fromfd")
        handle = index(fd)
        if handle < FIRST_HANDLE:
            raise RuntimeError(
                f"socket.fromfd({fd!r}, ...) is refused while wsasim.patch is active: it would "
                "duplicate a real descriptor into a real socket"
            )
        ws = self.host.winsock
        copy = ws.duplicate_handle(handle)
        if copy == C.INVALID_SOCKET:
            raise_for_code(ws.WSAGetLastError())
        return SimSocket(family, type, proto, copy)

    # --- names (Resolver's, on the patch's thread) -----------------------------------------

    def getaddrinfo(
        self,
        host: Any,
        port: Any,
        family: int = 0,
        type: int = 0,
        proto: int = 0,
        flags: int = 0,
    ) -> list[tuple[Any, Any, int, str, Any]]:
        """``socket.getaddrinfo`` (:meth:`Resolver.getaddrinfo`)."""
        self.check_thread("socket.getaddrinfo")
        return self.names.getaddrinfo(host, port, family, type, proto, flags)

    def gethostbyname(self, hostname: Any) -> str:
        """``socket.gethostbyname`` (:meth:`Resolver.gethostbyname`)."""
        self.check_thread("socket.gethostbyname")
        return self.names.gethostbyname(hostname)

    def gethostbyname_ex(self, hostname: Any) -> tuple[str, list[str], list[str]]:
        """``socket.gethostbyname_ex`` (:meth:`Resolver.gethostbyname_ex`)."""
        self.check_thread("socket.gethostbyname_ex")
        return self.names.gethostbyname_ex(hostname)

    def gethostbyaddr(self, ip_address: Any) -> tuple[str, list[str], list[str]]:
        """``socket.gethostbyaddr`` (:meth:`Resolver.gethostbyaddr`)."""
        self.check_thread("socket.gethostbyaddr")
        return self.names.gethostbyaddr(ip_address)

    def gethostname(self) -> str:
        """``socket.gethostname``: the host's name."""
        self.check_thread("socket.gethostname")
        return self.host.name

    def getnameinfo(self, sockaddr: Any, flags: int) -> tuple[str, str]:
        """``socket.getnameinfo`` (:meth:`Resolver.getnameinfo`)."""
        self.check_thread("socket.getnameinfo")
        return self.names.getnameinfo(sockaddr, flags)


def _sleep_seconds(secs: object) -> float:
    """time.sleep's argument checks (Modules/timemodule.c ``time_sleep``, Python/pytime.c
    ``_PyTime_FromSecondsObject``), with CPython's messages."""
    if isinstance(secs, float):
        if math.isnan(secs):
            raise ValueError("Invalid value NaN (not a number)")
        if math.isinf(secs) or abs(secs) >= 2.0**63:
            raise OverflowError("timestamp out of range for platform time_t")
        seconds = secs
    else:
        seconds = index(secs)
    if abs(seconds) * 1e9 > _NS_MAX:
        raise OverflowError("timestamp too large to convert to C _PyTime_t")
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    return float(seconds)


def patch(host: Host, *, clock: bool = True) -> Patch:
    """A context manager under which the ``socket``, ``select``, ``selectors`` and (with
    ``clock``) ``time`` modules run on ``host``'s simulated network.

    See :mod:`wsasim.patch` for what is patched and how; ``with`` gives back ``host``.

    Raises:
        TypeError: ``host`` is not a :class:`wsasim.Host`, or ``clock`` not a bool.
        RuntimeError: on entry, when a patch is active in another thread.
    """
    return Patch(host, clock=clock)
