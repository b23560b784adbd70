"""host.serve: asyncio protocols served on the virtual clock, to blocking clients in the same
thread (sim/wsasim/serve.py; docs/simulator.md, "Servers on the virtual clock").

The transport's behaviour is CPython's _SelectorSocketTransport (Lib/asyncio/selector_events.py)
and _FlowControlMixin (Lib/asyncio/transports.py); the protocol callbacks are those of
Lib/asyncio/protocols.py; the server's is asyncio.Server's (Lib/asyncio/base_events.py). Every
time is virtual: one-way latency LATENCY, a connect completes one round trip after it starts.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Callable, Iterator
from typing import Any, TypeVar, cast

import pytest
import wsasim
from wsasim.pysocket import SimSocket
from wsasim.serve import Server, TransportSocket

from tests.world import World, world
from wsaconnect import constants as C
from wsaconnect import errors as E

LATENCY = 0.001
RTT = 2 * LATENCY
SERVER_V4 = "192.0.2.20"
SERVER_V6 = "2001:db8::20"
CLIENT_V4 = "192.0.2.10"
#: A refused connect: three SYNs, 1 s apart after each RST (docs/simulator.md).
REFUSED = 2.0 + 3 * RTT

P = TypeVar("P", bound="Recorder")


@pytest.fixture
def w(monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    """The client and server hosts; every socket made with ``host.socket`` is closed after
    the test (an unclosed socket warns, as CPython's does)."""
    made = world(latency=LATENCY)
    opened: list[SimSocket] = []
    for host in (made.client, made.server):

        def tracking(*args: Any, _make: Callable[..., SimSocket] = host.socket) -> SimSocket:
            opened.append(_make(*args))
            return opened[-1]

        monkeypatch.setattr(host, "socket", tracking)
    yield made
    for sock in opened:
        sock.close()


class Recorder(asyncio.Protocol):
    """Records each callback with the virtual time it came at."""

    def __init__(self, net: wsasim.Network) -> None:
        self.net = net
        #: (virtual time, callback, argument); Any, so that pytest.approx compares the times.
        self.events: list[tuple[Any, str, Any]] = []
        self._transport: asyncio.Transport | None = None

    @property
    def transport(self) -> asyncio.Transport:
        assert self._transport is not None
        return self._transport

    def log(self, what: str, detail: object = None) -> None:
        self.events.append((self.net.now, what, detail))

    def named(self, what: str) -> list[tuple[Any, Any]]:
        return [(t, d) for t, name, d in self.events if name == what]

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast("asyncio.Transport", transport)
        self.log("made")

    def data_received(self, data: bytes) -> None:
        self.log("data", data)

    def eof_received(self) -> bool | None:
        self.log("eof")
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self.log("lost", exc)

    def pause_writing(self) -> None:
        self.log("pause")

    def resume_writing(self) -> None:
        self.log("resume")


class Echo(Recorder):
    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self.transport.write(data)


def serve(w: World, cls: type[P], port: int = 7, **kwargs: Any) -> tuple[Server, list[P]]:
    """A server of ``cls`` protocols on the server host, and the list of those it made."""
    made: list[P] = []

    def factory() -> P:
        made.append(cls(w.net))
        return made[-1]

    return w.server.serve(port, factory, **kwargs), made


def connect(w: World, port: int = 7, address: str = SERVER_V4) -> SimSocket:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = w.client.socket(family, socket.SOCK_STREAM)
    sock.connect((address, port))
    return sock


def recv_exactly(sock: SimSocket, count: int) -> bytes:
    data = b""
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        assert chunk, f"the peer closed after {len(data)} of {count} bytes"
        data += chunk
    return data


def recv_all(sock: SimSocket) -> bytes:
    parts = []
    while chunk := sock.recv(1 << 20):
        parts.append(chunk)
    return b"".join(parts)


# --- an echo server, and what it sees ----------------------------------------------------------


def test_an_echo_server_answers_a_blocking_client_one_round_trip_later(w: World) -> None:
    with serve(w, Echo)[0] as server:
        assert server.port == 7
        assert server.sockname == ("::", 7, 0, 0)  # every address, one dual-stack socket
        sock = connect(w)
        assert w.net.now == pytest.approx(RTT)  # SYN, SYN-ACK
        sock.sendall(b"hello, world")
        assert recv_exactly(sock, 12) == b"hello, world"
        assert w.net.now == pytest.approx(2 * RTT)  # the data there, the echo back
        (transport,) = server.transports
        # Lib/asyncio/selector_events.py: "peername" and "sockname" as getpeername and
        # getsockname give them (IPv4 on a dual-stack socket: IPv4-mapped).
        client_port = cast("tuple[str, int]", sock.getsockname())[1]
        assert transport.get_extra_info("peername") == (f"::ffff:{CLIENT_V4}", client_port, 0, 0)
        assert transport.get_extra_info("sockname") == (f"::ffff:{SERVER_V4}", 7, 0, 0)
        # Lib/asyncio/trsock.py: a socket that cannot disturb the transport.
        conn = transport.get_extra_info("socket")
        assert isinstance(conn, TransportSocket)
        assert conn.getpeername() == transport.get_extra_info("peername")
        assert conn.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF) == 65536
        assert conn.type == socket.SOCK_STREAM
        assert conn.family == socket.AF_INET6
        assert not hasattr(conn, "close")
        with pytest.raises(ValueError, match="cannot be blocking"):
            conn.setblocking(True)
        assert transport.get_extra_info("no such thing", "default") == "default"
        sock.close()


