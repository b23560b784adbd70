"""Bad input: a wrong Python type raises TypeError naming the argument; an impossible value
gives the Winsock code Windows would give; nothing else escapes, and the network stays usable.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import wsasim

from tests.sim.conftest import Lab
from wsaconnect import constants as C
from wsaconnect import errors as E


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda ws, s: ws.WSAConnect("3", ("192.0.2.20", 80)), "s"),
        (lambda ws, s: ws.WSAConnect(s, 80), "name"),
        (lambda ws, s: ws.WSAConnect(s, (80, "192.0.2.20")), "host"),
        (lambda ws, s: ws.WSAConnect(s, ("192.0.2.20", "80")), "port"),
        (lambda ws, s: ws.WSAConnect(s, ("192.0.2.20", 80), "16"), "namelen"),
        (lambda ws, s: ws.WSAConnect(s, ("192.0.2.20", 80), caller_data="hi"), "caller_data"),
        (lambda ws, s: ws.WSAConnect(s, ("192.0.2.20", 80), callee_data=b"x"), "callee_data"),
        (lambda ws, s: ws.WSAConnect(s, ("192.0.2.20", 80), sqos={}), "sqos"),
        (lambda ws, s: ws.socket("AF_INET", C.SOCK_STREAM), "af"),
        (lambda ws, s: ws.setsockopt(s, C.SOL_SOCKET, C.SO_BROADCAST, "yes"), "value"),
        (lambda ws, s: ws.send(s, "text"), "data"),
        (lambda ws, s: ws.select(s, [], []), "readfds"),
        (lambda ws, s: ws.select([s], [], [], "1"), "timeout"),
    ],
)
def test_wrong_python_type_raises_type_error_naming_the_argument(
    lab: Lab, call: object, argument: str
) -> None:
    s = lab.tcp()
    with pytest.raises(TypeError, match=argument):
        call(lab.ws, s)  # type: ignore[operator]


@pytest.mark.parametrize(
    ("name", "argument"),
    [(("192.0.2.20", 70000), "port"), (("example.com", 80), "numeric"), (("1.2.3.4.5", 1), "IPv4")],
)
def test_impossible_address_raises_value_error(lab: Lab, name: object, argument: str) -> None:
    s = lab.tcp()
    with pytest.raises(ValueError, match=argument):
        lab.ws.WSAConnect(s, name)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("af", "type", "protocol", "code"),
    [
        (99, C.SOCK_STREAM, 0, E.WSAEAFNOSUPPORT),
        (C.AF_INET, 99, 0, E.WSAESOCKTNOSUPPORT),
        (C.AF_INET, C.SOCK_STREAM, C.IPPROTO_UDP, E.WSAEPROTOTYPE),
        (C.AF_INET, C.SOCK_STREAM, 99, E.WSAEPROTONOSUPPORT),
    ],
)
def test_socket_rejects_what_windows_rejects(
    lab: Lab, af: int, type: int, protocol: int, code: int
) -> None:
    assert lab.ws.socket(af, type, protocol) == C.INVALID_SOCKET
    assert lab.error() == code


def test_unknown_socket_option_is_wsaenoprotoopt(lab: Lab) -> None:
    s = lab.tcp()
    assert lab.ws.setsockopt(s, C.SOL_SOCKET, 0x4242, 1) == C.SOCKET_ERROR
    assert lab.error() == E.WSAENOPROTOOPT
    assert lab.ws.getsockopt(s, C.IPPROTO_TCP, 0x4242) == (C.SOCKET_ERROR, None)
    assert lab.error() == E.WSAENOPROTOOPT


def test_raw_sockaddr_with_unknown_family_is_wsaeafnosupport(lab: Lab) -> None:
    s = lab.tcp()
    raw = bytes([0x11, 0]) + bytes(14)
    assert lab.ws.WSAConnect(s, raw) == C.SOCKET_ERROR
    assert lab.error() == E.WSAEAFNOSUPPORT


def test_network_construction_checks_its_arguments() -> None:
    with pytest.raises(TypeError, match="latency"):
        wsasim.Network(latency="fast")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="latency"):
        wsasim.Network(latency=-1)
    net = wsasim.Network()
    net.add_host("a", ["192.0.2.1/24"])
    with pytest.raises(ValueError, match="already belongs to a"):
        net.add_host("b", ["192.0.2.1/24"])
    with pytest.raises(ValueError, match="already exists"):
        net.add_host("a", [])
    with pytest.raises(TypeError, match="addresses"):
        net.add_host("c", "192.0.2.3/24")
    with pytest.raises(ValueError, match="not an address"):
        net.add_host("c", ["192.0.2.300/24"])
    with pytest.raises(ValueError, match="no host named"):
        net.set_latency("a", "zzz", 0.1)


def test_failed_calls_leave_the_network_usable(lab: Lab) -> None:
    s = lab.tcp()
    for bad in (None, b"\x02\x00", ("0.0.0.0", 80)):
        assert lab.ws.WSAConnect(s, bad) == C.SOCKET_ERROR
    lab.listen(80)
    assert lab.ws.WSAConnect(s, ("192.0.2.20", 80)) == 0


def test_event_select_and_async_select_need_a_real_event_or_window(lab: Lab) -> None:
    s = lab.tcp()
    assert lab.ws.WSAEventSelect(s, 0x7FFC, C.FD_READ) == C.SOCKET_ERROR
    assert lab.error() == E.WSAEINVAL
    assert lab.ws.WSAAsyncSelect(s, 0x7FFC, C.WM_USER, C.FD_READ) == C.SOCKET_ERROR
    assert lab.error() == E.WSAEINVAL
    assert lab.ws.ioctlsocket(s, C.FIONBIO, 0) == 0  # nothing was registered
    assert lab.ws.WSAEventSelect(s, 0x7FFC, 0) == 0  # a zero mask cancels, whatever h is


# --- every number is checked once, before it can break the simulator later ---------------------

INF, NAN = float("inf"), float("nan")


@pytest.mark.parametrize(
    ("make", "argument"),
    [
        (lambda: wsasim.Network(latency=INF), "latency"),
        (lambda: wsasim.Network(latency=NAN), "latency"),
        (lambda: wsasim.Network(latency=10**400), "latency"),
        (lambda: wsasim.Network(latency=1e308), "latency"),  # now + latency + latency = inf
        # A descending range passed the old check and handed out ports above 65535.
        (lambda: wsasim.Network(ephemeral_ports=range(49152, 70000)[::-1]), "ephemeral_ports"),
        (lambda: wsasim.Network(ephemeral_ports=range(5, -5, -1)), "ephemeral_ports"),
        (lambda: wsasim.TcpTiming(initial_rto=NAN), "initial_rto"),
        (lambda: wsasim.TcpTiming(initial_rto=INF), "initial_rto"),
        (lambda: wsasim.TcpTiming(refused_retry_interval=INF), "refused_retry_interval"),
        (lambda: wsasim.TcpTiming(syn_retransmissions=2000), "syn_retransmissions"),
        (lambda: wsasim.Network().advance(INF), "seconds"),
        (lambda: wsasim.Network().call_at(INF, lambda: None), "t"),
        (lambda: wsasim.Network().clock.run_until(INF), "when"),
    ],
)
def test_an_impossible_number_for_the_network_is_a_value_error_naming_it(
    make: Callable[[], object], argument: str
) -> None:
    with pytest.raises(ValueError, match=argument):
        make()


@pytest.mark.parametrize("timeout", [INF, -INF, NAN, 10**400, 2**31])
def test_a_timeval_carries_neither_nan_nor_infinity(lab: Lab, timeout: float) -> None:
    s = lab.tcp()
    with pytest.raises(ValueError, match="timeout"):
        lab.ws.select([s], [], [], timeout)
    with pytest.raises(ValueError, match="timeout"):
        lab.ws.WSAConnectByList(s, [("192.0.2.20", 80)], timeout)
    assert lab.net.now == 0.0  # the clock did not move to infinity


def test_the_latency_inf_minus_inf_path_is_closed() -> None:
    # latency=inf once made a route delay of inf - inf = NaN, after which a connect raised
    # from inside the clock and stayed connecting for ever.
    net = wsasim.Network()
    a, b = net.add_host("a", ["192.0.2.1/24"]), net.add_host("b", ["192.0.2.2/24"])
    with pytest.raises(ValueError, match="seconds"):
        net.set_latency(a, b, INF)


@pytest.mark.parametrize(
    ("call", "error", "argument"),
    [
        (lambda net: net.call_at(NAN, lambda: None), ValueError, "t"),
        (lambda net: net.call_at(1.0, "not callable"), TypeError, "fn"),
        (lambda net: net.add_host("h", 5), TypeError, "addresses"),
        (lambda net: net.add_host("h", ["224.0.0.1/4"]), ValueError, "addresses"),
        (lambda net: net.add_host("h", ["ff02::1"]), ValueError, "addresses"),
        (lambda net: net.add_host("h", ["255.255.255.255"]), ValueError, "addresses"),
        (lambda net: net.add_host("h", ["192.0.2.255/24"]), ValueError, "addresses"),
        (lambda net: net.add_host("h", ["::ffff:192.0.2.1"]), ValueError, "addresses"),
        (lambda net: net.add_name("n", 5), TypeError, "addresses"),
        (lambda net: net.hosts["ok"].winsock.select(["3"], [], []), TypeError, "readfds"),
    ],
)
def test_a_network_argument_of_the_wrong_kind_names_itself(
    call: Callable[[wsasim.Network], object], error: type[Exception], argument: str
) -> None:
    net = wsasim.Network()
    net.add_host("ok").winsock.WSAStartup()
    with pytest.raises(error, match=rf"^{argument}[: ]"):
        call(net)


def test_simsocket_sendto_and_sendall_take_what_cpython_takes(lab: Lab) -> None:
    with lab.client.socket(C.AF_INET, C.SOCK_DGRAM) as s:
        with pytest.raises(TypeError, match=r"takes 2 or 3 arguments \(1 given\)"):
            s.sendto(b"x")
        with pytest.raises(TypeError, match=r"takes 2 or 3 arguments \(4 given\)"):
            s.sendto(b"x", 0, ("192.0.2.20", 9), "extra")
        with pytest.raises(TypeError, match="bytes-like"):
            s.sendall(5)  # type: ignore[arg-type]  # it once sent five NUL bytes
