"""Wine's sock.c on SO_REUSEADDR and SO_EXCLUSIVEADDRUSE: who may share a port, and who gets
the connection.

Translated from test_reuseaddr (sock.c:2016) of Wine 8.0's ``dlls/ws2_32/tests/sock.c``.
Microsoft agrees where it speaks:

* "Using SO_REUSEADDR and SO_EXCLUSIVEADDRUSE" (learn.microsoft.com, Winsock): a second socket
  sets SO_REUSEADDR and binds the port of another one; afterwards which of them handles an
  incoming connection is "indeterminate" (sock.c shows Windows gives it to the first);
  SO_EXCLUSIVEADDRUSE prevents other sockets from being forcibly bound to the address.
* Its older version "Using SO_EXCLUSIVEADDRUSE": either option has an effect only if set before
  bind.
* The Winsock team's note "Changes in Socket Bind" (2005), on that page: the *first* socket must
  have set SO_REUSEADDR for a second SO_REUSEADDR bind to share its address and port; without
  any option, a socket may bind a specific address of a port another socket holds with the
  wildcard address (same user).
* The WSK page "Sharing Transport Addresses" has the whole table, which matches sock.c's rows
  (DENIED is WSAEACCES, INUSE WSAEADDRINUSE).

sock.c's fixed SERVERPORT + 1 is replaced by a port found free on both wildcards when the test
runs.
"""

from __future__ import annotations

import pytest

from tests.conformance.harness import Env
from tests.conformance.sockc.helpers import free_port
from wsaconnect import constants as C
from wsaconnect import errors as E
from wsaconnect.addresses import AddressTuple

WAIT = 10.0  # seconds, for select (virtual on the simulator)


def accept_from(env: Env, listener: int) -> int:
    """Wait (select) until ``listener`` has the connection, then accept it."""
    count, readable, _, _ = env.ws.select([listener], [], [], WAIT)
    assert (count, readable) == (1, [listener]), "the connection did not reach this listener"
    s, _ = env.ws.accept(listener)
    assert s != C.INVALID_SOCKET, env.ws.WSAGetLastError()
    env._opened.append(s)  # the harness's own cleanup list
    return s


#: sock.c:2020 tests[]: the family, its wildcard and its loopback address.
FAMILIES = [
    pytest.param(C.AF_INET, "0.0.0.0", "127.0.0.1", id="ipv4"),
    pytest.param(C.AF_INET6, "::", "::1", id="ipv6"),
]


@pytest.mark.parametrize(("af", "any_", "loopback"), FAMILIES)
def test_reuseaddr_on_the_second_socket_only_is_wsaeacces(
    env: Env, af: int, any_: str, loopback: str
) -> None:
    """sock.c:2185-2204 test_reuseaddr: the first socket binds loopback:port without
    SO_REUSEADDR; a second one with SO_REUSEADDR cannot bind it: WSAEACCES (Microsoft: the
    first socket must have set SO_REUSEADDR too)."""
    port = free_port(env)
    s1 = env.socket(af)
    assert env.ws.bind(s1, (loopback, port)) == 0
    s2 = env.socket(af)
    assert env.ws.setsockopt(s2, C.SOL_SOCKET, C.SO_REUSEADDR, 1) == 0
    assert env.ws.bind(s2, (loopback, port)) == C.SOCKET_ERROR
    assert env.ws.WSAGetLastError() == E.WSAEACCES


@pytest.mark.wine_deviation(
    "listen on the second SO_REUSEADDR socket of one address fails (sock.c:2242 todo_wine)"
)
@pytest.mark.parametrize(("af", "any_", "loopback"), FAMILIES)
def test_reuseaddr_on_both_sockets_shares_the_port_and_the_first_gets_the_connection(
    env: Env, af: int, any_: str, loopback: str
) -> None:
    """sock.c:2206-2254 test_reuseaddr: s1 sets SO_REUSEADDR and binds loopback:port; s2
    reads SO_REUSEADDR 0, and its bind fails until it sets SO_REUSEADDR too, then succeeds;
    both listen; a connect to loopback:port succeeds and the connection is delivered to the
    first socket (Microsoft's page calls the choice indeterminate)."""
    port = free_port(env)
    s1 = env.socket(af)
    assert env.ws.setsockopt(s1, C.SOL_SOCKET, C.SO_REUSEADDR, 1) == 0
    assert env.ws.bind(s1, (loopback, port)) == 0
    s2 = env.socket(af)
    assert env.ws.getsockopt(s2, C.SOL_SOCKET, C.SO_REUSEADDR) == (0, 0)
    assert env.ws.bind(s2, (loopback, port)) == C.SOCKET_ERROR
    assert env.ws.setsockopt(s2, C.SOL_SOCKET, C.SO_REUSEADDR, 1) == 0
    assert env.ws.bind(s2, (loopback, port)) == 0, env.ws.WSAGetLastError()
    s3 = env.socket(af)
    assert env.ws.listen(s1, 1) == 0
    assert env.ws.listen(s2, 1) == 0, env.ws.WSAGetLastError()
    assert env.ws.connect(s3, (loopback, port)) == 0, env.ws.WSAGetLastError()
    accept_from(env, s1)


