"""Hostile calls: random and malformed arguments at every public entry point, and only the
documented outcomes come back (docs/api.md sections 4-7).

Covered: the low-level Winsock of simulated hosts (every method of the
:class:`wsaconnect.backend.Backend` protocol, and ``shutdown`` once it exists), the socket face
(``host.socket()``, a :class:`wsasim.SimSocket`), the Pythonic API (``connect``,
``connect_by_list``, ``connect_by_name``, ``create_connection``), the network's constructor,
:class:`wsasim.TcpTiming`, the faults and the clock, and ``net.call_at`` callbacks acting as
other threads (closing a socket another call is blocked on, sending, blocking themselves).

Every call is an :class:`Op` (plain data) run by an interpreter, :class:`Run`, so that a run can
be replayed on a fresh network and written out as a Python reproducer. The documented outcomes
(anything else is an *unexpected outcome*, and fails the test):

* low level: the C-style success value, or the failure value with ``WSAGetLastError()`` a known
  code (the code is cleared before each call, so a failure must set one); ``TypeError`` or
  ``ValueError`` whose message names one of the function's parameters; ``wsasim.Deadlock``
  from a call that can block for ever (accept, recv, recvfrom, send and sendto under flow
  control, select without a timeout, WSAWaitForMultipleEvents with WSA_INFINITE); the
  simulator's ``ReentrantWait`` (when it
  exists) for a blocking call made inside a callback;
* socket face: as above, plus :class:`wsaconnect.WinsockError` subclasses with known codes,
  ``TimeoutError("timed out")`` from a socket with a timeout, and ``OverflowError`` only where
  CPython's ``socket.socket`` raises it (``settimeout`` is compared with a real socket, which
  is never bound or connected). A message may name the ``socket.socket`` parameter or the
  low-level one it is passed to (``SimSocket.bind(address)`` reports ``name``), or be
  CPython's own words (``CPYTHON_MESSAGES``, on a plain OSError too: getsockopt's buflen), or
  a ``socket.gaierror`` with a known code for an address whose host name does not resolve; a
  ``close()`` that returns has closed the handle;
* Pythonic API: ``WinsockError`` subclasses; ``TypeError``/``ValueError`` naming a parameter;
* network, timing, faults, clock: ``TypeError``/``ValueError`` naming a parameter.

Never: AssertionError, IndexError, KeyError, AttributeError, ZeroDivisionError, an
OverflowError from inside the simulator, RecursionError, a hang (a 5 s wall-clock watchdog
turns an endless loop into a failure; it is not a speed check), a TCP recv returning
``(0, b"")`` while its peer has neither closed nor shut down its sending side, a ``select``
without a timeout returning 0, a malformed address or a duplicate live handle returned, two
open connections on one host with the same four addresses, ``inf`` seconds accepted.

Invariants: (a) replaying the same calls on a new network with the same seed gives the same
results and the same ``net.trace``; (b) once every handle on every host is closed, every port
table is empty; (c) ``net.now`` stays finite and never decreases.

The default run is small (CI: seconds). ``WSASIM_HOSTILE_EXAMPLES=N`` makes a big run: N
examples of the state machine (and N/4 of the constructor test), each rule drawing one seed for
a burst of calls (``Chooser``); unexpected outcomes are collected rather than raised, and
:func:`test_zz_report` prints "N calls, M unexpected outcomes" with a minimized reproducer per
distinct outcome, and fails if M > 0 (N = 1,700 makes about 600,000 calls in a few minutes). In
the default run the first unexpected outcome fails the test at once. Either way the reproducer
is a Python script minimized by delta debugging over the calls (:func:`minimize`), which takes
milliseconds where Hypothesis's shrinking of a stateful run takes minutes (so it is off).
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import inspect
import math
import os
import random
import re
import signal
import socket
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, TypeGuard

import pytest
import wsasim
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule

import wsaconnect
from tests.world import CLIENT_ADDRESSES, SERVER_ADDRESSES
from wsaconnect import FLOWSPEC, QOS, WSABUF
from wsaconnect import addresses as A
from wsaconnect import constants as C
from wsaconnect import errors as E

# --- run size and the module-level figures -------------------------------------------------

#: WSASIM_HOSTILE_EXAMPLES=N: a big run of N examples (0: the quick default run).
BIG_EXAMPLES = int(os.environ.get("WSASIM_HOSTILE_EXAMPLES", "0") or "0")
BIG = BIG_EXAMPLES > 0
MACHINE_EXAMPLES = BIG_EXAMPLES if BIG else 30
MACHINE_STEPS = 40 if BIG else 25
CONSTRUCTOR_EXAMPLES = max(BIG_EXAMPLES // 4, 60) if BIG else 40
#: Wall-clock seconds after which one top-level call is considered hung (a hang guard).
HANG_SECONDS = 5.0

KNOWN_CODES = frozenset(int(code) for code in E.WSAError)
REENTRANT_WAIT: type[BaseException] | None = getattr(wsasim, "ReentrantWait", None)
_PROJECT_DIRS = tuple(
    os.path.dirname(os.path.abspath(m.__file__ or "")) + os.sep for m in (wsasim, wsaconnect)
)


@dataclass
class Finding:
    """One distinct unexpected outcome: the calls that first led to it, and how often it came."""

    description: str
    ops: list[Op]
    teardown: bool  # found by the end-of-run checks
    count: int = 1


@dataclass
class Figures:
    calls: int = 0  # calls made to public entry points (replays included)
    replayed: int = 0  # of which in replays
    probes: int = 0  # calls made while minimizing reproducers (not in ``calls``)
    unexpected: int = 0  # unexpected outcomes seen (each call or check counts once)
    findings: dict[tuple[str, ...], Finding] = field(default_factory=dict)


FIGURES = Figures()


class UnexpectedOutcome(AssertionError):
    """Raised (in the default run) for an outcome outside the contract."""


_KINDS: dict[str, type[UnexpectedOutcome]] = {}


def _unexpected_class(kind: str) -> type[UnexpectedOutcome]:
    """One subclass per kind of problem, so that Hypothesis reports distinct bugs apart."""
    cls = _KINDS.get(kind)
    if cls is None:
        name = "Unexpected_" + re.sub(r"\W+", "_", kind)
        cls = _KINDS[kind] = type(name, (UnexpectedOutcome,), {})
    return cls


class Hang(Exception):
    """A call ran for HANG_SECONDS of wall time."""


# --- values ---------------------------------------------------------------------------------

NAN = float("nan")
INF = float("inf")
HUGE = 10**400
OBJ = object()  # one instance: the same in a run and its replay (its repr has its address)


@dataclass(frozen=True)
class Build:
    """A structure made afresh each time an op runs (WSABUF is written to by WSAConnect)."""

    kind: str  # "WSABUF", "FLOWSPEC", "QOS", "TcpTiming"
    args: tuple[Any, ...] = ()
    kwargs: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class SockRef:
    """The n-th SimSocket the run made."""

    index: int


@dataclass(frozen=True)
class WsRef:
    """A host's winsock (a backend)."""

    host: str


@dataclass(frozen=True)
class HostRef:
    host: str


@dataclass(frozen=True)
class Gen:
    """An iterator over ``items``, made afresh each time (a one-shot iterable argument)."""

    items: tuple[Any, ...]


@dataclass(frozen=True, eq=False)
class Callback:
    """``net.call_at``'s ``fn``: runs ``ops`` as another thread would."""

    ident: int
    ops: tuple[Op, ...]


@dataclass(frozen=True, eq=False)
class Op:
    """One call: ``face`` is "ws" (a host's winsock), "sock" (a SimSocket), "host", "net",
    "api" (the Pythonic API) or "new" (a network)."""

    face: str
    target: Any
    name: str
    args: tuple[Any, ...] = ()
    kwargs: tuple[tuple[str, Any], ...] = ()


def _int_values() -> list[Any]:
    return [-1, 0, 1, 2**31 - 1, 2**31, -(2**31) - 1, 2**32, 2**63, 2**64, HUGE, -HUGE]


#: Values of the wrong type or an impossible value, for any argument.
HOSTILE: list[Any] = [
    None,
    True,
    False,
    "",
    "1",
    "abc",
    "\x00",
    b"",
    b"\x00",
    b"\x02\x00",
    bytearray(b"x"),
    memoryview(b"ab"),
    1.0,
    1.5,
    -0.0,
    NAN,
    INF,
    -INF,
    1e308,
    complex(1, 1),
    [],
    [0],
    (),
    (1,),
    {},
    set(),
    OBJ,
    *_int_values(),
]

SERVER4, SERVER6 = "192.0.2.20", "2001:db8::20"
CLIENT4, CLIENT6 = "192.0.2.10", "2001:db8::10"
OTHER4 = "198.51.100.30"
DEAD4, DEAD6, UNREACH4 = "192.0.2.99", "2001:db8::99", "192.0.2.98"
PORTS = [80, 7, 53, 81, 9, 0, 443]
SD_RECEIVE, SD_SEND, SD_BOTH = 0, 1, 2  # shutdown's ``how`` (winsock2.h)


def _raw4(host: str, port: int) -> bytes:
    return A.from_tuple((host, port)).to_bytes()


def _raw6(host: str, port: int) -> bytes:
    return A.from_tuple((host, port, 0, 0)).to_bytes()


def _addresses() -> list[Any]:
    good: list[Any] = []
    for port in PORTS:
        good += [(SERVER4, port), (SERVER6, port, 0, 0), (f"::ffff:{SERVER4}", port, 0, 0)]
    good += [
        (CLIENT4, 0),
        (CLIENT6, 0, 0, 0),
        ("0.0.0.0", 0),
        ("::", 0, 0, 0),
        ("0.0.0.0", 80),
        ("127.0.0.1", 80),
        ("::1", 80, 0, 0),
        (DEAD4, 80),
        (DEAD6, 80, 0, 0),
        (UNREACH4, 80),
        (OTHER4, 80),
        ("255.255.255.255", 9),
        ("192.0.2.255", 9),
        (SERVER6, 80),
        _raw4(SERVER4, 80),
        _raw6(SERVER6, 80),
        _raw6(f"::ffff:{SERVER4}", 80),
        _raw4(CLIENT4, 0),
        bytes(16),
        bytes(28),
    ]
    return good


GOOD_NAMES = _addresses()
BAD_NAMES: list[Any] = [
    None,
    (SERVER4,),
    (SERVER4, 80, 0),
    (SERVER4, "80"),
    (SERVER4, 80.0),
    (SERVER4, True),
    (SERVER4, -1),
    (SERVER4, 65536),
    (SERVER4, HUGE),
    ("localhost", 80),
    ("", 80),
    ("1.2.3.4.5", 1),
    ("192.0.2.20\x00", 80),
    ("::1", 80, -1, 0),
    ("::1", 80, 2**32, 0),
    ("::1", 80, 0, HUGE),
    ("fe80::1%1", 80, 0, 0),
    (SERVER4, 80, 0, 0),
    (b"192.0.2.20", 80),
    (None, 80),
    [SERVER4, 80],
    ("224.0.0.1", 9),
    b"",
    b"\x02",
    b"\x02\x00",
    _raw4(SERVER4, 80)[:15],
    _raw6(SERVER6, 80)[:27],
    b"\x17\x00" + bytes(14),  # AF_INET6 in a sockaddr_in's 16 bytes
    _raw4(SERVER4, 80) + bytes(12),  # AF_INET in 28 bytes
    b"\xff\xff" + bytes(14),
    b"\x02\x00" + bytes(14),
    bytearray(_raw4(SERVER4, 80)),
    memoryview(_raw6(SERVER6, 80)),
    "192.0.2.20",
    80,
    OBJ,
]
NAMELENS: list[Any] = [None, 16, 28, 0, 1, 2, 15, 17, 27, 29, 128, -1, 2**31, HUGE, "16", 16.0]