def test_the_protocol_sees_made_data_eof_and_lost_at_their_virtual_times(w: World) -> None:
    server, made = serve(w, Echo)
    sock = connect(w)
    sock.sendall(b"ping")
    assert recv_exactly(sock, 4) == b"ping"
    sock.close()  # FIN
    w.net.advance(LATENCY)
    (proto,) = made
    # connection_made when the handshake's last ACK reaches the server (one latency after the
    # client's connect returned); eof_received at the FIN, and without keep_open the
    # transport closes: connection_lost(None) (Lib/asyncio/selector_events.py, _read_ready__on_eof).
    assert proto.events == [
        (pytest.approx(RTT + LATENCY), "made", None),
        (pytest.approx(RTT + LATENCY), "data", b"ping"),
        (pytest.approx(2 * RTT + LATENCY), "eof", None),
        (pytest.approx(2 * RTT + LATENCY), "lost", None),
    ]
    assert server.transports == []
    assert server.errors == []


def test_what_connection_made_writes_reaches_the_client(w: World) -> None:
    class Banner(Recorder):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            super().connection_made(transport)
            self.transport.write(b"220 ready\r\n")

    serve(w, Banner)
    sock = connect(w)
    assert recv_exactly(sock, 11) == b"220 ready\r\n"
    assert w.net.now == pytest.approx(RTT + 2 * LATENCY)  # made at the ACK, one latency back


def test_a_line_protocol_answers_each_complete_line(w: World) -> None:
    class Upper(Recorder):
        pending = b""

        def data_received(self, data: bytes) -> None:
            *lines, self.pending = (self.pending + data).split(b"\n")
            self.transport.writelines(line.upper() + b"\n" for line in lines)

    serve(w, Upper)
    sock = connect(w)
    sock.sendall(b"one\ntw")
    assert recv_exactly(sock, 4) == b"ONE\n"
    assert w.net.now == pytest.approx(2 * RTT)
    sock.sendall(b"o\nthree\nfour")  # "two" completed, "three" whole, "four" not yet
    assert recv_exactly(sock, 10) == b"TWO\nTHREE\n"
    assert w.net.now == pytest.approx(3 * RTT)
    sock.sendall(b"\n")
    assert recv_exactly(sock, 5) == b"FOUR\n"
    assert w.net.now == pytest.approx(4 * RTT)


def test_a_loopback_client_on_the_server_host_takes_no_time(w: World) -> None:
    serve(w, Echo)
    for address in ("127.0.0.1", "::1"):
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        sock = w.server.socket(family, socket.SOCK_STREAM)
        sock.connect((address, 7))
        sock.sendall(b"local")
        assert recv_exactly(sock, 5) == b"local"
        sock.close()
    assert w.net.now == 0.0  # loopback has no latency