@pytest.mark.wine_deviation(
    "binding loopback:port while a socket listens on the wildcard of "
    "that port fails (sock.c:2270-2283 todo_wine)"
)
@pytest.mark.parametrize(("af", "any_", "loopback"), FAMILIES)
def test_wildcard_listener_first_then_loopback_listener_gets_the_connection(
    env: Env, af: int, any_: str, loopback: str
) -> None:
    """sock.c:2256-2288 test_reuseaddr: s1 binds the wildcard:port and listens; s2 (no
    options) binds loopback:port and listens; a connect to loopback:port succeeds and the
    connection goes to s2, the more specific binding (Microsoft: a socket bound to the
    wildcard leaves a specific address of its port to another socket)."""
    port = free_port(env)
    s1 = env.socket(af)
    assert env.ws.bind(s1, (any_, port)) == 0
    assert env.ws.listen(s1, 1) == 0
    s2 = env.socket(af)
    assert env.ws.bind(s2, (loopback, port)) == 0, env.ws.WSAGetLastError()
    assert env.ws.listen(s2, 1) == 0, env.ws.WSAGetLastError()
    s3 = env.socket(af)
    assert env.ws.connect(s3, (loopback, port)) == 0, env.ws.WSAGetLastError()
    accept_from(env, s2)


@pytest.mark.wine_deviation(
    "binding the wildcard of a port while a socket listens on "
    "loopback:port fails (sock.c:2305-2308 todo_wine)"
)
@pytest.mark.parametrize(("af", "any_", "loopback"), FAMILIES)
def test_loopback_listener_first_then_wildcard_listener_loopback_keeps_the_connection(
    env: Env, af: int, any_: str, loopback: str
) -> None:
    """sock.c:2290-2323 test_reuseaddr: s1 binds loopback:port and listens; s2 (no options)
    binds the wildcard:port and listens; a connect to loopback:port succeeds and the
    connection goes to s1."""
    port = free_port(env)
    s1 = env.socket(af)
    assert env.ws.bind(s1, (loopback, port)) == 0
    assert env.ws.listen(s1, 1) == 0
    s2 = env.socket(af)
    assert env.ws.bind(s2, (any_, port)) == 0, env.ws.WSAGetLastError()
    assert env.ws.listen(s2, 1) == 0, env.ws.WSAGetLastError()
    s3 = env.socket(af)
    assert env.ws.connect(s3, (loopback, port)) == 0, env.ws.WSAGetLastError()
    accept_from(env, s1)


@pytest.mark.parametrize(("af", "any_", "loopback"), FAMILIES)
def test_two_wildcard_binds_of_one_port_are_wsaeaddrinuse(
    env: Env, af: int, any_: str, loopback: str
) -> None:
    """sock.c:2325-2339 test_reuseaddr: two sockets without options binding the wildcard of
    one port: the second gets WSAEADDRINUSE."""
    port = free_port(env)
    s1 = env.socket(af)
    assert env.ws.bind(s1, (any_, port)) == 0
    s2 = env.socket(af)
    assert env.ws.bind(s2, (any_, port)) == C.SOCKET_ERROR
    assert env.ws.WSAGetLastError() == E.WSAEADDRINUSE


def test_reuseaddr_and_exclusiveaddruse_are_mutually_exclusive(env: Env) -> None:
    """sock.c:2344-2367 test_reuseaddr: with SO_REUSEADDR set, setting SO_EXCLUSIVEADDRUSE is
    WSAEINVAL; once SO_REUSEADDR is cleared it succeeds, and then setting SO_REUSEADDR is
    WSAEINVAL."""
    s = env.socket()
    assert env.ws.setsockopt(s, C.SOL_SOCKET, C.SO_REUSEADDR, 1) == 0
    assert env.ws.setsockopt(s, C.SOL_SOCKET, C.SO_EXCLUSIVEADDRUSE, 1) == C.SOCKET_ERROR
    assert env.ws.WSAGetLastError() == E.WSAEINVAL
    env.ws.setsockopt(s, C.SOL_SOCKET, C.SO_REUSEADDR, 0)  # sock.c checks no result here
    assert env.ws.setsockopt(s, C.SOL_SOCKET, C.SO_EXCLUSIVEADDRUSE, 1) == 0
    assert env.ws.setsockopt(s, C.SOL_SOCKET, C.SO_REUSEADDR, 1) == C.SOCKET_ERROR
    assert env.ws.WSAGetLastError() == E.WSAEINVAL


