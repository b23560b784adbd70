"""WSAConnectByList and WSAConnectByName scenarios with exact virtual times.

In the style of trio's test_highlevel_open_tcp_stream.py: each scenario asserts when each
attempt started and how it ended. The rules come from the WSAConnectByList document (see the
prose at the top of sim/wsasim/by_list.py) and docs/simulator.md.
"""

from __future__ import annotations

import pytest
import wsasim
from wsasim.winsock import Winsock

from tests.sim.conftest import LATENCY
from tests.world import add_client
from wsaconnect import constants as C
from wsaconnect import errors as E

RTT = 2 * LATENCY
REFUSED = 2.0 + 3 * RTT  # three SYNs answered by RST, 1 s apart (docs/windows.md)


class World:
    """A dual-stack client and a server with two IPv4 addresses and one IPv6 address."""

    def __init__(self, profile: str = "documented") -> None:
        self.net = wsasim.Network(profile=profile, latency=LATENCY)
        self.client = add_client(self.net)
        self.server = self.net.add_host(
            "server", ["192.0.2.20/24", "192.0.2.21/24", "2001:db8::20/64"]
        )
        self.ws: Winsock = self.client.winsock
        self.srv: Winsock = self.server.winsock
        self.ws.WSAStartup()
        self.srv.WSAStartup()
        self.listener = self.srv.socket(C.AF_INET6, C.SOCK_STREAM)
        self.srv.setsockopt(self.listener, C.IPPROTO_IPV6, C.IPV6_V6ONLY, 0)
        self.srv.bind(self.listener, ("::", 80, 0, 0))
        self.srv.listen(self.listener, 16)

    def dual_stack(self) -> int:
        s = self.ws.socket(C.AF_INET6, C.SOCK_STREAM)
        assert self.ws.setsockopt(s, C.IPPROTO_IPV6, C.IPV6_V6ONLY, 0) == 0
        return s

    def timeline(self) -> dict[str, tuple[float, float | None, str]]:
        """Each attempt by remote address: (start, end, outcome), rounded to microseconds."""
        return {
            str(a.remote): (
                round(a.started, 6),
                None if a.ended is None else round(a.ended, 6),
                a.outcome,
            )
            for a in self.net.attempts
        }


def v6(host: str, port: int = 80) -> tuple[str, int, int, int]:
    return (host, port, 0, 0)


def mapped(host: str, port: int = 80) -> tuple[str, int, int, int]:
    return (f"::ffff:{host}", port, 0, 0)


@pytest.fixture
def world() -> World:
    return World()


def test_dead_first_pair_costs_one_whole_syn_timeout(world: World) -> None:
    world.net.blackhole("2001:db8::20")
    s = world.dual_stack()
    ok, local, remote = world.ws.WSAConnectByList(s, [mapped("192.0.2.20"), v6("2001:db8::20")])
    assert ok
    assert remote == mapped("192.0.2.20")
    assert local == ("::ffff:192.0.2.10", local[1], 0, 0)  # type: ignore[index]
    assert world.timeline() == {
        "[2001:db8::20]:80": (0.0, 21.0, "WSAETIMEDOUT"),
        "[::ffff:192.0.2.20]:80": (21.0, 21.0 + RTT, "connected"),
    }


def test_ipv6_is_preferred_over_ipv4_mapped_whatever_the_list_order(world: World) -> None:
    for order in (
        [mapped("192.0.2.20"), v6("2001:db8::20")],
        [v6("2001:db8::20"), mapped("192.0.2.20")],
    ):
        s = world.dual_stack()
        ok, _, remote = world.ws.WSAConnectByList(s, order)
        assert (ok, remote) == (True, v6("2001:db8::20"))
        world.ws.closesocket(s)


def test_refused_pairs_cost_about_two_seconds_each(world: World) -> None:
    s = world.dual_stack()
    targets = [v6("2001:db8::20", 81), mapped("192.0.2.21", 81), mapped("192.0.2.20", 80)]
    ok, _, remote = world.ws.WSAConnectByList(s, targets)
    assert (ok, remote) == (True, mapped("192.0.2.20"))
    assert world.timeline() == {
        "[2001:db8::20]:81": (0.0, round(REFUSED, 6), "WSAECONNREFUSED"),
        "[::ffff:192.0.2.21]:81": (round(REFUSED, 6), round(2 * REFUSED, 6), "WSAECONNREFUSED"),
        "[::ffff:192.0.2.20]:80": (round(2 * REFUSED, 6), round(2 * REFUSED + RTT, 6), "connected"),
    }


