"""A pytest plugin: a fresh simulated network for each test (registered as ``pytest11``).

Fixtures:

* ``wsasim_network``: a :class:`wsasim.Network` under the profile chosen with
  ``@pytest.mark.wsasim_profile("windows")`` (default ``"documented"``). Every fixture of the
  plugin uses it, and while it is in use a real socket can reach loopback only: anything else
  raises :class:`wsasim.RealNetworkBlocked` naming the address (:mod:`wsasim.guard`).
* ``wsasim_client``: a host named ``client`` with 192.0.2.10/24 and 2001:db8::10/64.
* ``wsasim_backend``: the client's Winsock, started, and made the default backend of the
  Pythonic API (``wsaconnect.use_backend``) for the duration of the test.
* ``wsasim_server``: a helper that adds a host and listens on its ports.
* ``wsasim_patch``: ``wsasim.patch(wsasim_client)`` for the test: unmodified ``socket``-module
  code (``socket.create_connection``, ``http.client``, ``requests``...) runs as the client host,
  on the virtual clock.

Example: testing an application's reconnect logic::

    @pytest.mark.wsasim_profile("windows")
    def test_reconnects_past_dead_ipv6(wsasim_network, wsasim_backend, wsasim_server):
        wsasim_server("192.0.2.20/24", "2001:db8::20/64", ports=[443])
        wsasim_network.blackhole("2001:db8::20")
        sock = my_app.connect_with_retry([("2001:db8::20", 443), ("192.0.2.20", 443)])
        assert sock.getpeername()[0] == "::ffff:192.0.2.20"
        assert wsasim_network.now == pytest.approx(21.001)  # one whole SYN timeout
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

import pytest

from wsaconnect import constants as C
from wsaconnect.backend import use_backend
from wsasim.default import CLIENT_ADDRESSES
from wsasim.guard import real_network_guard
from wsasim.host import Host
from wsasim.network import Network
from wsasim.patch import patch
from wsasim.winsock import Winsock


def pytest_configure(config: pytest.Config) -> None:
    """Register the plugin's marker."""
    config.addinivalue_line(
        "markers",
        'wsasim_profile(name): the wsasim profile of the test\'s network ("documented" or '
        '"windows")',
    )


@pytest.fixture
def wsasim_network(request: pytest.FixtureRequest) -> Iterator[Network]:
    """A fresh simulated network (profile from the ``wsasim_profile`` marker). While it is in
    use, real sockets may reach loopback only (:mod:`wsasim.guard`)."""
    marker = request.node.get_closest_marker("wsasim_profile")
    profile = "documented" if marker is None else marker.args[0]
    with real_network_guard():
        yield Network(profile=profile)


@pytest.fixture
def wsasim_client(wsasim_network: Network) -> Host:
    """The client host: 192.0.2.10/24 and 2001:db8::10/64 (and loopback)."""
    return wsasim_network.add_host("client", list(CLIENT_ADDRESSES))


@pytest.fixture
def wsasim_backend(wsasim_client: Host) -> Iterator[Winsock]:
    """The client's Winsock, started, and the Pythonic API's default during the test."""
    winsock = wsasim_client.winsock
    winsock.WSAStartup(C.WINSOCK_VERSION)
    with use_backend(winsock):
        yield winsock


@pytest.fixture
def wsasim_server(wsasim_network: Network) -> Callable[..., Host]:
    """Add a server host that listens on ``ports`` on all its addresses (IPv4 and IPv6).

    Call it as ``wsasim_server("192.0.2.20/24", "2001:db8::20/64", ports=[443])``; the host is
    named ``server``, ``server2``, ... in order.
    """

    def make(*addresses: str, ports: Iterable[int] = ()) -> Host:
        count = sum(name.startswith("server") for name in wsasim_network.hosts)
        name = f"server{count + 1}" if count else "server"
        host = wsasim_network.add_host(name, list(addresses))
        for port in ports:
            host.listen(port)
        return host

    return make


@pytest.fixture
def wsasim_patch(wsasim_client: Host) -> Iterator[Host]:
    """``wsasim.patch(wsasim_client)`` for the duration of the test; yields the client host."""
    with patch(wsasim_client) as host:
        yield host
