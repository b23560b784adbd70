"""Third-party asyncio HTTP clients, unchanged, on the simulator's event loop.

aiohttp (its TCPConnector connects through aiohappyeyeballs, with a happy-eyeballs delay of
0.25 s) and httpx (httpcore over anyio's asyncio backend, whose ``connect_tcp`` has its own
happy eyeballs, also 0.25 s) each GET a page from a tiny HTTP/1.1 server on another host
(``host.serve``), by a name whose IPv6 address is dead: each must start IPv4 after its delay
and connect one round trip later. The times are virtual (windows profile, one-way latency
LATENCY): the delay, the TCP handshake's round trip, the request's.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import aiohttp
import httpx
import pytest
import wsasim

from tests.world import World, world

LATENCY = 0.001
RTT = 2 * LATENCY
NAME = "www.example"
PORT = 8080
BODY = b"hello from the simulated server\n"
#: The happy-eyeballs delay of both clients: aiohttp's TCPConnector(happy_eyeballs_delay=0.25)
#: and anyio.connect_tcp(happy_eyeballs_delay=0.25), which httpcore's anyio backend leaves as is.
DELAY = 0.25
#: IPv6 is dead, so IPv4 starts after the delay; its handshake takes a round trip, then the
#: request reaches the server and the response comes back in another.
GOT_IT = DELAY + RTT + RTT


class HttpResponder(asyncio.Protocol):
    """An HTTP/1.1 server: every request (up to the blank line) gets BODY, then the
    connection is closed. Records the request lines and when they came."""

    requests: list[tuple[Any, bytes]]

    def __init__(self, net: wsasim.Network) -> None:
        self.net = net
        self.buffer = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport: Any = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if b"\r\n\r\n" not in self.buffer:
            return
        HttpResponder.requests.append((self.net.now, self.buffer.split(b"\r\n", 1)[0]))
        self.transport.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
            b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(BODY), BODY)
        )
        self.transport.close()


@pytest.fixture
def w() -> Iterator[World]:
    """The windows-profile world: NAME is IPv6 (blackholed) then IPv4; the server host answers
    HTTP on PORT. No socket is left open on the client after the test."""
    made = world("windows", latency=LATENCY)
    made.net.add_name(NAME, ["2001:db8::20", "192.0.2.20"])
    made.net.blackhole("2001:db8::20")
    HttpResponder.requests = []
    with made.server.serve(PORT, lambda: HttpResponder(made.net)):
        yield made
    assert made.client.sockets() == []


def attempts(w: World) -> list[tuple[str, Any, str]]:
    return [(a.remote.host, pytest.approx(a.started), a.outcome) for a in w.client.attempts]


def test_aiohttp_get_goes_past_the_dead_ipv6_after_its_happy_eyeballs_delay(w: World) -> None:
    async def main() -> tuple[int, bytes, float]:
        url = f"http://{NAME}:{PORT}/hello"
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            return response.status, await response.read(), w.net.now

    status, body, done = wsasim.run(main(), w.client)
    assert (status, body) == (200, BODY)
    assert done == pytest.approx(GOT_IT)
    assert HttpResponder.requests == [(pytest.approx(DELAY + 1.5 * RTT), b"GET /hello HTTP/1.1")]
    v6, v4 = attempts(w)
    assert v6[:2] == ("2001:db8::20", 0.0)
    assert v4 == ("192.0.2.20", DELAY, "connected")


def test_httpx_async_client_get_goes_past_the_dead_ipv6_after_anyios_delay(w: World) -> None:
    async def main() -> tuple[int, bytes, float, float]:
        async with httpx.AsyncClient() as client:
            response = await client.get(f"http://{NAME}:{PORT}/hello")
            return (
                response.status_code,
                response.content,
                w.net.now,
                response.elapsed.total_seconds(),  # time.perf_counter: virtual in the loop
            )

    status, body, done, elapsed = wsasim.run(main(), w.client)
    assert (status, body) == (200, BODY)
    assert done == pytest.approx(GOT_IT)
    assert elapsed == pytest.approx(GOT_IT, abs=1e-6)
    assert HttpResponder.requests == [(pytest.approx(DELAY + 1.5 * RTT), b"GET /hello HTTP/1.1")]
    v6, v4 = attempts(w)
    assert v6[:2] == ("2001:db8::20", 0.0)
    assert v4 == ("192.0.2.20", DELAY, "connected")


def test_aiohttp_without_happy_eyeballs_waits_out_the_syn_timeout(w: World) -> None:
    async def main() -> bytes:
        connector = aiohttp.TCPConnector(happy_eyeballs_delay=None)
        async with (
            aiohttp.ClientSession(connector=connector) as session,
            session.get(f"http://{NAME}:{PORT}/") as response,
        ):
            return await response.read()

    assert wsasim.run(main(), w.client) == BODY
    assert w.net.now == pytest.approx(21.0 + RTT + RTT)  # the windows profile's SYN timeout


def test_aiohttp_total_timeout_fires_in_virtual_time(w: World) -> None:
    async def main() -> None:
        timeout = aiohttp.ClientTimeout(total=3)
        connector = aiohttp.TCPConnector(happy_eyeballs_delay=None)
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
            await session.get(f"http://{NAME}:{PORT}/")

    with pytest.raises(asyncio.TimeoutError):
        wsasim.run(main(), w.client)
    assert w.net.now == pytest.approx(3.0)


def test_httpx_connect_timeout_fires_in_virtual_time(w: World) -> None:
    w.net.add_name("v6only.example", ["2001:db8::20"])

    async def main() -> None:
        async with httpx.AsyncClient(timeout=httpx.Timeout(5.0, connect=2.0)) as client:
            await client.get(f"http://v6only.example:{PORT}/")

    with pytest.raises(httpx.ConnectTimeout):
        wsasim.run(main(), w.client)
    assert w.net.now == pytest.approx(2.0)