def test_timeout_is_overrun_by_an_attempt_in_progress(world: World) -> None:
    world.net.blackhole("2001:db8::20")
    s = world.dual_stack()
    ok, local, remote = world.ws.WSAConnectByList(
        s, [v6("2001:db8::20"), mapped("192.0.2.20")], 5.0
    )
    assert (ok, local, remote) == (False, None, None)
    assert world.ws.WSAGetLastError() == E.WSAETIMEDOUT
    assert world.net.now == 21.0  # the 5 s timeout could not cut the 21 s attempt short
    assert list(world.timeline()) == ["[2001:db8::20]:80"]  # the live pair was never tried


def test_timeout_is_checked_between_attempts_not_during_them(world: World) -> None:
    s = world.dual_stack()
    ok, _, _ = world.ws.WSAConnectByList(s, [v6("2001:db8::20", 81), mapped("192.0.2.20")], 1.0)
    assert not ok
    assert world.ws.WSAGetLastError() == E.WSAETIMEDOUT
    assert world.net.now == pytest.approx(REFUSED)


def test_error_is_the_last_attempts_when_every_pair_fails(world: World) -> None:
    world.net.blackhole("192.0.2.21")
    for targets, code in (
        ([mapped("192.0.2.21"), mapped("192.0.2.20", 81)], E.WSAECONNREFUSED),
        ([mapped("192.0.2.20", 81), mapped("192.0.2.21")], E.WSAETIMEDOUT),
    ):
        s = world.dual_stack()
        assert world.ws.WSAConnectByList(s, targets) == (False, None, None)
        assert world.ws.WSAGetLastError() == code
        world.ws.closesocket(s)


def test_every_local_address_is_tried_against_a_dead_destination() -> None:
    net = wsasim.Network(latency=LATENCY)
    client = net.add_host("client", ["192.0.2.10/24", "198.51.100.10/24"])
    ws = client.winsock
    ws.WSAStartup()
    s = ws.socket(C.AF_INET, C.SOCK_STREAM)
    assert ws.WSAConnectByList(s, [("203.0.113.1", 80)]) == (False, None, None)
    assert ws.WSAGetLastError() == E.WSAETIMEDOUT
    assert [(str(a.local).split(":")[0], a.started) for a in net.attempts] == [
        ("192.0.2.10", 0.0),
        ("198.51.100.10", 21.0),
    ]


def test_ipv4_mapped_list_on_a_v6only_socket_has_no_pair(world: World) -> None:
    s = world.ws.socket(C.AF_INET6, C.SOCK_STREAM)  # IPV6_V6ONLY is on by default
    assert world.ws.WSAConnectByList(s, [mapped("192.0.2.20")]) == (False, None, None)
    assert world.ws.WSAGetLastError() == E.WSAEHOSTUNREACH
    assert world.net.attempts == []


def test_blocks_even_on_a_nonblocking_socket(world: World) -> None:
    s = world.dual_stack()
    assert world.ws.ioctlsocket(s, C.FIONBIO, 1) == 0
    ok, _, _ = world.ws.WSAConnectByList(s, [mapped("192.0.2.20")])
    assert ok
    assert world.net.now == pytest.approx(RTT)
    assert world.ws.recv(s, 10) == (C.SOCKET_ERROR, b"")  # and the socket stays non-blocking
    assert world.ws.WSAGetLastError() == E.WSAEWOULDBLOCK


def test_options_take_effect_only_after_so_update_connect_context(world: World) -> None:
    s = world.dual_stack()
    assert world.ws.setsockopt(s, C.SOL_SOCKET, C.SO_KEEPALIVE, 1) == 0
    assert world.ws.WSAConnectByList(s, [mapped("192.0.2.20")])[0]
    assert world.ws.getsockopt(s, C.SOL_SOCKET, C.SO_KEEPALIVE) == (0, 0)
    assert world.ws.setsockopt(s, C.SOL_SOCKET, C.SO_UPDATE_CONNECT_CONTEXT, None) == 0
    assert world.ws.getsockopt(s, C.SOL_SOCKET, C.SO_KEEPALIVE) == (0, 1)


