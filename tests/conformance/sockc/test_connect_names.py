"""Wine's sock.c test_getsockname (line 4947) and test_getpeername (line 9610) in the low-level
API.

Our getsockname and getpeername always pass a SOCKADDR_STORAGE and its length, so sock.c's
NULL and short buffers (WSAEFAULT) and its checks of the bytes left in the caller's buffer have
no equivalent (see the report of the translation).
"""

from __future__ import annotations

from tests.conformance.harness import Env
from tests.conformance.sockc.helpers import DEADBEEF
from wsaconnect import constants as C
from wsaconnect import errors as E

# --- test_getsockname ---------------------------------------------------------------------------


def test_getsockname_fails_before_bind_and_shows_the_wildcard_and_port_after(env: Env) -> None:
    # sock.c:4947 test_getsockname (4958-4990): WSAStartup(2.0); getsockname of an unbound
    # socket is WSAEINVAL; after bind to INADDR_ANY:0 it gives AF_INET, 0.0.0.0 and a port.
    assert env.ws.WSAStartup(0x0002) == 0
    try:
        sock = env.socket(C.AF_INET, C.SOCK_STREAM, C.IPPROTO_IP)
        env.ws.WSASetLastError(DEADBEEF)
        rc, name = env.ws.getsockname(sock)
        assert (rc, name) == (C.SOCKET_ERROR, None)
        assert env.ws.WSAGetLastError() == E.WSAEINVAL

        assert env.ws.bind(sock, ("0.0.0.0", 0)) == 0
        env.ws.WSASetLastError(DEADBEEF)
        rc, name = env.ws.getsockname(sock)
        assert rc == 0
        assert env.ws.WSAGetLastError() in (0, DEADBEEF)  # DEADBEEF: before Windows 7
        assert name is not None
        assert len(name) == 2  # AF_INET
        assert name[0] == "0.0.0.0"
        assert name[1] != 0
    finally:
        env.ws.WSACleanup()


def test_getsockname_of_a_bound_udp_socket_is_the_address_bound(env: Env) -> None:
    # sock.c:4947 test_getsockname (5001-5028): "The same address we bind must be the same
    # address we get", for each address of gethostbyname(""); here only loopback.
    sock = env.socket(C.AF_INET, C.SOCK_DGRAM, 0)
    assert env.ws.bind(sock, ("127.0.0.1", 0)) == 0
    rc, name = env.ws.getsockname(sock)
    assert rc == 0
    assert name is not None
    assert name[0] == "127.0.0.1"


# --- test_getpeername ---------------------------------------------------------------------------


def test_getpeername_of_an_invalid_socket_is_wsaenotsock(env: Env) -> None:
    # sock.c:9610 test_getpeername (9619-9623).
    rc, name = env.ws.getpeername(C.INVALID_SOCKET)
    assert (rc, name) == (C.SOCKET_ERROR, None)
    assert env.ws.WSAGetLastError() == E.WSAENOTSOCK


def test_udp_getpeername_is_wsaenotconn_until_connect_and_sendto_does_not_connect(
    env: Env,
) -> None:
    # sock.c:9610 test_getpeername (9625-9650, 9685-9690): sendto does not change a socket's
    # connection state; after connect getpeername gives the address connected to. (sock.c
    # passes NULL buffers before the connect; Windows checks the connection first.)
    sock = env.socket(C.AF_INET, C.SOCK_DGRAM, C.IPPROTO_IP)
    destination = ("127.0.0.1", 139)
    rc, name = env.ws.getpeername(sock)
    assert (rc, name) == (C.SOCKET_ERROR, None)
    assert env.ws.WSAGetLastError() == E.WSAENOTCONN

    assert env.ws.sendto(sock, b"hello world\0", 0, destination) != C.SOCKET_ERROR
    rc, name = env.ws.getpeername(sock)
    assert (rc, name) == (C.SOCKET_ERROR, None)
    assert env.ws.WSAGetLastError() == E.WSAENOTCONN

    assert env.ws.connect(sock, destination) == 0
    assert env.ws.getpeername(sock) == (0, destination)