def test_the_server_leaves_its_hosts_last_error_alone(w: World) -> None:
    # The server stands for another thread of its host, and WSAGetLastError is per thread.
    serve(w, Echo)
    ws = w.server.winsock
    s = ws.socket(C.AF_INET, C.SOCK_STREAM)
    assert ws.ioctlsocket(s, C.FIONBIO, 1) == 0
    assert ws.connect(s, ("127.0.0.1", 7)) == C.SOCKET_ERROR
    w.net.advance(0.5)  # connected and accepted
    assert ws.send(s, b"x") == 1  # there at once: loopback
    assert ws.recv(s, 10) == (C.SOCKET_ERROR, b"")  # the echo is not written yet
    assert ws.WSAGetLastError() == E.WSAEWOULDBLOCK
    w.net.advance(0.5)  # the server reads and writes, successfully, on this host
    assert ws.WSAGetLastError() == E.WSAEWOULDBLOCK
    assert ws.recv(s, 10) == (1, b"x")


def test_an_ipv6_client_reaches_the_dual_stack_server(w: World) -> None:
    server, made = serve(w, Echo)
    sock = connect(w, address=SERVER_V6)
    sock.sendall(b"six")
    assert recv_exactly(sock, 3) == b"six"
    peer = made[0].transport.get_extra_info("peername")
    assert peer[0] == "2001:db8::10"
    assert server.transports[0].get_extra_info("sockname") == (SERVER_V6, 7, 0, 0)


# --- end of stream: eof_received, close, abort, reset -------------------------------------------


def test_eof_received_returning_true_keeps_the_connection_half_open(w: World) -> None:
    class Count(Recorder):
        count = 0

        def data_received(self, data: bytes) -> None:
            self.count += len(data)

        def eof_received(self) -> bool:
            super().eof_received()
            self.transport.write(b"%d bytes\n" % self.count)
            return True  # Lib/asyncio/protocols.py: "the transport ... stays open"

    server, made = serve(w, Count)
    sock = connect(w)
    sock.sendall(bytes(1000))
    assert w.client.winsock.shutdown(sock.fileno(), C.SD_SEND) == 0  # FIN
    shut_at = w.net.now
    assert recv_exactly(sock, 10) == b"1000 bytes"
    assert w.net.now == pytest.approx(shut_at + RTT)
    (proto,) = made
    assert not proto.transport.is_closing()
    assert proto.named("lost") == []
    w.net.advance(1.0)
    assert proto.named("lost") == []  # still open a second later
    proto.transport.close()  # the server ends it: FIN
    closed_at = w.net.now
    assert sock.recv(100) == b"\n"
    assert sock.recv(100) == b""
    assert w.net.now == pytest.approx(closed_at + LATENCY)
    assert proto.named("lost") == [(pytest.approx(closed_at), None)]
    assert server.transports == []


def test_eof_received_returning_none_closes_the_transport(w: World) -> None:
    server, made = serve(w, Recorder)
    sock = connect(w)
    assert w.client.winsock.shutdown(sock.fileno(), C.SD_SEND) == 0
    start = w.net.now
    assert sock.recv(100) == b""  # the server's FIN answers ours
    assert w.net.now == pytest.approx(start + RTT)
    assert made[0].named("eof") == [(pytest.approx(start + LATENCY), None)]
    assert made[0].named("lost") == [(pytest.approx(start + LATENCY), None)]
    assert server.transports == []


def test_transport_close_from_the_server_flushes_then_the_client_reads_the_end(w: World) -> None:
    class Reply(Recorder):
        def data_received(self, data: bytes) -> None:
            self.transport.write(b"bye\n")
            self.transport.close()
            assert self.transport.is_closing()
            assert not self.transport.is_reading()

    server, made = serve(w, Reply)
    sock = connect(w)
    sock.sendall(b"quit\n")
    start = w.net.now
    assert recv_exactly(sock, 4) == b"bye\n"
    assert sock.recv(100) == b""  # the FIN follows the data
    assert w.net.now == pytest.approx(start + RTT)
    assert made[0].named("lost") == [(pytest.approx(start + LATENCY), None)]
    assert server.transports == []


