"""Simulator sockets behave like socket.socket on Windows: same methods, same exceptions."""

from __future__ import annotations

import socket

import pytest
import wsasim

import wsaconnect
from wsaconnect import errors as E


@pytest.fixture
def server(bare_server: wsasim.Host) -> wsasim.Host:
    host = bare_server
    host.listen(443)
    return host


def echo_once(server: wsasim.Host) -> None:
    """Accept one connection on port 7 and echo what it receives: a peer driven by the clock,
    polling with non-blocking calls (a scheduled callback must not block, as an APC must not)."""
    listener = server.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("0.0.0.0", 7))
    listener.listen()
    listener.setblocking(False)
    later = server.network.clock.call_later

    def serve() -> None:
        try:
            conn, _ = listener.accept()
        except BlockingIOError:
            later(0.001, serve)
            return
        conn.setblocking(False)
        later(0.0, lambda: echo(conn))

    def echo(conn: wsasim.SimSocket) -> None:
        try:
            conn.sendall(conn.recv(100))
        except BlockingIOError:
            later(0.001, lambda: echo(conn))

    later(0.0, serve)


def test_code_written_for_socket_socket_runs_unchanged(
    client: wsasim.Host, server: wsasim.Host
) -> None:
    echo_once(server)
    with client.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(5.0)
        s.connect(("192.0.2.20", 7))
        s.sendall(b"hello")
        assert s.recv(100) == b"hello"
        assert s.getpeername() == ("192.0.2.20", 7)
        assert s.gettimeout() == 5.0
    assert s.fileno() == -1


def test_host_os_constants_are_accepted(client: wsasim.Host, server: wsasim.Host) -> None:
    with client.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:  # 10 on Linux, 23 on Windows
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        assert s.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR) == 1
        s.connect(("::ffff:192.0.2.20", 443, 0, 0))
        assert s.getpeername() == ("::ffff:192.0.2.20", 443, 0, 0)


def test_refused_connect_raises_connection_refused_error_like_windows(
    client: wsasim.Host, server: wsasim.Host
) -> None:
    with client.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        with pytest.raises(ConnectionRefusedError) as caught:
            s.connect(("192.0.2.20", 80))
        assert caught.value.winerror == E.WSAECONNREFUSED  # type: ignore[attr-defined]
        assert str(caught.value).startswith("[WinError 10061]")


def test_connect_ex_returns_the_code(client: wsasim.Host, server: wsasim.Host) -> None:
    with client.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        assert s.connect_ex(("192.0.2.20", 80)) == E.WSAECONNREFUSED
        assert s.connect_ex(("192.0.2.20", 443)) == 0


def test_settimeout_gives_timeout_error_in_virtual_time(
    net: wsasim.Network, client: wsasim.Host
) -> None:
    with client.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(2.5)
        with pytest.raises(TimeoutError, match="timed out"):
            s.connect(("192.0.2.99", 443))
    assert net.now == 2.5


def test_nonblocking_connect_raises_blocking_io_error(
    client: wsasim.Host, server: wsasim.Host
) -> None:
    with client.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setblocking(False)
        assert not s.getblocking()
        with pytest.raises(BlockingIOError) as caught:
            s.connect(("192.0.2.20", 443))
        assert caught.value.winerror == E.WSAEWOULDBLOCK  # type: ignore[attr-defined]


def test_datagrams_with_sendto_and_recvfrom(client: wsasim.Host, server: wsasim.Host) -> None:
    receiver = server.socket(socket.AF_INET, socket.SOCK_DGRAM)
    receiver.bind(("0.0.0.0", 5353))
    with client.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        assert s.sendto(b"query", ("192.0.2.20", 5353)) == 5
        data, source = receiver.recvfrom(100)
        assert data == b"query"
        assert source == ("192.0.2.10", s.getsockname()[1])  # type: ignore[index]
        assert s.getsockname()[0] == "0.0.0.0"  # type: ignore[index]  # sendto's implicit bind
    receiver.close()


def test_closed_socket_raises_like_windows(client: wsasim.Host) -> None:
    s = client.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.close()
    s.close()  # a second close is a no-op
    with pytest.raises(wsaconnect.WinsockError) as caught:
        s.connect(("192.0.2.20", 443))
    assert caught.value.winerror == E.WSAENOTSOCK


def test_pythonic_api_accepts_a_simulator_socket(client: wsasim.Host, server: wsasim.Host) -> None:
    with client.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        assert wsaconnect.connect(s, ("192.0.2.20", 443)) == b""
        assert s.getpeername() == ("192.0.2.20", 443)


def test_bad_family_raises_the_winsock_error(client: wsasim.Host) -> None:
    with pytest.raises(wsaconnect.WinsockError) as caught:
        client.socket(99, socket.SOCK_STREAM)
    assert caught.value.winerror == E.WSAEAFNOSUPPORT


def test_settimeout_rejects_bad_values(client: wsasim.Host) -> None:
    with client.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        with pytest.raises(ValueError, match="out of range"):
            s.settimeout(-1)
        # socket_parse_timeout: a str is no number ("'str' object cannot be interpreted as an
        # integer", as _PyTime_FromSecondsObject says).
        with pytest.raises(TypeError, match="cannot be interpreted as an integer"):
            s.settimeout("1")  # type: ignore[arg-type]


def test_family_is_reported_in_the_host_os_numbering(client: wsasim.Host) -> None:
    with client.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
        assert s.family == socket.AF_INET6
        assert s.type == socket.SOCK_STREAM
