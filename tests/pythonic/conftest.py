"""The simulated network the socket-object tests share: a client and a server host, 1 ms one way
(tests/world.py's addresses). A test module adds what it needs (a listener, a profile)."""

from __future__ import annotations

import pytest
import wsasim

from tests.world import add_client, add_server


@pytest.fixture
def net() -> wsasim.Network:
    return wsasim.Network(latency=0.001)


@pytest.fixture
def client(net: wsasim.Network) -> wsasim.Host:
    return add_client(net)


@pytest.fixture
def bare_server(net: wsasim.Network) -> wsasim.Host:
    """The server host, nothing listening."""
    return add_server(net)