OPTIONS: list[tuple[int, int]] = [
    (C.SOL_SOCKET, C.SO_REUSEADDR),
    (C.SOL_SOCKET, C.SO_EXCLUSIVEADDRUSE),
    (C.SOL_SOCKET, C.SO_BROADCAST),
    (C.SOL_SOCKET, C.SO_KEEPALIVE),
    (C.SOL_SOCKET, C.SO_SNDBUF),
    (C.SOL_SOCKET, C.SO_ERROR),
    (C.SOL_SOCKET, C.SO_TYPE),
    (C.SOL_SOCKET, C.SO_ACCEPTCONN),
    (C.SOL_SOCKET, C.SO_CONNECT_TIME),
    (C.SOL_SOCKET, C.SO_UPDATE_CONNECT_CONTEXT),
    (C.IPPROTO_IPV6, C.IPV6_V6ONLY),
    (C.IPPROTO_TCP, C.TCP_NODELAY),
    (C.IPPROTO_TCP, C.TCP_FAIL_CONNECT_ON_ICMP_ERROR),
    (C.IPPROTO_TCP, C.TCP_MAXRT),
    (C.SOL_SOCKET, 0x4242),
    (0x4242, 1),
    (socket.SOL_SOCKET, socket.SO_REUSEADDR),  # the host OS's numbering (the socket face)
]
OPTION_VALUES: list[Any] = [
    0,
    1,
    True,
    False,
    b"\x01\x00\x00\x00",
    None,
    -1,
    2**31 - 1,
    2**32 - 1,
    2**32,
    -(2**31) - 1,
    HUGE,
    b"\x01",
    b"",
    bytes(8),
    "1",
    1.0,
    NAN,
]
FLAGS: list[Any] = [0, C.MSG_PEEK, C.MSG_OOB, C.MSG_WAITALL, C.MSG_DONTROUTE, 0x7FFFFFFF]
DATA: list[Any] = [
    b"x",
    b"hello",
    b"",
    bytearray(b"ab"),
    memoryview(b"abc"),
    bytes(1000),
    bytes(65507),
    bytes(65508),
]
BAD_DATA: list[Any] = ["text", None, 5, [1, 2], OBJ, 1.5]
BUFSIZES: list[Any] = [100, 1, 4, 0, 65536, 10**6]
TIMEOUTS: list[Any] = [None, 0, 0.0, 0.001, 1, 2.5, 30, 1e6]
BAD_TIMEOUTS: list[Any] = [-1, -0.0, -INF, NAN, INF, 1e300, 1e308, HUGE, -HUGE, "1", True, [1]]
TIMEOUT_MS: list[Any] = [0, 1, 10, 1500, C.WSA_INFINITE, C.WSA_INFINITE - 1]
BAD_TIMEOUT_MS: list[Any] = [C.WSA_INFINITE + 1, -1, 2**64, HUGE, 1.5, NAN, "1", None]
MASKS: list[Any] = [
    C.FD_READ,
    C.FD_WRITE,
    C.FD_CONNECT,
    C.FD_ACCEPT,
    C.FD_CLOSE,
    C.FD_READ | C.FD_WRITE | C.FD_CLOSE,
    C.FD_CONNECT | C.FD_WRITE,
    C.FD_ALL_EVENTS,
    0,
    0x7FFFFFFF,
]
VERSIONS: list[Any] = [0x0202, 0x0101, 0x0001, 0x0002, 0x0000, 0x0100, 0x0303, 0xFFFF, 0x10000]
SERVICE_TYPES: list[int] = [
    C.SERVICETYPE_BESTEFFORT,
    C.SERVICETYPE_GUARANTEED,
    C.SERVICETYPE_CONTROLLEDLOAD,
    C.SERVICETYPE_NOTRAFFIC,
    C.SERVICETYPE_NOCHANGE,
    C.QOS_NOT_SPECIFIED,
    C.SERVICETYPE_GUARANTEED | C.SERVICE_NO_QOS_SIGNALING,
    C.SERVICETYPE_NETWORK_CONTROL,
]
NODENAMES: list[Any] = [
    SERVER4,
    SERVER6,
    f"::ffff:{SERVER4}",
    "dual.example",
    "DUAL.Example.",
    "dead.example",
    "localhost",
    "unknown.example",
    DEAD4,
    "",
    " ",
    "a" * 300,
    "\x00",
    "ünïcode.example",
    f"{SERVER6}%1",
]
SERVICENAMES: list[Any] = [
    "80",
    "http",
    "HTTPS",
    " 80 ",
    "7",
    "0",
    "65535",
    "65536",
    "99999",
    "-1",
    "+80",
    "0x50",
    "",
    "\u00b2",  # "²": str.isdigit() is True, int() refuses it
    "\u0663",  # "٣", an Arabic-Indic digit
    "9" * 5000,
    "http\x00",
    "unknown-service",
]
INTERFACES: list[Any] = [
    "192.0.2.30/24",
    "198.51.100.31/24",
    "2001:db8::30/64",
    "203.0.113.5",
    "::ffff:192.0.2.31/96",
    "255.255.255.255/32",
    "224.0.0.1/4",
    "0.0.0.0/0",
    "192.0.2.20/24",
    "fe80::1%2/64",
    "192.0.2.30/33",
    "1.2.3.4/0",
    "192.0.2.300/24",
    "",
    None,
    5,
    b"192.0.2.30/24",
]


def _wsabufs() -> list[Build]:
    good = [
        Build("WSABUF", (0, None)),
        Build("WSABUF", (16, bytearray(16))),
        Build("WSABUF", (None, b"abc")),
        Build("WSABUF", (32, bytearray(4))),  # len overruns buf: WSAEFAULT
        Build("WSABUF", (1024, bytearray(1024))),
    ]
    bad = [
        Build("WSABUF", (-1, None)),
        Build("WSABUF", (2**32, None)),
        Build("WSABUF", (HUGE, None)),
        Build("WSABUF", ("1", None)),
        Build("WSABUF", (None, "text")),
        Build("WSABUF", (1.5, None)),
        Build("WSABUF", (True, None)),
        Build("WSABUF", (None, [1, 2])),
    ]
    return good + bad


WSABUFS = _wsabufs()


def _flowspecs() -> list[Build]:
    flows = [Build("FLOWSPEC")] + [
        Build("FLOWSPEC", (), (("service_type", t),)) for t in SERVICE_TYPES
    ]
    flows += [
        Build("FLOWSPEC", (), (("token_rate", -1),)),
        Build("FLOWSPEC", (), (("peak_bandwidth", 2**32),)),
        Build("FLOWSPEC", (), (("latency", "1"),)),
        Build("FLOWSPEC", (), (("service_type", NAN),)),
        Build("FLOWSPEC", (), (("max_sdu_size", None),)),
    ]
    return flows


FLOWSPECS = _flowspecs()


def _qoses() -> list[Any]:
    qoses: list[Any] = [Build("QOS")]
    for flow in FLOWSPECS[:10]:
        qoses.append(Build("QOS", (), (("sending", flow),)))
        qoses.append(Build("QOS", (), (("receiving", flow),)))
    qoses += [
        Build("QOS", (), (("provider_specific", Build("WSABUF", (8, bytearray(2)))),)),
        Build("QOS", (), (("provider_specific", Build("WSABUF", (0, None))),)),
        Build("QOS", (), (("sending", 5),)),
        Build("QOS", (), (("provider_specific", b"x"),)),
        Build("FLOWSPEC"),  # the wrong structure
    ]
    return qoses


QOSES = _qoses()


# --- checking outcomes --------------------------------------------------------------------


def _names_a_parameter(message: str, names: set[str]) -> bool:
    return any(re.search(rf"(?<!\w){re.escape(n)}(?!\w)", message) for n in names)


def _parameters(fn: Callable[..., Any]) -> set[str]:
    try:
        return set(inspect.signature(fn).parameters) - {"self"}
    except (TypeError, ValueError):
        return set()


def _origin(exc: BaseException) -> str:
    """Where in the project ``exc`` was raised: the innermost project frame, as file:line."""
    tb: TracebackType | None = exc.__traceback__
    where = "?"
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.startswith(_PROJECT_DIRS):
            where = f"{os.path.basename(filename)}:{tb.tb_lineno}"
        tb = tb.tb_next
    return where


def _valid_address(value: object) -> bool:
    if not isinstance(value, tuple) or len(value) not in (2, 4):
        return False
    try:
        A.from_tuple(value)
    except (TypeError, ValueError):
        return False
    return True


