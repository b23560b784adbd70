"""wsaconnect.staggered_connect on every backend, over loopback: the same code (non-blocking
connect, select's writefds and exceptfds, SO_ERROR) natively and on the simulator.

The exact virtual times of the race (the delay, interleaving, the deadline) are
tests/sim/test_staggered.py's; here only what loopback can show on a real Windows too.
"""

from __future__ import annotations

import builtins

import pytest

import wsaconnect
from tests.conformance.harness import Env
from wsaconnect import constants as C
from wsaconnect import errors as E

#: ExceptionGroup (Python 3.11), looked up so that the module also imports on 3.10.
EXCEPTION_GROUP: type[Exception] = vars(builtins).get("ExceptionGroup", Exception)


def test_connects_to_a_loopback_listener_and_the_socket_is_the_callers(env: Env) -> None:
    listener, port = env.listener()
    conn = wsaconnect.staggered_connect([("127.0.0.1", port)], backend=env.ws)
    sock = conn.socket
    try:
        assert conn.remote == ("127.0.0.1", port)
        assert sock.getpeername() == ("127.0.0.1", port)
        assert sock.getblocking()  # blocking again, as a connected socket is handed back
        assert [a.outcome for a in conn.attempts] == ["connected"]
        server, _ = env.ws.accept(listener)
        assert server != C.INVALID_SOCKET
        sock.sendall(b"ping")
        assert env.ws.recv(server, 4) == (4, b"ping")
        assert env.ws.closesocket(server) == 0
    finally:
        sock.close()


def test_a_refused_ipv6_loopback_gives_way_to_ipv4(env: Env) -> None:
    listener, port = env.listener()
    closed6 = env.closed_port(C.AF_INET6, "::1")
    conn = wsaconnect.staggered_connect([("::1", closed6), ("127.0.0.1", port)], backend=env.ws)
    try:
        assert conn.remote == ("127.0.0.1", port)
        assert [(a.remote.host, a.outcome) for a in conn.attempts] == [
            ("::1", "WSAECONNREFUSED"),
            ("127.0.0.1", "connected"),
        ]
        first = conn.attempts[0]
        assert first.ended is not None
        assert conn.attempts[1].started >= first.started
    finally:
        conn.socket.close()
    server, _ = env.ws.accept(listener)
    env.ws.closesocket(server)


def test_every_refusal_raises_the_first_or_all_with_the_attempts(env: Env) -> None:
    targets = [("::1", env.closed_port(C.AF_INET6, "::1")), ("127.0.0.1", env.closed_port())]
    with pytest.raises(ConnectionRefusedError) as first:
        wsaconnect.staggered_connect(targets, backend=env.ws)
    assert getattr(first.value, "winerror", None) == E.WSAECONNREFUSED
    attempts = first.value.attempts  # type: ignore[attr-defined]
    assert [a.outcome for a in attempts] == ["WSAECONNREFUSED"] * 2
    with pytest.raises(EXCEPTION_GROUP) as group:
        wsaconnect.staggered_connect(targets, backend=env.ws, all_errors=True)
    errors = group.value.exceptions  # type: ignore[attr-defined]
    assert [getattr(e, "winerror", None) for e in errors] == [E.WSAECONNREFUSED] * 2


def test_bad_arguments_fail_before_any_socket_is_made(env: Env) -> None:
    with pytest.raises(ValueError, match="delay"):
        wsaconnect.staggered_connect([("127.0.0.1", 80)], delay=-1.0, backend=env.ws)
    with pytest.raises(ValueError, match="no address"):
        wsaconnect.staggered_connect([], backend=env.ws)
    with pytest.raises(TypeError, match="addresses"):
        wsaconnect.staggered_connect("127.0.0.1:80", backend=env.ws)  # type: ignore[arg-type]
