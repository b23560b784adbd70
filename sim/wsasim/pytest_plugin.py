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
* ``wsasim_loop``: ``wsasim.new_event_loop(wsasim_client)``, an asyncio event loop of the client
  host on the virtual clock (docs/asyncio.md), closed after the test as ``asyncio.run`` closes
  its loop (its tasks cancelled, asynchronous generators and executor shut down).

Marker:

* ``@pytest.mark.wsasim_asyncio``: the ``async def`` test runs to completion on
  ``wsasim_loop`` (``loop.run_until_complete``), so it awaits as the client host, in virtual
  time; the test may ask for any fixture, ``wsasim_network`` and ``wsasim_loop`` included.
  pytest-asyncio is not needed (and an unmarked ``async def`` test is left to pytest as usual).

Example: testing an application's reconnect logic::

    @pytest.mark.wsasim_profile("windows")
    def test_reconnects_past_dead_ipv6(wsasim_network, wsasim_backend, wsasim_server):
        wsasim_server("192.0.2.20/24", "2001:db8::20/64", ports=[443])
        wsasim_network.blackhole("2001:db8::20")
        sock = my_app.connect_with_retry([("2001:db8::20", 443), ("192.0.2.20", 443)])
        assert sock.getpeername()[0] == "::ffff:192.0.2.20"
        assert wsasim_network.now == pytest.approx(21.001)  # one whole SYN timeout

The same in asyncio::

    @pytest.mark.wsasim_asyncio
    @pytest.mark.wsasim_profile("windows")
    async def test_happy_eyeballs(wsasim_network, wsasim_server):
        wsasim_server("192.0.2.20/24", "2001:db8::20/64", ports=[443])
        wsasim_network.add_name("app.example", ["2001:db8::20", "192.0.2.20"])
        wsasim_network.blackhole("2001:db8::20")
        _, writer = await asyncio.open_connection("app.example", 443, happy_eyeballs_delay=0.25)
        writer.close()
        assert wsasim_network.now == pytest.approx(0.251)  # the delay, then IPv4's round trip
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

import pytest

from wsaconnect import constants as C
from wsaconnect.backend import use_backend
from wsasim.default import CLIENT_ADDRESSES
from wsasim.guard import real_network_guard
from wsasim.host import Host
from wsasim.network import Network
from wsasim.patch import patch
from wsasim.winsock import Winsock

if TYPE_CHECKING:
    import asyncio

#: Where a marked test's event loop waits for ``pytest_pyfunc_call``.
_LOOP = pytest.StashKey["asyncio.AbstractEventLoop"]()


def pytest_configure(config: pytest.Config) -> None:
    """Register the plugin's markers."""
    config.addinivalue_line(
        "markers",
        'wsasim_profile(name): the wsasim profile of the test\'s network ("documented" or '
        '"windows")',
    )
    config.addinivalue_line(
        "markers",
        "wsasim_asyncio: run the async def test on wsasim's event loop of the client host "
        "(the wsasim_loop fixture), in virtual time",
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


@pytest.fixture
def wsasim_loop(wsasim_client: Host) -> Iterator[asyncio.AbstractEventLoop]:
    """``wsasim.new_event_loop(wsasim_client)``, closed after the test as ``asyncio.run``
    closes its loop."""
    # Imported here: asyncio is not loaded for the tests that do not use it.
    from wsasim.loop import close_loop, new_event_loop

    loop = new_event_loop(wsasim_client)
    try:
        yield loop
    finally:
        close_loop(loop)


@pytest.fixture(autouse=True)
def _wsasim_asyncio(request: pytest.FixtureRequest) -> None:
    """For a test marked ``wsasim_asyncio``: its event loop (``wsasim_loop``), for
    :func:`pytest_pyfunc_call`. Nothing for the others."""
    if request.node.get_closest_marker("wsasim_asyncio") is not None:
        request.node.stash[_LOOP] = request.getfixturevalue("wsasim_loop")


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run a test marked ``wsasim_asyncio`` on its simulator event loop; leave the others."""
    if pyfuncitem.get_closest_marker("wsasim_asyncio") is None:
        return None
    function = pyfuncitem.obj
    if not inspect.iscoroutinefunction(function):
        raise TypeError(
            f"{pyfuncitem.nodeid}: @pytest.mark.wsasim_asyncio marks an async def test, "
            f"not {function!r}"
        )
    funcargs = pyfuncitem.funcargs
    arguments = {
        name: funcargs[name] for name in inspect.signature(function).parameters if name in funcargs
    }
    pyfuncitem.stash[_LOOP].run_until_complete(function(**arguments))
    return True
