"""Routes are remembered (wsasim.network), so every change to the network must reach a route
that was already used: each test connects once, changes the network, and connects again.

Sources: docs/simulator.md (faults, latency, network down); the timing of docs/windows.md.
"""

from __future__ import annotations

import pytest
import wsasim

from tests.sim.conftest import LATENCY, Lab
from wsaconnect import constants as C
from wsaconnect import errors as E

SERVER = ("192.0.2.20", 80)


def connect_once(lab: Lab) -> tuple[int, float]:
    """A blocking connect to SERVER: (WSAGetLastError or 0, seconds it took)."""
    s = lab.tcp()
    started = lab.net.now
    result = lab.ws.connect(s, SERVER)
    return (0 if result == 0 else lab.error()), lab.net.now - started


def connects_in(lab: Lab, seconds: float) -> bool:
    """True if a connect to SERVER succeeds in ``seconds`` (to the microsecond)."""
    error, took = connect_once(lab)
    return error == 0 and abs(took - seconds) < 1e-6


@pytest.fixture
def used(lab: Lab) -> Lab:
    """The lab after one connect to SERVER, so that its route is remembered."""
    lab.listen(SERVER[1])
    assert connects_in(lab, 2 * LATENCY)
    return lab


def test_blackhole_set_after_use_drops_the_syns(used: Lab) -> None:
    used.net.blackhole(SERVER[0])
    assert connect_once(used) == (E.WSAETIMEDOUT, 21.0)


def test_restore_after_use_of_a_blackholed_route_lets_syns_through(used: Lab) -> None:
    used.net.blackhole(SERVER[0])
    assert connect_once(used)[0] == E.WSAETIMEDOUT
    used.net.restore(SERVER[0])
    assert connects_in(used, 2 * LATENCY)


def test_unreachable_set_after_use_answers_with_icmp(used: Lab) -> None:
    used.net.unreachable(SERVER[0])
    s = used.tcp()
    assert used.ws.setsockopt(s, C.IPPROTO_TCP, C.TCP_FAIL_CONNECT_ON_ICMP_ERROR, 1) == 0
    assert used.ws.connect(s, SERVER) == C.SOCKET_ERROR
    assert used.error() == E.WSAEHOSTUNREACH


def test_latency_set_after_use_changes_the_round_trip(used: Lab) -> None:
    used.net.set_latency(used.client, used.server, 0.040)
    assert connects_in(used, 0.080)


def test_server_network_down_after_use_loses_the_syns(used: Lab) -> None:
    used.server.set_network_down(True)
    assert connect_once(used) == (E.WSAETIMEDOUT, 21.0)
    used.server.set_network_down(False)
    assert connects_in(used, 2 * LATENCY)


def test_host_added_after_use_receives_what_went_nowhere(lab: Lab) -> None:
    newcomer = ("192.0.2.30", 80)
    s = lab.tcp()
    assert lab.ws.connect(s, newcomer) == C.SOCKET_ERROR
    assert lab.error() == E.WSAETIMEDOUT  # nobody has the address: the SYNs are lost
    host = lab.net.add_host("newcomer", ["192.0.2.30/24"])
    assert host.winsock.WSAStartup() == 0
    s = lab.tcp()
    assert lab.ws.connect(s, newcomer) == C.SOCKET_ERROR
    assert lab.error() == E.WSAECONNREFUSED  # now it arrives, and no one listens


def test_default_latency_is_read_only() -> None:
    net = wsasim.Network(latency=0.002)
    assert net.latency == 0.002
    with pytest.raises(AttributeError):
        net.latency = 0.5  # type: ignore[misc]
