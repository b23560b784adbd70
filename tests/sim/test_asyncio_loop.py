"""asyncio on the virtual clock: ``wsasim.new_event_loop(host)`` and ``wsasim.run(coro, host)``.

The standard library's asyncio runs unchanged on the simulator's loop (sim/wsasim/loop.py):
Lib/asyncio/base_events.py's create_connection (happy eyeballs, interleave, all_errors) and
create_server, Lib/asyncio/selector_events.py's sock_* methods and transports, streams,
timeouts, call_later. Every assertion is of virtual time (the windows profile, one-way
latency LATENCY), never of the wall clock; the timing model is docs/simulator.md's (a SYN
unanswered for 21 s, a refusal after three SYNs 1 s apart).
"""

from __future__ import annotations

import asyncio
import select
import selectors
import socket
import ssl
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import wsasim
from wsasim.loop import SimEventLoop, windows_oserror
from wsasim.timing import TcpTiming

from tests.world import World, world

LATENCY = 0.001
RTT = 2 * LATENCY
PORT = 8080
CLOSED_PORT = 81  # the server host listens on PORT only
NAME = "server.example"  # IPv6 first, as Windows' getaddrinfo orders it for a dual-stack client
SERVER_V4 = "192.0.2.20"
SERVER_V6 = "2001:db8::20"
DEAD_V6 = "2001:db8::21"  # no host has it: a SYN to it is never answered
TIMING = TcpTiming()
#: A SYN nobody answers: sent at 0, 3 and 9 s, WSAETIMEDOUT at 21 s.
SYN_TIMEOUT = TIMING.connect_timeout
#: A refused connect to another host: three SYNs, each answered by RST one round trip later,
#: the next sent 1 s after the RST.
REFUSED = TIMING.refused_retries * TIMING.refused_retry_interval
REFUSED += (TIMING.refused_retries + 1) * RTT
#: What a happy-eyeballs client waits before it starts the next address (asyncio's, aiohttp's).
DELAY = 0.25

MODULE_NAMES = [
    (socket, "socket"),
    (socket, "getaddrinfo"),
    (socket, "socketpair"),
    (select, "select"),
    (selectors, "DefaultSelector"),
    (time, "monotonic"),
    (time, "time"),
    (time, "sleep"),
]


def at(t: float) -> Any:
    """A virtual time, compared to within the rounding of its sums."""
    return pytest.approx(t, abs=1e-9)


def modules() -> list[object]:
    return [getattr(module, name) for module, name in MODULE_NAMES]


@pytest.fixture
def w() -> Iterator[World]:
    """The windows-profile world; the server host listens on PORT; NAME is IPv6 then IPv4.

    Every test leaves the socket, select, selectors and time modules as it found them, and no
    socket open on the client host."""
    made = world("windows", latency=LATENCY)
    made.server.listen(PORT)
    made.net.add_name(NAME, [SERVER_V6, SERVER_V4])
    before = modules()
    yield made
    assert modules() == before
    assert made.client.sockets() == []


async def close(writer: asyncio.StreamWriter) -> None:
    writer.close()
    await writer.wait_closed()


def listener(host: wsasim.Host, address: str = SERVER_V4, port: int = PORT) -> wsasim.SimSocket:
    """A listening socket of ``host`` (not the loop's), for ``start_server(sock=...)``."""
    sock = host.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((address, port))
    sock.listen()
    return sock


# --- connecting: happy eyeballs, timeouts, refusals --------------------------------------------


def test_open_connection_with_happy_eyeballs_goes_past_a_dead_ipv6_after_the_delay(
    w: World,
) -> None:
    w.net.blackhole(SERVER_V6)

    async def main() -> tuple[Any, float]:
        _, writer = await asyncio.open_connection(NAME, PORT, happy_eyeballs_delay=DELAY)
        peer, connected = writer.get_extra_info("peername"), w.net.now
        await close(writer)
        return peer, connected

    peer, connected = wsasim.run(main(), w.client)
    assert peer[0] == SERVER_V4
    assert connected == at(DELAY + RTT)  # IPv4 started at the delay, one round trip
    v6, v4 = w.client.attempts
    assert (v6.remote.host, v6.started) == (SERVER_V6, 0.0)
    assert (v4.remote.host, v4.started, v4.outcome) == (SERVER_V4, at(DELAY), "connected")