def _norm(value: object) -> tuple[bytes, int] | None:
    if not _valid_address(value):
        return None
    address = A.unmapped(A.from_tuple(value))
    return address.packed, address.port


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _cpython_settimeout_error(value: object) -> type[BaseException] | None:
    """What CPython's ``socket.socket.settimeout(value)`` raises (a socket never used)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as real:
        try:
            real.settimeout(value)  # type: ignore[arg-type]
        except Exception as exc:
            return type(exc)
    return None


# Parameter names a socket-face method may name: its own, and the low-level function's.
_SOCKET_FACE_ALIASES: dict[str, tuple[str, ...]] = {
    "bind": ("bind",),
    "listen": ("listen",),
    "accept": ("accept", "select"),
    "connect": ("connect", "select", "getsockopt"),
    "connect_ex": ("connect", "select", "getsockopt"),
    "send": ("send", "select"),
    "sendall": ("send", "select"),
    "recv": ("recv", "select"),
    "sendto": ("sendto", "select"),
    "recvfrom": ("recvfrom", "select"),
    "settimeout": ("ioctlsocket",),
    "setblocking": ("ioctlsocket",),
    "setsockopt": ("setsockopt",),
    "getsockopt": ("getsockopt",),
    "shutdown": ("shutdown",),
}
_EXTRA_NAMES: dict[tuple[str, str], set[str]] = {
    ("sock", "settimeout"): {"timeout"},
    ("sock", "setblocking"): {"timeout"},
    ("host", "socket"): {"af", "type", "protocol"},
}
_STRUCTURE_FIELDS: dict[str, set[str]] = {
    "WSABUF": {"len", "buf"},
    "FLOWSPEC": {f"FLOWSPEC.{n}" for n in FLOWSPEC.__dataclass_fields__} | {"FLOWSPEC"},
    "QOS": {f"QOS.{n}" for n in QOS.__dataclass_fields__} | {"FLOWSPEC", "QOS"},
    "TcpTiming": set(wsasim.TcpTiming.__dataclass_fields__),
}


#: What CPython's socket.socket raises for a bad argument (Modules/socketmodule.c and the
#: argument parser): the socket face may say the same, word for word, instead of naming it.
CPYTHON_MESSAGES = re.compile(
    "|".join(
        [
            r"^a bytes-like object is required, not '\w+'$",
            r"^'\w+' object cannot be interpreted as an integer$",
            r"^negative buffersize in recv(from)?(_into)?$",
            r"^\w+\(\) takes (at most |at least |exactly )?\d+( or \d+)? (positional )?"
            r"arguments? \(\d+ given\)$",
            r"^Timeout value out of range$",
            r"^Invalid value NaN \(not a number\)$",
            r"^getsockopt buflen out of range$",
            r"^address family mismatched$",  # setipaddr: "<broadcast>" off AF_INET
            r"^(AF_INET|AF_INET6) address must be a (tuple|pair).*$",
            r"^str, bytes or bytearray expected, not \w+$",
            r"^port must be 0-65535\.$",
            r"^(flowinfo|scope_id) must be 0-\d+\.$",
        ]
    )
)


class BuildFailed(Exception):
    """A structure argument could not be made (its constructor raised ``error``)."""

    def __init__(self, kind: str, error: BaseException) -> None:
        super().__init__(kind, error)
        self.kind = kind
        self.error = error


@contextlib.contextmanager
def _watchdog() -> Iterator[None]:
    """Turn a call that never returns into :class:`Hang` (Unix main thread only)."""
    setitimer = getattr(signal, "setitimer", None)
    if setitimer is None or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(signum: int, frame: object) -> None:
        raise Hang(f"no return after {HANG_SECONDS:g} s of wall time")

    previous = signal.signal(signal.SIGALRM, expired)
    setitimer(signal.ITIMER_REAL, HANG_SECONDS)
    try:
        yield
    finally:
        setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# --- rendering a run as a Python reproducer ---------------------------------------------------

_FIXED_HOSTS = {"client": "client", "server": "server", "other": "other"}


def _host_src(name: str) -> str:
    return _FIXED_HOSTS.get(name) or f"net.hosts[{name!r}]"


def src(value: Any) -> str:
    """Python source that makes ``value``."""
    if isinstance(value, Build):
        prefix = "wsasim." if value.kind == "TcpTiming" else ""
        parts = [src(a) for a in value.args] + [f"{k}={src(v)}" for k, v in value.kwargs]
        return f"{prefix}{value.kind}({', '.join(parts)})"
    if isinstance(value, SockRef):
        return f"socks[{value.index}]"
    if isinstance(value, WsRef):
        return f"{_host_src(value.host)}.winsock"
    if isinstance(value, HostRef):
        return _host_src(value.host)
    if isinstance(value, Gen):
        return f"iter({src(list(value.items))})"
    if isinstance(value, Callback):
        return f"callback_{value.ident}"
    if value is OBJ:
        return "object()"
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, enum.IntEnum) and type(value).__module__ == "socket":
        return f"socket.{value.name}"
    if isinstance(value, int):
        if abs(value) >= 10**30 and str(abs(value)).rstrip("0") == "1":
            return f"{'-' if value < 0 else ''}10**{len(str(abs(value))) - 1}"
        return repr(int(value))
    if isinstance(value, float):
        if math.isnan(value):
            return 'float("nan")'
        if math.isinf(value):
            return 'float("inf")' if value > 0 else '-float("inf")'
        return repr(value)
    if isinstance(value, (str, bytes)) and len(value) > 60:
        if len(set(value)) == 1:
            unit = value[:1]
            return f"{unit!r} * {len(value)}"
        return repr(value)
    if isinstance(value, bytearray):
        return f"bytearray({src(bytes(value))})"
    if isinstance(value, memoryview):
        return f"memoryview({src(value.tobytes())})"
    if isinstance(value, list):
        return "[" + ", ".join(src(v) for v in value) + "]"
    if isinstance(value, tuple):
        inner = ", ".join(src(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{src(k)}: {src(v)}" for k, v in value.items()) + "}"
    if isinstance(value, set):
        return "set()" if not value else "{" + ", ".join(src(v) for v in value) + "}"
    return repr(value)


def _call_src(op: Op) -> tuple[list[str], str]:
    """The context managers a call needs, and the call."""
    args = [src(a) for a in op.args] + [f"{k}={src(v)}" for k, v in op.kwargs]
    call = f"{op.name}({', '.join(args)})"
    if op.face == "ws":
        return [], f"{_host_src(op.target)}.winsock.{call}"
    if op.face == "sock":
        text = f"socks[{op.target}].{call}"
        return [], f"socks.append({text}[0])" if op.name == "accept" else text
    if op.face == "host":
        text = f"{_host_src(op.target)}.{call}"
        return [], f"socks.append({text})" if op.name == "socket" else text
    if op.face == "api":
        text = f"wsaconnect.{call}"
        if op.name == "create_connection":
            text = f"socks.append({text})"
        return ["wsaconnect.use_backend(client.winsock)"], text
    if op.face == "net":
        text = f"net.{call}"
        if op.name == "add_host" and op.args and op.args[0] in _FIXED_HOSTS:
            return [], f"{op.args[0]} = {text}"
        return [], text
    assert op.face == "new"
    if op.name == "world":
        return [], (
            f"net = wsasim.Network({', '.join(args)})\n"
            f"client = net.add_host('client', {list(CLIENT_ADDRESSES)!r})\n"
            f"server = net.add_host('server', {list(SERVER_ADDRESSES)!r})"
        )
    return [], f"net = wsasim.Network({', '.join(args)})"


def _callbacks_in(op: Op) -> list[Callback]:
    found = [v for v in (*op.args, *(v for _, v in op.kwargs)) if isinstance(v, Callback)]
    return found


def render(ops: Sequence[Op], raised: set[int], culprit: Op | None, note: str) -> str:
    """A script that makes the same calls; ``culprit`` is the call with the unexpected
    outcome (not wrapped in ``suppress``), the other calls that raised are."""
    lines = [
        "from contextlib import suppress",
        "import socket",
        "import wsasim, wsaconnect",
        "from wsaconnect import FLOWSPEC, QOS, WSABUF",
        "socks = []",
    ]

    def emit(op: Op, indent: str) -> None:
        for callback in _callbacks_in(op):
            lines.append(f"{indent}def callback_{callback.ident}():")
            if not callback.ops:
                lines.append(f"{indent}    pass")
            for inner in callback.ops:
                emit(inner, indent + "    ")
        contexts, text = _call_src(op)
        if op is not culprit and (id(op) in raised or indent):
            contexts = ["suppress(Exception)", *contexts]
        if contexts:
            text = f"with {', '.join(contexts)}: {text}"
        comment = f"  # <- {note}" if op is culprit else ""
        lines.append(f"{indent}{text}{comment}")

    for op in ops:
        emit(op, "")
    if culprit is None:
        lines.append(f"# -> {note}")
    return "\n".join(lines)


# --- the interpreter --------------------------------------------------------------------------


@dataclass
class Problem:
    kind: str
    detail: str
    exc: BaseException | None = None
    corrupting: bool = False


class Run:
    """Runs ops on one network, checks every outcome, and keeps what a replay compares."""

    def __init__(self, replay: bool = False, probe: bool = False) -> None:
        self.replay = replay
        #: A run that only looks for findings (to minimize a reproducer): nothing is raised
        #: or counted; ``seen`` maps each finding's signature to the call it came from.
        self.probe = probe
        self.seen: dict[tuple[str, ...], tuple[Op | None, Problem]] = {}
        self.net: Any = None
        self.hosts: list[str] = []
        self.socks: list[Any] = []
        self.sock_host: list[str] = []
        self.known: dict[str, dict[int, str]] = {}  # host -> handle -> "stream"/"dgram"/...
        self.closed: set[tuple[str, int]] = set()
        self.shut: set[tuple[str, int]] = set()  # shutdown for sending
        #: (local, remote) of every TCP socket closed or shut down for sending (its peer may
        #: read end-of-stream); ``ended_unknown`` once such a socket's addresses were unknown.
        self.ended: set[tuple[Any, Any]] = set()
        self.ended_unknown = False
        self.listener = 0  # the server's dual-stack listener on port 80
        #: SimSocket.close() calls that returned: is the handle really gone? (checked after
        #: the top-level call, when no blocking call is in progress)
        self.unverified: list[tuple[Op, str, int]] = []
        self.ops: list[Op] = []  # top-level ops, in order
        self.log: list[str] = []  # every outcome, for the replay
        self.raised: set[int] = set()  # ids of ops that raised
        self.depth = 0
        self.top: Op | None = None
        self.last_now = 0.0
        self.corrupted = False
        self.failed = False  # a finding was raised (the default run): no end checks
        self.pending: list[tuple[Op | None, Problem]] = []
        self.callbacks = 0

    # --- state the generators read ----------------------------------------------------------

    def open_handles(self, host: str, kinds: tuple[str, ...] = ("stream", "dgram")) -> list[int]:
        return [
            h
            for h, kind in self.known.get(host, {}).items()
            if kind in kinds and (host, h) not in self.closed
        ]

    def all_handles(self) -> list[int]:
        return sorted({h for handles in self.known.values() for h in handles})

    def winsock(self, host: str) -> Any:
        return self.net.hosts[host].winsock

    # --- performing ---------------------------------------------------------------------

    def perform(self, op: Op) -> tuple[bool, Any]:
        """Run ``op`` and check its outcome; ``(True, value)`` or ``(False, exception)``."""
        top = self.depth == 0
        if top:
            self.ops.append(op)
            self.top = op
        if self.probe:
            FIGURES.probes += 1
        else:
            FIGURES.calls += 1
            FIGURES.replayed += self.replay
        before = self._before(op)
        try:
            args, kwargs = self._resolve(op.args), dict(self._resolve(op.kwargs))
        except BuildFailed as failed:
            self.raised.add(id(op))
            self.log.append(f"{op.name}: build {failed.kind}: {self._describe(failed.error)}")
            self._note(op, self._check_build(failed))
            return False, failed.error
        fn, context = self._callable(op, kwargs)
        try:
            with context, _watchdog() if top else contextlib.nullcontext():
                value = fn(*args, **kwargs)
        except Exception as exc:
            self.raised.add(id(op))
            self.log.append(f"{op.name}: raised {self._describe(exc)}")
            self._note(op, self._check_exception(op, fn, args, kwargs, exc, before))
            self._after(op)
            return False, exc
        self.log.append(f"{op.name}: {self._describe(value)}")
        self._note(op, self._check_value(op, args, kwargs, value, before))
        self._track(op, args, kwargs, value, before)
        self._after(op)
        return True, value

    def _before(self, op: Op) -> dict[str, Any]:
        """What a check needs to know from before the call."""
        before: dict[str, Any] = {}
        if op.face == "ws" and op.target in self.hosts:
            self.winsock(op.target).WSASetLastError(0)  # a failure must set a code
            before["open"] = set(self.open_handles(op.target, ("stream", "dgram", "event")))
            if op.name in ("closesocket", "shutdown") and op.args:
                before["ending"] = self._pairs(op.target, [op.args[0]])
            elif op.name == "WSACleanup":
                before["ending"] = self._pairs(op.target, self.open_handles(op.target))
        elif op.face == "sock" and 0 <= op.target < len(self.socks):
            sock = self.socks[op.target]
            before["timeout"] = sock.gettimeout()
            before["fileno"] = sock.fileno()
            before["open"] = set(self.open_handles(self.sock_host[op.target]))
            if op.name in ("close", "shutdown"):
                before["ending"] = self._pairs(self.sock_host[op.target], [sock.fileno()])
        elif op.face in ("host", "api"):
            before["open"] = {
                host: set(self.open_handles(host, ("stream", "dgram", "event")))
                for host in self.hosts
            }
        return before

    def _after(self, op: Op) -> None:
        if self.net is None:
            return
        now = self.net.now
        if self.corrupted:
            pass  # one time problem per run: the rest follow from it
        elif not (isinstance(now, float) and math.isfinite(now)):
            problem = Problem("time-not-finite", f"net.now is {now!r} after {op.name}")
            self._note(op, dataclasses.replace(problem, corrupting=True))
        elif now < self.last_now:
            problem = Problem(
                "time-backwards",
                f"virtual time went backwards: {self.last_now!r} -> {now!r} (after {op.name})",
            )
            self._note(op, dataclasses.replace(problem, corrupting=True))
        if isinstance(now, float) and math.isfinite(now):
            self.last_now = max(self.last_now, now)
        if self.depth == 0:
            self._verify_closes()
            self._raise_pending()

    def _verify_closes(self) -> None:
        """A SimSocket.close() that returned closed its handle (CPython's close() raises when
        closesocket fails; a close that fails silently leaks the socket and its port)."""
        unverified, self.unverified = self.unverified, []
        for op, host, handle in unverified:
            ws = self.winsock(host)
            rc, _ = ws.getsockname(handle)
            # WSAEINVAL: open but unbound; WSAENOTSOCK: gone; anything else: can't tell.
            if rc == 0 or ws.WSAGetLastError() == E.WSAEINVAL:
                self.closed.discard((host, handle))  # still open: the end of the run closes it
                self._note(
                    op,
                    Problem(
                        "close-failed-silently",
                        f"SimSocket.close() returned, but socket {handle:#x} on {host} is still "
                        "open (closesocket failed and close() did not say so)",
                    ),
                )

    def _resolve(self, value: Any) -> Any:
        if isinstance(value, tuple):
            return tuple(self._resolve(v) for v in value)
        if isinstance(value, list):
            return [self._resolve(v) for v in value]
        if isinstance(value, dict):
            return {k: self._resolve(v) for k, v in value.items()}
        if isinstance(value, (bytearray, memoryview)):
            return type(value)(bytes(value)) if isinstance(value, bytearray) else value
        if isinstance(value, Build):
            args = self._resolve(value.args)
            kwargs = dict(self._resolve(value.kwargs))
            maker = {
                "WSABUF": WSABUF,
                "FLOWSPEC": FLOWSPEC,
                "QOS": QOS,
                "TcpTiming": wsasim.TcpTiming,
            }[value.kind]
            try:
                return maker(*args, **kwargs)
            except Exception as exc:
                raise BuildFailed(value.kind, exc) from exc
        if isinstance(value, SockRef):
            return self.socks[value.index]
        if isinstance(value, WsRef):
            return self.net.hosts[value.host].winsock
        if isinstance(value, HostRef):
            return self.net.hosts[value.host]
        if isinstance(value, Gen):
            return iter(self._resolve(list(value.items)))
        if isinstance(value, Callback):
            return self._callback(value)
        return value

    def _callback(self, callback: Callback) -> Callable[[], None]:
        def run() -> None:
            self.depth += 1
            try:
                self._after(Op("net", None, f"callback_{callback.ident}"))
                for op in callback.ops:
                    self.perform(op)
            finally:
                self.depth -= 1

        return run

    def _callable(self, op: Op, kwargs: dict[str, Any]) -> tuple[Callable[..., Any], Any]:
        context: Any = contextlib.nullcontext()
        if op.face == "new":
            return (self._new_world if op.name == "world" else self._new_network), context
        if op.face == "ws":
            return getattr(self.winsock(op.target), op.name), context
        if op.face == "sock":
            return getattr(self.socks[op.target], op.name), context
        if op.face == "host":
            return getattr(self.net.hosts[op.target], op.name), context
        if op.face == "net":
            return getattr(self.net, op.name), context
        assert op.face == "api"
        context = wsaconnect.use_backend(self.winsock("client"))
        return getattr(wsaconnect, op.name), context

    def _new_network(self, **kwargs: Any) -> Any:
        self.net = wsasim.Network(**kwargs)
        return self.net

    def _new_world(self, **kwargs: Any) -> Any:
        self.net = wsasim.Network(**kwargs)
        for name, addresses in (("client", CLIENT_ADDRESSES), ("server", SERVER_ADDRESSES)):
            self.net.add_host(name, list(addresses))
            self.hosts.append(name)
            self.known[name] = {}
        return self.net

    # --- checks ---------------------------------------------------------------------------

    def _names(self, op: Op, fn: Callable[..., Any]) -> set[str]:
        names = _parameters(fn)
        if op.face == "sock":
            for alias in _SOCKET_FACE_ALIASES.get(op.name, ()):
                method = getattr(wsasim.Winsock, alias, None)
                if method is not None:
                    names |= _parameters(method)
        if op.face == "new":
            names |= _parameters(wsasim.Network)
        names |= _EXTRA_NAMES.get((op.face, op.name), set())
        return names

    def _check_build(self, failed: BuildFailed) -> Problem | None:
        exc = failed.error
        if isinstance(exc, (TypeError, ValueError)) and _names_a_parameter(
            str(exc), _STRUCTURE_FIELDS[failed.kind]
        ):
            return None
        return Problem(
            f"build-{type(exc).__name__}",
            f"{failed.kind}(...) raised {type(exc).__name__}: {exc} "
            f"(at {_origin(exc)}; not a TypeError/ValueError naming a field)",
            exc,
        )

    def _may_block_forever(self, op: Op, args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
        if op.face == "ws":
            # send waits for room in the peer's window (flow control): for ever if it never
            # reads (SO_SNDTIMEO bounds it).
            if op.name in ("accept", "recv", "recvfrom", "send", "sendto"):
                return True
            if op.name == "select":
                timeout = args[3] if len(args) > 3 else kwargs.get("timeout")
                return timeout is None
            if op.name == "WSAWaitForMultipleEvents":
                timeout_ms = args[2] if len(args) > 2 else kwargs.get("timeout_ms")
                return _is_int(timeout_ms) and timeout_ms == C.WSA_INFINITE
        return False

    def _check_exception(
        self,
        op: Op,
        fn: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        exc: Exception,
        before: dict[str, Any],
    ) -> Problem | None:
        where = _origin(exc)
        if REENTRANT_WAIT is not None and isinstance(exc, REENTRANT_WAIT) and self.depth > 0:
            return None
        if isinstance(exc, wsasim.Deadlock):
            blocking = self._may_block_forever(op, args, kwargs)
            if op.face == "sock":
                blocking = (
                    op.name in ("accept", "recv", "recvfrom", "send", "sendall", "sendto")
                    and before["timeout"] is None
                )
            if blocking or self.depth > 0:
                return None
            return Problem(
                "deadlock",
                f"{op.name} raised Deadlock, but it cannot block for ever: {exc}",
                exc,
            )
        if isinstance(exc, wsaconnect.WinsockError) and op.face in ("sock", "api", "host"):
            if op.face == "host" and op.name not in ("socket", "listen"):
                return Problem("winsockerror", f"{op.name} raised {exc!r}", exc)
            if exc.winerror in KNOWN_CODES:
                return None
            return Problem("unknown-code", f"{op.name} raised {exc!r}: unknown code", exc)
        if (
            isinstance(exc, TimeoutError)
            and not isinstance(exc, wsaconnect.WinsockError)
            and op.face == "sock"
        ):
            if str(exc) == "timed out" and before.get("timeout"):
                return None
            return Problem(
                "timeouterror",
                f"{op.name} raised {exc!r} with gettimeout() = {before.get('timeout')!r}",
                exc,
            )
        if type(exc) is OverflowError and op.face == "sock" and self._cpython_overflows(op, args):
            return None
        if type(exc) is OSError and op.face == "sock" and CPYTHON_MESSAGES.search(str(exc)):
            return None  # socket.socket's own plain OSError (sock_getsockopt: buflen)
        if isinstance(exc, socket.gaierror) and op.face == "sock" and exc.errno in KNOWN_CODES:
            return None  # a host name in an address that the network cannot resolve
        if isinstance(exc, (TypeError, ValueError)) and not isinstance(
            exc, wsaconnect.WinsockError
        ):
            if (op.face == "ws" and op.name == "get_messages") or _names_a_parameter(
                str(exc), self._names(op, fn)
            ):
                return None
            if op.face in ("sock", "host") and CPYTHON_MESSAGES.search(str(exc)):
                return None  # what socket.socket itself says
            return Problem(
                f"unnamed-{type(exc).__name__}",
                f"{type(exc).__name__} from {op.name} does not name a parameter "
                f"({sorted(self._names(op, fn))}): {exc!s:.200} (at {where})",
                exc,
            )
        # An exception from the argument checks leaves the network as it was; any other may
        # have left it half-changed, so the run stops there.
        checking = where.split(":")[0] in ("checks.py", "addresses.py", "structures.py")
        corrupting = not isinstance(exc, wsaconnect.WinsockError) and not checking
        return Problem(
            f"raised-{type(exc).__name__}",
            f"{op.face} {op.name} raised {type(exc).__name__}: {exc!s:.300} (at {where})",
            exc,
            corrupting=corrupting,
        )

    def _cpython_overflows(self, op: Op, args: tuple[Any, ...]) -> bool:
        if op.name == "settimeout" and args:
            return _cpython_settimeout_error(args[0]) is OverflowError
        # CPython converts ints to C types: ssize_t (bufsize), int (flags, level, ...).
        return any(_is_int(a) and not -(2**31) <= a < 2**31 for a in args)

    def _code(self, op: Op) -> int:
        code: int = self.winsock(op.target).WSAGetLastError()
        return code

    def _failure(self, op: Op, value: Any) -> Problem | None:
        code = self._code(op)
        if _is_int(code) and code in KNOWN_CODES:
            return None
        return Problem(
            "no-code",
            f"{op.name} returned {value!r} with WSAGetLastError() = {code!r} (not a known code)",
        )

    def _check_value(
        self,
        op: Op,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        value: Any,
        before: dict[str, Any],
    ) -> Problem | None:
        infinite = self._accepted_infinity(op, args, kwargs, value)
        if infinite is not None:
            return infinite
        if op.face == "ws":
            return self._check_ws(op, args, kwargs, value, before)
        if op.face == "sock":
            return self._check_sock(op, args, value, before)
        if op.face == "api":
            return self._check_api(op, value, before)
        if op.face == "host" and op.name == "socket" and not isinstance(value, wsasim.SimSocket):
            return Problem("bad-return", f"host.socket returned {value!r}")
        return None

    def _accepted_infinity(
        self, op: Op, args: tuple[Any, ...], kwargs: dict[str, Any], value: Any
    ) -> Problem | None:
        """A number of seconds that no clock (and no C timeval) can hold must be refused:
        accepting ``inf`` is how virtual time becomes infinite."""
        given: list[Any] = []
        if op.face == "net" and op.name in ("advance", "call_at", "set_latency"):
            given = [args[-1] if op.name != "call_at" else args[0]] if args else []
        elif op.face == "new":
            timing = kwargs.get("timing")
            given = [kwargs.get("latency")]
            if isinstance(timing, wsasim.TcpTiming):
                given += [timing.initial_rto, timing.refused_retry_interval]
                for what in ("syn_retransmissions", "refused_retries"):
                    count = getattr(timing, what)
                    if not _is_int(count):
                        return Problem(
                            "accepted-wrong-type",
                            f"TcpTiming accepted {what}={src(count)} (a count: an int)",
                            corrupting=True,  # 1e308 retries: the scenario would never end
                        )
        elif op.face == "ws" and op.name in ("select", "WSAConnectByList", "WSAConnectByName"):
            position = {"select": 3}.get(op.name, 2 if op.name == "WSAConnectByList" else 3)
            succeeded = value[0] not in (C.SOCKET_ERROR, False)
            if succeeded:
                given = [args[position] if len(args) > position else kwargs.get("timeout")]
        elif op.face == "api":
            given = [kwargs.get("timeout")]
        elif op.face == "sock" and op.name == "settimeout":
            given = list(args)
        if any(isinstance(v, float) and v == INF for v in given):
            return Problem(
                "accepted-infinity",
                f"{op.name} accepted float('inf') seconds (it must be refused)",
                corrupting=True,
            )
        return None

    def _bad(self, op: Op, value: Any, why: str = "") -> Problem:
        return Problem("bad-return", f"{op.name} returned {value!r:.200} {why}".rstrip())

    def _fresh(self, op: Op, handle: Any, before: dict[str, Any]) -> Problem | None:
        if not _is_int(handle) or handle <= 0:
            return self._bad(op, handle, "(not a handle)")
        if handle in before.get("open", set()):
            return self._bad(op, handle, "(the handle of an object that is still open)")
        return None

    def _check_ws(
        self,
        op: Op,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        value: Any,
        before: dict[str, Any],
    ) -> Problem | None:
        name = op.name
        if name in {
            "closesocket",
            "bind",
            "listen",
            "ioctlsocket",
            "setsockopt",
            "connect",
            "WSAConnect",
            "WSAEventSelect",
            "WSAAsyncSelect",
            "WSACleanup",
            "WSACancelBlockingCall",
            "shutdown",
        }:
            if not _is_int(value) or value not in (0, C.SOCKET_ERROR):
                return self._bad(op, value)
            return self._failure(op, value) if value == C.SOCKET_ERROR else None
        if name == "WSAStartup":
            return (
                None
                if _is_int(value) and (value == 0 or value in KNOWN_CODES)
                else self._bad(op, value)
            )
        if name == "WSAGetLastError":
            return None if _is_int(value) else self._bad(op, value)
        if name == "WSASetLastError":
            return None if value is None else self._bad(op, value)
        if name == "socket":
            if value == C.INVALID_SOCKET:
                return self._failure(op, value)
            return self._fresh(op, value, before)
        if name in ("WSACreateEvent", "create_message_window"):
            if value == 0:  # WSA_INVALID_EVENT / a NULL window: a failure, with its code
                return self._failure(op, value)
            return self._fresh(op, value, before)
        if name in ("WSACloseEvent", "WSASetEvent", "WSAResetEvent"):
            if value is True:
                return None
            return self._failure(op, value) if value is False else self._bad(op, value)
        if name in ("send", "sendto"):
            return self._check_send(op, args, value)
        if name == "WSAWaitForMultipleEvents":
            return self._check_wait(op, args, kwargs, value)
        if not isinstance(value, (tuple, list)):
            return self._bad(op, value)
        if name == "accept":
            if tuple(value) == (C.INVALID_SOCKET, None):
                return self._failure(op, value)
            if len(value) != 2 or not _valid_address(value[1]):
                return self._bad(op, value)
            return self._fresh(op, value[0], before) or self._duplicate(op, op.target, value[0])
        if name in ("getsockname", "getpeername"):
            if tuple(value) == (C.SOCKET_ERROR, None):
                return self._failure(op, value)
            ok = len(value) == 2 and value[0] == 0 and _valid_address(value[1])
            return None if ok else self._bad(op, value)
        if name == "getsockopt":
            if tuple(value) == (C.SOCKET_ERROR, None):
                return self._failure(op, value)
            return None if len(value) == 2 and value[0] == 0 else self._bad(op, value)
        if name in ("recv", "recvfrom"):
            return self._check_receive(op, args, kwargs, value)
        if name == "select":
            return self._check_select(args, kwargs, value, op)
        if name in ("WSAConnectByList", "WSAConnectByName"):
            if tuple(value) == (False, None, None):
                return self._failure(op, value)
            ok = (
                len(value) == 3
                and value[0] is True
                and all(v is None or _valid_address(v) for v in value[1:])
            )
            return None if ok else self._bad(op, value)
        if name == "WSAEnumNetworkEvents":
            ok = len(value) == 3 and isinstance(value[2], list) and len(value[2]) == 10
            if ok and value[0] == C.SOCKET_ERROR:
                return self._failure(op, value)
            return None if ok and value[0] == 0 and _is_int(value[1]) else self._bad(op, value)
        if name == "get_messages":
            ok = all(isinstance(m, tuple) and len(m) == 3 and all(map(_is_int, m)) for m in value)
            return None if ok else self._bad(op, value)
        return None

    def _check_send(self, op: Op, args: tuple[Any, ...], value: Any) -> Problem | None:
        if value == C.SOCKET_ERROR:
            return self._failure(op, value)
        data = args[1] if len(args) > 1 else None
        size = len(bytes(data)) if isinstance(data, (bytes, bytearray, memoryview)) else -1
        if not _is_int(value) or not 0 <= value <= size:
            return self._bad(op, value, f"for {size} bytes")
        return None

    def _check_receive(
        self, op: Op, args: tuple[Any, ...], kwargs: dict[str, Any], value: Any
    ) -> Problem | None:
        expected = 2 if op.name == "recv" else 3
        if len(value) != expected or not isinstance(value[1], bytes):
            return self._bad(op, value)
        count, data = value[0], value[1]
        bufsize = args[1] if len(args) > 1 else kwargs.get("bufsize")
        if count == C.SOCKET_ERROR:
            return self._failure(op, value)
        if not _is_int(count) or count != len(data) or (_is_int(bufsize) and count > bufsize):
            return self._bad(op, value, f"for bufsize {bufsize!r}")
        if op.name == "recvfrom" and value[2] is not None and not _valid_address(value[2]):
            return self._bad(op, value)
        s = args[0] if args else None
        if count == 0 and _is_int(bufsize) and bufsize > 0 and _is_int(s):
            return self._zero_read(op, op.target, s)
        return None

    def _pairs(self, host: str, handles: Sequence[Any]) -> list[tuple[Any, Any]]:
        """(local, remote) of those of ``handles`` that are connected TCP sockets."""
        pairs = []
        ws = self.winsock(host)
        for s in handles:
            if not _is_int(s) or self.known.get(host, {}).get(s) != "stream":
                continue
            if (host, s) in self.closed:
                continue
            (rc1, local), (rc2, remote) = ws.getsockname(s), ws.getpeername(s)
            if rc1 == 0 and rc2 == 0:
                pairs.append((_norm(local), _norm(remote)))
            elif ws.WSAGetLastError() != E.WSAENOTCONN:
                self.ended_unknown = True  # (network down, Winsock 1.1 busy, ...)
        return pairs

    def _duplicate(self, op: Op, host: str, s: int) -> Problem | None:
        """A new connection must not have the addresses of another open one on its host
        (TCP could not tell their segments apart)."""
        ws = self.winsock(host)
        (rc1, local), (rc2, remote) = ws.getsockname(s), ws.getpeername(s)
        if rc1 or rc2:
            return None
        mine = [(_norm(local), _norm(remote))]  # (not in the model yet: it is checked first)
        others = [h for h in self.open_handles(host, ("stream",)) if h != s]
        for h in others:
            if self._pairs(host, [h]) == mine:
                return Problem(
                    "duplicate-four-tuple",
                    f"{op.name} gave socket {s:#x} on {host} the local and remote addresses of "
                    f"socket {h:#x}, which is still open: {mine[0]}",
                )
        return None

    def _zero_read(self, op: Op, host: str, s: int) -> Problem | None:
        """A TCP recv returned 0 (FIN): the peer must have closed or shut down sending."""
        if self.known.get(host, {}).get(s) != "stream":
            return None
        ws = self.winsock(host)
        (rc1, local), (rc2, remote) = ws.getsockname(s), ws.getpeername(s)
        if rc1 or rc2:
            return None
        if (_norm(remote), _norm(local)) in self.ended:
            return None  # a socket with the peer's addresses closed (perhaps an earlier one)
        peer = self._open_peer(host, s)
        why = None
        if peer is not None:
            why = f"its peer {peer[1]:#x} on {peer[0]} is open and has not shut down"
        elif not self.ended_unknown:
            why = "its peer was never closed nor shut down"
        if why is None:
            return None
        return Problem(
            "zero-read",
            f"{op.name} on TCP socket {s:#x} of {host} returned 0 bytes (end of stream), but {why}",
        )

    def _open_peer(self, host: str, s: int) -> tuple[str, int] | None:
        ws = self.winsock(host)
        (rc1, local), (rc2, remote) = ws.getsockname(s), ws.getpeername(s)
        if rc1 or rc2:
            return None
        mine, theirs = _norm(local), _norm(remote)
        for other in self.hosts:
            ows = self.winsock(other)
            for h in self.open_handles(other, ("stream",)):
                if (other, h) == (host, s) or (other, h) in self.shut:
                    continue
                (rc1, name), (rc2, peer) = ows.getsockname(h), ows.getpeername(h)
                if rc1 == 0 and rc2 == 0 and _norm(name) == theirs and _norm(peer) == mine:
                    return other, h
        return None

    def _check_select(
        self, args: tuple[Any, ...], kwargs: dict[str, Any], value: Any, op: Op
    ) -> Problem | None:
        if len(value) != 4:
            return self._bad(op, value)
        if value[0] == C.SOCKET_ERROR:
            return self._failure(op, value)
        count, groups = value[0], value[1:]
        timeout = args[3] if len(args) > 3 else kwargs.get("timeout")
        if not _is_int(count) or count != sum(len(g) for g in groups):
            return self._bad(op, value)
        for given_set, group in zip(args[:3], groups, strict=False):
            if not set(group) <= set(given_set or ()):
                return self._bad(op, value, "(a handle that was not asked about)")
        if count == 0 and timeout is None:
            return Problem("select-zero", "select without a timeout returned 0")
        return None

    def _check_wait(
        self, op: Op, args: tuple[Any, ...], kwargs: dict[str, Any], value: Any
    ) -> Problem | None:
        events = args[0] if args else kwargs.get("events")
        timeout_ms = args[2] if len(args) > 2 else kwargs.get("timeout_ms")
        if value == C.WSA_WAIT_FAILED:
            return self._failure(op, value)
        if value == C.WSA_WAIT_TIMEOUT:
            if timeout_ms == C.WSA_INFINITE:
                return Problem("wait-timeout", "WSA_INFINITE wait returned WSA_WAIT_TIMEOUT")
            return None
        if _is_int(value) and isinstance(events, Sequence) and 0 <= value < len(events):
            return None
        return self._bad(op, value)

    def _check_sock(
        self, op: Op, args: tuple[Any, ...], value: Any, before: dict[str, Any]
    ) -> Problem | None:
        name = op.name
        if name == "sendto" and len(args) not in (2, 3):
            return Problem(
                "cpython-deviation",
                f"SimSocket.sendto accepted {len(args)} arguments "
                "(socket.socket.sendto takes 2 or 3)",
            )
        if name in ("send", "sendall", "sendto") and not isinstance(
            args[0] if args else None, (bytes, bytearray, memoryview)
        ):
            return Problem(
                "cpython-deviation",
                f"SimSocket.{name} accepted {args[0]!r:.40} (socket.socket: TypeError)",
            )
        if name == "settimeout" and args:
            cpython = _cpython_settimeout_error(args[0])
            if cpython in (ValueError, TypeError) and not isinstance(args[0], bool):
                return Problem(
                    "cpython-deviation",
                    f"SimSocket.settimeout accepted {src(args[0])} "
                    f"(socket.socket: {cpython.__name__})",
                )
            return None
        if name in ("recv", "recvfrom"):
            data = value if name == "recv" else value[0] if isinstance(value, tuple) else None
            if not isinstance(data, bytes):
                return self._bad(op, value)
            if data == b"" and args and _is_int(args[0]) and args[0] > 0:
                return self._zero_read(op, self.sock_host[op.target], before["fileno"])
            return None
        if name == "accept":
            ok = isinstance(value, tuple) and len(value) == 2
            if not ok or not isinstance(value[0], wsasim.SimSocket):
                return self._bad(op, value)
            if not _valid_address(value[1]):
                return self._bad(op, value)
            host = self.sock_host[op.target]
            fresh = self._fresh(op, value[0].fileno(), before)
            return fresh or self._duplicate(op, host, value[0].fileno())
        if name == "connect_ex":
            return (
                None
                if _is_int(value) and (value == 0 or value in KNOWN_CODES)
                else (self._bad(op, value))
            )
        if name in ("getsockname", "getpeername"):
            return None if _valid_address(value) else self._bad(op, value)
        if name in ("send",):
            return None if _is_int(value) and value >= 0 else self._bad(op, value)
        return None

    def _check_api(self, op: Op, value: Any, before: dict[str, Any]) -> Problem | None:
        if op.name == "connect":
            return None if isinstance(value, bytes) else self._bad(op, value)
        if op.name in ("connect_by_list", "connect_by_name"):
            ok = isinstance(value, wsaconnect.Connection) and all(
                v is None or _valid_address(v) for v in (value.local, value.remote)
            )
            return None if ok else self._bad(op, value)
        if op.name == "create_connection":
            return None if isinstance(value, wsasim.SimSocket) else self._bad(op, value)
        return None

    # --- the model the generators and the final checks use -----------------------------------

    def _track(
        self,
        op: Op,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        value: Any,
        before: dict[str, Any],
    ) -> None:
        name = op.name
        ending = before.get("ending")
        if ending and (value is None or value == 0):
            how = args[-1] if name == "shutdown" and args else SD_BOTH
            if how in (SD_SEND, SD_BOTH):
                self.ended.update(ending)
        if op.face == "ws":
            host = op.target
            handles = self.known[host]
            if name == "socket" and _is_int(value) and value != C.INVALID_SOCKET:
                kind = args[1] if len(args) > 1 else kwargs.get("type")
                handles[value] = "stream" if kind == C.SOCK_STREAM else "dgram"
                self.closed.discard((host, value))
            elif name == "accept" and isinstance(value, tuple) and value[0] != C.INVALID_SOCKET:
                handles[value[0]] = "stream"
                self.closed.discard((host, value[0]))
            elif name == "WSACreateEvent":
                handles[value] = "event"
            elif name == "create_message_window":
                handles[value] = "window"
            elif (name == "closesocket" and _is_int(value) and value == 0) or (
                name == "WSACloseEvent" and value is True
            ):
                self.closed.add((host, args[0]))
            elif name == "shutdown" and value == 0 and len(args) > 1 and args[1] in (1, 2):
                self.shut.add((host, args[0]))
        elif op.face == "sock":
            host = self.sock_host[op.target]
            if name == "accept":
                self._adopt(value[0], host)
            elif name == "close" and before["fileno"] != -1:
                self.closed.add((host, before["fileno"]))
                self.unverified.append((op, host, before["fileno"]))
            elif name == "shutdown" and args and args[0] in (1, 2):
                self.shut.add((host, before["fileno"]))
        elif op.face == "host" and name == "socket":
            self._adopt(value, op.target)
        elif op.face == "host" and name == "listen" and _is_int(value):
            self.known[op.target][value] = "stream"
        elif op.face == "api" and name == "create_connection":
            backend = kwargs.get("backend")
            host = backend.host.name if isinstance(backend, wsasim.Winsock) else "client"
            self._adopt(value, host)
        elif op.face == "net" and name == "add_host":
            self.hosts.append(value.name)
            self.known[value.name] = {}

    def _adopt(self, sock: Any, host: str) -> None:
        self.socks.append(sock)
        self.sock_host.append(host)
        handle = sock.fileno()
        self.known[host][handle] = "stream" if sock.type == C.SOCK_STREAM else "dgram"
        self.closed.discard((host, handle))

    # --- findings ---------------------------------------------------------------------------

    def _note(self, op: Op | None, problem: Problem | None) -> None:
        if problem is None or (self.replay and not self.probe):
            return  # a replay's outcomes are compared with the run's, not checked again
        if problem.corrupting:
            self.corrupted = True
        self.pending.append((op, problem))
        if self.depth == 0:
            self._raise_pending()

    def _raise_pending(self) -> None:
        pending, self.pending = self.pending, []
        for op, problem in pending:
            signature = _signature(op, problem)
            if self.probe:
                self.seen.setdefault(signature, (op, problem))
                continue
            FIGURES.unexpected += 1
            finding = FIGURES.findings.get(signature)
            if finding is None:
                teardown = op is None
                finding = Finding(problem.detail, list(self.ops), teardown)
                FIGURES.findings[signature] = finding
            else:
                finding.count += 1
            if not BIG:
                self.failed = True
                reproducer = reproduce(signature, finding)
                error = _unexpected_class(problem.kind)(
                    f"{problem.detail}\n\nReproducer (minimized):\n{reproducer}"
                )
                if problem.exc is not None:
                    raise error from problem.exc
                raise error

    def _describe(self, value: Any) -> str:
        if isinstance(value, BaseException):
            text = f"{type(value).__name__}({value!s})"
        elif isinstance(value, wsasim.Timer):
            text = f"Timer({value.when!r})"
        elif isinstance(value, wsasim.Host):
            text = f"Host({value.name!r})"
        elif isinstance(value, wsasim.Network):
            text = "Network"
        else:
            text = repr(value)
        return re.sub(r" at 0x[0-9a-fA-F]+", "", text)

    # --- the end of a run -----------------------------------------------------------------

    def close_everything(self) -> None:
        """Run what is scheduled, then close every handle on every host, then let the network
        settle: what invariant (b) needs."""
        self.perform(Op("net", None, "run_until_idle"))
        for host in list(self.hosts):
            self.perform(Op("host", host, "set_network_down", (False,)))
            self.perform(Op("ws", host, "WSAStartup", (0x0202,)))
            handles = dict(self.known[host])
            # Also whatever the host says it has (a handle this run never saw).
            for sock in getattr(self.net.hosts[host], "sockets", list)():
                handle = getattr(sock, "handle", None)
                if _is_int(handle) and handle not in handles:
                    handles[handle] = "stream"
            for handle, kind in sorted(handles.items()):
                if (host, handle) in self.closed or kind == "window":
                    continue
                close = "WSACloseEvent" if kind == "event" else "closesocket"
                self.perform(Op("ws", host, close, (handle,)))
        self.perform(Op("net", None, "run_until_idle"))

    def port_tables(self) -> dict[str, int]:
        return {h: len(self.net.hosts[h].ports) for h in self.hosts}

    def trace(self) -> str:
        return re.sub(r" at 0x[0-9a-fA-F]+", "", repr(self.net.trace))

    def finish(self) -> None:
        """Invariants (b) and (a) at the end of a run that kept its footing."""
        if self.corrupted or self.net is None:
            return
        self.close_everything()
        if self.corrupted:
            return
        held = {host: n for host, n in self.port_tables().items() if n}
        if held:
            self._note(None, Problem("ports-held", f"ports still held after closing all: {held}"))
        replay = Run(replay=True, probe=self.probe)
        for op in self.ops:
            replay.perform(op)
        replay._raise_pending()
        if replay.log != self.log:
            padded = zip([*replay.log, ""], [*self.log, ""], strict=False)
            diff = next(i for i, (a, b) in enumerate(padded) if a != b)
            self._note(
                None,
                Problem(
                    "replay",
                    f"the replay differs at outcome {diff}: {self.log[diff : diff + 1]} "
                    f"then {replay.log[diff : diff + 1]}",
                ),
            )
        elif replay.trace() != self.trace():
            self._note(None, Problem("replay", "the replay gives another net.trace"))
        self._raise_pending()


def _signature(op: Op | None, problem: Problem) -> tuple[str, ...]:
    """What makes two findings the same: the kind, the call, where the simulator raised."""
    anywhere = problem.kind == "time-not-finite"  # its cause is found elsewhere
    return (
        problem.kind,
        op.face if op and not anywhere else "",
        op.name if op and not anywhere else "",
        _origin(problem.exc) if problem.exc else "",
    )


def _probe(ops: Sequence[Op], signature: tuple[str, ...], teardown: bool) -> Run | None:
    """Run ``ops`` on a fresh network; the run if it shows the finding ``signature``."""
    run = Run(probe=True)
    try:
        for op in ops:
            run.perform(op)
            if signature in run.seen:
                return run
        if teardown and not run.corrupted:
            run.finish()
    except Exception:
        return None
    return run if signature in run.seen else None


def minimize(ops: list[Op], signature: tuple[str, ...], teardown: bool, budget: int = 250) -> Run:
    """Delta debugging (ddmin) over the calls: the shortest list found within ``budget``
    probes that still shows the finding. The first call (the network) is kept."""
    best = _probe(ops, signature, teardown)
    if best is None:
        return Run(probe=True)  # not reproducible alone (it needed the replay, say)
    head, body = ops[:1], best.ops[1:]
    chunks = 2
    while len(body) >= 1 and budget > 0:
        size = max(1, -(-len(body) // chunks))
        for start in range(0, len(body), size):
            budget -= 1
            candidate = body[:start] + body[start + size :]
            run = _probe(head + candidate, signature, teardown)
            if run is not None:
                best, body = run, run.ops[1:]
                chunks = max(chunks - 1, 2)
                break
            if budget <= 0:
                break
        else:
            if size == 1:
                break
            chunks = min(len(body), chunks * 2)
    return best


def reproduce(signature: tuple[str, ...], finding: Finding) -> str:
    """A minimized Python reproducer for ``finding``."""
    run = minimize(finding.ops, signature, finding.teardown)
    if signature not in run.seen:
        return render(finding.ops, set(), None, finding.description + " (not minimized)")
    op, problem = run.seen[signature]
    culprit = op if op is not None and op in run.ops else None
    return render(run.ops, run.raised, culprit, problem.detail)


# --- drawing calls ---------------------------------------------------------------------------


class Chooser:
    """Where the choices come from: Hypothesis's data (the default run: it shrinks), or, in
    the big run, a ``random.Random`` seeded from one Hypothesis draw (50 times cheaper per
    choice, so that half a million calls take minutes)."""

    def __init__(self, data: st.DataObject) -> None:
        self.data = data
        self.random: random.Random | None = None
        if BIG:
            self.random = random.Random(data.draw(st.integers(0, 2**64), label="seed"))

    def integer(self, low: int, high: int) -> int:
        if self.random is not None:
            return self.random.randint(low, high)
        return self.data.draw(st.integers(low, high))

    def choice(self, values: Sequence[Any]) -> Any:
        if self.random is not None:
            return values[self.random.randrange(len(values))]
        return self.data.draw(st.sampled_from(values))

    def sample(self, values: Sequence[Any], low: int, high: int) -> list[Any]:
        return [self.choice(values) for _ in range(self.integer(low, high))]


class Draw:
    """Draws the arguments of one call: a valid-looking value most of the time, else a hostile
    one (the valid choice comes first, so Hypothesis shrinks towards it)."""

    def __init__(self, chooser: Chooser, run: Run, host: str) -> None:
        self.chooser = chooser
        self.run = run
        self.host = host

    def integer(self, low: int, high: int) -> int:
        return self.chooser.integer(low, high)

    def choice(self, values: Sequence[Any]) -> Any:
        return self.chooser.choice(values)

    def sample(self, values: Sequence[Any], low: int, high: int) -> list[Any]:
        return self.chooser.sample(values, low, high)

    def pick(self, valid: Sequence[Any], hostile: Sequence[Any] = HOSTILE, odds: int = 3) -> Any:
        if valid and self.integer(0, odds) < odds:
            return self.choice(valid)
        return self.choice(hostile)

    def flag(self) -> bool:
        return self.integer(0, 1) == 1

    def odd_handles(self) -> list[Any]:
        """Handles in the wrong place: another host's, closed ones, events and windows, 0."""
        others = self.run.all_handles()
        return [*others, 0, C.INVALID_SOCKET, -1, 1, 2**64, *HOSTILE]

    def s(self) -> Any:
        return self.pick(self.run.open_handles(self.host), self.odd_handles())

    def event(self) -> Any:
        return self.pick(self.run.open_handles(self.host, ("event",)), self.odd_handles())

    def window(self) -> Any:
        return self.pick(self.run.open_handles(self.host, ("window",)), self.odd_handles())

    def name(self) -> Any:
        return self.pick(GOOD_NAMES, BAD_NAMES)

    def seconds(self) -> Any:
        return self.pick(TIMEOUTS, BAD_TIMEOUTS, odds=5)

    def fds(self) -> Any:
        handles = self.run.open_handles(self.host)
        if handles and self.integer(0, 3) < 3:
            return self.sample(handles, 0, 3)
        return self.choice(
            [
                [],
                None,
                [*self.run.all_handles()][:3],
                ["x"],
                [1.5],
                [None],
                (),
                set(self.run.all_handles()[:2]),
                range(256, 270),
                "abc",
                b"\x01",
                5,
                OBJ,
                Gen(tuple(handles[:2])),
                list(range(0x100, 0x100 + 4 * 70, 4)),
            ]
        )

    def optional(self, *pairs: tuple[str, Callable[[], Any]]) -> tuple[tuple[str, Any], ...]:
        """Some of the optional keyword arguments."""
        return tuple((k, make()) for k, make in pairs if self.flag())