def test_transport_abort_resets_the_connection(w: World) -> None:
    class Abort(Recorder):
        def data_received(self, data: bytes) -> None:
            self.transport.write(b"never sent" * 100_000)  # buffered, then dropped
            self.transport.abort()

    _, made = serve(w, Abort)
    sock = connect(w)
    sock.sendall(b"x")
    start = w.net.now
    with pytest.raises(ConnectionResetError) as caught:
        recv_all(sock)
    # abort: SO_LINGER (1, 0) then closesocket, an abortive close (closesocket document).
    assert caught.value.winerror == E.WSAECONNRESET == 10054  # type: ignore[attr-defined]
    assert w.net.now == pytest.approx(start + RTT)
    # Lib/asyncio/selector_events.py: abort() is _force_close(None): connection_lost(None).
    assert made[0].named("lost") == [(pytest.approx(start + LATENCY), None)]


def test_a_client_reset_gives_connection_lost_the_error(w: World) -> None:
    server, made = serve(w, Recorder)
    sock = connect(w)
    assert w.client.winsock.setsockopt(sock.fileno(), C.SOL_SOCKET, C.SO_LINGER, (1, 0)) == 0
    sock.close()  # RST
    closed_at = w.net.now
    w.net.advance(LATENCY)
    ((when, exc),) = made[0].named("lost")
    assert when == pytest.approx(closed_at + LATENCY)
    # The read fails (Lib/asyncio/selector_events.py, _fatal_error): the exception recv gave.
    assert isinstance(exc, ConnectionResetError)
    assert exc.winerror == 10054  # type: ignore[attr-defined]
    assert made[0].named("eof") == []
    assert server.transports == []
    assert server.errors == []  # a reset is the network's doing, not the protocol's


def test_write_eof_sends_fin_and_keeps_receiving(w: World) -> None:
    class Greeter(Recorder):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            super().connection_made(transport)
            assert self.transport.can_write_eof()
            self.transport.write(b"hello")
            self.transport.write_eof()  # shutdown(SD_SEND) once the buffer is sent
            with pytest.raises(RuntimeError, match="after write_eof"):
                self.transport.write(b"more")

    _, made = serve(w, Greeter)
    sock = connect(w)
    assert recv_exactly(sock, 5) == b"hello"
    assert sock.recv(10) == b""
    assert w.net.now == pytest.approx(RTT + 2 * LATENCY)
    sock.sendall(b"still listening?")
    w.net.advance(LATENCY)
    assert made[0].named("data") == [(pytest.approx(2 * RTT + LATENCY), b"still listening?")]
    assert not made[0].transport.is_closing()


# --- flow control ---------------------------------------------------------------------------------