def test_open_connection_without_happy_eyeballs_waits_out_the_syn_timeout(w: World) -> None:
    w.net.blackhole(SERVER_V6)

    async def main() -> float:
        _, writer = await asyncio.open_connection(NAME, PORT)
        connected = w.net.now
        await close(writer)
        return connected

    assert wsasim.run(main(), w.client) == at(SYN_TIMEOUT + RTT)
    v6, v4 = w.client.attempts
    assert (v6.outcome, v6.ended) == ("WSAETIMEDOUT", at(SYN_TIMEOUT))
    assert v4.started == at(SYN_TIMEOUT)


@pytest.mark.parametrize(("interleave", "ipv4_starts"), [(1, DELAY), (2, 2 * DELAY)])
def test_interleave_decides_when_ipv4_gets_its_turn(
    w: World, interleave: int, ipv4_starts: float
) -> None:
    # Two dead IPv6 addresses, then IPv4: interleave=1 takes v6, v4, v6; 2 takes v6, v6, v4.
    w.net.add_name("two.example", [SERVER_V6, DEAD_V6, SERVER_V4])
    w.net.blackhole(SERVER_V6)

    async def main() -> float:
        _, writer = await asyncio.open_connection(
            "two.example", PORT, happy_eyeballs_delay=DELAY, interleave=interleave
        )
        connected = w.net.now
        await close(writer)
        return connected

    assert wsasim.run(main(), w.client) == at(ipv4_starts + RTT)


def test_wait_for_gives_up_at_exactly_its_timeout_and_closes_the_socket(w: World) -> None:
    w.net.blackhole(SERVER_V6)
    left: list[object] = []

    async def main() -> None:
        try:
            await asyncio.wait_for(asyncio.open_connection(SERVER_V6, PORT), 5)
        finally:
            left.extend(w.client.sockets())  # before the loop ends: asyncio closed it

    with pytest.raises(asyncio.TimeoutError):
        wsasim.run(main(), w.client)
    assert w.net.now == at(5.0)
    assert left == []
    (attempt,) = w.client.attempts
    assert attempt.remote.host == SERVER_V6


@pytest.mark.skipif(sys.version_info < (3, 11), reason="asyncio.timeout is new in Python 3.11")
def test_asyncio_timeout_cancels_a_connect_at_its_deadline(w: World) -> None:
    w.net.blackhole(SERVER_V6)

    async def main() -> None:
        if sys.version_info >= (3, 11):  # the skipif's, for mypy's python_version 3.10
            async with asyncio.timeout(2.5):
                await asyncio.open_connection(SERVER_V6, PORT)

    with pytest.raises(TimeoutError):
        wsasim.run(main(), w.client)
    assert w.net.now == at(2.5)


def test_a_refused_connect_is_windows_connection_refused_error(w: World) -> None:
    async def main() -> None:
        await asyncio.open_connection(SERVER_V4, CLOSED_PORT)

    with pytest.raises(ConnectionRefusedError) as caught:
        wsasim.run(main(), w.client)
    assert w.net.now == at(REFUSED)
    # Windows CPython: OSError(10061, ...) is ConnectionRefusedError, winerror None.
    assert caught.value.errno == 10061
    assert getattr(caught.value, "winerror", None) is None
    assert str(caught.value) == f"[Errno 10061] Connect call failed ('{SERVER_V4}', 81)"


def test_a_sock_connect_nobody_answers_is_timeout_error_10060(w: World) -> None:
    w.net.blackhole(SERVER_V4)

    async def main() -> None:
        with socket.socket() as sock:  # socket.socket is the client's while the loop runs
            sock.setblocking(False)
            await asyncio.get_running_loop().sock_connect(sock, (SERVER_V4, PORT))

    with pytest.raises(TimeoutError) as caught:
        wsasim.run(main(), w.client)
    assert caught.value.errno == 10060
    assert w.net.now == at(SYN_TIMEOUT)


def test_windows_oserror_is_the_subclass_windows_maps_each_code_to() -> None:
    assert type(windows_oserror(10061, "x")) is ConnectionRefusedError
    assert type(windows_oserror(10060, "x")) is TimeoutError
    assert type(windows_oserror(10054, "x")) is ConnectionResetError
    assert type(windows_oserror(10035, "x")) is BlockingIOError
    # EINTR and EACCES keep the C runtime's numbers on Windows: 10004, 10013 map to nothing.
    assert type(windows_oserror(10004, "x")) is OSError
    assert type(windows_oserror(10065, "x")) is OSError
    assert windows_oserror(10065, "x").errno == 10065