def _positional(d: Draw, required: list[Any], optional: list[Callable[[], Any]]) -> tuple[Any, ...]:
    """The required arguments, then a prefix of the optional ones."""
    count = d.integer(0, len(optional))
    return (*required, *(make() for make in optional[:count]))


def ws_call(d: Draw, name: str) -> Op:
    """One low-level call ``name`` on ``d.host``'s winsock, with drawn arguments."""
    pick = d.pick
    args: tuple[Any, ...] = ()
    kwargs: tuple[tuple[str, Any], ...] = ()
    if name == "WSAStartup":
        args = _positional(d, [], [lambda: pick(VERSIONS)])
    elif name == "WSASetLastError":
        args = (pick([0, E.WSAEINTR, E.WSAEWOULDBLOCK]),)
    elif name == "socket":
        af = pick([C.AF_INET, C.AF_INET6, socket.AF_INET, 10, 0, 1, 17, 99])
        kind = pick([C.SOCK_STREAM, C.SOCK_DGRAM, socket.SOCK_STREAM, 3, 5, 0])
        args = _positional(d, [af, kind], [lambda: pick([0, C.IPPROTO_TCP, C.IPPROTO_UDP, 1, 255])])
    elif name in (
        "closesocket",
        "accept",
        "getsockname",
        "getpeername",
    ):
        args = (d.s(),)
    elif name in ("bind", "connect"):
        args = _positional(d, [d.s(), d.name()], [lambda: pick(NAMELENS, NAMELENS)])
    elif name == "listen":
        args = (d.s(), pick([5, 1, 0, 200, 201, C.SOMAXCONN]))
    elif name == "ioctlsocket":
        cmd = pick([C.FIONBIO, C.FIONBIO, 0x4004667F, 0x98000010, 0])
        args = (d.s(), cmd, pick([1, 0, 2]))
    elif name == "setsockopt":
        level, option = pick(OPTIONS, [(v, v) for v in HOSTILE])
        args = (d.s(), level, option, pick(OPTION_VALUES))
    elif name == "getsockopt":
        level, option = pick(OPTIONS, [(v, v) for v in HOSTILE])
        args = (d.s(), level, option)
    elif name == "WSAConnect":
        args = _positional(
            d,
            [d.s(), d.name()],
            [
                lambda: pick(NAMELENS, NAMELENS),
                lambda: pick([None, b"", b"x", bytearray(b"x"), memoryview(b"")]),
                lambda: pick([None, *WSABUFS], [b"x", OBJ, 5]),
                lambda: pick([None, *QOSES], [OBJ, 5, {}]),
                lambda: pick([None, None, None, *QOSES], [OBJ, 5]),
            ],
        )
    elif name == "WSAConnectByList":
        names = d.sample(GOOD_NAMES, 1, 4)
        addresses = pick(
            [names],
            [[], [*names, d.name()], tuple(names), Gen(tuple(names)), "x", b"x", None, OBJ],
        )
        args = _positional(d, [d.s(), addresses], [d.seconds, lambda: pick([None], [0, OBJ])])
        kwargs = d.optional(
            ("local_address_length", lambda: pick([128, None, 28, 16], NAMELENS)),
            ("remote_address_length", lambda: pick([128, None, 28, 16], NAMELENS)),
        )
    elif name == "WSAConnectByName":
        args = _positional(
            d,
            [d.s(), pick(NODENAMES), pick(SERVICENAMES)],
            [d.seconds, lambda: pick([None], [0, OBJ])],
        )
        kwargs = d.optional(
            ("local_address_length", lambda: pick([128, None, 28, 16], NAMELENS)),
            ("remote_address_length", lambda: pick([128, None, 28, 16], NAMELENS)),
        )
    elif name == "send":
        args = _positional(d, [d.s(), pick(DATA, BAD_DATA)], [lambda: pick(FLAGS)])
    elif name in ("recv", "recvfrom"):
        args = _positional(d, [d.s(), pick(BUFSIZES)], [lambda: pick(FLAGS)])
    elif name == "sendto":
        args = _positional(
            d,
            [d.s(), pick(DATA, BAD_DATA), pick(FLAGS), d.name()],
            [lambda: pick(NAMELENS, NAMELENS)],
        )
    elif name == "select":
        args = _positional(d, [d.fds(), d.fds(), d.fds()], [d.seconds])
    elif name in ("WSACloseEvent", "WSASetEvent", "WSAResetEvent"):
        args = (d.event(),)
    elif name == "WSAEventSelect":
        args = (d.s(), d.event(), pick(MASKS))
    elif name == "WSAEnumNetworkEvents":
        args = (d.s(), pick([0, *d.run.open_handles(d.host, ("event",))], d.odd_handles()))
    elif name == "WSAWaitForMultipleEvents":
        events = d.run.open_handles(d.host, ("event",))
        chosen = pick(
            [d.sample(events, 1, 3)] if events else [],
            [[], list(range(0x100, 0x100 + 4 * 70, 4)), [0], ["x"], None, 5, set(events), OBJ],
        )
        args = _positional(
            d,
            [chosen, pick([False, True]), pick(TIMEOUT_MS, BAD_TIMEOUT_MS)],
            [lambda: pick([False, True])],
        )
    elif name == "WSAAsyncSelect":
        args = (d.s(), d.window(), pick([0x400, 0]), pick(MASKS))
    elif name == "get_messages":
        args = (d.window(),)
    elif name == "shutdown":
        args = (d.s(), pick([SD_SEND, SD_RECEIVE, SD_BOTH, 3]))
    return Op("ws", d.host, name, args, kwargs)


