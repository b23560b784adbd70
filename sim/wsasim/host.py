"""A simulated host: its addresses, its handle table, its ports and its Winsock.

This module owns what belongs to one machine: the interfaces it was given plus loopback
(127.0.0.1/8 and ::1), its port table, whether its network subsystem is down, which of its
listeners takes an incoming connection, and the conveniences that make a scenario short
(:meth:`Host.socket`, :meth:`Host.listen`, :meth:`Host.serve`).

Routing between hosts, faults, time and the handle table (one for the whole network, so that a
handle names one object everywhere) belong to :mod:`wsasim.network`.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, NamedTuple

from wsaconnect import addresses as A
from wsaconnect import constants as C
from wsaconnect import errors as E
from wsaconnect.addresses import SockAddr
from wsaconnect.errors import raise_for_code
from wsaconnect.memo import Memo
from wsaconnect.ordering import LocalAddress, rank_sources
from wsasim.ports import PortTable
from wsasim.pysocket import SimSocket, to_windows_family
from wsasim.sockets import Socket

if TYPE_CHECKING:
    import asyncio
    from collections.abc import Callable

    from wsasim.network import Attempt, Network
    from wsasim.serve import Server
    from wsasim.winsock import Winsock


class Interface(NamedTuple):
    """One address of a host, with its prefix length."""

    family: int
    packed: bytes
    prefixlen: int

    @property
    def host(self) -> str:
        """The address as text."""
        return SockAddr(self.family, self.packed, 0).host

    @property
    def loopback(self) -> bool:
        """True for 127.0.0.0/8 and ::1."""
        return A.is_loopback(self.packed)

    @property
    def unicast(self) -> bool:
        """True for an address a host can own: not loopback, unspecified, multicast, IPv4-mapped,
        the limited broadcast or its subnet's broadcast address (RFC 4291 section 2.5.5.2 for
        IPv4-mapped; RFC 919 and RFC 922 for broadcast)."""
        ip = ipaddress.ip_address(self.packed)
        if self.loopback or ip.is_unspecified or ip.is_multicast:
            return False
        if isinstance(ip, ipaddress.IPv6Address):
            return ip.ipv4_mapped is None
        return self.packed not in (b"\xff\xff\xff\xff", self.broadcast)

    def contains(self, packed: bytes) -> bool:
        """True when ``packed`` is on this interface's subnet."""
        if len(packed) != len(self.packed):
            return False
        bits = len(packed) * 8
        mask = ((1 << bits) - 1) ^ ((1 << (bits - self.prefixlen)) - 1)
        return (int.from_bytes(packed, "big") & mask) == (int.from_bytes(self.packed, "big") & mask)

    @property
    def broadcast(self) -> bytes | None:
        """The subnet-directed broadcast address (IPv4 with a prefix under /31), else None."""
        if self.family != C.AF_INET or self.prefixlen >= 31:
            return None
        host_bits = (1 << (32 - self.prefixlen)) - 1
        return (int.from_bytes(self.packed, "big") | host_bits).to_bytes(4, "big")

    def __str__(self) -> str:
        return f"{self.host}/{self.prefixlen}"


def parse_interface(text: object) -> Interface:
    """Parse ``"192.0.2.10/24"`` or ``"2001:db8::10"`` (a host prefix if none is given).

    Raises:
        TypeError: not a str.
        ValueError: not an address with an optional prefix.
    """
    if not isinstance(text, str):
        raise TypeError(f"addresses must be str like '192.0.2.10/24', not {type(text).__name__}")
    try:
        iface = ipaddress.ip_interface(text)
    except ValueError as exc:
        raise ValueError(f"addresses: {text!r} is not an address with a prefix ({exc})") from None
    family = C.AF_INET if iface.version == 4 else C.AF_INET6
    return Interface(family, iface.ip.packed, iface.network.prefixlen)


_LOOPBACK = (
    Interface(C.AF_INET, bytes([127, 0, 0, 1]), 8),
    Interface(C.AF_INET6, b"\x00" * 15 + b"\x01", 128),
)


