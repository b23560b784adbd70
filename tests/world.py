"""One way to build a test world: a simulated network with a client host and a server host.

The tests' common setup, in one place: a :class:`wsasim.Network` with a dual-stack client
(``CLIENT_ADDRESSES``, the pytest plugin's own, so that the fixtures and the tests agree) and,
unless ``server=False``, a dual-stack server (``SERVER_ADDRESSES``)::

    w = world("windows", latency=0.001)
    w.client.winsock.WSAStartup()
    w.server.listen(80)

``add_client``/``add_server`` add the same hosts to a network made elsewhere (a fixture's).
Nothing is started or listened on: each test says what it needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import wsasim
from wsasim.default import CLIENT_ADDRESSES as _PLUGIN_CLIENT_ADDRESSES

#: The client's addresses (and loopback): the pytest plugin's ``wsasim_client``.
CLIENT_ADDRESSES: tuple[str, ...] = tuple(_PLUGIN_CLIENT_ADDRESSES)
#: The server's addresses (and loopback).
SERVER_ADDRESSES: tuple[str, ...] = ("192.0.2.20/24", "2001:db8::20/64")


@dataclass
class World:
    """A network, its client host and (unless built with ``server=False``) its server host."""

    net: wsasim.Network
    client: wsasim.Host
    maybe_server: wsasim.Host | None = None

    @property
    def server(self) -> wsasim.Host:
        """The server host.

        Raises:
            LookupError: the world was built with ``server=False``.
        """
        if self.maybe_server is None:
            raise LookupError("this world was built with server=False")
        return self.maybe_server


def add_client(net: wsasim.Network, name: str = "client") -> wsasim.Host:
    """Add the client host (``CLIENT_ADDRESSES``) to ``net``."""
    return net.add_host(name, list(CLIENT_ADDRESSES))


def add_server(net: wsasim.Network, name: str = "server") -> wsasim.Host:
    """Add the server host (``SERVER_ADDRESSES``) to ``net``."""
    return net.add_host(name, list(SERVER_ADDRESSES))


def world(
    profile: str | wsasim.Profile = "documented",
    *,
    latency: float | None = None,
    server: bool = True,
    **network_kwargs: Any,
) -> World:
    """A new network with the client host and, if ``server``, the server host.

    Args:
        profile: the network's profile.
        latency: the default one-way delay; None for the network's own default.
        server: add the server host too.
        network_kwargs: the rest of :class:`wsasim.Network`'s arguments (``seed``,
            ``ephemeral_ports``, ``timing``, ``trace``).
    """
    if latency is not None:
        network_kwargs["latency"] = latency
    net = wsasim.Network(profile=profile, **network_kwargs)
    client = add_client(net)
    return World(net, client, add_server(net) if server else None)