WS_NAMES = [
    *["send", "recv", "select", "accept", "connect", "sendto", "recvfrom", "closesocket"],
    *["socket", "WSAEventSelect", "WSAEnumNetworkEvents", "WSAWaitForMultipleEvents"],
    "socket",
    "bind",
    "listen",
    "accept",
    "connect",
    "WSAConnect",
    "WSAConnectByList",
    "WSAConnectByName",
    "send",
    "recv",
    "sendto",
    "recvfrom",
    "select",
    "closesocket",
    "ioctlsocket",
    "setsockopt",
    "getsockopt",
    "getsockname",
    "getpeername",
    "WSACreateEvent",
    "WSACloseEvent",
    "WSASetEvent",
    "WSAResetEvent",
    "WSAEventSelect",
    "WSAWaitForMultipleEvents",
    "WSAEnumNetworkEvents",
    "WSAAsyncSelect",
    "create_message_window",
    "get_messages",
    "WSAStartup",
    "WSACleanup",
    "WSAGetLastError",
    "WSASetLastError",
    "WSACancelBlockingCall",
    "shutdown",
]


def sock_call(d: Draw, index: int, name: str) -> Op:
    """One socket-face call on SimSocket number ``index``."""
    pick = d.pick
    args: tuple[Any, ...] = ()
    if name in ("bind", "connect", "connect_ex"):
        args = (d.name(),)
    elif name == "listen":
        args = _positional(d, [], [lambda: pick([5, 0, 1, 200])])
    elif name in ("send", "sendall"):
        args = _positional(d, [pick(DATA, BAD_DATA)], [lambda: pick(FLAGS)])
    elif name in ("recv", "recvfrom"):
        args = _positional(d, [pick(BUFSIZES)], [lambda: pick(FLAGS)])
    elif name == "sendto":
        extra = d.choice([1, 2, 1, 2, 0, 3])
        args = (
            pick(DATA, BAD_DATA),
            *[d.name() if i == extra - 1 else pick(FLAGS) for i in range(extra)],
        )
    elif name == "settimeout":
        args = (pick([None, 0.0, 0.5, 2.5, 30.0, 0], BAD_TIMEOUTS),)
    elif name == "setblocking":
        args = (pick([True, False, 1, 0]),)
    elif name == "setsockopt":
        level, option = pick(OPTIONS, [(v, v) for v in HOSTILE])
        args = (level, option, pick(OPTION_VALUES))
    elif name == "getsockopt":
        level, option = pick(OPTIONS, [(v, v) for v in HOSTILE])
        args = _positional(d, [level, option], [lambda: pick([4, 1, 0, 8], [-1, 1025, HUGE, "x"])])
    elif name == "shutdown":
        args = (pick([1, 0, 2], [3, -1, HUGE, "x", None]),)
    return Op("sock", index, name, args)


