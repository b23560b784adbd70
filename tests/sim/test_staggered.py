"""wsaconnect.staggered_connect on the simulator: Happy Eyeballs (RFC 8305) with exact virtual
times, against WSAConnectByList on the same scenarios.

The network: a dual-stack client and server, 1 ms one way (a round trip, RTT, is 2 ms), the
"windows" profile (a SYN timeout of 21 s; a refused connect retried for 2 s).
"""

from __future__ import annotations

import builtins

import pytest
import wsasim

import wsaconnect
from tests.world import World, world
from wsaconnect import constants as C
from wsaconnect import errors as E

LATENCY = 0.001
RTT = 2 * LATENCY
V6, V4 = ("2001:db8::20", 443), ("192.0.2.20", 443)
#: ExceptionGroup (Python 3.11), looked up so that the module also imports on 3.10.
EXCEPTION_GROUP: type[Exception] = vars(builtins).get("ExceptionGroup", Exception)


@pytest.fixture
def w() -> World:
    made = world("windows", latency=LATENCY)
    assert made.client.winsock.WSAStartup() == 0
    made.server.listen(443)
    return made


def connect(w: World, addresses: list[tuple[str, int]], **kwargs: object) -> wsaconnect.Connection:
    return wsaconnect.staggered_connect(addresses, backend=w.client.winsock, **kwargs)  # type: ignore[arg-type]


def outcomes(conn: wsaconnect.Connection) -> list[tuple[str, float, str]]:
    return [(a.remote.host, round(a.started, 6), a.outcome) for a in conn.attempts]


def open_sockets(w: World) -> int:
    return len(w.client.sockets())


def test_a_dead_ipv6_address_costs_one_delay_not_a_syn_timeout(w: World) -> None:
    w.net.blackhole(V6[0])
    conn = connect(w, [V6, V4])
    assert w.net.now == pytest.approx(0.25 + RTT)
    assert conn.remote == V4
    assert conn.socket.getpeername() == V4
    assert outcomes(conn) == [("2001:db8::20", 0.0, "cancelled"), ("192.0.2.20", 0.25, "connected")]
    assert open_sockets(w) == 1  # the loser was closed at once
    conn.socket.close()


def test_wsaconnectbylist_waits_out_the_syn_timeout_on_the_same_scenario(w: World) -> None:
    w.net.blackhole(V6[0])
    sock = wsaconnect.create_connection([V6, V4], backend=w.client.winsock)
    assert w.net.now == pytest.approx(21.0 + RTT)
    sock.close()


def test_families_interleave_three_dead_ipv6_then_ipv4(w: World) -> None:
    w.net.add_host("more", ["2001:db8::21/64", "2001:db8::22/64"])
    dead = [("2001:db8::20", 443), ("2001:db8::21", 443), ("2001:db8::22", 443)]
    for host, _ in dead:
        w.net.blackhole(host)
    conn = connect(w, [*dead, V4])
    # RFC 8305 section 4: one IPv6, then IPv4 second: it starts at the first delay.
    assert [a.remote.host for a in conn.attempts] == ["2001:db8::20", "192.0.2.20"]
    assert w.net.now == pytest.approx(0.25 + RTT)
    conn.socket.close()


def test_interleave_two_puts_two_of_the_first_family_first(w: World) -> None:
    w.net.add_host("more", ["2001:db8::21/64"])
    dead = [("2001:db8::20", 443), ("2001:db8::21", 443)]
    for host, _ in dead:
        w.net.blackhole(host)
    conn = connect(w, [*dead, V4], interleave=2)
    assert [(a.remote.host, round(a.started, 6)) for a in conn.attempts] == [
        ("2001:db8::20", 0.0),
        ("2001:db8::21", 0.25),
        ("192.0.2.20", 0.5),
    ]
    assert w.net.now == pytest.approx(0.5 + RTT)
    conn.socket.close()


def test_a_failure_starts_the_next_attempt_at_once(w: World) -> None:
    refusing = w.net.add_host("refusing", ["192.0.2.30/24"])  # nothing listens there
    assert refusing.name == "refusing"
    conn = connect(w, [("192.0.2.30", 443), V4], delay=10.0)
    refused_at = conn.attempts[0].ended
    assert refused_at is not None
    assert conn.attempts[0].outcome == "WSAECONNREFUSED"
    assert conn.attempts[1].started == pytest.approx(refused_at)  # not at 10 s
    assert w.net.now == pytest.approx(refused_at + RTT)
    conn.socket.close()


def test_the_deadline_is_exact_and_every_attempt_is_closed(w: World) -> None:
    for host in (V6[0], V4[0]):
        w.net.blackhole(host)
    with pytest.raises(TimeoutError) as timed_out:
        connect(w, [V6, V4], timeout=5.0)
    assert getattr(timed_out.value, "winerror", None) == E.WSAETIMEDOUT
    assert w.net.now == 5.0
    assert open_sockets(w) == 0


def test_an_attempt_that_connects_exactly_at_the_delay_wins_alone(w: World) -> None:
    w.net.set_latency(w.client, w.server, 0.125)  # a round trip of exactly one delay
    conn = connect(w, [V6, V4])
    assert w.net.now == pytest.approx(0.25)
    assert [a.outcome for a in conn.attempts] == ["connected"]  # trio #632: none started
    conn.socket.close()


