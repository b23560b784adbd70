"""WSAConnect's error table, scenario by scenario, on every backend (loopback only).

Each test produces one code of the WSAConnect document's table through a scenario that matches
its documented meaning. The codes that need a network a loopback cannot fake (a timeout, an
unreachable host, a dead network subsystem, exhausted ports, Winsock 1.1 blocking calls) are
in tests/sim/test_wsaconnect_errors_sim.py.
"""

from __future__ import annotations

import pytest

from tests.conformance.harness import Env
from wsaconnect import FLOWSPEC, QOS, WSABUF
from wsaconnect import constants as C
from wsaconnect import errors as E


def fails_with(env: Env, rc: int, code: int) -> None:
    assert rc == C.SOCKET_ERROR
    assert env.ws.WSAGetLastError() == code, E.name(env.ws.WSAGetLastError())


def test_connect_to_listener_succeeds_and_is_connected(env: Env) -> None:
    _, port = env.listener()
    s = env.socket()
    assert env.ws.WSAConnect(s, ("127.0.0.1", port)) == 0
    rc, peer = env.ws.getpeername(s)
    assert rc == 0
    assert peer == ("127.0.0.1", port)


def test_unbound_socket_is_bound_implicitly_by_connect(env: Env) -> None:
    _, port = env.listener()
    s = env.socket()
    assert env.ws.getsockname(s)[0] == C.SOCKET_ERROR  # not bound yet
    assert env.ws.WSAConnect(s, ("127.0.0.1", port)) == 0
    rc, name = env.ws.getsockname(s)
    assert rc == 0
    assert name is not None
    assert name[0] == "127.0.0.1"
    assert name[1] != 0


def test_wsaenotsock_for_a_handle_that_is_not_a_socket(env: Env) -> None:
    s = env.ws.socket(C.AF_INET, C.SOCK_STREAM, 0)
    env.ws.closesocket(s)  # a closed handle names no socket
    fails_with(env, env.ws.WSAConnect(s, ("127.0.0.1", 80)), E.WSAENOTSOCK)


@pytest.mark.wine_deviation("namelen 8 gives WSAEADDRNOTAVAIL (docs/wine.md)")
def test_wsaefault_when_namelen_is_too_small(env: Env) -> None:
    _, port = env.listener()
    s = env.socket()
    fails_with(env, env.ws.WSAConnect(s, ("127.0.0.1", port), 8), E.WSAEFAULT)


def test_wsaefault_when_name_is_null(env: Env) -> None:
    s = env.socket()
    fails_with(env, env.ws.WSAConnect(s, None), E.WSAEFAULT)


def test_wsaefault_when_namelen_runs_past_the_buffer(env: Env) -> None:
    s = env.socket()
    raw = bytes([2, 0, 0, 80, 127, 0, 0, 1]) + bytes(8)
    fails_with(env, env.ws.WSAConnect(s, raw, 64), E.WSAEFAULT)


def test_wsaefault_when_callee_data_len_exceeds_its_buffer(env: Env) -> None:
    _, port = env.listener()
    s = env.socket()
    callee = WSABUF(64, bytearray(8))
    fails_with(env, env.ws.WSAConnect(s, ("127.0.0.1", port), callee_data=callee), E.WSAEFAULT)


@pytest.mark.wine_deviation("a family mismatch gives WSAEOPNOTSUPP or WSAEINVAL (docs/wine.md)")
def test_wsaeafnosupport_for_an_ipv6_name_on_an_ipv4_socket(env: Env) -> None:
    s = env.socket(C.AF_INET)
    fails_with(env, env.ws.WSAConnect(s, ("::1", 80, 0, 0)), E.WSAEAFNOSUPPORT)


