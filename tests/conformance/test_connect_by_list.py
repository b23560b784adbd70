"""WSAConnectByList and WSAConnectByName on loopback, on every backend.

Wine 8 does not export WSAConnectByList at all (docs/wine.md); under Wine the native run's
test build calls the reference provider of tools/wine/wsac_reference.c instead (the document
implemented over Wine's Winsock: not Windows). WSAConnectByName works under Wine on an
AF_INET socket.
Scenarios with dead or slow destinations are in tests/sim/test_connect_by_list.py.
"""

from __future__ import annotations

from tests.conformance.harness import Env
from wsaconnect import constants as C
from wsaconnect import errors as E


def dual_stack(env: Env) -> int:
    s = env.socket(C.AF_INET6)
    assert env.ws.setsockopt(s, C.IPPROTO_IPV6, C.IPV6_V6ONLY, 0) == 0
    return s


def test_connects_to_an_ipv4_mapped_loopback_listener(env: Env) -> None:
    _, port = env.listener()
    s = dual_stack(env)
    ok, local, remote = env.ws.WSAConnectByList(s, [("::ffff:127.0.0.1", port, 0, 0)])
    assert ok
    assert remote == ("::ffff:127.0.0.1", port, 0, 0)
    assert local is not None
    assert local[0] == "::ffff:127.0.0.1"
    assert env.ws.getsockname(s) == (0, local)
    assert env.ws.setsockopt(s, C.SOL_SOCKET, C.SO_UPDATE_CONNECT_CONTEXT, None) == 0


def test_skips_a_refusing_address_and_connects_to_the_next(env: Env) -> None:
    _, port = env.listener()
    closed = env.closed_port()
    s = dual_stack(env)
    ok, _, remote = env.ws.WSAConnectByList(
        s, [("::ffff:127.0.0.1", closed, 0, 0), ("::ffff:127.0.0.1", port, 0, 0)]
    )
    assert (ok, remote) == (True, ("::ffff:127.0.0.1", port, 0, 0))


def test_every_pair_refused_gives_wsaeconnrefused(env: Env) -> None:
    s = dual_stack(env)
    result = env.ws.WSAConnectByList(s, [("::ffff:127.0.0.1", env.closed_port(), 0, 0)])
    assert result == (False, None, None)
    assert env.ws.WSAGetLastError() == E.WSAECONNREFUSED


def test_bound_socket_is_wsaeinval(env: Env) -> None:
    s = dual_stack(env)
    assert env.ws.bind(s, ("::", 0, 0, 0)) == 0
    assert env.ws.WSAConnectByList(s, [("::1", 1, 0, 0)]) == (False, None, None)
    assert env.ws.WSAGetLastError() == E.WSAEINVAL


def test_reserved_must_be_null(env: Env) -> None:
    s = dual_stack(env)
    assert env.ws.WSAConnectByList(s, [("::1", 1, 0, 0)], None, object()) == (False, None, None)
    assert env.ws.WSAGetLastError() == E.WSAEINVAL


def test_invalid_socket_is_wsaenotsock(env: Env) -> None:
    s = env.ws.socket(C.AF_INET6, C.SOCK_STREAM, 0)
    env.ws.closesocket(s)
    assert env.ws.WSAConnectByList(s, [("::1", 1, 0, 0)]) == (False, None, None)
    assert env.ws.WSAGetLastError() == E.WSAENOTSOCK


def test_by_name_connects_to_a_numeric_loopback_address(env: Env) -> None:
    _, port = env.listener()
    s = env.socket(C.AF_INET)
    ok, _, remote = env.ws.WSAConnectByName(s, "127.0.0.1", str(port))
    assert (ok, remote) == (True, ("127.0.0.1", port))


def test_by_name_none_node_is_wsaeinval(env: Env) -> None:
    s = env.socket(C.AF_INET)
    assert env.ws.WSAConnectByName(s, None, "80") == (False, None, None)
    assert env.ws.WSAGetLastError() == E.WSAEINVAL


def test_by_name_unknown_service_is_wsatype_not_found(env: Env) -> None:
    s = env.socket(C.AF_INET)
    assert env.ws.WSAConnectByName(s, "127.0.0.1", "no-such-service") == (False, None, None)
    assert env.ws.WSAGetLastError() == E.WSATYPE_NOT_FOUND
