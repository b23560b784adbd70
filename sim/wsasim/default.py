"""The process-wide default simulated network: what ``wsaconnect.get_backend("sim")`` and
``WSACONNECT_BACKEND=sim`` mean.

Made on first use, it is one :class:`~wsasim.network.Network` (the default profile,
``"documented"``) with one host, ``client``, at 192.0.2.10/24 and 2001:db8::10/64 (the pytest
plugin's ``wsasim_client``), so that every call of ``get_backend("sim")`` in a process sees the
same network: a socket made through one call can be connected through the next. Add servers to
it with ``default_network().add_host(...)``; :func:`reset_default_network` starts afresh (a
test that uses it should, or better use the pytest plugin's fresh network per test).
"""

from __future__ import annotations

import threading

from wsasim.host import Host
from wsasim.network import Network

#: The default network's client host: its name and addresses.
CLIENT_NAME = "client"
CLIENT_ADDRESSES = ("192.0.2.10/24", "2001:db8::10/64")

_lock = threading.Lock()
_network: Network | None = None


def default_network() -> Network:
    """The process-wide default network, made on first use."""
    global _network
    with _lock:
        if _network is None:
            network = Network()
            network.add_host(CLIENT_NAME, list(CLIENT_ADDRESSES))
            _network = network
        return _network


def default_client() -> Host:
    """The default network's client host (the host of ``get_backend("sim")``)."""
    return default_network().hosts[CLIENT_NAME]


def reset_default_network() -> Network:
    """Forget the default network (its sockets and time) and make a new one; returns it."""
    global _network
    with _lock:
        _network = None
    return default_network()