SOCK_NAMES = [
    "bind",
    "listen",
    "accept",
    "connect",
    "connect_ex",
    "send",
    "sendall",
    "recv",
    "sendto",
    "recvfrom",
    "settimeout",
    "setblocking",
    "setsockopt",
    "getsockopt",
    "close",
    "detach",
    "fileno",
    "gettimeout",
    "getblocking",
    "getsockname",
    "getpeername",
    "shutdown",
]


def new_socket(d: Draw) -> Op:
    pick = d.pick
    family = pick([C.AF_INET, C.AF_INET6, socket.AF_INET, socket.AF_INET6], [99, 0, *HOSTILE])
    kind = pick([C.SOCK_STREAM, C.SOCK_DGRAM, socket.SOCK_STREAM, socket.SOCK_DGRAM], [3, 0, -1])
    args = _positional(d, [family, kind], [lambda: pick([0, 6, 17], [1, 255, -1, HUGE, "6"])])
    return Op("host", d.host, "socket", args)


def api_call(d: Draw) -> Op:
    pick = d.pick
    run = d.run
    name = d.choice(["connect", "connect_by_list", "connect_by_name", "create_connection"])
    socks = [SockRef(i) for i in range(len(run.socks))]
    sock = pick(
        [*socks, *run.open_handles("client")],
        [None, "x", 1.5, True, OBJ, *run.all_handles()[-3:], C.INVALID_SOCKET],
    )
    backend = pick([None, None, *(WsRef(h) for h in run.hosts)], [OBJ, "sim", 5, HostRef("client")])
    kwargs: list[tuple[str, Any]] = []
    if backend is not None:
        kwargs.append(("backend", backend))
    names = d.sample(GOOD_NAMES[:24], 1, 3)
    addresses = pick(
        [names], [[], [*names, d.name()], "x", None, OBJ, tuple(names), Gen(tuple(names))]
    )
    timeout = d.seconds
    if name == "connect":
        args: tuple[Any, ...] = (sock, d.name())
        if d.flag():
            kwargs.append(("caller_data", pick([None, b"", b"x"], ["x", 5, OBJ])))
        if d.flag():
            kwargs.append(("qos", pick([None, *QOSES], [OBJ, 5])))
    elif name == "connect_by_list":
        args = (sock, addresses)
        if d.flag():
            kwargs.append(("timeout", timeout()))
    elif name == "connect_by_name":
        service = pick([*SERVICENAMES, 80, 443, 7], [-1, 65536, HUGE, True, 1.5, None, b"80"])
        args = (sock, pick(NODENAMES), service)
        if d.flag():
            kwargs.append(("timeout", timeout()))
    else:
        args = (addresses,)
        if d.flag():
            kwargs.append(("timeout", timeout()))
    return Op("api", None, name, args, tuple(kwargs))