@pytest.mark.skipif(sys.version_info < (3, 12), reason="all_errors is new in Python 3.12")
def test_create_connection_all_errors_groups_both_refusals(w: World) -> None:
    if sys.version_info >= (3, 12):  # the skipif's, for mypy's python_version 3.10

        async def main() -> None:
            loop = asyncio.get_running_loop()
            await loop.create_connection(asyncio.Protocol, NAME, CLOSED_PORT, all_errors=True)

        with pytest.raises(ExceptionGroup) as caught:  # noqa: F821  # builtin from 3.11
            wsasim.run(main(), w.client)
        assert [type(e) for e in caught.value.exceptions] == [ConnectionRefusedError] * 2
        assert [e.errno for e in caught.value.exceptions] == [10061, 10061]
        assert w.net.now == at(2 * REFUSED)  # one after the other


def test_create_connection_without_all_errors_joins_the_two_refusals(w: World) -> None:
    async def main() -> None:
        await asyncio.get_running_loop().create_connection(asyncio.Protocol, NAME, CLOSED_PORT)

    with pytest.raises(OSError, match=r"^Multiple exceptions: ") as caught:
        wsasim.run(main(), w.client)
    assert f"Connect call failed ('{SERVER_V6}', 81, 0, 0)" in str(caught.value)
    assert f"Connect call failed ('{SERVER_V4}', 81)" in str(caught.value)
    assert w.net.now == at(2 * REFUSED)


# --- servers: on the loop's host, on another host ----------------------------------------------


async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(await reader.readline())
    await writer.drain()
    await close(writer)


def test_start_server_and_open_connection_echo_over_loopback(w: World) -> None:
    async def main() -> tuple[bytes, int]:
        server = await asyncio.start_server(echo, "127.0.0.1", 0)
        async with server:
            port = server.sockets[0].getsockname()[1]
            listening = len(w.client.sockets())
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"ping\n")
            line = await reader.readline()
            assert await reader.read() == b""  # the server closed
            await close(writer)
        await server.wait_closed()
        return line, listening

    assert wsasim.run(main(), w.client) == (b"ping\n", 1)
    assert w.net.now == 0.0  # loopback has no latency


def test_a_server_of_another_host_on_the_same_loop_with_start_server_sock(w: World) -> None:
    done = asyncio.Event()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await echo(reader, writer)
        done.set()

    async def main() -> list[Any]:
        times: list[Any] = []
        server = await asyncio.start_server(serve, sock=listener(w.server, port=9000))
        async with server:
            reader, writer = await asyncio.open_connection(SERVER_V4, 9000)
            times.append(w.net.now)
            writer.write(b"ping\n")
            times.append(await reader.readline())
            times.append(w.net.now)
            await close(writer)
            await done.wait()
        return times

    assert wsasim.run(main(), w.client) == [at(RTT), b"ping\n", at(2 * RTT)]
    assert [s.local.port for s in w.server.sockets() if s.local] == [PORT]  # the fixture's


