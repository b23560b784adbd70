"""The pytest plugin's documented example: testing an application's reconnect logic.

``connect_with_retry`` stands for application code: it knows nothing of the simulator, only
``wsaconnect``; the plugin's fixtures put it on a simulated network.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import wsasim

import wsaconnect


def connect_with_retry(
    addresses: list[tuple[str, int]], *, attempts: int = 3, timeout: float | None = None
) -> Any:
    """Application code: connect to the first reachable address, retrying refusals."""
    last: Exception | None = None
    for _ in range(attempts):
        try:
            return wsaconnect.create_connection(addresses, timeout=timeout)
        except ConnectionRefusedError as exc:
            last = exc
    assert last is not None
    raise last


Server = Callable[..., wsasim.Host]


@pytest.mark.wsasim_profile("windows")
def test_reconnect_gets_past_a_blackholed_ipv6_address(
    wsasim_network: wsasim.Network, wsasim_backend: object, wsasim_server: Server
) -> None:
    wsasim_server("192.0.2.20/24", "2001:db8::20/64", ports=[443])
    wsasim_network.blackhole("2001:db8::20")
    with connect_with_retry([("2001:db8::20", 443), ("192.0.2.20", 443)]) as sock:
        assert sock.getpeername()[0] == "::ffff:192.0.2.20"
    assert wsasim_network.now == pytest.approx(21.001)  # one whole SYN timeout, then 1 RTT


def test_reconnect_gives_up_after_three_refusals(
    wsasim_network: wsasim.Network, wsasim_backend: object, wsasim_server: Server
) -> None:
    wsasim_server("192.0.2.20/24")  # nothing listens
    with pytest.raises(ConnectionRefusedError):
        connect_with_retry([("192.0.2.20", 443)])
    assert [a.outcome for a in wsasim_network.attempts] == ["WSAECONNREFUSED"] * 3
    assert wsasim_network.now == pytest.approx(3 * 2.003)  # about 2 s per refusal on Windows


def test_timeout_is_overrun_by_the_attempt_in_progress(
    wsasim_network: wsasim.Network, wsasim_backend: object, wsasim_server: Server
) -> None:
    wsasim_server("192.0.2.20/24", "2001:db8::20/64", ports=[443])
    wsasim_network.blackhole("2001:db8::20")
    with pytest.raises(TimeoutError):
        connect_with_retry([("2001:db8::20", 443), ("192.0.2.20", 443)], timeout=5.0)
    assert wsasim_network.now == 21.0  # not 5: WSAConnectByList checks only between attempts
