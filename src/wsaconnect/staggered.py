"""Staggered connect: Happy Eyeballs (RFC 8305) over non-blocking WSAConnect and select.

WSAConnectByList tries one address pair at a time and looks at its timeout only between
attempts, so k dead addresses cost k SYN timeouts (21 s each on Windows) and a 5 s timeout
can return after 21 s. :func:`staggered_connect` races the attempts instead, with the same
code on every backend:

* **Order** (RFC 8305 section 4): the destinations in RFC 6724 order
  (:func:`wsaconnect.ordering.sort_destinations`, against the local addresses the backend
  reports; a backend that reports none keeps the order given, which is getaddrinfo's, itself
  RFC 6724 on Windows), then interleaved by family: ``interleave`` addresses of the first
  family, then one of the other, and so on.
* **Racing** (section 5): a new attempt starts every ``delay`` seconds, or at once when the
  last one started fails; earlier attempts go on meanwhile. An attempt is a non-blocking
  socket of the destination's family and a connect that gives WSAEWOULDBLOCK; select reports
  it in writefds when it connects and in exceptfds when it fails (the select document), its
  error then in SO_ERROR.
* **The winner** is the first attempt select reports connected; every other attempt is closed
  at once, also one that connected in the same select (aiohappyeyeballs #100 and #101: two
  winners). Completions are looked at before a new attempt starts, so an attempt that
  connects exactly when the delay runs out wins without a new one being started (trio #632).
* **The deadline**: ``timeout`` bounds the whole call, not each attempt; when it passes, every
  pending attempt is closed and WSAETIMEDOUT (``TimeoutError``) is raised.
* **Loopback fails fast**: before connecting to a loopback destination the attempt asks for no
  SYN retransmission (WSAIoctl SIO_TCP_INITIAL_RTO with TCP_INITIAL_RTO_NO_SYN_RETRANSMISSIONS,
  as Go, golang/go#23366, and libuv, PR #2896, do on Windows), so a refused ``::1`` costs one
  round trip instead of Windows' 2 s; a backend without WSAIoctl skips it.
* **Errors**: when every attempt fails, the first attempt's error is raised (as
  ``socket.create_connection`` does), or with ``all_errors=True`` an ``ExceptionGroup`` of
  every attempt's error (the ``exceptiongroup`` backport on Python 3.10); the exception
  raised carries the attempts as ``exc.attempts``, the deadline's ``TimeoutError`` too.

The clock is the backend's (``backend.now()`` where it has one: the simulator's virtual
clock), else ``time.monotonic``; every attempt is recorded with it (:class:`Attempt`), which
gives the timeline of a real Windows connect that no Winsock call reports.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from wsaconnect import addresses as A
from wsaconnect import checks
from wsaconnect import constants as C
from wsaconnect import errors as E
from wsaconnect.addresses import AddressTuple, SockAddr
from wsaconnect.backend import Backend
from wsaconnect.ordering import LocalAddress, sort_destinations

if sys.version_info >= (3, 11):
    from builtins import ExceptionGroup as _ExceptionGroup
else:  # the backport, a dependency on 3.10
    from exceptiongroup import ExceptionGroup as _ExceptionGroup

#: RFC 8305 section 5: "a Connection Attempt Delay ... the recommended value ... is 250 ms".
DEFAULT_DELAY = 0.25


@dataclass
class Attempt:
    """One attempt of a staggered connect, timed by the backend's clock.

    ``outcome`` is ``"connected"``, ``"pending"``, ``"cancelled"`` (closed because another
    attempt won or the deadline passed) or the Winsock error's name (``"WSAECONNREFUSED"``).
    """

    local: SockAddr
    remote: SockAddr
    started: float
    ended: float | None = None
    outcome: str = "pending"
    #: The attempt's failure, as an exception (None unless it failed).
    error: OSError | None = None


@dataclass(frozen=True)
class _Pending:
    handle: int
    attempt: Attempt


def interleave_families(addresses: Sequence[SockAddr], first_count: int) -> list[SockAddr]:
    """RFC 8305 section 4: ``first_count`` addresses of the first address's family, then one
    of the other family, then alternately one of each, the rest of a family last."""
    if not addresses:
        return []
    first = addresses[0].family
    ours = [a for a in addresses if a.family == first]
    theirs = [a for a in addresses if a.family != first]
    out = ours[:first_count]
    ours = ours[first_count:]
    while ours or theirs:
        if theirs:
            out.append(theirs.pop(0))
        if ours:
            out.append(ours.pop(0))
    return out


def _clock(backend: Backend) -> Callable[[], float]:
    now = getattr(backend, "now", None)
    return now if callable(now) else time.monotonic


def _local_addresses(backend: Backend) -> list[LocalAddress]:
    report = getattr(backend, "local_addresses", None)
    return list(report()) if callable(report) else []


def _ordered(backend: Backend, destinations: list[SockAddr], first_count: int) -> list[SockAddr]:
    locals_ = _local_addresses(backend)
    if locals_:
        reachable = sort_destinations(destinations, locals_, socket_family=C.AF_INET6)
        # The ones no local address reaches still get their try, last (each then fails as
        # the network says: WSAENETUNREACH).
        destinations = reachable + [d for d in destinations if d not in reachable]
    return interleave_families(destinations, first_count)


class _Race:
    """The attempts of one call, their sockets, and what happened to them."""

    def __init__(self, backend: Backend, clock: Callable[[], float]) -> None:
        self.backend = backend
        self.clock = clock
        self.pending: list[_Pending] = []
        self.attempts: list[Attempt] = []
        self.failures = 0

    def errors(self) -> list[OSError]:
        """The failed attempts' errors, in the order the attempts started."""
        return [a.error for a in self.attempts if a.error is not None]

    def start(self, remote: SockAddr) -> None:
        """Start an attempt to ``remote``: a failure to start is recorded as its outcome."""
        ws = self.backend
        unspecified = SockAddr(remote.family, bytes(len(remote.packed)), 0)
        attempt = Attempt(unspecified, remote, self.clock())
        self.attempts.append(attempt)
        s = ws.socket(remote.family, C.SOCK_STREAM, C.IPPROTO_TCP)
        if s == C.INVALID_SOCKET:
            self._ended(attempt, ws.WSAGetLastError())
            return
        if ws.ioctlsocket(s, C.FIONBIO, 1) != 0:
            self._close_failed(s, attempt, ws.WSAGetLastError())
            return
        if A.is_loopback(remote.packed):
            _fail_fast(ws, s)
        if ws.connect(s, remote.to_tuple()) != 0:  # 0: a connect can finish at once
            code = ws.WSAGetLastError()
            if code != E.WSAEWOULDBLOCK:
                self._close_failed(s, attempt, code)
                return
        # The connect bound the socket implicitly: its local address is the source chosen.
        rc, local = ws.getsockname(s)
        if rc == 0 and local is not None:
            attempt.local = A.from_tuple(local)
        self.pending.append(_Pending(s, attempt))

    def _ended(self, attempt: Attempt, code: int) -> None:
        attempt.ended = self.clock()
        attempt.outcome = E.name(code)
        attempt.error = E.error_for_code(code, f"connect to {attempt.remote.to_tuple()}")
        self.failures += 1

    def _close_failed(self, s: int, attempt: Attempt, code: int) -> None:
        self.backend.closesocket(s)
        self._ended(attempt, code)

    def wait(self, seconds: float | None) -> _Pending | None:
        """Wait at most ``seconds`` (None: until something happens) for the pending attempts:
        the winner, if one connected (the others are closed), else None after recording the
        failures."""
        ws = self.backend
        handles = [p.handle for p in self.pending]
        rc, _, writable, failed = ws.select([], handles, handles, seconds)
        if rc == C.SOCKET_ERROR:
            raise E.error_for_code(ws.WSAGetLastError(), "select")
        for p in [p for p in self.pending if p.handle in failed]:
            self.pending.remove(p)
            rc, code = ws.getsockopt(p.handle, C.SOL_SOCKET, C.SO_ERROR)
            if rc != 0 or not code:  # reported failed with no error: what select says
                code = E.WSAECONNREFUSED
            self._close_failed(p.handle, p.attempt, int(code))
        winner = next((p for p in self.pending if p.handle in writable), None)
        if winner is not None:
            self.pending.remove(winner)
            winner.attempt.ended = self.clock()
            winner.attempt.outcome = "connected"
            self.cancel_all()
        return winner

    def cancel_all(self) -> None:
        """Close every pending attempt (another won, or the deadline passed)."""
        now = self.clock()
        for p in self.pending:
            self.backend.closesocket(p.handle)
            p.attempt.ended, p.attempt.outcome = now, "cancelled"
        self.pending.clear()


