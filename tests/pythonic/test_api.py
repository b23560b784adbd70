"""The Pythonic API over the simulator: exceptions, Connection results, create_connection."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import wsasim
from wsasim.winsock import Winsock

import wsaconnect
from wsaconnect import FLOWSPEC, QOS
from wsaconnect import constants as C


@pytest.fixture
def server(wsasim_server: Callable[..., wsasim.Host]) -> wsasim.Host:
    return wsasim_server("192.0.2.20/24", "2001:db8::20/64", ports=[443])


def test_connect_returns_empty_callee_data_over_tcp(
    wsasim_backend: Winsock, server: wsasim.Host
) -> None:
    s = wsasim_backend.socket(C.AF_INET, C.SOCK_STREAM)
    assert wsaconnect.connect(s, ("192.0.2.20", 443)) == b""
    assert wsasim_backend.getpeername(s) == (0, ("192.0.2.20", 443))


def test_connect_raises_connection_refused_with_winerror(
    wsasim_backend: Winsock, server: wsasim.Host
) -> None:
    s = wsasim_backend.socket(C.AF_INET, C.SOCK_STREAM)
    with pytest.raises(ConnectionRefusedError) as caught:
        wsaconnect.connect(s, ("192.0.2.20", 80))
    assert isinstance(caught.value, wsaconnect.WinsockError)
    assert caught.value.winerror == 10061


def test_connect_timeout_is_a_timeout_error(
    wsasim_network: wsasim.Network, wsasim_backend: Winsock
) -> None:
    s = wsasim_backend.socket(C.AF_INET, C.SOCK_STREAM)
    with pytest.raises(TimeoutError):
        wsaconnect.connect(s, ("192.0.2.99", 443))
    assert wsasim_network.now == 21.0


def test_connect_with_connect_data_is_wsaeprotonosupport(
    wsasim_backend: Winsock, server: wsasim.Host
) -> None:
    s = wsasim_backend.socket(C.AF_INET, C.SOCK_STREAM)
    with pytest.raises(wsaconnect.WinsockError) as caught:
        wsaconnect.connect(s, ("192.0.2.20", 443), caller_data=b"hi")
    assert caught.value.winerror == wsaconnect.errors.WSAEPROTONOSUPPORT


def test_connect_with_guaranteed_qos_is_wsaeopnotsupp(
    wsasim_backend: Winsock, server: wsasim.Host
) -> None:
    s = wsasim_backend.socket(C.AF_INET, C.SOCK_STREAM)
    qos = QOS(sending=FLOWSPEC(service_type=C.SERVICETYPE_GUARANTEED))
    with pytest.raises(wsaconnect.WinsockError, match="10045"):
        wsaconnect.connect(s, ("192.0.2.20", 443), qos=qos)


def test_connect_on_a_nonblocking_socket_raises_blocking_io_error(
    wsasim_backend: Winsock, server: wsasim.Host
) -> None:
    s = wsasim_backend.socket(C.AF_INET, C.SOCK_STREAM)
    wsasim_backend.ioctlsocket(s, C.FIONBIO, 1)
    with pytest.raises(BlockingIOError):
        wsaconnect.connect(s, ("192.0.2.20", 443))


def test_connect_by_list_reports_the_attempts(
    wsasim_network: wsasim.Network, wsasim_backend: Winsock, server: wsasim.Host
) -> None:
    wsasim_network.blackhole("2001:db8::20")
    s = wsasim_backend.socket(C.AF_INET6, C.SOCK_STREAM)
    wsasim_backend.setsockopt(s, C.IPPROTO_IPV6, C.IPV6_V6ONLY, 0)
    result = wsaconnect.connect_by_list(s, [("2001:db8::20", 443), ("::ffff:192.0.2.20", 443)])
    assert result.remote == ("::ffff:192.0.2.20", 443, 0, 0)
    assert [(a.outcome, a.started) for a in result.attempts] == [
        ("WSAETIMEDOUT", 0.0),
        ("connected", 21.0),
    ]


def test_connect_by_name_resolves_through_the_network(
    wsasim_network: wsasim.Network, wsasim_backend: Winsock, server: wsasim.Host
) -> None:
    wsasim_network.add_name("www.example", ["192.0.2.20"])
    s = wsasim_backend.socket(C.AF_INET, C.SOCK_STREAM)
    assert wsaconnect.connect_by_name(s, "www.example", "https").remote == ("192.0.2.20", 443)
    s2 = wsasim_backend.socket(C.AF_INET, C.SOCK_STREAM)
    assert wsaconnect.connect_by_name(s2, "www.example", 443).remote == ("192.0.2.20", 443)


def test_connect_by_name_unknown_host_raises_wsahost_not_found(wsasim_backend: Winsock) -> None:
    s = wsasim_backend.socket(C.AF_INET, C.SOCK_STREAM)
    with pytest.raises(wsaconnect.WinsockError) as caught:
        wsaconnect.connect_by_name(s, "nowhere.example", "http")
    assert caught.value.winerror == wsaconnect.errors.WSAHOST_NOT_FOUND


def test_create_connection_gives_a_dual_stack_socket_the_caller_owns(
    wsasim_network: wsasim.Network, wsasim_backend: Winsock, server: wsasim.Host
) -> None:
    wsasim_network.blackhole("2001:db8::20")
    with wsaconnect.create_connection([("2001:db8::20", 443), ("192.0.2.20", 443)]) as sock:
        assert sock.getpeername() == ("::ffff:192.0.2.20", 443, 0, 0)
        assert sock.getsockopt(C.IPPROTO_IPV6, C.IPV6_V6ONLY) == 0  # context updated
    assert wsasim_network.now == pytest.approx(21.001)


def test_create_connection_closes_its_socket_when_every_pair_fails(
    wsasim_client: wsasim.Host, wsasim_backend: Winsock, server: wsasim.Host
) -> None:
    with pytest.raises(ConnectionRefusedError):
        wsaconnect.create_connection([("192.0.2.20", 80)])
    assert wsasim_client.sockets() == []


def test_explicit_backend_wins_over_the_context(server: wsasim.Host) -> None:
    other = wsasim.Network()
    with pytest.raises(ConnectionRefusedError):
        # The server lives on the plugin's network, not on this one: there 127.0.0.1 refuses.
        wsaconnect.create_connection(
            [("127.0.0.1", 443)], backend=other.add_host("x", ["192.0.2.1/24"]).winsock
        )


@pytest.mark.parametrize(
    ("call", "error", "argument"),
    [
        (lambda: wsaconnect.connect(3, ("192.0.2.20", 70000)), ValueError, "port"),
        (lambda: wsaconnect.connect(3, (20, 443)), TypeError, "host"),  # type: ignore[arg-type]
        (lambda: wsaconnect.connect("3", ("192.0.2.20", 443)), TypeError, "sock"),
        (lambda: wsaconnect.connect_by_list(3, []), ValueError, "empty"),
        (lambda: wsaconnect.connect_by_list(3, ("192.0.2.20", 443)), TypeError, "addresses"),  # type: ignore[arg-type]
        (lambda: wsaconnect.connect_by_list(3, [("h", 1)]), ValueError, r"addresses\[0\]"),
        (lambda: wsaconnect.connect_by_list(3, [("::1", 1)], timeout=-1), ValueError, "timeout"),
        (lambda: wsaconnect.connect_by_name(3, 80, "http"), TypeError, "host"),  # type: ignore[arg-type]
        (lambda: wsaconnect.connect_by_name(3, "h", 70000), ValueError, "service"),
        (lambda: wsaconnect.create_connection([]), ValueError, "empty"),
    ],
)
def test_bad_arguments_raise_before_anything_is_sent(
    wsasim_network: wsasim.Network,
    wsasim_backend: Winsock,
    call: Callable[[], object],
    error: type[Exception],
    argument: str,
) -> None:
    with pytest.raises(error, match=argument):
        call()
    assert wsasim_network.attempts == []


# --- A socket's backend, and backend=, must be Backends --------------------------------------
# These need no network: a fake socket object and the wsaconnect.api functions only.


class _FakeSocket:
    """A socket-like object (``fileno`` and ``backend``), as a simulator socket is."""

    def __init__(self, backend: object) -> None:
        self.backend = backend

    def fileno(self) -> int:
        return 3


class _Unhashable:
    """Neither a Backend nor hashable (``__eq__`` without ``__hash__``)."""

    def __eq__(self, other: object) -> bool:
        return False

    __hash__ = None  # type: ignore[assignment]


def _fake_backend(calls: list[str]) -> object:
    """A Backend by shape (every protocol method) that records the calls made on it."""
    from wsaconnect.backend import Backend

    def method(name: str) -> Callable[..., object]:
        def call(self: object, *args: object, **kwargs: object) -> object:
            calls.append(name)
            if name in ("WSAConnectByList", "WSAConnectByName"):
                return True, ("192.0.2.10", 50000), ("192.0.2.20", 443)
            if name == "WSAConnect":
                args[4].len = 0  # type: ignore[attr-defined]  # callee_data: none over TCP/IP
            return 0

        return call

    names = [n for n in dir(Backend) if not n.startswith("_")]
    return type("FakeBackend", (), {n: method(n) for n in names})()


_SOCKET_CALLS: list[Callable[[object], object]] = [
    lambda sock: wsaconnect.connect(sock, ("192.0.2.20", 443)),
    lambda sock: wsaconnect.connect_by_list(sock, [("192.0.2.20", 443)]),
    lambda sock: wsaconnect.connect_by_name(sock, "192.0.2.20", 443),
]


@pytest.mark.parametrize("call", _SOCKET_CALLS, ids=["connect", "by_list", "by_name"])
@pytest.mark.parametrize(
    "backend",
    [None, "sim", 42, object(), [], _Unhashable()],
    ids=["None", "str", "int", "object", "list", "unhashable"],
)
def test_a_socket_whose_backend_is_not_a_backend_is_a_type_error_naming_sock(
    call: Callable[[object], object], backend: object
) -> None:
    with pytest.raises(TypeError, match=r"^sock\.backend must be a wsaconnect Backend, not "):
        call(_FakeSocket(backend))


@pytest.mark.parametrize("call", _SOCKET_CALLS, ids=["connect", "by_list", "by_name"])
def test_a_socket_whose_backend_is_a_backend_uses_it(call: Callable[[object], object]) -> None:
    calls: list[str] = []
    call(_FakeSocket(_fake_backend(calls)))
    assert calls[0] == "WSAStartup"
    assert calls[1] in ("WSAConnect", "WSAConnectByList", "WSAConnectByName")


@pytest.mark.parametrize(
    "call",
    [
        lambda b: wsaconnect.connect(3, ("192.0.2.20", 443), backend=b),
        lambda b: wsaconnect.connect_by_list(3, [("192.0.2.20", 443)], backend=b),
        lambda b: wsaconnect.connect_by_name(3, "192.0.2.20", 443, backend=b),
        lambda b: wsaconnect.create_connection([("192.0.2.20", 443)], backend=b),
    ],
    ids=["connect", "by_list", "by_name", "create_connection"],
)
@pytest.mark.parametrize(
    "backend", ["sim", 42, object(), _FakeSocket(None)], ids=["str", "int", "object", "socket"]
)
def test_a_backend_argument_that_is_not_a_backend_is_a_type_error_naming_backend(
    call: Callable[[object], object], backend: object
) -> None:
    with pytest.raises(TypeError, match=r"^backend must be a wsaconnect Backend, not "):
        call(backend)
