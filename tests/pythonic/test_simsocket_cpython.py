"""SimSocket behaves as CPython's ``socket.socket`` does on Windows.

Each test names the CPython code it checks (Modules/socketmodule.c, Lib/socket.py). Where
Linux and Windows CPython agree, the real ``socket.socket`` over real loopback is asked the
same question in the same test; where they differ (WSAEWOULDBLOCK as SOCK_TIMEOUT_ERR, a
32-bit C long, Windows' timeval limit, SO_ERROR read after exceptfds), the Windows behaviour
is asserted with its source. Times are virtual (``net.now``), asserted exactly.
"""

from __future__ import annotations

import array
import gc
import io
import os
import pickle
import select
import socket
import warnings
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest
import wsasim
from wsasim.pysocket import SimSocket, active_winsock, pop_winsock, push_winsock

from tests.world import add_client, add_server
from wsaconnect import constants as C
from wsaconnect import errors as E

SERVER = "192.0.2.20"


@pytest.fixture
def server(bare_server: wsasim.Host) -> wsasim.Host:
    return bare_server


@pytest.fixture
def active(client: wsasim.Host) -> Iterator[wsasim.Host]:
    """``client`` as the host ``SimSocket()`` makes sockets on (what ``wsasim.patch`` does,
    Winsock started as the socket module starts it)."""
    client.winsock.WSAStartup()
    push_winsock(client.winsock)
    try:
        yield client
    finally:
        pop_winsock(client.winsock)