def fault_call(d: Draw) -> Op:
    pick = d.pick
    run = d.run
    name = d.choice(
        [
            "blackhole",
            "unreachable",
            "restore",
            "set_latency",
            "add_name",
            "set_network_down",
            "add_host",
            "listen",
        ]
    )
    address = [SERVER4, SERVER6, DEAD4, UNREACH4, CLIENT4, OTHER4, f"::ffff:{SERVER4}", "127.0.0.1"]
    if name in ("blackhole", "unreachable", "restore"):
        value = pick(address, [(SERVER4, 80), "example.com", "1.2.3.4.5", *HOSTILE])
        return Op("net", None, name, (value,))
    if name == "set_latency":
        hosts = [*run.hosts, *(HostRef(h) for h in run.hosts)]
        seconds = pick([0.0, 0.001, 0.5, 5.0], [INF, NAN, -1.0, 1e308, HUGE, "1", None])
        return Op("net", None, name, (pick(hosts, ["nope", 5]), pick(hosts, ["nope", 5]), seconds))
    if name == "add_name":
        node = pick(["dual.example", "new.example", "DEAD.example."], ["", None, 5, b"x"])
        addresses = pick(
            [[SERVER4], [SERVER6, SERVER4], [DEAD4, SERVER4], [f"::ffff:{SERVER4}"]],
            [[], "192.0.2.20", ["example.com"], [None], [SERVER4 + "/24"], None, OBJ],
        )
        return Op("net", None, name, (node, addresses))
    if name == "set_network_down":
        return Op("host", d.host, name, (pick([True, False, False], [1, 0, None, "yes"]),))
    if name == "listen":
        port = pick([81, 8080, 80, 0], [-1, 65536, HUGE, "80", None])
        return Op("host", d.host, name, _positional(d, [port], [lambda: pick([1, 16], [0, -1])]))
    names = [f"h{len(run.hosts)}", "client", ""]
    interfaces = d.sample(INTERFACES, 0, 3)
    return Op(
        "net",
        None,
        "add_host",
        (pick(names, [None, 5]), pick([interfaces], ["192.0.2.30/24", None, 5])),
    )


def time_call(d: Draw) -> Op:
    if d.integer(0, 3) == 0:
        return Op("net", None, "run_until_idle")
    seconds = d.pick(
        [0.0, 0.001, 1.0, 3.0, 21.5, 100.0], [1e9, 1e300, 1e308, INF, NAN, -1.0, HUGE, "1"]
    )
    return Op("net", None, "advance", (seconds,))


# --- the state machine ----------------------------------------------------------------------

CONFIGS = st.fixed_dictionaries(
    {
        "profile": st.sampled_from(["documented", "windows"]),
        "seed": st.integers(0, 2**32),
        "latency": st.sampled_from([0.0005, 0.001, 0.0, 0.02, 1.5]),
        "ports": st.sampled_from([None, (50000, 50004), (65533, 65536)]),
        "timing": st.sampled_from([None, (3.0, 2, 2, 1.0), (0.5, 0, 0, 0.0), (1.0, 4, 1, 0.25)]),
        "v11": st.sampled_from([(), ("client",), ("server",)]),
    }
)


def setup_ops(run: Run, config: dict[str, Any]) -> None:
    """The world a machine starts from: client, server and an IPv4-only host; servers on
    TCP 80 (dual-stack), TCP 7 (IPv6 only) and UDP 53; names; an unreachable address."""
    kwargs: list[tuple[str, Any]] = [
        ("profile", config["profile"]),
        ("seed", config["seed"]),
        ("latency", config["latency"]),
        ("trace", True),
    ]
    if config["ports"] is not None:
        kwargs.append(("ephemeral_ports", range(*config["ports"])))
    if config["timing"] is not None:
        fields = ("initial_rto", "syn_retransmissions", "refused_retries", "refused_retry_interval")
        kwargs.append(
            ("timing", Build("TcpTiming", (), tuple(zip(fields, config["timing"], strict=True))))
        )
    run.perform(Op("new", None, "world", (), tuple(kwargs)))
    run.perform(Op("net", None, "add_host", ("other", [f"{OTHER4}/24"])))
    for host in run.hosts:
        version = 0x0101 if host in config["v11"] else 0x0202
        run.perform(Op("ws", host, "WSAStartup", (version,)))
    _, run.listener = run.perform(Op("host", "server", "listen", (80,)))
    _, udp = run.perform(Op("ws", "server", "socket", (C.AF_INET, C.SOCK_DGRAM)))
    run.perform(Op("ws", "server", "bind", (udp, ("0.0.0.0", 53))))
    _, tcp6 = run.perform(Op("ws", "server", "socket", (C.AF_INET6, C.SOCK_STREAM)))
    run.perform(Op("ws", "server", "bind", (tcp6, ("::", 7, 0, 0))))
    run.perform(Op("ws", "server", "listen", (tcp6, 2)))
    run.perform(Op("net", None, "add_name", ("dual.example", [SERVER6, SERVER4])))
    run.perform(Op("net", None, "add_name", ("dead.example", [DEAD6, DEAD4])))
    run.perform(Op("net", None, "unreachable", (UNREACH4,)))
    # The client's starting sockets: a connected TCP pair, a non-blocking dual-stack connect
    # in progress with an event registered, a connected UDP socket, a window, a SimSocket
    # with a timeout.
    _, tcp = run.perform(Op("ws", "client", "socket", (C.AF_INET, C.SOCK_STREAM)))
    run.perform(Op("ws", "client", "connect", (tcp, (SERVER4, 80))))
    run.perform(Op("ws", "server", "accept", (run.listener,)))
    _, dual = run.perform(Op("ws", "client", "socket", (C.AF_INET6, C.SOCK_STREAM)))
    run.perform(Op("ws", "client", "setsockopt", (dual, C.IPPROTO_IPV6, C.IPV6_V6ONLY, 0)))
    _, event = run.perform(Op("ws", "client", "WSACreateEvent"))
    run.perform(Op("ws", "client", "WSAEventSelect", (dual, event, C.FD_ALL_EVENTS)))
    run.perform(Op("ws", "client", "connect", (dual, (f"::ffff:{SERVER4}", 80, 0, 0))))
    _, udp = run.perform(Op("ws", "client", "socket", (C.AF_INET, C.SOCK_DGRAM)))
    run.perform(Op("ws", "client", "connect", (udp, (SERVER4, 53))))
    run.perform(Op("ws", "client", "create_message_window"))
    run.perform(Op("host", "client", "socket", (C.AF_INET, C.SOCK_STREAM)))
    run.perform(Op("sock", 0, "settimeout", (2.5,)))