@pytest.mark.wine_deviation("0.0.0.0:port connects to loopback (docs/wine.md)")
def test_wsaeaddrnotavail_for_addr_any(env: Env) -> None:
    _, port = env.listener()
    s = env.socket()
    fails_with(env, env.ws.WSAConnect(s, ("0.0.0.0", port)), E.WSAEADDRNOTAVAIL)


@pytest.mark.wine_deviation("[::]:port connects to loopback (docs/wine.md)")
def test_wsaeaddrnotavail_for_in6addr_any(env: Env) -> None:
    s = env.socket(C.AF_INET6)
    fails_with(env, env.ws.WSAConnect(s, ("::", 80, 0, 0)), E.WSAEADDRNOTAVAIL)


def test_wsaeinval_on_a_listening_socket(env: Env) -> None:
    listener, port = env.listener()
    fails_with(env, env.ws.WSAConnect(listener, ("127.0.0.1", port)), E.WSAEINVAL)


@pytest.mark.wine_deviation("WSAConnect ignores gqos (docs/wine.md)")
def test_wsaeinval_when_gqos_is_not_null(env: Env) -> None:
    _, port = env.listener()
    s = env.socket()
    fails_with(env, env.ws.WSAConnect(s, ("127.0.0.1", port), gqos=QOS()), E.WSAEINVAL)


def test_wsaeisconn_when_connecting_a_connected_socket(env: Env) -> None:
    _, port = env.listener()
    s = env.socket()
    assert env.ws.WSAConnect(s, ("127.0.0.1", port)) == 0
    fails_with(env, env.ws.WSAConnect(s, ("127.0.0.1", port)), E.WSAEISCONN)


def test_wsaeconnrefused_when_nothing_listens(env: Env) -> None:
    port = env.closed_port()
    s = env.socket()
    fails_with(env, env.ws.WSAConnect(s, ("127.0.0.1", port)), E.WSAECONNREFUSED)


@pytest.mark.wine_deviation("re-connecting after a refusal gives WSAECONNABORTED (docs/wine.md)")
def test_same_socket_may_connect_again_after_wsaeconnrefused(env: Env) -> None:
    port = env.closed_port()
    s = env.socket()
    fails_with(env, env.ws.WSAConnect(s, ("127.0.0.1", port)), E.WSAECONNREFUSED)
    _, live = env.listener()
    assert env.ws.WSAConnect(s, ("127.0.0.1", live)) == 0


@pytest.mark.wine_deviation("WSAConnect ignores caller data (docs/wine.md)")
def test_wsaeprotonosupport_for_connect_data_over_tcp(env: Env) -> None:
    _, port = env.listener()
    s = env.socket()
    rc = env.ws.WSAConnect(s, ("127.0.0.1", port), caller_data=b"hello")
    fails_with(env, rc, E.WSAEPROTONOSUPPORT)


@pytest.mark.wine_deviation("WSAConnect leaves callee_data.len untouched (docs/wine.md)")
def test_callee_data_len_is_set_to_zero_over_tcp(env: Env) -> None:
    _, port = env.listener()
    s = env.socket()
    callee = WSABUF(16, bytearray(16))
    assert env.ws.WSAConnect(s, ("127.0.0.1", port), callee_data=callee) == 0
    assert callee.len == 0


@pytest.mark.parametrize("service", [C.SERVICETYPE_GUARANTEED, C.SERVICETYPE_CONTROLLEDLOAD])
@pytest.mark.wine_deviation("WSAConnect ignores sqos (docs/wine.md)")
def test_wsaeopnotsupp_when_no_provider_can_meet_the_flowspec(env: Env, service: int) -> None:
    _, port = env.listener()
    s = env.socket()
    qos = QOS(sending=FLOWSPEC(service_type=service), receiving=FLOWSPEC(service_type=service))
    fails_with(env, env.ws.WSAConnect(s, ("127.0.0.1", port), sqos=qos), E.WSAEOPNOTSUPP)