@pytest.fixture
def real_pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    """A real TCP connection over loopback: ``(client, server)``."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        a = socket.create_connection(listener.getsockname())
        b, _ = listener.accept()
    with a, b:
        yield a, b


def sim_pair(
    client: wsasim.Host, server: wsasim.Host, port: int = 7
) -> tuple[SimSocket, SimSocket]:
    """A simulated TCP connection: ``(client end, server end)``, both blocking."""
    with server.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("0.0.0.0", port))
        listener.listen()
        c = client.socket(socket.AF_INET, socket.SOCK_STREAM)
        c.connect((SERVER, port))
        s, _ = listener.accept()
    return c, s


def outcome(call: Callable[[], object]) -> tuple[type[BaseException] | None, str]:
    """What ``call()`` raised (type and message), or (None, repr of the result)."""
    try:
        return None, repr(call())
    except Exception as exc:
        return type(exc), str(exc)


def winerror(exc: BaseException) -> int | None:
    value: int | None = getattr(exc, "winerror", None)
    return value


def raises_winerror(code: int) -> AbstractContextManager[pytest.ExceptionInfo[OSError]]:
    """``pytest.raises`` for the OSError Windows CPython gives: ``[WinError <code>] ...``."""
    return pytest.raises(OSError, match=rf"^\[WinError {code}\] ")


# --- construction (Lib/socket.py socket.__init__; socketmodule.c sock_initobj) ---------------


def test_without_an_active_host_socket_socket_says_what_to_do() -> None:
    with pytest.raises(RuntimeError, match=r"wsasim\.patch\(host\).*host\.socket\(\)"):
        active_winsock()
    with pytest.raises(RuntimeError, match=r"needs an active wsasim\.patch\(host\)"):
        SimSocket()


def test_defaults_are_af_inet_sock_stream_0_as_socket_socket(active: wsasim.Host) -> None:
    with SimSocket() as sim, socket.socket() as real:
        assert (sim.family, sim.type, sim.proto) == (real.family, real.type, real.proto)
        assert isinstance(sim.family, socket.AddressFamily)
        assert isinstance(sim.type, socket.SocketKind)
        assert active.find_socket(sim.fileno()) is not None  # on the active host
    with SimSocket(socket.AF_INET6, socket.SOCK_DGRAM) as sim:
        assert (sim.family, sim.type) == (socket.AF_INET6, socket.SOCK_DGRAM)


def test_push_and_pop_nest_and_the_last_pushed_host_is_used(
    net: wsasim.Network, active: wsasim.Host, server: wsasim.Host
) -> None:
    push_winsock(server.winsock)
    try:
        with SimSocket() as s:
            assert server.find_socket(s.fileno()) is not None
    finally:
        pop_winsock(server.winsock)
    with SimSocket() as s:
        assert active.find_socket(s.fileno()) is not None
    with pytest.raises(ValueError, match="not an active Winsock"):
        pop_winsock(server.winsock)


def test_fileno_adopts_a_handle_reading_family_and_type_proto_is_0(active: wsasim.Host) -> None:
    ws = active.winsock
    h = ws.socket(C.AF_INET6, C.SOCK_DGRAM)
    assert ws.bind(h, ("::1", 0, 0, 0)) == 0
    with SimSocket(fileno=h) as s:
        assert s.fileno() == h
        # getsockname gives the family, SO_TYPE the type; Windows has no SO_PROTOCOL: 0.
        assert (s.family, s.type, s.proto) == (socket.AF_INET6, socket.SOCK_DGRAM, 0)
    assert active.find_socket(h) is None  # the object owned it


def test_fileno_of_a_non_socket_is_wsaenotsock(active: wsasim.Host) -> None:
    event = active.winsock.WSACreateEvent()
    with raises_winerror(E.WSAENOTSOCK) as caught:
        SimSocket(fileno=event)
    assert winerror(caught.value) == E.WSAENOTSOCK


def test_fileno_of_an_unbound_socket_needs_the_family_on_windows(active: wsasim.Host) -> None:
    ws = active.winsock
    h = ws.socket(C.AF_INET, C.SOCK_STREAM)
    # sock_initobj, MS_WINDOWS: getsockname fails on an unbound socket; that is an error only
    # when the family must be found from it.
    with raises_winerror(E.WSAEINVAL) as caught:
        SimSocket(fileno=h)
    assert winerror(caught.value) == E.WSAEINVAL
    with SimSocket(socket.AF_INET, fileno=h) as s:
        assert s.type == socket.SOCK_STREAM


def test_fileno_minus_one_is_a_value_error_as_socket_socket(active: wsasim.Host) -> None:
    assert outcome(lambda: SimSocket(fileno=-1)) == outcome(lambda: socket.socket(fileno=-1))


def test_handles_are_no_file_descriptors(client: wsasim.Host) -> None:
    s = client.socket(socket.AF_INET, socket.SOCK_STREAM)
    assert s.fileno() >= 2**32
    with pytest.raises((OverflowError, ValueError)):
        select.select([s], [], [], 0)
    with pytest.raises((OverflowError, ValueError)):
        os.fstat(s.fileno())
    s.close()
    assert s.fileno() == -1


def test_repr_is_lib_socket_pys_with_the_host(
    client: wsasim.Host, server: wsasim.Host, real_pair: tuple[socket.socket, socket.socket]
) -> None:
    c, s = sim_pair(client, server)
    with c, s:
        port = c.getsockname()[1]  # type: ignore[index]
        assert repr(c) == (
            f"<wsasim.pysocket.SimSocket fd={c.fileno()}, family={socket.AF_INET}, "
            f"type={socket.SOCK_STREAM}, proto=6, laddr=('192.0.2.10', {port}), "
            f"raddr=('{SERVER}', 7), host=client>"
        )
    assert repr(c) == (
        f"<wsasim.pysocket.SimSocket [closed] fd=-1, family={socket.AF_INET}, "
        f"type={socket.SOCK_STREAM}, proto=6, host=client>"
    )
    real = real_pair[0]
    assert repr(real).startswith(f"<socket.socket fd={real.fileno()}, family={socket.AF_INET}")


def test_a_socket_cannot_be_pickled(client: wsasim.Host) -> None:
    with client.socket(socket.AF_INET, socket.SOCK_STREAM) as s, socket.socket() as real:
        with pytest.raises(TypeError, match=r"^cannot pickle 'SimSocket' object$"):
            pickle.dumps(s)
        with pytest.raises(TypeError, match=r"^cannot pickle 'socket' object$"):
            pickle.dumps(real)


def test_an_unclosed_socket_warns_and_is_closed(active: wsasim.Host) -> None:
    s = SimSocket()
    handle = s.fileno()
    with pytest.warns(ResourceWarning, match=r"^unclosed <wsasim\.pysocket\.SimSocket fd="):
        del s  # the last reference: finalized now
    assert active.find_socket(handle) is None
    # A socket of host.socket() belongs to the scenario: no warning, its handle stays open.
    kept = active.socket(socket.AF_INET, socket.SOCK_STREAM).fileno()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gc.collect()
    assert active.find_socket(kept) is not None


def test_context_manager_closes_and_close_twice_is_nothing(active: wsasim.Host) -> None:
    with SimSocket() as s:
        handle = s.fileno()
    assert s.fileno() == -1
    assert active.find_socket(handle) is None
    s.close()
    s.__exit__(None, None, None)


def test_a_failed_closesocket_raises_and_the_object_is_closed(client: wsasim.Host) -> None:
    s = client.socket(socket.AF_INET, socket.SOCK_STREAM)
    client.winsock.WSACleanup()  # closes every socket; Winsock is no longer started
    # _socket_socket_close_impl: the handle is forgotten first, then closesocket's error.
    with raises_winerror(E.WSANOTINITIALISED) as caught:
        s.close()
    assert winerror(caught.value) == E.WSANOTINITIALISED
    assert s.fileno() == -1
    s.close()  # already closed: nothing


# --- timeouts (socketmodule.c socket_parse_timeout, sock_settimeout, init_sockobject) --------

REFUSED_BY_BOTH: list[Any] = [
    "1",
    [1],
    float("nan"),
    -1,
    -0.5,
    float("inf"),
    float("-inf"),
    1e300,
    10**400,
    -(10**400),
    2**63,
]


@pytest.mark.parametrize("value", REFUSED_BY_BOTH, ids=repr)
def test_settimeout_refuses_what_cpython_refuses_and_changes_nothing(
    client: wsasim.Host, value: Any
) -> None:
    with client.socket(socket.AF_INET, socket.SOCK_STREAM) as s, socket.socket() as real:
        s.settimeout(7.5)
        expected = outcome(lambda: real.settimeout(value))
        assert expected[0] is not None
        assert outcome(lambda: s.settimeout(value)) == expected
        assert (s.gettimeout(), s.getblocking()) == (7.5, True)


def test_settimeout_beyond_windows_timeval_and_int_milliseconds_overflows(
    client: wsasim.Host,
) -> None:
    with client.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(2147483.647)  # INT_MAX milliseconds: the largest Windows takes
        # socket_parse_timeout without HAVE_POLL: _PyTime_AsMilliseconds > INT_MAX.
        with pytest.raises(OverflowError, match=r"^timeout doesn't fit into C timeval$"):
            s.settimeout(2147483.648)
        assert s.gettimeout() == 2147483.647


@pytest.mark.parametrize(
    "steps",
    [
        [("settimeout", None)],
        [("settimeout", 0)],
        [("settimeout", 2)],
        [("settimeout", True)],
        [("settimeout", -0.0)],
        [("settimeout", 0.1)],
        [("setblocking", False)],
        [("settimeout", 3), ("setblocking", True)],
        [("settimeout", 3), ("setblocking", 0)],
        [("setblocking", 2)],
    ],
    ids=repr,
)
def test_timeout_state_is_socket_sockets(client: wsasim.Host, steps: list[tuple[str, Any]]) -> None:
    with client.socket(socket.AF_INET, socket.SOCK_STREAM) as s, socket.socket() as real:
        for name, value in steps:
            getattr(s, name)(value)
            getattr(real, name)(value)
        assert (s.gettimeout(), s.timeout, s.getblocking()) == (
            real.gettimeout(),
            real.timeout,
            real.getblocking(),
        )
        assert type(s.gettimeout()) is type(real.gettimeout())
        # sock_settimeout: a timeout (even 0) makes the Winsock socket non-blocking.
        sock = client.find_socket(s.fileno())
        assert sock is not None
        assert sock.nonblocking == (s.gettimeout() is not None)


def test_the_default_timeout_is_read_when_a_socket_is_made(active: wsasim.Host) -> None:
    old = socket.getdefaulttimeout()
    socket.setdefaulttimeout(4.0)
    try:
        with SimSocket() as s, socket.socket() as real:
            assert s.gettimeout() == real.gettimeout() == 4.0
            sock = active.find_socket(s.fileno())
            assert sock is not None
            assert sock.nonblocking
            socket.setdefaulttimeout(None)
            assert s.gettimeout() == 4.0
    finally:
        socket.setdefaulttimeout(old)


# --- connect (socketmodule.c internal_connect, sock_call_ex, internal_select) -----------------


def test_a_syn_timeout_under_a_timeout_is_the_stacks_own_error_after_21_s() -> None:
    net = wsasim.Network(profile="windows")
    client = add_client(net)
    add_server(net)
    net.blackhole(SERVER)
    with client.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(30)
        # Windows: the failure is reported in exceptfds; SO_ERROR is the stack's WSAETIMEDOUT.
        with pytest.raises(TimeoutError) as caught:
            s.connect((SERVER, 80))
        assert winerror(caught.value) == E.WSAETIMEDOUT
        assert str(caught.value).startswith("[WinError 10060]")
    assert net.now == 21.0


def test_a_refusal_under_a_timeout_comes_when_a_blocking_connect_gets_it() -> None:
    def refused_at(timeout: float | None) -> float:
        net = wsasim.Network(profile="windows", latency=0.001)
        client = add_client(net)
        add_server(net)
        with client.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            with pytest.raises(ConnectionRefusedError) as caught:
                s.connect((SERVER, 80))
            assert winerror(caught.value) == E.WSAECONNREFUSED
            assert s.connect_ex((SERVER, 80)) == E.WSAECONNREFUSED
        return net.now

    blocking = refused_at(None)
    assert blocking > 0
    assert refused_at(30.0) == blocking


def test_the_timeout_passing_first_is_timed_out_and_connect_ex_gives_wsaewouldblock() -> None:
    net = wsasim.Network(profile="windows")
    client = add_client(net)
    add_server(net)
    net.blackhole(SERVER)
    with client.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(2.5)
        with pytest.raises(TimeoutError) as caught:
            s.connect((SERVER, 80))
        assert (str(caught.value), winerror(caught.value)) == ("timed out", None)
        assert net.now == 2.5
    with client.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(1.5)
        # SOCK_TIMEOUT_ERR is WSAEWOULDBLOCK on Windows (not WSAETIMEDOUT).
        assert s.connect_ex((SERVER, 80)) == E.WSAEWOULDBLOCK
        assert net.now == 4.0


def test_a_non_blocking_connect_gives_wsaewouldblock(
    client: wsasim.Host, server: wsasim.Host
) -> None:
    server.listen(443)
    with client.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setblocking(False)
        assert s.connect_ex((SERVER, 443)) == E.WSAEWOULDBLOCK
    with client.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setblocking(False)
        with pytest.raises(BlockingIOError) as caught:
            s.connect((SERVER, 443))
        assert winerror(caught.value) == E.WSAEWOULDBLOCK


# --- waiting for data (sock_call_ex) ---------------------------------------------------------


def test_recv_accept_and_recvfrom_time_out_in_virtual_time(
    net: wsasim.Network, client: wsasim.Host, server: wsasim.Host
) -> None:
    c, s = sim_pair(client, server)
    with c, s:
        c.settimeout(1.25)
        start = net.now
        with pytest.raises(TimeoutError, match=r"^timed out$"):
            c.recv(10)
        assert net.now == start + 1.25
        s.sendall(b"late")
        assert c.recv(10) == b"late"  # arrives before the timeout: returned then
        assert net.now == start + 1.25 + 0.001
    with server.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("0.0.0.0", 8))
        listener.listen()
        listener.settimeout(0.5)
        start = net.now
        with pytest.raises(TimeoutError, match=r"^timed out$"):
            listener.accept()
        assert net.now == start + 0.5
    with client.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
        u.bind(("0.0.0.0", 5000))
        u.settimeout(2)
        start = net.now
        with pytest.raises(TimeoutError, match=r"^timed out$"):
            u.recvfrom(100)
        assert net.now == start + 2


def test_sendall_s_timeout_is_for_the_whole_call(
    net: wsasim.Network, client: wsasim.Host, server: wsasim.Host
) -> None:
    c, s = sim_pair(client, server)
    with c, s:
        c.settimeout(3.0)
        start = net.now
        with pytest.raises(TimeoutError, match=r"^timed out$"):
            c.sendall(b"x" * 10**6)  # the peer never reads: the buffers fill
        assert net.now == start + 3.0
        with pytest.raises(TimeoutError, match=r"^timed out$"):
            c.send(b"more")
        assert net.now == start + 6.0


# --- data (sock_send, sock_sendall, sock_sendto, sock_recv*, getargs.c) ---------------------

ARGUMENT_CASES: list[tuple[str, tuple[Any, ...]]] = [
    ("send", ("str",)),
    ("send", (5,)),
    ("send", (None,)),
    ("sendall", (5,)),
    ("sendall", ("text",)),
    ("send", (b"x", "flags")),
    ("send", (b"x", 1.5)),
    ("sendto", (b"x",)),
    ("sendto", (b"x", 0, ("127.0.0.1", 9), "extra")),
    ("sendto", (b"x", "flags", ("127.0.0.1", 9))),
    ("sendto", ("x", ("127.0.0.1", 9))),
    ("recv", (-1,)),
    ("recv", ("x",)),
    ("recv", (1.5,)),
    ("recv", (2**70,)),
    ("recv", (1, "x")),
    ("recv", (0,)),
    ("recv_into", (b"abc",)),
    ("recv_into", ("abc",)),
    ("recv_into", (bytearray(3), -1)),
    ("recv_into", (bytearray(3), 5)),
    ("recv_into", (bytearray(0),)),
    ("recvfrom", (-1,)),
    ("recvfrom_into", (bytearray(3), 5)),
    ("recvfrom_into", (bytearray(3), -1)),
    ("recvfrom_into", (b"abc",)),
    ("setsockopt", (socket.SOL_SOCKET, socket.SO_REUSEADDR, "x")),
    ("setsockopt", (socket.SOL_SOCKET, socket.SO_REUSEADDR, None)),
    ("setsockopt", (socket.SOL_SOCKET, socket.SO_REUSEADDR, 2**40)),
    ("setsockopt", (socket.SOL_SOCKET, socket.SO_REUSEADDR, (1, 2))),
    ("setsockopt", (socket.SOL_SOCKET, socket.SO_REUSEADDR, 1, 4)),
    ("setsockopt", (socket.SOL_SOCKET, socket.SO_REUSEADDR, None, "x")),
    ("setsockopt", ("level", socket.SO_REUSEADDR, 1)),
    ("setsockopt", (socket.SOL_SOCKET,)),
    ("getsockopt", (socket.SOL_SOCKET, socket.SO_REUSEADDR, "x")),
    ("getsockopt", ("level", socket.SO_REUSEADDR)),
    ("shutdown", ("x",)),
    ("shutdown", (2**40,)),
    ("listen", ("x",)),
    ("makefile", ("x",)),
    ("makefile", ("r", 0)),
]


@pytest.mark.parametrize(("name", "args"), ARGUMENT_CASES, ids=repr)
def test_arguments_fail_as_on_socket_socket(
    client: wsasim.Host,
    server: wsasim.Host,
    real_pair: tuple[socket.socket, socket.socket],
    name: str,
    args: tuple[Any, ...],
) -> None:
    c, s = sim_pair(client, server)
    with c, s:
        real = real_pair[0]
        assert outcome(lambda: getattr(c, name)(*args)) == outcome(
            lambda: getattr(real, name)(*args)
        )


def test_c_ints_beyond_32_bits_overflow_as_windows_long(
    client: wsasim.Host, real_pair: tuple[socket.socket, socket.socket]
) -> None:
    # getargs.c "i": PyLong_AsLong first, and Windows' long is 32 bits (Linux says "signed
    # integer is greater than maximum" there).
    with client.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for call in (lambda: s.send(b"x", 2**40), lambda: s.recv(1, 2**40)):
            with pytest.raises(OverflowError, match=r"^Python int too large to convert to C long$"):
                call()
    assert outcome(lambda: real_pair[0].send(b"x", 2**40))[0] is OverflowError


def test_bytes_like_objects_go_and_recv_into_fills_buffers_as_socket_socket(
    client: wsasim.Host, server: wsasim.Host, real_pair: tuple[socket.socket, socket.socket]
) -> None:
    c, s = sim_pair(client, server)
    with c, s:
        for a, b in ((c, s), real_pair):
            assert a.send(memoryview(b"0123456789")[2:6]) == 4
            a.sendall(bytearray(b"ab"))
            a.sendall(array.array("h", [1, 2]))  # 4 bytes
            a.sendall(b"")
            got = bytearray(20)
            count = 0
            while count < 10:
                count += b.recv_into(memoryview(got)[count:])
            assert bytes(got[:10]) == b"2345ab" + array.array("h", [1, 2]).tobytes()
            a.sendall(b"wxyz")
            ints = array.array("b", [0] * 8)
            count = 0
            while count < 4:
                count += b.recv_into(memoryview(ints)[count:], 4 - count)
            assert ints.tobytes() == b"wxyz\0\0\0\0"


def test_datagrams_with_sendto_flags_and_recvfrom_into(
    client: wsasim.Host, server: wsasim.Host
) -> None:
    with (
        server.socket(socket.AF_INET, socket.SOCK_DGRAM) as r,
        client.socket(socket.AF_INET, socket.SOCK_DGRAM) as u,
    ):
        r.bind(("0.0.0.0", 5353))
        assert u.sendto(b"one", (SERVER, 5353)) == 3
        assert u.sendto(b"two", 0, (SERVER, 5353)) == 3
        buffer = bytearray(8)
        assert r.recvfrom_into(buffer) == (3, ("192.0.2.10", u.getsockname()[1]))  # type: ignore[index]
        assert r.recvfrom(100)[0] == b"two"
        assert buffer[:3] == b"one"


def test_shutdown_takes_shut_rd_wr_rdwr(client: wsasim.Host, server: wsasim.Host) -> None:
    assert (socket.SHUT_RD, socket.SHUT_WR, socket.SHUT_RDWR) == (
        C.SD_RECEIVE,
        C.SD_SEND,
        C.SD_BOTH,
    )
    c, s = sim_pair(client, server)
    with c, s:
        c.shutdown(socket.SHUT_WR)
        assert s.recv(10) == b""  # the FIN
        s.sendall(b"still")
        assert c.recv(10) == b"still"
        with raises_winerror(E.WSAEINVAL) as caught:
            c.shutdown(7)
        assert winerror(caught.value) == E.WSAEINVAL


# --- makefile (Lib/socket.py makefile, SocketIO) ------------------------------------------


def test_makefile_reads_lines_as_socket_socket(
    client: wsasim.Host, server: wsasim.Host, real_pair: tuple[socket.socket, socket.socket]
) -> None:
    c, s = sim_pair(client, server)
    with c, s:
        seen = []
        for a, b in ((c, s), real_pair):
            b.sendall(b"HTTP/1.0 200 OK\r\nx: y\r\n\r\nbody")
            b.shutdown(socket.SHUT_WR)
            with a.makefile("rb") as f:
                lines = [f.readline(), f.readline(), f.readline(), f.read()]
            seen.append(lines)
            with a.makefile("w", encoding="ascii", newline="\r\n") as text:
                text.write("hi\n")
            assert b.recv(10) == b"hi\r\n"
        assert seen[0] == seen[1] == [b"HTTP/1.0 200 OK\r\n", b"x: y\r\n", b"\r\n", b"body"]


def test_close_waits_for_the_makefile_objects(
    client: wsasim.Host, server: wsasim.Host, real_pair: tuple[socket.socket, socket.socket]
) -> None:
    c, s = sim_pair(client, server)
    with s:
        for sock in (c, real_pair[0]):
            f = sock.makefile("rb")
            handle = sock.fileno()
            sock.close()
            assert sock.fileno() == handle  # _real_close waits for the last file object
            f.close()
            assert sock.fileno() == -1
        assert client.find_socket(handle) is None


def test_a_non_blocking_raw_read_with_nothing_to_read_is_none(
    client: wsasim.Host, server: wsasim.Host, real_pair: tuple[socket.socket, socket.socket]
) -> None:
    # SocketIO.readinto: errno EWOULDBLOCK is WSAEWOULDBLOCK (10035) on Windows.
    c, s = sim_pair(client, server)
    with c, s:
        for sock in (c, real_pair[0]):
            sock.setblocking(False)
            with sock.makefile("rb", buffering=0) as raw:
                assert raw.read(10) is None


def test_sendfile_sends_with_send(client: wsasim.Host, server: wsasim.Host) -> None:
    c, s = sim_pair(client, server)
    with c, s:
        data = io.BytesIO(b"0123456789" * 2000)
        assert c.sendfile(data, offset=5, count=10_000) == 10_000
        assert data.tell() == 10_005
        got = b""
        while len(got) < 10_000:
            got += s.recv(65536)
        assert got == (b"0123456789" * 2000)[5:10_005]


# --- handles: dup, detach, inheritance (Lib/socket.py dup; socketmodule.c socket_dup) --------


def test_dup_is_a_second_handle_to_the_same_socket(
    client: wsasim.Host, server: wsasim.Host
) -> None:
    c, s = sim_pair(client, server)
    c.settimeout(4.0)
    with s:
        d = c.dup()
        assert d.fileno() != c.fileno()
        assert (d.family, d.type, d.proto, d.gettimeout()) == (c.family, c.type, 0, 4.0)
        assert d.getpeername() == c.getpeername()
        ws = client.winsock
        # select names the socket by the handle it was given.
        assert ws.select([], [d.fileno()], [], 0) == (1, [], [d.fileno()], [])
        c.close()  # the socket stays open: d still has it
        d.sendall(b"via dup")
        assert s.recv(10) == b"via dup"
        d.close()  # the last handle: the socket closes, the peer sees the FIN
        assert s.recv(10) == b""
        assert ws.getsockname(d.fileno())[0] == C.SOCKET_ERROR


def test_detach_keeps_the_handle_open(active: wsasim.Host) -> None:
    s = SimSocket()
    handle = s.detach()
    assert s.fileno() == -1
    assert active.find_socket(handle) is not None
    with raises_winerror(E.WSAENOTSOCK) as caught:
        s.getsockname()
    assert winerror(caught.value) == E.WSAENOTSOCK
    with SimSocket(socket.AF_INET, fileno=handle) as again:
        assert again.fileno() == handle


def test_inheritable_flag(client: wsasim.Host) -> None:
    s = client.socket(socket.AF_INET, socket.SOCK_STREAM)
    assert s.get_inheritable() is False  # WSA_FLAG_NO_HANDLE_INHERIT
    s.set_inheritable(True)
    assert s.get_inheritable() is True
    s.close()
    with raises_winerror(E.WSA_INVALID_HANDLE) as caught:
        s.get_inheritable()
    assert winerror(caught.value) == E.WSA_INVALID_HANDLE


def test_ioctl_is_absent_while_its_codes_are_not_modelled() -> None:
    # Windows CPython's socket.ioctl takes SIO_RCVALL, SIO_KEEPALIVE_VALS and
    # SIO_LOOPBACK_FAST_PATH (Modules/socketmodule.c); the simulator's WSAIoctl knows none.
    assert hasattr(wsasim.Winsock, "WSAIoctl")
    assert not hasattr(SimSocket, "ioctl")


# --- options, listen, accept -----------------------------------------------------------------


def test_getsockopt_and_setsockopt_forms(client: wsasim.Host) -> None:
    with client.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, b"\x01\x00\x00\x00")
        assert s.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR) == 1
        assert s.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 4) == b"\x01\x00\x00\x00"
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, False)
        assert s.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE) == socket.SOCK_STREAM
        # setsockopt(level, optname, None, optlen): a NULL optval (WSAEFAULT for this one).
        with raises_winerror(E.WSAEFAULT) as caught:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, None, 4)
        assert winerror(caught.value) == E.WSAEFAULT
        with socket.socket() as real:
            for buflen in (-1, 1025):
                # sock_getsockopt: a plain OSError, no errno.
                for sock in (s, real):
                    with pytest.raises(OSError, match=r"^getsockopt buflen out of range$") as bad:
                        sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, buflen)
                    assert (bad.value.errno, winerror(bad.value)) == (None, None)


def test_listen_defaults_to_a_backlog_of_128(client: wsasim.Host) -> None:
    with client.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("0.0.0.0", 9))
        s.listen()
        sock = client.find_socket(s.fileno())
        assert sock is not None
        assert sock.backlog == 128  # min(SOMAXCONN, 128)
        s.listen(-5)  # sock_listen passes 0; Windows makes it 1
        assert sock.backlog == 1


@pytest.mark.parametrize(
    ("listener_timeout", "default", "conn_timeout", "conn_nonblocking"),
    [
        (None, None, None, False),
        (5.0, None, None, False),  # issue #7995: made blocking
        (0.0, None, None, True),  # Winsock's accept gives the listener's mode; not undone
        (5.0, 3.0, 3.0, True),  # the default timeout of the new socket object
    ],
)
def test_accept_applies_lib_socket_py_s_timeout_rules(
    client: wsasim.Host,
    server: wsasim.Host,
    listener_timeout: float | None,
    default: float | None,
    conn_timeout: float | None,
    conn_nonblocking: bool,
) -> None:
    with server.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("0.0.0.0", 7))
        listener.listen()
        listener.settimeout(listener_timeout)
        with client.socket(socket.AF_INET, socket.SOCK_STREAM) as c:
            c.connect((SERVER, 7))
            client.network.advance(0.01)  # the handshake's last ACK reaches the server
            old = socket.getdefaulttimeout()
            socket.setdefaulttimeout(default)
            try:
                conn, address = listener.accept()
            finally:
                socket.setdefaulttimeout(old)
            with conn:
                assert address == c.getsockname()
                assert conn.gettimeout() == conn_timeout
                sock = server.find_socket(conn.fileno())
                assert sock is not None
                assert sock.nonblocking == conn_nonblocking
                assert conn.proto == 0  # made from its handle: no SO_PROTOCOL on Windows


# --- a closed socket (Windows: [WinError 10038]) ----------------------------------------------


def test_a_closed_socket_gives_wsaenotsock(client: wsasim.Host) -> None:
    s = client.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.close()
    calls: list[Callable[[], object]] = [
        lambda: s.send(b"x"),
        lambda: s.recv(1),
        lambda: s.getsockname(),
        lambda: s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1),
        lambda: s.settimeout(1.0),
        lambda: s.shutdown(socket.SHUT_RDWR),
        lambda: s.connect((SERVER, 80)),
        lambda: s.dup(),
    ]
    for call in calls:
        with raises_winerror(10038) as caught:
            call()
        assert winerror(caught.value) == E.WSAENOTSOCK
    assert s.connect_ex((SERVER, 80)) == E.WSAENOTSOCK  # returned, not raised
    assert s.recv(0) == b""  # sock_recv_guts: 0 bytes asked, no call made
