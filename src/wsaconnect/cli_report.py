"""What a command-line run found, and the policies it runs (:mod:`wsaconnect.cli`).

This module owns :class:`Report` (the attempts of one connect, timed from its start, and how
it ended; ``--json`` writes it, with every address in one form: :func:`address_text`), the
terminal's timeline (:func:`draw_timeline`) and the SVG one (:func:`timeline_svg`, drawn by
:mod:`wsaconnect.svg`), and :func:`connect_with`, which connects with one of two policies:

* WSAConnectByList (:func:`wsaconnect.connect_by_list` on a dual-stack socket);
* staggered_connect (:func:`wsaconnect.staggered_connect`: Happy Eyeballs, RFC 8305).

The attempts are the call's own record where it has one (``Connection.attempts``), else, on
the simulator, the network's log since the call started; Winsock natively records none of
WSAConnectByList's.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from wsaconnect import addresses as A
from wsaconnect import constants as C
from wsaconnect import errors as E
from wsaconnect import svg
from wsaconnect.addresses import AddressTuple, SockAddr
from wsaconnect.api import (
    AttemptRecord,
    Connection,
    RecordsAttempts,
    connect_by_list,
    staggered_connect,
)
from wsaconnect.backend import Backend
from wsaconnect.staggered import DEFAULT_DELAY

BY_LIST, STAGGERED = "WSAConnectByList", "staggered_connect"


@dataclass(frozen=True)
class Step:
    """One attempt as the command line shows it, in seconds from the start of the call.
    ``local`` is None where the attempt's recorder did not know it."""

    local: SockAddr | None
    remote: SockAddr
    started: float
    ended: float | None
    outcome: str


@dataclass
class Report:
    """What a run found: the policy, its attempts, the outcome, the time it took."""

    backend: str
    policy: str = BY_LIST
    delay: float | None = None
    attempts: list[Step] = field(default_factory=list)
    local: AddressTuple | None = None
    remote: AddressTuple | None = None
    error: int = 0
    seconds: float = 0.0

    def as_json(self) -> dict[str, Any]:
        """The report for machines: every address written as :func:`address_text` writes
        it (``"192.0.2.1:443"``, ``"[2001:db8::1]:443"``), or null where it is not known;
        times in seconds from the start of the call."""
        return {
            "backend": self.backend,
            "policy": self.policy,
            "delay": self.delay,
            "connected": not self.error,
            "error": E.name(self.error) if self.error else None,
            "local": address_text(self.local),
            "remote": address_text(self.remote),
            "seconds": round(self.seconds, 6),
            "attempts": [
                {
                    "local": address_text(a.local),
                    "remote": address_text(a.remote),
                    "started": round(a.started, 6),
                    "ended": None if a.ended is None else round(a.ended, 6),
                    "outcome": a.outcome,
                }
                for a in self.attempts
            ],
        }

    def summary(self) -> str:
        """How the call ended, in one line."""
        if self.error:
            return f"failed: {E.name(self.error)} after {self.seconds:.3f} s"
        return f"connected to {address_text(self.remote)} after {self.seconds:.3f} s"


def address_text(address: SockAddr | AddressTuple | None) -> str | None:
    """``"192.0.2.1:443"``, ``"[2001:db8::1]:443"`` (``"[fe80::1%3]:443"`` with a scope), or
    None for no address."""
    if address is None:
        return None
    parsed = address if isinstance(address, SockAddr) else A.from_tuple(address)
    if parsed.family == C.AF_INET:
        return f"{parsed.host}:{parsed.port}"
    scope = f"%{parsed.scope_id}" if parsed.scope_id else ""
    return f"[{parsed.host}{scope}]:{parsed.port}"


def policy_name(staggered: bool, delay: float) -> str:
    return f"{STAGGERED} (delay {delay:g} s)" if staggered else BY_LIST


# --- drawing --------------------------------------------------------------------------------