def _fail_fast(ws: Backend, s: int) -> None:
    """SIO_TCP_INITIAL_RTO with no SYN retransmission, where the backend has WSAIoctl."""
    ioctl = getattr(ws, "WSAIoctl", None)
    if ioctl is None:
        return
    from wsaconnect.structures import TcpInitialRtoParameters

    params = TcpInitialRtoParameters(
        C.TCP_INITIAL_RTO_UNSPECIFIED_RTT, C.TCP_INITIAL_RTO_NO_SYN_RETRANSMISSIONS
    )
    ioctl(s, C.SIO_TCP_INITIAL_RTO, params.pack())  # best effort: a refusal changes nothing


def race(
    backend: Backend,
    destinations: Iterable[SockAddr],
    *,
    delay: float,
    deadline: float | None,
    interleave: int,
    all_errors: bool,
) -> tuple[int, SockAddr, list[Attempt]]:
    """Race connects to ``destinations`` (see the module's documentation).

    Returns:
        ``(handle, remote, attempts)``: the connected socket (blocking again), where it is
        connected, and every attempt.
    """
    clock = _clock(backend)
    order = _ordered(backend, list(destinations), interleave)
    if not order:
        raise ValueError("addresses: no address to connect to")
    run = _Race(backend, clock)
    start = clock()
    end = None if deadline is None else start + deadline
    queue = list(order)
    next_start = start
    try:
        while True:
            now = clock()
            if end is not None and now >= end:
                run.cancel_all()
                raise E.error_for_code(E.WSAETIMEDOUT, "the staggered connect's deadline passed")
            if queue and (now >= next_start or not run.pending):
                run.start(queue.pop(0))
                next_start = clock() + delay
                continue
            if not run.pending:
                break  # everything was tried and failed
            wake = [t for t in (next_start if queue else None, end) if t is not None]
            seconds = max(0.0, min(wake) - clock()) if wake else None
            failed = run.failures
            winner = run.wait(seconds)
            if winner is not None:
                if backend.ioctlsocket(winner.handle, C.FIONBIO, 0) != 0:
                    code = backend.WSAGetLastError()
                    backend.closesocket(winner.handle)
                    raise E.error_for_code(code, "ioctlsocket(FIONBIO, 0)")
                return winner.handle, winner.attempt.remote, run.attempts
            if run.failures > failed and queue:
                next_start = clock()  # RFC 8305 section 5: a failure starts the next at once
    except BaseException as exc:
        run.cancel_all()
        _attach(exc, run.attempts)
        raise
    errors = run.errors()
    failure: BaseException = (
        _ExceptionGroup("staggered_connect: every attempt failed", errors)
        if all_errors
        else errors[0]
    )
    _attach(failure, run.attempts)
    raise failure