def test_a_host_serve_server_answers_an_asyncio_client(w: World) -> None:
    class Echo(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.transport: Any = transport

        def data_received(self, data: bytes) -> None:
            self.transport.write(data)

    async def main() -> tuple[bytes, float]:
        reader, writer = await asyncio.open_connection(NAME, 7)
        writer.write(b"ping\n")
        line = await reader.readline()
        replied = w.net.now
        await close(writer)
        return line, replied

    with w.server.serve(7, Echo):
        assert wsasim.run(main(), w.client) == (b"ping\n", at(2 * RTT))


def test_a_large_write_is_buffered_sent_as_the_peer_reads_and_arrives_whole(w: World) -> None:
    # More than the socket buffers hold (64 KiB each side): the transport keeps the rest and
    # sends it when the socket is writable again (with send, as on Windows, also on 3.12+).
    class Count(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.transport: Any = transport
            self.count = 0

        def data_received(self, data: bytes) -> None:
            self.count += len(data)

        def eof_received(self) -> bool:
            self.transport.write(b"%d" % self.count)
            return False

    async def main() -> list[Any]:
        reader, writer = await asyncio.open_connection(SERVER_V4, 9)
        writer.write(b"x" * 1_000_000)
        buffered = writer.transport.get_write_buffer_size()
        await writer.drain()
        writer.write_eof()
        found = [buffered > 0, w.net.now > RTT, await reader.read()]
        await close(writer)
        return found

    with w.server.serve(9, Count):
        assert wsasim.run(main(), w.client) == [True, True, b"1000000"]


def test_sock_methods_connect_accept_send_and_receive(w: World) -> None:
    async def main() -> list[Any]:
        loop = asyncio.get_running_loop()
        lsock: Any = listener(w.server, port=9000)  # a SimSocket: socket.socket's interface
        lsock.setblocking(False)
        with lsock, socket.socket() as sock:
            sock.setblocking(False)
            accepted = loop.create_task(loop.sock_accept(lsock))
            await loop.sock_connect(sock, (SERVER_V4, 9000))
            connected = w.net.now
            conn, _ = await accepted
            with conn:
                conn.setblocking(False)
                accept_time = w.net.now
                await loop.sock_sendall(sock, b"x" * 100_000)  # more than one send's room
                received = b""
                while len(received) < 100_000:
                    received += await loop.sock_recv(conn, 65536)
                return [connected, accept_time, len(received), type(sock).__name__]

    assert wsasim.run(main(), w.client) == [at(RTT), at(RTT + LATENCY), 100_000, "SimSocket"]


def test_tls_over_the_simulator_with_a_real_ssl_context(w: World, tmp_path: Path) -> None:
    # asyncio's SSL is SSLProtocol over a MemoryBIO (Lib/asyncio/sslproto.py): it needs no
    # real descriptor, so a real SSLContext works over simulator sockets.
    (tmp_path / "cert.pem").write_text(TEST_CERT)
    (tmp_path / "key.pem").write_text(TEST_KEY)
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    client_context = ssl.create_default_context(cadata=TEST_CERT)
    client_context.minimum_version = ssl.TLSVersion.TLSv1_3
    w.net.add_name("tls.example", [SERVER_V4])
    done = asyncio.Event()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await echo(reader, writer)
        done.set()

    async def main() -> list[Any]:
        server = await asyncio.start_server(
            serve, sock=listener(w.server, port=443), ssl=server_context
        )
        async with server:
            reader, writer = await asyncio.open_connection("tls.example", 443, ssl=client_context)
            found = [writer.get_extra_info("ssl_object").version(), w.net.now]
            writer.write(b"secret\n")
            found.append(await reader.readline())
            await close(writer)
            await done.wait()
        return found

    # TCP's round trip, then TLS 1.3's one (ClientHello; ServerHello ... Finished).
    assert wsasim.run(main(), w.client) == ["TLSv1.3", at(2 * RTT), b"secret\n"]


# --- time -----------------------------------------------------------------------------------


def test_sleep_of_an_hour_is_exactly_3600_virtual_seconds(w: World) -> None:
    async def main() -> list[float]:
        loop = asyncio.get_running_loop()
        before = [loop.time(), time.monotonic(), time.time()]
        await asyncio.sleep(3600)
        after = [loop.time(), time.monotonic(), time.time()]
        return [a - b for a, b in zip(after, before, strict=True)]

    assert wsasim.run(main(), w.client) == [3600.0, 3600.0, at(3600.0)]
    assert w.net.now == 3600.0


def test_call_later_and_call_at_run_at_their_virtual_times(w: World) -> None:
    ran: list[tuple[str, float]] = []

    async def main() -> None:
        loop = asyncio.get_running_loop()
        finished = loop.create_future()
        loop.call_later(1.5, lambda: ran.append(("later", w.net.now)))
        loop.call_at(0.25, lambda: ran.append(("at", w.net.now)))
        # 5 ms after: its own wait (Windows' monotonic clock ticks every 15.6 ms, the loop's
        # virtual clock is exact).
        loop.call_at(0.255, lambda: ran.append(("5 ms later", w.net.now)))
        loop.call_later(2, finished.set_result, None)
        await finished

    wsasim.run(main(), w.client)
    assert ran == [("at", at(0.25)), ("5 ms later", at(0.255)), ("later", at(1.5))]
    assert w.net.now == at(2.0)


def test_a_clock_callback_wakes_the_waiting_loop_as_another_thread_would(w: World) -> None:
    async def main() -> list[Any]:
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[str] = loop.create_future()
        w.net.call_at(5, lambda: fut.set_result("set at 5"))
        found: list[Any] = [await fut, w.net.now]
        event = asyncio.Event()
        w.net.call_at(6, lambda: loop.call_soon_threadsafe(event.set))
        await event.wait()
        found.append(w.net.now)
        later = asyncio.Event()  # a timer made while the loop waits with no timeout
        w.net.call_at(7, lambda: loop.call_later(2, later.set))
        await later.wait()
        return [*found, w.net.now]

    assert wsasim.run(main(), w.client) == ["set at 5", 5.0, 6.0, 9.0]


def test_call_soon_threadsafe_from_a_real_thread_is_refused_while_running(w: World) -> None:
    errors: list[BaseException] = []

    async def main() -> None:
        loop = asyncio.get_running_loop()

        def other() -> None:
            try:
                loop.call_soon_threadsafe(print)
            except RuntimeError as exc:
                errors.append(exc)

        thread = threading.Thread(target=other)
        thread.start()
        thread.join()

    wsasim.run(main(), w.client)
    assert "cannot be woken by a real thread" in str(errors[0])


# --- names, executors, what is refused ----------------------------------------------------------


def test_getaddrinfo_answers_from_the_network_without_a_thread(w: World) -> None:
    async def main() -> list[Any]:
        loop = asyncio.get_running_loop()
        threads = threading.active_count()
        infos = await loop.getaddrinfo(NAME, PORT, type=socket.SOCK_STREAM)
        name = await loop.getnameinfo(("192.0.2.10", 80), socket.NI_NUMERICSERV)
        assert threading.active_count() == threads
        return [[info[4][0] for info in infos], name]

    assert wsasim.run(main(), w.client) == [[SERVER_V6, SERVER_V4], ("client", "80")]


def test_getaddrinfo_of_an_unknown_name_is_gaierror_11001(w: World) -> None:
    async def main() -> None:
        await asyncio.open_connection("nowhere.example", PORT)

    with pytest.raises(socket.gaierror) as caught:
        wsasim.run(main(), w.client)
    assert caught.value.errno == 11001


def test_run_in_executor_and_to_thread_run_at_once_in_the_loop_thread(w: World) -> None:
    def blocking() -> tuple[int, float]:
        time.sleep(3)  # the virtual clock's, while the loop runs
        return threading.get_ident(), w.net.now

    async def main() -> list[Any]:
        loop = asyncio.get_running_loop()
        first = await loop.run_in_executor(None, blocking)
        second = await asyncio.to_thread(blocking)
        failed = loop.run_in_executor(None, int, "x")
        assert failed.done()
        with pytest.raises(ValueError, match="invalid literal"):
            await failed
        return [first, second]

    me = threading.get_ident()
    assert wsasim.run(main(), w.client) == [(me, 3.0), (me, 6.0)]


def test_what_needs_wall_time_or_a_real_descriptor_is_refused(w: World) -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        with pytest.raises(NotImplementedError, match="subprocesses"):
            await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
        with pytest.raises(NotImplementedError, match="add_signal_handler"):
            loop.add_signal_handler(2, print)
        with pytest.raises(NotImplementedError, match="connect_read_pipe"):
            await loop.connect_read_pipe(asyncio.Protocol, sys.stdin)
        with pytest.raises(ValueError, match="cannot wait on a real file descriptor"):
            loop.add_reader(0, print)
        with pytest.raises(ValueError, match="reuse_port not supported"):
            await loop.create_server(asyncio.Protocol, "127.0.0.1", 0, reuse_port=True)

    wsasim.run(main(), w.client)


# --- the loop's life: patching, closing, deadlocks -----------------------------------------------


def test_the_socket_module_is_the_hosts_only_while_the_loop_runs(w: World) -> None:
    loop = wsasim.new_event_loop(w.client)
    seen: list[Any] = []
    real_monotonic = time.monotonic

    async def main() -> None:
        seen.extend([socket.socket, socket.gethostname(), time.monotonic is not real_monotonic])

    try:
        assert vars(socket)["socket"] is not wsasim.SimSocket
        loop.run_until_complete(main())
        assert vars(socket)["socket"] is not wsasim.SimSocket
    finally:
        loop.close()
    assert seen == [wsasim.SimSocket, "client", True]
    assert isinstance(loop, SimEventLoop)
    assert loop.host is w.client


def test_everything_is_closed_and_restored_after_an_exception(w: World) -> None:
    async def main() -> None:
        server = await asyncio.start_server(echo, "127.0.0.1", 0)
        async with server:
            await asyncio.open_connection(SERVER_V4, CLOSED_PORT)

    with pytest.raises(ConnectionRefusedError):
        wsasim.run(main(), w.client)
    # the w fixture checks the modules and that the client host has no socket left


def test_a_patch_around_the_run_nests(w: World) -> None:
    async def main() -> str:
        return socket.gethostname()

    with wsasim.patch(w.server):
        assert wsasim.run(main(), w.client) == "client"
        assert socket.gethostname() == "server"  # the outer patch again


def test_awaiting_what_nothing_will_complete_is_a_deadlock(w: World) -> None:
    async def main() -> None:
        await asyncio.sleep(1)
        await asyncio.Future()

    with pytest.raises(wsasim.Deadlock, match=r"host 'client' waits forever at t=1: .* no socket"):
        wsasim.run(main(), w.client)


def test_reading_what_no_peer_will_send_is_a_deadlock_naming_the_socket(w: World) -> None:
    async def main() -> None:
        reader, writer = await asyncio.open_connection(SERVER_V4, PORT)  # accepted by no one
        try:
            await reader.read(1)
        finally:
            writer.close()

    # The listener queued the connection when the last ACK came, at 1.5 round trips.
    with pytest.raises(wsasim.Deadlock, match=r"at t=0.003: .* its 1 watched sockets"):
        wsasim.run(main(), w.client)


def test_run_checks_its_arguments(w: World) -> None:
    with pytest.raises(TypeError, match=r"wsasim\.Host"):
        wsasim.new_event_loop("client")  # type: ignore[arg-type]
    coro = asyncio.sleep(0)
    with pytest.raises(TypeError, match=r"wsasim\.Host"):
        wsasim.run(coro, None)  # type: ignore[arg-type]
    coro.close()
    with pytest.raises(ValueError, match="a coroutine was expected"):
        wsasim.run(None, w.client)  # type: ignore[arg-type]


# --- the pytest plugin ----------------------------------------------------------------------------


@pytest.mark.wsasim_asyncio
@pytest.mark.wsasim_profile("windows")
async def test_the_marker_runs_an_async_test_on_the_client_hosts_loop(
    wsasim_network: wsasim.Network, wsasim_server: Callable[..., wsasim.Host]
) -> None:
    wsasim_server("192.0.2.20/24", "2001:db8::20/64", ports=[443])
    wsasim_network.add_name("app.example", ["2001:db8::20", "192.0.2.20"])
    wsasim_network.blackhole("2001:db8::20")
    loop = asyncio.get_running_loop()
    assert isinstance(loop, SimEventLoop)
    assert loop.host.name == "client"
    _, writer = await asyncio.open_connection("app.example", 443, happy_eyeballs_delay=DELAY)
    await close(writer)
    assert wsasim_network.now == at(DELAY + 2 * wsasim_network.latency)


def test_the_wsasim_loop_fixture_is_the_client_hosts_loop(
    wsasim_loop: asyncio.AbstractEventLoop, wsasim_network: wsasim.Network
) -> None:
    wsasim_loop.run_until_complete(asyncio.sleep(10))
    assert wsasim_network.now == 10.0
    assert isinstance(wsasim_loop, SimEventLoop)
    assert wsasim_loop.host.name == "client"


#: A self-signed certificate for tls.example, valid 2000-2099 (made with ``openssl ca
#: -selfsign``), and its P-256 key: test data only.
TEST_CERT = """-----BEGIN CERTIFICATE-----
MIIBczCCARqgAwIBAgIBATAKBggqhkjOPQQDAjAWMRQwEgYDVQQDDAt0bHMuZXhh
bXBsZTAgFw0wMDAxMDEwMDAwMDBaGA8yMDk5MTIzMTIzNTk1OVowFjEUMBIGA1UE
AwwLdGxzLmV4YW1wbGUwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAARdj5i2qh4+
5gu6oJJc+n9t982OQwAz8sz3x+3IeGDPXpIoPj6leiPY1OICgLtuIHKKJXbUvKR6
hhjxiBbComReo1cwVTAPBgNVHRMBAf8EBTADAQH/MBYGA1UdEQQPMA2CC3Rscy5l
eGFtcGxlMAsGA1UdDwQEAwIChDAdBgNVHQ4EFgQU+5OOLPFrttRwB79ljj29hF0h
OeMwCgYIKoZIzj0EAwIDRwAwRAIgDJPj9UMHIdQDws1eWjgkE0v+yvi6D7HjFQ6q
ZvdLfO8CIEBXYLQnaQ5o2QInhb7kYd4zeipaPfXFGaz7EvwIH9KA
-----END CERTIFICATE-----
"""
TEST_KEY = """-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgcD7KcT80XYHMMgfR
8dsEnTJ2FehmuIiPw29OKvMi8VmhRANCAARdj5i2qh4+5gu6oJJc+n9t982OQwAz
8sz3x+3IeGDPXpIoPj6leiPY1OICgLtuIHKKJXbUvKR6hhjxiBbComRe
-----END PRIVATE KEY-----
"""