def test_two_attempts_connecting_at_once_give_one_winner(w: World) -> None:
    far = w.net.add_host("far", ["192.0.2.21/24"])  # as near as .20 (RFC 6724: order kept)
    far.listen(443)
    w.net.set_latency(w.client, far, 0.002)  # a 4 ms round trip, started at 0
    # The second starts at 2 ms with a 2 ms round trip: both connect at 4 ms.
    conn = connect(w, [("192.0.2.21", 443), V4], delay=0.002)
    assert w.net.now == pytest.approx(0.004)
    assert [a.ended for a in conn.attempts] == [pytest.approx(0.004)] * 2
    assert sorted(a.outcome for a in conn.attempts) == ["cancelled", "connected"]
    assert open_sockets(w) == 1  # aiohappyeyeballs #100/#101: never two winners
    conn.socket.close()


def test_every_failure_raises_the_first_or_all_of_them(w: World) -> None:
    w.net.add_host("refusing", ["192.0.2.30/24", "2001:db8::30/64"])
    targets = [("2001:db8::30", 443), ("192.0.2.30", 443)]
    with pytest.raises(ConnectionRefusedError) as first:
        connect(w, targets)
    assert "2001:db8::30" in str(first.value)
    assert open_sockets(w) == 0
    with pytest.raises(EXCEPTION_GROUP) as group:
        connect(w, targets, all_errors=True)
    errors = group.value.exceptions  # type: ignore[attr-defined]
    assert [getattr(e, "winerror", None) for e in errors] == [E.WSAECONNREFUSED] * 2


def test_names_resolve_through_the_network(w: World) -> None:
    w.net.add_name("app.example", [V6[0], V4[0]])
    w.net.blackhole(V6[0])
    conn = connect(w, [("app.example", 443)])
    assert conn.remote == V4
    assert w.net.now == pytest.approx(0.25 + RTT)
    conn.socket.close()


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"delay": -1}, ValueError, "delay"),
        ({"delay": float("nan")}, ValueError, "delay"),
        ({"timeout": "5"}, TypeError, "timeout"),
        ({"interleave": 0}, ValueError, "interleave"),
        ({"all_errors": 1}, TypeError, "all_errors"),
    ],
)
def test_bad_arguments_are_named(
    w: World, kwargs: dict[str, object], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        connect(w, [V4], **kwargs)
    assert open_sockets(w) == 0


def test_bad_addresses_are_named(w: World) -> None:
    with pytest.raises(ValueError, match="no address"):
        connect(w, [])
    with pytest.raises(TypeError, match=r"addresses\[0\]"):
        connect(w, ["192.0.2.20"])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="port"):
        connect(w, [("192.0.2.20", 70000)])


def test_the_winner_is_blocking_again_and_usable(w: World) -> None:
    conn = connect(w, [V4])
    sock = conn.socket
    assert isinstance(sock, wsasim.SimSocket)
    assert sock.getblocking()
    assert conn.local is not None
    assert conn.local[0] == "192.0.2.10"
    assert w.client.winsock.getsockopt(sock.fileno(), C.SOL_SOCKET, C.SO_ERROR) == (0, 0)
    sock.close()


def test_localhost_fails_fast_where_wsaconnectbylist_takes_two_seconds(w: World) -> None:
    """::1 refused, 127.0.0.1 listening: the loopback attempt asks for no SYN retransmission
    (SIO_TCP_INITIAL_RTO, TCP_INITIAL_RTO_NO_SYN_RETRANSMISSIONS), so the refusal costs one
    loopback round trip, where Windows' retries cost WSAConnectByList 2 s."""
    ws = w.client.winsock
    s = ws.socket(C.AF_INET, C.SOCK_STREAM)
    assert ws.bind(s, ("127.0.0.1", 8080)) == 0
    assert ws.listen(s, 5) == 0
    conn = connect(w, [("::1", 8080), ("127.0.0.1", 8080)])
    assert w.net.now == 0.0  # loopback has no latency, and the refusal no retry
    assert outcomes(conn) == [("::1", 0.0, "WSAECONNREFUSED"), ("127.0.0.1", 0.0, "connected")]
    conn.socket.close()
    start = w.net.now
    sock = wsaconnect.create_connection([("::1", 8080), ("127.0.0.1", 8080)], backend=ws)
    assert w.net.now - start == pytest.approx(2.0)  # WSAConnectByList: Windows' refusal retries
    sock.close()


def test_attempts_know_their_source_address(w: World) -> None:
    w.net.blackhole(V6[0])
    conn = connect(w, [V6, V4])
    assert [a.local.host for a in conn.attempts] == ["2001:db8::10", "192.0.2.10"]
    assert conn.local == (conn.attempts[1].local.host, conn.attempts[1].local.port)
    conn.socket.close()


def test_a_failure_carries_its_attempts(w: World) -> None:
    for host in (V6[0], V4[0]):
        w.net.blackhole(host)
    with pytest.raises(TimeoutError) as timed_out:
        connect(w, [V6, V4], timeout=1.0)
    attempts = timed_out.value.attempts  # type: ignore[attr-defined]
    assert [(a.remote.host, a.started, a.ended, a.outcome) for a in attempts] == [
        ("2001:db8::20", 0.0, 1.0, "cancelled"),
        ("192.0.2.20", 0.25, 1.0, "cancelled"),
    ]