def _attach(exc: BaseException, attempts: list[Attempt]) -> None:
    """Give the exception a failed call raises the call's attempts (``exc.attempts``), as
    :class:`~wsaconnect.api.Connection` has them on success: the timeline of a failure."""
    with contextlib.suppress(AttributeError, TypeError):  # an exception that takes no attribute
        exc.attempts = tuple(attempts)  # type: ignore[attr-defined]


def resolve(backend: Backend, addresses: Iterable[AddressTuple | Any]) -> list[SockAddr]:
    """The destinations of ``addresses``: numeric ``(host, port)`` tuples as they are, names
    through the backend's ``getaddrinfo`` (SOCK_STREAM), in its order."""
    found: list[SockAddr] = []
    for i, address in enumerate(addresses):
        if not isinstance(address, tuple) or len(address) < 2:
            raise TypeError(f"addresses[{i}] must be a (host, port) tuple, not {address!r}")
        try:
            found.append(A.from_tuple(address, f"addresses[{i}]"))
            continue
        except ValueError:
            if not isinstance(address[0], str):
                raise
        found.extend(_lookup(backend, address[0], checks.integer(address[1], "port", 0, 65535)))
    return found


def _lookup(backend: Backend, name: str, port: int) -> list[SockAddr]:
    """``name``'s stream addresses through the backend's getaddrinfo (GetAddrInfoW natively,
    the network's names on the simulator), in its order (RFC 6724 on Windows)."""
    getaddrinfo = getattr(backend, "getaddrinfo", None)
    if getaddrinfo is None:
        raise TypeError(f"{name!r}: this backend cannot resolve names (no getaddrinfo)")
    rc, results = getaddrinfo(name, str(port), C.AF_UNSPEC, C.SOCK_STREAM)
    if rc != 0:
        raise E.error_for_code(rc, f"getaddrinfo({name!r})")
    return [A.from_tuple(r[4]) for r in results]