def _glyphs(stream: TextIO) -> tuple[str, str, str]:
    try:
        "█·✓".encode(stream.encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return "#", ".", "+"
    return "█", "·", "✓"


def draw_timeline(report: Report, stream: TextIO, width: int = 48) -> None:
    """Draw each attempt as a bar on one time axis."""
    bar, gap, tick = _glyphs(stream)
    total = max([report.seconds] + [a.ended or 0.0 for a in report.attempts]) or 1.0
    scale = width / total
    labels = [str(address_text(a.remote)) for a in report.attempts]
    label_width = max([len(label) for label in labels] + [6])
    marks = "".join(f"{total * i / 4:<{width // 4}.4g}" for i in range(4))
    stream.write(f"  {'remote':<{label_width}}  {marks}{total:.4g} s\n")
    for a, label in zip(report.attempts, labels, strict=True):
        end = report.seconds if a.ended is None else a.ended
        start_col = int(a.started * scale)
        length = max(1, int(end * scale) - start_col)
        line = gap * start_col + bar * length
        outcome = f"{tick} connected" if a.outcome == "connected" else a.outcome
        took = end - a.started
        stream.write(f"  {label:<{label_width}}  {line:<{width}} {outcome} ({took:.3f} s)\n")
    if report.error:
        stream.write(f"\n{report.summary()}\n")
    else:
        local, remote = address_text(report.local), address_text(report.remote)
        stream.write(f"\nconnected {local} -> {remote} after {report.seconds:.3f} s\n")


def timeline_svg(report: Report, title: str, subtitle: str = "") -> str:
    """The report's attempts as an SVG document (:func:`wsaconnect.svg.timeline`)."""
    bars = [
        svg.Bar(str(address_text(a.remote)), a.started, a.ended, a.outcome) for a in report.attempts
    ]
    return svg.timeline(
        bars, title=title, subtitle=subtitle, summary=report.summary(), total=report.seconds
    )


# --- connecting -------------------------------------------------------------------------------


def _clock(backend: Backend) -> Callable[[], float]:
    """The backend's clock (the simulator's virtual one), else the monotonic clock: the one
    staggered_connect times its attempts with."""
    now = getattr(backend, "now", None)
    return now if callable(now) else time.monotonic


def _steps(
    records: Iterable[AttemptRecord],
    start: float,
    *,
    staggered: bool,
    log: Sequence[AttemptRecord] = (),
) -> list[Step]:
    """The attempts, timed from ``start``. An attempt whose local address its record does
    not know (staggered_connect's) takes it from the network's ``log`` (the simulator's), by
    the remote address and the start time."""
    steps = []
    for r in records:
        outcome = r.outcome
        # The network's log of a staggered connect: an attempt closed while connecting
        # (another won, or the deadline passed) is what staggered_connect calls cancelled.
        if staggered and outcome == "WSAEINTR":
            outcome = "cancelled"
        local: SockAddr | None = r.local
        if A.is_unspecified(r.local) and not r.local.port:
            seen = (x.local for x in log if x.remote == r.remote and x.started == r.started)
            local = next(seen, None)
        ended = None if r.ended is None else r.ended - start
        steps.append(Step(local, r.remote, r.started - start, ended, outcome))
    return steps


def _by_list(
    backend: Backend, destinations: Sequence[SockAddr], timeout: float | None
) -> Connection:
    s = backend.socket(C.AF_INET6, C.SOCK_STREAM, C.IPPROTO_TCP)
    if s == C.INVALID_SOCKET:
        E.raise_for_code(backend.WSAGetLastError(), "socket")
    try:
        backend.setsockopt(s, C.IPPROTO_IPV6, C.IPV6_V6ONLY, 0)
        mapped = [A.v4_mapped(d).to_tuple() for d in destinations]
        return connect_by_list(s, mapped, timeout=timeout, backend=backend)
    finally:
        backend.closesocket(s)


def _staggered(
    backend: Backend, destinations: Sequence[SockAddr], delay: float, timeout: float | None
) -> Connection:
    addresses = [d.to_tuple() for d in destinations]
    connection = staggered_connect(addresses, delay=delay, timeout=timeout, backend=backend)
    connection.socket.close()
    return connection


def connect_with(
    backend: Backend,
    destinations: Sequence[SockAddr],
    *,
    staggered: bool = False,
    delay: float = DEFAULT_DELAY,
    timeout: float | None = None,
) -> Report:
    """Connect to ``destinations`` with one policy; the report of what happened.

    WSAConnectByList runs on an AF_INET6 socket with IPV6_V6ONLY off and IPv4 destinations
    IPv4-mapped (the remote addresses it reports are mapped too); staggered_connect on a
    socket per family. Times are the backend's clock's, from the start of the call.
    """
    clock = _clock(backend)
    recorder = backend if isinstance(backend, RecordsAttempts) else None  # the simulator
    report = Report(
        backend="native" if recorder is None else "sim",
        policy=STAGGERED if staggered else BY_LIST,
        delay=delay if staggered else None,
    )
    before = 0 if recorder is None else len(recorder.attempts)
    start = clock()
    records: Iterable[AttemptRecord]
    try:
        if staggered:
            connection = _staggered(backend, destinations, delay, timeout)
        else:
            connection = _by_list(backend, destinations, timeout)
        report.local, report.remote = connection.local, connection.remote
        records = connection.attempts
    except OSError as exc:
        report.error = getattr(exc, "winerror", None) or exc.errno or -1  # -1: no code given
        records = getattr(exc, "attempts", None) or (
            () if recorder is None else recorder.attempts[before:]
        )
    report.seconds = clock() - start
    log = () if recorder is None else recorder.attempts[before:]
    report.attempts = _steps(records, start, staggered=staggered, log=log)
    return report
