"""The real-network guard (wsasim.guard): under the plugin's fixtures a real socket reaches
loopback only, and a name lookup that would ask a real DNS server is refused."""

from __future__ import annotations

import socket

import pytest
import wsasim
from wsasim.guard import RealNetworkBlocked, guard_active, real_network_guard

# A documentation address (RFC 5737): never answers, so a leak would hang or fail by luck.
OUTSIDE = ("192.0.2.1", 80)


def test_the_plugins_fixtures_block_a_real_connect_to_a_non_loopback_address(
    wsasim_network: wsasim.Network,
) -> None:
    assert guard_active()
    with socket.socket() as s, pytest.raises(RealNetworkBlocked, match=r"192\.0\.2\.1"):
        s.connect(OUTSIDE)
    with socket.socket() as s, pytest.raises(RealNetworkBlocked, match="connect_ex"):
        s.connect_ex(OUTSIDE)
    with pytest.raises(RealNetworkBlocked, match=r"192\.0\.2\.1"):
        socket.create_connection(OUTSIDE, timeout=1)


def test_the_block_is_not_an_oserror_so_retry_loops_cannot_swallow_it(
    wsasim_network: wsasim.Network,
) -> None:
    caught: list[BaseException] = []
    with socket.socket() as s:
        try:
            s.connect(OUTSIDE)
        except OSError:  # what a retrying client catches
            pytest.fail("the guard's error was caught as a network error")
        except RealNetworkBlocked as exc:
            caught.append(exc)
    assert [getattr(e, "destination", None) for e in caught] == [OUTSIDE]


def test_udp_sendto_outside_is_blocked_and_loopback_is_not(
    wsasim_network: wsasim.Network,
) -> None:
    for args in ((OUTSIDE,), (0, ("2001:db8::1", 53, 0, 0))):
        family = socket.AF_INET if len(args) == 1 else socket.AF_INET6
        with socket.socket(family, socket.SOCK_DGRAM) as u:
            with pytest.raises(RealNetworkBlocked, match="sendto"):
                u.sendto(b"x", *args)
            assert u.fileno() == -1  # closed: the blocked attempt leaks no descriptor
    with (
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u,
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as r,
    ):
        r.bind(("127.0.0.1", 0))
        assert u.sendto(b"ok", r.getsockname()) == 2
        assert r.recv(10) == b"ok"


def test_loopback_stays_reachable(wsasim_network: wsasim.Network) -> None:
    with (
        socket.create_server(("127.0.0.1", 0)) as server,
        socket.create_connection(server.getsockname(), timeout=5) as client,
    ):
        conn, _ = server.accept()
        with conn:
            client.sendall(b"hi")
            assert conn.recv(2) == b"hi"


def test_a_lookup_that_would_ask_dns_is_blocked(wsasim_network: wsasim.Network) -> None:
    with pytest.raises(RealNetworkBlocked, match=r"example\.invalid"):
        socket.getaddrinfo("example.invalid", 80)
    with pytest.raises(RealNetworkBlocked, match="gethostbyname"):
        socket.gethostbyname("www.example.com")
    # Numeric addresses and localhost never leave the machine.
    assert socket.getaddrinfo("127.0.0.1", 80, type=socket.SOCK_STREAM)[0][4] == ("127.0.0.1", 80)
    assert socket.gethostbyname("localhost").startswith("127.")


def test_the_guard_restores_the_socket_module_and_nests() -> None:
    before = (socket.socket.connect, socket.getaddrinfo, socket.gethostbyname)
    assert not guard_active()
    with real_network_guard():
        with real_network_guard():
            assert guard_active()
        assert guard_active()  # the inner exit leaves the outer guard on
        with socket.socket() as s, pytest.raises(RealNetworkBlocked):
            s.connect(OUTSIDE)
    assert not guard_active()
    assert (socket.socket.connect, socket.getaddrinfo, socket.gethostbyname) == before
    assert "connect" not in socket.socket.__dict__  # the class is as the standard library made it


def test_the_guard_is_restored_after_an_exception() -> None:
    before = socket.getaddrinfo
    with pytest.raises(KeyError), real_network_guard():
        raise KeyError("boom")
    assert socket.getaddrinfo is before
    assert not guard_active()
