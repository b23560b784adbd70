"""The simulated network: hosts, routes, latency, faults, names, and virtual time.

This module owns what lies between hosts (docs/simulator.md):

* routing: every host reaches every address of every other host; an address no host has is
  routed but never answers; a host with no address of a family (loopback aside) has no route
  for that family (WSAENETUNREACH at once). A route is remembered until something it depends
  on changes (a host added, a fault set or lifted, a latency set, a host's network subsystem
  failed or restored);
* faults: ``blackhole`` (packets dropped: a connect times out) and ``unreachable`` (ICMP host
  unreachable comes back);
* one-way latency, per pair of hosts or the network's default;
* the names WSAConnectByName resolves;
* the handles of every host's sockets, event objects and windows, in one table, so that a
  handle names one object on the whole network. Handles start above 2**32: no C ``int`` can
  hold one, so the real ``select``, ``os.fstat`` and selectors reject a simulator handle
  rather than take it for a file descriptor;
* the clock, and the one wait that every blocking call runs it through (:meth:`Network.wait`,
  and :meth:`Network.select` over socket handles): it runs what is already due before it looks,
  wakes only when a watched object's readiness may have changed (:meth:`Network.notify`),
  looks again after everything due at the instant it woke has run, refuses to run inside a
  callback of the clock (:class:`~wsasim.clock.ReentrantWait`), and raises :class:`Deadlock`
  instead of hanging when nothing scheduled could complete it;
* the log of connection attempts, and an optional packet trace.

How TCP and UDP use a route belongs to :mod:`wsasim.tcp` and :mod:`wsasim.udp`.
"""

from __future__ import annotations

import enum
import ipaddress
import random
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple, TypeVar

from wsaconnect import addresses as A
from wsaconnect import checks
from wsaconnect import constants as C
from wsaconnect import errors as E
from wsaconnect.addresses import SockAddr
from wsaconnect.memo import Memo
from wsasim import readiness
from wsasim.clock import Clock, ReentrantWait, Timer
from wsasim.events import EventObject, MessageWindow
from wsasim.host import Host, parse_interface
from wsasim.profiles import Profile, get_profile
from wsasim.sockets import Socket
from wsasim.timing import TcpTiming

#: Anything a handle can name.
HandleObject = Socket | EventObject | MessageWindow

#: The first handle: above what a C ``int`` holds (so never a real file descriptor), and a
#: multiple of 4, as Windows' handles are.
FIRST_HANDLE = 1 << 32

#: The longest one-way delay a link may have (a timeval's 2**31 - 1 s): larger ones would let
#: the clock's sums overflow to infinity in the middle of a connect.
MAX_LATENCY = float(checks.TIMEVAL_MAX)

R = TypeVar("R")


class Deadlock(Exception):
    """A blocking call could only complete through an action no one has scheduled.

    A simulator error, not a Winsock error (docs/simulator.md): real Winsock would hang.
    """


#: What a :class:`Deadlock`'s message advises, by the call that blocks (:data:`_ADVICE` for
#: the others): the peer's part has to be scheduled, or run by a server of the network.
_ADVICE = (
    "schedule the peer's action with net.call_at, let a server answer with "
    "host.serve(port, protocol_factory), or make the socket non-blocking"
)
_DEADLOCK_ADVICE = {
    "accept": (
        "a connection can only come from code in this same thread: to run a server in the "
        "same thread as its client, use host.serve(port, protocol_factory); or schedule the "
        "client's connect with net.call_at, or make the socket non-blocking"
    ),
}


class RouteKind(enum.Enum):
    """What happens to a packet sent to an address."""

    DELIVER = "deliver"  # it reaches a host (perhaps the sender itself)
    SILENT = "silent"  # it is lost: nobody has the address, a blackhole, or the host is down
    UNREACHABLE = "unreachable"  # a router answers with ICMP host unreachable
    NO_ROUTE = "no route"  # the sender has no address of that family


# The members again, as module-level names, which the simulator reads (a ``RouteKind.DELIVER``
# is a slow metaclass lookup on Python 3.11: see wsasim._state).
DELIVER = RouteKind.DELIVER
SILENT = RouteKind.SILENT
UNREACHABLE = RouteKind.UNREACHABLE
NO_ROUTE = RouteKind.NO_ROUTE