def test_returns_what_getsockname_and_getpeername_return(world: World) -> None:
    s = world.dual_stack()
    ok, local, remote = world.ws.WSAConnectByList(s, [v6("2001:db8::20")])
    assert ok
    assert world.ws.getsockname(s) == (0, local)
    assert world.ws.getpeername(s) == (0, remote)


def test_null_length_pointers_return_no_address(world: World) -> None:
    s = world.dual_stack()
    result = world.ws.WSAConnectByList(
        s, [v6("2001:db8::20")], local_address_length=None, remote_address_length=None
    )
    assert result == (True, None, None)


@pytest.mark.parametrize("argument", ["local_address_length", "remote_address_length"])
def test_length_too_small_for_the_address_is_wsaefault(world: World, argument: str) -> None:
    s = world.dual_stack()
    kwargs = {argument: 16}  # a sockaddr_in's size, but the socket is AF_INET6 (28)
    assert world.ws.WSAConnectByList(s, [v6("2001:db8::20")], **kwargs) == (False, None, None)
    assert world.ws.WSAGetLastError() == E.WSAEFAULT
    assert world.net.attempts == []


def prepared(world: World, kind: str) -> int:
    if kind == "datagram":
        return world.ws.socket(C.AF_INET6, C.SOCK_DGRAM)
    s = world.dual_stack()
    if kind == "bound":
        assert world.ws.bind(s, ("::", 0, 0, 0)) == 0
    elif kind == "listening":
        assert world.ws.bind(s, ("::", 0, 0, 0)) == 0
        assert world.ws.listen(s, 1) == 0
    elif kind == "connected":
        assert world.ws.connect(s, v6("2001:db8::20")) == 0
    return s


@pytest.mark.parametrize("kind", ["bound", "listening", "connected", "datagram"])
def test_socket_must_be_an_unbound_unconnected_stream_socket(world: World, kind: str) -> None:
    s = prepared(world, kind)
    assert world.ws.WSAConnectByList(s, [v6("2001:db8::20")]) == (False, None, None)
    assert world.ws.WSAGetLastError() == E.WSAEINVAL


@pytest.mark.parametrize(
    ("call", "code"),
    [
        (lambda w, s: w.ws.WSAConnectByList(s, [v6("2001:db8::20")], None, object()), E.WSAEINVAL),
        (lambda w, s: w.ws.WSAConnectByList(s, []), E.WSAEINVAL),
        (lambda w, s: w.ws.WSAConnectByList(0x7FFC, [v6("2001:db8::20")]), E.WSAENOTSOCK),
        (lambda w, s: w.ws.WSAConnectByList(s, [("192.0.2.20", 80)]), E.WSAEAFNOSUPPORT),
        (lambda w, s: w.ws.WSAConnectByList(s, [b"\x17\x00"]), E.WSAEFAULT),
    ],
    ids=["reserved", "empty-list", "invalid-handle", "unmapped-ipv4", "short-sockaddr"],
)
def test_parameter_errors_come_before_any_attempt(world: World, call: object, code: int) -> None:
    s = world.dual_stack()
    assert call(world, s) == (False, None, None)  # type: ignore[operator]
    assert world.ws.WSAGetLastError() == code
    assert world.net.attempts == []


def test_wrong_python_types_raise_type_error(world: World) -> None:
    s = world.dual_stack()
    with pytest.raises(TypeError, match="addresses"):
        world.ws.WSAConnectByList(s, "2001:db8::20")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="timeout"):
        world.ws.WSAConnectByList(s, [v6("2001:db8::20")], "5")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="timeout"):
        world.ws.WSAConnectByList(s, [v6("2001:db8::20")], -1.0)


def test_failed_call_leaves_the_socket_unbound_for_another_try(world: World) -> None:
    s = world.dual_stack()
    assert not world.ws.WSAConnectByList(s, [v6("2001:db8::20", 81)])[0]
    assert world.ws.getsockname(s)[0] == C.SOCKET_ERROR  # unbound again
    assert world.ws.WSAConnectByList(s, [v6("2001:db8::20", 80)])[0]


