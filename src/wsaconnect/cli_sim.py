"""The simulated network of ``probe --sim`` and ``demo`` (:mod:`wsaconnect.cli`).

This module owns how a command line becomes a network: a client (192.0.2.10/24 and
2001:db8::10/64, the pytest plugin's), a server host per destination address listening on
the destination's port (a loopback destination is served by the client itself), except what
``--refuse`` closes and ``--dead`` blackholes, and the names ``--name`` gives; 20 ms one way
between any two hosts. It checks what only this network can judge: the client's own
addresses and its subnet's broadcast address are no destinations, and a name it was not
given does not resolve. :mod:`wsasim` is imported when a network is made, not before.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from wsaconnect import addresses as A
from wsaconnect import constants as C
from wsaconnect import errors as E
from wsaconnect.addresses import SockAddr
from wsaconnect.cli_args import UsageError
from wsaconnect.cli_report import (
    STAGGERED,
    Report,
    address_text,
    connect_with,
    policy_name,
    timeline_svg,
)
from wsaconnect.staggered import DEFAULT_DELAY

if TYPE_CHECKING:
    import wsasim

#: The simulated client: its own addresses are no destinations.
CLIENT_ADDRESSES = ("192.0.2.10/24", "2001:db8::10/64")
LATENCY = 0.020  # one way, between any two simulated hosts

#: The demo: a dead IPv6 address, a refusing port, a live IPv4 server.
DEMO_TARGETS = (("2001:db8::20", 443), ("2001:db8::21", 443), ("192.0.2.20", 443))
DEMO_DEAD = ("2001:db8::20",)
DEMO_REFUSED = (("2001:db8::21", 443),)
DEMO_SCENARIO = "2001:db8::20 is dead, 2001:db8::21 refuses, 192.0.2.20 listens"


@dataclass(frozen=True)
class Shape:
    """What ``probe --sim`` makes of the simulated network besides its servers."""

    dead: Sequence[str] = ()
    refused: Sequence[tuple[str, int]] = ()
    names: Sequence[tuple[str, Sequence[str]]] = ()


def _listen_on(host: wsasim.Host, address: SockAddr) -> None:
    ws = host.winsock
    if not ws.started:
        ws.WSAStartup(C.WINSOCK_VERSION)
    s = ws.socket(address.family, C.SOCK_STREAM, C.IPPROTO_TCP)
    if address.family == C.AF_INET6:
        ws.setsockopt(s, C.IPPROTO_IPV6, C.IPV6_V6ONLY, 1)
    if ws.bind(s, address.to_tuple()) or ws.listen(s, 16):
        code = ws.WSAGetLastError()
        raise UsageError(f"the simulator cannot listen on {address_text(address)}: {E.name(code)}")


def _serve(
    net: wsasim.Network,
    client: wsasim.Host,
    destinations: Sequence[SockAddr],
    refused: Iterable[tuple[str, int]],
) -> None:
    """A server host per destination address, listening on each destination's port unless
    it is refused; loopback destinations are served by the client itself."""
    closed = {A.from_tuple(r) for r in refused}
    servers: dict[bytes, wsasim.Host] = {}
    for d in destinations:
        host = client if A.is_loopback(d.packed) else servers.get(d.packed)
        if host is None:
            prefix = 32 if d.family == C.AF_INET else 128
            host = net.add_host(f"server{len(servers) + 1}", [f"{d.host}/{prefix}"])
            servers[d.packed] = host
        if d not in closed:
            _listen_on(host, d)


def simulate(
    endpoints: Sequence[tuple[str, int]],
    *,
    profile: str = "windows",
    shape: Shape | None = None,
    staggered: bool = False,
    delay: float = DEFAULT_DELAY,
    timeout: float | None = None,
) -> Report:
    """Connect to ``endpoints`` on a fresh simulated network made from them (see the module's
    documentation), with one policy.

    Raises:
        UsageError: an address of the client's own, its subnet's broadcast, a name the
            network does not know, a name given twice.
    """
    import wsasim
    from wsasim import names

    shape = shape or Shape()
    net = wsasim.Network(profile=profile, latency=LATENCY)
    client = net.add_host("client", list(CLIENT_ADDRESSES))

    def reason(host: str) -> str | None:
        packed = A.from_tuple((host, 0)).packed
        if client.owns(packed) and not A.is_loopback(packed):
            clients = " and ".join(CLIENT_ADDRESSES)
            return f"the simulated client's own address (the client is {clients})"
        if net.is_broadcast(client, packed):
            return "the broadcast address of the simulated client's subnet"
        return None

    known: set[str] = set()
    for name, listed in shape.names:
        if name in known:
            raise UsageError(f"--name {name}=... is given twice")
        known.add(name)
        for address in listed:
            if why := reason(address):
                raise UsageError(f"--name {name}: {address} is {why}")
        net.add_name(name, listed)
    destinations: list[SockAddr] = []
    for host, port in endpoints:
        try:
            found = names.resolve(net, host, port)
        except E.WinsockError:
            raise UsageError(
                f"{host!r} does not resolve on the simulated network: give its addresses "
                f"with --name {host}=ADDR[,ADDR...]"
            ) from None
        for d in found:
            if why := reason(d.host):
                named = "" if d.host == host else f"{host} resolves to "
                raise UsageError(f"{named}{d.host} is {why}")
            if d not in destinations:
                destinations.append(d)
    for address in shape.dead:
        if why := reason(address):
            raise UsageError(f"--dead {address}: {address} is {why}")
        if A.is_loopback(A.from_tuple((address, 0)).packed):
            raise UsageError(
                f"--dead {address}: loopback never leaves the client, so it cannot be "
                "blackholed (--refuse ADDR:PORT closes a port instead)"
            )
    for address, port in shape.refused:
        if why := reason(address):
            raise UsageError(f"--refuse {address}:{port}: {address} is {why}")
    _serve(net, client, destinations, shape.refused)
    for address in shape.dead:
        net.blackhole(address)
    client.winsock.WSAStartup(C.WINSOCK_VERSION)
    return connect_with(
        client.winsock, destinations, staggered=staggered, delay=delay, timeout=timeout
    )


def demo_report(
    *,
    staggered: bool = False,
    profile: str = "windows",
    delay: float = DEFAULT_DELAY,
    timeout: float | None = None,
) -> Report:
    """The demo's scenario (:data:`DEMO_TARGETS`) with one policy."""
    shape = Shape(dead=DEMO_DEAD, refused=DEMO_REFUSED)
    return simulate(
        DEMO_TARGETS,
        profile=profile,
        shape=shape,
        staggered=staggered,
        delay=delay,
        timeout=timeout,
    )


def demo_titles(report: Report, profile: str) -> tuple[str, str]:
    """The title and the subtitle of the demo's picture."""
    delay = DEFAULT_DELAY if report.delay is None else report.delay
    policy = policy_name(report.policy == STAGGERED, delay)
    return policy, f"{DEMO_SCENARIO} (profile {profile}, 20 ms one way)"


def demo_svg(*, staggered: bool = False, profile: str = "windows") -> str:
    """The demo's timeline as SVG (README.md's docs/timeline-*.svg are these, from
    ``python -m wsaconnect demo [--staggered] --svg FILE``)."""
    report = demo_report(staggered=staggered, profile=profile)
    return timeline_svg(report, *demo_titles(report, profile))