#: The addresses of sock.c:2161-2182 (the port is added when the test runs).
ADDRESSES = {
    "any4": (C.AF_INET, "0.0.0.0"),
    "lo4": (C.AF_INET, "127.0.0.1"),
    "any6": (C.AF_INET6, "::"),
    "lo6": (C.AF_INET6, "::1"),
    "any6-mapped": (C.AF_INET6, "::ffff:0.0.0.0"),
    "lo6-mapped": (C.AF_INET6, "::ffff:127.0.0.1"),
}

OK = 0


def row(index: int, first: str, second: str, error: int) -> object:
    """One row of sock.c's tests_exclusive: "<address>[+X]" for each socket (+X: it sets
    SO_EXCLUSIVEADDRUSE), and the second bind's error (0: it succeeds)."""
    return pytest.param(first, second, error, id=f"{index}-{first}-then-{second}")


#: sock.c:2046-2153 tests_exclusive, in order.
EXCLUSIVE_TABLE = [
    row(0, "any4+X", "lo4", E.WSAEACCES),
    row(1, "any6+X", "lo4", E.WSAEACCES),
    row(2, "any4", "lo4+X", OK),
    row(3, "any4+X", "lo4+X", E.WSAEACCES),
    row(4, "lo4+X", "any4", OK),
    row(5, "lo4", "any4+X", E.WSAEADDRINUSE),
    row(6, "lo4", "any6+X", E.WSAEADDRINUSE),
    row(7, "lo6", "any4+X", OK),
    row(8, "lo6+X", "lo4+X", OK),
    row(9, "lo6-mapped", "any4+X", E.WSAEADDRINUSE),
    row(10, "any6+X", "any4", E.WSAEACCES),
    row(11, "any6", "any4+X", OK),
    row(12, "any4", "any4+X", E.WSAEADDRINUSE),
    row(13, "any4", "any4", E.WSAEADDRINUSE),
    row(14, "any6", "any4", OK),
    row(15, "any6-mapped", "any4", E.WSAEADDRINUSE),
    row(16, "lo6-mapped", "lo4", E.WSAEADDRINUSE),
    row(17, "lo4", "lo6-mapped", E.WSAEADDRINUSE),
    row(18, "lo6+X", "lo4+X", OK),
    row(19, "lo4+X", "lo4", E.WSAEADDRINUSE),
    row(20, "lo4", "lo4+X", E.WSAEADDRINUSE),
]


@pytest.mark.parametrize(("first", "second", "error"), EXCLUSIVE_TABLE)
def test_exclusiveaddruse_bind_table(env: Env, first: str, second: str, error: int) -> None:
    """sock.c:2369-2408 test_reuseaddr, one row of tests_exclusive: each socket sets
    SO_EXCLUSIVEADDRUSE if the row says so, and an AF_INET6 one sets IPV6_V6ONLY 0 (dual
    stack); the first bind succeeds; the second fails with the row's code or succeeds."""
    port = free_port(env)
    sockets: list[tuple[int, AddressTuple]] = []
    for spec in (first, second):
        where, _, exclusive = spec.partition("+")
        af, host = ADDRESSES[where]
        s = env.socket(af)
        if exclusive:
            assert env.ws.setsockopt(s, C.SOL_SOCKET, C.SO_EXCLUSIVEADDRUSE, 1) == 0
        if af == C.AF_INET6:
            assert env.ws.setsockopt(s, C.IPPROTO_IPV6, C.IPV6_V6ONLY, 0) == 0
        sockets.append((s, (host, port)))
    (s0, name0), (s1, name1) = sockets
    assert env.ws.bind(s0, name0) == 0, env.ws.WSAGetLastError()
    rc = env.ws.bind(s1, name1)
    if error:
        assert (rc, env.ws.WSAGetLastError()) == (C.SOCKET_ERROR, error)
    else:
        assert rc == 0, env.ws.WSAGetLastError()