#: 10 MiB, in an order a mistake would show.
BIG = bytes(range(256)) * (10 * 1024 * 1024 // 256)
#: The sender's SO_SNDBUF plus the receiver's SO_RCVBUF, Windows' defaults: what the
#: socket takes before the peer reads (docs/simulator.md, "Flow control").
SOCKET_BUFFERS = 2 * 65536
#: Not a divisor of SOCKET_BUFFERS: some sends take only part of what they are given.
PIECE = 100_000


class Producer(Recorder):
    """Writes BIG in pieces of PIECE bytes while the transport is not paused, then closes."""

    sent = 0
    paused = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self.produce()

    def produce(self) -> None:
        while not self.paused and self.sent < len(BIG):
            self.transport.write(BIG[self.sent : self.sent + PIECE])
            self.sent += PIECE
        if self.sent >= len(BIG):
            self.transport.close()

    def pause_writing(self) -> None:
        super().pause_writing()
        self.paused = True

    def resume_writing(self) -> None:
        super().resume_writing()
        self.paused = False
        self.produce()


def test_a_client_that_does_not_read_pauses_the_writer_and_reading_resumes_it(w: World) -> None:
    server, made = serve(w, Producer)
    sock = connect(w)
    w.net.advance(1.0)  # the client reads nothing for a second
    (proto,) = made
    transport = proto.transport
    # Lib/asyncio/transports.py, _FlowControlMixin: pause above the high-water mark (64 KiB).
    assert transport.get_write_buffer_limits() == (16384, 65536)
    assert proto.named("pause") == [(pytest.approx(RTT + LATENCY), None)]
    assert proto.named("resume") == []
    assert transport.get_write_buffer_size() == proto.sent - SOCKET_BUFFERS > 65536
    assert proto.sent < len(BIG)
    start = w.net.now
    assert recv_all(sock) == BIG  # in order, whole, then the server's FIN
    # Each read frees the buffers for the next 128 KiB, which arrive one latency later.
    assert w.net.now == pytest.approx(start + (len(BIG) // SOCKET_BUFFERS - 1) * LATENCY)
    resumes = proto.named("resume")
    assert len(resumes) == len(proto.named("pause")) > 1
    assert resumes[0][0] == pytest.approx(start)  # at the client's first read
    assert proto.named("lost") == [(pytest.approx(w.net.now - LATENCY), None)]
    assert server.errors == []


def test_set_write_buffer_limits_follows_asyncio(w: World) -> None:
    class Limits(Recorder):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            super().connection_made(transport)
            t = self.transport
            t.set_write_buffer_limits(low=1000)
            assert t.get_write_buffer_limits() == (1000, 4000)  # high = 4 * low
            t.set_write_buffer_limits(high=8000)
            assert t.get_write_buffer_limits() == (2000, 8000)  # low = high // 4
            with pytest.raises(ValueError, match="must be >= low"):
                t.set_write_buffer_limits(high=1, low=2)
            t.write(bytes(SOCKET_BUFFERS + 8001))  # what the socket cannot take is buffered
            assert t.get_write_buffer_size() == 8001
            t.set_write_buffer_limits(high=0)  # lowering the mark pauses at once
            with pytest.raises(TypeError, match="bytes-like"):
                t.write("text")  # type: ignore[arg-type]

    _, made = serve(w, Limits)
    connect(w)
    assert w.net.now == pytest.approx(RTT)
    w.net.advance(LATENCY)  # the handshake's last ACK reaches the server
    assert made[0].named("pause") == [(pytest.approx(RTT + LATENCY), None)]


# --- reading on and off -------------------------------------------------------------------------


def test_pause_reading_holds_data_and_eof_until_resume_reading(w: World) -> None:
    class Pausing(Recorder):
        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if len(self.events) == 2:  # made, then the first data
                self.transport.pause_reading()
                assert not self.transport.is_reading()

    _, made = serve(w, Pausing)
    sock = connect(w)
    sock.sendall(b"first")
    w.net.advance(LATENCY)
    sock.sendall(b"second")
    assert w.client.winsock.shutdown(sock.fileno(), C.SD_SEND) == 0
    w.net.advance(1.0)
    (proto,) = made
    assert proto.named("data") == [(pytest.approx(RTT + LATENCY), b"first")]
    assert proto.named("eof") == []  # the FIN waits behind the unread data
    resumed_at = w.net.now
    proto.transport.resume_reading()
    assert proto.transport.is_reading()
    w.net.advance(0)  # resume_reading reads at this instant: the data, then the FIN behind it
    assert proto.named("data")[1:] == [(resumed_at, b"second")]
    assert proto.named("eof") == [(resumed_at, None)]
    assert proto.named("lost") == [(resumed_at, None)]
    assert sock.recv(10) == b""


# --- the server -------------------------------------------------------------------------------


def test_server_close_stops_accepting_and_existing_connections_go_on(w: World) -> None:
    server, made = serve(w, Echo)
    old = connect(w)
    w.net.advance(LATENCY)  # accepted when the handshake's last ACK arrives
    server.close()  # Lib/asyncio/base_events.py, Server.close: the listening sockets only
    assert not server.is_serving()
    assert server.sockets == ()
    server.close()  # again: nothing
    start = w.net.now
    fresh = w.client.socket(socket.AF_INET, socket.SOCK_STREAM)
    with pytest.raises(ConnectionRefusedError):
        fresh.connect((SERVER_V4, 7))
    assert w.net.now == pytest.approx(start + REFUSED)
    old.sendall(b"still here")
    assert recv_exactly(old, 10) == b"still here"
    assert len(made) == 1
    assert len(server.transports) == 1


def test_port_0_picks_an_ephemeral_port(w: World) -> None:
    server, _ = serve(w, Echo, port=0)
    assert server.port in w.net.ephemeral_ports
    assert server.sockname == ("::", server.port, 0, 0)
    (listener,) = server.sockets
    assert listener.getsockname() == server.sockname
    sock = connect(w, server.port)
    sock.sendall(b"ok")
    assert recv_exactly(sock, 2) == b"ok"


def test_address_restricts_the_listener_to_that_address(w: World) -> None:
    v4, _ = serve(w, Echo, port=8080, address=SERVER_V4)
    assert v4.sockname == (SERVER_V4, 8080)
    sock = connect(w, 8080, SERVER_V4)
    sock.sendall(b"four")
    assert recv_exactly(sock, 4) == b"four"
    start = w.net.now
    with pytest.raises(ConnectionRefusedError):
        connect(w, 8080, SERVER_V6)
    assert w.net.now == pytest.approx(start + REFUSED)
    # The IPv6 address is free for another server on the same port.
    v6, made = serve(w, Echo, port=8080, address=SERVER_V6)
    sock6 = connect(w, 8080, SERVER_V6)
    sock6.sendall(b"six")
    assert recv_exactly(sock6, 3) == b"six"
    assert len(made) == 1
    assert v6.sockname == (SERVER_V6, 8080, 0, 0)


def test_address_wildcard_ipv6_is_ipv6_only(w: World) -> None:
    # Only address=None is dual-stack; "::" keeps Windows' default, IPV6_V6ONLY on.
    server, _ = serve(w, Echo, port=9, address="::")
    assert server.sockname == ("::", 9, 0, 0)
    sock = connect(w, 9, SERVER_V6)
    sock.sendall(b"v6")
    assert recv_exactly(sock, 2) == b"v6"
    with pytest.raises(ConnectionRefusedError):
        connect(w, 9, SERVER_V4)


def test_a_port_or_an_address_the_host_cannot_take_is_an_error(w: World) -> None:
    serve(w, Echo, port=80)
    with pytest.raises(OSError, match="cannot serve on port 80") as taken:
        serve(w, Echo, port=80)
    assert taken.value.winerror == E.WSAEADDRINUSE  # type: ignore[attr-defined]
    with pytest.raises(OSError, match="cannot serve on port 81") as foreign:
        serve(w, Echo, port=81, address="192.0.2.99")
    assert foreign.value.winerror == E.WSAEADDRNOTAVAIL  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="not a numeric IP address"):
        serve(w, Echo, port=81, address="server")
    with pytest.raises(ValueError, match="port"):
        serve(w, Echo, port=70000)
    with pytest.raises(TypeError, match="protocol_factory"):
        w.server.serve(81, None)  # type: ignore[arg-type]


def test_200_connections_at_once_are_each_served(w: World) -> None:
    server, made = serve(w, Echo, backlog=200)
    socks = [w.client.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(200)]
    for sock in socks:
        sock.setblocking(False)
        assert sock.connect_ex((SERVER_V4, 7)) == E.WSAEWOULDBLOCK
    w.net.advance(RTT + LATENCY)
    assert len(server.transports) == 200
    made_at = [t for p in made for t, _ in p.named("made")]
    assert made_at == [pytest.approx(RTT + LATENCY)] * 200
    for i, sock in enumerate(socks):
        sock.setblocking(True)
        sock.sendall(b"%03d" % i)
    for i, sock in enumerate(socks):
        assert recv_exactly(sock, 3) == b"%03d" % i
    assert w.net.now == pytest.approx(2 * RTT + LATENCY)
    for sock in socks:
        sock.close()
    w.net.advance(LATENCY)
    assert server.transports == []
    assert all(p.named("lost") == [(pytest.approx(2 * RTT + 2 * LATENCY), None)] for p in made)


def test_200_clients_one_after_another(w: World) -> None:
    server, made = serve(w, Echo)
    for i in range(200):
        with connect(w) as sock:
            sock.sendall(b"client %d" % i)
            assert sock.recv(100) == b"client %d" % i
    assert w.net.now == pytest.approx(200 * 2 * RTT)
    w.net.advance(LATENCY)
    assert len(made) == 200
    assert server.transports == []


# --- errors in the protocol ---------------------------------------------------------------------


class Faulty(Recorder):
    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        raise ZeroDivisionError("boom")


def test_a_protocol_that_raises_is_logged_closed_and_kept_on_errors(
    w: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="wsasim.serve")
    server, made = serve(w, Faulty)
    sock = connect(w)
    sock.sendall(b"x")
    start = w.net.now
    # Lib/asyncio/selector_events.py, _read_ready__data_received: _fatal_error, which closes.
    assert sock.recv(10) == b""
    assert w.net.now == pytest.approx(start + RTT)
    ((when, exc),) = made[0].named("lost")
    assert when == pytest.approx(start + LATENCY)
    assert isinstance(exc, ZeroDivisionError)
    assert server.errors == [exc]
    (record,) = caplog.records
    assert record.name == "wsasim.serve"
    assert record.levelno == logging.ERROR
    assert "protocol.data_received() call failed" in record.getMessage()
    assert record.exc_info is not None
    assert record.exc_info[1] is exc


def test_the_with_block_re_raises_the_first_protocol_error(
    w: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.CRITICAL, logger="wsasim.serve")

    def scenario() -> None:
        with serve(w, Faulty)[0] as server:
            connect(w).sendall(b"x")
            w.net.advance(1.0)
            assert len(server.errors) == 1

    with pytest.raises(ZeroDivisionError, match="boom"):
        scenario()
    with serve(w, Faulty, port=8)[0] as server:
        connect(w, 8).sendall(b"x")
        w.net.advance(1.0)
        assert len(server.errors) == 1
        server.errors.clear()  # looked at: the block ends quietly


def test_a_callback_that_blocks_raises_reentrant_wait_and_is_recorded(
    w: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.CRITICAL, logger="wsasim.serve")

    class Sleeper(Recorder):
        def data_received(self, data: bytes) -> None:
            self.net.advance(1.0)  # a callback of the clock cannot run the clock

    server, _ = serve(w, Sleeper)
    sock = connect(w)
    sock.sendall(b"x")
    assert sock.recv(10) == b""
    (error,) = server.errors
    assert isinstance(error, wsasim.ReentrantWait)


def test_a_failing_connection_made_or_factory_closes_the_connection(
    w: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.CRITICAL, logger="wsasim.serve")

    class Refuses(Recorder):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            super().connection_made(transport)
            raise RuntimeError("no")

    server, made = serve(w, Refuses)
    assert connect(w).recv(10) == b""
    assert [type(e) for e in server.errors] == [RuntimeError]
    assert isinstance(made[0].named("lost")[0][1], RuntimeError)

    def broken_factory() -> asyncio.Protocol:
        raise LookupError("no protocol")

    other = w.server.serve(8, broken_factory)
    assert connect(w, 8).recv(10) == b""
    assert [type(e) for e in other.errors] == [LookupError]


# --- a small HTTP server --------------------------------------------------------------------------


class Http10(asyncio.Protocol):
    """A minimal HTTP/1.0 responder: one GET, one answer, then close."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport, self.request = cast("asyncio.Transport", transport), b""

    def data_received(self, data: bytes) -> None:
        self.request += data
        if b"\r\n\r\n" in self.request:
            path = self.request.split(b" ")[1]
            body = b"<h1>" + path + b"</h1>\n"
            head = b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n"
            self.transport.write(head % len(body) + body)
            self.transport.close()


def test_an_http_1_0_responder_serves_a_raw_client(w: World) -> None:
    w.server.serve(80, Http10)
    sock = connect(w, 80)
    sock.sendall(b"GET /index.html HTTP/1.0\r\nHost: server\r\n\r\n")
    response = recv_all(sock)
    head, body = response.split(b"\r\n\r\n")
    assert head.split(b"\r\n") == [
        b"HTTP/1.0 200 OK",
        b"Content-Type: text/html",
        b"Content-Length: 21",
    ]
    assert body == b"<h1>/index.html</h1>\n"
    assert w.net.now == pytest.approx(2 * RTT)


# --- the Deadlock it replaces ---------------------------------------------------------------------


def test_a_blocking_accept_nobody_can_complete_points_to_host_serve(w: World) -> None:
    listener = w.server.listen(80)
    accept: Callable[[int], object] = w.server.winsock.accept
    with pytest.raises(wsasim.Deadlock, match="accept on host 'server'") as caught:
        accept(listener)
    assert (
        "to run a server in the same thread as its client, use "
        "host.serve(port, protocol_factory)" in str(caught.value)
    )
    sock = connect(w, 80)  # the connection is queued: nothing answers it
    sock.settimeout(None)
    with pytest.raises(wsasim.Deadlock, match="recv on host 'client'") as waiting:
        sock.recv(10)
    assert "host.serve(port, protocol_factory)" in str(waiting.value)