class Host:
    """One machine on a :class:`~wsasim.network.Network`. Make it with ``net.add_host``."""

    def __init__(self, network: Network, name: str, interfaces: list[Interface]) -> None:
        # winsock imports this module (through tcp and network): import it when first needed.
        from wsasim.winsock import Winsock

        self.name = name
        self.network = network
        self.interfaces: tuple[Interface, ...] = tuple(interfaces) + _LOOPBACK
        self._own = frozenset(i.packed for i in self.interfaces)
        self._routed_families = frozenset(i.family for i in interfaces)
        self.network_down = False
        self._listeners: dict[int, list[Socket]] = {}  # port -> listening sockets
        #: The connections its listeners made, by (local, remote) address.
        self.connections: dict[tuple[SockAddr, SockAddr], Socket] = {}
        self._sources = Memo(self._best_source)  # source_for's answers
        #: This host's connection attempts, oldest first (the network has everyone's).
        self.attempts: list[Attempt] = []
        span = len(network.ephemeral_ports)
        self.ports = PortTable(network.ephemeral_ports, network.rng.randrange(span) if span else 0)
        #: The low-level API; its sockets face applications as :class:`SimSocket` objects.
        self.winsock: Winsock = Winsock(self, SimSocket)

    # --- addresses ------------------------------------------------------------------------

    def addresses(self, family: int | None = None) -> list[Interface]:
        """The host's own (non-loopback) interfaces, of one family or all."""
        return [
            i for i in self.interfaces if not i.loopback and (family is None or i.family == family)
        ]

    def has_route(self, family: int) -> bool:
        """True if the host has an address of ``family`` besides loopback (docs/simulator.md)."""
        return family in self._routed_families

    def can_reach(self, family: int, packed: bytes) -> bool:
        """True if a packet to ``packed`` has a route: one of our own addresses, or a family
        the host has an address of (docs/simulator.md: otherwise WSAENETUNREACH at once)."""
        return family in self._routed_families or self.owns(packed)

    def owns(self, packed: bytes) -> bool:
        """True for one of the host's own addresses (loopback range included)."""
        return packed in self._own or A.is_loopback(packed)

    def local_addresses(self) -> list[LocalAddress]:
        """Every address of the host, loopback included, as RFC 6724 source candidates."""
        return [LocalAddress(SockAddr(i.family, i.packed, 0), i.prefixlen) for i in self.interfaces]

    def source_for(self, family: int, destination: bytes) -> bytes:
        """The local address a connection to ``destination`` leaves from.

        RFC 6724 source selection (:func:`wsaconnect.ordering.rank_sources`): loopback for
        loopback, the destination itself for one of our own addresses, else the best match.

        Raises:
            LookupError: no address of the host can reach ``destination``.
        """
        return self._sources[family, destination]

    def _best_source(self, key: tuple[int, bytes]) -> bytes:
        family, destination = key
        ranked = rank_sources(SockAddr(family, destination, 0), self.local_addresses())
        if not ranked:
            raise LookupError(f"{self.name} has no address that reaches {destination!r}")
        return A.unmapped(ranked[0].address).packed

    # --- handles --------------------------------------------------------------------------

    def find_socket(self, handle: int) -> Socket | None:
        """The host's open socket with this handle, if any."""
        obj = self.network.handles.get(handle)
        return obj if type(obj) is Socket and obj.host is self else None

    def sockets(self) -> list[Socket]:
        """Every open socket of the host."""
        return [o for o in self.network.handles.values() if type(o) is Socket and o.host is self]

    # --- incoming connections ---------------------------------------------------------------

    def add_listener(self, sock: Socket) -> None:
        """``sock`` (bound) started listening: connections to its port may reach it."""
        assert sock.local is not None
        self._listeners.setdefault(sock.local.port, []).append(sock)

    def remove_listener(self, sock: Socket) -> None:
        """``sock`` stopped listening (it was closed)."""
        assert sock.local is not None
        listeners = self._listeners[sock.local.port]
        listeners.remove(sock)
        if not listeners:
            del self._listeners[sock.local.port]

    def find_listener(self, target: SockAddr) -> Socket | None:
        """The listening socket that takes a connection to ``target`` (an unmapped address).

        A listener bound to the exact address wins over a wildcard one; an AF_INET6 wildcard
        with IPV6_V6ONLY off also takes IPv4 (dual-stack sockets).
        """
        wildcard: Socket | None = None
        for sock in self._listeners.get(target.port, ()):
            local = sock.local
            assert local is not None
            if local.family == target.family:
                if local.packed == target.packed:
                    return sock
                if not any(local.packed):
                    wildcard = wildcard or sock
            elif target.family == C.AF_INET and not sock.v6only:
                if A.unmapped(local).packed == target.packed:
                    return sock
                if not any(local.packed):
                    wildcard = wildcard or sock
        return wildcard

    def socket(self, family: int, type: int, proto: int = 0) -> SimSocket:
        """A new socket with the ``socket.socket`` interface, on this host.

        ``family`` may be the host OS's ``socket.AF_INET6`` or Windows' 23. Winsock is started
        on the host if the program has not done it.

        Raises:
            WinsockError: the Winsock error socket() gives (WSAEAFNOSUPPORT, ...).
        """
        if not self.winsock.started:
            self.winsock.WSAStartup()
        handle = self.winsock.socket(to_windows_family(family), type, proto)
        if handle == C.INVALID_SOCKET:
            raise_for_code(self.winsock.WSAGetLastError())
        made: SimSocket = self.winsock.socket_object(handle)
        return made

    def listen(self, port: int, backlog: int = 16) -> int:
        """Listen on ``port`` on every address of the host (one dual-stack socket).

        A convenience for scenarios and tests; returns the listening socket's handle.

        Raises:
            WinsockError: the port is taken (WSAEADDRINUSE), or another Winsock error.
        """
        ws = self.winsock
        if not ws.started:
            ws.WSAStartup()
        s = ws.socket(C.AF_INET6, C.SOCK_STREAM)
        ws.setsockopt(s, C.IPPROTO_IPV6, C.IPV6_V6ONLY, 0)
        if ws.bind(s, ("::", port, 0, 0)) or ws.listen(s, backlog):
            code = ws.WSAGetLastError()
            ws.closesocket(s)
            raise_for_code(code, f"{self.name} cannot listen on port {port}")
        return s

    def serve(
        self,
        port: int,
        protocol_factory: Callable[[], asyncio.Protocol],
        *,
        address: str | None = None,
        backlog: int = 100,
    ) -> Server:
        """A server on this host that runs ``protocol_factory()`` for each connection it
        accepts, on the virtual clock (docs/simulator.md, "Servers on the virtual clock").

        It listens on every address of the host (one dual-stack socket) when ``address`` is
        None, else on that one address; port 0 picks an ephemeral port (``server.port``).
        See :class:`wsasim.serve.Server`.

        Raises:
            TypeError, ValueError: a port, address or backlog of the wrong type or value.
            WinsockError: the port is taken (WSAEADDRINUSE), the address is not the host's
                (WSAEADDRNOTAVAIL), or another Winsock error.
        """
        # Imported when first used: it brings asyncio in, which the rest of wsasim does not need.
        from wsasim.serve import Server

        return Server(self, port, protocol_factory, address=address, backlog=backlog)

    # --- faults -----------------------------------------------------------------------------

    def set_network_down(self, flag: bool) -> None:
        """Fail (True) or restore (False) the host's network subsystem.

        While it is down, calls that need the network give WSAENETDOWN (WSAConnect document)
        and connects in progress fail with it; the host answers nothing.
        """
        if not isinstance(flag, bool):
            raise TypeError(f"flag must be a bool, not {type(flag).__name__}")
        self.network_down = flag
        self.network.forget_routes()  # a host that is down answers nothing
        if flag:
            for sock in self.sockets():
                if sock.handshake is not None:
                    sock.handshake.finish(E.WSAENETDOWN)

    def __repr__(self) -> str:
        return f"<Host {self.name} {' '.join(str(i) for i in self.addresses())}>"