def test_wsacancelblockingcall_ends_it_with_wsaeintr() -> None:
    world = World()
    world.ws.WSACleanup()
    assert world.ws.WSAStartup(0x0101) == 0
    world.net.blackhole("2001:db8::20")
    s = world.dual_stack()
    world.net.call_at(4.0, world.ws.WSACancelBlockingCall)
    assert world.ws.WSAConnectByList(s, [v6("2001:db8::20"), mapped("192.0.2.20")]) == (
        False,
        None,
        None,
    )
    assert world.ws.WSAGetLastError() == E.WSAEINTR
    assert world.net.now == 4.0


# --- WSAConnectByName ---------------------------------------------------------------------------


def test_by_name_resolves_names_and_services_then_connects_best_first(world: World) -> None:
    world.net.add_name("server.example", ["192.0.2.20", "2001:db8::20"])
    s = world.dual_stack()
    ok, _, remote = world.ws.WSAConnectByName(s, "Server.Example.", "http")
    assert (ok, remote) == (True, v6("2001:db8::20"))


def test_by_name_accepts_numeric_hosts_and_ports(world: World) -> None:
    s = world.ws.socket(C.AF_INET, C.SOCK_STREAM)
    ok, local, remote = world.ws.WSAConnectByName(s, "192.0.2.20", "80")
    assert (ok, remote) == (True, ("192.0.2.20", 80))
    assert local == world.ws.getsockname(s)[1]


def test_by_name_on_an_ipv4_socket_uses_only_ipv4_results(world: World) -> None:
    world.net.add_name("server.example", ["2001:db8::20", "192.0.2.20"])
    s = world.ws.socket(C.AF_INET, C.SOCK_STREAM)
    assert world.ws.WSAConnectByName(s, "server.example", "http")[2] == ("192.0.2.20", 80)
    only_v6 = world.ws.socket(C.AF_INET, C.SOCK_STREAM)
    world.net.add_name("v6.example", ["2001:db8::20"])
    assert world.ws.WSAConnectByName(only_v6, "v6.example", "http") == (False, None, None)
    assert world.ws.WSAGetLastError() == E.WSANO_DATA


@pytest.mark.parametrize(
    ("node", "service", "code"),
    [
        ("server.example", "no-such-service", E.WSATYPE_NOT_FOUND),
        ("server.example", "70000", E.WSATYPE_NOT_FOUND),
        ("nowhere.example", "http", E.WSAHOST_NOT_FOUND),
    ],
)
def test_by_name_resolution_errors(world: World, node: str, service: str, code: int) -> None:
    world.net.add_name("server.example", ["192.0.2.20"])
    s = world.dual_stack()
    assert world.ws.WSAConnectByName(s, node, service) == (False, None, None)
    assert world.ws.WSAGetLastError() == code


@pytest.mark.parametrize(("node", "service"), [(None, "http"), ("server.example", None)])
def test_by_name_none_name_is_wsaeinval_before_the_socket_is_examined(
    world: World, node: str | None, service: str | None
) -> None:
    assert world.ws.WSAConnectByName(0x7FFC, node, service) == (False, None, None)
    assert world.ws.WSAGetLastError() == E.WSAEINVAL  # not WSAENOTSOCK


@pytest.mark.parametrize(
    ("profile", "code"), [("documented", E.WSAEINVAL), ("windows", E.WSAEFAULT)]
)
def test_by_name_on_a_udp_socket(profile: str, code: int) -> None:
    world = World(profile)
    s = world.ws.socket(C.AF_INET, C.SOCK_DGRAM)
    assert world.ws.WSAConnectByName(s, "192.0.2.20", "80") == (False, None, None)
    assert world.ws.WSAGetLastError() == code


@pytest.mark.parametrize(("profile", "zero"), [("documented", False), ("windows", True)])
def test_by_name_local_address_port(profile: str, zero: bool) -> None:
    world = World(profile)
    s = world.ws.socket(C.AF_INET, C.SOCK_STREAM)
    ok, local, _ = world.ws.WSAConnectByName(s, "192.0.2.20", "http")
    assert ok
    assert local is not None
    assert (local[1] == 0) is zero
    assert world.ws.getsockname(s)[1][1] != 0  # type: ignore[index]


def test_by_name_localhost_prefers_ipv6_loopback(world: World) -> None:
    listener = world.ws.socket(C.AF_INET6, C.SOCK_STREAM)
    world.ws.bind(listener, ("::1", 8080, 0, 0))
    world.ws.listen(listener, 1)
    s = world.dual_stack()
    assert world.ws.WSAConnectByName(s, "localhost", "8080")[2] == v6("::1", 8080)