@pytest.mark.parametrize(
    "service", [C.SERVICETYPE_BESTEFFORT, C.SERVICETYPE_NOTRAFFIC, C.QOS_NOT_SPECIFIED]
)
def test_best_effort_flowspec_is_accepted(env: Env, service: int) -> None:
    _, port = env.listener()
    s = env.socket()
    qos = QOS(sending=FLOWSPEC(service_type=service), receiving=FLOWSPEC(service_type=service))
    assert env.ws.WSAConnect(s, ("127.0.0.1", port), sqos=qos) == 0


def test_wsaewouldblock_on_a_nonblocking_socket(env: Env) -> None:
    _, port = env.listener()
    s = env.socket()
    assert env.ws.ioctlsocket(s, C.FIONBIO, 1) == 0
    fails_with(env, env.ws.WSAConnect(s, ("127.0.0.1", port)), E.WSAEWOULDBLOCK)


def test_wsaealready_while_a_nonblocking_connect_is_in_progress(env: Env) -> None:
    # A listener with a full backlog leaves the connect pending on Linux and Windows alike
    # (docs/wine.md); the simulator's listener answers, so the second call comes first.
    _, port = env.listener()
    s = env.socket()
    assert env.ws.ioctlsocket(s, C.FIONBIO, 1) == 0
    fails_with(env, env.ws.WSAConnect(s, ("127.0.0.1", port)), E.WSAEWOULDBLOCK)
    rc = env.ws.WSAConnect(s, ("127.0.0.1", port))
    # The connect may have completed in between on a real stack (then WSAEISCONN).
    assert rc == C.SOCKET_ERROR
    assert env.ws.WSAGetLastError() in (E.WSAEALREADY, E.WSAEISCONN)
    if env.kind == "sim":
        assert env.ws.WSAGetLastError() == E.WSAEALREADY


@pytest.mark.wine_deviation(
    "a connect whose address pair is taken gives WSAEADDRNOTAVAIL (Linux EADDRNOTAVAIL)"
)
def test_wsaeaddrinuse_when_two_sockets_would_share_one_connection(env: Env) -> None:
    # WSAConnect document, WSAEADDRINUSE: a wildcard bind "commits" its address at connect
    # time; two sockets bound with SO_REUSEADDR to the same port cannot both connect to the
    # same destination.
    _, port = env.listener()
    first, second = env.socket(), env.socket()
    for s in (first, second):
        assert env.ws.setsockopt(s, C.SOL_SOCKET, C.SO_REUSEADDR, 1) == 0
    assert env.ws.bind(first, ("127.0.0.1", 0)) == 0
    rc, name = env.ws.getsockname(first)
    assert rc == 0
    assert name is not None
    assert env.ws.bind(second, ("127.0.0.1", name[1])) == 0
    assert env.ws.WSAConnect(first, ("127.0.0.1", port)) == 0
    fails_with(env, env.ws.WSAConnect(second, ("127.0.0.1", port)), E.WSAEADDRINUSE)


@pytest.mark.wine_deviation(
    "UDP connect to 255.255.255.255 without SO_BROADCAST gives WSAEACCES (Windows connects)"
)
def test_wsaeacces_for_udp_broadcast_without_so_broadcast(env: Env) -> None:
    s = env.socket(C.AF_INET, C.SOCK_DGRAM)
    rc = env.ws.WSAConnect(s, ("255.255.255.255", 9))
    if env.profile == "documented":
        fails_with(env, rc, E.WSAEACCES)
    else:
        # Windows connects anyway (docs/windows.md); sendto to broadcast still fails.
        assert rc == 0


def test_udp_broadcast_connect_allowed_with_so_broadcast(env: Env) -> None:
    s = env.socket(C.AF_INET, C.SOCK_DGRAM)
    assert env.ws.setsockopt(s, C.SOL_SOCKET, C.SO_BROADCAST, 1) == 0
    assert env.ws.WSAConnect(s, ("255.255.255.255", 9)) == 0
