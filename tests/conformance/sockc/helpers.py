"""What sock.c's tests share, translated once: its setup helpers and its assertion shapes."""

from __future__ import annotations

from tests.conformance.harness import Env
from wsaconnect import constants as C
from wsaconnect import errors as E

#: (int)0xdeadbeef: sock.c's SetLastError(0xdeadbeef); WSASetLastError takes a C int.
DEADBEEF = 0xDEADBEEF - (1 << 32)


def fails_with(env: Env, rc: int, code: int) -> bool:
    """Assert that a call returned SOCKET_ERROR with ``code`` in WSAGetLastError (True then, so
    that ``assert fails_with(...)`` reads as the check it is)."""
    assert rc == C.SOCKET_ERROR, rc
    assert env.ws.WSAGetLastError() == code, E.name(env.ws.WSAGetLastError())
    return True


def own(env: Env, s: int) -> int:
    """Have the harness close ``s`` (an accepted socket) at the end of the test."""
    assert s != C.INVALID_SOCKET, E.name(env.ws.WSAGetLastError())
    env._opened.append(s)
    return s


def tcp_socketpair(env: Env) -> tuple[int, int]:
    """sock.c:165 tcp_socketpair_flags: a connected pair ``(connector, accepted)`` on loopback."""
    server, port = env.listener(backlog=1)
    src = env.socket()
    assert env.ws.connect(src, ("127.0.0.1", port)) == 0, E.name(env.ws.WSAGetLastError())
    dst, _ = env.ws.accept(server)
    own(env, dst)
    assert env.ws.closesocket(server) == 0
    return src, dst


def setup_server_socket(env: Env) -> tuple[int, int]:
    """sock.c:4580 setup_server_socket: SO_REUSEADDR, bound to 127.0.0.1:0, listen(5)."""
    s = env.socket()
    assert env.ws.setsockopt(s, C.SOL_SOCKET, C.SO_REUSEADDR, 1) == 0
    assert env.ws.bind(s, ("127.0.0.1", 0)) == 0
    rc, name = env.ws.getsockname(s)
    assert rc == 0
    assert name is not None
    assert env.ws.listen(s, 5) == 0
    return s, name[1]


def free_port(env: Env) -> int:
    """A port free on the IPv4 and the IPv6 wildcard (sock.c uses a fixed SERVERPORT)."""
    for _ in range(20):
        v4 = env.ws.socket(C.AF_INET, C.SOCK_STREAM, 0)
        v6 = env.ws.socket(C.AF_INET6, C.SOCK_STREAM, 0)
        try:
            assert env.ws.bind(v4, ("0.0.0.0", 0)) == 0
            rc, name = env.ws.getsockname(v4)
            assert rc == 0
            assert name is not None
            if env.ws.bind(v6, ("::", name[1])) == 0:
                return name[1]
        finally:
            env.ws.closesocket(v4)
            env.ws.closesocket(v6)
    raise AssertionError("no port free on both wildcards")