class Route(NamedTuple):
    """Where a packet goes and how long it takes (one way)."""

    kind: RouteKind
    target: Host | None
    delay: float


@dataclass(slots=True)
class Attempt:
    """One connection attempt, as the network saw it.

    ``error`` is None while the attempt is in progress, 0 when it connected, else the Winsock
    code it failed with. ``ended`` is None while in progress.
    """

    host: str
    local: SockAddr
    remote: SockAddr
    started: float
    ended: float | None = None
    error: int | None = None

    def __repr__(self) -> str:
        end = "..." if self.ended is None else f"{self.ended:g}"
        return (
            f"<Attempt {self.host} {self.local} -> {self.remote} "
            f"t={self.started:g}-{end} {self.outcome}>"
        )

    @property
    def duration(self) -> float | None:
        """Seconds from the first SYN to the outcome."""
        return None if self.ended is None else self.ended - self.started

    @property
    def outcome(self) -> str:
        """``"connected"``, ``"pending"`` or the error's name (``"WSAECONNREFUSED"``)."""
        if self.error is None:
            return "pending"
        return "connected" if self.error == 0 else E.name(self.error)


class Network:
    """A virtual network with its own virtual clock.

    Args:
        profile: ``"documented"`` (the Microsoft documentation, to the letter) or ``"windows"``
            (what Windows 10/11 does where it differs), or a :class:`~wsasim.profiles.Profile`.
        seed: makes the run's choices (the first ephemeral port of each host) reproducible.
        latency: the default one-way delay between two hosts, in seconds.
        ephemeral_ports: the port range for implicit binds (WSAENOBUFS when exhausted).
        timing: the TCP connect timing model (Windows' by default).
        trace: record every packet in :attr:`trace` (for debugging and determinism tests).

    Raises:
        TypeError, ValueError: for an argument of the wrong type or an impossible value.
    """

    def __init__(
        self,
        profile: str | Profile = "documented",
        seed: int = 0,
        latency: float = 0.0005,
        *,
        ephemeral_ports: range = range(49152, 65536),
        timing: TcpTiming | None = None,
        trace: bool = False,
    ) -> None:
        self.profile = get_profile(profile)
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise TypeError(f"seed must be an int, not {type(seed).__name__}")
        self._default_latency = checks.seconds(latency, "latency", maximum=MAX_LATENCY)
        if not isinstance(ephemeral_ports, range):
            raise TypeError(
                f"ephemeral_ports must be a range, not {type(ephemeral_ports).__name__}"
            )
        if ephemeral_ports and not (min(ephemeral_ports) > 0 and max(ephemeral_ports) <= 0xFFFF):
            raise ValueError(f"ephemeral_ports must lie within 1-65535, not {ephemeral_ports}")
        self.ephemeral_ports = ephemeral_ports
        self.timing = TcpTiming() if timing is None else timing
        if not isinstance(self.timing, TcpTiming):
            raise TypeError(f"timing must be a TcpTiming, not {type(timing).__name__}")
        self.rng = random.Random(seed)
        self.clock = Clock()
        self.hosts: dict[str, Host] = {}
        self.attempts: list[Attempt] = []
        self.trace: list[tuple[float, str, str]] | None = [] if trace else None
        self._owners: dict[bytes, Host] = {}
        self._blackholes: set[bytes] = set()
        self._unreachable: set[bytes] = set()
        self._latency: dict[frozenset[str], float] = {}
        self._names: dict[str, list[str]] = {}
        self._routes = Memo(self._find_route)  # route()'s answers, until the network changes
        #: Every host's sockets, event objects and windows, by handle.
        self.handles: dict[int, HandleObject] = {}
        self._next_handle = FIRST_HANDLE
        #: What the one wait in progress watches (None: no wait), and whether one of them
        #: changed since it last looked (see :meth:`notify`).
        self.watched: Collection[object] | None = None
        self.woken = False

    # --- hosts ----------------------------------------------------------------------------

    def add_host(self, name: str, addresses: Iterable[str] = ()) -> Host:
        """Add a host with the given addresses (``"192.0.2.10/24"``, ``"2001:db8::10/64"``).

        Every host also has 127.0.0.1/8 and ::1.

        Raises:
            TypeError: ``name`` is not a str or an address is not a str.
            ValueError: the name is taken, an address is malformed or already another host's.
        """
        if not isinstance(name, str):
            raise TypeError(f"name must be a str, not {type(name).__name__}")
        if name in self.hosts:
            raise ValueError(f"name: a host named {name!r} already exists")
        if isinstance(addresses, str) or not isinstance(addresses, Iterable):
            raise TypeError(f"addresses must be a list of str, not {type(addresses).__name__}")
        interfaces = [parse_interface(a) for a in addresses]
        for iface in interfaces:
            if not iface.unicast:
                raise ValueError(f"addresses: {iface} is not a unicast address a host can own")
            owner = self._owners.get(iface.packed)
            if owner is not None:
                raise ValueError(f"addresses: {iface.host} already belongs to {owner.name}")
        host = Host(self, name, interfaces)
        for iface in interfaces:
            self._owners[iface.packed] = host
        self.hosts[name] = host
        self.forget_routes()
        return host

    def _host(self, host: Host | str, what: str) -> Host:
        if isinstance(host, Host):
            return host
        if isinstance(host, str):
            found = self.hosts.get(host)
            if found is None:
                raise ValueError(f"{what}: no host named {host!r}")
            return found
        raise TypeError(f"{what} must be a Host or a host name, not {type(host).__name__}")

    # --- time -----------------------------------------------------------------------------

    @property
    def now(self) -> float:
        """Virtual seconds since the network was made."""
        return self.clock.now

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds``, running what falls due."""
        later = self.clock.now + checks.seconds(seconds, "seconds")
        self.clock.run_until(checks.seconds(later, "seconds"))  # now + seconds: finite too

    def run_until_idle(self) -> None:
        """Run until nothing is scheduled."""
        self.clock.run_until_idle()

    def call_at(self, t: float, fn: Callable[[], object]) -> Timer:
        """Run ``fn`` at virtual time ``t``, as another thread, an APC or a timer would: also
        during a blocking call (docs/simulator.md)."""
        t = checks.seconds(t, "t", negative_ok=True)  # named as the caller named it
        if not callable(fn):
            raise TypeError(f"fn must be callable, not {type(fn).__name__}")
        return self.clock.call_at(t, fn)

    # --- handles ---------------------------------------------------------------------------

    def add_handle(self, obj: HandleObject) -> int:
        """Give ``obj`` a handle, unique on the network."""
        handle = self._next_handle
        self._next_handle += 4
        self.handles[handle] = obj
        return handle

    # --- waiting ----------------------------------------------------------------------------

    def notify(self, obj: object) -> None:
        """``obj``'s readiness may have changed: wake the waiter if it watches ``obj``.

        Called by whatever changes what a wait looks at: a socket's state
        (:meth:`~wsasim.sockets.Socket.fire`), its queues, an event object's signal, a
        cancelled blocking call.
        """
        watched = self.watched
        if watched is not None and obj in watched:
            self.woken = True

    def wait(
        self,
        ready: Callable[[], R],
        watched: Collection[object],
        deadline: float | None,
        what: str,
        host: Host,
    ) -> R:
        """Run the network until ``ready()`` returns a true value, or until ``deadline``.

        Args:
            ready: the condition; its last value is returned.
            watched: the objects whose :meth:`notify` may make ``ready()`` true.
            deadline: virtual time to give up at (None: never); ``deadline <= now`` polls.
            what: the call that waits, for error messages.
            host: the host the call is made on, for error messages.

        Raises:
            Deadlock: not ready, no deadline, and nothing left to run.
            ReentrantWait: a wait with a deadline in the future (or none) was asked for from
                inside a callback of the clock.
        """
        clock = self.clock
        if clock.running:
            if deadline is not None and deadline <= clock.now:
                return ready()  # a poll from a callback: what is due now runs after it
            raise ReentrantWait(
                f"{what} on host {host.name!r} would block inside a callback at "
                f"t={clock.now:g}: callbacks stand for other threads but share one stack, so "
                "they cannot wait (make the socket non-blocking there, or schedule the rest "
                "with net.call_at)"
            )
        clock.run_due()  # what is already due happens before the first look
        result = ready()
        if result or (deadline is not None and deadline <= clock.now):
            return result
        self.watched, self.woken = watched, False
        try:
            while clock.step(deadline):
                if self.woken:
                    # Whatever else is due at the instant of waking happens before the call
                    # returns (two segments that arrive together are read together), and may
                    # take what woke us: look again after it.
                    clock.run_due()
                    self.woken = False
                    result = ready()
                    if result:
                        return result
        finally:
            self.watched = None
        if deadline is None:
            raise Deadlock(
                f"{what} on host {host.name!r} blocks forever at t={clock.now:g}: nothing "
                f"scheduled can complete it ({_DEADLOCK_ADVICE.get(what, _ADVICE)})"
            )
        clock.run_until(deadline)
        return ready()

    def select(
        self,
        readers: Sequence[int],
        writers: Sequence[int],
        exceptional: Sequence[int],
        timeout: float | None = None,
    ) -> tuple[list[int], list[int], list[int]]:
        """Wait until a socket handle (of any host) is ready, as Winsock's select does.

        Args:
            readers, writers, exceptional: socket handles (see :mod:`wsasim.readiness`).
            timeout: virtual seconds (None: until one is ready; 0: a poll that first runs
                what is due).

        Returns:
            The ready handles of each set (all empty when the timeout passed).

        Raises:
            WinsockError: WSAENOTSOCK for a handle that is not an open socket.
            TypeError, ValueError: a timeout that is not a number of seconds.
            Deadlock, ReentrantWait: see :meth:`wait`.
        """
        sets = tuple(
            [self._socket_of(h) for h in group] for group in (readers, writers, exceptional)
        )
        seconds = checks.timeout(timeout)
        deadline = None if seconds is None else self.clock.now + seconds
        owner = next(s.host for group in sets for s in group) if any(sets) else None
        if owner is None:
            raise ValueError("select needs at least one socket handle")
        found = self.wait(
            lambda: readiness.ready_sets(sets),
            [s for group in sets for s in group],
            deadline,
            "select",
            owner,
        )
        return found or ([], [], [])

    def _socket_of(self, handle: object) -> Socket:
        sock = self.handles.get(handle) if type(handle) is int else None
        if type(sock) is not Socket:
            raise E.error_for_code(E.WSAENOTSOCK, f"handle {handle!r}")
        return sock

    # --- routing and faults -----------------------------------------------------------------

    def _packed(self, address: object, what: str) -> bytes:
        if isinstance(address, tuple):
            address = address[0] if address else address
        return A.parse_host(address, what)[1]

    def blackhole(self, address: str) -> None:
        """Drop every packet to ``address``: a connect to it times out."""
        packed = self._packed(address, "address")
        self._unreachable.discard(packed)
        self._blackholes.add(packed)
        self.forget_routes()

    def unreachable(self, address: str) -> None:
        """Answer packets to ``address`` with ICMP host unreachable."""
        packed = self._packed(address, "address")
        self._blackholes.discard(packed)
        self._unreachable.add(packed)
        self.forget_routes()

    def restore(self, address: str) -> None:
        """Undo :meth:`blackhole` or :meth:`unreachable` for ``address``."""
        packed = self._packed(address, "address")
        self._blackholes.discard(packed)
        self._unreachable.discard(packed)
        self.forget_routes()

    def set_latency(self, a: Host | str, b: Host | str, seconds: float) -> None:
        """Set the one-way delay between hosts ``a`` and ``b`` (both directions)."""
        first, second = self._host(a, "a"), self._host(b, "b")
        delay = checks.seconds(seconds, "seconds", maximum=MAX_LATENCY)
        self._latency[frozenset((first.name, second.name))] = delay
        self.forget_routes()

    @property
    def latency(self) -> float:
        """The default one-way delay between two hosts, in seconds (see :meth:`set_latency`)."""
        return self._default_latency

    def delay(self, a: Host, b: Host) -> float:
        """One-way delay from ``a`` to ``b``; 0 within a host."""
        if a is b:
            return 0.0
        if not self._latency:
            return self.latency
        return self._latency.get(frozenset((a.name, b.name)), self.latency)

    def route(self, source: Host, packed: bytes) -> Route:
        """Where a packet from ``source`` to ``packed`` (an unmapped address) goes."""
        return self._routes[source, packed]

    def forget_routes(self) -> None:
        """Forget the remembered routes: something they depend on changed."""
        self._routes.clear()

    def _find_route(self, key: tuple[Host, bytes]) -> Route:
        source, packed = key
        if source.owns(packed):
            return Route(DELIVER, source, 0.0)
        if not source.has_route(C.AF_INET if len(packed) == 4 else C.AF_INET6):
            return Route(NO_ROUTE, None, 0.0)
        if packed in self._blackholes:
            return Route(SILENT, None, 0.0)
        if packed in self._unreachable:
            return Route(UNREACHABLE, None, 2 * self.latency)
        owner = self._owners.get(packed)
        if owner is None or owner.network_down:
            return Route(SILENT, None, 0.0)
        return Route(DELIVER, owner, self.delay(source, owner))

    def broadcast_targets(self, source: Host, packed: bytes) -> list[Host] | None:
        """The hosts a datagram to ``packed`` reaches if it is a broadcast address, else None.

        255.255.255.255 reaches every host on a subnet of the sender's; a subnet-directed
        broadcast reaches every host on that subnet. The sender receives its own broadcast.
        """
        subnets = [
            i
            for i in source.addresses(C.AF_INET)
            if packed == b"\xff\xff\xff\xff" or packed == i.broadcast
        ]
        if not subnets:
            return None
        return [
            h
            for h in self.hosts.values()
            if not h.network_down
            and any(s.contains(i.packed) for s in subnets for i in h.addresses(C.AF_INET))
        ]

    def is_broadcast(self, source: Host, packed: bytes) -> bool:
        """True for 255.255.255.255 or a subnet broadcast address of one of ``source``'s."""
        return packed == b"\xff\xff\xff\xff" or any(
            packed == i.broadcast for i in source.addresses(C.AF_INET)
        )

    # --- names ------------------------------------------------------------------------------

    def add_name(self, name: str, addresses: Iterable[str]) -> None:
        """Add a DNS entry: ``name`` resolves to ``addresses`` (numeric, in this order).

        Raises:
            TypeError: ``name`` or an address is not a str.
            ValueError: an address is not numeric, or the list is empty.
        """
        if not isinstance(name, str):
            raise TypeError(f"name must be a str, not {type(name).__name__}")
        if isinstance(addresses, str) or not isinstance(addresses, Iterable):
            raise TypeError(f"addresses must be a list of str, not {type(addresses).__name__}")
        resolved = []
        for address in addresses:
            A.parse_host(address, "addresses")
            resolved.append(str(ipaddress.ip_address(address)))
        if not resolved:
            raise ValueError("addresses must not be empty")
        self._names[name.lower().rstrip(".")] = resolved

    def resolve(self, name: str) -> list[str] | None:
        """The addresses of ``name`` (DNS names are case-insensitive), or None."""
        return self._names.get(name.lower().rstrip("."))

    # --- records ----------------------------------------------------------------------------

    def record(self, host: Host, what: str, *args: object) -> None:
        """Add ``what.format(*args)`` to the packet trace, if tracing (formatted only then)."""
        if self.trace is not None:
            self.trace.append((self.clock.now, host.name, what.format(*args)))

    def new_attempt(self, host: Host, local: SockAddr, remote: SockAddr) -> Attempt:
        """Record a connection attempt starting now (in the network's and the host's logs)."""
        attempt = Attempt(host.name, local, remote, self.clock.now)
        self.attempts.append(attempt)
        host.attempts.append(attempt)
        return attempt

    def __repr__(self) -> str:
        return f"<Network {self.profile.name} t={self.now:g} hosts={list(self.hosts)}>"