class HostileCalls(RuleBasedStateMachine):
    """Random, mostly plausible and often hostile calls on a three-host network."""

    def __init__(self) -> None:
        super().__init__()
        self.run = Run()

    def _draw(self, chooser: Chooser) -> Draw:
        host = chooser.choice(["client", "client", "server", *self.run.hosts[2:]])
        return Draw(chooser, self.run, host)

    def _alive(self) -> bool:
        return self.run.net is not None and not self.run.corrupted

    def _ws_op(self, d: Draw) -> Op | None:
        name = d.choice(WS_NAMES)
        if not hasattr(self.run.winsock(d.host), name):
            return None
        return ws_call(d, name)

    def _sock_op(self, d: Draw) -> Op | None:
        if not self.run.socks or d.integer(0, 4) == 0:
            return new_socket(d)
        index = d.integer(0, len(self.run.socks) - 1)
        name = d.choice(SOCK_NAMES)
        if not hasattr(self.run.socks[index], name):
            return None
        return sock_call(d, index, name)

    def _any_op(self, d: Draw, depth: int) -> Op | None:
        kind = d.choice(["ws", "ws", "ws", "sock", "api", "fault", "at"])
        if kind == "ws":
            return self._ws_op(d)
        if kind == "sock":
            return self._sock_op(d)
        if kind == "api":
            return api_call(d)
        if kind == "fault":
            return fault_call(d)
        return self._schedule(d, depth + 1) if depth < 2 else None

    def _schedule(self, d: Draw, depth: int = 1) -> Op:
        """``net.call_at``: a callback of a few calls, as another thread would make them."""
        ops = []
        for _ in range(d.integer(0, 3)):
            op = self._any_op(self._draw(d.chooser), depth)
            if op is not None:
                ops.append(op)
        self.run.callbacks += 1
        callback = Callback(self.run.callbacks, tuple(ops))
        now = self.run.net.now
        when = d.pick(
            [now + dt for dt in (0.0, 0.0005, 0.001, 0.002, 1.0, 2.5, 3.0, 10.0, 21.5)],
            [-1.0, 0, NAN, INF, HUGE, "1", None],
            odds=6,
        )
        fn = d.pick([callback], [None, 5, "f", OBJ], odds=8)
        return Op("net", None, "call_at", (when, fn))

    def _burst(self, data: st.DataObject, make: Callable[[Draw], Op | None], most: int) -> None:
        """A few calls made by ``make`` (up to ``most``; more in the big run)."""
        if not self._alive():
            return
        chooser = Chooser(data)
        for _ in range(chooser.integer(1, most * 3 if BIG else most)):
            op = make(self._draw(chooser))
            if op is not None and self._alive():
                self.run.perform(op)

    @initialize(config=CONFIGS)
    def build(self, config: dict[str, Any]) -> None:
        setup_ops(self.run, config)

    @rule(data=st.data())
    def low_level(self, data: st.DataObject) -> None:
        self._burst(data, self._ws_op, 4)

    @rule(data=st.data())
    def socket_face(self, data: st.DataObject) -> None:
        self._burst(data, self._sock_op, 2)

    @rule(data=st.data())
    def pythonic(self, data: st.DataObject) -> None:
        self._burst(data, api_call, 1)

    @rule(data=st.data())
    def fault(self, data: st.DataObject) -> None:
        self._burst(data, fault_call, 1)

    @rule(data=st.data())
    def time(self, data: st.DataObject) -> None:
        self._burst(data, time_call, 1)

    @rule(data=st.data())
    def another_thread(self, data: st.DataObject) -> None:
        self._burst(data, self._schedule, 1)

    @rule(data=st.data())
    def conversation(self, data: st.DataObject) -> None:
        """A TCP connection made the plausible way (socket, connect, accept), then what its two
        ends do: send, recv, shutdown, close, select, in a random order with time passing."""
        if not self._alive():
            return
        d = self._draw(Chooser(data))
        run = self.run
        client = d.choice(["client", "client", "other", "server"])
        family, target = d.choice(
            [(C.AF_INET, (SERVER4, 80)), (C.AF_INET6, (SERVER6, 80, 0, 0))]
            if client != "other"
            else [(C.AF_INET, (SERVER4, 80))]
        )
        ok, s = run.perform(Op("ws", client, "socket", (family, C.SOCK_STREAM)))
        if not ok or s == C.INVALID_SOCKET:
            return
        nonblocking = d.flag()
        if nonblocking:
            run.perform(Op("ws", client, "ioctlsocket", (s, C.FIONBIO, 1)))
        run.perform(Op("ws", client, "connect", (s, target)))
        if nonblocking:
            run.perform(Op("ws", client, "select", ([], [s], [s], d.choice([None, 1.0]))))
        if d.integer(0, 3) == 0:
            return  # never accepted: it waits in the listener's queue
        ok, accepted = run.perform(Op("ws", "server", "accept", (run.listener,)))
        a = accepted[0] if ok and isinstance(accepted, tuple) else 0
        ends = [(client, s), ("server", a)]
        shutdown = hasattr(run.winsock(client), "shutdown")
        for _ in range(d.integer(1, 8)):
            host, h = d.choice(ends)
            step = d.choice(
                ["send", "send", "recv", "recv", "recv0", "close", "select", "wait", "shutdown"]
            )
            if step == "send":
                op = Op("ws", host, "send", (h, d.choice(DATA[:5])))
            elif step == "recv":
                op = Op("ws", host, "recv", (h, d.choice([1, 4, 100])))
            elif step == "recv0":  # non-blocking first, so that an empty queue is WOULDBLOCK
                run.perform(Op("ws", host, "ioctlsocket", (h, C.FIONBIO, 1)))
                op = Op("ws", host, "recv", (h, 100, d.choice([0, C.MSG_PEEK])))
            elif step == "close":
                op = Op("ws", host, "closesocket", (h,))
            elif step == "select":
                same = run.open_handles(host)[:4]
                op = Op("ws", host, "select", (same, [], [h], d.choice([None, 0, 0.5])))
            elif step == "shutdown" and shutdown:
                op = Op("ws", host, "shutdown", (h, d.choice([SD_SEND, SD_BOTH, SD_RECEIVE])))
            else:
                op = Op("net", None, "advance", (d.choice([0.0, 0.001, 0.01, 1.0]),))
            if self._alive():
                run.perform(op)

    @rule(data=st.data())
    def interrupted(self, data: st.DataObject) -> None:
        """A blocking call, and a callback that acts on it meanwhile (as another thread would):
        closes its socket, cancels it, sends to it, takes the network down, signals its event."""
        if not self._alive():
            return
        d = self._draw(Chooser(data))
        run, host = self.run, d.host
        s = d.s()
        event = d.event()
        peers = [(h, k) for h in run.hosts for k in run.open_handles(h, ("stream", "dgram"))]
        peer_host, peer = d.choice(peers) if peers else (host, s)
        actions = [
            Op("ws", host, "closesocket", (s,)),
            Op("ws", host, "WSACancelBlockingCall"),
            Op("ws", peer_host, "send", (peer, b"data")),
            Op("ws", peer_host, "sendto", (peer, b"data", 0, d.name())),
            Op("ws", peer_host, "closesocket", (peer,)),
            Op("host", host, "set_network_down", (True,)),
            Op("ws", host, "WSASetEvent", (event,)),
            Op("ws", host, "recv", (s, 100)),  # a blocking call inside the callback
        ]
        if run.socks:
            actions.append(Op("sock", d.integer(0, len(run.socks) - 1), "close"))
        blocking = [
            Op("ws", host, "recv", (s, 100)),
            Op("ws", host, "recvfrom", (s, 100)),
            Op("ws", host, "accept", (s,)),
            Op("ws", host, "connect", (s, d.name())),
            Op("ws", host, "WSAConnectByList", (s, d.sample(GOOD_NAMES, 1, 3))),
            Op("ws", host, "WSAConnectByName", (s, d.choice(NODENAMES), "80")),
            Op("ws", host, "select", ([s], [], [s])),
            Op("ws", host, "select", ([s], [s], [s], 30.0)),
            Op("ws", host, "WSAWaitForMultipleEvents", ([event], False, C.WSA_INFINITE)),
        ]
        run.callbacks += 1
        callback = Callback(run.callbacks, tuple(d.sample(actions, 1, 2)))
        when = run.net.now + d.choice([0.0, 0.0005, 0.001, 0.5, 1.0, 3.5, 25.0])
        run.perform(Op("net", None, "call_at", (when, callback)))
        if self._alive():
            run.perform(d.choice(blocking))

    def teardown(self) -> None:
        if self._alive() and not self.run.pending and not self.run.failed:
            self.run.finish()


TestHostileCalls = HostileCalls.TestCase
TestHostileCalls.settings = settings(
    max_examples=MACHINE_EXAMPLES,
    # Hypothesis's shrinking of a stateful run takes minutes; the failure message carries a
    # reproducer minimized by delta debugging over the calls instead (milliseconds a probe).
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    report_multiple_bugs=False,
    stateful_step_count=MACHINE_STEPS,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
        HealthCheck.large_base_example,
    ],
)


# --- the network's constructor and timing, with hostile arguments ----------------------------

_TIMING_VALUES: list[Any] = [
    3.0,
    2,
    1,
    0.5,
    0,
    -1.0,
    NAN,
    INF,
    1e308,
    1e-300,
    HUGE,
    2000,
    "3",
    None,
    True,
    2.5,
]
_NETWORK_VALUES: dict[str, list[Any]] = {
    "profile": ["documented", "windows", wsasim.WINDOWS, "Windows", "", None, 5, OBJ],
    "seed": [0, 1, -1, 2**64, HUGE, 1.5, "0", None, True, NAN],
    "latency": [
        0.0005,
        0,
        0.0,
        1,
        2.5,
        1e300,
        1e308,
        INF,
        NAN,
        -0.001,
        -INF,
        HUGE,
        "0.1",
        None,
        True,
    ],
    "ephemeral_ports": [
        range(49152, 65536),
        range(50000, 50002),
        range(0),
        range(65535, 60000, -1),
        range(70000, 60000, -1),
        range(65535, -5, -1),
        range(1, 10),
        range(0, 10),
        range(65530, 65540),
        range(1, 2**70, 2**60),
        [50000, 50001],
        None,
        5,
    ],
    "trace": [True, False, 1, None, "yes", OBJ],
}


def _hostile_network_kwargs(data: st.DataObject) -> tuple[tuple[str, Any], ...]:
    kwargs: list[tuple[str, Any]] = []
    for name, values in _NETWORK_VALUES.items():
        if data.draw(st.booleans()):
            kwargs.append((name, data.draw(st.sampled_from(values))))
    if data.draw(st.booleans()):
        fields = ("initial_rto", "syn_retransmissions", "refused_retries", "refused_retry_interval")
        timing = tuple(
            (f, data.draw(st.sampled_from(_TIMING_VALUES)))
            for f in fields
            if data.draw(st.booleans())
        )
        kwargs.append(
            ("timing", data.draw(st.sampled_from([Build("TcpTiming", (), timing), None, OBJ])))
        )
    kwargs.append(("trace", True))
    return tuple(dict(kwargs).items())


def _scenario(run: Run) -> None:
    """A short life on a network made with hostile arguments: hosts, a listener, a connect
    that succeeds, one refused, one unanswered, one unreachable, a non-blocking one, data."""
    run.perform(Op("net", None, "add_host", ("client", list(CLIENT_ADDRESSES))))
    run.perform(Op("net", None, "add_host", ("server", list(SERVER_ADDRESSES))))
    if sorted(run.hosts) != ["client", "server"]:
        return
    for host in run.hosts:
        run.perform(Op("ws", host, "WSAStartup", (0x0202,)))
    run.perform(Op("host", "server", "listen", (80,)))
    run.perform(Op("net", None, "unreachable", (UNREACH4,)))
    for target in ((SERVER4, 80), (SERVER4, 81), (DEAD4, 80), (UNREACH4, 80), (SERVER6, 80, 0, 0)):
        family = C.AF_INET6 if len(target) == 4 else C.AF_INET
        _, s = run.perform(Op("ws", "client", "socket", (family, C.SOCK_STREAM)))
        run.perform(Op("ws", "client", "connect", (s, target)))
        run.perform(Op("ws", "client", "send", (s, b"hello")))
    _, s = run.perform(Op("ws", "client", "socket", (C.AF_INET, C.SOCK_STREAM)))
    run.perform(Op("ws", "client", "ioctlsocket", (s, C.FIONBIO, 1)))
    run.perform(Op("ws", "client", "connect", (s, (SERVER4, 81))))
    run.perform(Op("ws", "client", "select", ([], [s], [s], None)))
    _, s = run.perform(Op("ws", "client", "socket", (C.AF_INET6, C.SOCK_STREAM)))
    run.perform(Op("ws", "client", "WSAConnectByName", (s, "localhost", "80", 30.0)))
    run.perform(Op("net", None, "advance", (2.5,)))
    run.perform(Op("net", None, "run_until_idle"))


@settings(
    max_examples=CONSTRUCTOR_EXAMPLES,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    report_multiple_bugs=False,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_network_and_timing_take_hostile_arguments(data: st.DataObject) -> None:
    """Network(...) and TcpTiming(...) raise TypeError/ValueError naming the argument, or make
    a network on which a short scenario gives only documented outcomes, with finite time."""
    run = Run()
    ok, _ = run.perform(Op("new", None, "Network", (), _hostile_network_kwargs(data)))
    if ok and not run.corrupted:
        _scenario(run)
    if not run.corrupted and not run.failed and run.net is not None and run.hosts:
        run.finish()


# --- the figures ------------------------------------------------------------------------------


def test_zz_report(capsys: pytest.CaptureFixture[str]) -> None:
    """The figures of this module's runs; in a big run, every distinct unexpected outcome with
    its reproducer, and a failure if there was any (named last so that it runs last)."""
    lines = [
        f"{FIGURES.calls} calls, {FIGURES.unexpected} unexpected outcomes "
        f"({len(FIGURES.findings)} distinct; {FIGURES.replayed} of the calls in replays)"
    ]
    if BIG:
        for n, (signature, finding) in enumerate(sorted(FIGURES.findings.items()), 1):
            lines.append(f"\n=== {n}. {' '.join(signature)} (x{finding.count})")
            lines.append(finding.description)
            lines.append(reproduce(signature, finding))
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    if BIG:
        assert FIGURES.unexpected == 0, lines[0]
